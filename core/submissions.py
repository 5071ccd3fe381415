"""One-time submission tokens: a create form posted twice (a double click, a POST the
browser resends) is handled once, and the repeat gets the first answer.

How to apply it to a form:

1. In the template, next to ``{% csrf_token %}``::

       {% load submissions %}<form method="post">{% csrf_token %}{% submission_token %}

2. On the view that handles the POST, innermost (below ``@require_POST`` and any
   permission decorator, so that refusals are not recorded)::

       @submit_once
       def session_log(request, pk): ...

The first POST carrying a token claims it (a row in ``FormSubmission``, unique per
user and token) inside the request's transaction. If the view answers with a
redirect, the claim keeps its Location; any other answer (the form again, with
errors) releases the claim, so the corrected form can be sent with the same token.
A second POST with the same token, sequential or concurrent, gets that redirect and
a message, and the view does not run again. Concurrent POSTs serialise on the
unique index: the second waits for the first's transaction, then reads its answer
(PostgreSQL and SQLite alike). A POST without a token (an old tab, a script) is
handled as before. Tokens are kept for a day (``form_submissions_expire``).
"""

import logging
import re
import secrets
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from core.models import FormSubmission

logger = logging.getLogger(__name__)

TOKEN_FIELD = "submission_token"
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEPT_FOR = timedelta(days=1)
REPEAT_MESSAGE = "You sent this form twice: it was handled once."


def submission_token_new() -> str:
    return secrets.token_urlsafe(24)


def submit_once(view):
    """Handle a POST at most once per submission token (see the module docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(TOKEN_FIELD, "") if request.method == "POST" else ""
        if not (token and TOKEN_FORMAT.fullmatch(token) and request.user.is_authenticated):
            return view(request, *args, **kwargs)
        submission, created = FormSubmission.objects.get_or_create(
            user=request.user, token=token, defaults={"path": request.path[:500]}
        )
        if not created:
            if submission.path != request.path[:500]:
                return view(request, *args, **kwargs)  # a token from another form: not a repeat of this one
            logger.info("Repeated form submission to %s answered with the first result", request.path)
            messages.info(request, REPEAT_MESSAGE)
            return redirect(submission.response_url or request.path)
        response = view(request, *args, **kwargs)
        if response.status_code in (301, 302, 303) and response.has_header("Location"):
            FormSubmission.objects.filter(pk=submission.pk).update(response_url=response["Location"][:2000])
        else:
            FormSubmission.objects.filter(pk=submission.pk).delete()
        return response

    return wrapper


def form_submissions_expire(*, now=None) -> int:
    """Forget tokens older than a day; returns how many."""
    now = now or timezone.now()
    deleted, _ = FormSubmission.objects.filter(created_at__lt=now - KEPT_FOR).delete()
    return deleted
