r"""Graphviz DOT files as environments and policies, in POWERplay's layout (Gladstone AI 2022).

Reading uses pydot, a maintained DOT parser. Two layouts are understood:

* *stochastic graph*: node ``"[s]"`` is a state, ``"[a]__[s]"`` action a at s, and
  ``"[s']__[a]__[s]"`` its outcome s'; edges run state -> action -> outcome, the last with
  ``weight`` = :math:`T(s, a, s')` (1 when absent: a deterministic move). A *policy* file has only state -> action edges, with
  ``weight`` = :math:`\pi(a \mid s)`.
* *plain graph*: every node is a state and each edge s -> s' a deterministic action
  labelled by its target (the graphs of Turner et al. 2021, Fig. 1), as
  :func:`~powerlab.mdp.from_edges` builds.

Writing (:func:`mdp_to_dot`, :func:`policy_to_dot`) produces the stochastic layout, so a file
written here is read back by POWERplay and by :func:`load_dot`. Drawing a graph to an image
(:func:`render_dot`) needs Graphviz's ``dot`` program; without it an :class:`InputError`
says so.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from powerlab._io import atomic_write_bytes, atomic_write_text
from powerlab.errors import InputError
from powerlab.mdp.builders import from_edges, from_transitions
from powerlab.mdp.model import MDP

__all__ = [
    "load_dot",
    "load_dot_policy",
    "mdp_to_dot",
    "parse_dot",
    "policy_to_dot",
    "read_dot_graph",
    "render_dot",
]

_SEP = "]__["
_MAX_BYTES = 32 * 2**20
_ROW_TOL = 1e-6


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"')
    return name


def _parts(name: str) -> list[str]:
    """``"[a]__[b]"`` -> ``["a", "b"]``; a name without brackets is one part."""
    if name.startswith("[") and name.endswith("]"):
        return name[1:-1].split(_SEP)
    return [name]


def _weight(attrs: Mapping[str, object], where: str, what: str) -> float:
    raw = attrs.get("weight")
    if raw is None:
        raise InputError(f"{where}: edge {what} has no weight")
    try:
        w = float(_unquote(str(raw)))
    except ValueError:
        raise InputError(f"{where}: edge {what}: weight {raw!r} is not a number") from None
    if not np.isfinite(w) or w < 0:
        raise InputError(f"{where}: edge {what}: weight {w} must be finite and >= 0")
    return w


def read_dot_graph(text: str, where: str) -> tuple[list[str], list[tuple[str, str, dict]]]:
    """Parse DOT text with pydot: node names in file order and edges ``(src, dst, attrs)``."""
    import pydot

    try:
        graphs = pydot.graph_from_dot_data(text)
    except Exception as exc:  # pydot's parser raises pyparsing errors of several kinds
        raise InputError(f"{where}: not a DOT graph ({type(exc).__name__})") from None
    if not graphs:
        raise InputError(f"{where}: not a DOT graph")
    g = graphs[0]
    nodes: dict[str, None] = {}
    for n in g.get_nodes():
        name = _unquote(n.get_name())
        if name not in ("node", "edge", "graph"):
            nodes[name] = None
    edges = []
    for e in g.get_edges():
        src, dst = _unquote(str(e.get_source())), _unquote(str(e.get_destination()))
        nodes.setdefault(src, None)
        nodes.setdefault(dst, None)
        edges.append((src, dst, dict(e.get_attributes())))
    return list(nodes), edges


def _read_text(path: str | os.PathLike[str]) -> str:
    p = Path(path)
    if p.stat().st_size > _MAX_BYTES:
        raise InputError(f"{path}: DOT file larger than {_MAX_BYTES // 2**20} MiB")
    return p.read_text(encoding="utf-8")


def parse_dot(text: str, *, name: str = "mdp", where: str | None = None) -> MDP:
    """An MDP from DOT text in either layout (module docstring)."""
    where = where or name
    nodes, edges = read_dot_graph(text, where)
    if not nodes:
        raise InputError(f"{where}: the graph has no nodes")
    if not any(_SEP in n for n in nodes):
        succ: dict[str, list[str]] = {n: [] for n in nodes}
        for src, dst, _ in edges:
            succ[src].append(dst)
        return from_edges(succ, name=name, where=where)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for n in nodes:
        if len(_parts(n)) == 1:
            table[_parts(n)[0]] = {}
    for src, dst, attrs in edges:
        d = _parts(dst)
        if len(d) != 3:
            continue
        nxt, act, state = d
        if state not in table:
            raise InputError(f"{where}: outcome {dst!r} of unknown state {state!r}")
        row = table[state].setdefault(act, {})
        w = _weight(attrs, where, f"{src} -> {dst}") if "weight" in attrs else 1.0
        row[nxt] = row.get(nxt, 0.0) + w
    for state, acts in table.items():
        if not acts:
            raise InputError(f"{where}: state {state!r} has no action")
        for act, row in acts.items():
            total = sum(row.values())
            if abs(total - 1.0) > _ROW_TOL:
                raise InputError(
                    f"{where}: probabilities of state {state!r} action {act!r} sum to {total:.9g}"
                )
            acts[act] = {s: p / total for s, p in row.items()}
    return from_transitions(table, name=name, where=where)


def load_dot(path: str | os.PathLike[str]) -> MDP:
    """Load a ``.gv``/``.dot`` environment file (module docstring); named after the file."""
    return parse_dot(_read_text(path), name=Path(path).stem, where=str(path))


def load_dot_policy(
    path: str | os.PathLike[str],
    states: Sequence[str],
    action_labels: Sequence[Sequence[str]],
    *,
    action_of: str | None = None,
) -> np.ndarray:
    """A stochastic policy ``[S, A]`` from a DOT policy file, on the given states and slots.

    Each edge ``"[s]" -> "[a]__[s]"`` with ``weight`` p sets :math:`\\pi(a \\mid s) = p`; rows
    are renormalised when they sum to 1 within 1e-6 (files written in float32). With
    ``action_of="H"`` or ``"A"``, a joint action ``"x_H^y_A"`` is read as that agent's part.
    Every listed state must have a row.
    """
    where = str(path)
    _, edges = read_dot_graph(_read_text(path), where)
    index = {s: i for i, s in enumerate(states)}
    A = max(len(a) for a in action_labels)
    pi = np.zeros((len(states), A))
    seen = np.zeros(len(states), dtype=bool)
    for src, dst, attrs in edges:
        d = _parts(dst)
        if len(d) != 2:
            continue
        act, state = d
        if state not in index:
            raise InputError(f"{where}: policy for unknown state {state!r}")
        if action_of is not None and "^" in act:
            parts = dict(p.rsplit("_", 1)[::-1] for p in act.split("^"))
            act = parts.get(action_of, act)
        s = index[state]
        labels = list(action_labels[s])
        if act not in labels:
            raise InputError(f"{where}: state {state!r} has no action {act!r}")
        pi[s, labels.index(act)] += _weight(attrs, where, f"{src} -> {dst}")
        seen[s] = True
    if not seen.all():
        missing = states[int(np.flatnonzero(~seen)[0])]
        raise InputError(f"{where}: no policy for state {missing!r}")
    totals = pi.sum(axis=1)
    bad = np.flatnonzero(np.abs(totals - 1.0) > _ROW_TOL)
    if len(bad):
        raise InputError(
            f"{where}: policy at state {states[bad[0]]!r} sums to {totals[bad[0]]:.9g}, not 1"
        )
    return pi / totals[:, None]


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mdp_to_dot(mdp: MDP) -> str:
    """DOT text of ``mdp`` in the stochastic layout (module docstring); terminal states get
    no action node, as they have no outcome."""
    lines = [f"digraph {_q(mdp.name)} {{"]
    P = mdp.P_sa
    A = mdp.n_actions
    for s, state in enumerate(mdp.states):
        lines.append(f"{_q(f'[{state}]')};")
        if mdp.terminal[s]:
            continue
        for a, label in enumerate(mdp.action_labels[s]):
            act = f"[{label}]__[{state}]"
            lines.append(f"{_q(f'[{state}]')} -> {_q(act)};")
            row = s * A + a
            for k in range(P.indptr[row], P.indptr[row + 1]):
                nxt = f"[{mdp.states[P.indices[k]]}]__{act}"
                lines.append(f"{_q(act)} -> {_q(nxt)} [weight={float(P.data[k])!r}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def policy_to_dot(
    states: Sequence[str], action_labels: Sequence[Sequence[str]], pi: np.ndarray
) -> str:
    """DOT text of a stochastic policy ``pi: [S, A]`` (module docstring's policy layout)."""
    pi = np.asarray(pi, dtype=np.float64)
    if pi.ndim != 2 or pi.shape[0] != len(states):
        raise InputError(f"policy must have shape [S={len(states)}, A], got {pi.shape}")
    lines = ["digraph policy {"]
    for s, state in enumerate(states):
        for a, label in enumerate(action_labels[s]):
            act = f"[{label}]__[{state}]"
            lines.append(f"{_q(f'[{state}]')} -> {_q(act)} [weight={float(pi[s, a])!r}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_dot(text: str, path: str | os.PathLike[str]) -> Path:
    """Draw DOT text to an image (format from the suffix: .png, .svg, .pdf) with Graphviz.

    Raises :class:`InputError` when Graphviz's ``dot`` program is not installed, or for an
    unknown suffix; writes ``.gv``/``.dot`` text without needing it.
    """
    out = Path(path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt in ("gv", "dot"):
        atomic_write_text(out, text)
        return out
    if fmt not in ("png", "svg", "pdf"):
        raise InputError(f"{path}: unknown image type {fmt!r} (use .png, .svg, .pdf or .gv)")
    if shutil.which("dot") is None:
        raise InputError(
            f"{path}: drawing a graph needs Graphviz's 'dot' program, which is not installed "
            "(write a .gv file instead, or install graphviz)"
        )
    import pydot

    graphs = pydot.graph_from_dot_data(text)
    if not graphs:
        raise InputError(f"{path}: not a DOT graph")
    data = graphs[0].create(format=fmt)
    atomic_write_bytes(out, data if isinstance(data, bytes) else str(data).encode())
    return out
