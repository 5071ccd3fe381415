"""The disclosure rules: which figures about people may be shown, and when.

Every breakdown, chart, table and CSV that counts people or their answers goes
through this module, so one rule holds everywhere. No other module defines a
threshold of its own (a test fails if one does). The rules, in plain words:

1. **The minimum group.** A figure about a group of people is shown only when
   the group has at least ``PRIVACY_MIN_GROUP`` people (a setting, default 5).
   Below that: "fewer than 5", never the figure.

2. **Nothing by subtraction** (complementary suppression, :func:`suppress`).
   When a breakdown hides a small group and shows the total, the hidden group
   could be worked out as the total minus the shown groups. So hidden groups
   (and "not shared") are pooled into "Other / not shown", and while that pool
   holds between 1 and ``PRIVACY_MIN_GROUP - 1`` people the smallest shown
   groups join it, until it holds at least the minimum. A population smaller
   than the minimum is not broken down at all.

3. **Rates by self-identified group** (:func:`outcome_rates_shown`). HR knows
   who was matched (the proposals carry names), so a rate such as "100%
   matched" for a group would tell them that everyone unmatched is outside
   that group. A rate is shown for a dimension only when every group in it,
   "not shared" included, has at least the minimum with the outcome and at
   least the minimum without it; otherwise none of that dimension's rates is
   shown (one hidden rate could be worked out from the others and the
   overall rate). Averages by group need the minimum of people who answered
   in every group.

4. **Nothing by comparing two moments** (:func:`release_refresh`). Diversity
   figures (the directory's self-identification overview, a program's D&I
   view and its CSV) are not live. They are *released*: computed and frozen,
   and computed again only once at least ``PRIVACY_MIN_GROUP`` people have
   joined, left or changed (their answers, their role, whether they were
   matched, their ratings) since the last release. Downloading the CSV
   before and after approving one applicant gives the same file; any change
   between two releases comes from at least five people at once.

5. **Anonymous survey answers** (``surveys.anonymity``) are stored with no
   link to the person and reach the results in batches of at least
   ``PRIVACY_MIN_GROUP``; until then they are sealed with a key the database
   does not hold.

Release fingerprints are keyed hashes (HMAC with the project's secret key) of
each person's record: the database holds no copy of anyone's answers in them,
and without the key they cannot be checked against guesses.

Comparing everyone's fingerprints on every view would make a page grow with the
company, so a release also keeps a keyed hash of the *data* its records were last
read from (:func:`rows_digest`: one aggregate query, the rows never leave the
database). While that data is unchanged the last comparison's answer stands and
the view reads neither the records nor the fingerprints; once anything changed,
the records are read and compared as above. A view never releases without that
full comparison, so the figures are the same as if every view compared.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

OTHER_LABEL = "Other / not shown"
NOT_SHARED_LABEL = "Not shared"
# The key under which "not shared" is counted in a breakdown (never a real answer).
NOT_SHARED = ""


def min_group() -> int:
    """The smallest group any figure may describe (``settings.PRIVACY_MIN_GROUP``)."""
    return int(settings.PRIVACY_MIN_GROUP)


def too_few_label() -> str:
    return f"fewer than {min_group()}"


def is_shown(count: int) -> bool:
    """Whether a figure about ``count`` people (or answers) may be shown."""
    return count >= min_group()


# --- Self-identification dimensions ----------------------------------------------------

DIMENSION_NAMES = ("gender", "age_band", "ethnicity", "disability", "lgbtq", "first_generation_professional")
FREE_TEXT_DIMENSIONS = ("ethnicity",)


def _dimension_label(name: str) -> str:
    from people.models import SelfIdentification

    label = str(SelfIdentification._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def dimensions() -> list[tuple[str, str]]:
    """(field name, label) for every question of the self-identification form."""
    return [(name, _dimension_label(name)) for name in DIMENSION_NAMES]


def answer_key(name: str, value: str | None) -> str:
    """The group an answer counts in: the stored code for a choice, the case- and
    space-insensitive text for free text; ``NOT_SHARED`` for a blank answer."""
    value = " ".join((value or "").split())
    if not value:
        return NOT_SHARED
    return value.casefold() if name in FREE_TEXT_DIMENSIONS else value


def answer_labels(name: str, spellings: dict[str, Counter]) -> dict[str, str]:
    """Group key -> the label shown: a choice's label, or the most used spelling of
    a free-text answer (ties broken alphabetically)."""
    from people.models import SelfIdentification

    choices = dict(SelfIdentification._meta.get_field(name).choices or [])
    labels = {NOT_SHARED: NOT_SHARED_LABEL}
    for key, counter in spellings.items():
        if key == NOT_SHARED:
            continue
        if name in FREE_TEXT_DIMENSIONS:
            labels[key] = min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
        else:
            labels[key] = str(choices.get(key, key))
    return labels


# --- Complementary suppression ----------------------------------------------------------


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    count: int


@dataclass
class Breakdown:
    """What may be shown of a population split into groups.

    ``shown`` are the groups shown with their counts (largest first, "not
    shared" last); ``other`` is the size of the "Other / not shown" pool (0, or
    at least the minimum); ``withheld`` is true when the population is too small
    to break down at all. ``total`` = sum of shown + other, always.
    """

    shown: list[Group] = field(default_factory=list)
    other: int = 0
    hidden_keys: set = field(default_factory=set)
    withheld: bool = False

    @property
    def total(self) -> int:
        return sum(group.count for group in self.shown) + self.other

    def rows(self) -> list[tuple[str, int]]:
        """(label, count) rows as a table shows them: the groups, then "Other / not shown"."""
        rows = [(group.label, group.count) for group in self.shown]
        if self.other:
            rows.append((OTHER_LABEL, self.other))
        return rows

    def label_of(self, key: str) -> str | None:
        """The row a member of group ``key`` is counted in (None when withheld)."""
        if self.withheld:
            return None
        if key in self.hidden_keys:
            return OTHER_LABEL
        for group in self.shown:
            if group.key == key:
                return group.label
        return OTHER_LABEL if self.other else None


def suppress(groups: Iterable[Group], *, minimum: int | None = None) -> Breakdown:
    """Complementary suppression of one breakdown (rule 2 above).

    Groups under the minimum are pooled into "Other / not shown"; while the pool
    is non-empty but under the minimum, the smallest shown group joins it. If
    nothing can be shown apart, the whole breakdown is withheld.
    """
    minimum = min_group() if minimum is None else minimum
    groups = [group for group in groups if group.count > 0]
    shown = sorted((g for g in groups if g.count >= minimum), key=lambda g: (-g.count, g.label))
    hidden = [g for g in groups if g.count < minimum]
    pooled = sum(g.count for g in hidden)
    while 0 < pooled < minimum and shown:
        smallest = min(shown, key=lambda g: (g.count, g.key != NOT_SHARED, g.label))
        shown.remove(smallest)
        hidden.append(smallest)
        pooled += smallest.count
    if 0 < pooled < minimum:
        # Only possible with nothing left to show: the whole population is under the minimum.
        return Breakdown(withheld=True, hidden_keys={g.key for g in groups})
    shown.sort(key=lambda g: (g.key == NOT_SHARED, -g.count, g.label))
    return Breakdown(shown=shown, other=pooled, hidden_keys={g.key for g in hidden})


def suppress_counts(counts: dict[str, int], labels: dict[str, str] | None = None) -> Breakdown:
    """:func:`suppress` over ``{key: count}`` (labels default to the keys)."""
    labels = labels or {}
    return suppress(Group(key, labels.get(key, key), n) for key, n in counts.items())


def outcome_rates_shown(cells: Iterable[tuple[int, int]]) -> bool:
    """Rule 3: whether the rates of one dimension may be shown, given every group's
    (with the outcome, population) pair. All of them or none."""
    minimum = min_group()
    cells = [(part, whole) for part, whole in cells if whole]
    return bool(cells) and all(part >= minimum and whole - part >= minimum for part, whole in cells)


def averages_shown(counts: Iterable[int]) -> bool:
    """Rule 3 for averages: every group has the minimum of people who answered."""
    counts = list(counts)
    return bool(counts) and all(count >= min_group() for count in counts)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- Self-identification breakdowns -----------------------------------------------------


def self_identification_breakdowns(records: Iterable[tuple]) -> dict[str, tuple[Breakdown, dict[str, str]]]:
    """Each dimension's :class:`Breakdown` over ``records`` (one tuple of the six
    stored answers per person, in ``DIMENSION_NAMES`` order), with the group key ->
    label map used to bucket people (see :meth:`Breakdown.label_of`)."""
    records = list(records)
    out = {}
    for index, name in enumerate(DIMENSION_NAMES):
        counts: Counter = Counter()
        spellings: dict[str, Counter] = {}
        for record in records:
            raw = " ".join((record[index] or "").split())
            key = answer_key(name, raw)
            counts[key] += 1
            spellings.setdefault(key, Counter())[raw] += 1
        labels = answer_labels(name, spellings)
        out[name] = (suppress(Group(key, labels[key], n) for key, n in counts.items()), labels)
    return out


# --- Releases: figures that change only when enough people changed ---------------------


def _secret() -> bytes:
    return hashlib.sha256(b"people.privacy.release\x1f" + settings.SECRET_KEY.encode()).digest()


def _fingerprint(key: str, person_id: int, record: tuple) -> str:
    message = f"{key}\x1f{person_id}\x1f{record!r}".encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()[:16]


def _fingerprints(key: str, records: dict[int, tuple]) -> list[str]:
    """Every record's :func:`_fingerprint`, sorted (the keyed hash set up once, not per person)."""
    keyed = hmac.new(_secret(), digestmod=hashlib.sha256)
    out = []
    for person_id, record in records.items():
        one = keyed.copy()
        one.update(f"{key}\x1f{person_id}\x1f{record!r}".encode())
        out.append(one.hexdigest()[:16])
    out.sort()
    return out


