"""Reads for the goal pages: which mentees' goals a user may open, and what each page shows."""

from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When

from goals.models import Goal, GoalEvent
from matching.models import Pairing
from programs.models import Enrollment, GoalTemplate, Role


def goal_enrollments_visible_to(*, user) -> QuerySet[Enrollment]:
    """Mentee enrollments whose goals the user may read: their own, and those of the mentees
    they mentor in an accepted, active or completed pairing. HR gets counts elsewhere."""
    if not user.is_authenticated:
        return Enrollment.objects.none()
    mentors_it = Exists(
        Pairing.objects.filter(
            mentee_id=OuterRef("pk"), status__in=Pairing.CONFIRMED_STATUSES, mentor__person__user=user
        )
    )
    return (
        Enrollment.objects.filter(role=Role.MENTEE)
        .filter(Q(person__user=user) | mentors_it)
        .select_related("program", "person")
    )


def goals_visible_to(*, user) -> QuerySet[Goal]:
    return Goal.objects.visible_to(user).select_related("enrollment__program", "enrollment__person")


GOAL_STATUS_ORDER = [Goal.Status.IN_PROGRESS, Goal.Status.NOT_STARTED, Goal.Status.ACHIEVED, Goal.Status.DROPPED]


def goals_in_display_order(queryset: QuerySet[Goal]) -> QuerySet[Goal]:
    """Goals being worked on first, then not started, achieved, dropped; by target date within each."""
    rank = Case(*(When(status=status, then=Value(i)) for i, status in enumerate(GOAL_STATUS_ORDER)), default=Value(9))
    return queryset.order_by(rank, F("target_date").asc(nulls_last=True), "pk")


def goal_list_page(*, enrollment: Enrollment) -> dict:
    goals = list(
        Goal.objects.filter(enrollment=enrollment)
        .prefetch_related("milestones")
        .order_by("status", "target_date", "pk")
    )
    adopted = {goal.template_id for goal in goals if goal.template_id and goal.status != Goal.Status.DROPPED}
    templates = [t for t in GoalTemplate.objects.filter(program_id=enrollment.program_id) if t.pk not in adopted]
    return {"goals": goals, "templates": templates}


def goal_page(*, goal: Goal) -> Goal:
    """The goal with its milestones and its history (comments included), newest first."""
    return (
        Goal.objects.filter(pk=goal.pk)
        .select_related("enrollment__program", "enrollment__person", "template")
        .prefetch_related(
            "milestones",
            Prefetch(
                "events",
                queryset=GoalEvent.objects.select_related("actor", "comment").order_by("-created_at", "-pk"),
            ),
        )
        .get()
    )
