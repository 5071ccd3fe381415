"""Reads for matching pages: HR's program overview, runs and their comparison,
pairings lists, a participant's own matches, a mentee's suggestions and a
mentor's requests. Every list is built with a fixed number of queries.

Diversity data (``people.SelfIdentification``) is read only by
``run_comparison`` for HR admins, only as match rates under the rules of
``people.privacy`` (pooled groups, enough people matched and not matched in
every group, and never for two runs that differ by a handful of mentees).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from matching.models import MatchProposal, MatchRun, MentorshipRequest, Pairing, PairOverride
from matching.pool import CRITERION_LABELS
from matching.services import SELF_SELECT_MODES, SELF_SELECT_STATUSES, matching_criteria_get_or_create
from people import privacy
from people.models import Language
from programs.models import Enrollment, EnrollmentSkill, Objective, Program, Role, TrainingCompletion, TrainingModule

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


# --- HR: a run --------------------------------------------------------------------------

PROPOSAL_SORTS = {
    "score": ("score", "pk"),
    "-score": ("-score", "pk"),
    "mentee": ("mentee__person__last_name", "mentee__person__first_name", "pk"),
    "mentor": ("mentor__person__last_name", "mentor__person__first_name", "pk"),
}


def run_proposals(*, run: MatchRun, sort: str = "-score") -> QuerySet[MatchProposal]:
    return (
        run.proposals.select_related(
            "mentee__person__department",
            "mentee__person__location",
            "mentor__person__department",
            "mentor__person__location",
        )
        .annotate(
            is_excluded=Exists(
                PairOverride.objects.filter(
                    program=run.program_id,
                    mentee=OuterRef("mentee"),
                    mentor=OuterRef("mentor"),
                    kind=PairOverride.Kind.EXCLUDE,
                )
            ),
            is_locked=Exists(
                PairOverride.objects.filter(
                    program=run.program_id,
                    mentee=OuterRef("mentee"),
                    mentor=OuterRef("mentor"),
                    kind=PairOverride.Kind.LOCK,
                )
            ),
        )
        .order_by(*PROPOSAL_SORTS.get(sort, PROPOSAL_SORTS["-score"]))
    )


def run_unmatched_mentees(*, run: MatchRun, limit: int = 100) -> tuple[int, list[Enrollment]]:
    """How many considered mentees got no proposal, and the first ``limit`` of them by
    name. Two queries; the proposals stay in the database."""
    missing = Enrollment.objects.filter(program=run.program_id, pk__in=_considered(run.pk)).exclude(
        Exists(MatchProposal.objects.filter(run=run.pk, mentee=OuterRef("pk")))
    )
    people = list(missing.select_related("person").order_by("person__last_name", "person__first_name", "pk")[:limit])
    return missing.count(), people


def run_previous(*, run: MatchRun) -> MatchRun | None:
    """The program's run before this one that finished (to compare with)."""
    return (
        MatchRun.objects.filter(
            Q(created_at__lt=run.created_at) | Q(created_at=run.created_at, pk__lt=run.pk),
            program=run.program_id,
            status__in=[MatchRun.Status.DONE, MatchRun.Status.PUBLISHED],
        )
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass
class Rate:
    matched: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.matched / self.total, 1) if self.total else None


@dataclass
class ComparisonRow:
    label: str
    current: Rate | None
    previous: Rate | None

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        if self.current.percent is None or self.previous.percent is None:
            return None
        return round(self.current.percent - self.previous.percent, 1)


