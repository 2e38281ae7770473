"""Shared plumbing for the CLI: one-line errors with exit status 2, JSON output, progress.

The CLI holds no mathematics: each command parses options, calls the library, and renders
the result as a Rich table or, with ``--json``, as one JSON document on stdout and nothing
else. User text (state, action, game and file names) never goes through Rich markup: tables
are :class:`Table` (every string cell is literal text) and messages go through :func:`say`.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import numpy as np
import rich.table
import typer
from rich.console import Console, ConsoleDimensions
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text
from typer.core import TyperCommand

from powerlab._extras import missing_extra
from powerlab.errors import InputError, ResourceError

__all__ = [
    "EXIT_BAD_INPUT",
    "MAX_NUMBER_CHARS",
    "PIPE_WIDTH",
    "QUIET_OPT",
    "Command",
    "JsonFlag",
    "SeedFlag",
    "Table",
    "console",
    "emit_json",
    "err_console",
    "guarded",
    "multi_value_command",
    "parse_gamma",
    "parse_number",
    "progress_bar",
    "say",
    "split_list",
    "to_jsonable",
    "use_plain_help",
    "wrote",
]

EXIT_BAD_INPUT = 2
PIPE_WIDTH = 200
"""Width of tables written to a pipe or a file, where no terminal sets one (``COLUMNS`` wins)."""


class _Console(Console):
    """A Rich console that is :data:`PIPE_WIDTH` wide when its stream is not a terminal.

    Rich otherwise assumes 80 columns in a pipe and truncates table cells (``0.7500±1e-…``).
    """

    @property
    def size(self) -> ConsoleDimensions:
        dims = super().size
        if self.is_terminal or self._width is not None or "COLUMNS" in self._environ:
            return dims
        return ConsoleDimensions(max(dims.width, PIPE_WIDTH), dims.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


console = _Console()
err_console = _Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def _literal(value: Any) -> Any:
    return Text(value) if isinstance(value, str) else value


class Table(rich.table.Table):
    """A Rich table whose string title, headers and cells are literal text, never markup.

    A state named ``[/x]`` would otherwise be read as a closing markup tag and crash the
    rendering.
    """

    def __init__(self, *headers: Any, title: Any = None, **kwargs: Any) -> None:
        super().__init__(*headers, title=_literal(title), **kwargs)  # str headers: add_column

    def add_column(self, header: Any = "", *args: Any, **kwargs: Any) -> None:
        """As :meth:`rich.table.Table.add_column`, with a string header taken literally.

        Cells that do not fit fold onto the next line (``overflow="fold"``) instead of being
        cut with an ellipsis, so a number is never truncated.
        """
        kwargs.setdefault("overflow", "fold")
        super().add_column(_literal(header), *args, **kwargs)

    def add_row(self, *cells: Any, **kwargs: Any) -> None:
        """As :meth:`rich.table.Table.add_row`, with string cells taken literally."""
        super().add_row(*map(_literal, cells), **kwargs)


def say(message: str, *, err: bool = False, style: str | None = None) -> None:
    """Print ``message`` literally (no markup, no highlighting) on stdout, or on stderr."""
    (err_console if err else console).print(
        Text(message, style=style or ""), highlight=False, soft_wrap=True
    )


MAX_NUMBER_CHARS = 100
"""Longest number accepted on the command line, in characters."""
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_FRACTION = re.compile(r"([+-]?\d+)/(\d+)")


def parse_number(
    text: str,
    flag: str,
    *,
    low: float | None = None,
    high: float | None = None,
    open_low: bool = False,
    open_high: bool = False,
) -> float:
    """Parse a decimal or a fraction (``"0.9"``, ``"1e-3"``, ``"1/2"``) given to ``flag``.

    The value is the nearest float to the number written (a decimal is rounded once by
    ``float``, a fraction ``p/q`` by integer true division), so no exact expansion of an
    exponent ever happens and ``1e-100000000`` is read as fast as ``0.5``. Raises
    ``InputError`` naming the flag when the text is not a number, is longer than
    :data:`MAX_NUMBER_CHARS`, does not fit a float (``1e400``; a nonzero number that rounds to
    0), or is outside ``[low, high]`` (either end open as asked).
    """
    t = text.strip()
    if len(t) > MAX_NUMBER_CHARS:
        raise InputError(f"{flag}: number of {len(t):,} characters (at most {MAX_NUMBER_CHARS})")
    fraction = _FRACTION.fullmatch(t)
    if _DECIMAL.fullmatch(t):
        value, nonzero = float(t), any(c in "123456789" for c in t.lower().partition("e")[0])
    elif fraction and int(fraction.group(2)) != 0:
        p, q = int(fraction.group(1)), int(fraction.group(2))
        try:
            value, nonzero = p / q, p != 0
        except OverflowError:
            value, nonzero = float("inf"), True
    else:
        raise InputError(f"{flag}: {t!r} is not a number")
    if not math.isfinite(value):
        raise InputError(f"{flag}: {t} is too large for a float")
    if value == 0.0 and nonzero:
        raise InputError(f"{flag}: {t} is too small for a float (it rounds to 0)")
    too_low = low is not None and (value <= low if open_low else value < low)
    too_high = high is not None and (value >= high if open_high else value > high)
    if too_low or too_high:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        interval = f"{'(' if open_low else '['}{lo}, {hi}{')' if open_high else ']'}"
        raise InputError(f"{flag}: {t} is outside {interval}")
    return value


def parse_gamma(
    text: str, flag: str = "--gamma", *, open_low: bool = False, open_high: bool = False
) -> float:
    """A discount γ in [0, 1] (either end open as the command needs), as :func:`parse_number`."""
    return parse_number(text, flag, low=0.0, high=1.0, open_low=open_low, open_high=open_high)


class Command(TyperCommand):
    """A Typer command whose help reads as a shell user expects.

    The usage line names a required argument ``ENV`` rather than ``{env}``, and a flag shows
    no ``<bool>`` placeholder. :func:`use_plain_help` makes it the class of every command.
    """

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """The usage line's pieces, with ``{name}`` written ``NAME``."""
        pieces = super().collect_usage_pieces(ctx)
        return [p[1:-1].upper() if p[:1] == "{" and p[-1:] == "}" else p for p in pieces]

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, with every flag's type placeholder blanked."""
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return list(params)


