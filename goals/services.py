"""Mentee goals: set one (from a program's template or their own), milestones, progress,
status, and comments by the mentee and their mentor.

Every change writes a ``GoalEvent`` so both see the goal's history. Only the mentee changes
their goals; the mentor of a pairing that is still going can comment. A goal belongs to the
mentee's enrollment, so a rematch keeps it and the new mentor sees it.
"""

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from core.notifications import notification_send
from goals import signals
from goals.models import Goal, GoalComment, GoalEvent, Milestone
from matching.models import Pairing
from programs.models import Enrollment, GoalTemplate, Program, Role

Kind = GoalEvent.Kind
MAX_MILESTONES = 20


# --- Checks ------------------------------------------------------------------------------


def goal_target_date_check(*, program: Program, target_date: date | None) -> None:
    if target_date is not None and target_date < program.start_date:
        raise ValidationError(
            {"target_date": f"The target date can't be before the program starts ({program.start_date:%-d %B %Y})."}
        )


def goal_enrollment_check(*, enrollment: Enrollment, user) -> None:
    """Goals are set by an approved mentee, for themselves."""
    if enrollment.person.user_id != user.pk:
        raise PermissionDenied("Only the mentee sets their goals.")
    if enrollment.role != Role.MENTEE or enrollment.status != Enrollment.Status.APPROVED:
        raise ValidationError("Goals can be set once you take part in the program as a mentee.")


def _owner_check(goal: Goal, user) -> None:
    if goal.enrollment.person.user_id != user.pk:
        raise PermissionDenied("Only the mentee changes their goals.")


def _milestone_titles(titles: Sequence[str]) -> list[str]:
    cleaned = [title.strip()[:200] for title in titles if title and title.strip()]
    if len(cleaned) > MAX_MILESTONES:
        raise ValidationError({"milestones": f"A goal can have at most {MAX_MILESTONES} milestones."})
    return cleaned


# --- Goals -------------------------------------------------------------------------------


def _event(goal, user, kind, *, from_value="", to_value="", milestone=None, comment=None, now=None) -> GoalEvent:
    return GoalEvent.objects.create(
        goal=goal,
        actor=user,
        kind=kind,
        from_value=str(from_value)[:200],
        to_value=str(to_value)[:200],
        milestone=milestone,
        comment=comment,
        created_at=now or timezone.now(),
    )


def _goal_changed_on_commit(goal: Goal) -> None:
    """Tell the apps above (pair health) that the goal moved, once the change commits."""
    goal_id, enrollment_id = goal.pk, goal.enrollment_id
    transaction.on_commit(
        lambda: signals.goal_changed.send_robust(sender=Goal, goal_id=goal_id, enrollment_id=enrollment_id)
    )


@transaction.atomic
def goal_create(
    *,
    enrollment: Enrollment,
    user,
    title: str,
    description: str = "",
    success_measure: str = "",
    target_date: date | None = None,
    milestones: Sequence[str] = (),
    progress_from_milestones: bool | None = None,
    template: GoalTemplate | None = None,
    now=None,
) -> Goal:
    """The mentee's own goal. With milestones, progress follows them unless told otherwise."""
    goal_enrollment_check(enrollment=enrollment, user=user)
    if not title.strip():
        raise ValidationError({"title": "Give the goal a title."})
    goal_target_date_check(program=enrollment.program, target_date=target_date)
    titles = _milestone_titles(milestones)
    now = now or timezone.now()
    goal = Goal.objects.create(
        enrollment=enrollment,
        template=template,
        title=title.strip(),
        description=description.strip(),
        success_measure=success_measure.strip(),
        target_date=target_date,
        progress_from_milestones=bool(titles) if progress_from_milestones is None else progress_from_milestones,
        created_by=user,
        created_at=now,
    )
    Milestone.objects.bulk_create(
        [Milestone(goal=goal, title=milestone_title, order=index) for index, milestone_title in enumerate(titles)]
    )
    _event(goal, user, Kind.CREATED, to_value=template.title if template else "", now=now)
    _goal_changed_on_commit(goal)
    return goal


