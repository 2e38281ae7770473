"""Environment conformance and the tabular export against the simulator."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from powerlab.agents.cases import disjoint_union
from powerlab.agents.envs import MazeEnv, MDPEnv
from powerlab.agents.families import FamilyConfig, build_suite, coinrun_mdp, make_env
from powerlab.agents.maze import (
    Situation,
    corner,
    decision_square,
    generate_maze,
    open_cells,
    situation_mdp,
    tree_path,
)
from powerlab.errors import InputError


@pytest.mark.parametrize("obs", ["tabular", "image"])
def test_maze_env_passes_gymnasium_checker(obs: str) -> None:
    check_env(MazeEnv(m=3, obs=obs, n_layouts=3), skip_render_check=True)


@pytest.mark.parametrize("obs", ["tabular", "image"])
def test_coinrun_env_passes_gymnasium_checker(obs: str) -> None:
    check_env(make_env(FamilyConfig(family="coinrun", obs=obs)), skip_render_check=True)


@pytest.mark.parametrize("seed", range(4))
def test_generated_maze_is_a_tree(seed: int) -> None:
    lay = generate_maze(4, seed)
    cells = set(open_cells(lay))
    edges = sum(((r + 1, c) in cells) + ((r, c + 1) in cells) for r, c in cells)
    assert edges == len(cells) - 1  # connected (checked below) with |E| = |V| - 1
    start = (len(lay) - 2, 1)
    assert all(tree_path(lay, start, c)[-1] == c for c in cells)


def test_decision_square_splits_the_two_paths() -> None:
    lay = generate_maze(4, 3)
    start, top = (7, 1), corner(lay)
    for cheese in open_cells(lay):
        if cheese == start:
            continue
        d = decision_square(lay, start, cheese, top)
        p1, p2 = tree_path(lay, start, cheese), tree_path(lay, start, top)
        assert d in p1 and d in p2
        i, j = p1.index(d), p2.index(d)
        if i + 1 < len(p1) and j + 1 < len(p2):
            assert p1[i + 1] != p2[j + 1]


@pytest.mark.parametrize("button", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_maze_export_matches_simulator(seed: int, button: bool) -> None:
    rng = np.random.default_rng(seed)
    lay = generate_maze(3, rng)
    cells = open_cells(lay)
    start = (len(lay) - 2, 1)
    cheese = cells[int(rng.integers(len(cells)))]
    if cheese == start:
        cheese = cells[0] if cells[0] != start else cells[1]
    sit = Situation(lay, cheese, start, button=button)
    mdp = situation_mdp(sit)
    case_env = MazeEnv(m=3, layouts=(lay,))
    succ = mdp.successor
    assert succ is not None
    for cell in cells:
        s = mdp.state_index(f"{cell[0]},{cell[1]}")
        assert mdp.terminal[s] == (cell == cheese)
        if cell == cheese:
            continue
        for a in range(6):
            case_env.reset(options={"situation": sit})
            case_env.cell = cell
            _, reward, term, _, info = case_env.step(a)
            slot = a if (a < 5 or (button and cell == start)) else 4
            nxt = int(succ[s, slot])
            assert info["state"] == mdp.states[nxt]
            assert term == bool(mdp.terminal[nxt])
            assert reward == (1.0 if mdp.states[nxt] == f"{cheese[0]},{cheese[1]}" else 0.0)


def test_coinrun_export_matches_simulator() -> None:
    mdp = coinrun_mdp()
    env = make_env(FamilyConfig(family="coinrun"))
    assert isinstance(env, MDPEnv)
    for s in np.flatnonzero(~mdp.terminal):
        for a in range(mdp.n_actions):
            env.reset(seed=0, options={"start": int(s)})
            _, _, term, _, info = env.step(a)
            row = np.asarray(mdp.P[s, env.slot(int(s), a)])
            assert row[mdp.state_index(info["state"])] == 1.0
            assert term == bool(mdp.terminal[mdp.state_index(info["state"])])


def test_test_suite_cases_start_where_the_simulator_does() -> None:
    cfg = FamilyConfig(m=3, k=2)
    env = make_env(cfg)
    for case in build_suite(cfg, 2, rng=1):
        _, info = env.reset(options=case.reset_options)
        assert case.mdp.state_index(info["state"]) == case.start
        # the training slice and the case are disjoint and mutually unreachable
        assert not case.gt_training.train_mask[case.gt_index].any() or case.trained


def test_disjoint_union_keeps_blocks() -> None:
    a = situation_mdp(Situation(generate_maze(2, 0), (1, 1), (3, 1)))
    u, offs = disjoint_union([("x", a), ("y", a)])
    assert u.n_states == 2 * a.n_states and offs == [0, a.n_states]
    assert np.array_equal(np.asarray(u.P)[: a.n_states, : a.n_actions, : a.n_states], a.P)
    assert not np.asarray(u.P)[: a.n_states, :, a.n_states :].any()


def test_bad_situations_are_rejected() -> None:
    lay = generate_maze(2, 0)
    with pytest.raises(InputError, match="wall"):
        Situation(lay, (0, 0), (3, 1))
    with pytest.raises(InputError, match="differ"):
        Situation(lay, (3, 1), (3, 1))
    with pytest.raises(InputError, match="obs"):
        MazeEnv(obs="pixels")
    with pytest.raises(InputError, match="family"):
        FamilyConfig(family="procgen")
