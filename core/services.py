"""Small helpers that the apps' services share."""

from collections.abc import Iterable


def model_fields_assign(obj, fields: dict, *, allowed: Iterable[str], what: str) -> None:
    """Set ``fields`` on ``obj``, refusing any name outside ``allowed``.

    Services take settings as keyword arguments; a name that is not one of them
    is a programming error (a typo in a form or a caller), never user input."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Not {what}: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(obj, name, value)
