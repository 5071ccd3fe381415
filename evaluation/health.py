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
:func:`pairings_with_health` reads each pairing's facts in one query
(:func:`pairing_health_facts`), applies the rule to them (:func:`health_apply`), and
:func:`health_reasons` puts a pairing's signs into words.

HR's pages do not run the rule: they read each active pairing's stored health
(``evaluation.models.PairHealth``), which ``evaluation.services.pair_health_refresh`` keeps
up to date with this module (after each change that matters, every 15 minutes for the
pairs that time alone makes overdue, see :func:`health_due_at`, and in full nightly).

Why the facts come from SQL and the rule runs in Python: each fact is then computed once
per pairing, and none is a subquery over several tables correlated with the pairing. Such
a subquery is planned once and run per pairing; with missing or stale statistics (a new
program has none) PostgreSQL ran nested sequential scans over the survey answers inside
it, 33.9 s for 387 pairings. Here the latest ratings are ranked by a window function over
the scope's rated answers in one pass, the goal signs are semi-joins, and only the last
held session is looked up per pairing, on the index that answers it
(``session_pairing_status_idx``). The cost grows with the scope's rows, never with
pairings times answers, whatever the planner knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    BooleanField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    TextChoices,
    Window,
)
from django.db.models.functions import Coalesce, FirstValue, TruncDate
from django.utils import timezone

from goals.models import Goal, GoalEvent
from matching.models import Pairing
from programs.models import Program
from sessions import activity
from surveys.models import SurveyAnswer, SurveyQuestion

#: Goals are expected within this many days of a pairing's start.
GOAL_GRACE_DAYS = 28
#: A 1-5 rating at or below this is a warning sign.
LOW_RATING = 2
#: Twice the cadence without a session is a sign on its own (the rule of ``sessions.activity``).
LONG_OVERDUE_FACTOR = activity.LONG_OVERDUE_FACTOR


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


def _started() -> Coalesce:
    return Coalesce("started_at", "created_at", output_field=DateTimeField())


def _latest_low_responses(*, program: Program, role: str, day: date, people: list[int] | None) -> QuerySet:
    """The attributed responses (``response_id``) that are each person's latest with a 1-5
    rating by ``day``, when their lowest rating is ``LOW_RATING`` or lower.

    One window over the rated answers that the program's participants in ``role`` (or only
    ``people``) gave: per person, latest day first, then lowest rating (an unanswered rating
    last). Responses are dated by day. Scoped by the response's survey and the invitation's
    role, never by ``IN (the program's pairings or enrollments)``: with no statistics
    PostgreSQL takes such a set for a handful of rows and checks every answer against all of
    them (44 s at 4,000 pairings)."""
    latest_first = [F("response__submitted_on").desc(), F("number").asc(nulls_last=True), F("pk").asc()]
    per_person = {"partition_by": F("response__invitation__enrollment_id"), "order_by": latest_first}
    answers = SurveyAnswer.objects.filter(
        question__kind=SurveyQuestion.Kind.RATING,
        response__survey__program_id=program.pk,
        response__invitation__role=role,
        response__submitted_on__lte=day,
    )
    if people is not None:
        answers = answers.filter(response__invitation__enrollment_id__in=people)
    return (
        answers.annotate(
            first_answer=Window(FirstValue("pk"), **per_person), lowest=Window(FirstValue("number"), **per_person)
        )
        .filter(first_answer=F("pk"), lowest__lte=LOW_RATING)
        .values("response_id")
    )


def _low_rated(scope: QuerySet[Pairing], *, program: Program, side: str, day: date, people) -> QuerySet[Pairing]:
    """The pairings of ``scope`` whose mentor (``side="mentor"``) or mentee gave a low rating in
    their latest rated response, if they gave it since the pairing started."""
    response = f"{side}__survey_invitations__response"
    latest_low = _latest_low_responses(program=program, role=side, day=day, people=people)
    start_day = TruncDate(_started(), tzinfo=timezone.get_default_timezone())
    low = {f"{response}__in": latest_low, f"{response}__submitted_on__gte": start_day}
    return scope.order_by().filter(**low).values("pk")


