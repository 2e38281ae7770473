"""Multi-agent POWER in Bayesian games (Stavrianos & Turner 2021, "POWER in multi-agent games").

Model and files (:mod:`.model`, :mod:`.io`), strategies (:mod:`.strategy`), interim utility
and best responses (:mod:`.utility`), POWER and best-case POWER (:mod:`.power`), the ε-BNE
check (:mod:`.bne`), the conservation theorem (:mod:`.conservation`), equilibria through
Gambit (:mod:`.efg`, :mod:`.solve`), and the paper's open questions: common payoff
(:mod:`.alignment`), ρ-correlated random games (:mod:`.random_games`, :mod:`.sweep`) and
finite-horizon Bayesian stochastic games (:mod:`.stochastic`, :mod:`.stochastic_solve`).
:func:`.analysis.analyze_game` bundles what ``powerlab game`` prints.
"""

from powerlab.games.bne import BNECheck, check_bne, is_epsilon_bne
from powerlab.games.conservation import ConservationReport, conservation, constant_sum_value
from powerlab.games.efg import EfgTree, to_efg
from powerlab.games.io import load_game, parse_game
from powerlab.games.model import BayesianGame, from_private_rewards, make_game
from powerlab.games.power import BestCase, best_case_power, power
from powerlab.games.solve import SOLVERS, Equilibrium, default_solver, solve
from powerlab.games.strategy import (
    Profile,
    check_profile,
    profile_from_names,
    profile_to_names,
    pure_profile,
    random_profile,
    uniform_profile,
)
from powerlab.games.utility import best_responses, expected_payoffs, interim_utility

__all__ = [
    "SOLVERS",
    "BNECheck",
    "BayesianGame",
    "BestCase",
    "ConservationReport",
    "EfgTree",
    "Equilibrium",
    "Profile",
    "best_case_power",
    "best_responses",
    "check_bne",
    "check_profile",
    "conservation",
    "constant_sum_value",
    "default_solver",
    "expected_payoffs",
    "from_private_rewards",
    "interim_utility",
    "is_epsilon_bne",
    "load_game",
    "make_game",
    "parse_game",
    "power",
    "profile_from_names",
    "profile_to_names",
    "pure_profile",
    "random_profile",
    "solve",
    "to_efg",
    "uniform_profile",
]
