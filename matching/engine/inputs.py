"""What scoring takes: one side's features (:class:`Features`), the program's rules
(:class:`ScoringRules`), the criteria and their weights, and the checks that turn them into
plain float64 arrays (``_prepare``) before any part is computed."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

#: Bit flags for :attr:`Features.meeting_format`.
REMOTE = 1
IN_PERSON = 2

#: Criterion names, in the order parts are summed.
CRITERIA = (
    "skills",
    "objectives",
    "seniority",
    "department",
    "timezone",
    "location",
    "working_style",
    "availability",
    "answers",
    "languages",
)


@dataclass(frozen=True)
class Features:
    """Feature arrays for one side (mentees *or* mentors); every field optional.

    ``p`` is the number of people on that side.  Row ``k`` of every array
    describes the same person.  "Unknown" values never hard-block a pair and
    give the neutral part value 0.5.

    skills
        ``(p, S)`` over a shared skill vocabulary.  Mentees: non-negative
        importance of each wanted skill (0 = not wanted).  Mentors: proficiency
        in ``[0, 1]`` (e.g. ``level / max_level``).  Dense numpy arrays, or any
        sparse matrix (e.g. scipy CSR) supporting ``@``, ``.T``, ``.sum(axis=1)``,
        row slicing and ``.toarray()``; sparse values are not range-checked.
    objectives
        ``(p, O)`` multi-hot: goals a mentee has / goals a mentor supports.
    seniority
        ``(p,)`` seniority level or years of experience; NaN = unknown.
    department
        ``(p,)`` integer department id; negative = unknown.
    utc_offset
        ``(p,)`` UTC offset in hours (e.g. ``5.5``); NaN = unknown.
    location
        ``(p,)`` integer office/location id; negative = unknown.
    meeting_format
        ``(p,)`` bit flags: :data:`REMOTE` (1), :data:`IN_PERSON` (2) or both (3).
        Missing field = both.
    working_style
        ``(p, W)`` answers on a 1-5 scale; NaN = not answered.
    availability
        ``(p,)`` hours per month: wanted by a mentee / offered by a mentor; NaN
        = unknown.
    answers
        one ``(p, K_q)`` multi-hot array per mapped custom question (one-hot for
        single-choice questions); an all-zero row = not answered.
    languages
        ``(p, L)`` multi-hot spoken languages; an all-zero row = unknown.
    """

    skills: object = None
    objectives: object = None
    seniority: object = None
    department: object = None
    utc_offset: object = None
    location: object = None
    meeting_format: object = None
    working_style: object = None
    availability: object = None
    answers: Sequence | None = None
    languages: object = None


@dataclass(frozen=True)
class ScoringRules:
    """Program-level settings for :func:`score_pairs`.

    min_seniority_gap / max_seniority_gap
        Hard: ``mentor.seniority - mentee.seniority`` must lie within
        ``[min_gap, max_gap]`` (``None`` = unbounded on that side).
    preferred_seniority_gap, seniority_decay
        The seniority part is 1 when the gap lies inside the preferred range and
        falls linearly to 0 at ``seniority_decay`` outside it.
    department_preference
        ``"same"``, ``"different"`` or ``None`` (criterion unavailable).
    forbid_same_department
        Hard: never pair people from the same (known) department.
    working_hours
        Length of the local working day used for time-zone overlap.
    require_common_language
        Hard: both sides must share a language (when both are known).
    require_meeting_format
        Hard: the pair must be able to meet in a format the mentee accepts
        (remote on both sides, or in person on both sides *and* the same
        known location).
    """

    min_seniority_gap: float | None = None
    max_seniority_gap: float | None = None
    preferred_seniority_gap: tuple[float, float] = (1.0, 5.0)
    seniority_decay: float = 3.0
    department_preference: Literal["same", "different"] | None = "different"
    forbid_same_department: bool = False
    working_hours: float = 8.0
    require_common_language: bool = True
    require_meeting_format: bool = True


def _validate_weights(weights: Mapping[str, float]) -> dict[str, float]:
    if not isinstance(weights, Mapping):
        raise ValueError("weights must be a mapping of criterion name -> weight")
    unknown = sorted(set(weights) - set(CRITERIA))
    if unknown:
        raise ValueError(f"unknown criteria {unknown}; expected some of {', '.join(CRITERIA)}")
    out = {}
    for name in CRITERIA:
        if name not in weights:
            continue
        value = weights[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
            raise ValueError(f"weight for {name!r} must be a finite number >= 0, got {value!r}")
        if value > 0:
            out[name] = float(value)
    return out


def _validate_rules(rules: ScoringRules) -> None:
    if not isinstance(rules, ScoringRules):
        raise ValueError("rules must be a ScoringRules instance")
    lo, hi = rules.preferred_seniority_gap
    if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
        raise ValueError("preferred_seniority_gap must be a finite (low, high) pair with low <= high")
    if not (math.isfinite(rules.seniority_decay) and rules.seniority_decay >= 0):
        raise ValueError("seniority_decay must be finite and >= 0")
    if not (math.isfinite(rules.working_hours) and 0 < rules.working_hours <= 24):
        raise ValueError("working_hours must be in (0, 24]")
    if rules.department_preference not in (None, "same", "different"):
        raise ValueError('department_preference must be "same", "different" or None')
    g0, g1 = rules.min_seniority_gap, rules.max_seniority_gap
    for g in (g0, g1):
        if g is not None and (isinstance(g, bool) or not isinstance(g, numbers.Real) or math.isnan(g)):
            raise ValueError("seniority gap bounds must be numbers or None")
    if g0 is not None and g1 is not None and g0 > g1:
        raise ValueError("min_seniority_gap must be <= max_seniority_gap")


def _validate_blocked(blocked, n: int, m: int):
    if blocked is None:
        return None
    mask = np.asarray(blocked)
    if mask.shape != (n, m):
        raise ValueError(f"blocked must have shape ({n}, {m}), got {mask.shape}")
    if mask.dtype.kind not in "biu":
        raise ValueError("blocked must be a boolean mask")
    return mask.astype(bool, copy=False)


def _dense(x, name: str, side: str) -> np.ndarray:
    if hasattr(x, "toarray") and not isinstance(x, np.ndarray):
        x = x.toarray()
    arr = np.asarray(x)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.float64)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{side}.{name} must be numeric, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def _prepare(f: Features, side: str) -> dict:
    """Validate one side's features into plain float64 numpy arrays."""
    if not isinstance(f, Features):
        raise ValueError(f"{side} must be a Features instance")
    out: dict = {}
    sizes = {}

    def vec(name, *, ints=False, nan_ok=True):
        raw = getattr(f, name)
        if raw is None:
            return
        arr = _dense(raw, name, side)
        if arr.ndim != 1:
            raise ValueError(f"{side}.{name} must be 1-D, got shape {arr.shape}")
        if np.isinf(arr).any() or (not nan_ok and np.isnan(arr).any()):
            raise ValueError(f"{side}.{name} must be finite" + ("" if nan_ok else " (no NaN)"))
        if ints and (np.isnan(arr).any() or (arr != np.round(arr)).any()):
            raise ValueError(f"{side}.{name} must contain integer ids")
        out[name] = arr
        sizes[name] = arr.shape[0]

    def mat(name, *, binary=False, lo=None, hi=None, nan_ok=False):
        raw = getattr(f, name)
        if raw is None:
            return
        sparse = hasattr(raw, "toarray") and not isinstance(raw, np.ndarray)
        if name == "skills" and sparse:
            if raw.ndim != 2:
                raise ValueError(f"{side}.{name} must be 2-D")
            out[name] = raw
            sizes[name] = raw.shape[0]
            return
        arr = _dense(raw, name, side)
        if arr.ndim != 2:
            raise ValueError(f"{side}.{name} must be 2-D (people x items), got shape {arr.shape}")
        bad = np.isinf(arr) | (np.isnan(arr) if not nan_ok else False)
        if np.any(bad):
            raise ValueError(f"{side}.{name} must be finite")
        finite = arr[~np.isnan(arr)]
        if binary and not np.isin(finite, (0.0, 1.0)).all():
            raise ValueError(f"{side}.{name} must be multi-hot (0/1)")
        if lo is not None and (finite < lo).any() or hi is not None and (finite > hi).any():
            raise ValueError(f"{side}.{name} values must lie in [{lo}, {hi}]")
        out[name] = arr
        sizes[name] = arr.shape[0]

    skill_range = (0.0, None) if side == "mentees" else (0.0, 1.0)
    mat("skills", lo=skill_range[0], hi=skill_range[1])
    mat("objectives", binary=True)
    vec("seniority")
    vec("department", ints=True, nan_ok=False)
    vec("utc_offset")
    vec("location", ints=True, nan_ok=False)
    vec("meeting_format", ints=True, nan_ok=False)
    if "meeting_format" in out and not np.isin(out["meeting_format"], (1, 2, 3)).all():
        raise ValueError(f"{side}.meeting_format must be REMOTE (1), IN_PERSON (2) or both (3)")
    if "utc_offset" in out and (np.abs(out["utc_offset"][~np.isnan(out["utc_offset"])]) > 24).any():
        raise ValueError(f"{side}.utc_offset must be hours within [-24, 24]")
    mat("working_style", lo=1.0, hi=5.0, nan_ok=True)
    vec("availability")
    if "availability" in out and (out["availability"] < 0).any():
        raise ValueError(f"{side}.availability must be >= 0")
    if f.answers is not None:
        if isinstance(f.answers, np.ndarray) or not isinstance(f.answers, Sequence):
            raise ValueError(f"{side}.answers must be a sequence of (people x options) arrays")
        qs = []
        for k, q in enumerate(f.answers):
            arr = _dense(q, f"answers[{k}]", side)
            if arr.ndim != 2 or not np.isin(arr, (0.0, 1.0)).all():
                raise ValueError(f"{side}.answers[{k}] must be a 2-D multi-hot (0/1) array")
            qs.append(arr)
            sizes[f"answers[{k}]"] = arr.shape[0]
        out["answers"] = qs
    mat("languages", binary=True)

    if len(set(sizes.values())) > 1:
        raise ValueError(f"{side} feature arrays disagree on the number of people: {sizes}")
    out["_size"] = next(iter(sizes.values())) if sizes else None
    if out["_size"] is None:
        raise ValueError(f"{side} has no features at all; the number of people is unknown")
    return out


