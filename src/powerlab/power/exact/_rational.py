"""The rational type used in the hot loops of exact integration.

``Q`` is ``gmpy2.mpq`` (GMP rationals, about ten times faster than ``fractions.Fraction`` for
the many small additions and products of Lasserre's recursion) when gmpy2 is installed, and
``fractions.Fraction`` otherwise; both are exact. :func:`to_fraction` converts results back, so
every public function still returns ``fractions.Fraction``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

__all__ = ["Q", "to_fraction"]

try:
    from gmpy2 import mpq as _mpq

    Q: Any = _mpq
except ImportError:  # pragma: no cover - gmpy2 is a declared dependency
    Q = Fraction


def to_fraction(x: Any) -> Fraction:
    """``x`` (an int, Fraction or gmpy2 rational) as a ``fractions.Fraction``."""
    if isinstance(x, Fraction):
        return x
    return Fraction(int(x.numerator), int(x.denominator))
