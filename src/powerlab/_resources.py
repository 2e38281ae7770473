"""Where the bundled files are: the ``examples/`` folder. No mathematics."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["examples_dir"]


def examples_dir() -> Path:
    """The bundled ``examples/`` folder (``$POWERLAB_EXAMPLES`` overrides it).

    Found by walking up from this file to the directory that holds both ``examples/``
    and ``pyproject.toml`` (a source checkout or an editable install); otherwise
    ``./examples``.
    """
    env = os.environ.get("POWERLAB_EXAMPLES")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "examples").is_dir() and (parent / "pyproject.toml").is_file():
            return parent / "examples"
    return Path.cwd() / "examples"
