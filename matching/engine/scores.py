"""Scoring pairs: :func:`score_pairs` (every mentee with every mentor, in blocks of mentees)
and :func:`score_pairwise` (given pairs only), sums of the weighted parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from matching.engine.constraints import _hard_block, _hard_keys
from matching.engine.inputs import (
    Features,
    ScoringRules,
    _check_compatible,
    _prepare,
    _require_criterion,
    _validate_blocked,
    _validate_rules,
    _validate_weights,
)
from matching.engine.parts import _PART_FUNCS, _PART_KEYS
from matching.engine.tables import _PART_PLANS, _row_table, _slice_rows

#: Elements of a block of :func:`score_pairs` (1 MB per float64 temporary): the dozen passes
#: each criterion makes over a block stay in the CPU cache (about twice as fast as 8 MB blocks).
_SCORE_BLOCK = 1 << 17


class PairScores(NamedTuple):
    """Result of :func:`score_pairs`; unpacks as ``total, parts = ...``."""

    #: ``(mentees, mentors)`` float64; sum of the parts, ``-inf`` where hard-blocked.
    total: np.ndarray
    #: criterion name -> ``(mentees, mentors)`` float64 in ``[0, weight]`` (finite everywhere).
    parts: dict[str, np.ndarray]


def score_pairs(
    mentees: Features,
    mentors: Features,
    weights: Mapping[str, float],
    *,
    rules: ScoringRules | None = None,
    blocked=None,
    return_parts: bool = True,
) -> PairScores:
    """Score every (mentee, mentor) pair.

    Each criterion yields a part in ``[0, 1]`` per pair which is multiplied by
    its weight; the total is the sum of the weighted parts (summed in
    :data:`CRITERIA` order, so ``sum(parts.values())`` reproduces it exactly)
    and is set to ``-inf`` where a hard constraint forbids the pair (see
    :func:`hard_constraint_masks`).  Criteria with weight 0 (or absent from
    ``weights``) are skipped and not reported in ``parts``.

    Parts (values in ``[0, 1]`` before weighting):

    ``skills``        importance-weighted mean mentor proficiency over the mentee's wanted skills
    ``objectives``    fraction of the mentee's objectives the mentor supports
    ``seniority``     1 inside the preferred gap, linear decay outside
    ``department``    1 when the pair matches ``rules.department_preference``
    ``timezone``      overlap of the two local working days (circular UTC difference)
    ``location``      1 if they can meet in person, 0.5 if only remotely while the mentee
                      would also meet in person, 1 for remote-only mentees matched remotely
    ``working_style`` ``1 - mean |a - b| / 4`` over the items both answered
    ``availability``  fraction of the mentee's wanted hours the mentor offers
    ``answers``       mean over questions of ``|A & B| / min(|A|, |B|)`` (equality for single choice)
    ``languages``     1 if they share a language

    Parameters
    ----------
    mentees, mentors:
        :class:`Features` of both sides.
    weights:
        criterion name -> non-negative finite weight.
    rules:
        :class:`ScoringRules` (defaults when ``None``).
    blocked:
        optional ``(mentees, mentors)`` boolean mask of pairs the caller forbids
        (management chain, previous pairs, untrained mentors, ...).
    return_parts:
        set ``False`` to save memory; ``parts`` is then an empty dict.
    """
    rules = rules or ScoringRules()
    _validate_rules(rules)
    w = _validate_weights(weights)
    a = _prepare(mentees, "mentees")
    b = _prepare(mentors, "mentors")
    n, m = a["_size"], b["_size"]
    _check_compatible(a, b)
    for name, weight in w.items():
        _require_criterion(name, weight, a, b, rules)
    block_mask = _validate_blocked(blocked, n, m)

    total = np.zeros((n, m))
    parts = {name: np.zeros((n, m)) for name in w} if return_parts else {}
    step = max(1, _SCORE_BLOCK // max(m, 1))
    # Most criteria look at one or two of the mentee's features, which take few distinct values
    # (a few time zones, seniority levels, departments...): such parts are computed once per
    # distinct mentee and copied to the rows that share it (same values, bit for bit).
    tables = {name: _row_table(_PART_FUNCS[name], _PART_KEYS[name], a, b, rules) for name in w} if n else {}
    for name, table in tables.items():
        if table is not None:
            np.multiply(table[0], w[name], out=table[0])
    # Only the features the hard rules that apply read: with few distinct values, one table.
    hard_keys = _hard_keys(a, b, rules)
    hard_table = _row_table(_hard_block, hard_keys, a, b, rules) if n and hard_keys else None
    # The others may prepare per-value tables once for the whole cohort (working style: per item).
    plans = {name: _PART_PLANS[name](a, b, rules) for name in w if tables.get(name) is None and name in _PART_PLANS}
    # A tabled part is copied into one buffer, reused for every block (``mode="clip"``: numpy
    # writes straight into ``out``; the rows are valid indexes, so nothing is clipped).
    buffer = np.empty((min(step, n), m)) if n and not return_parts else None
    for r0 in range(0, n, step):
        sl = slice(r0, min(n, r0 + step))
        ra = _slice_rows(a, sl)
        acc = total[sl]
        for name, weight in w.items():
            table = tables[name]
            if table is None:
                part = plans[name](sl) if name in plans else _PART_FUNCS[name](ra, b, rules)
                part *= weight
                if return_parts:
                    parts[name][sl] = part
            else:  # already weighted
                part = parts[name][sl] if return_parts else buffer[: sl.stop - sl.start]
                np.take(table[0], table[1][sl], axis=0, out=part, mode="clip")
            acc += part
        hard = block_mask[sl] if block_mask is not None else None
        if hard_keys:
            if hard_table is None:
                rule = _hard_block(ra, b, rules)
            else:
                rule = np.take(hard_table[0], hard_table[1][sl], axis=0)
            hard = rule if hard is None else rule | hard
        if hard is not None:
            np.copyto(acc, -np.inf, where=hard)
    return PairScores(total, parts)


def score_pairwise(
    mentees: Features,
    mentors: Features,
    weights: Mapping[str, float],
    *,
    rules: ScoringRules | None = None,
) -> dict[str, np.ndarray]:
    """The weighted parts of the pairs ``(mentees[k], mentors[k])`` only: criterion -> ``(k,)``.

    Both sides have the same number of people. Each value is what :func:`score_pairs` puts
    in its ``parts`` for that pair, computed by the same lines (up to the last bit: sums over
    skills, objectives or options may be added in another order). For explaining the few
    thousand chosen pairs of a large cohort without scoring every pair again. Hard
    constraints are not applied (:func:`hard_constraint_masks` says why a pair is forbidden).
    """
    rules = rules or ScoringRules()
    _validate_rules(rules)
    w = _validate_weights(weights)
    a = _prepare(mentees, "mentees")
    b = _prepare(mentors, "mentors")
    _check_compatible(a, b)
    if a["_size"] != b["_size"]:
        raise ValueError(f"pairwise scoring needs as many mentees as mentors, got {a['_size']} and {b['_size']}")
    for name, weight in w.items():
        _require_criterion(name, weight, a, b, rules)
    # The same part functions, on aligned sides: one value per pair, no block of pairs.
    a["_aligned"] = b["_aligned"] = True
    return {name: _PART_FUNCS[name](a, b, rules) * weight for name, weight in w.items()}
