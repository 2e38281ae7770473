"""Sweeps: grids of analyses run locally or on Dask, with a resumable result store.

* :mod:`~powerlab.sweep.spec`: the YAML specification, validated before anything runs.
* :mod:`~powerlab.sweep.analyses`: the adapters (``power``, ``optimality``) a sweep can run.
* :mod:`~powerlab.sweep.plan`: chunks, their ``SeedSequence`` seeds, the pure chunk function.
* chunk summaries ``(n, mean, M2)`` and their combination are :mod:`powerlab.power.moments`.
* :mod:`~powerlab.sweep.executors`: in-process and ``dask.distributed`` executors.
* :mod:`~powerlab.sweep.store`: the Parquet result store with atomic per-chunk commits.
* :mod:`~powerlab.sweep.run`, :mod:`~powerlab.sweep.results`: running, resuming, combining.

See docs/sweep.md.
"""

from powerlab.power.moments import Moments, combine_all, moments_of
from powerlab.sweep.analyses import ANALYSES, Analysis, get_analysis
from powerlab.sweep.executors import DaskExecutor, InProcessExecutor, make_executor
from powerlab.sweep.plan import ChunkResult, ChunkTask, chunk_seed, compute_chunk, plan_chunks
from powerlab.sweep.results import SweepStatus, combine, status
from powerlab.sweep.run import SweepOutcome, run_sweep
from powerlab.sweep.spec import SweepSpec, load_spec, spec_from_dict
from powerlab.sweep.store import ResultStore

__all__ = [
    "ANALYSES",
    "Analysis",
    "ChunkResult",
    "ChunkTask",
    "DaskExecutor",
    "InProcessExecutor",
    "Moments",
    "ResultStore",
    "SweepOutcome",
    "SweepSpec",
    "SweepStatus",
    "chunk_seed",
    "combine",
    "combine_all",
    "compute_chunk",
    "get_analysis",
    "load_spec",
    "make_executor",
    "moments_of",
    "plan_chunks",
    "run_sweep",
    "spec_from_dict",
    "status",
]
