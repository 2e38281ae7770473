"""Benchmark for the trained-agent protocol: PPO training throughput and the full run's CPU time.

Workload. (1) Environment steps per second of the procedural maze alone, random actions
(the reference, measured in the same run). (2) Environment steps per second of PPO
training of the protocol's CNN (``powerlab.agents.cnn``, stable-baselines3, one torch
thread) on the ``full`` preset's mazes, over ``--steps`` steps, in process CPU time and wall
time; the ratio (1)/(2) says how much of training is the learner. (3) One chunk's
evaluation (rollouts on its held-out suite) with an untrained network. (4) The projected CPU
time of the full protocol: chunks x (timesteps / training rate + evaluation), and the same
divided by the cores given with ``--cores`` (default 2). (5) When ``--results DIR`` holds
finished chunks (default ``examples/agents/protocol-full``), the CPU time they recorded,
measured rather than projected.

Run: ``python benchmarks/bench_agents.py [--steps 16384] [--cores 2]``. The last line is
``full_run_hours_on_N_cores: H``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from powerlab.agents.cnn import train_cnn
from powerlab.agents.evaluate import rollout
from powerlab.agents.protocol import PRESETS, held_out_suite


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=16_384)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--results", default="examples/agents/protocol-full")
    args = ap.parse_args()
    cfg = PRESETS["full"]
    k, gamma = cfg.ks[len(cfg.ks) // 2], cfg.gamma

    env = cfg.env(k, gamma)
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    t, n = time.process_time(), 0
    while n < 20_000:
        _, _, term, trunc, _ = env.step(int(rng.integers(6)))
        n += 1
        if term or trunc:
            env.reset()
    env_rate = n / (time.process_time() - t)
    print(f"env_only_steps_per_cpu_s: {env_rate:.0f}")

    ppo = dataclasses.replace(cfg.ppo, timesteps=args.steps)
    t, w = time.process_time(), time.perf_counter()
    agent, _ = train_cnn(lambda: cfg.env(k, gamma), ppo, seed=0)
    cpu, wall = time.process_time() - t, time.perf_counter() - w
    rate = args.steps / cpu
    print(f"ppo_cnn_steps_per_cpu_s: {rate:.0f}  (wall {args.steps / wall:.0f}/s)")
    print(f"ratio_env_only_to_training: {env_rate / rate:.1f}")

    cases = held_out_suite(cfg, k, gamma)
    t = time.process_time()
    sample = cases[:: max(1, len(cases) // 20)]
    for j, case in enumerate(sample):
        rollout(agent, env, case, rng, 0, j)
    per_episode = (time.process_time() - t) / len(sample)
    evaluation = per_episode * len(cases) * cfg.rollouts
    print(f"evaluation_cpu_s_per_chunk: {evaluation:.0f}  ({per_episode * 1000:.1f} ms/episode)")

    chunks = len(cfg.chunks())
    per_chunk = cfg.ppo.timesteps / rate + evaluation
    total = chunks * per_chunk
    print(
        f"full_run: {chunks} chunks x ({cfg.ppo.timesteps} steps + evaluation) "
        f"= {total / 3600:.1f} CPU hours"
    )
    done = sorted(Path(args.results).glob("chunks/*.json"))
    if done:
        recs = [json.loads(p.read_text()) for p in done]
        cpu_done = sum(sum(r["cpu_seconds"].values()) for r in recs)
        steps_done = sum(r["training"]["timesteps"] for r in recs)
        train_done = sum(r["cpu_seconds"]["train"] for r in recs)
        print(
            f"measured: {len(recs)}/{chunks} chunks in {args.results} took "
            f"{cpu_done / 3600:.2f} CPU hours ({steps_done / train_done:.0f} training steps per "
            f"CPU s); at that rate the full run is {cpu_done / len(recs) * chunks / 3600:.1f} "
            "CPU hours"
        )
    print(f"full_run_hours_on_{args.cores}_cores: {total / 3600 / args.cores:.1f}")


if __name__ == "__main__":
    main()
