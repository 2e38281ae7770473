"""Compiled kernels for deterministic MDPs (numba): exact policy evaluation and policy iteration.

Notation follows :mod:`powerlab.mdp.solvers`. ``succ: [S, A]`` holds the successor of each
state-action pair, ``-1`` when the episode ends (a terminal state's ``end`` action) and
``-2`` for an unavailable slot. A deterministic stationary policy on a deterministic MDP
maps each state to one successor, so the states form a functional graph: every path ends
in a cycle or in the episode's end. The discounted value of the policy,

    V(s) = R(s) + gamma * V(next(s)),        V(end) = 0,

is therefore computed exactly in O(S): a cycle c_0 -> c_1 -> ... -> c_{L-1} -> c_0 has
``V(c_0) = sum_i gamma^i R(c_i) / (1 - gamma^L)``, and every other state follows from its
successor's value by one step of the recursion.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["det_gain", "det_policy_iteration", "det_policy_iteration_serial"]


@njit(cache=True)
def _evaluate(nxt, r, gamma, V, state, stack, pos):  # type: ignore[no-untyped-def]
    """Exact value of the functional graph ``nxt: [S]`` under rewards ``r: [S]`` into ``V``."""
    S = nxt.shape[0]
    state[:] = 0
    log_g = math.log1p(gamma - 1.0) if gamma > 0.0 else -np.inf
    for s0 in range(S):
        if state[s0] != 0:
            continue
        top = 0
        s = s0
        vnext = 0.0
        while True:
            if s < 0:
                vnext = 0.0
                break
            st = state[s]
            if st == 2:
                vnext = V[s]
                break
            if st == 1:
                p = pos[s]
                L = top - p
                acc = 0.0
                g = 1.0
                for i in range(p, top):
                    acc += g * r[stack[i]]
                    g *= gamma
                one_minus = -math.expm1(L * log_g) if gamma > 0.0 else 1.0
                V[s] = acc / one_minus
                state[s] = 2
                vn = V[s]
                for i in range(top - 1, p, -1):
                    u = stack[i]
                    V[u] = r[u] + gamma * vn
                    vn = V[u]
                    state[u] = 2
                top = p
                vnext = V[s]
                break
            state[s] = 1
            pos[s] = top
            stack[top] = s
            top += 1
            s = nxt[s]
        for i in range(top - 1, -1, -1):
            u = stack[i]
            V[u] = r[u] + gamma * vnext
            vnext = V[u]
            state[u] = 2


@njit(cache=True)
def _branch_free(succ):  # type: ignore[no-untyped-def]
    """Successor table for the kernels: the episode's end reads a zero value at index S, and an
    unavailable slot repeats slot 0 (a duplicate can never be a strict improvement)."""
    S, A = succ.shape
    nx = np.empty((S, A), np.int32)
    for s in range(S):
        for a in range(A):
            t = succ[s, a]
            nx[s, a] = S if t == -1 else (nx[s, 0] if t == -2 else t)
    return nx


@njit(cache=True)
def _scratch(S):  # type: ignore[no-untyped-def]
    """Work arrays for :func:`_pi_one`: values ``[S+1]`` and the walk's ``[S]`` buffers."""
    return (
        np.zeros(S + 1),
        np.empty(S, np.int8),
        np.empty(S, np.int32),
        np.empty(S, np.int32),
        np.empty(S, np.int32),
    )


@njit(cache=True)
def _pi_one(nx, r, gamma, switch_tol, max_iter, V_row, pol, V, state, stack, pos, nxt):  # type: ignore[no-untyped-def]
    """Policy iteration for one reward vector ``r: [S]``; see :func:`det_policy_iteration`.

    Writes ``V_row: [S]`` and ``pol: [S]``; returns (iterations, Bellman residual). ``V: [S+1]``,
    ``state``, ``stack``, ``pos`` and ``nxt`` (``[S]``) are scratch space, reused across samples.
    """
    S, A = nx.shape
    # Initial policy: greedy in Gauss-Seidel sweeps of value iteration (alternating forward
    # and backward) started from the value of staying put forever, R / (1 - gamma); stop
    # once a sweep changes no action, or after six sweeps.
    for s in range(S):
        V[s] = r[s] / (1.0 - gamma)
        pol[s] = -1
    V[S] = 0.0
    for sweep in range(6):
        changed = 0
        for j in range(S):
            s = j if sweep % 2 == 0 else S - 1 - j
            best = V[nx[s, 0]]
            ba = 0
            for a in range(1, A):
                q = V[nx[s, a]]
                if q > best:
                    best = q
                    ba = a
            if ba != pol[s]:
                pol[s] = ba
                changed += 1
            V[s] = r[s] + gamma * best
        if changed == 0:
            break
    it = 0
    while it < max_iter:
        it += 1
        for s in range(S):
            t = nx[s, pol[s]]
            nxt[s] = -1 if t == S else t
        _evaluate(nxt, r, gamma, V, state, stack, pos)
        V[S] = 0.0
        changed = 0
        worst = 0.0
        for j in range(S):
            s = j if it % 2 == 1 else S - 1 - j
            ba = pol[s]
            best = V[nx[s, ba]]
            top = best
            for a in range(A):
                q = V[nx[s, a]]
                if q > top:
                    top = q
                if q > best + switch_tol:
                    best = q
                    ba = a
            # Bellman residual of the evaluated V at s. When no action changes in this sweep,
            # the writes below alter V only by round-off, so this is the residual of V_row.
            d = abs(r[s] + gamma * top - V[s])
            if d > worst:
                worst = d
            if ba != pol[s]:
                pol[s] = ba
                changed += 1
            V[s] = r[s] + gamma * best
        if changed == 0:
            break
    for s in range(S):
        V_row[s] = V[s]
    return it, worst


