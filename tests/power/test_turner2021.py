"""Known answers for Turner et al. (2021) examples not covered by test_power_known.py.

Turner, Smith, Shah, Critch & Tadepalli, "Optimal Policies Tend To Seek Power" (NeurIPS 2021,
arXiv 1912.01683). The two examples below are those of Sec. 6 / App. B.3 of arXiv v6 (POWER
versus optimality probability, and POWER's dependence on γ), with their figures and numbers as
Turner presents them in "Seeking Power is Often Convergently Instrumental in MDPs"
(LessWrong / turntrout.com, which refers to v6 for the details). Figure 1, Figure 3, App. C's
Figure 11, Prop. 5.4 and the "wait" MDP are tested in test_power_known.py and
exact/test_exact_known.py and are not repeated here.

Every comparison is statistical: |estimate - exact| <= 4 standard errors (+ the solver's
stated error), at a fixed seed.
"""

from __future__ import annotations

import numpy as np
import pytest

import catalogue
import powerlab.power as P

Z = 4.0


def up_probability_quadratic_cdf(gamma: float) -> float:
    r"""P(up optimal at 1) for iid rewards with CDF F(x) = x^2 on [0, 1] (Beta(2, 1)).

    Multiplying both actions' optimal values by (1 - γ), up is optimal iff
    R(2) >= Y := (1-γ) R(3) + (1-γ) γ R(4) + γ² max(R(5), R(6)), the formula Turner prints.
    Y <= 1 and R(2) is independent of Y, so P = E[1 - F(Y)] = 1 - E[Y²]
    = 1 - Var(Y) - E[Y]². With X ~ Beta(2, 1): E X = 2/3, Var X = 1/2 - 4/9 = 1/18; the max of
    two is Beta(4, 1): mean 4/5, variance 2/3 - 16/25 = 2/75. So with a = 1-γ, b = (1-γ)γ,
    c = γ²: E[Y] = (a + b) 2/3 + c 4/5 and Var(Y) = (a² + b²)/18 + c² 2/75.
    """
    a, b, c = 1 - gamma, (1 - gamma) * gamma, gamma**2
    mean = (a + b) * 2 / 3 + c * 4 / 5
    var = (a * a + b * b) / 18 + c * c * 2 / 75
    return 1 - var - mean**2


@pytest.mark.parametrize("gamma", [0.0, 0.12, 0.5, 1.0])
def test_crossroads_quadratic_cdf_optimality_probability(gamma):
    """Turner et al. (2021), the crossroads counterexample (arXiv v6, Sec. 6 and App. B.3):
    POWER-seeking (going right, toward a choice) need not be more probable under optimality.

    Closed form in :func:`up_probability_quadratic_cdf`: 1/2 at γ = 0, 1/3 at γ = 1, and
    0.50934... at γ = 0.12.

    Discrepancy: Turner's exposition prints "about 91%" for going up at γ = 0.12 with this
    distribution. Its own printed formula evaluates to 1 - E[Y²] = 0.5093 (derivation above;
    a 2e6-sample Monte Carlo of the formula gives 0.5095), and no γ in [0, 1] reaches 0.91:
    the probability is at most about 0.51, near γ = 0.2. So the printed 91% does not follow
    from the stated MDP, distribution and formula; up is still (slightly) more probable than
    right at γ = 0.12, which is the qualitative point, but not "the vast majority".
    """
    mdp = catalogue.crossroads()
    frame = P.optimality_probability(
        mdp, "s1", gamma, samples=40_000, rng=7, dist="beta:2,1"
    ).set_index("action")
    row = frame.loc["s2"]
    exact = up_probability_quadratic_cdf(gamma)
    assert abs(row.probability - exact) <= Z * row.stderr, (gamma, row.probability, exact)


def test_crossroads_closed_form_limits():
    """The closed form's limits: γ = 0 compares R(2) with R(3) (1/2); γ = 1 compares R(2) with
    the max of R(5), R(6) (1 - E[Beta(4,1)²] = 1 - 2/3 = 1/3); at γ = 0.12 it is 0.5093."""
    assert up_probability_quadratic_cdf(0.0) == pytest.approx(1 / 2)
    assert up_probability_quadratic_cdf(1.0) == pytest.approx(1 / 3)
    assert up_probability_quadratic_cdf(0.12) == pytest.approx(0.509345, abs=1e-6)
    grid = np.linspace(0, 1, 1001)
    assert max(up_probability_quadratic_cdf(g) for g in grid) < 0.52


@pytest.fixture(scope="module")
def roommates_power():
    return P.power(catalogue.roommates(), [0.0, 1.0], samples=40_000, rng=8)


def _check(frame, state, gamma, exact):
    row = frame[(frame.state == state) & np.isclose(frame.gamma, gamma)].iloc[0]
    assert abs(row.power - exact) <= Z * row.stderr + row.solver_error, (state, gamma, row.power)


def test_roommates_power_depends_on_gamma(roommates_power):
    """Turner et al. (2021), POWER depends on the discount rate (the "roommates" figure): as
    γ -> 0, POWER(s) = E[max of its successors' rewards], so POWER(2) = E[R(u)] = 1/2 <
    POWER(3) = E[max of 2] = 2/3 and down seeks POWER; as γ -> 1, POWER is the expected best
    reachable 1-cycle, so POWER(2) = E[max of 3] = 3/4 > POWER(3) = 2/3 and up seeks POWER,
    while staying at 1 keeps all six terminal options (1 itself and the five): E[max of 6] = 6/7.
    """
    _check(roommates_power, "s2", 0.0, 1 / 2)
    _check(roommates_power, "s3", 0.0, 2 / 3)
    _check(roommates_power, "s2", 1.0, 3 / 4)
    _check(roommates_power, "s3", 1.0, 2 / 3)
    _check(roommates_power, "s1", 1.0, 6 / 7)
