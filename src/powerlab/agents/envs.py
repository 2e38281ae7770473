"""Gymnasium environments whose dynamics are exported as :class:`powerlab.mdp.MDP`.

* :class:`MazeEnv`: the procedurally generated cheese mazes of :mod:`powerlab.agents.maze`.
  Training episodes draw a layout from a fixed pool and the cheese from the top-right
  region; :meth:`MazeEnv.reset` with ``options={"situation": s}`` plays any
  :class:`~powerlab.agents.maze.Situation` instead (held-out mazes, cheese anywhere,
  decision squares, a shutdown button).
* :class:`MDPEnv`: any finite MDP with a start state and a state reward paid on entry (the
  CoinRun-like levels of ``examples/goals/coinrun.yaml``). Action slot ``a`` at a state with
  ``n`` actions plays slot ``a mod n`` (gymnasium needs one action space everywhere).

Observations: ``obs="tabular"`` gives a ``Discrete`` index of the state (for the maze,
mouse cell x cheese cell, ignoring the layout and the button); ``obs="image"`` gives a
``float32`` array ``[C, H, W]`` of 0/1 channels (maze: walls, mouse, cheese, button; MDP:
a one-hot ``[1, 1, S]``).

Rewards follow powerlab's MDP convention (Turner et al. 2021, Def 3.5): the reward of the state entered, so the
training reward :math:`\\theta^*` is 1 on the cheese (terminal) and 0 elsewhere.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from powerlab.agents.maze import (
    OFF,
    Situation,
    corner,
    generate_maze,
    open_cells,
    region_cells,
    step_cell,
)
from powerlab.errors import InputError
from powerlab.mdp import MDP

__all__ = ["MDPEnv", "MazeEnv"]


class MazeEnv(gym.Env[np.ndarray, int]):
    """Cheese mazes; see the module docstring.

    Args:
        m: rooms per side (grid ``2m+1``).
        k: top-right region size in grid cells.
        layouts: the training pool of layouts (default: ``n_layouts`` mazes from ``layout_seed``).
        n_layouts, layout_seed: how the default pool is generated.
        cheese: ``"region"`` (training) or ``"anywhere"``.
        obs: ``"tabular"`` or ``"image"``.
        max_steps: episode step limit (truncation).
    """

    metadata = {"render_modes": ["ansi"]}  # noqa: RUF012 (gymnasium declares it so)

    def __init__(
        self,
        m: int = 4,
        k: int = 3,
        layouts: tuple[tuple[str, ...], ...] | None = None,
        n_layouts: int = 1,
        layout_seed: int = 0,
        cheese: str = "region",
        obs: str = "tabular",
        max_steps: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        if cheese not in ("region", "anywhere"):
            raise InputError(f"cheese must be 'region' or 'anywhere', got {cheese!r}")
        if obs not in ("tabular", "image"):
            raise InputError(f"obs must be 'tabular' or 'image', got {obs!r}")
        if layouts is None:
            seeds = np.random.SeedSequence(layout_seed).spawn(n_layouts)
            layouts = tuple(generate_maze(m, np.random.default_rng(s)) for s in seeds)
        self.layouts = layouts
        self.m, self.k, self.cheese_rule, self.obs_mode = m, k, cheese, obs
        self.n = 2 * m + 1
        self.max_steps = max_steps if max_steps is not None else 4 * self.n * self.n
        self.render_mode = render_mode
        self.action_space = spaces.Discrete(6)  # type: ignore[assignment]
        hw = self.n * self.n
        self.observation_space: spaces.Space[Any]
        if obs == "tabular":
            self.observation_space = spaces.Discrete(hw * hw)
        else:
            self.observation_space = spaces.Box(0.0, 1.0, (4, self.n, self.n), np.float32)
        self.situation: Situation | None = None
        self.cell: tuple[int, int] | None = None
        self.t = 0

    # ----------------------------------------------------------- observations
    def observe(self, cell: tuple[int, int] | None, sit: Situation | None = None) -> Any:
        """The observation with the mouse at ``cell`` in ``sit`` (default: the current one)."""
        sit = sit or self.situation
        if sit is None:
            raise InputError("MazeEnv: no situation (call reset first)")
        if self.obs_mode == "tabular":
            if cell is None:
                return 0
            hw = self.n * self.n
            return int((cell[0] * self.n + cell[1]) * hw + sit.cheese[0] * self.n + sit.cheese[1])
        img = np.zeros((4, self.n, self.n), dtype=np.float32)
        img[0] = np.array([[ch == "#" for ch in row] for row in sit.layout], dtype=np.float32)
        if cell is not None:
            img[1, cell[0], cell[1]] = 1.0
        img[2, sit.cheese[0], sit.cheese[1]] = 1.0
        if sit.button:
            img[3, sit.start[0], sit.start[1]] = 1.0
        return img

    def state_name(self) -> str:
        """The current state's name in :func:`~powerlab.agents.maze.situation_mdp`'s export."""
        return OFF if self.cell is None else f"{self.cell[0]},{self.cell[1]}"

    # ------------------------------------------------------------- dynamics
    def sample_situation(self, rng: np.random.Generator) -> Situation:
        """A training situation: pool layout, cheese from the rule, start bottom-left."""
        layout = self.layouts[int(rng.integers(len(self.layouts)))]
        start = (self.n - 2, 1)
        pool = region_cells(layout, self.k) if self.cheese_rule == "region" else open_cells(layout)
        pool = [c for c in pool if c != start]
        cheese = pool[int(rng.integers(len(pool)))]
        return Situation(layout, cheese, start, k=self.k, kind="train")

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """Start an episode: ``options={"situation": Situation}`` or a training draw."""
        super().reset(seed=seed)
        sit = (options or {}).get("situation")
        if sit is None:
            sit = self.sample_situation(self.np_random)
        elif not isinstance(sit, Situation) or sit.shape != (self.n, self.n):
            raise InputError(f"MazeEnv: situation must be a Situation on a {self.n}x{self.n} grid")
        self.situation, self.cell, self.t = sit, sit.start, 0
        return self.observe(self.cell), {"state": self.state_name()}

    def step(self, action: int) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Move; reward 1 on entering the cheese (terminal); ``press`` at a button ends it."""
        if self.situation is None or self.cell is None:
            raise InputError("MazeEnv: step() after the episode ended or before reset()")
        a = int(action)
        if not 0 <= a < 6:
            raise InputError(f"MazeEnv: action must be in 0..5, got {action!r}")
        nxt, terminated = step_cell(self.situation, self.cell, a)
        self.cell = nxt
        self.t += 1
        reward = 1.0 if nxt is not None and nxt == self.situation.cheese else 0.0
        truncated = not terminated and self.t >= self.max_steps
        return self.observe(nxt), reward, terminated, truncated, {"state": self.state_name()}

    def render(self) -> str | None:  # type: ignore[override]
        """ASCII picture: M mouse, C cheese, B button."""
        if self.situation is None:
            return None
        rows = [list(r) for r in self.situation.layout]
        rows[self.situation.cheese[0]][self.situation.cheese[1]] = "C"
        if self.situation.button:
            rows[self.situation.start[0]][self.situation.start[1]] = "B"
        if self.cell is not None:
            rows[self.cell[0]][self.cell[1]] = "M"
        return "\n".join("".join(r) for r in rows)

    def corner(self) -> tuple[int, int]:
        """The top-right room."""
        return corner(self.layouts[0])


