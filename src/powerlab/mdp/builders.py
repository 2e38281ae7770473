"""Constructors for :class:`~powerlab.mdp.model.MDP`: graphs, transition tables, grids, arrays, gymnasium.

Each builder validates its input and raises :class:`~powerlab.errors.InputError` with a
one-line message naming the state, action or key at fault. ``where`` (a file name, say)
prefixes every message so that file loaders can name the file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from powerlab.errors import InputError
from powerlab.mdp.model import END_ACTION, MDP

__all__ = [
    "GRID_ACTIONS",
    "from_arrays",
    "from_edges",
    "from_grid",
    "from_gymnasium",
    "from_transitions",
]

GRID_ACTIONS: tuple[str, ...] = ("N", "S", "E", "W", "stay")
_GRID_MOVES = {"N": (-1, 0), "S": (1, 0), "E": (0, 1), "W": (0, -1), "stay": (0, 0)}


def _check_name(where: str, name: Any, what: str) -> str:
    if not isinstance(name, str | int) or isinstance(name, bool) or str(name) == "":
        raise InputError(f"{where}: {what} names must be nonempty strings, got {name!r}")
    return str(name)


def _terminal_mask(where: str, states: Sequence[str], terminal: Iterable[str]) -> np.ndarray:
    index = {s: i for i, s in enumerate(states)}
    mask = np.zeros(len(states), dtype=bool)
    for t in terminal:
        t = _check_name(where, t, "terminal state")
        if t not in index:
            raise InputError(f"{where}: terminal: unknown state {t!r}")
        mask[index[t]] = True
    return mask


def _assemble(
    where: str,
    states: list[str],
    rows: list[list[tuple[str, dict[int, float]]]],
    terminal: np.ndarray,
    name: str,
    sparse: bool | None,
    **grid: Any,
) -> MDP:
    """Build an MDP from per-state lists of ``(action label, {next index: prob})``."""
    S = len(states)
    for t in np.flatnonzero(terminal):
        rows[int(t)] = [(END_ACTION, {})]
    A = max(len(r) for r in rows)
    use_sparse = sparse if sparse is not None else S * A * S > 4_000_000
    r_idx, c_idx, vals = [], [], []
    for s, acts in enumerate(rows):
        for a, (_, dist) in enumerate(acts):
            for s2, p in dist.items():
                r_idx.append(s * A + a)
                c_idx.append(s2)
                vals.append(p)
    P = sp.csr_array(
        (np.array(vals, float), (np.array(r_idx, int), np.array(c_idx, int))), shape=(S * A, S)
    )
    P.sum_duplicates()
    transitions: np.ndarray | sp.csr_array = P if use_sparse else P.toarray().reshape(S, A, S)
    labels = tuple(tuple(lbl for lbl, _ in acts) for acts in rows)
    try:
        return MDP(tuple(states), labels, transitions, terminal, name=name, **grid)
    except InputError as exc:
        msg = str(exc)
        raise InputError(f"{where}: {msg.split(': ', 1)[1]}" if ": " in msg else msg) from None


def from_edges(
    edges: Mapping[str, Sequence[str]],
    *,
    terminal: Iterable[str] = (),
    name: str = "mdp",
    where: str | None = None,
    sparse: bool | None = None,
) -> MDP:
    """A deterministic MDP from a successor list: each listed successor is one action.

    ``edges[s] = [s'_1, s'_2, ...]`` gives state ``s`` one action per successor, labelled by
    the successor's name, with :math:`T(s, a_i, s'_i) = 1` (Turner et al. 2021, Sec. 3,
    deterministic environments drawn as graphs, e.g. their Fig. 1). A successor listed twice
    is an error (two actions with the same name). States only mentioned as successors are an
    error too: every state must have a row.
    """
    where = where or name
    if not isinstance(edges, Mapping) or len(edges) == 0:
        raise InputError(f"{where}: edges: expected a nonempty mapping state -> [successors]")
    states = [_check_name(where, s, "state") for s in edges]
    if len(set(states)) != len(states):
        dup = next(s for s in states if states.count(s) > 1)
        raise InputError(f"{where}: edges: duplicate state {dup!r}")
    index = {s: i for i, s in enumerate(states)}
    terminal_mask = _terminal_mask(where, states, terminal)
    rows: list[list[tuple[str, dict[int, float]]]] = []
    for s, succs in edges.items():
        s = str(s)
        if succs is None or (isinstance(succs, Sequence) and len(succs) == 0):
            if terminal_mask[index[s]]:
                rows.append([])
                continue
            raise InputError(f"{where}: edges.{s}: state {s!r} has no action")
        if isinstance(succs, str) or not isinstance(succs, Sequence):
            raise InputError(f"{where}: edges.{s}: expected a list of successor states")
        acts: list[tuple[str, dict[int, float]]] = []
        for t in succs:
            t = _check_name(where, t, "state")
            if t not in index:
                raise InputError(f"{where}: edges.{s}: unknown state {t!r}")
            if any(lbl == t for lbl, _ in acts):
                raise InputError(f"{where}: edges.{s}: duplicate successor {t!r}")
            acts.append((t, {index[t]: 1.0}))
        rows.append(acts)
    return _assemble(where, states, rows, terminal_mask, name, sparse)


def from_transitions(
    transitions: Mapping[str, Mapping[str, Mapping[str, float]]],
    *,
    terminal: Iterable[str] = (),
    name: str = "mdp",
    where: str | None = None,
    sparse: bool | None = None,
) -> MDP:
    """A stochastic MDP from ``transitions[s][a] = {s': T(s, a, s')}``.

    Probabilities must be finite, nonnegative and sum to 1 within 1e-9 for each (s, a).
    Terminal states (``terminal``) need no actions: they pay their reward once on entry.
    """
    where = where or name
    if not isinstance(transitions, Mapping) or len(transitions) == 0:
        raise InputError(
            f"{where}: transitions: expected a nonempty mapping state -> action -> dist"
        )
    states = [_check_name(where, s, "state") for s in transitions]
    if len(set(states)) != len(states):
        dup = next(s for s in states if states.count(s) > 1)
        raise InputError(f"{where}: transitions: duplicate state {dup!r}")
    index = {s: i for i, s in enumerate(states)}
    terminal_mask = _terminal_mask(where, states, terminal)
    rows: list[list[tuple[str, dict[int, float]]]] = []
    for s, acts_in in transitions.items():
        s = str(s)
        key = f"transitions.{s}"
        if not acts_in:
            if terminal_mask[index[s]]:
                rows.append([])
                continue
            raise InputError(f"{where}: {key}: state {s!r} has no action")
        if not isinstance(acts_in, Mapping):
            raise InputError(f"{where}: {key}: expected a mapping action -> {{next_state: prob}}")
        acts: list[tuple[str, dict[int, float]]] = []
        for a, dist in acts_in.items():
            a = _check_name(where, a, "action")
            if not isinstance(dist, Mapping) or len(dist) == 0:
                raise InputError(
                    f"{where}: {key}.{a}: expected a nonempty mapping next_state -> prob"
                )
            probs: dict[int, float] = {}
            for t, p in dist.items():
                t = _check_name(where, t, "state")
                if t not in index:
                    raise InputError(f"{where}: {key}.{a}: unknown state {t!r}")
                if isinstance(p, bool) or not isinstance(p, int | float):
                    raise InputError(f"{where}: {key}.{a}.{t}: probability {p!r} is not a number")
                if not math.isfinite(p):
                    raise InputError(f"{where}: {key}.{a}.{t}: probability {p!r} is not finite")
                if p < 0:
                    raise InputError(f"{where}: {key}.{a}.{t}: probability {p!r} is negative")
                probs[index[t]] = probs.get(index[t], 0.0) + float(p)
            total = sum(probs.values())
            if not terminal_mask[index[s]] and abs(total - 1.0) > 1e-9:
                raise InputError(f"{where}: {key}.{a}: probabilities sum to {total:.12g}, not 1")
            acts.append((a, probs))
        rows.append(acts)
    return _assemble(where, states, rows, terminal_mask, name, sparse)


def from_grid(
    grid: str,
    *,
    terminal: Iterable[str] = (),
    name: str = "grid",
    where: str | None = None,
    sparse: bool | None = None,
) -> MDP:
    """A gridworld: ``'#'`` is a wall, any other character a cell; actions N, S, E, W, stay.

    Cell ``(r, c)`` (0-based row and column of the text) is the state named ``"r,c"``. A move
    into a wall or off the grid leaves the agent where it is. Deterministic.
    """
    where = where or name
    if not isinstance(grid, str) or not grid.strip():
        raise InputError(f"{where}: grid: expected a nonempty block of text")
    lines = [ln for ln in grid.splitlines() if ln.strip() != ""]
    cells = [(r, c) for r, ln in enumerate(lines) for c, ch in enumerate(ln) if ch not in "# \t"]
    if not cells:
        raise InputError(f"{where}: grid: no open cell (every character is a wall)")
    index = {cell: i for i, cell in enumerate(cells)}
    states = [f"{r},{c}" for r, c in cells]
    rows: list[list[tuple[str, dict[int, float]]]] = []
    for r, c in cells:
        acts = []
        for a in GRID_ACTIONS:
            dr, dc = _GRID_MOVES[a]
            nxt = index.get((r + dr, c + dc), index[(r, c)])
            acts.append((a, {nxt: 1.0}))
        rows.append(acts)
    n_rows = len(lines)
    n_cols = max(len(ln) for ln in lines)
    return _assemble(
        where,
        states,
        rows,
        _terminal_mask(where, states, terminal),
        name,
        sparse,
        grid_shape=(n_rows, n_cols),
        grid_cells=tuple(cells),
    )


def from_arrays(
    P: np.ndarray | sp.sparray | sp.spmatrix,
    *,
    states: Sequence[str] | None = None,
    action_labels: Sequence[Sequence[str]] | None = None,
    terminal: Sequence[bool] | np.ndarray | None = None,
    name: str = "mdp",
) -> MDP:
    """An MDP from a transition array: dense ``P: [S, A, S]`` or sparse ``P: [S*A, S]``.

    Without ``action_labels`` every state gets all ``A`` slots, labelled ``"0".."A-1"``.
    ``terminal: [S]`` marks terminal states, whose rows are replaced by the ``end`` action.
    """
    if sp.issparse(P):
        P = sp.csr_array(P, dtype=np.float64)
        S = P.shape[1]
        if P.shape[0] % S:
            raise InputError(f"{name}: sparse P must have shape [S*A, S], got {P.shape}")
        A = P.shape[0] // S
    else:
        P = np.asarray(P, dtype=np.float64)
        if P.ndim != 3 or P.shape[0] != P.shape[2]:
            raise InputError(f"{name}: dense P must have shape [S, A, S], got {P.shape}")
        S, A = P.shape[0], P.shape[1]
    names = tuple(states) if states is not None else tuple(str(i) for i in range(S))
    if len(names) != S:
        raise InputError(f"{name}: {len(names)} state names for {S} states")
    term = np.zeros(S, bool) if terminal is None else np.asarray(terminal, dtype=bool)
    if term.shape != (S,):
        raise InputError(f"{name}: terminal must have shape [S]={S}, got {term.shape}")
    if action_labels is None:
        labels = tuple(tuple(str(a) for a in range(A)) for _ in range(S))
    else:
        labels = tuple(tuple(str(a) for a in row) for row in action_labels)
    if np.any(term):
        P_sa = sp.lil_array(sp.csr_array(P.reshape(S * A, S)) if not sp.issparse(P) else P)
        for s in np.flatnonzero(term):
            P_sa[s * A : (s + 1) * A, :] = 0
        labels = tuple((END_ACTION,) if term[s] else row for s, row in enumerate(labels))
        P2 = sp.csr_array(P_sa)
        P2.eliminate_zeros()
        P = P2 if sp.issparse(P) else P2.toarray().reshape(S, A, S)
    return MDP(names, labels, P, term, name=name)


def from_gymnasium(env: Any, *, name: str | None = None) -> MDP:
    """An MDP from a gymnasium toy-text environment's transition table ``env.unwrapped.P``.

    ``P[s][a]`` is a list of ``(prob, next_state, reward, terminated)``; probabilities of
    repeated successors add up. A state entered by a transition flagged ``terminated`` is
    marked terminal (FrozenLake's holes and goal, CliffWalking's goal, Taxi's drop-off), so it
    pays its state reward once, as Krakovna & Kramár's terminal state does. The gymnasium
    rewards themselves are on transitions and are not part of the model: powerlab's
    analyses draw state rewards from a distribution instead.
    """
    base = getattr(env, "unwrapped", env)
    table = getattr(base, "P", None)
    label = name or getattr(getattr(env, "spec", None), "id", None) or type(base).__name__
    if not isinstance(table, Mapping | list):
        raise InputError(f"{label}: environment has no tabular transition table P")
    S = len(table)
    A = max(len(table[s]) for s in range(S))
    P = np.zeros((S, A, S))
    term = np.zeros(S, bool)
    for s in range(S):
        for a in range(len(table[s])):
            for prob, nxt, _reward, done in table[s][a]:
                P[s, a, int(nxt)] += prob
                if done and nxt != s:
                    term[int(nxt)] = True
    # A state whose every transition is a terminated self-loop is terminal too.
    for s in range(S):
        if all(done and nxt == s for a in range(len(table[s])) for _, nxt, _, done in table[s][a]):
            term[s] = True
    n_acts = len(table[0])
    labels = [[str(a) for a in range(n_acts)] for _ in range(S)]
    return from_arrays(P, action_labels=labels, terminal=term, name=str(label))
