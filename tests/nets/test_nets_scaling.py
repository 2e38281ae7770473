"""Power-law fit: exact laws are recovered; the standard error follows the OLS formula."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlab.errors import InputError
from powerlab.nets.scaling import fit_power_law


@settings(max_examples=30, deadline=None)
@given(a=st.floats(0.01, 100), b=st.floats(-2, 2))
def test_exact_power_law_is_recovered(a, b):
    w = np.array([8, 16, 32, 64, 128])
    fit = fit_power_law(w, a * w**b)
    assert math.isclose(fit.exponent, b, abs_tol=1e-9)
    assert math.isclose(fit.prefactor, a, rel_tol=1e-8)
    assert fit.stderr < 1e-8


def test_stderr_known_answer():
    # log y = b log w + r with residuals r = (+d, -d, +d, -d) at u = log w = 0, 1, 2, 3 (w = e^u):
    # by hand: Sxx = Σ(u - 3/2)² = 5, Σ(u - 3/2)·r = -2d, so b̂ = b - 2d/5.
    d = 0.1
    u = np.arange(4.0)
    r = np.array([d, -d, d, -d])
    fit = fit_power_law(np.exp(u), np.exp(-0.5 * u + r))
    assert math.isclose(fit.exponent, -0.5 - 2 * d / 5, abs_tol=1e-12)
    resid = r - (-2 * d / 5) * (u - 1.5)  # residuals after the fit (intercept absorbs the mean)
    resid -= resid.mean()
    se = math.sqrt((resid @ resid) / 2 / 5)
    assert math.isclose(fit.stderr, se, rel_tol=1e-9)
    lo, hi = fit.ci95
    assert math.isclose((hi - lo) / 2, 4.302652729911275 * se, rel_tol=1e-6)  # t_{0.975, 2}


def test_two_points_have_no_stderr_and_bad_input_raises():
    fit = fit_power_law([1, 4], [1.0, 0.5])
    assert math.isclose(fit.exponent, -0.5) and fit.stderr is None
    with pytest.raises(InputError, match="distinct"):
        fit_power_law([2, 2], [1.0, 2.0])
    with pytest.raises(InputError, match="positive"):
        fit_power_law([1, 2], [1.0, 0.0])
