"""The dashboards: which programs a user may open, the overview, and a program's
success dashboard (headlines, funnel, trends, goals by objective). Owners get counts and
percentages only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from evaluation.health import (
    Health,
)
from evaluation.models import ProgramSnapshot
from evaluation.selectors.health import (
    PairHealthRow,
    PairHealthSummary,
    pair_health_list,
    pair_health_rows,
    program_pair_health,
    site_today,
)
from evaluation.selectors.metrics import (
    APPROVED,
    AT_RISK_PREVIEW,
    COMPARE_DAYS,
    DEFAULT_TREND_MONTHS,
    program_snapshot_compute,
)
from goals.models import Goal
from people import privacy
from programs.models import Objective, Program

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
