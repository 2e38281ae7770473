"""Hedge and OGD against their regret bounds; the trap (Christiano 2021, "Low-stakes alignment")."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlab.errors import InputError
from powerlab.lowstakes import (
    best_in_ball,
    hedge,
    hedge_bound,
    ogd_squared_loss,
    regression_stream,
    threshold_losses,
    trap_experiment,
)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 300), st.integers(2, 8), st.integers(0, 5), st.floats(0.5, 5.0),
    st.integers(0, 2**32 - 1), st.booleans(),
)  # fmt: skip
def test_hedge_regret_within_bound(T: int, N: int, D: int, B: float, seed: int, adv: bool) -> None:
    """The bound holds for every loss sequence in [0, B], including adversarial 0/B ones."""
    gen = np.random.default_rng(seed)
    losses = B * (gen.random((T, N)) < 0.5) if adv else B * gen.random((T, N))
    res = hedge(losses, B, delay=D)
    assert res.regret <= res.bound + 1e-9
    assert np.allclose(res.p.sum(axis=1), 1.0)


def test_hedge_weights_closed_form() -> None:
    """Constant losses (0, B): p_t(1) = 1/(1 + exp(η B t)) with η = sqrt(8 ln 2 / T)/B."""
    T, B = 50, 2.0
    losses = np.tile([0.0, B], (T, 1))
    res = hedge(losses, B)
    eta = math.sqrt(8 * math.log(2) / T) / B
    t = np.arange(T)
    assert res.p[:, 1] == pytest.approx(1 / (1 + np.exp(eta * B * t)), rel=1e-12)
    assert res.bound == pytest.approx(B * math.sqrt(T * math.log(2) / 2))


def test_delay_uses_only_revealed_losses() -> None:
    """With delay D, p_t does not depend on the losses of rounds t−D .. t−1."""
    gen = np.random.default_rng(0)
    losses = gen.random((40, 3))
    D = 3
    base = hedge(losses, 1.0, delay=D).p
    for t in range(D + 1, 40):
        changed = losses.copy()
        changed[t - D : t] = gen.random((D, 3))
        assert np.allclose(hedge(changed, 1.0, delay=D).p[t], base[t])


def test_hedge_bad_input() -> None:
    with pytest.raises(InputError, match="losses"):
        hedge(np.array([[0.0, 2.0]]), B=1.0)
    with pytest.raises(InputError, match="delay"):
        hedge(np.zeros((3, 2)), delay=-1)
    with pytest.raises(InputError, match="shape"):
        hedge(np.zeros(3))


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 200), st.integers(1, 4), st.integers(0, 3), st.integers(0, 2**32 - 1))
def test_ogd_regret_within_bound(T: int, d: int, D: int, seed: int) -> None:
    X, y = regression_stream(T, d, rng=seed)
    res = ogd_squared_loss(X, y, 1.0, delay=D)
    assert res.regret <= res.bound + 1e-9
    assert np.all(np.linalg.norm(res.w, axis=1) <= 1.0 + 1e-12)


def test_best_in_ball_kkt() -> None:
    """At the constrained optimum the gradient is 0 (inside) or −λ w with λ >= 0 (boundary)."""
    gen = np.random.default_rng(1)
    X = gen.normal(size=(30, 3))
    for R, scale in ((0.1, 5.0), (100.0, 1.0)):
        y = scale * gen.normal(size=30)
        w = best_in_ball(X, y, R)
        g = X.T @ (X @ w - y)
        if np.linalg.norm(w) < R - 1e-9:
            assert np.allclose(g, 0, atol=1e-8)
        else:
            lam = -(g @ w) / (w @ w)
            assert lam >= 0 and np.allclose(g, -lam * w, atol=1e-6 * np.linalg.norm(g))


def test_trap_makes_regret_linear() -> None:
    """Hedge's trap probability is p_τ(greedy) = 1/(1 + exp(−η τ B/4)); regret/T → B/2."""
    B = 1.0
    prev = 0.0
    for T in (64, 256, 1024, 4096):
        r = trap_experiment(T, B)
        eta = math.sqrt(8 * math.log(2) / T) / B
        assert r.p_trapped == pytest.approx(1 / (1 + math.exp(-eta * (T // 4) * B / 4)))
        assert r.regret_per_round >= prev  # does not vanish: linear regret
        prev = r.regret_per_round
    assert prev > 0.45 and r.regret > 10 * r.bound
    safe = trap_experiment(4096, B, trap=False)
    assert safe.regret <= safe.bound


def test_shifted_stream_regret_sublinear() -> None:
    """Low stakes: with a shift at T/2 regret/T still shrinks like 1/sqrt(T)."""
    rates = []
    for T in (500, 8000):
        res = hedge(threshold_losses(T, rng=2), 1.0)
        assert res.regret <= hedge_bound(T, 21, 1.0)
        rates.append(res.regret / T)
    assert rates[1] < rates[0]
