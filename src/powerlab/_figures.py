"""Shared figure plumbing: the non-interactive backend and atomic saving. No mathematics.

Every module that draws calls :func:`pyplot` instead of importing ``matplotlib.pyplot``
at import time, so importing powerlab never selects a backend, and every figure file is
written through :func:`save_figure` (atomic, one resolution for the whole product).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from powerlab._io import atomic_write

__all__ = ["DPI", "pyplot", "save_figure"]

DPI = 110


def pyplot() -> ModuleType:
    """``matplotlib.pyplot`` with the Agg backend unless a backend was already chosen.

    A notebook's inline backend (or ``$MPLBACKEND``) is respected; a script or the CLI
    without a display gets Agg.
    """
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | os.PathLike[str]) -> Path:
    """Save a matplotlib figure atomically to ``path`` and close it; return the path.

    The format comes from the suffix (PNG when there is none), at :data:`DPI` dots per inch
    with a tight bounding box.
    """
    p = Path(path)
    fmt = p.suffix.lstrip(".").lower() or "png"
    out = atomic_write(p, lambda tmp: fig.savefig(tmp, dpi=DPI, bbox_inches="tight", format=fmt))
    pyplot().close(fig)
    return out
