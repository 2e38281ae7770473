"""The compiled backend (``_faces.cpp``: enumeration and face recursion) against the Python
fallback (Qhull's vertices certified in rationals, the face recursion in ``lattice``)."""

import itertools
import os
from fractions import Fraction as Fr

import numpy as np
import pytest

from powerlab.errors import InputError
from powerlab.power.exact import Budget, integrate_polytope
from powerlab.power.exact import facets as F
from powerlab.power.exact import qhull as Qh
from powerlab.power.exact._linalg import solve_exact

needs_native = pytest.mark.skipif(not F.NATIVE, reason="compiled face recursion not built")
if F.NATIVE:
    from powerlab.power.exact import compiled as C


def test_compiled_recursion_is_built():
    """`make` builds the extension (GMP is on every machine here); a silent fallback to the
    ten-times-slower Python recursion would miss the 10-state target, so it must be asked for."""
    if os.environ.get("POWERLAB_PURE_PYTHON") == "1":
        pytest.skip("pure-Python exact mode requested")
    assert F.NATIVE


def _random_polytopes(geometry, seed, count, dims=(2, 7)):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        n = int(rng.integers(*dims))
        cons = []
        for _ in range(int(rng.integers(1, 7))):
            a = tuple(int(x) for x in rng.integers(-5, 6, size=n))
            if any(a):
                cons.append((a, int(rng.integers(-4, 5)) if rng.random() < 0.6 else 0))
        if cons and (geo := geometry(cons, n)) is not None:
            out.append((cons, n, geo))
    return out


@needs_native
@pytest.mark.parametrize("seed", [0, 1])
def test_compiled_agrees_with_python_on_random_polytopes(seed, geometry):
    """Random polytopes in 2-6 dimensions with affine cuts: the compiled recursion's volume and
    moments are exactly the Python recursion's, with and without moments, and both equal the
    plain recursion over constraints (no vertices)."""
    for cons, n, geo in _random_polytopes(geometry, seed, 20):
        native = C.COMPILED.integrate(geo)
        python = F.PYTHON.integrate(geo)
        assert native == python
        assert C.COMPILED.integrate(geo, moments=False)[0] == python[0]
        vol, mom = integrate_polytope(cons, n)
        assert (Fr(native[0]), tuple(Fr(x) for x in native[1])) == (vol, mom)


@needs_native
def test_compiled_shared_memo_tiles_the_cube(geometry):
    """The regions of max(c_i·y) over [0,1]^5, integrated with one compiled memo shared through
    global vertex numbers, give each region's stand-alone numbers and tile the cube exactly."""
    n = 5
    c = [(1, 1, 0, 0, 0), (0, 0, 1, 2, 0), (2, 0, 0, 1, 1), (0, 1, 1, 0, 2)]
    memo, ids = C.COMPILED.new_memo(), {}
    vols, moms = [], []
    for i in range(len(c)):
        cons = [
            (tuple(x - y for x, y in zip(c[i], c[j], strict=True)), 0)
            for j in range(len(c))
            if j != i
        ]
        geo = geometry(cons, n)
        number = [ids.setdefault(p, len(ids)) for p in geo.points]
        shared = C.COMPILED.integrate(geo, memo=memo, ids=number)
        assert shared == F.PYTHON.integrate(geo)
        vols.append(shared[0])
        moms.append(shared[1])
    assert sum(vols) == 1
    assert all(sum(m[j] for m in moms) == Fr(1, 2) for j in range(n))


@needs_native
def test_compiled_handles_integers_beyond_64_bits(geometry):
    """The cube cut by α y_0 + β y_1 <= c with α = 2^70 + 1, β = 2^70, c = 3·2^69 (vertex
    denominators beyond int64): the corner triangle at (1, 1) with legs 1 - y0*, 1 - y1*
    (y0* = (c - β)/α, y1* = (c - α)/β) is cut off, so vol = 1 - (1 - y0*)(1 - y1*)/2; both
    recursions give exactly that."""
    alpha, beta, c = 2**70 + 1, 2**70, 3 * 2**69
    geo = geometry([((-alpha, -beta, 0), c)], 3)
    assert geo is not None
    native = C.COMPILED.integrate(geo)
    assert native == F.PYTHON.integrate(geo)
    y0, y1 = Fr(c - beta, alpha), Fr(c - alpha, beta)
    assert Fr(native[0]) == 1 - (1 - y0) * (1 - y1) / 2
    assert max(Fr(x).denominator for p in geo.points for x in p) > 2**64


