r"""Batched exact policy evaluation: sparse LU on a static pattern with supernodes (numba).

Solves :math:`(I - \gamma P_\pi) V = r_\pi` for B policies at once (B reward samples, each with
its own policy), all on the static pattern of :func:`powerlab.mdp._pattern.elimination_pattern`
(notation of :mod:`powerlab.mdp._lu`: ``up[k]`` the columns j > k of row k of U, ``low[i]`` the
k < i with i in ``up[k]``).

Algorithm. Rows are eliminated in order ("up-looking"): row i of the matrix is scattered into
a dense work row w, reduced against every finished row k in ``low[i]`` (ascending), with
:math:`\ell_{ik} = w_k / u_{kk}` and :math:`w_j \mathrel{-}= \ell_{ik} u_{kj}` for j in
``up[k]``, and the forward substitution and the GTH row sums (below) updated alongside; L is
never stored. Cost: :math:`\sum_k |\mathrm{up}[k]|^2` multiply-adds (``flops``) per sample,
:math:`O(\mathrm{nnz}(U))` for the back substitution.

Supernodes. A run J = k0..k1 of rows with ``up[k] = [k + 1] + up[k + 1]`` (``sn_last``;
fundamental supernodes, Liu, Ng & Peyton 1993) is nested: for every k in J, ``up[k]`` is
k + 1, ..., k1 followed by C = ``up[k1]``. If k0 is in ``low[i]``, so is every row of J
before i, and the rows k0..ke of J before i (ke = min(k1, i - 1)) share the columns
``up[ke]`` after them. Row i is then reduced against k0..ke together: first the multipliers
:math:`\ell_{ik}` one after the other, each row's update of the later multipliers' entries
applied as in the row-by-row method (a small triangular solve), then every :math:`w_j`, j in
``up[ke]``, takes its updates :math:`w_j \mathrel{-}= \sum_{k} \ell_{ik} u_{kj}` in one pass,
accumulated in a register in the order k0, ..., ke: the same operations in the same order as
row by row, with the index reads and the loads and stores of w paid once per run instead of
once per row. Other rows of ``low[i]`` are handled one at a time.

Accuracy. :math:`I - \gamma P_\pi` is a row diagonally dominant M-matrix, so no pivoting is
needed and the growth factor is at most 2 (Higham 2002, Thm 9.9). Every pivot is computed from
row sums as in Grassmann, Taksar & Heyman (1985): with :math:`\sigma_i` the row sum of the
active part of row i (:math:`\sigma_i \mathrel{-}= \ell_{ik}\sigma_k`, nonnegative terms since
:math:`\ell_{ik} \le 0`), :math:`u_{ii} = \sigma_i - \sum_{j>i} u_{ij}`, again a sum of
nonnegative terms; likewise every update :math:`-\ell_{ik} u_{kj}` of an off-diagonal entry has
the sign of the entry. No subtraction cancels, so the pivots keep full relative accuracy as
γ → 1. Multiply-adds are fused (one rounding each, :mod:`powerlab.mdp._simd`), and each pivot's
reciprocal is formed once and multiplied, as LAPACK's ``dgetf2`` does (a multiplier then has
two roundings instead of one); both keep these sign properties.

Batching. The B samples sit side by side in chunks of ``LANES`` (``U: [B/LANES, nnz(U),
LANES]``, ``w: [B/LANES, S, LANES]``) and every operation runs on vectors of one chunk, so
index arithmetic is paid once per ``LANES`` samples and accumulators stay in registers; in a
supernode update four columns are accumulated at once, so four independent multiply-add
chains hide the latency. Each slot's arithmetic is exactly that of its sample alone.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from powerlab.mdp._simd import LANES, vadd, vdiv, vfnma, vload, vmul, vsplat, vstore, vsub

__all__ = ["evaluate", "row_terms"]


@njit(cache=True)
def row_terms(indptr, indices, data, pos, gamma):  # type: ignore[no-untyped-def]
    r"""The parts of row s of :math:`M = I - \gamma P_\pi` that depend only on the action
    a = π(s), per pair row ``r = s*A + a`` of ``P_sa`` (CSR ``indptr, indices, data``): the
    successors in elimination order ``tpos[p] = pos[indices[p]]``, the entries
    ``gdata[p] = γ data[p]`` and the GTH row sum ``sigma0[r] = (1 - γ) + γ max(0, 1 - Σ_p
    data[p])`` (a terminal row's missing mass counts as leaving the chain)."""
    tpos = np.empty(indices.shape[0], dtype=np.int64)
    gdata = np.empty(data.shape[0])
    sigma0 = np.empty(indptr.shape[0] - 1)
    for r in range(indptr.shape[0] - 1):
        mass = 0.0
        for p in range(indptr[r], indptr[r + 1]):
            tpos[p] = pos[indices[p]]
            gdata[p] = gamma * data[p]
            mass += data[p]
        sigma0[r] = (1.0 - gamma) + gamma * max(0.0, 1.0 - mass)
    return tpos, gdata, sigma0


@njit(cache=True)
def _chunk(P, Rt, b0, pols, order, pos, pat, work, Vs):  # type: ignore[no-untyped-def]
    """:func:`evaluate` for the 4 slots ``b0 .. b0 + 3``; ``work`` holds this chunk's arrays."""
    indptr, tpos, gdata, sigma0 = P
    up_ptr, up_idx, low_ptr, low_idx, sn_last = pat
    U, dinv, sigma, w, x, Lj, base = work
    S = Vs.shape[0]
    A = (indptr.shape[0] - 1) // S
    ar = Rt.shape[0] // S
    zero = vsplat(0.0)
    for i in range(S):
        s = order[i]
        for b in range(LANES):
            a = pols[s, b0 + b]
            row = s * A + a
            for p in range(indptr[row], indptr[row + 1]):
                w[tpos[p], b] -= gdata[p]
            w[i, b] += 1.0
            sigma[i, b] = sigma0[row]
            x[i, b] = Rt[s * ar + (a if ar > 1 else 0), b0 + b]
        p = low_ptr[i]
        while p < low_ptr[i + 1]:
            k0 = low_idx[p]
            k1 = min(sn_last[k0], i - 1)
            if k0 < k1:  # rows k0..k1 of one supernode: U[k0 + t, up[k1][m]] is U[base[t] + m]
                nJ = k1 - k0 + 1
                for t in range(nJ):
                    base[t] = up_ptr[k0 + t] + nJ - 1 - t
                sg = vload(sigma, i, 0)
                xi = vload(x, i, 0)
                for u in range(nJ):  # l(i, k0 + u); U[k0 + u, k0 + t] is U[base[u] - nJ + t]
                    k = k0 + u
                    lk = vmul(vload(w, k, 0), vload(dinv, k, 0))
                    vstore(w, k, 0, zero)
                    vstore(Lj, u, 0, lk)
                    sg = vfnma(sg, lk, vload(sigma, k, 0))
                    xi = vfnma(xi, lk, vload(x, k, 0))
                    q = base[u] - nJ
                    for t in range(u + 1, nJ):
                        vstore(w, k0 + t, 0, vfnma(vload(w, k0 + t, 0), lk, vload(U, q + t, 0)))
                vstore(sigma, i, 0, sg)
                vstore(x, i, 0, xi)
                c0 = up_ptr[k1]
                nC = up_ptr[k1 + 1] - c0
                m = 0
                while m + 4 <= nC:  # four columns at a time: four independent accumulators
                    j0 = up_idx[c0 + m]
                    j1 = up_idx[c0 + m + 1]
                    j2 = up_idx[c0 + m + 2]
                    j3 = up_idx[c0 + m + 3]
                    a0 = vload(w, j0, 0)
                    a1 = vload(w, j1, 0)
                    a2 = vload(w, j2, 0)
                    a3 = vload(w, j3, 0)
                    for u in range(nJ):
                        lk = vload(Lj, u, 0)
                        q = base[u] + m
                        a0 = vfnma(a0, lk, vload(U, q, 0))
                        a1 = vfnma(a1, lk, vload(U, q + 1, 0))
                        a2 = vfnma(a2, lk, vload(U, q + 2, 0))
                        a3 = vfnma(a3, lk, vload(U, q + 3, 0))
                    vstore(w, j0, 0, a0)
                    vstore(w, j1, 0, a1)
                    vstore(w, j2, 0, a2)
                    vstore(w, j3, 0, a3)
                    m += 4
                while m < nC:
                    j = up_idx[c0 + m]
                    acc = vload(w, j, 0)
                    for u in range(nJ):
                        acc = vfnma(acc, vload(Lj, u, 0), vload(U, base[u] + m, 0))
                    vstore(w, j, 0, acc)
                    m += 1
                p += nJ
            else:  # the single row k0
                lk = vmul(vload(w, k0, 0), vload(dinv, k0, 0))
                vstore(w, k0, 0, zero)
                vstore(sigma, i, 0, vfnma(vload(sigma, i, 0), lk, vload(sigma, k0, 0)))
                vstore(x, i, 0, vfnma(vload(x, i, 0), lk, vload(x, k0, 0)))
                for q in range(up_ptr[k0], up_ptr[k0 + 1]):
                    j = up_idx[q]
                    vstore(w, j, 0, vfnma(vload(w, j, 0), lk, vload(U, q, 0)))
                p += 1
        off = zero
        for q in range(up_ptr[i], up_ptr[i + 1]):
            j = up_idx[q]
            v = vload(w, j, 0)
            vstore(U, q, 0, v)
            off = vadd(off, v)
            vstore(w, j, 0, zero)
        vstore(w, i, 0, zero)
        vstore(dinv, i, 0, vdiv(vsplat(1.0), vsub(vload(sigma, i, 0), off)))
    for i in range(S - 1, -1, -1):
        xi = vload(x, i, 0)
        for q in range(up_ptr[i], up_ptr[i + 1]):
            xi = vfnma(xi, vload(U, q, 0), vload(x, up_idx[q], 0))
        vstore(x, i, 0, vmul(xi, vload(dinv, i, 0)))
    for s in range(S):
        for b in range(LANES):
            Vs[s, b0 + b] = x[pos[s], b]


@njit(cache=True)
def evaluate(P, Rt, nb, pols, order, pos, pat, work, Vs):  # type: ignore[no-untyped-def]
    r"""Exact values ``Vs[:, b] = M_b^{-1} r_b``, :math:`M_b = I - \gamma P_{\pi_b}`, of the
    policies ``pols[:, b]`` for ``b < nb`` (module doc).

    ``P = (indptr, tpos, gdata, sigma0)``: the row pointers of ``P_sa`` (row ``s*A + a``) and
    :func:`row_terms` (which holds γ); ``Rt: [S A', B]`` each slot's rewards r(s, a) at row
    ``s A + a`` (``A' = A``) or R(s) at row s (``A' = 1``); ``nb``
    a multiple of ``LANES``, every slot below it holding a valid policy and sample;
    ``order[i]`` the state eliminated i-th and ``pos`` its inverse; ``pat = (up_ptr, up_idx,
    low_ptr, low_idx, sn_last)``; ``work = (U, dinv, sigma, w, x, Lj, base)``, each array but
    ``base`` with a leading chunk axis (chunk c holds slots ``LANES c`` to ``LANES (c + 1) - 1``
    as its last axis): U's off-diagonal values ``[B/LANES, nnz(U), LANES]`` aligned with
    ``up_idx``, the reciprocal pivots, the GTH row sums, the work row ``w`` (zero between rows)
    and the right-hand sides (overwritten by the solutions), all ``[B/LANES, S, LANES]``, the
    supernode multipliers ``Lj: [B/LANES, J, LANES]`` and offsets ``base: [J]`` (J the largest
    supernode). ``Vs, pols: [S, B]``. The chunks run one after the other, so each one's arrays
    are contiguous and its working set is ``LANES/B`` of the batch's.
    """
    U, dinv, sigma, w, x, Lj, base = work
    for c in range(nb // LANES):
        chunk = (U[c], dinv[c], sigma[c], w[c], x[c], Lj[c], base)
        _chunk(P, Rt, LANES * c, pols, order, pos, pat, chunk, Vs)
