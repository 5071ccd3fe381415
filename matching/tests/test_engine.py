"""The pure matching engine: exact assignment (vs brute force and a dense flow) and pair scoring.

No database and no Django: ``matching.engine`` imports only numpy and OR-Tools. Its tunables are
patched in the module that uses them (``solver``, ``tables``).
"""

from __future__ import annotations

import itertools
import math
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.graph.python import max_flow, min_cost_flow

from matching import engine
from matching.engine import (
    IN_PERSON,
    REMOTE,
    Features,
    ScoringRules,
    assign,
    hard_constraint_masks,
    inputs,
    parts,
    score_pairs,
    solver,
    tables,
)
from mentorship.testing import examples

OBJECTIVES = ("participation", "quality", "balanced")
QUALITY_MIN = 0.5


# ---------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------


def brute_force(scores, caps, objective, min_score=None):
    """Best lexicographic key over every assignment (vectorised enumeration)."""
    n, m = scores.shape
    floor = -np.inf if min_score is None else min_score
    combos = np.array(list(itertools.product(range(-1, m), repeat=n)), dtype=np.int64).reshape(-1, n)
    matched = combos >= 0
    vals = np.where(matched, scores[np.arange(n), np.maximum(combos, 0)], 0.0)
    ok = ~(matched & ~((vals > -np.inf) & (vals >= floor))).any(axis=1)
    for j in range(m):
        ok &= (combos == j).sum(axis=1) <= caps[j]
    vals = np.where(matched, vals, 0.0)
    count = matched.sum(axis=1)[ok]
    total = vals.sum(axis=1)[ok]
    low = np.where(matched, vals, np.inf).min(axis=1)[ok]
    best_count = count.max()
    sel = count == best_count
    if objective == "balanced" and best_count:
        best_low = low[sel].max()
        sel &= low == best_low
    return int(best_count), float(total[sel].max()), float(low[sel].max()) if best_count else math.inf


def dense_reference(scores, caps, objective, min_score=None):
    """Exact optimum over *all* pairs with a dense OR-Tools flow (same formulation as the engine, no pruning)."""
    n, m = scores.shape
    floor = -np.inf if min_score is None else min_score
    allowed = (scores > -np.inf) & (scores >= floor) & (caps > 0)[None, :]
    pi, pj = np.nonzero(allowed)
    ps = scores[pi, pj]
    if ps.size == 0:
        return 0, 0.0, math.inf
    src, snk = n + m, n + m + 1
    lo, hi = ps.min(), ps.max()
    scale = 1e9 / (hi - lo) if hi > lo else 0.0
    q = np.rint((ps - lo) * scale).astype(np.int64)

    def network(sel):
        tails = np.concatenate([np.full(n, src), pi[sel], n + np.arange(m)]).astype(np.int32)
        heads = np.concatenate([np.arange(n), n + pj[sel], np.full(m, snk)]).astype(np.int32)
        cap = np.concatenate([np.ones(n + sel.sum(), dtype=np.int64), caps.astype(np.int64)])
        return tails, heads, cap

    def solve(sel):
        tails, heads, cap = network(sel)
        costs = np.concatenate([np.zeros(n, dtype=np.int64), -q[sel], np.zeros(m, dtype=np.int64)])
        f = min_cost_flow.SimpleMinCostFlow()
        arcs = f.add_arcs_with_capacity_and_unit_cost(tails, heads, cap, costs)
        f.set_nodes_supplies(np.array([src, snk], dtype=np.int32), np.array([n, -n], dtype=np.int64))
        assert f.solve_max_flow_with_min_cost() == f.OPTIMAL
        used = np.asarray(f.flows(arcs))[n : n + sel.sum()] > 0
        return ps[sel][used]

    chosen = solve(np.ones(ps.size, dtype=bool))
    if objective == "balanced" and chosen.size:
        k = chosen.size
        values = np.unique(ps[ps >= chosen.min()])
        a, b = 0, values.size
        while b - a > 1:
            mid = (a + b) // 2
            tails, heads, cap = network(ps >= values[mid])
            f = max_flow.SimpleMaxFlow()
            f.add_arcs_with_capacity(tails, heads, cap)
            assert f.solve(src, snk) == f.OPTIMAL
            a, b = (mid, b) if f.optimal_flow() >= k else (a, mid)
        chosen = solve(ps >= values[a])
    return int(chosen.size), float(chosen.sum()), float(chosen.min()) if chosen.size else math.inf


