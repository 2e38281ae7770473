"""CLI contract for ``powerlab power`` and ``powerlab optimality``: JSON shape, bad input → exit 2."""

import json

import pytest
from typer.testing import CliRunner

from powerlab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_power_json_contract(examples):
    res = run(
        "power", examples / "fig1.yaml", "-g", "0.5", "-g", "1/2", "-n", "500", "--seed", "7",
        "--dist", "beta:2,2", "--json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"env", "results", "provenance"} and out["env"] == "fig1"
    assert len(out["results"]) == 16
    for r in out["results"]:
        assert set(r) == {"state", "gamma", "power", "stderr", "samples", "solver_error"}
        assert r["samples"] == 500 and r["stderr"] >= 0 and 0 <= r["solver_error"] < 1e-6
    prov = out["provenance"]
    assert prov["seed"] == 7 and prov["distribution"] == "beta:2,2" and prov["samples"] == 500
    assert prov["gamma"] == [0.5, 0.5] and prov["env"] == "fig1"
    assert prov["powerlab"] and isinstance(prov["command"], str)  # sys.argv of the process


@pytest.mark.parametrize(
    "gamma_args",
    [["-g", "0,1"], ["-g", "0", "-g", "1"], ["-g", "0", "1"], ["--gamma", "0,1"]],
)
def test_list_options_repeat_comma_or_space_all_kept(examples, gamma_args):
    """One rule for list options: repeated, comma-separated and space-separated all keep every value."""
    args = ["power", examples / "fig1.yaml", *gamma_args, "--states", "dead,start", "-n", "50"]
    out = json.loads(run(*args, "--json").stdout)
    assert [(r["state"], r["gamma"]) for r in out["results"]] == [
        ("dead", 0.0),
        ("start", 0.0),
        ("dead", 1.0),
        ("start", 1.0),
    ]


def test_grid_state_with_a_comma_is_taken_whole(examples):
    res = run(
        "power", examples / "room.yaml", "--states", "2,4", "--states", "1,1", "-n", "50", "--json"
    )
    assert res.exit_code == 0, res.output
    assert [r["state"] for r in json.loads(res.stdout)["results"]] == ["2,4", "1,1"]


def test_empty_list_item_is_refused_not_dropped(examples):
    res = run("power", examples / "fig1.yaml", "-g", "0.5,,0.9", "-n", "50")
    assert res.exit_code == 2 and "--gamma: empty item" in res.output


def test_power_states_filter_and_limits(examples):
    res = run(
        "power",
        examples / "fig1.yaml",
        "-g",
        "0",
        "-g",
        "1",
        "--states",
        "dead,start",
        "-n",
        "200",
        "--json",
    )
    out = json.loads(res.stdout)
    assert [(r["state"], r["gamma"]) for r in out["results"]] == [
        ("dead", 0.0),
        ("start", 0.0),
        ("dead", 1.0),
        ("start", 1.0),
    ]


def test_optimality_json_contract_names_edges_actions_after_successors(examples):
    res = run("optimality", examples / "fig1.yaml", "--state", "start", "-n", "300", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [r["action"] for r in out["results"]] == ["l_mid", "r_mid", "dead"]
    for r in out["results"]:
        assert set(r) == {"state", "action", "gamma", "probability", "stderr", "samples"}
    assert out["provenance"]["seed"] == 0 and out["provenance"]["distribution"] == "uniform"


def test_table_output_and_plots(examples, tmp_path):
    res = run("power", examples / "room.yaml", "-n", "200", "--plot", tmp_path / "heat.png")
    assert res.exit_code == 0 and "POWER" in res.stdout
    assert (tmp_path / "heat.png").stat().st_size > 1000
    res = run(
        "optimality",
        examples / "coin.yaml",
        "--state",
        "s0",
        "-n",
        "200",
        "--plot",
        tmp_path / "b.png",
    )
    assert res.exit_code == 0 and (tmp_path / "b.png").exists()


def test_gymnasium_environment_by_id():
    res = run("power", "gym:FrozenLake-v1", "-n", "100", "--states", "0", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["results"][0]["state"] == "0"


BAD_ARGS = [
    (["power", "{ex}/nope.yaml"], "no such file"),
    (["power", "{ex}/fig1.yaml", "-g", "1.5"], "outside [0, 1]"),
    (["power", "{ex}/fig1.yaml", "-g", "abc"], "not a number"),
    (["power", "{ex}/fig1.yaml", "--states", "zz"], "unknown state 'zz'"),
    (["power", "{ex}/fig1.yaml", "--dist", "gauss"], "unknown distribution"),
    (["power", "{ex}/fig1.yaml", "-n", "1"], "at least 2"),
    (["optimality", "{ex}/fig1.yaml", "--state", "nowhere"], "unknown state 'nowhere'"),
    (["power", "{ex}"], "is a directory"),
]


@pytest.mark.parametrize(("args", "message"), BAD_ARGS)
def test_bad_input_exits_2_with_one_line(examples, args, message):
    res = run(*[a.format(ex=examples) for a in args])
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert err.startswith("error:") and message in err and len(err.splitlines()) == 1
    assert "Traceback" not in res.output


def test_bad_environment_file_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("transitions:\n  s: {go: {s: 0.5}}\n")
    res = run("power", bad, "--json")
    assert (
        res.exit_code == 2
        and "bad.yaml:2: transitions.s.go: probabilities sum to 0.5" in res.stderr
    )
    assert res.stdout == ""


BAD_FILES = {
    "empty.yaml": ("", "the file is empty"),
    "binary.yaml": (b"\x00\xff\xfe", "not a text file"),
    "syntax.json": ('{"edges": ', "not valid JSON"),
    "none.yaml": ("name: x\n", "(found none)"),
    "several.yaml": ("edges: {a: [a]}\ngrid: '..'\n", "(found edges, grid)"),
    "unknown.yaml": ("edges:\n  a: [zz]\n", "edges.a: unknown state 'zz'"),
    "sum.yaml": ("transitions:\n  s: {go: {s: 0.5}}\n", "probabilities sum to 0.5, not 1"),
    "negative.yaml": ("transitions:\n  s: {go: {s: -0.5, t: 1.5}}\n  t: {x: {t: 1}}\n", "negative"),
    "nonfinite.yaml": ("transitions:\n  s: {go: {s: .inf}}\n", "not finite"),
    "noaction.yaml": ("edges:\n  a: []\n  b: [b]\n", "state 'a' has no action"),
    "duplicate.yaml": ("edges:\n  a: [a]\n  a: [a]\n", "duplicate name 'a'"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["power", "optimality"])
def test_every_malformed_file_exits_2_naming_the_file(tmp_path, name, command):
    content, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    extra = ["--state", "a"] if command == "optimality" else []
    res = run(command, path, *extra, "--json")
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert name in err and message in err and len(err.splitlines()) == 1
    assert res.stdout == "" and "Traceback" not in res.output


HUGE_NUMBERS = [
    ("1e400", "too large for a float"),
    ("1e-100000000", "too small for a float"),
    ("1e99999999999999999999", "too large for a float"),
    ("1" + "0" * 200, "characters (at most 100)"),
    ("inf", "not a number"),
    ("1/0", "not a number"),
]


@pytest.mark.parametrize(("gamma", "message"), HUGE_NUMBERS)
@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("command", ["power", "optimality"])
def test_huge_and_tiny_gammas_are_one_line_errors(examples, command, exact, gamma, message):
    """Exponents are never expanded exactly: each of these is refused at once, in one line,
    by the Monte Carlo commands and by exact mode alike."""
    extra = ["--state", "start"] if command == "optimality" else []
    extra += ["--exact"] if exact else []
    res = run(command, examples / "fig1.yaml", *extra, "-g", gamma, "--json")
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert err.startswith("error: --gamma:") and message in err and len(err.splitlines()) == 1
    assert res.stdout == ""


MARKUP = "[/x]"


def test_markup_in_state_names_is_printed_literally(tmp_path):
    """A state named like a Rich closing tag is text, in tables and in error messages."""
    env = tmp_path / "markup.yaml"
    env.write_text(f"edges:\n  '{MARKUP}': ['[bold]b']\n  '[bold]b': ['{MARKUP}']\n")
    res = run("power", env, "-n", "50")
    assert res.exit_code == 0, res.output
    assert MARKUP in res.stdout and "[bold]b" in res.stdout
    res = run("optimality", env, "--state", MARKUP, "-n", "50")
    assert res.exit_code == 0, res.output
    assert "[bold]b" in res.stdout
    res = run("optimality", env, "--state", "[/y]", "--json")
    assert res.exit_code == 2 and "unknown state '[/y]'" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_programming_errors_are_not_bad_input():
    """Only powerlab's InputError/ResourceError and missing or unreadable files exit 2; a
    TypeError, KeyError, plain ValueError or other OSError is a bug and propagates."""
    import typer

    from powerlab.cli._common import EXIT_BAD_INPUT, guarded
    from powerlab.errors import InputError, ResourceError

    def raising(exc: BaseException):
        @guarded
        def command() -> None:
            raise exc

        return command

    for bug in (TypeError("t"), KeyError("k"), ValueError("v"), OSError(28, "No space left")):
        with pytest.raises(type(bug)):
            raising(bug)()
    bad_input = (
        InputError("bad"),
        ResourceError("too big"),
        FileNotFoundError(2, "No such file", "x.yaml"),
        PermissionError(13, "Permission denied", "x.yaml"),
    )
    for exc in bad_input:
        with pytest.raises(typer.Exit) as info:
            raising(exc)()
        assert info.value.exit_code == EXIT_BAD_INPUT
