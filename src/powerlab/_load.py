"""Reading input files with bounded time and memory: one safe loader for every file format.

Every YAML or JSON input (environments, training files, games, sweep specifications) goes
through :func:`load_document`, which refuses, before the work grows with the input:

* anything but a regular file (a FIFO, ``/dev/zero``, a socket) and files over
  :data:`MAX_FILE_BYTES`, checked with ``fstat`` before a byte is read;
* nesting deeper than :data:`MAX_DEPTH` (deep documents exhaust Python's recursion);
* YAML aliases that would expand to more than :data:`MAX_ALIAS_NODES` nodes in all, and
  aliases that refer to the node that contains them (an alias bomb of a few hundred bytes
  can stand for billions of nodes);
* numbers written with more than :data:`MAX_NUMBER_CHARS` characters;
* a mapping that repeats a key (YAML keeps only the last one, silently).

JSON (a ``.json`` suffix) is parsed by :mod:`json`; YAML by libyaml's C parser where
installed (``yaml.CSafeLoader``), composed here one event at a time so that the checks above
run before anything is expanded. Nothing executes: only YAML's safe tags are constructed.
:func:`exact_number` reads an exact rational number from text with bounded digits and
exponent. The limits and their messages are listed in ``docs/limits.md``.
"""

from __future__ import annotations

import json
import os
import re
import stat
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from powerlab.errors import InputError

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_FILE_BYTES",
    "MAX_NUMBER_CHARS",
    "exact_number",
    "load_document",
    "parse_document",
    "read_text",
]

MAX_FILE_BYTES = 32 * 2**20
"""Largest input file read, in bytes (32 MiB)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences in a document."""
MAX_ALIAS_NODES = 10_000
"""Most nodes that all YAML aliases of a document may stand for, counted expanded."""
MAX_NUMBER_CHARS = 1_000
"""Longest number (in characters) read from a file or given as an exact number."""
MAX_EXPONENT = 1_000
"""Largest decimal exponent magnitude of an exact number (``1e-1000`` is the smallest)."""

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


