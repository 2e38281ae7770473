r"""Reachability, recurrence and expected discounted visit counts (Krakovna & Kramár 2023).

Graph routines that need only an MDP, for the shutdown setting of Krakovna & Kramár,
"Power-seeking can be probable and predictive for trained agents" (arXiv 2304.06528).
Everything is computed once per MDP by one :class:`Recurrence` object, which adds to the
reachability of :class:`powerlab.mdp.reachability.Reachability` (:math:`S_{reach}`, Def 7;
almost-sure reaching regions :math:`W_g`; recurrent states, Def 8):

* Reach-and-revisit policies (Prop 1) exist iff s is recurrent and
  :math:`s_{new} \in W_s` (in a deterministic MDP: iff s is reachable).
* The expected discounted visit count (Def 9),
  :math:`V_{s,\gamma} = E_{\pi}\left[\sum_{t\ge1}\gamma^{t-1}\,1(s_t = s)\right]`,
  :math:`s_0 = s_{new}`, of the **best** reach-and-revisit policy at each γ:
  :math:`\bar V_{s,\gamma} = \max_\pi V^\pi_{s,\gamma}` over reach-and-revisit policies π.
  Every state such a π visits lies in :math:`W_s` and plays safe actions there, so the
  maximum is the optimal value :math:`h(s_{new})` of the sub-MDP of safe actions on
  :math:`W_s` with the Bellman equation
  :math:`h(x) = \max_{a\ \mathrm{safe}} \sum_{x'} T(x,a,x')\,(1(x'=s) + \gamma h(x'))`;
  conversely its optimal policy is reach-and-revisit (every state of :math:`W_s` has
  :math:`h > 0`, so every closed class of the optimal chain contains s). It is solved
  exactly by Howard's policy iteration with sparse LU solves.
* :math:`\gamma^*_s` (Prop 3): the least γ with :math:`\bar V_{s,\gamma'} > 1` for all
  γ' > γ. :math:`\bar V_{s,\gamma}` is nondecreasing in γ (a maximum of nondecreasing
  functions, each term :math:`\gamma^{t-1}` is) and tends to ∞ (Prop 2), so γ* is its
  crossing of 1, found by bisection to 1e-12. Prop 3's argument holds for any
  reach-and-revisit policy with V > 1, so the best one gives the smallest γ*.

Deterministic MDPs have a closed form, used directly: with :math:`d^+(x)` the length of
the shortest path of one or more steps from x to s, the best policy first arrives at
time :math:`\tau = d^+(s_{new})` and then repeats the shortest return cycle
:math:`L = d^+(s)`; no policy visits earlier or more often, so
:math:`\bar V_{s,\gamma} = \gamma^{\tau-1}/(1-\gamma^L)` and γ* is the root in (0, 1) of
:math:`\gamma^{\tau-1} + \gamma^L = 1` (γ* = 0 when τ = 1). It does not depend on the
order in which actions are listed.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from powerlab.errors import InputError
from powerlab.mdp.model import MDP
from powerlab.mdp.reachability import Reachability

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Recurrence",
    "RecurrenceRow",
    "almost_sure_reach",
    "gamma_star",
    "gamma_star_frame",
    "reach_and_revisit_policy",
    "reachable",
    "recurrence_table",
    "recurrent_states",
    "revisiting_action",
    "visit_count",
]

_GAMMA_TOL = 1e-12
_PI_MAX = 1000
_BY_MDP: weakref.WeakKeyDictionary[MDP, Recurrence] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class RecurrenceRow:
    """One state of :math:`S_{reach}` in :meth:`Recurrence.table`.

    Attributes:
        state: the state's name.
        recurrent: Def 8.
        reach_and_revisit: a Prop 1 policy from ``s_new`` exists (a.s. reachable).
        gamma_star: Prop 3's threshold for the best such policy (``None`` without one).
        first_visit, cycle: deterministic MDPs only, τ and L of the module docstring.
    """

    state: str
    recurrent: bool
    reach_and_revisit: bool
    gamma_star: float | None
    first_visit: int | None = None
    cycle: int | None = None


def _check_gammas(gamma: float | np.ndarray) -> np.ndarray:
    g = np.atleast_1d(np.asarray(gamma, dtype=np.float64))
    if not np.all(np.isfinite(g)) or np.any((g < 0) | (g >= 1)):
        raise InputError(f"visit count: gamma must lie in [0, 1), got {gamma}")
    return g


def _root(tau: int, L: int) -> float:
    """The γ in (0, 1) with γ^(τ-1) + γ^L = 1 (0 when τ = 1), by bisection to 1e-12."""
    if tau <= 1:
        return 0.0
    lo, hi = 0.0, 1.0
    while hi - lo > _GAMMA_TOL:
        mid = 0.5 * (lo + hi)
        if mid ** (tau - 1) + mid**L > 1.0:
            hi = mid
        else:
            lo = mid
    return hi


class Recurrence(Reachability):
    """Reachability and recurrence of one MDP, computed once (module docstring); the graph
    part (:math:`S_{reach}`, :math:`W_g`, Def 8) is :class:`Reachability`'s.

    Build it once per MDP (:meth:`of` returns the one already built for an MDP) and ask
    it for every state; per-target results (the almost-sure region and shortest
    distances) are cached.
    """

    @classmethod
    def of(cls, mdp: MDP) -> Recurrence:
        """The :class:`Recurrence` of ``mdp``, built on first use and then shared."""
        rec = _BY_MDP.get(mdp)
        if rec is None:
            rec = cls(mdp)
            _BY_MDP[mdp] = rec
        return rec

    # ---------------------------------------------------------------- Prop 1
    def has_reach_and_revisit(self, s_new: str | int, s_rec: str | int) -> bool:
        """Whether a Prop 1 policy for ``s_rec`` from ``s_new`` exists."""
        n, r = self.mdp.state_index(s_new), self.mdp.state_index(s_rec)
        if not self.recurrent[r]:
            return False
        if self.mdp.is_deterministic:
            return bool(np.isfinite(self._distance(n, forward=True)[r]))
        W, _ = self.almost_sure(r)
        return bool(W[n])

    def _require(self, n: int, r: int) -> None:
        if not self.has_reach_and_revisit(n, r):
            m = self.mdp
            raise InputError(
                f"{m.name}: state {m.states[r]!r} has no reach-and-revisit policy from "
                f"{m.states[n]!r} (not recurrent, or not almost surely reachable)"
            )

    def policy(self, s_new: str | int, s_rec: str | int) -> np.ndarray | None:
        r"""A reach-and-revisit policy ``[S]`` for ``s_rec`` from ``s_new`` (Prop 1): the
        layer policy of :math:`W_{s_{rec}}` (shortest routes; slot 0 outside it) with
        :meth:`revisiting_action` at ``s_rec``, or ``None`` if none exists."""
        n, r = self.mdp.state_index(s_new), self.mdp.state_index(s_rec)
        W, layer = self.almost_sure(r)
        a_rev = self.revisiting_action(r)
        if a_rev < 0 or not W[n]:
            return None
        policy = np.where(layer >= 0, layer, 0)
        policy[r] = a_rev
        return policy

    # ---------------------------------------------------------------- Def 9, Prop 3
    def _policy_value(
        self, idx: np.ndarray, pol_sa: np.ndarray, r_local: int, gamma: float
    ) -> np.ndarray:
        """h on the states ``idx`` (local order) for the pairs ``pol_sa`` (one per state)."""
        P = self.mdp.P_sa[pol_sa][:, idx]  # [w, w]: support stays inside idx
        P = sp.csc_array(P)
        rhs = P[:, [r_local]].toarray().ravel()
        eye = sp.identity(len(idx), format="csc")
        return np.asarray(spla.splu(sp.csc_array(eye - gamma * P)).solve(rhs))

    def _best_value(self, n: int, r: int, gamma: float, start: np.ndarray | None) -> tuple:
        """Howard's policy iteration on the safe sub-MDP of :math:`W_r` (module docstring).

        Returns ``(h(s_new), pairs)`` with the optimal pairs as a warm start."""
        W, layer = self.almost_sure(r)
        A = self._A
        idx = np.flatnonzero(W)
        local = np.full(self._S, -1, dtype=np.int64)
        local[idx] = np.arange(len(idx))
        safe = self._safe(W)
        pol = start
        if pol is None:
            pol = idx * A + np.where(layer[idx] >= 0, layer[idx], 0)
            pol[local[r]] = r * A + self.revisiting_action(r)
        sa_all = np.flatnonzero(safe.reshape(self._S, A)[idx].ravel())  # local pairs
        owner = sa_all // A
        glob = idx[owner] * A + sa_all % A
        Psub = sp.csr_array(self.mdp.P_sa[glob][:, idx])  # [m, w]
        enters_r = Psub[:, [local[r]]].toarray().ravel()
        for _ in range(_PI_MAX):
            h = self._policy_value(idx, pol, int(local[r]), gamma)
            q = enters_r + gamma * (Psub @ h)
            cur = enters_r[np.searchsorted(glob, pol)] + gamma * (
                Psub[np.searchsorted(glob, pol)] @ h
            )
            tol = 1e-12 * max(1.0, float(np.abs(h).max(initial=0.0)))
            better = q > cur[owner] + tol
            if not better.any():
                return float(h[local[n]]), pol
            new = pol.copy()
            gain = np.where(better, q, -np.inf)
            order = np.lexsort((-gain, owner))
            first = np.ones(len(order), dtype=bool)
            first[1:] = owner[order][1:] != owner[order][:-1]
            pick = order[first]
            pick = pick[better[pick]]
            new[owner[pick]] = glob[pick]
            pol = new
        raise RuntimeError("policy iteration did not converge")  # pragma: no cover

    def visit_count(
        self, s_new: str | int, s_rec: str | int, gamma: float | np.ndarray
    ) -> float | np.ndarray:
        r""":math:`\bar V_{s_{rec},\gamma}` (Def 9) of the best reach-and-revisit policy
        (module docstring), exactly; ``gamma`` scalar or ``[G]``."""
        n, r = self.mdp.state_index(s_new), self.mdp.state_index(s_rec)
        self._require(n, r)
        g = _check_gammas(gamma)
        if self.mdp.is_deterministic:
            tau, L = self._tau_L(n, r)
            out = g ** (tau - 1) / (1.0 - g**L)
        else:
            out = np.empty(len(g))
            pol = None
            for k in np.argsort(g):
                out[k], pol = self._best_value(n, r, float(g[k]), pol)
        return float(out[0]) if np.ndim(gamma) == 0 else out

    def gamma_star(self, s_new: str | int, s_rec: str | int) -> float:
        r""":math:`\gamma^*_{s_{rec}}` (Prop 3) of the best reach-and-revisit policy, to 1e-12."""
        n, r = self.mdp.state_index(s_new), self.mdp.state_index(s_rec)
        self._require(n, r)
        if self.mdp.is_deterministic:
            return _root(*self._tau_L(n, r))
        pol = None

        def above(g: float) -> bool:
            nonlocal pol
            v, pol = self._best_value(n, r, g, pol)
            return v > 1.0

        lo, hi = 0.0, 1.0 - 1e-12
        if above(_GAMMA_TOL):
            return 0.0
        while hi - lo > _GAMMA_TOL:
            mid = 0.5 * (lo + hi)
            if above(mid):
                hi = mid
            else:
                lo = mid
        return hi

    def table(self, s_new: str | int) -> list[RecurrenceRow]:
        r"""For every :math:`s \in S_{reach}(s_{new})` (Def 7): recurrence, Prop 1, γ* (Prop 3)."""
        n = self.mdp.state_index(s_new)
        det = self.mdp.is_deterministic
        rows = []
        for s in (int(x) for x in np.flatnonzero(self.reachable([n]))):
            rec = bool(self.recurrent[s])
            rr = rec and self.has_reach_and_revisit(n, s)
            tau = L = None
            if rr and det:
                tau, L = self._tau_L(n, s)
            gs = self.gamma_star(n, s) if rr else None
            rows.append(RecurrenceRow(self.mdp.states[s], rec, rr, gs, tau, L))
        return rows


# ---------------------------------------------------------------- function forms
def reachable(mdp: MDP, sources: object, *, min_steps: int = 1) -> np.ndarray:
    """:meth:`Recurrence.reachable` for one call (build a :class:`Recurrence` to reuse)."""
    return Recurrence.of(mdp).reachable(sources, min_steps=min_steps)


def almost_sure_reach(mdp: MDP, target: str | int) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`Recurrence.almost_sure` for one call."""
    return Recurrence.of(mdp).almost_sure(target)


