"""Polytope pieces and chords of G_T (Krakovna & Kramár, Def 6): every chord segment's
policy is optimal on it (checked against the solver), and hit-and-run across pieces
matches rejection sampling."""

from __future__ import annotations

import numpy as np
from scipy.stats import ks_2samp

from powerlab.goals import goal_set, sample_hit_and_run, sample_rejection, training_from_policy
from powerlab.goals.interior import Start, find_start
from powerlab.goals.pieces import PieceGeometry
from powerlab.mdp import from_edges, solve

ALPHA = 0.01


def switching():
    """Trained t0 -> m and u -> t0; at m the agent may go to x, y or stay, untrained, so
    the optimal action at m switches inside G_T."""
    m = from_edges(
        {"t0": ["t0", "m"], "m": ["x", "y", "m"], "x": ["x", "m"], "y": ["y"], "u": ["t0", "y"]}
    )
    return m, training_from_policy(m, {"t0": "m", "u": "t0"})


def test_chord_segments_are_optimal_pieces():
    m, td = switching()
    gs = goal_set(m, td, 0.8)
    geo = PieceGeometry(gs)
    start = find_start(gs, rng=0)
    assert isinstance(start, Start)
    rng = np.random.default_rng(1)
    x, pol = start.x, start.policy
    C = gs.constrained
    mids, pols = [], []
    for _ in range(60):
        d = rng.standard_normal(geo.n)
        ch = geo.chord(x, d, pol)
        for t0, t1, p in ch.segments:
            mids.append(x + 0.5 * (t0 + t1) * d)
            pols.append(p)
        t = rng.uniform(ch.t_lo, ch.t_hi)
        x, pol = x + t * d, ch.locate(t)
    assert len(set(pols)) >= 2  # the walk crossed between pieces
    R = np.zeros((len(mids), m.n_states))
    R[:, C] = np.array(mids)
    opt = solve(m, R, 0.8).optimal
    assert opt is not None
    for k, p in enumerate(pols):
        assert all(opt[k, C[i], a] for i, a in enumerate(p))
    assert np.all(gs.contains(R))


def test_hit_and_run_across_pieces_matches_rejection():
    m, td = switching()
    gs = goal_set(m, td, 0.5)
    rej = sample_rejection(gs, 2000, rng=0)
    har = sample_hit_and_run(gs, 4000, rng=1)
    step = max(1, int(np.ceil(har.n / har.ess)))
    for i in gs.constrained:
        p = ks_2samp(rej.samples[:, i], har.samples[::step, i]).pvalue
        assert p > ALPHA / len(gs.constrained), (m.states[i], p)


def test_stochastic_mdp_matches_rejection():
    """A stochastic MDP with a terminal state; both readings."""
    from powerlab.mdp import from_transitions

    m = from_transitions(
        {
            "t0": {"go": {"m": 0.7, "t0": 0.3}, "stay": {"t0": 1.0}},
            "m": {"x": {"x": 0.8, "y": 0.2}, "y": {"y": 1.0}, "back": {"t0": 0.5, "m": 0.5}},
            "x": {"stay": {"x": 1.0}, "m": {"m": 1.0}},
            "y": {"stay": {"y": 1.0}, "end": {"e": 1.0}},
            "e": {},
        },
        terminal=["e"],
    )
    td = training_from_policy(m, {"t0": "go", "m": "x"})
    for reading in ("q", "immediate"):
        gs = goal_set(m, td, 0.8, reading)
        rej = sample_rejection(gs, 1500, rng=0)
        har = sample_hit_and_run(gs, 3000, rng=1)
        step = max(1, int(np.ceil(har.n / har.ess)))
        tests = 2 * len(gs.constrained)
        for i in gs.constrained:
            p = ks_2samp(rej.samples[:, i], har.samples[::step, i]).pvalue
            assert p > ALPHA / tests, (reading, m.states[i], p)