def test_solve_tight_matches_gauss_jordan():
    """Exact intersection points of random integer systems (some singular or inconsistent),
    by the fraction-free elimination the Qhull certification uses and by Gauss-Jordan
    elimination in fractions (``solve_exact``), including entries beyond int64. The
    elimination reads the rows in order up to the first k whose coefficients have rank n:
    it returns a point iff there is such a k and rows[:k] are consistent, and then the
    point solving them, which satisfies every one of them exactly."""
    rng = np.random.default_rng(3)
    for trial in range(200):
        n = int(rng.integers(1, 6))
        m = int(rng.integers(n - 1 if n > 1 else 1, n + 3))
        scale = 2**80 if trial % 7 == 0 else 1
        rows = [
            (tuple(int(x) * scale for x in rng.integers(-3, 4, size=n)), int(rng.integers(-5, 6)))
            for _ in range(m)
        ]
        point = Qh._solve_tight(rows, n)
        coef = np.array([a for a, _ in rows], dtype=float).reshape(m, n)
        k = next((k for k in range(1, m + 1) if np.linalg.matrix_rank(coef[:k]) == n), None)
        if k is None:
            assert point is None
            continue
        reference = solve_exact(
            [[Fr(x) for x in a] for a, _ in rows[:k]], [Fr(-b) for _, b in rows[:k]]
        )
        assert (None if point is None else tuple(Fr(x) for x in point)) == (
            None if reference is None else tuple(reference)
        )
        if point is not None:
            for a, b in rows[:k]:
                assert sum(Fr(int(x)) * Fr(y) for x, y in zip(a, point, strict=True)) + b == 0


@needs_native
def test_compiled_respects_budget(geometry):
    """The compiled recursion stops with the same one-line errors as the Python one."""
    cons = [((1, 1, -1, -1, 1), 0), ((1, -1, 1, -1, 0), 0), ((0, 1, 1, -2, 1), 1)]
    geo = geometry(cons, 5)
    with pytest.raises(InputError, match="limit of 3 faces"):
        C.COMPILED.integrate(geo, budget=Budget(max_faces=3))
    with pytest.raises(InputError, match="time limit"):
        C.COMPILED.integrate(geo, budget=Budget(seconds=0.0))


def test_incidences_are_exact_beyond_64_bits():
    """Exact tight/violated decisions for random rows and rational points, entries beyond
    int64 (Python integers) and within it (int64): bit i of mask k is set iff
    a_k·num_i + b_k·den_i == 0; None iff some is < 0."""
    rng = np.random.default_rng(11)
    for trial in range(60):
        n, m, V = int(rng.integers(1, 5)), int(rng.integers(1, 6)), int(rng.integers(1, 70))
        big = 2**70 if trial % 2 else 1
        low = -2 if trial % 3 == 0 else 0  # some trials with violations
        rows = [
            (tuple(int(x) * big for x in rng.integers(low, 3, size=n)), int(rng.integers(0, 3)))
            for _ in range(m)
        ]
        pts = [
            (tuple(int(x) for x in rng.integers(0, 3, size=n)), int(rng.integers(1, 3)))
            for _ in range(V)
        ]
        slack = [
            [sum(a * x for a, x in zip(r[0], num, strict=True)) + r[1] * den for num, den in pts]
            for r in rows
        ]
        # the float slacks polytope_geometry passes: rows scaled to max |entry| = 1
        scale = [max(1, *(abs(x) for x in a)) for a, _ in rows]
        approx = np.array(
            [
                [s / (k * den) for s, (_, den) in zip(row, pts, strict=True)]
                for row, k in zip(slack, scale, strict=True)
            ]
        )
        masks = Qh._incidence_masks(rows, pts, approx)
        if any(s < 0 for row in slack for s in row):
            assert masks is None
            continue
        for k, row in enumerate(slack):
            assert masks[k] == sum(1 << i for i, s in enumerate(row) if s == 0)


# --- the exact double-description enumeration (``_faces.vertices``, ``enumerated_geometry``) ---


def _cube_rows(n):
    rows = []
    for j in range(n):
        rows.append((tuple(int(i == j) for i in range(n)), 0))
        rows.append((tuple(-int(i == j) for i in range(n)), 1))
    return rows


def _flat(rows):
    return [x for a, b in rows for x in (*a, b)]


