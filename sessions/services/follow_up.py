"""What follows a session: action items and recommended resources, and marking them done."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import Notification
from goals.models import Goal
from sessions.models import ActionItem, MentoringSession, Resource
from sessions.services.checks import Status, action_item_check, pairing_workable_check
from sessions.services.pairings import _actor_name, _notify_other, pairing_role_of

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
        kind=Notification.Kind.RESOURCE_RECOMMENDED,
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
