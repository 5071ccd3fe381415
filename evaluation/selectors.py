"""Reads for the success dashboards: a program's metrics "as of" a day (what the nightly
job stores), its snapshots and trends, pair health (HR's pages read the stored rows of
``PairHealth``: a page of them, never every pairing), goal completion, outcomes against
comparable colleagues, and the diversity view.

Every read is a fixed number of queries whatever the number of participants, pairings or
sessions: counts are SQL aggregates and annotations, never a loop over pairings.

Privacy: program owners get counts and percentages only; names appear only in HR's
at-risk list. Every threshold comes from ``people.privacy``; diversity data is read
only by ``evaluation.diversity`` (HR admins), through that module's rules.
"""

from __future__ import annotations

import calendar
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.models import Notification
from evaluation.health import (
    HEALTH_LEVELS,
    LEVEL_OF,
    Health,
    as_of_moment,
    health_reasons,
    pairing_health_levels,
)
from evaluation.models import PairHealth, ProgramHealthState, ProgramSnapshot
from goals.models import Goal, GoalEvent
from matching.models import Pairing
from people import privacy
from people.models import Person
from programs.models import Enrollment, Objective, Program, Role, TrainingCompletion, TrainingModule
from sessions.models import ActionItem, MentoringSession
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyQuestion
from surveys.selectors import NUMBER_STATS

APPROVED = Enrollment.Status.APPROVED
PairingStatus = Pairing.Status
SESSION_WINDOW_DAYS = 30
#: The trend charts offer these windows (months); anything else falls back to the default.
TREND_MONTHS = (3, 6, 12, 24)
DEFAULT_TREND_MONTHS = 6
#: "Change since last month" compares with the latest snapshot at least this many days older.
COMPARE_DAYS = 30
AT_RISK_PREVIEW = 10
#: Seniority bands for comparing like with like in the outcomes.
SENIORITY_BANDS = ((1, 3), (4, 6), (7, 10))


# --- The metrics of one program as of a day (stored by the nightly job) -------------------


def _approved_enrollments(program: Program, moment: datetime) -> QuerySet[Enrollment]:
    """Enrollments approved by ``moment`` (and not withdrawn or declined since)."""
    return Enrollment.objects.filter(program=program, status=APPROVED).filter(
        Q(decided_at__lte=moment) | Q(decided_at__isnull=True, created_at__lte=moment)
    )


def matched_q(moment: datetime, prefix: str = "") -> Q:
    """A pairing that had both people's yes (or had started) by ``moment``."""
    return Q(
        Q(**{f"{prefix}started_at__lte": moment})
        | Q(**{f"{prefix}mentor_confirmed_at__lte": moment, f"{prefix}mentee_confirmed_at__lte": moment}),
        **{
            f"{prefix}status__in": [
                PairingStatus.ACCEPTED,
                PairingStatus.ACTIVE,
                PairingStatus.COMPLETED,
                PairingStatus.ENDED,
            ]
        },
    )


def _started_q(moment: datetime) -> Q:
    return Q(
        status__in=[PairingStatus.ACTIVE, PairingStatus.COMPLETED, PairingStatus.ENDED],
        started_at__lte=moment,
    )


def program_snapshot_compute(
    *, program: Program, as_of: date, now: datetime | None = None, health: list[tuple[int, datetime]] | None = None
) -> ProgramSnapshot:
    """The program's metrics as of the end of ``as_of`` (or now, for today), unsaved.

    History comes from timestamps (approval, pairing start and end, session dates, goal
    events, completion dates, survey dates), so past days can be computed after the fact.
    Two figures use today's state for past days because nothing older is kept: whether a
    survey invitation was answered, and withdrawals after approval. About a dozen queries,
    whatever the size of the program. ``health``: each active pairing's ``(health level,
    quiet since)`` at that moment when the caller has just computed them (the nightly job's
    refresh of the stored health); else the rule runs here.
    """
    now = now or timezone.now()
    moment = as_of_moment(as_of, now)
    snapshot = ProgramSnapshot(program=program, date=as_of, computed_at=now)
    approved = _approved_enrollments(program, moment)
    _enrollment_figures(snapshot, approved, moment)
    _pairing_figures(snapshot, program, moment, health)
    _goal_figures(snapshot, program, approved, moment)
    _training_figures(snapshot, program, approved, moment)
    _survey_figures(snapshot, program, as_of, moment)
    return snapshot