def people_changed(before: list[str], after: list[str]) -> int:
    """A lower bound on how many people joined, left or changed between two sets of
    fingerprints (a changed person removes one fingerprint and adds another)."""
    old, new = Counter(before), Counter(after)
    return max(sum((old - new).values()), sum((new - old).values()))


def rows_digest(queryset) -> str:
    """A digest of the rows of ``queryset`` (a ``values_list`` of distinct rows: include the
    primary key) whatever their order: it changes when a row is added, removed or changed.
    On PostgreSQL one aggregate query (the count and the sum of a 64-bit hash of each row;
    the rows never leave the database); elsewhere the rows are read and hashed here.
    Not secret: stored only as a keyed hash, by :func:`release_refresh`."""
    queryset = queryset.order_by()
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), COALESCE(SUM(hashtextextended(rows::text, 0)::numeric), 0) FROM ({sql}) AS rows",
                params,
            )
            count, total = cursor.fetchone()
        return f"{count}:{total}"
    count = total = 0
    for row in queryset.iterator():
        count += 1
        total += int.from_bytes(hashlib.blake2b(repr(tuple(row)).encode(), digest_size=8).digest(), "big")
    return f"{count}:{total}"


def _checked_state(key: str, state: str) -> str:
    # The rule's threshold is part of it: with another minimum the same data may need a release.
    message = f"{key}\x1f{min_group()}\x1f{state}".encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()[:32]


