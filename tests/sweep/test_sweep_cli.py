"""CLI contract of ``powerlab sweep run|status|report``: JSON shape; bad input -> exit 2, one line."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from powerlab.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()

SPEC = f"""
name: cli-tiny
analysis: optimality
environments: [{{path: "{EXAMPLES / "wait.yaml"}", state: start}}]
gammas: [0, 1]
distributions: [uniform]
samples: 600
chunk_size: 200
"""


def run(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.yaml"
    p.write_text(SPEC)
    return p


def test_run_status_report_json(spec_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "store"
    res = run("sweep", "run", spec_file, "--out", out, "--json", "--max-chunks", "2")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["complete"] is False and doc["chunks_computed"] == 2 and doc["chunks_total"] == 3
    res = run("sweep", "status", out, "--json")
    st = json.loads(res.stdout)
    assert (st["chunks_done"], st["samples_done"], st["complete"]) == (2, 400, False)
    res = run("sweep", "run", spec_file, "--out", out, "--json")
    doc = json.loads(res.stdout)
    assert doc["complete"] and doc["chunks_reused"] == 2 and doc["chunks_computed"] == 1
    assert set(doc) >= {"out", "samples_total", "samples_per_second", "results"}
    rows = doc["results"]
    assert {r["action"] for r in rows} == {"candy", "wait"} and len(rows) == 4
    for r in rows:
        assert set(r) == {
            "env",
            "dist",
            "state",
            "gamma",
            "action",
            "probability",
            "stderr",
            "samples",
            "solver_error",
        }
        assert r["samples"] == 600
    res = run("sweep", "report", out, "--json")
    rep = json.loads(res.stdout)
    assert rep["status"]["complete"] and len(rep["results"]) == 4
    assert all(Path(f).is_file() for f in rep["files"]) and len(rep["files"]) == 2


def test_human_output(spec_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "store"
    res = run("sweep", "run", spec_file, "--out", out)
    assert res.exit_code == 0 and "chunks_computed" in res.output
    assert "cli-tiny" in run("sweep", "status", out).output
    res = run("sweep", "report", out)
    assert res.exit_code == 0 and "probability at start" in res.output
    assert (out / "report" / "results.csv").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", "run", "absent.yaml"], "absent.yaml: no such file"),
        (["sweep", "status", "."], "not a sweep result store"),
        (["sweep", "report", "nowhere"], "not a sweep result store"),
        (["sweep", "run", "SPEC", "--scheduler", "banana"], "expected local:N or tcp://HOST:PORT"),
        (["sweep", "run", "BAD"], "gammas[0]: 7 is outside [0, 1]"),
        (["sweep", "run", "SPEC", "--max-chunks", "-1"], "--max-chunks must be at least 0"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str], message: str, spec_file: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC.replace("gammas: [0, 1]", "gammas: [7]"))
    args = [str(spec_file) if a == "SPEC" else str(bad) if a == "BAD" else a for a in args]
    if "--scheduler" in args or "--max-chunks" in args:
        args += ["--out", str(tmp_path / "s")]
    res = runner.invoke(app, args)
    assert not (tmp_path / "s").exists()  # refused before anything was written
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0], res.stderr


def test_report_rejects_top_zero(spec_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "store"
    run("sweep", "run", spec_file, "--out", out, "--json")
    res = run("sweep", "report", out, "--top", "0")
    assert res.exit_code == 2 and "--top must be at least 1" in res.stderr


@pytest.mark.slow
def test_lost_worker_under_json_keeps_stdout_pure_json(tmp_path: Path) -> None:
    """``--scheduler local:2 --json`` with a worker SIGKILL-ed mid-run: exit 0, stdout is JSON."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    spec = tmp_path / "lost.yaml"
    spec.write_text(
        f'name: lost\nanalysis: power\nenvironments: ["{EXAMPLES / "grid20.yaml"}"]\n'
        "gammas: [0.9]\nsamples: 1600\nchunk_size: 50\nseed: 2\n"
    )
    out = tmp_path / "store"
    code = "import sys; from powerlab.cli import main; sys.argv[0] = 'powerlab'; main()"
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    args = ["sweep", "run", str(spec), "--out", str(out), "--json", "--scheduler", "local:2"]
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        if len(list((out / "chunks").glob("c*.parquet"))) >= 2 if out.is_dir() else False:
            workers = [
                c
                for c in psutil.Process(proc.pid).children(recursive=True)
                if "spawn_main" in " ".join(c.cmdline()) or "forkserver" in " ".join(c.cmdline())
            ]
            if workers:
                killed = workers[-1].pid
                os.kill(killed, signal.SIGKILL)
        time.sleep(0.02)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr.decode()[-2000:]
    doc = json.loads(stdout)
    assert doc["complete"] and doc["chunks_total"] == 32
    assert killed is not None, "the run ended before a worker could be killed"
