"""The adapter between a cohort and the engine: scores on a 0-100 scale with a
per-criterion explanation, HR's locked pairs, and the assignment itself.

Pure (no queries), so property tests can drive it with random cohorts.

Scale: a pair's score is ``100 * sum(weight_c * part_c) / sum(weight_c)`` over the
criteria that count (each engine part is in [0, 1]); the explanation gives each
criterion's points, which add up to the score. Meeting format is scored here
(the engine has no such criterion): 1 when the two people accept a common
format (video, in person), else 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matching import engine
from matching.features import CRITERIA, HARD_CONSTRAINT_LABELS, Cohort, MatchSettings

#: Explanations and scores are shown with one decimal; the parts are rounded first so they add up.
DECIMALS = 1


@dataclass
class ScoredCohort:
    """Scores of every pair of a cohort; explanations are computed on demand for the
    pairs that need one (a dense matrix per criterion would not fit for large cohorts)."""

    cohort: Cohort
    settings: MatchSettings
    #: (mentees, mentors): 0-100, ``-inf`` where a hard constraint forbids the pair
    scores: np.ndarray
    #: criterion -> weight that counts for this cohort
    weights: dict[str, float]
    #: points per unit of weight (100 / sum of the weights)
    scale: float
    _cache: dict[tuple[int, int], dict[str, float]] = field(default_factory=dict, repr=False)

    @property
    def max_points(self) -> dict[str, float]:
        """Criterion -> the most points it can give (they add up to 100)."""
        return {name: round(w * self.scale, DECIMALS) for name, w in self.weights.items()}

    def pair_parts(self, pairs: list[tuple[int, int]]) -> list[dict[str, float]]:
        """Unrounded points per criterion for each (mentee row, mentor column) pair.

        Computed for these pairs only (a run explains its proposals, not every pair)."""
        missing = [pair for pair in dict.fromkeys(pairs) if pair not in self._cache]
        if missing:
            rows = np.array([i for i, _ in missing], dtype=np.int64)
            cols = np.array([j for _, j in missing], dtype=np.int64)
            parts = {name: values.tolist() for name, values in _parts(self, rows, cols).items()}
            for k, pair in enumerate(missing):
                self._cache[pair] = {name: values[k] for name, values in parts.items()}
        return [self._cache[pair] for pair in pairs]

    def explained(self, pairs: list[tuple[int, int]]) -> list[tuple[float, dict[str, float]]]:
        """``(score, explanation)`` of each pair, as :meth:`score` and :meth:`explanation` give them.

        For many pairs at once (a run's proposals): computed column by column, not cached."""
        if not pairs:
            return []
        rows = np.array([i for i, _ in pairs], dtype=np.int64)
        cols = np.array([j for _, j in pairs], dtype=np.int64)
        parts = _parts(self, rows, cols)
        names = list(parts)
        rounded = [[round(points, DECIMALS) for points in values.tolist()] for values in parts.values()]
        by_pair = zip(*rounded, strict=True) if rounded else [()] * len(pairs)  # no criterion: 0 points
        return [(round(sum(points), DECIMALS), dict(zip(names, points, strict=True))) for points in by_pair]

    def explanation(self, i: int, j: int) -> dict[str, float]:
        """Criterion -> points (rounded) for one pair; the values add up to :meth:`score`."""
        return {name: round(points, DECIMALS) for name, points in self.pair_parts([(i, j)])[0].items()}

    def score(self, i: int, j: int) -> float:
        return round(sum(self.explanation(i, j).values()), DECIMALS)

    def mentees_without_option(self) -> int:
        """How many mentees no mentor may be matched with (a hard rule against every pair)."""
        return int((self.scores.max(axis=1, initial=-np.inf) == -np.inf).sum())

    def allowed(self, i: int, j: int) -> bool:
        return bool(np.isfinite(self.scores[i, j]))

    def reasons(self, i: int, j: int) -> list[str]:
        """Why the pair is forbidden, in words (empty when it is allowed)."""
        cohort = self.cohort
        engine_masks = engine.hard_constraint_masks(
            _take(cohort.mentee_features, np.array([i])),
            _take(cohort.mentor_features, np.array([j])),
            rules=self.settings.rules,
        )
        names = [name for name, pairs in cohort.blocked.items() if pairs[i, j]]
        names += [name for name, mask in engine_masks.items() if mask[0, 0]]
        return [HARD_CONSTRAINT_LABELS.get(name, name) for name in names]


def _take(features: engine.Features, index: np.ndarray) -> engine.Features:
    """The same features for the people at ``index`` (repeats allowed)."""
    values = {}
    for name in engine.Features.__dataclass_fields__:
        value = getattr(features, name)
        if value is None:
            values[name] = None
        elif name == "answers":
            values[name] = [np.asarray(q)[index] for q in value]
        else:
            values[name] = np.asarray(value)[index]
    return engine.Features(**values)


def _meeting_format_part(mentee_flags, mentor_flags) -> np.ndarray:
    """1 where the two accept a common meeting format (video, in person), else 0."""
    fa = np.asarray(mentee_flags, dtype=np.int64).reshape(-1)
    fb = np.asarray(mentor_flags, dtype=np.int64).reshape(-1)
    return ((fa[:, None] & fb[None, :]) > 0).astype(np.float64)


def _engine_points(scored_weights: dict[str, float], scale: float) -> dict[str, float]:
    """The engine criteria's weights in points: their parts come out on the 0-100 scale."""
    return {name: w * scale for name, w in scored_weights.items() if name in engine.CRITERIA}


def _parts(scored: ScoredCohort, rows: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
    """Points per criterion for the pairs (rows[k], cols[k]), in display order."""
    cohort, weights = scored.cohort, scored.weights
    mentees = _take(cohort.mentee_features, rows)
    mentors = _take(cohort.mentor_features, cols)
    out = engine.score_pairwise(mentees, mentors, _engine_points(weights, scored.scale), rules=scored.settings.rules)
    if "meeting_format" in weights:
        fa = np.asarray(mentees.meeting_format, dtype=np.int64)
        fb = np.asarray(mentors.meeting_format, dtype=np.int64)
        out["meeting_format"] = ((fa & fb) > 0) * (weights["meeting_format"] * scored.scale)
    return {name: out[name] for name in CRITERIA if name in out}


def cohort_score(*, cohort: Cohort, settings: MatchSettings) -> ScoredCohort:
    n, m = len(cohort.mentees), len(cohort.mentors)
    active = settings.active_weights(has_questions=cohort.has_questions)
    total_weight = sum(active.values())
    scale = 100.0 / total_weight if total_weight else 0.0
    weights = {name: active[name] for name in CRITERIA if name in active}
    if n and m:
        # Weights in points, so the engine's sums are the scores (no pass to rescale them).
        scores, _ = engine.score_pairs(
            cohort.mentee_features,
            cohort.mentor_features,
            _engine_points(weights, scale),
            rules=settings.rules,
            return_parts=False,
        )
        if "meeting_format" in weights:
            _add_meeting_format(scores, cohort, weights["meeting_format"] * scale)
        for pairs in cohort.blocked.values():
            scores[pairs.rows, pairs.cols] = -np.inf
    else:
        scores = np.zeros((n, m))
    return ScoredCohort(cohort=cohort, settings=settings, scores=scores, weights=weights, scale=scale)


def _add_meeting_format(scores: np.ndarray, cohort: Cohort, points: float) -> None:
    """Add the meeting-format points in row blocks (no full-size temporary). They take one of
    two values per (mentee flags, mentor) pair, so they come from a small table; a forbidden
    pair stays at ``-inf`` (``-inf`` plus a number)."""
    fa = np.asarray(cohort.mentee_features.meeting_format, dtype=np.int64).reshape(-1)
    flags = np.unique(fa)
    table = _meeting_format_part(flags, cohort.mentor_features.meeting_format) * points
    row_of = np.searchsorted(flags, fa)
    n, m = scores.shape
    step = max(1, (1 << 17) // max(m, 1))
    for r0 in range(0, n, step):
        block = scores[r0 : r0 + step]
        block += np.take(table, row_of[r0 : r0 + step], axis=0)


@dataclass
class SkippedLock:
    mentee_id: int
    mentor_id: int
    reason: str


@dataclass
class Assignment:
    #: (mentee row, mentor column, locked by HR)
    pairs: list[tuple[int, int, bool]] = field(default_factory=list)
    skipped_locks: list[SkippedLock] = field(default_factory=list)


def cohort_assign(*, scored: ScoredCohort, locks: list[tuple[int, int]] = ()) -> Assignment:
    """Pre-assign HR's locked pairs (``(mentee enrollment id, mentor enrollment id)``; each
    uses a place of the mentor's capacity), then let the engine assign everyone else.

    A lock that would break a hard rule or overfill the mentor, or whose people are not
    in the cohort any more, is skipped and reported.
    """
    cohort, settings = scored.cohort, scored.settings
    rows, cols = cohort.mentee_index(), cohort.mentor_index()
    capacities = cohort.capacities.copy()
    result = Assignment()
    taken_rows: set[int] = set()
    for mentee_id, mentor_id in locks:
        i, j = rows.get(mentee_id), cols.get(mentor_id)
        if i is None:
            reason = "the mentee is not waiting for a match (paired, training not done, or no longer approved)"
        elif j is None:
            reason = "the mentor has no free place or can't take part (training not done, or no longer approved)"
        elif i in taken_rows:
            reason = "the mentee already has a locked mentor"
        elif capacities[j] <= 0:
            reason = "the mentor's places are all taken by other locked pairs"
        elif not scored.allowed(i, j):
            reason = "; ".join(scored.reasons(i, j)) or "a hard rule forbids it"
        else:
            result.pairs.append((i, j, True))
            taken_rows.add(i)
            capacities[j] -= 1
            continue
        result.skipped_locks.append(SkippedLock(mentee_id, mentor_id, reason))

    if len(taken_rows) < len(cohort.mentees) and len(cohort.mentors):
        # The locked mentees' rows are forbidden for the engine, in place (a copy of the matrix
        # without them would cost as much memory again), and given back afterwards.
        scores = scored.scores
        locked_rows = np.array(sorted(taken_rows), dtype=np.int64)
        saved = scores[locked_rows]
        scores[locked_rows] = -np.inf
        try:
            chosen = engine.assign(scores, capacities, objective=settings.objective, min_score=settings.min_score)
        finally:
            scores[locked_rows] = saved
        chosen[locked_rows] = -1
        for i in np.flatnonzero(chosen >= 0).tolist():
            result.pairs.append((i, int(chosen[i]), False))
    return result
