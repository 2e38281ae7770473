r"""Two-way cluster bootstrap over agents (seeds) and maze layouts.

Episodes of one agent share its weights, and episodes on one layout share the maze, so
neither episodes nor agents nor layouts are independent draws. The two-way (pigeonhole)
cluster bootstrap (Owen 2007; McCullagh 2000) resamples seeds and layouts independently,
with replacement: replicate b draws seed multiplicities :math:`u_i` and layout
multiplicities :math:`v_j` and evaluates the ratio statistic

.. math:: \hat\theta_b = \frac{\sum_{ij} u_i v_j\, X_{ij}}{\sum_{ij} u_i v_j\, N_{ij}}

for cell totals ``X: [..., seeds, layouts]`` (e.g. successes, or summed log-likelihoods)
and cell sizes ``N: [seeds, layouts]`` (episodes). The interval is the percentile interval
of the replicates. With one seed it reduces to the layout bootstrap, and the report says so.
"""

from __future__ import annotations

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab._types import JSON
from powerlab.errors import InputError

__all__ = ["cluster_bootstrap"]


def cluster_bootstrap(
    X: np.ndarray, N: np.ndarray, B: int = 1000, rng: Seed = None, alpha: float = 0.05
) -> JSON:
    """Ratio estimate ``sum X / sum N`` with a seed x layout cluster bootstrap interval.

    Args:
        X: ``[..., seeds, layouts]`` cell totals (leading axes are separate statistics,
            resampled with the same clusters so their differences are paired).
        N: ``[seeds, layouts]`` cell sizes.
        B: replicates.
    Returns ``{"estimate": [...], "lo": [...], "hi": [...], "se": [...], "seeds", "layouts"}``
    (arrays with X's leading shape, as lists).
    """
    X = np.asarray(X, dtype=np.float64)
    N = np.asarray(N, dtype=np.float64)
    if N.ndim != 2 or X.shape[-2:] != N.shape:
        raise InputError(
            f"cluster_bootstrap: X [..., I, J] and N [I, J] disagree: {X.shape}, {N.shape}"
        )
    if N.sum() <= 0:
        raise InputError("cluster_bootstrap: no episodes")
    gen = as_generator(rng)
    I, J = N.shape
    u = gen.multinomial(I, np.full(I, 1.0 / I), size=B).astype(np.float64)  # [B, I]
    v = gen.multinomial(J, np.full(J, 1.0 / J), size=B).astype(np.float64)  # [B, J]
    num = np.einsum("bi,...ij,bj->...b", u, X, v)
    den = np.einsum("bi,ij,bj->b", u, N, v)
    with np.errstate(invalid="ignore", divide="ignore"):
        reps = num / den
    est = X.sum(axis=(-2, -1)) / N.sum()
    lo = np.nanquantile(reps, alpha / 2, axis=-1)
    hi = np.nanquantile(reps, 1 - alpha / 2, axis=-1)
    se = np.nanstd(reps, axis=-1, ddof=1)
    return {
        "estimate": np.asarray(est).tolist(),
        "lo": np.asarray(lo).tolist(),
        "hi": np.asarray(hi).tolist(),
        "se": np.asarray(se).tolist(),
        "seeds": I,
        "layouts": J,
        "replicates": B,
    }
