"""Invariants of the conservative imitator (Cohen, Hutter & Nanda 2022) and its guarantees."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from powerlab.errors import InputError
from powerlab.imitation import (
    DEFAULT_TOP_SET_RULE,
    TOP_SET_RULES,
    build_model_class,
    conservative_step,
    left_top_set_frequency,
    log_posterior_update,
    model_prior,
    run_experiment,
    top_set,
)


@st.composite
def model_predictions(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 6))
    a = draw(st.integers(2, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    gen = np.random.default_rng(seed)
    P = gen.dirichlet(np.ones(a), size=n)
    w = gen.dirichlet(np.ones(n))
    return P, w


@settings(max_examples=80, deadline=None)
@given(model_predictions(), st.floats(0.001, 0.999), st.sampled_from(TOP_SET_RULES))
def test_min_probabilities_and_query_probability(pw, alpha: float, rule: str) -> None:
    P, w = pw
    mask = top_set(w, alpha, rule)
    m, theta = conservative_step(P, mask)
    assert 0.0 <= theta <= 1.0
    assert m.sum() + theta == pytest.approx(1.0, abs=1e-12)
    assert np.all(m >= 0)
    if mask.any():
        assert np.all(m <= P[mask] + 1e-15)  # never above any trusted model
        # p^i(a) = m(a) + θ π(a) <= (1 + θ) π(a) for every trusted π (guarantee 1)
        for pi in P[mask]:
            assert np.all(m + theta * pi <= (1 + theta) * pi + 1e-12)
    else:
        assert theta == 1.0


@settings(max_examples=60, deadline=None)
@given(model_predictions(), st.floats(0.001, 0.999))
def test_top_set_rules(pw, alpha: float) -> None:
    _, w = pw
    absolute = top_set(w, alpha, "absolute")
    assert absolute.sum() <= 1 / alpha + 1e-9  # weights sum to 1
    ratio = top_set(w, alpha, "ratio")
    assert ratio[np.argmax(w)]  # the MAP model is always trusted under the ratio rule


@settings(max_examples=100, deadline=None)
@given(model_predictions(), st.floats(0.001, 0.999), st.floats(0.01, 100.0))
def test_cumulative_top_set_properties(pw, alpha: float, scale: float) -> None:
    """Cumulative rule, w(ν) >= α W_>=(ν): a prefix in decreasing posterior order, of at most
    1/α models, unchanged by rescaling w, and a model outside it has w(ν) < α (the step that
    gives the Ville bound α/w(μ))."""
    _, w = pw
    mask = top_set(w, alpha, "cumulative")
    assert np.all(w[mask] >= w[~mask].max(initial=-1.0))  # a prefix: trusted ones beat the rest
    assert mask.sum() <= 1 / alpha + 1e-9
    assert np.array_equal(mask, top_set(w * scale, alpha, "cumulative"))
    assert np.all(w[~mask] < alpha)


def test_cumulative_top_set_known_values() -> None:
    """w = (0.5, 0.3, 0.2), α = 0.3: W_>= = (0.5, 0.8, 1.0), ratios (1, 0.375, 0.2), so the
    first two are trusted. Ties count in full: (0.4, 0.4, 0.2) at α = 0.45 gives ratios
    (0.5, 0.5, 0.2). A uniform posterior over N models has ratio 1/N for every model: all
    trusted when α < 1/N, none (the imitator queries at every step) when α > 1/N."""
    assert top_set(np.array([0.5, 0.3, 0.2]), 0.3, "cumulative").tolist() == [True, True, False]
    assert top_set(np.array([0.4, 0.4, 0.2]), 0.45, "cumulative").tolist() == [True, True, False]
    assert top_set(np.full(20, 0.05), 0.04, "cumulative").all()
    assert not top_set(np.full(20, 0.05), 0.06, "cumulative").any()
    _, theta = conservative_step(np.full((20, 3), 1 / 3), top_set(np.full(20, 0.05), 0.06))
    assert theta == 1.0
    assert DEFAULT_TOP_SET_RULE == "cumulative"


def test_single_trusted_model_never_queries() -> None:
    P = np.array([[0.2, 0.8], [0.5, 0.5]])
    m, theta = conservative_step(P, np.array([True, False]))
    assert theta == 0.0 and np.allclose(m, [0.2, 0.8])


def test_posterior_update_is_bayes() -> None:
    """Two models, prior (1/2, 1/2), likelihoods (0.9, 0.3): posterior (3/4, 1/4)."""
    log_w = np.log([0.5, 0.5])
    post = np.exp(log_posterior_update(log_w, np.array([0.9, 0.3])))
    assert post == pytest.approx([0.75, 0.25], abs=1e-15)
    post = np.exp(log_posterior_update(log_w, np.array([0.9, 0.0])))
    assert post == pytest.approx([1.0, 0.0])
    with pytest.raises(InputError, match="probability 0"):
        log_posterior_update(log_w, np.array([0.0, 0.0]))


@pytest.mark.parametrize("alpha", [0.0, 1.0, -1.0, float("nan")])
def test_bad_alpha(alpha: float) -> None:
    with pytest.raises(InputError, match="alpha"):
        top_set(np.array([0.5, 0.5]), alpha)


def test_deceptive_models_agree_until_trigger() -> None:
    P, _, triggers = build_model_class(8, 3, 300, 4, 3, 0.5, 7)
    for j, tau in enumerate(triggers):
        assert np.array_equal(P[1 + j, :tau], P[0, :tau])
        assert np.all(P[1 + j, tau:, -1] == 0.5)
    assert np.all(P[0, :, -1] == 0.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_catastrophe_while_demonstrator_trusted(seed: int) -> None:
    """Guarantee 1: with π^d in the top set, p(catastrophic action) = π^d(cat) = 0 exactly."""
    run = run_experiment(models=12, deceptive=4, alpha=0.01, steps=600, rng=seed)
    assert np.all(run.p_cat[run.demo_in_top] == 0.0)
    assert run.theta_q.sum() >= 0
    # queries concentrate early: all triggers are in the first half
    assert run.queried[300:].sum() <= run.queried[:300].sum()


def test_baselines_take_the_catastrophe() -> None:
    """After every trigger, the mixture's p(cat) is ε times the deceptive models' weight, which
    equals M/(M + 1) of the weight on models consistent with the training data."""
    run = run_experiment(models=10, deceptive=3, alpha=0.01, steps=800, rng=3, epsilon=0.5)
    assert run.p_cat_mixture[-1] <= 0.5 * 3 / 4 + 1e-9
    assert run.p_cat_mixture[-1] > 0.0
    assert np.isfinite(run.kl).all()


def test_ville_bound_statistically() -> None:
    """Guarantee 2: Pr(π^d ever leaves the top set) <= α/w(μ) = α N. One-sided binomial test at
    significance 0.01 with a fixed seed (100 runs)."""
    res = left_top_set_frequency(100, rng=11, models=10, deceptive=3, alpha=0.02, steps=200)
    k = round(res["frequency"] * res["samples"])
    p_value = stats.binom.sf(k - 1, res["samples"], res["bound"])  # Pr(X >= k) under the bound
    assert p_value > 0.01, res
    assert res["catastrophe_possible_frequency"] <= res["frequency"]


def test_countable_prior() -> None:
    """Truncated countable prior: weights 1/((k+1)(k+2)) in a random order, renormalized."""
    w = model_prior(6, "countable", 0)
    base = np.array([1 / ((k + 1) * (k + 2)) for k in range(6)])
    assert np.allclose(np.sort(w)[::-1], base / base.sum())
    with pytest.raises(InputError, match="prior"):
        model_prior(3, "jeffreys", 0)
    run = run_experiment(models=10, deceptive=2, alpha=0.005, steps=300, rng=5, prior="countable")
    w_mu = run.parameters["prior_weight_of_demonstrator"]
    assert run.summary()["ville_bound_alpha_over_w_mu"] == pytest.approx(0.005 / w_mu)
    assert np.all(run.p_cat[run.demo_in_top] == 0.0)
