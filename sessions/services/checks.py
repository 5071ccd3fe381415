"""The rules a session, its place, details and action items must follow.

Each ``*_check`` raises ``ValidationError``; the forms call them too, so each rule lives in one place.
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.utils import timezone

from goals.models import Goal
from matching.models import Pairing
from people.models import Person
from sessions.models import MAX_SESSION_MINUTES, MentoringSession, SessionFormat, Topic

Status = MentoringSession.Status


class ActionItemInput(TypedDict):
    title: str
    owner: Person
    due_date: date


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
