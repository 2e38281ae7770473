r"""Low-stakes experiments: regret under delay and distribution shift, and the trap.

Streams (all losses in [0, B]):

* :func:`threshold_losses`: N threshold policies π_i(x) = 1[x > i/(N−1)] on x_t ~ U[0, 1]; the
  label is 1[x_t > θ*] flipped with probability ``noise``; θ* moves from 0.3 to 0.7 at round
  ``shift_at`` (distribution shift of the objective). ℓ_t(i) = B·1[π_i(x_t) ≠ y_t].
* :func:`regression_stream`: x_t uniform on the unit sphere in R^d, y_t = clip(w*·x_t + noise),
  w* replaced by an independent draw at ``shift_at``; for online gradient descent.

The trap (:func:`trap_experiment`): Christiano's low-stakes condition fails when one decision has
an irreversible effect. Two policies: *safe* pays B/4 every round; *greedy* pays 0, but playing
it at round τ = ⌊T/4⌋ is irreversible: from then on every loss is B whatever is played. Hedge
(full information, expected play) reaches round τ with nearly all weight on greedy, so with
probability p_τ(greedy) it is trapped:

.. math::

    E[\text{regret}] = \sum_{t<τ} p_t \cdot ℓ_t + p_τ(\text{greedy})\, B (T-τ-1)
        + (1-p_τ(\text{greedy})) \sum_{t \ge τ} (\ldots) - \frac{B T}{4},

which grows linearly in T (regret/T → B/2 as p_τ(greedy) → 1), while every per-round loss is
still in [0, B]: bounded per-decision *loss* is not bounded per-decision *stakes*.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from powerlab._random import Seed, as_generator
from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.lowstakes.hedge import hedge, hedge_bound
from powerlab.lowstakes.ogd import ogd_squared_loss

__all__ = [
    "LowStakesResult",
    "RegretVsBound",
    "TrapResult",
    "low_stakes_experiment",
    "regression_stream",
    "threshold_losses",
    "trap_experiment",
]


@dataclass(frozen=True)
class TrapResult:
    """Hedge's expected regret in the trap world (module docstring).

    Attributes:
        regret: expected regret against the best fixed policy.
        regret_per_round: ``regret / T``.
        bound: Hedge's bound B sqrt(T ln 2 / 2) for two policies.
        p_trapped: probability of playing greedy at the trap round τ = ⌊T/4⌋.
        best_fixed_loss: the best fixed policy's total loss (in the same world).
    """

    regret: float
    regret_per_round: float
    bound: float
    p_trapped: float
    best_fixed_loss: float


@dataclass(frozen=True)
class RegretVsBound:
    """A learner's regret at the horizon against its bound."""

    regret: float
    bound: float

    @property
    def within_bound(self) -> bool:
        """``regret <= bound``."""
        return self.regret <= self.bound


@dataclass(frozen=True)
class LowStakesResult:
    """What :func:`low_stakes_experiment` measured.

    Attributes:
        horizon, delay, policies, B, shift: the settings.
        hedge, ogd: regret and bound of each learner at ``horizon``.
        curve: one row per horizon ``T`` of the grid: ``T, hedge_regret, hedge_bound,
            ogd_regret, ogd_bound`` and, with the trap, ``trap_regret, trap_bound,
            trap_p_trapped``.
        trap: the trap at ``horizon`` (None without it).
    """

    horizon: int
    delay: int
    policies: int
    B: float
    shift: bool
    hedge: RegretVsBound
    ogd: RegretVsBound
    curve: pd.DataFrame
    trap: TrapResult | None = None

    def to_dict(self) -> JSON:
        """The JSON document of ``powerlab lowstakes --json``."""
        out: JSON = {
            "horizon": self.horizon,
            "delay": self.delay,
            "policies": self.policies,
            "B": self.B,
            "shift": self.shift,
        }
        for name, r in (("hedge", self.hedge), ("ogd", self.ogd)):
            out[name] = {"regret": r.regret, "bound": r.bound, "within_bound": r.within_bound}
        out["curve"] = [
            {k: (int(v) if k == "T" else float(v)) for k, v in row.items()}
            for row in self.curve.to_dict(orient="records")
        ]
        if self.trap is not None:
            out["trap"] = asdict(self.trap)
        return out


