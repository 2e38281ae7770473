r"""Solvers for stochastic MDPs: value iteration, policy iteration with sparse or dense exact
evaluation, and the cost model that chooses among them.

Notation follows :mod:`powerlab.mdp.solvers`: rewards ``R: [K, S]`` (or r(s, a) as
``[K, S, A]``), ``P_sa: [S*A, S]``, discount γ. Each function returns values ``V: [K, S]``,
an error bound ε with :math:`\|V - V^*\|_\infty \le ε`, and an iteration count.

Costs, per reward sample (``nnz`` the nonzeros of ``P_sa``; ``flops`` those of one sparse
factorization on the static pattern of :func:`powerlab.mdp._pattern.elimination_pattern`):

* a value-iteration sweep: :math:`O(\mathrm{nnz} + SA)`; the sweeps needed are about
  :math:`\log(\varepsilon / \varepsilon_0)/\log\rho`, with ρ the contraction of the
  MacQueen-Porteus interval: γ times the subdominant eigenvalue modulus of the optimal chain
  without terminal states (fast-mixing MDPs need few sweeps at any γ), but γ itself when the
  interval is one-sided (terminal states) or the optimal policy has several recurrent classes;
* a sparse policy evaluation: :math:`O(\mathrm{flops})` (:mod:`powerlab.mdp._lu`), at most
  :math:`O(S b^2)` for a bandwidth b (:math:`O(S^{3/2})` on a grid with a minimum-degree
  order); a dense one :math:`O(S^3)`; policy iteration from a greedy start needs a few
  evaluations whatever γ.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from powerlab.errors import InputError, ResourceError
from powerlab.mdp._bellman import EPS, absmax, action_values, check_memory
from powerlab.mdp._lu import sparse_policy_iteration
from powerlab.mdp._pattern import elimination_pattern
from powerlab.mdp._simd import LANES
from powerlab.mdp.model import MDP

__all__ = ["pi_cost", "pi_dense", "pi_sparse", "prefer_vi_probe", "value_iteration"]

# Measured cost per unit (seconds of one core): a value-iteration sweep per sample per nonzero
# of P_sa (numpy, batched over samples; 2.4 ns measured); a sparse elimination per multiply-add
# (0.64 ns) and a Gauss-Seidel or Howard pass per nonzero (1.1-1.7 ns; numba, ``_SLOTS``
# samples at a time on 8-wide vectors); a dense LAPACK solve per flop. Only their ratios
# matter; see docs/solvers.md.
_C_SWEEP = 3e-9
_C_LU = 0.7e-9
_C_GS = 1.5e-9
_C_DENSE = 0.3e-9
# Policy-iteration steps per sample (measured 5-13 on the slippery grids and FrozenLake, about
# 8 on average).
_EVALUATIONS = 8
_SLOTS = 16  # samples factored together (one pass over the pattern's index lists)
_PROBE = 12  # value-iteration sweeps before its contraction rate is judged


def _n_warm(S: int, nnz: int, flops: int) -> int:
    """Gauss-Seidel sweeps before and after each evaluation: about a quarter of an
    evaluation's cost (measured best on slippery grids and FrozenLake), within 2..50."""
    return int(min(50, max(2, (flops + S) // max(4 * nnz, 1))))


def _blocks(K: int) -> int:
    """Blocks of samples that sparse policy iteration runs in parallel (one per thread)."""
    return max(1, min(numba.get_num_threads(), K // _SLOTS))


def pi_cost(mdp: MDP) -> tuple[str, float]:
    """The cheaper exact evaluation (``"pi-sparse"`` or ``"pi-dense"``) and its policy-iteration
    CPU time per sample in seconds on one core (model in the module docstring): per step, one
    factorization and ``n_warm + 1`` passes over ``P_sa`` (sparse), or one dense solve and one
    pass (dense). The model counts one core whatever the number of threads, so that the choice,
    and with it every bit of the result, is the same on any number of threads (a Dask worker
    runs with fewer than the process that submits to it)."""
    S = mdp.n_states
    nnz = mdp.P_sa.nnz + S * mdp.n_actions
    flops = elimination_pattern(mdp).flops
    sparse = _C_LU * (flops + S) + _C_GS * (_n_warm(S, mdp.P_sa.nnz, flops) + 1) * nnz
    dense = _C_DENSE * S**3 / 3 + _C_SWEEP * nnz
    if sparse <= dense or S > 3000:
        return "pi-sparse", _EVALUATIONS * sparse
    return "pi-dense", _EVALUATIONS * dense


def prefer_vi_probe(mdp: MDP) -> bool:
    """Whether value iteration's first ``_PROBE`` sweeps cost under a fifth of policy
    iteration, so that trying them risks little (they are wasted when it switches)."""
    _, cost = pi_cost(mdp)
    return 5 * _PROBE * _C_SWEEP * (mdp.P_sa.nnz + mdp.n_states * mdp.n_actions) < cost


def value_iteration(
    mdp: MDP,
    R: np.ndarray,
    gamma: float,
    tol: float,
    max_iter: int,
    give_up_cost: float | None = None,
) -> tuple[np.ndarray, float, int, bool]:
    r"""Value iteration stopped by the MacQueen-Porteus bounds (Puterman 1994, Thm 6.6.6).

    One sparse product ``P_sa @ V`` over all K samples per sweep. With :math:`\Delta =
    \mathcal T V - V` and :math:`c = \gamma/(1-\gamma)`, :math:`V^* \in [\mathcal T V + c\min\Delta,
    \mathcal T V + c \max\Delta]`; terminal rows (all zeros) let 0 join the range of Δ. Returns
    ``(V, ε, sweeps, converged)``. With ``give_up_cost`` (seconds per sample), after
    ``_PROBE``, 2 ``_PROBE``, 4 ``_PROBE``, ... sweeps the interval's contraction rate ρ over
    the latest half of the sweeps is measured and, when the sweeps still needed,
    :math:`\log(\text{tol}/ε)/\log\rho`, would cost more, the iteration stops early with
    ``converged=False`` and the current :math:`\mathcal T V` (a warm start).
    """
    K, S = R.shape[:2]
    A = mdp.n_actions
    P = mdp.P_sa
    base = R.T[:, None, :] if R.ndim == 2 else np.transpose(R, (1, 2, 0))  # [S, 1 or A, K]
    unavailable = ~mdp.available
    substochastic = bool(np.any(mdp.terminal))
    V = R.copy() if R.ndim == 2 else np.where(mdp.available[None], R, -np.inf).max(axis=2)
    c = gamma / (1.0 - gamma)
    VT = np.ascontiguousarray(V.T)  # [S, K]
    sweep_cost = _C_SWEEP * (P.nnz + S * A)
    history: list[float] = []
    bound = math.inf
    for it in range(1, max_iter + 1):
        cont = (P @ VT).reshape(S, A, K)
        cont[unavailable] = -np.inf
        TV = (base + gamma * cont).max(axis=1)  # [S, K]
        delta = TV - VT
        lo = delta.min(axis=0)
        hi = delta.max(axis=0)
        if substochastic:
            lo = np.minimum(lo, 0.0)
            hi = np.maximum(hi, 0.0)
        # V* lies in [TV + c lo, TV + c hi] with lo <= 0 <= hi at terminal-bearing MDPs;
        # TV itself is returned, so terminal states keep their exact value R(s).
        half = c * np.maximum(hi, -lo) if substochastic else c * (hi - lo) / 2.0
        bound = float(half.max()) + 4 * EPS * max(1.0, absmax(TV)) / (1 - gamma)
        if bound <= tol:
            if not substochastic:  # the midpoint of the MacQueen-Porteus interval
                TV = TV + c * (hi + lo) / 2.0
            return np.ascontiguousarray(TV.T), bound, it, True
        history.append(bound)
        # Judge at sweeps _PROBE, 2 _PROBE, 4 _PROBE, ...: the early contraction can be faster
        # than the asymptotic one, so the rate is re-measured over the latest half each time.
        q = it // _PROBE
        if give_up_cost is not None and it % _PROBE == 0 and q & (q - 1) == 0:
            rho = (history[-1] / history[it // 2 - 1]) ** (1.0 / (it - it // 2))
            need = math.log(tol / bound) / math.log(rho) if rho < 1.0 else math.inf
            if need * sweep_cost > give_up_cost:
                return np.ascontiguousarray(TV.T), bound, it, False
        VT = TV
    raise InputError(
        f"{mdp.name}: value iteration did not reach tolerance {tol:g} in {max_iter} sweeps "
        f"at gamma={gamma} (bound {bound:.3g}); try method='pi'"
    )


def pi_sparse(
    mdp: MDP,
    R: np.ndarray,
    gamma: float,
    max_iter: int,
    scale: float,
    V0: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float, int]:
    r"""Policy iteration with exact sparse evaluation (:func:`._lu.sparse_policy_iteration`).

    Returns ``(V, policy, ε, evaluations)`` with the a-posteriori bound
    :math:`ε = (\|\mathcal T V - V\| + 4 u \max|V|)/(1-\gamma)` (u the unit round-off), and
    starts from ``V0: [K, S]`` when given. Up to ``_SLOTS`` samples are factored together in
    each of ``min(threads, K / _SLOTS)`` parallel blocks. Memory: about ``8 · _SLOTS (nnz(U) +
    9S + A' S + J)`` bytes per block (J the largest supernode, A' = A for r(s, a), else 1).
    """
    K, S = R.shape[:2]
    pat = elimination_pattern(mdp)
    nslots = min(_SLOTS, -(-K // LANES) * LANES)  # whole vectors
    n_blocks = _blocks(K)
    J = int((pat.sn_last - np.arange(S)).max(initial=0)) + 1
    ar = R.shape[2] if R.ndim == 3 else 1
    nbytes = 8.0 * (len(pat.up_idx) + (9 + ar) * S + J) * nslots * n_blocks + 16.0 * K * S
    check_memory(nbytes, "sparse policy evaluation")
    P = mdp.P_sa
    R3 = np.ascontiguousarray(R[:, :, None] if R.ndim == 2 else R)
    V = np.array(V0, dtype=np.float64, order="C") if V0 is not None else np.empty((K, S))
    pol = np.empty((K, S), dtype=np.int64)
    its = np.zeros(K, dtype=np.int64)
    resid = np.zeros(K)
    sparse_policy_iteration(
        P.indptr.astype(np.int64),
        P.indices.astype(np.int64),
        P.data,
        np.ascontiguousarray(mdp.available),
        R3,
        gamma,
        64 * EPS * scale / (1 - gamma),
        max_iter,
        _n_warm(S, P.nnz, pat.flops),
        V0 is not None,
        pat.order,
        pat.pos,
        pat.up_ptr,
        pat.up_idx,
        pat.low_ptr,
        pat.low_idx,
        pat.sn_last,
        n_blocks,
        nslots,
        V,
        pol,
        its,
        resid,
    )
    iters = int(its.max(initial=0))
    if iters >= max_iter:
        raise InputError(f"{mdp.name}: policy iteration did not converge in {max_iter} steps")
    bound = (float(resid.max(initial=0.0)) + 4 * EPS * max(1.0, absmax(V))) / (1 - gamma)
    return V, pol, bound, iters


def pi_dense(
    mdp: MDP, R: np.ndarray, gamma: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray, int]:
    r"""Policy iteration with exact evaluation by a batched dense solve of
    :math:`(I - \gamma P_\pi) V = r_\pi` (LAPACK, O(S^3) per sample and step; S <= 3000).

    Starts from the policy greedy one step ahead of ``max_a r(s, a)``. Returns ``(V, policy,
    steps)``; the caller computes the a-posteriori bound.
    """
    K, S = R.shape[:2]
    if S > 3000:
        raise ResourceError(
            f"{mdp.name}: dense stochastic policy iteration is limited to 3000 states"
        )
    check_memory(8.0 * S * S * min(K, 64) * 2, "exact policy evaluation")
    P = np.asarray(mdp.P)  # [S, A, S]
    V0 = R if R.ndim == 2 else np.where(mdp.available[None], R, -np.inf).max(axis=2)
    pol = action_values(mdp, R, V0, gamma).argmax(axis=2)
    V = np.empty((K, S))
    iters = 0
    eye = np.eye(S)
    chunk = 64
    for it in range(1, max_iter + 1):
        iters = it
        for k0 in range(0, K, chunk):
            Pp = P[np.arange(S)[None, :], pol[k0 : k0 + chunk]]  # [k, S, S]
            Rk = R[k0 : k0 + chunk]
            if R.ndim == 3:  # r(s, pi(s))
                Rk = np.take_along_axis(Rk, pol[k0 : k0 + chunk, :, None], axis=2)[..., 0]
            V[k0 : k0 + chunk] = np.linalg.solve(eye - gamma * Pp, Rk[:, :, None])[..., 0]
        Q = action_values(mdp, R, V, gamma)
        cur = np.take_along_axis(Q, pol[:, :, None], axis=2)[..., 0]
        best = Q.argmax(axis=2)
        better = np.take_along_axis(Q, best[:, :, None], axis=2)[..., 0] > cur + 64 * EPS * (
            1 + np.abs(cur)
        )
        if not better.any():
            break
        pol = np.where(better, best, pol)
    return V, pol, iters
