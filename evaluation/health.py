"""Pair health: is an active pairing healthy, cooling, or at risk, and why.

The rule, as the dashboard explains it ("why is this pair at risk?"):

Warning signs
  * **Overdue** -- no held session for longer than the program's cadence
    (``Program.cadence_days``); a pairing with no session yet counts from its start.
  * **Long overdue** -- no held session for longer than twice the cadence.
  * **Low rating** -- in the latest survey response with a 1-5 rating that the mentor
    or the mentee gave since the pairing started, a rating was 2 or lower. Only
    attributed answers count: an anonymous survey cannot be traced to a pair.
  * **No goals** -- four weeks after the start, the mentee has no goal (dropped
    goals do not count).
  * **No goal progress** -- four weeks after the start, none of the mentee's goals
    has moved (no progress, milestone done, or status change).

Status
  * **At risk**: long overdue, or a low rating, or overdue *and* a goal sign.
  * **Cooling**: one sign short of that (overdue, or a goal sign).
  * **Healthy**: no warning sign.

Everything is evaluated "as of" a day, from timestamps (the end of that day, or now
for today), so the nightly job, its backfill and the dashboard share this one rule:
:func:`pairings_with_health` annotates a queryset (set-based: one query however many
pairings) and :func:`health_reasons` puts an annotated pairing's signs into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone

from matching.models import Pairing
from programs.models import Goal, GoalEvent, Program
from sessions.models import MentoringSession
from surveys.models import SurveyAnswer, SurveyQuestion

#: Goals are expected within this many days of a pairing's start.
GOAL_GRACE_DAYS = 28
#: A 1-5 rating at or below this is a warning sign.
LOW_RATING = 2
#: Twice the cadence without a session is a sign on its own.
LONG_OVERDUE_FACTOR = 2


class Health(TextChoices):
    HEALTHY = "healthy", "Healthy"
    COOLING = "cooling", "Cooling"
    AT_RISK = "at_risk", "At risk"


RULE_SUMMARY = [
    "Overdue: no held session for longer than the program's meeting cadence (a pair with no session yet counts "
    "from its start).",
    f"Long overdue: no held session for longer than {LONG_OVERDUE_FACTOR}× the cadence.",
    f"Low rating: the mentor's or the mentee's latest attributed survey rating (1-5) since the pair started "
    f"includes a {LOW_RATING} or lower. Anonymous surveys are never traced to a pair.",
    f"No goals: {GOAL_GRACE_DAYS // 7} weeks after the start, the mentee has no goal.",
    f"No goal progress: {GOAL_GRACE_DAYS // 7} weeks after the start, none of the mentee's goals has moved.",
    "At risk = long overdue, or a low rating, or overdue together with a goal sign. Cooling = overdue, or a goal "
    "sign. Healthy = no sign.",
]


def day_end(day: date) -> datetime:
    """The first moment after ``day`` in the site's time zone (snapshots are per site day)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), timezone.get_default_timezone())


def as_of_moment(as_of: date | None, now: datetime | None = None) -> datetime:
    """The moment figures "as of" a day describe: the end of that day, but never later than now."""
    now = now or timezone.now()
    if as_of is None:
        return now
    return min(now, day_end(as_of))


def active_at_q(moment: datetime) -> Q:
    """Pairings active at ``moment``: started by then and not yet completed or ended
    (the history comes from ``started_at`` and ``ended_at``)."""
    return (
        Q(status=Pairing.Status.ACTIVE)
        | Q(status__in=[Pairing.Status.COMPLETED, Pairing.Status.ENDED], ended_at__gt=moment, started_at__isnull=False)
    ) & (Q(started_at__lte=moment) | Q(started_at__isnull=True, created_at__lte=moment))


def pairings_active_at(*, program: Program, moment: datetime) -> QuerySet[Pairing]:
    return Pairing.objects.filter(active_at_q(moment), program=program)