def goal_adopt(*, enrollment: Enrollment, user, template: GoalTemplate, target_date: date | None = None, now=None):
    """Adopt one of the program's suggested goals: its title, description and milestones are copied."""
    if template.program_id != enrollment.program_id:
        raise ValidationError("This suggestion belongs to another program.")
    if Goal.objects.filter(enrollment=enrollment, template=template).exclude(status=Goal.Status.DROPPED).exists():
        raise ValidationError("You already have this goal.")
    return goal_create(
        enrollment=enrollment,
        user=user,
        title=template.title,
        description=template.description,
        target_date=target_date,
        milestones=[str(m) for m in template.suggested_milestones or [] if isinstance(m, str | int | float)],
        template=template,
        now=now,
    )


EDITABLE_FIELDS = {
    "title": "title",
    "description": "why it matters",
    "success_measure": "measure of success",
    "target_date": "target date",
}


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    user,
    title: str,
    description: str,
    success_measure: str,
    target_date: date | None,
    progress_from_milestones: bool,
    now=None,
) -> Goal:
    _owner_check(goal, user)
    if not title.strip():
        raise ValidationError({"title": "Give the goal a title."})
    goal_target_date_check(program=goal.enrollment.program, target_date=target_date)
    new = {
        "title": title.strip(),
        "description": description.strip(),
        "success_measure": success_measure.strip(),
        "target_date": target_date,
    }
    changed = [label for name, label in EDITABLE_FIELDS.items() if getattr(goal, name) != new[name]]
    for name, value in new.items():
        setattr(goal, name, value)
    mode_changed = goal.progress_from_milestones != progress_from_milestones
    goal.progress_from_milestones = progress_from_milestones
    if mode_changed:
        changed.append("progress follows milestones" if progress_from_milestones else "progress set by hand")
    goal.save()
    if changed:
        _event(goal, user, Kind.EDITED, to_value=", ".join(changed), now=now)
    if mode_changed and progress_from_milestones:
        _progress_recompute(goal, user, now=now)
        _goal_changed_on_commit(goal)
    return goal


def _set_progress(goal: Goal, user, progress: int, *, now=None) -> None:
    if progress == goal.progress:
        return
    _event(goal, user, Kind.PROGRESS, from_value=goal.progress, to_value=progress, now=now)
    goal.progress = progress
    goal.save(update_fields=["progress", "updated_at"])
    # Work has started: a goal not started yet is now in progress.
    if progress > 0 and goal.status == Goal.Status.NOT_STARTED:
        _set_status(goal, user, Goal.Status.IN_PROGRESS, now=now)


def _set_status(goal: Goal, user, status: str, *, now=None) -> None:
    if status == goal.status:
        return
    _event(goal, user, Kind.STATUS, from_value=goal.status, to_value=status, now=now)
    goal.status = status
    goal.save(update_fields=["status", "updated_at"])


def _progress_recompute(goal: Goal, user, *, now=None) -> None:
    """Progress as the share of milestones done (for goals whose progress follows them)."""
    if not goal.progress_from_milestones:
        return
    milestones = list(goal.milestones.values_list("done_at", flat=True))
    done = sum(1 for done_at in milestones if done_at is not None)
    _set_progress(goal, user, round(100 * done / len(milestones)) if milestones else 0, now=now)


@transaction.atomic
def goal_progress_update(*, goal: Goal, user, progress: int | None = None, status: str | None = None, now=None) -> Goal:
    """Set progress (0-100, unless it follows the milestones) and/or status."""
    _owner_check(goal, user)
    if status is not None and status not in Goal.Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if progress is not None:
        if not 0 <= progress <= 100:
            raise ValidationError({"progress": "Progress is a percentage from 0 to 100."})
        if goal.progress_from_milestones and progress != goal.progress:
            raise ValidationError({"progress": "Progress follows the milestones: tick milestones off instead."})
    goal = Goal.objects.select_for_update().select_related("enrollment__person").get(pk=goal.pk)
    if progress is not None:
        _set_progress(goal, user, progress, now=now)
    if status is not None:
        _set_status(goal, user, status, now=now)
    _goal_changed_on_commit(goal)
    return goal


