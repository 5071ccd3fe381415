"""Two-factor helpers for tests: enrol an account in TOTP, compute its current code."""

import time

import pyotp
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt

# The authenticator-app secret every test HR admin and staff account gets (base32).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_enrol(user, secret: str = TEST_TOTP_SECRET) -> Authenticator:
    """``user`` has an authenticator app (what the two-factor page's activation stores)."""
    return TOTP.activate(user, secret).instance


def totp_secret(user) -> str | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def totp_code(user_or_secret, *, offset_periods: int = 0) -> str:
    """The code ``user``'s authenticator app shows now (or ``offset_periods`` periods away)."""
    secret = user_or_secret if isinstance(user_or_secret, str) else totp_secret(user_or_secret)
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + offset_periods * totp.interval)


def mfa_enrol_if_required(sender, instance, **kwargs) -> None:
    """post_save receiver used by the root conftest: HR admins and staff made by a test have
    an authenticator app, as the product requires (portal/mfa.py), unless the test asks not."""
    if (instance.is_hr_admin or instance.is_staff) and not Authenticator.objects.filter(user=instance).exists():
        totp_enrol(instance)
