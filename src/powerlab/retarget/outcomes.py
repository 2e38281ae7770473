r"""Comparisons f(A|θ) vs f(B|θ) on a finite set of outcome lotteries (RDSP Sec. 3).

The decision-maker faces lotteries ``C: [M, d]`` (rows; unit vectors for deterministic
outcomes, as in RDSP's Pac-Man example where each outcome is one way the game can go) and
values them at :math:`v = C\theta` for the parameter (utility) vector θ ``[d]``. A and B are
disjoint, non-empty subsets of C, given as row indices or boolean masks ``[M]``. The
comparison returned by :func:`lottery_comparison` maps parameter vectors ``[N, d]`` to
``(f(A|θ), f(B|θ))`` with the chosen :mod:`powerlab.retarget.rules` rule, ready for
:func:`powerlab.retarget.majority.orbit_counts` and
:func:`powerlab.retarget.retargetability.verify_retargetable`.

>>> import numpy as np
>>> from powerlab.retarget.majority import orbit_counts
>>> cmp = labelled_outcomes(["death", "candy", "hug"], A=["death"], B=["candy", "hug"])
>>> c = orbit_counts(np.array([0.0, 1.0, 2.0]), cmp)
>>> (c.orbit_size, c.b_over_a, c.a_over_b, c.largest_n)
(6, 4, 2, 2)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from powerlab.errors import InputError
from powerlab.retarget.majority import Comparison
from powerlab.retarget.rules import DecisionRule, parse_rule

__all__ = ["as_mask", "labelled_outcomes", "lottery_comparison"]


def as_mask(members: object, M: int, *, name: str) -> np.ndarray:
    """Turn row indices or a boolean mask into a ``[M]`` boolean mask (non-empty)."""
    arr = np.asarray(members)
    if arr.dtype == np.bool_:
        if arr.shape != (M,):
            raise InputError(f"{name}: boolean mask of shape {arr.shape}, expected ({M},)")
        mask = arr.copy()
    else:
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise InputError(f"{name}: expected row indices or a boolean mask")
        if np.any((arr < 0) | (arr >= M)):
            raise InputError(f"{name}: row index outside 0..{M - 1}")
        mask = np.zeros(M, dtype=bool)
        mask[arr.astype(np.int64)] = True
    if not mask.any():
        raise InputError(f"{name}: the set is empty")
    return mask


def lottery_comparison(
    C: object, A: object, B: object, rule: str | DecisionRule = "optimal"
) -> Comparison:
    """Build ``compare(points [N, d]) -> (f(A|θ) [N], f(B|θ) [N])`` for lotteries ``C: [M, d]``.

    ``f(X|θ) = rule.evaluate(θ C^T, X)`` (see :mod:`powerlab.retarget.rules`). A and B must be
    disjoint; lotteries in neither still belong to C (they compete for the choice).
    """
    Cm = np.asarray(C, dtype=np.float64)
    if Cm.ndim != 2 or Cm.shape[0] == 0 or Cm.shape[1] == 0:
        raise InputError(f"C: expected lotteries [M, d], got shape {Cm.shape}")
    if not np.all(np.isfinite(Cm)):
        raise InputError("C: lotteries must be finite")
    M, d = Cm.shape
    mask_a = as_mask(A, M, name="A")
    mask_b = as_mask(B, M, name="B")
    if np.any(mask_a & mask_b):
        both = np.flatnonzero(mask_a & mask_b).tolist()
        raise InputError(f"A and B overlap at lotteries {both}; they must be disjoint")
    f = parse_rule(rule)

    def compare(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pts = np.asarray(points, dtype=np.float64)
        if pts.ndim != 2 or pts.shape[1] != d:
            raise InputError(f"parameter vectors must be [N, {d}], got {pts.shape}")
        v = pts @ Cm.T
        return f.evaluate(v, mask_a), f.evaluate(v, mask_b)

    return compare


def labelled_outcomes(
    labels: Sequence[str],
    A: Sequence[str],
    B: Sequence[str],
    rule: str | DecisionRule = "optimal",
) -> Comparison:
    """Deterministic outcomes named by ``labels`` (C = identity, d = M); A, B sets of labels.

    Raises :class:`InputError` for duplicate or unknown labels and for a label in both sets.
    """
    labels = [str(x) for x in labels]
    index: dict[str, int] = {}
    for i, lab in enumerate(labels):
        if lab in index:
            raise InputError(f"duplicate outcome label {lab!r}")
        index[lab] = i
    for name, group in (("A", A), ("B", B)):
        for lab in group:
            if lab not in index:
                raise InputError(f"{name}: unknown outcome label {lab!r}; labels are {labels}")
    both = sorted(set(A) & set(B))
    if both:
        raise InputError(f"label {both[0]!r} is in both A and B")
    C = np.eye(len(labels))
    return lottery_comparison(C, [index[x] for x in A], [index[x] for x in B], rule)
