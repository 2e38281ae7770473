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
extreme-point algorithm (Clarkson 1994; :mod:`.hull`) and *certifies* every answer in exact
arithmetic: a rational direction r in which f is the strict maximum (a vertex), or exact convex
weights that reproduce f(γ0) from other points (not a vertex). Floating point only proposes;
an answer that cannot be certified raises :class:`~powerlab.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from powerlab.errors import InputError
from powerlab.mdp.model import MDP
from powerlab.power.exact.hull import hull_vertices

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

    The f whose values :math:`f(\gamma_0)`, :math:`\gamma_0 = 1/2`, are vertices of their
    convex hull distinct from the other values, found and certified by Clarkson's algorithm
    (:func:`.hull.hull_vertices`), in the order of ``functions``.

    Args:
        mdp: a deterministic MDP.
        state: the state s.
        functions: F(s) if already computed (from :func:`visit_functions`).
    """
    F = list(functions) if functions is not None else visit_functions(mdp, state)
    return [F[i] for i in hull_vertices([f.at(_GAMMA0) for f in F])]