def _enrollment_figures(snapshot: ProgramSnapshot, approved: QuerySet[Enrollment], moment: datetime) -> None:
    as_mentee = Pairing.objects.filter(mentee_id=OuterRef("pk"))
    mentee = Q(role=Role.MENTEE)
    figures = approved.aggregate(
        mentors=Count("pk", filter=Q(role=Role.MENTOR)),
        mentees=Count("pk", filter=mentee),
        matched=Count("pk", filter=mentee & Q(Exists(as_mentee.filter(matched_q(moment))))),
        started=Count("pk", filter=mentee & Q(Exists(as_mentee.filter(_started_q(moment))))),
        completed=Count(
            "pk",
            filter=mentee & Q(Exists(as_mentee.filter(status=PairingStatus.COMPLETED, ended_at__lte=moment))),
        ),
    )
    snapshot.mentors_enrolled = figures["mentors"]
    snapshot.mentees_enrolled = figures["mentees"]
    snapshot.mentees_matched = figures["matched"]
    snapshot.mentees_started = figures["started"]
    snapshot.mentees_completed = figures["completed"]


def _pairing_figures(
    snapshot: ProgramSnapshot, program: Program, moment: datetime, health: list[tuple[int, datetime]] | None
) -> None:
    finished = Pairing.objects.filter(program=program, ended_at__lte=moment).aggregate(
        completed=Count("pk", filter=Q(status=PairingStatus.COMPLETED)),
        ended=Count("pk", filter=Q(status=PairingStatus.ENDED)),
    )
    snapshot.pairings_completed = finished["completed"]
    snapshot.pairings_ended = finished["ended"]

    if health is None:
        health = [(level, quiet) for _, _, quiet, level in pairing_health_levels(program=program, moment=moment)]
    counts = Counter(HEALTH_LEVELS[level] for level, _ in health)
    snapshot.pairings_healthy = counts[Health.HEALTHY]
    snapshot.pairings_cooling = counts[Health.COOLING]
    snapshot.pairings_at_risk = counts[Health.AT_RISK]
    snapshot.pairings_active = len(health)
    if health:
        days_quiet = [max((moment - quiet).total_seconds(), 0) / 86400 for _, quiet in health]
        snapshot.days_since_session_avg = round(sum(days_quiet) / len(days_quiet), 1)
        snapshot.days_since_session_median = round(statistics.median(days_quiet), 1)
    snapshot.sessions_held_30_days = MentoringSession.objects.filter(
        pairing__program=program,
        status=MentoringSession.Status.HELD,
        starts_at__gt=moment - timedelta(days=SESSION_WINDOW_DAYS),
        starts_at__lte=moment,
    ).count()
    items = ActionItem.objects.filter(pairing__program=program, created_at__lte=moment).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(done_at__lte=moment))
    )
    snapshot.action_items_total = items["total"]
    snapshot.action_items_done = items["done"]


def _goal_figures(snapshot: ProgramSnapshot, program: Program, approved: QuerySet, moment: datetime) -> None:
    achieved_event = GoalEvent.objects.filter(
        goal_id=OuterRef("pk"), kind=GoalEvent.Kind.STATUS, to_value=Goal.Status.ACHIEVED, created_at__lte=moment
    )
    figures = (
        Goal.objects.filter(enrollment__in=approved.values("pk"), created_at__lte=moment)
        .exclude(status=Goal.Status.DROPPED)
        .aggregate(
            total=Count("pk"),
            achieved=Count(
                "pk",
                filter=Q(status=Goal.Status.ACHIEVED) & (Q(updated_at__lte=moment) | Q(Exists(achieved_event))),
            ),
        )
    )
    snapshot.goals_total = figures["total"]
    snapshot.goals_achieved = figures["achieved"]


