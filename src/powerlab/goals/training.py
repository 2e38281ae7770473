r"""Training data: :math:`S_{train}` and the trained agent's actions there (Krakovna & Kramár, Def 5).

Krakovna & Kramár, "Power-seeking can be probable and predictive for trained agents"
(arXiv 2304.06528), Def 5 partitions the states into :math:`S_{train}`, visited during
training, and :math:`S_{ood} = S \setminus S_{train}`; Def 6 then uses the pairs
:math:`(s, a)`, :math:`s \in S_{train}`, a the action the trained agent :math:`f(\theta^*)` takes
at s. Three sources give them:

(a) a policy file, ``policy: {state: action}``;
(b) a training reward :math:`\theta^*` and start states: :math:`S_{train}` is what an optimal
    policy for :math:`\theta^*` (at the training discount) visits from the starts with
    positive probability, and the actions are that policy's (lowest slot among ties);
(c) recorded trajectories, ``trajectories: [[[state, action], ...], ...]``; a bare state
    name records a visit without an action (e.g. the terminal state at the end).

File format (YAML or JSON), exactly one of::

    policy: {a0: right, a1: right}
    ---
    reward: {exit: 1.0}        # unlisted states get 0
    starts: [a0]
    gamma: 0.9
    ---
    trajectories:
      - [[a0, right], [a1, right], exit]

One rule for :math:`S_{train}`, whatever the source: a state is visited if the agent was
in it, that is, if it has a recorded action, if a recorded action leads to it with
positive probability (the agent arrives there, even when no action is recorded for it),
or if a trajectory names it bare. Only states with a recorded action constrain
:math:`G_T`. So ``policy: {a0: a1}`` and ``trajectories: [[[a0, a1]]]`` give the same
:math:`S_{train} = \{a0, a1\}` with one constraint at a0, as does the training reward
whose optimal policy steps from a0 to a1 and ends there.

State and action names are names: a number in a file (``policy: {0: "1"}``,
``starts: [0]``) is read as the state *named* "0", never as an index, and a key that is
neither a string nor an integer (a float, a boolean) is refused. Consecutive steps of a
trajectory must be possible (the next state a positive-probability successor). A state
that is visited with two different recorded actions is an error: Def 6 needs the one
action the trained agent takes there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from powerlab.errors import InputError
from powerlab.mdp import MDP, solve
from powerlab.mdp.io import read_document

__all__ = [
    "TrainingData",
    "load_training",
    "training_from_policy",
    "training_from_reward",
    "training_from_trajectories",
]


@dataclass(frozen=True)
class TrainingData:
    """The training partition and actions (Defs 5-6).

    Attributes:
        states: ``[T]`` int, the states of :math:`S_{train}` (sorted).
        actions: ``[T]`` int, the trained action slot at each, ``-1`` where none was
            recorded (no constraint, e.g. a terminal state at the end of a trajectory).
        n_states: S of the MDP it belongs to.
        source: how it was obtained ("policy", "reward", "trajectories").
    """

    states: np.ndarray
    actions: np.ndarray
    n_states: int
    source: str

    @property
    def train_mask(self) -> np.ndarray:
        """``[S]`` bool: membership in :math:`S_{train}`."""
        m = np.zeros(self.n_states, dtype=bool)
        m[self.states] = True
        return m

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """The constraining pairs ``(s, a)`` of Def 6 (states with a recorded action)."""
        return [(int(s), int(a)) for s, a in zip(self.states, self.actions, strict=True) if a >= 0]


def _build(mdp: MDP, table: dict[int, int], source: str) -> TrainingData:
    """S_train (module docstring's rule): the recorded states plus every state a recorded
    action leads to with positive probability (visited, without a constraint)."""
    if not table:
        raise InputError(f"{mdp.name}: training data names no state")
    A = mdp.n_actions
    acted = [s * A + a for s, a in table.items() if a >= 0]
    arrived = np.unique(mdp.P_sa[acted].indices) if acted else np.zeros(0, dtype=np.int64)
    full = dict.fromkeys((int(t) for t in arrived), -1) | table
    states = np.array(sorted(full), dtype=np.int64)
    actions = np.array([full[int(s)] for s in states], dtype=np.int64)
    return TrainingData(states, actions, mdp.n_states, source)


def _state(mdp: MDP, where: str, name: Any) -> int:
    """A state given by NAME in a file; an integer is the state named by its digits."""
    if isinstance(name, bool) or not isinstance(name, str | int):
        raise InputError(
            f"{where}: expected a state name, got {name!r} (quote names that look like "
            "numbers or booleans)"
        )
    key = str(name)
    try:
        return mdp.state_index(key)
    except InputError:
        extra = " (numbers are state names, not indices)" if isinstance(name, int) else ""
        raise InputError(f"{where}: unknown state {key!r}{extra}") from None


def _action(mdp: MDP, where: str, s: int, action: Any) -> int:
    if isinstance(action, bool) or not isinstance(action, str | int) or action == "":
        raise InputError(f"{where}: expected an action name, got {action!r}")
    action = str(action)
    labels = mdp.action_labels[s]
    if action not in labels:
        raise InputError(
            f"{where}: action {action!r} is not available in state {mdp.states[s]!r} "
            f"(it has {', '.join(labels)})"
        )
    return labels.index(action)


def training_from_policy(
    mdp: MDP, policy: Mapping[str, str], where: str = "policy"
) -> TrainingData:
    """Source (a): ``policy[state] = action`` names the states with a recorded action (Def 5);
    :math:`S_{train}` adds the states those actions lead to (module docstring)."""
    if not isinstance(policy, Mapping) or not policy:
        raise InputError(f"{where}: expected a nonempty mapping state -> action")
    table: dict[int, int] = {}
    for name, act in policy.items():
        s = _state(mdp, f"{where}.{name}", name)
        table[s] = _action(mdp, f"{where}.{name}", s, act)
    return _build(mdp, table, "policy")


def training_from_reward(
    mdp: MDP, theta_star: np.ndarray, starts: Sequence[str | int], gamma: float
) -> TrainingData:
    r"""Source (b): the states an optimal policy for :math:`\theta^*` visits from ``starts``.

    Args:
        theta_star: ``[S]`` the training reward.
        starts: the training start states.
        gamma: the training discount, in [0, 1).

    The optimal policy is :func:`powerlab.mdp.solve`'s (lowest slot among tied optimal
    actions); :math:`S_{train}` is its positive-probability closure from ``starts``.
    """
    R = np.asarray(theta_star, dtype=np.float64)
    if R.shape != (mdp.n_states,):
        raise InputError(f"training reward must have shape [S]={mdp.n_states}, got {R.shape}")
    if not starts:
        raise InputError("training from a reward needs at least one start state")
    pol = solve(mdp, R, gamma, want_q=False).policy[0]
    table: dict[int, int] = {}
    frontier = [mdp.state_index(s) for s in starts]
    A = mdp.n_actions
    while frontier:
        s = frontier.pop()
        if s in table:
            continue
        a = int(pol[s])
        table[s] = -1 if mdp.terminal[s] else a
        succ = mdp.P_sa[[s * A + a]].indices
        frontier.extend(int(t) for t in succ if int(t) not in table)
    return _build(mdp, table, "reward")


def training_from_trajectories(
    mdp: MDP, trajectories: Sequence[Sequence[Any]], where: str = "trajectories"
) -> TrainingData:
    """Source (c): recorded trajectories, each a list of ``[state, action]`` or bare states;
    :math:`S_{train}` by the module docstring's rule."""
    if isinstance(trajectories, str) or not isinstance(trajectories, Sequence) or not trajectories:
        raise InputError(f"{where}: expected a nonempty list of trajectories")
    table: dict[int, int] = {}
    A = mdp.n_actions
    for i, traj in enumerate(trajectories):
        if isinstance(traj, str) or not isinstance(traj, Sequence):
            raise InputError(f"{where}[{i}]: expected a list of [state, action] steps")
        prev = -1  # the previous step's pair s*A + a, or -1
        for j, step in enumerate(traj):
            at = f"{where}[{i}][{j}]"
            if isinstance(step, str | int):
                s, a = _state(mdp, at, step), -1
            elif isinstance(step, Sequence) and len(step) == 2:
                s = _state(mdp, at, step[0])
                a = _action(mdp, at, s, step[1])
            else:
                raise InputError(f"{at}: expected [state, action] or a state name, got {step!r}")
            if prev >= 0 and s not in mdp.P_sa[[prev]].indices:
                p_s, p_a = divmod(prev, A)
                raise InputError(
                    f"{at}: state {mdp.states[s]!r} cannot follow action "
                    f"{mdp.action_labels[p_s][p_a]!r} at {mdp.states[p_s]!r}"
                )
            prev = s * A + a if a >= 0 else -1
            old = table.get(s, -1)
            if a >= 0 and old >= 0 and old != a:
                raise InputError(
                    f"{at}: state {mdp.states[s]!r} was recorded with two actions "
                    f"({mdp.action_labels[s][old]!r} and {mdp.action_labels[s][a]!r})"
                )
            table[s] = a if a >= 0 else old
    return _build(mdp, table, "trajectories")


