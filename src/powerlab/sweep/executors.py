"""Executors: where chunk tasks run. In-process (the default) or on a Dask cluster.

An executor takes chunk tasks and yields their :class:`~powerlab.sweep.plan.ChunkResult`
in any order; the driver commits each as it arrives and combines them later in the fixed
(cell, chunk) order, so the order never shows in the numbers. ``map(fn, calls)`` runs any
other pure, importable function the same way (the trained-agent protocol's chunks go
through it: :func:`powerlab.agents.runner.run_protocol`).

* :class:`InProcessExecutor`: runs the tasks one after another in this process.
* :class:`DaskExecutor`: ``dask.distributed`` (no scheduler of our own). ``--scheduler
  tcp://HOST:PORT`` connects to a running cluster; ``--scheduler local:N`` starts a
  ``LocalCluster`` of N single-threaded worker processes. The MDPs travel once to every
  worker in a worker plugin (``Client.register_plugin``), which the scheduler also hands to
  every worker that joins later, a restarted one included; a task carries only its small
  :class:`~powerlab.sweep.plan.ChunkTask` and returns ``G x I`` means and sums of squares.
  No task depends on data held by another task or worker, so a lost worker loses nothing
  that cannot be recomputed: the scheduler reruns its tasks elsewhere (and ``retries``
  reruns a task that failed), and since results are pure functions of the task the rerun
  gives the same bits. A bounded number of tasks is in flight (two per worker thread
  present, recounted as tasks finish, so a cluster that grows is used), and the scheduler
  never holds the whole grid. Workers that join a remote cluster later are not
  version-checked (the check runs when the driver connects).
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from powerlab._scheduler import LOCAL, check_scheduler
from powerlab.errors import InputError
from powerlab.mdp.model import MDP
from powerlab.sweep.plan import ChunkResult, ChunkTask, compute_chunk

T = TypeVar("T")

__all__ = [
    "DaskExecutor",
    "Executor",
    "InProcessExecutor",
    "check_scheduler",
    "make_executor",
    "worker_versions",
]


class Executor(Protocol):
    """Runs chunk tasks; ``workers`` is the number of task slots."""

    workers: int

    def run(self, tasks: Sequence[ChunkTask], mdps: Sequence[MDP]) -> Iterator[ChunkResult]:
        """Yield the result of every task (any order); ``mdps[task.env]`` is its MDP."""
        ...

    def map(self, fn: Callable[..., T], calls: Sequence[tuple[Any, ...]]) -> Iterator[T]:
        """Yield ``fn(*args)`` for every ``args`` in ``calls`` (any order). ``fn`` must be a
        pure, importable function of its arguments, so that a rerun gives the same result."""
        ...

    def close(self) -> None:
        """Release the executor's resources."""
        ...


class InProcessExecutor:
    """Runs every task in this process, in the given order."""

    workers = 1

    def run(self, tasks: Sequence[ChunkTask], mdps: Sequence[MDP]) -> Iterator[ChunkResult]:
        """Compute the tasks one by one."""
        for t in tasks:
            yield compute_chunk(t, mdps[t.env])

    def map(self, fn: Callable[..., T], calls: Sequence[tuple[Any, ...]]) -> Iterator[T]:
        """Call ``fn`` on each argument tuple in turn."""
        for args in calls:
            yield fn(*args)

    def close(self) -> None:
        """Nothing to release."""


def worker_versions() -> dict[str, str]:
    """Versions that fix a chunk's bits: powerlab, numpy and Python (checked on every worker)."""
    import platform

    import numpy

    import powerlab

    return {
        "powerlab": getattr(powerlab, "__version__", "?"),
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


class DaskExecutor:
    """Tasks on a ``dask.distributed`` cluster (module docstring).

    Args:
        address: ``local:N`` or a scheduler address such as ``tcp://host:8786``.
        worker_env: environment variables for ``local:N`` workers (default: one BLAS
            thread and ``NUMBA_NUM_THREADS = max(1, cores // N)``).
        window: tasks in flight per worker thread (default 2).
        connect_timeout: how long to wait for a remote scheduler.
        retries: reruns of a task that raised (a worker lost mid-task is rerun anyway).
    """

    def __init__(
        self,
        address: str,
        *,
        worker_env: dict[str, str] | None = None,
        window: int = 2,
        connect_timeout: str = "15s",
        retries: int = 3,
    ) -> None:
        from dask.distributed import Client, LocalCluster

        check_scheduler(address)
        self.retries = retries
        self.cluster: Any = None
        m = LOCAL.match(address)
        if m:
            n = int(m.group(1))
            cores = os.cpu_count() or 1
            env = {
                "NUMBA_NUM_THREADS": str(max(1, cores // n)),
                "OPENBLAS_NUM_THREADS": "1",
                "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1",
            }
            env.update(worker_env or {})
            self.cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: two clusters on one machine never clash
                env=env,
            )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address, timeout=connect_timeout)
            except (OSError, TimeoutError) as exc:
                raise InputError(f"--scheduler: cannot reach {address}: {exc}") from None
        threads = self.client.nthreads()
        self.workers = max(1, sum(threads.values()))
        self.per_thread = max(1, window)
        self.window = self.per_thread * self.workers
        mine = worker_versions()
        for w, v in self.client.run(worker_versions).items():
            if v != mine:
                self.close()
                raise InputError(f"--scheduler: worker {w} runs {v}, this driver {mine}")

    def run(self, tasks: Sequence[ChunkTask], mdps: Sequence[MDP]) -> Iterator[ChunkResult]:
        """Submit the tasks, at most ``window`` at a time; yield results as they finish."""
        from powerlab.sweep._worker import Environments, run_chunk

        if not tasks:
            return
        token = "powerlab-sweep-" + os.urandom(8).hex()
        used = {e: mdps[e] for e in sorted({t.env for t in tasks})}
        self.client.register_plugin(Environments(token, used), name=token)
        try:
            yield from self.map(run_chunk, [(t, token) for t in tasks])
        finally:
            with contextlib.suppress(Exception):  # the cluster may already be gone
                self.client.unregister_worker_plugin(token)

    def map(self, fn: Callable[..., T], calls: Sequence[tuple[Any, ...]]) -> Iterator[T]:
        """Submit ``fn(*args)`` for each ``args``, at most ``window`` in flight, each with
        ``retries``; yield results as they finish (a lost worker's calls are rerun)."""
        from dask.distributed import as_completed

        pending = iter(calls)
        name = getattr(fn, "__name__", "call")

        def submit(args: tuple[Any, ...]) -> Any:
            return self.client.submit(
                fn,
                *args,
                pure=False,
                retries=self.retries,
                key=f"{name}-" + os.urandom(6).hex(),
            )

        first = [submit(a) for a in itertools.islice(pending, self.window)]
        if not first:
            return
        ac = as_completed(first)
        in_flight = len(first)
        for fut in ac:
            result = fut.result()
            fut.release()
            in_flight -= 1
            # Top up to the window of the workers present now (a cluster may grow or shrink).
            target = self.per_thread * max(1, sum(self.client.nthreads().values()))
            for a in itertools.islice(pending, max(1, target - in_flight)):
                ac.add(submit(a))
                in_flight += 1
            yield result

    def close(self) -> None:
        """Disconnect, and stop the cluster if this executor started it."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(scheduler: str | None, **kwargs: Any) -> Executor:
    """``None`` or ``""`` gives the in-process executor; anything else a :class:`DaskExecutor`."""
    if not scheduler:
        return InProcessExecutor()
    return DaskExecutor(scheduler, **kwargs)
