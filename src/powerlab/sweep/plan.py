"""Chunk planning: independent tasks with their own seeds, and the pure function that runs one.

Chunk ``k`` of cell ``c`` draws its rewards from

    ``numpy.random.SeedSequence(seed, spawn_key=(c, k))``,

which is exactly ``SeedSequence(seed).spawn(c + 1)[c].spawn(k + 1)[k]`` (numpy's spawning
appends the child's index to ``spawn_key``). Its numbers depend only on ``(seed, c, k)``, never
on which process runs it, when, or after which other chunk, so every executor gives the same
bits. Inside a chunk the ``n`` samples are drawn and evaluated in batches of the spec's
``batch_size`` (fixed by the spec, not by the machine), every γ on the same rewards, and summarised
as :class:`~powerlab.power.moments.Moments` per γ by the estimator's own loop,
:func:`~powerlab.power.moments.draw_moments`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass

import numpy as np

from powerlab._types import JSON
from powerlab.mdp.model import MDP
from powerlab.power.distributions import parse_dist
from powerlab.power.moments import Moments, draw_moments
from powerlab.sweep.analyses import get_analysis
from powerlab.sweep.spec import SweepSpec

__all__ = ["ChunkResult", "ChunkTask", "chunk_seed", "compute_chunk", "plan_chunks"]

# One chunk at a time per process: numba's default threading layer must not be entered from
# two threads at once (a Dask worker may run several task threads).
_NUMERIC_LOCK = threading.Lock()


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to compute one chunk, except the MDP (shipped once).

    Attributes:
        cell: cell index (environment-major, then distribution).
        chunk: chunk index within the cell.
        env: environment index (into the spec's ``envs``/``mdps``).
        n: samples in this chunk.
        seed: the sweep's root seed.
        batch_size: samples per array batch.
        gammas: the γ grid.
        analysis: analysis name (:data:`powerlab.sweep.analyses.ANALYSES`).
        dist: distribution spec.
        params: the analysis' per-environment parameters.
        options: the analysis' options.
    """

    cell: int
    chunk: int
    env: int
    n: int
    seed: int
    batch_size: int
    gammas: tuple[float, ...]
    analysis: str
    dist: str
    params: JSON
    options: JSON


@dataclass(frozen=True)
class ChunkResult:
    """Summary of one chunk: ``mean, m2: [G, I]`` per γ and item, ``solver_error: [G]``."""

    cell: int
    chunk: int
    n: int
    mean: np.ndarray
    m2: np.ndarray
    solver_error: np.ndarray
    seconds: float
    worker: str

    def moments(self, j: int) -> Moments:
        """The :class:`Moments` of γ number ``j``."""
        return Moments(self.n, self.mean[j], self.m2[j])


def chunk_seed(seed: int, cell: int, chunk: int) -> np.random.SeedSequence:
    """The seed sequence of chunk ``chunk`` of cell ``cell`` (module docstring)."""
    return np.random.SeedSequence(seed, spawn_key=(cell, chunk))


def plan_chunks(spec: SweepSpec) -> list[ChunkTask]:
    """All chunk tasks of ``spec`` in the fixed combination order (cell, then chunk)."""
    tasks = []
    for c, (e, d) in enumerate(spec.cells):
        env = spec.envs[e]
        for k in range(spec.n_chunks):
            tasks.append(
                ChunkTask(
                    cell=c,
                    chunk=k,
                    env=e,
                    n=spec.chunk_samples(k),
                    seed=spec.seed,
                    batch_size=env.batch_size,
                    gammas=spec.gammas,
                    analysis=spec.analysis,
                    dist=spec.distributions[d],
                    params=env.params,
                    options=spec.options,
                )
            )
    return tasks


def compute_chunk(task: ChunkTask, mdp: MDP) -> ChunkResult:
    """Draw the chunk's ``n`` rewards and summarise the analysis' integrand at every γ.

    A pure function of ``(task, mdp)``: this is the unit of work an executor runs.
    """
    start = time.perf_counter()
    analysis = get_analysis(task.analysis)
    dist = parse_dist(task.dist, mdp.state_index)
    gen = np.random.default_rng(chunk_seed(task.seed, task.cell, task.chunk))

    def integrand(R: np.ndarray, gamma: float) -> tuple[np.ndarray, float]:
        return analysis.integrand(mdp, R, gamma, task.params, task.options)

    with _NUMERIC_LOCK:
        parts = draw_moments(
            dist, gen, mdp.n_states, task.gammas, integrand, task.n, task.batch_size
        )
    return ChunkResult(
        cell=task.cell,
        chunk=task.chunk,
        n=task.n,
        mean=np.stack([m.mean for m, _ in parts]),
        m2=np.stack([m.m2 for m, _ in parts]),
        solver_error=np.array([e for _, e in parts]),
        seconds=time.perf_counter() - start,
        worker=f"{socket.gethostname()}:{os.getpid()}",
    )