class MDPEnv(gym.Env[Any, int]):
    """A finite MDP as a gymnasium environment (module docstring).

    Args:
        mdp: the environment.
        start: the default start state.
        reward: ``[S]`` state reward, paid on entering a state.
        obs: ``"tabular"`` (``Discrete(S)``) or ``"image"`` (one-hot ``[1, 1, S]``).
        max_steps: step limit (truncation).
    """

    metadata = {"render_modes": []}  # noqa: RUF012 (gymnasium declares it so)

    def __init__(
        self,
        mdp: MDP,
        start: str | int,
        reward: np.ndarray,
        obs: str = "tabular",
        max_steps: int = 50,
    ) -> None:
        if obs not in ("tabular", "image"):
            raise InputError(f"obs must be 'tabular' or 'image', got {obs!r}")
        reward = np.asarray(reward, dtype=np.float64)
        if reward.shape != (mdp.n_states,):
            raise InputError(f"MDPEnv: reward must have shape [S]={mdp.n_states}")
        self.mdp, self.reward, self.obs_mode = mdp, reward, obs
        self.start = mdp.state_index(start)
        self.max_steps = max_steps
        self.action_space = spaces.Discrete(mdp.n_actions)  # type: ignore[assignment]
        self.observation_space: spaces.Space[Any]
        if obs == "tabular":
            self.observation_space = spaces.Discrete(mdp.n_states)
        else:
            self.observation_space = spaces.Box(0.0, 1.0, (1, 1, mdp.n_states), np.float32)
        self.s = self.start
        self.t = 0
        self._n = mdp.available.sum(axis=1)

    def observe(self, s: int) -> Any:
        """The observation of state index ``s``."""
        if self.obs_mode == "tabular":
            return int(s)
        x = np.zeros((1, 1, self.mdp.n_states), dtype=np.float32)
        x[0, 0, s] = 1.0
        return x

    def state_name(self) -> str:
        """The current state's name."""
        return self.mdp.states[self.s]

    def slot(self, s: int, action: int) -> int:
        """The MDP action slot that env action ``action`` plays at state ``s``."""
        return int(action) % int(self._n[s])

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """Start at ``options["start"]`` (a state name or index) or the default start."""
        super().reset(seed=seed)
        start = (options or {}).get("start")
        self.s = self.start if start is None else self.mdp.state_index(start)
        self.t = 0
        return self.observe(self.s), {"state": self.state_name()}

    def step(self, action: int) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Sample the successor of ``(s, slot(s, action))``; reward of the state entered."""
        if self.mdp.terminal[self.s]:
            raise InputError("MDPEnv: step() after the episode ended")
        a = self.slot(self.s, int(action))
        row = np.asarray(self.mdp.P[self.s, a])
        self.s = int(self.np_random.choice(self.mdp.n_states, p=row / row.sum()))
        self.t += 1
        terminated = bool(self.mdp.terminal[self.s])
        truncated = not terminated and self.t >= self.max_steps
        return (
            self.observe(self.s),
            float(self.reward[self.s]),
            terminated,
            truncated,
            {"state": self.state_name()},
        )
