"""Environment files: every malformed input gets a one-line error naming the file and key or line."""

import json
import os

import numpy as np
import pytest
import yaml

import catalogue
import powerlab.mdp as M
from powerlab._load import MAX_FILE_BYTES
from powerlab.errors import InputError, ResourceError


def test_the_three_bodies_load():
    assert catalogue.fig1().n_states == 8
    assert catalogue.coin().terminal.tolist() == [False, False, True]
    assert catalogue.room().grid_shape == (5, 9)


def test_json_and_yaml_give_the_same_model(tmp_path, examples):
    doc = yaml.safe_load((examples / "fig1.yaml").read_text())
    (tmp_path / "fig1.json").write_text(json.dumps(doc))
    a, b = M.load_mdp(tmp_path / "fig1.json"), catalogue.fig1()
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


def test_load_env_refuses_missing_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        M.load_env(tmp_path / "nope.yaml")


def test_load_env_handles_gym_ids():
    pytest.importorskip("gymnasium", reason="needs the [gym] extra")
    assert M.load_env("gym:FrozenLake-v1").n_states == 16
    with pytest.raises(InputError, match="cannot make gymnasium"):
        M.load_env("gym:NoSuchEnv-v0")


def test_gym_ids_without_gymnasium_name_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "gymnasium", None)  # import gymnasium now fails
    with pytest.raises(InputError, match=r"powerlab\[gym\]"):
        M.load_env("gym:FrozenLake-v1")


def _bomb(levels: int) -> str:
    """Nested aliases: level i lists level i-1 nine times, so the last stands for 9**levels."""
    text = 'l0: &l0 ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(1, levels + 1):
        text += f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]\n"
    return text


HOSTILE = {
    "deep.yaml": (
        "edges:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(5000)),
        r"deep.yaml:\d+: nesting deeper than 64 levels|maximum nesting depth",
    ),
    "deepflow.yaml": ("edges: " + "[" * 5000 + "]" * 5000, "nesting"),
    "recursive.yaml": ("edges: &e {a: *e}\n", r"recursive.yaml:1: alias \*e refers to a node"),
    "deep.json": ('{"edges": ' + "[" * 100_000 + "]" * 100_000 + "}", "nesting deeper than 64"),
    "bomb.yaml": (_bomb(8), r"bomb.yaml:\d+: aliases expand to more than 10,000 nodes"),
    "longnum.yaml": ("edges: {a: [a]}\nname: " + "9" * 5000 + "\n", "5,000 characters"),
    "longnum.json": ('{"name": ' + "9" * 5000 + "}", "5,000 characters"),
    "dupjson.json": ('{"edges": {"a": ["a"]}, "edges": {}}', "duplicate name 'edges'"),
    "date.yaml": ("edges:\n  2020-13-45: [a]\n", "date.yaml:1: not valid YAML: month"),
    "twodocs.yaml": ("edges: {a: [a]}\n---\nedges: {a: [a]}\n", "expected a single document"),
}


@pytest.mark.timeout(10)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_before_expanding(tmp_path, name):
    text, message = HOSTILE[name]
    (tmp_path / name).write_text(text)
    with pytest.raises(InputError, match=message) as info:
        M.load_env(tmp_path / name)
    assert "\n" not in str(info.value) and name in str(info.value)


def test_aliases_within_the_budget_load(tmp_path):
    (tmp_path / "alias.yaml").write_text("edges:\n  a: &succ [a, b]\n  b: *succ\n")
    mdp = M.load_env(tmp_path / "alias.yaml")
    assert mdp.action_labels == (("a", "b"), ("a", "b"))


@pytest.mark.timeout(10)
def test_non_regular_and_oversized_files_are_refused_unread(tmp_path, monkeypatch):
    fifo = tmp_path / "env.yaml"
    os.mkfifo(fifo)  # opening it for reading would block until a writer came
    with pytest.raises(InputError, match=r"env\.yaml: not a regular file"):
        M.load_env(fifo)
    with pytest.raises(InputError, match="/dev/zero: not a regular file"):
        M.load_env("/dev/zero")
    with pytest.raises(InputError, match="is a directory, not an environment file"):
        M.load_env(tmp_path)
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:  # sparse file: its size is known without writing 33 MiB
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputError, match=r"big.yaml: file of 33,554,433 bytes is over the"):
        M.load_env(big)


def test_complete_graph_loads_in_linear_time(tmp_path):
    """A 300-state complete graph (90,000 edges) loads sparse, with every edge in place."""
    names = [f"s{i}" for i in range(300)]
    (tmp_path / "k.json").write_text(json.dumps({"edges": {s: names for s in names}}))
    mdp = M.load_env(tmp_path / "k.json")
    assert mdp.n_states == mdp.n_actions == 300 and mdp.P_sa.nnz == 90_000
    assert (mdp.successor == np.arange(300)[None, :]).all()


def test_dense_transitions_over_the_budget_are_refused(monkeypatch):
    mdp = M.from_edges({"a": ["a", "b"], "b": ["a"]}, sparse=True)
    monkeypatch.setenv("POWERLAB_MAX_MEMORY", "64")  # 64 bytes: [2, 2, 2] floats need 64
    assert mdp.P.shape == (2, 2, 2)
    big = M.from_edges({str(i): [str(i), str((i + 1) % 3)] for i in range(3)}, sparse=True)
    with pytest.raises(ResourceError, match=r"dense transitions \[S, A, S\] = \[3, 2, 3\]"):
        _ = big.P


def test_grid_over_the_budget_is_refused_before_it_is_built(monkeypatch):
    monkeypatch.setenv("POWERLAB_MAX_MEMORY", "1M")
    with pytest.raises(ResourceError, match=r"grid of 10,000 open cells needs"):
        M.from_grid("\n".join(["." * 100] * 100))


def test_vectorised_grid_matches_the_definition():
    """Every cell's five moves: into a wall, off the grid or 'stay' keeps the cell."""
    text = "..#\n.#.\n...\n."
    mdp = M.from_grid(text)
    open_cells = [(r, c) for r, ln in enumerate(text.splitlines()) for c, ch in enumerate(ln)]
    open_cells = [rc for rc in open_cells if text.splitlines()[rc[0]][rc[1]] != "#"]
    assert mdp.grid_cells == tuple(open_cells)
    for s, (r, c) in enumerate(open_cells):
        for a, (dr, dc) in enumerate([(-1, 0), (1, 0), (0, 1), (0, -1), (0, 0)]):
            nxt = (r + dr, c + dc)
            want = open_cells.index(nxt) if nxt in open_cells else s
            assert mdp.successor[s, a] == want
