from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from people.models import Person


class CompanyAccountAdapter(DefaultAccountAdapter):
    """Accounts are for employees: sign-up is open to addresses in the directory only."""

    def clean_email(self, email):
        email = super().clean_email(email).lower()
        if not Person.objects.active().filter(email=email).exists():
            raise forms.ValidationError(
                "This address is not in the employee directory. Use your work email, or ask HR to add you."
            )
        return email

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        person = Person.objects.filter(email=user.email.lower()).first()
        if person:
            user.first_name, user.last_name = person.first_name, person.last_name
        if commit:
            user.save()
            if person and person.user_id is None:
                person.user = user
                person.save(update_fields=["user", "updated_at"])
        return user