@njit(cache=True, parallel=True)
def det_policy_iteration(
    succ, R, gamma, switch_tol, max_iter, V_out, pol_out, iters_out, resid_out
):  # type: ignore[no-untyped-def]
    """Policy iteration per reward sample, with exact O(S) evaluation and Gauss-Seidel improvement.

    Each step evaluates the current policy exactly (:func:`_evaluate`), then sweeps the
    states (alternating forward and backward) replacing ``pi(s)`` by a greedy action with
    respect to the values updated so far in the sweep, ``V(s) <- R(s) + gamma V(succ(s, pi(s)))``.
    Starting from ``V = V^pi <= T V``, these updates keep ``V <= T_{pi'} V``, hence
    ``V^pi <= V <= V^{pi'}``: every step improves the policy, as Howard's does (Puterman 1994,
    Prop 6.4.1), and propagates improvements further within a sweep. An action is switched only
    when it gains more than ``switch_tol``, so the iteration terminates; at termination the
    policy is greedy for its own value, i.e. optimal (Puterman Thm 6.4.2).

    Starts from a greedy policy (see the code's comment). Loops over samples in
    parallel; writes ``V_out: [K, S]``, ``pol_out: [K, S]``, ``iters_out: [K]`` and the Bellman
    residual ``resid_out: [K]``, ``max_s |R(s) + gamma max_a V(succ(s,a)) - V(s)|`` of ``V_out``.
    """
    nx = _branch_free(succ)
    K, S = R.shape
    n_blocks = min(K, 256)
    for b in prange(n_blocks):
        V, state, stack, pos, nxt = _scratch(S)
        for k in range(b * K // n_blocks, (b + 1) * K // n_blocks):
            iters_out[k], resid_out[k] = _pi_one(
                nx,
                R[k],
                gamma,
                switch_tol,
                max_iter,
                V_out[k],
                pol_out[k],
                V,
                state,
                stack,
                pos,
                nxt,
            )


@njit(cache=True)
def det_policy_iteration_serial(
    succ, R, gamma, switch_tol, max_iter, V_out, pol_out, iters_out, resid_out
):  # type: ignore[no-untyped-def]
    """:func:`det_policy_iteration` without threads, for small batches (no thread start-up)."""
    nx = _branch_free(succ)
    V, state, stack, pos, nxt = _scratch(R.shape[1])
    for k in range(R.shape[0]):
        iters_out[k], resid_out[k] = _pi_one(
            nx, R[k], gamma, switch_tol, max_iter, V_out[k], pol_out[k], V, state, stack, pos, nxt
        )


@njit(cache=True, parallel=True)
def det_gain(succ, R, pol):  # type: ignore[no-untyped-def]
    """Average reward (gain) of each state under deterministic policies ``pol: [K, S]``.

    The gain of s is the mean reward of the cycle that s's path reaches, or 0 if the path
    ends (Puterman 1994, Sec. 8.2: for a deterministic chain the Cesaro limit puts uniform
    mass on the cycle). Returns ``[K, S]``.
    """
    K, S = R.shape
    out = np.empty((K, S))
    for k in prange(K):
        state = np.zeros(S, np.int8)
        stack = np.empty(S, np.int64)
        pos = np.empty(S, np.int64)
        g = out[k]
        for s0 in range(S):
            if state[s0] != 0:
                continue
            top = 0
            s = s0
            gv = 0.0
            while True:
                if s < 0:
                    gv = 0.0
                    break
                if state[s] == 2:
                    gv = g[s]
                    break
                if state[s] == 1:
                    p = pos[s]
                    acc = 0.0
                    for i in range(p, top):
                        acc += R[k, stack[i]]
                    gv = acc / (top - p)
                    break
                state[s] = 1
                pos[s] = top
                stack[top] = s
                top += 1
                t = succ[s, pol[k, s]]
                s = t if t >= 0 else -1
            for i in range(top):
                g[stack[i]] = gv
                state[stack[i]] = 2
    return out
