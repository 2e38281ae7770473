r"""Where a goal's optimal policy leads in a test situation (the CoinRun example).

Krakovna & Kramár (2023), CoinRun example: during training the coin is always at the end
of the level, so :math:`G_T` holds goals that reward the coin and goals that reward the end
of the level; when the coin is moved at test time they come apart (goal misgeneralization).
:func:`destinations` follows each goal's optimal policy (lowest slot among ties) from a
start state in a deterministic MDP until it reaches a terminal state or repeats a state,
and names where it ends.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from powerlab.errors import InputError
from powerlab.mdp import MDP, solve

__all__ = ["destinations"]


def destinations(mdp: MDP, R: np.ndarray, gamma: float, start: str | int) -> Counter[str]:
    """Count, over goals ``R: [K, S]``, where the optimal policy from ``start`` ends.

    The label is the terminal state's name, or ``"stays at X"`` when the path settles in a
    cycle through X (X the first repeated state). Deterministic MDPs only.
    """
    succ = mdp.successor
    if succ is None:
        raise InputError(f"{mdp.name}: destinations() needs a deterministic MDP")
    s0 = mdp.state_index(start)
    pol = solve(mdp, np.atleast_2d(R), gamma, want_q=False).policy  # [K, S]
    out: Counter[str] = Counter()
    for k in range(pol.shape[0]):
        s, seen = s0, set()
        while True:
            if mdp.terminal[s]:
                out[mdp.states[s]] += 1
                break
            if s in seen:
                out[f"stays at {mdp.states[s]}"] += 1
                break
            seen.add(s)
            s = int(succ[s, pol[k, s]])
    return out
