r"""The ε-Bayesian-Nash check (Stavrianos & Turner 2021, §Bayesian games).

``σ`` is a Bayesian Nash equilibrium (BNE) when every type of every player best-responds
in interim expected utility. Its *interim regret* is

.. math::
    ρ_i(t_i) = \max_{a_i} f_i(t_i, a_i, σ_{-i})
             - \mathbb E_{a_i \sim σ_i(t_i)} f_i(t_i, a_i, σ_{-i}),

defined for types with ``Ω_i(t_i) > 0``; ``σ`` is an ε-BNE when ``ρ_i(t_i) ≤ ε`` for all of
them. Types of probability zero are unconstrained (reported, not checked). The ex-ante
regret ``Σ_{t_i} Ω_i(t_i) ρ_i(t_i) = POWER(i, σ) - U_i(σ)`` is what the conservation
theorem sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from powerlab.errors import InputError
from powerlab.games.model import BayesianGame
from powerlab.games.power import power_from_weighted
from powerlab.games.strategy import check_profile
from powerlab.games.utility import _weighted

__all__ = ["BNECheck", "check_bne", "is_epsilon_bne"]


@dataclass(frozen=True)
class BNECheck:
    """Result of the ε-BNE check.

    Attributes:
        epsilon: the tolerance used.
        interim_regret: ``interim_regret[i]: [T_i]``, ``ρ_i(t_i)`` (NaN for zero-probability types).
        ex_ante_regret: ``POWER(i, σ) - U_i(σ)`` per player.
        max_regret: largest interim regret over players and positive-probability types.
        is_bne: ``max_regret <= epsilon``.
        unconstrained_types: ``(player, type)`` pairs of probability zero, not checked.
    """

    epsilon: Any
    interim_regret: list[np.ndarray]
    ex_ante_regret: list[Any]
    max_regret: Any
    is_bne: bool
    unconstrained_types: list[tuple[str, str]] = field(default_factory=list)


def check_bne(game: BayesianGame, sigma: Any, epsilon: Any = 0) -> BNECheck:
    """Interim regrets of ``σ`` and whether it is an ``epsilon``-BNE (exact when inputs are).

    With float arithmetic use a positive ``epsilon`` (e.g. 1e-9): exact ties are not
    representable.

    Raises:
        InputError: negative ``epsilon``.
    """
    if epsilon < 0:
        raise InputError(f"epsilon: must be >= 0, got {epsilon}")
    sig = check_profile(game, sigma)
    regrets, ex_ante, worst = [], [], None
    for i in range(game.n):
        g = _weighted(game, sig, i)
        marg = game.type_marginal(i)
        r = np.empty(g.shape[0], dtype=g.dtype)
        for k in range(g.shape[0]):
            if marg[k] == 0:
                r[k] = float("nan")
                continue
            row = g[k]
            r[k] = (max(row) - (sig[i][k] * row).sum()) / marg[k]
            worst = r[k] if worst is None or r[k] > worst else worst
        regrets.append(r)
        ex_ante.append(power_from_weighted(g) - (sig[i] * g).sum())
    worst = game.zero() if worst is None else worst
    return BNECheck(
        epsilon=epsilon,
        interim_regret=regrets,
        ex_ante_regret=ex_ante,
        max_regret=worst,
        is_bne=bool(worst <= epsilon),
        unconstrained_types=game.zero_probability_types(),
    )


def is_epsilon_bne(game: BayesianGame, sigma: Any, epsilon: Any = 0) -> bool:
    """True when ``σ`` is an ``epsilon``-Bayesian Nash equilibrium (see :func:`check_bne`)."""
    return check_bne(game, sigma, epsilon).is_bne
