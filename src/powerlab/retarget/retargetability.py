r"""Multiple retargetability (RDSP Def. 3.5; Krakovna & Kramár 2023, Def. 4) and RDSP Thm. 3.6.

f is :math:`(\Theta, A \overset{n}{\to} B)`-retargetable when for each :math:`\theta\in\Theta`
there are permutations :math:`\phi_1, \dots, \phi_n \in S_d` such that, writing
:math:`O_{A>B} = \mathrm{Orbit}_{\Theta,A>B}(\theta)`:

1. *Retargetable via n permutations*: :math:`\forall \theta' \in O_{A>B}, \forall i:
   f(B\mid\phi_i\cdot\theta') > f(A\mid\phi_i\cdot\theta')`.
2. *Permuted parameters stay in Θ*: :math:`\forall \theta' \in O_{A>B}, \forall i:
   \phi_i\cdot\theta' \in \Theta`.
3. *Distinct images*: :math:`\forall \theta', \theta'' \in O_{A>B}, \forall i \ne j:
   \phi_i\cdot\theta' \ne \phi_j\cdot\theta''`.

Theorem 1 (RDSP Thm. 3.6): then :math:`f(B\mid\theta) \ge^n_{\mathrm{most}:\Theta}
f(A\mid\theta)`, because :math:`(i, \theta') \mapsto \phi_i\cdot\theta'` injects
:math:`\{1..n\}\times O_{A>B}` into :math:`O_{B>A}`.

:func:`verify_retargetable` checks the three conditions on one orbit and lists every failure
as (condition, orbit point θ', i, j). With the whole orbit enumerated the check is exact. With
``sample=`` it checks the conditions at sampled θ' ∈ O_{A>B}: conditions 1-2 directly, and
condition 3 through its local form (it fails at θ' iff some :math:`\theta'' =
\phi_j^{-1}\phi_i\cdot\theta'` lies in O_{A>B}), so a reported failure is real while a clean
sampled report is evidence, not proof. :func:`search_retargeting` picks permutations from
candidates (all transpositions, and the involutions of RDSP's "copies" construction from
:mod:`powerlab.retarget.search`) and :func:`check_theorem1` compares premise and conclusion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from powerlab._random import Seed
from powerlab.errors import InputError
from powerlab.retarget.majority import (
    COMPARE_TOL,
    Comparison,
    OrbitCounts,
    Predicate,
    classify,
    orbit_points,
)
from powerlab.retarget.orbits import DEFAULT_MAX_ORBIT, as_theta
from powerlab.retarget.permutations import apply_permutation, as_permutations, compose, inverse

__all__ = [
    "Failure",
    "RetargetReport",
    "Theorem1Check",
    "check_theorem1",
    "search_retargeting",
    "verify_retargetable",
]

_CONDITION_TEXT = {
    1: "phi_i . theta' does not make f prefer B",
    2: "phi_i . theta' is outside Theta",
    3: "phi_i . theta' equals phi_j . theta'' for another theta'' in Orbit_{A>B}",
}


@dataclass(frozen=True)
class Failure:
    """One violated condition of Def. 4 at one orbit point.

    Attributes:
        condition: 1, 2 or 3 (see the module docstring).
        theta: the orbit point θ' ∈ Orbit_{A>B}(θ) where it fails.
        i: index of the permutation φ_i (0-based).
        j: for condition 3, the other permutation's index; else None.
        other: for condition 3, the point θ'' with φ_i·θ' = φ_j·θ''; else None.
    """

    condition: int
    theta: tuple[float, ...]
    i: int
    j: int | None = None
    other: tuple[float, ...] | None = None

    def message(self) -> str:
        """One line describing the failure."""
        where = f"theta'={list(self.theta)}, i={self.i}"
        if self.condition == 3:
            where += f", j={self.j}, theta''={list(self.other or ())}"
        return f"condition {self.condition} ({_CONDITION_TEXT[self.condition]}) at {where}"


@dataclass(frozen=True)
class RetargetReport:
    """Result of :func:`verify_retargetable` on one orbit.

    ``ok`` is True when no condition failed at any point examined; ``failures`` lists at most
    ``max_failures`` of them (``n_failures`` counts all). ``a_over_b`` is the number of orbit
    points examined with f(A) > f(B).
    """

    theta: tuple[float, ...]
    perms: np.ndarray = field(repr=False)
    orbit_size: int
    a_over_b: int
    exact: bool
    n_failures: int
    failures: tuple[Failure, ...]

    @property
    def n(self) -> int:
        """Number of permutations checked."""
        return int(self.perms.shape[0])

    @property
    def ok(self) -> bool:
        """All three conditions hold at every point examined."""
        return self.n_failures == 0

    def failed_conditions(self) -> set[int]:
        """The conditions that failed somewhere."""
        return {f.condition for f in self.failures}


def _row_keys(points: np.ndarray) -> list[bytes]:
    pts = np.ascontiguousarray(points)
    return [row.tobytes() for row in pts]


def verify_retargetable(
    theta: object,
    perms: object,
    compare: Comparison,
    *,
    predicate: Predicate | None = None,
    max_size: int | None = DEFAULT_MAX_ORBIT,
    sample: int | None = None,
    rng: Seed = None,
    tol: float = COMPARE_TOL,
    max_failures: int = 20,
) -> RetargetReport:
    """Check Def. 4's conditions 1-3 for permutations ``perms: [n, d]`` on the orbit of θ.

    Args:
        theta: ``[d]`` orbit representative.
        perms: ``[n, d]`` permutations (``perm[i] = φ(i)``, :mod:`.permutations`).
        compare: ``points [N, d] -> (f(A), f(B))``.
        predicate: membership in Θ (vectorised, ``[N, d] -> [N]`` bool); None: Θ = R^d.
        max_size: refuse exact enumeration of more distinct orbit points than this.
        sample: check at the A>B points among this many random orbit draws instead.
        rng: seed or Generator for ``sample``.
        tol: f(B) > f(A) iff f(B) - f(A) > tol.
        max_failures: keep at most this many :class:`Failure` records.
    """
    th = as_theta(theta)
    d = th.shape[0]
    phis = as_permutations(perms, d, name="perms")
    if phis.ndim == 1:
        phis = phis[None, :]
    pts, exact = orbit_points(th, predicate=predicate, max_size=max_size, sample=sample, rng=rng)
    sign = classify(compare, pts, tol) if len(pts) else np.zeros(0, dtype=np.int8)
    a_pts = pts[sign < 0]
    if not exact:
        a_pts = np.unique(a_pts, axis=0)
    failures: list[Failure] = []
    n_fail = 0

    def record(f: Failure) -> None:
        nonlocal n_fail
        n_fail += 1
        if len(failures) < max_failures:
            failures.append(f)

    m = len(a_pts)
    if m:
        for i, phi in enumerate(phis):
            img = apply_permutation(phi, a_pts)
            inside = (
                np.ones(m, dtype=bool) if predicate is None else np.asarray(predicate(img), bool)
            )
            good = classify(compare, img, tol) > 0
            for k in np.flatnonzero(~good):
                record(Failure(1, tuple(a_pts[k].tolist()), i))
            for k in np.flatnonzero(~inside):
                record(Failure(2, tuple(a_pts[k].tolist()), i))
        if exact:
            _distinct_images_exact(phis, a_pts, record)
        else:
            _distinct_images_local(phis, a_pts, compare, predicate, tol, record)
    return RetargetReport(
        theta=tuple(th.tolist()),
        perms=phis,
        orbit_size=len(pts),
        a_over_b=int(m),
        exact=exact,
        n_failures=n_fail,
        failures=tuple(failures),
    )


def _distinct_images_exact(phis: np.ndarray, a_pts: np.ndarray, record) -> None:  # type: ignore[no-untyped-def]
    """Condition 3 by hashing all images φ_i·θ' (complete orbit)."""
    seen: dict[bytes, tuple[int, int]] = {}
    for i, phi in enumerate(phis):
        img = apply_permutation(phi, a_pts)
        for k, key in enumerate(_row_keys(img)):
            prev = seen.get(key)
            if prev is None:
                seen[key] = (i, k)
            elif prev[0] != i:
                j, k2 = prev
                record(Failure(3, tuple(a_pts[k].tolist()), i, j, tuple(a_pts[k2].tolist())))


