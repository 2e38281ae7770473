r"""Lasserre's recursion restricted to true facets, using the polytope's exact vertices.

Same polytope and formulas as :mod:`.polytope`, for
:math:`P = \{y \in [0,1]^n : a_k^\top y + b_k \ge 0\}`, with two changes that need every
vertex of P exactly (:func:`exact_vertices`, from Qhull's approximate vertices re-solved and
checked in rationals):

* A face is identified by its vertex set (a bitmask); each constraint's incidence with the
  vertices is precomputed, so the facets of a face G are the inclusion-maximal proper nonempty
  sets :math:`V_G \cap \{v : a_k^\top v + b_k = 0\}`. Empty and lower-dimensional
  intersections, most of the plain recursion's work, are never visited.
* The centre p of Lasserre's formula on G is the vertex of G lying on the most facets, whose
  terms then vanish (h_k(p) = 0); the moments get the extra term p·vol(G)/(n+1).

If the vertex list were incomplete the result could be wrong; :mod:`.regions` therefore checks
the exact tiling identities and falls back to the plain recursion when they fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm

import numpy as np

from powerlab.power.exact._rational import Q, to_fraction
from powerlab.power.exact.polytope import (
    Budget,
    Constraint,
    normalize,
    segment_moments,
    unit_box,
)

__all__ = ["exact_vertices", "integrate_with_vertices"]

_normalize = normalize
_box = unit_box


def exact_vertices(
    constraints: list[Constraint], n: int, approx: np.ndarray
) -> list[tuple[Fraction, ...]] | None:
    """Exact vertices of ``{y in [0,1]^n : a·y + b >= 0}`` from approximate ones ``[V, n]``.

    Each approximate vertex (from Qhull) is re-solved exactly from n linearly independent
    constraints that are tight at it (|slack| < 1e-7 after normalising rows), then checked
    exactly to satisfy every constraint. Returns ``None`` if any check fails.
    """
    rows = list(constraints) + sorted(_box(n))
    A = np.array([a for a, _ in rows], dtype=np.float64)
    b = np.array([float(c) for _, c in rows])
    norm = np.abs(A).max(axis=1)
    out: set[tuple[Fraction, ...]] = set()
    for v in approx:
        slack = (A @ v + b) / norm
        tight = [rows[k] for k in np.flatnonzero(np.abs(slack) < 1e-7)]
        x = _solve_tight(tight, n)
        if x is None:
            return None
        num, den = _integral(x)
        for a, c in rows:
            if sum(ai * pi for ai, pi in zip(a, num, strict=True)) + c * den < 0:
                return None
        out.add(x)
    return sorted(out)


def _integral(x: tuple[Fraction, ...]) -> tuple[tuple[int, ...], int]:
    """``x = num / den`` with integer ``num`` and ``den > 0`` (for integer-only sign tests)."""
    den = lcm(*(v.denominator for v in x)) if x else 1
    return tuple(v.numerator * (den // v.denominator) for v in x), den


def _solve_tight(tight: list[Constraint], n: int) -> tuple[Fraction, ...] | None:
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


def integrate_with_vertices(
    constraints: list[Constraint],
    n: int,
    vertices: list[tuple[Fraction, ...]],
    budget: Budget | None = None,
    moments: bool = True,
) -> tuple[Fraction, tuple[Fraction, ...]]:
    """As :func:`integrate_polytope`, recursing only into true facets.

    ``vertices`` must be every vertex of the polytope, exactly (:func:`exact_vertices`). A
    face's vertex set is the vertices on its affine hull, and the facets of a face are the
    inclusion-maximal proper nonempty sets ``V_G ∩ {vertices tight at constraint k}``, so empty
    and lower-dimensional intersections, which make up most of the plain recursion, are
    skipped without computing them.
    """
    budget = budget or Budget()
    rows = sorted(_box(n) | {_normalize(tuple(a), b) for a, b in constraints if any(a)})
    ints = [_integral(v) for v in vertices]
    inc = []
    for a, b in rows:
        mask = 0
        for i, (num, den) in enumerate(ints):
            if sum(ai * pi for ai, pi in zip(a, num, strict=True)) + b * den == 0:
                mask |= 1 << i
        inc.append(mask)
    full = (1 << len(vertices)) - 1
    memo: dict[int, tuple[Fraction, tuple[Fraction, ...]]] = {}
    cons = {r: k for k, r in enumerate(rows)}
    geo = _Geometry(inc, ints, moments)
    vol, mom = _vface(cons, n, tuple(range(n)), full, geo, memo, budget)
    return to_fraction(vol), tuple(to_fraction(m) for m in mom)


@dataclass(frozen=True)
class _Geometry:
    """Vertex incidences ``inc[k]`` (bitmask per constraint) and vertices as (num, den)."""

    inc: list[int]
    ints: list[tuple[tuple[int, ...], int]]
    moments: bool = True


def _vface(
    cons: dict[Constraint, int],
    n: int,
    free: tuple[int, ...],
    verts: int,
    geo: _Geometry,
    memo: dict[int, tuple[Fraction, tuple[Fraction, ...]]],
    budget: Budget,
) -> tuple[Fraction, tuple[Fraction, ...]]:
    """Lasserre's step on one face, with its centre at the vertex on the most facets.

    ``free`` lists the original coordinates that are this face's own coordinates; facets
    through the centre have h = 0 and are not recursed into.
    """
    hit = memo.get(verts)
    if hit is not None:
        return hit
    budget.tick()
    inc = geo.inc
    # Constraints that miss the face are redundant on it: drop them before substituting.
    cons = {row: k for row, k in cons.items() if verts & inc[k]}
    if n == 1:
        res = segment_moments(cons)
        memo[verts] = res
        return res
    faces: dict[int, Constraint] = {}
    for row, k in cons.items():
        sub = verts & inc[k]
        if sub != verts and sub not in faces:
            faces[sub] = row
    masks = list(faces)
    facets = [m for m in masks if not any(m != o and m & o == m for o in masks)]
    # Centre: the face's vertex lying on the most facets (those facets then drop out).
    best, best_count = -1, -1
    rest = verts
    while rest:
        low = rest & -rest
        i = low.bit_length() - 1
        rest ^= low
        c = sum(1 for m in facets if m & low)
        if c > best_count:
            best, best_count = i, c
    num, den = geo.ints[best]
    pnum = [num[j] for j in free]  # centre = pnum / den in this face's coordinates
    vol = Q(0)
    mom = [Q(0)] * n
    for fmask in facets:
        if fmask >> best & 1:
            continue  # the centre lies on this facet: h = 0
        a, b = faces[fmask]
        m = next(j for j, x in enumerate(a) if x)
        am = a[m]
        sg = 1 if am > 0 else -1
        sub_cons: dict[Constraint, int] = {}
        for (a2, b2), k2 in cons.items():
            c = a2[m]
            if c == 0:
                na = a2[:m] + a2[m + 1 :]
                nb = b2
            else:
                na = tuple(sg * (am * a2[j] - c * a[j]) for j in range(n) if j != m)
                nb = sg * (am * b2 - c * b)
            if any(na):
                sub_cons.setdefault(_normalize(na, nb), k2)
        v, mo = _vface(sub_cons, n - 1, free[:m] + free[m + 1 :], fmask, geo, memo, budget)
        if v == 0:
            continue
        # h·vol(F) in projected form: (a·p + b)/|a_m| times the projected volume.
        w = Q(sum(x * y for x, y in zip(a, pnum, strict=True)) + b * den, den * abs(am))
        vol += w * v
        if not geo.moments:
            continue
        fullm = [*mo[:m], Q(0), *mo[m:]]
        fullm[m] = -(b * v + sum((a[j] * fullm[j] for j in range(n) if j != m), Q(0))) / am
        for j in range(n):
            mom[j] += w * fullm[j]
    vol /= n
    if geo.moments:
        centre = [Q(x, den) for x in pnum]
        out = (vol, tuple((mom[j] + centre[j] * vol) / (n + 1) for j in range(n)))
    else:
        out = (vol, tuple(mom))
    memo[verts] = out
    return out
