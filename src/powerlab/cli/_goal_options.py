"""Options and renderings shared by the goal commands (``gamma-star``, ``goals ...``,
``shutdown``): the goal model G_T that the flags describe (Krakovna & Kramár 2023, Def 6),
its help texts, and table cells."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from powerlab.cli._common import Table, console, parse_gamma, parse_number, say, split_list
from powerlab.errors import InputError

__all__ = [
    "BOX_HELP",
    "EPS_HELP",
    "EPS_REL_HELP",
    "FEATURES_HELP",
    "GAMMA_HELP",
    "NEW_STATE_HELP",
    "ONE_GAMMA_HELP",
    "PRIOR_HELP",
    "READING_HELP",
    "TRAIN_GAMMA_HELP",
    "fmt_cell",
    "fmt_stars",
    "goal_model",
    "one_value",
    "open_gamma",
    "parse_box",
    "print_frame",
    "warn",
]

GAMMA_HELP = "Discount γ in (0, 1); several: -g 0.5 -g 0.9 or -g 0.5,0.9. Fractions like 1/2 work."
ONE_GAMMA_HELP = "Discount γ in (0, 1) of the goals. Fractions like 1/2 work."
BOX_HELP = "Reward box LO,HI of G_T (default 0,1; Theorem 2 needs LO >= 0)."
READING_HELP = (
    "When a trained action counts as optimal for a goal (Krakovna & Kramár 2023, Def 6): "
    "q = it maximises the optimal action value Q* at γ (ties count); immediate = it "
    "maximises the expected immediate reward."
)
NEW_STATE_HELP = "The new state: one the agent never visited in training."


def open_gamma(text: str, flag: str = "--gamma") -> float:
    """A discount γ in the open interval (0, 1), given to ``flag``."""
    return parse_gamma(text, flag, open_low=True, open_high=True)


def one_value(values: list[str] | None, flag: str, default: str) -> str:
    """The single value of ``flag``; a second value is refused, never dropped."""
    items = split_list(values, flag) or [default]
    if len(items) > 1:
        raise InputError(
            f"{flag}: this command takes one value, got {len(items)}: {', '.join(items)}"
        )
    return items[0]


def parse_box(text: str) -> tuple[float, float]:
    """``--box LO,HI``: the reward box of G_T, with LO < HI."""
    parts = text.split(",")
    if len(parts) != 2:
        raise InputError(f"--box: expected LO,HI, got {text!r}")
    lo, hi = (parse_number(p, "--box") for p in parts)
    if not hi > lo:
        raise InputError(f"--box: need LO < HI, got {text!r}")
    return lo, hi


def goal_model(
    mdp: Any,
    box: str,
    prior: str | None,
    features: str | None,
    epsilon: str,
    relative: bool,
    train_gamma: str | None,
) -> Any:
    """The :class:`~powerlab.goals.model.GoalModel` the options describe."""
    from powerlab.goals.features import load_features
    from powerlab.goals.model import GoalModel
    from powerlab.power.distributions import parse_dist

    return GoalModel(
        box=parse_box(box),
        prior=None if prior is None else parse_dist(prior, mdp.state_index),
        features=None if features is None else load_features(mdp, features),
        epsilon=parse_number(epsilon, "--epsilon", low=0.0),
        epsilon_relative=relative,
        train_gamma=None if train_gamma is None else open_gamma(train_gamma, "--train-gamma"),
    )


PRIOR_HELP = (
    "Prior over goals, e.g. beta:2,2 or uniform;s=bernoulli:0.5 (default uniform on the box)."
)
FEATURES_HELP = "Features file: goals are θ = Φw with the box on w."
EPS_HELP = "Approximate compatibility: trained actions within E of optimal (rejection only)."
EPS_REL_HELP = "Read --epsilon relative to each goal's value range."
TRAIN_GAMMA_HELP = "Form G_T at this training discount (default: the evaluation γ)."


def fmt_cell(v: Any) -> str:
    """A table cell: ``-`` for a missing value, yes/no, or a float to 4 places."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def print_frame(frame: Any, title: str) -> None:
    """A DataFrame as a table (user text is literal, never markup)."""
    table = Table(title=title)
    for col in frame.columns:
        table.add_column(str(col), justify="right")
    for row in frame.itertuples(index=False):
        table.add_row(*(fmt_cell(v) for v in row))
    console.print(table)


def warn(lines: Any) -> None:
    """Each line as ``warning: LINE`` on stderr."""
    for line in lines:
        say(f"warning: {line}", err=True)


def fmt_stars(gamma_stars: dict[str, float]) -> str:
    """``state γ*`` pairs as a reader writes them."""
    return ", ".join(f"{k} {v:.6g}" for k, v in sorted(gamma_stars.items()))
