"""Running the protocol resumably: one file per finished chunk (seed, k, γ).

Layout of a protocol directory ``DIR``::

    DIR/protocol.json                     the ProtocolConfig, written once
    DIR/chunks/s03-k3-g0.950.json         one finished chunk (:func:`run_chunk`'s record
                                          plus provenance: command, package versions,
                                          CPU seconds, git commit, UTC time)

A chunk file is written atomically when its chunk finishes, so an interrupted run leaves
only whole chunks; rerunning the same command computes only the missing ones. The chunks
are independent tasks, so they run in this process or through the sweep engine's executors
(:func:`powerlab.sweep.make_executor`: a ``dask.distributed`` cluster, ``local:N`` or
``tcp://HOST:PORT`` as for ``powerlab sweep``, with retries and lost-worker reruns), one
task per chunk. ``on_chunk`` is called with each new file's path (the experiment script uses it
to commit the file, so a run resumes from the repository).
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from powerlab._io import atomic_write_json
from powerlab._provenance import git_commit, version
from powerlab._types import JSON
from powerlab.agents.protocol import ProtocolConfig, run_chunk
from powerlab.errors import InputError

__all__ = [
    "ChunkExecutor",
    "analyze_protocol",
    "chunk_path",
    "chunk_record",
    "load_chunks",
    "load_config",
    "pending_chunks",
    "protocol_status",
    "provenance",
    "run_protocol",
]


def chunk_path(out: Path, seed: int, k: int, gamma: float) -> Path:
    """Where chunk (seed, k, γ) is stored."""
    return Path(out) / "chunks" / f"s{seed:02d}-k{k}-g{gamma:.3f}.json"


def provenance(command: str) -> JSON:
    """The command, package versions, git commit and time (``finished_utc``, overwritten
    with the chunk's finishing time) of a result."""
    versions = {"python": platform.python_version(), "powerlab": version()}
    for mod in ("numpy", "torch", "stable_baselines3", "gymnasium"):
        m = sys.modules.get(mod)
        if m is None:
            try:
                m = __import__(mod)
            except ImportError:
                continue
        versions[mod] = str(getattr(m, "__version__", "?"))
    return {
        "command": command,
        "versions": versions,
        "git_commit": git_commit(),
        "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
    }


def load_config(out: Path) -> ProtocolConfig:
    """The protocol of a directory."""
    path = Path(out) / "protocol.json"
    if not path.is_file():
        raise InputError(f"{out}: not a protocol directory (no protocol.json)")
    return ProtocolConfig.from_dict(json.loads(path.read_text())["config"])


def load_chunks(out: Path) -> list[JSON]:
    """Every finished chunk record of a protocol directory, in file-name order."""
    return [json.loads(p.read_text()) for p in sorted((Path(out) / "chunks").glob("*.json"))]


class ChunkExecutor(Protocol):
    """What runs the chunks: anything with ``map(fn, calls)`` yielding ``fn(*args)`` for
    each argument tuple in any order, such as :func:`powerlab.sweep.make_executor`'s
    in-process and Dask executors (the CLI passes one for ``--scheduler``)."""

    def map(self, fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> Iterator[Any]:
        """Yield ``fn(*args)`` for every ``args``."""
        ...


class _InProcess:
    def map(self, fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> Iterator[Any]:
        for args in calls:
            yield fn(*args)


def chunk_record(cfg: ProtocolConfig, seed: int, k: int, gamma: float, started: JSON) -> JSON:
    """One chunk as a task: :func:`~powerlab.agents.protocol.run_chunk`'s JSON record with
    the run's provenance and the chunk's finishing time (the weights are dropped). A pure
    function of its arguments up to wall-clock fields, so a rerun of a lost task is safe."""
    rec = run_chunk(cfg, seed, k, gamma)
    rec.pop("_agent")
    done = datetime.now(UTC).isoformat(timespec="seconds")
    rec["provenance"] = {**started, "finished_utc": done}
    return rec


def pending_chunks(cfg: ProtocolConfig, out: Path) -> list[tuple[int, int, float]]:
    """The chunks ``(seed, k, γ)`` of ``cfg`` not yet written under ``out``, in run order."""
    return [c for c in cfg.chunks() if not chunk_path(Path(out), *c).is_file()]


def run_protocol(
    cfg: ProtocolConfig,
    out: Path,
    *,
    command: str = "",
    executor: ChunkExecutor | None = None,
    limit: int | None = None,
    on_chunk: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Run every chunk of ``cfg`` not yet in ``out`` (at most ``limit`` of them) on
    ``executor`` (default: in this process, one after another); returns the new chunk
    files. Refuses a directory holding a different protocol."""
    out = Path(out)
    path = out / "protocol.json"
    if path.is_file():
        if load_config(out) != cfg:
            raise InputError(f"{out}: holds a different protocol; use another directory")
    else:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_json(path, {"config": cfg.to_dict(), "command": command})
    todo = pending_chunks(cfg, out)[:limit]
    started = provenance(command)  # the commit and versions this run's code comes from
    runner = executor if executor is not None else _InProcess()
    written = []
    for rec in runner.map(chunk_record, [(cfg, s, k, g, started) for s, k, g in todo]):
        p = chunk_path(out, rec["seed"], rec["k"], rec["gamma"])
        p.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_json(p, rec)
        written.append(p)
        if on_chunk is not None:
            on_chunk(p)
    return written


def protocol_status(out: Path, workers: int = 1) -> JSON:
    """Where a protocol run stands: one :func:`~powerlab.agents.study.agent_summary` line
    per finished chunk, the chunks still to run (in run order), and the remaining cost
    estimated as (mean CPU seconds of a finished chunk) x (chunks left), with its standard
    error from the spread of the finished chunks' CPU times; the wall-clock estimate
    divides by ``workers`` (chunks run one per worker, so this assumes a core each). A
    chunk in progress counts as not started."""
    from powerlab.agents.study import agent_summary

    if workers < 1:
        raise InputError(f"workers must be >= 1, got {workers}")
    cfg = load_config(out)
    done = [agent_summary(c, cfg.layouts) for c in load_chunks(out)]
    todo = pending_chunks(cfg, out)
    cpu = np.array([a["cpu_seconds"] for a in done], dtype=float)
    mean = float(cpu.mean()) if cpu.size else None
    se = float(cpu.std(ddof=1) / np.sqrt(cpu.size)) if cpu.size > 1 else None
    left = None if mean is None else mean * len(todo)
    return {
        "gate": {"rate": cfg.gate_rate, "stretch": cfg.gate_stretch},
        "chunks_done": len(done),
        "chunks_planned": len(cfg.chunks()),
        "passed": sum(1 for a in done if a["passed"]),
        "agents": done,
        "pending": [{"seed": s, "k": k, "gamma": g} for s, k, g in todo],
        "cpu_seconds_done": float(cpu.sum()),
        "cpu_seconds_per_chunk": mean,
        "cpu_seconds_per_chunk_se": se,
        "cpu_seconds_left": left,
        "cpu_seconds_left_se": None if se is None else se * len(todo),
        "workers": workers,
        "wall_seconds_left": None if left is None else left / workers,
    }


FIGURES: tuple[str, ...] = ("k_sweep.png", "calibration.png", "training.png", "shutdown.png")


def analyze_protocol(out: Path, K: int = 30, B: int = 1000, rng: int = 0) -> JSON:
    """Analyse the finished chunks of ``out`` (:func:`powerlab.agents.study.analyze`);
    writes ``analysis.json`` (with the chunks' total CPU time and provenance) and the
    figures :data:`FIGURES` under ``out/figures``. Partial runs are analysed as they are."""
    from powerlab._figures import save_figure
    from powerlab.agents.study import analyze
    from powerlab.agents.studyplot import (
        plot_calibration,
        plot_k_sweep,
        plot_shutdown,
        plot_training,
    )

    out = Path(out)
    cfg = load_config(out)
    chunks = load_chunks(out)
    if not chunks:
        raise InputError(f"{out}: no finished chunks yet")
    res = analyze(cfg, chunks, K=K, B=B, rng=rng)
    res["chunks_done"] = len(chunks)
    res["chunks_planned"] = len(cfg.chunks())
    res["cpu_seconds_total"] = sum(sum(c["cpu_seconds"].values()) for c in chunks)
    res["provenance"] = [
        {"chunk": f"s{c['seed']}-k{c['k']}-g{c['gamma']}", **c["provenance"]} for c in chunks
    ]
    res["analysis_provenance"] = provenance(f"powerlab agents protocol analyze {out}")
    atomic_write_json(out / "analysis.json", res)
    figs = out / "figures"
    figs.mkdir(exist_ok=True)
    save_figure(plot_k_sweep(res), figs / "k_sweep.png")
    save_figure(plot_calibration(res), figs / "calibration.png")
    save_figure(plot_training(chunks), figs / "training.png")
    save_figure(plot_shutdown(res), figs / "shutdown.png")
    return res
