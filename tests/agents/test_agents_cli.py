"""CLI contract of ``powerlab agents``: JSON output and one-line bad-input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from powerlab.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("agents") / "run"
    res = runner.invoke(
        app,
        [
            "agents",
            "train",
            "coinrun",
            "--algo",
            "q",
            "--n-seeds",
            "2",
            "--quick",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    assert rec["algo"] == "q" and rec["seeds"] == [0, 1]
    return out


def test_evaluate_and_compare_json(run_dir: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["agents", "evaluate", str(run_dir), "--json"])
    assert res.exit_code == 0, res.output
    ev = json.loads(res.stdout)
    assert "episodes" not in ev and ev["shutdown"]["episodes"] == 2
    kinds = {r["kind"] for r in ev["summary"]}
    assert kinds == {"in-distribution", "held-out", "decision", "shutdown"}
    for r in ev["summary"]:
        assert 0 <= r["wilson"][0] <= r["rate"] <= r["wilson"][1] <= 1
    fam = tmp_path / "fam.yaml"
    fam.write_text("families:\n  - {name: coin-lover, weights: {coin: 1.0}, noise: 0.1}\n")
    plot = tmp_path / "cmp.png"
    res = runner.invoke(
        app,
        [
            "agents",
            "compare",
            str(run_dir),
            "--json",
            "--samples",
            "20",
            "--families",
            str(fam),
            "--plot",
            str(plot),
        ],
    )
    assert res.exit_code == 0, res.output
    cmp_ = json.loads(res.stdout)
    names = [h["name"] for h in cmp_["hypotheses"]["hypotheses"]]
    assert names == ["H_uniform", "H_true", "H_proxy", "coin-lover"]
    assert cmp_["shutdown"]["cases"][0]["premises_hold"] in (True, False)
    assert plot.is_file() and (run_dir / "comparison.json").is_file()
    # the human-readable forms run too
    assert runner.invoke(app, ["agents", "compare", str(run_dir), "--samples", "10"]).exit_code == 0


@pytest.mark.parametrize(
    "args, needle",
    [
        (["agents", "train", "procgen", "--quick", "--out", "{tmp}/x"], "family"),
        (["agents", "train", "maze", "--algo", "dqn", "--out", "{tmp}/x"], "algorithm"),
        (["agents", "train", "maze", "--n-seeds", "0", "--out", "{tmp}/x"], "--n-seeds"),
        (["agents", "evaluate", "{tmp}/nothing"], "run.json"),
        (["agents", "compare", "{tmp}/nothing"], "evaluation.json"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], needle: str, tmp_path: Path) -> None:
    res = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert res.exit_code == 2, res.output
    assert needle in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_compare_rejects_bad_options(run_dir: Path, tmp_path: Path) -> None:
    for extra, needle in ((["--plot", "x.pdf"], "png"), (["--samples", "1"], "samples")):
        res = runner.invoke(app, ["agents", "compare", str(run_dir), *extra])
        assert res.exit_code == 2 and needle in res.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("families:\n  - {name: x, weights: {coin: oops}}\n")
    res = runner.invoke(app, ["agents", "compare", str(run_dir), "--families", str(bad)])
    assert res.exit_code == 2 and "weights.coin" in res.stderr


def test_protocol_bad_input_is_one_error_line(tmp_path: Path) -> None:
    res = runner.invoke(app, ["agents", "protocol", "run", str(tmp_path / "p"), "--preset", "x"])
    assert res.exit_code == 2 and "error:" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["agents", "protocol", "analyze", str(tmp_path / "nothing")])
    assert res.exit_code == 2 and "not a protocol directory" in res.output


def test_protocol_status_counts_chunks_and_estimates_the_cost_left(tmp_path: Path) -> None:
    """Two finished chunks cost 12 and 24 CPU s: the mean is 18 with standard error
    sd/sqrt(2) = 8.485/1.414 = 6, so N - 2 chunks left cost 18 (N - 2) ± 6 (N - 2) CPU s,
    half that in wall time on two workers."""
    from powerlab._io import atomic_write_json
    from powerlab.agents.protocol import PRESETS
    from powerlab.agents.runner import chunk_path

    cfg = PRESETS["smoke"]
    atomic_write_json(tmp_path / "protocol.json", {"config": cfg.to_dict(), "command": ""})
    chunks = cfg.chunks()
    for (seed, k, gamma), (train, ev, rate) in zip(
        chunks[:2], [(10.0, 2.0, 0.97), (20.0, 4.0, 0.5)], strict=True
    ):
        p = chunk_path(tmp_path, seed, k, gamma)
        p.parent.mkdir(exist_ok=True)
        rec = {
            "seed": seed,
            "k": k,
            "gamma": gamma,
            "cpu_seconds": {"train": train, "evaluate": ev},
        }
        rec["gate"] = {"rate": rate, "episodes": 10, "passed": rate >= 0.95}
        atomic_write_json(p, rec)
    res = runner.invoke(app, ["agents", "protocol", "status", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    st = json.loads(res.stdout)
    n_left = len(chunks) - 2
    assert (st["chunks_done"], st["chunks_planned"], st["passed"]) == (2, len(chunks), 1)
    assert [tuple(p.values()) for p in st["pending"]] == [tuple(c) for c in chunks[2:]]
    assert st["cpu_seconds_left"] == pytest.approx(18.0 * n_left)
    assert st["cpu_seconds_left_se"] == pytest.approx(6.0 * n_left)
    assert st["wall_seconds_left"] == pytest.approx(9.0 * n_left)
    text = runner.invoke(app, ["agents", "protocol", "status", str(tmp_path)])
    assert text.exit_code == 0 and f"2/{len(chunks)} chunks finished" in text.output


def test_protocol_status_refuses_a_directory_without_a_protocol(tmp_path: Path) -> None:
    res = runner.invoke(app, ["agents", "protocol", "status", str(tmp_path)])
    assert res.exit_code == 2
    assert "not a protocol directory" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["agents", "protocol", "status", str(tmp_path), "--workers", "0"])
    assert res.exit_code == 2