def revisiting_action(mdp: MDP, s: str | int) -> int:
    """:meth:`Recurrence.revisiting_action` for one call."""
    return Recurrence.of(mdp).revisiting_action(s)


def recurrent_states(mdp: MDP) -> np.ndarray:
    """:attr:`Recurrence.recurrent` for one call."""
    return Recurrence.of(mdp).recurrent


def reach_and_revisit_policy(mdp: MDP, s_new: str | int, s_rec: str | int) -> np.ndarray | None:
    """:meth:`Recurrence.policy` for one call."""
    return Recurrence.of(mdp).policy(s_new, s_rec)


def visit_count(
    mdp: MDP,
    s_new: str | int,
    s_rec: str | int,
    gamma: float | np.ndarray,
    policy: np.ndarray | None = None,
) -> float | np.ndarray:
    r"""Expected discounted visit count (Def 9): of ``policy: [S]`` if given (one sparse LU
    solve of :math:`(I-\gamma P_\pi) h = P_\pi e_{s_{rec}}` per γ), otherwise of the best
    reach-and-revisit policy (:meth:`Recurrence.visit_count`)."""
    if policy is None:
        return Recurrence.of(mdp).visit_count(s_new, s_rec, gamma)
    n, r = mdp.state_index(s_new), mdp.state_index(s_rec)
    pol = np.asarray(policy, dtype=np.int64)
    S = mdp.n_states
    if pol.shape != (S,):
        raise InputError(f"visit_count: policy must have shape [S]={S}, got {pol.shape}")
    if np.any((pol < 0) | (pol >= mdp.n_actions)) or np.any(~mdp.available[np.arange(S), pol]):
        raise InputError("visit_count: policy picks an unavailable action")
    g = _check_gammas(gamma)
    P = sp.csc_array(mdp.P_sa[np.arange(S) * mdp.n_actions + pol])
    rhs = P[:, [r]].toarray().ravel()
    eye = sp.identity(S, format="csc")
    out = np.array([spla.splu(sp.csc_array(eye - x * P)).solve(rhs)[n] for x in g])
    return float(out[0]) if np.ndim(gamma) == 0 else out