@dataclass
class RunComparison:
    current: MatchRun
    previous: MatchRun | None
    departments: list[ComparisonRow] = field(default_factory=list)
    locations: list[ComparisonRow] = field(default_factory=list)
    #: (dimension label, rows); empty unless the viewer is an HR admin
    diversity: list[tuple[str, list[ComparisonRow]]] = field(default_factory=list)
    #: dimensions whose rates ``people.privacy`` does not allow for this run
    diversity_hidden: list[str] = field(default_factory=list)
    #: a run that differs from this one by too few mentees to show any breakdown by group
    diversity_blocked_by: MatchRun | None = None
    #: (setting, before, after) for every criterion that differs from the previous run
    criteria_changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(measure, this run, previous run) as display strings."""

        def stats(run):
            return (run.stats or {}) if run is not None else None

        def fmt(values, key, pattern="{:g}"):
            if values is None:
                return "—"
            value = values.get(key)
            return pattern.format(value) if value is not None else "—"

        now, before = stats(self.current), stats(self.previous)
        return [
            ("Mentees considered", fmt(now, "mentees"), fmt(before, "mentees")),
            ("Matched", fmt(now, "matched_pct", "{:g}%"), fmt(before, "matched_pct", "{:g}%")),
            ("Mentees matched", fmt(now, "matched"), fmt(before, "matched")),
            ("Average score", fmt(now, "avg_score"), fmt(before, "avg_score")),
            ("Lowest score", fmt(now, "min_score"), fmt(before, "min_score")),
            ("Locked pairs used", fmt(now, "locked"), fmt(before, "locked")),
        ]


def criteria_changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """The settings that differ between two runs' criteria, in words."""
    from matching.forms import MatchingCriteriaForm

    form = MatchingCriteriaForm()
    out = []
    for name, form_field in form.fields.items():
        old, new = (before or {}).get(name), (after or {}).get(name)
        if old == new:
            continue
        choices = dict(getattr(form_field, "choices", []) or [])

        def show(value, choices=choices):
            if value is None or value == "":
                return "—"
            if isinstance(value, bool):
                return "Yes" if value else "No"
            return str(choices.get(value, f"{value:g}" if isinstance(value, float) else value))

        out.append((str(form_field.label or name).replace(" …", ""), show(old), show(new)))
    return out


# A run's cohort (the mentees it considered) is the list ``stats["mentee_ids"]`` it saved.
# The database reads it where it is needed, so no page loads the lists of a program's runs:
# ``jsonb_array_elements`` on PostgreSQL, ``json_each`` on SQLite (one row per mentee id).
_RUNS = MatchRun._meta.db_table


def _cohort_each(stats: str) -> str:
    """A FROM item listing the mentee ids in the stats column ``stats`` as ``e.value``."""
    if connection.vendor == "postgresql":  # (not an array, e.g. null: no mentee)
        ids = f"{stats} -> 'mentee_ids'"
        return f"jsonb_array_elements(CASE jsonb_typeof({ids}) WHEN 'array' THEN {ids} END) AS e"
    return f"json_each({stats}, '$.mentee_ids') AS e"


def _cohort_value() -> str:
    """``e.value`` of :func:`_cohort_each` as a number, to compare with ids."""
    return "(e.value)::bigint" if connection.vendor == "postgresql" else "e.value"


def _considered(run_id: int) -> RawSQL:
    """The mentees run ``run_id`` considered (its cohort), as a subquery of their ids:
    ``filter(pk__in=_considered(run.pk))``. An unknown run, or one without a cohort, has none."""
    return RawSQL(
        f"SELECT {_cohort_value()} FROM {connection.ops.quote_name(_RUNS)} AS r, {_cohort_each('r.stats')} "
        "WHERE r.id = %s",
        (run_id,),
    )


def _cohort_size() -> RawSQL:
    """How many mentees the run of the current ``MatchRun`` row considered (correlated)."""
    return RawSQL(f"SELECT COUNT(DISTINCT {_cohort_value()}) FROM {_cohort_each(_column('stats'))}", (), IntegerField())


def _column(name: str) -> str:
    """The current ``MatchRun`` row's column, for a correlated subquery in an annotation."""
    return f"{connection.ops.quote_name(_RUNS)}.{connection.ops.quote_name(name)}"


