"""CLI contracts of ``gamma-star``, ``goals sample`` and ``shutdown``, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from powerlab.cli import app

EX = Path(__file__).resolve().parents[2] / "examples" / "goals"
ENV, TRAIN = str(EX / "coinrun.yaml"), str(EX / "coinrun_train.yaml")
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_gamma_star_json():
    r = run("gamma-star", ENV, "--from", "button", "--gamma", "0.9", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    rows = {x["state"]: x for x in doc["results"]}
    assert abs(rows["c2"]["gamma_star"] - 0.5) < 1e-9
    assert rows["c3"]["visit_count_at"]["0.9"] == pytest.approx(0.81 / 0.1)
    assert rows["halt"]["gamma_star"] is None


def test_goals_sample_writes_npz(tmp_path):
    out = tmp_path / "g.npz"
    r = run(
        "goals",
        "sample",
        ENV,
        "--train",
        TRAIN,
        "--gamma",
        "0.5",
        "--samples",
        "40",
        "--seed",
        "1",
        "--out",
        str(out),
        "--json",
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["samples"] == 40 and doc["reading"] == "q" and "reading_name" in doc
    data = np.load(out)
    assert data["samples"].shape == (40, 17)
    assert doc["requested"] == 40 and isinstance(doc["warnings"], list)


def test_shutdown_json(tmp_path):
    r = run(
        "shutdown",
        ENV,
        "--train",
        TRAIN,
        "--new-state",
        "button",
        "--shutdown-action",
        "halt",
        "--gamma",
        "0.4",
        "--gamma",
        "0.9",
        "--samples",
        "100",
        "--json",
        "--plot",
        str(tmp_path / "f.png"),
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [x["gamma"] for x in doc["results"]] == [0.4, 0.9]
    for x in doc["results"]:
        assert {
            "gamma",
            "n",
            "bound",
            "fraction_avoid",
            "stderr",
            "min_orbit_fraction",
            "premises",
        } <= set(x)
    assert doc["results"][1]["n"] == 4 and doc["results"][1]["bound"] == pytest.approx(0.8)
    assert (tmp_path / "f.png").stat().st_size > 0


@pytest.mark.parametrize(
    ("train_doc", "extra", "needle"),
    [
        ("policy: {nowhere: a1}\n", [], "unknown state"),
        ("policy: {a0: b1}\n", [], "not available"),
        ("policy: {a0: a1}\n", ["--new-state", "a0"], "inside S_train"),
        ("policy: {a0: a1}\n", ["--shutdown-action", "c1"], "terminal state"),
    ],
)
def test_shutdown_bad_input(tmp_path, train_doc, extra, needle):
    p = tmp_path / "t.yaml"
    p.write_text(train_doc)
    args = {"--new-state": "button", "--shutdown-action": "halt"}
    for k, v in zip(extra[::2], extra[1::2], strict=True):
        args[k] = v
    flat = [x for kv in args.items() for x in kv]
    r = run("shutdown", ENV, "--train", str(p), *flat, "--samples", "10", "--json")
    assert r.exit_code == 2
    assert needle in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_empty_goal_set_is_a_finding(tmp_path):
    env = tmp_path / "e.yaml"
    env.write_text("edges:\n  x: [a, b]\n  y: [a, b]\n  a: [a]\n  b: [b]\n")
    tr = tmp_path / "t.yaml"
    tr.write_text("policy: {x: a, y: b}\n")
    r = run("goals", "sample", str(env), "--train", str(tr), "--json")
    assert r.exit_code == 0
    assert "state 'y' action 'b'" in json.loads(r.stdout)["measure_zero"]


def test_bad_sampler_exits_2():
    r = run("goals", "sample", ENV, "--train", TRAIN, "--sampler", "magic")
    assert r.exit_code == 2 and "magic" in r.stderr


def test_misgeneralization_command_reproduces_the_library():
    """The command's JSON table equals misgeneralization() called with the same seed."""
    from powerlab.goals import load_training
    from powerlab.goals.features import load_features
    from powerlab.goals.generalization import misgeneralization
    from powerlab.mdp import load_mdp

    env, tr, fe = (
        str(EX / n)
        for n in ("coinrun_levels.yaml", "coinrun_levels_train.yaml", "coinrun_features.yaml")
    )
    r = run("goals", "misgeneralization", env, "--train", tr, "--features", fe, "--start", "b0",
            "--gamma", "0.9", "--samples", "300", "--seed", "3", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    m = load_mdp(env)
    lib = misgeneralization(m, load_training(m, tr), load_features(m, fe), "b0", 0.9, 300, 3)
    assert [x["g_t"] for x in doc["rows"]] == pytest.approx(list(lib.frame["g_t"]))
    assert doc["acceptance"] == pytest.approx(lib.acceptance)


def test_samples_refused_before_allocating():
    r = run("goals", "sample", ENV, "--train", TRAIN, "--samples", "1000000000000", "--json")
    assert r.exit_code == 2 and "GiB" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_box_option(tmp_path):
    r = run("goals", "sample", ENV, "--train", TRAIN, "--gamma", "0.5", "--samples", "40",
            "--box", "0,2", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["box"] == [0.0, 2.0] and max(doc["mean"].values()) > 0.5
    bad = run("goals", "sample", ENV, "--train", TRAIN, "--box", "1,0")
    assert bad.exit_code == 2 and "--box" in bad.stderr


def test_shutdown_samples_refused_before_allocating():
    r = run("shutdown", ENV, "--train", TRAIN, "--new-state", "button", "--shutdown-action",
            "halt", "--samples", "1000000000000", "--json")  # fmt: skip
    assert r.exit_code == 2 and "GiB" in r.stderr and len(r.stderr.strip().splitlines()) == 1
