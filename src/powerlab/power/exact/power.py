r"""Exact POWER and optimality probability of deterministic MDPs under iid uniform [0, 1] rewards.

Definitions (Turner et al. 2021, arXiv 1912.01683), for :math:`r \sim U[0,1]^S`:

* POWER (Def 5.2), γ ∈ (0, 1): :math:`\frac{1-\gamma}{\gamma}\,\mathbb E\big[\max_{f \in
  \mathcal F(s)} f(\gamma)^\top r\big] - \frac{1-\gamma}{\gamma}\cdot\frac12`, since
  :math:`\mathbb E[r(s)] = 1/2`. The maximum may run over :math:`\mathcal F_{nd}(s)` (Def 3.6).
* POWER at γ → 0 (Lemma 5.3, continuous extension): :math:`\mathbb E[\max_{s'} r(s')]` over the
  k distinct successors of s, which is k/(k+1); 0 at a terminal state.
* POWER at γ → 1: :math:`\mathbb E[\max_f g_f^\top r]` with :math:`g_f = \lim (1-\gamma) f(\gamma)`
  the uniform distribution on f's cycle (0 for an episode that ends), i.e. the expected best
  average reward of a reachable cycle.
* Optimality probability of action a at s (Defs 4.3-4.4): the probability that some optimal
  policy takes a. For continuous rewards the optimal visit distribution from s is unique with
  probability 1 (Turner et al.'s F_nd functions are pairwise distinct at every γ), so this is the
  total probability of the non-dominated f whose first step is a's successor; actions with the
  same successor share it. At γ → 0 it is 1/k for each of k distinct successors; at γ → 1 the
  optimal f is the lexicographic maximiser of the Laurent coefficients of
  :math:`(1-\gamma) f(\gamma)` at γ = 1 (gain, then bias, ...; Blackwell optimality), taken to
  2S + 1 terms, which separate any two distinct f.

The expectations and probabilities are integrals over the unit cube of a piecewise-linear
function, computed region by region exactly (:mod:`.regions`, :mod:`.polytope`). Results are
:class:`fractions.Fraction`. Instances too large for the method are refused with
:class:`~powerlab.errors.InputError` that suggests the Monte Carlo estimators, and requests
whose estimated cost exceeds the time limit with :class:`~powerlab.errors.ResourceError`
before any integration starts (:mod:`.cost`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

import pandas as pd

from powerlab.errors import InputError
from powerlab.mdp.model import MDP
from powerlab.power.distributions import Uniform, as_distribution
from powerlab.power.exact.cost import check_cost
from powerlab.power.exact.polytope import Budget
from powerlab.power.exact.regions import cube_regions
from powerlab.power.exact.visits import (
    DEFAULT_MAX_LASSOS,
    VisitFunction,
    check_deterministic,
    nondominated,
    visit_functions,
)

__all__ = ["as_fraction", "exact_optimality_probability", "exact_power", "power_at"]


def as_fraction(gamma: Any) -> Fraction:
    """A discount as an exact fraction in [0, 1]: ``"1/2"``, ``0.9`` (read as 9/10), ``Fraction``.

    Floats are converted through their shortest decimal form, so ``0.9`` means 9/10.
    """
    try:
        if isinstance(gamma, float):
            g = Fraction(repr(gamma))
        elif isinstance(gamma, str):
            g = Fraction(gamma.strip())
        else:
            g = Fraction(gamma)
    except (ValueError, ZeroDivisionError, TypeError):
        raise InputError(f"gamma {gamma!r} is not a number") from None
    if not 0 <= g <= 1:
        raise InputError(f"gamma must be in [0, 1], got {g}")
    return g


def _check_dist(dist: Any) -> None:
    D = as_distribution(dist)
    if not (isinstance(D, Uniform) and (D.low, D.high) == (0.0, 1.0)):
        spec = getattr(D, "spec", str(dist))
        raise InputError(
            f"exact mode supports only iid uniform [0, 1] rewards, not {spec!r}; "
            "use the Monte Carlo estimate (drop --exact)"
        )


def _distinct_successors(mdp: MDP, s: int) -> list[int]:
    succ = check_deterministic(mdp)
    return sorted({int(x) for x in succ[s] if x >= 0})


def _reachable(fs: Sequence[VisitFunction]) -> list[int]:
    return sorted({x for f in fs for x in f.path})


def _restrict(vec: Sequence[Fraction], coords: Sequence[int]) -> tuple[Fraction, ...]:
    return tuple(vec[j] for j in coords)


@dataclass
class _Lassos:
    """F(s) and F_nd(s) of one state, each computed on first use and then kept: neither
    depends on γ (F_nd by Turner et al.'s Prop E.30, see :mod:`.visits`), so the discounts
    of one call share them."""

    mdp: MDP
    s: int
    max_lassos: int

    @cached_property
    def all(self) -> list[VisitFunction]:
        """F(s) (:func:`.visits.visit_functions`)."""
        return visit_functions(self.mdp, self.s, max_count=self.max_lassos)

    @cached_property
    def nondominated(self) -> list[VisitFunction]:
        """F_nd(s) (:func:`.visits.nondominated`)."""
        return nondominated(self.mdp, self.s, self.all)


def power_at(
    mdp: MDP,
    state: str | int,
    gamma: Any,
    *,
    budget: Budget | None = None,
    max_lassos: int = DEFAULT_MAX_LASSOS,
) -> Fraction:
    """Exact POWER(s, γ) (Turner et al., Def 5.2) for iid uniform [0, 1] rewards.

    Args:
        mdp: a deterministic MDP.
        state: s, by name or index.
        gamma: a rational γ in [0, 1] (0 and 1 mean the limits); see :func:`as_fraction`.
        budget: work limit (default 60 s); exceeding it raises :class:`InputError`, and a
            request estimated to exceed it (:mod:`.cost`) raises :class:`ResourceError`
            before it starts.
        max_lassos: refuse states with more visit-distribution functions than this.
    """
    g = as_fraction(gamma)
    s = mdp.state_index(state)
    check_deterministic(mdp)
    budget = budget or Budget()
    lassos = _Lassos(mdp, s, max_lassos)
    check_cost(mdp, [(s, g)], lambda _: lassos.all, budget.seconds, "POWER")
    return _power(mdp, s, g, budget, lassos)


def _power(mdp: MDP, s: int, g: Fraction, budget: Budget, lassos: _Lassos) -> Fraction:
    """:func:`power_at` with F(s) and F_nd(s) from ``lassos`` (computed once per state)."""
    if mdp.terminal[s]:
        return Fraction(0)  # V*(s) = R(s): nothing after the first step
    if g == 0:
        k = len(_distinct_successors(mdp, s))
        return Fraction(k, k + 1)
    F = lassos.all
    coords = _reachable(F)
    if g == 1:
        gains = sorted({_restrict(f.gain(), coords) for f in F})
        vectors = gains
    else:
        vectors = sorted({_restrict(f.at(g), coords) for f in lassos.nondominated})
    regions = cube_regions([[v] for v in vectors], budget)
    total = Fraction(0)
    for v, reg in zip(vectors, regions, strict=True):
        if reg is not None:
            total += sum((a * b for a, b in zip(v, reg[1], strict=True)), Fraction(0))
    if g == 1:
        return total
    return (1 - g) / g * (total - Fraction(1, 2))


def _first_step_probabilities(
    mdp: MDP, s: int, g: Fraction, budget: Budget, lassos: _Lassos
) -> dict[int, Fraction]:
    """P(the optimal trajectory from s moves first to s') for each distinct successor s'."""
    nexts = _distinct_successors(mdp, s)
    if g == 0:
        return {x: Fraction(1, len(nexts)) for x in nexts}
    Fnd = lassos.nondominated
    if len(Fnd) == 1:
        return {x: Fraction(int(x == Fnd[0].first_step)) for x in nexts}
    coords = _reachable(Fnd)
    if g == 1:
        order = 2 * mdp.n_states + 1
        keys = [[_restrict(v, coords) for v in f.series_at_one(order)] for f in Fnd]
    else:
        keys = [[_restrict(f.at(g), coords)] for f in Fnd]
    regions = cube_regions(keys, budget, moments=False)
    out = {x: Fraction(0) for x in nexts}
    for f, reg in zip(Fnd, regions, strict=True):
        if reg is not None and f.first_step is not None:
            out[f.first_step] += reg[0]
    return out


def exact_power(
    mdp: MDP,
    gamma: Any = Fraction(1, 2),
    *,
    states: Sequence[str | int] | None = None,
    dist: Any = None,
    time_limit: float | None = 60.0,
    max_lassos: int = DEFAULT_MAX_LASSOS,
) -> pd.DataFrame:
    """Exact POWER of ``states`` (default all) at each γ, as fractions (module docstring).

    Args:
        mdp: a deterministic MDP (stochastic ones raise :class:`InputError`).
        gamma: one rational discount or several, each in [0, 1]; 0 and 1 mean the limits.
        states: states to report (names or indices).
        dist: must be ``None``, ``"uniform"`` or ``Uniform(0, 1)``; anything else raises.
        time_limit: seconds for the whole call before it gives up with :class:`InputError`;
            a call estimated to need more (:mod:`.cost`) raises :class:`ResourceError` before
            any integration. ``None``: no limit and no estimate.
        max_lassos: refuse states with more visit-distribution functions than this.

    Returns:
        DataFrame with one row per (state, gamma): ``state, gamma, power, exact``, where
        ``gamma`` and ``power`` are :class:`fractions.Fraction` and ``exact`` is True.
    """
    _check_dist(dist)
    check_deterministic(mdp)
    gs = [as_fraction(g) for g in (gamma if isinstance(gamma, list | tuple) else [gamma])]
    if not gs:
        raise InputError("at least one gamma is required")
    budget = Budget(seconds=time_limit)
    chosen = [int(s) for s in mdp.state_indices(states)]
    lassos = {s: _Lassos(mdp, s, max_lassos) for s in chosen}
    queries = [(s, g) for g in gs for s in chosen]
    check_cost(mdp, queries, lambda s: lassos[s].all, time_limit, "POWER")
    rows = []
    for g in gs:
        for s in chosen:
            value = _power(mdp, s, g, budget, lassos[s])
            rows.append((mdp.states[s], g, value, True))
    return pd.DataFrame(rows, columns=["state", "gamma", "power", "exact"])


def exact_optimality_probability(
    mdp: MDP,
    state: str | int,
    gamma: Any = Fraction(1, 2),
    *,
    dist: Any = None,
    time_limit: float | None = 60.0,
    max_lassos: int = DEFAULT_MAX_LASSOS,
) -> pd.DataFrame:
    """Exact probability that each action at ``state`` is optimal (Defs 4.3-4.4), as fractions.

    Ties have probability 0 except between actions with the same successor, which share every
    event and so get the same probability (probabilities then sum to more than 1).
    ``time_limit`` and ``max_lassos`` are as in :func:`exact_power` (a call estimated to exceed
    the time limit raises :class:`ResourceError` before it starts).

    Returns:
        DataFrame with one row per (action, gamma): ``state, action, gamma, probability,
        exact``.
    """
    _check_dist(dist)
    check_deterministic(mdp)
    s = mdp.state_index(state)
    gs = [as_fraction(g) for g in (gamma if isinstance(gamma, list | tuple) else [gamma])]
    if not gs:
        raise InputError("at least one gamma is required")
    budget = Budget(seconds=time_limit)
    succ = check_deterministic(mdp)
    lassos = _Lassos(mdp, s, max_lassos)
    check_cost(
        mdp, [(s, g) for g in gs], lambda _: lassos.all, time_limit, "optimality probability"
    )
    rows = []
    for g in gs:
        if mdp.terminal[s]:
            probs: dict[int, Fraction] = {}
        else:
            probs = _first_step_probabilities(mdp, s, g, budget, lassos)
        for a, label in enumerate(mdp.action_labels[s]):
            x = int(succ[s, a])
            p = Fraction(1) if mdp.terminal[s] else probs.get(x, Fraction(0))
            rows.append((mdp.states[s], label, g, p, True))
    return pd.DataFrame(rows, columns=["state", "action", "gamma", "probability", "exact"])
