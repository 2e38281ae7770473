r"""Finite Bayesian games (Stavrianos & Turner 2021, "POWER in multi-agent games", §Bayesian games).

Model. ``n`` players; player ``i`` has a finite type set ``T_i`` and action set ``A_i``.
A type profile ``t = (t_1, ..., t_n)`` is drawn from a common-knowledge joint prior
``Ω(t)``; each player learns only its own type and all choose actions simultaneously;
player ``i`` receives ``r_i(t, a)``.

The paper writes rewards as ``r_i(t_i, a)`` (private values); we store the more general
*interdependent* form ``r_i(t, a)``, of which private values are the special case that
does not vary with ``t_{-i}`` (:func:`from_private_rewards` builds it). The paper's
conservation proof goes through unchanged for ``r_i(t, a)``.

Arrays (named axes):

* ``prior: [T_1, ..., T_n]`` -- the joint prior ``Ω``, non-negative, summing to 1.
* ``payoffs: [n, T_1, ..., T_n, A_1, ..., A_n]`` -- ``payoffs[i, t..., a...] = r_i(t, a)``.

Both are either exact (object arrays of ``Fraction``) or float64, never mixed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from powerlab.errors import InputError
from powerlab.games._numbers import (
    as_exact_array,
    as_float_array,
    is_exact,
    is_rational_array,
)

__all__ = ["BayesianGame", "from_private_rewards", "make_game"]

PRIOR_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class BayesianGame:
    """An immutable finite Bayesian game ``(N, (T_i), Ω, (A_i), (r_i))``.

    Build it with :func:`make_game`, :func:`from_private_rewards` or
    :func:`powerlab.games.load_game`, which validate their input.

    Attributes:
        players: player names, length ``n``.
        types: ``types[i]`` names the types of player ``i`` (length ``T_i``).
        actions: ``actions[i]`` names the actions of player ``i`` (length ``A_i``).
        prior: ``[T_1, ..., T_n]`` joint prior over type profiles.
        payoffs: ``[n, T_1, ..., T_n, A_1, ..., A_n]`` rewards ``r_i(t, a)``.
        name: a label.
    """

    players: tuple[str, ...]
    types: tuple[tuple[str, ...], ...]
    actions: tuple[tuple[str, ...], ...]
    prior: np.ndarray
    payoffs: np.ndarray
    name: str = "game"

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.players)

    @property
    def exact(self) -> bool:
        """True when all numbers are ``Fraction`` (exact arithmetic throughout)."""
        return is_exact(self.prior)

    @property
    def num_types(self) -> tuple[int, ...]:
        """``(T_1, ..., T_n)``."""
        return tuple(len(t) for t in self.types)

    @property
    def num_actions(self) -> tuple[int, ...]:
        """``(A_1, ..., A_n)``."""
        return tuple(len(a) for a in self.actions)

    def check_player(self, i: int) -> int:
        """Return ``i`` if it indexes a player, else raise :class:`InputError`."""
        if not isinstance(i, int | np.integer) or not 0 <= int(i) < self.n:
            raise InputError(f"player index {i!r}: the game has players 0..{self.n - 1}")
        return int(i)

    def type_marginal(self, i: int) -> np.ndarray:
        """Marginal prior of player ``i``'s type, ``Ω_i(t_i) = Σ_{t_{-i}} Ω(t)``: ``[T_i]``."""
        axes = tuple(j for j in range(self.n) if j != i)
        return self.prior.sum(axis=axes) if axes else self.prior.copy()

    def zero_probability_types(self) -> list[tuple[str, str]]:
        """``(player, type)`` pairs with ``Ω_i(t_i) = 0``; no condition on them is testable."""
        out = []
        for i in range(self.n):
            marg = self.type_marginal(i)
            out += [
                (self.players[i], self.types[i][k]) for k in range(marg.shape[0]) if marg[k] == 0
            ]
        return out

    def zero(self) -> Any:
        """The number zero in this game's arithmetic (``Fraction(0)`` or ``0.0``)."""
        return Fraction(0) if self.exact else 0.0

    def type_profiles(self) -> list[tuple[int, ...]]:
        """All type profiles ``t`` (index tuples) in row-major order."""
        return list(itertools.product(*(range(k) for k in self.num_types)))


def _names(given: Sequence[Any] | None, default: list[str], what: str) -> tuple[str, ...]:
    if given is None:
        return tuple(default)
    names = tuple(str(x) for x in given)
    if len(names) != len(default):
        raise InputError(f"{what}: expected {len(default)} names, got {len(names)}")
    if len(set(names)) != len(names):
        raise InputError(f"{what}: duplicate names in {list(names)}")
    return names


