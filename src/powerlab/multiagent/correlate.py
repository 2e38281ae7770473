r"""Rewards of agent A correlated with agent H's at a coefficient ρ ∈ [−1, 1].

Construction (a per-state mixture, the one POWERplay uses, Gladstone AI 2022): draw
:math:`R_H \sim \mathcal D` and, independently at every state and sample,
:math:`B \sim \mathrm{Bernoulli}(|\rho|)` and :math:`R' \sim \mathcal D`; then

.. math:: R_A(s) = B\,\phi(R_H(s)) + (1 - B)\,R'(s), \qquad
          \phi(r) = r \ (\rho \ge 0), \quad \phi(r) = c - r \ (\rho < 0),

where :math:`c/2` is the centre of a distribution symmetric about it.

Why this one. The marginal of :math:`R_A` is exactly :math:`\mathcal D` at every ρ (it is
a mixture of :math:`\mathcal D` with :math:`\phi_\#\mathcal D = \mathcal D`), so A's POWER at
ρ is comparable with a single agent's under :math:`\mathcal D`, whatever its shape; a
Gaussian copula or :math:`\rho R_H + \sqrt{1-\rho^2} R'` would change the marginal of a
uniform or Bernoulli draw. Its Pearson correlation is exactly ρ at every state:
:math:`\mathrm{Cov}(R_H, R_A) = |\rho|\,\mathrm{Cov}(R_H, \phi(R_H)) = \rho\,\mathrm{Var}\,R_H`.
ρ = 1 gives common payoff, ρ = −1 constant-sum rewards :math:`R_H + R_A = c`. Negative ρ needs
a distribution symmetric about its centre (uniform, Beta(a, a), Bernoulli(1/2)).
"""

from __future__ import annotations

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.power.distributions import Bernoulli, Beta, RewardDistribution, Uniform

__all__ = ["correlated_rewards", "reflection_constant"]


def reflection_constant(dist: RewardDistribution) -> float:
    """:math:`c` with :math:`c - R \\sim \\mathcal D` for :math:`R \\sim \\mathcal D` (module doc).

    Raises :class:`InputError` for a distribution not known to be symmetric.
    """
    if isinstance(dist, Uniform):
        return dist.low + dist.high
    if isinstance(dist, Beta) and dist.a == dist.b:
        return 1.0
    if isinstance(dist, Bernoulli) and dist.p == 0.5:
        return 1.0
    raise InputError(
        f"negative rho needs a reward distribution symmetric about its centre "
        f"(uniform, beta:a,a, bernoulli:0.5), not {dist.spec}"
    )


def correlated_rewards(
    R_H: np.ndarray, rho: float, dist: RewardDistribution, rng: Seed
) -> np.ndarray:
    """``R_A: [K, S]`` correlated with ``R_H: [K, S]`` at ``rho`` (module docstring).

    ``dist`` must be the distribution ``R_H`` was drawn from; the result has that marginal.
    """
    rho = float(rho)
    if not -1.0 <= rho <= 1.0:
        raise InputError(f"rho must be in [-1, 1], got {rho}")
    R_H = np.asarray(R_H, dtype=np.float64)
    if R_H.ndim != 2:
        raise InputError(f"R_H must have shape [K, S], got {R_H.shape}")
    gen = as_generator(rng)
    K, S = R_H.shape
    fresh = dist.sample(gen, K, S)
    source = R_H if rho >= 0 else reflection_constant(dist) - R_H
    copy = gen.random((K, S)) < abs(rho)
    return np.where(copy, source, fresh)
