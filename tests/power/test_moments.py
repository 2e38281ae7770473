"""The one Monte Carlo estimator: summaries (n, mean, M2) combine to the statistics of one run
(Chan, Golub & LeVeque 1979, eq. 2.1), with one standard-error convention, s/sqrt(n) with the
n-1 divisor, for POWER, optimality probability and the sweeps alike (the sweeps' agreement is
tests/sweep/test_sweep_moments.py)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerlab.errors import InputError
from powerlab.power.moments import Moments, batch_size, combine_all, moments_of


def test_known_answer_two_points() -> None:
    # x = (0, 1): mean 1/2, M2 = 1/2, s^2 = 1/2, stderr = sqrt(1/2 / 2) = 1/2.
    m = moments_of(np.array([[0.0], [1.0]]))
    assert m.n == 2
    assert m.mean[0] == 0.5 and m.m2[0] == 0.5 and m.stderr[0] == 0.5


def test_combining_two_singletons_gives_the_pair() -> None:
    m = moments_of(np.array([[0.0]])).combine(moments_of(np.array([[1.0]])))
    assert (m.n, m.mean[0], m.m2[0]) == (2, 0.5, 0.5)


def test_empty_summary_is_the_identity() -> None:
    a = moments_of(np.array([[1.0, 2.0], [3.0, 5.0]]))
    empty = Moments(0, np.zeros(2), np.zeros(2))
    assert empty.combine(a) is a and a.combine(empty) is a
    assert Moments.empty().combine(a) is a


def test_indicator_stderr_is_the_sample_one() -> None:
    # 3 hits in 4 draws: p = 3/4, M2 = n p (1-p) = 3/4, SE = sqrt(p(1-p)/(n-1)) = sqrt(1/16) = 1/4.
    m = moments_of(np.array([[1.0], [1.0], [1.0], [0.0]]))
    assert m.mean[0] == 0.75 and m.m2[0] == 0.75 and m.stderr[0] == 0.25


def test_bad_shapes_and_nothing_to_combine_are_input_errors() -> None:
    with pytest.raises(InputError, match=r"\[n, I\]"):
        moments_of(np.zeros(3))
    with pytest.raises(InputError, match="nothing to combine"):
        combine_all([])


def test_batch_size_rule() -> None:
    # 8 bytes x S x (6 + 2A) per sample: S = 10, A = 2 gives 800 bytes, so 2**20 bytes hold
    # 1310 samples; without the per-action arrays 480 bytes, 2184 samples. Capped by the limit.
    assert batch_size(10, 2, 10**9, 2**20) == 1310
    assert batch_size(10, 2, 10**9, 2**20, per_action=False) == 2184
    assert batch_size(10, 2, 100, 2**20) == 100
    assert batch_size(10**6, 100, 10, 1.0) == 1


def test_stderr_needs_two_samples() -> None:
    assert np.isnan(moments_of(np.array([[1.0]])).stderr[0])


@given(
    data=st.lists(
        st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=2, max_size=60
    ),
    cuts=st.lists(st.integers(min_value=1, max_value=59), max_size=6),
    shift=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
def test_split_and_combine_equals_one_pass(
    data: list[float], cuts: list[int], shift: float
) -> None:
    x = np.array(data)[:, None] + shift
    bounds = sorted({c for c in cuts if c < len(data)})
    parts = np.split(x, bounds)
    combined = combine_all(moments_of(p) for p in parts)
    whole = moments_of(x)
    scale = 1.0 + np.abs(x).max()
    assert combined.n == whole.n
    np.testing.assert_allclose(combined.mean, whole.mean, rtol=1e-12, atol=1e-12 * scale)
    np.testing.assert_allclose(combined.m2, whole.m2, rtol=1e-9, atol=1e-9 * scale**2)
    np.testing.assert_allclose(
        combined.stderr, np.std(x, ddof=1, axis=0) / np.sqrt(len(x)), rtol=1e-6, atol=1e-9 * scale
    )