def summary(scores, result):
    matched = result >= 0
    vals = scores[np.nonzero(matched)[0], result[matched]]
    return int(matched.sum()), float(vals.sum()), float(vals.min()) if vals.size else math.inf


def check_valid(scores, caps, result, min_score=None):
    n, m = scores.shape
    assert result.shape == (n,)
    assert result.dtype.kind == "i"
    assert ((result >= -1) & (result < m)).all()
    used = np.bincount(result[result >= 0], minlength=m)
    assert (used <= caps).all(), "a mentor got more mentees than their capacity"
    matched = result >= 0
    vals = scores[np.nonzero(matched)[0], result[matched]]
    assert np.isfinite(vals).all(), "a blocked pair was matched"
    if min_score is not None:
        assert (vals >= min_score).all()


def assert_same_optimum(got, want, objective):
    count, total, low = got
    w_count, w_total, w_low = want
    assert count == w_count
    assert total == pytest.approx(w_total, abs=1e-6)
    if objective == "balanced":
        assert low == w_low


@pytest.fixture
def tiny_pruning(monkeypatch):
    """Keep only 1-2 candidates per mentee/mentor so every certificate path runs."""
    monkeypatch.setattr(solver, "_ROW_K", 1)
    monkeypatch.setattr(solver, "_COL_K", 2)
    monkeypatch.setattr(solver, "_ADD_PER_ROW", 1)


# ---------------------------------------------------------------------------
# Exactness
# ---------------------------------------------------------------------------


@st.composite
def small_instances(draw):
    n = draw(st.integers(1, 6))
    m = draw(st.integers(1, 4))
    # Scores on a coarse grid (exact float sums, many ties), some blocked, some negative.
    cells = st.one_of(st.integers(-4, 8).map(lambda x: x / 2), st.just(-math.inf))
    scores = np.array(draw(st.lists(cells, min_size=n * m, max_size=n * m)), dtype=float).reshape(n, m)
    caps = np.array(draw(st.lists(st.integers(0, 3), min_size=m, max_size=m)), dtype=np.int64)
    return scores, caps


@pytest.mark.parametrize("pruned", [False, True], ids=["full", "pruned"])
@settings(max_examples=examples(200), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instance=small_instances())
def test_matches_brute_force(instance, pruned, monkeypatch):
    if pruned:
        monkeypatch.setattr(solver, "_ROW_K", 1)
        monkeypatch.setattr(solver, "_COL_K", 1)
        monkeypatch.setattr(solver, "_ADD_PER_ROW", 1)
    scores, caps = instance
    for objective in OBJECTIVES:
        min_score = QUALITY_MIN if objective == "quality" else None
        result = assign(scores, caps, objective=objective, min_score=min_score)
        check_valid(scores, caps, result, min_score)
        assert_same_optimum(summary(scores, result), brute_force(scores, caps, objective, min_score), objective)


def _structured(kind, rng, n, m):
    if kind == "uniform":
        return rng.random((n, m))
    if kind == "everyone_agrees":  # rank one: the worst case for top-k pruning
        return rng.random(n)[:, None] + rng.random(m)[None, :]
    if kind == "anti_sorted":  # optimum pairs the least wanted with the most wanted
        return -(rng.random(n)[:, None] * rng.random(m)[None, :])
    if kind == "ties":
        return np.round(rng.random((n, m)) * 2)
    if kind == "sparse":
        s = rng.random((n, m))
        s[rng.random((n, m)) < 0.8] = -np.inf
        return s
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["uniform", "everyone_agrees", "anti_sorted", "ties", "sparse"])
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_pruned_matches_dense_flow(kind, objective, tiny_pruning):
    rng = np.random.default_rng(zlib.crc32(f"{kind}/{objective}".encode()))
    for n, m in [(30, 8), (24, 30)]:
        scores = _structured(kind, rng, n, m)
        caps = rng.integers(0, 4, m)
        min_score = float(np.quantile(scores[np.isfinite(scores)], 0.3)) if objective == "quality" else None
        result = assign(scores, caps, objective=objective, min_score=min_score)
        check_valid(scores, caps, result, min_score)
        assert_same_optimum(summary(scores, result), dense_reference(scores, caps, objective, min_score), objective)


