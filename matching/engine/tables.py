"""Parts computed once per distinct value and copied to the rows that share it: a whole part
for the mentees with the same features (``_row_table``), or per-value tables a criterion
prepares for a whole cohort (``_PART_PLANS``: skills, working style). Same values as the
direct computation, bit for bit."""

from __future__ import annotations

import numpy as np

from matching.engine.inputs import ScoringRules
from matching.engine.parts import (
    _part_skills,
    _part_working_style,
    _skills_part,
    _style_groups,
    _style_mean,
    _style_sums,
)
from matching.engine.solver import _BLOCK

#: A shared table is used only if it holds at most this many elements.
_TABLE_MAX = 4 * _BLOCK


def _row_table(func, keys, a: dict, b: dict, rules: ScoringRules):
    """``(table, rows)`` with ``func(a, b, rules)[i] == table[rows[i]]``, computing ``func`` on one
    mentee per distinct combination of the ``keys`` features only; ``None`` when not worth it.

    Mentees are grouped by the exact bits of their feature values, so every row of the
    result is the very value the direct computation gives."""
    if keys is None:
        return None
    n, m = a["_size"], b["_size"]
    present = [key for key in keys if key in a]
    columns = []
    for key in present:
        values = a[key]
        for arr in values if key == "answers" else [values]:
            if hasattr(arr, "toarray") and not isinstance(arr, np.ndarray):
                return None
            columns.append(np.ascontiguousarray(arr, dtype=np.float64).reshape(n, -1).view(np.int64))
    if not columns:
        return None
    rows = _combination_codes(np.concatenate(columns, axis=1) if len(columns) > 1 else columns[0])
    _, first = np.unique(rows, return_index=True)
    u = first.size
    if 2 * u > n or u * m > _TABLE_MAX:
        return None
    sub: dict = {"_size": u}
    for name in present:
        sub[name] = [q[first] for q in a[name]] if name == "answers" else a[name][first]
    return func(sub, b, rules), rows.reshape(-1)


def _combination_codes(key: np.ndarray) -> np.ndarray:
    """Number the distinct rows of ``key`` 0, 1, ... (in sorted order): one 1-D ``np.unique`` per
    column instead of a sort of whole rows (several times faster for a wide key)."""
    code = np.zeros(key.shape[0], dtype=np.int64)
    for column in key.T:
        values, digit = np.unique(column, return_inverse=True)
        code = np.unique(code * values.size + digit.reshape(-1), return_inverse=True)[1].reshape(-1)
    return code


def _slice_rows(a: dict, sl: slice) -> dict:
    out = {}
    for key, value in a.items():
        if key == "_size":
            out[key] = sl.stop - sl.start
        elif key.startswith("_"):  # derived from the whole side (``_skills_t``): not per row
            continue
        elif key == "answers":
            out[key] = [q[sl] for q in value]
        else:
            out[key] = value[sl]
    return out