def _mentee_counts(run: MatchRun, fields: tuple[str, ...]) -> list[Counter]:
    """For each of ``fields``: (value, matched) -> how many of the run's considered
    mentees, still mentees of the program, have that value and are matched or not.

    One statement: the run's mentees with their values and whether a proposal matched
    them (a common table expression), then a small GROUP BY per field (``UNION ALL``).
    Grouping by every field at once instead returned a row per combination of answers,
    nearly one per mentee; this returns a few rows per field whatever the cohort."""
    mentees = (
        Enrollment.objects.filter(program=run.program_id, role=Role.MENTEE, pk__in=_considered(run.pk))
        .annotate(matched=Exists(MatchProposal.objects.filter(run=run.pk, mentee=OuterRef("pk"))))
        .order_by()
        .values_list(*fields, "matched")
    )
    sql, params = mentees.query.sql_with_params()
    columns = [f"c{index}" for index in range(len(fields))]
    groups = " UNION ALL ".join(
        f"SELECT {index}, {column}, matched, COUNT(*) FROM cohort GROUP BY {column}, matched"
        for index, column in enumerate(columns)
    )
    counts = [Counter() for _ in fields]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH cohort ({', '.join(columns)}, matched) AS ({sql}) {groups}", params)
        for index, value, matched, n in cursor.fetchall():
            counts[index][value, bool(matched)] += n
    return counts


def _group_rates(counts: Counter) -> dict[str, Rate]:
    """label -> Rate from (value, matched) -> mentees (departments, locations)."""
    sizes: Counter = Counter()
    hits: Counter = Counter()
    for (value, matched), n in counts.items():
        label = value or ""
        sizes[label] += n
        hits[label] += n if matched else 0
    return {label: Rate(hits[label], sizes[label]) for label in sizes}


def _diversity_rates_from_counts(counts: Counter, dimension: str) -> dict[str, Rate] | None:
    """Match rates by self-identified group for one run and one dimension, from
    (stored answer, matched) -> mentees, or None when ``people.privacy`` does not allow
    them: groups pooled by complementary suppression, and rates only when every group has
    enough mentees matched and not matched."""
    sizes_by_key: Counter = Counter()
    spellings: dict[str, Counter] = {}
    for (raw, _matched), n in counts.items():
        key = privacy.answer_key(dimension, raw)
        sizes_by_key[key] += n
        spellings.setdefault(key, Counter())[" ".join((raw or "").split())] += n
    labels = privacy.answer_labels(dimension, spellings)
    breakdown = privacy.suppress_counts(sizes_by_key, labels)
    if breakdown.withheld:
        return None
    sizes: Counter = Counter()
    hits: Counter = Counter()
    for (raw, matched), n in counts.items():
        label = breakdown.label_of(privacy.answer_key(dimension, raw))
        sizes[label] += n
        hits[label] += n if matched else 0
    if not privacy.outcome_rates_shown((hits[label], sizes[label]) for label in sizes):
        return None
    return {label: Rate(hits[label], sizes[label]) for label in sizes}


def _diversity_rates(
    values: dict[int, str], considered: list[int], matched: set[int], dimension: str
) -> dict[str, Rate] | None:
    """:func:`_diversity_rates_from_counts` for mentees given one by one (id -> answer)."""
    return _diversity_rates_from_counts(Counter((values.get(pk), pk in matched) for pk in considered), dimension)


