"""A Dask LocalCluster of 2 workers gives the in-process executor's bits, even when a worker dies."""

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from powerlab.errors import InputError
from powerlab.sweep import DaskExecutor, make_executor, run_sweep, spec_from_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def spec(**over: Any):  # type: ignore[no-untyped-def]
    d: dict[str, Any] = {
        "name": "tiny",
        "analysis": "power",
        "environments": ["fig1.yaml", "coin.yaml"],
        "gammas": [0, 0.9, 1],
        "distributions": ["uniform", "bernoulli:0.5"],
        "samples": 600,
        "chunk_size": 200,
        "seed": 11,
    }
    d.update(over)
    return spec_from_dict(d, where="tiny.yaml", base_dir=EXAMPLES)


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskExecutor]:
    ex = DaskExecutor("local:2", worker_env={"NUMBA_NUM_THREADS": "1"})
    try:
        yield ex
    finally:
        ex.close()


def test_local_cluster_is_bit_identical_to_in_process(
    tmp_path: Path, cluster: DaskExecutor
) -> None:
    assert cluster.workers == 2
    local = run_sweep(spec(), tmp_path / "local").results
    dask = run_sweep(spec(), tmp_path / "dask", executor=cluster)
    assert dask.complete and dask.chunks_computed == 2 * 2 * 3
    pd.testing.assert_frame_equal(dask.results, local, check_exact=True)


def _kill_trial(tmp_path: Path, cluster: DaskExecutor, local: pd.DataFrame, trial: int) -> int:
    """Run the sweep on ``cluster``, SIGKILL-ing each worker it started with after a commit.

    Returns the number of worker processes killed; asserts completeness and equal bits.
    """
    pids = list(cluster.client.run(os.getpid).values())
    killed: list[int] = []

    def advance(n: int) -> None:
        if len(killed) < len(pids):  # one worker process killed outright per commit
            os.kill(pids[len(killed)], signal.SIGKILL)
            killed.append(pids[len(killed)])

    out = run_sweep(_kill_spec(), tmp_path / f"dask{trial}", executor=cluster, advance=advance)
    assert out.complete and out.chunks_computed == 6
    pd.testing.assert_frame_equal(out.results, local, check_exact=True)
    return len(killed)


def _kill_spec():  # type: ignore[no-untyped-def]
    return spec(
        analysis="optimality",
        environments=[{"path": "wait.yaml", "state": "start"}],
        distributions=["uniform"],
        samples=1200,
    )


def test_sigkill_of_every_worker_loses_and_double_counts_nothing(
    tmp_path: Path, cluster: DaskExecutor
) -> None:
    """Both original workers die mid-run; the restarted ones get the environments and finish."""
    local = run_sweep(_kill_spec(), tmp_path / "local").results
    assert _kill_trial(tmp_path, cluster, local, 0) == 2


@pytest.mark.slow
def test_ten_worker_kill_trials_all_survive(tmp_path: Path, cluster: DaskExecutor) -> None:
    local = run_sweep(_kill_spec(), tmp_path / "local").results
    assert sum(_kill_trial(tmp_path, cluster, local, t) for t in range(10)) == 20


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("local:0", "local:N needs 1 <= N"),
        ("localhost", "expected local:N or tcp://HOST:PORT"),
        ("tcp://127.0.0.1:1", "cannot reach tcp://127.0.0.1:1"),
    ],
)
def test_bad_scheduler_addresses(address: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        make_executor(address, connect_timeout="1s")


def test_map_runs_any_pure_function_on_the_cluster(cluster: DaskExecutor) -> None:
    """``map`` (used by the trained-agent protocol) yields every call's result once, in any order,
    and matches the in-process executor."""
    calls = [(b, e) for b in range(2, 5) for e in range(3)]
    expected = sorted(b**e for b, e in calls)
    assert sorted(cluster.map(pow, calls)) == expected
    assert sorted(make_executor(None).map(pow, calls)) == expected
    assert list(cluster.map(pow, [])) == []
