"""Running, resuming and combining sweeps in-process: known answers and exact resumption."""

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from powerlab.errors import InputError
from powerlab.mdp.model import MDP
from powerlab.power import optimality_probability, parse_dist, power, power_integrand
from powerlab.sweep import (
    ChunkResult,
    ChunkTask,
    InProcessExecutor,
    ResultStore,
    chunk_seed,
    combine,
    run_sweep,
    spec_from_dict,
    status,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def spec(**over: Any):  # type: ignore[no-untyped-def]
    d: dict[str, Any] = {
        "name": "tiny",
        "analysis": "power",
        "environments": ["fig1.yaml"],
        "gammas": [0.5, 0.9],
        "distributions": ["uniform", "beta:2,2"],
        "samples": 1000,
        "chunk_size": 300,
        "seed": 3,
    }
    d.update(over)
    return spec_from_dict(d, where="tiny.yaml", base_dir=EXAMPLES)


def test_fig1_known_answers(tmp_path: Path) -> None:
    # Turner et al. (2021), Fig. 3: POWER(dead) = 1/2, POWER(r_down) = 2/3,
    # POWER(l_loop) = (2/3 + γ/2) / (1 + γ) for iid uniform [0, 1] rewards.
    s = spec(distributions=["uniform"], samples=20_000, chunk_size=5_000, gammas=[0.5, 0.9])
    frame = run_sweep(s, tmp_path / "st").results.set_index(["gamma", "state"])
    for g in (0.5, 0.9):
        for state, want in (
            ("dead", 0.5),
            ("r_down", 2 / 3),
            ("l_loop", (2 / 3 + g / 2) / (1 + g)),
        ):
            row = frame.loc[(g, state)]
            assert abs(row["power"] - want) < 4 * row["stderr"]  # alpha ~ 6e-5 per check
            assert row["samples"] == 20_000


def test_one_chunk_equals_power_with_the_same_generator(tmp_path: Path) -> None:
    s = spec(distributions=["beta:2,2"], samples=500, chunk_size=500, gammas=[0, 0.5, 1])
    got = run_sweep(s, tmp_path / "st").results
    want = power(
        s.mdps[0],
        [0, 0.5, 1],
        samples=500,
        dist="beta:2,2",
        rng=np.random.default_rng(chunk_seed(3, 0, 0)),
    )
    np.testing.assert_allclose(got["power"], want["power"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got["stderr"], want["stderr"], rtol=1e-9, atol=1e-14)


def test_chunks_combine_to_one_run_over_all_samples(tmp_path: Path) -> None:
    s = spec(distributions=["uniform"], gammas=[0.9], samples=1000, chunk_size=300, batch_size=64)
    got = run_sweep(s, tmp_path / "st").results
    mdp, dist = s.mdps[0], parse_dist("uniform")
    X = []
    for k in range(4):
        gen = np.random.default_rng(chunk_seed(3, 0, k))
        n = s.chunk_samples(k)
        for start in range(0, n, 64):  # the chunk's batches, drawn in order
            X.append(power_integrand(mdp, dist.sample(gen, min(64, n - start), 8), 0.9)[0])
    allX = np.concatenate(X)
    assert allX.shape == (1000, 8)
    np.testing.assert_allclose(got["power"], allX.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(got["stderr"], allX.std(axis=0, ddof=1) / np.sqrt(1000), rtol=1e-9)


def test_optimality_equals_optimality_probability(tmp_path: Path) -> None:
    s = spec(
        analysis="optimality",
        environments=[{"path": "wait.yaml", "state": "start"}],
        distributions=["uniform"],
        gammas=[0.25, 1],
        samples=400,
        chunk_size=400,
    )
    got = run_sweep(s, tmp_path / "st").results
    want = optimality_probability(
        s.mdps[0], "start", [0.25, 1], samples=400, rng=np.random.default_rng(chunk_seed(3, 0, 0))
    )
    assert list(got["action"]) == list(want["action"]) and set(got["state"]) == {"start"}
    np.testing.assert_allclose(got["probability"], want["probability"], rtol=1e-12)


def test_resume_after_interruption_is_bit_identical(tmp_path: Path) -> None:
    whole = run_sweep(spec(), tmp_path / "whole").results
    part = run_sweep(spec(), tmp_path / "part", max_chunks=3)
    assert not part.complete and part.chunks_computed == 3
    st = status(ResultStore.open(tmp_path / "part"))
    assert (st.chunks_done, st.chunks_total) == (3, 8)
    again = run_sweep(spec(), tmp_path / "part")
    assert again.complete and again.chunks_reused == 3 and again.chunks_computed == 5
    pd.testing.assert_frame_equal(again.results, whole, check_exact=True)
    # A third run computes nothing and changes nothing.
    third = run_sweep(spec(), tmp_path / "part")
    assert third.chunks_computed == 0
    pd.testing.assert_frame_equal(third.results, whole, check_exact=True)


class Reversed(InProcessExecutor):
    """Finishes chunks in the reverse order."""

    def run(self, tasks: Sequence[ChunkTask], mdps: Sequence[MDP]) -> Iterator[ChunkResult]:
        yield from super().run(list(reversed(tasks)), mdps)


def test_completion_order_does_not_change_the_bits(tmp_path: Path) -> None:
    a = run_sweep(spec(), tmp_path / "a").results
    b = run_sweep(spec(), tmp_path / "b", executor=Reversed()).results
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_more_samples_reuses_full_chunks(tmp_path: Path) -> None:
    run_sweep(spec(samples=1000), tmp_path / "st")
    grown = run_sweep(spec(samples=1500), tmp_path / "st")
    # chunks 0-2 (300 each) are reused; chunk 3 grows from 100 to 300; chunk 4 is new.
    assert grown.chunks_reused == 2 * 3 and grown.chunks_computed == 2 * 2
    fresh = run_sweep(spec(samples=1500), tmp_path / "fresh").results
    pd.testing.assert_frame_equal(grown.results, fresh, check_exact=True)


def test_leftover_temporary_files_are_ignored_and_removed(tmp_path: Path) -> None:
    run_sweep(spec(), tmp_path / "st", max_chunks=2)
    junk = tmp_path / "st" / "chunks" / ".c00000-k0000002-n300.parquet.x1y2.parquet"
    junk.write_bytes(b"PAR1 half a file")
    done = run_sweep(spec(), tmp_path / "st")
    assert not junk.exists() and done.complete
    pd.testing.assert_frame_equal(done.results, run_sweep(spec(), tmp_path / "b").results)


def test_a_different_sweep_is_refused(tmp_path: Path) -> None:
    run_sweep(spec(), tmp_path / "st", max_chunks=1)
    with pytest.raises(InputError, match="holds a different sweep"):
        run_sweep(spec(seed=4), tmp_path / "st")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "file.txt").write_text("x")
    with pytest.raises(InputError, match="not empty and holds no sweep"):
        run_sweep(spec(), tmp_path / "other")


def test_a_running_sweep_holds_the_lock(tmp_path: Path) -> None:
    s = spec()
    run_sweep(s, tmp_path / "st", max_chunks=1)
    store = ResultStore.open(tmp_path / "st")
    with store.lock(), pytest.raises(InputError, match="another sweep is running"):
        run_sweep(s, tmp_path / "st")


def test_partial_combine_reports_only_finished_chunks(tmp_path: Path) -> None:
    run_sweep(spec(), tmp_path / "st", max_chunks=5)  # cell 0 complete, cell 1 has one chunk
    frame, n = combine(ResultStore.open(tmp_path / "st"))
    assert n == 5
    by = frame.groupby("dist")["samples"].first().to_dict()
    assert by == {"uniform": 1000, "beta:2,2": 300}


def test_a_tampered_chunk_is_reported(tmp_path: Path) -> None:
    run_sweep(spec(), tmp_path / "a", max_chunks=1)
    run_sweep(spec(seed=9), tmp_path / "b", max_chunks=1)
    name = "c00000-k0000000-n300.parquet"
    (tmp_path / "a" / "chunks" / name).write_bytes((tmp_path / "b" / "chunks" / name).read_bytes())
    with pytest.raises(InputError, match="belongs to another sweep"):
        combine(ResultStore.open(tmp_path / "a"))


def test_demo_section_resumes_bit_identically(tmp_path: Path) -> None:
    from powerlab.report.sections.sweep import build

    section = build(tmp_path, quick=True)
    assert ("sweep resumed = uninterrupted", "yes") in section.summary
    assert list(tmp_path.glob("sweep-cell*.png")) and "sweep run" in section.command