def _distinct_images_local(  # type: ignore[no-untyped-def]
    phis: np.ndarray,
    a_pts: np.ndarray,
    compare: Comparison,
    predicate: Predicate | None,
    tol: float,
    record,
) -> None:
    """Condition 3 at sampled θ': is θ'' = φ_j^{-1} φ_i θ' in Orbit_{A>B} for some j != i?"""
    n = len(phis)
    inv = inverse(phis)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            other = apply_permutation(compose(inv[j], phis[i]), a_pts)
            inside = (
                np.ones(len(other), dtype=bool)
                if predicate is None
                else np.asarray(predicate(other), bool)
            )
            bad = inside & (classify(compare, other, tol) < 0)
            for k in np.flatnonzero(bad):
                record(Failure(3, tuple(a_pts[k].tolist()), i, j, tuple(other[k].tolist())))


def search_retargeting(
    theta: object,
    compare: Comparison,
    candidates: object | None = None,
    *,
    predicate: Predicate | None = None,
    max_size: int | None = DEFAULT_MAX_ORBIT,
    tol: float = COMPARE_TOL,
    exact_limit: int = 24,
) -> np.ndarray:
    """Find permutations satisfying Def. 4 on the orbit of θ, as many as possible.

    Each candidate (default: every transposition of the d coordinates) is kept if it meets
    conditions 1 and 2 at every θ' ∈ Orbit_{A>B}(θ); then a largest set of kept candidates
    with pairwise disjoint image sets (condition 3) is chosen, exactly by branch and bound
    when at most ``exact_limit`` candidates survive, greedily otherwise. Returns ``[n, d]``
    (``n = 0`` when none works; any n works when Orbit_{A>B} is empty, and then ``[0, d]`` is
    returned as well). The orbit is enumerated exactly.
    """
    th = as_theta(theta)
    d = th.shape[0]
    if candidates is None:
        from powerlab.retarget.search import transpositions

        cands = transpositions(d)
    else:
        cands = as_permutations(candidates, d, name="candidates")
        cands = cands[None, :] if cands.ndim == 1 else cands
    pts, _ = orbit_points(th, predicate=predicate, max_size=max_size)
    sign = classify(compare, pts, tol) if len(pts) else np.zeros(0, dtype=np.int8)
    a_pts = pts[sign < 0]
    if len(a_pts) == 0 or len(cands) == 0:
        return np.zeros((0, d), dtype=np.int64)
    kept: list[int] = []
    images: list[set[bytes]] = []
    for c, phi in enumerate(cands):
        img = apply_permutation(phi, a_pts)
        if predicate is not None and not np.all(np.asarray(predicate(img), bool)):
            continue
        if not np.all(classify(compare, img, tol) > 0):
            continue
        kept.append(c)
        images.append(set(_row_keys(img)))
    chosen = _max_disjoint(images, exact_limit)
    return cands[[kept[k] for k in chosen]] if chosen else np.zeros((0, d), dtype=np.int64)


