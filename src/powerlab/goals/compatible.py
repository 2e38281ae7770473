r"""The training-compatible goal set :math:`G_T` (Krakovna & Kramár 2023, Def 6).

Given training pairs :math:`(s, a)`, :math:`s \in S_{train}` (Def 5,
:mod:`powerlab.goals.training`), :math:`G_T` is the set of reward vectors θ in a box
:math:`[lo, hi]^S` (default :math:`[0,1]^S`; the seed's Theorem 2 needs θ ≥ 0) under which
each trained action "has the highest expected reward" at its state. Two readings:

``"q"`` (the default): Q*-optimality at the goal's discount γ,
    :math:`Q^*_\theta(s, a) = \max_{a'} Q^*_\theta(s, a')` for every training pair, i.e.
    "there exists an optimal policy taking a at s" (ties count). With
    :math:`Q^*_\theta(s,a) = \theta(s) + \gamma\sum_{s'}T(s,a,s')V^*_\theta(s')` the condition
    only involves :math:`V^*_\theta` on :math:`C = ` the states reachable in one or more
    steps from the training states, and :math:`V^*_\theta` on C only involves θ on C.
``"immediate"``: the one-step expected reward,
    :math:`\sum_{s'}T(s,a,s')\theta(s') \ge \sum_{s'}T(s,a',s')\theta(s')` for all a'; it
    involves only the one-step successors C of the training states, and :math:`G_T` is a
    polytope.

Coordinates outside C (*free* coordinates) never enter a constraint, so
:math:`G_T = G_T^C \times [lo, hi]^{S \setminus C}`: uniform sampling draws the free
coordinates i.i.d. and only :math:`G_T^C` needs care (:mod:`powerlab.goals.hitandrun`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from powerlab.errors import InputError
from powerlab.goals.training import TrainingData
from powerlab.mdp import MDP, solve
from powerlab.mdp.recurrence import reachable

__all__ = ["READINGS", "GoalSet", "goal_set"]

READINGS: tuple[str, ...] = ("q", "immediate")
"""The two readings of Def 6's "highest expected reward" (see the module docstring)."""

READING_NAMES = {
    "q": "Q*-optimality of the trained action (ties count)",
    "immediate": "highest immediate expected reward of the trained action",
}

_CHUNK = 4096


@dataclass(frozen=True, eq=False)
class GoalSet:
    r""":math:`G_T` for one MDP, training data, discount and reading (Def 6).

    Build with :func:`goal_set`. Attributes:
        mdp: the environment.
        training: the training data (Def 5).
        gamma: the goals' discount (used by the ``"q"`` reading).
        reading: ``"q"`` or ``"immediate"``.
        lo, hi: ``[S]`` the reward box.
        constrained: ``[n]`` int, the coordinates C that enter some constraint.
        free: ``[S - n]`` int, the others.
    """

    mdp: MDP
    training: TrainingData
    gamma: float
    reading: str
    lo: np.ndarray
    hi: np.ndarray
    constrained: np.ndarray
    free: np.ndarray

    @property
    def reading_name(self) -> str:
        """The reading in words, for outputs."""
        return READING_NAMES[self.reading]

    def contains(self, R: np.ndarray) -> np.ndarray:
        """``R: [K, S]`` -> ``[K]`` bool, membership in :math:`G_T` (box included)."""
        R = np.asarray(R, dtype=np.float64)
        if R.ndim != 2 or R.shape[1] != self.mdp.n_states:
            raise InputError(f"R must have shape [K, S=({self.mdp.n_states})], got {R.shape}")
        out = np.all((self.lo <= R) & (R <= self.hi), axis=1)
        pairs = self.training.pairs
        if not pairs:
            return out
        s_tr = np.array([s for s, _ in pairs])
        a_tr = np.array([a for _, a in pairs])
        for k0 in range(0, len(R), _CHUNK):
            block = R[k0 : k0 + _CHUNK]
            if self.reading == "q":
                opt = solve(self.mdp, block, self.gamma, want_q=True).optimal
                if opt is None:  # pragma: no cover - want_q=True always returns it
                    raise RuntimeError("solve returned no optimal-action mask")
                ok = opt[:, s_tr, a_tr].all(axis=1)
            else:
                ok = self._immediate_ok(block, s_tr, a_tr)
            out[k0 : k0 + _CHUNK] &= ok
        return out

    def _immediate_ok(self, R: np.ndarray, s_tr: np.ndarray, a_tr: np.ndarray) -> np.ndarray:
        P = np.asarray(self.mdp.P)[s_tr]  # [T, A, S]
        E = np.einsum("tas,ks->kta", P, R)  # [K, T, A]
        avail = self.mdp.available[s_tr]  # [T, A]
        E = np.where(avail[None], E, -np.inf)
        best = E.max(axis=2)
        mine = E[:, np.arange(len(s_tr)), a_tr]
        tol = 1e-12 * max(1.0, float(np.abs(R).max(initial=0.0)))
        return np.all(mine >= best - tol, axis=1)

    def fill_free(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Full reward vectors ``[N, S]`` from constrained parts ``x: [N, n]``, free coords
        drawn i.i.d. uniform on the box."""
        x = np.atleast_2d(x)
        N = x.shape[0]
        out = np.empty((N, self.mdp.n_states))
        out[:, self.constrained] = x
        f = self.free
        out[:, f] = self.lo[f] + (self.hi[f] - self.lo[f]) * rng.random((N, len(f)))
        return out


def _box(
    mdp: MDP, box: tuple[float, float] | tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    lo = np.broadcast_to(np.asarray(box[0], dtype=np.float64), (mdp.n_states,)).copy()
    hi = np.broadcast_to(np.asarray(box[1], dtype=np.float64), (mdp.n_states,)).copy()
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))) or np.any(hi <= lo):
        raise InputError(f"reward box must be finite with lo < hi, got [{box[0]}, {box[1]}]")
    return lo, hi


def goal_set(
    mdp: MDP,
    training: TrainingData,
    gamma: float,
    reading: str = "q",
    box: tuple[float, float] | tuple[np.ndarray, np.ndarray] = (0.0, 1.0),
) -> GoalSet:
    """:math:`G_T` of Def 6 for ``training`` on ``mdp`` (see the module docstring).

    Args:
        gamma: the goals' discount in [0, 1) (the ``"q"`` reading depends on it).
        reading: ``"q"`` (Q*-optimality, default) or ``"immediate"``.
        box: ``(lo, hi)``, scalars or ``[S]`` arrays; default ``[0, 1]^S``.
    """
    if reading not in READINGS:
        raise InputError(f"unknown reading {reading!r}; expected one of {', '.join(READINGS)}")
    if training.n_states != mdp.n_states:
        raise InputError("training data belongs to a different MDP (state count differs)")
    gamma = float(gamma)
    if not 0.0 <= gamma < 1.0:
        raise InputError(f"gamma must be in [0, 1), got {gamma}")
    lo, hi = _box(mdp, box)
    sources = [s for s, _ in training.pairs]
    C = np.zeros(mdp.n_states, dtype=bool)
    if sources:
        if reading == "q":
            C = reachable(mdp, sources, min_steps=1)
        else:
            C = np.asarray((np.asarray(mdp.P)[sources] > 0).any(axis=(0, 1)), dtype=bool)
    return GoalSet(
        mdp=mdp,
        training=training,
        gamma=gamma,
        reading=reading,
        lo=lo,
        hi=hi,
        constrained=np.flatnonzero(C),
        free=np.flatnonzero(~C),
    )
