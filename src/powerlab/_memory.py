"""Memory checks made before allocating: refuse a request that would not fit, with its size.

The budget is half of the memory the operating system reports as available
(``MemAvailable`` in ``/proc/meminfo``), or 4 GiB where that cannot be read; the environment
variable ``POWERLAB_MAX_MEMORY`` (bytes, or a number with a ``K``, ``M``, ``G`` or ``T``
suffix) sets it instead. Limits and messages are listed in ``docs/limits.md``.
"""

from __future__ import annotations

import os

from powerlab.errors import InputError, ResourceError

__all__ = ["check_bytes", "memory_budget", "parse_bytes"]

_SUFFIX = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_bytes(text: str, where: str) -> float:
    """Bytes from ``"8G"``, ``"512M"`` or ``"1000000"``; :class:`InputError` naming ``where``."""
    s = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = s[-1:] if s[-1:] in _SUFFIX and s[-1:] else ""
    try:
        value = float(s[: len(s) - len(unit)]) * _SUFFIX[unit]
    except ValueError:
        raise InputError(f"{where}: {text!r} is not a size (e.g. 8G, 512M)") from None
    if not 0 < value < float("inf"):
        raise InputError(f"{where}: {text!r} is not a positive size")
    return value


def memory_budget() -> float:
    """Bytes one request may allocate: ``POWERLAB_MAX_MEMORY`` or half the available memory."""
    env = os.environ.get("POWERLAB_MAX_MEMORY")
    if env:
        return parse_bytes(env, "POWERLAB_MAX_MEMORY")
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return 0.5 * float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return 0.5 * float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 4.0 * 2**30


def check_bytes(nbytes: float, what: str, hint: str = "") -> None:
    """Raise :class:`ResourceError` if ``nbytes`` exceeds :func:`memory_budget`.

    The message gives the size asked for and the budget, e.g. ``grid of 4,000,000 cells
    needs 9.61 GiB, over the memory budget of 7.50 GiB``.
    """
    budget = memory_budget()
    if nbytes > budget:
        tail = f"; {hint}" if hint else ""
        source = (
            "POWERLAB_MAX_MEMORY"
            if os.environ.get("POWERLAB_MAX_MEMORY")
            else "half the available memory; set POWERLAB_MAX_MEMORY to change it"
        )
        raise ResourceError(
            f"{what} needs {nbytes / 2**30:.2f} GiB, over the memory budget of "
            f"{budget / 2**30:.2f} GiB ({source}){tail}"
        )