@pytest.mark.parametrize(("seed", "kind"), [(6, "everyone_agrees"), (16, "everyone_agrees"), (131, "uniform")])
def test_balanced_bottleneck_on_a_pruned_pair(seed, kind, tiny_pruning):
    """The best bottleneck lies strictly between two candidate scores: found by the refinement scan."""
    rng = np.random.default_rng(seed)
    scores = _structured(kind, rng, 12, 6)
    caps = rng.integers(0, 3, 6)
    result = assign(scores, caps, objective="balanced")
    check_valid(scores, caps, result)
    assert_same_optimum(summary(scores, result), dense_reference(scores, caps, "balanced"), "balanced")


def test_scarce_mentor_slots_with_default_pruning():
    """More mentees than places and everyone wanting the same mentors: pruning alone loses
    most matches here, the certificate must restore the true optimum."""
    rng = np.random.default_rng(7)
    n, m = 400, 120
    scores = rng.random(n)[:, None] * 2 + rng.random(m)[None, :] * 3 + rng.random((n, m)) * 0.01
    scores[rng.random((n, m)) < 0.1] = -np.inf
    caps = rng.integers(1, 4, m)
    for objective in ("participation", "balanced"):
        result = assign(scores, caps, objective=objective)
        check_valid(scores, caps, result)
        assert_same_optimum(summary(scores, result), dense_reference(scores, caps, objective), objective)


# ---------------------------------------------------------------------------
# Objective semantics
# ---------------------------------------------------------------------------


def test_participation_prefers_more_matches_over_a_higher_total():
    # Mentee 0 alone on mentor 0 scores 10; matching both needs 0 -> 1 (score 1) and 1 -> 0 (score 1).
    scores = np.array([[10.0, 1.0], [1.0, -np.inf]])
    result = assign(scores, [1, 1])
    assert result.tolist() == [1, 0]


def test_quality_only_uses_pairs_above_min_score_but_still_maximises_participation():
    scores = np.array([[-3.0, 5.0], [-2.0, -1.0]])
    # Above -2.5 only: (0,1), (1,0), (1,1).  Max matched = 2 using (0,1) and (1,0).
    result = assign(scores, [1, 1], objective="quality", min_score=-2.5)
    assert result.tolist() == [1, 0]
    # A threshold nobody reaches leaves everyone unmatched.
    assert assign(scores, [1, 1], objective="quality", min_score=100).tolist() == [-1, -1]


def test_balanced_raises_the_lowest_matched_score():
    scores = np.array([[9.0, 5.0], [5.0, 2.0]])
    participation = assign(scores, [1, 1])
    balanced = assign(scores, [1, 1], objective="balanced")
    assert participation.tolist() == [0, 1]  # total 11, lowest 2
    assert balanced.tolist() == [1, 0]  # total 10, lowest 5


def test_min_score_also_filters_other_objectives():
    scores = np.array([[1.0, 3.0], [2.0, 0.5]])
    for objective in ("participation", "balanced"):
        result = assign(scores, [1, 1], objective=objective, min_score=1.5)
        assert result.tolist() == [1, 0]


def test_zero_capacity_and_fully_blocked_rows():
    scores = np.array([[1.0, 2.0, 3.0], [-np.inf, -np.inf, -np.inf], [4.0, 1.0, 9.0]])
    result = assign(scores, [2, 1, 0])
    assert result[1] == -1
    assert (result != 2).all()
    assert sorted(result.tolist()) == [-1, 0, 1]


