"""Game construction and file loading: exactness, validation, one-line errors."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
import yaml

from powerlab.errors import InputError
from powerlab.games import (
    check_profile,
    from_private_rewards,
    interim_utility,
    load_game,
    make_game,
    power,
    uniform_profile,
)

EX = Path(__file__).resolve().parents[2] / "examples" / "games"
ENTRY = yaml.safe_load((EX / "entry-unknown-cost.yaml").read_text())


def _write(tmp_path: Path, data: object) -> Path:
    p = tmp_path / "g.yaml"
    p.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return p


def test_fraction_strings_stay_exact() -> None:
    g = load_game(EX / "entry-unknown-cost.yaml")
    assert g.exact and g.prior[0, 0] == F(2, 3) and isinstance(g.prior[0, 0], F)
    assert g.payoffs.shape == (2, 1, 2, 2, 2)


def test_decimals_in_files_are_exact(tmp_path: Path) -> None:
    data = dict(ENTRY, prior={"e,low": 0.25, "e,high": "0.75"})
    g = load_game(_write(tmp_path, data))
    assert g.prior[0, 1] == F(3, 4)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"prior": {"e,low": "1/2", "e,high": "1/3"}}, "sum to 5/6"),
        ({"prior": {"e,mid": 1}}, "unknown type 'mid'"),
        ({"prior": {"e,low": "-1", "e,high": 2}}, "negative"),
        ({"prior": {"e,low": "x"}}, "not a number"),
        ({"players": ["Entrant", "Incumbent", "Judge"]}, "missing player 'Judge'"),
        ({"actions": {"Entrant": ["In", "Out"], "Incumbnt": ["F"]}}, "unknown player 'Incumbnt'"),
        ({"payoffs": {"e,low": ENTRY["payoffs"]["e,low"]}}, "missing type profile 'e,high'"),
        ({"colour": 1}, "unknown key 'colour'"),
    ],
)
def test_bad_files_one_line(tmp_path: Path, change: dict, needle: str) -> None:
    p = _write(tmp_path, dict(ENTRY, **change))
    with pytest.raises(InputError) as err:
        load_game(p)
    msg = str(err.value)
    assert needle in msg and str(p) in msg and "\n" not in msg


def test_missing_payoff_entry(tmp_path: Path) -> None:
    pay = {k: dict(v) for k, v in ENTRY["payoffs"].items()}
    del pay["e,high"]["Out,Fight"]
    with pytest.raises(
        InputError, match=r"payoffs\['e,high'\]: missing action profile 'Out,Fight'"
    ):
        load_game(_write(tmp_path, dict(ENTRY, payoffs=pay)))
    pay["e,high"]["Out,Fight"] = [0]
    with pytest.raises(InputError, match="expected a list of 2 payoffs"):
        load_game(_write(tmp_path, dict(ENTRY, payoffs=pay)))
    pay["e,high"]["Out,Fght"] = [0, 1]
    with pytest.raises(InputError, match="unknown action 'Fght'"):
        load_game(_write(tmp_path, dict(ENTRY, payoffs=pay)))


def test_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not valid YAML"):
        load_game(_write(tmp_path, "players: [a, b\n"))


def test_zero_probability_profiles_may_omit_payoffs(tmp_path: Path) -> None:
    data = dict(ENTRY, prior={"e,low": 1}, payoffs={"e,low": ENTRY["payoffs"]["e,low"]})
    g = load_game(_write(tmp_path, data))
    assert g.zero_probability_types() == [("Incumbent", "high")]
    f = interim_utility(g, uniform_profile(g), 1)
    assert np.isnan(float(f[1, 0]))


def test_make_game_validation() -> None:
    with pytest.raises(InputError, match="sum to"):
        make_game([[F(1, 2), F(1, 3)]], np.zeros((2, 1, 2, 2, 2), dtype=int))
    with pytest.raises(InputError, match="expected shape"):
        make_game([[1]], np.zeros((2, 1, 1, 2)))
    with pytest.raises(InputError, match="duplicate"):
        make_game([[1]], np.zeros((2, 1, 1, 2, 2)), players=["a", "a"])
    g = make_game([[0.5, 0.5]], np.zeros((2, 1, 2, 2, 2)))
    assert not g.exact


def test_private_rewards_broadcast() -> None:
    """r_i(t_i, a) broadcast to r_i(t, a): P2's payoff ignores P1's type."""
    prior = [[F(1, 4), F(1, 4)], [F(1, 4), F(1, 4)]]
    r1 = np.arange(8).reshape(2, 2, 2)
    r2 = np.arange(8, 16).reshape(2, 2, 2)
    g = from_private_rewards(prior, [r1, r2])
    assert g.exact
    assert g.payoffs[0, 1, 0, 1, 1] == r1[1, 1, 1] and g.payoffs[0, 1, 1, 1, 1] == r1[1, 1, 1]
    assert g.payoffs[1, 0, 1, 0, 1] == r2[1, 0, 1] and g.payoffs[1, 1, 1, 0, 1] == r2[1, 0, 1]
    assert all(isinstance(p, F) for p in power(g, uniform_profile(g)))


def test_profile_validation() -> None:
    g = load_game(EX / "entry-unknown-cost.yaml")
    with pytest.raises(InputError, match="sum to"):
        check_profile(g, [[[F(1, 2), F(1, 3)]], [[1, 0], [0, 1]]])
    with pytest.raises(InputError, match="expected shape"):
        check_profile(g, [[[1, 0]], [[1, 0]]])
    with pytest.raises(InputError, match="expected 2 players"):
        check_profile(g, [[[1, 0]]])
    with pytest.raises(InputError, match="player index 2"):
        interim_utility(g, uniform_profile(g), 2)
