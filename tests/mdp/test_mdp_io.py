"""Environment files: every malformed input gets a one-line error naming the file and key or line."""

import json

import pytest

import powerlab.mdp as M
from powerlab.errors import InputError


def test_the_three_bodies_load(examples):
    assert M.load_mdp(examples / "fig1.yaml").n_states == 8
    coin = M.load_mdp(examples / "coin.yaml")
    assert coin.terminal.tolist() == [False, False, True]
    assert M.load_mdp(examples / "room.yaml").grid_shape == (5, 9)


def test_json_and_yaml_give_the_same_model(tmp_path, examples):
    doc = {"name": "fig1", "edges": {"a": ["b", "a"], "b": ["b"]}}
    (tmp_path / "m.json").write_text(json.dumps(doc))
    (tmp_path / "m.yaml").write_text("name: fig1\nedges:\n  a: [b, a]\n  b: [b]\n")
    a, b = M.load_mdp(tmp_path / "m.json"), M.load_mdp(tmp_path / "m.yaml")
    assert a.states == b.states and (a.P == b.P).all()


BAD = {
    "empty.yaml": ("", "empty"),
    "bin.yaml": (b"\x00\xff\xfe", "not a text file"),
    "syntax.yaml": ("a: [1, 2\n", r"syntax.yaml:2: not valid YAML"),
    "syntax.json": ('{"edges": ', "not valid JSON"),
    "none.yaml": ("name: x\n", r"exactly one of edges, transitions, grid \(found none\)"),
    "two.yaml": ("edges: {a: [a]}\ngrid: '..'\n", r"\(found edges, grid\)"),
    "unknown.yaml": ("edges:\n  a: [zz]\n", r"unknown.yaml:2: edges.a: unknown state 'zz'"),
    "sum.yaml": (
        "transitions:\n  s: {go: {s: 0.5}}\n",
        r"sum.yaml:2: transitions.s.go: probabilities sum",
    ),
    "neg.yaml": (
        "transitions:\n  s: {go: {s: -0.5, t: 1.5}}\n  t: {x: {t: 1}}\n",
        "negative",
    ),
    "nan.yaml": ("transitions:\n  s: {go: {s: .nan}}\n", "not finite"),
    "noact.yaml": ("edges:\n  a: []\n  b: [b]\n", "state 'a' has no action"),
    "dup.yaml": ("edges:\n  a: [a]\n  a: [a]\n", r"dup.yaml:3: edges.a: duplicate name 'a'"),
    "dup.json": ('{"edges": {"a": ["a"], "a": ["a"]}}', "duplicate name 'a'"),
    "badterm.yaml": ("edges: {a: [a]}\nterminal: [q]\n", "terminal: unknown state 'q'"),
    "list.yaml": ("- 1\n- 2\n", "expected a mapping"),
    "wall.yaml": ("grid: '###'\n", "no open cell"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_files_get_one_line_errors(tmp_path, name):
    content, pattern = BAD[name]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(InputError, match=pattern) as info:
        M.load_mdp(path)
    msg = str(info.value)
    assert "\n" not in msg and name in msg


def test_load_env_handles_gym_ids_and_missing_files(tmp_path):
    assert M.load_env("gym:FrozenLake-v1").n_states == 16
    with pytest.raises(InputError, match="no such file"):
        M.load_env(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="cannot make gymnasium"):
        M.load_env("gym:NoSuchEnv-v0")
