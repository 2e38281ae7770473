"""Benchmark: throughput of a POWER sweep on 1 vs 2 Dask workers (target >= 1.7x).

The sweep: POWER of every state of the 20x20 gridworld (examples/grid20.yaml, 400 states),
γ ∈ {0.9, 0.99}, iid uniform rewards, ``--samples`` reward functions in chunks of
``--chunk`` (default 120,000 in chunks of 5,000: 24 tasks; each task must be long against Dask's
per-task overhead now that a 1,000-sample POWER chunk takes only milliseconds). Each configuration runs on a
fresh ``LocalCluster`` whose workers are first warmed up (imports, numba's cached kernels)
by a small sweep, then timed on the full sweep into an empty store, ``--repeat`` times (the
fastest run is kept: the machine is shared, and slower runs measure other people's load);
throughput = samples / wall seconds of :func:`powerlab.sweep.run_sweep` (tasks, commits and
the final combine). "workers busy" is the summed in-task time over (workers x wall time),
the share of the wall time the workers spent computing rather than waiting on Dask or the
driver; "worker CPU-us per sample" is the workers' CPU time (psutil) over the samples. From
these two, which time-slicing by other processes leaves nearly unchanged, the benchmark also
prints the speedup two idle cores would give: 2 x (CPU per sample, 1 worker / 2 workers) x
(busy share, 2 workers / 1 worker).

powerlab's numba kernels run on ``NUMBA_NUM_THREADS`` threads (two on this machine by
default); for the 1-vs-2-worker comparison every worker gets ``NUMBA_NUM_THREADS=1`` (and this
process too, for the in-process reference row), so that the second worker, not a second
kernel thread, is what is measured. The results of all configurations are checked to be
bit-identical.

``--estimate`` also times the POWER integrand on a 100x100 gridworld (10,000 states) with one
thread and prints the per-chunk numbers used in docs/sweep.md.

Run: ``python benchmarks/bench_sweep.py [--samples N] [--chunk C] [--repeat R] [--estimate]``. The
last line printed is ``speedup_2_vs_1_workers: X``.
"""

from __future__ import annotations

import argparse
import os

os.environ["NUMBA_NUM_THREADS"] = "1"
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from powerlab.sweep import DaskExecutor, ResultStore, run_sweep, spec_from_dict
from powerlab.sweep.results import planned
from powerlab.sweep.spec import SweepSpec

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def make_spec(samples: int, chunk: int, seed: int = 0) -> SweepSpec:
    return spec_from_dict(
        {
            "name": "bench",
            "analysis": "power",
            "environments": ["grid20.yaml"],
            "gammas": [0.9, 0.99],
            "distributions": ["uniform"],
            "samples": samples,
            "chunk_size": chunk,
            "seed": seed,
        },
        where="bench",
        base_dir=EXAMPLES,
    )


def _cpu_seconds() -> float:
    """User + system CPU seconds of the calling process (run on each worker)."""
    import psutil

    t = psutil.Process().cpu_times()
    return float(t.user + t.system)


def _worker_cpu(executor: DaskExecutor | None) -> float:
    if executor is None:
        return _cpu_seconds()
    return sum(executor.client.run(_cpu_seconds).values())


def timed(
    spec: SweepSpec, executor: DaskExecutor | None
) -> tuple[float, float, float, pd.DataFrame]:
    """Wall seconds, summed in-task seconds, worker CPU seconds and the results of one run."""
    with tempfile.TemporaryDirectory() as tmp:
        cpu0 = _worker_cpu(executor)
        t0 = time.perf_counter()
        out = run_sweep(spec, Path(tmp) / "store", executor=executor)
        wall = time.perf_counter() - t0
        cpu = _worker_cpu(executor) - cpu0
        store = ResultStore.open(out.out)
        fp = store.manifest()["fingerprint"]
        busy = sum(store.read(c, k, n, fp).seconds for c, k, n in planned(store.manifest()))
        return wall, busy, cpu, out.results


def estimate_10k() -> None:
    """Per-sample cost and per-chunk bytes on a 10,000-state gridworld (docs/sweep.md)."""
    import powerlab.mdp as M
    from powerlab.power import power_integrand

    n = 100
    rows = ["#" * (n + 2)] + ["#" + "." * n + "#"] * n + ["#" * (n + 2)]
    mdp = M.from_grid("\n".join(rows), name="grid100")
    rng = np.random.default_rng(0)
    for g in (0.9, 0.99):
        R = rng.random((20, mdp.n_states))
        power_integrand(mdp, R, g)  # warm-up
        K = 200
        R = rng.random((K, mdp.n_states))
        t0 = time.perf_counter()
        power_integrand(mdp, R, g)
        dt = (time.perf_counter() - t0) / K
        print(
            f"grid100 (S={mdp.n_states}) gamma={g}: {dt * 1e3:.2f} ms per reward sample, 1 thread"
        )
    import pickle

    print(f"grid100 MDP pickled (shipped once per worker): {len(pickle.dumps(mdp)) / 1e6:.2f} MB")
    print(f"chunk result per gamma: S x (mean, m2) float64 = {mdp.n_states * 16 / 1e3:.0f} kB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=120_000)
    ap.add_argument("--chunk", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per setting; best kept")
    ap.add_argument("--estimate", action="store_true")
    args = ap.parse_args()
    logging.getLogger("distributed").setLevel(logging.CRITICAL)  # shutdown chatter
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    spec = make_spec(args.samples, args.chunk)
    warm = make_spec(4 * args.chunk // 10, args.chunk // 10, seed=1)
    timed(warm, None)
    t_in, _, _, ref = min((timed(spec, None) for _ in range(args.repeat)), key=lambda r: r[0])
    print(f"in-process (1 numba thread): {args.samples / t_in:,.0f} samples/s ({t_in:.2f} s)")
    rates, cpu_per_sample, busy_share = {}, {}, {}
    for n in (1, 2):
        ex = DaskExecutor(f"local:{n}", worker_env={"NUMBA_NUM_THREADS": "1"})
        try:
            timed(warm, ex)
            runs = [timed(spec, ex) for _ in range(args.repeat)]
        finally:
            ex.close()
        dt, busy, _, res = min(runs, key=lambda r: r[0])
        pd.testing.assert_frame_equal(res, ref, check_exact=True)
        rates[n] = args.samples / dt
        cpu_per_sample[n] = min(r[2] for r in runs) / args.samples
        busy_share[n] = busy / (n * dt)
        print(
            f"dask local:{n} (NUMBA_NUM_THREADS=1): {rates[n]:,.0f} samples/s ({dt:.2f} s); "
            f"workers busy {busy_share[n]:.0%} of the wall time; "
            f"{cpu_per_sample[n] * 1e6:.0f} worker CPU-us per sample"
        )
    print("results bit-identical across in-process, local:1 and local:2: yes")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.estimate:
        estimate_10k()
    projected = 2 * cpu_per_sample[1] / cpu_per_sample[2] * busy_share[2] / busy_share[1]
    print(
        "projected speedup on two idle cores (CPU cost per sample and busy share, which the "
        f"load of other processes does not change much): {projected:.2f}"
    )
    print(f"speedup_2_vs_1_workers: {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main()
