r"""One-call analyses behind ``powerlab retarget``: counts, n-majority and retargeting search.

:func:`analyze_outcomes` takes RDSP's outcome setting (one utility per labelled deterministic
outcome, θ = u, C = all outcomes) and :func:`analyze_mdp` the optimal-policy setting at a
state of an MDP (θ = R over states). Both return a :class:`RetargetAnalysis`, whose
:meth:`~RetargetAnalysis.to_dict` is the JSON document of ``powerlab retarget``; its first keys are

``orbit_size``, ``B_over_A``, ``A_over_B``, ``ties``
    the sizes of :math:`\mathrm{Orbit}(\theta)` (distinct points) and of its subsets where f
    prefers B, prefers A, or ties (Krakovna & Kramár 2023, Def. 2; sample counts with
    ``sample=``);
``largest_n``
    the largest integer n with :math:`|B>A| \ge n|A>B|` (RDSP Def. 3.2), ``None`` if
    unbounded;
``fraction_B_at_least_A``
    the guaranteed share :math:`n/(n+1)` for that n, as a ``Fraction`` (1 when unbounded):
    a bound, not a count;
``measured_share_B``
    the share counted, :math:`|B>A|/(|B>A|+|A>B|)` as a ``Fraction`` (1 when f never
    differs); it is at least ``fraction_B_at_least_A``,

followed by ``ratio_B_to_A`` (:math:`|B>A|/|A>B|` as a ``Fraction``, ``None`` if unbounded),
``rule``, ``exact``, ``samples`` and ``standard_error`` (of
:math:`|B>A|/(|B>A|+|A>B|)`, sampled mode only) and, when a search was run, ``retargeting``:
the permutations found (as swapped label pairs), their number n, whether Def. 4 verified and
whether Theorem 1's conclusion holds with that n.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from powerlab._random import Seed
from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.retarget.majority import Comparison, OrbitCounts, n_fraction, orbit_counts
from powerlab.retarget.orbits import DEFAULT_MAX_ORBIT, orbit_size
from powerlab.retarget.outcomes import labelled_outcomes
from powerlab.retarget.retargetability import check_theorem1, search_retargeting
from powerlab.retarget.rules import parse_rule
from powerlab.retarget.search import copy_involutions

__all__ = [
    "RetargetAnalysis",
    "RetargetSearch",
    "analyze_mdp",
    "analyze_outcomes",
    "counts_document",
]


def counts_document(counts: OrbitCounts, rule: str) -> JSON:
    """The JSON contract of ``powerlab retarget`` for one orbit's counts."""
    return {
        "orbit_size": counts.orbit_size,
        "B_over_A": counts.b_over_a,
        "A_over_B": counts.a_over_b,
        "ties": counts.ties,
        "largest_n": counts.largest_n,
        "fraction_B_at_least_A": n_fraction(counts.largest_n),
        "measured_share_B": counts.fraction_b_over_a,
        "ratio_B_to_A": counts.ratio,
        "rule": rule,
        "exact": counts.exact,
        "samples": counts.samples,
        "standard_error": counts.standard_error,
    }


def _too_large(theta: np.ndarray, max_size: int | None) -> None:
    size = orbit_size(theta, distinct=True)
    if max_size is not None and size > max_size:
        raise InputError(
            f"orbit too large to enumerate: {size} distinct points exceed {max_size}; "
            "use --samples N"
        )


def _perm_pairs(perm: np.ndarray, labels: Sequence[str]) -> list[list[str]]:
    """A permutation as the label pairs it swaps (cycles of length 2), or its cycles."""
    seen: set[int] = set()
    cycles: list[list[str]] = []
    for i in range(len(perm)):
        if i in seen or perm[i] == i:
            continue
        cyc = []
        j = i
        while j not in seen:
            seen.add(j)
            cyc.append(labels[j])
            j = int(perm[j])
        cycles.append(cyc)
    return cycles


@dataclass(frozen=True)
class RetargetSearch:
    """The retargeting permutations found over one orbit (RDSP Def. 4) and Theorem 1's check.

    Attributes:
        permutations: each permutation found, as its cycles of labels (a swap is a pair).
        verified: Def. 4 verified for them (None when none was found).
        theorem1_conclusion: Theorem 1's conclusion holds with n = their number (None when
            none was found).
    """

    permutations: list[list[list[str]]]
    verified: bool | None = None
    theorem1_conclusion: bool | None = None

    @property
    def n(self) -> int:
        """The number of permutations found."""
        return len(self.permutations)

    def to_dict(self) -> JSON:
        """The ``retargeting`` block of the JSON document (module docstring)."""
        doc: JSON = {"n": self.n, "permutations": self.permutations}
        if self.n:
            doc["verified"] = self.verified
            doc["theorem1_conclusion"] = self.theorem1_conclusion
        return doc


