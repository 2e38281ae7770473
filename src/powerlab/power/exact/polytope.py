r"""Exact volume and first moments of a polytope inside the unit cube (Lasserre's recursion).

The polytope is :math:`P = \{y \in [0,1]^n : a_k^\top y + b_k \ge 0\}` with integer data. For any
point p, Lasserre (1983) and the divergence theorem give, with :math:`F_k = P \cap \{a_k^\top y
+ b_k = 0\}` and :math:`h_k(p)` the signed distance from p to that hyperplane (positive on the
feasible side),

.. math:: \operatorname{vol}_n(P) = \frac1n \sum_k h_k(p)\,\operatorname{vol}_{n-1}(F_k),
          \qquad \int_P y\,dy = \frac{1}{n+1}\Big(\sum_k h_k(p) \int_{F_k} y\,dA
          + p\,\operatorname{vol}_n(P)\Big).

We take p = 0 in each face's own coordinates, so every facet through the origin (b_k = 0: the
cube's facets y_j = 0, and at the top level every region constraint of a cone) drops out. A facet
is integrated in the coordinates left after eliminating its first variable m with
:math:`a_{km} \ne 0`; projecting along :math:`y_m` multiplies (n-1)-volume by
:math:`|a_{km}|/\lVert a_k \rVert`, so the weight :math:`h_k \operatorname{vol}(F_k)` becomes the
rational :math:`(b_k/|a_{km}|)\operatorname{vol}(\text{projection})`, and the eliminated
coordinate's moment is :math:`-(b_k \operatorname{vol} + \sum_{j \ne m} a_{kj} M_j)/a_{km}`.
Faces are memoised by their (canonical, gcd-normalised) constraint sets, so a face reached along
different elimination orders is integrated once. Intervals (n = 1) are integrated directly.

Every number is an exact integer or fractions.Fraction. Floating point is used only to skip
faces that interval bound propagation shows to be empty by a margin of 1e-9 (relative), far
beyond float64 round-off on these small integer systems; a skipped face contributes nothing,
as it would exactly.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd
from typing import Any, NoReturn

import numpy as np

from powerlab.errors import InputError
from powerlab.power.exact._rational import Q, to_fraction

__all__ = ["Budget", "Constraint", "integrate_polytope", "normalize", "unit_box"]

Constraint = tuple[tuple[int, ...], int]
_TOL = 1e-9


@dataclass
class Budget:
    """A limit on work: faces integrated and wall-clock seconds (``None``: unlimited).

    Exceeding either raises :class:`InputError` naming the limit and suggesting Monte Carlo,
    so no exact computation runs silently for hours.
    """

    seconds: float | None = 60.0
    max_faces: int | None = None
    faces: int = 0
    start: float = field(default_factory=time.perf_counter)
    shown: float | None = None  # the limit to name in messages (a worker's share of it)

    def tick(self) -> None:
        """Count one face; raise if over the limit."""
        self.faces += 1
        if self.max_faces is not None and self.faces > self.max_faces:
            self.exceeded("faces")
        if self.seconds is not None and self.faces % 64 == 0:
            if time.perf_counter() - self.start > self.seconds:
                self.exceeded("time")

    def left(self) -> tuple[float | None, int | None]:
        """(seconds, faces) still allowed; ``None`` where unlimited."""
        seconds = None
        if self.seconds is not None:
            seconds = max(self.seconds - (time.perf_counter() - self.start), 0.0)
        faces = None if self.max_faces is None else max(self.max_faces - self.faces, 0)
        return seconds, faces

    def exceeded(self, which: str) -> NoReturn:
        """Raise the one-line error for the ``"time"`` or ``"faces"`` limit."""
        if which == "faces":
            raise InputError(
                f"exact integration exceeded its limit of {self.max_faces} faces; "
                "use the Monte Carlo estimate (drop --exact)"
            )
        raise InputError(
            f"exact integration exceeded its time limit of "
            f"{self.shown or self.seconds:g} s; this "
            "instance is too large for exact mode, use the Monte Carlo estimate "
            "(drop --exact)"
        )


def normalize(a: tuple[int, ...], b: int) -> Constraint:
    """The row ``(a, b)`` divided by the gcd of its entries (the same halfspace)."""
    g = b
    for x in a:
        g = gcd(g, x)
    g = abs(g)
    if g > 1:
        return tuple(x // g for x in a), b // g
    return a, b


def unit_box(n: int) -> set[Constraint]:
    """The unit cube's 2n rows: ``y_j >= 0`` and ``1 - y_j >= 0``."""
    out: set[Constraint] = set()
    for j in range(n):
        e = [0] * n
        e[j] = 1
        out.add((tuple(e), 0))
        e[j] = -1
        out.add((tuple(e), 1))
    return out


