r"""Compiled policy iteration for stochastic MDPs with exact sparse policy evaluation (numba).

Notation follows :mod:`powerlab.mdp.solvers`. The transition matrix is given in state-action
pair form as the CSR arrays ``indptr, indices, data`` of ``P_sa: [S*A, S]`` (row ``s*A + a``).
States are renumbered by ``pos`` (a fill-reducing elimination order, see
:func:`powerlab.mdp._stochastic.elimination_pattern`), and every policy's matrix

.. math:: M_\pi = I - \gamma P_\pi, \qquad P_\pi(s, \cdot) = T(s, \pi(s), \cdot),

is factored on one static pattern: the symbolic fill of the union over actions of the
transition graph, symmetrised, which contains the fill of every :math:`M_\pi`. ``up[k]``
(CSR arrays ``up_ptr, up_idx``) lists the columns j > k of row k of U, which by symmetry are
also the rows i > k of column k of L; ``low[i]`` (``low_ptr, low_idx``) lists the k < i with
i in ``up[k]``.

Factorization. :math:`M_\pi` is a nonsingular M-matrix, strictly diagonally dominant by rows
(:math:`M_{ii} - \sum_{j \ne i} |M_{ij}| = 1 - \gamma \sum_j P_{ij} \ge 1 - \gamma > 0`), so
Gaussian elimination needs no pivoting, keeps every Schur complement an M-matrix, and has
growth factor at most 2 (Higham 2002, Thm 9.9). Rows are eliminated in order ("up-looking"),
each against the finished rows in ``low[i]``, with the forward substitution fused; the cost is
:math:`\sum_k |\mathrm{up}[k]|^2` multiply-adds per factorization (``flops`` of the pattern),
and :math:`O(\mathrm{nnz}(U))` per solve. Each pivot is computed as in Grassmann, Taksar &
Heyman (1985): with :math:`\sigma_i` the row sum of the active part of row i (updated as
:math:`\sigma_i \leftarrow \sigma_i - \ell_{ik}\sigma_k`, a sum of nonnegative terms since
:math:`\ell_{ik} \le 0`), the pivot is :math:`u_{ii} = \sigma_i - \sum_{j>i} u_{ij}`, again a
sum of nonnegative terms. No subtraction cancels, so pivots keep full relative accuracy as
γ → 1, where forming :math:`1 - \gamma P_{ii}` would lose :math:`\log_{10} 1/(1-\gamma)` digits.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["sparse_policy_iteration"]


@njit(cache=True)
def _q(indptr, indices, data, R, k, s, a, A, ra, gamma, V):  # type: ignore[no-untyped-def]
    """``r(s, a) + γ Σ_t T(s, a, t) V(t)`` for sample ``k``."""
    row = s * A + a
    acc = 0.0
    for p in range(indptr[row], indptr[row + 1]):
        acc += data[p] * V[indices[p]]
    return R[k, s, a * ra] + gamma * acc


@njit(cache=True)
def _evaluate(indptr, indices, data, R, k, ra, gamma, pol, order, pos, pat, work, V):  # type: ignore[no-untyped-def]
    """Exact value ``V = M_π^{-1} r_π`` of policy ``pol: [S]`` for sample ``k`` (module doc).

    ``order[i]`` is the state eliminated i-th and ``pos`` its inverse; ``pat`` is
    ``(up_ptr, up_idx, low_ptr, low_idx)`` and ``work`` is ``(U, diag, sigma, w, x)``: U's
    off-diagonal values aligned with ``up_idx``, its diagonal, the GTH row sums, a dense
    scatter vector ``[S]`` (zero between rows) and the right-hand side, overwritten.
    """
    up_ptr, up_idx, low_ptr, low_idx = pat
    U, diag, sigma, w, x = work
    S = V.shape[0]
    A = (indptr.shape[0] - 1) // S
    for i in range(S):
        s = order[i]
        a = pol[s]
        row = s * A + a
        mass = 0.0
        for p in range(indptr[row], indptr[row + 1]):
            w[pos[indices[p]]] -= gamma * data[p]
            mass += data[p]
        w[i] += 1.0
        sigma[i] = (1.0 - gamma) + gamma * max(0.0, 1.0 - mass)
        x[i] = R[k, s, a * ra]
        for p in range(low_ptr[i], low_ptr[i + 1]):
            kk = low_idx[p]
            lik = w[kk] / diag[kk]
            w[kk] = 0.0
            if lik == 0.0:
                continue
            for q in range(up_ptr[kk], up_ptr[kk + 1]):
                w[up_idx[q]] -= lik * U[q]
            sigma[i] -= lik * sigma[kk]
            x[i] -= lik * x[kk]
        off = 0.0
        for q in range(up_ptr[i], up_ptr[i + 1]):
            j = up_idx[q]
            U[q] = w[j]
            off += w[j]
            w[j] = 0.0
        w[i] = 0.0
        diag[i] = sigma[i] - off
    for i in range(S - 1, -1, -1):
        acc = x[i]
        for q in range(up_ptr[i], up_ptr[i + 1]):
            acc -= U[q] * x[up_idx[q]]
        x[i] = acc / diag[i]
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
    order,
    pos,
    pat,
    work,
    V,
    pol,
):  # type: ignore[no-untyped-def]
    """Policy iteration for sample ``k``; see :func:`sparse_policy_iteration`.

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
        _evaluate(indptr, indices, data, R, k, ra, gamma, pol, order, pos, pat, work, V)
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
def sparse_policy_iteration(
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
    order,
    pos,
    up_ptr,
    up_idx,
    low_ptr,
    low_idx,
    V_out,
    pol_out,
    iters_out,
    resid_out,
):  # type: ignore[no-untyped-def]
    """Howard's policy iteration per reward sample with exact sparse evaluation (module doc).

    ``R: [K, S, A']`` holds rewards r(s, a) (``A' = A``) or state rewards (``A' = 1``);
    ``avail: [S, A]`` the available slots; ``order``, ``pos`` and the pattern as in the module
    docstring. Each sample starts from a greedy policy after at most ``n_warm`` Gauss-Seidel
    sweeps of value iteration, from ``V_out[k]`` when ``warm_start`` and from
    ``max_a r(s, a)`` otherwise; then alternately evaluates the policy exactly, switches every
    state to an action whose value exceeds the current one by more than ``switch_tol``
    (Howard's step) and runs up to ``n_warm`` Gauss-Seidel improvement sweeps. Each step
    improves the policy (Puterman 1994, Prop 6.4.1); the switch threshold makes it terminate,
    and at termination the policy is greedy for its own value up to ``switch_tol`` (Thm 6.4.2).
    Writes ``V_out: [K, S]``, ``pol_out: [K, S]``, the number of evaluations ``iters_out: [K]``
    and the Bellman residual ``resid_out: [K]`` of ``V_out``. Samples run in parallel blocks,
    each with its own ``O(S + nnz(U))`` work space.
    """
    K = R.shape[0]
    S = avail.shape[0]
    ra = 1 if R.shape[2] > 1 else 0
    n_blocks = min(K, 64)
    pat = (up_ptr, up_idx, low_ptr, low_idx)
    for blk in prange(n_blocks):
        work = (np.empty(up_idx.shape[0]), np.empty(S), np.empty(S), np.zeros(S), np.empty(S))
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
                order,
                pos,
                pat,
                work,
                V_out[k],
                pol_out[k],
            )
