r"""The training-compatible goal set :math:`G_T` (Krakovna & Kramár 2023, Def 6).

Given training pairs :math:`(s, a)`, :math:`s \in S_{train}` (Def 5,
:mod:`powerlab.goals.training`), :math:`G_T` is the set of reward vectors θ in a box
:math:`[lo, hi]^S` (default :math:`[0,1]^S`; Krakovna & Kramár's Theorem 2 needs θ ≥ 0) under which
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

Approximate compatibility :math:`G^\varepsilon_T` (real training is not exactly optimal):
the trained action need only be within ε of the best,
:math:`Q^*_\theta(s, a) \ge \max_{a'} Q^*_\theta(s, a') - \varepsilon` (``"q"``; the
one-step expected rewards for ``"immediate"``), with ε absolute or, if
``epsilon_relative``, ε times the goal's value range :math:`\max_s V^*_\theta - \min_s
V^*_\theta` (immediate reading: the range of θ). ε = 0 is :math:`G_T`;
:math:`G^\varepsilon_T` grows with ε and is the whole box once ε exceeds every gap.
Only rejection sampling supports ε > 0 (its pieces are no longer cones).

Coordinates outside C (*free* coordinates) never enter a constraint, so
:math:`G_T = G_T^C \times [lo, hi]^{S \setminus C}`: uniform sampling draws the free
coordinates i.i.d. and only :math:`G_T^C` needs care (:mod:`powerlab.goals.hitandrun`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from powerlab.errors import InputError
from powerlab.goals.training import TrainingData
from powerlab.mdp import MDP, solve
from powerlab.mdp.recurrence import reachable

if TYPE_CHECKING:
    from powerlab.goals.pieces import PieceGeometry

__all__ = ["READINGS", "GoalSet", "goal_set"]

READINGS: tuple[str, ...] = ("q", "immediate")
"""The two readings of Def 6's "highest expected reward" (see the module docstring)."""

READING_NAMES = {
    "q": "Q*-optimality of the trained action (ties count)",
    "immediate": "highest immediate expected reward of the trained action",
}

_CHUNK_ELEMENTS = 2**24  # Q values per solver call: 128 MiB of float64


