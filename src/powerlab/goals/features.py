r"""Feature-based goals :math:`\theta = \Phi w` (Krakovna & Kramár 2023, CoinRun example).

With rewards on states, a goal that "rewards the coin" cannot be written when the coin
sits on different states in different levels. Features can: :math:`\Phi: [S, F]` gives
each state its feature values (``coin``, ``exit``, ``floor``, ...), a goal is a weight
vector w and rewards :math:`\theta = \Phi w`. :math:`G_T` (Def 6) is then the set of
weights in a box :math:`[lo, hi]^F` under which the trained actions are optimal; it is a
union of polytopes in w (:mod:`powerlab.goals.pieces` maps every row through
:math:`\Phi_C`), and both samplers draw w uniformly from it.

File format (YAML or JSON)::

    features:
      coin: {a_end: 1, b_coin: 1}      # feature -> {state: value}; unlisted states 0
      exit: {a_end: 1, b_exit: 1}

State names are names (a number is the state named by its digits, as in training files).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from powerlab.errors import InputError
from powerlab.goals.training import _state
from powerlab.mdp import MDP
from powerlab.mdp.io import read_document

__all__ = ["FeatureMap", "load_features"]


@dataclass(frozen=True)
class FeatureMap:
    """``matrix: [S, F]`` feature values Φ and ``names: [F]``."""

    names: tuple[str, ...]
    matrix: np.ndarray


def load_features(mdp: MDP, path: str | os.PathLike[str]) -> FeatureMap:
    """Read a features file (module docstring) for ``mdp``."""
    p = Path(path)
    doc, _ = read_document(p, what="a features file")
    if not isinstance(doc, Mapping) or "features" not in doc:
        raise InputError(f"{p}: expected a mapping with a 'features' key")
    extra = sorted(set(map(str, doc)) - {"features", "name", "description"})
    if extra:
        raise InputError(f"{p}: unknown key {extra[0]!r}")
    feats = doc["features"]
    if not isinstance(feats, Mapping) or not feats:
        raise InputError(f"{p}: features: expected a nonempty mapping feature -> {{state: value}}")
    names = tuple(str(k) for k in feats)
    Phi = np.zeros((mdp.n_states, len(names)))
    for j, (name, values) in enumerate(feats.items()):
        where = f"{p}: features.{name}"
        if not isinstance(values, Mapping):
            raise InputError(f"{where}: expected a mapping state -> number")
        for st, v in values.items():
            s = _state(mdp, f"{where}.{st}", st)
            if isinstance(v, bool) or not isinstance(v, int | float) or not np.isfinite(v):
                raise InputError(f"{where}.{st}: expected a finite number, got {v!r}")
            Phi[s, j] = float(v)
    return FeatureMap(names, Phi)
