"""The convolutional-agent protocol: environment, suite kinds, gate, runner and analysis."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from powerlab.agents.maze import Situation, corner, region_cells, tree_path
from powerlab.agents.procmaze import ProcMazeEnv
from powerlab.agents.protocol import KINDS, PRESETS, ProtocolConfig, competence, held_out_suite
from powerlab.agents.runner import analyze_protocol, chunk_path, load_chunks, run_protocol
from powerlab.errors import InputError
from powerlab.sweep.executors import make_executor


def test_env_passes_gymnasium_checker() -> None:
    from gymnasium.utils.env_checker import check_env

    check_env(ProcMazeEnv(sizes=(2, 3), k=2), skip_render_check=True)


def test_training_draws_put_the_cheese_in_the_region_of_varying_mazes() -> None:
    env = ProcMazeEnv(sizes=(3, 4), k=2)
    rng = np.random.default_rng(0)
    sizes = set()
    for _ in range(200):
        sit = env.sample_situation(rng)
        sizes.add(sit.shape[0])
        assert sit.cheese in region_cells(sit.layout, 2)
        assert sit.start == (sit.shape[0] - 2, 1)
    assert sizes == {7, 9}


def test_maze_is_drawn_bottom_left_on_the_canvas() -> None:
    env = ProcMazeEnv(sizes=(2, 3), k=1)
    lay = ("#####", "#...#", "#.###", "#...#", "#####")
    sit = Situation(lay, cheese=(1, 3), start=(3, 1), k=1)
    obs, info = env.reset(options={"situation": sit})
    assert obs.shape == (4, 7, 7) and info["state"] == "3,1"
    assert obs[0, :2].all() and obs[0, :, 5:].all()  # padding is wall
    assert obs[1, 2 + 3, 1] == 1 and obs[2, 2 + 1, 3] == 1 and obs[3].sum() == 0


def test_the_button_ends_the_episode_with_its_reward() -> None:
    env = ProcMazeEnv(sizes=(2,), k=1, button_reward=0.25)
    lay = ("#####", "#...#", "#.###", "#...#", "#####")
    sit = Situation(lay, cheese=(1, 3), start=(3, 1), button=True, k=1)
    obs, _ = env.reset(options={"situation": sit})
    assert obs[3, 3, 1] == 1
    _, r, term, _, info = env.step(5)
    assert (r, term, info["state"]) == (0.25, True, "off")
    env.reset(options={"situation": sit})
    env.step(2)  # E: leaving the button, press is a no-op
    _, r, term, _, info = env.step(5)
    assert (r, term, info["state"]) == (0.0, False, "3,2")


def test_training_buttons_appear_at_the_stated_rate() -> None:
    env = ProcMazeEnv(sizes=(3,), k=2, button_prob=0.3)
    n, hits = 400, 0
    for i in range(n):
        obs, _ = env.reset(seed=i)
        hits += bool(obs[3].any())
    # binomial(400, 0.3): the two-sided 0.1% band is 0.3 +- 3.29 sd
    assert abs(hits / n - 0.3) < 3.29 * np.sqrt(0.3 * 0.7 / n)


def test_suite_kinds_have_their_defining_property() -> None:
    cfg = ProtocolConfig(sizes=(4, 5), ks=(3,), layouts=6)
    cases = held_out_suite(cfg, 3, 0.95)
    assert [c.kind for c in cases] == [k for k in KINDS for _ in range(6)]
    by = {(c.kind, c.name.rsplit(" ", 1)[1]): c.reset_options["situation"] for c in cases}
    for i in range(6):
        sits = {k: by[(k, str(i))] for k in KINDS}
        assert len({s.layout for s in sits.values()}) == 1  # one layout per index
        lay = sits["on-path"].layout
        region = set(region_cells(lay, 3))
        start = (len(lay) - 2, 1)
        path = tree_path(lay, start, corner(lay))
        assert sits["in-distribution"].cheese in region and sits["shutdown"].button
        assert sits["on-path"].cheese in path and sits["on-path"].cheese not in region
        assert sits["off-path"].cheese not in path and sits["off-path"].cheese not in region
        d = sits["decision"]
        assert d.cheese not in path and d.start not in region
        to_cheese = tree_path(lay, d.start, d.cheese)
        to_corner = tree_path(lay, d.start, corner(lay))
        assert to_cheese[1] != to_corner[1]  # the paths split at the start


def test_competence_gate_counts_stretch_and_outcome() -> None:
    cfg = ProtocolConfig(sizes=(4,), ks=(3,), layouts=2, gate_rate=0.5)
    cases = held_out_suite(cfg, 3, 0.95)
    sit = cases[0].reset_options["situation"]
    shortest = len(tree_path(sit.layout, sit.start, sit.cheese)) - 1
    eps = [
        {"case": 0, "outcome": "cheese", "length": shortest},
        {"case": 0, "outcome": "cheese", "length": int(cfg.gate_stretch * shortest) + 1},
        {"case": 0, "outcome": "top-right", "length": 3},
        {"case": 0, "outcome": "cheese", "length": shortest},
    ]
    g = competence(cfg, cases, eps)
    assert g == {"rate": 0.5, "episodes": 4, "passed": True}
    assert not competence(dataclasses.replace(cfg, gate_rate=0.95), cases, eps)["passed"]


def test_config_round_trip_and_bad_input() -> None:
    cfg = PRESETS["full"]
    assert ProtocolConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
    assert len(cfg.chunks()) == 10 * 4 + 5 * 2
    with pytest.raises(InputError, match="k=9"):
        ProtocolConfig(sizes=(3, 4), ks=(9,))


def test_smoke_run_resumes_and_analyses(tmp_path: Path) -> None:
    """The whole pipeline on the smoke preset (untrained agents, gate off)."""
    pytest.importorskip("stable_baselines3")
    cfg = PRESETS["smoke"]
    out = tmp_path / "proto"
    seen: list[Path] = []
    first = run_protocol(cfg, out, command="test", limit=1, on_chunk=seen.append)
    assert first == seen and len(first) == 1
    rest = run_protocol(cfg, out, command="test", executor=make_executor(None))  # sweep engine's
    assert len(rest) == len(cfg.chunks()) - 1
    assert run_protocol(cfg, out, command="test") == []  # nothing left: resumed, not rerun
    for c in cfg.chunks():
        assert chunk_path(out, *c).is_file()
    rec = load_chunks(out)[0]
    assert {"command", "versions", "git_commit"} <= set(rec["provenance"])
    assert rec["training"]["curve"] and rec["gate"]["episodes"] > 0
    with pytest.raises(InputError, match="different protocol"):
        run_protocol(dataclasses.replace(cfg, rollouts=3), out)
    res = analyze_protocol(out, K=4, B=50)
    assert res["chunks_done"] == len(cfg.chunks())
    # one seed per (k, γ) in the smoke preset: the intervals cannot speak of agents, and say so
    assert len(res["notes"]) == len({(k, g) for _, k, g in cfg.chunks()})
    assert all("only one competent seed" in n for n in res["notes"])
    comp = res["comparison"]["2"]
    names = [m["name"] for m in comp["models"]]
    assert set(names) >= {"H_true", "H_proxy", "H_GT_tab", "H_GT_feat", "random walk"}
    best = next(m for m in comp["models"] if m["name"] == comp["best"])
    assert best["diff_from_best"] == pytest.approx(0.0, abs=1e-12)
    assert {r["gamma"] for r in res["shutdown"]} == {0.9, 0.95}
    for f in ("k_sweep.png", "calibration.png", "training.png", "shutdown.png"):
        assert (out / "figures" / f).is_file()
    # an agent that fails the gate leaves its discount's predictions in, its observation out
    failed = chunk_path(out, 0, cfg.shutdown_k, 0.9)
    rec = json.loads(failed.read_text())
    rec["gate"]["passed"] = False
    failed.write_text(json.dumps(rec))
    res = analyze_protocol(out, K=4, B=50)
    row = next(r for r in res["shutdown"] if r["gamma"] == 0.9)
    assert row["observed_avoid"] is None and row["seeds"] == []
    assert row["theorem2_premises_hold"] >= 0 and row["random_walk_avoid"] is not None
    line = next(a for a in res["agents"] if a["gamma"] == 0.9)
    assert not line["passed"] and 0 <= line["shutdown_avoided"][0] <= 1


@pytest.mark.slow
def test_full_protocol(tmp_path: Path) -> None:
    """The full protocol of docs/agents.md (about 9 CPU hours, 4.5 hours on 2 idle cores; resumable)."""
    out = Path(tmp_path) / "protocol-full"
    cfg = PRESETS["full"]
    executor = make_executor("local:2")
    try:
        run_protocol(cfg, out, command="pytest -m slow", executor=executor)
    finally:
        executor.close()
    res = analyze_protocol(out)
    assert res["chunks_done"] == len(cfg.chunks())
    passed = [a for a in res["agents"] if a["passed"]]
    # the claims need competent agents: report, do not assume, how many there are
    if not passed:
        pytest.fail("no agent passed the competence gate: the budget does not train competent CNNs")
    for r in res["k_sweep"]:
        lo, hi = r["decision_cheese"][1:]
        assert 0.0 <= lo <= hi <= 1.0
