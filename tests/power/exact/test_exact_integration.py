"""The exact integrator against closed-form volumes, and its two recursions against each other."""

from fractions import Fraction as Fr
from math import factorial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue import random_deterministic
from powerlab.errors import InputError
from powerlab.power.exact import Budget, cube_regions, integrate_polytope


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_corner_simplex(n):
    """{y ∈ [0,1]^n : Σ y <= 1} is the standard simplex: volume 1/n!, ∫ y_j = 1/(n+1)!."""
    vol, mom = integrate_polytope([(tuple([-1] * n), 1)], n)
    assert vol == Fr(1, factorial(n))
    assert mom == (Fr(1, factorial(n + 1)),) * n


def test_irwin_hall_half():
    """P(y1 + y2 + y3 <= 3/2) = 1/2 by symmetry; with t = 1/2 it is (1/2)^3/3! = 1/48."""
    assert integrate_polytope([((-2, -2, -2), 3)], 3)[0] == Fr(1, 2)
    assert integrate_polytope([((-2, -2, -2), 1)], 3)[0] == Fr(1, 48)


def test_empty_and_unconstrained():
    assert integrate_polytope([((0, 0), -1)], 2)[0] == 0
    assert integrate_polytope([], 4) == (Fr(1), (Fr(1, 2),) * 4)


def test_expected_max_of_uniforms():
    """E[max of k iid uniforms] = k/(k+1), from the regions of the k coordinate functionals."""
    for k in (2, 3, 4):
        keys = [[tuple(Fr(int(i == j)) for j in range(k))] for i in range(k)]
        regions = cube_regions(keys)
        assert all(r is not None and r[0] == Fr(1, k) for r in regions)
        e_max = sum(r[1][i] for i, r in enumerate(regions))
        assert e_max == Fr(k, k + 1)


def test_dominated_candidate_is_certified_null():
    """(1/2, 1/2) <= max(y1, y2) everywhere: its region is null and the others share the cube."""
    keys = [[(Fr(1), Fr(0))], [(Fr(0), Fr(1))], [(Fr(1, 2), Fr(1, 2))]]
    regions = cube_regions(keys)
    assert regions[2] is None
    assert regions[0][0] == regions[1][0] == Fr(1, 2)


def test_budget_refuses():
    with pytest.raises(InputError, match="Monte Carlo"):
        integrate_polytope([((1, 1, -1, -1), 0), ((1, -1, 1, -1), 0)], 4, Budget(max_faces=2))


@given(
    st.lists(st.lists(st.integers(-3, 3), min_size=3, max_size=3), min_size=1, max_size=4),
    st.integers(0, 2**31 - 1),
)
def test_vertex_pruned_recursion_agrees(oracle, rows, seed):
    """The facet-only recursion gives the same exact numbers as the plain one on random cones."""
    cons = [(tuple(r), 0) for r in rows if any(r)]
    n = 3
    rng = np.random.default_rng(seed)
    pts = rng.random((4000, n))
    A = np.array([a for a, _ in cons], dtype=float).reshape(-1, n)
    inside = pts[np.all(pts @ A.T > 1e-3, axis=1)] if len(cons) else pts
    plain = integrate_polytope(cons, n)
    if len(inside) == 0:
        return
    from scipy.spatial import HalfspaceIntersection

    H = np.vstack(
        [
            np.hstack([-A, np.zeros((len(A), 1))]),
            np.hstack([np.eye(n), -np.ones((n, 1))]),
            np.hstack([-np.eye(n), np.zeros((n, 1))]),
        ]
    )
    V = HalfspaceIntersection(H, inside[0]).intersections
    exact_vertices, integrate_with_vertices = oracle
    verts = exact_vertices(cons, n, V)
    assert verts is not None
    assert integrate_with_vertices(cons, n, verts) == plain


