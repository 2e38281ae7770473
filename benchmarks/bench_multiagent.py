"""Benchmark for two-agent POWER on POWERplay's 7x7 maze (single agent and joint).

Workload. POWERplay's ``7x7_gridworld_maze.gv`` (31 cells; moves into walls are not
actions), rewards iid U[0, 1], one thread.

1. Single agent: ``powerlab.power.power`` at γ = 0.1 and γ = 0.99 with ``--samples`` draws.
2. Joint (961 joint states): ``multiagent_power`` in ``best-response`` mode at γ = 0.1 and
   0.99 with ``--joint-samples`` draws (H optimal against A's uniform seed, A's batched best
   response, H's policy evaluated against it: POWERplay's ``multiagent_with_reward``).
3. Reference, measured in the same run: the per-sample, per-state value iteration that
   POWERplay runs (Gauss-Seidel sweeps over states, one reward sample at a time, stopped on a
   relative change below 1e-4), written in numpy, on ``--ref-samples`` draws and scaled to
   ``--samples``. The ratio reference / powerlab is printed for the single-agent case.

Run: ``python benchmarks/bench_multiagent.py [--samples 1000] [--joint-samples 200]
[--ref-samples 20]``. The last line is ``single_agent_speedup_gamma_0.99: R``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from powerlab._resources import examples_dir
from powerlab.mdp import MDP, load_mdp
from powerlab.multiagent import _per_sample, joint_mdp, multiagent_power
from powerlab.power import power


def reference_vi(mdp: MDP, R: np.ndarray, gamma: float, threshold: float = 1e-4) -> np.ndarray:
    """Per-sample, per-state Gauss-Seidel value iteration with a relative stopping rule."""
    P = mdp.P
    out = np.empty_like(R)
    for k in range(len(R)):
        V = np.zeros(mdp.n_states)
        while True:
            old = V.copy()
            for s in range(mdp.n_states):
                V[s] = R[k, s] + gamma * float((P[s] @ V).max())
            if np.max(np.abs((old - V) / (old + 1e-12))) <= threshold:
                break
        out[k] = V
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--joint-samples", type=int, default=200)
    ap.add_argument("--ref-samples", type=int, default=20)
    args = ap.parse_args()
    maze = load_mdp(examples_dir() / "multiagent" / "7x7_gridworld_maze.gv")
    power(maze, 0.5, samples=10)  # compile the kernels outside the timings
    speedup = 0.0
    for gamma in (0.1, 0.99):
        t = time.perf_counter()
        power(maze, gamma, samples=args.samples, rng=0)
        ours = time.perf_counter() - t
        R = np.random.default_rng(0).random((args.ref_samples, maze.n_states))
        t = time.perf_counter()
        reference_vi(maze, R, gamma)
        ref = (time.perf_counter() - t) * args.samples / args.ref_samples
        speedup = ref / ours
        print(
            f"single agent gamma={gamma}: powerlab {ours:.3f} s, reference {ref:.2f} s "
            f"(scaled from {args.ref_samples}), ratio {speedup:.0f}"
        )
    joint = joint_mdp(maze)
    multiagent_power(joint, 0.99, ai="best-response", samples=2)  # compile outside the timings
    default = _per_sample.SWEEPS_PER_SOLVE
    for gamma in (0.1, 0.99):
        times = {}
        for label, sweeps in (("default", default), ("batched VI only", float("inf"))):
            _per_sample.SWEEPS_PER_SOLVE = sweeps
            t = time.perf_counter()
            multiagent_power(joint, gamma, ai="best-response", samples=args.joint_samples, rng=0)
            times[label] = time.perf_counter() - t
        _per_sample.SWEEPS_PER_SOLVE = default
        print(
            f"joint ({joint.n_states} states) best-response gamma={gamma}: powerlab "
            f"{times['default']:.2f} s for {args.joint_samples} samples; batched VI only "
            f"{times['batched VI only']:.2f} s, ratio {times['batched VI only'] / times['default']:.1f}"
        )
    print(f"single_agent_speedup_gamma_0.99: {speedup:.0f}")


if __name__ == "__main__":
    main()
