r"""POWER and optimality probability by Monte Carlo over reward functions.

POWER (Turner et al. 2021, Def 5.2):

.. math:: \mathrm{POWER}_{\mathcal D}(s, \gamma) = \frac{1-\gamma}{\gamma}
          \mathbb E_{R \sim \mathcal D}\left[V^*_R(s, \gamma) - R(s)\right],

with the limits at γ → 0 (:math:`\mathbb E[\max_a T_a R]`) and γ → 1 (the expected optimal
average reward) from :mod:`powerlab.mdp.limits`. Optimality probability of action a at s
(Defs 4.3-4.4, for the action's set of policies): :math:`\Pr_{R\sim\mathcal D}(\exists
\pi^* \in \Pi^*(R,\gamma): \pi^*(s) = a)`, so tied actions all count.

Estimates average ``samples`` iid draws of ``R: [K, S]``; each carries its standard error
(sample standard deviation, with the n-1 divisor, over √K; one convention for POWER and for
optimality probability, :mod:`powerlab.power.moments`) and the sample count, plus
``solver_error``, the bound on
the error of the integrand from the solver: :math:`\frac{1-\gamma}{\gamma}\varepsilon_V`,
where the solver is run with :math:`\varepsilon_V \le` ``tol`` · γ/(1-γ) so that a small γ
cannot amplify it. The same reward draws are used at every γ (common random numbers), so
differences across γ are estimated with less noise. Samples are processed in batches whose
arrays stay within ``max_batch_bytes`` (16 MiB by default: small enough that the allocator
reuses the same pages from batch to batch, which measured faster than one large batch; the
rule is :func:`powerlab.power.moments.batch_size`), so memory does not grow with ``samples``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from powerlab._provenance import provenance
from powerlab._random import Seed, as_generator
from powerlab.errors import InputError, ResourceError
from powerlab.mdp.limits import blackwell_optimal, myopic_optimal
from powerlab.mdp.model import MDP
from powerlab.mdp.solvers import solve
from powerlab.power.distributions import DistributionLike, as_distribution
from powerlab.power.moments import Integrand, Moments, batch_size, draw_moments

__all__ = ["optimal_actions_at", "optimality_probability", "power", "power_integrand"]

Progress = Callable[[int], None]


def _gammas(gamma: float | Iterable[float]) -> list[float]:
    gs = [float(g) for g in np.atleast_1d(np.asarray(gamma, dtype=np.float64)).ravel()]
    if not gs:
        raise InputError("at least one gamma is required")
    for g in gs:
        if not 0.0 <= g <= 1.0:
            raise InputError(f"gamma must be in [0, 1], got {g}")
    return gs


#: The largest request one call accepts, in reward samples x states x discount factors. At the
#: batched solvers' throughput on deterministic MDPs (about 1e7 such units a second on one core
#: of a 2-core machine, benchmarks/bench_power.py) this is roughly three hours; larger studies
#: belong in a sweep (``powerlab sweep run``), which splits, resumes and scales out.
MAX_WORK = 1e11


def _checked(gamma: float | Iterable[float], samples: int, n_states: int = 1) -> list[float]:
    gs = _gammas(gamma)
    if samples < 2:
        raise InputError(f"samples must be at least 2 for a standard error, got {samples}")
    work = float(samples) * n_states * len(gs)
    if work > MAX_WORK:
        raise ResourceError(
            f"--samples {samples}: {samples} samples x {n_states} states x {len(gs)} gammas "
            f"= {work:.3g} is over the limit of {MAX_WORK:.0e} for one call (hours of solving); "
            "split the study into a sweep (powerlab sweep run)"
        )
    return gs


def _monte_carlo(
    mdp: MDP,
    gammas: list[float],
    integrand: Integrand,
    samples: int,
    rng: Seed,
    dist: DistributionLike,
    max_batch_bytes: float,
    progress: Progress | None,
) -> list[tuple[Moments, float]]:
    """Per γ, the :class:`Moments` of ``integrand`` over ``samples`` reward draws and its largest
    error bound. Each batch of rewards is evaluated at every γ (common random numbers)."""
    S = mdp.n_states
    per_sa = any(g in (0.0, 1.0) for g in gammas)
    B = batch_size(S, mdp.n_actions, samples, max_batch_bytes, per_action=per_sa)
    D = as_distribution(dist, mdp.state_index)
    return draw_moments(D, as_generator(rng), S, gammas, integrand, samples, B, progress)


def power_integrand(
    mdp: MDP, R: np.ndarray, gamma: float, *, tol: float = 1e-9
) -> tuple[np.ndarray, float]:
    """Per-sample POWER integrand ``X: [K, S]`` and its error bound at one γ in [0, 1].

    ``X = (1-γ)/γ · (V*_R - R)`` for 0 < γ < 1, ``max_a T_a R`` at γ = 0 and the optimal gain
    at γ = 1 (module docstring), so that ``POWER = E[X]``.
    """
    if gamma == 0.0:
        lim = myopic_optimal(mdp, R, max_order=1)
        return lim.value, 0.0
    if gamma == 1.0:
        lim = blackwell_optimal(mdp, R)
        return lim.value, lim.error_bound
    c = (1.0 - gamma) / gamma
    sol = solve(mdp, R, gamma, want_q=False, tol=tol / c)
    X = sol.V  # a fresh array owned here: transform in place, without temporaries
    X -= R
    X *= c
    return X, c * sol.error_bound


def power(
    mdp: MDP,
    gamma: float | Sequence[float] = 0.9,
    *,
    samples: int = 10_000,
    rng: Seed = 0,
    dist: DistributionLike = None,
    states: Sequence[str | int] | None = None,
    tol: float = 1e-9,
    max_batch_bytes: float = 2**24,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Monte Carlo POWER (Turner et al., Def 5.2) of ``states`` (default all) at each γ.

    Args:
        mdp: the environment.
        gamma: one discount or several, each in [0, 1] (0 and 1 mean the limits).
        samples: number K of reward functions drawn.
        rng: seed or ``numpy.random.Generator``.
        dist: reward distribution (default iid uniform [0, 1]; see :mod:`.distributions`).
        states: states to report (names or indices).
        tol: bound on the solver's error in POWER units.
        max_batch_bytes: memory budget per batch of samples.
        progress: called with the number of samples finished after each batch.

    Returns:
        DataFrame with one row per (state, gamma): ``state, gamma, power, stderr, samples,
        solver_error``; ``.attrs["provenance"]`` records the version, git commit, command
        line, environment, seed, distribution, γ and sample count
        (:func:`powerlab._provenance.provenance`).
    """
    gs = _checked(gamma, samples, mdp.n_states)
    idx = mdp.state_indices(states)
    all_states = len(idx) == mdp.n_states and bool(np.all(idx == np.arange(mdp.n_states)))

    def integrand(R: np.ndarray, g: float) -> tuple[np.ndarray, float]:
        X, err = power_integrand(mdp, R, g, tol=tol)
        return (X if all_states else X[:, idx]), err

    est = _monte_carlo(mdp, gs, integrand, samples, rng, dist, max_batch_bytes, progress)
    rows = [
        (mdp.states[s], g, float(m.mean[i]), float(m.stderr[i]), samples, err)
        for g, (m, err) in zip(gs, est, strict=True)
        for i, s in enumerate(idx)
    ]
    frame = pd.DataFrame(
        rows, columns=["state", "gamma", "power", "stderr", "samples", "solver_error"]
    )
    return _with_provenance(frame, mdp, rng, dist, gs, samples)


