"""Properties of POWER that hold for every MDP and reward sample (Turner et al., Prop 5.4, Lemma 5.3)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import catalogue
import powerlab.mdp as M
import powerlab.power as P
from powerlab.mdp.model import MDP


@st.composite
def deterministic_mdps(draw):
    S = draw(st.integers(2, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    names = [f"s{i}" for i in range(S)]
    edges = {
        s: list(dict.fromkeys(rng.choice(names, size=draw(st.integers(1, 3))).tolist()))
        for s in names
    }
    return M.from_edges(edges), rng.random((50, S))


@given(deterministic_mdps(), st.sampled_from([0.0, 0.1, 0.5, 0.9, 0.999, 1.0]))
def test_integrand_bounded_by_max_reward(case, gamma):
    """Per sample, (1-γ)/γ (V*(s) - R(s)) = (1-γ) max_a V*(s') ≤ max_s R(s); so POWER ≤ E[max R]
    (Prop 5.4) holds sample by sample, up to the solver's stated error."""
    mdp, R = case
    X, err = P.power_integrand(mdp, R, gamma)
    assert np.all(X <= R.max(axis=1, keepdims=True) + err + 1e-9)
    assert np.all(X >= R.min(axis=1, keepdims=True) - err - 1e-9)


@given(deterministic_mdps())
def test_integrand_lipschitz_in_gamma(case):
    """Lemma 5.3: POWER is Lipschitz in γ on [0, 1]. Per sample the integrand is a max over
    policies of (1-γ) Σ_t γ^t r_t with an eventually periodic r (pre-period m, period L,
    m + L ≤ S, rewards in [0, 1]); each term's derivative is at most m + m²/2 + m + L² ≤ 2S², so
    with common reward draws |X(γ1) - X(γ2)| ≤ 2S² |γ1 - γ2| on [0, 1], limits included."""
    mdp, R = case
    S = mdp.n_states
    grid = [0.0, 0.05, 0.3, 0.6, 0.9, 0.99, 1.0]
    X = [P.power_integrand(mdp, R, g)[0] for g in grid]
    for (g1, x1), (g2, x2) in zip(
        zip(grid, X, strict=True), zip(grid[1:], X[1:], strict=True), strict=False
    ):
        assert np.abs(x2 - x1).max() <= 2 * S**2 * (g2 - g1) + 1e-6


@pytest.mark.parametrize("mdp", catalogue.TESTING_MDPS, ids=catalogue.TESTING_MDP_IDS)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.9, 1.0])
def test_every_catalogue_mdp_obeys_prop_5_4_per_sample(mdp: MDP, gamma: float) -> None:
    """Prop 5.4 sample by sample on every MDP of the catalogue (stochastic ones included):
    (1-γ)/γ (V*(s) - R(s)) ≤ max_s R(s), up to the solver's stated error. It is also at least
    min(0, min_s R(s)): a discounted average of rewards, where a terminal state's reward is
    paid once and 0 after (Krakovna & Kramár 2023, Def 7)."""
    R = np.random.default_rng(12).random((40, mdp.n_states))
    X, err = P.power_integrand(mdp, R, gamma)
    assert X.shape == R.shape
    assert np.all(X <= R.max(axis=1, keepdims=True) + err + 1e-9)
    assert np.all(X >= np.minimum(R.min(axis=1, keepdims=True), 0.0) - err - 1e-9)


def test_same_seed_same_numbers_and_batching_is_invisible():
    mdp = catalogue.room()
    a = P.power(mdp, 0.9, samples=3000, rng=11)
    b = P.power(mdp, 0.9, samples=3000, rng=11)
    c = P.power(mdp, 0.9, samples=3000, rng=11, max_batch_bytes=8 * mdp.n_states * 6 * 250)
    assert a.equals(b)
    np.testing.assert_allclose(a.power, c.power, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.stderr, c.stderr, rtol=1e-9)


def test_dense_and_sparse_and_methods_agree():
    mdp = catalogue.coin()
    a = P.power(mdp.with_transitions(False), [0.5, 0.9], samples=2000, rng=3)
    b = P.power(mdp.with_transitions(True), [0.5, 0.9], samples=2000, rng=3)
    np.testing.assert_allclose(a.power, b.power, atol=1e-8)
