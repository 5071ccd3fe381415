"""HR's matching pages: the programs to match, a program's overview ("who can be matched"),
its runs and overrides, and the participant picker for locks and exclusions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from matching.models import MatchProposal, MatchRun, Pairing, PairOverride
from programs.models import Enrollment, Program, Role, TrainingCompletion, TrainingModule

# --- HR: programs and their matching overview -------------------------------------------


def _count_per_program(queryset: QuerySet) -> Coalesce:
    """How many rows of ``queryset`` each program has: one aggregate per program row.

    A ``Count`` over a join instead groups the programs by every other annotation, so
    PostgreSQL ran the other subqueries once per joined enrollment row (42 s for one
    program of 5,000 participants, twice with the paginator's count)."""
    counted = queryset.filter(program=OuterRef("pk")).order_by().values("program").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def programs_for_matching() -> QuerySet[Program]:
    """Programs past their draft, with approved mentee/mentor counts, live pairings and
    the latest run's status. One query, no GROUP BY: each figure is a subquery per program,
    answered from an index (``enrollment_program_state_idx``,
    ``pairing_program_status_idx``, ``matchrun_program_created_idx``)."""
    latest_run = MatchRun.objects.filter(program=OuterRef("pk")).order_by("-created_at", "-pk")
    approved = Enrollment.objects.filter(status=Enrollment.Status.APPROVED)
    return (
        Program.objects.exclude(status=Program.Status.DRAFT)
        .annotate(
            mentees_approved=_count_per_program(approved.filter(role=Role.MENTEE)),
            mentors_approved=_count_per_program(approved.filter(role=Role.MENTOR)),
            live_pairings=_count_per_program(Pairing.objects.live()),
            latest_run_status=Subquery(latest_run.values("status")[:1]),
            latest_run_at=Subquery(latest_run.values("created_at")[:1]),
        )
        .order_by("-start_date", "name")
    )


@dataclass
class MatchingOverview:
    mentees: int = 0
    mentees_waiting: int = 0
    mentees_training: int = 0
    mentees_paired: int = 0
    mentors: int = 0
    mentors_available: int = 0
    mentors_training: int = 0
    free_places: int = 0


def program_matching_overview(*, program: Program) -> MatchingOverview:
    """Who can be matched now, and who is held back (training, already paired).

    Two queries, counted by the database: the program's required modules, then one
    grouped count over the matching pool (``matching.pool.participants_queryset``'s people).
    Set-based: training done is one semi-join per required module, paired one with the
    live pairings, a mentor's live pairings a join; no subquery per participant (whose
    estimated cost made PostgreSQL compile the query with JIT, 60 ms at 5,000 people)
    and no participant row leaves the database."""
    required: dict[str, list[int]] = {Role.MENTEE: [], Role.MENTOR: []}
    for pk, audience in TrainingModule.objects.filter(program=program, required=True).values_list("pk", "audience"):
        for role, modules in required.items():
            if audience in (TrainingModule.Audience.BOTH, f"{role}s"):
                modules.append(pk)
    trained = Q(pk__in=[])
    for role, modules in required.items():
        condition = Q(role=role)
        for module in modules:
            condition &= Q(pk__in=TrainingCompletion.objects.filter(module=module).values("enrollment"))
        trained |= condition
    live = Pairing.LIVE_STATUSES
    capacity = Case(
        When(mentor_capacity__gte=1, then=F("mentor_capacity")), default=Value(program.default_mentor_capacity)
    )
    pool = (
        Enrollment.objects.filter(
            # matching.pool.participants_queryset's people (tests compare the two)
            Q(person__termination_date__isnull=True) | Q(person__termination_date__gt=timezone.localdate()),
            program=program,
            status=Enrollment.Status.APPROVED,
            role__in=[Role.MENTOR, Role.MENTEE],
        )
        .order_by()
        .annotate(
            trained=Case(When(trained, then=Value(True)), default=Value(False)),
            paired=Case(
                When(pk__in=Pairing.objects.live().filter(program=program).values("mentee"), then=Value(True)),
                default=Value(False),
            ),
            mentoring=Count("pairings_as_mentor", filter=Q(pairings_as_mentor__status__in=live)),
        )
        .annotate(free=Greatest(capacity - F("mentoring"), 0))
    )
    # Summed per (role, trained, paired, has a free place) by the database: at most 16 rows.
    sql, params = pool.values_list("role", "trained", "paired", "free").query.sql_with_params()
    overview = MatchingOverview()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT role, trained, paired, free > 0, COUNT(*), SUM(free) FROM ({sql}) pool "
            "GROUP BY role, trained, paired, free > 0",
            params,
        )
        for role, is_trained, is_paired, has_room, n, free in cursor.fetchall():
            if role == Role.MENTEE:
                overview.mentees += n
                if not is_trained:
                    overview.mentees_training += n
                elif is_paired:
                    overview.mentees_paired += n
                else:
                    overview.mentees_waiting += n
            else:
                overview.mentors += n
                if not is_trained:
                    overview.mentors_training += n
                elif has_room:
                    overview.mentors_available += n
                    overview.free_places += int(free)
    return overview


def match_runs_for_program(*, program: Program) -> QuerySet[MatchRun]:
    """The program's runs, newest first, with ``proposal_count``, counted for each run shown
    (a page of them) instead of over every run's proposals; without the runs' stats and
    criteria, which the list does not show (a run's stats hold its cohort)."""
    proposals = MatchProposal.objects.filter(run=OuterRef("pk")).order_by().values("run").annotate(n=Count("pk"))
    return (
        MatchRun.objects.filter(program=program)
        .select_related("started_by")
        .defer("stats", "criteria")
        .annotate(proposal_count=Coalesce(Subquery(proposals.values("n"), output_field=IntegerField()), 0))
        .order_by("-created_at", "-pk")
    )


def pair_overrides_for_program(*, program: Program) -> QuerySet[PairOverride]:
    return (
        PairOverride.objects.filter(program=program)
        .select_related("mentee__person", "mentor__person", "created_by")
        .order_by("kind", "mentee__person__last_name", "mentee__person__first_name", "pk")
    )


def program_participants(*, program: Program, role: str) -> QuerySet[Enrollment]:
    """Approved participants in ``role`` for HR's pickers."""
    return (
        Enrollment.objects.filter(program=program, role=role, status=Enrollment.Status.APPROVED)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )


#: The most participants the lock/exclude picker lists for one search.
PICKER_MATCHES = 20


def participants_matching(*, program: Program, role: str, text: str) -> QuerySet[Enrollment]:
    """Approved participants in ``role`` whose name or email holds every word of ``text``
    (none for no words). Slice it: the picker takes ``PICKER_MATCHES``."""
    words = text.split()
    queryset = program_participants(program=program, role=role).select_related("person__department")
    if not words:
        return queryset.none()
    for word in words:
        queryset = queryset.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    return queryset
