r"""Which of finitely many rational points are vertices of their convex hull, certified exactly.

For points :math:`p_1, \dots, p_N \in \mathbb Q^S`, :func:`hull_vertices` returns the i for
which :math:`p_i` is a vertex of :math:`\operatorname{conv}\{p_k\}` distinct from every other
point, i.e. some direction r has :math:`r^\top p_i > r^\top p_k` for all k ≠ i (Turner et
al. 2021's non-domination, Def 3.6, at one discount: see :func:`.visits.nondominated`).

The points are classified by Clarkson's output-sensitive algorithm (Clarkson 1994, "More
output-sensitive geometric algorithms", FOCS): starting from the vertices E that a fixed set
of directions certifies (:func:`_sampled_vertices`), each other point p is either written as a
convex combination of E by non-negative least squares (the support re-solved in exact
rationals: not a vertex), or the least-squares residual w separates p from conv(E)
(:math:`w^\top p > w^\top e` for e in E), and the exact strict maximiser of w over all points
is a new vertex added to E; p is retried until it is classified. Each round adds a vertex, so
there are at most |vertices| of them beyond one per point. Anything that floating point cannot
settle goes to the linear programs of :func:`_is_vertex`.

Every answer is certified in exact arithmetic: a vertex by an integer direction in which it
is the strict maximum (:func:`_strict_maximiser`), a non-vertex by exact convex weights that
reproduce it from other points. Floating point only proposes; a point that cannot be
certified either way raises :class:`~powerlab.errors.InputError`.

**Deterministic by design.** The sampled directions and the nudges that move a least-squares
direction off a tie are fixed sequences (:func:`_directions`), not random draws: they decide
only which checks run, never an answer, and fixing them makes the run time of a given input
reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import cache
from math import lcm

import numpy as np
from scipy.optimize import linprog, nnls

from powerlab.errors import InputError
from powerlab.power.exact._linalg import solve_exact

__all__ = ["hull_vertices"]


def hull_vertices(P: list[tuple[Fraction, ...]]) -> list[int]:
    """The indices i, in order, of the points ``P: [N, S]`` (exact rationals) that are vertices
    of their convex hull and differ from every other point, certified exactly (module
    docstring). Measured on F(s) at γ = 1/2 of the 10-state circulant MDP s → s+1, s+2,
    s+4 (mod 10), 1,507 points, 490 vertices: 2.3 s, against 10-14 s for linear programs on
    every point not found by sampling (in two processes).
    """
    if len(P) == 1:
        return [0]
    Pf = np.array([[float(x) for x in p] for p in P])
    P_int = _scaled(P)
    groups: dict[tuple[Fraction, ...], list[int]] = {}
    for i, p in enumerate(P):
        groups.setdefault(p, []).append(i)
    # (a point equal to another one is never the strict maximum)
    unique = [i for i, p in enumerate(P) if len(groups[p]) == 1]
    hull = _sampled_vertices(P_int, Pf)
    vertex = {i: i in hull or _clarkson_step(i, P, Pf, P_int, hull) for i in unique}
    return [i for i in unique if vertex[i]]


def _strict_maximiser(r: list[int], P_int: list[tuple[int, ...]], Pf: np.ndarray) -> int | None:
    r"""The q with :math:`r^\top p_q > r^\top p_k` for every k ≠ q, exactly; None on a tie.

    Floating point discards the points whose value is below the largest by more than any
    round-off (1e-9 of the largest possible term sum, against about 1e-15 of error); the
    rest are compared in integers (``P_int``, the points times one positive factor).
    """
    vals = Pf @ np.asarray(r, dtype=np.float64)  # [points]
    tol = 1e-9 * (float(np.abs(np.asarray(r, dtype=np.float64)).sum()) * float(np.abs(Pf).max()))
    near = np.flatnonzero(vals >= vals.max() - tol - 1e-300).tolist()
    exact = [sum(a * b for a, b in zip(P_int[k], r, strict=True)) for k in near]
    top = max(exact)
    winners = [k for k, v in zip(near, exact, strict=True) if v == top]
    return winners[0] if len(winners) == 1 else None


def _clarkson_step(
    i: int,
    P: list[tuple[Fraction, ...]],
    Pf: np.ndarray,
    P_int: list[tuple[int, ...]],
    hull: set[int],
) -> bool:
    """Whether point i is a vertex of conv(P), growing the certified vertex set ``hull``.

    See :func:`hull_vertices`. Every vertex added to ``hull`` is an exact strict maximiser;
    a "not a vertex" answer has exact convex weights over other points.
    """
    S = Pf.shape[1]
    b = np.r_[Pf[i], 1.0]
    while True:
        E = sorted(hull)
        if not E:
            return _is_vertex(i, P, Pf, P_int)
        A = np.vstack([Pf[E].T, np.ones(len(E))])  # [S + 1, |E|]
        try:
            lam, residual = nnls(A, b)
        except RuntimeError:  # iteration limit
            return _is_vertex(i, P, Pf, P_int, E)
        if residual < 1e-9:
            support = [E[k] for k in np.flatnonzero(lam > 1e-12)]
            rows = [[P[k][x] for k in support] for x in range(S)] + [[Fraction(1)] * len(support)]
            weights = solve_exact(rows, [*P[i], Fraction(1)])
            if weights is not None and all(x >= 0 for x in weights):
                return False
            return _is_vertex(i, P, Pf, P_int, E)
        w = (b - A @ lam)[:S]
        gap = float(Pf[i] @ w - (Pf[E] @ w).max())
        if gap <= 0:
            return _is_vertex(i, P, Pf, P_int, E)
        q = None
        for attempt in range(4):  # a face normal ties its face: nudge it off the tie
            r = w
            if attempt:
                nudge = 2 * _directions(S, attempt, 1)[0] - 1  # [S] in [-1, 1)
                r = w + nudge * (1e-3 * attempt * gap / (10 * np.abs(Pf).max()))
            r_int = [round(float(x) * 2**30 / float(np.abs(r).max())) for x in r]
            if (q := _strict_maximiser(r_int, P_int, Pf)) is not None:
                break
        if q is None or q in hull:
            return _is_vertex(i, P, Pf, P_int, E)
        hull.add(q)
        if q == i:
            return True


def _sampled_vertices(P_int: list[tuple[int, ...]], Pf: np.ndarray) -> set[int]:
    """Points proved to be vertices by a sampled direction, checked in integers.

    For 4096 fixed integer directions r in [0, 2^20)^S (:func:`_directions`, scaled), the
    point with the largest r·p (found in floating point) is a vertex if r·p exceeds every
    other point's value exactly. This certifies most vertices without a linear program; the
    rest are found by :func:`_clarkson_step`. The sample only decides which checks run, never
    an answer.
    """
    _n, S = Pf.shape
    R = np.floor(_directions(S, 1, 4096) * 2**20).astype(np.int64)  # [4096, S]
    best = np.argmax(Pf @ R.T.astype(np.float64), axis=0)  # [samples]
    out: set[int] = set()
    for i in np.unique(best).tolist():
        r = [int(x) for x in R[int(np.flatnonzero(best == i)[0])]]
        if _strict_maximiser(r, P_int, Pf) == i:
            out.add(i)
    return out


def _directions(S: int, start: int, count: int) -> np.ndarray:
    r"""Points k = start, ..., start + count - 1 of an additive recurrence in :math:`[0, 1)^S`.

    :math:`x_k = \operatorname{frac}(1/2 + k\alpha)` with :math:`\alpha_j = \varphi^{-(j+1)}`,
    φ the positive root of :math:`x^{S+1} = x + 1` (Kronecker sequence, equidistributed by
    Weyl 1916; this α, the generalised golden ratio, from Roberts 2018): evenly spread points,
    fixed by design, and the same on every machine (only IEEE products, sums and a floor).
    Returns ``[count, S]``.
    """
    k = np.arange(start, start + count, dtype=np.float64)[:, None]
    return np.mod(0.5 + k * _alpha(S)[None, :], 1.0)


@cache
def _alpha(S: int) -> np.ndarray:
    """:func:`_directions`' increments ``[S]``: α_j = φ^-(j+1), x^(S+1) = x + 1 at x = φ."""
    phi = 2.0
    for _ in range(100):  # Newton's method on x^(S+1) - x - 1 from above: monotone
        pw = 1.0
        for _ in range(S):
            pw *= phi
        phi -= (pw * phi - phi - 1) / ((S + 1) * pw - 1)
    alpha = np.empty(S)
    a = 1.0
    for j in range(S):
        a /= phi
        alpha[j] = a
    alpha.setflags(write=False)
    return alpha


