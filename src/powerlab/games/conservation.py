r"""Conservation of POWER in constant-sum Bayesian games (Stavrianos & Turner 2021, Theorem).

A game is *constant-sum* with constant ``c`` when ``Σ_i r_i(t, a) = c`` for every action
profile ``a`` and every type profile ``t`` of positive prior probability (profiles of
probability zero never happen, so their payoffs cannot matter). The paper's theorem:

.. math::
    \sum_i \mathrm{POWER}(i, σ) \;\ge\; c, \quad\text{with equality iff σ is a BNE.}

Proof sketch (Stavrianos & Turner 2021, proof of the Theorem): ``max_{a_i} f_i ≥
E_{a_i∼σ_i} f_i`` type by type, and summing the right side over players gives
``E_t E_{a∼σ} Σ_i r_i(t, a) = c``. The *slack*
``Σ_i POWER(i, σ) - c = Σ_i Σ_{t_i} Ω_i(t_i) ρ_i(t_i)`` is the ex-ante regret summed over
players. The proof works verbatim for interdependent rewards ``r_i(t, a)``.

Zero-probability types: their regrets carry weight zero, so "equality iff BNE" says nothing
about their strategies -- any behaviour there is compatible with zero slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from powerlab.games.bne import check_bne
from powerlab.games.model import BayesianGame
from powerlab.games.power import power
from powerlab.games.strategy import check_profile

__all__ = ["ConservationReport", "conservation", "constant_sum_value"]

SUM_TOL = 1e-9


def constant_sum_value(game: BayesianGame, tol: float = SUM_TOL) -> Any | None:
    """The constant ``c`` if ``Σ_i r_i(t, a) = c`` for all ``a`` and all ``t`` with ``Ω(t) > 0``.

    Returns None when the game is not constant-sum.

    Exact comparison for exact games; within ``tol`` for float games.
    """
    total = game.payoffs.sum(axis=0)  # [T..., A...]
    support = [t for t in game.type_profiles() if game.prior[t] != 0]
    vals = np.concatenate([np.asarray(total[t], dtype=total.dtype).ravel() for t in support])
    c = vals[0]
    if game.exact:
        return c if all(v == c for v in vals) else None
    return float(c) if float(np.max(np.abs(vals - c))) <= tol else None


@dataclass(frozen=True)
class ConservationReport:
    """The conservation theorem evaluated at one profile.

    Attributes:
        c: the constant sum.
        power: ``POWER(i, σ)`` per player.
        power_sum: ``Σ_i POWER(i, σ)``.
        slack: ``power_sum - c`` (>= 0 by the theorem).
        is_bne: whether ``σ`` is a BNE (exact, or within ``epsilon`` in float arithmetic).
        unconstrained_types: zero-probability ``(player, type)`` pairs; the "iff" does not
            constrain their strategies.
        note: a human-readable remark on unconstrained types (empty if none).
    """

    c: Any
    power: list[Any]
    power_sum: Any
    slack: Any
    is_bne: bool
    unconstrained_types: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


def conservation(game: BayesianGame, sigma: Any, epsilon: Any = 0) -> ConservationReport | None:
    """Evaluate the conservation theorem at ``σ``; None if the game is not constant-sum."""
    c = constant_sum_value(game)
    if c is None:
        return None
    sig = check_profile(game, sigma)
    pw = power(game, sig)
    total = sum(pw[1:], start=pw[0])
    chk = check_bne(game, sig, epsilon)
    note = ""
    if chk.unconstrained_types:
        names = ", ".join(f"{p}:{t}" for p, t in chk.unconstrained_types)
        note = (
            f"types of probability zero ({names}) are unconstrained: the slack is zero "
            "whatever they play, so 'equality iff BNE' says nothing about them"
        )
    return ConservationReport(c, pw, total, total - c, chk.is_bne, chk.unconstrained_types, note)
