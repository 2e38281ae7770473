r"""POWER of both agents at every joint state (Turner et al. 2021, Def 5.2, for two agents).

For agent i with reward :math:`R_i \sim \mathcal D` on joint states, discount
:math:`\gamma_i` and a value :math:`V_i` of its own policy against the other's,

.. math:: \mathrm{POWER}_i(j) = \frac{1-\gamma_i}{\gamma_i}\,
          \mathbb E\bigl[V_i(j) - R_i(j)\bigr],

the multi-agent POWER of Stavrianos & Turner 2021 (maximum expected reward given the other
players' strategies) in the sequential game of :mod:`powerlab.multiagent.joint`. A's reward
is correlated with H's at ρ (:mod:`powerlab.multiagent.correlate`). Three ways for A to act,
the table ``MODES``:

``fixed``
    A plays a fixed stochastic policy :math:`\pi_A`; H's POWER is single-agent POWER on the
    folded MDP (:meth:`JointMDP.fold`), solved by :func:`powerlab.mdp.solve`. A has no reward.
``best-response``
    POWERplay's setting (Gladstone AI 2022): H is optimal against a seed policy
    :math:`\pi_A^0` (default uniform over A's actions), giving :math:`\pi_H^k`; A best-responds
    to :math:`\pi_H^k` for its own reward; A's POWER uses its optimal value, H's the value of
    :math:`\pi_H^k` against A's best response (H does not adapt). H's number is therefore a
    realised value, not Stavrianos & Turner's maximum over H's choices; with constant-sum
    rewards (ρ = −1) the two POWERs sum exactly to the constant, (1−γ)/γ · c γ/(1−γ) = c.
``equilibrium``
    Alternating best responses from there, per sample: H best-responds to :math:`\pi_A^k`,
    then A to :math:`\pi_H^k`, until neither policy changes (a pure Nash equilibrium of the
    discounted stochastic game in stationary policies: each policy is optimal against the
    other, so both POWERs use optimal values). A sample stops when its policy pair repeats
    an earlier round's (a cycle: it will never settle) or after ``max_rounds``; it is counted
    in ``unconverged`` (and in ``cycling`` if it cycled) and reported at its last round,
    POWER against the other's last policy. With simultaneous moves the stage game at each
    joint state is a general bimatrix game, which often has no pure equilibrium (Fink 1964
    guarantees only mixed stationary ones), so on most environments only ρ near 1 settles
    for most samples (a common payoff makes the alternation an ascent on one value); the
    ``unconverged`` count says how far the reported numbers are from an equilibrium.

The difference between the last two is H's adaptation: in ``best-response`` H's POWER can fall
below its optimum (A exploits a policy tuned to the seed policy); at an equilibrium it cannot.

Each value carries its standard error over samples (:mod:`powerlab.power.moments`) and
``solver_error``, the bound on the integrand's error from the solvers at that γ. The rows
``state == "(mean)"`` average POWER over joint states per sample.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.mdp.model import MDP
from powerlab.mdp.solvers import solve
from powerlab.multiagent import _batched, _per_sample
from powerlab.multiagent.correlate import correlated_rewards
from powerlab.multiagent.joint import AGENTS, JointMDP
from powerlab.power.distributions import DistributionLike, RewardDistribution, as_distribution
from powerlab.power.moments import Moments, draw_moments

__all__ = ["MEAN_ROW", "MODES", "MultiagentPower", "multiagent_power"]

MEAN_ROW = "(mean)"


@dataclass(frozen=True)
class MultiagentPower:
    """POWER of H and A on a joint MDP (module docstring).

    Attributes:
        table: one row per (agent, state): ``agent, state, power, stderr, samples,
            solver_error``; A is absent in ``fixed`` mode.
        mode: ``fixed``, ``best-response`` or ``equilibrium``.
        rho: the reward correlation (NaN in ``fixed`` mode).
        gamma: H's discount; ``gamma_A``: A's.
        rounds: alternating best-response rounds run (``equilibrium``; else 0).
        unconverged: samples whose best responses had not settled (``equilibrium``).
        cycling: of those, the samples whose policy pair returned to an earlier round's.
    """

    table: pd.DataFrame
    mode: str
    rho: float
    gamma: float
    gamma_A: float
    rounds: int = 0
    unconverged: int = 0
    cycling: int = 0

    def at(self, agent: str, state: str = MEAN_ROW) -> tuple[float, float]:
        """``(power, stderr)`` of ``agent`` at ``state`` (default the mean over states)."""
        t = self.table
        row = t[(t.agent == agent) & (t.state == state)]
        if row.empty:
            raise InputError(f"no POWER for agent {agent!r} at {state!r}")
        return float(row.power.iloc[0]), float(row.stderr.iloc[0])


Respond = Callable[..., tuple[np.ndarray, np.ndarray, float]]


def _responder(joint: JointMDP, gamma: float, tol: float) -> Respond:
    """Per-sample policy iteration where it is expected to be cheaper (:mod:`._per_sample`),
    else value iteration batched over samples (:mod:`._batched`)."""
    if _per_sample.prefer_policy_iteration(joint, gamma, tol):
        return _per_sample.best_response
    return _batched.best_response


def _method(gamma: float, tol: float) -> str:
    """``solve``'s method for H against A's fixed policy: policy iteration (``"pi"``) when
    value iteration would need more sweeps than one per-sample solve costs, else ``"auto"``."""
    return "pi" if _per_sample.vi_sweeps(gamma, tol) > _per_sample.SWEEPS_PER_SOLVE else "auto"


@dataclass
class _Context:
    joint: JointMDP
    gamma: float
    gamma_A: float
    tol: float
    max_rounds: int
    seed_mdp: MDP
    rounds: int = 0
    unconverged: int = 0
    cycling: int = 0


Batch = tuple[np.ndarray, np.ndarray | None, float, float]


def _c(gamma: float) -> float:
    return (1.0 - gamma) / gamma


def _fixed(ctx: _Context, R_H: np.ndarray, R_A: np.ndarray | None) -> Batch:
    c = _c(ctx.gamma)
    method = _method(ctx.gamma, ctx.tol)
    sol = solve(ctx.seed_mdp, R_H, ctx.gamma, want_q=False, tol=ctx.tol / c, method=method)
    return c * (sol.V - R_H), None, c * sol.error_bound, 0.0


def _against_seed(ctx: _Context, R_H: np.ndarray) -> tuple[np.ndarray, float]:
    c = _c(ctx.gamma)
    method = _method(ctx.gamma, ctx.tol)
    sol = solve(ctx.seed_mdp, R_H, ctx.gamma, want_q=False, tol=ctx.tol / c, method=method)
    return np.asarray(sol.policy, dtype=np.int64), sol.error_bound


def _best_response(ctx: _Context, R_H: np.ndarray, R_A: np.ndarray | None) -> Batch:
    assert R_A is not None
    c, cA, J = _c(ctx.gamma), _c(ctx.gamma_A), ctx.joint
    pi_H, _ = _against_seed(ctx, R_H)
    respond_A = _responder(J, ctx.gamma_A, ctx.tol)
    V_A, pi_A, err_A = respond_A(J, R_A, ctx.gamma_A, pi_H, 1, ctx.tol / cA)
    evaluate = (
        _per_sample.evaluate
        if _per_sample.prefer_policy_iteration(J, ctx.gamma, ctx.tol)
        else _batched.evaluate
    )
    V_H, err_H = evaluate(J, R_H, ctx.gamma, pi_H, pi_A, ctx.tol / c)
    return c * (V_H - R_H), cA * (V_A - R_A), c * err_H, cA * err_A


def _equilibrium(ctx: _Context, R_H: np.ndarray, R_A: np.ndarray | None) -> Batch:
    assert R_A is not None
    c, cA, J = _c(ctx.gamma), _c(ctx.gamma_A), ctx.joint
    pi_H, _ = _against_seed(ctx, R_H)
    respond_H = _responder(J, ctx.gamma, ctx.tol)
    respond_A = _responder(J, ctx.gamma_A, ctx.tol)
    V_A, pi_A, err_A = respond_A(J, R_A, ctx.gamma_A, pi_H, 1, ctx.tol / cA)
    V_H = None
    err_H = 0.0
    K = len(R_H)
    settled = np.zeros(K, dtype=bool)
    cycling = np.zeros(K, dtype=bool)
    seen: list[tuple[np.ndarray, np.ndarray]] = []
    for rnd in range(1, ctx.max_rounds + 1):
        V_H, new_H, err_H = respond_H(J, R_H, ctx.gamma, pi_A, 0, ctx.tol / c, keep=pi_H, V0=V_H)
        V_A, new_A, err_A = respond_A(
            J, R_A, ctx.gamma_A, new_H, 1, ctx.tol / cA, keep=pi_A, V0=V_A
        )
        settled = np.all(new_H == pi_H, axis=1) & np.all(new_A == pi_A, axis=1)
        for old_H, old_A in seen:
            cycling |= np.all(new_H == old_H, axis=1) & np.all(new_A == old_A, axis=1)
        cycling &= ~settled
        seen.append((pi_H, pi_A))
        pi_H, pi_A = new_H, new_A
        ctx.rounds = max(ctx.rounds, rnd)
        if np.all(settled | cycling):
            break
    ctx.unconverged += int((~settled).sum())
    ctx.cycling += int(cycling.sum())
    assert V_H is not None
    return c * (V_H - R_H), cA * (V_A - R_A), c * err_H, cA * err_A


MODES: dict[str, Callable[[_Context, np.ndarray, np.ndarray | None], Batch]] = {
    "fixed": _fixed,
    "best-response": _best_response,
    "equilibrium": _equilibrium,
}


def _rows(
    joint: JointMDP, agent: str, m: Moments, first: int, samples: int, err: float
) -> list[tuple[str, str, float, float, int, float]]:
    """``agent``'s rows from columns ``first .. first + J`` of ``m``: POWER at each joint
    state, then its mean over the states (:data:`MEAN_ROW`)."""
    mean, stderr = m.mean[first:], m.stderr[first:]
    labels = [*joint.states, MEAN_ROW]
    return [
        (agent, s, float(mean[j]), float(stderr[j]), samples, err) for j, s in enumerate(labels)
    ]


def multiagent_power(
    joint: JointMDP,
    gamma: float = 0.9,
    *,
    ai: str = "best-response",
    policy_A: np.ndarray | None = None,
    rho: float = 0.0,
    gamma_A: float | None = None,
    samples: int = 1000,
    rng: Seed = 0,
    dist: DistributionLike = None,
    tol: float = 1e-8,
    max_rounds: int = 30,
    max_batch_bytes: float = 2**25,
) -> MultiagentPower:
    """Monte Carlo POWER of H and A at every joint state (module docstring).

    Args:
        joint: the joint MDP (:func:`powerlab.multiagent.joint_mdp`).
        gamma: H's discount in (0, 1); ``gamma_A``: A's (default ``gamma``).
        ai: a key of ``MODES``.
        policy_A: ``[J, A]`` A's fixed policy (``fixed``) or seed policy (the others);
            default uniform over A's available actions.
        rho: correlation of A's reward with H's, in [−1, 1] (ignored in ``fixed`` mode).
        samples: number K of reward draws; ``rng`` their seed.
        dist: reward distribution on joint states (default iid uniform [0, 1]).
        tol: bound on each solver's error in POWER units.
        max_rounds: cap on alternating best-response rounds (``equilibrium``).
        max_batch_bytes: memory budget per batch of samples.
    """
    if ai not in MODES:
        raise InputError(f"unknown mode {ai!r}; expected one of {', '.join(MODES)}")
    gA = float(gamma if gamma_A is None else gamma_A)
    for name, g in (("gamma", float(gamma)), ("gamma_A", gA)):
        if not 0.0 < g < 1.0:
            raise InputError(f"{name} must be in (0, 1) for multi-agent POWER, got {g}")
    if samples < 2:
        raise InputError(f"samples must be at least 2 for a standard error, got {samples}")
    if max_rounds < 1:
        raise InputError(f"max_rounds must be at least 1, got {max_rounds}")
    pi0 = joint.uniform_policy("A") if policy_A is None else joint.check_policy(policy_A, "A")
    D: RewardDistribution = as_distribution(dist, lambda s: int(joint.states.index(s)))
    gen = as_generator(rng)
    ctx = _Context(joint, float(gamma), gA, tol, max_rounds, joint.fold(pi0, "H"))
    J, A = joint.n_states, joint.n_actions
    B = max(2, min(samples, int(max_batch_bytes // (8.0 * J * (A * A + 8)))))
    with_A = ai != "fixed"
    agents = AGENTS[: 2 if with_A else 1]
    errs = dict.fromkeys(AGENTS, 0.0)

    def integrand(R_H: np.ndarray, g: float) -> tuple[np.ndarray, float]:
        """``[k, (J + 1)·agents]``: per agent, POWER at each joint state and its mean."""
        R_A = correlated_rewards(R_H, rho, D, gen) if with_A else None
        X_H, X_A, e_H, e_A = MODES[ai](ctx, R_H, R_A)
        parts = []
        for agent, X, e in (("H", X_H, e_H), ("A", X_A, e_A)):
            if X is not None:
                parts += [X, X.mean(axis=1, keepdims=True)]
                errs[agent] = max(errs[agent], e)
        return np.hstack(parts), max(e_H, e_A)

    ((m, _),) = draw_moments(D, gen, J, [float(gamma)], integrand, samples, B)
    rows = []
    for i, agent in enumerate(agents):
        rows += _rows(joint, agent, m, i * (J + 1), samples, errs[agent])
    table = pd.DataFrame(
        rows, columns=["agent", "state", "power", "stderr", "samples", "solver_error"]
    )
    return MultiagentPower(
        table=table,
        mode=ai,
        rho=float(rho) if with_A else float("nan"),
        gamma=float(gamma),
        gamma_A=gA,
        rounds=ctx.rounds,
        unconverged=ctx.unconverged,
        cycling=ctx.cycling,
    )
