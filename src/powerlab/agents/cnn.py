r"""A small convolutional actor-critic for the procedural mazes, trained with PPO.

The network (Espeholt et al. 2018's IMPALA trunk, scaled down for CPU): three 3x3
convolutions with ReLU (``channels`` filters each, padding 1, a 2x2 max-pool after the
second), a linear layer to ``hidden`` units with ReLU, then a linear policy head (6 logits)
and a linear value head. The trunk is **one** network shared by actor and critic
(stable-baselines3 ``share_features_extractor=True`` with empty ``net_arch``), as in
Langosco et al. 2022's procgen agents. Weight sharing across positions is what lets such a
network react to a cheese at a place where it never saw one, the behaviour the experiment
is about (a multilayer perceptron on the flattened image never updates the weights of
pixels it never saw lit).

PPO (Schulman et al. 2017) from stable-baselines3 on CPU, one torch thread. Training
curves: after each rollout, the fraction of finished episodes that reached the cheese and
their mean length (``curve``). Checkpoints: a ``state_dict`` of tensors, read back with
``torch.load(weights_only=True)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from powerlab._io import atomic_write
from powerlab._types import JSON
from powerlab.agents.ppo import PPOAgent, sb3_ppo
from powerlab.errors import InputError

__all__ = ["CNNConfig", "load_cnn", "save_cnn", "train_cnn"]


@dataclass(frozen=True)
class CNNConfig:
    """PPO and network hyperparameters (stable-baselines3 names)."""

    timesteps: int = 400_000
    n_envs: int = 8
    n_steps: int = 256
    batch_size: int = 512
    learning_rate: float = 5e-4
    gamma: float = 0.95
    gae_lambda: float = 0.95
    ent_coef: float = 0.01
    n_epochs: int = 3
    channels: int = 16
    hidden: int = 128

    def to_dict(self) -> JSON:
        """JSON form."""
        return asdict(self)


def _extractor_class() -> Any:
    import torch
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    class MazeCNN(BaseFeaturesExtractor):  # type: ignore[misc]
        """The shared trunk (module docstring)."""

        def __init__(self, observation_space: Any, channels: int = 16, hidden: int = 128):
            super().__init__(observation_space, features_dim=hidden)
            c_in, n, _ = observation_space.shape
            nn = torch.nn
            self.conv = nn.Sequential(
                nn.Conv2d(c_in, channels, 3, padding=1),
                nn.ReLU(),
                nn.Conv2d(channels, channels, 3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(2, ceil_mode=True),
                nn.Conv2d(channels, channels, 3, padding=1),
                nn.ReLU(),
                nn.Flatten(),
            )
            with torch.no_grad():
                flat = self.conv(torch.zeros(1, c_in, n, n)).shape[1]
            self.head = nn.Sequential(nn.Linear(flat, hidden), nn.ReLU())

        def forward(self, x: Any) -> Any:
            return self.head(self.conv(x))

    return MazeCNN


def _model(env_fn: Callable[[], Any], cfg: CNNConfig, seed: int) -> Any:
    hyper = {k: v for k, v in asdict(cfg).items() if k not in ("timesteps", "channels", "hidden")}
    policy_kwargs = {
        "features_extractor_class": _extractor_class(),
        "features_extractor_kwargs": {"channels": cfg.channels, "hidden": cfg.hidden},
        "share_features_extractor": True,
        "net_arch": {"pi": [], "vf": []},
        "normalize_images": False,
    }
    return sb3_ppo(env_fn, seed, "CnnPolicy", policy_kwargs, **hyper)


def train_cnn(
    env_fn: Callable[[], Any],
    cfg: CNNConfig,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[PPOAgent, JSON]:
    """Train for ``cfg.timesteps`` environment steps; returns the agent and its log with
    the training curve ``[{steps, episodes, success, mean_length}]`` per rollout."""
    from stable_baselines3.common.callbacks import BaseCallback

    if cfg.timesteps < cfg.n_envs * cfg.n_steps:
        raise InputError(f"timesteps must be >= n_envs * n_steps = {cfg.n_envs * cfg.n_steps}")
    model = _model(env_fn, cfg, seed)
    curve: list[dict[str, float]] = []
    batch: list[tuple[float, int]] = []

    class _Cb(BaseCallback):  # type: ignore[misc]
        def _on_step(self) -> bool:
            if progress is not None:
                progress(self.training_env.num_envs)
            for info, done, r in zip(
                self.locals["infos"], self.locals["dones"], self.locals["rewards"], strict=True
            ):
                if done:
                    ep = info.get("episode")
                    n = int(ep["l"]) if ep is not None else 0
                    batch.append((float(r >= 1.0), n))
            return True

        def _on_rollout_end(self) -> None:
            if batch:
                s = np.array(batch, dtype=np.float64)
                curve.append(
                    {
                        "steps": int(self.num_timesteps),
                        "episodes": len(batch),
                        "success": float(s[:, 0].mean()),
                        "mean_length": float(s[:, 1].mean()),
                    }
                )
                batch.clear()

    model.learn(total_timesteps=cfg.timesteps, callback=_Cb())
    return PPOAgent(model.policy), {"timesteps": int(model.num_timesteps), "curve": curve}


def save_cnn(agent: PPOAgent, path: Path) -> None:
    """Write the policy's ``state_dict`` (tensors only) to ``path``."""
    import torch

    state = {k: v.detach().cpu() for k, v in agent.policy.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda p: torch.save(state, p))


def load_cnn(path: Path, env_fn: Callable[[], Any], cfg: CNNConfig) -> PPOAgent:
    """Rebuild the network for ``cfg`` and load ``path`` with ``weights_only=True``."""
    import torch

    if not Path(path).is_file():
        raise InputError(f"{path}: no checkpoint")
    model = _model(env_fn, cfg, 0)
    model.policy.load_state_dict(torch.load(path, weights_only=True, map_location="cpu"))
    model.policy.set_training_mode(False)
    return PPOAgent(model.policy)
