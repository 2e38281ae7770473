"""Hypothesis strategies for the fuzz suite: valid input documents, and mutations of them.

A valid document is drawn first (an environment with an ``edges``, ``transitions`` or
``grid`` body, a training file, a sweep specification), then, with some probability,
mutated: a key dropped or added, a value replaced by a hostile one, or its serialised text
cut, spliced or given a stray byte. Documents are written as YAML or JSON.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

# Names an attacker would try: markup, separators, numbers, unicode, empty-ish.
HOSTILE_NAMES = ["[/x]", "[bold]", "a.b", "a: b", "0", "1", "-1", "~", "null", "é", "🙂", "a b"]
HOSTILE_VALUES: list[Any] = [
    None,
    True,
    -1,
    0,
    2,
    1.5,
    -0.5,
    1e308,
    math.inf,
    math.nan,
    10**30,
    "",
    "x",
    "[/x]",
    "1e-100000000",
    "1/0",
    [],
    {},
    [[[]]],
    {"a": {"b": {}}},
]

names = st.one_of(
    st.text(alphabet="abcdefghij_", min_size=1, max_size=5),
    st.sampled_from(HOSTILE_NAMES),
)


@st.composite
def edges_doc(draw: st.DrawFn) -> dict[str, Any]:
    """``edges``: state -> list of distinct successors, every state with a row."""
    states = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    edges = {
        s: draw(st.lists(st.sampled_from(states), min_size=1, max_size=4, unique=True))
        for s in states
    }
    doc: dict[str, Any] = {"edges": edges}
    if draw(st.booleans()):
        doc["terminal"] = draw(st.lists(st.sampled_from(states), max_size=2, unique=True))
    return doc


@st.composite
def transitions_doc(draw: st.DrawFn) -> dict[str, Any]:
    """``transitions``: state -> action -> {next: probability}, probabilities summing to 1."""
    states = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    body: dict[str, Any] = {}
    for s in states:
        acts = draw(st.lists(names, min_size=1, max_size=3, unique=True))
        body[s] = {}
        for a in acts:
            nxt = draw(st.lists(st.sampled_from(states), min_size=1, max_size=3, unique=True))
            w = [draw(st.integers(1, 9)) for _ in nxt]
            body[s][a] = {t: wi / sum(w) for t, wi in zip(nxt, w, strict=True)}
    return {"transitions": body}


@st.composite
def grid_doc(draw: st.DrawFn) -> dict[str, Any]:
    """``grid``: rows of ``.`` and ``#`` with at least one open cell."""
    rows = draw(st.lists(st.text(alphabet=".#", min_size=1, max_size=8), min_size=1, max_size=6))
    if "." not in "".join(rows):
        rows[0] = "." + rows[0]
    return {"grid": "\n".join(rows) + "\n"}


env_doc = st.one_of(edges_doc(), transitions_doc(), grid_doc())


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {k: (_replace(v, rest, value) if k == head else v) for k, v in doc.items()}
    return [(_replace(v, rest, value) if i == head else v) for i, v in enumerate(doc)]


def _drop(doc: Any, path: tuple[Any, ...]) -> Any:
    if len(path) == 1:
        if isinstance(doc, dict):
            return {k: v for k, v in doc.items() if k != path[0]}
        return [v for i, v in enumerate(doc) if i != path[0]]
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {k: (_drop(v, rest) if k == head else v) for k, v in doc.items()}
    return [(_drop(v, rest) if i == head else v) for i, v in enumerate(doc)]


@st.composite
def mutated(draw: st.DrawFn, doc: Any) -> Any:
    """``doc`` with one structural mutation: a value replaced, a key dropped or added."""
    paths = _paths(doc)
    kind = draw(st.sampled_from(["replace", "drop", "add"]))
    path = draw(st.sampled_from(paths))
    if kind == "replace":
        return _replace(doc, path, draw(st.sampled_from(HOSTILE_VALUES)))
    if kind == "drop" and path:
        return _drop(doc, path)
    if isinstance(doc, dict):
        return {**doc, draw(names): draw(st.sampled_from(HOSTILE_VALUES))}
    return doc


def serialise(doc: Any, fmt: str) -> str:
    """``doc`` as YAML or JSON text (NaN and infinities as the format allows)."""
    if fmt == "json":
        return json.dumps(doc)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@st.composite
def text_mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` cut short, with a span repeated, or with a stray character inserted."""
    if not text:
        return text
    i = draw(st.integers(0, len(text)))
    kind = draw(st.sampled_from(["cut", "repeat", "insert"]))
    if kind == "cut":
        return text[:i]
    if kind == "repeat":
        j = draw(st.integers(i, len(text)))
        return text[:j] + text[i:j] + text[j:]
    ch = draw(st.sampled_from([*"{}[]:,-&*!|>'\"#%@`\t\x00\x7f", "\n  ", "é", "🙂"]))
    return text[:i] + ch + text[i:]


@st.composite
def document_file(draw: st.DrawFn, docs: st.SearchStrategy[Any], stem: str) -> tuple[str, str, Any]:
    """``(file name, text, doc or None)``: a valid ``doc`` (returned) or a mutation of it."""
    doc = draw(docs)
    fmt = draw(st.sampled_from(["yaml", "json"]))
    how = draw(st.sampled_from(["valid", "valid", "structure", "text"]))
    if how == "structure":
        doc = draw(mutated(doc))
    text = serialise(doc, fmt)
    if how == "text":
        text = draw(text_mutated(text))
    return f"{stem}.{fmt}", text, (doc if how == "valid" else None)


def write(tmp: Path, name: str, text: str) -> Path:
    """Write ``text`` as UTF-8 (lone surrogates kept as they are) and return the path."""
    p = tmp / name
    p.write_bytes(text.encode("utf-8", "surrogatepass"))
    return p
