r"""Integration over a polytope's face lattice: the backend, chosen once.

A region :math:`P = \{y \in [0,1]^n : a_k^\top y + b_k \ge 0\}` is integrated exactly in two
steps: find its exact vertices and which vertices lie on which hyperplane (a
:class:`~.geometry.Geometry`, P's face lattice), then run Lasserre's (1983) recursion over
that lattice (:mod:`.lattice` states it). A backend does both:

* ``compiled`` (the default): vertices by exact double description in GMP integers
  (:func:`.compiled.enumerated_geometry`), the recursion compiled in GMP rationals
  (:func:`.compiled.integrate`);
* ``python`` (the fallback): Qhull's vertices, re-solved and checked in rationals
  (:func:`.qhull.qhull_geometry`), the recursion in Python (:func:`.lattice.integrate_lattice`).

Both give the same exact numbers (the tests compare them); the compiled one is several times
faster. It needs the optional C++ extension ``_faces`` (``setup.py``, GMP); this module is the
one place that asks whether it was built, and :data:`BACKEND` is the answer every caller uses.
:data:`NATIVE` says which is in use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from powerlab.power.exact.geometry import Backend, Geometry
from powerlab.power.exact.lattice import integrate_lattice
from powerlab.power.exact.polytope import Budget, Constraint
from powerlab.power.exact.qhull import qhull_geometry

__all__ = ["BACKEND", "NATIVE", "PYTHON", "Backend"]


def _certified(
    constraints: list[Constraint],
    n: int,
    centre: np.ndarray,
    budget: Budget,
    known: dict[bytes, Any],
) -> Geometry | None:
    """:func:`.qhull.qhull_geometry` as a backend's ``geometry`` (one Qhull call cannot be
    interrupted, so the budget is checked by the caller, between regions)."""
    return qhull_geometry(constraints, n, centre, known)


PYTHON = Backend("python", _certified, dict, integrate_lattice)

try:
    from powerlab.power.exact.compiled import COMPILED as _COMPILED
except ImportError:  # the extension is optional: setup.py builds it where GMP is available
    _COMPILED = None

BACKEND: Backend = PYTHON if _COMPILED is None else _COMPILED
NATIVE = BACKEND is not PYTHON  # the compiled backend is in use
