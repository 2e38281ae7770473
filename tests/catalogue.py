"""The small MDPs the tests share, each built in one place, with its source and known answers.

In the manner of Gymnasium's ``TESTING_SPACES`` (``tests/spaces/utils.py``): a known-answer test
asks for the MDP it needs by name (``catalogue.fig1()``), and a property test runs over all of
them with ``pytest.mark.parametrize("mdp", TESTING_MDPS, ids=TESTING_MDP_IDS)``. The MDPs that
the examples folder ships are loaded from it, so the tests exercise the same files the docs and
the demo use; the others are written here as ``edges`` (each listed successor is one action).

Import it as ``from catalogue import ...``: ``tests/`` is on ``sys.path`` because it holds the
root ``conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp

import powerlab.mdp as M
from powerlab.mdp.model import MDP

__all__ = [
    "CROSSROADS",
    "EXAMPLES",
    "FIG11",
    "ROOMMATES",
    "TESTING_MDPS",
    "TESTING_MDP_IDS",
    "coin",
    "complete",
    "crossroads",
    "fig1",
    "fig11",
    "random_deterministic",
    "room",
    "roommates",
    "slippery_grid",
    "three_choices",
    "wait",
]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def fig1() -> MDP:
    """Turner et al. (2021), Fig. 1 (``examples/fig1.yaml``; ASCII names for the figure's states).

    Fig. 3 prints, for iid uniform [0, 1] rewards: POWER(dead) = 1/2, POWER(r_down) = 2/3,
    POWER(l_loop) = (2/3 + γ/2) / (1 + γ) (limits 2/3 at γ → 0 and 7/12 at γ → 1, Lemma 5.3);
    POWER(start) at γ → 0 is E[max of 3] = 3/4.
    """
    return M.load_mdp(EXAMPLES / "fig1.yaml")


def three_choices() -> MDP:
    """``examples/three-choices.yaml``: start → dead, left, right; left → left, right.

    POWER(start) = 3/4, POWER(left) = 2/3 and POWER(dead) = 1/2 at every γ (iid uniform).
    """
    return M.load_mdp(EXAMPLES / "three-choices.yaml")


def wait() -> MDP:
    """Turner's "wait" MDP (``examples/wait.yaml``): start → candy or wait → chocolate, hug.

    POWER(start) → 2/3 as γ → 0 and 3/4 as γ → 1; P(wait optimal) goes from 1/2 to 2/3.
    """
    return M.load_mdp(EXAMPLES / "wait.yaml")


def coin() -> MDP:
    """``examples/coin.yaml``: a small stochastic MDP (a coin flip among the transitions)."""
    return M.load_mdp(EXAMPLES / "coin.yaml")


def room() -> MDP:
    """``examples/room.yaml``: a 5 x 9 grid world (``grid_shape == (5, 9)``)."""
    return M.load_mdp(EXAMPLES / "room.yaml")


FIG11: dict[str, list[str]] = {
    "s0": ["sl", "sr"],
    "sl": ["s1", "s2"],
    "sr": ["s3", "s4", "s5"],
    **{f"s{i}": [f"s{i}"] for i in range(1, 6)},
}
"""Turner et al. (2021), App. C, Fig. 11: s0 → {sℓ, sr}; sℓ → {s1, s2}; sr → {s3, s4, s5}."""


def fig11() -> MDP:
    """Turner et al. (2021), App. C, Fig. 11 (:data:`FIG11`), all leaves 1-cycles.

    POWER(s0, 1) = E[max of 5] = 5/6, POWER(sℓ) = 2/3 and POWER(sr) = 3/4 for every γ.
    """
    return M.from_edges(FIG11, name="fig11")


CROSSROADS: dict[str, list[str]] = {
    "s1": ["s2", "s3"],
    "s2": ["s2"],
    "s3": ["s4"],
    "s4": ["s5", "s6"],
    "s5": ["s5"],
    "s6": ["s6"],
}
"""Turner et al. (2021, arXiv v6 Sec. 6 / App. B.3), crossroads: up to a glade 2 (a 1-cycle), or
right to an oasis 3, a rock 4, then sunlit mountains 5 or a house 6 (1-cycles)."""


def crossroads() -> MDP:
    """The crossroads counterexample (:data:`CROSSROADS`)."""
    return M.from_edges(CROSSROADS, name="crossroads")


ROOMMATES: dict[str, list[str]] = {
    "s1": ["s1", "s2", "s3"],
    "s2": ["u"],
    "u": ["t1", "t2", "t3"],
    "s3": ["t4", "t5"],
    **{f"t{i}": [f"t{i}"] for i in range(1, 6)},
}
"""Turner et al. (2021), the roommates figure: 1 stays, goes up to 2 → u → three terminal
states, or down to 3 → two terminal states (terminal states are 1-cycles)."""


def roommates() -> MDP:
    """The roommates example (:data:`ROOMMATES`): POWER depends on γ."""
    return M.from_edges(ROOMMATES, name="roommates")


def complete(n: int) -> MDP:
    """n states, each reaching every state (itself included) in one step.

    Turner et al. (2021), Prop 5.4's equality case: POWER = E[max of n] = n/(n+1) (iid uniform).
    """
    states = [f"x{i}" for i in range(n)]
    return M.from_edges({s: [s] + [t for t in states if t != s] for s in states}, name=f"K{n}")


def random_deterministic(seed: int, n: int, out_degree: int | None = None) -> MDP:
    """A random deterministic MDP on states ``x0 .. x{n-1}``, the same for the same seed.

    Each state gets ``out_degree`` distinct successors drawn uniformly without replacement
    (1 to 3 of them, uniformly, when ``out_degree`` is None), itself allowed.
    """
    rng = np.random.default_rng(seed)
    names = [f"x{i}" for i in range(n)]
    edges = {}
    for s in names:
        k = int(rng.integers(1, 4)) if out_degree is None else out_degree
        edges[s] = [names[j] for j in rng.choice(n, size=k, replace=False)]
    return M.from_edges(edges, name=f"random{seed}")


def random_sparse_stochastic(
    rng: np.random.Generator, n: int, actions: int, terminal_share: float = 0.0
) -> MDP:
    """A random stochastic MDP: each of ``actions`` actions of each of ``n`` states moves to 1-3
    distinct successors with Dirichlet(1) probabilities; each state but the first is terminal
    with probability ``terminal_share`` (the first keeps every action slot, which
    ``from_arrays`` needs)."""
    import scipy.sparse as sp

    rows, cols, vals = [], [], []
    for s in range(n):
        for a in range(actions):
            k = int(rng.integers(1, min(3, n) + 1))
            rows += [s * actions + a] * k
            cols += rng.choice(n, size=k, replace=False).tolist()
            vals += rng.dirichlet(np.ones(k)).tolist()
    terminal = rng.random(n) < terminal_share
    terminal[0] = False
    P = sp.csr_array((vals, (rows, cols)), shape=(n * actions, n))
    return M.from_arrays(P, terminal=terminal)


_BUILDERS: tuple[tuple[str, Callable[[], MDP]], ...] = (
    ("fig1", fig1),
    ("three-choices", three_choices),
    ("wait", wait),
    ("coin", coin),
    ("room", room),
    ("fig11", fig11),
    ("crossroads", crossroads),
    ("roommates", roommates),
    ("complete-3", lambda: complete(3)),
)

TESTING_MDPS: list[MDP] = [build() for _, build in _BUILDERS]
"""One instance of every MDP of the catalogue, for property tests."""

TESTING_MDP_IDS: list[str] = [name for name, _ in _BUILDERS]
"""The ids of :data:`TESTING_MDPS`, for ``pytest.mark.parametrize(..., ids=...)``."""


def slippery_grid(n: int, slip: float = 0.2) -> MDP:
    """n x n grid, actions N, S, E, W, stay: the intended move with probability 1 - slip, else
    one of N, S, E, W uniformly (a move off the grid stays put); the slippery grids of the
    stochastic benchmark (``benchmarks/bench_stochastic.py``)."""
    moves = [(-1, 0), (1, 0), (0, 1), (0, -1), (0, 0)]
    rows, cols, vals = [], [], []
    for r in range(n):
        for c in range(n):
            for a, move in enumerate(moves):
                for (dr, dc), p in [(move, 1 - slip)] + [(m, slip / 4) for m in moves[:4]]:
                    rr, cc = r + dr, c + dc
                    inside = 0 <= rr < n and 0 <= cc < n
                    rows.append((r * n + c) * 5 + a)
                    cols.append(rr * n + cc if inside else r * n + c)
                    vals.append(p)
    P = sp.csr_array((vals, (rows, cols)), shape=(n * n * 5, n * n))
    P.sum_duplicates()
    return M.from_arrays(P)
