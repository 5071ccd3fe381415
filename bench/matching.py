"""Benchmark the exact matching engine against greedy and a dense exact solver.

Usage (from the repository root)::

    .venv/bin/python bench/matching.py
    .venv/bin/python bench/matching.py --sizes 10000x2500,20000x5000 --repeat 3
    .venv/bin/python bench/matching.py --sizes 2000x500 --objective balanced
    .venv/bin/python bench/matching.py --skip-dense

For each cohort size a realistic synthetic cohort is generated once (scored
with ``matching.engine.score_pairs``: Zipf-skewed skill popularity, regional
language clusters, management chains, previous pairs / untrained mentors,
capacities 1-5) and written to a temporary ``.npy`` file.  Every solver run
then happens in a *fresh* ``spawn``-ed child process that loads the cohort,
solves it and reports its wall time and its own peak RSS (``VmHWM`` from
``/proc/self/status``, falling back to ``getrusage(RUSAGE_SELF).ru_maxrss``;
tracemalloc does not see numpy/C++ allocations).  A "load only" child gives the baseline RSS (interpreter +
numpy + OR-Tools + the input matrix).  Medians over ``--repeat`` runs are
printed side by side:

* ``ours``   -- ``matching.engine.assign`` (pruned min-cost flow + optimality certificate)
* ``greedy`` -- highest-score-first greedy
* ``dense``  -- exact min-cost flow over every allowed pair (skipped above
  ``--dense-max-pairs``: it needs ~140 bytes per pair, ~14 GB at 20000 x 5000)
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing as mp
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# The engine package imports neither Django nor another app (a contract of ``make lint``), and
# ``matching/__init__.py`` is empty: no settings needed. Imported once ROOT is on the path.
engine = importlib.import_module("matching.engine")

DEFAULT_DENSE_MAX_PAIRS = 30_000_000


# ---------------------------------------------------------------------------
# Synthetic cohort
# ---------------------------------------------------------------------------


def _zipf_choice(rng, k: int, size: int, count: int, a: float = 1.1) -> np.ndarray:
    """``size`` rows of ``count`` distinct items out of ``k``, Zipf-skewed popularity."""
    p = 1.0 / np.arange(1, k + 1) ** a
    p /= p.sum()
    # Gumbel top-k trick: distinct weighted samples per row, vectorised.
    g = np.log(p)[None, :] - np.log(-np.log(rng.random((size, k))))
    return np.argpartition(-g, count, axis=1)[:, :count]


def make_cohort(n: int, m: int, seed: int = 0):
    """Return ``(scores, capacities, info)`` for a realistic synthetic cohort."""
    rng = np.random.default_rng(seed)
    n_skills, n_obj, n_depts, n_langs = 400, 8, 40, 6

    def people(p: int, mentor: bool):
        rows = np.arange(p)[:, None]
        skills = np.zeros((p, n_skills))
        if mentor:
            idx = _zipf_choice(rng, n_skills, p, 6, a=0.9)
            skills[rows, idx] = rng.integers(2, 6, idx.shape) / 5.0
        else:
            idx = _zipf_choice(rng, n_skills, p, 3, a=1.1)
            skills[rows, idx] = rng.integers(1, 4, idx.shape)
        objectives = np.zeros((p, n_obj))
        objectives[rows, _zipf_choice(rng, n_obj, p, 5 if mentor else 2, a=0.8)] = 1
        # Regions drive time zone, language cluster and offices.
        region = rng.choice(5, size=p, p=[0.35, 0.25, 0.2, 0.12, 0.08])
        offsets = np.array([-5.0, 0.0, 1.0, 5.5, 8.0])[region] + rng.choice([-1, 0, 0, 1], size=p)
        langs = np.zeros((p, n_langs))
        langs[np.arange(p), region + 1] = rng.random(p) < 0.85  # regional language
        langs[:, 0] = rng.random(p) < np.where(region == 1, 1.0, 0.95)  # English
        langs[np.arange(p), 0] = np.where(langs.sum(axis=1) == 0, 1, langs[:, 0])
        location = region * 4 + rng.integers(0, 4, p)
        fmt = rng.choice(
            [engine.REMOTE | engine.IN_PERSON, engine.REMOTE, engine.IN_PERSON], p=[0.78, 0.21, 0.01], size=p
        )
        seniority = rng.gamma(2.0, 3.0, p) + (6.0 if mentor else 0.0)
        dept_p = 1.0 / np.arange(1, n_depts + 1)
        department = rng.choice(n_depts, size=p, p=dept_p / dept_p.sum())
        style = rng.integers(1, 6, (p, 5)).astype(float)
        style[rng.random((p, 5)) < 0.1] = np.nan
        hours = rng.integers(1, 11, p).astype(float)
        q1 = np.zeros((p, 4))
        q1[np.arange(p), rng.integers(0, 4, p)] = 1
        q2 = (rng.random((p, 6)) < 0.3).astype(float)
        return engine.Features(
            skills=skills,
            objectives=objectives,
            seniority=seniority,
            department=department,
            utc_offset=offsets,
            location=location,
            meeting_format=fmt,
            working_style=style,
            availability=hours,
            answers=(q1, q2),
            languages=langs,
        )

    mentees, mentors = people(n, False), people(m, True)
    # Management chains: each mentee reports (directly or not) to 1-3 mentors of
    # their own department; previous pairs and untrained combos: ~3 % random pairs.
    blocked = rng.random((n, m)) < 0.03
    for dept in range(n_depts):
        ms = np.nonzero(mentors.department == dept)[0]
        if ms.size == 0:
            continue
        es = np.nonzero(mentees.department == dept)[0]
        chain = rng.integers(0, ms.size, (es.size, 3))
        depth = rng.integers(1, 4, es.size)
        for level in range(3):
            sel = depth > level
            blocked[es[sel], ms[chain[sel, level]]] = True
    weights = {
        "skills": 3.0,
        "objectives": 2.0,
        "seniority": 1.0,
        "department": 0.5,
        "timezone": 1.0,
        "location": 0.5,
        "working_style": 1.0,
        "availability": 0.5,
        "answers": 0.5,
    }
    rules = engine.ScoringRules(min_seniority_gap=-4.0, department_preference="different")
    scores = engine.score_pairs(mentees, mentors, weights, rules=rules, blocked=blocked, return_parts=False).total
    capacities = rng.integers(1, 6, m)
    info = {"blocked": float(np.isneginf(scores).mean()), "slots": int(capacities.sum())}
    return scores, capacities, info


# ---------------------------------------------------------------------------
# Baseline solvers
# ---------------------------------------------------------------------------


def greedy(scores: np.ndarray, capacities: np.ndarray, floor: float = -np.inf) -> np.ndarray:
    """Highest-score-first greedy: take pairs in descending score order while both sides are free."""
    n, m = scores.shape
    out = np.full(n, -1, dtype=np.int64)
    left = capacities.astype(np.int64).copy()
    free = np.ones(n, dtype=bool)
    flat = scores.ravel()
    ok = flat > -np.inf if floor == -np.inf else flat >= floor
    idx = np.flatnonzero(ok)
    idx = idx[np.argsort(-flat[idx], kind="stable")]
    step = 1 << 16
    for a in range(0, idx.size, step):
        if not free.any() or not left.any():
            break
        c = idx[a : a + step]
        i, j = np.divmod(c, m)
        keep = free[i] & (left[j] > 0)
        for ii, jj in zip(i[keep].tolist(), j[keep].tolist(), strict=True):
            if free[ii] and left[jj] > 0:
                free[ii] = False
                left[jj] -= 1
                out[ii] = jj
    return out


def _quantiser(values: np.ndarray, n_nodes: int):
    steps = min(10**9, (1 << 62) // (n_nodes + 1) ** 2)
    lo, hi = float(values.min()), float(values.max())
    scale = steps / (hi - lo) if hi > lo else 0.0
    return lambda x: np.rint((x - lo) * scale).astype(np.int64)


def dense_exact(scores: np.ndarray, capacities: np.ndarray, objective: str, floor: float = -np.inf) -> np.ndarray:
    """Reference: OR-Tools min-cost flow over *every* allowed pair (no pruning)."""
    from ortools.graph.python import max_flow, min_cost_flow

    n, m = scores.shape
    src, snk = n + m, n + m + 1
    ok = scores > -np.inf if floor == -np.inf else scores >= floor
    ok &= (capacities > 0)[None, :]
    pi, pj = np.nonzero(ok)
    ps = scores[pi, pj]
    out = np.full(n, -1, dtype=np.int64)
    if ps.size == 0:
        return out
    q = _quantiser(ps, n + m + 2)(ps)
    del ok

    def network(sel):
        a, b = pi[sel], pj[sel]
        tails = np.concatenate([np.full(n, src), a, n + np.arange(m)]).astype(np.int32)
        heads = np.concatenate([np.arange(n), n + b, np.full(m, snk)]).astype(np.int32)
        caps = np.concatenate([np.ones(n + a.size, dtype=np.int64), capacities.astype(np.int64)])
        return a, b, tails, heads, caps

    def min_cost(sel):
        a, b, tails, heads, caps = network(sel)
        costs = np.concatenate([np.zeros(n, dtype=np.int64), -q[sel], np.zeros(m, dtype=np.int64)])
        f = min_cost_flow.SimpleMinCostFlow()
        arcs = f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        f.set_nodes_supplies(np.array([src, snk], dtype=np.int32), np.array([n, -n], dtype=np.int64))
        assert f.solve_max_flow_with_min_cost() == f.OPTIMAL
        flow = np.asarray(f.flows(arcs))[n : n + a.size] > 0
        res = np.full(n, -1, dtype=np.int64)
        res[a[flow]] = b[flow]
        return res

    everything = np.ones(ps.size, dtype=bool)
    out = min_cost(everything)
    if objective != "balanced":
        return out
    k = int((out >= 0).sum())
    if k == 0:
        return out
    vals = np.unique(ps)
    lo_i = int(np.searchsorted(vals, scores[np.nonzero(out >= 0)[0], out[out >= 0]].min()))
    a, b = lo_i, vals.size
    while b - a > 1:
        mid = (a + b) // 2
        _, _, tails, heads, caps = network(ps >= vals[mid])
        f = max_flow.SimpleMaxFlow()
        f.add_arcs_with_capacity(tails, heads, caps)
        assert f.solve(src, snk) == f.OPTIMAL
        if f.optimal_flow() >= k:
            a = mid
        else:
            b = mid
    return min_cost(ps >= vals[a])


# ---------------------------------------------------------------------------
# Child-process runner
# ---------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB.

    ``VmHWM`` is the high-water mark of the current address space, so unlike
    ``ru_maxrss`` it does not include the parent's pages a spawned child was
    forked with before it exec'd a fresh interpreter.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _generate(n: int, m: int, seed: int, scores_path: str, caps_path: str, conn) -> None:
    t0 = time.perf_counter()
    scores, caps, info = make_cohort(n, m, seed=seed)
    info["seconds"] = time.perf_counter() - t0
    np.save(scores_path, scores)
    np.save(caps_path, caps)
    conn.send(info)
    conn.close()


def _in_child(target, *args):
    """Run ``target(*args, conn)`` in a fresh spawned interpreter and return what it sends."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(*args, child))
    proc.start()
    child.close()
    try:
        result = parent.recv()
    except EOFError:
        result = None
    proc.join()
    if result is None or proc.exitcode != 0:
        raise RuntimeError(f"{target.__name__}{args[:1]} child failed with exit code {proc.exitcode}")
    return result


