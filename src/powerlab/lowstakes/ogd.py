r"""Online gradient descent on a convex loss over a Euclidean ball (Zinkevich 2003).

Rounds t = 1..T: the learner picks w_t ∈ K = {w : ‖w‖ ≤ R} ⊂ R^d, sees (x_t, y_t) with
‖x_t‖ ≤ 1, |y_t| ≤ 1, and pays the squared loss f_t(w) = (w·x_t − y_t)²/2, whose gradient
(w·x_t − y_t) x_t has norm at most G = R + 1 on K. Projected OGD with fixed step η,

.. math::

    w_{t+1} = Π_K(w_t − η ∇f_t(w_t)), \qquad
    \text{regret} = \sum_t f_t(w_t) - \min_{w ∈ K}\sum_t f_t(w) \le \frac{D^2}{2η} + \frac{η G^2 T}{2}
    = D G \sqrt{T}

for η = D/(G sqrt T), with D = 2R the diameter of K (Hazan 2016, Thm 3.1 with a fixed step).
The comparator min_{w ∈ K} is the ball-constrained least-squares solution (found by bisection
on the ridge multiplier).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from powerlab.errors import InputError

__all__ = ["OGDResult", "best_in_ball", "ogd_squared_loss"]


@dataclass(frozen=True)
class OGDResult:
    """``w: [T, d]`` iterates, ``learner_loss: [T]``, ``regret``, ``bound`` = D G sqrt(T)."""

    w: np.ndarray
    learner_loss: np.ndarray
    regret: float
    bound: float
    comparator: np.ndarray


def best_in_ball(X: np.ndarray, y: np.ndarray, R: float) -> np.ndarray:
    """argmin_{‖w‖ ≤ R} Σ_t (w·x_t − y_t)²/2 for ``X: [T, d]``, ``y: [T]``."""
    A = X.T @ X
    b = X.T @ y
    d = A.shape[0]
    w = np.linalg.lstsq(A, b, rcond=None)[0]
    if np.linalg.norm(w) <= R:
        return w
    lo, hi = 0.0, 1.0
    while np.linalg.norm(np.linalg.solve(A + hi * np.eye(d), b)) > R:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if np.linalg.norm(np.linalg.solve(A + mid * np.eye(d), b)) > R:
            lo = mid
        else:
            hi = mid
    return np.linalg.solve(A + hi * np.eye(d), b)


def ogd_squared_loss(X: np.ndarray, y: np.ndarray, R: float = 1.0, delay: int = 0) -> OGDResult:
    """Projected OGD on ``X: [T, d]``, ``y: [T]`` (‖x‖ ≤ 1, |y| ≤ 1); module docstring.

    With ``delay`` D (the gradient of round t is known only after round t + D), D + 1 interleaved
    copies of OGD run on the rounds t ≡ k (mod D + 1), each with its step tuned to ⌈T/(D+1)⌉
    rounds; the bound is (D + 1)·D G sqrt(⌈T/(D+1)⌉), as in :mod:`powerlab.lowstakes.hedge`.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise InputError(f"X, y: expected [T, d] and [T], got {X.shape}, {y.shape}")
    if np.any(np.linalg.norm(X, axis=1) > 1 + 1e-12) or np.any(np.abs(y) > 1):
        raise InputError("X, y: need ‖x_t‖ <= 1 and |y_t| <= 1")
    if not R > 0 or delay < 0:
        raise InputError(f"R, delay: need R > 0 and delay >= 0, got {R}, {delay}")
    T, d = X.shape
    k = delay + 1
    Tk = math.ceil(T / k)
    D, G = 2 * R, R + 1
    eta = D / (G * math.sqrt(Tk))
    ws = np.zeros((k, d))  # one iterate per interleaved copy
    W = np.zeros((T, d))
    for t in range(T):
        c = t % k
        w = ws[c]
        W[t] = w
        g = (w @ X[t] - y[t]) * X[t]
        w = w - eta * g
        n = np.linalg.norm(w)
        ws[c] = w if n <= R else w * (R / n)
    losses = 0.5 * (np.einsum("td,td->t", W, X) - y) ** 2
    w_star = best_in_ball(X, y, R)
    best = 0.5 * float(((X @ w_star - y) ** 2).sum())
    return OGDResult(W, losses, float(losses.sum() - best), k * D * G * math.sqrt(Tk), w_star)