@dataclass
class Released:
    figures: object
    released_at: object
    population: int
    pending: bool  # some change is not reflected yet (never how much)


def release_refresh(
    *,
    key: str,
    records: dict[int, tuple] | Callable[[], dict[int, tuple]],
    compute: Callable[[], object],
    state: Callable[[], str] | None = None,
) -> Released:
    """Rule 4: the released figures for ``key``, released anew first if at least the
    minimum of people changed since the last release (or there is none yet).

    ``records`` holds (or returns, when callable: read only when needed), per person id,
    everything that feeds the figures about them; ``compute()`` computes the figures
    (JSON-serialisable) from the same data. ``state()``, if given, returns a digest of
    the data the records are read from (:func:`rows_digest`), the same whenever the
    records would be: while it equals the one of the last comparison, that comparison's
    answer is returned without reading the records (two small queries, whatever the
    number of people). Concurrent callers release once (the release row is locked).
    """
    from people.models import DisclosureRelease

    checked = ""
    if state is not None:
        checked = _checked_state(key, state())
        release = DisclosureRelease.objects.defer("fingerprints").filter(key=key).first()
        if release is not None and release.checked_state == checked:
            return Released(
                figures=release.figures,
                released_at=release.released_at,
                population=release.population,
                pending=release.checked_pending,
            )
    if callable(records):
        records = records()
    if checked and _checked_state(key, state()) != checked:
        checked = ""  # the data moved while the records were read: compare again next time
    fingerprints = _fingerprints(key, records)
    with transaction.atomic():
        release = DisclosureRelease.objects.select_for_update().filter(key=key).first()
        changed = people_changed(release.fingerprints, fingerprints) if release else None
        if release is None or changed >= min_group():
            figures = compute()
            release, _ = DisclosureRelease.objects.update_or_create(
                key=key,
                defaults={
                    "figures": figures,
                    "fingerprints": fingerprints,
                    "population": len(records),
                    "released_at": timezone.now(),
                    "checked_state": checked,
                    "checked_pending": False,
                },
            )
            changed = 0
        elif checked != release.checked_state or (changed > 0) != release.checked_pending:
            DisclosureRelease.objects.filter(pk=release.pk).update(checked_state=checked, checked_pending=changed > 0)
    return Released(
        figures=release.figures, released_at=release.released_at, population=release.population, pending=changed > 0
    )


