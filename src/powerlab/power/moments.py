r"""The one Monte Carlo mean estimator: sufficient statistics, exact combination, batch sizes.

A chunk of ``n`` iid draws :math:`x_1, \dots, x_n` of an integrand (one value per reported
item, e.g. per state) is summarised by

.. math:: n, \qquad \bar x = \frac1n \sum_i x_i, \qquad M_2 = \sum_i (x_i - \bar x)^2,

which determine the sample mean :math:`\bar x`, the unbiased sample variance
:math:`s^2 = M_2/(n-1)` and the standard error of the mean

.. math:: \mathrm{SE} = \sqrt{s^2 / n} = \sqrt{M_2 / ((n-1)\,n)}.

**One standard-error convention, for every integrand.** Indicators are no exception: for an
indicator with sample proportion :math:`p`, :math:`M_2 = n p (1-p)`, so
:math:`\mathrm{SE} = \sqrt{p(1-p)/(n-1)}`, not the plug-in :math:`\sqrt{p(1-p)/n}`. The
:math:`n-1` form is chosen because (a) :math:`s^2` is the unbiased estimator of the variance
for any integrand, while :math:`p(1-p)` is biased low by the factor :math:`(n-1)/n`; (b) it is
the same formula for POWER (a real-valued integrand) and for optimality probability (an
indicator), so one estimator serves both; and (c) it is what the exact pairwise combination
below preserves, so :func:`powerlab.power.power`, :func:`powerlab.power.optimality_probability`
and a sweep report the same standard error for the same draws. The two conventions differ by
the factor :math:`\sqrt{n/(n-1)}`, below 1.0001 at the default 10,000 samples.

Two summaries combine exactly (Chan, Golub & LeVeque 1979, "Updating formulae and a pairwise
algorithm for computing sample variances", eq. 2.1):

.. math:: n = n_a + n_b,\quad \delta = \bar x_b - \bar x_a,\quad
          \bar x = \bar x_a + \delta\,\frac{n_b}{n},\quad
          M_2 = M_{2,a} + M_{2,b} + \delta^2\,\frac{n_a n_b}{n}.

So combining batches (or a sweep's chunks) gives the same mean and standard error as one pass
over all draws, up to floating-point rounding (about 1e-15 relative), and combining them in a
fixed order gives the same bits on every executor. :math:`(n, \bar x, M_2)` carries the same
information as :math:`(n, \sum x, \sum x^2)` but does not lose digits to cancellation when the
variance is small next to the mean.

Draws are evaluated in batches whose arrays stay within a memory budget
(:func:`batch_size`), so memory does not grow with the number of samples; :func:`draw_moments`
is the one loop that draws the batches and combines their summaries, for
:func:`powerlab.power.power`, :func:`powerlab.power.optimality_probability` and a sweep's
chunks alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from powerlab.errors import InputError
from powerlab.power.distributions import RewardDistribution

__all__ = ["Integrand", "Moments", "batch_size", "combine_all", "draw_moments", "moments_of"]

Integrand = Callable[[np.ndarray, float], tuple[np.ndarray, float]]
"""``(R: [k, S], γ) -> (X: [k, I], error bound)``: what is averaged over reward draws."""


@dataclass(frozen=True)
class Moments:
    """Summary ``(n, mean, m2)`` of ``n`` draws of a vector integrand (module docstring).

    Attributes:
        n: number of draws (the same for every item).
        mean: ``[I]`` sample means, one per item.
        m2: ``[I]`` sums of squared deviations from the mean.
    """

    n: int
    mean: np.ndarray
    m2: np.ndarray

    @classmethod
    def empty(cls) -> Moments:
        """The summary of no draws: the identity of :meth:`combine`."""
        return cls(0, np.zeros(0), np.zeros(0))

    def combine(self, other: Moments) -> Moments:
        """The summary of both sets of draws (Chan et al. 1979, eq. 2.1)."""
        if self.n == 0:
            return other
        if other.n == 0:
            return self
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.n / n)
        m2 = self.m2 + other.m2 + delta * delta * (self.n * other.n / n)
        return Moments(n, mean, m2)

    @property
    def stderr(self) -> np.ndarray:
        """``[I]`` standard error of the mean, ``sqrt(m2 / (n - 1) / n)`` (NaN for n < 2)."""
        if self.n < 2:
            return np.full_like(self.mean, np.nan)
        return np.sqrt(self.m2 / (self.n - 1) / self.n)


def moments_of(X: np.ndarray) -> Moments:
    """Two-pass summary of ``X: [n, I]`` (n draws of an I-vector)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise InputError(f"moments_of: X must be [n, I], got shape {X.shape}")
    mean = X.mean(axis=0)
    D = X - mean
    return Moments(int(X.shape[0]), mean, np.einsum("ij,ij->j", D, D))


def combine_all(parts: Iterable[Moments]) -> Moments:
    """Combine summaries left to right; the order is the caller's, so the bits are fixed."""
    acc: Moments | None = None
    for p in parts:
        acc = p if acc is None else acc.combine(p)
    if acc is None:
        raise InputError("combine_all: nothing to combine")
    return acc


def batch_size(
    n_states: int, n_actions: int, limit: int, max_bytes: float, *, per_action: bool = True
) -> int:
    """Reward samples per batch so that one batch's arrays stay within ``max_bytes``.

    A batch of ``k`` rewards ``R: [k, S]`` is budgeted at ``8·S·(6 + 2A)`` bytes per sample
    when per-(state, action) arrays are built (``per_action``: the γ ∈ {0, 1} limits and the
    sweep), else ``8·S·6`` (the reward, the value function and the solver's temporaries).
    The result is at least 1 and at most ``limit`` (the samples wanted).
    """
    per_sample = 8.0 * n_states * (6 + (2 * n_actions if per_action else 0))
    return int(max(1, min(limit, max_bytes // per_sample)))


def draw_moments(
    dist: RewardDistribution,
    gen: np.random.Generator,
    n_states: int,
    gammas: Sequence[float],
    integrand: Integrand,
    samples: int,
    batch: int,
    progress: Callable[[int], None] | None = None,
) -> list[tuple[Moments, float]]:
    """Per γ, the :class:`Moments` of ``integrand`` over ``samples`` rewards ``R: [k, S]``
    drawn from ``dist`` with ``gen`` in batches of at most ``batch``, and the largest error
    bound it reported. Every γ is evaluated on the same rewards (common random numbers), and
    the batches are combined in the order drawn (Chan et al. 1979, eq. 2.1), so the same
    generator state and batch size give the same bits. ``progress(k)`` follows each batch.
    """
    acc = [Moments.empty() for _ in gammas]
    errs = [0.0 for _ in gammas]
    done = 0
    while done < samples:
        k = min(batch, samples - done)
        R = dist.sample(gen, k, n_states)
        for j, g in enumerate(gammas):
            X, err = integrand(R, g)
            acc[j] = acc[j].combine(moments_of(X))
            errs[j] = max(errs[j], err)
        done += k
        if progress is not None:
            progress(k)
    return list(zip(acc, errs, strict=True))
