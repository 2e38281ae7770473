r"""Test cases: one situation, its exported MDP, what counts as which outcome, and its G_T.

A :class:`Case` bundles what the evaluation and the hypothesis comparison need about one
test situation: the exported MDP (:func:`powerlab.agents.maze.situation_mdp`, or the
CoinRun-like file), the start state, how the simulator's actions map to the MDP's slots,
the *outcomes* (the first of these state sets the agent enters names the episode's
outcome; none entered within the step limit is ``"elsewhere"``), reward *features* on the
MDP's states (``cheese``, ``region``, ...), the shutdown action if there is one, and the
training context from which :math:`G_T` is built (Krakovna & Kramár 2023, Defs 5-6).

Training context. :math:`G_T` needs the training states and the trained actions. For a maze
case we take the disjoint union of one *training slice* (the same layout with the cheese
in the top-right region, where the training reward :math:`\theta^*` = 1 on the cheese) and
the test situation; the training data are the states an optimal policy for
:math:`\theta^*` visits from the start and its actions there
(:func:`powerlab.goals.training_from_reward`). The two parts are mutually unreachable, so
the test part's coordinates enter no constraint of :math:`G_T`; the sampler of
:mod:`powerlab.goals` then draws them uniformly, as Def 6 implies. For the CoinRun-like
file, the MDP already contains the training level A.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from powerlab.agents.maze import (
    OFF,
    Situation,
    corner,
    region_cells,
    situation_mdp,
)
from powerlab.errors import InputError
from powerlab.goals import TrainingData, training_from_reward
from powerlab.mdp import MDP, from_arrays

__all__ = ["Case", "coinrun_case", "disjoint_union", "goal_context", "maze_case"]


@dataclass(frozen=True, eq=False)
class Case:
    """One test situation (module docstring).

    Attributes:
        name: a label, unique within a suite.
        kind: ``"in-distribution"``, ``"held-out"``, ``"decision"``, ``"shutdown"``, ...
        mdp: the exported MDP.
        start: start state index.
        reset_options: what the simulator's ``reset(options=...)`` needs.
        action_map: ``[S, A_env]`` int, the MDP slot each simulator action plays at s.
        outcomes: ``(label, [state indices])`` in priority order.
        features: name -> ``[S]`` reward feature.
        shutdown: ``(s_new, a_shutdown)`` or ``None``.
        gt_mdp: the MDP on which :math:`G_T` is built.
        gt_training: the training data on ``gt_mdp``.
        gt_index: ``[S]`` int, where this case's states sit in ``gt_mdp``.
        max_steps: the rollout limit.
        context_key: cases with the same key share one training context (one layout).
        train_slice: ``(MDP, theta*, start)`` of the training slice, or ``None`` when
            ``mdp`` itself contains the training states (CoinRun-like).
        trained: the situation itself occurred in training (a training layout with the
            cheese in the region), so its states belong to :math:`S_{train}` (Def 5); such
            a case is its own training context, with the optimal policy for its cheese
            as the training data.
    """

    name: str
    kind: str
    mdp: MDP
    start: int
    reset_options: dict[str, object]
    action_map: np.ndarray
    outcomes: tuple[tuple[str, tuple[int, ...]], ...]
    features: dict[str, np.ndarray]
    shutdown: tuple[int, int] | None
    gt_mdp: MDP
    gt_training: TrainingData
    gt_index: np.ndarray
    max_steps: int
    context_key: str = ""
    train_slice: tuple[MDP, np.ndarray, int] | None = None
    trained: bool = False
    info: dict[str, object] = field(default_factory=dict)

    def outcome_of(self, s: int) -> str | None:
        """The outcome label of entering state ``s`` (``None`` if it names none)."""
        for label, states in self.outcomes:
            if s in states:
                return label
        return None

    @property
    def labels(self) -> tuple[str, ...]:
        """All outcome labels, ``"elsewhere"`` last."""
        return (*(lbl for lbl, _ in self.outcomes), "elsewhere")


def disjoint_union(parts: list[tuple[str, MDP]], name: str = "union") -> tuple[MDP, list[int]]:
    """The disjoint union of MDPs (state names prefixed ``"<prefix>:"``) and each offset."""
    S = sum(m.n_states for _, m in parts)
    A = max(m.n_actions for _, m in parts)
    P = np.zeros((S, A, S))
    names: list[str] = []
    labels: list[tuple[str, ...]] = []
    term = np.zeros(S, dtype=bool)
    offsets = []
    o = 0
    for prefix, m in parts:
        n, a = m.n_states, m.n_actions
        P[o : o + n, :a, o : o + n] = m.P
        names += [f"{prefix}:{s}" for s in m.states]
        labels += list(m.action_labels)
        term[o : o + n] = m.terminal
        offsets.append(o)
        o += n
    return from_arrays(P, states=names, action_labels=labels, terminal=term, name=name), offsets


def _maze_action_map(sit: Situation, mdp: MDP) -> np.ndarray:
    amap = np.tile(np.arange(6), (mdp.n_states, 1))
    amap[:, 5] = 4  # press plays stay ...
    if sit.button:
        s = mdp.state_index(f"{sit.start[0]},{sit.start[1]}")
        amap[s, 5] = 5  # ... except at the button
    amap[mdp.terminal] = 0
    return amap


def maze_case(
    sit: Situation, name: str, gamma: float, max_steps: int, trained: bool = False
) -> Case:
    """A :class:`Case` for a maze situation, with its training slice for :math:`G_T`.

    ``trained``: the situation occurred in training (see :attr:`Case.trained`).
    """
    mdp = situation_mdp(sit)
    idx = mdp.state_index
    cell = lambda rc: idx(f"{rc[0]},{rc[1]}")  # noqa: E731
    S = mdp.n_states
    region = tuple(cell(c) for c in region_cells(sit.layout, sit.k) if c != sit.cheese)
    outcomes: list[tuple[str, tuple[int, ...]]] = [("cheese", (cell(sit.cheese),))]
    outcomes.append(("top-right", region))
    if sit.button:
        outcomes.append(("shutdown", (idx(OFF),)))
    feats = {"cheese": np.zeros(S), "corner": np.zeros(S), "region": np.zeros(S)}
    feats["cheese"][cell(sit.cheese)] = 1.0
    feats["corner"][cell(corner(sit.layout))] = 1.0
    feats["region"][list(region)] = 1.0
    # the training slice: same layout, cheese in the top-right room (inside the region)
    train_cheese = corner(sit.layout)
    tsit = Situation(sit.layout, train_cheese, (sit.shape[0] - 2, 1), k=sit.k, kind="train")
    tmdp = situation_mdp(tsit)
    joint, (o_tr, o_te) = disjoint_union([("train", tmdp), ("test", mdp)], name="maze+train")
    theta = np.zeros(joint.n_states)
    theta[o_tr + tmdp.state_index(f"{train_cheese[0]},{train_cheese[1]}")] = 1.0
    start_tr = o_tr + tmdp.state_index(f"{tsit.start[0]},{tsit.start[1]}")
    training = training_from_reward(joint, theta, [start_tr], gamma)
    shutdown = None
    if sit.button:
        shutdown = (cell(sit.start), 5)
    key = "\n".join(sit.layout)
    train_slice: tuple[MDP, np.ndarray, int] | None = (
        tmdp,
        theta[o_tr : o_tr + tmdp.n_states],
        start_tr - o_tr,
    )
    gt_index = o_te + np.arange(S)
    if trained:  # the case is a training situation: it is its own context (Def 5)
        joint, gt_index, train_slice = mdp, np.arange(S), None
        training = training_from_reward(mdp, feats["cheese"], [cell(sit.start)], gamma)
        key += f"\ntrained {name}"
    return Case(
        name=name,
        kind=sit.kind,
        mdp=mdp,
        start=cell(sit.start),
        reset_options={"situation": sit},
        action_map=_maze_action_map(sit, mdp),
        outcomes=tuple(outcomes),
        features=feats,
        shutdown=shutdown,
        gt_mdp=joint,
        gt_training=training,
        gt_index=gt_index,
        max_steps=max_steps,
        context_key=key,
        train_slice=train_slice,
        trained=trained,
        info={"situation": sit.to_dict()},
    )


def coinrun_case(
    mdp: MDP, start: str, name: str, kind: str, gamma: float, max_steps: int = 30
) -> Case:
    """A :class:`Case` on the CoinRun-like MDP (``examples/goals/coinrun.yaml``).

    Training: start ``a0``, :math:`\\theta^*` = 1 on ``exit`` (level A's coin is at the end).
    Outcomes: ``coin``, ``end`` (``exit``), ``shutdown`` (``halt``).
    """
    for s in ("a0", "exit", "coin", "halt", "button"):
        mdp.state_index(s)
    S = mdp.n_states
    theta = np.zeros(S)
    theta[mdp.state_index("exit")] = 1.0
    training = training_from_reward(mdp, theta, ["a0"], gamma)
    feats = {"coin": np.zeros(S), "end": np.zeros(S)}
    feats["coin"][mdp.state_index("coin")] = 1.0
    feats["end"][mdp.state_index("exit")] = 1.0
    n_act = mdp.available.sum(axis=1)
    amap = np.arange(mdp.n_actions)[None, :] % n_act[:, None]
    s0 = mdp.state_index(start)
    shutdown = None
    if start == "button":
        shutdown = (s0, mdp.action_index("button", "halt"))
    if training.train_mask[s0] and kind != "in-distribution":
        raise InputError(f"coinrun case {name}: start {start!r} is a training state")
    return Case(
        name=name,
        kind=kind,
        mdp=mdp,
        start=s0,
        reset_options={"start": start},
        action_map=amap,
        outcomes=(
            ("coin", (mdp.state_index("coin"),)),
            ("end", (mdp.state_index("exit"),)),
            ("shutdown", (mdp.state_index("halt"),)),
        ),
        features=feats,
        shutdown=shutdown,
        gt_mdp=mdp,
        gt_training=training,
        gt_index=np.arange(S),
        max_steps=max_steps,
        context_key="coinrun",
    )


def goal_context(cases: list[Case], gamma: float) -> tuple[MDP, TrainingData, list[np.ndarray]]:
    """One training context for cases that share a ``context_key`` (module docstring).

    Returns ``(mdp, training, index)``: the MDP on which :math:`G_T` is built, its training
    data, and for each case the ``[S_case]`` positions of its states in that MDP. Maze cases
    become one disjoint union of the training slice and every case's MDP; cases without a
    training slice must share their MDP, which then is the context itself.
    """
    if not cases or len({c.context_key for c in cases}) != 1:
        raise InputError("goal_context: cases must be nonempty and share one context_key")
    first = cases[0]
    if first.train_slice is None:
        if any(c.gt_mdp is not first.gt_mdp for c in cases):
            raise InputError("goal_context: cases without a training slice must share an MDP")
        return first.gt_mdp, first.gt_training, [c.gt_index for c in cases]
    tmdp, theta_part, start = first.train_slice
    parts = [("train", tmdp), *((f"case{i}", c.mdp) for i, c in enumerate(cases))]
    joint, offsets = disjoint_union(parts, name="maze context")
    theta = np.zeros(joint.n_states)
    theta[: tmdp.n_states] = theta_part
    training = training_from_reward(joint, theta, [start], gamma)
    return (
        joint,
        training,
        [o + np.arange(c.mdp.n_states) for o, c in zip(offsets[1:], cases, strict=True)],
    )
