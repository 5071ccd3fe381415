"""Writes for mentoring sessions: scheduling, rescheduling, cancelling, logging a held
session with its notes and action items, recommending resources, and personal calendar feeds.

``*_check`` functions validate and raise ``ValidationError`` (the forms call them too, so each
rule lives in one place). The other functions change state and refuse what the checks refuse.
They take a pairing or session the view already scoped to the user, and still refuse a user who
is not one of its two people.
"""

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.notifications import notification_send
from goals.models import Goal
from matching.models import Pairing
from people.models import Person
from sessions import signals
from sessions.localtime import when_text
from sessions.models import (
    MAX_SESSION_MINUTES,
    ActionItem,
    CalendarFeed,
    MentoringSession,
    PrivateNote,
    Resource,
    SessionFormat,
    Topic,
)

Status = MentoringSession.Status


class ActionItemInput(TypedDict):
    title: str
    owner: Person
    due_date: date


# --- Who is who in a pairing -------------------------------------------------------------


def pairing_role_of(*, pairing, user) -> str:
    """``"mentor"`` or ``"mentee"``; anyone else is refused (views 404 them before this)."""
    if user.is_authenticated:
        if pairing.mentor.person.user_id == user.pk:
            return "mentor"
        if pairing.mentee.person.user_id == user.pk:
            return "mentee"
    raise PermissionDenied("Only the mentor and the mentee of this pairing can do this.")


def pairing_other_person(*, pairing, user) -> Person:
    return pairing.mentee.person if pairing_role_of(pairing=pairing, user=user) == "mentor" else pairing.mentor.person


def pairing_url(pairing, anchor: str = "") -> str:
    url = reverse("mentoring_sessions:pairing_detail", args=[pairing.pk])
    return f"{url}#{anchor}" if anchor else url


def _notify_other(*, pairing, user, kind: str, key: str, title, body: str = "", anchor: str = ""):
    """Tell the other person of the pairing; ``title`` gets their time zone name."""
    other = pairing_other_person(pairing=pairing, user=user)
    if other.user_id is None:
        return None
    return notification_send(
        recipient=other.user,
        kind=kind,
        key=f"{key}:{other.user_id}",
        title=title(other.time_zone),
        body=body,
        url=pairing_url(pairing, anchor),
    )


def _actor_name(user) -> str:
    person = getattr(user, "person", None)
    return person.full_name if person else (user.get_full_name() or user.email)


# --- Checks ------------------------------------------------------------------------------


def pairing_workable_check(*, pairing) -> None:
    if pairing.status not in Pairing.WORKABLE_STATUSES:
        raise ValidationError(
            f"This pairing is {pairing.get_status_display().lower()}: sessions and notes can no longer be added."
        )


def session_times_check(*, starts_at: datetime, duration_minutes: int | None, held: bool, now=None) -> None:
    """A duration of 1 minute to 8 hours; a held session in the past, a planned one in the future."""
    now = now or timezone.now()
    errors = {}
    if duration_minutes is None or duration_minutes <= 0:
        errors["duration_minutes"] = "A session must last at least one minute (it can't end before it starts)."
    elif duration_minutes > MAX_SESSION_MINUTES:
        errors["duration_minutes"] = "A session can last at most 8 hours."
    if held and starts_at > now:
        errors["starts_at"] = "A held session can't be in the future. Schedule it instead, and log it afterwards."
    if not held and starts_at <= now:
        errors["starts_at"] = "Pick a time in the future (to record a past meeting, log it as held)."
    if errors:
        raise ValidationError(errors)


def session_place_check(*, format: str, video_url: str, place: str) -> None:
    if format not in SessionFormat.values:
        raise ValidationError({"format": "Choose video call, in person or phone."})
    if format == SessionFormat.VIDEO and not video_url:
        raise ValidationError({"video_url": "Add the video call link."})
    if format == SessionFormat.IN_PERSON and not place:
        raise ValidationError({"place": "Say where you will meet."})


def session_details_check(*, pairing, topics: Iterable[str], goals: Iterable[Goal], action_items) -> None:
    """Topics from the list, goals of this pairing's mentee, action items owned by one of the two."""
    if set(topics) - set(Topic.values):
        raise ValidationError({"topics": "Choose topics from the list."})
    if any(goal.enrollment_id != pairing.mentee_id for goal in goals):
        raise ValidationError({"goals": "Only the mentee's own goals can be linked."})
    for item in action_items:
        action_item_check(pairing=pairing, title=item["title"], owner=item["owner"], due_date=item["due_date"])


