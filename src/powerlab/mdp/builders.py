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

from powerlab._memory import check_bytes
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
    mask = np.zeros(len(states), dtype=bool)
    wanted = list(terminal)
    if not wanted:
        return mask
    index = {s: i for i, s in enumerate(states)}
    for t in wanted:
        t = _check_name(where, t, "terminal state")
        if t not in index:
            raise InputError(f"{where}: terminal: unknown state {t!r}")
        mask[index[t]] = True
    return mask


def _assemble(
    where: str,
    states: list[str],
    labels: list[tuple[str, ...]],
    entries: tuple[Any, Any, Any, Any],
    terminal: np.ndarray,
    name: str,
    sparse: bool | None,
    **grid: Any,
) -> MDP:
    """Build an MDP from per-state action labels and transition entries ``(s, a, s', p)``.

    ``entries`` holds four equal-length sequences (state, action slot, next state,
    probability); entries of terminal states are dropped and their labels replaced by the
    ``end`` action. Time and memory are linear in the number of entries; the dense
    ``[S, A, S]`` form is chosen only when it is small (or asked for and within budget).
    """
    S = len(states)
    for t in np.flatnonzero(terminal):
        labels[int(t)] = (END_ACTION,)
    A = max(map(len, labels))
    s_idx, a_idx, cols, vals = (np.asarray(e) for e in entries)
    keep = ~terminal[s_idx.astype(np.int64)] if len(s_idx) else np.zeros(0, bool)
    rows = s_idx[keep].astype(np.int64) * A + a_idx[keep]
    use_sparse = sparse if sparse is not None else S * A * S > 4_000_000
    if not use_sparse:
        check_bytes(8.0 * S * A * S, f"{where}: dense transitions [S, A, S] = [{S}, {A}, {S}]")
    P = sp.csr_array(
        (vals[keep].astype(np.float64), (rows, cols[keep].astype(np.int64))), shape=(S * A, S)
    )
    P.sum_duplicates()
    transitions: np.ndarray | sp.csr_array = P if use_sparse else P.toarray().reshape(S, A, S)
    try:
        return MDP(tuple(states), tuple(labels), transitions, terminal, name=name, **grid)
    except InputError as exc:
        msg = str(exc)
        raise InputError(f"{where}: {msg.split(': ', 1)[1]}" if ": " in msg else msg) from None


def _first_duplicate(names: Sequence[str]) -> str:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            return n
        seen.add(n)
    raise AssertionError("no duplicate")


def _state_rows(
    where: str, key: str, rows: Mapping[str, Any], terminal: Iterable[str]
) -> tuple[list[str], dict[str, int], np.ndarray]:
    """The states named by the keys of ``rows`` (the block ``key`` of ``where``), each once:
    their names, their index by name, and the mask of those listed in ``terminal``."""
    states = [_check_name(where, s, "state") for s in rows]
    index = {s: i for i, s in enumerate(states)}
    if len(index) != len(states):
        raise InputError(f"{where}: {key}: duplicate state {_first_duplicate(states)!r}")
    return states, index, _terminal_mask(where, states, terminal)


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
    error too: every state must have a row. Time is linear in the number of edges.
    """
    where = where or name
    if not isinstance(edges, Mapping) or len(edges) == 0:
        raise InputError(f"{where}: edges: expected a nonempty mapping state -> [successors]")
    states, index, terminal_mask = _state_rows(where, "edges", edges, terminal)
    labels: list[tuple[str, ...]] = []
    cols: list[int] = []
    counts: list[int] = []
    for s, succs in zip(states, edges.values(), strict=True):
        if succs is None or (isinstance(succs, Sequence) and len(succs) == 0):
            if terminal_mask[index[s]]:
                labels.append(())
                counts.append(0)
                continue
            raise InputError(f"{where}: edges.{s}: state {s!r} has no action")
        if isinstance(succs, str) or not isinstance(succs, Sequence):
            raise InputError(f"{where}: edges.{s}: expected a list of successor states")
        names = [_check_name(where, t, "state") for t in succs]
        try:
            cols.extend([index[t] for t in names])
        except KeyError as exc:
            raise InputError(f"{where}: edges.{s}: unknown state {exc.args[0]!r}") from None
        if len(set(names)) != len(names):
            raise InputError(f"{where}: edges.{s}: duplicate successor {_first_duplicate(names)!r}")
        labels.append(tuple(names))
        counts.append(len(names))
    n = np.asarray(counts, dtype=np.int64)
    starts = np.repeat(np.cumsum(n) - n, n)
    s_idx = np.repeat(np.arange(len(states)), n)
    a_idx = np.arange(len(cols)) - starts
    entries = (s_idx, a_idx, np.asarray(cols, np.int64), np.ones(len(cols)))
    return _assemble(where, states, labels, entries, terminal_mask, name, sparse)


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
    Time is linear in the number of listed transitions.
    """
    where = where or name
    if not isinstance(transitions, Mapping) or len(transitions) == 0:
        raise InputError(
            f"{where}: transitions: expected a nonempty mapping state -> action -> dist"
        )
    states, index, terminal_mask = _state_rows(where, "transitions", transitions, terminal)
    labels: list[tuple[str, ...]] = []
    ent_s: list[int] = []
    ent_a: list[int] = []
    ent_c: list[int] = []
    ent_p: list[float] = []
    for i, (s, acts_in) in enumerate(zip(states, transitions.values(), strict=True)):
        key = f"transitions.{s}"
        if not acts_in:
            if terminal_mask[i]:
                labels.append(())
                continue
            raise InputError(f"{where}: {key}: state {s!r} has no action")
        if not isinstance(acts_in, Mapping):
            raise InputError(f"{where}: {key}: expected a mapping action -> {{next_state: prob}}")
        acts: list[str] = []
        for slot, (a, dist) in enumerate(acts_in.items()):
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
            if not terminal_mask[i] and abs(total - 1.0) > 1e-9:
                raise InputError(f"{where}: {key}.{a}: probabilities sum to {total:.12g}, not 1")
            acts.append(a)
            ent_s.extend([i] * len(probs))
            ent_a.extend([slot] * len(probs))
            ent_c.extend(probs)
            ent_p.extend(probs.values())
        labels.append(tuple(acts))
    entries = (ent_s, ent_a, ent_c, ent_p)
    return _assemble(where, states, labels, entries, terminal_mask, name, sparse)


