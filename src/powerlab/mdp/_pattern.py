r"""A static elimination pattern shared by every policy matrix of one MDP.

For a policy π the evaluation matrix :math:`I - \gamma P_\pi` has its nonzeros in the
pattern ``G``: the union over actions of the transition graph, symmetrised, plus the
diagonal. The fill of ``G`` under Gaussian elimination in a fixed order contains the fill of
every :math:`I - \gamma P_\pi`, so one symbolic factorization serves all policies and all
reward samples (:mod:`powerlab.mdp._lu` does the numeric part).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.sparse.csgraph import reverse_cuthill_mckee

from powerlab.mdp.model import MDP

__all__ = ["Pattern", "elimination_pattern"]


@dataclass(frozen=True)
class Pattern:
    """A static elimination pattern (module docstring).

    Attributes:
        order: ``[S]`` the states in elimination order; ``pos: [S]`` its inverse.
        up_ptr, up_idx: CSR lists ``up[k]`` of the columns j > k of row k of U, which by
            symmetry are the rows i > k of column k of L.
        low_ptr, low_idx: CSR lists ``low[i]`` of the k < i with i in ``up[k]``, ascending.
        sn_last: ``[S]`` supernodes: for the first row k0 of a run k0 < ... < k1 of rows with
            ``up[k] = [k + 1] + up[k + 1]``, its last row k1; k itself for every other row.
        flops: multiply-adds per numeric factorization, ``sum_k |up[k]|^2``.
    """

    order: np.ndarray
    pos: np.ndarray
    up_ptr: np.ndarray
    up_idx: np.ndarray
    low_ptr: np.ndarray
    low_idx: np.ndarray
    sn_last: np.ndarray
    flops: int


_PATTERNS: weakref.WeakKeyDictionary[MDP, Pattern] = weakref.WeakKeyDictionary()


def union_graph(mdp: MDP) -> sp.csr_matrix:
    """``G: [S, S]``, 1 where some action moves s to t or t to s, and on the diagonal."""
    S, A = mdp.n_states, mdp.n_actions
    P = sp.coo_array(mdp.P_sa)
    G = sp.csr_matrix((np.ones(P.nnz), (P.row // A, P.col)), shape=(S, S))
    G = (G + G.T + sp.eye(S, format="csr")).tocsr()
    G.data[:] = 1.0
    return G


def symbolic(G: sp.csr_matrix, order: np.ndarray) -> Pattern:
    """Symbolic fill of the symmetric pattern ``G`` eliminated in ``order``: the structure of
    column j of L is G's below the diagonal joined with that of each child of j in the
    elimination tree, less j (George & Liu 1981, Sec. 5.4)."""
    S = G.shape[0]
    pos = np.empty(S, dtype=np.int64)
    pos[order] = np.arange(S)
    Gp = G[order][:, order].tocsr()
    children: list[list[int]] = [[] for _ in range(S)]
    sets: list[set[int]] = [set() for _ in range(S)]
    up: list[list[int]] = []
    for j in range(S):
        cols = Gp.indices[Gp.indptr[j] : Gp.indptr[j + 1]]
        st = set(cols[cols > j].tolist())
        for c in children[j]:
            st |= sets[c]
            sets[c] = set()  # each child's structure is needed once
        st.discard(j)
        sets[j] = st
        up.append(sorted(st))
        if st:
            children[min(st)].append(j)
    sizes = np.array([len(u) for u in up], dtype=np.int64)
    up_ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    up_idx = np.array([j for u in up for j in u], dtype=np.int64)
    rows = np.repeat(np.arange(S, dtype=np.int64), sizes)
    low = sp.csr_array((np.ones(len(up_idx)), (up_idx, rows)), shape=(S, S))
    low.sort_indices()
    return Pattern(
        order=np.asarray(order, dtype=np.int64),
        pos=pos,
        up_ptr=up_ptr,
        up_idx=up_idx,
        low_ptr=low.indptr.astype(np.int64),
        low_idx=low.indices.astype(np.int64),
        sn_last=supernodes(up),
        flops=int((sizes**2).sum()),
    )


def supernodes(up: list[list[int]]) -> np.ndarray:
    """``sn_last`` of :class:`Pattern`: maximal runs of consecutive rows k with ``up[k] =
    [k + 1] + up[k + 1]`` (fundamental supernodes; Liu, Ng & Peyton 1993). Within a run the
    rows of U restricted to the columns after the run share one structure, ``up[k1]``."""
    S = len(up)
    last = np.arange(S, dtype=np.int64)
    for k in range(S - 2, -1, -1):
        if up[k][:1] == [k + 1] and up[k][1:] == up[k + 1]:
            last[k] = last[k + 1]
    first = np.ones(S, dtype=bool)
    first[1:] = last[1:] != last[:-1]
    return np.where(first, last, np.arange(S, dtype=np.int64))


def elimination_pattern(mdp: MDP) -> Pattern:
    """The pattern for ``mdp``, computed once per MDP (cached while the MDP lives).

    Of two orders, reverse Cuthill-McKee (George & Liu 1981, Ch. 4) and multiple minimum
    degree on ``G`` (Liu 1985, as implemented in SuperLU), the one with fewer ``flops`` is kept.
    """
    hit = _PATTERNS.get(mdp)
    if hit is not None:
        return hit
    G = union_graph(mdp)
    candidates = [reverse_cuthill_mckee(G, symmetric_mode=True)]
    # SuperLU supplies only the order: a symmetric diagonally dominant matrix on G's pattern,
    # factored with diagonal pivots, returns its minimum-degree column order.
    Gv = sp.csc_matrix(G * -0.1)
    Gv.setdiag(float(G.getnnz(axis=1).max()))
    lu = spla.splu(
        Gv, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, options={"SymmetricMode": True}
    )
    candidates.append(np.argsort(lu.perm_c))
    best = min((symbolic(G, order) for order in candidates), key=lambda p: p.flops)
    _PATTERNS[mdp] = best
    return best