def diversity_blocked_by(*, run: MatchRun) -> MatchRun | None:
    """The run whose comparison with ``run`` would single people out, if any.

    HR knows who each run matched, so two runs whose mentees (or whose matched
    mentees) differ by between 1 and ``PRIVACY_MIN_GROUP - 1`` people would, side
    by side, tell those people's groups. Such a run's breakdown by self-identified
    group is not shown.

    Counted, not listed: for runs A and B with considered mentees C and matched M (a run
    proposes only mentees it considered, so M is within C), the mentees whose record
    differs are C_A △ C_B plus, among the mentees both considered,
    |M_A| + |M_B| - 2|M_A ∩ M_B| - |M_A ∩ (C_A - C_B)| - |M_B ∩ (C_B - C_A)|.

    The database counts: the size of each finished run's cohort (query 1); for the runs
    whose size is within the minimum of this one's (|C_A △ C_B| is at least the
    difference of the sizes), how many mentees both considered (query 2); for those whose
    cohorts differ by fewer than the minimum, the matched figures (query 3). No cohort
    list leaves the database, whatever the number of runs and mentees.
    """
    minimum = privacy.min_group()
    finished = MatchRun.objects.filter(
        program=run.program_id, status__in=(MatchRun.Status.DONE, MatchRun.Status.PUBLISHED)
    )
    sizes = dict(finished.annotate(size=_cohort_size()).values_list("pk", "size"))
    mine = sizes.pop(run.pk, None)
    if mine is None:
        return None
    candidates = [pk for pk, size in sizes.items() if abs(size - mine) < minimum]
    if not candidates:
        return None
    both = RawSQL(
        f"SELECT COUNT(DISTINCT {_cohort_value()}) FROM {_cohort_each(_column('stats'))} "
        f"WHERE {_cohort_value()} IN ({_considered(run.pk).sql})",
        (run.pk,),
        IntegerField(),
    )
    close = {
        pk: sizes[pk] + mine - 2 * shared
        for pk, shared in finished.filter(pk__in=candidates).annotate(both=both).values_list("pk", "both")
        if sizes[pk] + mine - 2 * shared < minimum
    }
    if not close:
        return None

    def counted(queryset):
        return Coalesce(
            Subquery(queryset.order_by().values("run").annotate(n=Count("pk")).values("n"), IntegerField()), 0
        )

    theirs = MatchProposal.objects.filter(run=OuterRef("pk"))
    ours = MatchProposal.objects.filter(run=run.pk)
    their_cohort = RawSQL(f"SELECT {_cohort_value()} FROM {_cohort_each(_column('stats'))}", ())
    figures = (
        finished.filter(pk__in=close)
        .defer("stats", "criteria")
        .annotate(
            matched_mine=counted(ours),
            matched_theirs=counted(theirs),
            matched_both=counted(theirs.filter(mentee__in=ours.values("mentee"))),
            mine_apart=counted(ours.exclude(mentee__in=their_cohort)),
            theirs_apart=counted(theirs.exclude(mentee__in=_considered(run.pk))),
        )
        .order_by("-pk")
    )
    for other in figures:
        differ = (
            close[other.pk]
            + other.matched_mine
            + other.matched_theirs
            - 2 * other.matched_both
            - other.mine_apart
            - other.theirs_apart
        )
        if 0 < differ < minimum:
            return other
    return None


def _rows(current: dict[str, Rate], previous: dict[str, Rate] | None) -> list[ComparisonRow]:
    labels = list(current)
    for label in previous or {}:
        if label not in current:
            labels.append(label)
    fixed_last = [x for x in labels if x in (privacy.OTHER_LABEL, privacy.NOT_SHARED_LABEL)]
    labels = sorted((x for x in labels if x not in fixed_last), key=str.casefold) + fixed_last
    return [ComparisonRow(label, current.get(label), (previous or {}).get(label)) for label in labels]


