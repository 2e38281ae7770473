"""Tiny-budget training smoke tests and checkpoint round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from powerlab.agents.evaluate import rollout
from powerlab.agents.families import FamilyConfig, build_suite, make_env
from powerlab.agents.qlearning import QConfig, load_q, save_q, train_q
from powerlab.agents.train import load_run, train_run
from powerlab.errors import InputError


def test_q_learning_learns_the_coinrun_training_level(tmp_path: Path) -> None:
    cfg = FamilyConfig(family="coinrun")
    agent, log = train_q(make_env(cfg), QConfig(episodes=300), rng=0)
    assert log["success_last_10pct"] > 0.5
    case = build_suite(cfg)[0]  # level A from a0: the trained path must reach the exit
    ep = rollout(agent, make_env(cfg), case, np.random.default_rng(0))
    assert ep.outcome == "end"
    save_q(agent, {"seed": 0}, tmp_path)
    again, conf = load_q(tmp_path)
    assert np.array_equal(again.Q, agent.Q) and conf == {"seed": 0}


def test_q_learning_is_reproducible() -> None:
    env = make_env(FamilyConfig(family="coinrun"))
    a, _ = train_q(env, QConfig(episodes=50), rng=3)
    b, _ = train_q(env, QConfig(episodes=50), rng=3)
    assert np.array_equal(a.Q, b.Q)


def test_train_run_writes_a_loadable_run(tmp_path: Path) -> None:
    fam = FamilyConfig(family="maze", m=2, k=2)
    rec = train_run(fam, "q", 2, True, tmp_path)
    assert [log["seed"] for log in rec["logs"]] == [0, 1]
    record, fam2, agents = load_run(tmp_path)
    assert fam2 == fam and len(agents) == 2 and record["algo"] == "q"
    with pytest.raises(InputError, match="obs='tabular'"):
        train_run(FamilyConfig(obs="image"), "q", 1, True, tmp_path / "x")


def test_ppo_smoke_and_safe_checkpoint(tmp_path: Path) -> None:
    pytest.importorskip("stable_baselines3")
    import torch

    from powerlab.agents.ppo import PPOConfig, load_ppo, ppo_config_dict, save_ppo, train_ppo

    fam = FamilyConfig(family="coinrun", obs="image")
    cfg = PPOConfig(timesteps=256, n_envs=2, n_steps=64, batch_size=64, n_epochs=1)
    agent, log = train_ppo(lambda: make_env(fam), cfg, seed=0)
    assert log["timesteps"] == 256
    conf = {"family": fam.to_dict(), "algo": "ppo", "algo_config": ppo_config_dict(cfg), "seed": 0}
    save_ppo(agent, conf, tmp_path)
    # the checkpoint is plain tensors: the restricted unpickler accepts it
    state = torch.load(tmp_path / "policy.pt", weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    again, _ = load_ppo(tmp_path, lambda: make_env(fam))
    env = make_env(fam)
    obs = [env.observe(s) for s in range(3)]
    assert np.allclose(again.probs(obs), agent.probs(obs))
    assert np.allclose(again.values(obs), agent.values(obs))
    assert np.allclose(agent.probs(obs).sum(axis=1), 1.0)
