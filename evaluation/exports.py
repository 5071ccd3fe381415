"""Every dashboard table as CSV rows: the same selectors as the pages, as (header, rows).

HR-only tables (the at-risk list with names, the diversity view) are marked so; the view
refuses them to anyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from evaluation import diversity, selectors
from evaluation.health import Health
from evaluation.models import ProgramSnapshot
from people import privacy

TOO_FEW = "too few to compare"

# Figures of a snapshot, in the order the trend export lists them.
SNAPSHOT_COLUMNS = [
    ("mentors_enrolled", "Mentors enrolled"),
    ("mentees_enrolled", "Mentees enrolled"),
    ("mentees_matched", "Mentees matched"),
    ("matched_percent", "Mentees matched %"),
    ("mentees_started", "Mentees whose pairing became active"),
    ("mentees_completed", "Mentees with a completed pairing"),
    ("pairings_active", "Active pairings"),
    ("pairings_healthy", "Healthy"),
    ("pairings_cooling", "Cooling"),
    ("pairings_at_risk", "At risk"),
    ("pairings_completed", "Completed pairings"),
    ("pairings_ended", "Pairings ended early"),
    ("sessions_held_30_days", "Sessions held, last 30 days"),
    ("sessions_per_pairing_month", "Sessions per pairing, last 30 days"),
    ("days_since_session_median", "Days since last session (median)"),
    ("days_since_session_avg", "Days since last session (average)"),
    ("goals_total", "Goals"),
    ("goals_achieved", "Goals achieved"),
    ("goal_completion_percent", "Goals achieved %"),
    ("action_items_total", "Action items"),
    ("action_items_done", "Action items done"),
    ("action_items_done_percent", "Action items done %"),
    ("training_expected", "Required training modules"),
    ("training_done", "Required training modules done"),
    ("training_percent", "Training done %"),
    ("survey_invited", "Survey invitations"),
    ("survey_answered", "Survey invitations answered"),
    ("survey_response_rate", "Survey response rate %"),
    ("rating_answers", "Rating answers"),
    ("satisfaction", "Satisfaction (1-5)"),
    ("nps_answers", "NPS answers"),
    ("nps", "NPS"),
]


def _value(value):
    return "" if value is None else value


def overview_table(*, user) -> tuple[list, list]:
    header = ["Program", "Status", "As of", *(label for _, label in SNAPSHOT_COLUMNS)]
    rows = []
    for row in selectors.programs_overview(user=user):
        snapshot = row.snapshot
        figures = [_value(getattr(snapshot, key)) if snapshot else "" for key, _ in SNAPSHOT_COLUMNS]
        date = snapshot.date.isoformat() if snapshot else "not evaluated yet"
        rows.append([row.program.name, row.program.get_status_display(), date, *figures])
    return header, rows


def _latest(program) -> ProgramSnapshot:
    return ProgramSnapshot.objects.filter(program=program).order_by("-date").first() or (
        selectors.program_snapshot_compute(program=program, as_of=selectors.site_today())
    )


def headline_table(*, program, **_) -> tuple[list, list]:
    snapshot = _latest(program)
    previous = selectors.snapshot_before(snapshot=snapshot) if snapshot.pk else None
    header = [
        "Metric",
        f"Value on {snapshot.date.isoformat()}",
        f"Value on {previous.date.isoformat()}" if previous else "A month earlier",
        "Change",
    ]
    rows = [
        [f"{h.label} (%)" if h.suffix == "%" else h.label, _value(h.value), _value(h.previous), _value(h.change)]
        for h in selectors.snapshot_headlines(snapshot=snapshot, previous=previous)
    ]
    return header, rows


def trend_table(*, program, months: int = selectors.DEFAULT_TREND_MONTHS, **_) -> tuple[list, list]:
    since = selectors.site_today() - timedelta(days=round(months * 30.44))
    header = ["Date", *(label for _, label in SNAPSHOT_COLUMNS)]
    rows = [
        [s.date.isoformat(), *(_value(getattr(s, key)) for key, _ in SNAPSHOT_COLUMNS)]
        for s in selectors.program_snapshots(program=program, since=since)
    ]
    return header, rows


def funnel_table(*, program, **_) -> tuple[list, list]:
    steps = selectors.snapshot_funnel(snapshot=_latest(program))
    return ["Step", "Mentees", "% of enrolled", "Meaning"], [
        [s.label, s.count, _value(s.percent), s.help] for s in steps
    ]


def goals_table(*, program, **_) -> tuple[list, list]:
    header = ["Objective", "Goals", "Achieved", "In progress", "Achieved %", "Average progress %"]
    rows = [
        [g.label, g.total, g.achieved, g.in_progress, _value(g.achieved_percent), _value(g.average_progress)]
        for g in selectors.program_goals_by_objective(program=program)
    ]
    return header, rows


def surveys_table(*, program, **_) -> tuple[list, list]:
    s = _latest(program)
    header = ["As of", "Invited", "Answered", "Response rate %", "Rating answers", "Satisfaction (1-5)"]
    header += ["NPS answers", "NPS"]
    row = [s.date.isoformat(), s.survey_invited, s.survey_answered, _value(s.survey_response_rate), s.rating_answers]
    row += [_value(s.satisfaction), s.nps_answers, _value(s.nps)]
    return header, [row]


def health_table(*, program, status: str = Health.AT_RISK, **_) -> tuple[list, list]:
    """HR only: the pairs of one health status with their reasons, from the stored pair health
    (each row says as of when; no row before the program's health was first computed)."""
    now = timezone.now()
    checked_at = selectors.pair_health_as_of(program=program)
    healths = selectors.pair_health_list(program=program, health=status) if checked_at else []
    as_of = timezone.localtime(checked_at).isoformat(timespec="minutes") if checked_at else ""
    rows = []
    for row in selectors.pair_health_rows(program=program, healths=healths, now=now):
        pairing = row.pairing
        rows.append(
            [
                pairing.mentor.person.full_name,
                pairing.mentee.person.full_name,
                Health(status).label,
                _value(row.days_quiet),
                " ".join(reason.text for reason in row.reasons),
                "yes" if row.nudged_today else "",
                as_of,
            ]
        )
    return ["Mentor", "Mentee", "Health", "Days since last session", "Why", "Nudged today", "Health as of"], rows


def outcomes_table(*, program, **_) -> tuple[list, list]:
    outcomes = selectors.program_outcomes(program=program)
    header = ["Group", "Participants", "Participants retained %", "Participants promoted %"]
    header += ["Comparable colleagues", "Colleagues retained % (weighted)", "Colleagues promoted % (weighted)"]
    header += ["Retention difference (points)", "Promotion difference (points)", "Note"]
    rows = []
    for row in [outcomes.overall, *outcomes.by_band, *outcomes.by_department] if outcomes.overall else []:
        shown = row.comparable
        rows.append(
            [
                row.label,
                row.participants.n,
                _value(row.participants.retained_percent) if shown else "",
                _value(row.participants.promoted_percent) if shown else "",
                row.comparison.n,
                _value(row.comparison.retained_percent) if shown else "",
                _value(row.comparison.promoted_percent) if shown else "",
                _value(row.retention_difference),
                _value(row.promotion_difference),
                "" if shown else TOO_FEW,
            ]
        )
    return header, rows


def diversity_table(*, program, **_) -> tuple[list, list]:
    """HR only: the released figures of the D&I view, under the same rules."""
    header = ["Dimension", "Group", "Participants", "Share of participants %", "Employees", "Share of employees %"]
    header += ["Participation rate %", "Mentees", "Match rate %", "Satisfaction (1-5)", "Released on"]
    released = diversity.program_diversity(program=program)
    released_on = timezone.localdate(released.released_at).isoformat()
    rows = []
    for dimension in released.figures["dimensions"]:
        if dimension["withheld"]:
            rows.append([dimension["label"], "", privacy.too_few_label(), *[""] * 7, released_on])
            continue
        for row in dimension["rows"]:
            rows.append(
                [
                    dimension["label"],
                    row["label"],
                    row["participants"],
                    _value(row["participants_share"]),
                    _value(row["employees"]),
                    _value(row["employees_share"]),
                    _value(row["participation_rate"]),
                    _value(row["mentees"]),
                    _value(row["match_rate"]),
                    _value(row["satisfaction"]),
                    released_on,
                ]
            )
    return header, rows


@dataclass(frozen=True)
class Table:
    label: str
    build: Callable
    hr_only: bool = False


PROGRAM_TABLES = {
    "headline": Table("Headline figures", headline_table),
    "trend": Table("Trend (every snapshot)", trend_table),
    "funnel": Table("Funnel", funnel_table),
    "goals": Table("Goal completion by objective", goals_table),
    "surveys": Table("Survey results summary", surveys_table),
    "at-risk": Table("Pairs by health, with reasons", health_table, hr_only=True),
    "outcomes": Table("Outcomes", outcomes_table),
    "diversity": Table("Diversity and inclusion", diversity_table, hr_only=True),
}
