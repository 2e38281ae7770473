r"""Where a goal's optimal policy leads in a test situation (the CoinRun example).

Krakovna & Kramár (2023), CoinRun example: during training the coin is always at the end
of the level, so :math:`G_T` holds goals that reward the coin and goals that reward the end
of the level; when the coin is moved at test time they come apart (goal misgeneralization).
:func:`destinations` follows each goal's optimal policy (lowest slot among ties) from a
start state in a deterministic MDP until it reaches a terminal state or repeats a state,
and names where it ends. :func:`misgeneralization` compares where goals drawn uniformly
from :math:`G_T` end with where goals drawn from the unconstrained prior (uniform on the
same box) end: for each destination the two fractions with their Wilson intervals, and
the odds ratio :math:`\frac{p_G/(1-p_G)}{p_0/(1-p_0)}`, how much conditioning on training
compatibility moves the odds. Uniform on :math:`G_T` is the prior conditioned on
:math:`G_T`, so the prior's acceptance rate is :math:`\mathrm{vol}(G_T)/\mathrm{vol(box)}`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.goals.compatible import goal_set
from powerlab.goals.draw import sample_goals
from powerlab.goals.features import FeatureMap
from powerlab.goals.samples import GoalSamples
from powerlab.goals.training import TrainingData
from powerlab.mdp import MDP, solve

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PROGRESS_PER_SAMPLE", "Misgeneralization", "destinations", "misgeneralization"]

PROGRESS_PER_SAMPLE = 3
"""Progress units of :func:`misgeneralization` per goal sample: its draw, then following
its optimal policy and a prior goal's."""


def destinations(mdp: MDP, R: np.ndarray, gamma: float, start: str | int) -> Counter[str]:
    """Count, over goals ``R: [K, S]``, where the optimal policy from ``start`` ends.

    The label is the terminal state's name, or ``"stays at X"`` when the path settles in a
    cycle through X (X the first repeated state). Deterministic MDPs only.
    """
    return Counter(_ends(mdp, R, gamma, start))


def _ends(mdp: MDP, R: np.ndarray, gamma: float, start: str | int) -> list[str]:
    succ = mdp.successor
    if succ is None:
        raise InputError(f"{mdp.name}: destinations need a deterministic MDP")
    s0 = mdp.state_index(start)
    pol = solve(mdp, np.atleast_2d(R), gamma, want_q=False).policy  # [K, S]
    out = []
    for k in range(pol.shape[0]):
        s, seen = s0, set()
        while True:
            if mdp.terminal[s]:
                out.append(mdp.states[s])
                break
            if s in seen:
                out.append(f"stays at {mdp.states[s]}")
                break
            seen.add(s)
            s = int(succ[s, pol[k, s]])
    return out


@dataclass(frozen=True)
class Misgeneralization:
    """The result of :func:`misgeneralization`.

    Attributes:
        frame: one row per destination: ``destination``, ``prior``, ``prior_low``,
            ``prior_high``, ``g_t``, ``g_t_low``, ``g_t_high`` (95% Wilson) and
            ``odds_ratio`` (G_T odds over prior odds; inf/0/NaN where a fraction is 0 or 1).
        acceptance: the prior's probability of :math:`G_T` (box draws in :math:`G_T`).
        samples: the :math:`G_T` draws.
        warnings: mixing warnings of the :math:`G_T` sampler.
    """

    frame: pd.DataFrame
    acceptance: float
    gamma: float
    start: str
    features: tuple[str, ...]
    samples: GoalSamples
    warnings: tuple[str, ...]

    def as_dict(self) -> JSON:
        """The JSON form (docs/goals.md)."""
        return {
            "start": self.start,
            "gamma": self.gamma,
            "features": list(self.features),
            "acceptance": self.acceptance,
            "sampler": self.samples.sampler,
            "ess": self.samples.ess,
            "rhat": self.samples.rhat,
            "rows": self.frame.to_dict("records"),
            "warnings": list(self.warnings),
        }


def _odds(p: float) -> float:
    return float("inf") if p >= 1.0 else p / (1.0 - p)


def misgeneralization(
    mdp: MDP,
    training: TrainingData,
    features: FeatureMap | None,
    start: str | int,
    gamma: float,
    samples: int,
    rng: Seed = None,
    *,
    box: tuple[float, float] = (0.0, 1.0),
    sampler: str = "hit-and-run",
    progress: Callable[[int], None] | None = None,
) -> Misgeneralization:
    """Where :math:`G_T`-uniform goals and prior goals end from ``start`` (module docstring).

    Args:
        features: Φ for goals :math:`\\theta = \\Phi w` (``None``: rewards on states).
        gamma: the discount of both :math:`G_T` and the test situation.
        samples: goals drawn from each of the prior and :math:`G_T`.
        box: the box of the prior (on w with features).
        sampler: how :math:`G_T` is drawn (``"hit-and-run"`` or ``"rejection"``).
        progress: advanced by :data:`PROGRESS_PER_SAMPLE` ``x samples`` units in all: one
            per :math:`G_T` draw as it is kept, then ``samples`` once the destinations of
            the :math:`G_T` goals are known and ``samples`` once those of the prior's are.
    """
    import pandas as pd

    gen = as_generator(rng)
    phi = None if features is None else features.matrix
    names = () if features is None else features.names
    gs = goal_set(mdp, training, gamma, "q", box, phi, names)
    advance = progress or (lambda k: None)
    g_draw = sample_goals(gs, sampler, samples, gen, progress=advance)
    Y = gs.lo + (gs.hi - gs.lo) * gen.random((samples, gs.dim))
    prior_R = gs.to_theta(Y)
    acceptance = float(gs.contains_coords(Y).mean())
    ends_g = np.array(_ends(mdp, g_draw.samples, gamma, start))
    advance(samples)
    ends_0 = np.array(_ends(mdp, prior_R, gamma, start))
    advance(samples)
    iid = GoalSamples(prior_R, "prior", "q", gamma, 0.0, np.full(samples, -1))
    rows = []
    for d in sorted(set(ends_g) | set(ends_0)):
        f0 = iid.fraction(ends_0 == d)
        fg = g_draw.fraction(ends_g == d)
        den = _odds(f0.value)
        ratio = _odds(fg.value) / den if den > 0 else float("nan")
        rows.append(
            {
                "destination": d,
                "prior": f0.value,
                "prior_low": f0.low,
                "prior_high": f0.high,
                "g_t": fg.value,
                "g_t_low": fg.low,
                "g_t_high": fg.high,
                "odds_ratio": ratio,
            }
        )
    return Misgeneralization(
        pd.DataFrame(rows),
        acceptance,
        float(gamma),
        mdp.states[mdp.state_index(start)],
        tuple(names),
        g_draw,
        g_draw.warnings,
    )
