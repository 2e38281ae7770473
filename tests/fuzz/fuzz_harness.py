"""The fuzz suite's harness: run ``powerlab`` in-process and check its contract.

Every case must end in one of two ways (STYLE's error contract):

* exit status 0 (the caller then checks the result), or
* exit status 2 with exactly one line on stderr, starting with ``error:`` and naming the
  file or the option at fault;

never a traceback, and within a time limit per case (:data:`CASE_SECONDS`, enforced with
``SIGALRM``) and a memory limit (:data:`CASE_MEMORY` bytes of address space beyond what the
process holds, enforced with ``RLIMIT_AS``, so a runaway case fails with ``MemoryError``
instead of exhausting the machine). The memory budget of powerlab's own checks is lowered
to :data:`MEMORY_BUDGET` for the whole suite, so a request that would allocate more must be
refused before it starts.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from powerlab.cli import app

CASE_SECONDS = 20.0
CASE_MEMORY = 2 * 2**30
MEMORY_BUDGET = "1G"


class CaseTimeout(BaseException):
    """Raised by SIGALRM in a case that runs past :data:`CASE_SECONDS`."""


@dataclass
class Outcome:
    """What one invocation did: exit status, stdout, stderr and any escaped exception."""

    args: list[str]
    code: int
    stdout: str
    stderr: str
    exception: BaseException | None
    tb: str

    def describe(self) -> str:
        return (
            f"powerlab {' '.join(self.args)}\nexit {self.code}\nstderr: {self.stderr[-1500:]}\n"
            f"{self.tb[-3000:]}"
        )

    def json(self) -> Any:
        return json.loads(self.stdout)


def _alarm(signum: int, frame: Any) -> None:
    raise CaseTimeout(f"case ran past {CASE_SECONDS} s")


def _address_space() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def invoke(args: Sequence[object], seconds: float = CASE_SECONDS) -> Outcome:
    """Run ``powerlab ARGS`` in this process under a wall-clock and a memory limit."""
    argv = [str(a) for a in args]
    old = signal.signal(signal.SIGALRM, _alarm)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + CASE_MEMORY
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        res: Result = CliRunner().invoke(app, argv, catch_exceptions=True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, old)
    exc = res.exception if not isinstance(res.exception, SystemExit) else None
    tb = "".join(traceback.format_exception(*res.exc_info)) if exc and res.exc_info else ""
    return Outcome(argv, res.exit_code, res.stdout, res.stderr, exc, tb)


def check_contract(out: Outcome, names: Sequence[str]) -> bool:
    """Assert the contract of the module docstring; return True when the command succeeded.

    ``names`` are the words an error line may use to name what is at fault (a file's path or
    base name, an option); one of them must appear in it.
    """
    assert not isinstance(out.exception, CaseTimeout), f"HANG\n{out.describe()}"
    assert not isinstance(out.exception, MemoryError), f"MEMORY\n{out.describe()}"
    assert out.exception is None, f"TRACEBACK\n{out.describe()}"
    assert "Traceback (most recent call last)" not in out.stderr + out.stdout, out.describe()
    assert out.code in (0, 2), f"EXIT {out.code}\n{out.describe()}"
    if out.code == 0:
        return True
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, f"NOT ONE LINE\n{out.describe()}"
    assert lines[0].startswith("error:"), f"NOT error:\n{out.describe()}"
    assert any(n in lines[0] for n in names), f"NAMES NONE OF {list(names)}\n{out.describe()}"
    return False


def names_of(path: Path) -> list[str]:
    """How an error line may name ``path``: as given, or by its base name."""
    return [str(path), path.name]


os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