def run_comparison(*, run: MatchRun, previous: MatchRun | None, viewer) -> RunComparison:
    """Match rates per department, location and (HR admins only, under ``people.privacy``)
    self-identified group, for a run and the one before.

    The database counts each run's mentees per department, location and answer, matched
    or not (``_mentee_counts``, one query per run): no proposal is loaded. For HR admins,
    also the queries of each ``diversity_blocked_by`` (one to three)."""
    comparison = RunComparison(current=run, previous=previous)
    if previous is not None:
        comparison.criteria_changes = criteria_changes(previous.criteria, run.criteria)
    include_diversity = bool(getattr(viewer, "is_hr_admin", False))
    fields = ("person__department__name", "person__location__name")
    if include_diversity:
        fields += tuple(f"person__self_identification__{name}" for name in privacy.DIMENSION_NAMES)
    current = _mentee_counts(run, fields)
    before = _mentee_counts(previous, fields) if previous is not None else None
    for attr, index in (("departments", 0), ("locations", 1)):
        rates = _group_rates(before[index]) if before is not None else None
        setattr(comparison, attr, _rows(_group_rates(current[index]), rates))
    if not include_diversity:
        return comparison
    comparison.diversity_blocked_by = diversity_blocked_by(run=run)
    if comparison.diversity_blocked_by is not None:
        return comparison
    previous_shown = before is not None and diversity_blocked_by(run=previous) is None
    for index, (name, label) in enumerate(privacy.dimensions(), start=2):
        rates = _diversity_rates_from_counts(current[index], name)
        if rates is None:
            comparison.diversity_hidden.append(label)
            continue
        earlier = _diversity_rates_from_counts(before[index], name) if previous_shown else None
        comparison.diversity.append((label, _rows(rates, earlier)))
    return comparison


# --- HR: pairings -----------------------------------------------------------------------


def pairings_for_program(*, program: Program, status: str = "") -> QuerySet[Pairing]:
    queryset = Pairing.objects.filter(program=program)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("mentor__person", "mentee__person", "ended_by").order_by(
        "mentee__person__last_name", "mentee__person__first_name", "-created_at", "-pk"
    )


def pairing_status_counts(*, program: Program) -> dict[str, int]:
    return dict(Pairing.objects.filter(program=program).order_by().values_list("status").annotate(n=Count("pk")))


# --- Participants -----------------------------------------------------------------------


@dataclass
class InCommon:
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)


def _in_common(pairing: Pairing) -> InCommon:
    wanted = {s.skill_id: s.skill.name for s in pairing.mentee.skills.all() if s.direction == "wants"}
    offered = {s.skill_id for s in pairing.mentor.skills.all() if s.direction == "has"}
    mentee_languages = {language.pk: language.name for language in pairing.mentee.person.languages.all()}
    mentor_languages = {language.pk for language in pairing.mentor.person.languages.all()}
    labels = dict(Objective.choices)
    goals = [
        labels.get(code, code) for code in pairing.mentee.objectives or [] if code in (pairing.mentor.objectives or [])
    ]
    return InCommon(
        skills=sorted(name for pk, name in wanted.items() if pk in offered),
        languages=sorted(name for pk, name in mentee_languages.items() if pk in mentor_languages),
        goals=goals,
    )


def pairings_for_participant(*, user) -> list[Pairing]:
    """The user's own pairings (as mentor or mentee), newest first, each with ``my_role``,
    ``partner``, ``in_common`` and the ``max_points`` of the run that proposed it. Eight
    queries however many pairings and runs.

    The user's enrollments are read first, so that the pairings are found on the mentor
    and mentee indexes (an OR across the two people joins read every pairing of the
    company); of the run, only its criteria's maximum points are read (not its stats)."""
    mine = list(Enrollment.objects.filter(person__user=user).values_list("pk", flat=True))
    skills = Prefetch("skills", queryset=EnrollmentSkill.objects.select_related("skill"))
    languages = Prefetch("languages", queryset=Language.objects.order_by("name"))
    pairings = list(
        Pairing.objects.filter(Q(mentor__in=mine) | Q(mentee__in=mine))
        .select_related(
            "program",
            "mentor__person__department",
            "mentor__person__location",
            "mentee__person__department",
            "mentee__person__location",
        )
        .annotate(run_max_points=KeyTransform("max_points", "match_run__stats"))
        .prefetch_related(
            Prefetch("mentor__skills", queryset=skills.queryset),
            Prefetch("mentee__skills", queryset=skills.queryset),
            Prefetch("mentor__person__languages", queryset=languages.queryset),
            Prefetch("mentee__person__languages", queryset=languages.queryset),
        )
        .order_by("-created_at", "-pk")
    )
    for pairing in pairings:
        is_mentor = pairing.mentor.person.user_id == user.pk
        pairing.my_role = Role.MENTOR if is_mentor else Role.MENTEE
        pairing.partner = pairing.mentee if is_mentor else pairing.mentor
        pairing.my_confirmed_at = pairing.mentor_confirmed_at if is_mentor else pairing.mentee_confirmed_at
        pairing.partner_confirmed_at = pairing.mentee_confirmed_at if is_mentor else pairing.mentor_confirmed_at
        pairing.in_common = _in_common(pairing)
        pairing.max_points = pairing.run_max_points or {}
    return pairings