def action_item_check(*, pairing, title: str, owner, due_date) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = "Say what needs doing."
    if owner is None or owner.pk not in (pairing.mentor.person_id, pairing.mentee.person_id):
        errors["owner"] = "The owner must be the mentor or the mentee of this pairing."
    if due_date is None:
        errors["due_date"] = "Give a due date."
    if errors:
        raise ValidationError(errors)


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
        kind="session_scheduled",
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
        kind="session_rescheduled",
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
        kind="session_cancelled",
        key=f"session-cancelled:{session.pk}",
        title=lambda zone: f"{name} cancelled the mentoring session of {when_text(starts_at, zone, now=now)}",
        body=session.cancel_reason,
    )
    return session


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
        kind="session_logged",
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


# --- Action items ------------------------------------------------------------------------


@transaction.atomic
def action_item_add(*, session: MentoringSession, user, title: str, owner, due_date: date, now=None) -> ActionItem:
    pairing = session.pairing
    pairing_role_of(pairing=pairing, user=user)
    pairing_workable_check(pairing=pairing)
    if session.status != Status.HELD:
        raise ValidationError("Action items are agreed in a held session: log the session first.")
    action_item_check(pairing=pairing, title=title, owner=owner, due_date=due_date)
    return ActionItem.objects.create(
        session=session,
        pairing=pairing,
        title=title.strip(),
        owner=owner,
        due_date=due_date,
        created_by=user,
        created_at=now or timezone.now(),
    )


def action_item_set_done(*, item: ActionItem, user, done: bool, now=None) -> bool:
    """Tick an action item off (or reopen it). Either person may. Returns True if it changed."""
    pairing_role_of(pairing=item.pairing, user=user)
    if done:
        changed = ActionItem.objects.filter(pk=item.pk, done_at__isnull=True).update(
            done_at=now or timezone.now(), done_by=user
        )
    else:
        changed = ActionItem.objects.filter(pk=item.pk, done_at__isnull=False).update(done_at=None, done_by=None)
    return changed == 1


# --- Resources ---------------------------------------------------------------------------


@transaction.atomic
def resource_recommend(
    *, pairing, user, title: str, url: str = "", kind: str, goal: Goal | None = None, note: str = ""
) -> Resource:
    """The mentor recommends something to learn from; the mentee is notified."""
    if pairing_role_of(pairing=pairing, user=user) != "mentor":
        raise PermissionDenied("Only the mentor recommends resources.")
    pairing_workable_check(pairing=pairing)
    if not title.strip():
        raise ValidationError({"title": "Give the resource a title."})
    if kind not in Resource.Kind.values:
        raise ValidationError({"kind": "Choose a kind from the list."})
    if goal is not None and goal.enrollment_id != pairing.mentee_id:
        raise ValidationError({"goal": "Only the mentee's own goals can be linked."})
    resource = Resource.objects.create(
        pairing=pairing, goal=goal, title=title.strip(), url=url, kind=kind, note=note.strip(), recommended_by=user
    )
    name = _actor_name(user)
    _notify_other(
        pairing=pairing,
        user=user,
        kind="resource_recommended",
        key=f"resource-recommended:{resource.pk}",
        title=lambda zone: f"{name} recommended a {resource.get_kind_display().lower()}: {resource.title}",
        body=resource.note,
        anchor="resources",
    )
    return resource


def resource_set_done(*, resource: Resource, user, done: bool, now=None) -> bool:
    """The mentee marks a recommended resource done (or not done after all)."""
    if pairing_role_of(pairing=resource.pairing, user=user) != "mentee":
        raise PermissionDenied("Only the mentee marks resources done.")
    if done:
        changed = Resource.objects.filter(pk=resource.pk, done_at__isnull=True).update(done_at=now or timezone.now())
    else:
        changed = Resource.objects.filter(pk=resource.pk, done_at__isnull=False).update(done_at=None)
    return changed == 1


# --- Calendar feeds ----------------------------------------------------------------------


def calendar_feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_regenerate(*, user, now=None) -> str:
    """Make (or replace) the user's secret feed address. Returns the token: it is shown
    once, only its hash is stored, and the previous address stops working at once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user,
        defaults={
            "token_hash": calendar_feed_token_hash(token),
            "created_at": now or timezone.now(),
            "last_used_at": None,
        },
    )
    return token


def calendar_feed_revoke(*, user) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return deleted > 0


def calendar_feed_mark_used(*, feed: CalendarFeed, now=None) -> None:
    """Remember when a calendar last fetched the feed (at most one write an hour)."""
    now = now or timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
