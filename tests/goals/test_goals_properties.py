"""Property tests of G_T (Krakovna & Kramár, Def 6) on random deterministic MDPs: sampled
goals are members, and permuting free coordinates (those in no training constraint)
keeps a goal in G_T, the fact Theorem 2's retargeting relies on."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlab.goals import EmptyGoalSet, goal_set, sample_hit_and_run, training_from_reward
from powerlab.mdp import from_edges
from powerlab.retarget import sample_orbits


@st.composite
def mdps(draw):
    n = draw(st.integers(min_value=3, max_value=7))
    names = [f"s{i}" for i in range(n)]
    edges = {}
    for s in names:
        succ = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
        edges[s] = [names[j] for j in succ]
    seed = draw(st.integers(0, 2**31 - 1))
    gamma = draw(st.sampled_from([0.3, 0.6, 0.9]))
    reading = draw(st.sampled_from(["q", "immediate"]))
    return from_edges(edges), seed, gamma, reading


@settings(max_examples=30, deadline=None)
@given(mdps())
def test_samples_are_members_and_free_permutations_stay(case):
    m, seed, gamma, reading = case
    rng = np.random.default_rng(seed)
    theta = rng.random(m.n_states)
    td = training_from_reward(m, theta, [m.states[0]], gamma)
    gs = goal_set(m, td, gamma, reading)
    if reading == "q":
        assert gs.contains(theta[None])[0]  # the training reward is training-compatible
    try:
        draws = sample_hit_and_run(gs, 40, rng=seed, chains=2)
    except EmptyGoalSet:
        # only the immediate reading can contradict itself; θ* is a Q-reading member
        assert reading == "immediate"
        return
    assert np.all(gs.contains(draws.samples))
    if len(gs.free) >= 2:
        perm = sample_orbits(draws.samples[:5, gs.free], 10, rng)  # [5, 10, |free|]
        pts = np.repeat(draws.samples[:5, None, :], 10, axis=1)
        pts[:, :, gs.free] = perm
        assert np.all(gs.contains(pts.reshape(-1, m.n_states)))
