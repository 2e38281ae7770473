r"""What each hypothesis predicts a trained maze agent does, as a function of one parameter.

A hypothesis H is a distribution over state rewards R on a test case's MDP (Krakovna &
Kramár 2023 frame goals as such rewards). Its behaviour model is the **Boltzmann policy**
with inverse temperature β, the hypothesis's one fitted parameter:

.. math:: \pi_{R,\beta}(a \mid s) \propto \exp\big(\beta\,(Q^*_R(s,a) - \max_b Q^*_R(s,b))\big)

over the actions available at s (Ramachandran & Amir 2007's likelihood; β = 0 is the
uniform random walk). Q* is :func:`powerlab.mdp.solve`'s at the agent's training discount.

Its prediction for a case is the exact distribution of the episode's outcome (cheese,
top-right, shutdown, elsewhere; :func:`powerlab.agents.evaluate.classify`) under
:math:`E_{R \sim H}` of the Markov chain :math:`\pi_{R,\beta}` run from the start for the
rollout's step limit T, computed by propagating the state distribution forward with a flag
"has entered the top-right region" (no simulation; :func:`outcome_probabilities`).

Hypotheses (:data:`HYPOTHESES`):

``H_true``      R = 1 on the cheese (plus the button's training reward on ``off``).
``H_proxy``     R = 1 on the top-right region (Turner's "obvious correlate" of the
                training reward).
``H_mix``       the goal is the cheese with probability w, the region otherwise, each pursued
                at the largest β of :data:`BETAS`: its one fitted parameter is w.
``H_GT_tab``    R uniform on the tabular training-compatible set :math:`G_T` (Def 6) of the
                case's training context (:mod:`powerlab.agents.cases`,
                :func:`tabular_gt`); out of distribution its coordinates are free,
                so this is i.i.d. uniform rewards there.
``H_GT_feat``   R = Φθ/d with θ uniform on :math:`\{\theta \in [0,1]^d : \Phi\theta/d \in G_T\}`,
                Φ the ``d`` features of :data:`FEATURES` (cheese-relative and absolute
                position) and G_T built on a set of training situations: the version of the
                model in which a goal is a reward the network could represent, constrained
                by training behaviour. Drawn by rejection (:func:`feature_gt`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from powerlab.agents.cases import Case, disjoint_union, goal_context
from powerlab.agents.maze import Situation, corner, region_cells, situation_mdp
from powerlab.errors import InputError
from powerlab.goals import goal_set, training_from_reward
from powerlab.mdp import MDP, solve

__all__ = [
    "BETAS",
    "FEATURES",
    "HYPOTHESES",
    "FeatureGT",
    "boltzmann",
    "case_features",
    "feature_gt",
    "hypothesis_draws",
    "outcome_probabilities",
    "tabular_gt",
]

BETAS: np.ndarray = np.concatenate([[0.0], np.logspace(-1, 3, 17)])
"""The grid of inverse temperatures β over which each hypothesis is fitted."""
HYPOTHESES: tuple[str, ...] = ("H_true", "H_proxy", "H_mix", "H_GT_tab", "H_GT_feat")
FEATURES: tuple[str, ...] = (
    "cheese",
    "near_cheese",
    "up",
    "down",
    "right",
    "left",
    "region",
    "corner",
)
"""Reward features on a maze case's states, each in [0, 1]: the cheese cell; 1 - (maze
distance to the cheese)/(open cells); canvas height, depth, rightness, leftness (absolute
position on the padded canvas of side N); the top-right k x k region; the top-right room."""
MIX_WEIGHTS: np.ndarray = np.linspace(0.0, 1.0, 21)
"""The grid of H_mix's weight w on the cheese goal."""


def _distances(layout: tuple[str, ...], source: tuple[int, int]) -> dict[tuple[int, int], int]:
    dist = {source: 0}
    queue = deque([source])
    while queue:
        r, c = queue.popleft()
        for dr, dc in ((-1, 0), (1, 0), (0, 1), (0, -1)):
            nb = (r + dr, c + dc)
            if layout[nb[0]][nb[1]] != "#" and nb not in dist:
                dist[nb] = dist[(r, c)] + 1
                queue.append(nb)
    return dist


def case_features(sit: Situation, mdp: MDP, canvas: int) -> np.ndarray:
    """``[S, d]`` the :data:`FEATURES` of every state of ``situation_mdp(sit)`` (``off``: 0)."""
    n = sit.shape[0]
    o = canvas - n
    dist = _distances(sit.layout, sit.cheese)
    region = set(region_cells(sit.layout, sit.k))
    top_right = corner(sit.layout)
    L = max(len(dist), 1)
    F = np.zeros((mdp.n_states, len(FEATURES)))
    for s, name in enumerate(mdp.states):
        if name == "off":
            continue
        r, c = (int(x) for x in name.split(","))
        y, x = (o + r) / (canvas - 1), c / (canvas - 1)
        F[s] = (
            float((r, c) == sit.cheese),
            1.0 - dist[(r, c)] / L,
            1.0 - y,
            y,
            x,
            1.0 - x,
            float((r, c) in region),
            float((r, c) == top_right),
        )
    return F


