"""A fixed corpus of hostile inputs: each ends in a one-line ``error:`` (exit 2) or a result.

The cases reproduce a reliability run made as an attacker would: files that are not files,
documents nested 5,000 or 100,000 deep, recursive aliases and alias bombs, numbers with
millions of digits in their exponent, arrays that would need tens of gigabytes, names that
are paths or Rich markup, and counts that would run for days. Each case is written into
``tmp_path`` and run in-process under the harness's time limit (``conftest.py``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fuzz_harness import CASE_SECONDS, check_contract, invoke, names_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass(frozen=True)
class Case:
    """``make(tmp)`` writes the inputs and returns ``(args, names an error may use)``."""

    make: Callable[[Path], tuple[list[object], list[str]]]
    expect: str = "error"  # "error": exit 2; "any": exit 0 or 2 within the contract
    seconds: float = CASE_SECONDS  # a refusal is immediate; cases known to hang get less


def _write(tmp: Path, name: str, text: str | bytes) -> Path:
    p = tmp / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def _bomb(levels: int = 9) -> str:
    """About 570 bytes of nested aliases standing for 9**levels strings."""
    text = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels + 1):
        text += f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n"
    return text + f"edges: {{s: [s]}}\nname: *a{levels}\n"


def _env(tmp: Path, name: str, text: str, *extra: object) -> tuple[list[object], list[str]]:
    p = _write(tmp, name, text)
    return ["power", p, "--samples", 8, "--json", *extra], [*names_of(p), p.stem]


def _fifo(tmp: Path) -> tuple[list[object], list[str]]:
    p = tmp / "fifo.yaml"
    os.mkfifo(p)
    return ["power", p, "--json"], names_of(p)


def _big(tmp: Path) -> tuple[list[object], list[str]]:
    p = tmp / "big.yaml"
    with p.open("wb") as fh:
        fh.truncate(64 * 2**20)  # 64 MiB of NUL, as a sparse file
    return ["power", p, "--json"], names_of(p)


def _grid(tmp: Path, n: int) -> tuple[list[object], list[str]]:
    body = "\n".join("  " + "." * n for _ in range(n))
    return _env(tmp, f"grid{n}.yaml", f"grid: |\n{body}\n")


def _hub(tmp: Path) -> tuple[list[object], list[str]]:
    """One state with 1,000 successors: a dense [S, A, S] array would take 7.5 GiB."""
    leaves = [f"s{i}" for i in range(1000)]
    doc = {"edges": {"hub": leaves, **{s: [s] for s in leaves}}}
    p = _write(tmp, "hub.json", json.dumps(doc))
    return ["gamma-star", p, "--from", "hub", "--json"], [*names_of(p), p.stem]


def _spec(tmp: Path, fname: str, **over: object) -> tuple[list[object], list[str]]:
    doc: dict[str, object] = {
        "name": "fuzz",
        "analysis": "power",
        "environments": [str(EXAMPLES / "fig1.yaml")],
        "gammas": [0.9],
        "samples": 20,
        "chunk_size": 10,
    }
    doc.update(over)
    p = _write(tmp, fname, json.dumps(doc))
    args = ["sweep", "run", p, "--json", "--max-chunks", 1]
    if "name" not in over:
        args += ["--out", tmp / "store"]
    return args, names_of(p)


def _markup_env(tmp: Path) -> Path:
    return _write(
        tmp, "markup.yaml", 'edges:\n  "[/x]": ["[/x]", "[bold]b"]\n  "[bold]b": ["[/x]"]\n'
    )


def _game(tmp: Path, name: str, text: str, *extra: object) -> tuple[list[object], list[str]]:
    p = _write(tmp, name, text)
    return ["game", p, "--json", *extra], names_of(p)


def _twelve_players(tmp: Path) -> tuple[list[object], list[str]]:
    players = [f"p{i}" for i in range(12)]
    doc = {
        "name": "twelve",
        "players": players,
        "types": {p: ["lo", "mid", "hi"] for p in players},
        "actions": {p: ["a", "b", "c"] for p in players},
        "payoffs": "random",
    }
    return _game(tmp, "twelve.yaml", json.dumps(doc))


CORPUS: dict[str, Case] = {
    # files that are not regular files, or too large
    "dev-zero": Case(lambda t: (["power", "/dev/zero", "--json"], ["/dev/zero"])),
    "fifo": Case(_fifo),
    "64MiB": Case(_big),
    "directory": Case(lambda t: (["power", t, "--json"], [str(t)])),
    "binary": Case(lambda t: _env(t, "bin.yaml", "\x00\x01\xff")),
    # nesting, aliases, duplicate keys
    "yaml-5000-deep": Case(
        lambda t: _env(
            t, "deep.yaml", "edges:\n" + "".join(" " * i + "k:\n" for i in range(1, 5001))
        )
    ),
    "yaml-flow-5000-deep": Case(
        lambda t: _env(t, "flow.yaml", "edges: " + "[" * 5000 + "]" * 5000)
    ),
    "recursive-alias": Case(lambda t: _env(t, "rec.yaml", "edges: &e {a: *e}\n")),
    "json-100000-deep": Case(
        lambda t: _env(t, "deep.json", '{"edges": ' + "[" * 100_000 + "]" * 100_000 + "}")
    ),
    "alias-bomb": Case(lambda t: _env(t, "bomb.yaml", _bomb())),
    "duplicate-key": Case(lambda t: _env(t, "dup.yaml", "edges:\n  a: [a]\n  a: [a]\n")),
    "python-tag": Case(lambda t: _env(t, "tag.yaml", "edges: !!python/object:os.system {}\n")),
    "bad-date-key": Case(lambda t: _env(t, "date.yaml", "edges:\n  2020-13-45: [a]\n")),
    "4000-digit-number": Case(
        lambda t: _env(t, "num.yaml", "edges: {a: [a]}\nname: " + "9" * 4000)
    ),
    "nan-probability": Case(
        lambda t: _env(t, "nan.json", '{"transitions": {"a": {"go": {"a": NaN}}}}')
    ),
    # sizes that must be refused before allocating
    "grid-2000x2000": Case(lambda t: _grid(t, 2000)),
    "hub-1000-successors": Case(_hub, expect="any"),
    # sweep specifications
    "spec-name-absolute": Case(lambda t: _spec(t, "abs.json", name="/tmp/powerlab-fuzz-x")),
    "spec-name-escapes": Case(lambda t: _spec(t, "esc.json", name="../../x")),
    "spec-batch-1e7": Case(
        lambda t: _spec(t, "batch.json", batch_size=10**7, chunk_size=10**7, samples=10**7)
    ),
    "spec-gamma-exponent": Case(lambda t: _spec(t, "gexp.json", gammas=["1e-30000000"])),
    "spec-env-dev-zero": Case(lambda t: _spec(t, "zero.json", environments=["/dev/zero"])),
    "spec-env-deep": Case(
        lambda t: _spec(
            t, "deepenv.json", environments=[str(_write(t, "d.yaml", "a: " + "[" * 3000))]
        )
    ),
    # CLI numbers and markup (cli._common)
    "gamma-1e400": Case(
        lambda t: (["power", EXAMPLES / "fig1.yaml", "-g", "1e400", "--json"], ["--gamma"])
    ),
    "gamma-exponent": Case(
        lambda t: (
            ["power", EXAMPLES / "fig1.yaml", "-g", "1e-100000000", "--json"],
            ["--gamma"],
        )
    ),
    "markup-state-table": Case(
        lambda t: (["power", _markup_env(t), "--samples", 8], ["markup"]), expect="any"
    ),
    "markup-state-error": Case(
        lambda t: (
            ["optimality", _markup_env(t), "--state", "[/y]", "--json"],
            ["markup", "[/y]"],
        )
    ),
    "seed-negative": Case(
        lambda t: (["power", EXAMPLES / "fig1.yaml", "--seed", -2015, "--json"], ["--seed"])
    ),
    "dist-out-of-range": Case(
        lambda t: (
            ["power", EXAMPLES / "fig1.yaml", "--dist", "bernoulli:2", "--json"],
            ["--dist"],
        )
    ),
    # sample counts (power, goals, retarget)
    "power-samples-1e12": Case(
        lambda t: (["power", EXAMPLES / "fig1.yaml", "-n", 10**12, "--json"], ["--samples"]),
        seconds=3,
    ),
    "power-exact-room": Case(
        lambda t: (["power", EXAMPLES / "room.yaml", "--exact", "--json"], ["room", "--exact"]),
        seconds=3,
    ),
    "goals-samples-1e9": Case(
        lambda t: (
            [
                "goals",
                "sample",
                EXAMPLES / "goals" / "shutdown_toy.yaml",
                "--train",
                EXAMPLES / "goals" / "shutdown_toy_train.yaml",
                "--samples",
                10**9,
                "--json",
            ],
            ["--samples", "samples"],
        )
    ),
    "retarget-samples-1e12": Case(
        lambda t: (
            [
                "retarget",
                "outcomes",
                "--utility",
                "1",
                "2",
                "3",
                "--labels",
                "a",
                "b",
                "c",
                "--A",
                "a",
                "--B",
                "b",
                "c",
                "--samples",
                10**12,
                "--json",
            ],
            ["--samples"],
        )
    ),
    # games
    "game-dev-zero": Case(lambda t: (["game", "/dev/zero", "--json"], ["/dev/zero"])),
    "game-4000-digit-payoff": Case(
        lambda t: _game(
            t,
            "digits.yaml",
            "players: [A, B]\nactions: {A: [x], B: [y]}\n"
            f'payoffs: {{"x,y": ["{"7" * 4000}", 0]}}\n',
        )
    ),
    "game-exponent-payoff": Case(
        lambda t: _game(
            t,
            "exp.yaml",
            'players: [A, B]\nactions: {A: [x], B: [y]}\npayoffs: {"x,y": ["1e100000000", 0]}\n',
        )
    ),
    "game-timeout-inf": Case(
        lambda t: (
            [
                "game",
                EXAMPLES / "games" / "matching-pennies.yaml",
                "--timeout",
                "inf",
                "--json",
            ],
            ["--timeout"],
        ),
        expect="any",
    ),
    "game-twelve-players": Case(_twelve_players),
}


PARAMS = [pytest.param(v, id=k) for k, v in sorted(CORPUS.items())]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", PARAMS)
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    args, names = case.make(tmp_path)
    out = invoke(args, case.seconds)
    ok = check_contract(out, names)
    if case.expect == "error":
        assert not ok, f"expected a refusal\n{out.describe()}"
    assert not Path("/tmp/powerlab-fuzz-x").exists()