def _check_compatible(a: dict, b: dict) -> None:
    for name in ("skills", "objectives", "working_style", "languages"):
        if name in a and name in b and a[name].shape[1] != b[name].shape[1]:
            raise ValueError(f"mentees.{name} has {a[name].shape[1]} columns but mentors.{name} has {b[name].shape[1]}")
    if "answers" in a and "answers" in b:
        qa, qb = a["answers"], b["answers"]
        if len(qa) != len(qb) or any(x.shape[1] != y.shape[1] for x, y in zip(qa, qb, strict=True)):
            raise ValueError("mentees.answers and mentors.answers must have the same questions and options")


_NEEDS = {
    "skills": ("skills",),
    "objectives": ("objectives",),
    "seniority": ("seniority",),
    "department": ("department",),
    "timezone": ("utc_offset",),
    "location": ("location",),
    "working_style": ("working_style",),
    "availability": ("availability",),
    "answers": ("answers",),
    "languages": ("languages",),
}


def _require_criterion(name: str, weight: float, a: dict, b: dict, rules: ScoringRules) -> None:
    for field in _NEEDS[name]:
        for side, feats in (("mentees", a), ("mentors", b)):
            if field not in feats:
                raise ValueError(f"criterion {name!r} has weight {weight} but {side}.{field} is missing")
    if name == "department" and rules.department_preference is None:
        raise ValueError("criterion 'department' has a weight but rules.department_preference is None")