def use_plain_help(app: typer.Typer) -> None:
    """Give every command of ``app`` (and of its groups) the :class:`Command` class."""
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = Command
    for group in app.registered_groups:
        if group.typer_instance is not None:
            use_plain_help(group.typer_instance)


def multi_value_command(*options: str) -> type[TyperCommand]:
    """A command class (:class:`Command`) that reads ``--opt v1 v2`` as ``--opt v1 --opt v2``.

    ``options`` names the list options that take several values after one flag.
    """
    multi = frozenset(options)

    class MultiValueCommand(Command):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            out: list[str] = []
            current: str | None = None
            for tok in args:
                if tok in multi:
                    current = tok
                    continue
                is_flag = tok.startswith("--") or (
                    tok.startswith("-") and len(tok) == 2 and tok[1].isalpha()
                )
                if is_flag:
                    current = None
                    out.append(tok)
                elif current is not None:
                    out.extend([current, tok])
                else:
                    out.append(tok)
            return list(super().parse_args(ctx, out))

    return MultiValueCommand


_FILE_ERRORS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "no such file"),
    (IsADirectoryError, "is a directory"),
    (NotADirectoryError, "not a directory"),
    (PermissionError, "permission denied"),
)


def _bad_input_message(exc: BaseException) -> str | None:
    """The one-line message of an error that is the user's input, or None for a bug.

    A missing optional dependency counts as the user's (the message names the extra to
    install, :func:`powerlab._extras.missing_extra`); any other missing module is a bug.
    """
    extra = missing_extra(exc)
    if extra is not None:
        exc = extra
    if isinstance(exc, InputError | ResourceError):
        text = str(exc).strip()
        return text.splitlines()[0] if text else type(exc).__name__
    for cls, what in _FILE_ERRORS:
        if isinstance(exc, cls) and exc.filename is not None:
            return f"{exc.filename}: {what}"
    return None


