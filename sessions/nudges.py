"""HR's one-click nudge of a pair ("time to meet"), recorded where the inactivity sweep looks.

The sweep (``sessions.reminders.inactivity_nudges_send``) nudges overdue pairs by the rule of
``sessions.activity``; HR nudges from the pairs-at-risk list. Both record an
``InactivityNudge`` for the pair's current quiet spell, so the oversight page lists pairs HR
nudged among the nudged ones and the sweep does not nudge them again for the same spell (it
still escalates when the pair becomes long overdue and HR had nudged it earlier).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from core.models import Notification
from core.notifications import notification_send
from matching.models import Pairing
from sessions import activity
from sessions.models import InactivityNudge


class NudgeError(ServiceError):
    """A nudge the rules don't allow. The message is shown to HR."""


def site_today(now: datetime | None = None) -> date:
    """Today in the site's time zone (nudges are per site day, whoever clicks)."""
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone())


def nudge_key(*, pairing_id: int, day: date, user_id: int) -> str:
    """One nudge per person, pairing and day: a double click (or a second HR admin) sends nothing more."""
    return f"health-nudge:{pairing_id}:{day.isoformat()}:user:{user_id}"


def pairing_nudge(*, pairing: Pairing, user, now: datetime | None = None) -> int:
    """HR's one-click nudge: tell both people of an active pairing it is time to meet, and
    record it for the pair's current quiet spell (``InactivityNudge`` with ``sent_by``).

    One notification per person, pairing and day (the key carries the day), so a double
    click or a second HR admin nudges nobody twice. The message says nothing of why the
    pair was flagged (a low survey rating must not be traced back). Returns how many
    people were notified now (0 if they already were today).
    """
    if not user.is_hr_admin:
        raise NudgeError("Only HR admins can nudge a pair.")
    if pairing.status != Pairing.Status.ACTIVE:
        raise NudgeError("Only active pairings can be nudged.")
    now = now or timezone.now()
    day = site_today(now)
    program = pairing.program
    url = reverse("mentoring_sessions:pairing_detail", args=[pairing.pk])
    since = (
        Pairing.objects.filter(pk=pairing.pk).annotate(since=activity.quiet_since()).values_list("since", flat=True)[0]
    )
    level = max(
        activity.OVERDUE, activity.quiet_level(quiet_since=since, moment=now, cadence_days=program.cadence_days)
    )
    sent = 0
    with transaction.atomic():
        for enrollment, other in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
            recipient = enrollment.person.user
            if recipient is None:
                continue
            notification = notification_send(
                recipient=recipient,
                kind=Notification.Kind.HEALTH_NUDGE,
                title=f"Time to meet {other.person.first_name}?",
                body=(
                    f"The {program.name} team is checking in: pairs get the most from the program when they meet "
                    f"every {program.cadence_days} days. Book your next session with {other.person.full_name}, "
                    "and tell the program team if something gets in the way."
                ),
                key=nudge_key(pairing_id=pairing.pk, day=day, user_id=recipient.pk),
                url=url,
            )
            sent += notification is not None
        # HR knows about this pair: the sweep's "HR has been told" digest skips it.
        InactivityNudge.objects.bulk_create(
            [
                InactivityNudge(
                    pairing=pairing, since=since, level=level, created_at=now, hr_notified_at=now, sent_by=user
                )
            ],
            ignore_conflicts=True,
        )
    return sent