def load_training(mdp: MDP, path: str | os.PathLike[str]) -> TrainingData:
    """Read a training file (see the module docstring for its three forms)."""
    p = Path(path)
    doc, _ = read_document(p)
    if not isinstance(doc, Mapping):
        raise InputError(f"{p}: expected a mapping with policy, reward or trajectories")
    kinds = [k for k in ("policy", "reward", "trajectories") if k in doc]
    if len(kinds) != 1:
        raise InputError(f"{p}: expected exactly one of policy, reward, trajectories; got {kinds}")
    allowed = {"policy", "reward", "trajectories", "starts", "gamma", "name", "description"}
    extra = sorted(set(map(str, doc)) - allowed)
    if extra:
        raise InputError(f"{p}: unknown key {extra[0]!r}")
    kind = kinds[0]
    if kind == "policy":
        return training_from_policy(mdp, doc["policy"], where=f"{p}: policy")
    if kind == "trajectories":
        return training_from_trajectories(mdp, doc["trajectories"], where=f"{p}: trajectories")
    reward = doc["reward"]
    if not isinstance(reward, Mapping):
        raise InputError(f"{p}: reward: expected a mapping state -> number")
    theta = np.zeros(mdp.n_states)
    for name, val in reward.items():
        s = _state(mdp, f"{p}: reward.{name}", name)
        if isinstance(val, bool) or not isinstance(val, int | float) or not np.isfinite(val):
            raise InputError(f"{p}: reward.{name}: expected a finite number, got {val!r}")
        theta[s] = float(val)
    starts = doc.get("starts")
    if isinstance(starts, str):
        starts = [starts]
    if not isinstance(starts, Sequence) or not starts:
        raise InputError(f"{p}: starts: expected a nonempty list of start states")
    start_idx = [_state(mdp, f"{p}: starts", s) for s in starts]
    gamma = doc.get("gamma")
    if isinstance(gamma, bool) or not isinstance(gamma, int | float) or not 0 <= gamma < 1:
        raise InputError(f"{p}: gamma: expected a number in [0, 1), got {gamma!r}")
    return training_from_reward(mdp, theta, start_idx, float(gamma))