def _in_hull_of(
    i: int,
    pool: np.ndarray,
    P: list[tuple[Fraction, ...]],
    Pf: np.ndarray,
    careful: bool = False,
) -> bool:
    """Exact convex weights lambda >= 0, sum 1, reproducing P[i] from the points ``pool``.

    A floating-point LP proposes the support, and the weights on it are solved exactly. With
    ``careful`` the LP is posed centred at P[i] (``sum lambda_k (P_k - P[i]) = 0``), scaled,
    with a 1e-10 feasibility tolerance: slower, but it finds an exact support where the plain
    LP's basis was only feasible to its default tolerance (seen on a 10-state circulant MDP).
    """
    S = Pf.shape[1]
    options = None
    if careful:
        centred = (Pf[pool] - Pf[i]).T  # [S, pool]
        A_eq = np.vstack([centred / max(float(np.abs(centred).max()), 1e-300), np.ones(len(pool))])
        b_eq = np.concatenate([np.zeros(S), [1.0]])
        options = {"primal_feasibility_tolerance": 1e-10}
    else:
        A_eq = np.vstack([Pf[pool].T, np.ones((1, len(pool)))])
        b_eq = np.concatenate([Pf[i], [1.0]])
    res = linprog(
        np.zeros(len(pool)),
        A_eq=A_eq,
        b_eq=b_eq,
        bounds=(0, None),
        method="highs-ds",
        options=options,
    )
    if res.status != 0:
        return False
    support = [int(pool[k]) for k in np.flatnonzero(res.x > 1e-12)]
    rows = [[P[k][x] for k in support] for x in range(S)] + [[Fraction(1)] * len(support)]
    lam = solve_exact(rows, [*P[i], Fraction(1)])
    return lam is not None and all(x >= 0 for x in lam)


