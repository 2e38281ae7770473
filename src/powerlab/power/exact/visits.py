r"""Visit-distribution functions of deterministic MDPs as exact rational functions of γ.

Turner et al. (2021, arXiv 1912.01683), Def 3.3: the visit distribution of a stationary
deterministic policy π from state s is
:math:`f^{\pi,s}(\gamma) = \sum_{t \ge 0} \gamma^t e_{s_t}`, and :math:`\mathcal F(s)` is the set
of these functions over all π. In a deterministic MDP the trajectory of π from s is a *lasso*:
a simple path :math:`s = p_0, \dots, p_{k-1}` followed either by a terminal state (the episode
ends: :class:`~powerlab.mdp.model.MDP`'s terminal states pay once) or by a return to
:math:`p_j`, after which the cycle :math:`p_j, \dots, p_{k-1}` repeats. Its function is

.. math:: f(\gamma) = \sum_{t < j} \gamma^t e_{p_t}
          + \frac{1}{1 - \gamma^{L}} \sum_{l < L} \gamma^{j + l} e_{p_{j+l}}, \qquad L = k - j,

(no cycle term for a terminal ending, whose path sums :math:`\gamma^t e_{p_t}` over all of it).

Duplicates. Two lassos are the same function of γ iff they are the same lasso: the power series
of :math:`f` at γ = 0 lists the visited states in order, and a lasso is determined by that
sequence. So :func:`visit_functions` deduplicates by the canonical (path, loop start) pair —
an exact test as functions of γ — while two *different* lassos may still take equal values at
one particular γ (:meth:`VisitFunction.at` is then equal for both, and both are kept).

Non-domination (Def 3.6): f ∈ F_nd(s) iff for some r ∈ R^S and γ ∈ (0, 1),
:math:`f(\gamma)^\top r > \max_{f' \ne f} f'(\gamma)^\top r`. By Turner et al.'s Prop E.30 (a
reward R' with the same optimal policy set at any other discount γ* exists), strict optimality
at one γ transfers to every γ ∈ (0, 1), so F_nd(s) is the set of f whose value at the fixed
:math:`\gamma_0 = 1/2` is a vertex of :math:`\operatorname{conv}\{f'(\gamma_0)\}` distinct from the
other values. :func:`nondominated` finds these vertices by Clarkson's output-sensitive
extreme-point algorithm (Clarkson 1994) and *certifies* every answer in exact arithmetic: a
rational direction r in which f is the strict maximum (a vertex), or exact convex weights that
reproduce f(γ0) from other points (not a vertex). Floating point only proposes; an answer that
cannot be certified raises :class:`~powerlab.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np
from scipy.optimize import linprog, nnls

from powerlab.errors import InputError
from powerlab.mdp.model import MDP
from powerlab.power.exact._linalg import solve_exact

__all__ = [
    "DEFAULT_MAX_LASSOS",
    "VisitFunction",
    "check_deterministic",
    "nondominated",
    "visit_functions",
]

DEFAULT_MAX_LASSOS = 20_000
_GAMMA0 = Fraction(1, 2)


@dataclass(frozen=True)
class VisitFunction:
    """One visit-distribution function f ∈ F(s) of a deterministic MDP (Turner et al., Def 3.3).

    Attributes:
        path: the distinct states ``p_0 = s, ..., p_{k-1}`` (indices) in visiting order.
        loop: ``j`` when the trajectory returns to ``path[j]`` forever after ``path[-1]`` (the
            cycle is ``path[j:]``); ``None`` when ``path[-1]`` is terminal and the episode ends.
        n_states: S, the length of the vectors returned.
    """

    path: tuple[int, ...]
    loop: int | None
    n_states: int

    @property
    def cycle(self) -> tuple[int, ...]:
        """The states repeated forever (empty for a terminal ending)."""
        return () if self.loop is None else self.path[self.loop :]

    @property
    def first_step(self) -> int | None:
        """The successor of s on the trajectory (``None`` if s itself is terminal)."""
        return self.path[1] if len(self.path) > 1 else (self.path[0] if self.loop == 0 else None)

    def at(self, gamma: Fraction) -> tuple[Fraction, ...]:
        """The exact vector ``f(γ): [S]`` at a rational γ in [0, 1)."""
        gamma = Fraction(gamma)
        if not 0 <= gamma < 1:
            raise InputError(f"visit distributions need gamma in [0, 1), got {gamma}")
        out = [Fraction(0)] * self.n_states
        j = len(self.path) if self.loop is None else self.loop
        for t in range(j):
            out[self.path[t]] += gamma**t
        if self.loop is not None:
            L = len(self.path) - j
            scale = 1 / (1 - gamma**L)
            for t in range(j, len(self.path)):
                out[self.path[t]] += gamma**t * scale
        return tuple(out)

    def gain(self) -> tuple[Fraction, ...]:
        """``lim_{γ→1} (1-γ) f(γ)``: the cycle's uniform distribution (zero for terminal ends).

        This is the state distribution of Turner et al.'s RSD (Def 6.10) for this f.
        """
        out = [Fraction(0)] * self.n_states
        for x in self.cycle:
            out[x] += Fraction(1, len(self.cycle))
        return tuple(out)

    def series_at_one(self, order: int) -> list[tuple[Fraction, ...]]:
        r"""Coefficients ``a_0..a_{order-1}`` of :math:`(1-\gamma) f(\gamma) = \sum_k a_k \varepsilon^k`,
        :math:`\varepsilon = 1 - \gamma`.

        :math:`a_0` is the gain (:meth:`gain`) and :math:`a_1` the bias vector; comparing these
        lexicographically orders visit distributions for all γ close enough to 1 (Blackwell).
        """
        out = [[Fraction(0)] * self.n_states for _ in range(order)]
        j = len(self.path) if self.loop is None else self.loop
        for t in range(j):  # (1-γ) γ^t = (1-ε)^t ε
            for k, c in enumerate(_binomial_series(t, order - 1)):
                out[k + 1][self.path[t]] += c
        if self.loop is not None:
            L = len(self.path) - j
            # (1-γ)/(1-γ^L) = 1 / (1 + γ + ... + γ^{L-1}); expand the denominator in ε.
            den = [Fraction(0)] * order
            for i in range(L):
                for k, c in enumerate(_binomial_series(i, order)):
                    den[k] += c
            inv = _series_inverse(den, order)
            for t in range(j, len(self.path)):
                num = _binomial_series(t, order)
                for k, c in enumerate(_series_mul(num, inv, order)):
                    out[k][self.path[t]] += c
        return [tuple(row) for row in out]

    def taylor_at_zero(self, order: int) -> list[tuple[Fraction, ...]]:
        """Coefficients of ``f(γ) = Σ_t γ^t e_{s_t}`` for t < order: the visited states in turn."""
        out = []
        seq = self.trajectory(order)
        for t in range(order):
            row = [Fraction(0)] * self.n_states
            if t < len(seq):
                row[seq[t]] = Fraction(1)
            out.append(tuple(row))
        return out

    def trajectory(self, length: int) -> list[int]:
        """The first ``length`` states visited (shorter if the episode ends first)."""
        if self.loop is None:
            return list(self.path[:length])
        seq = list(self.path)
        cyc = self.cycle
        while len(seq) < length:
            seq.extend(cyc)
        return seq[:length]

    def formula(self, names: Sequence[str]) -> str:
        """A readable formula, e.g. ``e_start + γ e_mid + γ^2/(1-γ) e_loop``."""
        terms = []
        j = len(self.path) if self.loop is None else self.loop
        for t in range(j):
            terms.append(f"{_power(t)}e_{names[self.path[t]]}".strip())
        if self.loop is not None:
            L = len(self.path) - j
            den = "1-γ" if L == 1 else f"1-γ^{L}"
            for t in range(j, len(self.path)):
                num = "1" if t == 0 else _power(t).strip()
                terms.append(f"{num}/({den}) e_{names[self.path[t]]}")
        return " + ".join(terms)


def _power(t: int) -> str:
    return "" if t == 0 else ("γ " if t == 1 else f"γ^{t} ")


def _binomial_series(m: int, order: int) -> list[Fraction]:
    """Coefficients of (1-ε)^m up to ε^{order-1}."""
    out = [Fraction(0)] * order
    c = 1
    for k in range(min(m, order - 1) + 1):
        out[k] = Fraction((-1) ** k * c)
        c = c * (m - k) // (k + 1)
    return out


def _series_mul(a: list[Fraction], b: list[Fraction], order: int) -> list[Fraction]:
    out = [Fraction(0)] * order
    for i, x in enumerate(a[:order]):
        if x:
            for k in range(order - i):
                out[i + k] += x * b[k]
    return out


def _series_inverse(a: list[Fraction], order: int) -> list[Fraction]:
    out = [Fraction(0)] * order
    out[0] = 1 / a[0]
    for k in range(1, order):
        out[k] = -sum((a[i] * out[k - i] for i in range(1, k + 1)), Fraction(0)) / a[0]
    return out


def check_deterministic(mdp: MDP) -> np.ndarray:
    """The ``[S, A]`` successor table, or an InputError if the MDP is stochastic."""
    succ = mdp.successor
    if succ is None:
        raise InputError(
            f"{mdp.name}: exact mode needs a deterministic MDP (every action leads to one "
            "state); this one is stochastic, so use the Monte Carlo estimate (drop --exact)"
        )
    return np.asarray(succ)


def visit_functions(
    mdp: MDP, state: str | int, *, max_count: int = DEFAULT_MAX_LASSOS
) -> list[VisitFunction]:
    """F(s) (Turner et al., Def 3.3): every distinct visit-distribution function from ``state``.

    Enumerates lassos by depth-first search over distinct successors, so actions with the same
    successor give one function. Raises :class:`InputError` (suggesting Monte Carlo) when
    there are more than ``max_count``, and for stochastic MDPs.
    """
    succ = check_deterministic(mdp)
    s = mdp.state_index(state)
    S = mdp.n_states
    nexts = [sorted({int(x) for x in row if x >= 0}) for row in succ]
    out: list[VisitFunction] = []
    path = [s]
    pos = {s: 0}

    def rec() -> None:
        u = path[-1]
        if mdp.terminal[u] or not nexts[u]:
            out.append(VisitFunction(tuple(path), None, S))
        for v in nexts[u]:
            if len(out) > max_count:
                raise InputError(
                    f"{mdp.name}: state {mdp.states[s]!r} has more than {max_count} "
                    "visit-distribution functions, too many for exact mode; use the Monte "
                    "Carlo estimate (drop --exact)"
                )
            if v in pos:
                out.append(VisitFunction(tuple(path), pos[v], S))
            else:
                pos[v] = len(path)
                path.append(v)
                rec()
                path.pop()
                del pos[v]

    rec()
    return out


def nondominated(
    mdp: MDP, state: str | int, functions: Sequence[VisitFunction] | None = None
) -> list[VisitFunction]:
    r"""F_nd(s) (Turner et al., Def 3.6), certified exactly (module docstring).

    The points :math:`p_f = f(\gamma_0)` are classified by Clarkson's algorithm (Clarkson
    1994, "More output-sensitive geometric algorithms", FOCS): starting from the vertices E
    that sampled directions certify (:func:`_sampled_vertices`), each other point p is
    either written as a convex combination of E by non-negative least squares (the support
    re-solved in exact rationals: not a vertex), or the least-squares residual w separates p
    from conv(E) (:math:`w^\top p > w^\top e` for e in E), and the exact strict maximiser
    of w over all points is a new vertex added to E; p is retried until it is classified.
    Each round adds a vertex, so there are at most |F_nd| of them beyond one per point.
    Anything that floating point cannot settle goes to the linear programs of
    :func:`_is_vertex`. Measured on the 10-state circulant MDP s → s+1, s+2, s+4 (mod 10),
    1,507 points, 490 vertices: 2.3 s, against 10-14 s for linear programs on every point not
    found by sampling (in two processes).

    Args:
        mdp: a deterministic MDP.
        state: the state s.
        functions: F(s) if already computed (from :func:`visit_functions`).
    """
    F = list(functions) if functions is not None else visit_functions(mdp, state)
    if len(F) == 1:
        return F
    P = [f.at(_GAMMA0) for f in F]
    Pf = np.array([[float(x) for x in p] for p in P])
    P_int = _scaled(P)
    groups: dict[tuple[Fraction, ...], list[int]] = {}
    for i, p in enumerate(P):
        groups.setdefault(p, []).append(i)
    # (points equal to another function's value at γ0 are never strictly optimal)
    unique = [i for i, p in enumerate(P) if len(groups[p]) == 1]
    hull = _sampled_vertices(P_int, Pf)
    rng = np.random.default_rng(0)
    vertex = {i: i in hull or _clarkson_step(i, P, Pf, P_int, hull, rng) for i in unique}
    return [F[i] for i in unique if vertex[i]]


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
    rng: np.random.Generator,
) -> bool:
    """Whether point i is a vertex of conv(P), growing the certified vertex set ``hull``.

    See :func:`nondominated`. Every vertex added to ``hull`` is an exact strict maximiser;
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
            r = w + rng.normal(size=S) * (1e-3 * attempt * gap / (10 * np.abs(Pf).max()))
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

    For 4096 fixed pseudo-random integer directions r in [0, 2^20]^S, the point with the
    largest r·p (found in floating point) is a vertex if r·p exceeds every other point's
    value exactly. This certifies most vertices without a linear program; the rest are found
    by :func:`_clarkson_step`. The sample only decides which checks run, never an answer.
    """
    rng = np.random.default_rng(0)
    _n, S = Pf.shape
    R = rng.integers(0, 2**20, size=(4096, S))
    best = np.argmax(Pf @ R.T.astype(np.float64), axis=0)  # [samples]
    out: set[int] = set()
    for i in np.unique(best).tolist():
        r = [int(x) for x in R[int(np.flatnonzero(best == i)[0])]]
        if _strict_maximiser(r, P_int, Pf) == i:
            out.add(i)
    return out


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
