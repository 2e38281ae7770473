r"""The Chebyshev centre of a polyhedron in a box: the centre of its largest inscribed ball.

For :math:`P = \{x \in \mathbb R^n : a_k^\top x \le b_k \ (k < m),\ lo \le x \le hi\}`, the
ball :math:`\{x_c + u : \lVert u \rVert_2 \le r\}` lies in the halfspace
:math:`a_k^\top x \le b_k` iff :math:`a_k^\top x_c + r \lVert a_k \rVert_2 \le b_k`, so the
largest ball solves the linear program (Boyd & Vandenberghe 2004, *Convex Optimization*,
Sec. 8.5.1)

.. math:: \max_{x_c,\ r \ge 0}\ r \quad\text{s.t.}\quad
          \hat a_k^\top x_c + r \le \hat b_k, \qquad
          x_c + r\mathbf 1 \le hi, \qquad -x_c + r\mathbf 1 \le -lo,

with each row scaled to unit length (:math:`\hat a_k = a_k/\lVert a_k \rVert_2`,
:math:`\hat b_k = b_k/\lVert a_k \rVert_2`), which keeps the program well conditioned. r > 0
iff P has an interior point, and then :math:`x_c` is one, as far from the boundary as any.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from powerlab.errors import InputError

__all__ = ["chebyshev_centre"]


def chebyshev_centre(
    A: np.ndarray, b: np.ndarray, lo: np.ndarray | float = 0.0, hi: np.ndarray | float = 1.0
) -> tuple[np.ndarray, float] | None:
    r"""Centre and radius of the largest ball in :math:`\{x : A x \le b,\ lo \le x \le hi\}`.

    Solves the module docstring's linear program (Boyd & Vandenberghe 2004, Sec. 8.5.1) with
    scipy's HiGHS. ``A: [m, n]``, ``b: [m]``; ``lo`` and ``hi`` are the box's corners
    (``[n]`` or scalars, default the unit cube). Returns ``(centre [n], radius)``, the radius
    0 when the polyhedron has no interior; ``None`` when it is empty (the program is
    infeasible) or the solver fails.
    """
    A = np.asarray(A, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if A.ndim != 2 or b.shape != (A.shape[0],):
        raise InputError(f"chebyshev_centre: A must be [m, n] and b [m], got {A.shape}, {b.shape}")
    m, n = A.shape
    lo_n = np.broadcast_to(np.asarray(lo, dtype=np.float64), (n,))
    hi_n = np.broadcast_to(np.asarray(hi, dtype=np.float64), (n,))
    norm = np.maximum(np.linalg.norm(A, axis=1), 1e-300)  # a zero row stays 0 <= b
    rows = np.vstack(
        [
            np.hstack([A / norm[:, None], np.ones((m, 1))]),
            np.hstack([np.eye(n), np.ones((n, 1))]),
            np.hstack([-np.eye(n), np.ones((n, 1))]),
        ]
    )
    rhs = np.concatenate([b / norm, hi_n, 0.0 - lo_n])
    c = np.zeros(n + 1)
    c[-1] = -1.0
    res = linprog(c, A_ub=rows, b_ub=rhs, bounds=[(None, None)] * n + [(0, None)], method="highs")
    if res.status != 0:
        return None
    return np.asarray(res.x[:n]), float(res.x[-1])
