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
        node = _Composer(loader, where).compose()
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


def _line(event: Any) -> str:
    """``:LINE`` of an event or node's start (1-based), or nothing where it has no mark."""
    mark = getattr(event, "start_mark", None)
    return f":{mark.line + 1}" if mark is not None else ""


class _Composer:
    """Composes one document from a loader's events with the module's limits.

    Mirrors ``yaml.composer.Composer`` but iteratively, with depth, alias and duplicate-key
    checks done as each node opens or closes, so that nothing is ever expanded: an alias
    counts the nodes it would expand to against ``MAX_ALIAS_NODES`` and attaches the anchored
    node itself.
    """

    def __init__(self, loader: Any, where: str) -> None:
        self.loader, self.where = loader, where
        self.anchors: dict[str, tuple[yaml.Node, int]] = {}
        self.open_anchors: set[str] = set()
        self.alias_nodes = 0
        self.stack: list[_Open] = []
        self.root: yaml.Node | None = None

    def error(self, event: Any, message: str) -> InputError:
        return InputError(f"{self.where}{_line(event)}: {message}")

    def compose(self) -> yaml.Node | None:
        loader = self.loader
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            loader.get_event()
            return None
        loader.get_event()  # DocumentStart
        handlers = (
            (yaml.AliasEvent, self.alias),
            (yaml.ScalarEvent, self.scalar),
            (yaml.SequenceStartEvent, self.open),
            (yaml.MappingStartEvent, self.open),
            (yaml.SequenceEndEvent, self.close),
            (yaml.MappingEndEvent, self.close),
        )
        while not loader.check_event(yaml.DocumentEndEvent):
            event: Any = loader.get_event()
            for kind, handle in handlers:
                if isinstance(event, kind):
                    handle(event)
                    break
        loader.get_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            raise self.error(loader.get_event(), "expected a single document, found another")
        return self.root

    def key_path(self, parent: _Open | None, key: str | None) -> str:
        """The dotted path of a child of ``parent`` under ``key`` (``parent``'s for items)."""
        base = parent.path if parent is not None else ""
        if key is None:
            return base
        return f"{base}.{key}" if base else key

    def attach(self, node: yaml.Node, size: int) -> None:
        """Add a finished node (of ``size`` expanded nodes) to the open collection."""
        if not self.stack:
            self.root = node
            return
        top = self.stack[-1]
        top.size += size
        if isinstance(top.node, yaml.SequenceNode):
            top.node.value.append(node)
        elif top.pending_key is None:
            top.pending_key = node
        else:
            key = top.pending_key
            if isinstance(key, yaml.ScalarNode):
                name = str(key.value)
                if name in top.keys:
                    path = self.key_path(top, name)
                    raise self.error(key, f"{path}: duplicate name {name!r}")
                top.keys.add(name)
            top.node.value.append((key, node))
            top.pending_key = None

    def alias(self, event: Any) -> None:
        if event.anchor in self.open_anchors:
            raise self.error(
                event,
                f"alias *{event.anchor} refers to a node that contains it "
                "(recursive aliases are refused)",
            )
        if event.anchor not in self.anchors:
            raise self.error(event, f"undefined alias *{event.anchor}")
        target, size = self.anchors[event.anchor]
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise self.error(
                event, f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes (the alias budget)"
            )
        self.attach(target, size)

    def scalar(self, event: Any) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag in _NUMBER_TAGS and len(event.value) > MAX_NUMBER_CHARS:
            raise self.error(event, _long_number(event.value))
        start = event.start_mark
        node = yaml.ScalarNode(tag, event.value, start, start, style=event.style)
        if event.anchor is not None:
            self.anchors[event.anchor] = (node, 1)
        self.attach(node, 1)

    def open(self, event: Any) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.error(event, _too_deep())
        kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(kind, None, event.implicit)
        coll = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
        parent = self.stack[-1] if self.stack else None
        key = None
        if parent is not None and isinstance(parent.node, yaml.MappingNode):
            if isinstance(parent.pending_key, yaml.ScalarNode):
                key = str(parent.pending_key.value)
        self.stack.append(_Open(coll, event.anchor, self.key_path(parent, key)))
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)

    def close(self, event: Any) -> None:
        done = self.stack.pop()
        done.node.end_mark = event.end_mark
        if done.anchor is not None:
            self.open_anchors.discard(done.anchor)
            self.anchors[done.anchor] = (done.node, done.size)
        self.attach(done.node, done.size)


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
