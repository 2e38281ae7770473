"""Orbits, n-majority and retargetable decision rules (Turner & Tadepalli 2022, "RDSP").

Implements RDSP Defs. 3.1, 3.2 and 3.5 and Thm. 3.6, which Krakovna & Kramár (2023) restate as
their Definitions 1-4 and Theorem 1:

* :mod:`.permutations` and :mod:`.orbits`: coordinate permutations, orbits (Def. 1), sampling,
  restriction to Θ;
* :mod:`.majority`: orbit subsets and n-majority with exact counts (Defs. 2-3);
* :mod:`.retargetability` and :mod:`.search`: verifying, searching and checking Def. 4 and
  Theorem 1;
* :mod:`.rules` and :mod:`.outcomes`: RDSP's decision rules on outcome lotteries;
* :mod:`.mdp`: the same rules at a state of an MDP (imported on demand, it needs
  :mod:`powerlab.mdp`).
"""

from powerlab.retarget.majority import (
    COMPARE_TOL,
    MajorityReport,
    OrbitCounts,
    classify,
    n_fraction,
    n_majority,
    orbit_counts,
    orbit_points,
)
from powerlab.retarget.orbits import (
    DEFAULT_MAX_ORBIT,
    orbit,
    orbit_size,
    restrict,
    sample_orbit,
    sample_orbits,
    stabilizer_size,
)
from powerlab.retarget.outcomes import labelled_outcomes, lottery_comparison
from powerlab.retarget.permutations import (
    all_permutations,
    apply_permutation,
    compose,
    identity,
    inverse,
    random_permutations,
    swap_blocks,
    transposition,
)
from powerlab.retarget.retargetability import (
    Failure,
    RetargetReport,
    Theorem1Check,
    check_theorem1,
    search_retargeting,
    verify_retargetable,
)
from powerlab.retarget.rules import (
    AntiOpt,
    BestOfK,
    Boltzmann,
    DecisionRule,
    FracOptimal,
    IsOptimal,
    Quantilizer,
    Satisfice,
    parse_rule,
)
from powerlab.retarget.search import copy_involutions, transpositions

__all__ = [
    "COMPARE_TOL",
    "DEFAULT_MAX_ORBIT",
    "AntiOpt",
    "BestOfK",
    "Boltzmann",
    "DecisionRule",
    "Failure",
    "FracOptimal",
    "IsOptimal",
    "MajorityReport",
    "OrbitCounts",
    "Quantilizer",
    "RetargetReport",
    "Satisfice",
    "Theorem1Check",
    "all_permutations",
    "apply_permutation",
    "check_theorem1",
    "classify",
    "compose",
    "copy_involutions",
    "identity",
    "inverse",
    "labelled_outcomes",
    "lottery_comparison",
    "n_fraction",
    "n_majority",
    "orbit",
    "orbit_counts",
    "orbit_points",
    "orbit_size",
    "parse_rule",
    "random_permutations",
    "restrict",
    "sample_orbit",
    "sample_orbits",
    "search_retargeting",
    "stabilizer_size",
    "swap_blocks",
    "transposition",
    "transpositions",
    "verify_retargetable",
]
