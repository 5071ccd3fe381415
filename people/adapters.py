"""How allauth's sign-up, sign-in and emails fit a company product.

- Sign-up is for addresses in the employee directory, but no page says whether an
  address is in it: a sign-up with any address shows the same "check your email"
  page, and the email tells the mailbox's owner what happened (an account was
  created, one already exists, or the address is not in the directory: ask HR).
  Password reset works the same way for every address.
- Emails carry the product's name (``PRODUCT_NAME``) and links to ``SITE_URL``,
  never the host name a request happened to use.
- Sign-in rate limits count per account and per client address; behind proxies the
  client comes from X-Forwarded-For (``ALLAUTH_TRUSTED_PROXY_COUNT``).
"""

import logging
import smtplib
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from people.models import Person, User

logger = logging.getLogger(__name__)

NOT_IN_DIRECTORY_EMAIL = "account/email/not_in_directory"
UNKNOWN_ACCOUNT_EMAIL = "account/email/unknown_account"
# Context values allauth builds from the request's host; emails link to SITE_URL instead.
LINKS_IN_EMAILS = ("activate_url", "password_reset_url", "signup_url")


def address_in_directory(email: str) -> bool:
    """Whether ``email`` belongs to a current employee (leavers cannot sign up)."""
    return Person.objects.active().filter(email=email.strip().lower()).exists()


def on_site(url: str) -> str:
    """``url`` with its scheme and host replaced by ``SITE_URL``'s (path and query kept)."""
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, site.path.rstrip("/") + parts.path, parts.query, parts.fragment))


def address_confirm_after_password_reset(sender, *, user, **kwargs) -> None:
    """The reset link reached the account's mailbox: that address counts as confirmed.

    Accounts made outside sign-up (``createsuperuser``, the admin) have an unconfirmed
    address; without this, mandatory verification would stop them at the next
    sign-in. With several addresses we cannot tell which mailbox the link went to,
    so nothing changes. (Receiver of allauth's ``password_reset`` signal.)
    """
    addresses = list(EmailAddress.objects.filter(user=user))
    if {address.email.lower() for address in addresses} | {user.email.lower()} != {user.email.lower()}:
        return
    address = addresses[0] if addresses else EmailAddress(user=user, email=user.email, primary=True)
    if not address.verified:
        address.verified = True
        address.save()


class CompanyAccountAdapter(DefaultAccountAdapter):
    """Accounts are for employees: sign-up creates accounts for directory addresses only."""

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

    # --- Emails -------------------------------------------------------------------

    def send_mail(self, template_prefix, email, context):
        if template_prefix == UNKNOWN_ACCOUNT_EMAIL and not address_in_directory(email):
            # A password reset for an address that is neither an account nor in the
            # directory: tell its owner why, instead of inviting them to sign up.
            template_prefix = NOT_IN_DIRECTORY_EMAIL
            context = {**context, "attempt": "password_reset"}
        context = {**context, "product_name": settings.PRODUCT_NAME, "site_url": settings.SITE_URL}
        for name in LINKS_IN_EMAILS:
            if context.get(name):
                context[name] = on_site(context[name])
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError):
            # The mail server is down: the sign-up or reset itself is saved, and the page
            # looks the same as always (it must not tell whether an address exists). The
            # person asks again from the same page once mail works. No address in the log.
            logger.warning("Account email %s not sent: the mail server is unavailable", template_prefix, exc_info=True)

    def send_account_already_exists_mail(self, email):
        """Sent for a sign-up that creates no account (see ``CompanySignupForm``).

        Either an account with this address exists (say so, with the reset link),
        or the address is not in the employee directory (say so: ask HR).
        """
        if User.objects.filter(email=email.lower()).exists() or address_in_directory(email):
            return super().send_account_already_exists_mail(email)
        self.send_mail(NOT_IN_DIRECTORY_EMAIL, email, {"attempt": "signup"})

    # --- Rate limits --------------------------------------------------------------

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth prefixes the request's host name, so every name in ALLOWED_HOSTS
        # would give an attacker another five attempts at the same account.
        return credentials.get("email", credentials.get("username", "")).strip().lower()

    def get_client_ip(self, request):
        try:
            return super().get_client_ip(request)
        except (ImproperlyConfigured, PermissionDenied):
            # X-Forwarded-For has fewer entries than ALLAUTH_TRUSTED_PROXY_COUNT, or the
            # trusted entry is not an address: the setting does not fit this deployment.
            # Count the request against the nearest proxy (stricter, never an error page)
            # and tell the operator.
            logger.warning("X-Forwarded-For does not match ALLAUTH_TRUSTED_PROXY_COUNT; using REMOTE_ADDR")
            return request.META.get("REMOTE_ADDR") or "0.0.0.0"
