r"""Reachability and recurrent states of an MDP (Krakovna & Kramár 2023, Defs 7-8).

Computed from the sparse support of ``P_sa`` (no ``[S, A, S]`` array is ever built), for
the shutdown setting of Krakovna & Kramár, "Power-seeking can be probable and predictive for
trained agents" (arXiv 2304.06528); :class:`powerlab.mdp.recurrence.Recurrence` builds on it:

* :math:`S_{reach}` (Def 7): the states reachable with positive probability from
  :math:`s_{new}` in one or more steps, :meth:`Reachability.reachable`.
* Almost-sure reachability: the set :math:`W_g` of states from which some stationary
  policy reaches a target g with probability 1, by the classical nested fixed point
  (de Alfaro 1997, Ch. 3; Baier & Katoen 2008, Alg. 45): start from :math:`W = S`; keep
  the *safe* actions, whose whole support stays in W; shrink W to the states that can
  reach g with positive probability through safe actions; repeat until W is stable.
* Revisiting policies and recurrent states (Def 8): s is recurrent iff some action at s
  has a nonempty support inside :math:`W_s`; in a deterministic MDP, iff s lies on a cycle.
* Deterministic MDPs: shortest path lengths (one breadth-first search per state, cached),
  from which τ and L of :mod:`powerlab.mdp.recurrence` are read.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

from powerlab.errors import InputError
from powerlab.mdp.model import MDP

__all__ = ["Reachability"]

_DIST_CACHE = 16
"""Targets whose almost-sure region, or states whose distances, are kept per MDP."""


class Reachability:
    """Reachability, almost-sure reaching regions and recurrent states of one MDP (module
    docstring); per-target results (the almost-sure region and shortest distances) are
    cached, a bounded number of each."""

    def __init__(self, mdp: MDP) -> None:
        self.mdp = mdp
        S, A = mdp.n_states, mdp.n_actions
        supp = sp.csr_array(mdp.P_sa > 0, dtype=np.int8)  # [S*A, S]
        supp.eliminate_zeros()
        self._supp = supp
        self._S, self._A = S, A
        self._nonempty = np.diff(supp.indptr) > 0  # [S*A]
        agg = sp.csr_array(
            (np.ones(S * A, dtype=np.int8), (np.repeat(np.arange(S), A), np.arange(S * A))),
            shape=(S, S * A),
        )
        self._adj = sp.csr_array(agg @ supp > 0, dtype=np.int8)  # [S, S]
        self._as: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._dist: dict[tuple[int, bool], np.ndarray] = {}

    def reachable(self, sources: object, *, min_steps: int = 1) -> np.ndarray:
        r"""``[S]`` bool: states reachable with positive probability from ``sources``.

        With ``min_steps=1`` a source counts only if it can be re-entered, which is
        :math:`S_{reach}` of Krakovna & Kramár (Def 7) for ``sources = [s_new]``; with
        ``min_steps=0`` the sources themselves are included.
        """
        if min_steps not in (0, 1):
            raise InputError(f"reachable: min_steps must be 0 or 1, got {min_steps}")
        idx = self.mdp.state_indices(list(sources))  # type: ignore[call-overload]
        seen = np.zeros(self._S, dtype=bool)
        adj = self._adj
        frontier = np.unique(adj[idx].indices) if len(idx) else np.zeros(0, dtype=np.int64)
        if min_steps == 0:
            frontier = np.union1d(frontier, idx)
        while len(frontier):
            seen[frontier] = True
            nxt = np.unique(adj[frontier].indices)
            frontier = nxt[~seen[nxt]]
        return seen

    @cached_property
    def _reverse(self) -> sp.csr_array:
        return sp.csr_array(self._supp.T)  # [S, S*A]: x' -> the pairs (s, a) that enter it

    def almost_sure(self, target: str | int) -> tuple[np.ndarray, np.ndarray]:
        r"""``(W, policy)``: the almost-sure reaching region of ``target`` (hitting time 0
        counts, so ``target ∈ W``) and a layer policy ``[S]``: for ``s ∈ W \ {target}`` a
        safe action that enters the next-closer BFS layer (``-1`` elsewhere)."""
        g = self.mdp.state_index(target)
        hit = self._as.get(g)
        if hit is not None:
            return hit
        S, A, supp, rev = self._S, self._A, self._supp, self._reverse
        W = np.ones(S, dtype=bool)
        while True:
            outside = supp @ (~W).astype(np.int8)  # successors outside W, per pair
            ok = self._nonempty & (outside == 0)
            policy = np.full(S, -1, dtype=np.int64)
            R = np.zeros(S, dtype=bool)
            R[g] = True
            frontier = np.array([g])
            while len(frontier):
                sa = rev[frontier].indices
                sa = sa[ok[sa]]
                s = sa // A
                new = W[s] & ~R[s]
                s, sa = s[new], sa[new]
                s_u, first = np.unique(s, return_index=True)
                policy[s_u] = sa[first] % A
                R[s_u] = True
                frontier = s_u
            if np.array_equal(R, W):
                if len(self._as) >= _DIST_CACHE:  # bounded: two [S] arrays per target
                    self._as.pop(next(iter(self._as)))
                self._as[g] = (W, policy)
                return W, policy
            W = R

    def _safe(self, W: np.ndarray) -> np.ndarray:
        """``[S*A]`` bool: pairs with nonempty support inside W."""
        return self._nonempty & ((self._supp @ (~W).astype(np.int8)) == 0)

    def revisiting_action(self, s: str | int) -> int:
        r"""A safe action at ``s`` (support inside :math:`W_s`), so that ``s`` is re-entered
        with probability 1 (Def 8), or ``-1`` if ``s`` is not recurrent. Among them, the
        first that enters ``s`` directly, else the first."""
        i = self.mdp.state_index(s)
        W, _ = self.almost_sure(i)
        A = self._A
        ok = self._safe(W)[i * A : (i + 1) * A]
        if not ok.any():
            return -1
        back = ok & (self._supp[i * A : (i + 1) * A].toarray()[:, i] > 0)
        return int(np.flatnonzero(back)[0] if back.any() else np.flatnonzero(ok)[0])

    @cached_property
    def recurrent(self) -> np.ndarray:
        """``[S]`` bool: the recurrent states of Def 8 (some policy revisits them a.s.)."""
        if self.mdp.is_deterministic:
            # on a cycle: a strongly connected component of size > 1, or a self-loop
            _, lab = csgraph.connected_components(self._adj, directed=True, connection="strong")
            size = np.bincount(lab)
            return (size[lab] > 1) | (self._adj.diagonal() > 0)
        return np.array([self.revisiting_action(s) >= 0 for s in range(self._S)], dtype=bool)

    @cached_property
    def _adj_reverse(self) -> sp.csr_array:
        return sp.csr_array(self._adj.T)

    def _distance(self, state: int, forward: bool) -> np.ndarray:
        """Deterministic MDPs: ``[S]`` shortest path lengths from ``state`` (``forward``) or
        to it (0 at ``state``, inf where there is no path); a small cache."""
        key = (state, forward)
        hit = self._dist.get(key)
        if hit is None:
            graph = self._adj if forward else self._adj_reverse
            hit = csgraph.shortest_path(graph, unweighted=True, indices=state, directed=True)
            if len(self._dist) >= _DIST_CACHE:  # bounded: [S] floats per entry
                self._dist.pop(next(iter(self._dist)))
            self._dist[key] = hit
        return hit

    def _tau_L(self, s_new: int, r: int) -> tuple[int, int]:
        """τ = d⁺(s_new → r) and L = d⁺(r → r): one forward search from s_new serves every
        r; L is 1 at a self-loop, else 1 + the distance to r from r's nearest successor."""
        if self._adj[r, r]:
            L = 1
        else:
            succ = self._adj[[r]].indices
            L = int(1 + self._distance(r, forward=False)[succ].min())
        tau = L if s_new == r else int(self._distance(s_new, forward=True)[r])
        return tau, L
