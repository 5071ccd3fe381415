"""Times in a person's own time zone, for notifications and pages that show someone else's clock."""

import zoneinfo
from datetime import date, datetime, time

from django.utils import timezone


def zone_of(name: str | None) -> zoneinfo.ZoneInfo:
    """The IANA zone, or UTC when the name is blank or unknown."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def combine_local(day: date, clock: time, zone_name: str | None) -> datetime:
    """A date and a wall-clock time in ``zone_name`` as an aware datetime (UTC-comparable)."""
    return datetime.combine(day, clock).replace(tzinfo=zone_of(zone_name))


def when_text(moment: datetime, zone_name: str | None, *, now: datetime | None = None) -> str:
    """``"tomorrow at 15:00 (Europe/Berlin)"``; ``"Tue 12 Jan 2027 at 09:30 (America/New_York)"``."""
    zone = zone_of(zone_name)
    local = moment.astimezone(zone)
    today = (now or timezone.now()).astimezone(zone).date()
    delta = (local.date() - today).days
    if delta == 0:
        day = "today"
    elif delta == 1:
        day = "tomorrow"
    elif delta == -1:
        day = "yesterday"
    else:
        day = f"{local:%a} {local.day} {local:%b %Y}"
    return f"{day} at {local:%H:%M} ({zone.key})"
