"""How a service says no, and how a page shows it.

A service refuses with ``ServiceError`` (or one of its subclasses, one per app:
``EnrollmentError``, ``MatchingError``...) carrying a sentence for the person who asked,
or with Django's ``ValidationError`` when the refusal names a field. A view catches either
and puts it on its form with ``form_add_service_errors``, or shows ``str(error)`` as a
message; the words are never rewritten on the way.
"""

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    """A service refused to do what was asked; ``str(error)`` says why, in plain words."""


def form_add_service_errors(form, error: Exception, field_map: dict[str, str] | None = None) -> None:
    """Show a service's refusal on ``form``: on the field it names (renamed through
    ``field_map`` when the service and the form call it differently), else above the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = (field_map or {}).get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error)
    else:
        form.add_error(None, str(error))
