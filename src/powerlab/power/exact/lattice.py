r"""Lasserre's recursion over a polytope's face lattice, from its exact vertices.

Same polytope and formulas as :mod:`.polytope`, for
:math:`P = \{y \in [0,1]^n : a_k^\top y + b_k \ge 0\}`: with any point p of a d-dimensional
face G (here one of G's vertices), and its facets F,

.. math:: \operatorname{vol}_d(G) = \frac1d \sum_{F \not\ni p} h_F(p)\,\operatorname{vol}_{d-1}(F),
          \qquad \int_G y = \frac{1}{d+1}\Big(\sum_{F \not\ni p} h_F(p) \int_F y
          + p \operatorname{vol}_d(G)\Big),

(Lasserre 1983), facets through p having h = 0. What this module adds, given every vertex of P
exactly (a :class:`~.geometry.Geometry`: from the compiled double-description enumeration,
:mod:`.compiled`, or from Qhull's approximate vertices certified in rationals, :mod:`.qhull`):

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
  caller shares it (see ``ids`` in :func:`integrate_lattice`).
* **Projected measure.** Volumes are measured in :math:`y_J`; the distance h times the facet's
  volume becomes the rational :math:`(\tilde a^\top p_J + \tilde b)/|\tilde a_m|` times the
  facet's projected volume, where :math:`(\tilde a, \tilde b)` is the facet's hyperplane in
  G's coordinates. The moment of the eliminated coordinate is read off the hyperplane.
* **Polygons** (d = 2) are fanned into triangles from p, using vertex coordinates only.

If the vertex list were incomplete the result could be wrong; :mod:`.regions` therefore checks
the exact tiling identities and falls back to the plain recursion when they fail.

The same recursion is compiled in ``_faces.cpp`` (:mod:`.compiled`; GMP rationals, a face's
parametrisation kept as integer rows over one common denominator, which leaves every height
ratio unchanged), about three times faster. This Python version is the fallback backend's
(:mod:`.facets`), for machines without the extension; the tests check that both give the
same exact numbers.
"""

from __future__ import annotations

from typing import Any

from powerlab.power.exact._rational import Q
from powerlab.power.exact.geometry import Geometry
from powerlab.power.exact.polytope import Budget

__all__ = ["integrate_lattice"]

# A face's result: its projected volume and its moments over its own free coordinates.
FaceResult = tuple[Any, list[Any] | None]
Memo = dict[Any, FaceResult]  # faces by vertex set (or by their global vertex numbers)


def integrate_lattice(
    geo: Geometry,
    budget: Budget | None = None,
    moments: bool = True,
    memo: Memo | None = None,
    ids: list[int] | None = None,
) -> tuple[Any, tuple[Any, ...]]:
    """Exact volume and moments ``∫_P y dy [n]`` of the polytope described by ``geo``, by
    Lasserre's recursion over its face lattice (module docstring), in Python.

    Exact rationals; with ``moments=False`` the moments are zeros. A ``memo`` shared between
    calls, with ``ids`` numbering ``geo.points`` consistently across the calls (the same
    number for the same exact vertex), reuses faces common to several polytopes, such as the
    regions of a subdivision: a face's projected measure depends only on its vertex set. A
    memo serves one value of ``moments`` only.
    """
    n = geo.n
    run = _Recursion(geo, budget or Budget(), moments, {} if memo is None else memo, ids)
    vol, mom = run.face(geo.full, tuple(range(n)), {}, list(range(len(geo.masks))))
    return vol, tuple(mom) if mom is not None else (Q(0),) * n


class _Recursion:
    """One traversal of a geometry's face lattice (module docstring)."""

    def __init__(
        self, geo: Geometry, budget: Budget, moments: bool, memo: Memo, ids: list[int] | None
    ) -> None:
        self.geo = geo
        self.budget = budget
        self.moments = moments
        self.shared = memo
        self.ids = ids
        self.local: Memo = {}
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
        pts = self.geo.points
        d = len(J)
        if d == 1:  # a segment between its two vertices
            lo = G & -G
            u, v = pts[lo.bit_length() - 1], pts[(G ^ lo).bit_length() - 1]
            j = J[0]
            length = abs(u[j] - v[j])
            return length, [length * (u[j] + v[j]) / 2]
        subs, facets = _facets(G, self.geo.masks, rel)
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
                phif = _eliminate(phi, J, m, alpha, beta)
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


def _facets(G: int, masks: list[int], rel: list[int]) -> tuple[dict[int, int], list[int]]:
    """The facets of the face G: its inclusion-maximal proper nonempty intersections with the
    hyperplanes ``rel`` (vertex sets), and ``subs`` mapping each intersection to the first
    hyperplane giving it."""
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
    return subs, facets


def _eliminate(
    phi: dict[int, list[Any]], J: tuple[int, ...], m: int, alpha: Any, beta: list[Any]
) -> dict[int, list[Any]]:
    """The parametrisation of a facet of a face with free coordinates J and parametrisation
    ``phi``, on which ``y_J[m] = alpha + sum_t beta_t y_J[t]``: substitute that for ``y_J[m]``
    in every row of ``phi`` and add the row of ``J[m]`` itself."""
    d = len(J)
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
    return phif


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