def self_select_enrollments(*, user) -> QuerySet[Enrollment]:
    """The user's mentee enrollments in programs where mentees may pick their mentor now."""
    return (
        Enrollment.objects.filter(
            person__user=user,
            role=Role.MENTEE,
            status=Enrollment.Status.APPROVED,
            program__matching_mode__in=SELF_SELECT_MODES,
            program__status__in=SELF_SELECT_STATUSES,
        )
        .select_related("program", "person")
        .order_by("program__start_date", "program__name")
    )


@dataclass
class Suggestion:
    mentor: Enrollment
    score: float
    explanation: dict[str, float]
    max_points: dict[str, float]


@dataclass
class Suggestions:
    enrollment: Enrollment
    items: list[Suggestion] = field(default_factory=list)
    #: why there are no suggestions to pick from (empty: there are)
    blocker: str = ""
    pending: MentorshipRequest | None = None
    pairing: Pairing | None = None
    #: how long a mentor has to answer a request
    expiry_days: int = 0


def mentor_suggestions(*, enrollment: Enrollment) -> Suggestions:
    """A self-select mentee's best mentors now, each with the explanation of its score.

    Ranks every available mentor for the mentee and keeps the best
    ``suggestions_shown``. Exposure: a mentor with ``free places x exposure_multiple``
    or more pending requests is skipped, so a popular mentor is not flooded while
    others wait. With a "only good matches" objective, mentors under its minimum
    score are not suggested. A constant number of queries.
    """
    program = enrollment.program
    result = Suggestions(enrollment=enrollment)
    if program.matching_mode not in SELF_SELECT_MODES:
        result.blocker = f"In {program.name}, HR matches mentees with mentors."
        return result
    if program.status not in SELF_SELECT_STATUSES:
        result.blocker = (
            f"{program.name} is {program.get_status_display().lower()}: you can pick a mentor once matching opens."
        )
        return result
    if enrollment.role != Role.MENTEE or enrollment.status != Enrollment.Status.APPROVED:
        result.blocker = "Only approved mentees can pick a mentor."
        return result
    result.pairing = (
        Pairing.objects.live().filter(mentee=enrollment).select_related("mentor__person").order_by("-pk").first()
    )
    if result.pairing is not None:
        result.blocker = f"You already have a match: {result.pairing.mentor.person.full_name}."
        return result
    result.pending = (
        MentorshipRequest.objects.filter(mentee=enrollment, status=MentorshipRequest.Status.PENDING)
        .select_related("mentor__person")
        .first()
    )
    if result.pending is not None:
        result.blocker = "Your request is waiting for an answer. You can withdraw it to ask someone else."
        return result

    # numpy and the engine: loaded by the process that scores, not by every web page.
    import numpy as np

    from matching.features import MatchSettings, cohort_load
    from matching.scoring import cohort_score

    criteria = matching_criteria_get_or_create(program=program)
    result.expiry_days = criteria.request_expiry_days
    cohort = cohort_load(program=program, mentee_ids=[enrollment.pk])
    if not cohort.mentees:
        result.blocker = "Finish your required training first: then you can pick a mentor."
        return result
    settings = MatchSettings.from_criteria(criteria)
    scored = cohort_score(cohort=cohort, settings=settings)
    pending = dict(
        MentorshipRequest.objects.filter(program=program, status=MentorshipRequest.Status.PENDING)
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values_list("mentor", "n")
    )
    row = scored.scores[0]
    order = sorted(
        (j for j in np.nonzero(np.isfinite(row))[0]), key=lambda j: (-row[j], cohort.mentors[j].enrollment_id)
    )
    chosen: list[int] = []
    for j in order:
        mentor = cohort.mentors[j]
        if pending.get(mentor.enrollment_id, 0) >= criteria.exposure_multiple * mentor.free_capacity:
            continue
        if settings.min_score is not None and row[j] < settings.min_score:
            continue
        chosen.append(int(j))
        if len(chosen) >= criteria.suggestions_shown:
            break
    scored.pair_parts([(0, j) for j in chosen])
    mentors = Enrollment.objects.select_related("person__department", "person__location", "person__user").in_bulk(
        [cohort.mentors[j].enrollment_id for j in chosen]
    )
    result.items = [
        Suggestion(
            mentor=mentors[cohort.mentors[j].enrollment_id],
            score=scored.score(0, j),
            explanation=scored.explanation(0, j),
            max_points=scored.max_points,
        )
        for j in chosen
        if cohort.mentors[j].enrollment_id in mentors
    ]
    if not result.items:
        result.blocker = "No mentor has a free place that suits you right now. Check again in a few days."
    return result


