r"""Lasserre's recursion over a polytope's face lattice, from its exact vertices.

Same polytope and formulas as :mod:`.polytope`, for
:math:`P = \{y \in [0,1]^n : a_k^\top y + b_k \ge 0\}`: with any point p of a d-dimensional
face G (here one of G's vertices), and its facets F,

.. math:: \operatorname{vol}_d(G) = \frac1d \sum_{F \not\ni p} h_F(p)\,\operatorname{vol}_{d-1}(F),
          \qquad \int_G y = \frac{1}{d+1}\Big(\sum_{F \not\ni p} h_F(p) \int_F y
          + p \operatorname{vol}_d(G)\Big),

(Lasserre 1983), facets through p having h = 0. What this module adds, given every vertex of P
exactly (:func:`enumerated_geometry`, an exact double-description enumeration in the compiled
extension; or, without it, :func:`polytope_geometry`, from Qhull's approximate vertices
re-solved and checked in rationals):

* **Faces are vertex sets.** A face is a bitmask of the vertices on it; each constraint's
  incidence with the vertices is precomputed, and the facets of a face G are the
  inclusion-maximal proper nonempty sets :math:`V_G \cap \{v : a_k^\top v + b_k = 0\}`. Empty
  and lower-dimensional intersections, most of a plain recursion's work, are never visited.
* **The centre p** of each face is the vertex lying on the most of its facets (counted for all
  vertices at once with bit-sliced counters), so the most terms vanish.
* **Lazy parametrisation.** A face G of dimension d is integrated in its own coordinates
  :math:`y_J`, the d coordinates left free once the pivot variables of its affine hull are
  eliminated; the others are affine in them, :math:`y_e = c_e + M_e y_J`. Only the hyperplane of
  each facet actually recursed into is restricted to G (one row, not every constraint), and the
  facet's parametrisation follows by eliminating the first free variable m of that row. The
  pivot set is canonical (the leading positions of the equations' row space), so a face's
  projected volume and moments do not depend on the route by which it was reached, and one
  memo (keyed by vertex set) serves every route, and every polytope of a subdivision when the
  caller shares it (see ``ids`` in :func:`integrate_faces`).
* **Projected measure.** Volumes are measured in :math:`y_J`; the distance h times the facet's
  volume becomes the rational :math:`(\tilde a^\top p_J + \tilde b)/|\tilde a_m|` times the
  facet's projected volume, where :math:`(\tilde a, \tilde b)` is the facet's hyperplane in
  G's coordinates. The moment of the eliminated coordinate is read off the hyperplane.
* **Polygons** (d = 2) are fanned into triangles from p, using vertex coordinates only.

If the vertex list were incomplete the result could be wrong; :mod:`.regions` therefore checks
the exact tiling identities and falls back to the plain recursion when they fail.

**Compiled recursion.** The same recursion is compiled in ``_faces.cpp`` (GMP rationals; a
face's parametrisation kept as integer rows over one common denominator, which leaves every
height ratio unchanged), about three times faster than this module's Python version, which
:func:`integrate_faces` uses only when the extension was not built (``NATIVE`` is False) or
when asked to (``native=False``; the tests compare the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd, lcm
from typing import Any

import numpy as np

from powerlab.power.exact._rational import Q, to_fraction
from powerlab.power.exact.polytope import (
    Budget,
    Constraint,
    normalize,
    unit_box,
)

try:
    from powerlab.power.exact import _faces  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - the extension is optional
    _faces = None

__all__ = [
    "NATIVE",
    "FaceMemo",
    "Geometry",
    "enumerated_geometry",
    "exact_vertices",
    "integrate_faces",
    "integrate_with_vertices",
    "new_memo",
    "polytope_geometry",
]

NATIVE = _faces is not None  # the compiled recursion is available

# A face's result: its projected volume and its moments over its own free coordinates.
FaceResult = tuple[Any, list[Any] | None]
# A face memo: a dict for the Python recursion, or an opaque handle of the compiled one.
FaceMemo = Any

# Float slacks farther than this from 0 (rows scaled to max |a_j| = 1, points in [0, 1]^n)
# decide a sign without exact arithmetic: float64 round-off on such dot products of at most
# a few dozen terms is below 1e-14.
_SURE = 1e-11


class _Rationals(Sequence[tuple[Any, ...]]):
    """Vertices ``(numerators, den)`` read as tuples of exact rationals, converted on first use
    (the compiled recursion needs only the integers, and a 10-state instance has ~10^5)."""

    def __init__(self, ints: list[tuple[tuple[int, ...], int]]) -> None:
        self._ints = ints
        self._points: list[tuple[Any, ...]] | None = None

    def __len__(self) -> int:
        return len(self._ints)

    def __getitem__(self, k: Any) -> Any:
        if self._points is None:
            self._points = [tuple(Q(x, den) for x in num) for num, den in self._ints]
        return self._points[k]


@dataclass
class Geometry:
    """A polytope ``{y in [0,1]^n : a·y + b >= 0}`` described by its exact vertices.

    ``points[i]`` is vertex i (a tuple of exact rationals ``[n]``; ``ints[i]``, when given, is
    the same point as integer numerators over one denominator); ``masks[k]`` is the set of
    vertices (bitmask over ``points``) on hyperplane k, one entry per distinct set that is
    neither empty nor every vertex; ``hyps[k]`` is a hyperplane ``(a, b)`` with that incidence.
    Hyperplanes with the same incidence are interchangeable on every face, so one is kept.
    """

    n: int
    points: Sequence[tuple[Any, ...]]
    masks: list[int]
    hyps: list[Constraint]
    ints: list[tuple[tuple[int, ...], int]] | None = None  # points as (numerators, den)
    full: int = field(init=False)

    def __post_init__(self) -> None:
        self.full = (1 << len(self.points)) - 1


def _integral(x: tuple[Any, ...]) -> tuple[tuple[int, ...], int]:
    """``x = num / den`` with integer ``num`` and ``den > 0`` (for integer-only sign tests)."""
    den = lcm(*(int(v.denominator) for v in x)) if x else 1
    return tuple(int(v.numerator) * (den // int(v.denominator)) for v in x), den


def _solve_tight(tight: list[Constraint], n: int) -> tuple[Any, ...] | None:
    """The unique point where n independent rows of ``tight`` hold with equality, else None.

    Fraction-free (integer) elimination to echelon form, then exact back substitution.
    """
    basis: list[list[int]] = []  # integer rows [a | -b], each led by its pivot column
    pivots: list[int] = []
    for a, b in tight:
        row = [*a, -b]
        for p, r in zip(pivots, basis, strict=True):
            if row[p] != 0:
                f, g = r[p], row[p]
                row = [f * x - g * y for x, y in zip(row, r, strict=True)]
                d = 0
                for e in row:
                    d = gcd(d, e)
                if d > 1:
                    row = [e // d for e in row]
        lead = next((j for j in range(n) if row[j] != 0), None)
        if lead is None:
            if row[n] != 0:
                return None
            continue
        basis.append(row)
        pivots.append(lead)
        if len(pivots) == n:
            break
    if len(pivots) < n:
        return None
    sol = [Q(0)] * n
    for p, r in sorted(zip(pivots, basis, strict=True), key=lambda t: -t[0]):
        sol[p] = (r[n] - sum((r[j] * sol[j] for j in range(p + 1, n) if r[j]), Q(0))) / r[p]
    return tuple(sol)


Solved = tuple[tuple[Any, ...], tuple[tuple[int, ...], int]]  # a point, and its _integral


def _solve_points(rows: list[Constraint], n: int, tight: list[list[int]]) -> list[Solved | None]:
    """:func:`_solve_tight` for many vertices, ``tight[i]`` indexing the rows tight at the i-th
    (compiled when the extension is built); each point comes with its :func:`_integral`."""
    if _faces is None:
        out_py: list[Solved | None] = []
        for idx in tight:
            x = _solve_tight([rows[k] for k in idx], n)
            out_py.append(None if x is None else (x, _integral(x)))
        return out_py
    flat: list[int] = []
    for a, c in rows:
        flat.extend(a)
        flat.append(c)
    offsets = [0]
    for idx in tight:
        offsets.append(offsets[-1] + len(idx))
    out: list[Solved | None] = []
    for x in _faces.solve_points(n, flat, [k for idx in tight for k in idx], offsets):
        out.append(None if x is None else (tuple(Q(c, x[0]) for c in x[1:]), (x[1:], x[0])))
    return out


def polytope_geometry(
    constraints: list[Constraint],
    n: int,
    approx: np.ndarray,
    known: dict[bytes, Solved] | None = None,
) -> Geometry | None:
    """Exact vertices and hyperplane incidences of ``{y in [0,1]^n : a·y + b >= 0}``.

    Each approximate vertex ``approx: [V, n]`` (from Qhull) is re-solved exactly from n
    linearly independent constraints that are tight at it (|slack| < 1e-7 after normalising
    rows), then checked to satisfy every constraint: in floating point where the slack is
    farther from 0 than any round-off could move it, exactly (integers) otherwise, which also
    decides exactly which vertices lie on which hyperplane. Returns ``None`` if a vertex
    cannot be certified (the caller then integrates without vertex information).

    ``known`` maps approximate vertices (rounded to 1e-9) to exact ones solved before, for
    polytopes that share vertices (such as the regions of a subdivision); a point taken from
    it goes through the same exact checks. Incidences are computed in int64 when a bound
    shows they cannot overflow, else in the compiled extension (GMP) or Python integers.
    """
    rows = sorted(unit_box(n) | {normalize(tuple(a), b) for a, b in constraints if any(a)})
    A = np.array([a for a, _ in rows], dtype=np.float64).reshape(len(rows), n)
    b = np.array([float(c) for _, c in rows])
    norm = np.abs(A).max(axis=1)
    A /= norm[:, None]
    b /= norm
    known = {} if known is None else known
    approx = np.asarray(approx, dtype=np.float64).reshape(-1, n)
    keys = [v.tobytes() for v in np.round(approx, 9)]
    todo = [i for i, key in enumerate(keys) if key not in known]
    if todo:
        near = np.abs(A @ approx[todo].T + b[:, None]) < 1e-7  # [m, T]: rows tight at each
        tight = [np.flatnonzero(near[:, t]).tolist() for t in range(len(todo))]
        for i, x in zip(todo, _solve_points(rows, n, tight), strict=True):
            if x is None:
                return None
            known[keys[i]] = x
    solved = dict(known[key] for key in keys)
    points = sorted(solved)
    if not points:
        return None
    X = np.array([[float(c) for c in p] for p in points])  # [V, n]
    slack = A @ X.T + b[:, None]  # [m, V]
    if np.any(slack < -_SURE):
        return None
    ints = [solved[p] for p in points]
    masks = _incidence_masks(rows, ints)
    if masks is _VIOLATED:
        return None
    if masks is None:
        masks = []
        for k, (a, c) in enumerate(rows):
            mask = 0
            nz = [(j, x) for j, x in enumerate(a) if x]
            for i in np.flatnonzero(np.abs(slack[k]) <= _SURE).tolist():
                num, den = ints[i]
                s = sum(x * num[j] for j, x in nz) + c * den
                if s < 0:
                    return None
                if s == 0:
                    mask |= 1 << int(i)
            masks.append(mask)
    return _from_incidences(n, points, rows, masks, ints)


def _from_incidences(
    n: int,
    points: Sequence[tuple[Any, ...]],
    rows: list[Constraint],
    masks: list[int],
    ints: list[tuple[tuple[int, ...], int]],
) -> Geometry:
    """The geometry with one hyperplane per distinct incidence mask (``masks[k]``: the vertices
    on ``rows[k]``) that is neither empty nor every vertex (see :class:`Geometry`)."""
    full = (1 << len(points)) - 1
    first: dict[int, int] = {}
    for k, mask in enumerate(masks):
        if mask and mask != full:
            first.setdefault(mask, k)
    return Geometry(n, points, list(first), [rows[k] for k in first.values()], ints)


# The most vertices the enumeration may hold at once: about 0.5 kB each for n = 10.
MAX_ENUMERATED = 1_000_000


def enumerated_geometry(
    constraints: list[Constraint],
    n: int,
    centre: np.ndarray | None = None,
    budget: Budget | None = None,
) -> Geometry | None:
    r"""Exact vertices and incidences of ``{y in [0,1]^n : a·y + b >= 0}``, by double description.

    The compiled enumeration (``_faces.vertices``; Motzkin et al. 1953, in the form of Fukuda &
    Prodon 1996) works on the homogenised cone :math:`\{(x_0, Y) : x_0 \ge 0,\ b x_0 + a^\top Y
    \ge 0\}` in exact integers: it starts from the orthant's n + 1 extreme rays and adds one
    row at a time, replacing the rays a row cuts off by the intersections of the row with the
    2-faces (adjacent pairs, decided combinatorially) it crosses. Every vertex and every
    vertex-row incidence is exact; no approximate step decides anything. The row order only
    sets the cost: rows are taken by increasing distance from ``centre`` (an interior point,
    such as the Chebyshev centre), which puts the facets that bound the polytope tightly
    first. Measured on the 401 regions of a 10-state circulant MDP (offsets 1, 2, 5), with the
    same vertices as Qhull on every region: 1.7 s against Qhull's 72 s on the biggest, slower
    than Qhull on 9 small regions by 0.8 s in all; the rows' own (sorted) order was up to 35x
    slower than this one.

    Returns ``None`` when the enumeration would hold more than ``MAX_ENUMERATED`` vertices, or
    the polytope is empty; raises the budget's time error past its deadline. The geometry's
    ``ints`` are canonical (``den > 0`` and the numerators coprime to it), so they identify a
    vertex exactly, like ``points``.
    """
    if _faces is None:
        raise RuntimeError("the compiled vertex enumeration (_faces) is not built")
    budget = budget or Budget()
    rows = sorted(unit_box(n) | {normalize(tuple(a), b) for a, b in constraints if any(a)})
    if centre is not None:
        A = np.array([a for a, _ in rows], dtype=np.float64).reshape(len(rows), n)
        b = np.array([float(c) for _, c in rows])
        dist = (A @ np.asarray(centre, dtype=np.float64) + b) / np.linalg.norm(A, axis=1)
        rows = [rows[k] for k in np.argsort(dist, kind="stable")]
    flat: list[int] = []
    for a, c in rows:
        flat.extend(a)
        flat.append(c)
    seconds, _ = budget.left()
    out = _faces.vertices(n, flat, MAX_ENUMERATED, seconds)
    if out == "time":
        budget.exceeded("time")
    if out is None or not out[0]:
        return None
    raw_points, raw_masks = out
    ints = [(tuple(p[1:]), p[0]) for p in raw_points]
    width = 8 * ((len(ints) + 63) // 64)
    masks = [
        int.from_bytes(raw_masks[k * width : (k + 1) * width], "little") for k in range(len(rows))
    ]
    return _from_incidences(n, _Rationals(ints), rows, masks, ints)


_VIOLATED: list[int] = []  # sentinel: some vertex violates some row


def _incidence_masks(
    rows: list[Constraint], ints: list[tuple[tuple[int, ...], int]]
) -> list[int] | None:
    """Per row, the bitmask of vertices where it is tight, exactly; ``_VIOLATED`` if a vertex
    violates a row; None if neither int64 nor the compiled extension can decide."""
    V = len(ints)
    exact = _int64_slacks(rows, ints)
    if exact is not None:  # every slack exactly, in machine integers
        if np.any(exact < 0):
            return _VIOLATED
        bits = np.packbits(exact == 0, axis=1, bitorder="little")
        return [int.from_bytes(bits[k].tobytes(), "little") for k in range(len(rows))]
    if _faces is None:
        return None
    flat_rows: list[int] = []
    for a, c in rows:
        flat_rows.extend(a)
        flat_rows.append(c)
    flat_pts: list[int] = []
    for num, den in ints:
        flat_pts.append(den)
        flat_pts.extend(num)
    raw = _faces.incidences(len(rows[0][0]), flat_rows, flat_pts)
    if raw is None:
        return _VIOLATED
    width = 8 * ((V + 63) // 64)
    return [int.from_bytes(raw[k * width : (k + 1) * width], "little") for k in range(len(rows))]


def _int64_slacks(
    rows: list[Constraint], ints: list[tuple[tuple[int, ...], int]]
) -> np.ndarray | None:
    """``a·num + b·den`` for every row and vertex ``[m, V]``, or None if int64 could overflow.

    The vertices are ``num / den`` with integers; the sums are exact when
    ``n·max|a|·max|num| + max|b|·max den < 2^62``, checked in Python integers first.
    """
    n = len(rows[0][0])
    amax = max(max((abs(x) for x in a), default=0) for a, _ in rows)
    bmax = max(abs(b) for _, b in rows)
    nmax = max(max((abs(x) for x in num), default=0) for num, _ in ints)
    dmax = max(den for _, den in ints)
    if n * amax * nmax + bmax * dmax >= 2**62:
        return None
    A = np.array([a for a, _ in rows], dtype=np.int64).reshape(len(rows), n)
    b = np.array([b for _, b in rows], dtype=np.int64)
    NUM = np.array([num for num, _ in ints], dtype=np.int64).reshape(len(ints), n)
    DEN = np.array([den for _, den in ints], dtype=np.int64)
    return A @ NUM.T + b[:, None] * DEN[None, :]


def exact_vertices(
    constraints: list[Constraint], n: int, approx: np.ndarray
) -> list[tuple[Fraction, ...]] | None:
    """Exact vertices of ``{y in [0,1]^n : a·y + b >= 0}`` from approximate ones ``[V, n]``.

    See :func:`polytope_geometry`; returns the sorted vertices as fractions, or ``None``.
    """
    geo = polytope_geometry(constraints, n, approx)
    if geo is None:
        return None
    return [tuple(to_fraction(c) for c in p) for p in geo.points]


def integrate_with_vertices(
    constraints: list[Constraint],
    n: int,
    vertices: list[tuple[Fraction, ...]],
    budget: Budget | None = None,
    moments: bool = True,
) -> tuple[Fraction, tuple[Fraction, ...]]:
    """As :func:`.polytope.integrate_polytope`, recursing only into true facets.

    ``vertices`` must be every vertex of the polytope, exactly (:func:`exact_vertices`).
    Returns ``(volume, ∫_P y dy [n])``; with ``moments=False`` the moments are zeros.
    """
    approx = np.array([[float(c) for c in v] for v in vertices], dtype=np.float64)
    geo = polytope_geometry(constraints, n, approx.reshape(-1, n))
    if geo is None:
        raise ValueError("integrate_with_vertices: the vertices do not fit the constraints")
    vol, mom = integrate_faces(geo, budget=budget, moments=moments)
    return to_fraction(vol), tuple(to_fraction(m) for m in mom)


def integrate_faces(
    geo: Geometry,
    *,
    budget: Budget | None = None,
    moments: bool = True,
    memo: FaceMemo | None = None,
    ids: list[int] | None = None,
    native: bool | None = None,
) -> tuple[Any, tuple[Any, ...]]:
    """Exact volume and moments ``∫_P y dy [n]`` of the polytope described by ``geo``.

    Exact rationals; with ``moments=False`` the moments are zeros. A ``memo`` shared between
    calls (:func:`new_memo`), with ``ids`` numbering ``geo.points`` consistently across the
    calls (the same number for the same exact vertex), reuses faces common to several
    polytopes, such as the regions of a subdivision: a face's projected measure depends only
    on its vertex set. A memo serves one value of ``moments`` only.

    The compiled recursion runs when the memo is a compiled one, or, with no memo, when
    ``native`` is True or (default) when the extension is built; a dict memo or
    ``native=False`` runs the Python recursion. Both give the same exact numbers.
    """
    n = geo.n
    budget = budget or Budget()
    if memo is None:
        memo = new_memo(NATIVE if native is None else native)
    if not isinstance(memo, dict):
        return _integrate_native(geo, budget, moments, memo, ids)
    run = _Recursion(geo, budget, moments, memo, ids)
    vol, mom = run.face(geo.full, tuple(range(n)), {}, list(range(len(geo.masks))))
    return vol, tuple(mom) if mom is not None else (Q(0),) * n


def new_memo(native: bool | None = None) -> FaceMemo:
    """An empty face memo for :func:`integrate_faces`: compiled when ``native`` (default: when
    the extension is available), else a dict for the Python recursion."""
    if native is None:
        native = NATIVE
    if native:
        if _faces is None:
            raise RuntimeError("the compiled face recursion (_faces) is not built")
        return _faces.new_memo()
    return {}


def _integrate_native(
    geo: Geometry, budget: Budget, moments: bool, memo: FaceMemo, ids: list[int] | None
) -> tuple[Any, tuple[Any, ...]]:
    """:func:`integrate_faces` through the compiled recursion (``_faces.cpp``)."""
    n, V = geo.n, len(geo.points)
    points: list[int] = []
    for num, den in geo.ints or [_integral(p) for p in geo.points]:
        points.append(den)
        points.extend(num)
    hyps: list[int] = []
    for a, b in geo.hyps:
        hyps.extend(int(x) for x in a)
        hyps.append(int(b))
    width = 8 * ((V + 63) // 64)
    masks = b"".join(m.to_bytes(width, "little") for m in geo.masks)
    seconds, faces = budget.left()
    vol, mom, done = _faces.integrate(
        n,
        V,
        points,
        hyps,
        masks,
        list(range(V)) if ids is None else ids,
        moments,
        memo,
        seconds,
        -1 if faces is None else faces,
    )
    budget.faces += done
    if mom is None and isinstance(vol, str) and vol in ("time", "faces"):
        budget.exceeded(vol)
    if not moments:
        return Q(vol), (Q(0),) * n
    return Q(vol), tuple(Q(x) for x in mom)


class _Recursion:
    """One traversal of a geometry's face lattice (module docstring)."""

    def __init__(
        self, geo: Geometry, budget: Budget, moments: bool, memo: FaceMemo, ids: list[int] | None
    ) -> None:
        self.geo = geo
        self.budget = budget
        self.moments = moments
        self.shared = memo
        self.ids = ids
        self.local: FaceMemo = {}
        self.qhyps = [(tuple(Q(x) for x in a), Q(b)) for a, b in geo.hyps]

    def _key(self, G: int) -> Any:
        if self.ids is None:
            return G
        ids = self.ids
        key = []
        while G:
            low = G & -G
            key.append(ids[low.bit_length() - 1])
            G ^= low
        return tuple(key)

    def face(
        self, G: int, J: tuple[int, ...], phi: dict[int, list[Any]], rel: list[int]
    ) -> FaceResult:
        """(projected volume, moments over J) of the face with vertex set G.

        ``phi[e] = [c_e, M_e,0, ..., M_e,d-1]`` expresses each eliminated coordinate
        ``y_e = c_e + M_e · y_J``; ``rel`` lists the hyperplanes that may cut G.
        """
        hit = self.local.get(G)
        if hit is not None:
            return hit
        key = self._key(G)
        hit = self.shared.get(key)
        if hit is not None:
            self.local[G] = hit
            return hit
        self.budget.tick()
        res = self._compute(G, J, phi, rel)
        self.local[G] = res
        self.shared[key] = res
        return res

    def _compute(
        self, G: int, J: tuple[int, ...], phi: dict[int, list[Any]], rel: list[int]
    ) -> FaceResult:
        masks, pts = self.geo.masks, self.geo.points
        d = len(J)
        if d == 1:  # a segment between its two vertices
            lo = G & -G
            u, v = pts[lo.bit_length() - 1], pts[(G ^ lo).bit_length() - 1]
            j = J[0]
            length = abs(u[j] - v[j])
            return length, [length * (u[j] + v[j]) / 2]
        subs: dict[int, int] = {}
        for k in rel:
            s = G & masks[k]
            if s and s != G and s not in subs:
                subs[s] = k
        facets: list[int] = []
        for s in sorted(subs, key=int.bit_count, reverse=True):
            for o in facets:
                if s & o == s:
                    break
            else:
                facets.append(s)
        low = _apex(G, facets)
        p = pts[low.bit_length() - 1]
        pJ = [p[j] for j in J]
        if d == 2:
            return self._polygon(J, facets, low, p)
        moments = self.moments
        vol = Q(0)
        mom = [Q(0)] * d
        # A facet's own facets are its intersections with G's other facets (ridges of G).
        child_rel = [subs[f] for f in facets]
        for f in facets:
            if f & low:
                continue  # the centre lies on this facet: h = 0
            a, b = self.qhyps[subs[f]]
            at = [a[j] for j in J]
            bt = b
            for e, row in phi.items():
                ae = a[e]
                if ae:
                    bt += ae * row[0]
                    for t in range(d):
                        at[t] += ae * row[t + 1]
            m = 0
            while not at[m]:
                m += 1
            am = at[m]
            w = bt
            for t in range(d):
                w += at[t] * pJ[t]
            w /= abs(am)
            alpha = -bt / am  # on the facet, y_J[m] = alpha + sum_t beta_t y_J[t]
            beta = [-x / am for x in at]
            hit = self.local.get(f)
            if hit is None:
                phif: dict[int, list[Any]] = {}
                for e, row in phi.items():
                    rm = row[m + 1]
                    if rm:
                        nr = [row[0] + rm * alpha]
                        for t in range(d):
                            if t != m:
                                nr.append(row[t + 1] + rm * beta[t])
                        phif[e] = nr
                    else:
                        phif[e] = row[: m + 1] + row[m + 2 :]
                phif[J[m]] = [alpha, *beta[:m], *beta[m + 1 :]]
                hit = self.face(f, J[:m] + J[m + 1 :], phif, child_rel)
            vf, mf = hit
            if not vf:
                continue
            vol += w * vf
            if moments and mf is not None:
                ym = alpha * vf
                i = 0
                for t in range(d):
                    if t != m:
                        mom[t] += w * mf[i]
                        ym += beta[t] * mf[i]
                        i += 1
                mom[m] += w * ym
        vol /= d
        if not moments:
            return vol, None
        return vol, [(mom[t] + pJ[t] * vol) / (d + 1) for t in range(d)]

    def _polygon(
        self, J: tuple[int, ...], edges: list[int], low: int, p: tuple[Any, ...]
    ) -> FaceResult:
        """A polygon: the triangles (p, u, v) over its edges uv not through p."""
        pts = self.geo.points
        j0, j1 = J
        area = Q(0)
        m0 = Q(0)
        m1 = Q(0)
        for f in edges:
            if f & low:
                continue
            lo = f & -f
            u, v = pts[lo.bit_length() - 1], pts[(f ^ lo).bit_length() - 1]
            tri = abs((u[j0] - p[j0]) * (v[j1] - p[j1]) - (u[j1] - p[j1]) * (v[j0] - p[j0]))
            area += tri
            if self.moments:
                m0 += tri * (p[j0] + u[j0] + v[j0])
                m1 += tri * (p[j1] + u[j1] + v[j1])
        if not self.moments:
            return area / 2, None
        return area / 2, [m0 / 6, m1 / 6]


def _apex(G: int, facets: list[int]) -> int:
    """The lowest vertex of G (as a one-bit mask) lying on the most of the given facets.

    Counts for all vertices at once: ``planes[t]`` holds bit t of every vertex's count, and
    adding a facet is a ripple-carry addition of its mask.
    """
    planes: list[int] = []
    for f in facets:
        carry = f
        for t in range(len(planes)):
            pl = planes[t]
            planes[t] = pl ^ carry
            carry &= pl
            if not carry:
                break
        if carry:
            planes.append(carry)
    cand = G
    for pl in reversed(planes):
        if cand & pl:
            cand &= pl
    return cand & -cand
