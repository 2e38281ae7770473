"""Optional dependencies: which extra brings which module, and the one-line message when it is missing.

The core install (``pip install powerlab``) computes POWER, optimality probability, exact
mode, goals and shutdown, retargetability, forecasts, imitation and low stakes. Heavier
parts are extras:

============  ==========================================  ===========================
extra         modules                                     used by
============  ==========================================  ===========================
``games``     pygambit                                    ``powerlab.games``
``agents``    torch, stable_baselines3, gymnasium         ``powerlab.agents``
``nets``      torch, scikit-learn                         ``powerlab.nets``
``sweep``     dask, distributed, pyarrow                  ``powerlab.sweep`` on Dask, Parquet
``gym``       gymnasium                                   ``gym:ID`` environments
``all``       every extra above
============  ==========================================  ===========================
"""

from __future__ import annotations

import importlib
from types import ModuleType

from powerlab.errors import InputError

__all__ = ["EXTRAS", "MissingExtraError", "missing_extra", "require"]

#: top-level module name -> the extra that installs it (``a|b``: either extra brings it)
EXTRAS: dict[str, str] = {
    "pygambit": "games",
    "torch": "nets|agents",
    "stable_baselines3": "agents",
    "gymnasium": "gym",
    "sklearn": "nets",
    "dask": "sweep",
    "distributed": "sweep",
    "pyarrow": "sweep",
}


class MissingExtraError(InputError):
    """An optional dependency is not installed; the message names the extra that brings it."""


def _message(module: str, extra: str) -> str:
    how = " or ".join(f"pip install 'powerlab[{e}]'" for e in extra.split("|"))
    return f"this needs the optional dependency {module!r}, which is not installed; install it with: {how}"


def require(module: str, extra: str | None = None) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = (exc.name or module).split(".")[0]
        if top != module.split(".")[0]:
            raise  # the module exists but one of its own imports is broken: a real bug
        raise MissingExtraError(_message(module, extra or EXTRAS.get(top, "all"))) from None


def missing_extra(exc: BaseException) -> MissingExtraError | None:
    """The :class:`MissingExtraError` for ``exc`` when it is a missing optional dependency.

    Returns ``None`` for any other exception (including a missing module that is not one of
    :data:`EXTRAS`), so that callers re-raise it unchanged.
    """
    if isinstance(exc, MissingExtraError):
        return exc
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.split(".")[0]
        if top in EXTRAS:
            return MissingExtraError(_message(top, EXTRAS[top]))
    return None
