"""The exact solver behind :func:`matching.engine.assign`: a min-cost flow on a pruned
candidate graph, certified against the full score matrix.

How it works
------------
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
"""

from __future__ import annotations

import math

import numpy as np

from matching.engine.residual import _Residual

#: Elements of a dense block processed at once (~16 MB per float64 temporary).
_BLOCK = 1 << 20
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


def _check_values(block: np.ndarray) -> None:
    if block.size == 0:
        return
    top = block.max()  # NaN propagates through max
    if math.isnan(top):
        raise ValueError("scores must not contain NaN (use -inf to block a pair)")
    if top == math.inf:
        raise ValueError("scores must not contain +inf")


def _mix(key: np.ndarray) -> np.ndarray:
    """Deterministic 64-bit hash (splitmix64 finaliser) of non-negative integers."""
    z = key.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


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
