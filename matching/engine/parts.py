"""The criteria's parts: for each criterion, a value in [0, 1] per pair (``_PART_FUNCS``),
and which mentee features each one reads (``_PART_KEYS``)."""

from __future__ import annotations

import numpy as np

from matching.engine.inputs import IN_PERSON, REMOTE

_NEUTRAL = 0.5  # part value when a criterion cannot be evaluated for a pair

#: The mentee features each part (and the hard constraints) reads; ``None``: too many distinct
#: values (or not exact when regrouped, like the weighted skill products) to be worth sharing.
_PART_KEYS = {
    "skills": None,
    "objectives": ("objectives",),
    "seniority": ("seniority",),
    "department": ("department",),
    "timezone": ("utc_offset",),
    "location": ("meeting_format", "location"),
    "working_style": None,
    "availability": ("availability",),
    "answers": ("answers",),
    "languages": ("languages",),
}


# -- parts ---------------------------------------------------------------------
#
# Each part function returns a fresh float64 array in [0, 1]: ``(mentees, mentors)`` for every
# pair of the two sides, or, when both sides carry ``_aligned`` (:func:`score_pairwise`),
# ``(k,)`` for the pairs (mentees[k], mentors[k]). The same lines compute both: ``_rows`` and
# ``_cols`` lay a mentee-side and a mentor-side array out for the one or the other.


def _rows(a: dict, x: np.ndarray) -> np.ndarray:
    """A per-mentee array, to be combined with a per-mentor one (see :func:`_cols`)."""
    return x if a.get("_aligned") else x[:, None]


def _cols(b: dict, y: np.ndarray) -> np.ndarray:
    return y if b.get("_aligned") else y[None, :]


