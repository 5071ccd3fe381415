"""Exact, deterministic mentor–mentee assignment and vectorised pair scoring.

This module is the stable, framework-free core of the matching feature: it
imports only the standard library, numpy and OR-Tools (never Django; OR-Tools
only when an assignment is solved), so it can be unit-tested and benchmarked
on its own.  It has two public halves:

:func:`score_pairs`
    turns per-person feature arrays (:class:`Features`) plus program rules
    (:class:`ScoringRules`) and criterion weights into a dense
    ``(mentees x mentors)`` score matrix, with one explaining matrix per
    criterion; hard constraints (see :func:`hard_constraint_masks`) show up as
    ``-inf``.

:func:`assign`
    turns such a score matrix plus mentor capacities into an assignment, with
    an exact (provably optimal) and deterministic solver.

How :func:`assign` works
------------------------
The problem is a bipartite b-matching (each mentee takes at most one mentor,
mentor ``j`` takes at most ``capacities[j]`` mentees), solved as a min-cost
flow ``source -> mentee -> mentor -> sink`` with OR-Tools
(``solve_max_flow_with_min_cost``: the largest flow, then the cheapest one of
that size, so no "big-M" bonus and no int64 overflow risk).

A dense flow over every pair is slow and memory hungry (25 M arcs: ~15 s and
3.4 GB), so the solver works on a *pruned* candidate graph: each mentee's
best mentors and each mentor's best mentees (a few hundred thousand arcs).
Pruning alone proves nothing (with scarce mentor places it can lose a large
share of the matches), so every solution is certified against the full score
matrix before it is returned:

* **matched count** -- in the residual graph of the flow, let ``S`` be the
  nodes reachable from the source and ``T`` the nodes that reach the sink.
  If no pruned pair leaves ``S`` (or none enters ``T``), that side is a cut
  of the *full* graph whose capacity equals the flow: the count is maximal.
* **total score** -- node potentials ``d`` are computed as shortest-path
  distances in the residual graph (vectorised policy iteration; the pruned
  solution is optimal, so there is no negative cycle).  If every pruned pair
  ``(i, j)`` has a non-negative reduced cost ``-q_ij + d_i - d_j`` the
  potentials stay valid for the full residual graph, which therefore has no
  negative cycle: the flow is a cheapest flow of its size in the full graph.

Both checks stream over the dense score matrix in row blocks (bounded memory)
and skip rows/columns whose best pruned score cannot violate them.  Pairs
that violate a check are added to the candidate graph and the flow is solved
again, until both certificates hold.  The answer therefore equals what a
dense exact solver gives, not a heuristic approximation of it.

Precision: flow costs are integers, so scores are mapped to a grid of
``delta = (max - min) / 10**9`` (a coarser one only for cohorts of millions).
The matched count and, for ``"balanced"``, the lowest matched score are
exact.  The total score is optimal up to that grid: it is within
``2 * k * delta`` of the true optimum (``k`` = matched mentees; rounding is at
most ``delta / 2`` per pair, and a pruned pair must gain more than one grid
step to trigger a re-solve, since a one-step "gain" is rounding noise).

Objectives
----------
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

__all__ = [
    "CRITERIA",
    "IN_PERSON",
    "OBJECTIVES",
    "REMOTE",
    "Features",
    "PairScores",
    "ScoringRules",
    "assign",
    "hard_constraint_masks",
    "score_pairwise",
    "score_pairs",
]

OBJECTIVES = ("participation", "quality", "balanced")

#: Elements of a dense block processed at once (~16 MB per float64 temporary).
_BLOCK = 1 << 20
#: Elements of a block of :func:`score_pairs` (1 MB per float64 temporary): the dozen passes
#: each criterion makes over a block stay in the CPU cache (about twice as fast as 8 MB blocks).
_SCORE_BLOCK = 1 << 17
#: Quantisation grid: scores are mapped to integers in [0, _QUANT_STEPS].
_QUANT_STEPS = 10**9
#: Initial pruning: each mentee's best mentors and each mentor's best mentees.
_ROW_K = 40
_COL_K = 60
#: A pruned pair only counts as a violation of the cost certificate if it
#: could improve the quantised total by more than this many quantisation steps
#: (a 1-step "gain" is pure rounding noise of the two scores involved).
_GAIN_TOLERANCE = 1
#: At most this many certificate-violating pairs are added per mentee a round.
_ADD_PER_ROW = 40


# ---------------------------------------------------------------------------
# Assignment
# ---------------------------------------------------------------------------


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


def _check_values(block: np.ndarray) -> None:
    if block.size == 0:
        return
    top = block.max()  # NaN propagates through max
    if math.isnan(top):
        raise ValueError("scores must not contain NaN (use -inf to block a pair)")
    if top == math.inf:
        raise ValueError("scores must not contain +inf")


def _gather_csr(ptr: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Positions of all CSR entries of ``nodes`` (concatenated ranges)."""
    starts = ptr[nodes]
    lens = ptr[nodes + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = starts - (np.cumsum(lens) - lens)
    return np.arange(total, dtype=np.int64) + np.repeat(offsets, lens)


def _mix(key: np.ndarray) -> np.ndarray:
    """Deterministic 64-bit hash (splitmix64 finaliser) of non-negative integers."""
    z = key.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class _Residual:
    """Residual graph of a flow, as arc arrays plus CSR index by tail."""

    def __init__(self, n_nodes: int, tails: np.ndarray, heads: np.ndarray, costs: np.ndarray):
        order = np.argsort(tails, kind="stable")
        self.n_nodes = n_nodes
        self.tails = tails[order]
        self.heads = heads[order]
        self.costs = costs[order]
        self.ptr = np.searchsorted(self.tails, np.arange(n_nodes + 1))

    def reachable(self, source: int, *, reverse: bool = False) -> np.ndarray:
        """Boolean mask of nodes reachable from ``source`` (or reaching it)."""
        if reverse:
            rev = _Residual(self.n_nodes, self.heads, self.tails, self.costs)
            return rev.reachable(source)
        seen = np.zeros(self.n_nodes, dtype=bool)
        seen[source] = True
        frontier = np.array([source], dtype=np.int64)
        while frontier.size:
            nxt = self.heads[_gather_csr(self.ptr, frontier)]
            nxt = np.unique(nxt[~seen[nxt]])
            seen[nxt] = True
            frontier = nxt
        return seen

    def potentials(self) -> np.ndarray:
        """Shortest-path distances from a virtual root joined to every node by a 0-cost arc.

        The result ``d`` satisfies ``d[head] <= d[tail] + cost`` on every
        residual arc, i.e. all reduced costs ``cost + d[tail] - d[head]`` are
        non-negative.  The residual graph of an optimal flow has no negative
        cycle, so the distances exist.

        Computed by policy iteration (Howard's algorithm), fully vectorised:
        every node keeps one parent arc (initially the root); the distances of
        that tree are evaluated exactly by pointer jumping (``log2(depth)``
        steps), then every node whose best incoming arc is strictly shorter
        switches to it.  Strict switches can never close a cycle without a
        negative cycle, so the parents always form a tree.  Unlike
        Bellman-Ford, whose rounds grow with the number of arcs on the
        shortest paths (thousands when everybody ranks the mentors the same
        way), this converges in a few dozen iterations.
        """
        nn = self.n_nodes
        root = nn
        order = np.argsort(self.heads, kind="stable")
        tails, heads, costs = self.tails[order], self.heads[order], self.costs[order]
        if heads.size == 0:
            return np.zeros(nn, dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]])
        counts = np.diff(np.r_[starts, heads.size])
        uh = heads[starts]
        parent = np.full(nn + 1, root, dtype=np.int64)
        weight = np.zeros(nn + 1, dtype=np.int64)
        d = np.zeros(nn + 1, dtype=np.int64)
        for _ in range(nn + 2):
            cand = d[tails] + costs
            best = np.minimum.reduceat(cand, starts)
            improve = best < d[uh]
            if not improve.any():
                return d[:nn]
            # First arc achieving the minimum, per head (heads are sorted).
            hit = np.flatnonzero(cand == np.repeat(best, counts))
            arg = hit[np.r_[True, heads[hit[1:]] != heads[hit[:-1]]]]
            arg = arg[improve]
            parent[heads[arg]] = tails[arg]
            weight[heads[arg]] = costs[arg]
            # Evaluate the tree: d[v] = weight[v] + d[parent[v]] by pointer jumping.
            d = weight.copy()
            jump = parent.copy()
            for _ in range(nn.bit_length() + 2):
                pending = jump != root
                if not pending.any():
                    break
                d[pending] += d[jump[pending]]
                jump[pending] = jump[jump[pending]]
            else:
                break  # the parents contain a cycle
        raise RuntimeError("negative cycle in residual graph: the flow solver returned a non-optimal flow")


