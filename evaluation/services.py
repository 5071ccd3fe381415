"""Writes of the evaluation app: storing program snapshots, keeping each active pairing's
health stored, and nudging a pair.

The nightly Celery job, HR's "Recompute now" and ``manage.py evaluate_programs`` all
call :func:`programs_evaluate` / :func:`program_evaluate`, which recompute the stored pair
health of the program in full before its snapshot. Between those, the stored health follows
the events the apps below report (``evaluation/receivers.py``: one pairing at a time) and the
15-minute sweep (:func:`pair_health_sweep`: only the pairings time alone has changed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils import timezone

from evaluation.health import (
    FACTS,
    health_due_at,
    health_reason_codes,
    health_signs,
    pairing_health_facts,
    pairings_active_at,
)
from evaluation.models import PairHealth, ProgramHealthState, ProgramSnapshot
from evaluation.selectors import program_snapshot_compute
from matching.models import Pairing
from programs.models import Program

SNAPSHOT_FIELDS = [
    f.name for f in ProgramSnapshot._meta.concrete_fields if f.name not in ("id", "program", "date", "computed_at")
]


def programs_to_evaluate() -> list[Program]:
    """The programs the nightly job evaluates: every running program."""
    return list(Program.objects.filter(status=Program.Status.RUNNING).order_by("pk"))


def program_evaluate(*, program: Program, as_of: date | None = None, now: datetime | None = None) -> ProgramSnapshot:
    """Compute and store the program's snapshot for ``as_of`` (default: today). For today, the
    program's stored pair health is recomputed in full first, and the snapshot's health
    figures are those rows (the rule runs once).

    Idempotent per program and day: running it again updates the same row.
    """
    now = now or timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    as_of = as_of or today
    health = None
    if as_of == today:
        refreshed = pair_health_refresh(program=program, now=now)
        health = refreshed.levels
    computed = program_snapshot_compute(program=program, as_of=as_of, now=now, health=health)
    values = model_to_dict(computed, fields=SNAPSHOT_FIELDS)
    with transaction.atomic():
        snapshot, _ = ProgramSnapshot.objects.update_or_create(
            program=program, date=as_of, defaults={**values, "computed_at": now}
        )
    return snapshot


def programs_evaluate(
    *, programs: Iterable[Program] | None = None, as_of: date | None = None, now: datetime | None = None
) -> list[ProgramSnapshot]:
    """Store today's (or ``as_of``'s) snapshot of each program (default: every running one)."""
    programs = programs_to_evaluate() if programs is None else programs
    return [program_evaluate(program=program, as_of=as_of, now=now) for program in programs]


def program_backfill(*, program: Program, days: Iterable[date], now: datetime | None = None) -> list[ProgramSnapshot]:
    """Store snapshots for past days, each computed "as of" that day from the history."""
    now = now or timezone.now()
    return [program_evaluate(program=program, as_of=day, now=now) for day in sorted(set(days))]


# --- Stored pair health ----------------------------------------------------------------


class PairHealthValues(NamedTuple):
    """What a refresh writes of one pairing; a stored row is rewritten only when these changed
    (``computed_at`` is not compared)."""

    level: int
    reasons: list[str]
    health_start: datetime
    last_session_at: datetime | None
    quiet_since: datetime
    mentor_low_rating: bool
    mentee_low_rating: bool
    has_goal: bool
    goal_moved: bool
    cadence_days: int
    due_at: datetime | None


PAIR_HEALTH_FIELDS = list(PairHealthValues._fields)
UPSERT_BATCH = 1000


@dataclass
class HealthRefresh:
    """What a refresh of one program did."""

    program_id: int
    computed: int = 0  # pairings whose facts were read
    written: int = 0  # rows created or changed
    deleted: int = 0  # rows of pairings no longer active
    #: ``(level, quiet since)`` of each pairing computed (every active one after a full refresh).
    levels: list[tuple[int, datetime]] = field(default_factory=list, repr=False)


def _health_state_locked(program: Program) -> ProgramHealthState:
    """The program's ``ProgramHealthState``, created if missing and locked until the transaction
    ends: refreshes of one program take turns."""
    state = ProgramHealthState.objects.select_for_update().filter(program=program).first()
    if state is None:
        ProgramHealthState.objects.bulk_create([ProgramHealthState(program=program)], ignore_conflicts=True)
        state = ProgramHealthState.objects.select_for_update().get(program=program)
    return state


def _pair_health_values(program: Program, moment: datetime, facts: tuple) -> PairHealthValues:
    """One pairing's stored health from its facts (a tuple: a model instance per pairing would
    cost more than the rule; only the rows that changed become instances)."""
    _, quiet, start, mentor_low, mentee_low, has_goal, moved = facts
    signs = health_signs(
        quiet_since=quiet,
        health_start=start,
        low_rating=mentor_low or mentee_low,
        has_goal=has_goal,
        goal_moved=moved,
        moment=moment,
        cadence_days=program.cadence_days,
    )
    due_at = health_due_at(
        quiet_since=quiet,
        health_start=start,
        has_goal=bool(has_goal),
        goal_moved=bool(moved),
        cadence_days=program.cadence_days,
        signs=signs,
    )
    return PairHealthValues(
        level=signs.level,
        reasons=health_reason_codes(signs),
        health_start=start,
        last_session_at=quiet if quiet != start else None,
        quiet_since=quiet,
        mentor_low_rating=bool(mentor_low),
        mentee_low_rating=bool(mentee_low),
        has_goal=bool(has_goal),
        goal_moved=bool(moved),
        cadence_days=program.cadence_days,
        due_at=due_at,
    )


def _refresh(*, program: Program, pairing_ids: Iterable[int] | None, now: datetime) -> HealthRefresh:
    """:func:`pair_health_refresh`'s work, under the program's lock."""
    scope = pairings_active_at(program=program, moment=now)
    stored = PairHealth.objects.filter(program=program)
    people = None
    if pairing_ids is not None:
        ids = sorted(set(pairing_ids))
        scope, stored = scope.filter(pk__in=ids), stored.filter(pairing_id__in=ids)
        # Only these people's survey answers are read, not the whole program's.
        people = [person for pair in scope.values_list("mentor_id", "mentee_id") for person in pair]
    rows: dict[int, PairHealthValues] = {}
    if people != []:  # None: the whole program; [] none of the pairings is active
        facts = pairing_health_facts(program=program, moment=now, pairings=scope, people=people)
        rows = {row[0]: _pair_health_values(program, now, row) for row in facts.values_list("pk", *FACTS)}
    before = {values[0]: values[1:] for values in stored.values_list("pairing_id", *PAIR_HEALTH_FIELDS)}
    changed = [
        PairHealth(pairing_id=pk, program_id=program.pk, computed_at=now, **values._asdict())
        for pk, values in rows.items()
        if before.get(pk) != values
    ]
    PairHealth.objects.bulk_create(
        changed,
        batch_size=UPSERT_BATCH,
        update_conflicts=True,
        unique_fields=["pairing"],
        update_fields=[*PAIR_HEALTH_FIELDS, "computed_at"],
    )
    gone = set(before) - set(rows)
    if gone:
        PairHealth.objects.filter(pairing_id__in=gone).delete()
    levels = [(values.level, values.quiet_since) for values in rows.values()]
    return HealthRefresh(
        program_id=program.pk, computed=len(rows), written=len(changed), deleted=len(gone), levels=levels
    )


def pair_health_refresh(
    *, program: Program, pairing_ids: Iterable[int] | None = None, now: datetime | None = None
) -> HealthRefresh:
    """Bring the program's stored pair health up to date: in full (every active pairing: the
    nightly evaluation, "Recompute now", a program's first sweep), or for ``pairing_ids`` only
    (after an event, or those the sweep found due).

    Set-based: one query reads the facts (:func:`evaluation.health.pairing_health_facts`), the
    rule runs in Python, and only the rows that changed are written, in multi-row upserts; rows
    of pairings no longer active are deleted. Running it twice writes nothing the second time.

    Refreshes of one program take turns (a lock on its ``ProgramHealthState``), each reading the
    facts once it has the lock: a refresh that began before a session was logged can never
    overwrite the row written after it. ``now`` defaults to the moment the lock is taken."""
    with transaction.atomic():
        state = _health_state_locked(program)
        now = now or timezone.now()
        result = _refresh(program=program, pairing_ids=pairing_ids, now=now)
        if pairing_ids is None:
            state.checked_at = state.recomputed_at = now
            state.save(update_fields=["checked_at", "recomputed_at"])
    return result


def pair_health_check(*, program: Program, now: datetime | None = None) -> HealthRefresh:
    """The sweep's work for one program: recompute only the pairings whose stored health may be
    out of date without any event (they just started, time made them overdue or ended their goal
    grace period, the program's cadence changed, or they are no longer active), then mark every
    row current. A program never computed is computed in full. When nothing is due: a handful
    of small queries and one write (the time checked)."""
    with transaction.atomic():
        state = _health_state_locked(program)
        now = now or timezone.now()
        if state.checked_at is None:
            result = _refresh(program=program, pairing_ids=None, now=now)
            state.checked_at = state.recomputed_at = now
            state.save(update_fields=["checked_at", "recomputed_at"])
            return result
        active = pairings_active_at(program=program, moment=now)
        stored = PairHealth.objects.filter(program=program)
        stale = set(active.exclude(pk__in=stored.values("pairing_id")).values_list("pk", flat=True))
        stale |= set(
            stored.filter(Q(due_at__lte=now) | ~Q(cadence_days=program.cadence_days)).values_list(
                "pairing_id", flat=True
            )
        )
        stale |= set(stored.exclude(pairing_id__in=active.values("pk")).values_list("pairing_id", flat=True))
        result = _refresh(program=program, pairing_ids=stale, now=now) if stale else HealthRefresh(program.pk)
        state.checked_at = now
        state.save(update_fields=["checked_at"])
    return result


def pair_health_sweep(*, now: datetime | None = None) -> list[HealthRefresh]:
    """Every 15 minutes (beat): :func:`pair_health_check` of each running program, and the rows
    of pairings no longer active forgotten in any program. Safe to run twice."""
    PairHealth.objects.exclude(pairing__status=Pairing.Status.ACTIVE).delete()
    return [pair_health_check(program=program, now=now) for program in programs_to_evaluate()]


def _refresh_by_program(pairings) -> list[HealthRefresh]:
    by_program: dict[int, list[int]] = defaultdict(list)
    for pk, program_id in pairings.order_by().values_list("pk", "program_id"):
        by_program[program_id].append(pk)
    programs = Program.objects.in_bulk(list(by_program))
    return [pair_health_refresh(program=programs[pk], pairing_ids=ids) for pk, ids in sorted(by_program.items())]


def pairings_health_refresh(*, pairing_ids: Iterable[int]) -> list[HealthRefresh]:
    """Refresh the stored health of these pairings (something that changes it happened), program
    by program; a pairing no longer active loses its row."""
    return _refresh_by_program(Pairing.objects.filter(pk__in=list(pairing_ids)))


def enrollment_health_refresh(*, enrollment_id: int) -> list[HealthRefresh]:
    """Refresh the stored health of one participant's active pairings, as mentor or mentee
    (their goal moved, or they answered a survey)."""
    mine = Q(mentor_id=enrollment_id) | Q(mentee_id=enrollment_id)
    return _refresh_by_program(Pairing.objects.filter(mine, status=Pairing.Status.ACTIVE))
