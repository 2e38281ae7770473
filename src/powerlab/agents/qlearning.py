r"""Tabular Q-learning (Watkins & Dayan 1992) with ε-greedy exploration, and its checkpoints.

Update after each step :math:`(s, a, r, s')`:

.. math:: Q(s,a) \leftarrow Q(s,a) + \alpha\,[\,r + \gamma\,(1 - d)\max_{a'} Q(s',a') - Q(s,a)\,],

with :math:`d = 1` when :math:`s'` ends the episode (a truncated episode bootstraps as
usual). Exploration is ε-greedy with ε decaying linearly from ``eps_start`` to ``eps_end``
over the first ``eps_decay`` of the episodes. The table starts at small i.i.d. values
:math:`U[0, 10^{-3}]` drawn from the seed, so greedy choices in states never visited during
training (out of distribution) are fixed but arbitrary for each seed, and not a tie rule.

Checkpoints: ``q.npz`` (the array ``Q: [n_obs, A]``, read with ``allow_pickle=False``) and
``config.json`` (the training config), so loading never unpickles anything.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from powerlab._io import atomic_write_bytes, atomic_write_json
from powerlab._random import Seed, as_generator
from powerlab._types import JSON
from powerlab.errors import InputError

__all__ = ["QAgent", "QConfig", "load_q", "save_q", "train_q"]


@dataclass(frozen=True)
class QConfig:
    """Q-learning hyperparameters (documented in the module docstring)."""

    episodes: int = 3000
    alpha: float = 0.5
    gamma: float = 0.95
    eps_start: float = 1.0
    eps_end: float = 0.05
    eps_decay: float = 0.5

    @staticmethod
    def quick() -> QConfig:
        """The ``--quick`` budget."""
        return QConfig(episodes=1500)


@dataclass(frozen=True, eq=False)
class QAgent:
    """A greedy tabular agent: ``Q: [n_obs, A]``; acts by argmax (deterministic)."""

    Q: np.ndarray
    stochastic: bool = False

    def probs(self, obs: list[Any]) -> np.ndarray:
        """``[B, A]`` action probabilities: one-hot on :math:`\\arg\\max_a Q(o, a)`."""
        idx = np.asarray([int(o) for o in obs], dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= self.Q.shape[0]):
            raise InputError("QAgent: observation index out of range of the Q-table")
        q = self.Q[idx]
        out = np.zeros_like(q)
        out[np.arange(len(idx)), q.argmax(axis=1)] = 1.0
        return out

    def values(self, obs: list[Any]) -> np.ndarray:
        """``[B]`` :math:`\\max_a Q(o, a)`, the agent's own value estimate."""
        idx = np.asarray([int(o) for o in obs], dtype=np.int64)
        return self.Q[idx].max(axis=1)


def train_q(
    env: Any,
    cfg: QConfig,
    rng: Seed = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[QAgent, JSON]:
    """Train on a gymnasium ``env`` with a ``Discrete`` observation space.

    Returns the agent and a log ``{"episodes", "steps", "success_last_10pct"}`` where success
    means the episode ended with positive reward.
    """
    n_obs = getattr(env.observation_space, "n", None)
    if n_obs is None:
        raise InputError("Q-learning needs a Discrete observation space (use obs='tabular')")
    A = int(env.action_space.n)
    gen = as_generator(rng)
    Q = gen.uniform(0.0, 1e-3, (int(n_obs), A))
    steps = 0
    wins: list[bool] = []
    decay = max(1, int(cfg.eps_decay * cfg.episodes))
    for ep in range(cfg.episodes):
        eps = cfg.eps_end + (cfg.eps_start - cfg.eps_end) * max(0.0, 1 - ep / decay)
        obs, _ = env.reset(seed=int(gen.integers(2**31)))
        done, total = False, 0.0
        while not done:
            s = int(obs)
            a = int(gen.integers(A)) if gen.random() < eps else int(Q[s].argmax())
            obs, r, term, trunc, _ = env.step(a)
            target = r if term else r + cfg.gamma * Q[int(obs)].max()
            Q[s, a] += cfg.alpha * (target - Q[s, a])
            total += r
            steps += 1
            done = term or trunc
        wins.append(total > 0)
        if progress is not None:
            progress(1)
    tail = wins[-max(1, len(wins) // 10) :]
    log = {"episodes": cfg.episodes, "steps": steps, "success_last_10pct": float(np.mean(tail))}
    return QAgent(Q), log


def save_q(agent: QAgent, config: JSON, outdir: Path) -> None:
    """Write ``q.npz`` and ``config.json`` into ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.savez(buf, Q=agent.Q)
    atomic_write_bytes(outdir / "q.npz", buf.getvalue())
    atomic_write_json(outdir / "config.json", config)


def load_q(outdir: Path) -> tuple[QAgent, JSON]:
    """Read a checkpoint written by :func:`save_q` (no unpickling)."""
    path = outdir / "q.npz"
    if not path.is_file():
        raise InputError(f"{path}: no Q-table checkpoint")
    with np.load(path, allow_pickle=False) as z:
        Q = np.array(z["Q"], dtype=np.float64)
    config = json.loads((outdir / "config.json").read_text())
    return QAgent(Q), config


def config_dict(cfg: QConfig) -> JSON:
    """JSON form of a :class:`QConfig`."""
    return asdict(cfg)
