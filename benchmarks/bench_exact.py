"""Benchmark for exact mode: Fig. 1's MDP, and the largest random MDP solved in time.

Workload. (1) Turner et al.'s Fig. 1 MDP (8 states): exact POWER of every state at γ = 0, 1/2,
9/10 and 1, and the optimality probabilities at ``start`` at the same discounts; the time is
printed. (2) Random deterministic MDPs with S states and 3 distinct successors per state
(fixed seeds): exact POWER of state 0 at γ = 9/10, and separately its optimality
probabilities, each call under its own time limit (default 60 s, exact mode's default; one
call is one ``powerlab power --exact`` or ``powerlab optimality --exact`` query). S grows
from 4 until some call at that size is refused; the last size whose calls all finished is
printed.

(3) With ``--circulant``, also the 10-state circulant MDPs s → s+a, s+b, s+c (mod 10) for
several offset triples: structured worst cases with many more non-dominated visit
distributions than the random family (POWER of x0 at γ = 9/10 only, same time limit). The
offsets are the seven largest of the 32 isomorphism classes of such circulants by |F_nd(x0)|
(580 down to 322), plus (1,3,5), and (1,5,6), the class with the most lassos (2,357).

(4) With ``--dense``, the same query on two 10-state graphs with 3 successors per state that
have the most non-dominated lassos among 20,000 random ones drawn for lasso count
(``DENSE``: 2,235 and 2,093 lassos, 332 and 331 of them non-dominated).

Run: ``python benchmarks/bench_exact.py [--seeds 2] [--limit 60] [--min-states 4]
[--max-states 10] [--circulant] [--dense]``. The last line printed is ``largest_size_solved: S`` (from
the random family).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

import powerlab.mdp as M
from powerlab.errors import InputError
from powerlab.power.exact import exact_optimality_probability, exact_power

FIG1 = Path(__file__).resolve().parent.parent / "examples" / "fig1.yaml"
GAMMAS = ["0", "1/2", "9/10", "1"]


def random_mdp(S: int, seed: int, actions: int = 3) -> M.MDP:
    """S states, each with ``actions`` distinct successors drawn uniformly (seeded)."""
    rng = np.random.default_rng(seed)
    names = [f"x{i}" for i in range(S)]
    edges = {
        s: [names[j] for j in rng.choice(S, size=min(actions, S), replace=False)] for s in names
    }
    return M.from_edges(edges, name=f"random{S}_{seed}")


CIRCULANT_OFFSETS = [
    (1, 2, 3),
    (1, 2, 4),
    (1, 2, 5),
    (1, 3, 4),
    (1, 3, 5),
    (1, 4, 5),
    (1, 2, 7),
    (2, 4, 5),
    (1, 6, 8),
    (1, 5, 6),
]

# Successor lists of states x0..x9: the two graphs with the largest |F_nd(x0)| among the 16
# with the most lassos from x0, out of 20,000 random 3-successor graphs (seeded search, half
# of them with self-loops allowed).
DENSE = [
    [
        [1, 2, 6],
        [2, 5, 6],
        [6, 7, 8],
        [2, 4, 7],
        [1, 7, 9],
        [2, 3, 4],
        [3, 5, 7],
        [5, 8, 9],
        [3, 7, 9],
        [4, 6, 8],
    ],
    [
        [3, 4, 5],
        [0, 2, 9],
        [1, 3, 8],
        [5, 6, 9],
        [2, 3, 8],
        [4, 6, 7],
        [4, 7, 8],
        [1, 2, 8],
        [1, 4, 9],
        [3, 5, 6],
    ],
]


def dense_mdp(k: int) -> M.MDP:
    """``DENSE[k]`` as an MDP (state xi moves to each of its listed successors)."""
    edges = {f"x{s}": [f"x{j}" for j in succ] for s, succ in enumerate(DENSE[k])}
    return M.from_edges(edges, name=f"dense10_{k}")


def circulant_mdp(S: int, offsets: tuple[int, ...]) -> M.MDP:
    """S states on a ring, state s moving to s + k (mod S) for each offset k."""
    edges = {f"x{s}": sorted({f"x{(s + k) % S}" for k in offsets}) for s in range(S)}
    return M.from_edges(edges, name=f"circulant{S}_{'_'.join(map(str, offsets))}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--max-states", type=int, default=10)
    ap.add_argument("--min-states", type=int, default=4)
    ap.add_argument("--circulant", action="store_true")
    ap.add_argument("--dense", action="store_true")
    args = ap.parse_args()

    mdp = M.load_mdp(FIG1)
    t0 = time.perf_counter()
    frame = exact_power(mdp, GAMMAS, time_limit=None)
    opt = exact_optimality_probability(mdp, "start", GAMMAS, time_limit=None)
    t_fig1 = time.perf_counter() - t0
    start = frame[frame.state == "start"]
    pairs = zip(start.gamma, start.power, strict=True)
    print("fig1 POWER(start):", ", ".join(f"γ={g}: {p}" for g, p in pairs))
    print(f"fig1 optimality rows: {len(opt)}")
    print(f"fig1_time_s: {t_fig1:.2f}")

    largest = 0
    for S in range(args.min_states, args.max_states + 1):
        ok = True
        for seed in range(args.seeds):
            m = random_mdp(S, seed)
            times = []
            status = ""
            try:
                t = time.perf_counter()
                p = exact_power(m, "9/10", states=["x0"], time_limit=args.limit).power[0]
                times.append(time.perf_counter() - t)
                t = time.perf_counter()
                exact_optimality_probability(m, "x0", "9/10", time_limit=args.limit)
                times.append(time.perf_counter() - t)
                status = f"POWER ≈ {float(p):.6f}"
            except InputError as exc:
                ok = False
                times.append(time.perf_counter() - t)
                status = f"refused: {exc}"
            labels = ("power", "optimality")[: len(times)]
            shown = "  ".join(f"{w} {x:.2f} s" for w, x in zip(labels, times, strict=True))
            print(f"S={S} seed={seed}: {shown}  {status}", flush=True)
        if not ok:
            break
        largest = S
    hard = []
    if args.circulant:
        hard += [(f"circulant {o}", circulant_mdp(10, o)) for o in CIRCULANT_OFFSETS]
    if args.dense:
        hard += [(f"dense {k}", dense_mdp(k)) for k in range(len(DENSE))]
    for label, m in hard:
        t = time.perf_counter()
        try:
            p = exact_power(m, "9/10", states=["x0"], time_limit=args.limit).power[0]
            status = f"POWER ≈ {float(p):.6f}"
        except InputError as exc:
            status = f"refused: {exc}"
        print(f"{label}: power {time.perf_counter() - t:.2f} s  {status}", flush=True)
    print(f"largest_size_solved: {largest}")


if __name__ == "__main__":
    main()
