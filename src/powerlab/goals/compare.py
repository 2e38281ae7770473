r"""Theorem 2 under several goal models, side by side (Turner's critique made computable).

Theorem 2 (Krakovna & Kramár 2023) bounds the fraction of goals avoiding shutdown by
n/(n+1) for goals uniform on :math:`G_T`, and, since the bound counts within orbits, for
any prior that treats the rewards of :math:`S_{reach}` exchangeably. Turner's comment
attacks the assumption that training picks goals that way. :func:`compare_models` runs
:func:`~powerlab.goals.shutdown.analyze_shutdown` once per
:class:`~powerlab.goals.model.GoalModel` (a prior, features, approximate compatibility, a
box, a training discount) and puts the measured avoidance fraction of each beside the
bound, with the premises that each model breaks, so a reader sees how much the
conclusion depends on the assumption.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.goals.model import GoalModel
from powerlab.goals.shutdown import analyze_shutdown
from powerlab.goals.training import TrainingData
from powerlab.mdp import MDP

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["compare_models"]


def compare_models(
    mdp: MDP,
    training: TrainingData,
    new_state: str | int,
    shutdown_action: str | int,
    gammas: Sequence[float],
    models: Sequence[GoalModel],
    rng: Seed = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """One row per (model, γ): ``goal_model``, ``gamma``, ``n``, ``bound`` (None where a
    premise fails), ``avoid``, ``stderr``, ``low``, ``high`` (95% Wilson),
    ``failed_premises``, ``warnings``. ``kwargs`` go to
    :func:`~powerlab.goals.shutdown.analyze_shutdown` (reading, samples, sampler, ...);
    only the reward-paid-once convention is run."""
    import pandas as pd

    if not models:
        raise InputError("compare_models needs at least one goal model")
    gen = as_generator(rng)
    frames = []
    for model in models:
        res = analyze_shutdown(
            mdp, training, new_state, shutdown_action, gammas, model=model, rng=gen,
            conventions=("once",), orbits=0, **kwargs,
        )  # fmt: skip
        f = res.frame()[
            ["gamma", "n", "bound", "avoid", "stderr", "low", "high", "failed_premises", "warnings"]
        ]
        f.insert(0, "goal_model", model.label)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)