@dataclass(frozen=True, eq=False)
class GoalSet:
    r""":math:`G_T` for one MDP, training data, discount and reading (Def 6).

    Build with :func:`goal_set`. Attributes:
        mdp: the environment.
        training: the training data (Def 5).
        gamma: the goals' discount (used by the ``"q"`` reading).
        reading: ``"q"`` or ``"immediate"``.
        lo, hi: ``[S]`` the reward box (``[F]``, a box on the weights, with features).
        constrained: ``[n]`` int, the states C whose rewards enter some constraint.
        free: ``[S - n]`` int, the others (none with features: every weight may matter).
        features: ``[S, F]`` the feature matrix Φ when goals are :math:`\theta = \Phi w`
            (:mod:`powerlab.goals.features`), else ``None``.
        feature_names: ``[F]`` their names.
        epsilon, epsilon_relative: the slack of :math:`G^\varepsilon_T` (module docstring).
    """

    mdp: MDP
    training: TrainingData
    gamma: float
    reading: str
    lo: np.ndarray
    hi: np.ndarray
    constrained: np.ndarray
    free: np.ndarray
    features: np.ndarray | None = None
    feature_names: tuple[str, ...] = ()
    epsilon: float = 0.0
    epsilon_relative: bool = False

    @property
    def dim(self) -> int:
        """The number of sampled coordinates: S, or F with features."""
        return self.mdp.n_states if self.features is None else self.features.shape[1]

    @property
    def chain_box(self) -> tuple[np.ndarray, np.ndarray]:
        """The box of the coordinates a sampler moves: ``[n]`` over the constrained states
        (rewards on states) or ``[F]`` over the weights (features)."""
        if self.features is None:
            return self.lo[self.constrained], self.hi[self.constrained]
        return self.lo, self.hi

    def to_theta(self, Y: np.ndarray) -> np.ndarray:
        """Coordinates ``Y: [K, dim]`` -> reward vectors ``[K, S]`` (``Y Φᵀ`` with features)."""
        Y = np.atleast_2d(np.asarray(Y, dtype=np.float64))
        return Y if self.features is None else Y @ self.features.T

    def contains_coords(self, Y: np.ndarray) -> np.ndarray:
        r"""``Y: [K, dim]`` -> ``[K]`` bool: inside the box and :math:`\theta(Y) \in G_T`."""
        Y = np.atleast_2d(np.asarray(Y, dtype=np.float64))
        inbox = np.all((self.lo <= Y) & (Y <= self.hi), axis=1)
        return inbox & self.contains(self.to_theta(Y))

    @cached_property
    def geometry(self) -> PieceGeometry:
        """The polytope pieces of this set (:mod:`powerlab.goals.pieces`), built once: the
        one owner of :math:`G_T`'s geometry, shared by the start search and the sampler."""
        from powerlab.goals.pieces import PieceGeometry

        return PieceGeometry(self)

    @property
    def reading_name(self) -> str:
        """The reading in words, for outputs."""
        return READING_NAMES[self.reading]

    def contains(self, R: np.ndarray) -> np.ndarray:
        """``R: [K, S]`` -> ``[K]`` bool, membership in :math:`G_T` (box included, unless
        the box is on feature weights)."""
        R = np.asarray(R, dtype=np.float64)
        if R.ndim != 2 or R.shape[1] != self.mdp.n_states:
            raise InputError(f"R must have shape [K, S=({self.mdp.n_states})], got {R.shape}")
        if self.features is None:
            out = np.all((self.lo <= R) & (R <= self.hi), axis=1)
        else:  # the box is on the weights (contains_coords checks it)
            out = np.ones(len(R), dtype=bool)
        pairs = self.training.pairs
        if not pairs:
            return out
        s_tr = np.array([s for s, _ in pairs])
        a_tr = np.array([a for _, a in pairs])
        chunk = max(1, min(4096, _CHUNK_ELEMENTS // (self.mdp.n_states * self.mdp.n_actions)))
        for k0 in range(0, len(R), chunk):
            block = R[k0 : k0 + chunk]
            if self.reading == "q" and self.epsilon > 0:
                ok = self._q_epsilon_ok(block, s_tr, a_tr)
            elif self.reading == "q":
                opt = solve(self.mdp, block, self.gamma, want_q=True).optimal
                if opt is None:  # pragma: no cover - want_q=True always returns it
                    raise RuntimeError("solve returned no optimal-action mask")
                ok = np.asarray(opt[:, s_tr, a_tr].all(axis=1))
            else:
                ok = self._immediate_ok(block, s_tr, a_tr)
            out[k0 : k0 + chunk] &= ok
        return out

    def _immediate_ok(self, R: np.ndarray, s_tr: np.ndarray, a_tr: np.ndarray) -> np.ndarray:
        A = self.mdp.n_actions
        sa = (s_tr[:, None] * A + np.arange(A)[None, :]).ravel()
        E = (self.mdp.P_sa[sa] @ R.T).T.reshape(len(R), len(s_tr), A)  # [K, T, A], sparse P
        avail = self.mdp.available[s_tr]  # [T, A]
        E = np.where(avail[None], E, -np.inf)
        best = E.max(axis=2)
        mine = E[:, np.arange(len(s_tr)), a_tr]
        tol = 1e-12 * max(1.0, float(np.abs(R).max(initial=0.0)))
        eps = self._slack(R.max(axis=1) - R.min(axis=1))
        return np.all(mine >= best - tol - eps[:, None], axis=1)

    def _slack(self, value_range: np.ndarray) -> np.ndarray:
        """``[K]`` the ε of each goal: absolute, or times its value range."""
        return (
            self.epsilon * value_range
            if self.epsilon_relative
            else np.full(len(value_range), self.epsilon)
        )

    def _q_epsilon_ok(self, R: np.ndarray, s_tr: np.ndarray, a_tr: np.ndarray) -> np.ndarray:
        sol = solve(self.mdp, R, self.gamma, want_q=True)
        if sol.Q is None:  # pragma: no cover - want_q=True always returns it
            raise RuntimeError("solve returned no action values")
        Q = sol.Q[:, s_tr, :]  # [K, T, A]
        mine = Q[:, np.arange(len(s_tr)), a_tr]
        eps = self._slack(sol.V.max(axis=1) - sol.V.min(axis=1)) + sol.tie_tol
        return np.all(mine >= Q.max(axis=2) - eps[:, None], axis=1)

    def fill_free(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Full reward vectors ``[N, S]`` from constrained parts ``x: [N, n]``, free coords
        drawn i.i.d. uniform on the box (with features: ``x`` are weights, ``x Φᵀ``)."""
        x = np.atleast_2d(x)
        if self.features is not None:
            return self.to_theta(x)
        N = x.shape[0]
        out = np.empty((N, self.mdp.n_states))
        out[:, self.constrained] = x
        f = self.free
        out[:, f] = self.lo[f] + (self.hi[f] - self.lo[f]) * rng.random((N, len(f)))
        return out


def _box(
    dim: int, box: tuple[float, float] | tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    try:
        lo = np.broadcast_to(np.asarray(box[0], dtype=np.float64), (dim,)).copy()
        hi = np.broadcast_to(np.asarray(box[1], dtype=np.float64), (dim,)).copy()
    except ValueError:
        raise InputError(f"reward box ends must be scalars or have {dim} entries") from None
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))) or np.any(hi <= lo):
        raise InputError(f"reward box must be finite with lo < hi, got [{box[0]}, {box[1]}]")
    return lo, hi


def goal_set(
    mdp: MDP,
    training: TrainingData,
    gamma: float,
    reading: str = "q",
    box: tuple[float, float] | tuple[np.ndarray, np.ndarray] = (0.0, 1.0),
    features: np.ndarray | None = None,
    feature_names: tuple[str, ...] = (),
    *,
    epsilon: float = 0.0,
    epsilon_relative: bool = False,
) -> GoalSet:
    r""":math:`G_T` of Def 6 for ``training`` on ``mdp`` (see the module docstring).

    Args:
        gamma: the goals' discount in [0, 1) (the ``"q"`` reading depends on it).
        reading: ``"q"`` (Q*-optimality, default) or ``"immediate"``.
        box: ``(lo, hi)``, scalars or ``[S]`` arrays (``[F]`` with features); default
            ``[0, 1]``.
        features: ``[S, F]`` Φ for goals :math:`\theta = \Phi w` (the box is then on w).
        feature_names: ``[F]`` names for outputs.
        epsilon, epsilon_relative: :math:`G^\varepsilon_T` (module docstring); ε >= 0.
    """
    if not (isinstance(epsilon, int | float) and np.isfinite(epsilon) and epsilon >= 0):
        raise InputError(f"epsilon must be a finite number >= 0, got {epsilon!r}")
    if reading not in READINGS:
        raise InputError(f"unknown reading {reading!r}; expected one of {', '.join(READINGS)}")
    if training.n_states != mdp.n_states:
        raise InputError("training data belongs to a different MDP (state count differs)")
    gamma = float(gamma)
    if not 0.0 <= gamma < 1.0:
        raise InputError(f"gamma must be in [0, 1), got {gamma}")
    if features is not None:
        features = np.asarray(features, dtype=np.float64)
        if features.ndim != 2 or features.shape[0] != mdp.n_states or features.shape[1] < 1:
            raise InputError(
                f"features must have shape [S={mdp.n_states}, F], got {features.shape}"
            )
        if not np.all(np.isfinite(features)):
            raise InputError("features must be finite")
    lo, hi = _box(mdp.n_states if features is None else features.shape[1], box)
    sources = [s for s, _ in training.pairs]
    C = np.zeros(mdp.n_states, dtype=bool)
    if sources:
        if reading == "q":
            C = reachable(mdp, sources, min_steps=1)
        else:
            A = mdp.n_actions
            sa = (np.array(sources)[:, None] * A + np.arange(A)[None, :]).ravel()
            C[np.unique(mdp.P_sa[sa].indices)] = True
    return GoalSet(
        mdp=mdp,
        training=training,
        gamma=gamma,
        reading=reading,
        lo=lo,
        hi=hi,
        constrained=np.flatnonzero(C),
        free=np.flatnonzero(~C) if features is None else np.zeros(0, dtype=np.int64),
        features=features,
        feature_names=tuple(feature_names),
        epsilon=float(epsilon),
        epsilon_relative=bool(epsilon_relative),
    )