@dataclass(frozen=True)
class RetargetAnalysis:
    """What :func:`analyze_outcomes` or :func:`analyze_mdp` found over one orbit.

    Attributes:
        counts: the orbit's subset sizes (Krakovna & Kramár 2023, Def. 2).
        rule: the decision rule f, as its spec.
        state, gamma, reward: the MDP setting (state of f_s, discount, orbit representative
            θ = R ``[S]``); None in the outcome setting.
        retargeting: the search for retargeting permutations, when one was run.
    """

    counts: OrbitCounts
    rule: str
    state: str | None = None
    gamma: float | None = None
    reward: list[float] | None = None
    retargeting: RetargetSearch | None = None

    def to_dict(self) -> JSON:
        """The JSON document of ``powerlab retarget`` (module docstring)."""
        doc = counts_document(self.counts, self.rule)
        if self.state is not None:
            doc["state"] = self.state
            doc["gamma"] = self.gamma
            doc["reward"] = self.reward
        if self.retargeting is not None:
            doc["retargeting"] = self.retargeting.to_dict()
        return doc


def _search(
    theta: np.ndarray, compare: Comparison, cands: np.ndarray, labels: Sequence[str]
) -> RetargetSearch:
    found = search_retargeting(theta, compare, cands)
    perms = [_perm_pairs(p, labels) for p in found]
    if not len(found):
        return RetargetSearch(perms)
    t1 = check_theorem1(theta, found, compare)
    return RetargetSearch(perms, t1.premise.ok, t1.conclusion)


def analyze_outcomes(
    utility: Sequence[float],
    labels: Sequence[str],
    A: Sequence[str],
    B: Sequence[str],
    *,
    rule: str = "optimal",
    sample: int | None = None,
    rng: Seed = None,
    max_size: int | None = DEFAULT_MAX_ORBIT,
    search: bool = True,
) -> RetargetAnalysis:
    """Counts over the orbit of the utility vector u (RDSP's outcome setting).

    ``utility[i]`` is the utility of outcome ``labels[i]``; A and B are disjoint label sets.
    With ``search`` (exact mode only) the copies involutions of A into B are searched and
    verified (Def. 4, Thm. 1).
    """
    u = np.asarray(utility, dtype=np.float64)
    if u.ndim != 1 or len(u) != len(labels):
        raise InputError(
            f"--utility has {u.size} values but --labels has {len(labels)}; they must match"
        )
    if not np.all(np.isfinite(u)):
        raise InputError("--utility: values must be finite")
    f = parse_rule(rule)
    compare = labelled_outcomes(labels, A, B, f)
    if sample is None:
        _too_large(u, max_size)
    counts = orbit_counts(u, compare, sample=sample, rng=rng, max_size=max_size)
    found = None
    if search and sample is None:
        index = {lab: i for i, lab in enumerate(labels)}
        cands = copy_involutions(np.eye(len(u)), [index[a] for a in A], [index[b] for b in B])
        found = _search(u, compare, cands, list(labels))
    return RetargetAnalysis(counts, f.spec(), retargeting=found)


def analyze_mdp(
    mdp: Any,
    state: str,
    A: Sequence[str],
    B: Sequence[str],
    gamma: float,
    *,
    rule: str = "optimal",
    reward: Sequence[float] | None = None,
    sample: int | None = None,
    rng: Seed = None,
    max_size: int | None = DEFAULT_MAX_ORBIT,
    search: bool = False,
) -> RetargetAnalysis:
    """Counts over the orbit of a state-reward vector for f_s at ``state`` (actions A vs B).

    ``reward`` is the orbit representative θ = R ``[S]``; by default the evenly spaced values
    ``0, 1/(S-1), ..., 1`` (all distinct: for the order-based rules every such orbit gives the
    same counts). With ``search`` (exact mode) transpositions of states are searched.
    """
    from powerlab.retarget.mdp import mdp_comparison

    if not 0 <= gamma < 1:
        raise InputError(f"--gamma must be in [0, 1), got {gamma}")
    S = mdp.n_states
    if reward is None:
        theta = np.linspace(0.0, 1.0, S) if S > 1 else np.zeros(1)
    else:
        theta = np.asarray(reward, dtype=np.float64)
        if theta.shape != (S,):
            raise InputError(f"--reward has {theta.size} values but the MDP has {S} states")
        if not np.all(np.isfinite(theta)):
            raise InputError("--reward: values must be finite")
    f = parse_rule(rule)
    compare = mdp_comparison(mdp, state, A, B, gamma, f)
    if sample is None:
        _too_large(theta, max_size)
    counts = orbit_counts(theta, compare, sample=sample, rng=rng, max_size=max_size)
    found = None
    if search and sample is None:
        from powerlab.retarget.search import transpositions

        found = _search(theta, compare, transpositions(S), list(mdp.states))
    return RetargetAnalysis(counts, f.spec(), state, gamma, theta.tolist(), found)
