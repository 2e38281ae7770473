r"""The compiled backend: exact vertex enumeration and face recursion in ``_faces.cpp`` (GMP).

Importing this module fails with :class:`ImportError` when the optional extension was not
built (``setup.py``); :mod:`.facets` then chooses the fallback backend instead, once.

* :func:`enumerated_geometry`: a polytope's exact vertices and vertex-row incidences by double
  description (Motzkin et al. 1953, in the form of Fukuda & Prodon 1996), in GMP integers.
* :func:`integrate`: Lasserre's recursion over the face lattice those incidences define,
  the algorithm of :mod:`.lattice` compiled, in GMP rationals, about three times faster.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from powerlab.power.exact import _faces  # type: ignore[attr-defined]
from powerlab.power.exact._rational import Q
from powerlab.power.exact.geometry import (
    Backend,
    Geometry,
    Rationals,
    bounding_rows,
    from_incidences,
    masks_from_bytes,
)
from powerlab.power.exact.polytope import Budget, Constraint

__all__ = ["COMPILED", "MAX_ENUMERATED", "enumerated_geometry", "integrate"]

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
    sets the cost: rows are taken by increasing distance from ``centre: [n]`` (an interior
    point, such as the Chebyshev centre), which puts the facets that bound the polytope
    tightly first. Measured on the 401 regions of a 10-state circulant MDP (offsets 1, 2, 5),
    with the same vertices as Qhull on every region: 1.7 s against Qhull's 72 s on the
    biggest, slower than Qhull on 9 small regions by 0.8 s in all; the rows' own (sorted)
    order was up to 35x slower than this one.

    Returns ``None`` when the enumeration would hold more than ``MAX_ENUMERATED`` vertices, or
    the polytope is empty; raises the budget's time error past its deadline. The geometry's
    ``ints`` are canonical (``den > 0`` and the numerators coprime to it), so they identify a
    vertex exactly, like ``points``.
    """
    budget = budget or Budget()
    rows = bounding_rows(constraints, n)
    if centre is not None:
        A = np.array([a for a, _ in rows], dtype=np.float64).reshape(len(rows), n)
        b = np.array([float(c) for _, c in rows])
        dist = (A @ np.asarray(centre, dtype=np.float64) + b) / np.linalg.norm(A, axis=1)
        rows = [rows[k] for k in np.argsort(dist, kind="stable")]
    seconds, _ = budget.left()
    out = _faces.vertices(n, _flat(rows), MAX_ENUMERATED, seconds)
    if out == "time":
        budget.exceeded("time")
    if out is None or not out[0]:
        return None
    raw_points, raw_masks = out
    ints = [(tuple(p[1:]), p[0]) for p in raw_points]
    masks = masks_from_bytes(raw_masks, len(rows), len(ints))
    return from_incidences(n, Rationals(ints), rows, masks, ints)


def integrate(
    geo: Geometry,
    budget: Budget | None = None,
    moments: bool = True,
    memo: Any = None,
    ids: list[int] | None = None,
) -> tuple[Any, tuple[Any, ...]]:
    """:func:`.lattice.integrate_lattice` compiled: the same exact numbers (``_faces.integrate``).

    ``memo`` is a compiled memo (``_faces.new_memo()``; a new one when ``None``), opaque to
    Python, holding faces by their sorted global vertex numbers ``ids``.
    """
    budget = budget or Budget()
    n, V = geo.n, len(geo.points)
    points: list[int] = []
    for num, den in geo.ints:
        points.append(den)
        points.extend(num)
    width = 8 * ((V + 63) // 64)
    masks = b"".join(m.to_bytes(width, "little") for m in geo.masks)
    seconds, faces = budget.left()
    vol, mom, done = _faces.integrate(
        n,
        V,
        points,
        _flat(geo.hyps),
        masks,
        list(range(V)) if ids is None else ids,
        moments,
        _faces.new_memo() if memo is None else memo,
        seconds,
        -1 if faces is None else faces,
    )
    budget.faces += done
    if mom is None and isinstance(vol, str) and vol in ("time", "faces"):
        budget.exceeded(vol)
    if not moments:
        return Q(vol), (Q(0),) * n
    return Q(vol), tuple(Q(x) for x in mom)


def _flat(rows: list[Constraint]) -> list[int]:
    """Rows ``(a, b)`` as one list ``a_0, ..., a_{n-1}, b, ...`` (the extension's layout)."""
    flat: list[int] = []
    for a, b in rows:
        flat.extend(a)
        flat.append(b)
    return flat


def _geometry(
    constraints: list[Constraint],
    n: int,
    centre: np.ndarray,
    budget: Budget,
    known: dict[bytes, Any],
) -> Geometry | None:
    """:func:`enumerated_geometry` as a backend's ``geometry``: enumerated vertices are exact
    from the start, so the fallback's cache of certified vertices (``known``) is not read."""
    return enumerated_geometry(constraints, n, centre, budget)


COMPILED = Backend("compiled", _geometry, _faces.new_memo, integrate)
