"""Property tests on random games: equilibria are mutual best responses; conservation."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlab.games import (
    best_case_power,
    best_responses,
    check_bne,
    conservation,
    constant_sum_value,
    power,
    pure_profile,
    solve,
)
from powerlab.games.random_games import correlated_game, integer_game
from powerlab.games.strategy import check_profile

SETTINGS = settings(max_examples=12, deadline=None)


def _random_rational_profile(game, gen):  # type: ignore[no-untyped-def]
    prof = []
    for t, a in zip(game.num_types, game.num_actions, strict=True):
        w = gen.integers(0, 4, size=(t, a))
        w[:, 0] += 1
        prof.append([[f"{x}/{row.sum()}" for x in row] for row in w])
    return check_profile(game, prof)


def _mutual_best_response(game, sigma, support_tol: float = 0.0) -> bool:  # type: ignore[no-untyped-def]
    """Every action played (with probability > ``support_tol``) is an interim best response."""
    for i in range(game.n):
        br = best_responses(game, sigma, i, tol=1e-6)
        if np.any((np.asarray(sigma[i], dtype=float) > support_tol) & ~br):
            return False
    return True


@SETTINGS
@given(seed=st.integers(0, 10**6), n=st.sampled_from([2, 3]), c=st.integers(-2, 2))
def test_conservation_inequality_and_iff(seed: int, n: int, c: int) -> None:
    """Σ POWER >= c always; the slack is 0 exactly at the BNE (checked on every pure profile)."""
    gen = np.random.default_rng(seed)
    g = integer_game(n, 2, 2, gen, constant_sum=c, zero_prior_profiles=int(gen.integers(0, 2)))
    assert constant_sum_value(g) == c
    for _ in range(3):
        rep = conservation(g, _random_rational_profile(g, gen))
        assert rep is not None and rep.slack >= 0
        assert (rep.slack == 0) == rep.is_bne
    for choice in itertools.product(*(itertools.product(range(2), repeat=2) for _ in range(n))):
        rep = conservation(g, pure_profile(g, choice))
        assert rep is not None and rep.slack >= 0
        assert (rep.slack == 0) == check_bne(g, pure_profile(g, choice)).is_bne
        if g.zero_probability_types():
            assert rep.note


@SETTINGS
@given(seed=st.integers(0, 10**6), types=st.integers(1, 3), actions=st.integers(2, 3))
def test_lcp_equilibria_are_mutual_best_responses(seed: int, types: int, actions: int) -> None:
    g = integer_game(2, types, actions, seed)
    eqs = solve(g, "lcp")
    assert len(eqs) == 1 and eqs[0].exact and eqs[0].is_bne
    assert _mutual_best_response(g, eqs[0].strategies)


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_constant_sum_equilibria_have_zero_slack(seed: int) -> None:
    g = integer_game(2, 2, 2, seed, constant_sum=1)
    for e in solve(g, "enummixed"):
        assert e.is_bne and _mutual_best_response(g, e.strategies)
        rep = conservation(g, e.strategies)
        assert rep is not None and rep.slack == 0 and e.power_sum == 1


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10**6), solver=st.sampled_from(["gnm", "logit", "ipa"]))
def test_three_player_float_equilibria(seed: int, solver: str) -> None:
    g = correlated_game(3, 2, 2, 0.0, seed)
    for e in solve(g, solver):
        # float solvers return approximate equilibria: tiny off-support weights are tolerated
        assert e.is_bne and _mutual_best_response(g, e.strategies, support_tol=1e-5)
        assert abs(e.power_sum - sum(power(g, e.strategies))) < 1e-12


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.sampled_from([2, 3]))
def test_best_case_power_matches_brute_force(seed: int, n: int) -> None:
    """max over all pure opponent profiles of POWER, computed one profile at a time."""
    gen = np.random.default_rng(seed)
    types = tuple(int(x) for x in gen.integers(1, 3, size=n))
    g = integer_game(n, types, 2, gen)
    pures = [list(itertools.product(range(2), repeat=t)) for t in types]
    for i in range(n):
        brute = max(power(g, pure_profile(g, choice))[i] for choice in itertools.product(*pures))
        assert best_case_power(g, i).value == brute
