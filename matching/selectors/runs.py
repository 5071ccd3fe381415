"""A match run's page: its proposals (paged in two steps), unmatched mentees, the
comparison with the previous run (counted in SQL; groups under ``people.privacy``'s rules)
and the explanation of a score."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from matching.models import MatchProposal, MatchRun, PairOverride
from matching.pool import CRITERION_LABELS
from people import privacy
from programs.models import Enrollment, Role

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
