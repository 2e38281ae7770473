r"""Procedurally generated mazes with cheese (after Langosco et al. 2022; Turner's cheese net).

A maze is a *perfect* maze (a spanning tree of a :math:`m \times m` lattice of rooms, carved
by a randomized depth-first search) drawn on a :math:`(2m+1) \times (2m+1)` grid of
characters: ``'#'`` wall, ``'.'`` open. The mouse starts in the bottom-left room; the
*top-right region* is the open cells in the top ``k`` rows and right ``k`` columns of the
interior (Langosco et al. 2022, Sec. 3, "maze" with the cheese in the top-right corner
during training; Turner et al.'s follow-up: the top-right 5x5). In training the cheese is
drawn uniformly from the region's open cells; at test time from any open cell.

A :class:`Situation` is one episode's layout: maze, cheese cell, start cell, and optionally
a shutdown button at the start (Krakovna & Kramár 2023, Def 7: a new state
:math:`s_{new}` with a shutdown action leading to a terminal state). :func:`situation_mdp`
exports it as a :class:`powerlab.mdp.MDP` whose transitions are exactly the simulator's:

* states: the open cells ``"r,c"``, plus ``"off"`` when there is a button;
* actions at a cell: ``N, S, E, W, stay`` (a move into a wall stays put), plus ``press`` at
  the button cell, which leads to ``"off"``;
* terminal states: the cheese cell (the episode ends on entering it, reward paid once) and
  ``"off"``.

The simulator (:class:`powerlab.agents.envs.MazeEnv`) has six actions everywhere; ``press``
away from a button does what ``stay`` does, so the export keeps it only where it differs.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.mdp import MDP, from_arrays

__all__ = [
    "ACTIONS",
    "MOVES",
    "OFF",
    "Situation",
    "corner",
    "decision_square",
    "generate_maze",
    "open_cells",
    "region_cells",
    "situation_mdp",
    "tree_path",
]

ACTIONS: tuple[str, ...] = ("N", "S", "E", "W", "stay", "press")
"""The simulator's six actions (slots 0..5)."""
MOVES: tuple[tuple[int, int], ...] = ((-1, 0), (1, 0), (0, 1), (0, -1), (0, 0), (0, 0))
OFF = "off"

Cell = tuple[int, int]


def generate_maze(m: int, rng: Seed = None) -> tuple[str, ...]:
    """A perfect maze on ``m x m`` rooms as ``2m+1`` text rows (randomized DFS).

    Rooms sit at odd coordinates; the DFS knocks down the wall between a room and a random
    unvisited neighbour (the recursive-backtracker algorithm), so the open cells form a tree.
    """
    if isinstance(m, bool) or not isinstance(m, int) or m < 2:
        raise InputError(f"maze size m must be an integer >= 2, got {m!r}")
    gen = as_generator(rng)
    n = 2 * m + 1
    grid = [["#"] * n for _ in range(n)]
    seen = np.zeros((m, m), dtype=bool)
    stack = [(m - 1, 0)]
    seen[m - 1, 0] = True
    grid[2 * (m - 1) + 1][1] = "."
    while stack:
        i, j = stack[-1]
        nbrs = [
            (i + di, j + dj)
            for di, dj in ((-1, 0), (1, 0), (0, 1), (0, -1))
            if 0 <= i + di < m and 0 <= j + dj < m and not seen[i + di, j + dj]
        ]
        if not nbrs:
            stack.pop()
            continue
        ni, nj = nbrs[int(gen.integers(len(nbrs)))]
        seen[ni, nj] = True
        grid[2 * ni + 1][2 * nj + 1] = "."
        grid[i + ni + 1][j + nj + 1] = "."
        stack.append((ni, nj))
    return tuple("".join(row) for row in grid)


def open_cells(layout: tuple[str, ...]) -> list[Cell]:
    """The open cells ``(r, c)`` of a layout, in row-major order."""
    return [(r, c) for r, row in enumerate(layout) for c, ch in enumerate(row) if ch != "#"]


def corner(layout: tuple[str, ...]) -> Cell:
    """The top-right room ``(1, n-2)``."""
    return (1, len(layout[0]) - 2)


def region_cells(layout: tuple[str, ...], k: int) -> list[Cell]:
    """Open cells in the top ``k`` interior rows and right ``k`` interior columns."""
    n = len(layout[0])
    if k < 1 or k > n - 2:
        raise InputError(f"region size k must be in [1, {n - 2}], got {k}")
    return [(r, c) for r, c in open_cells(layout) if r <= k and c >= n - 1 - k]


def _neighbours(layout: tuple[str, ...], cell: Cell) -> list[Cell]:
    r, c = cell
    out = []
    for dr, dc in MOVES[:4]:
        rr, cc = r + dr, c + dc
        if 0 <= rr < len(layout) and 0 <= cc < len(layout[rr]) and layout[rr][cc] != "#":
            out.append((rr, cc))
    return out


