"""The a-priori cost estimate of exact mode (powerlab.power.exact.cost) and its refusals."""

from __future__ import annotations

from fractions import Fraction as Fr
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import powerlab.mdp as M
from powerlab.cli import app
from powerlab.errors import ResourceError
from powerlab.power.exact import (
    exact_optimality_probability,
    exact_power,
    nondominated,
    power_at,
    visit_functions,
)
from powerlab.power.exact.cost import SECONDS_PER_UNIT, check_cost, estimate

ROOM = Path(__file__).resolve().parents[3] / "examples" / "room.yaml"


def _two_cycles(k: int) -> M.MDP:
    """s chooses between two disjoint cycles of k states each (a0..a{k-1}, b0..b{k-1})."""
    edges = {"s": ["a0", "b0"]}
    for p in "ab":
        for i in range(k):
            edges[f"{p}{i}"] = [f"{p}{(i + 1) % k}"]
    return M.from_edges(edges, name=f"two_cycles{k}")


@pytest.mark.parametrize("k", [1, 3, 6])
def test_two_cycles_closed_form(k):
    """F(s) is the two lassos s → a-cycle and s → b-cycle, both non-dominated (each is the only
    way to collect its cycle's rewards). They agree on s (weight 1, never revisited) and differ
    on every one of the 2k cycle states, so N = 2 and d = 2k, and the model's cost is
    (3^(2k) + 2 · 2^(2k)) · c."""
    est = estimate(visit_functions(_two_cycles(k), "s"), Fr(9, 10))
    assert (est.candidates, est.dimensions) == (2, 2 * k)
    assert est.seconds == pytest.approx((3.0 ** (2 * k) + 2 * 4.0**k) * SECONDS_PER_UNIT)


def test_one_candidate_costs_nothing():
    """A state with a single lasso (a chain into a self-loop) has one region, the cube."""
    mdp = M.from_edges({"s": ["t"], "t": ["u"], "u": ["u"]})
    est = estimate(visit_functions(mdp, "s"), Fr(1, 2))
    assert est.seconds == 0.0 and est.candidates == 1


def _exact_d(vectors: list[tuple[Fr, ...]]) -> int:
    return sum(len({v[j] for v in vectors}) > 1 for j in range(len(vectors[0])))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), gamma=st.sampled_from([Fr(1, 2), Fr(9, 10), Fr(1)]))
def test_estimate_never_overstates_candidates_or_dimensions(seed, gamma):
    """The estimate's N and d come from maximisers of fixed directions, each a true candidate:
    N never exceeds the number of distinct candidate vectors (F_nd(s) at γ, or all gains at
    γ = 1), and d never exceeds the number of coordinates in which those vectors differ."""
    rng = np.random.default_rng(seed)
    names = [f"x{i}" for i in range(6)]
    edges = {s: [names[j] for j in rng.choice(6, 2, replace=False)] for s in names}
    mdp = M.from_edges(edges)
    F = visit_functions(mdp, "x0")
    if gamma == 1:
        vectors = sorted({f.gain() for f in F})
    else:
        vectors = sorted({f.at(gamma) for f in nondominated(mdp, "x0", F)})
    est = estimate(F, gamma)
    assert est.candidates <= len(vectors)
    assert est.dimensions <= _exact_d(vectors)


def test_room_refused_before_starting():
    """The 19-state two-room grid: one state's regions already need 2^19 cube vertices."""
    mdp = M.load_env(str(ROOM))
    with pytest.raises(ResourceError, match=r"room: exact POWER at state '1,1' .*60 s limit"):
        exact_power(mdp, "9/10")
    with pytest.raises(ResourceError, match="optimality probability at state '2,4'"):
        exact_optimality_probability(mdp, "2,4", "1/2")
    with pytest.raises(ResourceError, match="POWERLAB_EXACT_SECONDS"):
        power_at(mdp, "1,1", 1)


def test_limits_zero_and_none_skip_the_estimate():
    """γ → 0 integrates nothing, and time_limit=None asks for no estimate at all."""
    mdp = M.load_env(str(ROOM))
    frame = exact_power(mdp, "0", states=["2,4"])
    assert frame.power.tolist() == [Fr(3, 4)]  # k/(k+1) with k = 3 distinct successors

    def boom(_s: int) -> list:
        raise AssertionError("no estimate without a limit")

    check_cost(mdp, [(0, Fr(1, 2))], boom, None, "POWER")


def test_cli_refusal_and_override(monkeypatch, tmp_path):
    """One error line naming the environment, the state and the override; the override is
    read from POWERLAB_EXACT_SECONDS. The two 6-cycles are estimated at
    (3^12 + 2 · 2^12) · c ≈ 2.7 s: refused under a 1 s limit, not under the default 60 s."""
    runner = CliRunner()
    res = runner.invoke(app, ["power", str(ROOM), "--exact", "--json"])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: room:"), res.stderr
    assert "--exact" in lines[0] and "POWERLAB_EXACT_SECONDS" in lines[0]
    monkeypatch.setenv("POWERLAB_EXACT_SECONDS", "soon")
    res = runner.invoke(app, ["power", str(ROOM), "--exact", "--json"])
    assert res.exit_code == 2 and "POWERLAB_EXACT_SECONDS='soon'" in res.stderr
    env = tmp_path / "two.yaml"
    edges = ", ".join(f"{p}{i}: [{p}{(i + 1) % 6}]" for p in "ab" for i in range(6))
    env.write_text(f"name: two\nedges: {{s: [a0, b0], {edges}}}\n")
    monkeypatch.setenv("POWERLAB_EXACT_SECONDS", "1")
    res = runner.invoke(app, ["power", str(env), "--exact", "--states", "s", "--json"])
    assert res.exit_code == 2 and "over the 1 s limit" in res.stderr, res.stderr
    assert "state 's'" in res.stderr
