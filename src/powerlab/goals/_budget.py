"""Memory checks made before allocating: refuse a request that would not fit, with its size.

The budget is half of the memory the operating system reports as available
(``MemAvailable`` in ``/proc/meminfo``), or 4 GiB where that cannot be read.
"""

from __future__ import annotations

import os

from powerlab.errors import ResourceError

__all__ = ["check_bytes", "memory_budget"]


def memory_budget() -> float:
    """Bytes one request may allocate: half of the available memory (module docstring)."""
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
    """Raise :class:`ResourceError` if ``nbytes`` exceeds :func:`memory_budget`."""
    budget = memory_budget()
    if nbytes > budget:
        tail = f"; {hint}" if hint else ""
        raise ResourceError(
            f"{what} needs {nbytes / 2**30:.2f} GiB, over the budget of "
            f"{budget / 2**30:.2f} GiB (half the available memory){tail}"
        )