def test_deterministic():
    rng = np.random.default_rng(3)
    scores = np.round(rng.random((300, 60)) * 4) / 4  # lots of ties
    scores[rng.random(scores.shape) < 0.1] = -np.inf
    caps = rng.integers(0, 5, 60)
    for objective in OBJECTIVES:
        kwargs = {"min_score": 0.25} if objective == "quality" else {}
        first = assign(scores, caps, objective=objective, **kwargs)
        again = assign(scores.copy(), caps.copy(), objective=objective, **kwargs)
        as_list = assign(scores.tolist(), caps.tolist(), objective=objective, **kwargs)
        assert np.array_equal(first, again)
        assert np.array_equal(first, as_list)


def test_input_is_not_modified():
    scores = np.array([[1.0, -np.inf], [2.0, 3.0]])
    caps = np.array([1, 1])
    before = scores.copy()
    assign(scores, caps, objective="balanced")
    assert np.array_equal(scores, before)
    assert caps.tolist() == [1, 1]


# ---------------------------------------------------------------------------
# Shapes and validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "caps", "n"),
    [
        (np.zeros((0, 3)), [1, 2, 3], 0),
        (np.zeros((4, 0)), [], 4),
        (np.full((2, 2), -np.inf), [1, 1], 2),
        (np.ones((3, 2)), [0, 0], 3),
    ],
)
def test_empty_or_unmatchable_inputs(scores, caps, n):
    for objective in OBJECTIVES:
        result = assign(scores, caps, objective=objective, min_score=0.0)
        assert result.shape == (n,)
        assert result.dtype == np.int64
        assert (result == -1).all()


def test_float_and_bool_capacities():
    scores = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert assign(scores, np.array([1.0, 1.0])).tolist() == assign(scores, [1, 1]).tolist()
    assert assign(scores, np.array([True, False])).tolist() == [-1, 0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": np.ones(3), "capacities": [1, 1, 1]}, "2-D"),
        ({"scores": np.ones((2, 2, 2)), "capacities": [1, 1]}, "2-D"),
        ({"scores": np.ones((2, 3)), "capacities": [1, 1]}, "shapes disagree"),
        ({"scores": np.ones((2, 2)), "capacities": [[1, 1]]}, "1-D"),
        ({"scores": np.ones((2, 2)), "capacities": [1, -1]}, ">= 0"),
        ({"scores": np.ones((2, 2)), "capacities": [1, 1.5]}, "integers"),
        ({"scores": np.ones((2, 2)), "capacities": [1, np.nan]}, "finite"),
        ({"scores": [[1.0, np.nan], [0.0, 1.0]], "capacities": [1, 1]}, "NaN"),
        ({"scores": [[1.0, np.inf], [0.0, 1.0]], "capacities": [1, 1]}, r"\+inf"),
        ({"scores": [["a", "b"]], "capacities": [1, 1]}, "numeric"),
        ({"scores": [[1.0], [2.0, 3.0]], "capacities": [1]}, "numeric"),
        ({"scores": np.ones((2, 2)), "capacities": [1, 1], "objective": "fastest"}, "unknown objective"),
        ({"scores": np.ones((2, 2)), "capacities": [1, 1], "objective": "quality"}, "min_score is required"),
        (
            {"scores": np.ones((2, 2)), "capacities": [1, 1], "objective": "quality", "min_score": float("nan")},
            "NaN",
        ),
        ({"scores": np.ones((2, 2)), "capacities": [1, 1], "min_score": "high"}, "real number"),
    ],
)
def test_bad_input_raises_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        assign(**kwargs)


