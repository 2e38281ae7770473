r"""A-priori estimate of exact mode's cost, so that hopeless requests are refused at once.

Exact POWER and optimality probability at a discount γ ∈ (0, 1] split the reward cube
:math:`[0,1]^n` into the regions :math:`Q_i` where candidate i is best (:mod:`.regions`),
enumerate each region's vertices in exact arithmetic and integrate over its face lattice.
If the candidates' vectors differ in d coordinates, every region lives in those d
coordinates (a coordinate in which candidate i differs from some j is mentioned by one of
i's constraints), and the work grows with two counts:

1. *Faces.* The regions cover the cube, so each of the :math:`3^d` nonempty faces G of the
   cube is met in its full dimension by some region Q, and :math:`Q \cap G` is then a face
   of Q with the affine hull of G: the regions have at least :math:`3^d` distinct faces.
2. *Vertices per region.* Each of the N candidates' regions is enumerated separately
   against N - 1 constraints and the 2d cube facets; the model charges :math:`2^d` for each.

Neither count is a proof of running time (Lasserre's recursion skips the faces through its
apex vertex, and the enumeration's cost per vertex varies), so the two are combined into a
model calibrated on measurements.

The estimate is :math:`(3^d + N 2^d) \cdot c` seconds per state and discount, with N and d
taken from a cheap *lower* bound on F_nd(s) (Turner et al. 2021, Def 3.6): the lassos that
maximise :math:`f(\gamma_0)^\top r` for fixed positive directions r, in floating point, at
:math:`\gamma_0 = 1/2` (each maximiser is a vertex of the hull of F(s)(γ0), so N and d are
not overstated). The directions are the evenly spread points of :func:`.hull._directions`
plus, for each coordinate, one that favours it and one that avoids it. At γ = 1 the
candidates are the gains (:meth:`.visits.VisitFunction.gain`). The constant c
(:data:`SECONDS_PER_UNIT`) is below the measured time per unit of every instance of
``benchmarks/bench_exact.py`` that finishes (docs/exact.md, "Limits and bad input") and of
two disjoint k-cycles from one state (k = 4, 6; 0.17 s and 15.5 s), so the estimate stays
under the measured time of each; the certification of F_nd, which can take
longer than the regions, is not counted. The estimate decides no answer: it only refuses,
before they start, requests that could not finish in their time limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from powerlab.errors import ResourceError
from powerlab.mdp.model import MDP
from powerlab.power.exact.hull import _directions
from powerlab.power.exact.visits import VisitFunction

__all__ = ["SECONDS_PER_UNIT", "Estimate", "check_cost", "estimate"]

SECONDS_PER_UNIT = 5.0e-6
"""Seconds per unit of 3^d + N 2^d, under every measured instance (module docstring)."""
_GAMMA0 = 0.5
_DIRECTIONS = 1024


@dataclass(frozen=True)
class Estimate:
    """Estimate of one (state, γ) query: ``candidates`` N, ``dimensions`` d, ``seconds``."""

    candidates: int
    dimensions: int
    seconds: float


def _values(f: VisitFunction, gamma: float, coords: Sequence[int]) -> list[float]:
    """f(γ) in floating point on ``coords``, or at γ = 1 the gain (:meth:`VisitFunction.gain`)."""
    out = dict.fromkeys(coords, 0.0)
    if gamma >= 1:
        for x in f.cycle:
            out[x] += 1.0 / len(f.cycle)
        return [out[c] for c in coords]
    j = len(f.path) if f.loop is None else f.loop
    scale = 1.0 if f.loop is None else 1.0 / (1.0 - gamma ** (len(f.path) - j))
    for t, x in enumerate(f.path):
        out[x] += gamma**t * (1.0 if t < j else scale)
    return [out[c] for c in coords]


def _strict_maximisers(P: np.ndarray, R: np.ndarray) -> np.ndarray:
    """Indices of the points ``P [F, n]`` that are the clear maximum for some direction of
    ``R [K, n]``: ahead of every other point by more than rounding, so each is a vertex of
    the hull (a tie, as on an edge of the hull, proves nothing and is skipped)."""
    found: set[int] = set()
    for lo in range(0, len(R), 256):  # [256, F] scores at a time
        scores = R[lo : lo + 256] @ P.T
        top = scores.max(axis=1, keepdims=True)
        near = scores >= top - 1e-9 * (1.0 + np.abs(top))
        alone = near.sum(axis=1) == 1
        found.update(np.argmax(scores[alone], axis=1).tolist())
    return np.array(sorted(found), dtype=np.int64)


def estimate(functions: Sequence[VisitFunction], gamma: Fraction) -> Estimate:
    """Estimated region work at one state and one γ ∈ (0, 1] (module docstring).

    Args:
        functions: F(s), the visit-distribution functions of the state (Def 3.3).
        gamma: the discount; at γ = 1 the gains are the candidates.
    """
    coords = sorted({x for f in functions for x in f.path})
    if len(functions) < 2 or not coords:
        return Estimate(len(functions), 0, 0.0)
    at1 = gamma == 1
    P = np.array([_values(f, 1.0 if at1 else _GAMMA0, coords) for f in functions])  # [F, n]
    n = len(coords)
    # Evenly spread positive directions, and for each coordinate one that favours it and one
    # that avoids it, to meet candidates that differ in that coordinate.
    # The small generic part breaks ties (every endless lasso has the same total 1/(1-γ)).
    eye = np.eye(n)
    K = _directions(n, 1, _DIRECTIONS + 2 * n)  # [K + 2n, n]
    tilt = 1e-3 * K[_DIRECTIONS:]
    R = np.vstack([K[:_DIRECTIONS], eye + tilt[:n], 1 - eye + tilt[n:]])  # [K + 2n, n]
    P, first = np.unique(P, axis=0, return_index=True)  # distinct vectors [F', n]
    best = first[_strict_maximisers(P, R)]
    chosen = np.array([_values(functions[i], float(gamma), coords) for i in best])
    rows = np.unique(np.round(chosen.reshape(len(best), n), 12), axis=0)  # [N, n]
    N = len(rows)
    if N < 2:
        return Estimate(N, 0, 0.0)
    d = int(np.count_nonzero(np.ptp(rows, axis=0) > 1e-12))
    return Estimate(N, d, (3.0**d + N * 2.0**d) * SECONDS_PER_UNIT)


def check_cost(
    mdp: MDP,
    queries: Sequence[tuple[int, Fraction]],
    functions: Callable[[int], Sequence[VisitFunction]],
    seconds: float | None,
    what: str,
) -> None:
    """Raise :class:`ResourceError` before any region work when the estimate exceeds ``seconds``.

    Args:
        mdp: the MDP (for names in the message).
        queries: ``(state index, γ)`` pairs the call will integrate, in order; γ = 0 and
            terminal states cost nothing and are skipped.
        functions: F(s) of a state index (computed once per state by the caller).
        seconds: the call's time limit; ``None`` means no limit and no check.
        what: "POWER" or "optimality probability", for the message.
    """
    if seconds is None:
        return
    total = 0.0
    for s, g in queries:
        if g == 0 or mdp.terminal[s]:
            continue
        est = estimate(functions(s), g)
        total += est.seconds
        if total > seconds:
            raise ResourceError(
                f"{mdp.name}: exact {what} at state {mdp.states[s]!r} (γ = {g}) needs an "
                f"estimated {total:,.0f} s ({est.candidates}+ non-dominated candidates "
                f"in {est.dimensions} reward coordinates), "
                f"over the {seconds:g} s limit; drop --exact for the Monte Carlo estimate, or "
                "raise the limit (POWERLAB_EXACT_SECONDS, or time_limit= in Python)"
            )