def read_text(
    path: str | os.PathLike[str], *, what: str = "an input file", max_bytes: int = MAX_FILE_BYTES
) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes`` bytes.

    Refuses (with :class:`InputError` naming the file) a missing file, a directory, anything
    that is not a regular file, and a file over the limit, without reading past the limit.
    """
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except PermissionError:
        raise InputError(f"{p}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot open: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{p}: is a directory, not {what}")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{p}: not a regular file (a device, FIFO or socket)")
        if info.st_size > max_bytes:
            raise InputError(f"{p}: {_too_big(info.st_size, max_bytes)}")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(f"{p}: {_too_big(len(data), max_bytes)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{p}: not a text file (expected YAML or JSON)") from None


def _too_big(size: int, limit: int) -> str:
    return f"file of {size:,} bytes is over the {limit:,}-byte limit"


def load_document(
    path: str | os.PathLike[str],
    *,
    what: str = "an input file",
    max_bytes: int = MAX_FILE_BYTES,
    exact_decimals: bool = False,
) -> tuple[Any, yaml.Node | None]:
    """Read and parse a YAML or JSON file within the limits of the module docstring.

    JSON is chosen by a ``.json`` suffix; anything else is YAML (which also accepts JSON).
    Returns the document and, for YAML, its node tree (with line marks for messages).
    ``exact_decimals`` keeps JSON decimals as their text (``"0.1"``), for readers that
    turn them into exact rationals (game files).
    """
    p = Path(path)
    text = read_text(p, what=what, max_bytes=max_bytes)
    return parse_document(
        text, str(p), json_syntax=p.suffix.lower() == ".json", exact_decimals=exact_decimals
    )


def parse_document(
    text: str, where: str, *, json_syntax: bool, exact_decimals: bool = False
) -> tuple[Any, yaml.Node | None]:
    """Parse ``text`` as JSON or YAML (see :func:`load_document`); ``where`` prefixes errors."""
    if not text.strip():
        raise InputError(f"{where}: the file is empty")
    if json_syntax:
        return _parse_json(text, where, exact_decimals), None
    return _parse_yaml(text, where)


# ------------------------------------------------------------------------------------ JSON
def _parse_json(text: str, where: str, exact_decimals: bool = False) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                raise InputError(f"{where}: duplicate name {k!r}")
            out[k] = v
        return out

    def integer(s: str) -> int:
        if len(s) > MAX_NUMBER_CHARS:
            raise InputError(f"{where}: {_long_number(s)}")
        return int(s)

    def real(s: str) -> float | str:
        if len(s) > MAX_NUMBER_CHARS:
            raise InputError(f"{where}: {_long_number(s)}")
        return s if exact_decimals else float(s)

    try:
        doc = json.loads(text, object_pairs_hook=pairs, parse_int=integer, parse_float=real)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{where}: {_too_deep()}") from None
    _check_depth(doc, where)
    return doc


def _check_depth(doc: Any, where: str) -> None:
    """Refuse a parsed document nested deeper than :data:`MAX_DEPTH` (iteratively)."""
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        obj, depth = stack.pop()
        if isinstance(obj, dict | list):
            if depth >= MAX_DEPTH:
                raise InputError(f"{where}: {_too_deep()}")
            items = obj.values() if isinstance(obj, dict) else obj
            stack.extend((v, depth + 1) for v in items)


def _too_deep() -> str:
    return f"nesting deeper than {MAX_DEPTH} levels"


def _long_number(s: str, limit: int = MAX_NUMBER_CHARS) -> str:
    return f"number of {len(s):,} characters is over the {limit:,}-character limit"


# ------------------------------------------------------------------------------------ YAML
def _parse_yaml(text: str, where: str) -> tuple[Any, yaml.Node | None]:
    loader = _Loader(text)
    try:
        node = _compose(loader, where)
        try:
            doc = loader.construct_document(node) if node is not None else None
        except (ValueError, OverflowError, TypeError) as exc:  # e.g. a date 2020-13-45
            line = f":{node.start_mark.line + 1}" if node is not None else ""
            raise InputError(f"{where}{line}: not valid YAML: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0] or "syntax error"
        raise InputError(f"{where}{line}: not valid YAML or JSON: {problem}") from None
    finally:
        loader.dispose()
    return doc, node


class _Open:
    """A collection node being composed: its children so far and their expanded size."""

    __slots__ = ("anchor", "keys", "node", "path", "pending_key", "size")

    def __init__(self, node: yaml.Node, anchor: str | None, path: str) -> None:
        self.node, self.anchor, self.path = node, anchor, path
        self.size = 1
        self.keys: set[str] = set()
        self.pending_key: yaml.Node | None = None


def _compose(loader: Any, where: str) -> yaml.Node | None:
    """Compose the single document of ``loader``'s stream with the module's limits.

    Mirrors ``yaml.composer.Composer`` but iteratively, with depth, alias and duplicate-key
    checks done as each node closes, so that nothing is ever expanded.
    """
    anchors: dict[str, tuple[yaml.Node, int]] = {}
    open_anchors: set[str] = set()
    alias_nodes = 0
    stack: list[_Open] = []
    root: yaml.Node | None = None

    def line(event: Any) -> str:
        mark = getattr(event, "start_mark", None)
        return f":{mark.line + 1}" if mark is not None else ""

    def key_path(parent: _Open | None, key: str | None) -> str:
        base = parent.path if parent is not None else ""
        if key is None:
            return base
        return f"{base}.{key}" if base else key

    def attach(node: yaml.Node, size: int, event: Any) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        top = stack[-1]
        top.size += size
        if isinstance(top.node, yaml.SequenceNode):
            top.node.value.append(node)
        elif top.pending_key is None:
            top.pending_key = node
        else:
            key = top.pending_key
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else None
            if name is not None:
                if name in top.keys:
                    raise InputError(
                        f"{where}{line(key)}: {key_path(top, name)}: duplicate name {name!r}"
                    )
                top.keys.add(name)
            top.node.value.append((key, node))
            top.pending_key = None

    def child_key() -> str | None:
        if not stack:
            return None
        top = stack[-1]
        if isinstance(top.node, yaml.MappingNode) and isinstance(top.pending_key, yaml.ScalarNode):
            return str(top.pending_key.value)
        return None

    loader.get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        loader.get_event()
        return None
    loader.get_event()  # DocumentStart
    while True:
        event: Any = loader.get_event()
        start: Any = event.start_mark
        if isinstance(event, yaml.DocumentEndEvent):
            break
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise InputError(
                    f"{where}{line(event)}: alias *{event.anchor} refers to a node that "
                    "contains it (recursive aliases are refused)"
                )
            if event.anchor not in anchors:
                raise InputError(f"{where}{line(event)}: undefined alias *{event.anchor}")
            target, size = anchors[event.anchor]
            alias_nodes += size
            if alias_nodes > MAX_ALIAS_NODES:
                raise InputError(
                    f"{where}{line(event)}: aliases expand to more than "
                    f"{MAX_ALIAS_NODES:,} nodes (the alias budget)"
                )
            attach(target, size, event)
        elif isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            if tag in _NUMBER_TAGS and len(event.value) > MAX_NUMBER_CHARS:
                raise InputError(f"{where}{line(event)}: {_long_number(event.value)}")
            node = yaml.ScalarNode(tag, event.value, start, start, style=event.style)
            if event.anchor is not None:
                anchors[event.anchor] = (node, 1)
            attach(node, 1, event)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise InputError(f"{where}{line(event)}: {_too_deep()}")
            is_seq = isinstance(event, yaml.SequenceStartEvent)
            kind = yaml.SequenceNode if is_seq else yaml.MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            coll = kind(tag, [], start, None, flow_style=event.flow_style)
            path = key_path(stack[-1] if stack else None, child_key())
            stack.append(_Open(coll, event.anchor, path))
            if event.anchor is not None:
                open_anchors.add(event.anchor)
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            done = stack.pop()
            done.node.end_mark = event.end_mark
            if done.anchor is not None:
                open_anchors.discard(done.anchor)
                anchors[done.anchor] = (done.node, done.size)
            attach(done.node, done.size, event)
    if not loader.check_event(yaml.StreamEndEvent):
        extra = loader.get_event()
        raise InputError(f"{where}{line(extra)}: expected a single document, found another")
    return root


# ------------------------------------------------------------------------- exact numbers
_DECIMAL = re.compile(r"^[+-]?(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$")


def exact_number(
    text: str,
    where: str,
    *,
    max_chars: int = MAX_NUMBER_CHARS,
    max_exponent: int = MAX_EXPONENT,
) -> Fraction:
    """An exact rational from ``"0.9"``, ``"9/10"``, ``"1e-3"`` or ``"-2"``, with bounded size.

    Refuses (``InputError`` naming ``where``) text over ``max_chars`` characters (default
    :data:`MAX_NUMBER_CHARS`) and decimal exponents beyond ``max_exponent`` in magnitude
    (default :data:`MAX_EXPONENT`), before expanding them: ``Fraction("1e-100000000")`` would
    otherwise build a hundred-million-digit integer. Game files use tighter limits.
    """
    s = str(text).strip().replace("_", "")
    if len(s) > max_chars:
        raise InputError(f"{where}: {_long_number(s, max_chars)}")
    for part in s.split("/"):
        m = _DECIMAL.match(part.strip())
        if m and m.group(3) is not None and abs(int(m.group(3))) > max_exponent:
            raise InputError(
                f"{where}: exponent {m.group(3)} of {text!r} is beyond ±{max_exponent}"
            )
    try:
        return Fraction(s)
    except (ValueError, ZeroDivisionError):
        raise InputError(f"{where}: {text!r} is not a number") from None
