r"""Batched optimal values of an MDP for K reward functions at once.

Model (Turner et al. 2021, Def 3.5; Puterman 1994, Ch. 6). For a state reward
:math:`R \in \mathbb R^S` and discount :math:`\gamma \in [0, 1)`, the optimal value is the
fixed point of the Bellman operator

.. math:: (\mathcal T V)(s) = R(s) + \gamma \max_a \sum_{s'} T(s, a, s') V(s'),

so the current state's reward counts at t = 0, and
:math:`Q^*(s, a) = R(s) + \gamma \sum_{s'} T(s,a,s') V^*(s')`. An action is *optimal* at s
when :math:`Q^*(s, a) = V^*(s)`; "there exists an optimal policy taking a" (Turner et al.,
Defs 4.3-4.4), so tied actions all count.

Algorithms, chosen by ``method``:

``"pi"`` on a deterministic MDP (the default there)
    Howard's policy iteration per sample, compiled, with exact O(S) evaluation of each
    deterministic policy (:mod:`powerlab.mdp._kernels`). Terminates in finitely many steps.
``"pi"`` on a stochastic MDP
    Policy iteration with exact evaluation by a batched dense linear solve of
    :math:`(I - \gamma P_\pi) V = R` (O(S^3) per sample; for small S, and for γ near 1).
``"vi"`` (the default on stochastic MDPs)
    Value iteration, one sparse matrix product ``P_sa @ V`` over all K samples per sweep,
    stopped by the MacQueen-Porteus bounds (Puterman 1994, Thm 6.6.6): with
    :math:`\Delta = \mathcal T V - V`, :math:`V^*` lies between
    :math:`\mathcal T V + \frac{\gamma}{1-\gamma}\min\Delta` and
    :math:`\mathcal T V + \frac{\gamma}{1-\gamma}\max\Delta`; terminal rows (all zeros) are
    handled by letting 0 join the range of Δ (an absorbing zero-reward state).

Error bound. Every result carries ``error_bound`` ε with :math:`\|V - V^*\|_\infty \le ε`
at the γ it ran at. For policy iteration it is computed after the fact from the Bellman
residual, :math:`\|V - V^*\| \le \|\mathcal T V - V\| / (1-\gamma)` (from the contraction:
:math:`\|V - V^*\| \le \|V - \mathcal T V\| + \gamma \|V - V^*\|`), plus four units of float64
round-off in evaluating :math:`\mathcal T`; for value iteration it is the half-width of the MacQueen
interval (on MDPs with terminal states, the distance from the returned :math:`\mathcal T V` to
the far end of that interval).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from powerlab.errors import InputError, ResourceError
from powerlab.mdp import _kernels
from powerlab.mdp.model import MDP

__all__ = ["OptimalValues", "action_values", "check_memory", "check_rewards", "solve"]

_EPS = np.finfo(np.float64).eps


def _absmax(x: np.ndarray) -> float:
    """``max |x|`` (0 for an empty array) without allocating ``|x|``."""
    return float(max(x.max(), -x.min())) if x.size else 0.0


@dataclass(frozen=True)
class OptimalValues:
    """Optimal values for K reward functions (see the module docstring).

    Attributes:
        V: ``[K, S]`` optimal state values.
        Q: ``[K, S, A]`` optimal action values, ``-inf`` at unavailable slots (or ``None``).
        optimal: ``[K, S, A]`` bool, ``Q >= V - tie_tol`` at available slots (or ``None``).
        policy: ``[K, S]`` one optimal action slot per state.
        gamma: the discount it ran at.
        error_bound: ε with ``max |V - V*| <= ε`` over all samples and states.
        tie_tol: the tolerance used to call two action values tied.
        method: ``"pi"``, ``"vi"`` or ``"myopic"`` (γ = 0).
        iterations: policy-iteration steps (max over samples) or value-iteration sweeps.
    """

    V: np.ndarray
    Q: np.ndarray | None
    optimal: np.ndarray | None
    policy: np.ndarray
    gamma: float
    error_bound: float
    tie_tol: float
    method: str
    iterations: int


def check_rewards(mdp: MDP, R: np.ndarray, *, state_action: bool = False) -> np.ndarray:
    """Return rewards as float64 ``[K, S]`` (or ``[K, S, A]`` when ``state_action``), or raise.

    State rewards may be given as ``[S]``. State-action rewards (Puterman's r(s, a)) must be
    finite at available slots; values at unavailable slots are ignored (set to 0).
    """
    R = np.asarray(R, dtype=np.float64)
    S, A = mdp.n_states, mdp.n_actions
    if state_action:
        if R.ndim == 2:
            R = R[None]
        if R.shape[1:] != (S, A) or R.ndim != 3:
            raise InputError(
                f"{mdp.name}: state-action rewards must have shape [K, S={S}, A={A}], got {R.shape}"
            )
        R = np.where(mdp.available[None], R, 0.0)
    else:
        if R.ndim == 1:
            R = R[None, :]
        if R.ndim != 2 or R.shape[1] != S:
            raise InputError(
                f"{mdp.name}: rewards must have shape [K, S] with S={S}, got {R.shape}"
            )
    if not np.all(np.isfinite(R)):
        raise InputError(f"{mdp.name}: rewards must be finite")
    return R


def check_memory(nbytes: float, what: str) -> None:
    """Refuse (``ResourceError``) a request whose arrays would exceed 80% of available memory."""
    avail = _available_memory()
    if nbytes > 0.8 * avail:
        raise ResourceError(
            f"{what} needs about {nbytes / 2**30:.1f} GiB but only {avail / 2**30:.1f} GiB is "
            "available; use fewer samples per batch or ask for V only (want_q=False)"
        )


def _available_memory() -> float:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))


def _succ_table(mdp: MDP) -> np.ndarray:
    succ = np.array(mdp.successor, dtype=np.int64)
    succ[~mdp.available] = -2
    return succ


def action_values(mdp: MDP, R: np.ndarray, V: np.ndarray, gamma: float) -> np.ndarray:
    """One Bellman look-ahead: ``Q[k, s, a] = R[k, s] + γ Σ_s' T(s, a, s') V[k, s']``.

    ``R: [K, S]`` (or state-action ``[K, S, A]``), ``V: [K, S]`` -> ``Q: [K, S, A]``, ``-inf``
    at unavailable slots.
    """
    K, S = V.shape
    A = mdp.n_actions
    succ = mdp.successor
    if succ is not None:
        Vpad = np.concatenate([V, np.zeros((K, 1))], axis=1)
        cont = Vpad[:, np.where(succ < 0, S, succ)]
    else:
        cont = (mdp.P_sa @ V.T).T.reshape(K, S, A)
    Q = (R[:, :, None] if R.ndim == 2 else R) + gamma * cont
    Q[:, ~mdp.available] = -np.inf
    return Q


def _bellman_max(
    mdp: MDP, R: np.ndarray, V: np.ndarray, gamma: float
) -> tuple[np.ndarray, np.ndarray]:
    Q = action_values(mdp, R, V, gamma)
    return Q.max(axis=2), Q


def _solve_vi(
    mdp: MDP, R: np.ndarray, gamma: float, tol: float, max_iter: int
) -> tuple[np.ndarray, float, int]:
    K, S = R.shape[:2]
    A = mdp.n_actions
    P = mdp.P_sa
    base = R.T[:, None, :] if R.ndim == 2 else np.transpose(R, (1, 2, 0))  # [S, 1 or A, K]
    unavailable = ~mdp.available
    substochastic = bool(np.any(mdp.terminal))
    V = R.copy() if R.ndim == 2 else np.where(mdp.available[None], R, -np.inf).max(axis=2)
    c = gamma / (1.0 - gamma)
    VT = np.ascontiguousarray(V.T)  # [S, K]
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
        bound = float(half.max()) + 4 * _EPS * max(1.0, _absmax(TV)) / (1 - gamma)
        if bound <= tol:
            if not substochastic:  # the midpoint of the MacQueen-Porteus interval
                TV = TV + c * (hi + lo) / 2.0
            return np.ascontiguousarray(TV.T), bound, it
        VT = TV
    raise InputError(
        f"{mdp.name}: value iteration did not reach tolerance {tol:g} in {max_iter} sweeps "
        f"at gamma={gamma} (bound {bound:.3g}); try method='pi'"
    )


def _solve_pi_stochastic(
    mdp: MDP, R: np.ndarray, gamma: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray, int]:
    K, S = R.shape[:2]
    if S > 3000:
        raise ResourceError(
            f"{mdp.name}: exact stochastic policy iteration is limited to 3000 states"
        )
    check_memory(8.0 * S * S * min(K, 64) * 2, "exact policy evaluation")
    P = np.asarray(mdp.P)  # [S, A, S]
    V0 = R if R.ndim == 2 else np.where(mdp.available[None], R, -np.inf).max(axis=2)
    pol = action_values(mdp, R, V0, gamma).argmax(axis=2)  # start: greedy one step ahead
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
        better = np.take_along_axis(Q, best[:, :, None], axis=2)[..., 0] > cur + 64 * _EPS * (
            1 + np.abs(cur)
        )
        if not better.any():
            break
        pol = np.where(better, best, pol)
    return V, pol, iters


def solve(
    mdp: MDP,
    R: np.ndarray,
    gamma: float,
    *,
    state_action: bool = False,
    method: str = "auto",
    tol: float | None = None,
    want_q: bool = True,
    tie_tol: float | None = None,
    max_iter: int | None = None,
) -> OptimalValues:
    """Optimal values, action values and optimal action sets for ``R: [K, S]`` at ``gamma``.

    Args:
        mdp: the environment.
        R: ``[K, S]`` (or ``[S]``) state rewards, one row per reward function; with
            ``state_action=True``, rewards r(s, a) of shape ``[K, S, A]`` (Puterman's form).
        state_action: whether ``R`` is on state-action pairs.
        gamma: discount in ``[0, 1)``; the limits γ → 0, 1 are in :mod:`powerlab.mdp.limits`.
        method: ``"auto"`` (policy iteration on deterministic MDPs, value iteration
            otherwise), ``"pi"`` or ``"vi"``.
        tol: target for ``error_bound`` in value iteration (default ``1e-8 * max(1, max|R|)``).
        want_q: also return ``Q`` and ``optimal`` (``[K, S, A]``; memory-hungry for large K).
        tie_tol: tolerance for ties; default ``max(2 γ ε, 1e-10 · max(1, max|V|))``.
        max_iter: cap on iterations (default 10,000 for PI, 1,000,000 for VI).

    Returns:
        :class:`OptimalValues` with ``error_bound`` valid at this γ.
    """
    gamma = float(gamma)
    if not 0.0 <= gamma < 1.0:
        raise InputError(
            f"gamma must be in [0, 1) for solve(), got {gamma} (use powerlab.mdp.limits)"
        )
    if method not in ("auto", "pi", "vi"):
        raise InputError(f"unknown method {method!r}; expected auto, pi or vi")
    shape = np.shape(R)
    K = int(np.prod(shape[: -2 if state_action else -1], dtype=np.int64)) if len(shape) > 1 else 1
    S, A = mdp.n_states, mdp.n_actions
    # Checked before touching R, so an oversized request fails at once rather than mid-way.
    per = 8.0 * K * S * (3 + (A if state_action else 0) + (A * 1.2 if want_q else 0))
    check_memory(per, f"solving {K} reward samples on {S} states")
    R = check_rewards(mdp, R, state_action=state_action)
    scale = max(1.0, _absmax(R))
    fast = mdp.is_deterministic and not state_action
    if method == "auto":
        method = "pi" if fast else "vi"
    iters = 0
    if gamma == 0.0:
        V = R.copy() if not state_action else np.where(mdp.available[None], R, -np.inf).max(axis=2)
        bound, method = 0.0, "myopic"
    elif method == "pi" and fast:
        succ = _succ_table(mdp)
        V = np.empty((K, S))
        pol = np.empty((K, S), dtype=np.int32)
        it_k = np.empty(K, dtype=np.int64)
        switch_tol = 64 * _EPS * scale / (1 - gamma)
        cap = max_iter or 10_000
        resid = np.empty(K)
        kernel = (
            _kernels.det_policy_iteration
            if K * S >= 20_000
            else _kernels.det_policy_iteration_serial
        )
        kernel(succ, R, gamma, switch_tol, cap, V, pol, it_k, resid)
        iters = int(it_k.max(initial=0))
        if iters >= cap:
            raise InputError(f"{mdp.name}: policy iteration did not converge in {cap} steps")
        res = float(resid.max(initial=0.0))
        vmax = max(1.0, _absmax(V))
        bound = (res + 4 * _EPS * vmax) / (1 - gamma)
    elif method == "pi":
        V, pol, iters = _solve_pi_stochastic(mdp, R, gamma, max_iter or 1000)
        TV, _ = _bellman_max(mdp, R, V, gamma)
        vmax = max(1.0, _absmax(V))
        bound = (float(np.abs(TV - V).max(initial=0.0)) + 4 * _EPS * vmax) / (1 - gamma)
    else:
        target = tol if tol is not None else 1e-8 * scale
        V, bound, iters = _solve_vi(mdp, R, gamma, target, max_iter or 1_000_000)
    vmax = max(1.0, _absmax(V))
    ttol = tie_tol if tie_tol is not None else max(2 * gamma * bound, 1e-10 * max(1.0, vmax))
    Q = optimal = None
    if want_q or method != "pi" or not fast:
        Qfull = action_values(mdp, R, V, gamma)
        policy = Qfull.argmax(axis=2)
        if want_q:
            Q = Qfull
            optimal = Qfull >= Qfull.max(axis=2, keepdims=True) - ttol
    else:
        policy = pol
    return OptimalValues(
        V=V,
        Q=Q,
        optimal=optimal,
        policy=policy,
        gamma=gamma,
        error_bound=float(bound),
        tie_tol=float(ttol),
        method=method,
        iterations=iters,
    )
