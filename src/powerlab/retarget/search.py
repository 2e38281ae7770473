r"""Candidate retargeting permutations: transpositions and RDSP's "copies" involutions.

RDSP (Turner & Tadepalli 2022, Sec. 3, after the "similar subsets" of Turner et al. 2021,
"Optimal Policies Tend to Seek Power") retargets
from A to B with involutions that carry A onto *copies of A inside B*: for lotteries
``C: [M, d]`` and subsets A, B, an involution :math:`\phi` with :math:`\phi\cdot a \in B` for
every :math:`a \in A` (the action on lotteries is the same coordinate action as on θ, since
:math:`(\phi\cdot c)^\top(\phi\cdot\theta) = c^\top\theta`). When B holds n such copies on
disjoint coordinates, the n involutions are the candidates RDSP's proofs use; for
deterministic outcomes with A = {e_a} they are the transpositions (a b), b ∈ B.

:func:`copy_involutions` enumerates the involutions that swap some coordinates of the support
of A with as many coordinates outside it (fixing everything else, e.g. a start state that
every visit distribution shares) and map A into B.
:func:`powerlab.retarget.retargetability.search_retargeting` then keeps those that satisfy
Def. 4 on an orbit and picks a largest compatible family.

>>> import numpy as np
>>> copy_involutions(np.eye(3), [0], [1, 2]).tolist()
[[1, 0, 2], [2, 1, 0]]
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from powerlab.errors import InputError
from powerlab.retarget.outcomes import as_mask
from powerlab.retarget.permutations import apply_permutation, swap_blocks

__all__ = ["copy_involutions", "transpositions"]


def transpositions(d: int) -> np.ndarray:
    """All :math:`\\binom d2` transpositions of d coordinates, ``[d(d-1)/2, d]`` (``[0, d]``
    when d = 1), in lexicographic order of the swapped pair."""
    pairs = list(itertools.combinations(range(d), 2))
    out = np.tile(np.arange(d, dtype=np.int64), (len(pairs), 1))
    for r, (i, j) in enumerate(pairs):
        out[r, i], out[r, j] = j, i
    return out


def copy_involutions(
    C: object, A: object, B: object, *, tol: float = 1e-12, max_candidates: int = 100_000
) -> np.ndarray:
    """Involutions φ swapping part of supp(A) with outside coordinates such that φ·A ⊆ B.

    Args:
        C: ``[M, d]`` lotteries (rows).
        A, B: row indices or ``[M]`` boolean masks.
        tol: lotteries are equal when they agree within ``tol`` entrywise.
        max_candidates: refuse (:class:`InputError`) when more coordinate assignments than
            this would have to be tried.

    Returns:
        ``[n, d]`` permutations (possibly ``n = 0``), each an involution.
    """
    Cm = np.asarray(C, dtype=np.float64)
    if Cm.ndim != 2 or Cm.size == 0:
        raise InputError(f"C: expected lotteries [M, d], got shape {Cm.shape}")
    M, d = Cm.shape
    mask_a = as_mask(A, M, name="A")
    mask_b = as_mask(B, M, name="B")
    a_rows = Cm[mask_a]
    b_rows = Cm[mask_b]
    support = np.flatnonzero(np.any(np.abs(a_rows) > tol, axis=0)).tolist()
    others = [c for c in range(d) if c not in set(support)]
    k = len(support)
    count = sum(math.comb(k, r) * math.perm(len(others), r) for r in range(1, k + 1))
    if count > max_candidates:
        raise InputError(
            f"copy_involutions: {count} coordinate assignments exceed max_candidates="
            f"{max_candidates}"
        )
    found: list[np.ndarray] = []
    for r in range(1, min(k, len(others)) + 1):
        for moved in itertools.combinations(support, r):
            for target in itertools.permutations(others, r):
                phi = swap_blocks(d, list(moved), list(target))
                image = apply_permutation(phi, a_rows)
                close = np.all(np.abs(image[:, None, :] - b_rows[None, :, :]) <= tol, axis=2)
                if np.all(close.any(axis=1)):
                    found.append(phi)
    return np.array(found, dtype=np.int64).reshape(len(found), d)
