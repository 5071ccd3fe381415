from functools import wraps

from django.core.exceptions import PermissionDenied


def hr_admin_required(view_func):
    """Only HR admins may open this page (others get 403; objects they can't see are 404s)."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_hr_admin):
            raise PermissionDenied("Only HR admins can open this page.")
        return view_func(request, *args, **kwargs)

    return wrapper
