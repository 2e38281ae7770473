r"""Permutations of parameter coordinates and their action on parameter vectors.

Turner & Tadepalli, "Parametrically Retargetable Decision-Makers Tend To Seek Power"
(NeurIPS 2022, arXiv 2206.13477; "RDSP"), Sec. 3, let the symmetric group :math:`S_d`
act on parameter vectors :math:`\theta \in \mathbb R^d` through permutation matrices,
:math:`\phi \cdot \theta := P_\phi \theta` with :math:`P_\phi e_i = e_{\phi(i)}`.

Convention used throughout :mod:`powerlab.retarget`. A permutation :math:`\phi` is an
integer array ``perm: [d]`` with ``perm[i] = φ(i)``: *the entry at coordinate i moves to
coordinate φ(i)*, that is

.. math:: (\phi \cdot \theta)_{\phi(i)} = \theta_i, \qquad
          (\phi \cdot \theta)_j = \theta_{\phi^{-1}(j)}.

Composition is that of functions, :math:`(\phi \circ \psi)(i) = \phi(\psi(i))`, so
:math:`(\phi \circ \psi) \cdot \theta = \phi \cdot (\psi \cdot \theta)` (a left action).
For an involution (e.g. a transposition, RDSP's "copy-swapping" permutations) the two
possible conventions coincide.

>>> import numpy as np
>>> apply_permutation(np.array([1, 2, 0]), np.array([10.0, 20.0, 30.0])).tolist()
[30.0, 10.0, 20.0]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab.errors import InputError

__all__ = [
    "all_permutations",
    "apply_permutation",
    "as_permutations",
    "compose",
    "identity",
    "inverse",
    "random_permutations",
    "swap_blocks",
    "transposition",
]


def as_permutations(perms: object, d: int | None = None, *, name: str = "perm") -> np.ndarray:
    """Validate and return ``perms`` as an int64 array ``[d]`` or ``[N, d]`` of permutations.

    Each row must hold each of ``0..d-1`` exactly once (see the module docstring for the
    convention ``perm[i] = φ(i)``). Raises :class:`InputError` naming ``name`` otherwise.
    """
    arr = np.asarray(perms)
    if arr.ndim not in (1, 2) or arr.shape[-1] == 0:
        raise InputError(f"{name}: expected a permutation [d] or a stack [N, d], got {arr.shape}")
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise InputError(f"{name}: permutation entries must be integers")
    arr = arr.astype(np.int64, copy=False)
    if d is not None and arr.shape[-1] != d:
        raise InputError(f"{name}: permutation of length {arr.shape[-1]}, expected d={d}")
    rows = arr.reshape(-1, arr.shape[-1])
    target = np.arange(arr.shape[-1])
    if not np.array_equal(np.sort(rows, axis=1), np.broadcast_to(target, rows.shape)):
        raise InputError(f"{name}: not a permutation of 0..{arr.shape[-1] - 1}")
    return arr


def identity(d: int) -> np.ndarray:
    """The identity permutation of ``d`` coordinates, ``[d]``."""
    return np.arange(d, dtype=np.int64)


def inverse(perms: np.ndarray) -> np.ndarray:
    """:math:`\\phi^{-1}` for ``perms: [..., d]`` (row-wise)."""
    perms = np.asarray(perms)
    return np.argsort(perms, axis=-1).astype(np.int64)


def compose(phi: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """:math:`\\phi \\circ \\psi` (apply ψ first), ``[..., d]`` broadcast over leading axes."""
    phi = np.asarray(phi)
    psi = np.asarray(psi)
    phi_b, psi_b = np.broadcast_arrays(phi, psi)
    return np.take_along_axis(phi_b, psi_b, axis=-1)


def apply_permutation(perms: np.ndarray, theta: np.ndarray) -> np.ndarray:
    r"""Apply :math:`\phi`: :math:`(\phi\cdot\theta)_j = \theta_{\phi^{-1}(j)}` (RDSP Sec. 3).

    Args:
        perms: ``[d]`` or ``[N, d]`` permutations (``perm[i] = φ(i)``); not re-validated here
            (use :func:`as_permutations` at a public boundary).
        theta: ``[d]`` or ``[..., d]`` parameter vectors.

    Returns:
        ``perms [d]``, ``theta [..., d]`` -> ``[..., d]``; ``perms [N, d]``, ``theta [d]`` ->
        ``[N, d]``; ``perms [N, d]``, ``theta [N, d]`` -> row-wise ``[N, d]``.
    """
    perms = np.asarray(perms)
    theta = np.asarray(theta)
    inv = inverse(perms)
    if perms.ndim == 1:
        return theta[..., inv]
    if theta.ndim == 1:
        return theta[inv]
    return np.take_along_axis(theta, inv, axis=-1)


def transposition(d: int, i: int, j: int) -> np.ndarray:
    """The permutation of ``d`` coordinates swapping ``i`` and ``j`` (identity if ``i == j``)."""
    for k in (i, j):
        if not 0 <= k < d:
            raise InputError(f"transposition: coordinate {k} outside 0..{d - 1}")
    perm = identity(d)
    perm[i], perm[j] = j, i
    return perm


def swap_blocks(d: int, block_a: Sequence[int], block_b: Sequence[int]) -> np.ndarray:
    """The involution swapping coordinates ``block_a[k] <-> block_b[k]`` for every k.

    This is the shape of RDSP's retargeting permutations built from "copies": when ``B``
    contains ``n`` copies of ``A``, the involution exchanging ``A``'s coordinates with those of
    the k-th copy (see :mod:`powerlab.retarget.search`). The blocks must have equal length and
    be disjoint; coordinates outside both blocks are fixed.
    """
    a = [int(x) for x in block_a]
    b = [int(x) for x in block_b]
    if len(a) != len(b):
        raise InputError(f"swap_blocks: blocks of different lengths {len(a)} and {len(b)}")
    if len(set(a) | set(b)) != 2 * len(a):
        raise InputError("swap_blocks: blocks must be disjoint and without repeats")
    for k in a + b:
        if not 0 <= k < d:
            raise InputError(f"swap_blocks: coordinate {k} outside 0..{d - 1}")
    perm = identity(d)
    perm[a] = b
    perm[b] = a
    return perm


def all_permutations(d: int, *, max_size: int | None = None) -> np.ndarray:
    """All :math:`d!` permutations of ``d`` coordinates, ``[d!, d]``, in lexicographic order.

    Raises :class:`InputError` when ``d!`` exceeds ``max_size`` (``None``: no limit).
    """
    if d < 1:
        raise InputError(f"all_permutations: d must be >= 1, got {d}")
    size = math.factorial(d)
    if max_size is not None and size > max_size:
        raise InputError(
            f"orbit too large to enumerate: {d}! = {size} permutations exceeds max_size="
            f"{max_size}; sample permutations instead"
        )
    return np.fromiter(
        itertools.chain.from_iterable(itertools.permutations(range(d))),
        dtype=np.int64,
        count=size * d,
    ).reshape(size, d)


def random_permutations(d: int, n: int, rng: Seed = None) -> np.ndarray:
    """``n`` independent uniformly random permutations of ``d`` coordinates, ``[n, d]``.

    ``rng`` is a seed or a ``numpy.random.Generator``; same seed, same permutations.
    """
    if n < 0 or d < 1:
        raise InputError(f"random_permutations: need n >= 0 and d >= 1, got n={n}, d={d}")
    gen = as_generator(rng)
    base = np.broadcast_to(np.arange(d, dtype=np.int64), (n, d))
    return gen.permuted(base, axis=1)
