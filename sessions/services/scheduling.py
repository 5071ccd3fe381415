"""Scheduling, rescheduling and cancelling a session."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import Notification
from sessions.localtime import when_text
from sessions.models import MentoringSession, SessionFormat
from sessions.services.checks import Status, pairing_workable_check, session_place_check, session_times_check
from sessions.services.pairings import _actor_name, _notify_other, pairing_role_of

# --- Scheduling --------------------------------------------------------------------------


@transaction.atomic
def session_schedule(
    *,
    pairing,
    user,
    starts_at: datetime,
    duration_minutes: int,
    format: str = SessionFormat.VIDEO,
    video_url: str = "",
    place: str = "",
    agenda: str = "",
    time_zone: str = "",
    now=None,
) -> MentoringSession:
    """Plan a session; the other person is notified (in their own time zone)."""
    pairing_role_of(pairing=pairing, user=user)
    pairing_workable_check(pairing=pairing)
    session_times_check(starts_at=starts_at, duration_minutes=duration_minutes, held=False, now=now)
    session_place_check(format=format, video_url=video_url, place=place)
    session = MentoringSession.objects.create(
        pairing=pairing,
        status=Status.SCHEDULED,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        format=format,
        video_url=video_url,
        place=place,
        agenda=agenda,
        scheduled_by=user,
        scheduler_time_zone=time_zone,
    )
    name = _actor_name(user)
    _notify_other(
        pairing=pairing,
        user=user,
        kind=Notification.Kind.SESSION_SCHEDULED,
        key=f"session-scheduled:{session.pk}",
        title=lambda zone: f"{name} scheduled a mentoring session {when_text(starts_at, zone, now=now)}",
        body=agenda,
        anchor=f"session-{session.pk}",
    )
    return session


@transaction.atomic
def session_reschedule(
    *,
    session: MentoringSession,
    user,
    starts_at: datetime,
    duration_minutes: int,
    format: str,
    video_url: str = "",
    place: str = "",
    agenda: str = "",
    time_zone: str = "",
    now=None,
) -> MentoringSession:
    """Move a planned session. Its calendar SEQUENCE grows, so calendars update the event,
    and the other person is told again (the notification key carries the sequence)."""
    pairing = session.pairing
    pairing_role_of(pairing=pairing, user=user)
    pairing_workable_check(pairing=pairing)
    session_times_check(starts_at=starts_at, duration_minutes=duration_minutes, held=False, now=now)
    session_place_check(format=format, video_url=video_url, place=place)
    locked = MentoringSession.objects.select_for_update().get(pk=session.pk)
    if locked.status != Status.SCHEDULED:
        raise ValidationError("Only a planned session can be rescheduled.")
    changed = MentoringSession.objects.filter(pk=session.pk, status=Status.SCHEDULED).update(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        format=format,
        video_url=video_url,
        place=place,
        agenda=agenda,
        scheduler_time_zone=time_zone or locked.scheduler_time_zone,
        sequence=F("sequence") + 1,
        updated_at=timezone.now(),
    )
    if changed != 1:
        raise ValidationError("Only a planned session can be rescheduled.")
    session.refresh_from_db()
    name = _actor_name(user)
    _notify_other(
        pairing=pairing,
        user=user,
        kind=Notification.Kind.SESSION_RESCHEDULED,
        key=f"session-rescheduled:{session.pk}:v{session.sequence}",
        title=lambda zone: f"{name} moved your mentoring session to {when_text(starts_at, zone, now=now)}",
        body=agenda,
        anchor=f"session-{session.pk}",
    )
    return session


@transaction.atomic
def session_cancel(*, session: MentoringSession, user, reason: str = "", now=None) -> MentoringSession:
    pairing = session.pairing
    pairing_role_of(pairing=pairing, user=user)
    now = now or timezone.now()
    changed = MentoringSession.objects.filter(pk=session.pk, status=Status.SCHEDULED).update(
        status=Status.CANCELLED,
        cancelled_by=user,
        cancelled_at=now,
        cancel_reason=reason.strip(),
        sequence=F("sequence") + 1,
        updated_at=now,
    )
    if changed != 1:
        raise ValidationError("Only a planned session can be cancelled.")
    session.refresh_from_db()
    name = _actor_name(user)
    starts_at = session.starts_at
    _notify_other(
        pairing=pairing,
        user=user,
        kind=Notification.Kind.SESSION_CANCELLED,
        key=f"session-cancelled:{session.pk}",
        title=lambda zone: f"{name} cancelled the mentoring session of {when_text(starts_at, zone, now=now)}",
        body=session.cancel_reason,
    )
    return session
