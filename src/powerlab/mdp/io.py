"""Loading environment files (YAML or JSON with an `edges`, `transitions` or `grid` body).

A file is YAML (safe tags only; nothing executes) or JSON, holding a mapping
with an optional ``name``, an optional ``terminal`` list, and exactly one body:

* ``edges``: deterministic graph, state -> [successors] (:func:`~powerlab.mdp.from_edges`);
* ``transitions``: state -> action -> {next_state: probability} (:func:`~powerlab.mdp.from_transitions`);
* ``grid``: text, ``#`` walls (:func:`~powerlab.mdp.from_grid`).

Errors name the file, the key path and, for YAML, the line: ``room.yaml:7: transitions.s0.go:
probabilities sum to 0.9, not 1``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from powerlab._load import load_document
from powerlab.errors import InputError
from powerlab.mdp.builders import from_edges, from_grid, from_transitions
from powerlab.mdp.model import MDP

__all__ = ["BODY_KINDS", "load_env", "load_mdp", "mdp_from_document", "read_document"]

BODY_KINDS: tuple[str, ...] = ("edges", "transitions", "grid")
_ALLOWED_KEYS = {"name", "terminal", "description", *BODY_KINDS}


def read_document(
    path: str | os.PathLike[str], *, what: str = "an input file"
) -> tuple[Any, yaml.Node | None]:
    """Read a YAML or JSON file; return the parsed document and (for YAML) its node tree.

    JSON is chosen by a ``.json`` suffix; anything else is parsed as YAML (which also
    accepts JSON). The file's size, type, nesting, aliases and numbers are bounded and
    duplicate keys refused (:func:`powerlab._load.load_document`, ``docs/limits.md``); an
    empty file, or one that is neither, raises :class:`InputError`.
    """
    return load_document(path, what=what)


def _line_of(node: yaml.Node | None, keys: list[str]) -> int | None:
    """1-based line of the deepest node reached along ``keys`` in a YAML node tree."""
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            break
        for k, v in node.value:
            if str(k.value) == key:
                line = k.start_mark.line + 1
                node = v
                break
        else:
            break
    return line


def mdp_from_document(doc: Any, *, where: str, node: yaml.Node | None = None) -> MDP:
    """Build an MDP from a parsed document (see the module docstring for its schema)."""
    if not isinstance(doc, dict):
        raise InputError(f"{where}: expected a mapping with one of {', '.join(BODY_KINDS)}")
    bodies = [k for k in BODY_KINDS if k in doc]
    if len(bodies) != 1:
        found = ", ".join(bodies) if bodies else "none"
        raise InputError(
            f"{where}: the file must have exactly one of {', '.join(BODY_KINDS)} (found {found})"
        )
    unknown = sorted(set(map(str, doc)) - _ALLOWED_KEYS)
    if unknown:
        line = _line_of(node, [unknown[0]])
        raise InputError(f"{where}{f':{line}' if line else ''}: unknown key {unknown[0]!r}")
    name = str(doc.get("name") or Path(where).stem)
    terminal = doc.get("terminal") or []
    if not isinstance(terminal, list):
        raise InputError(f"{where}: terminal: expected a list of state names")
    kind = bodies[0]
    builder = {"edges": from_edges, "transitions": from_transitions, "grid": from_grid}[kind]
    try:
        return builder(doc[kind], terminal=terminal, name=name, where=where)  # type: ignore[operator]
    except InputError as exc:
        msg = str(exc)
        m = re.match(rf"^{re.escape(where)}: ((?:{kind}|terminal)(?:\.[^:\s]+)*): (.*)$", msg)
        if m and node is not None:
            line = _line_of(node, m.group(1).split("."))
            if line:
                raise InputError(f"{where}:{line}: {m.group(1)}: {m.group(2)}") from None
        raise


def load_mdp(path: str | os.PathLike[str]) -> MDP:
    """Load an environment file (YAML or JSON; Graphviz ``.gv``/``.dot`` through
    :func:`powerlab.mdp.dot.load_dot`) into an :class:`~powerlab.mdp.MDP`.

    Raises :class:`InputError` with a one-line message naming the file, the line (YAML) and
    the key at fault for every malformed input (docs/limits.md lists the limits).
    """
    if Path(path).suffix.lower() in (".gv", ".dot"):
        from powerlab.mdp.dot import load_dot

        return load_dot(path)
    doc, node = read_document(path, what="an environment file")
    return mdp_from_document(doc, where=str(path), node=node)


def load_env(spec: str | os.PathLike[str]) -> MDP:
    """Load an environment: a file path, or ``gym:ID`` for a gymnasium toy-text environment.

    ``gym:FrozenLake-v1``, ``gym:CliffWalking-v1`` and ``gym:Taxi-v3`` go through
    :func:`~powerlab.mdp.from_gymnasium` (their ``P`` table); anything else is a file.
    """
    text = str(spec)
    if text.startswith("gym:"):
        from powerlab._extras import require

        gymnasium = require("gymnasium", "gym")
        env_id = text[4:]
        try:
            env = gymnasium.make(env_id)
        except Exception as exc:  # gymnasium raises several error types for unknown ids
            raise InputError(f"{text}: cannot make gymnasium environment: {exc}") from None
        try:
            from powerlab.mdp.builders import from_gymnasium

            return from_gymnasium(env, name=env_id)
        finally:
            env.close()
    return load_mdp(text)