def make_game(
    prior: Any,
    payoffs: Any,
    *,
    players: Sequence[str] | None = None,
    types: Sequence[Sequence[str]] | None = None,
    actions: Sequence[Sequence[str]] | None = None,
    name: str = "game",
    exact: bool | None = None,
) -> BayesianGame:
    """Build and validate a Bayesian game from arrays (interdependent rewards ``r_i(t, a)``).

    Args:
        prior: ``[T_1, ..., T_n]`` joint prior over type profiles (sums to 1, non-negative).
        payoffs: ``[n, T_1, ..., T_n, A_1, ..., A_n]`` with ``payoffs[i, t, a] = r_i(t, a)``.
        players, types, actions: optional names (defaults ``P1``, ``t0``, ``a0`` ...).
        name: a label.
        exact: force exact (``True``) or float (``False``) arithmetic; by default exact
            exactly when every input number is rational (ints or ``Fraction``).

    Raises:
        InputError: wrong shapes, a prior that is negative or does not sum to 1
            (exactly in exact mode, within 1e-9 otherwise), duplicate names.
    """
    prior_a = np.asarray(prior, dtype=object if not isinstance(prior, np.ndarray) else None)
    pay_a = np.asarray(payoffs, dtype=object if not isinstance(payoffs, np.ndarray) else None)
    n = prior_a.ndim
    if n < 1:
        raise InputError("prior: must have one axis per player, got a scalar")
    if pay_a.ndim != 1 + 2 * n or pay_a.shape[0] != n or pay_a.shape[1 : 1 + n] != prior_a.shape:
        raise InputError(
            f"payoffs: expected shape [n={n}, *types={list(prior_a.shape)}, *actions], "
            f"got {list(pay_a.shape)}"
        )
    if exact is None:
        exact = is_rational_array(prior_a) and is_rational_array(pay_a)
    if exact:
        prior_a, pay_a = as_exact_array(prior_a, "prior"), as_exact_array(pay_a, "payoffs")
    else:
        prior_a, pay_a = as_float_array(prior_a, "prior"), as_float_array(pay_a, "payoffs")
    if any(x < 0 for x in prior_a.flat):
        raise InputError("prior: negative probability")
    total = prior_a.sum()
    if (exact and total != 1) or (not exact and abs(float(total) - 1.0) > PRIOR_TOL):
        raise InputError(f"prior: probabilities sum to {total}, not 1")
    tshape, ashape = prior_a.shape, pay_a.shape[1 + n :]
    if min(ashape) < 1 or min(tshape) < 1:
        raise InputError("every player needs at least one type and one action")
    players_t = _names(players, [f"P{i + 1}" for i in range(n)], "players")
    if types is None:
        types = [[f"t{k}" for k in range(tshape[i])] for i in range(n)]
    if actions is None:
        actions = [[f"a{k}" for k in range(ashape[i])] for i in range(n)]
    if len(types) != n or len(actions) != n:
        raise InputError(f"types/actions: expected one list per player ({n})")
    types_t = tuple(
        _names(types[i], [""] * tshape[i], f"types of {players_t[i]}") for i in range(n)
    )
    actions_t = tuple(
        _names(actions[i], [""] * ashape[i], f"actions of {players_t[i]}") for i in range(n)
    )
    prior_a.setflags(write=False)
    pay_a.setflags(write=False)
    return BayesianGame(players_t, types_t, actions_t, prior_a, pay_a, name)


def from_private_rewards(
    prior: Any,
    rewards: Sequence[Any],
    **kwargs: Any,
) -> BayesianGame:
    """Build a game with the paper's private-value rewards ``r_i(t_i, a)``.

    Args:
        prior: ``[T_1, ..., T_n]`` joint prior.
        rewards: ``rewards[i]: [T_i, A_1, ..., A_n]``, i.e. ``r_i(t_i, a)``; it is broadcast
            to the interdependent form ``r_i(t, a) = r_i(t_i, a)``.
        **kwargs: passed to :func:`make_game`.
    """
    prior_a = np.asarray(prior, dtype=object if not isinstance(prior, np.ndarray) else None)
    n = prior_a.ndim
    if len(rewards) != n:
        raise InputError(f"rewards: expected one array per player ({n}), got {len(rewards)}")
    arrs = [np.asarray(r, dtype=object if not isinstance(r, np.ndarray) else None) for r in rewards]
    ashape = arrs[0].shape[1:]
    dtype = object if any(a.dtype == object for a in arrs) else np.result_type(*arrs)
    out = np.empty((n, *prior_a.shape, *ashape), dtype=dtype)
    for i, r in enumerate(arrs):
        if r.shape != (prior_a.shape[i], *ashape):
            raise InputError(
                f"rewards[{i}]: expected shape [T_{i + 1}={prior_a.shape[i]}, *actions="
                f"{list(ashape)}], got {list(r.shape)}"
            )
        shape = [1] * n
        shape[i] = prior_a.shape[i]
        out[i] = np.broadcast_to(r.reshape(*shape, *ashape), (*prior_a.shape, *ashape))
    return make_game(prior_a, out, **kwargs)
