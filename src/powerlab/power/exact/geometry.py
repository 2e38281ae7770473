r"""A polytope in the unit cube described by its exact vertices and their incidences.

:class:`Geometry` is what both ways of finding a polytope's vertices produce (the compiled
double-description enumeration, :mod:`.compiled`, and Qhull's vertices certified in rationals,
:mod:`.qhull`) and what both face recursions consume (:mod:`.compiled` and :mod:`.lattice`):
for :math:`P = \{y \in [0,1]^n : a_k^\top y + b_k \ge 0\}`, its vertices exactly, and for each
hyperplane the set of vertices on it. A face of P is the set of vertices it holds (a bitmask),
so the incidences are P's face lattice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from math import lcm
from typing import Any

import numpy as np

from powerlab.power.exact._rational import Q
from powerlab.power.exact.polytope import Budget, Constraint, normalize, unit_box

__all__ = [
    "Backend",
    "Geometry",
    "IntPoint",
    "bounding_rows",
    "from_incidences",
    "integral",
    "masks_from_bytes",
]

IntPoint = tuple[tuple[int, ...], int]  # a rational point as (numerators, den), den > 0


@dataclass
class Geometry:
    """A polytope ``{y in [0,1]^n : a·y + b >= 0}`` described by its exact vertices.

    ``points[i]`` is vertex i (a tuple of exact rationals ``[n]``); ``ints[i]`` is the same
    point as integer numerators over its least common denominator (canonical: it identifies
    the vertex exactly, like ``points[i]``); ``masks[k]`` is the set of vertices (bitmask over
    ``points``) on hyperplane k, one entry per distinct set that is neither empty nor every
    vertex; ``hyps[k]`` is a hyperplane ``(a, b)`` with that incidence. Hyperplanes with the
    same incidence are interchangeable on every face, so one is kept.
    """

    n: int
    points: Sequence[tuple[Any, ...]]
    masks: list[int]
    hyps: list[Constraint]
    ints: list[IntPoint]
    full: int = field(init=False)

    def __post_init__(self) -> None:
        self.full = (1 << len(self.points)) - 1


@dataclass(frozen=True)
class Backend:
    """One way to integrate a polytope exactly over its face lattice (:mod:`.facets`).

    ``geometry(constraints, n, centre, budget, known)`` finds the exact :class:`Geometry` of
    ``{y in [0,1]^n : a·y + b >= 0}`` given an interior point ``centre: [n]``, or ``None``
    (the caller then integrates without vertices); ``known`` caches vertices certified
    before, within one process. ``integrate(geo, budget, moments, memo, ids)`` returns the
    exact ``(volume, ∫_P y dy [n])`` (:func:`.lattice.integrate_lattice`), sharing faces
    through ``memo``, a fresh ``new_memo()`` per subdivision and kind of run.
    """

    name: str
    geometry: Callable[
        [list[Constraint], int, np.ndarray, Budget, dict[bytes, Any]], Geometry | None
    ]
    new_memo: Callable[[], Any]
    integrate: Callable[..., tuple[Any, tuple[Any, ...]]]


class Rationals(Sequence[tuple[Any, ...]]):
    """Vertices ``(numerators, den)`` read as tuples of exact rationals, converted on first use
    (the compiled recursion needs only the integers, and a 10-state instance has ~10^5)."""

    def __init__(self, ints: list[IntPoint]) -> None:
        self._ints = ints
        self._points: list[tuple[Any, ...]] | None = None

    def __len__(self) -> int:
        return len(self._ints)

    def __getitem__(self, k: Any) -> Any:
        if self._points is None:
            self._points = [tuple(Q(x, den) for x in num) for num, den in self._ints]
        return self._points[k]


def integral(x: tuple[Any, ...]) -> IntPoint:
    """``x = num / den`` with integer ``num`` and ``den > 0`` the least common denominator."""
    den = lcm(*(int(v.denominator) for v in x)) if x else 1
    return tuple(int(v.numerator) * (den // int(v.denominator)) for v in x), den


def bounding_rows(constraints: list[Constraint], n: int) -> list[Constraint]:
    """The polytope's rows: the unit cube's 2n and each nonzero constraint, gcd-normalised,
    without repeats, sorted."""
    return sorted(unit_box(n) | {normalize(tuple(a), b) for a, b in constraints if any(a)})


def masks_from_bytes(raw: bytes, rows: int, vertices: int) -> list[int]:
    """``rows`` little-endian bitmasks over ``vertices`` bits, packed in 64-bit words."""
    width = 8 * ((vertices + 63) // 64)
    return [int.from_bytes(raw[k * width : (k + 1) * width], "little") for k in range(rows)]


def from_incidences(
    n: int,
    points: Sequence[tuple[Any, ...]],
    rows: list[Constraint],
    masks: list[int],
    ints: list[IntPoint],
) -> Geometry:
    """The geometry with one hyperplane per distinct incidence mask (``masks[k]``: the vertices
    on ``rows[k]``) that is neither empty nor every vertex (see :class:`Geometry`)."""
    full = (1 << len(points)) - 1
    first: dict[int, int] = {}
    for k, mask in enumerate(masks):
        if mask and mask != full:
            first.setdefault(mask, k)
    return Geometry(n, points, list(first), [rows[k] for k in first.values()], ints)
