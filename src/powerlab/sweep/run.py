"""Running a sweep: plan the chunks, skip the committed ones, run the rest, commit each.

:func:`run_sweep` is the same call whether the sweep is new, was interrupted (by Ctrl-C,
SIGKILL of the driver, or a lost worker) or has grown to more samples: it opens the store,
lists the chunks already committed, and computes only the others. A chunk counts once it is
committed (:meth:`~powerlab.sweep.store.ResultStore.commit`); a result computed but not yet
committed when the driver dies is simply computed again, with the same seed and bits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.sweep.analyses import get_analysis
from powerlab.sweep.executors import Executor, check_scheduler, make_executor, worker_versions
from powerlab.sweep.plan import plan_chunks
from powerlab.sweep.results import combine
from powerlab.sweep.spec import FORMAT, SweepSpec
from powerlab.sweep.store import ResultStore

__all__ = ["SweepOutcome", "build_manifest", "run_sweep"]

Started = Callable[[int, int], None]
"""Called once with (total samples, samples already committed)."""
Advance = Callable[[int], None]
"""Called with the number of samples of each newly committed chunk."""


@dataclass(frozen=True)
class SweepOutcome:
    """What a run did, and the combined results so far.

    Attributes:
        out: the store directory.
        complete: every planned chunk is committed.
        chunks_total, chunks_reused, chunks_computed: chunk counts.
        samples_total, samples_computed: reward samples (over all cells).
        seconds: wall time of this run; ``throughput`` = samples_computed / seconds.
        results: the combined table (:func:`powerlab.sweep.results.combine`).
    """

    out: Path
    complete: bool
    chunks_total: int
    chunks_reused: int
    chunks_computed: int
    samples_total: int
    samples_computed: int
    seconds: float
    results: pd.DataFrame

    @property
    def throughput(self) -> float:
        """Samples per second computed by this run (0 when nothing was computed)."""
        return self.samples_computed / self.seconds if self.seconds > 0 else 0.0


def build_manifest(spec: SweepSpec) -> JSON:
    """The store's ``sweep.json``: spec, fingerprint, labels of each cell, versions."""
    analysis = get_analysis(spec.analysis)
    cells = []
    for c, (e, d) in enumerate(spec.cells):
        mdp = spec.mdps[e]
        cells.append(
            {
                "cell": c,
                "env": spec.envs[e].label,
                "dist": spec.distributions[d],
                "items": analysis.items(mdp, spec.envs[e].params),
                "params": spec.envs[e].params,
                "grid_shape": list(mdp.grid_shape) if mdp.grid_shape else None,
                "grid_cells": (
                    [list(rc) for rc in mdp.grid_cells]
                    if mdp.grid_cells and analysis.item_name == "state"
                    else None
                ),
            }
        )
    return {
        "format": FORMAT,
        "fingerprint": spec.fingerprint(),
        "name": spec.name,
        "analysis": spec.analysis,
        "item_name": analysis.item_name,
        "estimate_name": analysis.estimate_name,
        "samples": spec.samples,
        "chunk_size": spec.chunk_size,
        "n_chunks": spec.n_chunks,
        "gammas": list(spec.gammas),
        "cells": cells,
        "spec": spec.to_dict(),
        "versions": worker_versions(),
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    scheduler: str | None = None,
    executor: Executor | None = None,
    started: Started | None = None,
    advance: Advance | None = None,
    max_chunks: int | None = None,
) -> SweepOutcome:
    """Run (or resume) ``spec`` into the store ``out``; see the module docstring.

    Args:
        spec: a validated specification (:func:`powerlab.sweep.load_spec`).
        out: the store directory (created if needed).
        scheduler: ``None`` (in-process), ``local:N`` or ``tcp://HOST:PORT``.
        executor: an executor to use instead of ``scheduler`` (not closed here).
        started, advance: progress callbacks (samples).
        max_chunks: stop after committing this many new chunks (for tests and dry runs).
    """
    t0 = time.perf_counter()
    check_scheduler(scheduler)
    if max_chunks is not None and max_chunks < 0:
        raise InputError(f"--max-chunks must be at least 0, got {max_chunks}")
    manifest = build_manifest(spec)
    fp = manifest["fingerprint"]
    computed = samples_computed = 0
    if Path(out).exists() and not Path(out).is_dir():
        raise InputError(f"{out}: exists and is not a directory")
    with ResultStore(Path(out)).lock():  # first the lock, then the manifest
        store = ResultStore.create(out, manifest)
        store.clean_temporaries()
        tasks = plan_chunks(spec)
        done = store.done()
        todo = [t for t in tasks if (t.cell, t.chunk, t.n) not in done]
        total = sum(t.n for t in tasks)
        if started is not None:
            started(total, total - sum(t.n for t in todo))
        if max_chunks is not None:
            todo = todo[: max(0, max_chunks)]
        if todo:
            own = executor is None
            ex = executor if executor is not None else make_executor(scheduler)
            try:
                for result in ex.run(todo, spec.mdps):
                    store.commit(result, fp)
                    computed += 1
                    samples_computed += result.n
                    if advance is not None:
                        advance(result.n)
            finally:
                if own:
                    ex.close()
        results, n_done = combine(store)
    return SweepOutcome(
        out=store.root,
        complete=n_done == len(tasks),
        chunks_total=len(tasks),
        chunks_reused=len(tasks) - len([t for t in tasks if (t.cell, t.chunk, t.n) not in done]),
        chunks_computed=computed,
        samples_total=total,
        samples_computed=samples_computed,
        seconds=time.perf_counter() - t0,
        results=results,
    )