def _child(solver: str, scores_path: str, caps_path: str, objective: str, min_score, conn) -> None:
    scores = np.load(scores_path)
    caps = np.load(caps_path)
    floor = -np.inf if min_score is None else float(min_score)
    t0 = time.perf_counter()
    if solver == "ours":
        a = engine.assign(scores, caps, objective=objective, min_score=min_score)
    elif solver == "greedy":
        a = greedy(scores, caps, floor)
    elif solver == "dense":
        a = dense_exact(scores, caps, objective, floor)
    else:  # "load": baseline RSS only
        a = np.full(scores.shape[0], -1, dtype=np.int64)
    elapsed = time.perf_counter() - t0
    matched = a >= 0
    vals = scores[np.nonzero(matched)[0], a[matched]]
    conn.send(
        {
            "time": elapsed,
            "rss": peak_rss_mb(),
            "total": float(vals.sum()),
            "matched": int(matched.sum()),
            "min": float(vals.min()) if vals.size else float("nan"),
        }
    )
    conn.close()


def run_in_child(solver: str, scores_path: str, caps_path: str, objective: str, min_score) -> dict:
    return _in_child(_child, solver, scores_path, caps_path, objective, min_score)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def _parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        a, _, b = part.strip().lower().partition("x")
        sizes.append((int(a), int(b)))
    return sizes


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000x2500,20000x5000", help="comma-separated MENTEESxMENTORS")
    ap.add_argument("--repeat", type=int, default=3, help="runs per solver; medians are printed")
    ap.add_argument("--objective", default="participation", choices=engine.OBJECTIVES)
    ap.add_argument("--min-score", type=float, default=None, help="min_score (required for quality)")
    ap.add_argument("--skip-dense", action="store_true", help="never run the dense exact solver")
    ap.add_argument(
        "--dense-max-pairs",
        type=int,
        default=DEFAULT_DENSE_MAX_PAIRS,
        help="skip the dense solver above this many pairs (default %(default)s)",
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.objective == "quality" and args.min_score is None:
        ap.error("--objective quality needs --min-score")

    print(f"objective={args.objective} min_score={args.min_score} repeat={args.repeat} (medians)")
    with tempfile.TemporaryDirectory(prefix="bench-matching-") as tmp:
        for n, m in _parse_sizes(args.sizes):
            sp, cp = f"{tmp}/scores.npy", f"{tmp}/caps.npy"
            # Generated in a child too, so this parent stays small.
            info = _in_child(_generate, n, m, args.seed, sp, cp)
            print()
            print(
                f"== cohort {n} mentees x {m} mentors: {n * m:,} pairs, {info['blocked']:.1%} blocked, "
                f"capacities 1-5 ({info['slots']:,} slots); generated in {info['seconds']:.1f} s"
            )
            solvers = ["load", "ours", "greedy"]
            if args.skip_dense:
                print("   dense: skipped (--skip-dense)")
            elif n * m > args.dense_max_pairs:
                print(
                    f"   dense: skipped ({n * m:,} pairs > --dense-max-pairs {args.dense_max_pairs:,}; "
                    f"it would need ~{n * m * 140 / 1e9:.0f} GB)"
                )
            else:
                solvers.append("dense")
            runs = {s: [] for s in solvers}
            for _ in range(args.repeat):
                for solver in solvers:
                    runs[solver].append(run_in_child(solver, sp, cp, args.objective, args.min_score))
            base = statistics.median(r["rss"] for r in runs["load"])
            print(f"   load-only child (interpreter + numpy + OR-Tools + input matrix): peak RSS {base:,.0f} MB")
            header = (
                f"   {'solver':<8} {'time s':>8} {'peak RSS MB':>12} {'(+ over load)':>14} "
                f"{'total score':>14} {'matched':>8} {'min score':>10}"
            )
            print(header)
            print("   " + "-" * (len(header) - 3))
            for solver in solvers:
                if solver == "load":
                    continue
                rs = runs[solver]
                t = statistics.median(r["time"] for r in rs)
                rss = statistics.median(r["rss"] for r in rs)
                r0 = rs[0]
                print(
                    f"   {solver:<8} {t:>8.2f} {rss:>12,.0f} {rss - base:>+14,.0f} {r0['total']:>14.3f} "
                    f"{r0['matched']:>8,} {r0['min']:>10.4f}"
                )
                if any((r["total"], r["matched"]) != (r0["total"], r0["matched"]) for r in rs):
                    print(f"   WARNING: {solver} gave different results across repeats")
            if "dense" in runs:
                o, d = runs["ours"][0], runs["dense"][0]
                tol = 1e-6 * max(1.0, abs(d["total"]))
                same = o["matched"] == d["matched"] and abs(o["total"] - d["total"]) <= tol
                if args.objective == "balanced":
                    same = same and o["min"] == d["min"]
                print(
                    f"   exact check vs dense: {'OK' if same else 'MISMATCH'} "
                    f"(matched {o['matched']} vs {d['matched']}, total diff {o['total'] - d['total']:+.3g})"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
