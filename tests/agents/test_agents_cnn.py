"""The convolutional actor-critic: one shared trunk, position-sharing weights, safe checkpoints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from powerlab.agents.procmaze import ProcMazeEnv

pytest.importorskip("stable_baselines3")

from powerlab.agents.cnn import CNNConfig, _model, load_cnn, save_cnn, train_cnn

TINY = CNNConfig(
    timesteps=256, n_envs=2, n_steps=128, batch_size=128, n_epochs=1, channels=4, hidden=8
)


def _env() -> ProcMazeEnv:
    return ProcMazeEnv(sizes=(2, 3), k=1)


def test_actor_and_critic_share_one_trunk() -> None:
    model = _model(_env, TINY, 0)
    pol = model.policy
    assert pol.share_features_extractor
    assert pol.pi_features_extractor is pol.vf_features_extractor
    convs = [m for m in pol.features_extractor.modules() if m.__class__.__name__ == "Conv2d"]
    assert len(convs) == 3


def test_cheese_anywhere_reaches_the_trunk_through_shared_filters() -> None:
    """Moving the cheese to a cell never lit in training changes the features: convolution
    shares weights across positions (a per-pixel MLP weight would be at its initial value)."""
    import torch

    model = _model(_env, TINY, 0)
    env = _env()
    obs, _ = env.reset(seed=0)
    moved = obs.copy()
    moved[2] = 0.0
    moved[2, env.N - 2, env.N - 2] = 1.0  # bottom-right: never the cheese in training
    with torch.no_grad():
        f = model.policy.extract_features(
            torch.as_tensor(np.stack([obs, moved])), model.policy.features_extractor
        )
    assert not torch.allclose(f[0], f[1])


def test_training_log_and_checkpoint_round_trip(tmp_path: Path) -> None:
    import torch

    agent, log = train_cnn(_env, TINY, seed=0)
    assert log["timesteps"] == 256 and all(0 <= c["success"] <= 1 for c in log["curve"])
    save_cnn(agent, tmp_path / "policy.pt")
    state = torch.load(tmp_path / "policy.pt", weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    again = load_cnn(tmp_path / "policy.pt", _env, TINY)
    env = _env()
    obs, _ = env.reset(seed=1)
    assert np.allclose(agent.probs([obs]), again.probs([obs]))