def last_held_session_before(moment: datetime) -> Subquery:
    return Subquery(
        MentoringSession.objects.filter(
            pairing_id=OuterRef("pk"), status=MentoringSession.Status.HELD, starts_at__lte=moment
        )
        .order_by("-starts_at")
        .values("starts_at")[:1],
        output_field=DateTimeField(),
    )


def quiet_since(moment: datetime) -> Coalesce:
    """Since when a pairing has had no held session (as of ``moment``): its last one, else its start."""
    return Coalesce(last_held_session_before(moment), "started_at", "created_at", output_field=DateTimeField())


def _lowest_latest_rating(enrollment_field: str, moment: datetime) -> Subquery:
    """The lowest 1-5 rating in the person's latest attributed response in this program
    since the pairing started (responses are dated by day)."""
    return Subquery(
        SurveyAnswer.objects.filter(
            question__kind=SurveyQuestion.Kind.RATING,
            response__invitation__enrollment_id=OuterRef(enrollment_field),
            response__submitted_on__gte=OuterRef("health_start_day"),
            response__submitted_on__lte=timezone.localdate(moment, timezone.get_default_timezone()),
        )
        .order_by("-response__submitted_on", "number")
        .values("number")[:1],
        output_field=IntegerField(),
    )


def _goals_of_mentee(moment: datetime):
    """The mentee's goals that existed at ``moment`` (dropped ones never count)."""
    return Goal.objects.filter(enrollment_id=OuterRef("mentee_id"), created_at__lte=moment).exclude(
        status=Goal.Status.DROPPED
    )


def _goal_moved_by(moment: datetime) -> Q:
    """One of the mentee's goals moved by ``moment``: an event says so, or the goal's current
    state shows progress and it has not changed since."""
    moved_event = GoalEvent.objects.filter(
        Q(kind__in=[GoalEvent.Kind.PROGRESS, GoalEvent.Kind.MILESTONE_DONE])
        | Q(kind=GoalEvent.Kind.STATUS, to_value__in=[Goal.Status.IN_PROGRESS, Goal.Status.ACHIEVED]),
        goal__enrollment_id=OuterRef("mentee_id"),
        goal__created_at__lte=moment,
        created_at__lte=moment,
    ).exclude(goal__status=Goal.Status.DROPPED)
    moved_state = _goals_of_mentee(moment).filter(
        Q(progress__gt=0) | Q(status__in=[Goal.Status.IN_PROGRESS, Goal.Status.ACHIEVED]), updated_at__lte=moment
    )
    return Q(Exists(moved_event)) | Q(Exists(moved_state))


#: ``health_level`` values: the number of "points" of warning, capped at 2.
HEALTH_LEVELS = {0: Health.HEALTHY, 1: Health.COOLING, 2: Health.AT_RISK}
LEVEL_OF = {health: level for level, health in HEALTH_LEVELS.items()}


