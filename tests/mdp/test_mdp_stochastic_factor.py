"""The batched sparse LU of policy evaluation (``powerlab.mdp._factor``) and the supernodes of
its static pattern (``powerlab.mdp._pattern.supernodes``).

The factorization treats runs of rows with nested structure (supernodes) differently from
single rows, so these tests use MDPs whose patterns have supernodes of many sizes (grids with
slip, random MDPs whose fill is nearly dense, chains) and check every policy's values against
a dense solve of (I - γ P_π) V = r_π."""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import catalogue
import powerlab.mdp as M
from powerlab.mdp import _factor
from powerlab.mdp._pattern import elimination_pattern, supernodes, symbolic
from powerlab.mdp._simd import LANES


def chain(n: int) -> M.MDP:
    """States 0..n-1 in a line; ``left`` and ``right`` move one step with probability 0.7 and
    stay otherwise (the pattern is a path: no fill, every supernode a single row)."""
    rows, cols, vals = [], [], []
    for s in range(n):
        for a, step in enumerate((-1, 1)):
            t = min(max(s + step, 0), n - 1)
            rows += [2 * s + a, 2 * s + a]
            cols += [t, s]
            vals += [0.7, 0.3]
    P = sp.csr_array((vals, (rows, cols)), shape=(2 * n, n))
    P.sum_duplicates()
    return M.from_arrays(P)


@st.composite
def mdps(draw):
    kind = draw(st.sampled_from(["grid", "random", "chain"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    if kind == "grid":
        return catalogue.slippery_grid(
            draw(st.integers(2, 9)), draw(st.sampled_from([0.0, 0.2]))
        ), rng
    if kind == "chain":
        return chain(draw(st.integers(1, 30))), rng
    n = draw(st.integers(2, 60))
    return catalogue.random_sparse_stochastic(rng, n, draw(st.integers(1, 4)), 0.2), rng


def evaluate(mdp: M.MDP, R: np.ndarray, gamma: float, pols: np.ndarray) -> np.ndarray:
    """``_factor.evaluate`` of the policies ``pols: [S, B]`` (B a multiple of LANES) for state
    rewards ``R: [B, S]``, returned as ``[B, S]``."""
    S, B = pols.shape
    pat = elimination_pattern(mdp)
    J = int((pat.sn_last - np.arange(S)).max()) + 1
    nc = B // LANES
    work = (
        np.full((nc, len(pat.up_idx), LANES), np.nan),
        np.full((nc, S, LANES), np.nan),
        np.full((nc, S, LANES), np.nan),
        np.zeros((nc, S, LANES)),
        np.full((nc, S, LANES), np.nan),
        np.full((nc, J, LANES), np.nan),
        np.zeros(J, dtype=np.int64),
    )
    P = mdp.P_sa
    indptr = P.indptr.astype(np.int64)
    rows = _factor.row_terms(indptr, P.indices.astype(np.int64), P.data, pat.pos, gamma)
    Vs = np.full((S, B), np.nan)
    _factor.evaluate(
        (indptr, *rows),
        np.ascontiguousarray(R.T),
        B,
        np.ascontiguousarray(pols),
        pat.order,
        pat.pos,
        (pat.up_ptr, pat.up_idx, pat.low_ptr, pat.low_idx, pat.sn_last),
        work,
        Vs,
    )
    return Vs.T


@settings(max_examples=60, deadline=None)
@given(mdps(), st.sampled_from([1, 2, 3]), st.sampled_from([0.5, 0.9, 0.99, 0.9999]))
def test_evaluate_matches_dense_solve(case, vectors, gamma):
    """Each slot's values solve (I - γ P_π) V = r_π for its own policy and rewards, to the
    accuracy of backward-stable solves (this one and the dense reference) of a matrix whose
    ∞-norm condition number is at most (1 + γ)/(1 - γ), with |V| <= max|r|/(1 - γ):
    |V - V_dense| <= 1000 u (1 + γ)/(1 - γ) · max|r|/(1 - γ), u the unit round-off."""
    mdp, rng = case
    S, A = mdp.n_states, mdp.n_actions
    B = vectors * LANES
    pols = rng.integers(0, A, size=(S, B))
    R = rng.uniform(-1, 1, size=(B, S)) * rng.uniform(0.01, 10, size=(B, 1))
    V = evaluate(mdp, R, gamma, pols)
    T = np.asarray(mdp.P)
    for b in range(B):
        Pp = T[np.arange(S), pols[:, b]]
        ref = np.linalg.solve(np.eye(S) - gamma * Pp, R[b])
        scale = np.abs(R[b]).max() / (1 - gamma)
        tol = 1000 * np.finfo(float).eps * (1 + gamma) / (1 - gamma) * scale
        assert np.abs(V[b] - ref).max() <= tol


def test_evaluate_keeps_full_accuracy_as_gamma_tends_to_one():
    """With reward 1 everywhere and no terminal state, every policy has V = 1/(1 - γ) exactly;
    the pivots from row sums keep that to round-off even at γ = 1 - 1e-11, on a grid whose
    pattern has supernodes of several sizes."""
    mdp = catalogue.slippery_grid(12, 0.2)
    pat = elimination_pattern(mdp)
    sizes = (pat.sn_last - np.arange(mdp.n_states))[pat.sn_last > np.arange(mdp.n_states)] + 1
    assert len(set(sizes.tolist())) >= 3
    gamma = 1 - 1e-11
    pols = np.random.default_rng(0).integers(0, 5, size=(mdp.n_states, LANES))
    V = evaluate(mdp, np.ones((LANES, mdp.n_states)), gamma, pols)
    np.testing.assert_allclose(V, 1 / (1 - gamma), rtol=1e-13)


def test_grid_patterns_have_large_supernodes():
    """On a 20x20 grid most of the factorization's work lies in supernodes of 4 or more rows,
    the case the supernodal update is for."""
    pat = elimination_pattern(catalogue.slippery_grid(20, 0.2))
    S = len(pat.order)
    sizes = pat.up_ptr[1:] - pat.up_ptr[:-1]
    in_big = np.zeros(S, dtype=bool)
    for k in np.flatnonzero(pat.sn_last - np.arange(S) >= 3):
        in_big[k : pat.sn_last[k] + 1] = True
    assert (sizes[in_big] ** 2).sum() > 0.5 * pat.flops


@st.composite
def fill_lists(draw):
    """``up`` lists of the symbolic fill of a random symmetric pattern in a random order."""
    n = draw(st.integers(1, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    G = sp.random(n, n, density=draw(st.floats(0.0, 0.3)), random_state=rng, format="csr")
    G = ((G + G.T + sp.eye(n)) != 0).astype(float).tocsr()
    pat = symbolic(G, rng.permutation(n))
    return [pat.up_idx[pat.up_ptr[k] : pat.up_ptr[k + 1]].tolist() for k in range(n)], pat


@settings(max_examples=100, deadline=None)
@given(fill_lists())
def test_supernodes_are_the_maximal_nested_runs(case):
    """sn_last marks exactly the maximal runs k0..k1 (k1 > k0) with up[k] = [k + 1] + up[k + 1]
    for k0 <= k < k1: at the first row of each it names the last, elsewhere the row itself."""
    up, pat = case
    n = len(up)
    nested = [up[k] == [k + 1] + up[k + 1] for k in range(n - 1)] + [False]
    expected = np.arange(n)
    k = 0
    while k < n:
        end = k
        while nested[end]:
            end += 1
        expected[k] = end
        k = end + 1
    np.testing.assert_array_equal(supernodes(up), expected)
    np.testing.assert_array_equal(pat.sn_last, expected)
