from django import template

register = template.Library()

STATUS_BADGES = {
    "scheduled": "text-bg-primary",
    "held": "text-bg-success",
    "cancelled": "text-bg-secondary",
    "accepted": "text-bg-info",
    "active": "text-bg-success",
    "completed": "text-bg-dark",
    "ended": "text-bg-secondary",
    "not_started": "text-bg-light border",
    "in_progress": "text-bg-primary",
    "achieved": "text-bg-success",
    "dropped": "text-bg-secondary",
}


@register.filter
def duration(minutes):
    """``90`` -> ``"1 h 30 min"``."""
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


@register.filter
def status_badge(status):
    """A Bootstrap badge class for a session, pairing or goal status."""
    return STATUS_BADGES.get(str(status), "text-bg-light")