def pairings_with_health(
    *, program: Program, as_of: date | None = None, now: datetime | None = None, pairings: QuerySet | None = None
) -> QuerySet[Pairing]:
    """The program's pairings active at ``as_of`` (default: now), annotated with their health.

    Annotations: ``health_level`` (0 healthy, 1 cooling, 2 at risk: see ``HEALTH_LEVELS``),
    ``quiet_since`` (last held session, else the start), ``mentor_rating`` and
    ``mentee_rating`` (lowest rating in each one's latest rated response, or None), and the
    signs ``sign_overdue``, ``sign_long_overdue``, ``sign_low_rating``, ``sign_no_goals`` and
    ``sign_no_progress`` for :func:`health_reasons`. The rule is in the module docstring.

    One query, whatever the number of pairings. The level adds up points (long overdue 2,
    overdue 1, a low rating 2, a goal sign 1; 2 or more is "at risk") so that each
    correlated subquery appears once in it: counting or filtering by ``health_level`` costs
    one evaluation of each per pairing.
    """
    moment = as_of_moment(as_of, now)
    cadence = timedelta(days=program.cadence_days)
    queryset = pairings if pairings is not None else pairings_active_at(program=program, moment=moment)
    started = Coalesce("started_at", "created_at", output_field=DateTimeField())
    overdue = Q(quiet_since__lt=moment - cadence)
    long_overdue = Q(quiet_since__lt=moment - LONG_OVERDUE_FACTOR * cadence)
    mentor_low, mentee_low = Q(mentor_rating__lte=LOW_RATING), Q(mentee_rating__lte=LOW_RATING)
    goals_due = Q(health_start__lt=moment - timedelta(days=GOAL_GRACE_DAYS))
    return (
        queryset.alias(
            health_start_day=TruncDate(started, tzinfo=timezone.get_default_timezone()),
        )
        .annotate(
            health_start=started,
            quiet_since=quiet_since(moment),
            mentor_rating=_lowest_latest_rating("mentor_id", moment),
            mentee_rating=_lowest_latest_rating("mentee_id", moment),
        )
        .alias(
            has_goal=Exists(_goals_of_mentee(moment)),
            goal_moved=ExpressionWrapper(_goal_moved_by(moment), output_field=BooleanField()),
        )
        .annotate(
            health_level=Least(
                # Most pairs meet on time: one evaluation of the session subquery for them.
                Case(When(~overdue, then=Value(0)), When(~long_overdue, then=Value(1)), default=Value(2))
                + _points(mentor_low, 2)
                + _points(mentee_low, 2)
                + _points(goals_due & ~Q(goal_moved=True), 1),
                Value(2),
                output_field=IntegerField(),
            ),
            sign_overdue=_flag(overdue),
            sign_long_overdue=_flag(long_overdue),
            sign_low_rating=_flag(mentor_low | mentee_low),
            sign_no_goals=_flag(goals_due & ~Q(has_goal=True)),
            sign_no_progress=_flag(goals_due & Q(has_goal=True) & ~Q(goal_moved=True)),
        )
    )


def _points(condition: Q, points: int) -> Case:
    return Case(When(condition, then=Value(points)), default=Value(0), output_field=IntegerField())


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


@dataclass
class Reason:
    code: str
    text: str


def health_reasons(*, pairing: Pairing, program: Program, moment: datetime | None = None) -> list[Reason]:
    """The warning signs of a pairing annotated by :func:`pairings_with_health`, in words."""
    moment = moment or timezone.now()
    reasons: list[Reason] = []
    days = max((moment - pairing.quiet_since).days, 0) if pairing.quiet_since else None
    since = "since its last session" if _had_session(pairing) else "since it started, and no session yet"
    if pairing.sign_long_overdue:
        reasons.append(
            Reason(
                "long_overdue",
                f"{days} days {since}: more than {LONG_OVERDUE_FACTOR}× the program's "
                f"{program.cadence_days}-day cadence.",
            )
        )
    elif pairing.sign_overdue:
        reasons.append(Reason("overdue", f"{days} days {since}: longer than the {program.cadence_days}-day cadence."))
    if pairing.sign_low_rating:
        who = [
            label
            for label, rating in (("the mentor", pairing.mentor_rating), ("the mentee", pairing.mentee_rating))
            if rating is not None and rating <= LOW_RATING
        ]
        reasons.append(
            Reason(
                "low_rating",
                f"A survey rating of {LOW_RATING} or lower from {' and '.join(who)} in their latest answers.",
            )
        )
    if pairing.sign_no_goals:
        reasons.append(Reason("no_goals", f"No goal set {GOAL_GRACE_DAYS // 7} weeks after the start."))
    if pairing.sign_no_progress:
        reasons.append(Reason("no_progress", f"No progress on any goal {GOAL_GRACE_DAYS // 7} weeks after the start."))
    return reasons


def _had_session(pairing: Pairing) -> bool:
    return bool(pairing.quiet_since and pairing.quiet_since != pairing.health_start)
