"""Training runs: many seeds of one algorithm on one family, saved as a run directory.

Layout of a run directory::

    run.json             {"family": FamilyConfig, "algo": "q"|"ppo", "seeds": [...],
                          "quick": bool, "algo_config": {...}}
    seed-000/config.json the same plus "seed" and the training log
    seed-000/q.npz       (Q-learning)  or  seed-000/policy.pt (PPO, a state_dict)

Nothing in it is unpickled on loading (:mod:`powerlab.agents.qlearning`,
:mod:`powerlab.agents.ppo`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from powerlab._io import atomic_write_json
from powerlab._types import JSON
from powerlab.agents.families import FamilyConfig, make_env
from powerlab.agents.qlearning import QConfig, config_dict, load_q, save_q, train_q
from powerlab.errors import InputError

__all__ = ["ALGOS", "default_family", "load_run", "train_run"]

ALGOS: tuple[str, ...] = ("q", "ppo")


def default_family(family: str, algo: str, quick: bool) -> FamilyConfig:
    """The family config an algorithm trains on: tabular for Q, images (and a pool of
    procedurally generated layouts) for PPO."""
    if algo not in ALGOS:
        raise InputError(f"unknown algorithm {algo!r}; expected q or ppo")
    if algo == "q":
        return FamilyConfig(family=family, obs="tabular", n_layouts=1)
    return FamilyConfig(family=family, obs="image", n_layouts=200 if quick else 1000)


def _budget(algo: str, quick: bool) -> tuple[Any, int]:
    if algo == "q":
        q = QConfig.quick() if quick else QConfig()
        return q, q.episodes
    from powerlab.agents.ppo import PPOConfig

    p = PPOConfig.quick() if quick else PPOConfig()
    return p, p.timesteps


def train_run(
    family: FamilyConfig,
    algo: str,
    seeds: int,
    quick: bool,
    out: Path,
    progress: Callable[[int], None] | None = None,
) -> JSON:
    """Train ``seeds`` agents (seeds 0..seeds-1) and write the run directory ``out``.

    ``progress`` is called with episodes (Q) or environment steps (PPO) done.
    Returns the run record (``run.json``) with the training log of each seed.
    """
    if algo not in ALGOS:
        raise InputError(f"unknown algorithm {algo!r}; expected q or ppo")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise InputError(f"--seeds must be a positive integer, got {seeds!r}")
    if algo == "q" and family.obs != "tabular":
        raise InputError("Q-learning needs obs='tabular'")
    cfg, _ = _budget(algo, quick)
    algo_config: JSON
    if algo == "q":
        algo_config = config_dict(cfg)
    else:
        from powerlab.agents.ppo import ppo_config_dict

        algo_config = ppo_config_dict(cfg)
    record: JSON = {
        "family": family.to_dict(),
        "algo": algo,
        "seeds": list(range(seeds)),
        "quick": quick,
        "algo_config": algo_config,
        "logs": [],
    }
    out.mkdir(parents=True, exist_ok=True)
    for seed in range(seeds):
        conf = {k: record[k] for k in ("family", "algo", "quick", "algo_config")}
        conf["seed"] = seed
        sdir = out / f"seed-{seed:03d}"
        if algo == "q":
            agent, log = train_q(make_env(family), cfg, rng=seed, progress=progress)
            conf["log"] = log
            save_q(agent, conf, sdir)
        else:
            from powerlab.agents.ppo import save_ppo, train_ppo

            pagent, log = train_ppo(lambda: make_env(family), cfg, seed, progress=progress)
            conf["log"] = log
            save_ppo(pagent, conf, sdir)
        record["logs"].append({"seed": seed, **log})
    atomic_write_json(out / "run.json", record)
    return record


def load_run(run_dir: Path) -> tuple[JSON, FamilyConfig, list[tuple[int, Any]]]:
    """Read a run directory: ``(record, family config, [(seed, agent), ...])``."""
    path = Path(run_dir) / "run.json"
    if not path.is_file():
        raise InputError(f"{run_dir}: not a run directory (no run.json)")
    try:
        record = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(record, dict) or "family" not in record or "algo" not in record:
        raise InputError(f"{path}: expected keys family, algo, seeds")
    fam = FamilyConfig.from_dict(record["family"])
    agents: list[tuple[int, Any]] = []
    for seed in record.get("seeds", []):
        sdir = Path(run_dir) / f"seed-{int(seed):03d}"
        agent: Any
        if record["algo"] == "q":
            agent, _ = load_q(sdir)
        elif record["algo"] == "ppo":
            from powerlab.agents.ppo import load_ppo

            agent, _ = load_ppo(sdir, lambda: make_env(fam))
        else:
            raise InputError(f"{path}: unknown algo {record['algo']!r}")
        agents.append((int(seed), agent))
    if not agents:
        raise InputError(f"{path}: the run has no seeds")
    return record, fam, agents
