r"""Open question (c): finite-horizon Bayesian stochastic games and POWER at the first stage.

Model (the paper's "Bayesian stochastic games", Stavrianos & Turner 2021, closing remarks).
Types ``t ~ Ω`` are drawn once and each player learns its own; the initial state is
``s_0 ~ μ``. For ``h = 0, ..., H-1`` the players see the public history
``p_h = (s_0, a^0, s_1, ..., a^{h-1}, s_h)`` (states and all past joint actions), choose
``a^h`` simultaneously, receive ``r_i(t, s_h, a^h)``, and the state moves to
``s_{h+1} ~ P(· | s_h, a^h)``. Payoffs are undiscounted totals over the ``H`` stages.

A behaviour strategy maps (own type, public history) to a mixed action:
``σ_i(· | t_i, p_h) ∈ Δ(A_i)``.

**POWER at the first stage** (our definition; docs/games-sequential.md gives the reasons):

.. math::
    \mathrm{POWER}(i, σ) = \mathbb E_{t_i}\Big[\max_{π_i}
        \mathbb E\big[\textstyle\sum_{h<H} r_i(t, s_h, a^h) \,\big|\, t_i, π_i, σ_{-i}\big]\Big],

the paper's formula with the one-shot ``max_{a_i}`` replaced by a maximum over whole
continuation strategies ``π_i`` of player ``i``. For ``H = 1`` it is the paper's POWER; with one
player it is the optimal value of a finite-horizon MDP averaged over types (Turner et al.'s
POWER before normalization). The paper's conservation theorem carries over verbatim: in a
constant-sum game with per-stage constant ``c``, ``Σ_i POWER(i, σ) ≥ H c`` with equality iff
``σ`` is a Nash equilibrium of the tree (no player gains by any deviation).

Computation is backward induction over player ``i``'s information sets ``(t_i, p_h)`` with
unnormalized weights ``ρ(t, p_h) = Ω(t) μ(s_0) Π_k σ_{-i}(a^k_{-i} | t_{-i}, p_k) P(s_{k+1}|s_k, a^k)``:

.. math::
    V_i(t_i, p_h) = \max_{a_i} \sum_{a_{-i}} \Big[\sum_{t_{-i}} ρ(t, p_h)\, σ_{-i}(a_{-i}|t_{-i}, p_h)
      \, r_i(t, s_h, a) + \sum_{s'} V_i(t_i, p_h a s')\Big],
    \qquad \mathrm{POWER}(i, σ) = \sum_{t_i, s_0} V_i(t_i, (s_0)).

Perfect recall makes the maximization separable across successor histories. Equilibria
come from Gambit on the extensive form: :func:`powerlab.games.stochastic_solve.solve_stochastic`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from powerlab.errors import InputError
from powerlab.games._numbers import as_exact_array, as_float_array, is_rational_array

__all__ = [
    "BayesianStochasticGame",
    "expected_totals",
    "make_stochastic_game",
    "sequential_power",
    "uniform_behaviour",
]

PublicHistory = tuple[Any, ...]
Behaviour = list[dict[tuple[int, PublicHistory], np.ndarray]]


@dataclass(frozen=True, eq=False)
class BayesianStochasticGame:
    """A finite-horizon Bayesian stochastic game (see the module docstring).

    Attributes:
        players: names, length ``n``.
        prior: ``[T_1, ..., T_n]`` joint type prior.
        initial: ``[S]`` initial state distribution ``μ``.
        transition: ``[S, A_1, ..., A_n, S]``, ``P(s' | s, a)``.
        rewards: ``[n, T_1, ..., T_n, S, A_1, ..., A_n]``, ``r_i(t, s, a)``.
        horizon: number of stages ``H >= 1``.
    """

    players: tuple[str, ...]
    prior: np.ndarray
    initial: np.ndarray
    transition: np.ndarray
    rewards: np.ndarray
    horizon: int

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.players)

    @property
    def exact(self) -> bool:
        """Exact (``Fraction``) arithmetic."""
        return self.prior.dtype == object

    @property
    def num_types(self) -> tuple[int, ...]:
        """``(T_1, ..., T_n)``."""
        return tuple(self.prior.shape)

    @property
    def num_actions(self) -> tuple[int, ...]:
        """``(A_1, ..., A_n)``."""
        return tuple(self.transition.shape[1:-1])

    def public_histories(self, h: int) -> list[PublicHistory]:
        """All public histories ``(s_0, a^0, s_1, ..., s_h)`` reachable under some actions."""
        hist: list[PublicHistory] = [
            (s,) for s in range(self.initial.shape[0]) if self.initial[s] != 0
        ]
        for _ in range(h):
            nxt = []
            for p in hist:
                for a in itertools.product(*(range(k) for k in self.num_actions)):
                    for s2 in np.flatnonzero([x != 0 for x in self.transition[(p[-1], *a)]]):
                        nxt.append((*p, a, int(s2)))
            hist = nxt
        return hist


def _dist(arr: np.ndarray, exact: bool, where: str) -> None:
    if any(x < 0 for x in arr.flat):
        raise InputError(f"{where}: negative probability")
    tot = arr.sum(axis=-1)
    bad = [x for x in np.ravel(tot) if (x != 1 if exact else abs(float(x) - 1) > 1e-9)]
    if bad:
        raise InputError(f"{where}: probabilities sum to {bad[0]}, not 1")


def make_stochastic_game(
    prior: Any,
    initial: Any,
    transition: Any,
    rewards: Any,
    horizon: int,
    players: Sequence[str] | None = None,
) -> BayesianStochasticGame:
    """Validate and build a :class:`BayesianStochasticGame` (exact when all inputs are rational).

    Raises:
        InputError: inconsistent shapes, distributions that do not sum to 1, ``horizon < 1``.
    """
    arrs = [np.asarray(x, dtype=object) for x in (prior, initial, transition, rewards)]
    exact = all(is_rational_array(a) for a in arrs)
    conv = as_exact_array if exact else as_float_array
    pr, mu, tr, rw = (
        conv(a, w) for a, w in zip(arrs, ("prior", "initial", "transition", "rewards"), strict=True)
    )
    n = pr.ndim
    S = mu.shape[0] if mu.ndim == 1 else -1
    if S < 1 or tr.ndim != n + 2 or tr.shape[0] != S or tr.shape[-1] != S:
        raise InputError(f"transition: expected shape [S={S}, *actions, S], got {list(tr.shape)}")
    ashape = tr.shape[1:-1]
    if rw.shape != (n, *pr.shape, S, *ashape):
        raise InputError(
            f"rewards: expected shape {[n, *pr.shape, S, *ashape]}, got {list(rw.shape)}"
        )
    if horizon < 1:
        raise InputError(f"horizon: must be at least 1, got {horizon}")
    _dist(pr.reshape(-1), exact, "prior")
    _dist(mu, exact, "initial")
    _dist(tr, exact, "transition")
    names = tuple(players) if players is not None else tuple(f"P{i + 1}" for i in range(n))
    if len(names) != n or len(set(names)) != n:
        raise InputError(f"players: expected {n} distinct names")
    return BayesianStochasticGame(names, pr, mu, tr, rw, int(horizon))


def uniform_behaviour(game: BayesianStochasticGame) -> Behaviour:
    """Every type mixes uniformly at every public history."""
    out: Behaviour = []
    for i in range(game.n):
        a = game.num_actions[i]
        u = np.array([Fraction(1, a)] * a, dtype=object) if game.exact else np.full(a, 1.0 / a)
        out.append(
            {
                (ti, p): u
                for h in range(game.horizon)
                for p in game.public_histories(h)
                for ti in range(game.num_types[i])
            }
        )
    return out


def _zero(game: BayesianStochasticGame, sigma: Behaviour) -> Any:
    exact = game.exact and all(v.dtype == object for d in sigma for v in d.values())
    return Fraction(0) if exact else 0.0


def _opp_prob(
    sigma: Behaviour, i: int, t: tuple[int, ...], p: PublicHistory, a: tuple[int, ...]
) -> Any:
    prob: Any = 1
    for j in range(len(sigma)):
        if j != i:
            prob = prob * sigma[j][(t[j], p)][a[j]]
    return prob


def sequential_power(
    game: BayesianStochasticGame, sigma: Behaviour, i: int, depth: int | None = None
) -> Any:
    """POWER at the first stage of player ``i`` (module docstring), by backward induction.

    ``depth=None`` (our definition) maximizes over whole continuation strategies. ``depth=d``
    maximizes only over the first ``d`` stages and follows ``σ_i`` afterwards; ``depth=1`` is
    the rejected "one-shot" alternative ``E_{t_i}[max_{a_i} Q_i(t_i, s_0, a_i; σ)]``
    discussed in docs/games-sequential.md.
    """
    if not 0 <= i < game.n:
        raise InputError(f"player index {i!r}: the game has players 0..{game.n - 1}")
    limit = game.horizon if depth is None else depth
    if limit < 1:
        raise InputError(f"depth: must be at least 1, got {depth}")
    zero = _zero(game, sigma)
    types = list(itertools.product(*(range(k) for k in game.num_types)))
    acts = list(itertools.product(*(range(k) for k in game.num_actions)))
    total = zero
    for ti in range(game.num_types[i]):
        own = [t for t in types if t[i] == ti and game.prior[t] != 0]
        if not own:
            continue

        def value(
            p: PublicHistory,
            rho: dict[tuple[int, ...], Any],
            h: int,
            own: list[Any] = own,
            ti: int = ti,
        ) -> Any:
            s = p[-1]
            best = None
            follow = zero
            for ai in range(game.num_actions[i]):
                q = zero
                for a in acts:
                    if a[i] != ai:
                        continue
                    nxt: dict[tuple[int, ...], Any] = {}
                    for t in own:
                        w = rho[t] * _opp_prob(sigma, i, t, p, a)
                        q = q + w * game.rewards[(i, *t, s, *a)]
                        nxt[t] = w
                    if h + 1 < game.horizon and any(v != 0 for v in nxt.values()):
                        for s2 in range(game.transition.shape[-1]):
                            ps = game.transition[(s, *a, s2)]
                            if ps != 0:
                                q = q + value(
                                    (*p, a, s2), {t: v * ps for t, v in nxt.items()}, h + 1
                                )
                if h >= limit:
                    follow = follow + sigma[i][(ti, p)][ai] * q
                best = q if best is None or q > best else best
            return follow if h >= limit else best

        for s0 in range(game.initial.shape[0]):
            if game.initial[s0] != 0:
                rho0 = {t: game.prior[t] * game.initial[s0] for t in own}
                total = total + value((s0,), rho0, 0)
    return total


def expected_totals(game: BayesianStochasticGame, sigma: Behaviour) -> list[Any]:
    """Ex-ante expected total reward ``U_i(σ)`` of every player, by forward recursion."""
    zero = _zero(game, sigma)
    acts = list(itertools.product(*(range(k) for k in game.num_actions)))
    out = [zero] * game.n

    def walk(t: tuple[int, ...], p: PublicHistory, w: Any, h: int) -> None:
        s = p[-1]
        for a in acts:
            pa = w
            for j in range(game.n):
                pa = pa * sigma[j][(t[j], p)][a[j]]
            if pa == 0:
                continue
            for j in range(game.n):
                out[j] = out[j] + pa * game.rewards[(j, *t, s, *a)]
            if h + 1 < game.horizon:
                for s2 in range(game.transition.shape[-1]):
                    ps = game.transition[(s, *a, s2)]
                    if ps != 0:
                        walk(t, (*p, a, s2), pa * ps, h + 1)

    for t in itertools.product(*(range(k) for k in game.num_types)):
        if game.prior[t] == 0:
            continue
        for s0 in range(game.initial.shape[0]):
            if game.initial[s0] != 0:
                walk(t, (s0,), game.prior[t] * game.initial[s0], 0)
    return out