_GRID_CELL_BYTES = 600
"""Memory per open grid cell of a built gridworld (name, index, cell, 5 transitions), measured."""


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
    into a wall or off the grid leaves the agent where it is. Deterministic. Built with
    array operations in time linear in the grid's area; a grid whose model would not fit the
    memory budget (:func:`powerlab._memory.check_bytes`) is refused before it is built.
    """
    where = where or name
    if not isinstance(grid, str) or not grid.strip():
        raise InputError(f"{where}: grid: expected a nonempty block of text")
    lines = [ln for ln in grid.splitlines() if ln.strip() != ""]
    n_rows = len(lines)
    n_cols = max(len(ln) for ln in lines)
    check_bytes(13.0 * (n_rows + 2) * (n_cols + 2), f"{where}: grid of {n_rows} x {n_cols}")
    codes = np.full((n_rows, n_cols), ord("#"), dtype=np.uint32)
    for r, ln in enumerate(lines):
        codes[r, : len(ln)] = np.frombuffer(
            ln.encode("utf-32-le", "surrogatepass"), dtype=np.uint32
        )
    is_open = (codes != ord("#")) & (codes != ord(" ")) & (codes != ord("\t"))
    del codes
    rr, cc = np.nonzero(is_open)
    S = len(rr)
    if S == 0:
        raise InputError(f"{where}: grid: no open cell (every character is a wall)")
    check_bytes(
        float(_GRID_CELL_BYTES) * S,
        f"{where}: grid of {S:,} open cells",
        "use a smaller grid",
    )
    idx = np.full((n_rows + 2, n_cols + 2), -1, dtype=np.int64)
    here = np.arange(S, dtype=np.int64)
    idx[rr + 1, cc + 1] = here
    cols = np.empty((S, len(GRID_ACTIONS)), dtype=np.int64)
    for a, move in enumerate(GRID_ACTIONS):
        dr, dc = _GRID_MOVES[move]
        nxt = idx[rr + 1 + dr, cc + 1 + dc]
        cols[:, a] = np.where(nxt >= 0, nxt, here)
    del idx
    rows_l, cols_l = rr.tolist(), cc.tolist()
    cells = tuple(zip(rows_l, cols_l, strict=True))
    states = [f"{r},{c}" for r, c in cells]
    n_act = len(GRID_ACTIONS)
    entries = (
        np.repeat(here, n_act),
        np.tile(np.arange(n_act), S),
        cols.ravel(),
        np.ones(S * n_act),
    )
    return _assemble(
        where,
        states,
        [GRID_ACTIONS] * S,
        entries,
        _terminal_mask(where, states, terminal),
        name,
        sparse,
        grid_shape=(n_rows, n_cols),
        grid_cells=cells,
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
        # With every state terminal, each keeps only `end`: one action slot is left.
        A_kept = max(len(row) for row in labels)
        if A_kept < A:
            P2 = P2[(np.arange(S)[:, None] * A + np.arange(A_kept)).ravel()]
        P = P2 if sp.issparse(P) else P2.toarray().reshape(S, A_kept, S)
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
