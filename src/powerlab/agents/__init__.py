"""Trained agents against the theory: is the training-compatible goal model (Krakovna &
Kramár 2023) probable and predictive?

The protocol (docs/agents.md):

* :mod:`~powerlab.agents.procmaze`: procedural cheese mazes of varying size on a padded
  canvas, the cheese in the top-right k x k region in training, a working shutdown button.
* :mod:`~powerlab.agents.cnn`: a small convolutional actor-critic with one shared trunk,
  trained with stable-baselines3 PPO (torch is imported lazily).
* :mod:`~powerlab.agents.protocol`, :mod:`~powerlab.agents.runner`: the held-out suite
  (decision squares, cheese on and off the path to the corner, shutdown), the competence
  gate, and resumable chunks (seed, k, γ), in process or on Dask.
* :mod:`~powerlab.agents.predict`, :mod:`~powerlab.agents.study`,
  :mod:`~powerlab.agents.bootstrap`, :mod:`~powerlab.agents.studyplot`: every hypothesis's
  exact outcome prediction under a Boltzmann policy with one fitted temperature (H_true,
  H_proxy, a cheese/region mixture, uniform on the tabular and on a feature-space G_T),
  cross-fitted held-out log-likelihoods with seed x layout cluster bootstrap intervals, the
  k sweep, the shutdown test against Theorem 2, and their figures.

The first, simpler workflow (``powerlab agents train | evaluate | compare``):

* :mod:`~powerlab.agents.maze`, :mod:`~powerlab.agents.envs`: fixed-size cheese mazes and any
  finite MDP (the CoinRun-like levels) as gymnasium environments, each situation exported
  as a :class:`powerlab.mdp.MDP` that matches the simulator.
* :mod:`~powerlab.agents.cases`, :mod:`~powerlab.agents.families`: test cases with their
  training context for G_T.
* :mod:`~powerlab.agents.qlearning`, :mod:`~powerlab.agents.ppo`,
  :mod:`~powerlab.agents.train`: tabular Q-learning and PPO with a multilayer perceptron.
* :mod:`~powerlab.agents.evaluate`, :mod:`~powerlab.agents.hypotheses`,
  :mod:`~powerlab.agents.analysis`: outcome rates with intervals and the hypotheses'
  likelihoods at a fixed ε.
"""

from powerlab.agents.analysis import compare_run, evaluate_run, load_evaluation
from powerlab.agents.bootstrap import cluster_bootstrap
from powerlab.agents.cases import Case, coinrun_case, disjoint_union, goal_context, maze_case
from powerlab.agents.envs import MazeEnv, MDPEnv
from powerlab.agents.evaluate import (
    Episode,
    classify,
    clopper_pearson,
    rollout,
    run_rollouts,
    summarize,
    wilson,
)
from powerlab.agents.families import FAMILIES, FamilyConfig, build_suite, make_env
from powerlab.agents.hypotheses import Hypothesis, default_hypotheses, parse_family, score
from powerlab.agents.maze import Situation, generate_maze, situation_mdp
from powerlab.agents.predict import HYPOTHESES, feature_gt, outcome_probabilities
from powerlab.agents.procmaze import ProcMazeEnv
from powerlab.agents.protocol import PRESETS, ProtocolConfig, held_out_suite
from powerlab.agents.qlearning import QAgent, QConfig, load_q, save_q, train_q
from powerlab.agents.runner import analyze_protocol, run_protocol
from powerlab.agents.train import ALGOS, default_family, load_run, train_run

__all__ = [
    "ALGOS",
    "FAMILIES",
    "HYPOTHESES",
    "PRESETS",
    "Case",
    "Episode",
    "FamilyConfig",
    "Hypothesis",
    "MDPEnv",
    "MazeEnv",
    "ProcMazeEnv",
    "ProtocolConfig",
    "QAgent",
    "QConfig",
    "Situation",
    "analyze_protocol",
    "build_suite",
    "classify",
    "clopper_pearson",
    "cluster_bootstrap",
    "coinrun_case",
    "compare_run",
    "default_family",
    "default_hypotheses",
    "disjoint_union",
    "evaluate_run",
    "feature_gt",
    "generate_maze",
    "goal_context",
    "held_out_suite",
    "load_evaluation",
    "load_q",
    "load_run",
    "make_env",
    "maze_case",
    "outcome_probabilities",
    "parse_family",
    "rollout",
    "run_protocol",
    "run_rollouts",
    "save_q",
    "score",
    "situation_mdp",
    "summarize",
    "train_q",
    "train_run",
    "wilson",
]