def releases_forget(*, prefix: str = "") -> int:
    """Drop released figures (all, or those whose key starts with ``prefix``); the
    next read releases afresh. Used when a population is deleted."""
    from people.models import DisclosureRelease

    return DisclosureRelease.objects.filter(key__startswith=prefix).delete()[0]


# --- The directory's self-identification overview (HR) ---------------------------------

DIRECTORY_RELEASE_KEY = "directory:self-identification"


def _breakdown_figures(breakdown: Breakdown) -> dict:
    return {"withheld": breakdown.withheld, "rows": breakdown.rows()}


def directory_self_identification() -> Released:
    """The released overview of what current employees shared: per dimension, the
    rows (label, people) that may be shown. Figures are JSON:
    ``{"total": n, "dimensions": {name: {"withheld": bool, "rows": [[label, n], ...]}}}``.
    Two queries while nothing changed (a digest of the answers, the release); when
    something did, the answers are read and compared with the release's fingerprints."""
    from people.models import Person

    fields = [f"self_identification__{name}" for name in DIMENSION_NAMES]
    people = Person.objects.active().order_by().values_list("pk", *fields)
    rows: list[tuple] = []

    def records():
        rows.extend(people)
        return {
            row[0]: tuple(answer_key(name, value) for name, value in zip(DIMENSION_NAMES, row[1:], strict=True))
            for row in rows
        }

    def compute():
        breakdowns = self_identification_breakdowns(row[1:] for row in rows)
        return {
            "total": len(rows),
            "dimensions": {name: _breakdown_figures(breakdown) for name, (breakdown, _) in breakdowns.items()},
        }

    return release_refresh(
        key=DIRECTORY_RELEASE_KEY, records=records, compute=compute, state=lambda: rows_digest(people)
    )
