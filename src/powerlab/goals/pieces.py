r"""The polytope pieces of :math:`G_T` and chords through them (Krakovna & Kramár, Def 6).

Work in the constrained coordinates :math:`x = \theta_C \in \mathbb R^n` of
:mod:`powerlab.goals.compatible`. For the ``"q"`` reading fix a deterministic policy π on C
that agrees with the training actions on :math:`C \cap S_{train}`. Its values are linear in
x, :math:`V^\pi = M_\pi x` with :math:`M_\pi = (I - \gamma P_\pi)^{-1}` (terminal rows of
:math:`P_\pi` are zero), and π is optimal iff for every state s and action a

.. math:: g_{s,a}^\top x := (P_{s,a} - P_{s,\pi(s)})\, M_\pi\, x \le 0 .

The *piece* :math:`C_\pi = \{x \in [lo,hi]^n : g_{s,a}^\top x \le 0\ \forall s,a\}` is a
polytope, and :math:`G^C_T = \bigcup_\pi C_\pi` (a policy made of optimal actions is
optimal, so θ is in :math:`G_T` iff some agreeing π is optimal for it). Rows at training
states are *exit* rows (crossing one leaves :math:`G_T`); the others are *switch* rows
(crossing :math:`g_{s,a}` moves into the neighbouring piece with π(s) := a, which is optimal
just beyond a boundary point where only that row is tight). For the ``"immediate"`` reading
there is one piece, :math:`M = I`, and every row is an exit row.

A *chord* is the connected part of :math:`G^C_T` on the line :math:`x + t d` that contains x:
walk forward and backward from piece to piece with the ratio test until an exit row or the
box stops the walk. Rows are normalised to unit length so that their slacks are distances.
Pieces are cached per policy.

Feature-based rewards (:math:`\theta = \Phi w`, :mod:`powerlab.goals.features`): the
coordinates are the weights :math:`w \in [lo, hi]^F` and :math:`x = \Phi_C w`, so every
row becomes :math:`g^\top \Phi_C`; nothing else changes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from powerlab._memory import check_bytes
from powerlab.goals.compatible import GoalSet
from powerlab.power.exact.chebyshev import chebyshev_centre

__all__ = ["Chord", "Piece", "PieceGeometry"]

_ZERO_ROW = 1e-13
_CACHE = 512
_MAX_PIECES_PER_WALK = 2_000


@dataclass(frozen=True)
class Piece:
    """One polytope piece: ``G: [m, n]`` unit rows, ``exit: [m]`` bool, and for switch rows
    the local position ``pos: [m]`` and action ``act: [m]`` they switch to."""

    policy: tuple[int, ...]
    G: np.ndarray
    exit: np.ndarray
    pos: np.ndarray
    act: np.ndarray


@dataclass(frozen=True)
class Chord:
    """The chord through a point: ``[t_lo, t_hi]`` and its segments ``(t0, t1, policy)``."""

    t_lo: float
    t_hi: float
    segments: list[tuple[float, float, tuple[int, ...]]]

    def locate(self, t: float) -> tuple[int, ...]:
        """The policy of the segment that holds ``t``."""
        for t0, t1, pol in self.segments:
            if t0 <= t <= t1:
                return pol
        return self.segments[-1][2]


class PieceGeometry:
    """The pieces of one :class:`GoalSet` in its constrained coordinates (module docstring)."""

    def __init__(self, gs: GoalSet) -> None:
        self.gs = gs
        mdp = gs.mdp
        C = gs.constrained
        self.nS = nS = len(C)
        # coordinates: θ_C itself, or feature weights w with θ_C = Φ_C w
        self.B = None if gs.features is None else np.asarray(gs.features[C])  # [nS, F]
        if self.B is None:
            self.n = n = nS
            self.lo, self.hi = gs.lo[C], gs.hi[C]
        else:
            self.n = n = self.B.shape[1]
            self.lo, self.hi = gs.lo.copy(), gs.hi.copy()
        self.q = gs.reading == "q"
        local = {int(s): i for i, s in enumerate(C)}
        pairs = dict(gs.training.pairs)
        usable = mdp.available & ~mdp.terminal[:, None]
        # row states: C (q reading) then the training states outside C
        rows_states = list(C) if self.q else []
        rows_states += [s for s in pairs if s not in local or not self.q]
        self.row_states = np.array(rows_states, dtype=np.int64)
        A, m = mdp.n_actions, len(rows_states)
        check_bytes(
            8.0 * (4 * m * A * max(nS, n) + (self.q + 1) * nS * nS),
            f"the polytope pieces of G_T ({nS} constrained states, {m} constraint states x {A} "
            "actions)",
            "use the immediate reading, fewer training states, or a smaller environment",
        )
        sa = (self.row_states[:, None] * A + np.arange(A)[None, :]).ravel()
        self.Pc = mdp.P_sa[sa][:, C].toarray().reshape(m, A, nS)  # [rows, A, nS]
        self.usable = usable[self.row_states]
        nC = nS if self.q else 0
        # fixed base action: training action for training rows, -1 (policy) for free C rows
        base = np.full(len(rows_states), -1, dtype=np.int64)
        is_train = np.zeros(len(rows_states), dtype=bool)
        for r, s in enumerate(rows_states):
            if int(s) in pairs:
                base[r] = pairs[int(s)]
                is_train[r] = True
        self.base, self.is_train, self.nC = base, is_train, nC
        rr, aa = np.nonzero(self.usable)
        self._rr, self._aa = rr, aa
        self._cache: OrderedDict[tuple[int, ...], Piece] = OrderedDict()
        self.gamma = gs.gamma

    # ------------------------------------------------------------ pieces
    def default_policy(self) -> tuple[int, ...]:
        """Training actions on :math:`C\\cap S_{train}`, slot 0 elsewhere."""
        return tuple(int(max(self.base[i], 0)) for i in range(self.nC))

    def piece(self, policy: tuple[int, ...], *, free_training: bool = False) -> Piece:
        """The piece of ``policy`` (``[n]`` action slots on C; empty for "immediate").

        With ``free_training`` the rows at training states in C are switch rows too (used
        to find the unconstrained optimal policy).
        """
        key = (*policy, -2) if free_training else policy
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        nS, nC = self.nS, self.nC
        pol = np.array(policy, dtype=np.int64)
        if self.q and nS:
            Ppi = self.Pc[np.arange(nC), pol]  # [nS, nS]
            M = np.linalg.inv(np.eye(nS) - self.gamma * Ppi)
        else:
            M = np.eye(nS)
        b = self.base.copy()
        b[:nC] = pol
        rr, aa = self._rr, self._aa
        keep = aa != b[rr]
        rr, aa = rr[keep], aa[keep]
        D = self.Pc[rr, aa] - self.Pc[rr, b[rr]]  # [m, nS]
        G = D @ M if self.B is None else (D @ M) @ self.B  # [m, n]
        norms = np.linalg.norm(G, axis=1)
        nz = norms > _ZERO_ROW * max(1.0, float(np.abs(M).max(initial=1.0)))
        G, rr, aa, norms = G[nz] / norms[nz, None], rr[nz], aa[nz], norms[nz]
        ex = self.is_train[rr] & (rr >= nC) if free_training else self.is_train[rr]
        pc = Piece(policy, G, ex, np.where(rr < nC, rr, -1), aa)
        self._cache[key] = pc
        if len(self._cache) > _CACHE:
            self._cache.popitem(last=False)
        return pc

    def optimal_policy(
        self, x: np.ndarray, start: tuple[int, ...] | None = None
    ) -> tuple[tuple[int, ...], bool]:
        """Howard's policy iteration on C at ``x``, by exact evaluation of each piece.

        Returns ``(policy, member)``: an optimal policy that takes the training action
        wherever that action is optimal (ties count), and whether ``x`` lies in
        :math:`G_T^C` (every training action optimal; exit rows of training states outside
        C satisfied), both to a tolerance of 1e-9 of the reward scale.
        """
        tol = 1e-9 * max(1.0, float(np.abs(x).max(initial=0.0)))
        if not self.q:
            pc = self.piece(())
            return (), bool(np.all(pc.G @ x <= tol))
        pol = list(start if start is not None else self.default_policy())
        for _ in range(10 * self.nC + 10):
            pc = self.piece(tuple(pol), free_training=True)
            v = pc.G @ x
            sw = (~pc.exit) & (v > tol)
            if not sw.any():
                break
            # Howard step: at each improvable state take the best improving row
            best: dict[int, tuple[float, int]] = {}
            for i in np.flatnonzero(sw):
                p = int(pc.pos[i])
                if p not in best or v[i] > best[p][0]:
                    best[p] = (float(v[i]), int(pc.act[i]))
            for p_, (_, a_) in best.items():
                pol[p_] = a_
        # prefer training actions where they tie
        for q in range(self.nC):
            if self.is_train[q]:
                pol[q] = int(self.base[q])
        pc = self.piece(tuple(pol))
        member = bool(np.all(pc.G @ x <= tol))
        return tuple(pol), member

    # ------------------------------------------------------------ chords
    def _walk_batch(
        self, X: np.ndarray, D: np.ndarray, pols: list[tuple[int, ...]], t_box: np.ndarray
    ) -> tuple[np.ndarray, dict[int, list[tuple[float, float, tuple[int, ...]]]]]:
        """Forward walks for K chains at once; chains sharing a piece share one product.

        Returns ``t_end: [K]`` and, for chains that crossed into another piece, their
        segments ``(t0, t1, policy)`` (chains absent from the dict stayed in one piece)."""
        K = len(X)
        t_end = np.empty(K)
        t0 = np.zeros(K)
        cur = list(pols)
        segs: dict[int, list[tuple[float, float, tuple[int, ...]]]] = {}
        active = np.arange(K)
        for _ in range(_MAX_PIECES_PER_WALK):
            if len(active) == 0:
                break
            groups: dict[tuple[int, ...], list[int]] = {}
            for k_ in active:
                groups.setdefault(cur[int(k_)], []).append(int(k_))
            still: list[int] = []
            for key, members in groups.items():
                idx = np.array(members)
                pc = self.piece(key)
                a = X[idx] @ pc.G.T  # [k, m]
                b = D[idx] @ pc.G.T
                with np.errstate(divide="ignore", invalid="ignore"):
                    lim = np.where(b > 1e-14, -a / b, np.inf)
                lim = np.maximum(lim, t0[idx, None])
                if lim.shape[1]:
                    j = lim.argmin(axis=1)
                    t1 = lim[np.arange(len(idx)), j]
                else:
                    j = np.zeros(len(idx), dtype=np.intp)
                    t1 = np.full(len(idx), np.inf)
                stop_box = t1 >= t_box[idx]
                for r, k in enumerate(members):  # k: int (chain index)
                    if stop_box[r]:
                        t_end[k] = t_box[k]
                        if k in segs:
                            segs[k].append((float(t0[k]), float(t_box[k]), key))
                        continue
                    row = int(j[r])
                    if pc.exit[row]:
                        t_end[k] = t1[r]
                        if k in segs:
                            segs[k].append((float(t0[k]), float(t1[r]), key))
                        continue
                    segs.setdefault(k, []).append((float(t0[k]), float(t1[r]), key))
                    new = list(key)
                    new[int(pc.pos[row])] = int(pc.act[row])
                    cur[k] = tuple(new)
                    t0[k] = t1[r]
                    still.append(k)
            active = np.array(still, dtype=np.int64)
        for kk in active:
            t_end[kk] = t0[kk]
        return t_end, segs

    def _chords(
        self, X: np.ndarray, D: np.ndarray, pols: list[tuple[int, ...]]
    ) -> tuple[np.ndarray, np.ndarray, list[Chord | None]]:
        """Chords of K chains: ``t_lo, t_hi: [K]`` and, for chains whose chord crosses a
        piece boundary, the :class:`Chord` with its segments (``None`` for one piece)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            r_hi = (self.hi - X) / D
            r_lo = (self.lo - X) / D
        up = np.where(D > 0, r_hi, r_lo)
        dn = np.where(D > 0, -r_lo, -r_hi)
        up = np.where(np.isfinite(up), up, np.inf).min(axis=1, initial=np.inf)
        dn = np.where(np.isfinite(dn), dn, np.inf).min(axis=1, initial=np.inf)
        t_hi, fw = self._walk_batch(X, D, pols, up)
        t_lo_neg, bw = self._walk_batch(X, -D, pols, dn)
        t_lo = -t_lo_neg
        chords: list[Chord | None] = [None] * len(X)
        for k in set(fw) | set(bw):
            segs = [(-b, -a, p) for a, b, p in reversed(bw.get(k, [(0.0, -t_lo[k], pols[k])]))]
            segs += fw.get(k, [(0.0, t_hi[k], pols[k])])
            chords[k] = Chord(float(t_lo[k]), float(t_hi[k]), segs)
        return t_lo, t_hi, chords

    def chord(self, x: np.ndarray, d: np.ndarray, pol: tuple[int, ...]) -> Chord:
        """The chord of :math:`G^C_T` through ``x`` along ``d`` (``x`` in piece ``pol``)."""
        t_lo, t_hi, chords = self._chords(x[None], d[None], [pol])
        one = chords[0]
        return one if one is not None else Chord(float(t_lo[0]), float(t_hi[0]), [
            (float(t_lo[0]), float(t_hi[0]), pol)
        ])  # fmt: skip

    def step_batch(
        self,
        X: np.ndarray,
        pols: list[tuple[int, ...]],
        D: np.ndarray,
        U: np.ndarray,
    ) -> tuple[np.ndarray, list[tuple[int, ...]]]:
        """One hit-and-run step for K chains: ``X: [K, n]`` points in pieces ``pols``,
        directions ``D: [K, n]``, uniforms ``U: [K]``; returns the new points and pieces."""
        t_lo, t_hi, chords = self._chords(X, D, pols)
        t = t_lo + (t_hi - t_lo) * U
        t = np.where(t_hi > t_lo, t, 0.0)
        Xn = X + t[:, None] * D
        new_pols = [pols[k] if c is None else c.locate(float(t[k])) for k, c in enumerate(chords)]
        return Xn, new_pols

    # ------------------------------------------------------------ LP
    def center(self, pol: tuple[int, ...]) -> tuple[np.ndarray, float]:
        r"""Chebyshev centre of piece ``pol``: the largest ball with :math:`g_i^\top x \le 0`
        and :math:`lo \le x \le hi` (:func:`powerlab.power.exact.chebyshev_centre`,
        Boyd & Vandenberghe 2004, Sec. 8.5.1). Returns ``(x, z)``; z ≤ 0 means the piece has
        no interior (``-inf`` when the solver finds none at all)."""
        G = self.piece(pol).G
        res = chebyshev_centre(G, np.zeros(len(G)), self.lo, self.hi)
        if res is None:
            return 0.5 * (self.lo + self.hi), -np.inf
        return res
