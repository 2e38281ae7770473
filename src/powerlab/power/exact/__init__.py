"""Exact POWER and optimality probabilities for small deterministic MDPs.

Under iid uniform [0, 1] state rewards, :func:`exact_power` and
:func:`exact_optimality_probability` return :class:`fractions.Fraction` values of Turner et
al.'s (2021) POWER (Def 5.2) and optimality probability (Defs 4.3-4.4) at rational γ and in the
limits γ → 0 and γ → 1. :func:`visit_functions` and :func:`nondominated` give F(s) and F_nd(s)
(Defs 3.3, 3.6) as exact functions of γ. See docs/exact.md and the module docstrings of
:mod:`.visits`, :mod:`.hull`, :mod:`.power`, :mod:`.regions`, :mod:`.facets` and
:mod:`.polytope` for the method. :func:`chebyshev_centre` is the one Chebyshev-centre linear
program of the package (Boyd & Vandenberghe 2004, Sec. 8.5.1).
"""

from powerlab.power.exact.chebyshev import chebyshev_centre
from powerlab.power.exact.polytope import Budget, integrate_polytope
from powerlab.power.exact.power import (
    as_fraction,
    exact_optimality_probability,
    exact_power,
    power_at,
)
from powerlab.power.exact.regions import cube_regions
from powerlab.power.exact.visits import (
    DEFAULT_MAX_LASSOS,
    VisitFunction,
    check_deterministic,
    nondominated,
    visit_functions,
)

__all__ = [
    "DEFAULT_MAX_LASSOS",
    "Budget",
    "VisitFunction",
    "as_fraction",
    "chebyshev_centre",
    "check_deterministic",
    "cube_regions",
    "exact_optimality_probability",
    "exact_power",
    "integrate_polytope",
    "nondominated",
    "power_at",
    "visit_functions",
]
