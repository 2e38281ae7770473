r"""Priors over :math:`G_T`: which goals training picks, beyond uniform (Turner's critique).

Krakovna & Kramár (2023) assume the trained goal is uniform on :math:`G_T`; Turner's
comment on that post argues training does not pick goals that way. So any reward
distribution of :mod:`powerlab.power.distributions` can serve as the prior, conditioned
on training compatibility: :math:`p(\theta \mid G_T) \propto p(\theta)\,1[\theta \in G_T]`.

Which sampler is valid for which prior:

* **rejection** (draw θ from the prior, keep it iff θ ∈ :math:`G_T`) is exact for *every*
  prior: uniform, beta, Bernoulli, per-state overrides and callables.
* **hit-and-run** draws the constrained coordinates uniformly on :math:`G^C_T`, draws the
  free coordinates (those in no training constraint) exactly from the prior, and
  reweights each draw by the prior density of its constrained coordinates
  (self-normalised importance sampling; the priors here are products over coordinates,
  so this is the prior conditioned on :math:`G_T`). It is valid for priors with a
  *bounded* density on the box: uniform, beta with a, b >= 1, and per-state combinations of these;
  the effective sample size is the chain's times Kish's :math:`(\sum w)^2 / (N \sum w^2)`.
  A beta with a < 1 or b < 1 (unbounded density: weights of infinite variance), Bernoulli
  (no density) and callables (unknown density) are refused with a pointer to rejection.

The box of :math:`G_T` is the prior's support: ``uniform:a,b`` gives [a, b] per state,
beta and Bernoulli [0, 1].
"""

from __future__ import annotations

import numpy as np

from powerlab.errors import InputError
from powerlab.power.distributions import (
    Bernoulli,
    Beta,
    PerState,
    RewardDistribution,
    Uniform,
)

__all__ = ["log_density", "prior_box"]


def _support(dist: RewardDistribution) -> tuple[float, float]:
    if isinstance(dist, Uniform):
        return dist.low, dist.high
    if isinstance(dist, Beta | Bernoulli):
        return 0.0, 1.0
    raise InputError(f"prior {dist.spec!r}: support unknown (use uniform, beta or bernoulli)")


def prior_box(dist: RewardDistribution, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """``(lo, hi)``, each ``[dim]``: the per-coordinate support of ``dist``."""
    if isinstance(dist, PerState):
        lo_b, hi_b = _support(dist.base)
        lo, hi = np.full(dim, lo_b), np.full(dim, hi_b)
        for s, d in dist.overrides.items():
            lo[s], hi[s] = _support(d)
        return lo, hi
    lo_b, hi_b = _support(dist)
    return np.full(dim, lo_b), np.full(dim, hi_b)


def _column_logpdf(dist: RewardDistribution, y: np.ndarray) -> np.ndarray:
    if isinstance(dist, Uniform):
        inside = (dist.low <= y) & (y <= dist.high)
        return np.where(inside, -np.log(dist.high - dist.low), -np.inf)
    if isinstance(dist, Beta):
        if dist.a < 1 or dist.b < 1:
            raise InputError(
                f"prior {dist.spec}: density unbounded (a or b < 1); hit-and-run cannot "
                "reweight it, use the rejection sampler"
            )
        from scipy.stats import beta

        return np.asarray(beta.logpdf(y, dist.a, dist.b))
    raise InputError(
        f"prior {dist.spec}: no density for hit-and-run to reweight by; use the rejection sampler"
    )


def log_density(
    dist: RewardDistribution, Y: np.ndarray, columns: np.ndarray | None = None
) -> np.ndarray:
    """``Y: [K, m]`` -> ``[K]`` log prior density of the coordinates ``columns: [m]`` (all
    when ``None``; the priors here are products over coordinates, so any subset has its
    own density). The module docstring says which priors have one; others raise
    :class:`InputError` naming the rejection sampler."""
    Y = np.atleast_2d(np.asarray(Y, dtype=np.float64))
    cols = np.arange(Y.shape[1]) if columns is None else np.asarray(columns)
    if isinstance(dist, PerState):
        out = np.zeros(len(Y))
        over = dict(dist.overrides)
        for j, c in enumerate(cols):
            out += _column_logpdf(over.get(int(c), dist.base), Y[:, j])
        return out
    return np.asarray(_column_logpdf(dist, Y.ravel()).reshape(Y.shape).sum(axis=1))