def threshold_losses(
    T: int,
    N: int = 21,
    B: float = 1.0,
    shift_at: int | None = None,
    noise: float = 0.1,
    rng: Seed = 0,
) -> np.ndarray:
    """Losses ``[T, N]`` of N threshold policies with a shift of the target at ``shift_at``."""
    if T < 1 or N < 2 or not B > 0 or not 0 <= noise <= 0.5:
        raise InputError(
            f"T, N, B, noise: need T >= 1, N >= 2, B > 0, noise in [0, 0.5]; got {T}, {N}, {B}, {noise}"
        )
    gen = as_generator(rng)
    x = gen.random(T)
    shift = T // 2 if shift_at is None else shift_at
    theta = np.where(np.arange(T) < shift, 0.3, 0.7)
    y = (x > theta) ^ (gen.random(T) < noise)
    thresholds = np.linspace(0.0, 1.0, N)
    pred = x[:, None] > thresholds[None, :]
    return B * (pred != y[:, None]).astype(float)


def regression_stream(
    T: int, d: int = 5, shift_at: int | None = None, rng: Seed = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``X: [T, d]`` on the unit sphere and ``y: [T]`` in [−1, 1], target moved at ``shift_at``."""
    if T < 1 or d < 1:
        raise InputError(f"T, d: need >= 1, got {T}, {d}")
    gen = as_generator(rng)
    X = gen.normal(size=(T, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    w1, w2 = (v / np.linalg.norm(v) for v in gen.normal(size=(2, d)))
    shift = T // 2 if shift_at is None else shift_at
    W = np.where((np.arange(T) < shift)[:, None], w1, w2)
    y = np.clip(np.einsum("td,td->t", W, X) + 0.1 * gen.normal(size=T), -1, 1)
    return X, y


def trap_experiment(T: int, B: float = 1.0, trap: bool = True) -> TrapResult:
    """Expected regret of Hedge against the best fixed policy, with or without the trap.

    Returns the regret, the regret per round, the bound B sqrt(T ln 2 / 2), ``p_trapped`` and
    the best fixed policy's total loss (policy regret: the comparator plays in the same world).
    """
    if T < 8 or not B > 0:
        raise InputError(f"T, B: need T >= 8 and B > 0, got {T}, {B}")
    tau = T // 4
    losses = np.zeros((T, 2))
    losses[:, 0] = B / 4  # safe
    res = hedge(losses, B)  # before the trap, both worlds look the same to Hedge
    p_greedy = res.p[:, 1]
    alive_loss = res.learner_loss
    if not trap:
        return TrapResult(res.regret, res.regret / T, res.bound, 0.0, 0.0)
    p_trap = float(p_greedy[tau])
    # trapped after round tau: every later loss is B; relative weights do not change then
    learner = alive_loss[: tau + 1].sum() + p_trap * B * (T - tau - 1)
    learner += (1 - p_trap) * alive_loss[tau + 1 :].sum()
    best = min(B / 4 * T, B * (T - tau - 1))  # safe throughout, or greedy (trapped after tau)
    regret = float(learner - best)
    return TrapResult(regret, regret / T, hedge_bound(T, 2, B), p_trap, float(best))


def low_stakes_experiment(
    horizon: int = 10_000,
    delay: int = 0,
    trap: bool = False,
    rng: Seed = 0,
    policies: int = 21,
    B: float = 1.0,
    shift: bool = True,
) -> LowStakesResult:
    """Hedge and OGD regret (with ``delay``, and a shift at T/2 if ``shift``) against their
    bounds, for horizons on a grid up to ``horizon``; with ``trap``, the trap's regret too."""
    if horizon < 16:
        raise InputError(f"horizon: {horizon} must be >= 16")
    if delay < 0 or delay >= horizon:
        raise InputError(f"delay: {delay} must be in 0..horizon-1")
    gen = as_generator(rng)
    grid = sorted({int(v) for v in np.geomspace(16, horizon, 8)})
    seeds = gen.integers(2**63, size=2)
    curve: list[dict[str, float]] = []
    for T in grid:
        at = T // 2 if shift else T
        h = hedge(threshold_losses(T, policies, B, shift_at=at, rng=int(seeds[0])), B, delay)
        X, y = regression_stream(T, shift_at=at, rng=int(seeds[1]))
        o = ogd_squared_loss(X, y, 1.0, delay)
        row = {"T": T, "hedge_regret": h.regret, "hedge_bound": h.bound,
               "ogd_regret": o.regret, "ogd_bound": o.bound}  # fmt: skip
        if trap:
            tr = trap_experiment(T, B)
            row.update(trap_regret=tr.regret, trap_bound=tr.bound, trap_p_trapped=tr.p_trapped)
        curve.append(row)
    last = curve[-1]
    return LowStakesResult(
        horizon=horizon,
        delay=delay,
        policies=policies,
        B=B,
        shift=shift,
        hedge=RegretVsBound(last["hedge_regret"], last["hedge_bound"]),
        ogd=RegretVsBound(last["ogd_regret"], last["ogd_bound"]),
        curve=pd.DataFrame(curve),
        trap=trap_experiment(horizon, B) if trap else None,
    )
