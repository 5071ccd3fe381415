"""Formatting for dashboard figures: a missing figure is a dash, never "None"."""

from django import template

register = template.Library()

DASH = "—"
HEALTH_BADGES = {"healthy": "text-bg-success", "cooling": "text-bg-warning", "at_risk": "text-bg-danger"}


def _number(value) -> str:
    if isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text if text not in ("-0", "") else "0"
    return f"{value:,}"


@register.filter
def figure(value, suffix=""):
    """12.5 -> "12.5", 3.0 -> "3", None -> "—"; with an optional suffix ("%")."""
    if value is None or value == "":
        return DASH
    return f"{_number(value)}{suffix}"


@register.filter
def change(value, suffix=""):
    """A change with its sign: "+3", "−1.5%", "±0"."""
    if value is None:
        return DASH
    if value == 0:
        return f"±0{suffix}"
    sign = "+" if value > 0 else "−"
    return f"{sign}{_number(abs(value))}{suffix}"


@register.filter
def health_badge(status) -> str:
    return HEALTH_BADGES.get(status, "text-bg-secondary")


@register.filter
def share(part, whole) -> float:
    """``part`` as a percentage of ``whole`` (for bar widths), 0 when there is no whole."""
    try:
        return round(100 * part / whole, 1) if whole else 0
    except (TypeError, ValueError):
        return 0
