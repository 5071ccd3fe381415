"""Assigning mentees to mentors: :func:`assign` checks its input and runs the exact solver
(:mod:`matching.engine.solver`).

Objectives
----------
``"participation"``
    the most mentees matched; among those assignments the highest total score.
``"quality"``
    only pairs with ``score >= min_score`` may be used (``min_score`` is
    required); *among those pairs* the most mentees are matched and then the
    total score is maximised.  Design decision: the issue says "only pairs with
    score >= min_score, then the highest total score".  Read literally as a
    pure max-weight matching, a shifted or negative score scale would make the
    solver drop acceptable pairs, so a quality threshold would silently leave
    matchable people out.  HR expects the threshold to *filter* pairs, not to
    reduce participation, hence "participation restricted to the allowed
    pairs".
``"balanced"``
    the most mentees matched; then the highest possible *lowest* matched score
    (bottleneck); then the highest total score.  The bottleneck is found by a
    binary search over the distinct score values, each step a certified
    max-flow feasibility test ("can all ``k*`` mentees still be matched using
    only pairs scoring ``>= t``?").

``min_score`` may also be given with the other objectives; pairs below it are
then never used.  The result is deterministic: the same input always gives
the same output.  Every step, OR-Tools included, is deterministic, so ties
between equally good assignments are broken the same way every time (by the
fixed order in which candidate pairs are built and solved), never at random.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from matching.engine.solver import _check_values, _PrunedSolver

OBJECTIVES = ("participation", "quality", "balanced")


def assign(
    scores,
    capacities,
    *,
    objective: str = "participation",
    min_score: float | None = None,
) -> np.ndarray:
    """Assign mentees to mentors, exactly optimising ``objective``.

    Parameters
    ----------
    scores:
        ``(n_mentees, n_mentors)`` array of finite floats; ``-inf`` marks a
        pair that must not be matched.  NaN and ``+inf`` are rejected.
    capacities:
        ``(n_mentors,)`` array of non-negative integers: how many mentees each
        mentor can take.
    objective:
        ``"participation"``, ``"quality"`` or ``"balanced"`` (see the module
        docstring for the exact lexicographic definitions).
    min_score:
        Pairs scoring below it are never used.  Required for ``"quality"``,
        optional otherwise.

    Returns
    -------
    numpy.ndarray
        ``int64`` array of length ``n_mentees``: the mentor index of each
        mentee, or ``-1`` when the mentee is unmatched.

    Raises
    ------
    ValueError
        On malformed input: non-2-D scores, shape mismatch, NaN or ``+inf``
        scores, negative / non-integer capacities, an unknown objective, or a
        missing / NaN ``min_score`` for ``"quality"``.
    """
    s, cap, floor = _validate_assign(scores, capacities, objective, min_score)
    n, m = s.shape
    if n == 0 or m == 0:
        # Still validate the values (NaN / +inf) for consistent behaviour.
        _check_values(s)
        return np.full(n, -1, dtype=np.int64)
    solver = _PrunedSolver(s, cap, floor)
    if solver.empty:
        return np.full(n, -1, dtype=np.int64)
    if objective == "balanced":
        return solver.solve_balanced()
    return solver.solve_lexicographic(-math.inf)[0]


def _validate_assign(scores, capacities, objective, min_score):
    if not isinstance(objective, str) or objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; expected one of {', '.join(OBJECTIVES)}")
    s = _as_real_array(scores, "scores")
    if s.ndim != 2:
        raise ValueError(f"scores must be a 2-D (mentees x mentors) array, got {s.ndim}-D")
    s = np.ascontiguousarray(s, dtype=np.float64)
    c = _as_real_array(capacities, "capacities")
    if c.ndim != 1:
        raise ValueError(f"capacities must be a 1-D array, got {c.ndim}-D")
    if c.shape[0] != s.shape[1]:
        raise ValueError(
            f"shapes disagree: scores has {s.shape[1]} mentor columns but capacities has {c.shape[0]} entries"
        )
    if c.dtype.kind == "f":
        if not np.isfinite(c).all():
            raise ValueError("capacities must be finite integers")
        if (c != np.floor(c)).any():
            raise ValueError("capacities must be integers")
    if (c < 0).any():
        raise ValueError("capacities must be >= 0")
    # A mentor can never take more than every mentee; clipping keeps ints small.
    cap = np.minimum(c, s.shape[0]).astype(np.int64)

    if min_score is None:
        if objective == "quality":
            raise ValueError('min_score is required for objective="quality"')
        floor = -math.inf
    else:
        if isinstance(min_score, bool) or not isinstance(min_score, numbers.Real):
            raise ValueError(f"min_score must be a real number, got {min_score!r}")
        floor = float(min_score)
        if math.isnan(floor):
            raise ValueError("min_score must not be NaN")
    return s, cap, floor


def _as_real_array(value, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists, ...
        raise ValueError(f"{name} must be a numeric array: {exc}") from exc
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    return arr
