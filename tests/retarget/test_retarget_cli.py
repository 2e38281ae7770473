"""``powerlab retarget``: JSON contract and one-line errors with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from powerlab.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
THREE = EXAMPLES / "retarget" / "three-ways.yaml"
KEYS = {"orbit_size", "B_over_A", "A_over_B", "ties", "largest_n", "fraction_B_at_least_A"}


def _run(*args: str):
    return runner.invoke(app, ["retarget", *args])


def test_outcomes_json_contract():
    res = _run(
        "outcomes", "--utility", "0", "1", "2", "--labels", "death", "candy", "hug",
        "--A", "death", "--B", "candy", "hug", "--json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert KEYS <= set(doc)
    assert doc["orbit_size"] == 6 and doc["B_over_A"] == 4 and doc["A_over_B"] == 2
    assert doc["ties"] == 0 and doc["largest_n"] == 2
    assert doc["fraction_B_at_least_A"] == "2/3"
    assert doc["retargeting"]["n"] == 2 and doc["retargeting"]["verified"] is True


def test_outcomes_repeated_flags_and_rule():
    res = _run(
        "outcomes", "--utility", "0", "--utility", "1", "--utility", "2",
        "--labels", "a", "b", "c", "--A", "a", "--B", "b", "--rule", "bestof:1", "--json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    # a uniformly random choice (best of one draw) never prefers a or b: all ties
    assert doc["ties"] == 6 and doc["largest_n"] is None and doc["fraction_B_at_least_A"] == "1"


def test_outcomes_sampled_json():
    labels = [f"o{i}" for i in range(10)]
    res = _run(
        "outcomes", "--utility", *[str(i) for i in range(10)], "--labels", *labels,
        "--A", "o0", "--B", "o1", "o2", "--samples", "500", "--seed", "1", "--json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["exact"] is False and doc["samples"] == 500 and doc["standard_error"] > 0


def test_outcomes_human_output():
    res = _run("outcomes", "--utility", "0", "1", "--labels", "a", "b", "--A", "a", "--B", "b")
    assert res.exit_code == 0 and "B_over_A" in res.output


def test_mdp_json_contract():
    res = _run(
        "mdp", str(THREE), "--state", "start", "--A", "dead",
        "--B", "a", "b", "--gamma", "0.9", "--search", "--json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert KEYS <= set(doc)
    assert (doc["orbit_size"], doc["B_over_A"], doc["A_over_B"]) == (24, 16, 8)
    assert doc["fraction_B_at_least_A"] == "2/3"
    assert doc["measured_share_B"] == "2/3"  # 16 / (16 + 8)
    assert doc["retargeting"]["n"] == 2 and doc["retargeting"]["theorem1_conclusion"] is True


def test_mdp_every_gamma_kept_in_order():
    """Repeated --gamma (and its short form -g) runs once per value, in the order given."""
    res = _run(
        "mdp", str(THREE), "--state", "start", "--A", "dead", "--B", "a", "b",
        "-g", "0.5", "--gamma", "0.9", "-g", "1/10", "--json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    docs = json.loads(res.stdout)
    assert [d["gamma"] for d in docs] == [0.5, 0.9, 0.1]
    assert all(KEYS <= set(d) for d in docs)


def test_mdp_gamma_values_after_one_flag():
    res = _run(
        "mdp", str(THREE), "--state", "start", "--A", "dead", "--B", "a", "b",
        "--gamma", "0.2", "0.7", "--json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert [d["gamma"] for d in json.loads(res.stdout)] == [0.2, 0.7]


def test_bound_and_measured_share_are_both_printed():
    """Five outcomes with distinct utilities, A = {d, e}, B = {a, b, c}, optimal rule: over the
    5! orbit points the best outcome is in B for 3/5 of them and in A for 2/5, so
    |B>A| : |A>B| = 72 : 48, the largest integer n is 1 and the bound n/(n+1) is 1/2, while
    the measured share is 72/120 = 3/5."""
    res = _run(
        "outcomes", "--utility", "0", "1", "2", "3", "4", "--labels", *"deabc",
        "--A", "d", "e", "--B", "a", "b", "c",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    bound = next(x for x in lines if "fraction_B_at_least_A (bound n/(n+1))" in x)
    measured = next(x for x in lines if "measured_share_B" in x)
    assert bound.rstrip(" │").endswith("1/2"), bound
    assert measured.rstrip(" │").endswith("3/5 = 0.600"), measured


@pytest.mark.parametrize(
    "args, needle",
    [
        (["outcomes", "--utility", "0", "1", "2", "--labels", "a", "b", "--A", "a", "--B", "b"],
         "must match"),
        (["outcomes", "--utility", "0", "1", "--labels", "a", "b", "--A", "a", "--B", "a", "b"],
         "both A and B"),
        (["outcomes", "--utility", "0", "1", "--labels", "a", "b", "--A", "a", "--B", "b",
          "--rule", "greedy"], "unknown rule"),
        (["outcomes", "--utility", "0", "1", "--labels", "a", "b", "--A", "a", "--B", "b",
          "--rule", "boltzmann:-1"], "temperature"),
        (["outcomes", "--utility", "0", "1", "--labels", "a", "b", "--A", "a", "--B", "b",
          "--rule", "bestof:x"], "integer"),
        (["outcomes", "--utility", *"0123456789", "--labels", *"abcdefghij", "--A", "a",
          "--B", "b"], "--sample"),
        (["outcomes", "--utility", "x", "1", "--labels", "a", "b", "--A", "a", "--B", "b"],
         "not a number"),
        (["outcomes", "--utility", "0", "1", "--labels", "a", "b", "--A", "z", "--B", "b"],
         "unknown outcome label"),
        (["mdp", str(THREE), "--state", "start", "--A", "dead", "--B", "dead"],
         "both A and B"),
        (["mdp", str(THREE), "--state", "start", "--A", "up", "--B", "a"],
         "no action"),
        (["mdp", str(THREE), "--state", "start", "--A", "dead", "--B", "a",
          "--gamma", "1"], "gamma"),
        (["mdp", str(THREE), "--state", "start", "--A", "dead", "--B", "a",
          "--reward", "1", "2"], "--reward"),
        (["mdp", "no-such-file.yaml", "--state", "s", "--A", "a", "--B", "b"], "no-such-file"),
        (["mdp", str(THREE), "--state", "start", "--A", "dead", "--B", "a",
          "-g", "0.5", "-g", "1/2"], "more than once"),
        (["mdp", str(THREE), "--state", "start", "--A", "dead", "--B", "a",
          "-g", "x"], "not a number"),
    ],
)  # fmt: skip
def test_bad_input_one_line_exit_2(args, needle):
    res = _run(*args)
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in res.output