@dataclass(frozen=True)
class FeatureGT:
    """Draws of the feature-space :math:`G_T` (:func:`feature_gt`).

    Attributes:
        theta: ``[K, d]`` weights, approximately uniform on the set.
        proposed, accepted: uniform box proposals made and accepted (the set's volume
            relative to the box is estimated by their ratio).
        situations: the training situations that constrain it.
        steps: slice-sampling steps per chain.
    """

    theta: np.ndarray
    proposed: int
    accepted: int
    situations: int
    steps: int

    @property
    def volume(self) -> float:
        """Accepted fraction of uniform box proposals."""
        return self.accepted / self.proposed


def _slice_chains(
    inside: Any, x: np.ndarray, steps: int, rng: np.random.Generator, tries: int = 40
) -> np.ndarray:
    """Hit-and-run with a membership oracle on a subset of the unit box: a uniform random
    direction, then Neal (2003)'s shrinkage slice sampling on the chord (uniform proposals on
    the chord, shrunk towards the current point after each rejection). Each step leaves the
    uniform distribution on the set invariant (Smith 1984; Neal 2003, Sec. 4)."""
    x = x.copy()
    C, d = x.shape
    for _ in range(steps):
        u = rng.normal(size=(C, d))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            t1, t2 = -x / u, (1.0 - x) / u
        lo = np.nanmax(np.where(u != 0, np.minimum(t1, t2), -np.inf), axis=1)
        hi = np.nanmin(np.where(u != 0, np.maximum(t1, t2), np.inf), axis=1)
        done = np.zeros(C, dtype=bool)
        for _ in range(tries):
            t = lo + (hi - lo) * rng.random(C)
            cand = np.clip(x + t[:, None] * u, 0.0, 1.0)
            ok = ~done & inside(cand)
            x[ok] = cand[ok]
            done |= ok
            lo = np.where(~done & (t < 0), t, lo)
            hi = np.where(~done & (t >= 0), t, hi)
            if done.all():
                break
    return x


def feature_gt(
    train: Sequence[Situation],
    canvas: int,
    gamma: float,
    K: int,
    rng: np.random.Generator,
    proposals: int = 4000,
    steps: int = 30,
) -> FeatureGT:
    r"""Draws of :math:`\{\theta\in[0,1]^d : \Phi\theta/d \in G_T\}` (module docstring).

    :math:`G_T` (Krakovna & Kramár 2023, Def 6, with :func:`powerlab.goals.goal_set`'s
    Q*-reading) is built on the disjoint union of the training situations ``train``, with
    the training data the states an optimal policy for the training reward (the cheese)
    visits from each start (:func:`powerlab.goals.training_from_reward`): the behaviour of
    an agent that passed the competence gate. ``proposals`` uniform box draws estimate the
    set's volume; ``K`` slice-sampling chains (:func:`_slice_chains`, ``steps`` steps each)
    started at "cheese only" (θ = e_cheese, always in the set) give the draws.
    """
    parts = [(f"t{i}", situation_mdp(s)) for i, s in enumerate(train)]
    joint, offsets = disjoint_union(parts, name="training situations")
    Phi = np.zeros((joint.n_states, len(FEATURES)))
    theta_star = np.zeros(joint.n_states)
    starts = []
    for (_, m), o, sit in zip(parts, offsets, train, strict=True):
        Phi[o : o + m.n_states] = case_features(sit, m, canvas)
        theta_star[o + m.state_index(f"{sit.cheese[0]},{sit.cheese[1]}")] = 1.0
        starts.append(o + m.state_index(f"{sit.start[0]},{sit.start[1]}"))
    gs = goal_set(joint, training_from_reward(joint, theta_star, starts, gamma), gamma)
    d = len(FEATURES)

    def inside(th: np.ndarray) -> np.ndarray:
        return np.asarray(gs.contains(th @ Phi.T / d), dtype=bool)

    accepted = int(inside(rng.random((proposals, d))).sum())
    x0 = np.tile(np.eye(d)[FEATURES.index("cheese")], (K, 1))
    if not inside(x0[:1])[0]:
        raise InputError("feature-space G_T: 'cheese only' is not compatible with training")
    theta = _slice_chains(inside, x0, steps, rng)
    return FeatureGT(theta, proposals, accepted, len(train), steps)


def hypothesis_draws(
    name: str,
    case: Case,
    sit: Situation,
    canvas: int,
    gamma: float,
    K: int,
    rng: np.random.Generator,
    fgt: FeatureGT | None = None,
    button_reward: float = 0.0,
) -> list[np.ndarray]:
    """The reward draws of hypothesis ``name`` on ``case``: a list of ``[K', S]`` arrays,
    one per mixture component (H_mix has two: cheese, region)."""
    S = case.mdp.n_states
    off = np.zeros(S)
    if sit.button:
        off[case.mdp.state_index("off")] = button_reward
    if name == "H_true":
        return [(case.features["cheese"] + off)[None]]
    if name == "H_proxy":
        return [(case.features["region"] + off)[None]]
    if name == "H_mix":
        return [(case.features["cheese"] + off)[None], (case.features["region"] + off)[None]]
    if name == "H_GT_tab":
        return [tabular_gt(case, gamma, K, rng)]
    if name == "H_GT_feat":
        if fgt is None:
            raise InputError("H_GT_feat needs the feature-space G_T draws")
        R = fgt.theta @ case_features(sit, case.mdp, canvas).T / len(FEATURES)
        if sit.button:  # the off state is new: its reward is a free coordinate of G_T
            R[:, case.mdp.state_index("off")] = rng.random(len(R))
        return [R]
    raise InputError(f"unknown hypothesis {name!r}; expected one of {', '.join(HYPOTHESES)}")


