r"""Interim expected utility and best responses (Stavrianos & Turner 2021, §Bayesian games).

For a profile ``σ`` Stavrianos & Turner (2021) define the *interim expected utility*

.. math::
    f_i(t_i, a_i, σ_{-i}) = \mathbb E_{t_{-i} \mid t_i}\, \mathbb E_{a_{-i} \sim σ_{-i}(t_{-i})}
    \, r_i(t, a),

computed here as one tensor contraction (``np.einsum``) of the *ex-ante weighted* utility

.. math::
    g_i(t_i, a_i) = \sum_{t_{-i}, a_{-i}} Ω(t)\, r_i(t, a) \prod_{j \ne i} σ_j(a_j \mid t_j)
    = Ω_i(t_i)\, f_i(t_i, a_i, σ_{-i}),

so ``f_i = g_i / Ω_i(t_i)`` where the marginal ``Ω_i(t_i) > 0``. For a type of probability
zero the conditional expectation is undefined: its rows are NaN and every action counts
as a best response (no condition on such a type can be tested).

Arrays: ``g, f: [T_i, A_i]``.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from powerlab.games.model import BayesianGame
from powerlab.games.strategy import Profile, check_profile

__all__ = [
    "best_responses",
    "expected_payoffs",
    "interim_utility",
]

TIE_TOL = 1e-9


def _einsum_spec(n: int, i: int) -> str:
    tl, al = string.ascii_lowercase[:n], string.ascii_uppercase[:n]
    ops = [tl, tl + al] + [tl[j] + al[j] for j in range(n) if j != i]
    return ",".join(ops) + "->" + tl[i] + al[i]


def _weighted(game: BayesianGame, sigma: Profile, i: int) -> np.ndarray:
    i = game.check_player(i)
    exact = sigma[0].dtype == object
    prior = game.prior if exact else np.asarray(game.prior, dtype=float)
    pay = game.payoffs[i] if exact else np.asarray(game.payoffs[i], dtype=float)
    others = [sigma[j] for j in range(game.n) if j != i]
    return np.einsum(_einsum_spec(game.n, i), prior, pay, *others, optimize=not exact)


def interim_utility(game: BayesianGame, sigma: Any, i: int) -> np.ndarray:
    """Interim expected utility ``f_i(t_i, a_i, σ_{-i})`` (Stavrianos & Turner 2021): ``[T_i, A_i]``.

    Rows of zero-probability types are NaN (the conditional expectation is undefined).
    """
    sig = check_profile(game, sigma)
    g = _weighted(game, sig, i)
    marg = game.type_marginal(i)
    out = np.empty(g.shape, dtype=g.dtype)
    for k in range(g.shape[0]):
        out[k] = g[k] / marg[k] if marg[k] != 0 else float("nan")
    return out


def expected_payoffs(game: BayesianGame, sigma: Any) -> list[Any]:
    """Ex-ante expected payoffs ``U_i(σ) = Σ_{t_i, a_i} σ_i(a_i|t_i) g_i(t_i, a_i)``, per player."""
    sig = check_profile(game, sigma)
    return [(sig[i] * _weighted(game, sig, i)).sum() for i in range(game.n)]


def best_responses(game: BayesianGame, sigma: Any, i: int, tol: float = TIE_TOL) -> np.ndarray:
    """Boolean mask ``[T_i, A_i]`` of interim best responses ``argmax_{a_i} f_i(t_i, a_i, σ_{-i})``.

    Exact comparison in exact arithmetic; in float, actions within ``tol`` of the maximum tie.
    Every action is a best response for a type of probability zero.
    """
    sig = check_profile(game, sigma)
    g = _weighted(game, sig, i)
    marg = game.type_marginal(i)
    mask = np.ones(g.shape, dtype=bool)
    exact = g.dtype == object
    for k in range(g.shape[0]):
        if marg[k] == 0:
            continue
        f = g[k] / marg[k]
        best = max(f)
        mask[k] = [x == best if exact else x >= best - tol for x in f]
    return mask
