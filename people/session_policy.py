"""The session policy (README: Multi-factor sign-in and sessions).

- HR admins and staff are signed out after ``HR_IDLE_TIMEOUT_MINUTES`` without a request
  (``IdleTimeoutMiddleware``); everyone else keeps Django's session age.
- A changed password ends every other session of the account: Django's session hash is
  made from the password hash, and allauth keeps the current session (update_session_auth_hash).
- A second factor added, removed or reset ends every other session too: the account's
  ``session_token`` (part of the same hash, ``User._get_session_auth_hash``) is replaced
  (``sessions_end_others``, connected in ``people.apps``).
"""

import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.views import redirect_to_login

from people.mfa import ENROLLED_SESSION_KEY, mfa_enrolled, mfa_enrolled_forget

LAST_SEEN_KEY = "people.last_seen"
# The last-seen time is written at most this often (seconds), not at every request.
LAST_SEEN_RESOLUTION = 60


def idle_timeout_applies(user) -> bool:
    return bool(user.is_authenticated and (getattr(user, "is_hr_admin", False) or user.is_staff))


class IdleTimeoutMiddleware:
    """Signs an HR admin or staff account out after HR_IDLE_TIMEOUT_MINUTES without a request,
    then shows the sign-in page with a message saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and idle_timeout_applies(user):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            minutes = settings.HR_IDLE_TIMEOUT_MINUTES
            if isinstance(last_seen, int) and now - last_seen > minutes * 60:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {minutes} minutes without activity. Sign in again to continue.",
                )
                return redirect_to_login(request.get_full_path())
            if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def on_signed_in(sender, request, user, **kwargs) -> None:
    """user_logged_in: the idle clock starts at sign-in, and the session knows whether the
    account has a second factor (so no page needs to ask)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if idle_timeout_applies(user):
        session[LAST_SEEN_KEY] = int(time.time())
    if mfa_enrolled(user):
        session[ENROLLED_SESSION_KEY] = True


def sessions_end_others(user, request=None) -> None:
    """End every session of ``user`` except ``request``'s (when it is theirs)."""
    from people.models import User

    token = secrets.token_hex(16)
    User.objects.filter(pk=user.pk).update(session_token=token)
    user.session_token = token
    current = getattr(request, "user", None) if request is not None else None
    if current is not None and current.is_authenticated and current.pk == user.pk:
        current.session_token = token
        update_session_auth_hash(request, current)
        mfa_enrolled_forget(request)


def on_authenticator_changed(sender, request=None, user=None, **kwargs) -> None:
    """allauth.mfa's authenticator_added / _removed / _reset: the other sessions end (after an
    addition, those that were signed in with the password alone)."""
    if user is not None:
        sessions_end_others(user, request)


def on_authenticator_deleted(sender, instance, **kwargs) -> None:
    """An authenticator deleted anywhere (IT in the Django admin, too): the account's
    sessions end. The signal receivers above then keep the acting person's own session."""
    from people.models import User

    User.objects.filter(pk=instance.user_id).update(session_token=secrets.token_hex(16))
