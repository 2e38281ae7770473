r"""Batched optimal values of an MDP for K reward functions at once.

Model (Turner et al. 2021, Def 3.5; Puterman 1994, Ch. 6). For a state reward
:math:`R \in \mathbb R^S` and discount :math:`\gamma \in [0, 1)`, the optimal value is the
fixed point of the Bellman operator

.. math:: (\mathcal T V)(s) = R(s) + \gamma \max_a \sum_{s'} T(s, a, s') V(s'),

so the current state's reward counts at t = 0, and
:math:`Q^*(s, a) = R(s) + \gamma \sum_{s'} T(s,a,s') V^*(s')`. An action is *optimal* at s
when :math:`Q^*(s, a) = V^*(s)`; "there exists an optimal policy taking a" (Turner et al.,
Defs 4.3-4.4), so tied actions all count. For a policy π, :math:`V^\pi = (I - \gamma
P_\pi)^{-1} R` with :math:`P_\pi(s, \cdot) = T(s, \pi(s), \cdot)`.

Methods, chosen by ``method`` through the table ``METHODS`` (one named function each):

``"pi"``
    Howard's policy iteration (Puterman 1994, Sec. 6.4) with exact evaluation. On a
    deterministic MDP, compiled per sample with O(S) evaluation of each deterministic policy
    (:mod:`powerlab.mdp._kernels`); on a stochastic one, the cheaper of the two below.
``"pi-sparse"``
    Policy iteration per sample, compiled, evaluating each policy exactly by sparse Gaussian
    elimination on one static fill pattern shared by all policies (a minimum-degree or
    reverse Cuthill-McKee order, whichever fills less; :mod:`powerlab.mdp._pattern`,
    :mod:`powerlab.mdp._lu`), with GTH pivots that stay accurate as γ → 1; started from the
    greedy policy after a few Gauss-Seidel sweeps, with Gauss-Seidel improvement sweeps after
    each evaluation. Sixteen samples are factored together in one pass over the shared
    pattern, and the blocks of samples run in parallel.
``"pi-dense"``
    Policy iteration with a batched dense LAPACK solve of :math:`(I - \gamma P_\pi) V = R`
    (O(S³) per sample and step; S ≤ 3000).
``"vi"``
    Value iteration, one sparse matrix product ``P_sa @ V`` over all K samples per sweep,
    stopped by the MacQueen-Porteus bounds (Puterman 1994, Thm 6.6.6): with
    :math:`\Delta = \mathcal T V - V`, :math:`V^*` lies between
    :math:`\mathcal T V + \frac{\gamma}{1-\gamma}\min\Delta` and
    :math:`\mathcal T V + \frac{\gamma}{1-\gamma}\max\Delta`; terminal rows (all zeros) are
    handled by letting 0 join the range of Δ (an absorbing zero-reward state).
``"auto"`` (the default)
    ``"pi"`` on deterministic MDPs. On stochastic ones a cost model
    (:mod:`powerlab.mdp._stochastic`) compares policy iteration's evaluations (from S and
    the fill of the elimination pattern) with value-iteration sweeps (from the nonzeros of
    ``P_sa``); when the first sweeps are the cheaper, it runs them, measures how fast the MacQueen-Porteus interval
    contracts (γ and the terminal states set that rate), and finishes by value iteration if
    the remaining sweeps cost less than policy iteration, else switches to policy iteration
    started from the greedy policy of the current values. ``OptimalValues.method`` names
    the method that produced the result.

Error bound. Every result carries ``error_bound`` ε with :math:`\|V - V^*\|_\infty \le ε`
at the γ it ran at. For policy iteration it is computed after the fact from the Bellman
residual, :math:`\|V - V^*\| \le \|\mathcal T V - V\| / (1-\gamma)` (from the contraction:
:math:`\|V - V^*\| \le \|V - \mathcal T V\| + \gamma \|V - V^*\|`), plus four units of float64
round-off in evaluating :math:`\mathcal T`; for value iteration it is the half-width of the MacQueen
interval (on MDPs with terminal states, the distance from the returned :math:`\mathcal T V` to
the far end of that interval), stopped once it is at most ``tol``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from powerlab.errors import InputError
from powerlab.mdp import _kernels, _stochastic
from powerlab.mdp._bellman import EPS, absmax, action_values, check_memory, check_rewards
from powerlab.mdp.model import MDP

__all__ = [
    "METHODS",
    "OptimalValues",
    "action_values",
    "check_memory",
    "check_rewards",
    "solve",
]


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
        method: the method that produced ``V``: ``"pi"``, ``"pi-sparse"``, ``"pi-dense"``,
            ``"vi"`` or ``"myopic"`` (γ = 0).
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

    def __repr__(self) -> str:
        """Shapes and bounds, not the arrays (which print as kilobytes on a large grid)."""
        k, s = self.V.shape[0], self.V.shape[-1]
        a = "" if self.Q is None else f", A={self.Q.shape[-1]}"
        return (
            f"OptimalValues(K={k}, S={s}{a}, gamma={self.gamma:g}, method={self.method!r}, "
            f"iterations={self.iterations}, error_bound={self.error_bound:.1e})"
        )


@dataclass(frozen=True)
class _Options:
    """The caller's ``tol`` (VI target), ``max_iter`` (or None) and whether R is r(s, a)."""

    tol: float
    max_iter: int | None
    state_action: bool


