"""Known answers from POWERplay (Gladstone AI 2022, commit 331f1e8), reproduced within 3 s.e.

POWERplay's value iteration stops once the largest relative change of a sweep is below
``convergence_threshold`` = 1e-4, in float32, with no error bound. Its values are then low by
at most ``b = threshold / (1 − γ)`` in POWER units for rewards in [0, 1] (docs/multiagent.md
derives it), so each check accepts a peer number p against ours (x, s.e. s_x) when
``x − b − 3σ ≤ p ≤ x + 3σ`` with ``σ = sqrt(s_x² + s_p²)``.
"""

import math

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
