"""Benchmark: solve random Bayesian games with Gambit and report POWER at the equilibrium.

Cases: 2 players with 8 types x 3 actions each (lcp on the tree, float payoffs),
and 3 players with 2 types x 2 actions each (logit on the tree). Per game the timed work is
``powerlab.games.solve`` (tree construction, Gambit in a subprocess, mapping back, our
ε-BNE check, POWER) plus each player's best-case POWER. Prints the median seconds per game;
the target is < 2 s per game.

A second part times reading a ~2 MB JSON game (300 x 300 actions) with ``load_game``
(JSON parsed as JSON, exact numbers) against a reference measured in the same run: parsing
the same text with PyYAML's pure-Python ``SafeLoader``, which is how JSON files used to be
read. It prints both times and their ratio.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_games.py [--games 10]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from powerlab.games import best_case_power, load_game, solve
from powerlab.games.random_games import correlated_game

CASES = [
    ("2 players, 8 types x 3 actions (lcp)", 2, 8, 3, "lcp"),
    ("3 players, 2 types x 2 actions (logit)", 3, 2, 2, "logit"),
    ("3 players, 2 types x 2 actions (gnm)", 3, 2, 2, "gnm"),
]


def run_case(n: int, types: int, actions: int, solver: str, games: int, seed: int) -> list[float]:
    """Seconds per game for ``games`` random games (rewards with correlation 0)."""
    times = []
    for k in range(games):
        g = correlated_game(n, types, actions, 0.0, np.random.default_rng([seed, k]))
        t0 = time.perf_counter()
        eqs = solve(g, solver)
        for e in eqs:
            assert e.is_bne, "unverified equilibrium"
        _ = [best_case_power(g, i).value for i in range(n)]
        times.append(time.perf_counter() - t0)
    return times


def load_case(actions: int = 300, seed: int = 0) -> tuple[int, float, float]:
    """``(bytes, load_game seconds, pure-Python YAML seconds)`` for a random JSON game."""
    import yaml

    rng = np.random.default_rng(seed)
    names = [f"a{k}" for k in range(actions)]
    pay = {f"{x},{y}": [int(v) for v in rng.integers(-9, 10, size=2)] for x in names for y in names}
    doc = {"players": ["P", "Q"], "actions": {"P": names, "Q": names}, "payoffs": pay}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.json"
        path.write_text(json.dumps(doc))
        t0 = time.perf_counter()
        load_game(path)
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        yaml.load(path.read_text(), Loader=yaml.SafeLoader)
        ref = time.perf_counter() - t0
        return path.stat().st_size, ours, ref


def main() -> None:
    """Print the median (and max) time per game for each case."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--games", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"{'case':45s} {'games':>5s} {'median s/game':>14s} {'max s/game':>11s}")
    for label, n, t, a, solver in CASES:
        times = run_case(n, t, a, solver, args.games, args.seed)
        print(f"{label:45s} {len(times):5d} {statistics.median(times):14.3f} {max(times):11.3f}")
    size, ours, ref = load_case()
    print(
        f"load a {size / 1e6:.1f} MB JSON game: load_game {ours:.2f} s (parse and build); "
        f"pure-Python YAML parse alone {ref:.2f} s; ratio {ref / ours:.1f}x"
    )


if __name__ == "__main__":
    main()