class _PrunedSolver:
    """Min-cost-flow b-matching on a pruned candidate graph, certified exact.

    Node numbering: mentees ``0..n-1``, mentors ``n..n+m-1``, source ``n+m``,
    sink ``n+m+1``.
    """

    def __init__(self, s: np.ndarray, cap: np.ndarray, floor: float):
        n, m = s.shape
        self.s, self.cap, self.floor = s, cap, floor
        self.n, self.m = n, m
        self.colok = cap > 0
        self.source, self.sink = n + m, n + m + 1
        self.n_nodes = n + m + 2
        kr, kc = min(_ROW_K, m), min(_COL_K, n)

        is_cand = np.zeros((n, m), dtype=bool)
        row_bound = np.full(n, -np.inf)  # max allowed score outside the row top-k
        row_best = np.full(n, -np.inf)
        # Work on negated scores (+inf = not allowed): partitioning for the k
        # smallest keys is much faster than for the k largest when a row is
        # mostly blocked or tied.
        col_neg = np.empty((m, 0))  # running column top-k (negated values, mentee indices)
        col_rows = np.empty((m, 0), dtype=np.int64)
        col_bound = np.full(m, -np.inf)  # max allowed score outside the column top-k
        smin, smax = math.inf, -math.inf
        step = max(1, _BLOCK // m)
        buf = np.empty((min(step, n), m))
        for r0 in range(0, n, step):
            blk = s[r0 : r0 + step]
            _check_values(blk)
            r = blk.shape[0]
            ok = self._allowed(blk, -math.inf, self.colok)
            nx = buf[:r]
            nx.fill(np.inf)
            np.negative(blk, out=nx, where=ok)
            best = -nx.min(axis=1)
            row_best[r0 : r0 + r] = best
            if not (best > -np.inf).any():
                continue
            smax = max(smax, float(best.max()))
            smin = min(smin, float(np.min(blk, where=ok, initial=np.inf)))
            rows = np.arange(r)[:, None]
            if kr < m:
                part = np.argpartition(nx, kr, axis=1)
                top = part[:, :kr]
                row_bound[r0 : r0 + r] = -nx[rows[:, 0], part[:, kr]]
            else:
                top = np.broadcast_to(np.arange(m), (r, m))
            is_cand[r0 + rows, top] = nx[rows, top] < np.inf

            # Column top-k: merge the running top-k with this block (transposed,
            # so the partition runs along contiguous rows).
            have = col_neg.shape[1]
            vals = np.concatenate([col_neg, nx.T], axis=1)
            width = vals.shape[1]
            if width > kc:
                part = np.argpartition(vals, kc, axis=1)
                col_bound = np.maximum(col_bound, -vals[np.arange(m), part[:, kc]])
                keep = part[:, :kc]
            else:
                keep = np.broadcast_to(np.arange(width), (m, width))
            old = np.take_along_axis(col_rows, np.minimum(keep, max(have - 1, 0)), axis=1) if have else 0
            col_rows = np.where(keep < have, old, r0 + keep - have)
            col_neg = np.take_along_axis(vals, keep, axis=1)
        fin = col_neg < np.inf
        is_cand[col_rows[fin], np.nonzero(fin)[0]] = True

        self.empty = not math.isfinite(smin)
        if self.empty:
            return
        # Quantisation q(s) = rint((s - shift) * scale) in [0, steps].
        steps = min(_QUANT_STEPS, (1 << 62) // (self.n_nodes + 1) ** 2)
        with np.errstate(over="ignore"):
            span = smax - smin
        if not math.isfinite(span):
            self.shift, self.scale = 0.0, (steps / 2) / max(abs(smin), abs(smax))
        else:
            self.shift, self.scale = smin, (steps / span if span > 0 else 0.0)
        self.is_cand = is_cand
        self.row_best = row_best
        self.row_bound = row_bound
        self.col_bound = col_bound
        e = np.empty(0, dtype=np.int64)
        self.ci, self.cj, self.cs, self.cq = e, e, np.empty(0), e
        self._extend(*np.nonzero(is_cand))

    # -- helpers -----------------------------------------------------------

    def _allowed(self, blk: np.ndarray, thr: float, colok: np.ndarray) -> np.ndarray:
        lo = max(self.floor, thr)
        ok = blk > -np.inf if lo == -math.inf else blk >= lo
        ok &= colok
        return ok

    def _quantise(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", over="ignore"):
            return np.rint((x - self.shift) * self.scale)

    def _extend(self, i: np.ndarray, j: np.ndarray) -> None:
        """Append pairs (already marked in ``is_cand``) to the candidate arc arrays."""
        sc = self.s[i, j]
        self.ci = np.concatenate([self.ci, i])
        self.cj = np.concatenate([self.cj, j])
        self.cs = np.concatenate([self.cs, sc])
        self.cq = np.concatenate([self.cq, self._quantise(sc).astype(np.int64)])

    def _add(self, i: np.ndarray, j: np.ndarray) -> None:
        """Add (non-candidate) pairs to the candidate graph."""
        self.is_cand[i, j] = True
        self._extend(i, j)

    def _scan(self, rows: np.ndarray, cols: np.ndarray, thr: float, test, *, quota=None, spread=False):
        """Stream over the allowed non-candidate pairs in ``rows x cols``.

        ``test(r, c, blk)`` gets the global row/column indices of a dense score
        block and returns a list of ``(hit, priority)`` block pairs, one per
        category (``priority`` may be ``None``: use the score).  For each
        category the result holds ``(count, i, j, s)``: the number of hits and
        either every hit (``quota=None``) or, per mentee, the ``quota`` hits of
        highest priority.  With ``spread`` half of the quota goes instead to a
        pseudo-random but deterministic subset of the hits, so that when
        everyone prefers the same mentors the added pairs still reach many
        different mentors (used for the max-flow cut certificate).
        """
        found = None
        if rows.size and cols.size:
            full = cols.size == self.m
            step = max(1, _BLOCK // cols.size)
            colok = self.colok[cols]
            for a in range(0, rows.size, step):
                r = rows[a : a + step]
                if full:
                    blk, cand = self.s[r], self.is_cand[r]
                else:
                    ix = np.ix_(r, cols)
                    blk, cand = self.s[ix], self.is_cand[ix]
                ok = self._allowed(blk, thr, colok)
                ok &= ~cand
                cats = test(r, cols, blk)
                if found is None:
                    found = [[0, []] for _ in cats]
                for slot, (hit, prio) in zip(found, cats, strict=True):
                    hit = hit & ok
                    cnt = int(np.count_nonzero(hit))
                    if not cnt:
                        continue
                    slot[0] += cnt
                    rr, cc = self._pick(hit, blk if prio is None else prio, r, cols, quota, spread)
                    slot[1].append((r[rr], cols[cc], blk[rr, cc]))
        out = []
        for cnt, parts in found or []:
            if parts:
                i, j, sc = (np.concatenate(z) for z in zip(*parts, strict=True))
            else:
                i = j = np.empty(0, dtype=np.int64)
                sc = np.empty(0)
            out.append((cnt, i, j, sc))
        return out

    def _pick(self, hit, prio, r, cols, quota, spread):
        """Block positions of the hits to keep: all, or per row the best ``quota``."""
        if quota is None or hit.shape[1] <= quota:
            return np.nonzero(hit)
        sub = np.nonzero(hit.any(axis=1))[0]
        hit = hit[sub]
        lines = np.arange(sub.size)[:, None]
        keep = np.zeros(hit.shape, dtype=bool)
        by_prio = quota // 2 if spread else quota
        key = np.where(hit, -prio[sub], np.inf)
        top = np.argpartition(key, by_prio, axis=1)[:, :by_prio]
        keep[lines, top] = hit[lines, top]
        if spread:
            h = _mix(r[sub][:, None] * self.m + cols[None, :])
            h = np.where(hit, h, np.uint64(2**64 - 1))
            n_hash = quota - by_prio
            top = np.argpartition(h, n_hash, axis=1)[:, :n_hash]
            keep[lines, top] |= hit[lines, top]
        rr, cc = np.nonzero(keep)
        return sub[rr], cc

    def _cut_violations(self, thr: float, in_s: np.ndarray, in_t: np.ndarray):
        """Pruned pairs that break both max-flow cut certificates.

        ``in_s``/``in_t``: node masks of the residual graph (reachable from the
        source / reaching the sink).  If no allowed pruned pair leaves the
        source side, or none enters the sink side, that side is a cut of the
        full graph whose capacity equals the flow: the flow value is certified
        maximal and ``None`` is returned.  Otherwise returns ``(i, j)`` of
        pairs to add, preferring source-side -> sink-side pairs, which are
        augmenting paths.
        """
        n = self.n
        s_r, s_c = in_s[:n], in_s[n : n + self.m]
        t_r, t_c = in_t[:n], in_t[n : n + self.m]
        lo = max(self.floor, thr)
        rows = np.nonzero((s_r | ~t_r) & (self.row_bound >= lo) & (self.row_bound > -np.inf))[0]
        cols = np.nonzero((~s_c | t_c) & self.colok & (self.col_bound >= lo) & (self.col_bound > -np.inf))[0]

        def test(r, c, blk):
            leave_s = s_r[r][:, None] & ~s_c[c][None, :]
            enter_t = ~t_r[r][:, None] & t_c[c][None, :]
            return [(leave_s, None), (enter_t, None), (leave_s & enter_t, None)]

        found = self._scan(rows, cols, thr, test, quota=_ADD_PER_ROW, spread=True)
        if not found:
            return None
        (n_s, *sel_s), (n_t, *sel_t), (n_both, *sel_both) = found
        if n_s == 0 or n_t == 0:
            return None
        if n_both:
            return sel_both[:2]
        return sel_s[:2] if n_s <= n_t else sel_t[:2]

    # -- flows -------------------------------------------------------------

    def _arcs(self, thr: float):
        sel = self.cs >= thr if thr > -math.inf else slice(None)
        return self.ci[sel], self.cj[sel], self.cq[sel]

    def _flow_network(self, pi, pj):
        n = self.n
        mentors = np.nonzero(self.colok)[0]
        tails = np.concatenate([np.full(n, self.source), pi, n + mentors]).astype(np.int32)
        heads = np.concatenate([np.arange(n), n + pj, np.full(mentors.size, self.sink)]).astype(np.int32)
        caps = np.concatenate([np.ones(n + pi.size, dtype=np.int64), self.cap[mentors]])
        return mentors, tails, heads, caps

    def _residual(self, pi, pj, pq, pflow, mentors, used) -> _Residual:
        n = self.n
        matched = np.zeros(n, dtype=bool)
        matched[pi[pflow > 0]] = True
        ments = np.arange(n)
        mnode = n + mentors
        f = pflow > 0
        parts_t = [
            np.full(np.count_nonzero(~matched), self.source),
            ments[matched],
            pi[~f],
            n + pj[f],
            mnode[used < self.cap[mentors]],
            np.full(np.count_nonzero(used > 0), self.sink),
        ]
        parts_h = [
            ments[~matched],
            np.full(np.count_nonzero(matched), self.source),
            n + pj[~f],
            pi[f],
            np.full(np.count_nonzero(used < self.cap[mentors]), self.sink),
            mnode[used > 0],
        ]
        parts_c = [
            np.zeros(np.count_nonzero(~matched), dtype=np.int64),
            np.zeros(np.count_nonzero(matched), dtype=np.int64),
            -pq[~f],
            pq[f],
            np.zeros(np.count_nonzero(used < self.cap[mentors]), dtype=np.int64),
            np.zeros(np.count_nonzero(used > 0), dtype=np.int64),
        ]
        return _Residual(
            self.n_nodes,
            np.concatenate(parts_t).astype(np.int64),
            np.concatenate(parts_h).astype(np.int64),
            np.concatenate(parts_c),
        )

    def solve_lexicographic(self, thr: float) -> tuple[np.ndarray, int]:
        """Max matched count, then max total, using pairs scoring ``>= thr``."""
        n, m = self.n, self.m
        while True:
            pi, pj, pq = self._arcs(thr)
            mentors, tails, heads, caps = self._flow_network(pi, pj)
            costs = np.concatenate([np.zeros(n, dtype=np.int64), -pq, np.zeros(mentors.size, dtype=np.int64)])
            from ortools.graph.python import min_cost_flow  # scoring alone never loads OR-Tools

            mcf = min_cost_flow.SimpleMinCostFlow()
            arcs = mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
            mcf.set_nodes_supplies(
                np.array([self.source, self.sink], dtype=np.int32), np.array([n, -n], dtype=np.int64)
            )
            status = mcf.solve_max_flow_with_min_cost()
            if status != mcf.OPTIMAL:
                raise RuntimeError(f"OR-Tools min-cost flow failed with status {status}")
            flows = np.asarray(mcf.flows(arcs))
            pflow = flows[n : n + pi.size]
            used = flows[n + pi.size :]
            count = int(np.count_nonzero(pflow))
            res = self._residual(pi, pj, pq, pflow, mentors, used)

            # Certificate 1: the matched count is maximal in the full graph.
            if count < n and (used < self.cap[mentors]).any():
                in_s = res.reachable(self.source)
                in_t = res.reachable(self.sink, reverse=True)
                viol = self._cut_violations(thr, in_s, in_t)
                if viol is not None:
                    self._add(*viol)
                    continue

            # Certificate 2: no pruned pair has a negative reduced cost.
            d = res.potentials()
            dr, dc = d[:n], d[n : n + m]
            lo = max(self.floor, thr)
            rbq = self._quantise(self.row_bound)
            cbq = self._quantise(self.col_bound)
            colmask = self.colok & (self.col_bound >= lo) & (self.col_bound > -np.inf)
            colmask &= cbq > dr.min() - dc + _GAIN_TOLERANCE
            cols = np.nonzero(colmask)[0]
            rows = np.empty(0, dtype=np.int64)
            if cols.size:
                dmax = dc[cols].max()
                rows = np.nonzero(
                    (self.row_bound >= lo) & (self.row_bound > -np.inf) & (rbq > dr - dmax + _GAIN_TOLERANCE)
                )[0]

            def test(r, c, blk, dr=dr, dc=dc):
                # Reduced cost -q + d_i - d_j < 0  <=>  gain = q - (d_i - d_j) > 0.
                # Integers below 2**53 are exact in float64.  Gains within the
                # rounding noise of the quantisation are not worth a re-solve.
                gain = self._quantise(blk) - (dr[r][:, None] - dc[c][None, :]).astype(np.float64)
                return [(gain > _GAIN_TOLERANCE, gain)]

            found = self._scan(rows, cols, thr, test, quota=_ADD_PER_ROW)
            if found and found[0][0]:
                self._add(found[0][1], found[0][2])
                continue

            out = np.full(n, -1, dtype=np.int64)
            f = pflow > 0
            out[pi[f]] = pj[f]
            return out, count

    def _feasible(self, thr: float, k: int) -> bool:
        """Can ``k`` mentees be matched using only pairs scoring ``>= thr``? (certified)"""
        while True:
            pi, pj, _ = self._arcs(thr)
            _, tails, heads, caps = self._flow_network(pi, pj)
            from ortools.graph.python import max_flow

            mf = max_flow.SimpleMaxFlow()
            mf.add_arcs_with_capacity(tails, heads, caps)
            status = mf.solve(self.source, self.sink)
            if status != mf.OPTIMAL:
                raise RuntimeError(f"OR-Tools max flow failed with status {status}")
            if mf.optimal_flow() >= k:
                return True
            in_s = np.zeros(self.n_nodes, dtype=bool)
            in_s[np.asarray(mf.get_source_side_min_cut(), dtype=np.int64)] = True
            in_t = np.zeros(self.n_nodes, dtype=bool)
            in_t[np.asarray(mf.get_sink_side_min_cut(), dtype=np.int64)] = True
            viol = self._cut_violations(thr, in_s, in_t)
            if viol is None:
                return False
            self._add(*viol)

    def _values_between(self, lo: float, hi: float) -> np.ndarray:
        """Sorted distinct allowed scores strictly between ``lo`` and ``hi``."""
        vals = [self.cs[(self.cs > lo) & (self.cs < hi)]]
        rows = np.nonzero(self.row_bound > lo)[0]
        cols = np.nonzero(self.colok & (self.col_bound > lo))[0]
        found = self._scan(rows, cols, -math.inf, lambda r, c, blk: [((blk > lo) & (blk < hi), None)])
        if found:
            vals.append(found[0][3])
        return np.unique(np.concatenate(vals))

    def solve_balanced(self) -> np.ndarray:
        first, k = self.solve_lexicographic(-math.inf)
        if k == 0:
            return first
        matched = first >= 0
        lo = float(self.s[np.nonzero(matched)[0], first[matched]].min())
        # Upper bound: k distinct mentees need a pair >= t, so t <= k-th best row maximum.
        hi = float(np.partition(self.row_best, self.n - k)[self.n - k])

        def search(vals: np.ndarray) -> int:
            """Largest index whose value is feasible, given vals[0] is feasible."""
            a, b = 0, vals.size
            while b - a > 1:
                mid = (a + b) // 2
                if self._feasible(float(vals[mid]), k):
                    a = mid
                else:
                    b = mid
            return a

        vals = np.unique(self.cs[(self.cs >= lo) & (self.cs <= hi)])
        a = search(vals)
        best = float(vals[a])
        if a + 1 < vals.size:
            # Pruned pairs may hold scores between two adjacent candidate values.
            extra = self._values_between(best, float(vals[a + 1]))
            if extra.size:
                extra = np.concatenate([[best], extra])
                best = float(extra[search(extra)])
        if best == lo:
            return first
        out, count = self.solve_lexicographic(best)
        if count != k:  # pragma: no cover - guarded by the feasibility certificate
            raise RuntimeError("internal error: bottleneck search lost matches")
        return out


# ---------------------------------------------------------------------------
# Pair scoring
# ---------------------------------------------------------------------------

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

_NEUTRAL = 0.5  # part value when a criterion cannot be evaluated for a pair


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


# -- scoring validation -------------------------------------------------------


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
#: Criteria that prepare per-value tables once for a whole cohort: ``plan(a, b, rules)(rows) -> part``.
_PART_PLANS = {"skills": _plan_skills, "working_style": _plan_working_style}


# -- hard constraints ---------------------------------------------------------


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