def test_parallel_regions_agree_with_serial():
    """Integrating regions in two worker processes gives exactly the serial numbers."""
    from powerlab.power.exact import nondominated

    keys = [[f.at(Fr(1, 2))] for f in nondominated(random_deterministic(5, 7, out_degree=3), 0)]
    serial = cube_regions(keys, workers=1)
    assert cube_regions(keys, workers=2) == serial
    assert sum(r[0] for r in serial if r is not None) == 1


def test_qhull_fallback_agrees_with_the_enumeration(monkeypatch):
    """Without the compiled extension, regions get their vertices from Qhull (re-solved in
    rationals) instead of the exact enumeration: the regions' volumes and moments are
    exactly the same, on the non-dominated visit distributions of a 7-state MDP."""
    from powerlab.power.exact import facets, nondominated
    from powerlab.power.exact import regions as R

    if not facets.NATIVE:
        pytest.skip("compiled extension not built: the fallback is the only path")
    mdp = random_deterministic(8, 7, out_degree=3)
    keys = [[f.at(Fr(9, 10))] for f in nondominated(mdp, 0)]
    assert len(keys) >= 10
    enumerated = cube_regions(keys, workers=1)
    monkeypatch.setattr(R, "BACKEND", facets.PYTHON)
    assert cube_regions(keys, workers=1) == enumerated


def test_shared_face_cache_agrees_and_tiles(geometry):
    """Three cones tiling [0,1]^4, integrated with one shared face cache: the same exact numbers
    as integrating each alone, volumes summing to 1 and moments to 1/2 (the cube's)."""
    from powerlab.power.exact.facets import BACKEND, PYTHON

    n = 4
    # Regions of max(y1 + y2, y3 + 2 y4, 2 y1 + y4): pairwise differences as constraints.
    c = [(1, 1, 0, 0), (0, 0, 1, 2), (2, 0, 0, 1)]
    geos = []
    for i in range(3):
        cons = [
            (tuple(x - y for x, y in zip(c[i], c[j], strict=True)), 0) for j in range(3) if j != i
        ]
        geos.append(geometry(cons, n))
    memo, ids = {}, {}
    shared = []
    alone = []
    for geo in geos:
        number = [ids.setdefault(p, len(ids)) for p in geo.points]
        shared.append(PYTHON.integrate(geo, memo=memo, ids=number))
        alone.append(BACKEND.integrate(geo))
        assert BACKEND.integrate(geo, moments=False)[0] == alone[-1][0]
    assert shared == alone
    assert sum(v for v, _ in shared) == 1
    assert all(sum(m[j] for _, m in shared) == Fr(1, 2) for j in range(n))
    plain = [
        integrate_polytope(
            [
                (tuple(x - y for x, y in zip(c[i], c[j], strict=True)), 0)
                for j in range(3)
                if j != i
            ],
            n,
        )
        for i in range(3)
    ]
    assert [(Fr(v), tuple(Fr(x) for x in m)) for v, m in shared] == plain


@pytest.mark.parametrize("seed", [0, 1])
def test_face_lattice_agrees_with_plain_on_random_polytopes(seed, geometry, oracle):
    """Random polytopes in 2-5 dimensions with affine cuts (b != 0, so no common centre): the
    face-lattice recursion gives exactly the plain recursion's volume and moments."""
    exact_vertices, integrate_with_vertices = oracle
    rng = np.random.default_rng(seed)
    checked = 0
    while checked < 25:
        n = int(rng.integers(2, 6))
        cons = []
        for _ in range(int(rng.integers(1, 6))):
            a = tuple(int(x) for x in rng.integers(-4, 5, size=n))
            if any(a):
                cons.append((a, int(rng.integers(-3, 4)) if rng.random() < 0.6 else 0))
        if not cons:
            continue
        geo = geometry(cons, n)
        if geo is None:  # no interior point, or vertices Qhull could not certify
            continue
        verts = exact_vertices(cons, n, np.array([[float(c) for c in p] for p in geo.points]))
        assert integrate_with_vertices(cons, n, verts) == integrate_polytope(cons, n)
        checked += 1