def test_nan_is_rejected_even_in_a_zero_capacity_column():
    with pytest.raises(ValueError, match="NaN"):
        assign(np.array([[1.0, np.nan]]), [1, 0])


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def _people(rng, p, *, mentor):
    skills = np.zeros((p, 6))
    skills[np.arange(p), rng.integers(0, 6, p)] = rng.random(p) if mentor else rng.integers(1, 4, p)
    style = rng.integers(1, 6, (p, 3)).astype(float)
    style[0, :] = np.nan
    answers_single = np.eye(3)[rng.integers(0, 3, p)]
    answers_multi = (rng.random((p, 4)) < 0.4).astype(float)
    languages = (rng.random((p, 3)) < 0.5).astype(float)
    languages[0] = 0  # unknown
    return Features(
        skills=skills,
        objectives=(rng.random((p, 4)) < 0.5).astype(float),
        seniority=np.where(np.arange(p) == 1, np.nan, rng.integers(0, 10, p)).astype(float),
        department=rng.integers(-1, 3, p),
        utc_offset=rng.choice([-8.0, -5.0, 0.0, 1.0, 5.5, 9.0], p),
        location=rng.integers(-1, 3, p),
        meeting_format=rng.choice([REMOTE, IN_PERSON, REMOTE | IN_PERSON], p),
        working_style=style,
        availability=rng.integers(0, 8, p).astype(float),
        answers=[answers_single, answers_multi],
        languages=languages,
    )


ALL_WEIGHTS = {name: float(k + 1) for k, name in enumerate(engine.CRITERIA)}


def test_parts_add_up_to_the_total_and_stay_in_range():
    rng = np.random.default_rng(0)
    mentees, mentors = _people(rng, 40, mentor=False), _people(rng, 25, mentor=True)
    rules = ScoringRules(min_seniority_gap=-2, max_seniority_gap=8, forbid_same_department=True)
    blocked = rng.random((40, 25)) < 0.1
    total, parts = score_pairs(mentees, mentors, ALL_WEIGHTS, rules=rules, blocked=blocked)
    assert total.shape == (40, 25)
    assert list(parts) == list(engine.CRITERIA)
    for name, part in parts.items():
        assert part.shape == (40, 25)
        assert np.isfinite(part).all()
        assert (part >= 0).all() and (part <= ALL_WEIGHTS[name] + 1e-12).all(), name
    summed = sum(parts.values())
    finite = np.isfinite(total)
    assert np.array_equal(summed[finite], total[finite])
    masks = hard_constraint_masks(mentees, mentors, rules=rules, blocked=blocked)
    assert set(masks) == {"seniority_gap", "same_department", "meeting_format", "language", "blocked"}
    union = np.logical_or.reduce(list(masks.values()))
    assert np.array_equal(union, np.isneginf(total))
    # Without parts: the same total, less memory.
    total2, parts2 = score_pairs(mentees, mentors, ALL_WEIGHTS, rules=rules, blocked=blocked, return_parts=False)
    assert parts2 == {}
    assert np.array_equal(total2, total)


def test_scores_feed_assign():
    rng = np.random.default_rng(1)
    mentees, mentors = _people(rng, 30, mentor=False), _people(rng, 10, mentor=True)
    total, _ = score_pairs(mentees, mentors, ALL_WEIGHTS)
    result = assign(total, np.full(10, 2), objective="balanced")
    check_valid(total, np.full(10, 2), result)


def _one(**fields):
    return Features(**{k: np.asarray(v) if k != "answers" else v for k, v in fields.items()})