def _training_figures(snapshot: ProgramSnapshot, program: Program, approved: QuerySet, moment: datetime) -> None:
    """Required modules done by approved participants, out of those their roles require
    (as ``programs.selectors.program_training_summary``, but as of a day)."""
    required = list(program.training_modules.filter(required=True).values_list("audience", flat=True))
    roles = dict(approved.order_by().values_list("role").annotate(n=Count("pk")))
    expected = 0
    for role, people in roles.items():
        expected += people * sum(
            1 for audience in required if audience == TrainingModule.Audience.BOTH or audience == f"{role}s"
        )
    snapshot.training_expected = expected
    Audience = TrainingModule.Audience
    snapshot.training_done = (
        TrainingCompletion.objects.filter(
            Q(module__audience=Audience.BOTH)
            | Q(module__audience=Audience.MENTORS, enrollment__role=Role.MENTOR)
            | Q(module__audience=Audience.MENTEES, enrollment__role=Role.MENTEE),
            enrollment__in=approved.values("pk"),
            module__program=program,
            module__required=True,
            completed_at__lte=moment,
        ).count()
        if expected
        else 0
    )


def _survey_figures(snapshot: ProgramSnapshot, program: Program, as_of: date, moment: datetime) -> None:
    invitations = SurveyInvitation.objects.filter(
        instance__survey__program=program, instance__opens_at__lte=moment
    ).aggregate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
    snapshot.survey_invited = invitations["invited"]
    snapshot.survey_answered = invitations["answered"]
    stats = {
        row["question__kind"]: row
        for row in SurveyAnswer.objects.filter(
            response__survey__program=program,
            response__submitted_on__lte=as_of,
            question__kind__in=SurveyQuestion.NUMBER_KINDS,
            number__isnull=False,
        )
        .order_by()
        .values("question__kind")
        .annotate(**NUMBER_STATS)
    }
    rating = stats.get(SurveyQuestion.Kind.RATING)
    if rating:
        snapshot.rating_answers = rating["n"]
        snapshot.rating_average = round(rating["average"], 3) if rating["average"] is not None else None
    nps = stats.get(SurveyQuestion.Kind.NPS)
    if nps:
        snapshot.nps_answers = nps["n"]
        snapshot.nps_promoters = nps["promoters"]
        snapshot.nps_detractors = nps["detractors"]


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (the 31st becomes the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def backfill_days(*, program: Program, until: date, months: int) -> list[date]:
    """Monthly days before ``until`` for a back-fill: the same day of each of the ``months``
    previous months, leaving out those before the program's first approved participant
    (nothing to measure then). One query."""
    first = (
        Enrollment.objects.filter(program=program, status=APPROVED)
        .annotate(approved_at=Coalesce("decided_at", "created_at"))
        .order_by("approved_at")
        .values_list("approved_at", flat=True)
        .first()
    )
    if first is None:
        return []
    first_day = timezone.localdate(first, timezone.get_default_timezone())
    days = [months_before(until, k) for k in range(months, 0, -1)]
    return [day for day in days if day >= first_day]


# --- Which programs a user may open ----------------------------------------------------


def dashboard_programs_for(*, user) -> QuerySet[Program]:
    """HR admins: every program; program owners: theirs; everyone else: none."""
    if not user.is_authenticated:
        return Program.objects.none()
    return Program.objects.owned_by(user)


# --- Overview --------------------------------------------------------------------------

STATUS_ORDER = [Program.Status.RUNNING, Program.Status.MATCHING, Program.Status.ENROLLING, Program.Status.CLOSED]


@dataclass
class OverviewRow:
    program: Program
    snapshot: ProgramSnapshot | None


def programs_overview(*, user) -> list[OverviewRow]:
    """Every program the user may open with its latest snapshot. Two queries."""
    latest = ProgramSnapshot.objects.filter(program=OuterRef("pk")).order_by("-date").values("pk")[:1]
    order = Case(
        *(When(status=status, then=Value(index)) for index, status in enumerate(STATUS_ORDER)),
        default=Value(len(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    programs = list(
        dashboard_programs_for(user=user)
        .annotate(latest_snapshot_id=Subquery(latest), status_order=order)
        .order_by("status_order", "-start_date", "name")
    )
    snapshots = ProgramSnapshot.objects.in_bulk([p.latest_snapshot_id for p in programs if p.latest_snapshot_id])
    return [OverviewRow(program=p, snapshot=snapshots.get(p.latest_snapshot_id)) for p in programs]


# --- A program's dashboard -------------------------------------------------------------


@dataclass
class Headline:
    key: str
    label: str
    value: float | int | None
    previous: float | int | None
    suffix: str = ""
    higher_is_better: bool | None = True
    help: str = ""
    note: str = ""

    @property
    def change(self):
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 2)

    @property
    def change_suffix(self) -> str:
        """Changes of a percentage are in percentage points."""
        return " pts" if self.suffix == "%" else self.suffix

    @property
    def tone(self) -> str:
        """success / danger / secondary: whether the change is good news."""
        change = self.change
        if not change or self.higher_is_better is None:
            return "secondary"
        return "success" if (change > 0) == self.higher_is_better else "danger"


HEADLINES = [
    # (attribute, label, suffix, higher is better, help)
    ("pairings_active", "Active pairings", "", True, "Pairings meeting now."),
    ("matched_percent", "Mentees matched", "%", True, "Approved mentees who got a mentor."),
    ("pairings_at_risk", "Pairings at risk", "", False, "By the pair health rule below."),
    (
        "sessions_per_pairing_month",
        "Sessions per pairing, last 30 days",
        "",
        True,
        "Held sessions in the last 30 days per active pairing.",
    ),
    ("days_since_session_median", "Days since last session (median)", "", False, "Over active pairings."),
    ("goal_completion_percent", "Goals achieved", "%", True, "Of the mentees' goals (dropped ones left out)."),
    ("action_items_done_percent", "Action items done", "%", True, ""),
    ("training_percent", "Required training done", "%", True, ""),
    ("survey_response_rate", "Survey response rate", "%", True, ""),
    ("satisfaction", "Satisfaction (1-5)", "", True, "Average of every 1-5 rating; shown from {min_group} answers."),
    ("nps", "NPS", "", True, "Promoters minus detractors (-100 to 100); shown from {min_group} answers."),
]


def _headline_note(key: str, snapshot: ProgramSnapshot) -> str:
    """Why a figure is blank, where that is not obvious."""
    answers = {"satisfaction": snapshot.rating_answers, "nps": snapshot.nps_answers}
    if key in answers and getattr(snapshot, key) is None:
        return f"{answers[key]} answer{'s' if answers[key] != 1 else ''} so far; shown from {privacy.min_group()}"
    if key == "days_since_session_median" and snapshot.days_since_session_avg is not None:
        return f"Average {snapshot.days_since_session_avg:g} days"
    return ""


def snapshot_headlines(*, snapshot: ProgramSnapshot, previous: ProgramSnapshot | None) -> list[Headline]:
    return [
        Headline(
            key=key,
            label=label,
            value=getattr(snapshot, key),
            previous=getattr(previous, key) if previous is not None else None,
            suffix=suffix,
            higher_is_better=better,
            help=help_text.format(min_group=privacy.min_group()),
            note=_headline_note(key, snapshot),
        )
        for key, label, suffix, better, help_text in HEADLINES
    ]


@dataclass
class FunnelStep:
    label: str
    count: int
    help: str
    percent: float | None = None  # of the first step


def snapshot_funnel(*, snapshot: ProgramSnapshot) -> list[FunnelStep]:
    steps = [
        FunnelStep("Enrolled", snapshot.mentees_enrolled, "Approved mentees."),
        FunnelStep("Matched", snapshot.mentees_matched, "Both confirmed a pairing (or it started)."),
        FunnelStep("Active", snapshot.mentees_started, "Their pairing became active (finished ones included)."),
        FunnelStep("Completed", snapshot.mentees_completed, "Their pairing was completed."),
    ]
    first = steps[0].count
    for step in steps:
        step.percent = round(100 * step.count / first, 1) if first else None
    return steps


def program_snapshots(*, program: Program, since: date | None = None) -> QuerySet[ProgramSnapshot]:
    snapshots = ProgramSnapshot.objects.filter(program=program)
    if since is not None:
        snapshots = snapshots.filter(date__gte=since)
    return snapshots.order_by("date")


def snapshot_before(*, snapshot: ProgramSnapshot, days: int = COMPARE_DAYS) -> ProgramSnapshot | None:
    """The latest snapshot at least ``days`` older than ``snapshot`` ("a month ago")."""
    return (
        ProgramSnapshot.objects.filter(program_id=snapshot.program_id, date__lte=snapshot.date - timedelta(days=days))
        .order_by("-date")
        .first()
    )


TREND_SERIES = {
    "health": [
        ("pairings_healthy", "Healthy"),
        ("pairings_cooling", "Cooling"),
        ("pairings_at_risk", "At risk"),
    ],
    "rhythm": [
        ("sessions_per_pairing_month", "Sessions per pairing, last 30 days"),
        ("days_since_session_median", "Days since last session (median)"),
    ],
    "percentages": [
        ("matched_percent", "Mentees matched %"),
        ("goal_completion_percent", "Goals achieved %"),
        ("action_items_done_percent", "Action items done %"),
        ("training_percent", "Training done %"),
        ("survey_response_rate", "Survey response rate %"),
    ],
    "satisfaction": [("satisfaction", "Satisfaction (1-5)"), ("nps", "NPS")],
}


def trend_chart_data(*, snapshots: list[ProgramSnapshot]) -> dict:
    """The numbers the trend charts draw (for ``json_script``): aggregates only."""
    return {
        "labels": [s.date.isoformat() for s in snapshots],
        "charts": {
            chart: [{"key": key, "label": label, "data": [getattr(s, key) for s in snapshots]} for key, label in series]
            for chart, series in TREND_SERIES.items()
        },
    }


@dataclass
class PairHealthRow:
    pairing: Pairing
    days_quiet: int | None
    reasons: list = field(default_factory=list)
    nudged_today: bool = False


def nudge_key(*, pairing_id: int, day: date, user_id: int) -> str:
    """One nudge per person, pairing and day: a double click (or a second HR admin) sends nothing more."""
    return f"health-nudge:{pairing_id}:{day.isoformat()}:user:{user_id}"


def site_today(now: datetime | None = None) -> date:
    """Today in the site's time zone (snapshots and nudges are per site day, whoever looks)."""
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone())


@dataclass
class PairHealthSummary:
    """How many of a program's active pairings are in each health status, as of when its stored
    health was last brought up to date (``as_of`` None: never computed, the counts are zeros)."""

    as_of: datetime | None
    counts: dict[str, int]

    @property
    def computed(self) -> bool:
        return self.as_of is not None


def pair_health_as_of(*, program: Program) -> datetime | None:
    """When every active pairing's stored health was last known current (None: never computed)."""
    return ProgramHealthState.objects.filter(program=program).values_list("checked_at", flat=True).first()


def program_pair_health(*, program: Program) -> PairHealthSummary:
    """The counts of the program's stored pair health and how fresh they are. One query (the
    counts come from the stored rows' index), whatever the number of pairings."""
    stored = "program__pair_health"
    counts = {health: Count(stored, filter=Q(**{f"{stored}__level": level})) for level, health in HEALTH_LEVELS.items()}
    states = ProgramHealthState.objects.filter(program=program).values("checked_at").annotate(**counts).order_by()
    state = next(iter(states), None)  # one row at most: the program's
    if state is None or state["checked_at"] is None:
        return PairHealthSummary(as_of=None, counts=dict.fromkeys(Health.values, 0))
    return PairHealthSummary(as_of=state["checked_at"], counts={health: state[health] for health in Health.values})


#: What HR's list shows of a pair: its stored health and the two people's names, nothing else.
PAIR_HEALTH_LIST_FIELDS = (
    "pairing_id",
    "program_id",
    "level",
    "reasons",
    "health_start",
    "last_session_at",
    "quiet_since",
    "mentor_low_rating",
    "mentee_low_rating",
    "pairing__id",
    "pairing__program_id",
    "pairing__status",
    "pairing__mentor_id",
    "pairing__mentee_id",
    "pairing__mentor__person__first_name",
    "pairing__mentor__person__last_name",
    "pairing__mentor__person__user_id",
    "pairing__mentee__person__first_name",
    "pairing__mentee__person__last_name",
    "pairing__mentee__person__user_id",
)


def pair_health_list(*, program: Program, health: str = Health.AT_RISK) -> QuerySet[PairHealth]:
    """The program's active pairings of one health status, quietest first, each with its pairing
    and the two people's names (HR only), from the stored health: slice it for a page (one
    query on the stored rows' index: ``pairhealth_list_idx``)."""
    return (
        PairHealth.objects.filter(program=program, level=LEVEL_OF[health])
        .select_related("pairing__mentor__person", "pairing__mentee__person")
        .only(*PAIR_HEALTH_LIST_FIELDS)
        .order_by("quiet_since", "pairing_id")
    )


def pairing_for_nudge(*, program: Program, pairing_id: int) -> Pairing | None:
    """An active pairing of the program, with what a nudge needs (None if there is none)."""
    return (
        Pairing.objects.filter(program=program, status=Pairing.Status.ACTIVE, pk=pairing_id)
        .select_related("program", "mentor__person__user", "mentee__person__user")
        .first()
    )


def pair_health_rows(*, program: Program, healths, now: datetime | None = None) -> list[PairHealthRow]:
    """Rows for HR's list from stored health (a slice of :func:`pair_health_list`): reasons in
    words and whether the pair was nudged today. One query for the nudges."""
    now = now or timezone.now()
    healths = list(healths)
    day = site_today(now)
    keys = {}
    for health in healths:
        pairing = health.pairing
        for enrollment in (pairing.mentor, pairing.mentee):
            if enrollment.person.user_id:
                keys[nudge_key(pairing_id=pairing.pk, day=day, user_id=enrollment.person.user_id)] = pairing.pk
    sent = Notification.objects.filter(idempotency_key__in=list(keys)).values_list("idempotency_key", flat=True)
    nudged = {keys[key] for key in sent}
    return [
        PairHealthRow(
            pairing=health.pairing,
            days_quiet=max((now - health.quiet_since).days, 0),
            reasons=health_reasons(pairing=health, program=program, moment=now),
            nudged_today=health.pairing_id in nudged,
        )
        for health in healths
    ]


@dataclass
class ObjectiveGoals:
    label: str
    total: int
    achieved: int
    in_progress: int
    average_progress: int | None

    @property
    def achieved_percent(self) -> float | None:
        return round(100 * self.achieved / self.total, 1) if self.total else None


def program_goals_by_objective(*, program: Program) -> list[ObjectiveGoals]:
    """The mentees' goals (approved enrollments, dropped left out) by the objective of the
    template they were adopted from; goals of their own make one row. One query."""
    labels = dict(Objective.choices)
    if program.custom_objective:
        labels[Objective.CUSTOM] = program.custom_objective
    rows = (
        Goal.objects.filter(enrollment__program=program, enrollment__status=APPROVED)
        .exclude(status=Goal.Status.DROPPED)
        .order_by()
        .values("template__objective")
        .annotate(
            total=Count("pk"),
            achieved=Count("pk", filter=Q(status=Goal.Status.ACHIEVED)),
            in_progress=Count("pk", filter=Q(status=Goal.Status.IN_PROGRESS)),
            average_progress=Avg("progress"),
        )
    )
    result = []
    for row in rows:
        objective = row["template__objective"]
        if objective is None:
            label = "Own goals (not from a template)"
        else:
            label = labels.get(objective, objective) if objective else "Template without an objective"
        result.append(
            ObjectiveGoals(
                label=label,
                total=row["total"],
                achieved=row["achieved"],
                in_progress=row["in_progress"],
                average_progress=round(row["average_progress"]) if row["average_progress"] is not None else None,
            )
        )
    return sorted(result, key=lambda r: (r.label.startswith(("Own goals", "Template without")), r.label))


@dataclass
class Dashboard:
    program: Program
    snapshot: ProgramSnapshot
    is_live: bool
    previous: ProgramSnapshot | None
    trend: list[ProgramSnapshot]
    headlines: list[Headline]
    funnel: list[FunnelStep]
    goals_by_objective: list[ObjectiveGoals]
    at_risk: list[PairHealthRow] | None  # stored health, HR only (None: not for this viewer)
    at_risk_total: int | None
    #: The stored pair health's counts and freshness (HR only).
    pair_health: PairHealthSummary | None = None

    @property
    def health_counts(self) -> dict[str, int]:
        """Of the snapshot (the counts next to the other figures of the same day)."""
        s = self.snapshot
        return {
            Health.HEALTHY: s.pairings_healthy,
            Health.COOLING: s.pairings_cooling,
            Health.AT_RISK: s.pairings_at_risk,
        }


def program_dashboard(
    *, program: Program, months: int = DEFAULT_TREND_MONTHS, with_at_risk: bool = False, now: datetime | None = None
) -> Dashboard:
    """Everything the success dashboard shows. Headline, funnel, health counts and trends come
    from the snapshots (the latest, one at least a month older, and those in the window); HR's
    pairs at risk from the stored pair health (as of its last refresh: none before the
    program's first); the goals by objective are live. Before the first snapshot, the figures
    are computed live (not stored). A fixed number of queries, whatever the size."""
    now = now or timezone.now()
    snapshot = ProgramSnapshot.objects.filter(program=program).order_by("-date").first()
    is_live = snapshot is None
    if is_live:
        snapshot = program_snapshot_compute(program=program, as_of=site_today(now), now=now)
        previous, trend = None, []
    else:
        previous = snapshot_before(snapshot=snapshot)
        trend = list(program_snapshots(program=program, since=snapshot.date - timedelta(days=round(months * 30.44))))
    at_risk, at_risk_total, pair_health = None, None, None
    if with_at_risk:
        pair_health = program_pair_health(program=program)
        at_risk_total = pair_health.counts[Health.AT_RISK]
        preview = pair_health_list(program=program)[:AT_RISK_PREVIEW] if pair_health.computed else []
        at_risk = pair_health_rows(program=program, healths=preview, now=now)
    return Dashboard(
        program=program,
        snapshot=snapshot,
        is_live=is_live,
        previous=previous,
        trend=trend,
        headlines=snapshot_headlines(snapshot=snapshot, previous=previous),
        funnel=snapshot_funnel(snapshot=snapshot),
        goals_by_objective=program_goals_by_objective(program=program),
        at_risk=at_risk,
        at_risk_total=at_risk_total,
        pair_health=pair_health,
    )


# --- Outcomes: participants against comparable colleagues ------------------------------


def seniority_band_label(band: int) -> str:
    low, high = SENIORITY_BANDS[band]
    return f"Seniority {low}-{high}"


@dataclass
class Rates:
    n: int = 0  # people in the group
    retained_percent: float | None = None
    promoted_percent: float | None = None


@dataclass
class OutcomeRow:
    label: str
    participants: Rates
    comparison: Rates  # rates weighted to the participants' mix of departments and bands

    @property
    def comparable(self) -> bool:
        return privacy.is_shown(self.participants.n) and privacy.is_shown(self.comparison.n)

    @property
    def retention_difference(self) -> float | None:
        if not self.comparable:
            return None
        return round(self.participants.retained_percent - self.comparison.retained_percent, 1)

    @property
    def promotion_difference(self) -> float | None:
        if not self.comparable:
            return None
        return round(self.participants.promoted_percent - self.comparison.promoted_percent, 1)


@dataclass
class Outcomes:
    start: date
    end: date
    started: bool
    overall: OutcomeRow | None = None
    by_band: list[OutcomeRow] = field(default_factory=list)
    by_department: list[OutcomeRow] = field(default_factory=list)
    participants_total: int = 0
    participants_without_comparison: int = 0
    min_group: int = field(default_factory=privacy.min_group)


def _band_case() -> Case:
    return Case(
        *(When(seniority__lte=high, then=Value(index)) for index, (_, high) in enumerate(SENIORITY_BANDS[:-1])),
        default=Value(len(SENIORITY_BANDS) - 1),
        output_field=IntegerField(),
    )


def program_outcomes(*, program: Program, today: date | None = None) -> Outcomes:
    """Retention and promotion of the program's participants (approved enrollments) since the
    program started, against colleagues in no program from the same department and seniority
    band (the comparison's rates are weighted to the participants' mix of departments and bands).

    Both groups: employed on the program's start day (hired by then, not gone before).
    Retained: no termination date, or one after today. Promoted: a promotion date between the
    program's start and today. One query, whatever the size of the company.
    """
    today = today or site_today()
    start = program.start_date
    outcomes = Outcomes(start=start, end=today, started=start <= today)
    if not outcomes.started:
        return outcomes
    employed = Person.objects.filter(
        Q(hire_date__isnull=True) | Q(hire_date__lte=start),
        Q(termination_date__isnull=True) | Q(termination_date__gte=start),
    )
    approved = Enrollment.objects.filter(status=APPROVED)
    # Participants (a semi-join) and colleagues in no program (an anti-join), grouped apart and
    # read together: set-based joins the planner costs right, where an EXISTS per person in the
    # grouping made it expect a query expensive enough to compile (JIT) on every view.
    groups = [
        (employed.filter(pk__in=approved.filter(program=program).values("person_id")), True),
        (employed.filter(~Exists(approved.filter(person_id=OuterRef("pk")))), False),
    ]
    participants, colleagues = (
        people.annotate(band=_band_case(), participant=Value(flag))
        .order_by()
        .values("department_id", "department__name", "band", "participant")
        .annotate(
            n=Count("pk"),
            retained=Count("pk", filter=Q(termination_date__isnull=True) | Q(termination_date__gt=today)),
            promoted=Count("pk", filter=Q(promotion_date__gte=start, promotion_date__lte=today)),
        )
        for people, flag in groups
    )
    rows = participants.union(colleagues, all=True)
    cells: dict[tuple, dict] = {}
    for row in rows:
        key = (row["department_id"], row["department__name"] or "No department", row["band"])
        cells.setdefault(key, {})[row["participant"]] = row
    comparable = {key: groups for key, groups in cells.items() if True in groups and False in groups}
    outcomes.participants_total = sum(groups[True]["n"] for groups in cells.values() if True in groups)
    outcomes.participants_without_comparison = outcomes.participants_total - sum(
        groups[True]["n"] for groups in comparable.values()
    )
    outcomes.overall = _outcome_row("All participants", comparable.values())
    outcomes.by_band = [
        _outcome_row(seniority_band_label(band), [g for key, g in comparable.items() if key[2] == band])
        for band in range(len(SENIORITY_BANDS))
    ]
    departments = sorted({(key[1], key[0]) for key in comparable})
    outcomes.by_department = [
        _outcome_row(name, [g for key, g in comparable.items() if key[0] == department_id])
        for name, department_id in departments
    ]
    return outcomes


def _outcome_row(label: str, cells) -> OutcomeRow:
    """Participants' rates, and the comparison group's rates weighted as if it had the
    participants' mix of cells (direct standardisation), from ``{True: row, False: row}`` cells."""
    cells = list(cells)
    participants = sum(groups[True]["n"] for groups in cells)
    colleagues = sum(groups[False]["n"] for groups in cells)
    if not participants:
        return OutcomeRow(label=label, participants=Rates(), comparison=Rates(n=colleagues))

    def own(key):
        return round(100 * sum(groups[True][key] for groups in cells) / participants, 1)

    def weighted(key):
        share = sum(groups[True]["n"] * groups[False][key] / groups[False]["n"] for groups in cells)
        return round(100 * share / participants, 1)

    return OutcomeRow(
        label=label,
        participants=Rates(n=participants, retained_percent=own("retained"), promoted_percent=own("promoted")),
        comparison=Rates(n=colleagues, retained_percent=weighted("retained"), promoted_percent=weighted("promoted")),
    )