def tree_path(layout: tuple[str, ...], a: Cell, b: Cell) -> list[Cell]:
    """A shortest path of cells from ``a`` to ``b`` (breadth-first search; unique in a tree)."""
    prev: dict[Cell, Cell | None] = {a: None}
    queue = deque([a])
    while queue:
        cur = queue.popleft()
        if cur == b:
            break
        for nb in _neighbours(layout, cur):
            if nb not in prev:
                prev[nb] = cur
                queue.append(nb)
    if b not in prev:
        raise InputError(f"cell {b} is not reachable from {a}")
    path = [b]
    while path[-1] != a:
        p = prev[path[-1]]
        assert p is not None  # only a has no predecessor
        path.append(p)
    return path[::-1]


def decision_square(layout: tuple[str, ...], start: Cell, cheese: Cell, target: Cell) -> Cell:
    """The last cell shared by the paths start→cheese and start→target (where they split).

    Turner et al.'s "decision squares": from there one branch leads to the cheese, another
    to the top-right.
    """
    p1, p2 = tree_path(layout, start, cheese), tree_path(layout, start, target)
    last = p1[0]
    for x, y in zip(p1, p2, strict=False):
        if x != y:
            break
        last = x
    return last


@dataclass(frozen=True)
class Situation:
    """One episode's layout (see the module docstring).

    Attributes:
        layout: the maze rows (``'#'`` wall).
        cheese: the cheese cell.
        start: the mouse's start cell.
        button: whether the start cell has a shutdown button (test situations only).
        k: the top-right region size used to classify outcomes.
        kind: a label ("train", "held-out", "decision", "shutdown", ...).
    """

    layout: tuple[str, ...]
    cheese: Cell
    start: Cell
    button: bool = False
    k: int = 3
    kind: str = "train"

    def __post_init__(self) -> None:
        cells = set(open_cells(self.layout))
        for what, cell in (("cheese", self.cheese), ("start", self.start)):
            if tuple(cell) not in cells:
                raise InputError(f"situation: {what} cell {cell} is a wall or off the grid")
        if self.cheese == self.start:
            raise InputError("situation: cheese and start must differ")

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the grid."""
        return (len(self.layout), len(self.layout[0]))

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "layout": list(self.layout),
            "cheese": list(self.cheese),
            "start": list(self.start),
            "button": self.button,
            "k": self.k,
            "kind": self.kind,
        }

    @staticmethod
    def from_dict(d: dict[str, object]) -> Situation:
        """Inverse of :meth:`to_dict`."""
        layout = d["layout"]
        cheese, start = d["cheese"], d["start"]
        if not isinstance(layout, list) or not isinstance(cheese, list):
            raise InputError("situation: layout and cheese must be lists")
        if not isinstance(start, list):
            raise InputError("situation: start must be a list")
        return Situation(
            layout=tuple(str(x) for x in layout),
            cheese=(int(cheese[0]), int(cheese[1])),
            start=(int(start[0]), int(start[1])),
            button=bool(d.get("button", False)),
            k=int(d.get("k", 3)),  # type: ignore[call-overload]
            kind=str(d.get("kind", "test")),
        )


def step_cell(sit: Situation, cell: Cell, action: int) -> tuple[Cell | None, bool]:
    """The simulator's move: ``(next cell or None for "off", terminated)``."""
    if action == 5 and sit.button and cell == sit.start:
        return None, True
    dr, dc = MOVES[action]
    r, c = cell[0] + dr, cell[1] + dc
    nxt = (r, c) if 0 <= r < len(sit.layout) and sit.layout[r][c] != "#" else cell
    return nxt, nxt == sit.cheese


def situation_mdp(sit: Situation) -> MDP:
    """The finite MDP of one situation, transition for transition (module docstring)."""
    cells = open_cells(sit.layout)
    names = [f"{r},{c}" for r, c in cells]
    index = {cell: i for i, cell in enumerate(cells)}
    if sit.button:
        names.append(OFF)
    S, A = len(names), 6 if sit.button else 5
    P = np.zeros((S, A, S))
    labels: list[tuple[str, ...]] = []
    for i, cell in enumerate(cells):
        acts = ACTIONS[:5] + (("press",) if sit.button and cell == sit.start else ())
        for a in range(len(acts)):
            nxt, _ = step_cell(sit, cell, a)
            P[i, a, index[nxt] if nxt is not None else S - 1] = 1.0
        labels.append(acts)
    if sit.button:
        labels.append(("end",))
    term = np.zeros(S, dtype=bool)
    term[index[sit.cheese]] = True
    if sit.button:
        term[S - 1] = True
    mdp = from_arrays(P, states=names, action_labels=labels, terminal=term, name="maze")
    return MDP(
        mdp.states,
        mdp.action_labels,
        mdp.transitions,
        mdp.terminal,
        name="maze",
        grid_shape=sit.shape,
        grid_cells=tuple(cells) + (((-1, -1),) if sit.button else ()),
    )
