r"""Compiled policy iteration for stochastic MDPs with banded exact policy evaluation (numba).

Notation follows :mod:`powerlab.mdp.solvers`. The transition matrix is given in state-action
pair form as the CSR arrays ``indptr, indices, data`` of ``P_sa: [S*A, S]`` (row ``s*A + a``).
States are renumbered by ``order`` (a bandwidth-reducing permutation, see
:func:`powerlab.mdp._stochastic.band_order`) so that every policy's matrix

.. math:: M_\pi = I - \gamma P_\pi, \qquad P_\pi(s, \cdot) = T(s, \pi(s), \cdot),

has its nonzeros within ``b`` of the diagonal; it is stored row-wise in band form,
``AB[i, b + j - i] = M[i, j]`` (``[S, 2b+1]``).

Factorization. :math:`M_\pi` is a nonsingular M-matrix, strictly diagonally dominant by rows
(:math:`M_{ii} - \sum_{j \ne i} |M_{ij}| = 1 - \gamma \sum_j P_{ij} \ge 1 - \gamma > 0`), so
Gaussian elimination needs no pivoting, keeps every Schur complement an M-matrix, and has
growth factor at most 2 (Higham 2002, Thm 9.9); fill stays inside the band, so one
factorization costs :math:`O(S b^2)` and one solve :math:`O(S b)`. Each pivot is computed as
in Grassmann, Taksar & Heyman (1985): with :math:`\sigma_i = \sum_{j \ge k} M^{(k)}_{ij}` the
row sum of the active Schur complement (updated as :math:`\sigma_i \leftarrow \sigma_i -
\ell_{ik}\sigma_k`, a sum of nonnegative terms since :math:`\ell_{ik} \le 0`), the pivot is
:math:`M^{(k)}_{kk} = \sigma_k - \sum_{j>k} M^{(k)}_{kj}`, again a sum of nonnegative terms.
No subtraction cancels, so pivots keep full relative accuracy as γ → 1, where
:math:`1 - \gamma P_{kk}` would lose :math:`\log_{10} 1/(1-\gamma)` digits.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["band_policy_iteration"]


@njit(cache=True)
def _q(indptr, indices, data, R, k, s, a, A, ra, gamma, V):  # type: ignore[no-untyped-def]
    """``r(s, a) + γ Σ_t T(s, a, t) V(t)`` for sample ``k``."""
    row = s * A + a
    acc = 0.0
    for p in range(indptr[row], indptr[row + 1]):
        acc += data[p] * V[indices[p]]
    return R[k, s, a * ra] + gamma * acc


@njit(cache=True)
def _factor_solve(AB, sigma, x, b):  # type: ignore[no-untyped-def]
    """Solve ``M x = rhs`` in place (``x`` holds rhs) by GTH-pivoted banded elimination."""
    S = AB.shape[0]
    for k in range(S):
        hi = min(k + b, S - 1)
        off = 0.0
        for j in range(k + 1, hi + 1):
            off += AB[k, b + j - k]
        piv = sigma[k] - off
        AB[k, b] = piv
        for i in range(k + 1, hi + 1):
            m = AB[i, b + k - i]
            if m == 0.0:
                continue
            lik = m / piv
            for j in range(k + 1, hi + 1):
                AB[i, b + j - i] -= lik * AB[k, b + j - k]
            sigma[i] -= lik * sigma[k]
            x[i] -= lik * x[k]
    for k in range(S - 1, -1, -1):
        acc = x[k]
        for j in range(k + 1, min(k + b, S - 1) + 1):
            acc -= AB[k, b + j - k] * x[j]
        x[k] = acc / AB[k, b]


@njit(cache=True)
def _evaluate(indptr, indices, data, R, k, ra, gamma, pol, pos, b, AB, sigma, x, V):  # type: ignore[no-untyped-def]
    """Exact value ``V = M_π^{-1} r_π`` of policy ``pol: [S]`` for sample ``k`` (module doc)."""
    S = V.shape[0]
    A = (indptr.shape[0] - 1) // S
    AB[:] = 0.0
    for s in range(S):
        i = pos[s]
        a = pol[s]
        row = s * A + a
        mass = 0.0
        for p in range(indptr[row], indptr[row + 1]):
            AB[i, b + pos[indices[p]] - i] -= gamma * data[p]
            mass += data[p]
        AB[i, b] += 1.0
        sigma[i] = (1.0 - gamma) + gamma * max(0.0, 1.0 - mass)
        x[i] = R[k, s, a * ra]
    _factor_solve(AB, sigma, x, b)
    for s in range(S):
        V[s] = x[pos[s]]


@njit(cache=True)
def _gauss_seidel(indptr, indices, data, avail, R, k, ra, gamma, switch_tol, n_sweeps, V, pol):  # type: ignore[no-untyped-def]
    r"""Up to ``n_sweeps`` Gauss-Seidel sweeps, alternately forward and backward, of
    ``V(s) <- Q(s, π(s))`` after switching ``π(s)`` to an action that gains more than
    ``switch_tol`` on the values updated so far; stops once a sweep switches nothing.

    Started from :math:`V = V^\pi` (so :math:`V \le \mathcal T V`), every update keeps
    :math:`V \le \mathcal T_{\pi'} V` for the updated policy π', hence
    :math:`V^\pi \le V \le V^{\pi'}`: the policy improves at least as much as in Howard's
    step (Puterman 1994, Prop 6.4.1) and improvements spread further within a sweep.
    """
    S, A = avail.shape
    for sweep in range(n_sweeps):
        changed = 0
        for j in range(S):
            s = j if sweep % 2 == 0 else S - 1 - j
            ba = pol[s]
            best = -np.inf if ba < 0 else _q(indptr, indices, data, R, k, s, ba, A, ra, gamma, V)
            for a in range(A):
                if not avail[s, a] or a == pol[s]:
                    continue
                q = _q(indptr, indices, data, R, k, s, a, A, ra, gamma, V)
                if q > best + switch_tol:
                    best = q
                    ba = a
            if ba != pol[s]:
                pol[s] = ba
                changed += 1
            V[s] = best
        if changed == 0:
            break


@njit(cache=True)
def _pi_one(
    indptr,
    indices,
    data,
    avail,
    R,
    k,
    ra,
    gamma,
    switch_tol,
    max_iter,
    n_warm,
    warm_start,
    pos,
    b,
    V,
    pol,
    AB,
    sigma,
    x,
):  # type: ignore[no-untyped-def]
    """Policy iteration for sample ``k``; see :func:`band_policy_iteration`.

    Returns (evaluations, Bellman residual of the returned ``V``).
    """
    S, A = avail.shape
    if not warm_start:
        for s in range(S):
            best = -np.inf
            for a in range(A):
                if avail[s, a] and R[k, s, a * ra] > best:
                    best = R[k, s, a * ra]
            V[s] = best
    # Initial policy: greedy in Gauss-Seidel sweeps of value iteration.
    for s in range(S):
        pol[s] = -1
    _gauss_seidel(indptr, indices, data, avail, R, k, ra, gamma, 0.0, n_warm, V, pol)
    it = 0
    worst = 0.0
    while it < max_iter:
        it += 1
        _evaluate(indptr, indices, data, R, k, ra, gamma, pol, pos, b, AB, sigma, x, V)
        # Howard's improvement against the evaluated V (not updated in the sweep), so `worst`
        # is the Bellman residual max_s |max_a Q(s, a) - V(s)| of this V.
        changed = 0
        worst = 0.0
        for s in range(S):
            cur = _q(indptr, indices, data, R, k, s, pol[s], A, ra, gamma, V)
            best = cur
            ba = pol[s]
            top = cur
            for a in range(A):
                if not avail[s, a] or a == pol[s]:
                    continue
                q = _q(indptr, indices, data, R, k, s, a, A, ra, gamma, V)
                if q > top:
                    top = q
                if q > best + switch_tol:
                    best = q
                    ba = a
            d = abs(top - V[s])
            if d > worst:
                worst = d
            if ba != pol[s]:
                pol[s] = ba
                changed += 1
        if changed == 0:
            break
        _gauss_seidel(indptr, indices, data, avail, R, k, ra, gamma, switch_tol, n_warm, V, pol)
    return it, worst


@njit(cache=True, parallel=True)
def band_policy_iteration(
    indptr,
    indices,
    data,
    avail,
    R,
    gamma,
    switch_tol,
    max_iter,
    n_warm,
    warm_start,
    pos,
    b,
    V_out,
    pol_out,
    iters_out,
    resid_out,
):  # type: ignore[no-untyped-def]
    """Howard's policy iteration per reward sample with exact banded evaluation (module doc).

    ``R: [K, S, A']`` holds rewards r(s, a) (``A' = A``) or state rewards (``A' = 1``);
    ``avail: [S, A]`` the available slots; ``pos: [S]`` each state's row in the band order;
    ``b`` the bandwidth of every ``M_π`` in that order. Each sample starts from a greedy
    policy after at most ``n_warm`` Gauss-Seidel sweeps of value iteration, from ``V_out[k]``
    when ``warm_start`` and from ``max_a r(s, a)`` otherwise; then alternately evaluates the
    policy exactly and switches every state to an action whose value exceeds the current
    one by more than ``switch_tol``. Each step improves the policy (Puterman 1994,
    Prop 6.4.1); the switch threshold makes it terminate, and at termination the policy is
    greedy for its own value up to ``switch_tol`` (Thm 6.4.2). Writes ``V_out: [K, S]``,
    ``pol_out: [K, S]``, the number of evaluations ``iters_out: [K]`` and the Bellman
    residual ``resid_out: [K]`` of ``V_out``. Samples run in parallel blocks; each block
    holds one ``[S, 2b+1]`` band.
    """
    K = R.shape[0]
    S = avail.shape[0]
    ra = 1 if R.shape[2] > 1 else 0
    n_blocks = min(K, 64)
    for blk in prange(n_blocks):
        AB = np.empty((S, 2 * b + 1))
        sigma = np.empty(S)
        x = np.empty(S)
        for k in range(blk * K // n_blocks, (blk + 1) * K // n_blocks):
            iters_out[k], resid_out[k] = _pi_one(
                indptr,
                indices,
                data,
                avail,
                R,
                k,
                ra,
                gamma,
                switch_tol,
                max_iter,
                n_warm,
                warm_start,
                pos,
                b,
                V_out[k],
                pol_out[k],
                AB,
                sigma,
                x,
            )