def integrate_polytope(
    constraints: list[Constraint], n: int, budget: Budget | None = None
) -> tuple[Fraction, tuple[Fraction, ...]]:
    """Exact ``(volume, moments)`` of ``{y ∈ [0,1]^n : a·y + b >= 0 for (a, b) in constraints}``.

    Args:
        constraints: integer rows ``(a, b)``, ``a`` of length n.
        n: the dimension (>= 0).
        budget: work limit (default: 60 s).

    Returns:
        the volume and the vector ``∫_P y dy: [n]``, as fractions.
    """
    budget = budget or Budget()
    cons = unit_box(n)
    for a, b in constraints:
        if len(a) != n:
            raise InputError(f"constraint has {len(a)} coefficients, expected {n}")
        if not any(a):
            if b < 0:
                return Fraction(0), (Fraction(0),) * n
            continue
        cons.add(normalize(tuple(int(x) for x in a), int(b)))
    if n == 0:
        return Fraction(1), ()
    memo: dict[tuple[int, frozenset[Constraint]], tuple[Fraction, tuple[Fraction, ...]]] = {}
    vol, mom = _face(frozenset(cons), n, memo, budget)
    return to_fraction(vol), tuple(to_fraction(m) for m in mom)


def _segment(cons: Iterable[Constraint]) -> tuple[Any, tuple[Any, ...]]:
    """Length and first moment of ``{y in [0, 1] : a·y + b >= 0 for each (a, b)}`` (n = 1).

    The base case of the recursion: the set is an interval [lo, hi], whose length is hi - lo
    and whose first moment is (hi² - lo²) / 2.
    """
    lo, hi = Q(0), Q(1)
    for (a1,), b1 in cons:
        v = Q(-b1, a1)
        if a1 > 0:
            lo = max(lo, v)
        else:
            hi = min(hi, v)
    if hi > lo:
        return hi - lo, ((hi * hi - lo * lo) / 2,)
    return Q(0), (Q(0),)


def _empty_by_bounds(cl: list[Constraint], n: int) -> bool:
    """Interval propagation over [0,1]^n: True only if the face is empty by a clear margin."""
    A = np.array([a for a, _ in cl], dtype=np.float64)
    b = np.array([float(b) for _, b in cl])
    s = np.abs(A).max(axis=1)
    A /= s[:, None]
    b /= s
    lo = np.zeros(n)
    hi = np.ones(n)
    for _ in range(3):
        up = np.where(A > 0, A * hi, A * lo)  # [m, n] the largest value of each term
        mx = b + up.sum(axis=1)
        if np.any(mx < -_TOL):
            return True
        rest = mx[:, None] - up  # max of the other terms
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = -rest / A
        new_lo = np.where(A > 0, bound, -np.inf).max(axis=0)
        new_hi = np.where(A < 0, bound, np.inf).min(axis=0)
        lo = np.maximum(lo, new_lo)
        hi = np.minimum(hi, new_hi)
        if np.any(lo > hi + _TOL):
            return True
    return False


def _face(
    cons: frozenset[Constraint],
    n: int,
    memo: dict[tuple[int, frozenset[Constraint]], tuple[Fraction, tuple[Fraction, ...]]],
    budget: Budget,
) -> tuple[Fraction, tuple[Fraction, ...]]:
    key = (n, cons)
    hit = memo.get(key)
    if hit is not None:
        return hit
    budget.tick()
    zero = (Q(0), (Q(0),) * n)
    cl = sorted(cons)
    if _empty_by_bounds(cl, n):
        memo[key] = zero
        return zero
    if n == 1:
        out = _segment(cl)
        memo[key] = out
        return out
    vol = Q(0)
    mom = [Q(0)] * n
    for a, b in cl:
        if b == 0:
            continue
        m = next(j for j, x in enumerate(a) if x)
        am = a[m]
        sg = 1 if am > 0 else -1
        sub: set[Constraint] = set()
        empty = False
        for a2, b2 in cl:
            c = a2[m]
            if c == 0:
                na = a2[:m] + a2[m + 1 :]
                nb = b2
            else:
                na = tuple(sg * (am * a2[j] - c * a[j]) for j in range(n) if j != m)
                nb = sg * (am * b2 - c * b)
            if not any(na):
                if nb < 0:
                    empty = True
                    break
                continue
            sub.add(normalize(na, nb))
        if empty:
            continue
        v, mo = _face(frozenset(sub), n - 1, memo, budget)
        if v == 0:
            continue
        w = Q(b, abs(am))
        vol += w * v
        full = [*mo[:m], Q(0), *mo[m:]]
        full[m] = -(b * v + sum((a[j] * full[j] for j in range(n) if j != m), Q(0))) / am
        for j in range(n):
            mom[j] += w * full[j]
    out = (vol / n, tuple(x / (n + 1) for x in mom))
    memo[key] = out
    return out
