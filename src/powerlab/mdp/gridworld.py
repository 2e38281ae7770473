r"""Gridworlds as POWERplay builds them: deleted squares, optional stay, noisy biased moves.

Cells ``(r, c)`` of a ``rows x cols`` grid, minus deleted rectangles, are states named
``"(r, c)"``. Actions are the moves ``up, down, left, right`` whose target is a cell (a move
into a wall or off the grid is not an action) and, unless removed, ``stay``.

Noise (Gladstone AI 2022, POWERplay's stochastic gridworlds). With noise level
:math:`n \in [0, 1]` and a bias :math:`\beta_d \ge 0` per direction d,
:math:`\sum_d \beta_d \le n`, each action reaches its own target with probability
:math:`1 - n` plus its share of the noise, and the noise :math:`n` is split over the
allowed moves ``m`` of the cell: :math:`\beta_m` to a biased move; the rest,
:math:`n - \sum_{m\ \text{biased}} \beta_m`, evenly over the unbiased ones. The bias of a
blocked direction (or of ``stay`` when stay is removed) is added to staying in place. Rows
are therefore distributions: :math:`T(s, a, \cdot)` sums to :math:`1 - n + n = 1`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from powerlab.errors import InputError
from powerlab.mdp.builders import from_transitions
from powerlab.mdp.model import MDP

__all__ = ["MOVES", "gridworld"]

MOVES: dict[str, tuple[int, int]] = {
    "up": (-1, 0),
    "down": (1, 0),
    "left": (0, -1),
    "right": (0, 1),
    "stay": (0, 0),
}


def _name(r: int, c: int) -> str:
    return f"({r}, {c})"


def gridworld(
    rows: int,
    cols: int,
    *,
    deleted: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
    stay: bool = True,
    noise: float = 0.0,
    bias: Mapping[str, float] | None = None,
    name: str = "gridworld",
) -> MDP:
    """A ``rows x cols`` gridworld (module docstring).

    Args:
        deleted: rectangles ``((r1, c1), (r2, c2))`` of cells to delete, corners inclusive.
        stay: whether ``stay`` is an action.
        noise: the noise level n in [0, 1].
        bias: extra noise per direction (``up``, ``down``, ``left``, ``right``, ``stay``),
            nonnegative, summing to at most ``noise``.
    """
    if rows < 1 or cols < 1 or rows * cols > 250_000:
        raise InputError(f"{name}: grid size must be between 1x1 and 250,000 cells")
    if not 0.0 <= noise <= 1.0:
        raise InputError(f"{name}: noise must be in [0, 1], got {noise}")
    bias = dict(bias or {})
    for d, b in bias.items():
        if d not in MOVES:
            raise InputError(f"{name}: unknown bias direction {d!r} (use {', '.join(MOVES)})")
        if not b >= 0:
            raise InputError(f"{name}: bias of {d} must be >= 0, got {b}")
    if sum(bias.values()) > noise + 1e-12:
        raise InputError(f"{name}: biases sum to {sum(bias.values()):g}, more than noise {noise:g}")
    cells = {(r, c) for r in range(rows) for c in range(cols)}
    for (r1, c1), (r2, c2) in deleted:
        for r in range(min(r1, r2), max(r1, r2) + 1):
            for c in range(min(c1, c2), max(c1, c2) + 1):
                cells.discard((r, c))
    if not cells:
        raise InputError(f"{name}: every cell is deleted")
    order = sorted(cells)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for r, c in order:
        moves = {
            m: (r + dr, c + dc)
            for m, (dr, dc) in MOVES.items()
            if (r + dr, c + dc) in cells and (stay or m != "stay")
        }
        if not moves:
            raise InputError(f"{name}: cell {_name(r, c)} has no action (stay removed)")
        here = _name(r, c)
        spread: dict[str, float] = {}
        for d, b in bias.items():
            key = d if d in moves else "@here"
            spread[key] = spread.get(key, 0.0) + b
        free = [m for m in moves if m not in spread]
        rest = noise - sum(spread.values())
        if rest > 1e-15 and not free:
            spread["@here"] = spread.get("@here", 0.0) + rest
        share = rest / len(free) if free else 0.0
        noise_to: dict[str, float] = {}
        if noise > 0:
            for m, (tr, tc) in moves.items():
                t = _name(tr, tc)
                noise_to[t] = noise_to.get(t, 0.0) + spread.get(m, share)
            if "@here" in spread:
                noise_to[here] = noise_to.get(here, 0.0) + spread["@here"]
        actions: dict[str, dict[str, float]] = {}
        for m, (tr, tc) in moves.items():
            row = dict(noise_to)
            t = _name(tr, tc)
            row[t] = row.get(t, 0.0) + 1.0 - noise
            actions[m] = {s: p for s, p in row.items() if p > 0}
        table[here] = actions
    built = from_transitions(table, name=name)
    return MDP(
        states=built.states,
        action_labels=built.action_labels,
        transitions=built.transitions,
        terminal=built.terminal,
        name=name,
        grid_shape=(rows, cols),
        grid_cells=tuple(order),
    )
