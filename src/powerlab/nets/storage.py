"""Bits needed to store a trained network, dense or as a subnetwork of a seeded random one.

Per weight tensor with n entries of which m are kept (the kept fraction of
:mod:`powerlab.nets.masks`), and L weight tensors in all:

* ``dense``: every weight as a float32: 32·n per tensor.
* ``edgepopup``: *standalone*, a 1-bit mask per weight and the m kept values as float32:
  n + 32·m; *with seed*, the random weights are regenerated from the 64-bit seed, so only the
  mask is stored: n per tensor, plus 64 once.
* ``biprop``: *standalone*, a 1-bit mask, one sign bit per kept weight and a float32 gain α:
  n + m + 32 per tensor (the 1-bit-per-weight binary network of Diffenderfer & Kailkhura 2021);
  *with seed*, the signs come from the seed: n + 32 per tensor, plus 64 once.

These are plain, uncompressed encodings; an entropy coder could store a mask in about
log2 C(n, m) bits, which is reported as ``mask_entropy_bits``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from powerlab.errors import InputError

__all__ = ["METHODS", "bits_to_store"]

METHODS = ("dense", "edgepopup", "biprop")
SEED_BITS = 64
FLOAT_BITS = 32


def bits_to_store(method: str, sizes: Sequence[int], kept: Sequence[int]) -> dict[str, int]:
    """Storage of a network with weight tensors of ``sizes`` n_l keeping ``kept`` m_l entries.

    Returns:
        ``{"nonzero": Σ m_l, "total": Σ n_l, "standalone": bits, "with_seed": bits,
        "mask_entropy_bits": ⌈Σ log2 C(n_l, m_l)⌉}`` per the module docstring.

    >>> bits_to_store("biprop", [100], [10])["standalone"]
    142
    """
    if method not in METHODS:
        raise InputError(f"method: {method!r} is not one of {', '.join(METHODS)}")
    if len(sizes) != len(kept):
        raise InputError(f"bits_to_store: {len(sizes)} tensor sizes but {len(kept)} kept counts")
    for n, m in zip(sizes, kept, strict=True):
        if not 0 <= m <= n:
            raise InputError(f"bits_to_store: kept count {m} is outside [0, {n}]")
    total, nonzero = sum(sizes), sum(kept)
    if method == "dense":
        standalone = with_seed = FLOAT_BITS * total
    elif method == "edgepopup":
        standalone = total + FLOAT_BITS * nonzero
        with_seed = total + SEED_BITS
    else:
        standalone = total + nonzero + FLOAT_BITS * len(sizes)
        with_seed = total + FLOAT_BITS * len(sizes) + SEED_BITS
    entropy = sum(
        math.lgamma(n + 1) - math.lgamma(m + 1) - math.lgamma(n - m + 1)
        for n, m in zip(sizes, kept, strict=True)
    ) / math.log(2)
    return {
        "nonzero": nonzero,
        "total": total,
        "standalone": standalone,
        "with_seed": with_seed,
        "mask_entropy_bits": 0 if method == "dense" else math.ceil(entropy - 1e-9),
    }