def _goals_of_mentee(moment: datetime) -> QuerySet[Goal]:
    """The mentee's goals that existed at ``moment`` (dropped ones never count). Correlated
    with the pairing on ``programs_goal.enrollment_id``, whose index answers it per pairing."""
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


def _fact(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def pairing_health_facts(
    *, program: Program, moment: datetime, pairings: QuerySet | None = None, people: list[int] | None = None
) -> QuerySet[Pairing]:
    """The facts the rule reads, per pairing (default: the program's pairings active at
    ``moment``), quietest first. One query, set-based: see the module docstring. ``people``
    (the mentors' and mentees' enrollment ids, when ``pairings`` is a page of them) keeps the
    survey reads to those people instead of the whole program.

    Annotations: ``health_start`` (the start, else the creation), ``quiet_since`` (the last
    held session, else the start), ``mentor_low_rating`` and ``mentee_low_rating`` (the
    person's latest attributed rated response since the start holds a rating of
    ``LOW_RATING`` or lower), ``has_goal`` and ``goal_moved`` (the mentee's)."""
    scope = pairings if pairings is not None else pairings_active_at(program=program, moment=moment)
    day = timezone.localdate(moment, timezone.get_default_timezone())
    return scope.annotate(
        health_start=_started(),
        quiet_since=activity.quiet_since(moment),
        mentor_low_rating=_fact(Q(pk__in=_low_rated(scope, program=program, side="mentor", day=day, people=people))),
        mentee_low_rating=_fact(Q(pk__in=_low_rated(scope, program=program, side="mentee", day=day, people=people))),
        has_goal=Exists(_goals_of_mentee(moment)),
        goal_moved=_fact(_goal_moved_by(moment)),
    ).order_by("quiet_since", "pk")


#: ``health_level`` values: the number of "points" of warning, capped at 2.
HEALTH_LEVELS = {0: Health.HEALTHY, 1: Health.COOLING, 2: Health.AT_RISK}
LEVEL_OF = {health: level for level, health in HEALTH_LEVELS.items()}


@dataclass(frozen=True)
class Signs:
    """A pairing's warning signs and the level they add up to (0 healthy, 1 cooling, 2 at risk:
    see ``HEALTH_LEVELS``)."""

    overdue: bool
    long_overdue: bool
    low_rating: bool
    no_goals: bool
    no_progress: bool
    level: int


def health_signs(
    *,
    quiet_since: datetime,
    health_start: datetime,
    low_rating: bool,
    has_goal: bool,
    goal_moved: bool,
    moment: datetime,
    cadence_days: int,
) -> Signs:
    """The rule (module docstring), on one pairing's facts from :func:`pairing_health_facts`.

    The level adds up points: long overdue 2, overdue 1, a low rating 2, a goal sign 1; 2 or
    more is "at risk"."""
    quiet = activity.quiet_level(quiet_since=quiet_since, moment=moment, cadence_days=cadence_days)
    overdue, long_overdue = quiet >= activity.OVERDUE, quiet == activity.LONG_OVERDUE
    goals_due = health_start < moment - timedelta(days=GOAL_GRACE_DAYS)
    points = (2 if long_overdue else 1 if overdue else 0) + (2 if low_rating else 0)
    points += 1 if goals_due and not goal_moved else 0
    return Signs(
        overdue=overdue,
        long_overdue=long_overdue,
        low_rating=bool(low_rating),
        no_goals=goals_due and not has_goal,
        no_progress=goals_due and bool(has_goal) and not goal_moved,
        level=min(points, 2),
    )


def health_reason_codes(signs: Signs) -> list[str]:
    """The codes of the reasons :func:`health_reasons` gives, in its order (long overdue
    replaces overdue). What ``PairHealth.reasons`` stores."""
    codes = ["long_overdue"] if signs.long_overdue else ["overdue"] if signs.overdue else []
    others = (("low_rating", signs.low_rating), ("no_goals", signs.no_goals), ("no_progress", signs.no_progress))
    return codes + [code for code, shown in others if shown]


def health_due_at(
    *,
    quiet_since: datetime,
    health_start: datetime,
    has_goal: bool,
    goal_moved: bool,
    cadence_days: int,
    signs: Signs,
) -> datetime | None:
    """When :func:`health_signs`, given the same facts, would next answer differently than
    ``signs`` (computed at some moment): the pair becomes overdue, long overdue, or reaches the
    goal grace period without a moved goal. None if time alone changes nothing any more. A sign
    turns on just after its threshold, so the answer holds until this moment included."""
    thresholds = []
    if not signs.overdue:
        thresholds.append(quiet_since + activity.overdue_after(cadence_days))
    if not signs.long_overdue:
        thresholds.append(quiet_since + activity.long_overdue_after(cadence_days))
    goals_due_from = health_start + timedelta(days=GOAL_GRACE_DAYS)
    # The end of the grace period matters unless a goal has moved; once over, a goal sign shows.
    if (not has_goal or not goal_moved) and not (signs.no_goals or signs.no_progress):
        thresholds.append(goals_due_from)
    return min(thresholds, default=None)


#: The facts :func:`health_signs` reads, as :func:`pairing_health_facts` names them.
FACTS = ("quiet_since", "health_start", "mentor_low_rating", "mentee_low_rating", "has_goal", "goal_moved")


def health_apply(pairing: Pairing, *, moment: datetime, cadence_days: int) -> Pairing:
    """Set ``health_level``, ``health`` and the signs ``sign_overdue``, ``sign_long_overdue``,
    ``sign_low_rating``, ``sign_no_goals`` and ``sign_no_progress`` (for
    :func:`health_reasons`) on a pairing annotated by :func:`pairing_health_facts`."""
    signs = health_signs(
        quiet_since=pairing.quiet_since,
        health_start=pairing.health_start,
        low_rating=pairing.mentor_low_rating or pairing.mentee_low_rating,
        has_goal=pairing.has_goal,
        goal_moved=pairing.goal_moved,
        moment=moment,
        cadence_days=cadence_days,
    )
    pairing.sign_overdue, pairing.sign_long_overdue = signs.overdue, signs.long_overdue
    pairing.sign_low_rating, pairing.sign_no_goals, pairing.sign_no_progress = (
        signs.low_rating,
        signs.no_goals,
        signs.no_progress,
    )
    pairing.health_level = signs.level
    pairing.health = HEALTH_LEVELS[signs.level]
    return pairing


def pairing_health_levels(
    *, program: Program, moment: datetime, pairings: QuerySet | None = None
) -> list[tuple[int, tuple[int, int], datetime, int]]:
    """``(pk, (mentor_id, mentee_id), quiet_since, health_level)`` of each pairing (as
    :func:`pairings_with_health`), quietest first, without a model instance per pairing. One
    query."""
    facts = pairing_health_facts(program=program, moment=moment, pairings=pairings)
    rows = facts.values_list("pk", "mentor_id", "mentee_id", *FACTS)
    return [
        (
            pk,
            (mentor_id, mentee_id),
            quiet,
            health_signs(
                quiet_since=quiet,
                health_start=start,
                low_rating=mentor_low or mentee_low,
                has_goal=has_goal,
                goal_moved=goal_moved,
                moment=moment,
                cadence_days=program.cadence_days,
            ).level,
        )
        for pk, mentor_id, mentee_id, quiet, start, mentor_low, mentee_low, has_goal, goal_moved in rows
    ]


def pairings_with_health(
    *,
    program: Program,
    as_of: date | None = None,
    now: datetime | None = None,
    pairings: QuerySet | None = None,
    people: list[int] | None = None,
) -> list[Pairing]:
    """The program's pairings active at ``as_of`` (default: now; or the given ``pairings``, of
    the given ``people``), quietest first, each with its health (:func:`health_apply`) and facts
    (:func:`pairing_health_facts`). One query, whatever the number of pairings."""
    moment = as_of_moment(as_of, now)
    facts = pairing_health_facts(program=program, moment=moment, pairings=pairings, people=people)
    return [health_apply(pairing, moment=moment, cadence_days=program.cadence_days) for pairing in facts]


@dataclass
class Reason:
    code: str
    text: str


def health_reasons(*, pairing: Pairing, program: Program, moment: datetime | None = None) -> list[Reason]:
    """The warning signs of a pairing from :func:`pairings_with_health`, in words."""
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
            for label, low in (("the mentor", pairing.mentor_low_rating), ("the mentee", pairing.mentee_low_rating))
            if low
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
