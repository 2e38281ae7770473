"""Multi-agent POWER in Bayesian games (Stavrianos & Turner 2021, "POWER in multi-agent games").

Model and files (:mod:`.model`, :mod:`.io`, Gambit's formats in :mod:`.gambit_io`),
strategies (:mod:`.strategy`), interim utility and best responses (:mod:`.utility`), POWER and
best-case POWER (:mod:`.power`), worst-case and informed best-case POWER (:mod:`.bounds`), the
ε-BNE check (:mod:`.bne`), the conservation theorem (:mod:`.conservation`), equilibria through
Gambit with components and completeness (:mod:`.efg`, :mod:`.solve`, :mod:`.components`),
refinements (:mod:`.refine`), POWER at a given profile (:mod:`.at_profile`), and the paper's
open questions: common payoff (:mod:`.alignment`), ρ-correlated random games
(:mod:`.random_games`, :mod:`.sweep`) and finite-horizon Bayesian stochastic games
(:mod:`.stochastic`, :mod:`.stochastic_solve`, :mod:`.stochastic_io`).
:func:`.analysis.analyze_game` bundles what ``powerlab game`` prints.
"""

from powerlab.games.at_profile import analyze_profile, load_profile
from powerlab.games.bne import BNECheck, check_bne, is_epsilon_bne
from powerlab.games.bounds import WorstCase, informed_best_case, worst_case_power
from powerlab.games.components import Component
from powerlab.games.conservation import ConservationReport, conservation, constant_sum_value
from powerlab.games.efg import EfgTree, to_efg
from powerlab.games.gambit_io import parse_efg, parse_nfg, write_efg
from powerlab.games.io import load_game, parse_game
from powerlab.games.model import BayesianGame, from_private_rewards, make_game
from powerlab.games.power import BestCase, best_case_power, power
from powerlab.games.refine import Refinement, refine
from powerlab.games.solve import (
    SOLVERS,
    Equilibrium,
    EquilibriumSet,
    default_solver,
    solve,
    solve_set,
)
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
    "Component",
    "ConservationReport",
    "EfgTree",
    "Equilibrium",
    "EquilibriumSet",
    "Profile",
    "Refinement",
    "WorstCase",
    "analyze_profile",
    "best_case_power",
    "best_responses",
    "check_bne",
    "check_profile",
    "conservation",
    "constant_sum_value",
    "default_solver",
    "expected_payoffs",
    "from_private_rewards",
    "informed_best_case",
    "interim_utility",
    "is_epsilon_bne",
    "load_game",
    "load_profile",
    "make_game",
    "parse_efg",
    "parse_game",
    "parse_nfg",
    "power",
    "profile_from_names",
    "profile_to_names",
    "pure_profile",
    "random_profile",
    "refine",
    "solve",
    "solve_set",
    "to_efg",
    "uniform_profile",
    "worst_case_power",
    "write_efg",
]