@dataclass(frozen=True)
class _Run:
    """What a method returns: ``V: [K, S]``, a policy ``[K, S]`` if it has one, ε, steps, name."""

    V: np.ndarray
    policy: np.ndarray | None
    bound: float
    iterations: int
    method: str


def _residual_bound(mdp: MDP, R: np.ndarray, V: np.ndarray, gamma: float) -> float:
    """A-posteriori bound ``(‖TV - V‖ + 4 u max|V|) / (1 - γ)`` (module docstring)."""
    TV = action_values(mdp, R, V, gamma).max(axis=2)
    vmax = max(1.0, absmax(V))
    return (float(np.abs(TV - V).max(initial=0.0)) + 4 * EPS * vmax) / (1 - gamma)


def solve_pi_deterministic(mdp: MDP, R: np.ndarray, gamma: float, opt: _Options) -> _Run:
    """Policy iteration per sample on a deterministic MDP with state rewards, compiled
    (:func:`powerlab.mdp._kernels.det_policy_iteration`); exact O(S) evaluation per step."""
    K, S = R.shape
    succ = np.array(mdp.successor, dtype=np.int64)
    succ[~mdp.available] = -2
    V = np.empty((K, S))
    pol = np.empty((K, S), dtype=np.int32)
    it_k = np.empty(K, dtype=np.int64)
    resid = np.empty(K)
    cap = opt.max_iter or 10_000
    switch_tol = 64 * EPS * max(1.0, absmax(R)) / (1 - gamma)
    serial = K * S < 20_000  # no thread start-up for small batches
    kernel = _kernels.det_policy_iteration_serial if serial else _kernels.det_policy_iteration
    kernel(succ, R, gamma, switch_tol, cap, V, pol, it_k, resid)
    iters = int(it_k.max(initial=0))
    if iters >= cap:
        raise InputError(f"{mdp.name}: policy iteration did not converge in {cap} steps")
    bound = (float(resid.max(initial=0.0)) + 4 * EPS * max(1.0, absmax(V))) / (1 - gamma)
    return _Run(V, pol, bound, iters, "pi")


def solve_pi_sparse(
    mdp: MDP, R: np.ndarray, gamma: float, opt: _Options, V0: np.ndarray | None = None
) -> _Run:
    """Policy iteration with sparse exact evaluation (:func:`powerlab.mdp._stochastic.pi_sparse`),
    optionally started from values ``V0: [K, S]``."""
    scale = max(1.0, absmax(R))
    V, pol, bound, iters = _stochastic.pi_sparse(mdp, R, gamma, opt.max_iter or 10_000, scale, V0)
    return _Run(V, pol, bound, iters, "pi-sparse")


def solve_pi_dense(mdp: MDP, R: np.ndarray, gamma: float, opt: _Options) -> _Run:
    """Policy iteration with batched dense evaluation (:func:`powerlab.mdp._stochastic.pi_dense`)."""
    V, pol, iters = _stochastic.pi_dense(mdp, R, gamma, opt.max_iter or 1000)
    return _Run(V, pol, _residual_bound(mdp, R, V, gamma), iters, "pi-dense")


