"""allauth's account forms, fitted to the employee directory (see people/adapters.py)."""

from allauth.account.forms import AddEmailForm, SignupForm
from django import forms

from people.adapters import address_in_directory


class CompanySignupForm(SignupForm):
    """Sign-up that creates accounts for directory addresses only, without saying so.

    An address outside the directory is treated like one that already has an
    account: the form is valid, no account is created, the visitor sees the same
    "check your email" page, and the email explains (people/adapters.py).
    """

    def validate_unique_email(self, value):
        email = super().validate_unique_email(value)
        if not self.account_already_exists and not address_in_directory(email):
            self.account_already_exists = True
        return email


class CompanyAddEmailForm(AddEmailForm):
    """A signed-in person may add another address only if it is in the directory."""

    def clean_email(self):
        email = super().clean_email()
        if not address_in_directory(email):
            raise forms.ValidationError("Only addresses in the employee directory can be added. Ask HR to add it.")
        return email
