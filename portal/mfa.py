"""Who must use a second factor, and the middleware that sends them to enrol one.

HR admins and staff (and, with ``MFA_REQUIRED_FOR_OWNERS``, anyone who owns a program)
open no page but the account pages (sign-in, sign-out, two-factor set-up, password,
email) and the health check until they have an authenticator app or a security key.
Once they have one, allauth asks for it at every sign-in. It lives in the portal, the
top shell, because "owns a program" is a question for ``programs``.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

from people.mfa import mfa_enrolled_in_session
from programs.rules import is_program_owner

MFA_REQUIRED_MESSAGE = "HR admins must set up two-factor authentication before opening HR pages."
OWNER_MFA_REQUIRED_MESSAGE = "Program owners must set up two-factor authentication before opening other pages."
# URL names that stay open without a second factor (besides every allauth page).
OPEN_URL_NAMES = {"healthz"}


def mfa_required_reason(user) -> str | None:
    """Why ``user`` must have a second factor (the message to show), or None if they need not."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_hr_admin", False) or user.is_staff:
        return MFA_REQUIRED_MESSAGE
    if getattr(settings, "MFA_REQUIRED_FOR_OWNERS", False) and is_program_owner(user, None):
        return OWNER_MFA_REQUIRED_MESSAGE
    return None


def _is_open(request, view_func) -> bool:
    # allauth's own pages: sign-in and its two-factor step, sign-out, the two-factor
    # set-up (and the re-authentication it asks for), password and email.
    if getattr(view_func, "__module__", "").startswith("allauth."):
        return True
    match = request.resolver_match
    return bool(match and match.url_name in OPEN_URL_NAMES)


class RequireMFAMiddleware:
    """Sends a person who must use a second factor and has none to the two-factor page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or _is_open(request, view_func):
            return None
        reason = mfa_required_reason(user)
        if reason is None or mfa_enrolled_in_session(request):
            return None
        messages.warning(request, reason)
        return redirect("mfa_index")
