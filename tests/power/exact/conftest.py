"""The exact-integration tests' oracle: a polytope's exact geometry from Qhull's vertices, and the
vertex-pruned integration built on it (the product integrates regions through
``powerlab.power.exact.facets.BACKEND``; these wrappers exist for the tests only)."""

import numpy as np
import pytest

from powerlab.power.exact._rational import to_fraction
from powerlab.power.exact.chebyshev import chebyshev_centre
from powerlab.power.exact.facets import BACKEND
from powerlab.power.exact.qhull import polytope_geometry


def geometry_of(cons, n):
    """Exact geometry of {y in [0,1]^n : a·y + b >= 0} from Qhull's vertices, or None when it
    has no interior point (Chebyshev radius below 1e-6)."""
    from scipy.spatial import HalfspaceIntersection

    A = np.array([a for a, _ in cons], dtype=float).reshape(-1, n)
    b = np.array([float(b) for _, b in cons])
    ball = chebyshev_centre(-A, b)  # the interior point Qhull needs
    if ball is None or ball[1] < 1e-6:
        return None
    norm = np.linalg.norm(A, axis=1)
    A, b = A / norm[:, None], b / norm
    H = np.vstack([np.c_[-A, -b], np.c_[np.eye(n), -np.ones(n)], np.c_[-np.eye(n), np.zeros(n)]])
    V = HalfspaceIntersection(H, ball[0]).intersections
    return polytope_geometry(cons, n, V)


def exact_vertices(constraints, n, approx):
    """Exact vertices of {y in [0,1]^n : a·y + b >= 0} from approximate ones ``[V, n]``
    (``polytope_geometry``), sorted, as fractions; None if they cannot be certified."""
    geo = polytope_geometry(constraints, n, approx)
    if geo is None:
        return None
    return [tuple(to_fraction(c) for c in p) for p in geo.points]


def integrate_with_vertices(constraints, n, vertices, budget=None, moments=True):
    """``(volume, ∫_P y dy [n])`` of the polytope by the face-lattice recursion (the default
    backend's), given every vertex exactly (``exact_vertices``)."""
    approx = np.array([[float(c) for c in v] for v in vertices], dtype=np.float64)
    geo = polytope_geometry(constraints, n, approx.reshape(-1, n))
    if geo is None:
        raise ValueError("integrate_with_vertices: the vertices do not fit the constraints")
    vol, mom = BACKEND.integrate(geo, budget, moments)
    return to_fraction(vol), tuple(to_fraction(m) for m in mom)


@pytest.fixture(scope="session")
def geometry():
    """:func:`geometry_of`, for tests that build polytopes from constraints."""
    return geometry_of


@pytest.fixture(scope="session")
def oracle():
    """The vertex-pruned integration (:func:`exact_vertices`, :func:`integrate_with_vertices`)."""
    return exact_vertices, integrate_with_vertices
