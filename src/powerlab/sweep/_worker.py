"""The worker side of the Dask executor: a plugin that carries a sweep's MDPs, and the task.

Imported only where ``dask.distributed`` is used (the driver of a Dask sweep and its
workers). The plugin is registered with the scheduler, which hands it to every worker
present and to every worker that joins later (a restarted one too), so no task depends on
data that a lost worker held.
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from powerlab.mdp.model import MDP
from powerlab.sweep.plan import ChunkResult, ChunkTask, compute_chunk

__all__ = ["Environments", "run_chunk"]

_MDPS: dict[str, dict[int, MDP]] = {}
"""On a worker: the MDPs of each running sweep, by the sweep's token."""


class Environments(WorkerPlugin):  # type: ignore[misc]
    """Carries a sweep's MDPs (``{env index: MDP}``) to every worker, present and future."""

    def __init__(self, token: str, mdps: dict[int, MDP]) -> None:
        self.token, self.mdps = token, mdps

    def setup(self, worker: Any) -> None:
        """Make the MDPs available to :func:`run_chunk` on this worker."""
        _MDPS[self.token] = self.mdps

    def teardown(self, worker: Any) -> None:
        """Forget them when the sweep ends."""
        _MDPS.pop(self.token, None)


def run_chunk(task: ChunkTask, token: str) -> ChunkResult:
    """Compute one chunk on a worker from the MDPs its plugin delivered."""
    mdps = _MDPS.get(token)
    if mdps is None:
        raise RuntimeError(f"{token}: this worker has not received the environments yet")
    return compute_chunk(task, mdps[task.env])
