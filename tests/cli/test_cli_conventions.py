"""One convention for every command: list options, names, provenance and help in plain words.

Each command of goals, games, agents, retarget and multiagent is checked by introspection
(option names, help text) and, where it runs in well under a second, by running it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from powerlab.cli import app

EX = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()
ROOT = typer.main.get_command(app)


def _commands(group: Any, path: tuple[str, ...] = ()) -> dict[str, Any]:
    if hasattr(group, "commands"):
        out: dict[str, Any] = {}
        for name, cmd in group.commands.items():
            out.update(_commands(cmd, (*path, name)))
        return out
    return {" ".join(path): group}


COMMANDS = _commands(ROOT)
OWN = [
    c
    for c in COMMANDS
    if c.split()[0] in ("goals", "gamma-star", "shutdown", "game", "game-sweep",
                        "game-sequential", "agents", "retarget", "multiagent")
]  # fmt: skip
# commands that draw random numbers: each takes --seed
RANDOM = ["goals sample", "goals misgeneralization", "shutdown", "game-sweep", "multiagent",
          "retarget outcomes", "retarget mdp", "agents evaluate", "agents compare"]  # fmt: skip


def _opts(cmd: Any) -> dict[str, list[str]]:
    return {p.name: [*p.opts, *p.secondary_opts] for p in cmd.params if p.name}


def test_the_commands_are_all_there() -> None:
    assert len(OWN) == 16, OWN


@pytest.mark.parametrize("name", OWN)
def test_names(name: str) -> None:
    opts = _opts(COMMANDS[name])
    flags = {f for fs in opts.values() for f in fs}
    assert "--sample" not in flags and "--seeds" not in flags  # --samples, --n-seeds
    if "gamma" in opts:
        assert set(opts["gamma"]) == {"--gamma", "-g"}, opts["gamma"]
    if name in RANDOM:
        assert "--seed" in flags
    if "json_out" in opts or "json_" in opts:
        assert "--quiet" in flags or name in (
            "gamma-star",
            "retarget outcomes",
            "agents protocol status",
        )


JARGON = ("s_new", "open question", "seed's", "Q*-optimality reading", "<bool>")


@pytest.mark.parametrize("name", OWN)
def test_help_has_no_undefined_jargon(name: str) -> None:
    res = runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    for word in JARGON:
        assert word not in res.output, (word, res.output)


def _json(*args: str) -> dict:
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    return doc


FIG1 = str(EX / "fig1.yaml")
COIN, COIN_TRAIN = str(EX / "goals" / "coinrun.yaml"), str(EX / "goals" / "coinrun_train.yaml")


@pytest.mark.parametrize(
    "args, key, value",
    [
        (["gamma-star", COIN, "--from", "button", "-g", "0.5,0.9", "-g", "0.99"],
         "gamma", [0.5, 0.9, 0.99]),
        (["retarget", "outcomes", "--utility", "0,1", "--utility", "2", "--labels", "a,b,c",
          "--A", "a", "--B", "b,c", "--samples", "50", "--seed", "3"], "seed", 3),
        (["retarget", "mdp", FIG1, "--state", "start", "--A", "dead", "--B", "l_mid,r_mid",
          "-g", "0.5"], "gamma", 0.5),
        (["game", str(EX / "games" / "matching-pennies.yaml")], "solver", "lcp"),
        (["game-sequential", str(EX / "games" / "sequential-pennies.yaml")], "solver", "lcp"),
        (["game-sweep", "--rho", "0,1", "--rho", "0.5", "--games", "2", "--seed", "4"],
         "rho", [0.0, 1.0, 0.5]),
        (["goals", "sample", COIN, "--train", COIN_TRAIN, "-n", "20", "--seed", "2"],
         "samples", 20),
    ],
)  # fmt: skip
def test_every_json_document_carries_provenance(args: list[str], key: str, value) -> None:
    """Lists mix commas and repetition, every value is kept in order, and the provenance
    names the version, the command line and the settings."""
    doc = _json(*args, "--json")
    prov = doc["provenance"]
    assert {"powerlab", "git_commit", "command"} <= set(prov)
    assert prov[key] == value and isinstance(prov["command"], str)


def test_several_gammas_in_retarget_json_each_carry_provenance() -> None:
    res = runner.invoke(app, ["retarget", "mdp", FIG1, "--state", "start", "--A", "dead",
                              "--B", "l_mid", "r_mid", "-g", "0.2,0.7", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    docs = json.loads(res.stdout)
    assert [d["provenance"]["gamma"] for d in docs] == [0.2, 0.7]


@pytest.mark.parametrize(
    "args, flag",
    [
        (["goals", "sample", COIN, "--train", COIN_TRAIN, "-g", "0.5", "-g", "0.9"], "--gamma"),
        (["goals", "misgeneralization", COIN, "--train", COIN_TRAIN, "--start", "button",
          "-g", "0.5,0.9"], "--gamma"),
        (["retarget", "outcomes", "--utility", "0,,1", "--labels", "a,b", "--A", "a",
          "--B", "b"], "--utility"),
        (["multiagent", str(EX / "multiagent" / "3x3_gridworld.gv"), "--ai", "fixed:x.gv",
          "--rho", "0,0.5"], "--rho"),
    ],
)  # fmt: skip
def test_a_second_value_is_refused_never_dropped(args: list[str], flag: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and flag in lines[0], res.stderr


def test_written_files_are_announced_once(tmp_path: Path) -> None:
    out = tmp_path / "g.npz"
    res = runner.invoke(app, ["goals", "sample", COIN, "--train", COIN_TRAIN, "-n", "20",
                              "-o", str(out), "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.stderr.count(f"wrote {out}") == 1 and out.is_file()
    json.loads(res.stdout)  # stdout stays one JSON document
    efg = tmp_path / "mp.efg"
    res = runner.invoke(app, ["game", str(EX / "games" / "matching-pennies.yaml"),
                              "--export", str(efg)])  # fmt: skip
    assert res.exit_code == 0 and res.stderr.count(f"wrote {efg}") == 1 and efg.is_file()


def test_tables_show_no_python_reprs() -> None:
    res = runner.invoke(app, ["game", str(EX / "games" / "matching-pennies.yaml")])
    assert res.exit_code == 0, res.output
    assert not re.search(r"\[\d+, \d+\]|\{'|None", res.stdout), res.stdout
    res = runner.invoke(app, ["goals", "sample", COIN, "--train", COIN_TRAIN, "-n", "20"])
    assert res.exit_code == 0, res.output
    assert "None" not in res.stdout and "{'" not in res.stdout, res.stdout