def test_criterion_formulas():
    rules = ScoringRules(preferred_seniority_gap=(2.0, 4.0), seniority_decay=2.0, working_hours=8.0)
    a = _one(
        skills=[[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
        objectives=[[1, 1, 0], [0, 0, 0]],
        seniority=[1.0, np.nan],
        department=[1, -1],
        utc_offset=[0.0, 5.0],
        availability=[4.0, 0.0],
        working_style=[[1.0, 5.0], [np.nan, np.nan]],
        answers=[np.array([[1, 0], [0, 0]]), np.array([[1, 1, 0], [0, 1, 0]])],
        languages=[[1, 0], [0, 0]],
    )
    b = _one(
        skills=[[1.0, 0.5, 1.0]],
        objectives=[[1, 0, 1]],
        seniority=[6.0],
        department=[1],
        utc_offset=[-2.0],
        availability=[2.0],
        working_style=[[2.0, 5.0]],
        answers=[np.array([[1, 0]]), np.array([[0, 1, 1]])],
        languages=[[0, 1]],
    )
    weights = dict.fromkeys(
        [
            "skills",
            "objectives",
            "seniority",
            "department",
            "timezone",
            "availability",
            "working_style",
            "answers",
            "languages",
        ],
        1.0,
    )
    total, parts = score_pairs(a, b, weights, rules=rules)
    p = {name: part[:, 0] for name, part in parts.items()}
    assert p["skills"][0] == pytest.approx((2 * 1.0 + 1 * 0.5) / 3)
    assert p["skills"][1] == 0.5  # no wanted skills: neutral
    assert p["objectives"].tolist() == [0.5, 0.5]
    assert p["seniority"][0] == pytest.approx(0.5)  # gap 5, preferred up to 4, decays over 2
    assert p["seniority"][1] == 0.5  # unknown
    assert p["department"].tolist() == [0.0, 0.5]  # "different" preferred; same department / unknown
    assert p["timezone"][0] == pytest.approx(1 - 2 / 8)
    assert p["timezone"][1] == pytest.approx(1 - 7 / 8)
    assert p["availability"].tolist() == [0.5, 1.0]
    assert p["working_style"][0] == pytest.approx(1 - 0.5 * (1 / 4))
    assert p["working_style"][1] == 0.5
    assert p["answers"][0] == pytest.approx((1.0 + 0.5) / 2)
    assert p["answers"][1] == pytest.approx(1.0)  # only the multi-choice question answered
    assert p["languages"].tolist() == [0.0, 0.5]
    assert np.isneginf(total[0, 0])  # no common language
    assert np.isfinite(total[1, 0])  # unknown languages never block


def test_meeting_format_and_location():
    a = _one(meeting_format=[IN_PERSON, REMOTE, REMOTE | IN_PERSON, REMOTE | IN_PERSON], location=[1, 1, 1, 2])
    b = _one(meeting_format=[REMOTE | IN_PERSON], location=[1])
    total, parts = score_pairs(a, b, {"location": 2.0})
    assert parts["location"][:, 0].tolist() == [2.0, 2.0, 2.0, 1.0]
    c = _one(meeting_format=[REMOTE], location=[1])
    total, _ = score_pairs(a, c, {"location": 1.0})
    assert np.isneginf(total[0, 0])  # in person only vs remote only
    total, _ = score_pairs(a, c, {"location": 1.0}, rules=ScoringRules(require_meeting_format=False))
    assert np.isfinite(total).all()


def test_seniority_gap_and_department_hard_rules():
    a = _one(seniority=[3.0, 3.0], department=[1, 2])
    b = _one(seniority=[2.0, 9.0], department=[1, 5])
    rules = ScoringRules(min_seniority_gap=0, max_seniority_gap=5, forbid_same_department=True)
    masks = hard_constraint_masks(a, b, rules=rules)
    assert masks["seniority_gap"].tolist() == [[True, True], [True, True]]
    assert masks["same_department"].tolist() == [[True, False], [False, False]]
    total, _ = score_pairs(a, b, {"seniority": 1.0}, rules=rules)
    assert np.isneginf(total).all()


def test_sparse_like_skills_are_accepted():
    class Sparse:
        """Minimal stand-in for a scipy sparse matrix."""

        def __init__(self, dense):
            self.dense = np.asarray(dense, dtype=float)
            self.shape = self.dense.shape
            self.ndim = 2

        def toarray(self):
            return self.dense

        def sum(self, axis=None):
            return self.dense.sum(axis=axis)

        def __getitem__(self, key):
            return Sparse(self.dense[key])

        @property
        def T(self):  # noqa: N802
            return Sparse(self.dense.T)

        def __matmul__(self, other):
            other = other.dense if isinstance(other, Sparse) else other
            return Sparse(self.dense @ other)

    wanted = [[1.0, 0.0], [1.0, 1.0]]
    had = [[0.5, 1.0]]
    dense_total, _ = score_pairs(_one(skills=wanted), _one(skills=had), {"skills": 1.0})
    sparse_total, _ = score_pairs(Features(skills=Sparse(wanted)), Features(skills=Sparse(had)), {"skills": 1.0})
    assert np.allclose(dense_total, sparse_total)


@pytest.mark.parametrize(
    ("mentees", "mentors", "weights", "rules", "message"),
    [
        (_one(seniority=[1.0]), _one(seniority=[2.0]), {"nope": 1.0}, None, "unknown criteria"),
        (_one(seniority=[1.0]), _one(seniority=[2.0]), {"seniority": -1.0}, None, ">= 0"),
        (_one(seniority=[1.0]), _one(seniority=[2.0]), {"seniority": float("inf")}, None, "finite"),
        (_one(seniority=[1.0]), _one(seniority=[2.0]), {"skills": 1.0}, None, "mentees.skills is missing"),
        (_one(seniority=[1.0, 2.0], department=[1]), _one(seniority=[2.0]), {}, None, "disagree"),
        (_one(skills=[[1.0, 2.0]]), _one(skills=[[1.0]]), {"skills": 1.0}, None, "columns"),
        (_one(skills=[[1.0]]), _one(skills=[[2.0]]), {"skills": 1.0}, None, r"\[0.0, 1.0\]"),
        (_one(languages=[[2, 0]]), _one(languages=[[1, 0]]), {}, None, "multi-hot"),
        (_one(meeting_format=[4]), _one(meeting_format=[1]), {}, None, "REMOTE"),
        (_one(department=[1.5]), _one(department=[1]), {}, None, "integer"),
        (
            _one(seniority=[1.0]),
            _one(seniority=[1.0]),
            {},
            ScoringRules(min_seniority_gap=3, max_seniority_gap=1),
            "<=",
        ),
        (
            _one(department=[1]),
            _one(department=[1]),
            {"department": 1.0},
            ScoringRules(department_preference=None),
            "None",
        ),
        (Features(), _one(seniority=[1.0]), {}, None, "no features"),
    ],
)
def test_scoring_validation(mentees, mentors, weights, rules, message):
    with pytest.raises(ValueError, match=message):
        score_pairs(mentees, mentors, weights, rules=rules)


def test_blocked_mask_shape_is_checked():
    with pytest.raises(ValueError, match="blocked must have shape"):
        score_pairs(_one(seniority=[1.0]), _one(seniority=[1.0, 2.0]), {}, blocked=np.zeros((2, 2), dtype=bool))


def test_engine_does_not_import_django():
    """Importing the package (every module of it) loads neither Django nor another app of the project."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(engine.__file__).resolve().parents[2]
    code = (
        "import pkgutil, sys\n"
        "import matching.engine\n"
        "for module in pkgutil.iter_modules(matching.engine.__path__):\n"
        "    __import__(f'matching.engine.{module.name}')\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] in {'django', 'mentorship', 'core',"
        " 'people', 'programs', 'goals', 'sessions', 'surveys', 'evaluation', 'portal', 'demo'})\n"
        "assert not loaded, loaded\n"
        "ours = {f'matching.engine.{module.name}' for module in pkgutil.iter_modules(matching.engine.__path__)}\n"
        "others = {name for name in sys.modules if name.startswith('matching.')} - ours - {'matching.engine'}\n"
        "assert not others, others\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


def _wide_people(rng, p, *, mentor, skills=48, styles=7, languages=4):
    """People with many skills of which each mentee wants a few (the sparse product's case),
    a working style of several items and some unknowns everywhere."""
    people = _people(rng, p, mentor=mentor)
    wanted = np.zeros((p, skills))
    for i in range(p):
        chosen = rng.choice(skills, rng.integers(0, 4), replace=False)
        wanted[i, chosen] = rng.random(chosen.size) if mentor else rng.integers(1, 6, chosen.size) / 5
    style = rng.integers(1, 6, (p, styles)).astype(float)
    style[rng.random((p, styles)) < 0.2] = np.nan
    spoken = (rng.random((p, languages)) < 0.4).astype(float)
    return Features(**{**people.__dict__, "skills": wanted, "working_style": style, "languages": spoken})


@pytest.mark.parametrize("seed", range(4))
def test_pairwise_parts_are_the_parts_of_those_pairs(seed):
    rng = np.random.default_rng(seed)
    mentees, mentors = _wide_people(rng, 60, mentor=False), _wide_people(rng, 35, mentor=True)
    rules = ScoringRules(department_preference="same")
    _, parts = score_pairs(mentees, mentors, ALL_WEIGHTS, rules=rules)
    rows, cols = rng.integers(0, 60, 200), rng.integers(0, 35, 200)

    def take(features, index):
        return Features(
            **{
                name: None if value is None else [q[index] for q in value] if name == "answers" else value[index]
                for name, value in features.__dict__.items()
            }
        )

    pairwise = engine.score_pairwise(take(mentees, rows), take(mentors, cols), ALL_WEIGHTS, rules=rules)
    assert list(pairwise) == list(parts)
    for name, values in pairwise.items():
        assert values.shape == (200,)
        np.testing.assert_allclose(values, parts[name][rows, cols], rtol=0, atol=1e-12, err_msg=name)


def test_pairwise_needs_as_many_mentees_as_mentors():
    with pytest.raises(ValueError, match="as many mentees as mentors"):
        engine.score_pairwise(_one(seniority=[1.0]), _one(seniority=[1.0, 2.0]), {"seniority": 1.0})


def test_few_wanted_skills_take_the_sparse_product_and_many_the_matrix_product():
    rng = np.random.default_rng(7)
    had = rng.random((30, 64))
    few = np.zeros((20, 64))
    few[np.arange(20), rng.integers(0, 64, 20)] = rng.random(20)
    few[3, [1, 9, 40]] = [0.2, 0.4, 1.0]
    many = rng.random((20, 64))  # every skill wanted: the matrix product
    for wanted in (few, many):
        product = parts._few_nonzero_product(wanted, had, np.ascontiguousarray(had.T))
        np.testing.assert_allclose(product, wanted @ had.T, rtol=1e-13, atol=1e-15)


def test_working_style_tables_give_the_values_computed_per_row(monkeypatch):
    """Tabled per combination of answers (the default), per row (too many combinations for a
    table) or directly: the same bits."""
    rng = np.random.default_rng(3)
    mentees, mentors = _wide_people(rng, 80, mentor=False), _wide_people(rng, 30, mentor=True)
    weights = {"working_style": 1.0}
    tabled, tabled_parts = score_pairs(mentees, mentors, weights)
    monkeypatch.setattr(tables, "_TABLE_MAX", 30)  # one combination per table: every group per row
    per_row, per_row_parts = score_pairs(mentees, mentors, weights)
    direct = parts._part_working_style(inputs._prepare(mentees, "mentees"), inputs._prepare(mentors, "mentors"), None)
    assert np.array_equal(tabled, per_row)
    assert np.array_equal(tabled_parts["working_style"], direct)
    assert np.array_equal(per_row_parts["working_style"], direct)


def test_languages_beyond_one_bit_each_use_the_matrix_product():
    rng = np.random.default_rng(5)
    few_a, few_b = (rng.random((25, 5)) < 0.3).astype(float), (rng.random((15, 5)) < 0.3).astype(float)
    many_a, many_b = np.zeros((25, 70)), np.zeros((15, 70))
    many_a[:, :5], many_b[:, :5] = few_a, few_b
    many_a[0, 69] = many_b[0, 69] = 1.0  # a shared 70th language
    for a, b in ((few_a, few_b), (many_a, many_b)):
        share, known = parts._languages({"languages": a, "_size": 25}, {"languages": b, "_size": 15})
        assert np.array_equal(share, (a @ b.T) > 0)
        assert np.array_equal(known, (a.sum(axis=1) > 0)[:, None] & (b.sum(axis=1) > 0)[None, :])
