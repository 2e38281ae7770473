"""PPO agents from stable-baselines3 (Schulman et al. 2017), on CPU, and safe checkpoints.

torch and stable-baselines3 are imported inside the functions, so that the rest of
powerlab does not pay for them.

Checkpoints: ``policy.pt`` holds only the policy network's ``state_dict`` (tensors),
written with ``torch.save`` and read with ``torch.load(weights_only=True)``, which refuses
arbitrary pickled objects; ``config.json`` holds the hyperparameters and the environment
family, from which the network is rebuilt before the weights are loaded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from powerlab._io import atomic_write, atomic_write_json
from powerlab.errors import InputError

__all__ = ["PPOAgent", "PPOConfig", "load_ppo", "save_ppo", "sb3_ppo", "train_ppo"]


@dataclass(frozen=True)
class PPOConfig:
    """PPO hyperparameters (stable-baselines3 names); ``net`` is the MLP's hidden widths."""

    timesteps: int = 200_000
    n_envs: int = 8
    n_steps: int = 128
    batch_size: int = 256
    learning_rate: float = 5e-4
    gamma: float = 0.95
    ent_coef: float = 0.01
    n_epochs: int = 4
    net: tuple[int, ...] = (64, 64)

    @staticmethod
    def quick() -> PPOConfig:
        """The ``--quick`` budget (about a minute per seed on one core)."""
        return PPOConfig(timesteps=60_000)


def sb3_ppo(
    env_fn: Callable[[], Any],
    seed: int,
    policy: str,
    policy_kwargs: dict[str, Any],
    **hyper: float,
) -> Any:
    """A stable-baselines3 ``PPO`` on CPU with one torch thread, over ``n_envs`` copies of
    ``env_fn`` (``hyper``: ``n_envs`` and SB3's PPO keyword arguments)."""
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    torch.set_num_threads(1)
    hyper = dict(hyper)
    venv = make_vec_env(env_fn, n_envs=int(hyper.pop("n_envs")), seed=seed)
    ints = ("n_steps", "batch_size", "n_epochs")
    kwargs: dict[str, Any] = {k: int(v) if k in ints else v for k, v in hyper.items()}
    return PPO(
        policy,
        venv,
        **kwargs,
        policy_kwargs=policy_kwargs,
        seed=seed,
        device="cpu",
        verbose=0,
    )


def _model(env_fn: Callable[[], Any], cfg: PPOConfig, seed: int) -> Any:
    hyper = {k: v for k, v in asdict(cfg).items() if k not in ("timesteps", "net")}
    return sb3_ppo(env_fn, seed, "MlpPolicy", {"net_arch": list(cfg.net)}, **hyper)


class PPOAgent:
    """A trained actor-critic: stochastic policy :math:`\\pi(a|o)` and critic :math:`V(o)`."""

    stochastic = True

    def __init__(self, policy: Any) -> None:
        self.policy = policy

    def _tensor(self, obs: list[Any]) -> Any:
        import torch

        return torch.as_tensor(np.stack([np.asarray(o, dtype=np.float32) for o in obs]))

    def probs(self, obs: list[Any]) -> np.ndarray:
        """``[B, A]`` the policy's action probabilities."""
        import torch

        with torch.no_grad():
            dist = self.policy.get_distribution(self._tensor(obs))
            return dist.distribution.probs.cpu().numpy().astype(np.float64)

    def values(self, obs: list[Any]) -> np.ndarray:
        """``[B]`` the critic's value estimates :math:`V(o)`."""
        import torch

        with torch.no_grad():
            return self.policy.predict_values(self._tensor(obs)).cpu().numpy().ravel()


def train_ppo(
    env_fn: Callable[[], Any],
    cfg: PPOConfig,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[PPOAgent, dict[str, Any]]:
    """Train PPO for ``cfg.timesteps`` steps; ``progress`` is called with steps done."""
    from stable_baselines3.common.callbacks import BaseCallback

    model = _model(env_fn, cfg, seed)
    rewards: list[float] = []

    class _Cb(BaseCallback):  # type: ignore[misc]
        def _on_step(self) -> bool:
            if progress is not None:
                progress(self.training_env.num_envs)
            for info in self.locals.get("infos", []):
                ep = info.get("episode")
                if ep is not None:
                    rewards.append(float(ep["r"]))
            return True

    model.learn(total_timesteps=cfg.timesteps, callback=_Cb())
    tail = rewards[-max(1, len(rewards) // 10) :] if rewards else [0.0]
    log = {
        "timesteps": cfg.timesteps,
        "episodes": len(rewards),
        "success_last_10pct": float(np.mean(tail)),
    }
    return PPOAgent(model.policy), log


def save_ppo(agent: PPOAgent, config: dict[str, Any], outdir: Path) -> None:
    """Write ``policy.pt`` (state_dict only) and ``config.json``."""
    import torch

    outdir.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in agent.policy.state_dict().items()}
    atomic_write(outdir / "policy.pt", lambda p: torch.save(state, p))
    atomic_write_json(outdir / "config.json", config)


def ppo_config_dict(cfg: PPOConfig) -> dict[str, Any]:
    """JSON form of a :class:`PPOConfig`."""
    d = asdict(cfg)
    d["net"] = list(cfg.net)
    return d


def load_ppo(outdir: Path, env_fn: Callable[[], Any]) -> tuple[PPOAgent, dict[str, Any]]:
    """Rebuild the network from ``config.json`` and load ``policy.pt`` with ``weights_only``."""
    import torch

    path = outdir / "policy.pt"
    if not path.is_file():
        raise InputError(f"{path}: no PPO checkpoint")
    config = json.loads((outdir / "config.json").read_text())
    hp = dict(config["algo_config"])
    hp["net"] = tuple(hp["net"])
    cfg = PPOConfig(**hp)
    model = _model(env_fn, cfg, int(config["seed"]))
    state = torch.load(path, weights_only=True, map_location="cpu")
    model.policy.load_state_dict(state)
    model.policy.set_training_mode(False)
    return PPOAgent(model.policy), config