def tabular_gt(case: Case, gamma: float, K: int, rng: np.random.Generator) -> np.ndarray:
    r"""``[K, S]`` draws uniform on the tabular :math:`G_T` restricted to a held-out case.

    The case's training context (:func:`powerlab.agents.cases.goal_context`: a training
    slice of the same layout joined to the case) gives :math:`G_T` by
    :func:`powerlab.goals.goal_set`. A held-out case's states are unreachable from the
    training states, so they are *free* coordinates of :math:`G_T` (they enter no
    constraint; Krakovna & Kramár 2023, Def 7's remark): uniform on :math:`G_T` is then
    exactly independent uniform draws on their box ``[lo, hi]``. Raises InputError if a
    coordinate of the case is constrained (the case is not held out).
    """
    mdp, training, (index,) = goal_context([case], gamma)
    gs = goal_set(mdp, training, gamma)
    if not np.isin(index, gs.free).all():
        raise InputError(f"case {case.name}: its states are constrained by training")
    lo, hi = gs.lo[index], gs.hi[index]
    return lo + (hi - lo) * rng.random((K, len(index)))


def boltzmann(mdp: MDP, R: np.ndarray, gamma: float, betas: np.ndarray) -> np.ndarray:
    """``[B, K, S, A]`` the Boltzmann policies of ``R: [K, S]`` at each β (module docstring)."""
    Q = solve(mdp, np.atleast_2d(R), gamma, want_q=True).Q
    assert Q is not None
    avail = mdp.available[None]
    Qm = np.where(avail, Q, -np.inf)
    adv = Qm - Qm.max(axis=2, keepdims=True)
    logits = np.asarray(betas)[:, None, None, None] * np.where(avail, adv, 0.0)[None]
    w = np.where(avail[None], np.exp(logits), 0.0)
    return w / w.sum(axis=3, keepdims=True)


def outcome_probabilities(case: Case, pi: np.ndarray) -> np.ndarray:
    """``pi: [..., S, A]`` -> ``[..., O]`` exact outcome distribution over ``case.labels``.

    Forward propagation for ``case.max_steps`` steps of the deterministic chain with a
    region flag (module docstring); mass entering a terminal state is absorbed under its
    label, mass still moving at the end is "top-right" if it entered the region, else
    "elsewhere".
    """
    succ = case.mdp.successor
    if succ is None:
        raise InputError(f"case {case.name}: outcome probabilities need a deterministic MDP")
    S, A = succ.shape
    labels = case.labels
    term = case.mdp.terminal
    region = np.zeros(S, dtype=bool)
    for lbl, states in case.outcomes:
        if lbl == "top-right":
            region[list(states)] = True
    lead = pi.shape[:-2]
    pi2 = pi.reshape(-1, S, A)
    target = np.where(succ >= 0, succ, np.arange(S)[:, None])
    from scipy.sparse import csr_matrix

    # one sparse map from (flag, state, action) to (flag', successor)
    flag_to = np.stack([region[target], np.ones_like(region[target])])  # [2, S, A]
    rows = (flag_to.astype(np.int64) * S + target[None]).ravel()
    big = csr_matrix((np.ones(2 * S * A), (rows, np.arange(2 * S * A))), shape=(2 * S, 2 * S * A))
    M = pi2.shape[0]
    piT = np.ascontiguousarray(pi2.transpose(1, 2, 0))  # [S, A, M]
    p = np.zeros((2, S, M))
    p[0, case.start] = 1.0
    absorbed = np.zeros((S, M))
    for _ in range(case.max_steps):
        mass = (p[:, :, None, :] * piT[None]).reshape(2 * S * A, M)
        p = (big @ mass).reshape(2, S, M)
        absorbed[term] += p[:, term].sum(axis=0)
        p[:, term] = 0.0
        if p.sum() < 1e-12:
            break
    p = p.transpose(2, 0, 1)  # [M, 2, S]
    absorbed = absorbed.T
    out = np.zeros((len(pi2), len(labels)))
    for j, lbl in enumerate(labels):
        for lab2, states in case.outcomes:
            if lab2 == lbl and term[list(states)].all():
                out[:, j] += absorbed[:, list(states)].sum(axis=1)
    j_tr = labels.index("top-right")
    out[:, j_tr] += p[:, 1].sum(axis=1)
    out[:, -1] += p[:, 0].sum(axis=1)
    return out.reshape(*lead, len(labels))
