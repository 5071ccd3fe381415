"""Sign-ins, failed sign-ins and second-factor events, from allauth's and Django's signals.

A failed sign-in names the account only when the email belongs to one (then the event's
target is that account); an unknown email is not kept at all, and no password ever is.
The second-factor signals exist only when ``allauth.mfa`` is installed.
"""

import logging

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed

from audit.models import AuditEvent
from audit.services import record

logger = logging.getLogger(__name__)
Action = AuditEvent.Action


def signed_in(sender, request, user, **kwargs):
    record(action=Action.SIGNED_IN, actor=user, request=request)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    email = ""
    for key in ("email", "login", "username"):
        value = credentials.get(key)
        if isinstance(value, str) and "@" in value:
            email = value.strip()
            break
    account = get_user_model().objects.filter(email__iexact=email).first() if email else None
    if account is None:
        record(action=Action.SIGN_IN_FAILED, details={"account": "unknown"}, request=request)
    else:
        record(action=Action.SIGN_IN_FAILED, target=account, target_label=account.email, request=request)


def _mfa_receiver(action):
    def receiver(sender, request=None, user=None, authenticator=None, **kwargs):
        details = {"type": getattr(authenticator, "type", "") or ""}
        record(action=action, actor=user, details=details, request=request)

    return receiver


MFA_SIGNALS = {
    "authenticator_added": Action.MFA_ADDED,
    "authenticator_removed": Action.MFA_REMOVED,
    "authenticator_reset": Action.MFA_RESET,
    "authentication_failed": Action.MFA_FAILED,
}
_mfa_receivers = {}


def connect() -> None:
    from allauth.account.signals import user_logged_in

    user_logged_in.connect(signed_in, dispatch_uid="audit-signed-in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="audit-sign-in-failed")
    if not apps.is_installed("allauth.mfa"):
        return
    try:
        from allauth.mfa import signals as mfa_signals
    except ImportError:  # pragma: no cover - an allauth without mfa
        return
    for name, action in MFA_SIGNALS.items():
        signal = getattr(mfa_signals, name, None)
        if signal is None:
            continue
        _mfa_receivers[name] = _mfa_receiver(action)
        signal.connect(_mfa_receivers[name], dispatch_uid=f"audit-{name}")
