r"""Finite Markov decision processes with state rewards (Turner et al. 2021, Sec. 3).

The model is the tuple :math:`(\mathcal S, \mathcal A, T, \gamma)` of Turner, Smith, Shah,
Critch & Tadepalli, "Optimal Policies Tend to Seek Power" (NeurIPS 2021, arXiv 1912.01683),
Sec. 3: finitely many states :math:`s \in \mathcal S` (``S`` of them), at most ``A`` actions
per state, and a transition function :math:`T(s, a, s') \ge 0`. Reward functions are on
states, :math:`R \in \mathbb R^{S}`, supplied separately (``R: [K, S]`` for K samples).

Storage. The transition function is held in one of two forms behind one interface, as
QuantEcon's ``DiscreteDP`` does:

* dense *product form* ``P: [S, A, S]``;
* sparse *state-action pair form* ``P_sa: [S*A, S]`` (``scipy.sparse.csr_array``), row
  ``s*A + a`` holding :math:`T(s, a, \cdot)`.

Actions are slots ``0..A-1`` at every state; ``available: [S, A]`` says which exist, and
they are always a prefix (state ``s`` has actions ``0..n_s-1``). Each has a label
(``action_labels[s][a]``); in ``edges`` MDPs the label is the successor's name.

Terminal states (Krakovna & Kramár 2023, Def 7's :math:`s_{term}`) pay their
reward once on entry and the episode ends. They carry one action, ``"end"``, whose
transition row is all zeros, so that :math:`V^*(s) = R(s)` falls out of the ordinary
Bellman equation :math:`V^*(s) = R(s) + \gamma \max_a \sum_{s'} T(s,a,s') V^*(s')`
(Turner et al., Def 3.5: the current state's reward counts at t = 0).

If every row is deterministic the model also keeps ``successor: [S, A]`` (``-1`` for an
unavailable action or a terminal ``end``), which the fast solvers use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from powerlab._memory import check_bytes
from powerlab.errors import InputError

__all__ = ["END_ACTION", "MDP"]

END_ACTION = "end"
_PROB_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class MDP:
    """An immutable finite MDP with state rewards; see the module docstring for the model.

    Build one with the constructors in :mod:`powerlab.mdp.builders` or
    :func:`powerlab.mdp.load_mdp` rather than directly.

    Attributes:
        states: state names, ``[S]``; unique.
        action_labels: per state, the labels of its available actions (prefix slots).
        transitions: ``[S, A, S]`` dense array or ``[S*A, S]`` CSR array (see module doc).
        terminal: ``[S]`` bool; terminal states pay their reward once, then nothing.
        name: a display name.
        grid_shape: ``(rows, cols)`` for grid environments, with ``grid_cells[s] = (r, c)``.
    """

    states: tuple[str, ...]
    action_labels: tuple[tuple[str, ...], ...]
    transitions: np.ndarray | sp.csr_array
    terminal: np.ndarray
    name: str = "mdp"
    grid_shape: tuple[int, int] | None = None
    grid_cells: tuple[tuple[int, int], ...] | None = None
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        S = len(self.states)
        if S == 0:
            raise InputError(f"{self.name}: an MDP needs at least one state")
        index: dict[str, int] = {}
        for i, state_name in enumerate(self.states):
            if state_name in index:
                raise InputError(f"{self.name}: duplicate state name {state_name!r}")
            index[state_name] = i
        object.__setattr__(self, "_index", index)
        if len(self.action_labels) != S:
            raise InputError(
                f"{self.name}: action_labels has {len(self.action_labels)} rows, not {S}"
            )
        A = self.n_actions
        terminal = np.asarray(self.terminal, dtype=bool)
        if terminal.shape != (S,):
            raise InputError(f"{self.name}: terminal must have shape [S]={S}, got {terminal.shape}")
        terminal.setflags(write=False)
        object.__setattr__(self, "terminal", terminal)
        for s, labels in enumerate(self.action_labels):
            if len(labels) == 0:
                raise InputError(f"{self.name}: state {self.states[s]!r} has no action")
            if len(set(labels)) != len(labels):
                raise InputError(
                    f"{self.name}: state {self.states[s]!r} has duplicate action names"
                )
        P = self.transitions
        if sp.issparse(P):
            P = sp.csr_array(P, dtype=np.float64)
            if P.shape != (S * A, S):
                raise InputError(f"{self.name}: sparse transitions must be [S*A, S]={S * A, S}")
            P.sort_indices()
            data = P.data
        else:
            P = np.array(P, dtype=np.float64)
            if P.shape != (S, A, S):
                raise InputError(f"{self.name}: dense transitions must be [S, A, S]={S, A, S}")
            data = P
            P.setflags(write=False)
        object.__setattr__(self, "transitions", P)
        if not np.all(np.isfinite(data)):
            raise InputError(f"{self.name}: transition probabilities must be finite")
        if np.any(data < 0):
            raise InputError(f"{self.name}: transition probabilities must be nonnegative")
        sums = self._row_sums().reshape(S, A)
        want = (self.available & ~terminal[:, None]).astype(np.float64)
        bad = np.argwhere(np.abs(sums - want) > _PROB_TOL)
        if len(bad):
            s, a = (int(i) for i in bad[0])
            what = self.action_labels[s][a] if a < len(self.action_labels[s]) else f"slot {a}"
            raise InputError(
                f"{self.name}: probabilities of state {self.states[s]!r} action {what!r} "
                f"sum to {sums[s, a]:.12g}, not {want[s, a]:g}"
            )

    # ----------------------------------------------------------------- sizes
    @property
    def n_states(self) -> int:
        """Number of states S."""
        return len(self.states)

    @property
    def n_actions(self) -> int:
        """Number of action slots A (the largest number of actions at any state)."""
        return max(len(labels) for labels in self.action_labels)

    @property
    def is_sparse(self) -> bool:
        """Whether transitions are stored in sparse state-action pair form."""
        return sp.issparse(self.transitions)

    @cached_property
    def available(self) -> np.ndarray:
        """``[S, A]`` bool: action slot ``a`` exists at state ``s``."""
        counts = np.array([len(labels) for labels in self.action_labels])
        out = np.arange(self.n_actions)[None, :] < counts[:, None]
        out.setflags(write=False)
        return out

    # ------------------------------------------------------------ transitions
    def _row_sums(self) -> np.ndarray:
        P = self.transitions
        if sp.issparse(P):
            return np.asarray(P.sum(axis=1)).ravel()
        return np.asarray(P).sum(axis=2).ravel()

    @cached_property
    def P(self) -> np.ndarray:
        """Dense transition tensor ``[S, A, S]`` (built on demand from sparse storage).

        Refused with :class:`~powerlab.errors.ResourceError` when ``8 S A S`` bytes exceed the
        memory budget (:func:`powerlab._memory.check_bytes`).
        """
        if self.is_sparse:
            S, A = self.n_states, self.n_actions
            check_bytes(
                8.0 * S * A * S, f"{self.name}: dense transitions [S, A, S] = [{S}, {A}, {S}]"
            )
            out = self.transitions.toarray().reshape(S, A, S)  # type: ignore[union-attr]
            out.setflags(write=False)
            return out
        return self.transitions  # type: ignore[return-value]

    @cached_property
    def P_sa(self) -> sp.csr_array:
        """Sparse transition matrix in state-action pair form ``[S*A, S]``."""
        if self.is_sparse:
            return self.transitions  # type: ignore[return-value]
        S, A = self.n_states, self.n_actions
        return sp.csr_array(np.asarray(self.transitions).reshape(S * A, S))

    @cached_property
    def successor(self) -> np.ndarray | None:
        """``[S, A]`` int successor table if every transition is deterministic, else ``None``.

        Entries are ``-1`` for unavailable slots and for terminal ``end`` actions.
        """
        P = self.P_sa
        S, A = self.n_states, self.n_actions
        nnz = np.diff(P.indptr)
        if np.any(nnz > 1) or not np.allclose(P.data, 1.0, atol=_PROB_TOL, rtol=0):
            return None
        succ = np.full(S * A, -1, dtype=np.int64)
        rows = np.flatnonzero(nnz == 1)
        succ[rows] = P.indices[P.indptr[rows]]
        out = succ.reshape(S, A)
        out.setflags(write=False)
        return out

    @property
    def is_deterministic(self) -> bool:
        """Whether every action leads to a single successor (Turner et al.'s deterministic MDPs)."""
        return self.successor is not None

    # ------------------------------------------------------------------ names
    def state_index(self, state: str | int) -> int:
        """Index of a state given by name (or index); unknown names raise :class:`InputError`."""
        if isinstance(state, int | np.integer):
            if not 0 <= int(state) < self.n_states:
                raise InputError(
                    f"{self.name}: state index {state} out of range [0, {self.n_states})"
                )
            return int(state)
        try:
            return self._index[state]
        except KeyError:
            raise InputError(f"{self.name}: unknown state {state!r}") from None

    def state_indices(self, states: Sequence[str | int] | None) -> np.ndarray:
        """Indices of several states (all states when ``None``)."""
        if states is None:
            return np.arange(self.n_states)
        return np.array([self.state_index(s) for s in states], dtype=np.int64)

    def action_index(self, state: str | int, action: str | int) -> int:
        """Slot of ``action`` (a label, or a slot number) at ``state``."""
        s = self.state_index(state)
        labels = self.action_labels[s]
        if isinstance(action, int | np.integer):
            if not 0 <= int(action) < len(labels):
                raise InputError(
                    f"{self.name}: state {self.states[s]!r} has no action slot {action}"
                )
            return int(action)
        try:
            return labels.index(action)
        except ValueError:
            raise InputError(
                f"{self.name}: state {self.states[s]!r} has no action {action!r} "
                f"(it has {', '.join(labels)})"
            ) from None

    def with_transitions(self, sparse: bool) -> MDP:
        """The same MDP with dense (``sparse=False``) or sparse (``sparse=True``) storage."""
        P = self.P_sa if sparse else self.P
        return MDP(
            states=self.states,
            action_labels=self.action_labels,
            transitions=P,
            terminal=self.terminal,
            name=self.name,
            grid_shape=self.grid_shape,
            grid_cells=self.grid_cells,
        )

    def __repr__(self) -> str:
        kind = "sparse" if self.is_sparse else "dense"
        det = ", deterministic" if self.is_deterministic else ""
        return f"MDP({self.name!r}, S={self.n_states}, A={self.n_actions}, {kind}{det})"
