"""Shared helper for the exact-integration tests: a polytope's exact geometry via Qhull."""

import numpy as np
import pytest


def geometry_of(cons, n):
    """Exact geometry of {y in [0,1]^n : a·y + b >= 0} from Qhull's vertices, or None when it
    has no interior point (Chebyshev radius below 1e-6)."""
    from scipy.optimize import linprog
    from scipy.spatial import HalfspaceIntersection

    from powerlab.power.exact.facets import polytope_geometry

    A = np.array([a for a, _ in cons], dtype=float).reshape(-1, n)
    b = np.array([float(b) for _, b in cons])
    norm = np.linalg.norm(A, axis=1)
    A, b = A / norm[:, None], b / norm  # unit rows: well scaled for the LP
    # Chebyshev centre: the interior point Qhull needs.
    res = linprog(
        np.r_[np.zeros(n), -1.0],
        A_ub=np.vstack(
            [
                np.c_[-A, np.ones(len(A))],
                np.c_[np.eye(n), np.ones(n)],
                np.c_[-np.eye(n), np.ones(n)],
            ]
        ),
        b_ub=np.r_[b, np.ones(n), np.zeros(n)],
        bounds=[(None, None)] * n + [(0, None)],
    )
    if res.status != 0 or res.x[-1] < 1e-6:
        return None
    H = np.vstack([np.c_[-A, -b], np.c_[np.eye(n), -np.ones(n)], np.c_[-np.eye(n), np.zeros(n)]])
    V = HalfspaceIntersection(H, res.x[:n]).intersections
    return polytope_geometry(cons, n, V)


@pytest.fixture
def geometry():
    """:func:`geometry_of`, for tests that build polytopes from constraints."""
    return geometry_of
