r"""A polytope's exact vertices from Qhull's approximate ones, certified in rational arithmetic.

The vertex source of the fallback backend (:mod:`.facets`), used where the compiled
enumeration (:mod:`.compiled`) is not built. Qhull (Barber, Dobkin & Huhdanpaa 1996, through
scipy's ``HalfspaceIntersection``) proposes the vertices of
:math:`P = \{y \in [0,1]^n : a_k^\top y + b_k \ge 0\}` in floating point; each is then
re-solved exactly from n linearly independent rows tight at it and checked against every row,
which also decides exactly which vertices lie on which hyperplane. Floating point only
proposes: a vertex that cannot be certified makes the whole geometry ``None``, and the caller
integrates without vertices (:mod:`.polytope`). A vertex Qhull missed would go unnoticed here;
:mod:`.regions` catches it with the exact tiling identities.
"""

from __future__ import annotations

from math import gcd
from typing import Any

import numpy as np
from scipy.spatial import HalfspaceIntersection

from powerlab.power.exact._rational import Q
from powerlab.power.exact.geometry import (
    Geometry,
    IntPoint,
    bounding_rows,
    from_incidences,
    integral,
)
from powerlab.power.exact.polytope import Constraint

__all__ = ["Solved", "polytope_geometry", "qhull_geometry"]

Solved = tuple[tuple[Any, ...], IntPoint]  # a point, and its integral form

# Float slacks farther than this from 0 (rows scaled to max |a_j| = 1, points in [0, 1]^n)
# decide a sign without exact arithmetic: float64 round-off on such dot products of at most
# a few dozen terms is below 1e-14.
_SURE = 1e-11


def qhull_geometry(
    constraints: list[Constraint], n: int, centre: np.ndarray, known: dict[bytes, Solved]
) -> Geometry | None:
    """Exact vertices and incidences of ``{y in [0,1]^n : a·y + b >= 0}`` (homogeneous rows,
    ``b = 0``), from Qhull's vertices around the interior point ``centre: [n]``, certified by
    :func:`polytope_geometry`; ``None`` if Qhull fails or a vertex cannot be certified."""
    A = np.array([a for a, _ in constraints], dtype=np.float64)
    A /= np.maximum(np.linalg.norm(A, axis=1), 1e-300)[:, None]
    H = np.vstack(
        [np.hstack([-A, np.zeros((len(A), 1))]), np.hstack([np.eye(n), -np.ones((n, 1))])]
    )
    H = np.vstack([H, np.hstack([-np.eye(n), np.zeros((n, 1))])])
    H /= np.linalg.norm(H[:, :n], axis=1)[:, None]
    try:
        # These cones are very degenerate (every region constraint passes through 0 and 1).
        # "Q9" (add the furthest of the furthest points first) measured 1.6-3x faster than
        # "Qx Qs" on 10-state instances, with the same vertices; "Qs" for small n. Feeding
        # the cube's halfspaces first (the rows reversed) measured 7% and 24% faster again on
        # two 10-state instances (a random one and a circulant), same vertices.
        V = HalfspaceIntersection(
            H[::-1].copy(), centre, qhull_options="Qx Q9" if n > 4 else "Qs"
        ).intersections
    except Exception:  # Qhull precision trouble: integrate without vertex information
        return None
    return polytope_geometry(constraints, n, V, known)


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
    shows they cannot overflow, else in Python integers.
    """
    rows = bounding_rows(constraints, n)
    A = np.array([a for a, _ in rows], dtype=np.float64).reshape(len(rows), n)
    b = np.array([float(c) for _, c in rows])
    norm = np.abs(A).max(axis=1)
    A /= norm[:, None]
    b /= norm
    known = {} if known is None else known
    approx = np.asarray(approx, dtype=np.float64).reshape(-1, n)
    keys = [v.tobytes() for v in np.round(approx, 9)]
    todo = [i for i, key in enumerate(keys) if key not in known]
    near = np.abs(A @ approx[todo].T + b[:, None]) < 1e-7  # [m, T]: rows tight at each
    for t, i in enumerate(todo):
        x = _solve_tight([rows[k] for k in np.flatnonzero(near[:, t]).tolist()], n)
        if x is None:
            return None
        known[keys[i]] = (x, integral(x))
    solved = dict(known[key] for key in keys)
    points = sorted(solved)
    if not points:
        return None
    X = np.array([[float(c) for c in p] for p in points])  # [V, n]
    slack = A @ X.T + b[:, None]  # [m, V]
    ints = [solved[p] for p in points]
    masks = _incidence_masks(rows, ints, slack)
    if masks is None:
        return None
    return from_incidences(n, points, rows, masks, ints)


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


def _incidence_masks(
    rows: list[Constraint], ints: list[IntPoint], slack: np.ndarray
) -> list[int] | None:
    """Per row, the bitmask of vertices where it is tight, exactly; None if a vertex violates
    a row. ``slack: [m, V]`` holds the same slacks in floating point, rows scaled to
    max |a_j| = 1: one below ``-_SURE`` is a violation; otherwise all are decided in int64
    when :func:`_int64_slacks` can, else in Python integers for the vertices whose float
    slack is within ``_SURE`` of 0 (the others are not tight)."""
    if np.any(slack < -_SURE):
        return None
    exact = _int64_slacks(rows, ints)
    if exact is not None:  # every slack exactly, in machine integers
        if np.any(exact < 0):
            return None
        bits = np.packbits(exact == 0, axis=1, bitorder="little")
        return [int.from_bytes(bits[k].tobytes(), "little") for k in range(len(rows))]
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
    return masks


def _int64_slacks(rows: list[Constraint], ints: list[IntPoint]) -> np.ndarray | None:
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
