"""The generalized Laplace rule: closed forms derived in powerlab.forecast.laplace's docstring."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlab.errors import InputError
from powerlab.forecast import (
    anchor_ftp,
    calendar_rule,
    ftp_compute,
    hyper_prior,
    impossible_rule,
    next_trial_probability,
    next_trial_probability_exact,
    pr_success_within,
    pr_success_within_exact,
    virtual_failures,
)

ftps = st.fractions(min_value=Fraction(1, 5000), max_value=Fraction(4999, 5000))
vss = st.fractions(min_value=Fraction(1, 10), max_value=Fraction(10))
counts = st.integers(min_value=0, max_value=200)


def test_laplace_rule_of_succession() -> None:
    """ftp = 1/2, 1 VS is Laplace's rule: Pr(success at n+1 | n failures) = 1/(n + 2)."""
    for n in range(50):
        assert next_trial_probability_exact(Fraction(1, 2), Fraction(1), n) == Fraction(1, n + 2)


def test_first_trial_probability_is_ftp() -> None:
    for ftp in (0.5, 1 / 300, 0.9):
        for vs in (0.1, 1.0, 7.0):
            assert next_trial_probability(ftp, vs, 0) == pytest.approx(ftp, rel=1e-14)
            assert pr_success_within(ftp, vs, 0, 1) == pytest.approx(ftp, rel=1e-7)


@settings(max_examples=60, deadline=None)
@given(ftps, counts, counts)
def test_one_virtual_success_telescopes(ftp: Fraction, n: int, k: int) -> None:
    """α = 1: Pr(success within k | n) = k / (1/ftp − 1 + n + k)."""
    want = Fraction(k) / (1 / ftp - 1 + n + k)
    assert pr_success_within_exact(ftp, Fraction(1), n, k) == want
    assert pr_success_within(float(ftp), 1.0, n, k) == pytest.approx(float(want), abs=1e-10)


@settings(max_examples=60, deadline=None)
@given(ftps, vss, st.integers(0, 60), st.integers(0, 60))
def test_beta_form_equals_product(ftp: Fraction, vs: Fraction, n: int, k: int) -> None:
    """B(α, β+n+k)/B(α, β+n) = ∏ (β+i)/(α+β+i): float and exact agree."""
    exact = pr_success_within_exact(ftp, vs, n, k)
    assert pr_success_within(float(ftp), float(vs), n, k) == pytest.approx(float(exact), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(ftps, vss, st.integers(0, 100), st.integers(0, 50), st.integers(0, 50))
def test_chain_rule(ftp: Fraction, vs: Fraction, n: int, k1: int, k2: int) -> None:
    """P(no success in k1+k2 | n) = P(none in k1 | n) · P(none in k2 | n + k1)."""
    f, v = float(ftp), float(vs)
    lhs = 1 - pr_success_within(f, v, n, k1 + k2)
    rhs = (1 - pr_success_within(f, v, n, k1)) * (1 - pr_success_within(f, v, n + k1, k2))
    assert lhs == pytest.approx(rhs, rel=1e-9)


def test_virtual_failures() -> None:
    assert virtual_failures(Fraction(1, 300), Fraction(1)) == 299
    assert virtual_failures(Fraction(1, 100), Fraction(1, 2)) == Fraction(99, 2)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_bad_first_trial_probability(bad: float) -> None:
    with pytest.raises(InputError, match="first-trial probability"):
        calendar_rule(bad)


def test_bad_virtual_successes() -> None:
    with pytest.raises(InputError, match="virtual successes"):
        pr_success_within(0.1, 0.0, 0, 1)
    with pytest.raises(InputError, match="failures"):
        pr_success_within(0.1, 1.0, -1, 1)


def test_compute_calibration_closed_form() -> None:
    """α = 1: X/(β_c + 5 + X) = 1/(β_r + 6)  ⇒  β_c = X(β_r + 5) − 5."""
    for ftp_res in (1 / 50, 1 / 300, 1 / 2000):
        for x in (1, 5, 10):
            beta_r = 1 / ftp_res - 1
            want = 1 / (x * (beta_r + 5) - 5 + 1)
            assert ftp_compute(ftp_res, x) == pytest.approx(want, rel=1e-7)


def test_anchor_closed_form() -> None:
    """α = 1: N/(β + N) = 1/2 ⇒ β = N ⇒ ftp = 1/(N + 1)."""
    for n in (10.0, 777.0, 4605.2):
        assert anchor_ftp(n) == pytest.approx(1 / (n + 1), rel=1e-9)


def test_impossible_rule_gains_weight() -> None:
    """Sec. 7.3: failures make "AGI impossible" more probable, never less."""
    hp = hyper_prior([impossible_rule(), calendar_rule(1 / 100)], [0.5, 0.5])
    assert hp.posterior[0] > 0.5
    assert hp.pr_agi(2036) < hp.pr_agi(2036, updated=False)
    assert impossible_rule().pr_agi(2100) == 0.0


def test_regime_start_after_observation() -> None:
    with pytest.raises(InputError, match="start"):
        calendar_rule(0.01, 1, 2030)