def requests_for_mentee(*, enrollment: Enrollment, limit: int = 10) -> list[MentorshipRequest]:
    return list(
        MentorshipRequest.objects.filter(mentee=enrollment)
        .select_related("mentor__person")
        .order_by("-created_at", "-pk")[:limit]
    )


def requests_for_mentor(*, user) -> QuerySet[MentorshipRequest]:
    """Requests addressed to the user as a mentor, waiting ones first."""
    return (
        MentorshipRequest.objects.filter(mentor__person__user=user)
        .select_related("program", "mentee__person__department", "mentee__person__location")
        .prefetch_related(Prefetch("mentee__skills", queryset=EnrollmentSkill.objects.select_related("skill")))
        .annotate(
            waiting_first=Case(
                When(status=MentorshipRequest.Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting_first", "-created_at", "-pk")
    )


def mentor_places(*, user) -> list[Enrollment]:
    """The user's mentor enrollments with ``live_pairings`` and ``free_places``. One query."""
    live = Pairing.objects.live().filter(mentor=OuterRef("pk")).order_by().values("mentor").annotate(n=Count("pk"))
    enrollments = list(
        Enrollment.objects.filter(person__user=user, role=Role.MENTOR, status=Enrollment.Status.APPROVED)
        .select_related("program")
        .annotate(live_pairings=Coalesce(Subquery(live.values("n"), output_field=IntegerField()), 0))
        .order_by("program__name")
    )
    for enrollment in enrollments:
        enrollment.free_places = max(enrollment.capacity - enrollment.live_pairings, 0)
    return enrollments


def explanation_rows(explanation: dict, max_points: dict | None = None) -> list[dict]:
    """An explanation as display rows: label, points, the most it could give, bar width (%)."""
    explanation = explanation or {}
    max_points = max_points or {}
    top = max([float(v) for v in explanation.values()] + [0.0])
    rows = []
    for name, label in CRITERION_LABELS.items():
        if name not in explanation:
            continue
        points = float(explanation[name])
        most = max_points.get(name)
        base = float(most) if most else top
        rows.append(
            {
                "name": name,
                "label": label,
                "points": points,
                "max": most,
                "width": round(100 * points / base) if base > 0 else 0,
            }
        )
    return rows
