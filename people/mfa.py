"""Whether an account has a second factor, remembered in its session.

Who *must* have one is the portal's rule (portal/mfa.py: it needs to know who owns a
program); this module only answers "has one", and remembers a yes in the session so
that a page costs no query for it. A removed or reset factor ends every other session
of the account and forgets the yes in the current one (people/session_policy.py).
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled

# Second factors that count: recovery codes alone are only a fallback.
FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
ENROLLED_SESSION_KEY = "people.mfa_enrolled"


def mfa_enrolled(user) -> bool:
    return is_mfa_enabled(user, FACTORS)


def mfa_enrolled_in_session(request) -> bool:
    """Whether ``request.user`` has a second factor (one query, then remembered)."""
    if request.session.get(ENROLLED_SESSION_KEY):
        return True
    if mfa_enrolled(request.user):
        request.session[ENROLLED_SESSION_KEY] = True
        return True
    return False


def mfa_enrolled_forget(request) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(ENROLLED_SESSION_KEY, None)
