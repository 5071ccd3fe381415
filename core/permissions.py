"""Asking the permissions each app registers in its ``rules.py`` (the ``rules`` library).

``can`` asks the rules directly (``rules.has_perm``), not ``user.has_perm``: Django lets an
active superuser pass every ``user.has_perm``, and a superuser who is not an HR admin (IT
running the Django admin) has no more rights on the app's pages than anyone else.
"""

from functools import wraps

import rules
from django.core.exceptions import PermissionDenied

from core.rules import is_hr_admin


def can(user, perm: str, obj=None) -> bool:
    """Whether the rules grant ``user`` the permission ``perm`` (on ``obj``)."""
    return rules.has_perm(perm, user, obj)


def hr_admin_required(view_func):
    """Only HR admins may open this page (others get 403; objects they can't see are 404s)."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not is_hr_admin(request.user):
            raise PermissionDenied("Only HR admins can open this page.")
        return view_func(request, *args, **kwargs)

    return wrapper
