"""Logging a held session: its notes, action items, and each person's private note."""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import Notification
from goals.models import Goal
from sessions import signals
from sessions.localtime import when_text
from sessions.models import ActionItem, MentoringSession, PrivateNote, SessionFormat
from sessions.services.checks import (
    ActionItemInput,
    Status,
    pairing_workable_check,
    session_details_check,
    session_times_check,
)
from sessions.services.pairings import _actor_name, _notify_other, pairing_role_of

# --- Logging a held session --------------------------------------------------------------


def _held_session_apply(
    *, session, user, goals: Sequence[Goal], private_note: str, action_items: Sequence[ActionItemInput], now
):
    session.goals_discussed.set(goals)
    if private_note.strip():
        private_note_save(session=session, user=user, body=private_note)
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                session=session,
                pairing_id=session.pairing_id,
                title=item["title"].strip(),
                owner=item["owner"],
                due_date=item["due_date"],
                created_by=user,
                created_at=now,
            )
            for item in action_items
        ]
    )
    name = _actor_name(user)
    day = session.starts_at
    _notify_other(
        pairing=session.pairing,
        user=user,
        kind=Notification.Kind.SESSION_LOGGED,
        key=f"session-logged:{session.pk}",
        title=lambda zone: f"{name} logged your mentoring session of {when_text(day, zone, now=now)}",
        body=f"{len(action_items)} action item(s) recorded." if action_items else "",
        anchor=f"session-{session.pk}",
    )
    # The post-session pulse, if the program has one (surveys; invitations go out after commit).
    signals.session_logged.send(sender=MentoringSession, session_id=session.pk, pairing_id=session.pairing_id)
    session_id, pairing_id = session.pk, session.pairing_id
    transaction.on_commit(
        lambda: signals.session_held.send_robust(sender=MentoringSession, session_id=session_id, pairing_id=pairing_id)
    )


@transaction.atomic
def session_log(
    *,
    pairing,
    user,
    starts_at: datetime,
    duration_minutes: int,
    format: str = SessionFormat.VIDEO,
    topics: Sequence[str] = (),
    topics_other: str = "",
    shared_notes: str = "",
    private_note: str = "",
    goals: Sequence[Goal] = (),
    action_items: Sequence[ActionItemInput] = (),
    now=None,
) -> MentoringSession:
    """Record a session that took place but was never scheduled here."""
    now = now or timezone.now()
    pairing_role_of(pairing=pairing, user=user)
    pairing_workable_check(pairing=pairing)
    session_times_check(starts_at=starts_at, duration_minutes=duration_minutes, held=True, now=now)
    if format not in SessionFormat.values:
        raise ValidationError({"format": "Choose video call, in person or phone."})
    session_details_check(pairing=pairing, topics=topics, goals=goals, action_items=action_items)
    session = MentoringSession.objects.create(
        pairing=pairing,
        status=Status.HELD,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        format=format,
        topics=list(topics),
        topics_other=topics_other.strip(),
        shared_notes=shared_notes.strip(),
        scheduled_by=user,
        logged_by=user,
        logged_at=now,
    )
    _held_session_apply(
        session=session, user=user, goals=goals, private_note=private_note, action_items=action_items, now=now
    )
    return session


@transaction.atomic
def session_mark_held(
    *,
    session: MentoringSession,
    user,
    starts_at: datetime,
    duration_minutes: int,
    topics: Sequence[str] = (),
    topics_other: str = "",
    shared_notes: str = "",
    private_note: str = "",
    goals: Sequence[Goal] = (),
    action_items: Sequence[ActionItemInput] = (),
    now=None,
) -> MentoringSession:
    """Log a planned session as held. Claimed with a conditional UPDATE: of two people
    logging it at once, the second is told it was already logged."""
    now = now or timezone.now()
    pairing = session.pairing
    pairing_role_of(pairing=pairing, user=user)
    pairing_workable_check(pairing=pairing)
    session_times_check(starts_at=starts_at, duration_minutes=duration_minutes, held=True, now=now)
    session_details_check(pairing=pairing, topics=topics, goals=goals, action_items=action_items)
    changed = MentoringSession.objects.filter(pk=session.pk, status=Status.SCHEDULED).update(
        status=Status.HELD,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        topics=list(topics),
        topics_other=topics_other.strip(),
        shared_notes=shared_notes.strip(),
        logged_by=user,
        logged_at=now,
        updated_at=now,
    )
    if changed != 1:
        raise ValidationError("This session was already logged or cancelled.")
    session.refresh_from_db()
    _held_session_apply(
        session=session, user=user, goals=goals, private_note=private_note, action_items=action_items, now=now
    )
    return session


@transaction.atomic
def session_notes_update(
    *,
    session: MentoringSession,
    user,
    topics: Sequence[str],
    topics_other: str,
    shared_notes: str,
    goals: Sequence[Goal],
) -> MentoringSession:
    """Edit a held session's topics, shared notes and the goals it discussed (either person)."""
    pairing = session.pairing
    pairing_role_of(pairing=pairing, user=user)
    if session.status != Status.HELD:
        raise ValidationError("Only a held session has notes.")
    session_details_check(pairing=pairing, topics=topics, goals=goals, action_items=())
    session.topics = list(topics)
    session.topics_other = topics_other.strip()
    session.shared_notes = shared_notes.strip()
    session.save(update_fields=["topics", "topics_other", "shared_notes", "updated_at"])
    session.goals_discussed.set(goals)
    return session


def private_note_save(*, session: MentoringSession, user, body: str) -> PrivateNote | None:
    """Save the user's own private note on a session; an empty note deletes it."""
    pairing_role_of(pairing=session.pairing, user=user)
    body = body.strip()
    if not body:
        PrivateNote.objects.filter(session=session, author=user).delete()
        return None
    note, _ = PrivateNote.objects.update_or_create(session=session, author=user, defaults={"body": body})
    return note
