"""Trained agents against the theory (issue 6): is the training-compatible goal model
probable and predictive?

* :mod:`~powerlab.agents.maze`, :mod:`~powerlab.agents.envs`: procedurally generated cheese
  mazes and any finite MDP (the CoinRun-like levels) as gymnasium environments, each
  situation exported as a :class:`powerlab.mdp.MDP` that matches the simulator.
* :mod:`~powerlab.agents.cases`, :mod:`~powerlab.agents.families`: test cases (held-out
  mazes, decision squares, shutdown buttons) with their training context for G_T.
* :mod:`~powerlab.agents.qlearning`, :mod:`~powerlab.agents.ppo`,
  :mod:`~powerlab.agents.train`: tabular Q-learning and stable-baselines3 PPO, with
  checkpoints that load without unpickling (torch and SB3 are imported lazily).
* :mod:`~powerlab.agents.evaluate`, :mod:`~powerlab.agents.hypotheses`,
  :mod:`~powerlab.agents.irl`, :mod:`~powerlab.agents.critic`,
  :mod:`~powerlab.agents.analysis`: out-of-distribution outcome rates with intervals, the
  hypotheses' predictive log-likelihoods, Ng & Russell feasibility sets, and the critic's
  value map against the policy.
"""

from powerlab.agents.analysis import compare_run, evaluate_run, greedy_policy, load_evaluation
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
from powerlab.agents.irl import feasibility, gt_probability, optimality_constraints
from powerlab.agents.maze import Situation, generate_maze, situation_mdp
from powerlab.agents.qlearning import QAgent, QConfig, load_q, save_q, train_q
from powerlab.agents.train import ALGOS, default_family, load_run, train_run

__all__ = [
    "ALGOS",
    "FAMILIES",
    "Case",
    "Episode",
    "FamilyConfig",
    "Hypothesis",
    "MDPEnv",
    "MazeEnv",
    "QAgent",
    "QConfig",
    "Situation",
    "build_suite",
    "classify",
    "clopper_pearson",
    "coinrun_case",
    "compare_run",
    "default_family",
    "default_hypotheses",
    "disjoint_union",
    "evaluate_run",
    "feasibility",
    "generate_maze",
    "goal_context",
    "greedy_policy",
    "gt_probability",
    "load_evaluation",
    "load_q",
    "load_run",
    "make_env",
    "maze_case",
    "optimality_constraints",
    "parse_family",
    "rollout",
    "run_rollouts",
    "save_q",
    "score",
    "situation_mdp",
    "summarize",
    "train_q",
    "train_run",
    "wilson",
]
