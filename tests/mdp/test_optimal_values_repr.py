"""OptimalValues prints its shapes and bounds, not its arrays."""

import numpy as np

import catalogue
from powerlab.mdp import solve


def test_repr_is_short_on_a_large_batch() -> None:
    mdp = catalogue.room()
    sol = solve(mdp, np.random.default_rng(0).random((500, mdp.n_states)), 0.9)
    text = repr(sol)
    assert len(text) < 200 and "K=500" in text and f"S={mdp.n_states}" in text
    assert "gamma=0.9" in text and "error_bound=" in text