def _vertex_set(geo):
    return {tuple(Fr(int(x.numerator), int(x.denominator)) for x in p) for p in geo.points}


@needs_native
@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_enumeration_of_the_cube_and_the_simplex(n):
    """The unit cube has the 2^n vertices {0,1}^n; cut by sum(y) <= 1 it is the standard simplex
    with the n + 1 vertices 0, e_1, ..., e_n. Each of its n + 1 facets holds n of them, and
    the cube's row y_j <= 1 touches it only at e_j."""
    cube = C.enumerated_geometry([], n)
    assert _vertex_set(cube) == set(itertools.product((Fr(0), Fr(1)), repeat=n))
    simplex = C.enumerated_geometry([((-1,) * n, 1)], n)
    expected = {tuple(Fr(int(i == j)) for i in range(n)) for j in range(-1, n)}
    assert _vertex_set(simplex) == expected
    sizes = [1] * n + [n] * (n + 1) if n > 1 else [1, 1]
    assert sorted(bin(m).count("1") for m in simplex.masks) == sizes


@needs_native
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_enumeration_matches_qhull_and_the_plain_recursion(seed, geometry):
    """Random polytopes in 2-6 dimensions: the enumerated vertices are exactly the ones Qhull
    proposes (re-solved in rationals), with or without an interior point to order the rows by,
    and the face recursion over the enumerated incidences gives the plain recursion's volume
    and moments (which needs no vertices at all)."""
    for cons, n, geo in _random_polytopes(geometry, seed, 25):
        plain = C.enumerated_geometry(cons, n)
        centred = C.enumerated_geometry(cons, n, centre=np.mean(np.array(geo.points, float), 0))
        assert _vertex_set(plain) == _vertex_set(centred) == _vertex_set(geo)
        vol, mom = integrate_polytope(cons, n)
        for g in (plain, centred):
            v, m = C.COMPILED.integrate(g)
            assert (Fr(v), tuple(Fr(x) for x in m)) == (vol, mom)


@needs_native
def test_enumeration_is_exact_beyond_64_bits():
    """The cut α y_0 + β y_1 <= c (α = 2^70 + 1, β = 2^70, c = 3·2^69) meets the cube's
    edges y_1 = 1 and y_0 = 1 at y_0* = (c - β)/α and y_1* = (c - α)/β, whose denominators
    exceed 2^64; the enumeration returns exactly those points (times {0,1} in y_2)."""
    alpha, beta, c = 2**70 + 1, 2**70, 3 * 2**69
    geo = C.enumerated_geometry([((-alpha, -beta, 0), c)], 3)
    y0, y1 = Fr(c - beta, alpha), Fr(c - alpha, beta)
    corners = [(0, 0), (1, 0), (0, 1), (y0, 1), (1, y1)]
    assert _vertex_set(geo) == {(Fr(a), Fr(b), Fr(z)) for a, b in corners for z in (0, 1)}


@needs_native
def test_enumeration_of_a_lower_dimensional_face():
    """{y in [0,1]^4 : y_0 + y_1 <= 0} is the face y_0 = y_1 = 0: a square, 4 vertices."""
    geo = C.enumerated_geometry([((-1, -1, 0, 0), 0)], 4)
    assert _vertex_set(geo) == {(Fr(0), Fr(0), Fr(a), Fr(b)) for a in (0, 1) for b in (0, 1)}


@needs_native
def test_enumeration_refusals():
    """Empty polytope: None. Too many vertices held at once: None. Past the deadline: "time",
    and the budget's one-line error from ``enumerated_geometry``. Rows without y_j >= 0, or
    that do not bound a polytope: ValueError naming the problem."""
    assert C.enumerated_geometry([((1, 0), -2)], 2) is None
    assert C._faces.vertices(5, _flat(_cube_rows(5)), 4, None) is None
    assert C._faces.vertices(10, _flat(_cube_rows(10)), 10**6, 0.0) == "time"
    with pytest.raises(InputError, match="time limit"):
        C.enumerated_geometry([], 12, budget=Budget(seconds=0.0))
    with pytest.raises(ValueError, match="y_j >= 0"):
        C._faces.vertices(3, _flat([((1, 0, 0), 0), ((0, 1, 0), 0)]), 10, None)
    with pytest.raises(ValueError, match="do not bound a polytope"):
        C._faces.vertices(2, _flat([((1, 0), 0), ((0, 1), 0), ((-1, 0), 1)]), 10, None)
