"""Atomic file output: results are written to a temporary file, then renamed into place.

A reader never sees a half-written file; a crash leaves the old file (or nothing).

The temporary file is ``.NAME.PID.RANDOM`` + NAME's suffix beside the target. It is removed
when the write fails, when the process is interrupted (Ctrl-C) and, where the write runs in
the main thread, on SIGTERM and SIGHUP too. A process killed outright (SIGKILL, power loss)
cannot clean up, so every write first removes the temporary files of the same target left
by processes that no longer run. Written files get the usual permissions, ``0o666`` less
the process's umask (not the ``0o600`` of :func:`tempfile.mkstemp`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_json", "atomic_write_text"]

_LEGACY_AGE_S = 3600.0  # temporary files without a PID are stale after an hour


def _umask() -> int:
    """The process's umask, read without changing it where Linux allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(target: Path) -> None:
    """Remove temporaries of ``target`` left by dead processes (module docstring)."""
    pattern = re.compile(
        rf"^\.{re.escape(target.name)}\.(?:(\d+)\.)?[A-Za-z0-9_]{{6,}}{re.escape(target.suffix)}$"
    )
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        m = pattern.match(entry.name)
        if not m:
            continue
        with contextlib.suppress(OSError):
            if m.group(1) is not None:
                stale = int(m.group(1)) != os.getpid() and not _alive(int(m.group(1)))
            else:
                stale = now - entry.stat(follow_symlinks=False).st_mtime > _LEGACY_AGE_S
            if stale:
                os.unlink(entry.path)


@contextlib.contextmanager
def _removed_on_signals(tmp: Path) -> Iterator[None]:
    """While writing in the main thread: on SIGTERM or SIGHUP remove ``tmp``, then die by it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        tmp.unlink(missing_ok=True)
        for sig_, old_ in previous.items():
            signal.signal(sig_, old_)
        os.kill(os.getpid(), signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) == signal.SIG_DFL:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it to ``path``.

    The rename is atomic on POSIX file systems, so ``path`` holds either its old
    content or the complete new content, never a part of it.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=target.suffix, dir=target.parent
    )
    tmp = Path(tmp_name)
    try:
        with _removed_on_signals(tmp):
            os.fchmod(fd, 0o666 & ~_umask())
            os.close(fd)
            fd = -1
            write(tmp)
            os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    return target


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""

    def write(p: Path) -> None:
        p.write_bytes(data)

    return atomic_write(path, write)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""

    def write(p: Path) -> None:
        p.write_text(text, encoding="utf-8")

    return atomic_write(path, write)


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=2) + "\n")
