"""Shared plumbing for the CLI: one-line errors with exit status 2, JSON output, progress.

The CLI holds no mathematics (DESIGN.md): each command parses options, calls the
library, and renders the result as a Rich table or, with ``--json``, as one JSON
document on stdout and nothing else.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from typer.core import TyperCommand

__all__ = [
    "EXIT_BAD_INPUT",
    "console",
    "emit_json",
    "err_console",
    "guarded",
    "multi_value_command",
    "parse_number",
    "progress_bar",
    "to_jsonable",
]

EXIT_BAD_INPUT = 2
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def parse_number(
    text: str,
    flag: str,
    *,
    low: float | None = None,
    high: float | None = None,
    open_low: bool = False,
    open_high: bool = False,
) -> float:
    """Parse a decimal or a fraction (``"0.9"``, ``"1/2"``) given to ``flag``, within bounds.

    Raises ``InputError`` naming the flag when the text is not a number or is out of range
    (``[low, high]``, with either end open as asked).
    """
    from fractions import Fraction

    from powerlab.errors import InputError

    try:
        value = float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError):
        raise InputError(f"{flag}: {text!r} is not a number") from None
    too_low = low is not None and (value <= low if open_low else value < low)
    too_high = high is not None and (value >= high if open_high else value > high)
    if too_low or too_high:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        interval = f"{'(' if open_low else '['}{lo}, {hi}{')' if open_high else ']'}"
        raise InputError(f"{flag}: {text} is outside {interval}")
    return value


def multi_value_command(*options: str) -> type[TyperCommand]:
    """A Typer command class that reads ``--opt v1 v2 v3`` as ``--opt v1 --opt v2 --opt v3``.

    ``options`` names the list options that take several values after one flag.
    """
    multi = frozenset(options)

    class MultiValueCommand(TyperCommand):
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


def guarded(func: F) -> F:
    """Turn bad-input exceptions into ``error: <message>`` on stderr and exit status 2.

    ``ValueError`` (which includes :class:`powerlab.errors.InputError`), ``TypeError``,
    ``FileNotFoundError``, ``IsADirectoryError`` and ``PermissionError`` are bad input;
    anything else is a bug and keeps its traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, TypeError, OSError, KeyError) as exc:
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if isinstance(exc, FileNotFoundError) and exc.filename:
                msg = f"{exc.filename}: no such file"
            err_console.print(f"[bold red]error:[/] {msg}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


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


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout, and nothing else."""
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2) + "\n")
    sys.stdout.flush()


@contextmanager
def progress_bar(description: str, total: float | None, enabled: bool = True) -> Iterator[Any]:
    """A Rich progress bar on stderr; yields ``advance(n)``.

    Rich shows it only after a short delay, so quick commands print no bar; with
    ``enabled=False`` (``--json``) nothing is drawn at all.
    """
    if not enabled:
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