# --- Milestones --------------------------------------------------------------------------


@transaction.atomic
def milestone_add(*, goal: Goal, user, title: str, due_date: date | None = None, now=None) -> Milestone:
    _owner_check(goal, user)
    if not title.strip():
        raise ValidationError({"title": "Say what the milestone is."})
    if due_date is not None and due_date < goal.enrollment.program.start_date:
        raise ValidationError({"due_date": "A milestone can't be due before the program starts."})
    if goal.milestones.count() >= MAX_MILESTONES:
        raise ValidationError(f"A goal can have at most {MAX_MILESTONES} milestones.")
    order = (goal.milestones.aggregate(m=Max("order"))["m"] or 0) + 1
    milestone = Milestone.objects.create(goal=goal, title=title.strip()[:200], due_date=due_date, order=order)
    _event(goal, user, Kind.MILESTONE_ADDED, to_value=milestone.title, milestone=milestone, now=now)
    _progress_recompute(goal, user, now=now)
    _goal_changed_on_commit(goal)
    return milestone


@transaction.atomic
def milestone_set_done(*, milestone: Milestone, user, done: bool, now=None) -> bool:
    """Tick a milestone off (or reopen it). A conditional UPDATE: a double click records
    one event. Returns True if it changed."""
    goal = milestone.goal
    _owner_check(goal, user)
    now = now or timezone.now()
    if done:
        changed = Milestone.objects.filter(pk=milestone.pk, done_at__isnull=True).update(done_at=now, done_by=user)
    else:
        changed = Milestone.objects.filter(pk=milestone.pk, done_at__isnull=False).update(done_at=None, done_by=None)
    if changed != 1:
        return False
    kind = Kind.MILESTONE_DONE if done else Kind.MILESTONE_REOPENED
    _event(goal, user, kind, to_value=milestone.title, milestone=milestone, now=now)
    _progress_recompute(goal, user, now=now)
    _goal_changed_on_commit(goal)
    return True


# --- Comments ----------------------------------------------------------------------------


def _current_mentor_users(goal: Goal):
    return [
        pairing.mentor.person.user
        for pairing in Pairing.objects.filter(
            mentee_id=goal.enrollment_id, status__in=Pairing.WORKABLE_STATUSES
        ).select_related("mentor__person__user")
        if pairing.mentor.person.user is not None
    ]


@transaction.atomic
def goal_comment_add(*, goal: Goal, user, body: str, now=None) -> GoalComment:
    """A comment by the mentee or their current mentor; the other one is notified."""
    if not Goal.objects.commentable_by(user).filter(pk=goal.pk).exists():
        raise PermissionDenied("Only the mentee and their current mentor comment on a goal.")
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a comment first."})
    now = now or timezone.now()
    comment = GoalComment.objects.create(goal=goal, author=user, body=body, created_at=now)
    _event(goal, user, Kind.COMMENT, comment=comment, now=now)
    mentee_user = goal.enrollment.person.user
    recipients = _current_mentor_users(goal) if mentee_user and mentee_user.pk == user.pk else [mentee_user]
    author = user.get_full_name() or user.email
    for recipient in recipients:
        if recipient is None or recipient.pk == user.pk:
            continue
        notification_send(
            recipient=recipient,
            kind=Notification.Kind.GOAL_COMMENT,
            key=f"goal-comment:{comment.pk}:{recipient.pk}",
            title=f"{author} commented on the goal “{goal.title}”",
            body=body[:500],
            url=reverse("goals:goal_detail", args=[goal.pk]) + f"#comment-{comment.pk}",
        )
    return comment
