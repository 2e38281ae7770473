"""Benchmark W7: POWER on stochastic MDPs against a per-sample policy-iteration solver.

Cases (K iid uniform [0, 1] reward samples each, POWER of every state, error at most 1e-6 in
POWER units, at γ = 0.9, 0.99, 0.999):

* n x n "slippery" grids, n = 10, 20, 50: actions N, S, E, W, stay; with probability 0.8 the
  intended move, with probability 0.2 one of N, S, E, W chosen uniformly (a move off the grid
  stays put);
* ``FrozenLake-v1`` with the 8x8 map (gymnasium; holes and goal terminal);
* a random sparse MDP: 1,000 states, 4 actions, 3 distinct uniformly chosen successors per
  action with Dirichlet(1) probabilities (fixed seed).

Measured in the same run:

(a) the reference: QuantEcon's ``DiscreteDP`` policy iteration, one solve per reward sample;
    on the MDPs with terminal states (whose rows sum to 0, which ``DiscreteDP`` refuses) a
    per-sample policy iteration written here in numpy/scipy with the same evaluation
    (``scipy.sparse.linalg.spsolve`` of ``(I - γ P_π) V = R``). Timed on a subset of the
    samples and extrapolated to K, as the output states;
(b) powerlab: ``powerlab.power.power(..., tol=1e-6)`` on all K samples with the default
    ``method="auto"`` (its choice is printed).

Both solve each sample exactly up to round-off (policy iteration), so both meet 1e-6.
Printed per case: the two times, their ratio, the largest difference of the POWER integrand
on the subset, powerlab's error bound, and the process's peak resident memory so far. Then
the cost of the γ → 1 limit (``powerlab.mdp.blackwell_optimal``) on each case, for K/20
samples (no reference: a per-sample solver has no γ = 1 mode).

Run: ``python benchmarks/bench_stochastic.py [--quick] [--case NAME ...] [--gamma G ...]
[--no-limit]``. The last line printed is
``speedup_vs_quantecon_stochastic: X``, the smallest ratio (a)/(b) over the suite.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import powerlab.mdp as M
from powerlab.power import power, power_integrand


def slippery_grid(n: int, slip: float = 0.2) -> M.MDP:
    """The n x n slippery grid of the module docstring, in sparse pair form."""
    moves = [(-1, 0), (1, 0), (0, 1), (0, -1), (0, 0)]
    rows, cols, vals = [], [], []
    for r in range(n):
        for c in range(n):
            for a, move in enumerate(moves):
                for (dr, dc), p in [(move, 1 - slip)] + [(m, slip / 4) for m in moves[:4]]:
                    rr, cc = r + dr, c + dc
                    inside = 0 <= rr < n and 0 <= cc < n
                    rows.append((r * n + c) * 5 + a)
                    cols.append(rr * n + cc if inside else r * n + c)
                    vals.append(p)
    P = sp.csr_array((vals, (rows, cols)), shape=(n * n * 5, n * n))
    P.sum_duplicates()
    return M.from_arrays(P, name=f"slippery{n}x{n}")


def random_sparse(S: int = 1000, A: int = 4, k: int = 3, seed: int = 0) -> M.MDP:
    """Each action moves to k distinct uniform states with Dirichlet(1) weights."""
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(S * A), k)
    cols = np.concatenate([rng.choice(S, size=k, replace=False) for _ in range(S * A)])
    vals = rng.dirichlet(np.ones(k), size=S * A).ravel()
    return M.from_arrays(sp.csr_array((vals, (rows, cols)), shape=(S * A, S)), name="random1000")


def frozen_lake_8x8() -> M.MDP:
    import gymnasium

    env = gymnasium.make("FrozenLake-v1", map_name="8x8")
    try:
        return M.from_gymnasium(env, name="FrozenLake-v1-8x8")
    finally:
        env.close()


def quantecon_pi(mdp: M.MDP, R: np.ndarray, gamma: float) -> np.ndarray:
    """(a) QuantEcon DiscreteDP policy iteration per sample: the POWER integrand ``[k, S]``."""
    import quantecon as qe

    S, A = mdp.n_states, mdp.n_actions
    Q = sp.csr_matrix(mdp.P_sa)
    s_ind = np.repeat(np.arange(S), A)
    a_ind = np.tile(np.arange(A), S)
    keep = mdp.available.ravel()
    out = np.empty_like(R)
    for k in range(R.shape[0]):
        ddp = qe.markov.DiscreteDP(
            np.repeat(R[k], A)[keep], Q[keep], gamma, s_ind[keep], a_ind[keep]
        )
        res = ddp.solve(method="policy_iteration")
        out[k] = (1 - gamma) / gamma * (res.v - R[k])
    return out


def scipy_pi(mdp: M.MDP, R: np.ndarray, gamma: float) -> np.ndarray:
    """(a) on MDPs with terminal states: Howard's policy iteration per sample, evaluated by
    ``spsolve`` as ``DiscreteDP`` does, started from the greedy one-step policy."""
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.P_sa
    eye = sp.identity(S, format="csc")
    out = np.empty_like(R)
    for k in range(R.shape[0]):
        r = R[k]
        V = r.copy()
        pol = None
        while True:
            Q = r[:, None] + gamma * (P @ V).reshape(S, A)
            Q[~mdp.available] = -np.inf
            new = Q.argmax(axis=1)
            if pol is not None:
                cur = Q[np.arange(S), pol]
                keep = Q[np.arange(S), new] <= cur + 1e-12 * (1 + np.abs(cur))
                new = np.where(keep, pol, new)
                if np.array_equal(new, pol):
                    break
            pol = new
            V = spla.spsolve(sp.csc_matrix(eye - gamma * P[np.arange(S) * A + pol]), r)
        out[k] = (1 - gamma) / gamma * (V - r)
    return out


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two small cases at γ = 0.99")
    parser.add_argument("--case", action="append", help="run only this case (repeatable)")
    parser.add_argument("--gamma", type=float, action="append", help="only this γ (repeatable)")
    parser.add_argument("--no-limit", action="store_true", help="skip the γ → 1 rows")
    args = parser.parse_args()
    # (name, builder, K, reference subset)
    cases = [
        ("slippery10x10", lambda: slippery_grid(10), 2000, 20),
        ("slippery20x20", lambda: slippery_grid(20), 2000, 10),
        ("slippery50x50", lambda: slippery_grid(50), 200, 3),
        ("FrozenLake8x8", frozen_lake_8x8, 10_000, 50),
        ("random1000", random_sparse, 1000, 3),
    ]
    gammas = (0.9, 0.99, 0.999)
    if args.quick:
        cases = [
            ("slippery10x10", lambda: slippery_grid(10), 200, 5),
            ("FrozenLake8x8", frozen_lake_8x8, 500, 5),
        ]
        gammas = (0.99,)
    if args.case:
        cases = [c for c in cases if c[0] in args.case]
    if args.gamma:
        gammas = tuple(args.gamma)
    t = time.perf_counter()
    warm = slippery_grid(4)
    power(warm, [0.9], samples=10, rng=0)  # compile the kernels (cached on disk afterwards)
    R_warm = np.random.default_rng(0).random((40, warm.n_states))
    for method in ("pi-sparse", "pi-dense", "vi"):  # whichever auto picks later
        M.solve(warm, R_warm, 0.9, method=method)
    quantecon_pi(warm, np.random.default_rng(0).random((1, warm.n_states)), 0.9)
    print(f"warm-up (JIT compile or cache load): {time.perf_counter() - t:.2f} s")
    ratios = []
    for name, build, K, sub in cases:
        mdp = build()
        ref_name, ref = (
            ("scipy-pi", scipy_pi) if mdp.terminal.any() else ("quantecon", quantecon_pi)
        )
        R_sub = np.random.default_rng(1).random((sub, mdp.n_states))
        for gamma in gammas:
            t = time.perf_counter()
            Xa = ref(mdp, R_sub, gamma)
            ta = (time.perf_counter() - t) / sub * K
            t = time.perf_counter()
            frame = power(mdp, [gamma], samples=K, rng=0, tol=1e-6)
            tb = time.perf_counter() - t
            R_auto = np.random.default_rng(3).random((min(K, 64), mdp.n_states))  # auto judges by K
            chosen = M.solve(mdp, R_auto, gamma, want_q=False, tol=1e-6 * gamma / (1 - gamma))
            Xb, _ = power_integrand(mdp, R_sub, gamma, tol=1e-6)
            ratios.append(ta / tb)
            print(
                f"{name:14s} S={mdp.n_states:5d} K={K:6d} gamma={gamma}: "
                f"(a) {ref_name} {ta:8.2f} s (extrapolated from {sub} samples)  "
                f"(b) powerlab {tb:7.2f} s [{chosen.method}, {chosen.iterations} it]  "
                f"speedup {ta / tb:6.1f}x  max|diff| {np.abs(Xa - Xb).max():.1e}  "
                f"bound {frame.solver_error.max():.1e}  peak {peak_gib():.2f} GiB",
                flush=True,
            )
    print(
        "gamma -> 1 (blackwell_optimal: two exact policy-iteration solves, at 1 - 1e-6 and 1 - 1e-5):"
    )
    for name, build, K, _ in [] if args.no_limit else cases:
        mdp = build()
        k = max(10, K // 20)
        R = np.random.default_rng(2).random((k, mdp.n_states))
        t = time.perf_counter()
        lim = M.blackwell_optimal(mdp, R)
        dt = time.perf_counter() - t
        print(
            f"{name:14s} S={mdp.n_states:5d} K={k:6d}: {dt:7.2f} s ({dt / k * 1e3:.2f} ms per "
            f"sample)  gain error bound {lim.error_bound:.1e}  peak {peak_gib():.2f} GiB",
            flush=True,
        )
    print(f"peak memory (whole run): {peak_gib():.2f} GiB")
    print(f"speedup_vs_quantecon_stochastic: {min(ratios):.2f}")


if __name__ == "__main__":
    main()
