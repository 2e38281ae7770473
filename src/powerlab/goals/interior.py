r"""Finding interior points of :math:`G_T`, or reporting that it has measure zero (Def 6).

:math:`G_T` has positive volume iff some piece :math:`C_\pi`
(:mod:`powerlab.goals.pieces`) has an interior; a point of such a piece found by the
Chebyshev-centre LP (HiGHS) starts the hit-and-run chains. Candidates for π come from a
pool of uniform draws from the box (a member is almost surely interior to its piece) and
the all-``lo`` corners with one coordinate at ``hi`` (members when acceptance is tiny);
membership of the whole pool is one batched solve, and each member's optimal policy is
found by :meth:`PieceGeometry.optimal_policy`.

Members of the pool are exact uniform draws from :math:`G^C_T` (they are uniform box
draws that passed the membership test), so they also serve as dispersed starting points
for the chains (:attr:`Start.members`).

If no candidate works, :math:`G_T` has no interior: it has measure zero (ties count, so
θ = 0 is always a member and it is never empty). This is a *finding*, not an error, and
both samplers report it before drawing anything, naming the constraint that flattens
it: the training pairs are added one at a time, in order, and the first pair after
which no candidate survives is named. For the ``"immediate"`` reading this is exact (one
LP per prefix); for ``"q"`` it is a search over the candidate pool and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab.goals.compatible import GoalSet
from powerlab.goals.training import TrainingData

__all__ = ["EmptyFinding", "EmptyGoalSet", "Start", "find_start", "measure_zero"]

_POOL = 4096
_MAX_CORNERS = 256
_MAX_LP = 256
_INTERIOR = 1e-9


@dataclass(frozen=True)
class Start:
    """An interior point ``x: [n]`` of the piece ``policy``, at distance ``radius`` from its
    boundary; ``members: [m, n]`` exact uniform draws from :math:`G^C_T` found on the way."""

    x: np.ndarray
    policy: tuple[int, ...]
    radius: float
    members: np.ndarray | None = None


@dataclass(frozen=True)
class EmptyFinding:
    """:math:`G_T` has no interior, so it has measure zero (ties count, so θ = 0 is always in
    it: it is never empty). ``constraint``: the training pair that makes it flat ("state
    's' action 'a'"); ``exact``: whether an LP proved it (else a candidate search)."""

    constraint: str
    exact: bool
    detail: str

    @property
    def message(self) -> str:
        """One line for reports."""
        how = "proved by LP" if self.exact else "no interior point found by search"
        return (
            f"G_T has measure zero ({how}): no interior once {self.constraint} is imposed; "
            f"{self.detail}"
        )


class EmptyGoalSet(RuntimeError):
    """:math:`G_T` has measure zero; ``finding`` names the constraint that flattens it."""

    def __init__(self, finding: EmptyFinding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass(frozen=True)
class _Pool:
    """Candidates in chain coordinates: ``points: [m, n]`` (``n_corner`` box corners first,
    then uniform box draws) and their membership ``member: [m]``."""

    points: np.ndarray
    n_corner: int
    member: np.ndarray

    @property
    def draws(self) -> np.ndarray:
        """The uniform draws that are members: exact uniform draws from :math:`G^C_T`."""
        return self.points[self.n_corner :][self.member[self.n_corner :]]


def _pool(gs: GoalSet, rng: np.random.Generator) -> _Pool:
    """Box corners (all-lo with one coordinate at hi; at most 256 of them) and uniform box
    draws (4,096, fewer for large S so the batch stays near 256 MiB), tested in one batch."""
    lo, hi = gs.chain_box
    n = len(lo)
    k = min(n, _MAX_CORNERS)
    idx = rng.choice(n, size=k, replace=False) if n > k else np.arange(n)
    corners = np.tile(lo, (k, 1))
    corners[np.arange(k), idx] = hi[idx]
    size = int(min(_POOL, max(256, 2**25 // max(1, gs.mdp.n_states))))
    pts = np.vstack([corners, lo + (hi - lo) * rng.random((size, n))])
    return _Pool(pts, k, gs.contains(gs.fill_free(pts, rng)))


def measure_zero(gs: GoalSet, rng: Seed = None) -> EmptyFinding | None:
    """``None`` if :math:`G_T` has positive measure, else the finding (module docstring).

    A uniform box draw that is a member proves positive measure (a null set is hit with
    probability 0), so the pool alone settles most cases without building the geometry;
    otherwise :func:`find_start` decides."""
    gen = as_generator(rng)
    if not gs.training.pairs or len(gs.chain_box[0]) == 0 or gs.epsilon > 0:
        return None  # ε > 0 has no cone geometry: a rejection shortfall is reported instead
    pool = _pool(gs, gen)
    if len(pool.draws):
        return None
    res = find_start(gs, gen, pool)
    return res if isinstance(res, EmptyFinding) else None


def find_start(gs: GoalSet, rng: Seed = None, pool: _Pool | None = None) -> Start | EmptyFinding:
    """An interior starting point of :math:`G^C_T` or an :class:`EmptyFinding`."""
    gen = as_generator(rng)
    geo = gs.geometry
    if geo.n == 0:
        return Start(np.zeros(0), (), np.inf)
    if not gs.training.pairs:
        return Start(0.5 * (geo.lo + geo.hi), geo.default_policy(), np.inf)
    pl = _pool(gs, gen) if pool is None else pool
    pool_pts, member, n_corner, draws = pl.points, pl.member, pl.n_corner, pl.draws
    if gs.reading == "immediate":
        x, z = geo.center(())
        if z > _INTERIOR:
            return Start(x, (), z, draws)
        return _empty_immediate(gs)
    order = [i for i in range(n_corner, len(pool_pts)) if member[i]]  # generic draws first
    order += [i for i in range(n_corner) if member[i]]
    tried: set[tuple[int, ...]] = set()
    for i in order[:_MAX_LP]:
        pol, ok = geo.optimal_policy(pool_pts[i])
        if not ok or pol in tried:
            continue
        tried.add(pol)
        xc, z = geo.center(pol)
        if z > _INTERIOR:
            return Start(xc, pol, z, draws)
    return _empty_search(gs, pool_pts, int(member.sum()), gen)


def _pair_name(gs: GoalSet, k: int) -> str:
    s, a = gs.training.pairs[k]
    return f"state {gs.mdp.states[s]!r} action {gs.mdp.action_labels[s][a]!r} (pair {k + 1})"


def _prefix(gs: GoalSet, k: int) -> GoalSet:
    pairs = gs.training.pairs[: k + 1]
    td = TrainingData(
        np.array([s for s, _ in pairs], dtype=np.int64),
        np.array([a for _, a in pairs], dtype=np.int64),
        gs.training.n_states,
        gs.training.source,
    )
    from powerlab.goals.compatible import goal_set

    return goal_set(gs.mdp, td, gs.gamma, gs.reading, (gs.lo, gs.hi), gs.features, gs.feature_names)


def _empty_immediate(gs: GoalSet) -> EmptyFinding:
    for k in range(len(gs.training.pairs)):
        _, z = _prefix(gs, k).geometry.center(())
        if z <= _INTERIOR:
            return EmptyFinding(
                _pair_name(gs, k),
                True,
                "with the pairs before it, no reward vector in the box has interior slack",
            )
    return EmptyFinding(_pair_name(gs, len(gs.training.pairs) - 1), True, "")


def _empty_search(
    gs: GoalSet, pool: np.ndarray, members: int, rng: np.random.Generator
) -> EmptyFinding:
    full = gs.fill_free(pool, rng)
    alive = np.ones(len(full), dtype=bool)
    for k in range(len(gs.training.pairs)):
        alive &= _prefix(gs, k).contains(full)
        if not alive.any():
            return EmptyFinding(
                _pair_name(gs, k),
                False,
                f"none of {len(pool)} candidate reward vectors satisfies it together with the "
                "pairs before it",
            )
    return EmptyFinding(
        "the pieces' interiors",
        False,
        f"{members} of {len(pool)} candidates are members but every piece found is flat",
    )
