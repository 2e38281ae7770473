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

Evaluation. Every :math:`M_\pi` is a row diagonally dominant M-matrix, factored without
pivoting with pivots from row sums (Grassmann, Taksar & Heyman 1985), in
:func:`powerlab.mdp._factor.evaluate` (supernodal, batched; its module doc states the cost
and the accuracy).

Batching. Because the pattern is the same for every policy and every reward sample, B samples
(``slots``, B a multiple of ``LANES``) go through each pass together, their values side by side
(``Vs, pols: [S, B]``, the rewards as ``Rt: [S A', B]``): the factorization works on vectors
of ``LANES`` of them (:mod:`powerlab.mdp._simd`), and the Howard and Gauss-Seidel passes visit
the states in one order for all slots, forming the look-ahead sums and choosing actions on the
same vectors. Slots past the active ones (up to the next multiple of ``LANES``) hold a valid
earlier policy and sample and are computed but never read. Each slot's arithmetic is exactly
that of its sample alone, including how many Gauss-Seidel sweeps it runs (until one switches
nothing in it), so a sample's result does not depend on which samples share its batch, nor on
the number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from powerlab.mdp._factor import evaluate, row_terms
from powerlab.mdp._simd import LANES, vadd, vfma, vload, vmul, vselect_gt, vsplat, vstore

__all__ = ["sparse_policy_iteration"]


@njit(cache=True)
def _action_values(indptr, indices, data, Rt, b0, nb, gamma, s, Vs, qa):  # type: ignore[no-untyped-def]
    """``qa[a, b] = r(s, a) + γ Σ_t T(s, a, t) Vs[t, b]`` for every action, in whole vectors
    covering the slots ``b0 <= b < nb`` (the sum with multiply-adds fused, then scaled by γ
    and added to the reward, each rounded); ``Rt: [S A', B]`` holds each slot's rewards
    r(s, a) at row ``s A' + a`` (``A' = A``) or R(s) at row s (``A' = 1``)."""
    A = qa.shape[0]
    ar = Rt.shape[0] // Vs.shape[0]  # A' (1 or A)
    g = vsplat(gamma)
    for a in range(A):
        row = s * A + a
        rrow = s * ar + (a if ar > 1 else 0)
        for c in range(b0 - b0 % LANES, nb, LANES):
            acc = vsplat(0.0)
            for p in range(indptr[row], indptr[row + 1]):
                acc = vfma(acc, vsplat(data[p]), vload(Vs, indices[p], c))
            vstore(qa, a, c, vadd(vload(Rt, rrow, c), vmul(g, acc)))


@njit(cache=True)
def _gauss_seidel(P, avail, Rt, b0, nb, gamma, switch_tol, n_sweeps, Vs, pols, qa, dec):  # type: ignore[no-untyped-def]
    r"""Up to ``n_sweeps`` Gauss-Seidel sweeps, alternately forward and backward, of
    ``V(s) <- Q(s, π(s))`` after switching ``π(s)`` to an action that gains more than
    ``switch_tol`` on the values updated so far (``π(s) = -1``: no action yet), for the
    samples in slots ``b0 <= b < nb`` of ``Vs, pols: [S, B]``. Each slot stops after its
    first sweep that switches nothing in it, so its arithmetic is that of its sample alone
    (whatever the other slots hold, hence whatever the number of threads); the loop ends when
    every slot has stopped. ``dec: [2, B]`` is scratch.

    Started from :math:`V = V^\pi` (so :math:`V \le \mathcal T V`), every update keeps
    :math:`V \le \mathcal T_{\pi'} V` for the updated policy π', hence
    :math:`V^\pi \le V \le V^{\pi'}`: the policy improves at least as much as in Howard's
    step (Puterman 1994, Prop 6.4.1) and improvements spread further within a sweep.
    The choice runs on whole vectors of slots without branches: over the available actions in
    order, an action replaces the best so far when it exceeds it by more than ``switch_tol``
    (the current action never does, as the best starts at its value).
    """
    indptr, indices, data = P
    S, A = avail.shape
    tol = vsplat(switch_tol)
    active = np.ones(nb, dtype=np.bool_)
    moved = np.zeros(nb, dtype=np.int64)
    for sweep in range(n_sweeps):
        for j in range(S):
            s = j if sweep % 2 == 0 else S - 1 - j
            _action_values(indptr, indices, data, Rt, b0, nb, gamma, s, Vs, qa)
            for c in range(b0 - b0 % LANES, nb, LANES):
                for b in range(c, c + LANES):
                    pa = pols[s, b]
                    dec[0, b] = -np.inf if pa < 0 else qa[pa, b]
                    dec[1, b] = pa
                best = vload(dec, 0, c)
                ba = vload(dec, 1, c)
                for a in range(A):
                    if avail[s, a]:
                        q = vload(qa, a, c)
                        gain = vadd(best, tol)
                        ba = vselect_gt(q, gain, vsplat(float(a)), ba)
                        best = vselect_gt(q, gain, q, best)
                vstore(dec, 0, c, best)
                vstore(dec, 1, c, ba)
            for b in range(b0, nb):
                if active[b]:
                    Vs[s, b] = dec[0, b]
                    nba = int(dec[1, b])
                    if nba != pols[s, b]:
                        pols[s, b] = nba
                        moved[b] += 1
        running = False
        for b in range(b0, nb):
            active[b] = active[b] and moved[b] > 0
            moved[b] = 0
            running = running or active[b]
        if not running:
            break


@njit(cache=True)
def _howard(P, avail, Rt, nb, gamma, switch_tol, Vs, pols, qa, dec, changed, worst):  # type: ignore[no-untyped-def]
    """Howard's improvement of each slot's policy against its evaluated values (not updated
    here): ``changed[b]`` states switched and ``worst[b]``, the Bellman residual
    ``max_s |max_a Q(s, a) - V(s)|`` of ``Vs[:, b]``; the choice as in :func:`_gauss_seidel`."""
    indptr, indices, data = P
    S, A = avail.shape
    tol = vsplat(switch_tol)
    for b in range(nb):
        changed[b] = 0
        worst[b] = 0.0
    for s in range(S):
        _action_values(indptr, indices, data, Rt, 0, nb, gamma, s, Vs, qa)
        for c in range(0, nb, LANES):
            for b in range(c, c + LANES):
                pa = pols[s, b]
                dec[0, b] = qa[pa, b]
                dec[1, b] = pa
            best = top = vload(dec, 0, c)
            ba = vload(dec, 1, c)
            for a in range(A):
                if avail[s, a]:
                    q = vload(qa, a, c)
                    top = vselect_gt(q, top, q, top)
                    gain = vadd(best, tol)
                    ba = vselect_gt(q, gain, vsplat(float(a)), ba)
                    best = vselect_gt(q, gain, q, best)
            vstore(dec, 0, c, top)
            vstore(dec, 1, c, ba)
        for b in range(nb):
            worst[b] = max(worst[b], abs(dec[0, b] - Vs[s, b]))
            nba = int(dec[1, b])
            if nba != pols[s, b]:
                pols[s, b] = nba
                changed[b] += 1


@njit(cache=True)
def _block(
    lo,
    hi,
    nslots,
    P,
    PE,
    avail,
    R,
    ra,
    gamma,
    switch_tol,
    max_iter,
    n_warm,
    warm_start,
    order,
    pos,
    pat,
    out,
):  # type: ignore[no-untyped-def]
    """Policy iteration for samples ``lo <= k < hi`` in ``nslots`` slots handled together
    (:func:`._factor.evaluate`, :func:`_howard`, :func:`_gauss_seidel` loop over the slots innermost);
    a slot whose sample has converged takes the next sample, and when none is left the
    active slots are kept first, so no work is spent on finished samples."""
    V_out, pol_out, iters_out, resid_out = out
    S, A = avail.shape
    B = nslots
    nc = B // LANES
    J = 1
    for k in range(S):
        J = max(J, pat[4][k] - k + 1)
    work = (
        np.empty((nc, pat[1].shape[0], LANES)),
        np.empty((nc, S, LANES)),
        np.empty((nc, S, LANES)),
        np.zeros((nc, S, LANES)),
        np.empty((nc, S, LANES)),
        np.empty((nc, J, LANES)),
        np.empty(J, dtype=np.int64),
    )
    Vs = np.zeros((S, B))
    pols = np.zeros((S, B), dtype=np.int64)  # every slot holds a valid policy and sample
    qa = np.empty((A, B))
    dec = np.zeros((2, B))
    ar = R.shape[2]
    Rt = np.zeros((S * ar, B))  # each slot's rewards, row s A' + a (see _action_values)
    ks = np.full(B, lo, dtype=np.int64)
    its = np.zeros(B, dtype=np.int64)
    changed = np.zeros(B, dtype=np.int64)
    worst = np.zeros(B)
    nb = 0
    nxt = lo
    while True:
        b0 = nb
        while nb < B and nxt < hi:  # a new sample: V from V_out (warm start) or max_a r(s, a)
            for s in range(S):
                best = V_out[nxt, s]
                if not warm_start:
                    best = -np.inf
                    for a in range(A):
                        if avail[s, a]:
                            best = max(best, R[nxt, s, a * ra])
                Vs[s, nb] = best
                pols[s, nb] = -1
                for a in range(ar):
                    Rt[s * ar + a, nb] = R[nxt, s, a]
            ks[nb] = nxt
            its[nb] = 0
            nb += 1
            nxt += 1
        if nb == 0:
            return
        # First policy: greedy in Gauss-Seidel sweeps of value iteration.
        _gauss_seidel(P, avail, Rt, b0, nb, gamma, 0.0, n_warm, Vs, pols, qa, dec)
        evaluate(PE, Rt, -(-nb // LANES) * LANES, pols, order, pos, pat, work, Vs)
        _howard(P, avail, Rt, nb, gamma, switch_tol, Vs, pols, qa, dec, changed, worst)
        b = 0
        while b < nb:
            its[b] += 1
            if changed[b] == 0 or its[b] >= max_iter:
                k = ks[b]
                V_out[k] = Vs[:, b]
                pol_out[k] = pols[:, b]
                iters_out[k] = its[b]
                resid_out[k] = worst[b]
                nb -= 1
                if b < nb:  # the last active slot moves here and is handled next
                    Vs[:, b] = Vs[:, nb]
                    pols[:, b] = pols[:, nb]
                    Rt[:, b] = Rt[:, nb]
                    ks[b] = ks[nb]
                    its[b] = its[nb]
                    changed[b] = changed[nb]
                    worst[b] = worst[nb]
                continue
            b += 1
        _gauss_seidel(P, avail, Rt, 0, nb, gamma, switch_tol, n_warm, Vs, pols, qa, dec)


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
    sn_last,
    n_blocks,
    nslots,
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
    and the Bellman residual ``resid_out: [K]`` of ``V_out``. The samples are cut into
    ``n_blocks`` contiguous blocks run in parallel; within a block, ``nslots`` samples are
    evaluated together (:func:`_block`), with ``O(nslots (S + nnz(U)))`` work space.
    """
    K = R.shape[0]
    ra = 1 if R.shape[2] > 1 else 0
    pat = (up_ptr, up_idx, low_ptr, low_idx, sn_last)
    P = (indptr, indices, data)
    tpos, gdata, sigma0 = row_terms(indptr, indices, data, pos, gamma)
    PE = (indptr, tpos, gdata, sigma0)
    out = (V_out, pol_out, iters_out, resid_out)
    for blk in prange(n_blocks):
        lo = blk * K // n_blocks
        hi = (blk + 1) * K // n_blocks
        _block(
            lo,
            hi,
            nslots,
            P,
            PE,
            avail,
            R,
            ra,
            gamma,
            switch_tol,
            max_iter,
            n_warm,
            warm_start,
            order,
            pos,
            pat,
            out,
        )
