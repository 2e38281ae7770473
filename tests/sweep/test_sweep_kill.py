"""SIGKILL of the driver mid-sweep, then the same command again: equal to an uninterrupted run."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.sweep import ResultStore, combine, load_spec, run_sweep, status

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SPEC = f"""
name: killme
analysis: power
environments: ["{EXAMPLES / "grid20.yaml"}"]
gammas: [0.9]
distributions: [uniform]
samples: 2000
chunk_size: 50
seed: 5
"""


def _cli(spec: Path, out: Path) -> subprocess.Popen[bytes]:
    code = "import sys; from powerlab.cli import main; sys.argv[0] = 'powerlab'; main()"
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", code, "sweep", "run", str(spec), "--out", str(out), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def test_sigkill_driver_then_resume_equals_uninterrupted(tmp_path: Path) -> None:
    spec_file = tmp_path / "killme.yaml"
    spec_file.write_text(SPEC)
    out = tmp_path / "store"
    proc = _cli(spec_file, out)
    chunks = out / "chunks"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if chunks.is_dir() and len(list(chunks.glob("c*.parquet"))) >= 2:
            break
        time.sleep(0.005)
    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    store = ResultStore.open(out)
    before = status(store)
    assert 2 <= before.chunks_done < before.chunks_total == 40

    # The same command again (in this process, through the same CLI entry point).
    res = CliRunner().invoke(app, ["sweep", "run", str(spec_file), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["chunks_reused"] == before.chunks_done
    after = status(store)
    assert after.complete and after.chunks_done == 40
    assert not [p for p in chunks.iterdir() if p.name.startswith(".")]
    resumed_frame, n = combine(store)
    assert n == 40 and (resumed_frame["samples"] == 2000).all()

    whole = run_sweep(load_spec(spec_file), tmp_path / "whole").results
    pd.testing.assert_frame_equal(resumed_frame, whole, check_exact=True)
