r"""Hedge (exponential weights) over a finite policy class, with optional feedback delay.

Christiano, "Low-stakes alignment" (2021), Sec. 1: a setting is *low-stakes* if no small number of
decisions matters much, so we only care about average behaviour over long periods, and an online
learner that keeps retraining on the decisions that actually arise suffers only a bounded loss
while it adapts (to a new objective, or to distribution shift). The textbook instance is
prediction with expert advice (Cesa-Bianchi & Lugosi 2006, Thm 2.2; Freund & Schapire 1997).

Losses ℓ_t ∈ [0, B]^N for N policies over T rounds. Hedge with learning rate η plays

.. math::

    p_t(i) \propto \exp\Big(-η \sum_{s<t} ℓ_s(i)\Big),
    \qquad \text{regret} = \sum_t p_t\cdot ℓ_t - \min_i \sum_t ℓ_t(i)
    \le \frac{\ln N}{η} + \frac{η T B^2}{8} = B\sqrt{\tfrac{T \ln N}{2}}

for η = sqrt(8 ln N / T)/B (Hoeffding's lemma; the bound holds for every loss sequence, so for
any distribution shift).

Delay. If the loss of round t is revealed only after round t + D, run D + 1 independent copies
of Hedge, copy k acting on rounds t ≡ k (mod D + 1); each copy has seen every loss of its own
earlier rounds (Weinberger & Ordentlich 2002). With T_k = ⌈T/(D+1)⌉ and η tuned to T_k,
regret ≤ Σ_k B sqrt(T_k ln N / 2) ≤ (D + 1) B sqrt(⌈T/(D+1)⌉ ln N / 2) ≈ B sqrt((D+1) T ln N / 2),
because Σ_k min_i L_k(i) ≤ min_i Σ_k L_k(i).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from powerlab.errors import InputError

__all__ = ["HedgeResult", "delayed_hedge_bound", "hedge", "hedge_bound"]


@dataclass(frozen=True)
class HedgeResult:
    """``p: [T, N]`` mixed strategies, ``learner_loss: [T]`` = p_t · ℓ_t, ``regret``, ``bound``."""

    p: np.ndarray
    learner_loss: np.ndarray
    regret: float
    bound: float
    best_policy: int


def hedge_bound(T: int, N: int, B: float) -> float:
    """B·sqrt(T ln N / 2): Hedge's regret bound with the tuned learning rate."""
    return B * math.sqrt(T * math.log(N) / 2)


def delayed_hedge_bound(T: int, N: int, B: float, delay: int) -> float:
    """(D + 1)·B·sqrt(⌈T/(D+1)⌉ ln N / 2): the bound of D + 1 interleaved Hedge copies."""
    k = delay + 1
    return k * hedge_bound(math.ceil(T / k), N, B)


def _check(losses: np.ndarray, B: float, delay: int) -> None:
    if losses.ndim != 2 or losses.shape[0] < 1 or losses.shape[1] < 1:
        raise InputError(f"losses: expected shape [T, N] with T, N >= 1, got {losses.shape}")
    if not B > 0:
        raise InputError(f"B: loss bound {B} must be > 0")
    if not np.all(np.isfinite(losses)) or losses.min() < 0 or losses.max() > B:
        raise InputError(f"losses: every loss must lie in [0, B] = [0, {B}]")
    if delay < 0:
        raise InputError(f"delay: {delay} must be >= 0")


def hedge(
    losses: np.ndarray, B: float = 1.0, delay: int = 0, eta: float | None = None
) -> HedgeResult:
    """Run (delayed) Hedge on ``losses: [T, N]`` with losses in [0, B] (module docstring).

    ``eta`` defaults to sqrt(8 ln N / T_k)/B with T_k = ⌈T/(delay+1)⌉ rounds per copy.
    """
    losses = np.asarray(losses, dtype=float)
    _check(losses, B, delay)
    T, N = losses.shape
    k = delay + 1
    Tk = math.ceil(T / k)
    if eta is None:
        eta = math.sqrt(8 * math.log(N) / Tk) / B if N > 1 else 1.0
    p = np.empty_like(losses)
    for c in range(k):
        rounds = np.arange(c, T, k)
        seen = np.cumsum(losses[rounds], axis=0) - losses[rounds]  # losses before each round
        logits = -eta * seen
        logits -= logits.max(axis=1, keepdims=True)
        w = np.exp(logits)
        p[rounds] = w / w.sum(axis=1, keepdims=True)
    learner = np.einsum("tn,tn->t", p, losses)
    totals = losses.sum(axis=0)
    best = int(np.argmin(totals))
    regret = float(learner.sum() - totals[best])
    bound = delayed_hedge_bound(T, N, B, delay) if N > 1 else 0.0
    return HedgeResult(p, learner, regret, bound, best)