def _plan_skills(a, b, rules):
    """:func:`_part_skills` as ``rows -> part`` for slices of the mentees, with the same
    arithmetic. A mentee's wanted skills weigh one of a few values (the levels), so every
    product ``proficiency * weight`` a pass can add comes from one table, built once: per row
    and pass, one copy from the table and one addition (no multiplication), the sums in the
    same order as :func:`_few_nonzero_product`'s."""
    wanted, had = a["skills"], b["skills"]
    generic = lambda sl: _part_skills(_slice_rows(a, sl), b, rules)  # noqa: E731
    if not (isinstance(wanted, np.ndarray) and isinstance(had, np.ndarray)):
        return generic
    n, m = wanted.shape[0], had.shape[0]
    rows, columns = np.nonzero(wanted)
    counts = np.bincount(rows, minlength=n)
    values, value_of = np.unique(wanted[rows, columns], return_inverse=True)
    skills, skill_of = np.unique(columns, return_inverse=True)  # the skills someone wants
    size = values.size * skills.size + 1
    if size * m > max(_TABLE_MAX, n * m // 4):  # at most a quarter of the scores' memory
        return generic
    # products[v * len(skills) + s] = proficiency in skill s * the v-th weight (what
    # ``term *= factor`` computes); the last row is the +0.0 a row with fewer skills adds.
    had_t = np.ascontiguousarray(had.T[skills])
    products = np.empty((size, m))
    for v, value in enumerate(values.tolist()):
        np.multiply(had_t, value, out=products[v * skills.size : (v + 1) * skills.size])
    products[-1] = 0.0
    slot = np.arange(rows.size) - np.searchsorted(rows, rows)
    index = np.full((n, int(counts.max(initial=0))), size - 1, dtype=np.int64)
    index[rows, slot] = value_of.reshape(-1) * skills.size + skill_of.reshape(-1)
    dense = 16 * counts > wanted.shape[1]  # rows for which a matrix product is used instead
    term = np.empty((0, m))

    def part(sl: slice) -> np.ndarray:
        nonlocal term
        width = int(counts[sl].max(initial=0))
        if dense[sl].any():  # as _few_nonzero_product decides for these rows
            return generic(sl)
        tot = np.asarray(wanted[sl].sum(axis=1), dtype=np.float64).ravel()
        prod = np.empty((sl.stop - sl.start, m))
        if width:
            np.take(products, index[sl, 0], axis=0, out=prod, mode="clip")  # 0 + term == term
        else:
            prod.fill(0.0)
        if width > 1 and term.shape[0] < prod.shape[0]:
            term = np.empty_like(prod)
        for k in range(1, width):
            step = term[: prod.shape[0]]
            np.take(products, index[sl, k], axis=0, out=step, mode="clip")
            prod += step
        return _skills_part(prod, tot[:, None], tot)

    return part


def _plan_working_style(a, b, rules):
    """:func:`_part_working_style` as ``rows -> part`` for slices of the mentees, with the same
    arithmetic. A group of items takes a few hundred combinations of answers (1..5 or
    unknown each), so its sums are tabled once per combination (mentees grouped by the exact
    bits of their answers) and copied to each row; a group with too many combinations for a
    table is computed per row. How many items both answered is a whole number, the same
    whatever the order of the sum: one table for all the items (per pattern of answered items)."""
    x, y = a["working_style"], b["working_style"]
    if not x.shape[1]:
        return lambda sl: _part_working_style(_slice_rows(a, sl), b, rules)
    m = y.shape[0]
    limit = max(1, _TABLE_MAX // max(m, 1))  # combinations per table
    groups = []  # (items, codes per mentee or None, similarity table)
    for items in _style_groups(x.shape[1]):
        code = _combination_codes(np.ascontiguousarray(x[:, items.start : items.stop]).view(np.int64))
        combos, first = np.unique(code, return_index=True)
        if combos.size > limit:
            groups.append((items, None, None))
        else:
            sim, _ = _style_sums(a, b, x[first], y, items)
            groups.append((items, code, sim))
    answered = _combination_codes(np.isnan(x).view(np.int8).astype(np.int64))
    patterns, first = np.unique(answered, return_index=True)
    counts = None
    if patterns.size <= limit:
        counts = 0.0
        for items in _style_groups(x.shape[1]):
            counts = counts + _style_sums(a, b, x[first], y, items)[1]

    def part(sl: slice) -> np.ndarray:
        rows = sl.stop - sl.start
        acc = np.empty((rows, m))
        cnt = np.take(counts, answered[sl], axis=0) if counts is not None else np.zeros((rows, m))
        for k, (items, code, sim) in enumerate(groups):
            if code is None:
                sim_rows, both_rows = _style_sums(a, b, x[sl], y, items)
            else:  # the first one straight into acc
                sim_rows = np.take(sim, code[sl], axis=0, out=acc if k == 0 else None, mode="clip")
                both_rows = None
            if counts is None:
                cnt += _style_sums(a, b, x[sl], y, items)[1] if both_rows is None else both_rows
            if k > 0:
                acc += sim_rows
            elif sim_rows is not acc:
                acc[...] = sim_rows  # 0 + the first group's sums == those sums
        return _style_mean(acc, cnt, out=acc)

    return part


#: Criteria that prepare per-value tables once for a whole cohort: ``plan(a, b, rules)(rows) -> part``.
_PART_PLANS = {"skills": _plan_skills, "working_style": _plan_working_style}
