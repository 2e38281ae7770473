"""One time limit for a whole computation (loading, solving, best-case POWER, sweeps).

A :class:`Deadline` is made once from the user's limit in seconds and passed down; each
stage asks for the seconds left (the Gambit child process is killed after that long) or
calls :meth:`Deadline.check` between units of work. No mathematics.
"""

from __future__ import annotations

import math
import time

from powerlab.errors import InputError, ResourceError

__all__ = ["MAX_SECONDS", "Deadline", "DeadlineExceeded", "as_deadline"]

MAX_SECONDS = 7 * 24 * 3600.0


class DeadlineExceeded(ResourceError):
    """The time limit passed."""


class Deadline:
    """A point in time ``seconds`` from now (monotonic clock).

    Raises:
        InputError: ``seconds`` not a finite number in ``(0, MAX_SECONDS]``.
    """

    def __init__(self, seconds: float) -> None:
        try:
            value = float(seconds)
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"time limit: not a number: {seconds!r}") from None
        if not math.isfinite(value) or not 0 < value <= MAX_SECONDS:
            raise InputError(f"time limit: {seconds!r} s is outside (0, {MAX_SECONDS:g}]")
        self.seconds = value
        self._end = time.monotonic() + value

    def remaining(self) -> float:
        """Seconds left (0 once passed)."""
        return max(0.0, self._end - time.monotonic())

    def check(self, what: str) -> None:
        """Raise :class:`DeadlineExceeded` naming ``what`` if the time is up."""
        if time.monotonic() >= self._end:
            raise DeadlineExceeded(f"{what}: time limit of {self.seconds:g} s reached")


def as_deadline(limit: float | Deadline) -> Deadline:
    """``limit`` itself if it is a :class:`Deadline`, else a new one of ``limit`` seconds."""
    return limit if isinstance(limit, Deadline) else Deadline(limit)
