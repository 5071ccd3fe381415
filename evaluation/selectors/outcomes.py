"""Outcomes: retention and promotion of participants against comparable colleagues (same
department and seniority band), with ``people.privacy``'s rules for small groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)

from evaluation.selectors.health import site_today
from evaluation.selectors.metrics import APPROVED, SENIORITY_BANDS
from people import privacy
from people.models import Person
from programs.models import Enrollment, Program

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
