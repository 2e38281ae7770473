"""Known answers from POWERplay (Gladstone AI 2022, commit 331f1e8), reproduced within 3 s.e.

POWERplay's value iteration stops once the largest relative change of a sweep is below
``convergence_threshold`` = 1e-4, in float32, with no error bound. Its values are then low by
at most ``b = threshold / (1 − γ)`` in POWER units for rewards in [0, 1] (docs/multiagent.md
derives it), so each check accepts a peer number p against ours (x, s.e. s_x) when
``x − b − 3σ ≤ p ≤ x + 3σ`` with ``σ = sqrt(s_x² + s_p²)``.
"""

import math

import pytest

from powerlab.mdp import load_mdp
from powerlab.power import power

THRESHOLD = 1e-4


def _agrees(x: float, sx: float, p: float, sp: float, gamma: float) -> bool:
    b = THRESHOLD / (1 - gamma)
    sigma = math.hypot(sx, sp)
    return x - b - 3 * sigma <= p <= x + 3 * sigma


# configs/replication/PART_1-FIGURE_1.yaml: 3x3_gridworld, γ = 0.6, U[0, 1], 50,000 samples,
# seed 0. Output expts/0001-PART_1-FIGURE_1/0001-PART_1-FIGURE_1-/data-0001-PART_1-FIGURE_1-.dill,
# outputs["power_samples"] ([50000, 9] float32, states in sorted order): per-state mean and
# standard error (sample s.d. / sqrt(50000)) of those samples, as stored by POWERplay.
FIGURE_1 = {
    "(0, 0)": (0.80481, 0.00060),
    "(0, 1)": (0.83523, 0.00054),
    "(0, 2)": (0.80501, 0.00060),
    "(1, 0)": (0.83547, 0.00054),
    "(1, 1)": (0.86181, 0.00048),
    "(1, 2)": (0.83613, 0.00054),
    "(2, 0)": (0.80651, 0.00059),
    "(2, 1)": (0.83663, 0.00054),
    "(2, 2)": (0.80559, 0.00060),
}


def test_part_1_figure_1(examples):
    """Single-agent POWER on POWERplay's 3x3 gridworld at γ = 0.6 (PART_1-FIGURE_1)."""
    m = load_mdp(examples / "multiagent" / "3x3_gridworld.gv")
    df = power(m, 0.6, samples=50_000, rng=12345).set_index("state")
    for state, (p, sp) in FIGURE_1.items():
        x, sx = df.loc[state, "power"], df.loc[state, "stderr"]
        assert _agrees(x, sx, p, sp, 0.6), (state, x, sx, p, sp)


def test_agreement_rule_rejects_a_shift():
    """The rule is not vacuous: the peer's centre value shifted by 10 s.e. is rejected."""
    p, sp = FIGURE_1["(1, 1)"]
    assert not _agrees(p + 10 * sp, sp, p, sp, 0.6)
    assert _agrees(p, sp, p, sp, 0.6)


def test_negative_rewards_absorbing_state(examples):
    """configs/test/test_vanilla.yaml: Turner et al. 2021 Fig. 1 with R(∅) ~ U[−1, 1], γ = 0.5.

    ∅ only loops on itself, so V*(∅) = R/(1−γ) and POWER(∅) = (1−γ)/γ · (V* − R) = R, whose
    mean is E[R] = 0. (POWERplay's zero rows for unavailable actions give
    V(∅) = R + γ max(V(∅), 0) instead, so POWER(∅) = max(R, 0), mean 1/4.)"""
    m = load_mdp(examples / "multiagent" / "mdp_from_paper.gv")
    df = power(m, 0.5, samples=20_000, rng=1, dist="uniform;∅=uniform:-1,1", states=["∅"])
    x, sx = float(df.power.iloc[0]), float(df.stderr.iloc[0])
    assert abs(x) <= 3 * sx
    assert x < 0.25 - 10 * sx


# configs/replication/PART_2-FIGURES_2_3_4_6_7_8_9_10.yaml at reward_correlation = 0: joint
# 3x3 gridworld, γ_H = γ_A = 0.6, A's seed policy
# policies/joint_3x3_gridworld_agent_A_uniform_random.gv, U[0, 1] on joint states. The
# repository's output files for this config are Git LFS pointers, so POWERplay's
# ``src.lib.runex.run_one_experiment(..., sweep_type="multiagent_with_reward",
# num_reward_samples=1000, random_seed=0, convergence_threshold=1e-4)`` was run by hand at
# commit 331f1e8 (1,418.7 s, one thread); its printed output: POWER mean over the 81 joint
# states and at two joint states, each with the standard error of its 1,000 samples.
PART_2_RHO_0 = {
    ("H", "(mean)"): (0.66646, 0.00283),
    ("A", "(mean)"): (0.81852, 0.00162),
    ("H", "(0, 0)_H^(0, 0)_A"): (0.65527, 0.00572),
    ("A", "(0, 0)_H^(0, 0)_A"): (0.80044, 0.00359),
    ("H", "(1, 1)_H^(1, 1)_A"): (0.67349, 0.00622),
    ("A", "(1, 1)_H^(1, 1)_A"): (0.85072, 0.00293),
}


@pytest.mark.slow
def test_part_2_rho_0(examples):
    """Both agents' POWER on the joint 3x3 gridworld, A best-responding (PART_2, ρ = 0)."""
    from powerlab.multiagent import joint_mdp, multiagent_power

    J = joint_mdp(load_mdp(examples / "multiagent" / "3x3_gridworld.gv"))
    res = multiagent_power(J, 0.6, ai="best-response", rho=0.0, samples=4000, rng=2024)
    for (agent, state), (p, sp) in PART_2_RHO_0.items():
        x, sx = res.at(agent, state)
        assert _agrees(x, sx, p, sp, 0.6), (agent, state, x, sx, p, sp)