def optimal_actions_at(mdp: MDP, R: np.ndarray, s: int, gamma: float) -> np.ndarray:
    """``[K, A]`` bool: action a is optimal at state s for each reward sample ``R: [K, S]``.

    The per-sample indicator behind :func:`optimality_probability` (Defs 4.3-4.4; ties count
    at the solver's ``tie_tol``; γ = 0 and 1 are the limits).
    """
    if gamma == 0.0:
        return myopic_optimal(mdp, R).optimal[:, s, :]
    if gamma == 1.0:
        return blackwell_optimal(mdp, R).optimal[:, s, :]
    sol = solve(mdp, R, gamma, want_q=False)
    A = mdp.n_actions
    P_s = mdp.P_sa[s * A : (s + 1) * A]  # [A, S]
    q = R[:, s, None] + gamma * (P_s @ sol.V.T).T  # [K, A]
    q[:, ~mdp.available[s]] = -np.inf
    return q >= q.max(axis=1, keepdims=True) - sol.tie_tol


def optimality_probability(
    mdp: MDP,
    state: str | int,
    gamma: float | Sequence[float] = 0.9,
    *,
    samples: int = 10_000,
    rng: Seed = 0,
    dist: DistributionLike = None,
    max_batch_bytes: float = 2**24,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Monte Carlo optimality probability of each action at ``state`` (Turner et al., Defs 4.3-4.4).

    An action counts for a reward sample when some optimal policy takes it (ties all count, at
    the solver's stated ``tie_tol``), so probabilities at a state can sum to more than 1.

    Returns:
        DataFrame with one row per (action, gamma): ``state, action, gamma, probability,
        stderr, samples``; ``stderr = sqrt(p(1-p)/(K-1))``, the sample standard error of
        the indicator's mean (one convention with :func:`power`; :mod:`.moments`);
        ``.attrs["provenance"]`` as in :func:`power`.
    """
    gs = _checked(gamma, samples, mdp.n_states)
    s = mdp.state_index(state)
    labels = mdp.action_labels[s]

    def integrand(R: np.ndarray, g: float) -> tuple[np.ndarray, float]:
        return optimal_actions_at(mdp, R, s, g)[:, : len(labels)], 0.0

    est = _monte_carlo(mdp, gs, integrand, samples, rng, dist, max_batch_bytes, progress)
    rows = [
        (mdp.states[s], label, g, float(m.mean[a]), float(m.stderr[a]), samples)
        for g, (m, _) in zip(gs, est, strict=True)
        for a, label in enumerate(labels)
    ]
    frame = pd.DataFrame(
        rows, columns=["state", "action", "gamma", "probability", "stderr", "samples"]
    )
    return _with_provenance(frame, mdp, rng, dist, gs, samples)


def _with_provenance(
    frame: pd.DataFrame, mdp: MDP, rng: Seed, dist: DistributionLike, gs: list[float], n: int
) -> pd.DataFrame:
    """``frame`` with ``.attrs["provenance"]``: version, commit, environment, seed, settings."""
    seed: int | str | None = None if rng is None else "a numpy Generator"
    if isinstance(rng, int | np.integer):
        seed = int(rng)
    spec = dist if isinstance(dist, str) else getattr(dist, "spec", None)
    frame.attrs["provenance"] = provenance(
        env=mdp.name, seed=seed, distribution=spec or "uniform", gamma=gs, samples=n
    )
    return frame
