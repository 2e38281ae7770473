"""Provenance: what produced a result (version, git commit, command line, random seed, settings).

Every ``--json`` document, every DataFrame from :func:`powerlab.power.power` (in ``.attrs``)
and the demo report carry the mapping :func:`provenance` returns, so that a number can be
traced to the code and the call that computed it.
"""

from __future__ import annotations

import shlex
import sys
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["git_commit", "provenance", "version"]


@cache
def version() -> str:
    """The installed powerlab version, or ``"unknown"`` when the package metadata is absent."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _version

    try:
        return _version("powerlab")
    except PackageNotFoundError:
        return "unknown"


def _read_ref(git: Path, ref: str) -> str | None:
    loose = git / ref
    if loose.is_file():
        return loose.read_text().strip()
    packed = git / "packed-refs"
    if packed.is_file():
        for line in packed.read_text().splitlines():
            sha, _, name = line.partition(" ")
            if name.strip() == ref:
                return sha
    return None


@cache
def git_commit() -> str | None:
    """The commit of the git checkout holding this source tree, or None outside one.

    Read from ``.git/HEAD`` (and the ref it names) without running ``git``, so it costs a few
    file reads and never fails: any unreadable or unexpected layout gives None.
    """
    try:
        for folder in Path(__file__).resolve().parents:
            git = folder / ".git"
            if git.is_dir():
                head = (git / "HEAD").read_text().strip()
                if head.startswith("ref: "):
                    return _read_ref(git, head[5:].strip())
                return head or None
        return None
    except (OSError, UnicodeDecodeError):
        return None


def provenance(**settings: Any) -> dict[str, Any]:
    """``{"powerlab": version, "git_commit": sha or None, "command": argv, **settings}``.

    ``settings`` are the choices that determine the result (``seed``, ``distribution``,
    ``gamma``, ``samples``, ``quick``); those given as ``None`` are left out. ``command`` is
    the process's command line, quoted so that it can be pasted into a shell.
    """
    argv = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else []
    out: dict[str, Any] = {
        "powerlab": version(),
        "git_commit": git_commit(),
        "command": shlex.join(argv),
    }
    out.update({k: v for k, v in settings.items() if v is not None})
    return out
