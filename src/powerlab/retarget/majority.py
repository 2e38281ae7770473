r"""Orbit subsets and n-majority (RDSP Defs. 3.2, 3.5; Krakovna & Kramár 2023, Defs. 2-3).

Let :math:`f(X\mid\theta)` be a decision function evaluated on two sets of choices, A
(Krakovna & Kramár's :math:`A_0`, e.g. "shut down") and B (:math:`A_1`, "stay alive"). For an orbit
:math:`\mathrm{Orbit}_\Theta(\theta) = (S_d\cdot\theta)\cap\Theta`
(:mod:`powerlab.retarget.orbits`) Krakovna & Kramár (2023, Def. 2) split it into

.. math::
   \mathrm{Orbit}_{\Theta,B>A}(\theta) = \{\theta' : f(B\mid\theta') > f(A\mid\theta')\},\quad
   \mathrm{Orbit}_{\Theta,A>B}(\theta),\quad \text{and the ties}.

Def. 3 (RDSP Def. 3.2): :math:`f(B\mid\theta) \ge^n_{\mathrm{most}:\Theta} f(A\mid\theta)` iff
:math:`|\mathrm{Orbit}_{\Theta,B>A}(\theta)| \ge n\,|\mathrm{Orbit}_{\Theta,A>B}(\theta)|` for
every :math:`\theta \in \Theta`. The *largest n* is the largest integer with that property,
:math:`\min_\theta \lfloor |B>A| / |A>B| \rfloor` (unbounded, reported as ``None``, when no
orbit element prefers A); then among the orbit elements where the two differ, at least the
fraction :math:`n/(n+1)` prefer B.

Counting convention: counts are over the *distinct* points of the orbit (Def. 3.1 is a set).
Counting once per permutation instead multiplies every count by :math:`|\mathrm{Stab}(\theta)|`
and leaves every inequality and fraction unchanged. Exact counts are ints and fractions are
``fractions.Fraction``; with ``sample=`` the counts are those of uniformly random permutations
(Monte Carlo) and come with the sample count and a standard error.

A *comparison* is any callable ``compare(points: [N, d]) -> (fA: [N], fB: [N])``; build one
for outcome lotteries with :func:`powerlab.retarget.outcomes.lottery_comparison` or for an MDP
with :func:`powerlab.retarget.mdp.mdp_comparison`. ``f(B) > f(A)`` means ``fB - fA > tol``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.retarget.orbits import DEFAULT_MAX_ORBIT, as_theta, orbit, restrict, sample_orbit

__all__ = [
    "COMPARE_TOL",
    "Comparison",
    "MajorityReport",
    "OrbitCounts",
    "Predicate",
    "classify",
    "n_fraction",
    "n_majority",
    "orbit_counts",
    "orbit_points",
]

COMPARE_TOL = 1e-9
"""Default tolerance: f(B) > f(A) when f(B) - f(A) > 1e-9 (values of f lie in [0, 1])."""

Comparison = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
Predicate = Callable[[np.ndarray], np.ndarray]


def classify(compare: Comparison, points: np.ndarray, tol: float = COMPARE_TOL) -> np.ndarray:
    """Sign of f(B) - f(A) at each point: ``[N]`` int8, +1 (B > A), -1 (A > B), 0 (tie)."""
    pts = np.asarray(points)
    fa, fb = compare(pts)
    fa = np.asarray(fa, dtype=np.float64)
    fb = np.asarray(fb, dtype=np.float64)
    if fa.shape != (pts.shape[0],) or fb.shape != (pts.shape[0],):
        raise InputError(
            f"comparison must return two [N]={pts.shape[0]} arrays, got {fa.shape}, {fb.shape}"
        )
    diff = fb - fa
    return np.where(diff > tol, 1, np.where(diff < -tol, -1, 0)).astype(np.int8)


@dataclass(frozen=True)
class OrbitCounts:
    """Counts of one orbit's subsets (Krakovna & Kramár 2023, Def. 2), exact or sampled.

    Attributes:
        orbit_size: distinct points of :math:`\\mathrm{Orbit}_\\Theta(\\theta)` (exact), or
            sampled points that fell in Θ (sampled).
        b_over_a, a_over_b, ties: the three subsets' sizes (or sample counts).
        exact: True when the whole orbit was enumerated.
        samples: number of random permutations drawn (sampled mode), else None.
    """

    orbit_size: int
    b_over_a: int
    a_over_b: int
    ties: int
    exact: bool = True
    samples: int | None = None

    def holds(self, n: int | Fraction) -> bool:
        """Def. 3 on this orbit: ``|B>A| >= n |A>B|``."""
        return self.b_over_a >= n * self.a_over_b

    @property
    def ratio(self) -> Fraction | None:
        """:math:`|B>A|/|A>B|` exactly; None when :math:`|A>B| = 0`."""
        return None if self.a_over_b == 0 else Fraction(self.b_over_a, self.a_over_b)

    @property
    def largest_n(self) -> int | None:
        """Largest integer n with ``|B>A| >= n |A>B|``; None when every n holds."""
        return None if self.a_over_b == 0 else self.b_over_a // self.a_over_b

    @property
    def fraction_b_over_a(self) -> Fraction:
        """:math:`|B>A| / (|B>A| + |A>B|)` among points where f differs (1 if none differ)."""
        decided = self.b_over_a + self.a_over_b
        return Fraction(1) if decided == 0 else Fraction(self.b_over_a, decided)

    @property
    def standard_error(self) -> float | None:
        """Binomial standard error of :attr:`fraction_b_over_a` (sampled mode only)."""
        if self.exact:
            return None
        decided = self.b_over_a + self.a_over_b
        if decided == 0:
            return 0.0
        p = self.b_over_a / decided
        return math.sqrt(p * (1 - p) / decided)


def n_fraction(n: int | None) -> Fraction:
    """:math:`n/(n+1)`, and 1 for an unbounded n (``None``)."""
    return Fraction(1) if n is None else Fraction(n, n + 1)


@dataclass(frozen=True)
class MajorityReport:
    """Def. 3 over several orbit representatives :math:`\\theta_1..\\theta_K` of Θ."""

    counts: tuple[OrbitCounts, ...]

    @property
    def largest_n(self) -> int | None:
        """:math:`\\min_k \\lfloor |B>A|_k/|A>B|_k \\rfloor`; None when unbounded."""
        ns = [c.largest_n for c in self.counts if c.largest_n is not None]
        return min(ns) if ns else None

    @property
    def fraction_b_at_least_a(self) -> Fraction:
        """The guaranteed share :math:`n/(n+1)` for the largest n (1 when unbounded)."""
        return n_fraction(self.largest_n)

    def holds(self, n: int | Fraction) -> bool:
        """:math:`f(B) \\ge^n_{\\mathrm{most}} f(A)` on every orbit examined."""
        return all(c.holds(n) for c in self.counts)

    @property
    def exact(self) -> bool:
        """True when every orbit was enumerated."""
        return all(c.exact for c in self.counts)


def orbit_points(
    theta: object,
    *,
    predicate: Predicate | None = None,
    max_size: int | None = DEFAULT_MAX_ORBIT,
    sample: int | None = None,
    rng: Seed = None,
) -> tuple[np.ndarray, bool]:
    """The points of :math:`\\mathrm{Orbit}_\\Theta(\\theta)` to examine, and whether exact.

    Exact (``sample=None``): the distinct points, restricted to Θ by ``predicate``
    (vectorised ``[N, d] -> [N]`` bool; None means Θ = R^d). Sampled: ``sample`` uniformly
    random permutations of θ, restricted to Θ (duplicates kept, each a fresh draw).
    """
    th = as_theta(theta)
    if sample is not None:
        if isinstance(sample, bool) or not isinstance(sample, int | np.integer) or sample < 1:
            raise InputError(f"sample must be a positive integer, got {sample!r}")
        pts = sample_orbit(th, int(sample), rng)
        exact = False
    else:
        pts = orbit(th, distinct=True, max_size=max_size)
        exact = True
    if predicate is not None:
        pts = restrict(pts, predicate)  # type: ignore[assignment]
    return pts, exact


def orbit_counts(
    theta: object,
    compare: Comparison,
    *,
    predicate: Predicate | None = None,
    max_size: int | None = DEFAULT_MAX_ORBIT,
    sample: int | None = None,
    rng: Seed = None,
    tol: float = COMPARE_TOL,
) -> OrbitCounts:
    """Count :math:`|\\mathrm{Orbit}_{\\Theta,B>A}|`, :math:`|\\ldots_{A>B}|` and ties (Def. 2).

    Args:
        theta: ``[d]`` orbit representative.
        compare: ``points [N, d] -> (f(A|θ'), f(B|θ'))``, each ``[N]``.
        predicate: membership in Θ, vectorised ``[N, d] -> [N]`` bool; None: Θ = R^d.
        max_size: refuse exact enumeration beyond this many distinct points.
        sample: if given, draw this many uniformly random permutations instead.
        rng: seed or Generator for ``sample``.
        tol: f(B) > f(A) iff f(B) - f(A) > tol.
    """
    pts, exact = orbit_points(theta, predicate=predicate, max_size=max_size, sample=sample, rng=rng)
    sign = classify(compare, pts, tol) if len(pts) else np.zeros(0, dtype=np.int8)
    return OrbitCounts(
        orbit_size=len(pts),
        b_over_a=int(np.sum(sign > 0)),
        a_over_b=int(np.sum(sign < 0)),
        ties=int(np.sum(sign == 0)),
        exact=exact,
        samples=None if exact else int(sample),  # type: ignore[arg-type]
    )


def n_majority(
    thetas: object,
    compare: Comparison,
    *,
    predicate: Predicate | None = None,
    max_size: int | None = DEFAULT_MAX_ORBIT,
    sample: int | None = None,
    rng: Seed = None,
    tol: float = COMPARE_TOL,
) -> MajorityReport:
    """Def. 3 (RDSP Def. 3.2) over the orbits of ``thetas: [K, d]`` (or one ``[d]``).

    Θ is represented by the orbit representatives given (every θ ∈ Θ lies in one of their
    orbits when Θ is a union of orbits restricted by ``predicate``). The report gives the
    counts per orbit, :meth:`MajorityReport.holds` for a given n, the largest n and the
    fraction n/(n+1).
    """
    arr = np.asarray(thetas)
    ths = as_theta(arr[None, :] if arr.ndim == 1 else arr, name="thetas", batch=True)
    gen = as_generator(rng)
    counts = tuple(
        orbit_counts(
            th, compare, predicate=predicate, max_size=max_size, sample=sample, rng=gen, tol=tol
        )
        for th in ths
    )
    return MajorityReport(counts)
