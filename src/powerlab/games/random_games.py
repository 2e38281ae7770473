r"""Random Bayesian games: integer (exact) games for property tests, and ρ-correlated games.

``correlated_game`` realises the paper's proposed interpolation between aligned and
anti-aligned rewards (Stavrianos & Turner 2021, closing remarks): for every type profile
``t`` and action profile ``a`` the vector ``(r_1(t, a), ..., r_n(t, a))`` is drawn from a
normal distribution with unit variances and all pairwise correlations ``ρ``:

.. math::
    r(t, a) \sim \mathcal N\big(0, (1-ρ) I + ρ \mathbf 1 \mathbf 1^\top\big),
    \qquad ρ \in [-1/(n-1), 1].

``ρ = 1`` gives a common-payoff game, ``ρ = -1`` (two players) a zero-sum game. The prior
is Dirichlet(1, ..., 1) over type profiles (or uniform with ``uniform_prior=True``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.games.model import BayesianGame, make_game

__all__ = ["correlated_game", "integer_game"]


def _shape(n: int, types: int | tuple[int, ...], actions: int | tuple[int, ...]) -> Any:
    tt = (types,) * n if isinstance(types, int) else tuple(types)
    aa = (actions,) * n if isinstance(actions, int) else tuple(actions)
    if len(tt) != n or len(aa) != n or min(tt) < 1 or min(aa) < 1:
        raise InputError(f"random game: need {n} positive type and action counts")
    return tt, aa


def integer_game(
    n: int,
    types: int | tuple[int, ...],
    actions: int | tuple[int, ...],
    rng: Seed = None,
    low: int = -4,
    high: int = 4,
    constant_sum: int | None = None,
    zero_prior_profiles: int = 0,
) -> BayesianGame:
    """An exact random game: integer payoffs in ``[low, high]`` and a rational prior.

    The prior is proportional to integer weights in 1..4; ``zero_prior_profiles`` of the
    type profiles get weight 0 (at least one keeps positive weight). With ``constant_sum=c``
    the last player's payoff is ``c - Σ_{j<n} r_j(t, a)``.
    """
    gen = as_generator(rng)
    tt, aa = _shape(n, types, actions)
    weights = gen.integers(1, 5, size=tt).astype(object)
    flat = weights.reshape(-1)
    k = min(zero_prior_profiles, flat.size - 1)
    for idx in gen.choice(flat.size, size=k, replace=False):
        flat[idx] = 0
    total = int(sum(flat))
    prior = np.array([Fraction(int(w), total) for w in flat], dtype=object).reshape(tt)
    pay = gen.integers(low, high + 1, size=(n, *tt, *aa)).astype(object)
    if constant_sum is not None:
        pay[n - 1] = constant_sum - pay[: n - 1].sum(axis=0)
    return make_game(prior, pay, name="random-integer", exact=True)


def correlated_game(
    n: int,
    types: int | tuple[int, ...],
    actions: int | tuple[int, ...],
    rho: float,
    rng: Seed = None,
    uniform_prior: bool = False,
    grid: int | None = None,
) -> BayesianGame:
    """A game whose players' rewards have pairwise correlation ``rho`` entry by entry.

    At ``ρ = -1/(n-1)`` the covariance has the null vector ``1`` so ``Σ_i r_i = 0`` almost
    surely; the last player's reward is set to ``-Σ_{j<n} r_j`` so that the game is exactly
    zero-sum. With ``grid`` the game is exact: rewards are rounded to multiples of
    ``1/grid`` (before that completion) and the prior to integer weights ``>= 1`` over
    ``grid``, renormalised.

    Raises:
        InputError: ``rho`` outside ``[-1/(n-1), 1]`` (the covariance would not be PSD).
    """
    if n < 2:
        raise InputError("random game: need at least 2 players")
    lo = -1.0 / (n - 1)
    if not lo - 1e-12 <= rho <= 1.0:
        raise InputError(f"rho: must lie in [{lo:g}, 1] for {n} players, got {rho}")
    gen = as_generator(rng)
    tt, aa = _shape(n, types, actions)
    cov = (1 - rho) * np.eye(n) + rho * np.ones((n, n))
    w, v = np.linalg.eigh(cov)
    root = v * np.sqrt(np.clip(w, 0.0, None))  # cov = root @ root.T
    z = gen.standard_normal((n, *tt, *aa))
    pay: Any = np.tensordot(root, z, axes=(1, 0))
    m = int(np.prod(tt))
    prior: Any = np.full(tt, 1.0 / m) if uniform_prior else gen.dirichlet(np.ones(m)).reshape(tt)
    if grid is not None:
        pay = np.vectorize(lambda x: Fraction(round(x * grid), grid), otypes=[object])(pay)
        weights = np.maximum(1, np.rint(prior * grid)).astype(int)
        total = int(weights.sum())
        prior = np.vectorize(lambda w: Fraction(int(w), total), otypes=[object])(weights)
    else:
        prior = prior / prior.sum()
    if abs(rho - lo) <= 1e-12:
        pay[n - 1] = -pay[: n - 1].sum(axis=0)  # exactly zero-sum
    if rho == 1.0:
        pay[1:] = pay[0]  # exactly common payoff
    return make_game(prior, pay, name=f"random-rho={rho:g}", exact=grid is not None)
