r"""POWER and optimality probability by Monte Carlo over reward functions.

POWER (Turner et al. 2021, Def 5.2):

.. math:: \mathrm{POWER}_{\mathcal D}(s, \gamma) = \frac{1-\gamma}{\gamma}
          \mathbb E_{R \sim \mathcal D}\left[V^*_R(s, \gamma) - R(s)\right],

with the limits at γ → 0 (:math:`\mathbb E[\max_a T_a R]`) and γ → 1 (the expected optimal
average reward) from :mod:`powerlab.mdp.limits`. Optimality probability of action a at s
(Defs 4.3-4.4, for the action's set of policies): :math:`\Pr_{R\sim\mathcal D}(\exists
\pi^* \in \Pi^*(R,\gamma): \pi^*(s) = a)`, so tied actions all count.

Estimates average ``samples`` iid draws of ``R: [K, S]``; each carries its standard error
(sample standard deviation over √K) and the sample count, plus ``solver_error``, the bound on
the error of the integrand from the solver: :math:`\frac{1-\gamma}{\gamma}\varepsilon_V`,
where the solver is run with :math:`\varepsilon_V \le` ``tol`` · γ/(1-γ) so that a small γ
cannot amplify it. The same reward draws are used at every γ (common random numbers), so
differences across γ are estimated with less noise. Samples are processed in batches whose
arrays stay within ``max_batch_bytes`` (16 MiB by default: small enough that the allocator
reuses the same pages from batch to batch, which measured faster than one large batch), so
memory does not grow with ``samples``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from powerlab.errors import InputError
from powerlab.mdp.limits import blackwell_optimal, myopic_optimal
from powerlab.mdp.model import MDP
from powerlab.mdp.solvers import solve
from powerlab.power.distributions import RewardDistribution, as_distribution

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


def _rng(rng: int | np.random.Generator | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _batch_size(S: int, A: int, samples: int, max_batch_bytes: float, per_sa: bool) -> int:
    per_sample = 8.0 * S * (6 + (2 * A if per_sa else 0))
    return int(max(1, min(samples, max_batch_bytes // per_sample)))


@dataclass
class _Moments:
    """Running sums for a mean and its standard error (shifted by the first batch's mean)."""

    n: int = 0
    shift: np.ndarray | None = None
    s1: np.ndarray | None = None
    s2: np.ndarray | None = None

    def add(self, x: np.ndarray) -> None:
        """Accumulate the rows of ``x: [k, n]``; ``x`` is overwritten (shifted in place)."""
        if self.shift is None:
            self.shift = x.mean(axis=0)
            self.s1 = np.zeros_like(self.shift)
            self.s2 = np.zeros_like(self.shift)
        x -= self.shift
        self.s1 = self.s1 + x.sum(axis=0)  # type: ignore[operator]
        self.s2 = self.s2 + np.einsum("ij,ij->j", x, x)  # type: ignore[operator]
        self.n += x.shape[0]

    def mean_stderr(self) -> tuple[np.ndarray, np.ndarray]:
        assert self.shift is not None and self.s1 is not None and self.s2 is not None
        m = self.s1 / self.n
        var = np.maximum(self.s2 / self.n - m * m, 0.0) * (self.n / max(self.n - 1, 1))
        return self.shift + m, np.sqrt(var / self.n)


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
    rng: int | np.random.Generator | None = 0,
    dist: RewardDistribution | Callable | str | None = None,  # type: ignore[type-arg]
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
        solver_error``.
    """
    gs = _gammas(gamma)
    if samples < 2:
        raise InputError(f"samples must be at least 2 for a standard error, got {samples}")
    idx = mdp.state_indices(states)
    D = as_distribution(dist, mdp.state_index)
    gen = _rng(rng)
    S = mdp.n_states
    all_states = len(idx) == S and bool(np.all(idx == np.arange(S)))
    per_sa = any(g in (0.0, 1.0) for g in gs)
    B = _batch_size(S, mdp.n_actions, samples, max_batch_bytes, per_sa)
    moments = [_Moments() for _ in gs]
    errs = [0.0 for _ in gs]
    done = 0
    while done < samples:
        k = min(B, samples - done)
        R = D.sample(gen, k, S)
        for j, g in enumerate(gs):
            X, err = power_integrand(mdp, R, g, tol=tol)
            moments[j].add(X if all_states else X[:, idx])
            errs[j] = max(errs[j], err)
        done += k
        if progress is not None:
            progress(k)
    rows = []
    for j, g in enumerate(gs):
        mean, se = moments[j].mean_stderr()
        for i, s in enumerate(idx):
            rows.append((mdp.states[s], g, float(mean[i]), float(se[i]), samples, errs[j]))
    return pd.DataFrame(
        rows, columns=["state", "gamma", "power", "stderr", "samples", "solver_error"]
    )


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
    rng: int | np.random.Generator | None = 0,
    dist: RewardDistribution | Callable | str | None = None,  # type: ignore[type-arg]
    max_batch_bytes: float = 2**24,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Monte Carlo optimality probability of each action at ``state`` (Turner et al., Defs 4.3-4.4).

    An action counts for a reward sample when some optimal policy takes it (ties all count, at
    the solver's stated ``tie_tol``), so probabilities at a state can sum to more than 1.

    Returns:
        DataFrame with one row per (action, gamma): ``state, action, gamma, probability,
        stderr, samples``; ``stderr = sqrt(p(1-p)/K)``.
    """
    gs = _gammas(gamma)
    if samples < 2:
        raise InputError(f"samples must be at least 2 for a standard error, got {samples}")
    s = mdp.state_index(state)
    D = as_distribution(dist, mdp.state_index)
    gen = _rng(rng)
    S, A = mdp.n_states, mdp.n_actions
    per_sa = any(g in (0.0, 1.0) for g in gs)
    B = _batch_size(S, A, samples, max_batch_bytes, per_sa)
    counts = np.zeros((len(gs), A))
    done = 0
    while done < samples:
        k = min(B, samples - done)
        R = D.sample(gen, k, S)
        for j, g in enumerate(gs):
            counts[j] += optimal_actions_at(mdp, R, s, g).sum(axis=0)
        done += k
        if progress is not None:
            progress(k)
    rows = []
    n_avail = len(mdp.action_labels[s])
    for j, g in enumerate(gs):
        for a in range(n_avail):
            p = counts[j, a] / samples
            se = float(np.sqrt(p * (1 - p) / samples))
            rows.append((mdp.states[s], mdp.action_labels[s][a], g, float(p), se, samples))
    return pd.DataFrame(
        rows, columns=["state", "action", "gamma", "probability", "stderr", "samples"]
    )