def _scaled(P: list[tuple[Fraction, ...]]) -> list[tuple[int, ...]]:
    """The points times the lcm of their denominators: integers, in the same order."""
    den = lcm(*(x.denominator for p in P for x in p))
    return [tuple(x.numerator * (den // x.denominator) for x in p) for p in P]


def _is_vertex(
    i: int,
    P: list[tuple[Fraction, ...]],
    Pf: np.ndarray,
    P_int: list[tuple[int, ...]],
    hull: Sequence[int] = (),
) -> bool:
    """Whether point i is a vertex of conv(P), certified in exact arithmetic.

    Points not found by sampling are mostly inside the hull, so exact convex weights are
    tried first, over the known vertices ``hull`` (conv(P) is their hull once all are
    known) and then over every other point; then a separating direction (trying it second
    was measured slower: its LP has a row per point).
    """
    n = Pf.shape[0]
    others = np.delete(np.arange(n), i)
    for pool in (np.array([k for k in hull if k != i], dtype=int), others):
        if len(pool) and _in_hull_of(i, pool, P, Pf):
            return False
    if _separated(i, others, Pf, P_int):
        return True
    if _in_hull_of(i, others, P, Pf, careful=True):
        return False
    raise InputError(
        "could not certify non-domination exactly for one visit distribution; "
        "use the Monte Carlo estimate (drop --exact)"
    )


def _separated(i: int, others: np.ndarray, Pf: np.ndarray, P_int: list[tuple[int, ...]]) -> bool:
    """A direction r with f_i·r > f_k·r for every other k (``others``: every point but i), found
    by an LP and checked exactly (:func:`_strict_maximiser`)."""
    S = Pf.shape[1]
    D = Pf[i][None, :] - Pf[others]  # [n-1, S]
    scale = np.maximum(np.abs(D).max(axis=1, keepdims=True), 1e-300)
    # Separation: max t s.t. D r >= t, r in [-1, 1]^S.
    c = np.zeros(S + 1)
    c[-1] = -1.0
    res = linprog(
        c,
        A_ub=np.hstack([-D / scale, np.ones((len(others), 1))]),
        b_ub=np.zeros(len(others)),
        bounds=[(-1, 1)] * S + [(None, 1)],
        method="highs",
    )
    if res.status == 0 and -res.fun > 1e-9:
        # An integer direction r near the LP's; exact test f_i·r > f_k·r for every k, on
        # the points scaled to integers (a common positive factor keeps every comparison).
        r = [round(float(x) * 2**24) for x in res.x[:S]]
        return _strict_maximiser(r, P_int, Pf) == i
    return False