def _max_disjoint(images: Sequence[set[bytes]], exact_limit: int) -> list[int]:
    """A largest family of pairwise disjoint sets (maximum clique in the compatibility graph)."""
    n = len(images)
    compat = [
        sum(1 << b for b in range(n) if b != a and not (images[a] & images[b])) for a in range(n)
    ]
    if n > exact_limit:
        chosen: list[int] = []
        for a in sorted(range(n), key=lambda a: -bin(compat[a]).count("1")):
            if all(compat[a] >> b & 1 for b in chosen):
                chosen.append(a)
        return sorted(chosen)
    best = 0

    def expand(current: int, allowed: int) -> None:
        nonlocal best
        if allowed == 0:
            if bin(current).count("1") > bin(best).count("1"):
                best = current
            return
        if bin(current).count("1") + bin(allowed).count("1") <= bin(best).count("1"):
            return
        a = allowed.bit_length() - 1
        expand(current | (1 << a), allowed & compat[a])
        expand(current, allowed & ~(1 << a))

    expand(0, (1 << n) - 1)
    return [a for a in range(n) if best >> a & 1]


@dataclass(frozen=True)
class Theorem1Check:
    """Premise (Def. 4 verified for the n permutations) and conclusion (Def. 3 with that n)."""

    n: int
    premise: RetargetReport
    counts: OrbitCounts

    @property
    def conclusion(self) -> bool:
        """:math:`|O_{B>A}| \\ge n |O_{A>B}|` on this orbit."""
        return self.counts.holds(self.n)

    @property
    def consistent(self) -> bool:
        """False only for a counterexample to Theorem 1 (premise holds, conclusion fails)."""
        return not (self.premise.ok and self.premise.exact and not self.conclusion)


def check_theorem1(
    theta: object,
    perms: object,
    compare: Comparison,
    *,
    predicate: Predicate | None = None,
    max_size: int | None = DEFAULT_MAX_ORBIT,
    tol: float = COMPARE_TOL,
) -> Theorem1Check:
    """Theorem 1 (RDSP Thm. 3.6) on the orbit of θ: verify Def. 4, then count (exactly)."""
    report = verify_retargetable(
        theta, perms, compare, predicate=predicate, max_size=max_size, tol=tol
    )
    pts, _ = orbit_points(theta, predicate=predicate, max_size=max_size)
    sign = classify(compare, pts, tol) if len(pts) else np.zeros(0, dtype=np.int8)
    counts = OrbitCounts(
        orbit_size=len(pts),
        b_over_a=int(np.sum(sign > 0)),
        a_over_b=int(np.sum(sign < 0)),
        ties=int(np.sum(sign == 0)),
    )
    if report.n < 1:
        raise InputError("check_theorem1: need at least one permutation")
    return Theorem1Check(n=report.n, premise=report, counts=counts)
