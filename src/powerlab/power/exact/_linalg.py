"""Exact linear algebra over the rationals (Gaussian elimination with fractions.Fraction)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from powerlab.power.exact._rational import Q, to_fraction

__all__ = ["solve_exact"]


def solve_exact(
    rows: Sequence[Sequence[Fraction]], rhs: Sequence[Fraction]
) -> list[Fraction] | None:
    """A solution x of ``rows @ x = rhs`` (free variables set to 0), or ``None`` if inconsistent.

    ``rows: [m, n]``, ``rhs: [m]``; exact Gauss-Jordan elimination (in GMP rationals when available), so the returned x satisfies
    every equation exactly.
    """
    m = len(rows)
    n = len(rows[0]) if m else 0
    M = [[Q(v) for v in row] + [Q(b)] for row, b in zip(rows, rhs, strict=True)]
    pivots: list[int] = []
    r = 0
    for c in range(n):
        p = next((i for i in range(r, m) if M[i][c] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        inv = 1 / M[r][c]
        M[r] = [v * inv for v in M[r]]
        for i in range(m):
            if i != r and M[i][c] != 0:
                f = M[i][c]
                M[i] = [a - f * b for a, b in zip(M[i], M[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == m:
            break
    if any(M[i][n] != 0 for i in range(r, m)):
        return None
    x = [Fraction(0)] * n
    for i, c in enumerate(pivots):
        x[c] = to_fraction(M[i][n])
    return x
