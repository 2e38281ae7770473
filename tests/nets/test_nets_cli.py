"""CLI: ``powerlab tangent`` / ``powerlab tickets`` JSON contract and one-line bad-input errors."""

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from powerlab.cli import app

torch.set_num_threads(1)
runner = CliRunner()


def _data(tmp_path):
    from powerlab.nets.data import load_digits_dataset

    d = load_digits_dataset(n_samples=200, rng=0)
    path = tmp_path / "small.npz"
    X = np.concatenate([d.X_train, d.X_test])
    y = np.concatenate([d.y_train, d.y_test])
    np.savez(path, X=X, y=y, image_shape=np.array([1, 8, 8]))
    return str(path)


def test_tangent_json_contract(tmp_path):
    plot = tmp_path / "t.png"
    res = runner.invoke(
        app,
        [
            "tangent",
            "--widths",
            "8",
            "32",
            "--epochs",
            "1",
            "--data",
            _data(tmp_path),
            "--json",
            "--plot",
            str(plot),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == {"rows", "fit", "settings", "provenance"}
    assert [r["width"] for r in doc["rows"]] == [8, 32]
    for key in ("gap", "rel_param_change", "agreement", "acc_full", "acc_lin"):
        assert key in doc["rows"][0]
    assert {"exponent", "stderr", "ci95", "n"} <= set(doc["fit"])
    assert plot.stat().st_size > 0


def test_tickets_json_contract_and_table(tmp_path):
    args = [
        "tickets",
        "--method",
        "edgepopup",
        "--widths",
        "16",
        "--kept",
        "0.2,0.5",
        "--epochs",
        "1",
        "--data",
        _data(tmp_path),
    ]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [(r["method"], r["kept"]) for r in doc["rows"]] == [
        ("dense", 1.0),
        ("edgepopup", 0.2),
        ("edgepopup", 0.5),
    ]
    assert "ceil" in doc["settings"]["kept_meaning"]
    res = runner.invoke(app, [*args, "--no-dense"])
    assert res.exit_code == 0 and "edgepopup" in res.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["tickets", "--method", "ternary"], "--method"),
        (["tickets", "--kept", "0"], "--kept"),
        (["tickets", "--kept", "abc"], "--kept"),
        (["tickets", "--widths", "0"], "--widths"),
        (["tangent", "--widths", "x"], "--widths"),
        (["tangent", "--epochs", "0"], "--epochs"),
        (["tangent", "--data", "/nonexistent/file.npz"], "no such file"),
        (["tangent", "--widths", "8", "--epochs", "2", "--linearize-after", "5"], "linearize"),
        (["tickets", "--arch", "resnet", "--widths", "8", "--epochs", "1"], "arch"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, needle):
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0]


def test_import_powerlab_cli_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, powerlab, powerlab.cli, powerlab.nets; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
