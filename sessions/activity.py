"""Pair activity: since when a pair has been quiet, and when that counts as overdue.

The one rule, shared by the inactivity nudges (``sessions.reminders``), HR's one-click nudge
(``sessions.nudges``), the oversight page and pair health (``evaluation.health``):

* A pair is **quiet since** its latest held session, else since it started (its creation
  when it has no start).
* Quiet for longer than the program's meeting cadence (``Program.cadence_days``: "meet
  every N days") it is **overdue**: both people are nudged (level 1) and pair health counts
  a warning sign.
* Quiet for longer than ``LONG_OVERDUE_FACTOR`` times the cadence it is **long overdue**:
  both are nudged again and HR is told (level 2); pair health puts it at risk.

So a pair the dashboard shows as overdue has been nudged for it, and nudged pairs are the
ones the dashboard flags.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import DateTimeField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from sessions.models import InactivityNudge, MentoringSession

#: Long overdue: no held session for longer than this many cadences.
LONG_OVERDUE_FACTOR = 2

#: ``quiet_level`` values.
ON_TRACK, OVERDUE, LONG_OVERDUE = 0, 1, 2


def last_held_session_at(moment: datetime | None = None) -> Subquery:
    """Subquery on a Pairing queryset: the start of its latest held session (by ``moment``,
    when given), on the index ``session_pairing_status_idx``."""
    sessions = MentoringSession.objects.filter(pairing_id=OuterRef("pk"), status=MentoringSession.Status.HELD)
    if moment is not None:
        sessions = sessions.filter(starts_at__lte=moment)
    return Subquery(sessions.order_by("-starts_at").values("starts_at")[:1], output_field=DateTimeField())


def quiet_since(moment: datetime | None = None) -> Coalesce:
    """Expression on a Pairing queryset: since when the pair has had no held session (as of
    ``moment``, when given): its last held session, else its start, else its creation."""
    return Coalesce(last_held_session_at(moment), "started_at", "created_at", output_field=DateTimeField())


def overdue_after(cadence_days: int) -> timedelta:
    """How long a pair may be quiet before it is overdue."""
    return timedelta(days=cadence_days)


def long_overdue_after(cadence_days: int) -> timedelta:
    return LONG_OVERDUE_FACTOR * timedelta(days=cadence_days)


def quiet_level(*, quiet_since: datetime, moment: datetime, cadence_days: int) -> int:
    """``ON_TRACK`` (0), ``OVERDUE`` (1) or ``LONG_OVERDUE`` (2) for a pair quiet since
    ``quiet_since`` at ``moment`` (strictly longer than the threshold)."""
    quiet_for = moment - quiet_since
    if quiet_for > long_overdue_after(cadence_days):
        return LONG_OVERDUE
    if quiet_for > overdue_after(cadence_days):
        return OVERDUE
    return ON_TRACK


def nudge_level_for_quiet_spell(since_annotation: str = "quiet_since") -> Subquery:
    """Subquery on a Pairing queryset annotated with ``since_annotation``: the highest nudge
    recorded for the pair's current quiet spell (the sweep's or HR's), or None."""
    return Subquery(
        InactivityNudge.objects.filter(pairing_id=OuterRef("pk"), since=OuterRef(since_annotation))
        .order_by("-level")
        .values("level")[:1],
        output_field=IntegerField(),
    )
