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

__all__ = [
    "EXIT_BAD_INPUT",
    "console",
    "emit_json",
    "err_console",
    "guarded",
    "progress_bar",
    "to_jsonable",
]

EXIT_BAD_INPUT = 2
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


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
