"""Hard constraints: the pairs the program's rules forbid (seniority gap, same department,
no common meeting format or language), and why (:func:`hard_constraint_masks`)."""

from __future__ import annotations

import numpy as np

from matching.engine.inputs import (
    Features,
    ScoringRules,
    _check_compatible,
    _prepare,
    _validate_blocked,
    _validate_rules,
)
from matching.engine.parts import _formats, _languages


def hard_constraint_masks(
    mentees: Features,
    mentors: Features,
    *,
    rules: ScoringRules | None = None,
    blocked=None,
) -> dict[str, np.ndarray]:
    """Why pairs are forbidden: constraint name -> ``(mentees, mentors)`` bool mask (True = forbidden).

    Keys (only those that apply): ``"seniority_gap"``, ``"same_department"``,
    ``"meeting_format"``, ``"language"``, ``"blocked"``.  Their union is
    exactly where :func:`score_pairs` returns ``-inf``.
    """
    rules = rules or ScoringRules()
    _validate_rules(rules)
    a = _prepare(mentees, "mentees")
    b = _prepare(mentors, "mentors")
    _check_compatible(a, b)
    n, m = a["_size"], b["_size"]
    out = dict(_hard_masks(a, b, rules))
    block_mask = _validate_blocked(blocked, n, m)
    if block_mask is not None:
        out["blocked"] = block_mask.copy()
    return out


def _hard_masks(a: dict, b: dict, rules: ScoringRules) -> dict[str, np.ndarray]:
    out = {}
    g0, g1 = rules.min_seniority_gap, rules.max_seniority_gap
    if g0 is not None or g1 is not None:
        if "seniority" not in a or "seniority" not in b:
            raise ValueError("seniority gap bounds are set but seniority is missing on a side")
        x, y = a["seniority"], b["seniority"]
        gap = y[None, :] - x[:, None]
        bad = np.zeros(gap.shape, dtype=bool)
        with np.errstate(invalid="ignore"):
            if g0 is not None:
                bad |= gap < g0
            if g1 is not None:
                bad |= gap > g1
        out["seniority_gap"] = bad  # NaN gaps compare False: unknown never blocks
    if rules.forbid_same_department:
        if "department" not in a or "department" not in b:
            raise ValueError("forbid_same_department is set but department is missing on a side")
        x, y = a["department"], b["department"]
        out["same_department"] = (x[:, None] == y[None, :]) & (x >= 0)[:, None]
    if rules.require_meeting_format and ("meeting_format" in a or "meeting_format" in b):
        _, in_person, remote = _formats(a, b)
        out["meeting_format"] = ~(in_person | remote)
    if rules.require_common_language and "languages" in a and "languages" in b:
        share, known = _languages(a, b)
        out["language"] = known & ~share
    return out


def _hard_keys(a: dict, b: dict, rules: ScoringRules) -> tuple[str, ...]:
    """The mentee features the hard rules that apply read (as :func:`_hard_masks` decides
    which apply); empty when none does."""
    keys = []
    if rules.min_seniority_gap is not None or rules.max_seniority_gap is not None:
        keys.append("seniority")
    if rules.forbid_same_department:
        keys.append("department")
    if rules.require_meeting_format and ("meeting_format" in a or "meeting_format" in b):
        keys += ["meeting_format", "location"]
    if rules.require_common_language and "languages" in a and "languages" in b:
        keys.append("languages")
    return tuple(keys)


def _hard_block(a: dict, b: dict, rules: ScoringRules) -> np.ndarray:
    hard = np.zeros((a["_size"], b["_size"]), dtype=bool)
    for mask in _hard_masks(a, b, rules).values():
        hard |= mask
    return hard