def solve_pi(mdp: MDP, R: np.ndarray, gamma: float, opt: _Options) -> _Run:
    """Exact policy iteration: the compiled deterministic kernel where it applies, else the
    cheaper exact evaluation, sparse or dense (:func:`powerlab.mdp._stochastic.pi_cost`)."""
    if mdp.is_deterministic and not opt.state_action:
        return solve_pi_deterministic(mdp, R, gamma, opt)
    name, _ = _stochastic.pi_cost(mdp)
    return METHODS[name](mdp, R, gamma, opt)


def solve_vi(mdp: MDP, R: np.ndarray, gamma: float, opt: _Options) -> _Run:
    """Value iteration to the MacQueen-Porteus bound ``tol`` (:func:`~._stochastic.value_iteration`)."""
    V, bound, iters, _ = _stochastic.value_iteration(
        mdp, R, gamma, opt.tol, opt.max_iter or 1_000_000
    )
    return _Run(V, None, bound, iters, "vi")


def solve_auto(mdp: MDP, R: np.ndarray, gamma: float, opt: _Options) -> _Run:
    """The choice described in the module docstring under ``"auto"``."""
    if mdp.is_deterministic and not opt.state_action:
        return solve_pi_deterministic(mdp, R, gamma, opt)
    name, cost = _stochastic.pi_cost(mdp)
    if not _stochastic.prefer_vi_probe(mdp):
        return METHODS[name](mdp, R, gamma, opt)
    V, bound, iters, done = _stochastic.value_iteration(
        mdp, R, gamma, opt.tol, opt.max_iter or 1_000_000, give_up_cost=cost
    )
    if done:
        return _Run(V, None, bound, iters, "vi")
    if name == "pi-sparse":
        return solve_pi_sparse(mdp, R, gamma, opt, V0=V)
    return solve_pi_dense(mdp, R, gamma, opt)


METHODS: dict[str, Callable[[MDP, np.ndarray, float, _Options], _Run]] = {
    "auto": solve_auto,
    "pi": solve_pi,
    "pi-sparse": solve_pi_sparse,
    "pi-dense": solve_pi_dense,
    "vi": solve_vi,
}


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
        method: a key of ``METHODS``: ``"auto"``, ``"pi"``, ``"pi-sparse"``, ``"pi-dense"`` or
            ``"vi"`` (module docstring).
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
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    shape = np.shape(R)
    K = int(np.prod(shape[: -2 if state_action else -1], dtype=np.int64)) if len(shape) > 1 else 1
    S, A = mdp.n_states, mdp.n_actions
    # Checked before touching R, so an oversized request fails at once rather than mid-way.
    per = 8.0 * K * S * (3 + (A if state_action else 0) + (A * 1.2 if want_q else 0))
    check_memory(per, f"solving {K} reward samples on {S} states")
    R = check_rewards(mdp, R, state_action=state_action)
    if gamma == 0.0:
        V = R.copy() if not state_action else np.where(mdp.available[None], R, -np.inf).max(axis=2)
        run = _Run(V, None, 0.0, 0, "myopic")
    else:
        target = tol if tol is not None else 1e-8 * max(1.0, absmax(R))
        run = METHODS[method](mdp, R, gamma, _Options(target, max_iter, state_action))
    V = run.V
    vmax = max(1.0, absmax(V))
    ttol = tie_tol if tie_tol is not None else max(2 * gamma * run.bound, 1e-10 * vmax)
    Q = optimal = None
    policy = run.policy
    if want_q or policy is None:
        Qfull = action_values(mdp, R, V, gamma)
        policy = Qfull.argmax(axis=2)
        if want_q:
            Q = Qfull
            optimal = Qfull >= Qfull.max(axis=2, keepdims=True) - ttol
    return OptimalValues(
        V=V,
        Q=Q,
        optimal=optimal,
        policy=policy,
        gamma=gamma,
        error_bound=float(run.bound),
        tie_tol=float(ttol),
        method=run.method,
        iterations=run.iterations,
    )
