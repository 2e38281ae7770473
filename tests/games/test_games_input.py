"""Robust input: repeated keys, sizes before allocation, bounded numbers, options, temp files."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.errors import InputError, ResourceError
from powerlab.games import load_game, solve

EX = Path(__file__).resolve().parents[2] / "examples" / "games"
PENNIES = (EX / "matching-pennies.yaml").read_text()
ENTRY = (EX / "entry-unknown-cost.yaml").read_text()


def _error_line(args: list[str]) -> str:
    """Run the CLI; assert exit 2 and exactly one ``error:`` line on stderr; return it."""
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.stderr
    return lines[0]


def _write(tmp_path: Path, text: str, name: str = "g.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    """A repeated key would otherwise silently overwrite the first payoff (last value wins)."""
    text = PENNIES.replace('"T,T": [1, -1]}', '"T,T": [1, -1], "H,H": [101, -1]}')
    line = _error_line(["game", str(_write(tmp_path, text))])
    assert "duplicate name 'H,H'" in line and "g.yaml" in line


def test_profiles_equal_after_spaces_are_refused(tmp_path: Path) -> None:
    text = PENNIES.replace('"T,T": [1, -1]}', '"T,T": [1, -1], "H, H": [101, -1]}')
    line = _error_line(["game", str(_write(tmp_path, text))])
    assert "duplicate action profile 'H, H'" in line and "'H,H'" in line


def test_duplicate_prior_key_is_refused(tmp_path: Path) -> None:
    text = ENTRY.replace('"e,high": 1/3}', '"e,high": 1/3, "e, low": 7/12}')
    line = _error_line(["game", str(_write(tmp_path, text))])
    assert "prior" in line and "duplicate type profile" in line


def test_duplicate_json_key_is_refused(tmp_path: Path) -> None:
    doc = '{"players": ["A", "B"], "players": ["A", "C"], "actions": {}, "payoffs": {}}'
    line = _error_line(["game", str(_write(tmp_path, doc, "g.json"))])
    assert "duplicate name 'players'" in line


def test_json_decimals_stay_exact(tmp_path: Path) -> None:
    doc = {
        "players": ["A", "B"],
        "actions": {"A": ["x"], "B": ["y"]},
        "payoffs": {"x,y": [0.1, 1e-5]},
    }
    p = _write(tmp_path, json.dumps(doc), "g.json")
    g = load_game(p)
    assert str(g.payoffs[0, 0, 0, 0, 0]) == "1/10" and str(g.payoffs[1, 0, 0, 0, 0]) == "1/100000"


def _many_players(n: int) -> str:
    names = [f"p{i}" for i in range(n)]
    return "\n".join(
        [
            f"players: [{', '.join(names)}]",
            "types: {" + ", ".join(f"{p}: [a, b]" for p in names) + "}",
            "actions: {" + ", ".join(f"{p}: [x, y]" for p in names) + "}",
            'prior: {"' + ",".join(["a"] * n) + '": 1}',
            "payoffs: {}",
        ]
    )


def test_twelve_players_refused_before_allocating(tmp_path: Path) -> None:
    """12 players with 2 types and 2 actions: 12 · 2^12 · 2^12 = 201,326,592 payoff entries."""
    text = _many_players(12)
    assert len(text) < 800
    with pytest.raises(ResourceError, match="201326592 payoff entries"):
        load_game(_write(tmp_path, text))
    line = _error_line(["game", str(tmp_path / "g.yaml")])
    assert "201326592" in line


@pytest.mark.parametrize("value", ["inf", "1e300", "nan", "-1", "0", "soon"])
def test_timeout_values_are_clean_errors(value: str) -> None:
    line = _error_line(["game", str(EX / "matching-pennies.yaml"), "--timeout", value])
    assert "--timeout" in line


@pytest.mark.parametrize(
    ("payoff", "message"),
    [
        ("9" * 4000, "characters"),
        ('"1e100000000"', "exponent"),
        ('"' + "9" * 4000 + '"', "characters"),
        (".inf", "non-finite"),
        ('"1/0"', "not a number"),
    ],
)
def test_numbers_too_large_are_refused(tmp_path: Path, payoff: str, message: str) -> None:
    text = PENNIES.replace('"H,H": [1, -1]', f'"H,H": [{payoff}, -1]')
    line = _error_line(["game", str(_write(tmp_path, text))])
    assert message in line or "too large" in line


def test_non_utf8_names_the_file(tmp_path: Path) -> None:
    p = tmp_path / "latin1.yaml"
    p.write_bytes(PENNIES.replace("Matcher", "Matcher\xe9").encode("latin-1"))
    line = _error_line(["game", str(p)])
    assert "latin1.yaml" in line and "UTF-8" in line


def test_integer_player_names(tmp_path: Path) -> None:
    text = (
        "players: [1, 2]\nactions: {1: [H, T], 2: [H, T]}\n"
        'payoffs: {"H,H": [1, -1], "H,T": [-1, 1], "T,H": [-1, 1], "T,T": [1, -1]}\n'
    )
    g = load_game(_write(tmp_path, text))
    assert g.players == ("1", "2")


def test_no_temporary_files_are_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Gambit reads the tree from memory: the temporary directory stays empty."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    g = load_game(EX / "bos-meet-or-avoid.yaml")
    for solver in ("lcp", "enummixed", "enumpoly", "logit"):
        solve(g, solver)
    assert list(tmp_path.iterdir()) == []


def test_one_deadline_for_everything() -> None:
    """The deadline object is shared: once passed, the next stage refuses to start."""
    from powerlab.games._deadline import Deadline, DeadlineExceeded

    d = Deadline(1e-9)
    g = load_game(EX / "matching-pennies.yaml")
    with pytest.raises(DeadlineExceeded):
        solve(g, "lcp", timeout=d)
    with pytest.raises(InputError):
        Deadline(float("inf"))


# --- fuzz: malformed files must give exit 2, one "error:" line, no traceback ------------------

_JUNK = ["nan", ".inf", "x", "[", "{", "1/0", "true", "null", "'1e99999'", "9" * 500, "-", ""]


def _mutants(rng: np.random.Generator, count: int) -> list[bytes]:
    """Malformed variants of the entry game: each mutation is one that cannot give a valid game.

    * a payoff or probability replaced by junk (not a number, unbalanced bracket, too large);
    * a whole line repeated (every non-comment line holds a key, so a key repeats);
    * a required line deleted (players, types, prior, actions or a payoff row);
    * a prefix of the file (a payoff row or a closing brace is lost);
    * a byte that is not UTF-8 inserted.
    """
    lines = ENTRY.splitlines()
    keyed = [k for k, ln in enumerate(lines) if ln and not ln.startswith("#") and ":" in ln]
    required = [k for k in keyed if not lines[k].startswith("name")]
    numbers = [
        (k, c)
        for k in keyed
        for c in range(len(lines[k]))
        if lines[k][c].isdigit() and (c == 0 or not lines[k][c - 1].isdigit())
    ]
    out = []
    for _ in range(count):
        kind = int(rng.integers(5))
        new = list(lines)
        if kind == 0:
            k, c = numbers[int(rng.integers(len(numbers)))]
            ln = new[k]
            end = c
            while end < len(ln) and (ln[end].isdigit() or ln[end] in "/."):
                end += 1
            new[k] = ln[:c] + _JUNK[int(rng.integers(len(_JUNK)))] + ln[end:]
        elif kind == 1:
            k = keyed[int(rng.integers(len(keyed)))]
            new.insert(k + 1, new[k])
        elif kind == 2:
            del new[required[int(rng.integers(len(required)))]]
        elif kind == 3:
            text = "\n".join(new)
            cut = int(rng.integers(len(text) // 4, len(text) - 12))
            out.append(text[:cut].encode())
            continue
        else:
            text = "\n".join(new).encode()
            at = int(rng.integers(len(text)))
            out.append(text[:at] + b"\xff" + text[at:])
            continue
        out.append("\n".join(new).encode())
    return out


@pytest.mark.timeout(120)
def test_fuzz_malformed_files(tmp_path: Path) -> None:
    """40 malformed files (fixed seed): each gives exit 2 and one ``error:`` line on stderr.

    The time limit guards against a hang (a file that makes the loader allocate or loop);
    every file here is rejected while loading, before any solver starts.
    """
    rng = np.random.default_rng(20210)
    for k, blob in enumerate(_mutants(rng, 40)):
        p = tmp_path / f"m{k}.yaml"
        p.write_bytes(blob)
        _error_line(["game", str(p), "--timeout", "20"])


def _efg_mutants(rng: np.random.Generator, text: str, count: int) -> list[bytes]:
    """Malformed variants of an exported tree: a number in a node line replaced by junk, a
    prefix (nodes are lost), or a byte that is not UTF-8."""
    lines = text.splitlines()
    spots = [
        (k, m.start(), m.end())
        for k, ln in enumerate(lines)
        if k >= 3
        for m in re.finditer(r"-?\d+(?:/\d+)?", ln)
    ]
    junk = [j for j in _JUNK if j]
    out = []
    for _ in range(count):
        kind = int(rng.integers(3))
        if kind == 0:
            k, a, b = spots[int(rng.integers(len(spots)))]
            new = list(lines)
            new[k] = new[k][:a] + junk[int(rng.integers(len(junk)))] + new[k][b:]
            out.append("\n".join(new).encode())
        elif kind == 1:
            out.append(text[: int(rng.integers(len(text) // 4, len(text) - 20))].encode())
        else:
            raw = text.encode()
            at = int(rng.integers(len(raw)))
            out.append(raw[:at] + b"\xfe" + raw[at:])
    return out


@pytest.mark.timeout(120)
def test_fuzz_malformed_efg(tmp_path: Path) -> None:
    """30 malformed .efg files (fixed seed): exit 2 and one ``error:`` line each."""
    from powerlab.games.gambit_io import write_efg

    text = write_efg(load_game(EX / "entry-unknown-cost.yaml"), tmp_path / "ok.efg").read_text()
    rng = np.random.default_rng(17)
    for k, blob in enumerate(_efg_mutants(rng, text, 30)):
        p = tmp_path / f"m{k}.efg"
        p.write_bytes(blob)
        _error_line(["game", str(p), "--timeout", "20"])


def test_options_checked_before_loading(tmp_path: Path) -> None:
    """A bad --solver or --export is refused even when the game file does not exist."""
    missing = str(tmp_path / "absent.yaml")
    assert "--solver" in _error_line(["game", missing, "--solver", "magic"])
    assert "--export" in _error_line(["game", missing, "--export", "x.nfg"])


def test_all_on_a_large_game_is_refused_at_once(tmp_path: Path) -> None:
    """12 x 12 actions: 144 strategic cells exceed enummixed's limit, and enumpoly would face
    (2^12 - 1)^2 = 16,769,025 supports, so --all is refused before Gambit starts."""
    acts = [f"a{k}" for k in range(12)]
    pay = {f"{x},{y}": [0, 0] for x in acts for y in acts}
    doc = {"players": ["P", "Q"], "actions": {"P": acts, "Q": acts}, "payoffs": pay}
    p = _write(tmp_path, json.dumps(doc), "big.json")
    line = _error_line(["game", str(p), "--all", "--timeout", "600"])
    assert "16769025 supports" in line


def test_best_case_with_many_ties_is_exact_and_bounded() -> None:
    """A 60 x 60 game with every payoff 1: all 60 opponent strategies tie; the best case is
    exactly 1, and a passed deadline stops the exact re-evaluation."""
    from powerlab.games import best_case_power, make_game
    from powerlab.games._deadline import Deadline, DeadlineExceeded

    g = make_game(np.ones((1, 1), dtype=object), np.ones((2, 1, 1, 60, 60), dtype=object))
    assert best_case_power(g, 0).value == 1
    with pytest.raises(DeadlineExceeded):
        best_case_power(g, 0, deadline=Deadline(1e-9))


def test_json_is_parsed_as_json_and_yaml_by_the_c_loader(tmp_path: Path) -> None:
    import yaml

    from powerlab import _load

    line = _error_line(["game", str(_write(tmp_path, '{"players": [1,]}', "g.json"))])
    assert "not valid JSON" in line
    if getattr(yaml, "CSafeLoader", None) is not None:  # game files use the one safe loader
        assert issubclass(_load._Loader, yaml.CSafeLoader)
