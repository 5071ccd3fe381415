"""Pair health for HR's pages: the stored ``PairHealth`` rows, a page at a time, never
every pairing; names appear only in HR's at-risk list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.utils import timezone

from core.models import Notification
from evaluation.health import (
    HEALTH_LEVELS,
    LEVEL_OF,
    Health,
    health_reasons,
)
from evaluation.models import PairHealth, ProgramHealthState
from matching.models import Pairing
from programs.models import Program
from sessions.nudges import nudge_key


@dataclass
class PairHealthRow:
    pairing: Pairing
    days_quiet: int | None
    reasons: list = field(default_factory=list)
    nudged_today: bool = False


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
