"""Benchmark W1/W2 of the core issue: POWER of every state of open gridworlds.

W1: a 20x20 open gridworld (400 states, actions N, S, E, W, stay), K = 10,000 iid uniform
reward samples, POWER of every state at γ = 0.9 and γ = 0.99, solved to an error of at most
1e-6 in POWER units. Measured in the same run:

(a) the per-sample reference a user has today: QuantEcon's ``DiscreteDP`` (policy iteration),
    solved once per reward sample, timed on a subset of samples and extrapolated to K;
(b) a per-sample value-iteration loop in the style of public POWER code (numpy, one sample at
    a time, stopped when the POWER-unit error bound ``‖V_{n+1} - V_n‖ < 1e-6``), also on a
    subset, extrapolated;
(c) powerlab: ``powerlab.power.power`` on all K samples (best of three calls).

W2: a 100x100 gridworld (10,000 states), K = 10,000, γ = 0.99: time and peak memory.

Run: ``python benchmarks/bench_power.py [--subset N] [--skip-w2]``. The last line printed is
``speedup_vs_quantecon: X``, the smaller of the two W1 ratios (a)/(c).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import scipy.sparse as sp

import powerlab.mdp as M
from powerlab.power import power, power_integrand


def open_grid(n: int) -> M.MDP:
    rows = ["#" * (n + 2)] + ["#" + "." * n + "#"] * n + ["#" * (n + 2)]
    return M.from_grid("\n".join(rows), name=f"grid{n}")


def quantecon_per_sample(mdp: M.MDP, R: np.ndarray, gamma: float) -> np.ndarray:
    """(a) QuantEcon DiscreteDP, policy iteration, one reward sample at a time: POWER integrand."""
    import quantecon as qe

    S, A = mdp.n_states, mdp.n_actions
    succ = np.asarray(mdp.successor)
    s_ind = np.repeat(np.arange(S), A)
    a_ind = np.tile(np.arange(A), S)
    Q = sp.csr_matrix((np.ones(S * A), (np.arange(S * A), succ.ravel())), shape=(S * A, S))
    out = np.empty_like(R)
    for k in range(R.shape[0]):
        ddp = qe.markov.DiscreteDP(np.repeat(R[k], A), Q, gamma, s_ind, a_ind)
        res = ddp.solve(method="policy_iteration")
        out[k] = (1 - gamma) / gamma * (res.v - R[k])
    return out


def value_iteration_per_sample(mdp: M.MDP, R: np.ndarray, gamma: float) -> np.ndarray:
    """(b) per-sample value iteration in numpy, as public POWER scripts do it."""
    succ = np.asarray(mdp.successor)
    out = np.empty_like(R)
    for k in range(R.shape[0]):
        r = R[k]
        V = r.copy()
        while True:
            V_new = r + gamma * V[succ].max(axis=1)
            # ‖V_new - V*‖ ≤ γ/(1-γ)·‖V_new - V‖, and POWER scales values by (1-γ)/γ, so the
            # POWER error is at most ‖V_new - V‖.
            done = np.abs(V_new - V).max() < 1e-6
            V = V_new
            if done:
                break
        out[k] = (1 - gamma) / gamma * (V - r)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--subset", type=int, default=100, help="samples timed for (a) and (b)")
    parser.add_argument("--skip-w2", action="store_true")
    args = parser.parse_args()
    K = args.samples

    grid = open_grid(20)
    t = time.perf_counter()
    power(grid, [0.9], samples=100, rng=0)  # compile the numba kernels (cached on disk afterwards)
    print(f"warm-up (JIT compile or cache load): {time.perf_counter() - t:.2f} s")

    R_sub = np.random.default_rng(0).random((args.subset, grid.n_states))
    quantecon_per_sample(grid, R_sub[:2], 0.9)  # warm QuantEcon's own numba kernels up too
    ratios = []
    print(f"W1: 20x20 grid, S={grid.n_states}, A={grid.n_actions}, K={K}")
    for gamma in (0.9, 0.99):
        t = time.perf_counter()
        Xa = quantecon_per_sample(grid, R_sub, gamma)
        ta = (time.perf_counter() - t) / args.subset * K
        t = time.perf_counter()
        Xb = value_iteration_per_sample(grid, R_sub, gamma)
        tb = (time.perf_counter() - t) / args.subset * K
        tc = np.inf
        for _ in range(3):  # best of three: the first call also pays for page faults and threads
            t = time.perf_counter()
            frame = power(grid, [gamma], samples=K, rng=0)
            tc = min(tc, time.perf_counter() - t)
        # Agreement on the same reward draws: powerlab's integrand vs QuantEcon's.
        Xc, _ = power_integrand(grid, R_sub, gamma)
        agree = float(np.abs(Xc - Xa).max())
        print(
            f"  gamma={gamma}: (a) quantecon {ta:8.2f} s (extrapolated from {args.subset})  "
            f"(b) per-sample VI {tb:8.2f} s (extrapolated)  (c) powerlab {tc:6.3f} s  "
            f"speedup (a)/(c) {ta / tc:7.1f}x  (b)/(c) {tb / tc:7.1f}x"
        )
        print(
            f"    powerlab error bound {frame.solver_error.max():.1e} POWER units; "
            f"max |powerlab - quantecon| on the subset {agree:.1e}; VI-vs-quantecon "
            f"{np.abs(Xb - Xa).max():.1e}"
        )
        ratios.append(ta / tc)

    if not args.skip_w2:
        big = open_grid(100)
        t = time.perf_counter()
        frame = power(big, [0.99], samples=K, rng=0)
        tw2 = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(
            f"W2: 100x100 grid, S={big.n_states}, K={K}, gamma=0.99: {tw2:.1f} s, "
            f"peak RSS {peak:.2f} GiB, error bound {frame.solver_error.max():.1e}"
        )
    print(f"speedup_vs_quantecon: {min(ratios):.1f}")


if __name__ == "__main__":
    main()