def _dot(a: dict, x, y) -> np.ndarray:
    """``x[i] . y[j]`` for every pair, or ``x[k] . y[k]`` for aligned sides."""
    if a.get("_aligned"):
        x = x.toarray() if hasattr(x, "toarray") and not isinstance(x, np.ndarray) else x
        y = y.toarray() if hasattr(y, "toarray") and not isinstance(y, np.ndarray) else y
        return np.einsum("ij,ij->i", np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    prod = x @ y.T
    return np.asarray(prod.toarray() if hasattr(prod, "toarray") else prod, dtype=np.float64)


def _known(a: dict, b: dict, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _rows(a, ~np.isnan(x)) & _cols(b, ~np.isnan(y))


def _part_skills(a, b, rules):
    wanted, had = a["skills"], b["skills"]
    tot = np.asarray(wanted.sum(axis=1), dtype=np.float64).ravel()
    if isinstance(wanted, np.ndarray) and isinstance(had, np.ndarray) and not a.get("_aligned"):
        if "_skills_t" not in b:  # the same for every block of mentees: transposed once
            b["_skills_t"] = np.ascontiguousarray(had.T)
        prod = _few_nonzero_product(wanted, had, b["_skills_t"])
    else:
        prod = _dot(a, wanted, had)
    return _skills_part(prod, _rows(a, tot), tot)


def _skills_part(prod: np.ndarray, tot_rows: np.ndarray, tot: np.ndarray) -> np.ndarray:
    """The skills part from the products and the mentees' totals, in place (``prod`` is fresh)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        part = np.divide(prod, tot_rows, out=prod)
    part[tot <= 0] = _NEUTRAL
    return np.clip(part, 0.0, 1.0, out=part)


def _few_nonzero_product(x: np.ndarray, y: np.ndarray, y_t: np.ndarray) -> np.ndarray:
    """``x @ y.T`` (``y_t`` is ``y.T``, contiguous) for an ``x`` whose rows hold a few non-zero
    values (a mentee wants a handful of skills out of hundreds): one pass per non-zero column
    of the busiest row instead of a matrix product over every column. A matrix product when
    the rows are dense."""
    rows, columns = np.nonzero(x)
    width = int(np.bincount(rows, minlength=x.shape[0]).max(initial=0))
    if width * 16 > x.shape[1]:
        return np.asarray(x @ y.T, dtype=np.float64)
    # Row r's k-th non-zero column; rows with fewer use column 0 with weight 0 (adds +0.0).
    slot = np.arange(rows.size) - np.searchsorted(rows, rows)
    index = np.zeros((x.shape[0], width), dtype=np.int64)
    index[rows, slot] = columns
    factor = np.zeros((x.shape[0], width))
    factor[rows, slot] = x[rows, columns]
    out = np.zeros((x.shape[0], y.shape[0]))
    term = np.empty_like(out)
    for k in range(width):
        np.take(y_t, index[:, k], axis=0, out=term)
        term *= factor[:, k, None]
        out += term
    return out


def _part_objectives(a, b, rules):
    wanted, offered = a["objectives"], b["objectives"]
    cnt = wanted.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        part = _dot(a, wanted, offered) / _rows(a, cnt)
    part[cnt == 0] = _NEUTRAL
    return np.clip(part, 0.0, 1.0, out=part)


def _part_seniority(a, b, rules):
    x, y = a["seniority"], b["seniority"]
    gap = _cols(b, y) - _rows(a, x)
    lo, hi = rules.preferred_seniority_gap
    dist = np.maximum(np.maximum(lo - gap, gap - hi), 0.0)
    if rules.seniority_decay > 0:
        part = np.clip(1.0 - dist / rules.seniority_decay, 0.0, 1.0)
    else:
        part = (dist == 0).astype(np.float64)
    part[~_known(a, b, x, y)] = _NEUTRAL
    return part


def _part_department(a, b, rules):
    x, y = a["department"], b["department"]
    same = _rows(a, x) == _cols(b, y)
    good = same if rules.department_preference == "same" else ~same
    part = good.astype(np.float64)
    part[~(_rows(a, x >= 0) & _cols(b, y >= 0))] = _NEUTRAL
    return part


def _part_timezone(a, b, rules):
    x, y = a["utc_offset"], b["utc_offset"]
    diff = np.abs(_rows(a, x) - _cols(b, y)) % 24.0
    diff = np.minimum(diff, 24.0 - diff)
    part = np.clip(1.0 - diff / rules.working_hours, 0.0, 1.0)
    part[~_known(a, b, x, y)] = _NEUTRAL
    return part


def _formats(a, b):
    rows, cols = a["_size"], b["_size"]
    fa = a["meeting_format"].astype(np.int64) if "meeting_format" in a else np.full(rows, 3)
    fb = b["meeting_format"].astype(np.int64) if "meeting_format" in b else np.full(cols, 3)
    common = _rows(a, fa) & _cols(b, fb)
    if "location" in a and "location" in b:
        la, lb = a["location"], b["location"]
        same_loc = (_rows(a, la) == _cols(b, lb)) & _rows(a, la >= 0)
    else:
        same_loc = np.zeros(common.shape, dtype=bool)
    in_person = ((common & IN_PERSON) > 0) & same_loc
    remote = (common & REMOTE) > 0
    return fa, in_person, remote


def _part_location(a, b, rules):
    fa, in_person, remote = _formats(a, b)
    wants_in_person = _rows(a, (fa & IN_PERSON) > 0)
    part = np.where(in_person, 1.0, np.where(remote, np.where(wants_in_person, 0.5, 1.0), 0.0))
    return part


def _part_working_style(a, b, rules):
    x, y = a["working_style"], b["working_style"]
    acc = cnt = 0.0
    for items in _style_groups(x.shape[1]):
        sim, both = _style_sums(a, b, x, y, items)
        acc = acc + sim
        cnt = cnt + both
    shape = (x.shape[0],) if a.get("_aligned") else (x.shape[0], y.shape[0])
    return _style_mean(np.broadcast_to(acc, shape), np.broadcast_to(cnt, shape))


#: Working-style items are compared a few at a time (a group's answers take a few hundred combinations).
_STYLE_GROUP = 3


def _style_groups(items: int) -> list[range]:
    return [range(start, min(items, start + _STYLE_GROUP)) for start in range(0, items, _STYLE_GROUP)]


def _style_sums(a: dict, b: dict, x: np.ndarray, y: np.ndarray, items: range) -> tuple[np.ndarray, np.ndarray]:
    """For each pair (of a row of x and a row of y): the similarities ``1 - |x - y| / 4``
    summed over ``items`` both answered, and the number of those items."""
    sim = both = 0.0
    for k in items:
        xk, yk = x[:, k], y[:, k]
        known = _known(a, b, xk, yk)
        sim = sim + np.where(known, 1.0 - np.abs(_rows(a, xk) - _cols(b, yk)) / 4.0, 0.0)
        both = both + known
    return sim, both


def _style_mean(acc: np.ndarray, cnt: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        part = np.divide(acc, cnt, out=out)
    part[cnt == 0] = _NEUTRAL
    return np.clip(part, 0.0, 1.0, out=part)


def _part_availability(a, b, rules):
    need, offer = a["availability"], b["availability"]
    with np.errstate(invalid="ignore", divide="ignore"):
        part = np.clip(_cols(b, offer) / _rows(a, need), 0.0, 1.0)
    part[need == 0] = 1.0
    part[~_known(a, b, need, offer)] = _NEUTRAL
    return part


def _part_answers(a, b, rules):
    acc = cnt = 0.0
    for qa, qb in zip(a["answers"], b["answers"], strict=True):
        inter = _dot(a, qa, qb)
        denom = np.minimum(_rows(a, qa.sum(axis=1)), _cols(b, qb.sum(axis=1)))
        valid = denom > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            acc = acc + np.where(valid, inter / denom, 0.0)
        cnt = cnt + valid
    shape = (a["_size"],) if a.get("_aligned") else (a["_size"], b["_size"])
    with np.errstate(invalid="ignore", divide="ignore"):
        part = np.broadcast_to(acc, shape) / np.broadcast_to(cnt, shape)
    part[np.broadcast_to(cnt, shape) == 0] = _NEUTRAL
    return np.clip(part, 0.0, 1.0, out=part)


def _languages(a, b):
    la, lb = a["languages"], b["languages"]
    if la.shape[1] < 63:  # one bit per language: no matrix product
        bits = np.left_shift(np.int64(1), np.arange(la.shape[1], dtype=np.int64))
        xa, xb = (la > 0) @ bits, (lb > 0) @ bits
        share = (_rows(a, xa) & _cols(b, xb)) != 0
        known = _rows(a, xa != 0) & _cols(b, xb != 0)
        return share, known
    share = _dot(a, la, lb) > 0
    known = _rows(a, la.sum(axis=1) > 0) & _cols(b, lb.sum(axis=1) > 0)
    return share, known


def _part_languages(a, b, rules):
    share, known = _languages(a, b)
    return np.where(known, share.astype(np.float64), _NEUTRAL)


_PART_FUNCS = {
    "skills": _part_skills,
    "objectives": _part_objectives,
    "seniority": _part_seniority,
    "department": _part_department,
    "timezone": _part_timezone,
    "location": _part_location,
    "working_style": _part_working_style,
    "availability": _part_availability,
    "answers": _part_answers,
    "languages": _part_languages,
}