def gamma_star(mdp: MDP, s_new: str | int, s_rec: str | int) -> float:
    """:meth:`Recurrence.gamma_star` for one call."""
    return Recurrence.of(mdp).gamma_star(s_new, s_rec)


def recurrence_table(mdp: MDP, s_new: str | int) -> list[RecurrenceRow]:
    """:meth:`Recurrence.table` for one call."""
    return Recurrence.of(mdp).table(s_new)


def gamma_star_frame(mdp: MDP, s_new: str | int, gammas: Sequence[float] = ()) -> pd.DataFrame:
    r"""The table of :meth:`Recurrence.table` as a ``pandas.DataFrame``, one row per state
    of :math:`S_{reach}(s_{new})`: ``state``, ``recurrent``, ``reach_and_revisit``,
    ``gamma_star``, ``first_visit``, ``cycle``, and ``V@γ`` (Def 9's best visit count) for
    each γ in ``gammas`` (NaN where no reach-and-revisit policy exists)."""
    import pandas as pd

    rec = Recurrence.of(mdp)
    g = [float(x) for x in gammas]
    if g:
        _check_gammas(np.array(g))
    rows = []
    for r in rec.table(s_new):
        d = {
            "state": r.state,
            "recurrent": r.recurrent,
            "reach_and_revisit": r.reach_and_revisit,
            "gamma_star": r.gamma_star,
            "first_visit": r.first_visit,
            "cycle": r.cycle,
        }
        v = rec.visit_count(s_new, r.state, np.array(g)) if (g and r.reach_and_revisit) else None
        for k, x in enumerate(g):
            d[f"V@{x:g}"] = float(np.atleast_1d(v)[k]) if v is not None else float("nan")
        rows.append(d)
    frame = pd.DataFrame(rows)
    for col in ("first_visit", "cycle"):  # integers, None where undefined (not NaN floats)
        if len(frame):
            frame[col] = pd.Series([r[col] for r in rows], dtype=object)
    return frame
