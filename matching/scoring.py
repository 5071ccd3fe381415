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


#: Pairs explained per engine call (a small square block; its diagonal is kept).
_EXPLAIN_CHUNK = 256


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
        """Unrounded points per criterion for each (mentee row, mentor column) pair."""
        missing = [pair for pair in dict.fromkeys(pairs) if pair not in self._cache]
        for start in range(0, len(missing), _EXPLAIN_CHUNK):
            chunk = missing[start : start + _EXPLAIN_CHUNK]
            rows = np.array([i for i, _ in chunk], dtype=np.int64)
            cols = np.array([j for _, j in chunk], dtype=np.int64)
            parts = _parts(self, rows, cols)
            for k, pair in enumerate(chunk):
                self._cache[pair] = {name: float(values[k]) for name, values in parts.items()}
        return [self._cache[pair] for pair in pairs]

    def explained(self, pairs: list[tuple[int, int]]) -> list[tuple[float, dict[str, float]]]:
        """``(score, explanation)`` of each pair, as :meth:`score` and :meth:`explanation` give them."""
        out = []
        for parts in self.pair_parts(pairs):
            explanation = {name: round(points, DECIMALS) for name, points in parts.items()}
            out.append((round(sum(explanation.values()), DECIMALS), explanation))
        return out

    def explanation(self, i: int, j: int) -> dict[str, float]:
        """Criterion -> points (rounded) for one pair; the values add up to :meth:`score`."""
        return {name: round(points, DECIMALS) for name, points in self.pair_parts([(i, j)])[0].items()}

    def score(self, i: int, j: int) -> float:
        return round(sum(self.explanation(i, j).values()), DECIMALS)

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
        names = [name for name, mask in cohort.blocked.items() if mask[i, j]]
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


def _parts(scored: ScoredCohort, rows: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
    """Points per criterion for the pairs (rows[k], cols[k]), in display order."""
    cohort, weights = scored.cohort, scored.weights
    mentees = _take(cohort.mentee_features, rows)
    mentors = _take(cohort.mentor_features, cols)
    engine_weights = {name: w for name, w in weights.items() if name in engine.CRITERIA}
    _, parts = engine.score_pairs(mentees, mentors, engine_weights, rules=scored.settings.rules)
    out = {name: np.diagonal(parts[name]) * scored.scale for name in CRITERIA if name in parts}
    if "meeting_format" in weights:
        common = np.diagonal(_meeting_format_part(mentees.meeting_format, mentors.meeting_format))
        out["meeting_format"] = common * weights["meeting_format"] * scored.scale
    return {name: out[name] for name in CRITERIA if name in out}


def cohort_score(*, cohort: Cohort, settings: MatchSettings) -> ScoredCohort:
    n, m = len(cohort.mentees), len(cohort.mentors)
    active = settings.active_weights(has_questions=cohort.has_questions)
    total_weight = sum(active.values())
    scale = 100.0 / total_weight if total_weight else 0.0
    engine_weights = {name: w for name, w in active.items() if name in engine.CRITERIA}
    if n and m:
        # The blocked pairs come back as -inf (the engine ORs them into its hard constraints).
        scores, _ = engine.score_pairs(
            cohort.mentee_features,
            cohort.mentor_features,
            engine_weights,
            rules=settings.rules,
            blocked=cohort.blocked_any,
            return_parts=False,
        )
        _scale_in_place(scores, cohort, scale, active.get("meeting_format"))
    else:
        scores = np.zeros((n, m))
    weights = {name: active[name] for name in CRITERIA if name in active}
    return ScoredCohort(cohort=cohort, settings=settings, scores=scores, weights=weights, scale=scale)


def _scale_in_place(scores: np.ndarray, cohort: Cohort, scale: float, meeting_weight: float | None) -> None:
    """``scores = scores * scale (+ meeting format points)``, -inf where the engine said -inf,
    in row blocks (no full-size temporaries). The meeting-format points take one of two values
    per (mentee flags, mentor) pair, so they come from a small table."""
    table = None
    if meeting_weight is not None:
        fa = np.asarray(cohort.mentee_features.meeting_format, dtype=np.int64).reshape(-1)
        flags = np.unique(fa)
        part = _meeting_format_part(flags, cohort.mentor_features.meeting_format)
        table = part * (meeting_weight * scale)
        row_of = np.searchsorted(flags, fa)
    n, m = scores.shape
    step = max(1, (1 << 20) // max(m, 1))
    with np.errstate(invalid="ignore"):
        for r0 in range(0, n, step):
            block = scores[r0 : r0 + step]
            forbidden = ~np.isfinite(block)
            block *= scale
            if table is not None:
                block += np.take(table, row_of[r0 : r0 + step], axis=0)
            block[forbidden] = -np.inf


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

    free_rows = np.array([i for i in range(len(cohort.mentees)) if i not in taken_rows], dtype=np.int64)
    if free_rows.size and len(cohort.mentors):
        chosen = engine.assign(
            np.take(scored.scores, free_rows, axis=0),
            capacities,
            objective=settings.objective,
            min_score=settings.min_score,
        )
        for i, j in zip(free_rows, chosen, strict=True):
            if j >= 0:
                result.pairs.append((int(i), int(j), False))
    return result
