"""Open question (c): finite-horizon Bayesian stochastic games and first-stage POWER."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlab.errors import InputError
from powerlab.games import make_game, power
from powerlab.games.stochastic import (
    expected_totals,
    make_stochastic_game,
    sequential_power,
    uniform_behaviour,
)
from powerlab.games.stochastic_solve import solve_stochastic


def _random_behaviour(game, gen):  # type: ignore[no-untyped-def]
    out = []
    for d in uniform_behaviour(game):
        new = {}
        for key, row in d.items():
            w = gen.integers(0, 3, size=row.shape[0])
            w[0] += 1
            new[key] = np.array([F(int(x), int(w.sum())) for x in w], dtype=object)
        out.append(new)
    return out


def _constant_sum_game(seed: int, horizon: int = 2, c: int = 1):  # type: ignore[no-untyped-def]
    gen = np.random.default_rng(seed)
    prior = np.array([[F(1, 3)], [F(2, 3)]], dtype=object)  # P1 has 2 types, P2 one
    w = gen.integers(1, 4, size=(2, 2, 2, 2)).astype(object)
    trans = np.empty(w.shape, dtype=object)
    for idx in np.ndindex(w.shape[:-1]):
        trans[idx] = [F(int(x), int(w[idx].sum())) for x in w[idx]]
    r1 = gen.integers(-3, 4, size=(2, 1, 2, 2, 2)).astype(object)
    rewards = np.stack([r1, c - r1])
    return make_stochastic_game(prior, [F(1), F(0)], trans, rewards, horizon)


def test_one_stage_is_the_bayesian_game_power() -> None:
    """H = 1 and one state: first-stage POWER is the paper's POWER of the Bayesian game."""
    gen = np.random.default_rng(3)
    prior = np.array([[F(1, 6), F(1, 3)], [F(1, 4), F(1, 4)]], dtype=object)
    pay = gen.integers(-3, 4, size=(2, 2, 2, 2, 3)).astype(object)
    g = make_game(prior, pay)
    sg = make_stochastic_game(prior, [1], np.ones((1, 2, 3, 1), dtype=int), pay[:, :, :, None], 1)
    sig = _random_behaviour(sg, gen)
    prof = [np.array([sig[i][(k, (0,))] for k in range(2)], dtype=object) for i in range(2)]
    assert [sequential_power(sg, sig, i) for i in range(2)] == power(g, prof)


def test_single_player_mdp_value() -> None:
    """One player: POWER is the finite-horizon optimal value.

    States 0, 1; in 0 'stay' pays 1 and stays, 'go' pays 0 and moves to 1; state 1 pays 3.
    With H = 2 from state 0: stay-stay = 2, go-then-anything = 3, so POWER = 3. Uniform play:
    U = 1/2·(1 + (1/2·1 + 1/2·0)) + 1/2·(0 + 3) = 9/4.
    """
    trans = np.array([[[1, 0], [0, 1]], [[0, 1], [0, 1]]])
    rewards = np.array([[[[1, 0], [3, 3]]]])  # [n=1, T=1, S=2, A=2]
    g = make_stochastic_game([1], [1, 0], trans, rewards, 2)
    sig = uniform_behaviour(g)
    assert sequential_power(g, sig, 0) == 3
    assert expected_totals(g, sig) == [F(9, 4)]


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_sequential_conservation(seed: int) -> None:
    """Constant-sum per stage (c = 1, H = 2): Σ POWER >= H c, equality at Gambit's equilibrium."""
    g = _constant_sum_game(seed)
    gen = np.random.default_rng(seed)
    for _ in range(2):
        sig = _random_behaviour(g, gen)
        pw = [sequential_power(g, sig, i) for i in range(2)]
        tot = expected_totals(g, sig)
        assert sum(tot) == 2 and sum(pw) >= 2
        assert (sum(pw) == 2) == all(pw[i] == tot[i] for i in range(2))
    (eq,) = solve_stochastic(g, "lcp")
    assert eq.exact and eq.is_nash and eq.power_sum == 2 and eq.power == eq.totals


def test_stochastic_float_solver_and_errors() -> None:
    g = _constant_sum_game(5)
    (eq,) = solve_stochastic(g, "logit")
    # logit stops at a regret target, so the result is an approximate equilibrium
    assert all(float(eq.power[i] - eq.totals[i]) < 1e-2 for i in range(2))
    with pytest.raises(InputError, match="horizon"):
        make_stochastic_game([1], [1], [[[1]]], [[[[0]]]], 0)
    with pytest.raises(InputError, match="transition: probabilities sum"):
        make_stochastic_game([1], [1], [[[F(1, 2)]]], [[[[0]]]], 1)
    with pytest.raises(InputError, match="not available"):
        solve_stochastic(g, "gnm")


def test_one_shot_versus_full_power_chain() -> None:
    """Chain 0 -> 1 -> 2 (docs/games-sequential.md): state 0 'stay' pays 1, state 2 pays 5, H = 3.

    Against the plan "always stay": full POWER = max(stay x3 = 3, go-go-collect = 5) = 5;
    one-shot (depth 1): stay then plan = 3, go then plan (stuck in 1) = 0, so 3; depth 2
    allows go-go and then the plan collects 5.
    """
    trans = np.zeros((3, 2, 3), dtype=int)
    for s, a, s2 in [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 2), (2, 0, 2), (2, 1, 2)]:
        trans[s, a, s2] = 1
    g = make_stochastic_game([1], [1, 0, 0], trans, np.array([[[[1, 0], [0, 0], [5, 5]]]]), 3)
    stay = [{k: np.array([F(1), F(0)], dtype=object) for k in d} for d in uniform_behaviour(g)]
    assert sequential_power(g, stay, 0) == 5
    assert sequential_power(g, stay, 0, depth=1) == 3
    assert sequential_power(g, stay, 0, depth=2) == 5
    assert expected_totals(g, stay) == [3]


def test_solver_timeout_kills_the_process() -> None:
    """enumpoly does not finish on this tree in 1 s; the child is killed, not waited for."""
    from powerlab.errors import ResourceError

    g = _constant_sum_game(5)
    with pytest.raises(ResourceError, match="no answer within 1 s"):
        solve_stochastic(g, "enumpoly", timeout=1.0)
