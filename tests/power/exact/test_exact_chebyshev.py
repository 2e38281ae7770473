"""The Chebyshev centre (Boyd & Vandenberghe 2004, Sec. 8.5.1) against closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlab.errors import InputError
from powerlab.power.exact import chebyshev_centre


def test_unit_cube_and_a_box():
    """No rows: the largest ball in [0,1]^n has radius 1/2 at the centre; in the box
    [lo, hi] = [0, 4] x [1, 2] the short side bounds it: radius 1/2, y = 3/2."""
    centre, radius = chebyshev_centre(np.zeros((0, 3)), np.zeros(0))
    assert radius == pytest.approx(0.5)
    assert np.allclose(centre, 0.5)
    centre, radius = chebyshev_centre(np.zeros((0, 2)), np.zeros(0), [0.0, 1.0], [4.0, 2.0])
    assert radius == pytest.approx(0.5)
    assert centre[1] == pytest.approx(1.5)
    assert 0.5 - 1e-9 <= centre[0] <= 3.5 + 1e-9


def test_corner_triangle_incircle():
    """{y in [0,1]^2 : y_1 + y_2 <= 1} is the right triangle with legs 1, whose incircle has
    radius (a + b - c)/2 = (2 - √2)/2 and centre (r, r). Scaling the row (2y_1 + 2y_2 <= 2)
    describes the same set, so the same ball."""
    r = (2 - math.sqrt(2)) / 2
    for k in (1.0, 2.0, 1e6):
        centre, radius = chebyshev_centre(np.array([[k, k]]), np.array([k]))
        assert radius == pytest.approx(r)
        assert np.allclose(centre, [r, r])


def test_empty_and_flat():
    """y_1 <= -1 misses the cube: None. y_1 <= 0 leaves the face y_1 = 0: radius 0."""
    assert chebyshev_centre(np.array([[1.0, 0.0]]), np.array([-1.0])) is None
    _centre, radius = chebyshev_centre(np.array([[1.0, 0.0]]), np.array([0.0]))
    assert radius == pytest.approx(0.0, abs=1e-12)


def test_shapes_are_checked():
    with pytest.raises(InputError, match="A must be"):
        chebyshev_centre(np.zeros((2, 3)), np.zeros(3))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_the_ball_fits_and_touches(seed):
    """Random cuts of [0,1]^3 through an interior point: the returned ball lies inside every
    halfspace and the cube, and touches some constraint (else a larger ball would fit)."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(4, 3))
    b = A @ rng.uniform(0.2, 0.8, size=3) + rng.uniform(0.0, 0.3, size=4)
    centre, radius = chebyshev_centre(A, b)
    slack = np.concatenate(
        [
            (b - A @ centre) / np.linalg.norm(A, axis=1) - radius,
            centre - radius,
            1 - centre - radius,
        ]
    )
    assert radius > 0
    assert slack.min() >= -1e-7
    assert slack.min() <= 1e-7
