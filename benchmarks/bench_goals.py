"""Benchmark: hit-and-run vs rejection sampling of G_T on the CoinRun-like example.

Both run in the same process on examples/goals/coinrun.yaml with the training data of
examples/goals/coinrun_train.yaml, at a γ where rejection's acceptance is below 1%.
Rejection yields i.i.d. draws, so its effective samples per second are accepted draws per
second; hit-and-run's are its minimum ESS over the constrained coordinates per second
(pilot, burn-in and the starting LP included in its time). Prints
``speedup_vs_rejection: X`` last.

Usage: ``python benchmarks/bench_goals.py [--gamma 0.5] [--rejection-seconds 20]``.
The speedup grows roughly as 1/acceptance, so it is reported at the γ given.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from powerlab.goals import goal_set, load_training, sample_hit_and_run, sample_rejection
from powerlab.mdp import load_mdp

EX = Path(__file__).resolve().parents[1] / "examples" / "goals"


def main(argv: list[str] | None = None) -> int:
    """Run both samplers and print the rates and the speedup."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--gamma", type=float, default=0.5)
    ap.add_argument("--rejection-seconds", type=float, default=20.0)
    ap.add_argument("--samples", type=int, default=40_000, help="hit-and-run draws")
    ap.add_argument("--chains", type=int, default=128)
    ap.add_argument("--thin", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    mdp = load_mdp(EX / "coinrun.yaml")
    td = load_training(mdp, EX / "coinrun_train.yaml")
    gs = goal_set(mdp, td, args.gamma)
    # warm up: compile the solver's kernels outside the timed region
    gs.contains(gs.lo + (gs.hi - gs.lo) * np.random.default_rng(0).random((64, mdp.n_states)))
    sample_hit_and_run(gs, 16, rng=0, chains=2)
    rej = sample_rejection(gs, 10**9, rng=args.seed, max_seconds=args.rejection_seconds)
    acc = rej.acceptance or 0.0
    print(
        f"gamma: {args.gamma}  reading: {gs.reading}  constrained coordinates: {len(gs.constrained)}"
    )
    print(
        f"rejection: proposals {rej.proposals}, accepted {rej.n}, acceptance {acc:.3e} "
        f"± {rej.acceptance_stderr:.1e}, {rej.seconds:.1f} s"
    )
    if acc >= 0.01:
        print("warning: acceptance is not below 1%; raise --gamma", file=sys.stderr)
    rej_rate = rej.n / rej.seconds
    har = sample_hit_and_run(
        gs, args.samples, rng=args.seed + 1, chains=args.chains, thin=args.thin
    )
    har_rate = har.ess / har.seconds
    print(
        f"hit-and-run: draws {har.n}, steps {har.steps}, min ESS {har.ess:.0f}, "
        f"max R-hat {har.rhat:.3f}, {har.seconds:.1f} s"
    )
    print(f"effective samples/s: rejection {rej_rate:.2f}, hit-and-run {har_rate:.1f}")
    if rej.n == 0:
        print("rejection accepted nothing; speedup is a lower bound using 1 accepted draw")
        rej_rate = 1.0 / rej.seconds
    print(f"speedup_vs_rejection: {har_rate / rej_rate:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