def guarded(func: F) -> F:
    """Turn bad-input exceptions into ``error: <message>`` on stderr and exit status 2.

    Bad input is :class:`powerlab.errors.InputError` and :class:`~powerlab.errors.ResourceError`
    (refused before starting), a missing or unreadable file, reported with its path, and a
    missing optional dependency, reported with the extra that installs it. Anything else (``TypeError``, ``KeyError``, other ``OSError``s, a plain ``ValueError``) is
    a bug and keeps its traceback. The message is printed literally, never as markup.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, OSError, ImportError) as exc:
            msg = _bad_input_message(exc)
            if msg is None:
                raise
            err_console.print(
                Text.assemble(("error:", "bold red"), " ", msg), highlight=False, soft_wrap=True
            )
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return cast(F, wrapper)


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays and Fractions to plain JSON types (Fractions as "p/q")."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Fraction):
        return str(obj)
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        val = float(obj)
        return val if np.isfinite(val) else None
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def emit_json(obj: Any, provenance: dict[str, Any] | None = None) -> None:
    """Print ``obj`` as JSON on stdout, and nothing else.

    With ``provenance`` (from :func:`powerlab._provenance.provenance`), a mapping ``obj`` gets
    it under the key ``"provenance"``; its other keys are unchanged.
    """
    if provenance is not None and isinstance(obj, dict):
        obj = {**obj, "provenance": provenance}
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2) + "\n")
    sys.stdout.flush()


QUIET_OPT = typer.Option(False, "--quiet", "-q", help="Draw no progress bar on stderr.")
"""The ``--quiet`` option of every command that may run for more than about a second."""

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
"""The ``--json`` flag of a command whose JSON document needs no further description."""

SeedFlag = Annotated[int, typer.Option("--seed", help="Random seed.")]
"""The ``--seed`` option of a command whose random draws need no further description."""


def wrote(path: str | Path) -> None:
    """Report a file written: one ``wrote PATH`` line on stderr (stdout stays for results)."""
    say(f"wrote {path}", err=True)


def split_list(values: Iterable[str] | None, flag: str, keep: Iterable[str] = ()) -> list[str]:
    """The values of a list option: repeatable, and each value split at commas.

    ``--states a,b --states c`` and ``--states a --states b,c`` both give ``[a, b, c]``; a
    value that is itself one of ``keep`` (a grid state named ``2,4``) is taken whole. Blanks
    around items are dropped; an empty item (``a,,b``) is an ``InputError`` naming ``flag``,
    so no value is ever dropped silently. ``None`` or no values gives ``[]``.
    """
    whole = frozenset(keep)
    out: list[str] = []
    for value in values or ():
        items = [value.strip()] if value.strip() in whole else value.split(",")
        for item in items:
            if not item.strip():
                raise InputError(f"{flag}: empty item in {value!r}")
            out.append(item.strip())
    return out


@contextmanager
def progress_bar(description: str, total: float | None, enabled: bool = True) -> Iterator[Any]:
    """A Rich progress bar on stderr; yields ``advance(n)``.

    Drawn only when stderr is a terminal and ``enabled`` (pass ``not quiet``); it is
    transient, so nothing of it is left once done, and stdout (``--json``) is never touched.
    """
    if not enabled or not err_console.is_terminal:
        yield lambda n=1: None
        return
    prog = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        refresh_per_second=5,
    )
    with prog:
        task = prog.add_task(description, total=total)
        yield lambda n=1: prog.advance(task, n)
