"""Randomness enters as an explicit seed or generator; this is the one place that turns it into one.

``Seed`` is what every public function with randomness accepts: an ``int`` seed, a
``numpy.random.Generator`` (used as is, so a caller can thread one generator through
several calls), or ``None`` (fresh OS entropy, not reproducible). The same seed gives
the same numbers.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np

from powerlab.errors import InputError

__all__ = ["Seed", "as_generator"]

Seed: TypeAlias = int | np.random.Generator | None


def as_generator(rng: Seed) -> np.random.Generator:
    """``numpy.random.default_rng(rng)`` unless ``rng`` already is a ``Generator``.

    Raises :class:`~powerlab.errors.InputError` for a negative seed and ``TypeError`` for
    anything else (a float, a legacy ``RandomState``), naming it.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        if rng < 0:
            raise InputError(f"seed (--seed) must be a non-negative integer, got {int(rng)}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be an int seed, a numpy Generator or None, got {type(rng).__name__}")
