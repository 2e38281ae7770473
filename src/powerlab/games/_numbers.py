"""Numbers in games: exact rationals (``fractions.Fraction`` in object arrays) or float64.

A game is *exact* when every number in it is rational (ints, ``Fraction``, fraction
strings such as ``"2/3"`` or decimal literals such as ``"0.25"`` read from a file); its
arrays then have ``dtype=object`` and hold ``Fraction`` entries, and every quantity
computed from it (interim utility, POWER, slack) is exact. Otherwise arrays are float64.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Rational
from typing import Any

import numpy as np

from powerlab._load import exact_number
from powerlab.errors import InputError

__all__ = [
    "MAX_EXPONENT",
    "MAX_INT_BITS",
    "MAX_NUMBER_CHARS",
    "as_exact_array",
    "as_float_array",
    "is_exact",
    "is_rational_array",
    "parse_number",
]

MAX_NUMBER_CHARS = 100
MAX_EXPONENT = 100
MAX_INT_BITS = 340  # about 10**102


def _bounded_fraction(text: str, where: str) -> Fraction:
    """:func:`powerlab._load.exact_number` with the game limits: at most
    :data:`MAX_NUMBER_CHARS` characters and ``|exponent| <=`` :data:`MAX_EXPONENT`."""
    return exact_number(text, where, max_chars=MAX_NUMBER_CHARS, max_exponent=MAX_EXPONENT)


def parse_number(value: Any, where: str) -> Fraction | float:
    """Read one number: ints, ``Fraction`` and strings like ``"2/3"`` or ``"0.25"`` stay exact.

    Floats are converted exactly through their shortest decimal repr (``0.1`` -> ``1/10``),
    because a decimal literal written in a game file means that decimal. Booleans, NaN and
    infinities are refused with an :class:`InputError` naming ``where``, and so are numbers
    too large to compute with: integers over :data:`MAX_INT_BITS` bits, strings over
    :data:`MAX_NUMBER_CHARS` characters, decimal exponents over :data:`MAX_EXPONENT`.
    """
    kind = type(value)
    if kind is Fraction or kind is int:  # fast path for the common cases
        frac = value if kind is Fraction else Fraction(value)
        if max(abs(frac.numerator).bit_length(), frac.denominator.bit_length()) > MAX_INT_BITS:
            raise InputError(f"{where}: number too large (more than {MAX_INT_BITS} bits)")
        return frac
    if isinstance(value, bool):
        raise InputError(f"{where}: expected a number, got {value!r}")
    if isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, Rational):
        frac = Fraction(value)
        if max(abs(frac.numerator).bit_length(), frac.denominator.bit_length()) > MAX_INT_BITS:
            raise InputError(f"{where}: number too large (more than {MAX_INT_BITS} bits)")
        return frac
    if isinstance(value, float | np.floating):
        if not math.isfinite(float(value)):
            raise InputError(f"{where}: non-finite number {value!r}")
        return _bounded_fraction(repr(float(value)), where)
    if isinstance(value, str):
        return _bounded_fraction(value.strip(), where)
    raise InputError(f"{where}: expected a number, got {type(value).__name__} {value!r}")


def is_rational_array(arr: Any) -> bool:
    """True when ``arr`` holds only ints, ``Fraction`` or fraction strings (``"2/3"``)."""
    a = np.asarray(arr, dtype=object) if not isinstance(arr, np.ndarray) else arr
    if a.dtype.kind in "iub":
        return True
    if a.dtype.kind == "f":
        return False
    return all(_rational_like(x) for x in a.flat)


def _rational_like(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    if isinstance(x, Rational):
        return True
    if isinstance(x, str):
        try:
            _bounded_fraction(x.strip(), "")
        except InputError:
            return False
        return True
    return False


def as_exact_array(arr: Any, where: str) -> np.ndarray:
    """Return an object array of ``Fraction`` with the shape of ``arr``."""
    a = np.asarray(arr, dtype=object)
    out = np.empty(a.shape, dtype=object)
    for idx, x in np.ndenumerate(a):
        out[idx] = parse_number(x, where)
    return out


def as_float_array(arr: Any, where: str) -> np.ndarray:
    """Return a float64 array, refusing non-finite entries."""
    try:
        a = np.asarray(arr, dtype=float)
    except (TypeError, ValueError):
        a = np.asarray(as_exact_array(arr, where), dtype=float)
    if not np.all(np.isfinite(a)):
        raise InputError(f"{where}: non-finite entries")
    return a


def is_exact(arr: np.ndarray) -> bool:
    """True for an object array of ``Fraction`` (the exact representation)."""
    return arr.dtype == object
