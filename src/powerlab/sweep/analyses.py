r"""Analyses a sweep can run, each behind a small adapter.

A sweep estimates :math:`\mathbb E_{R\sim\mathcal D}[X(R)]` for a vector integrand
:math:`X(R) \in \mathbb R^I` (one value per reported item) at each γ of a grid, by Monte Carlo
over iid reward functions :math:`R: [K, S]`. An adapter says what the items are and computes
``X: [k, I]`` for a batch of rewards; the sweep machinery does the rest (chunking, seeds,
storage, combination). Two adapters ship:

* ``power``: items are states and :math:`X = \frac{1-\gamma}{\gamma}(V^*_R - R)` (Turner et
  al. 2021, Def 5.2, with its limits at γ ∈ {0, 1}; :func:`powerlab.power.power_integrand`),
  so :math:`\mathbb E[X] = \mathrm{POWER}_{\mathcal D}(s, \gamma)`.
* ``optimality``: items are the actions at one state and :math:`X_a = 1` when some optimal
  policy takes ``a`` (Turner et al., Defs 4.3-4.4, ties all count), so :math:`\mathbb E[X_a]`
  is the optimality probability of ``a``.

To plug in another analysis, write an object with the :class:`Analysis` attributes and add it
to :data:`ANALYSES`; its integrand must be a pure function of ``(mdp, R, gamma, params)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np

from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.mdp.model import MDP
from powerlab.power.estimate import optimal_actions_at, power_integrand

__all__ = ["ANALYSES", "Analysis", "OptimalityAnalysis", "PowerAnalysis", "get_analysis"]


class Analysis(Protocol):
    """The adapter a sweep needs for one analysis.

    Attributes:
        name: the spec's ``analysis:`` value.
        item_name: what an item is (the results column name), e.g. ``"state"``.
        estimate_name: the name of the estimated mean, e.g. ``"power"``.
        env_keys: keys an ``environments:`` entry may carry for this analysis.
        option_keys: keys allowed under the spec's ``options:``, with their defaults.
    """

    name: str
    item_name: str
    estimate_name: str
    env_keys: tuple[str, ...]
    option_keys: Mapping[str, Any]

    def params(self, mdp: MDP, entry: Mapping[str, Any], where: str) -> JSON:
        """Validate an environment entry's keys for ``mdp``; return JSON-able parameters."""
        ...

    def items(self, mdp: MDP, params: Mapping[str, Any]) -> list[str]:
        """Labels of the ``I`` items, in the order of the integrand's columns."""
        ...

    def integrand(
        self,
        mdp: MDP,
        R: np.ndarray,
        gamma: float,
        params: Mapping[str, Any],
        options: Mapping[str, Any],
    ) -> tuple[np.ndarray, float]:
        """``X: [k, I]`` for rewards ``R: [k, S]`` at ``gamma``, and a bound on its error."""
        ...


def _state_list(mdp: MDP, value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise InputError(f"{where}: states: expected a non-empty list of state names")
    names = [str(v) for v in value]
    for s in names:
        if s not in mdp.states:
            raise InputError(f"{where}: states: unknown state {s!r} in {mdp.name}")
    return names


class PowerAnalysis:
    """POWER of each state (Turner et al. 2021, Def 5.2); ``states:`` selects a subset.

    Option ``tol`` bounds the solver's error in POWER units (as in :func:`powerlab.power.power`).
    """

    name = "power"
    item_name = "state"
    estimate_name = "power"
    env_keys: tuple[str, ...] = ("states",)
    option_keys: Mapping[str, Any] = MappingProxyType({"tol": 1e-9})

    def params(self, mdp: MDP, entry: Mapping[str, Any], where: str) -> JSON:
        """``{"states": [...]}`` (all states when absent)."""
        if "states" in entry:
            return {"states": _state_list(mdp, entry["states"], where)}
        return {"states": None}

    def items(self, mdp: MDP, params: Mapping[str, Any]) -> list[str]:
        """The selected states' names."""
        return list(params["states"]) if params.get("states") else list(mdp.states)

    def integrand(
        self,
        mdp: MDP,
        R: np.ndarray,
        gamma: float,
        params: Mapping[str, Any],
        options: Mapping[str, Any],
    ) -> tuple[np.ndarray, float]:
        """``(1-γ)/γ (V*_R - R)`` at the selected states; see :func:`power_integrand`."""
        X, err = power_integrand(mdp, R, gamma, tol=float(options["tol"]))
        if params.get("states"):
            X = X[:, mdp.state_indices(params["states"])]
        return X, err


class OptimalityAnalysis:
    """Optimality probability of each action at ``state:`` (Turner et al., Defs 4.3-4.4).

    The standard error is the sample one, ``sqrt(p(1-p)/(n-1))`` for an indicator, as
    :func:`powerlab.power.optimality_probability` reports (:mod:`powerlab.power.moments`).
    """

    name = "optimality"
    item_name = "action"
    estimate_name = "probability"
    env_keys: tuple[str, ...] = ("state",)
    option_keys: Mapping[str, Any] = MappingProxyType({})

    def params(self, mdp: MDP, entry: Mapping[str, Any], where: str) -> JSON:
        """``{"state": name}``; the key is required."""
        if "state" not in entry:
            raise InputError(f"{where}: the optimality analysis needs 'state:' for {mdp.name}")
        s = str(entry["state"])
        if s not in mdp.states:
            raise InputError(f"{where}: state: unknown state {s!r} in {mdp.name}")
        return {"state": s}

    def items(self, mdp: MDP, params: Mapping[str, Any]) -> list[str]:
        """The action labels available at the state."""
        return list(mdp.action_labels[mdp.state_index(params["state"])])

    def integrand(
        self,
        mdp: MDP,
        R: np.ndarray,
        gamma: float,
        params: Mapping[str, Any],
        options: Mapping[str, Any],
    ) -> tuple[np.ndarray, float]:
        """Indicator ``[k, A_s]`` that each action is optimal (ties count), error 0."""
        s = mdp.state_index(params["state"])
        n_avail = len(mdp.action_labels[s])
        return optimal_actions_at(mdp, R, s, gamma)[:, :n_avail].astype(np.float64), 0.0


ANALYSES: dict[str, Analysis] = {a.name: a for a in (PowerAnalysis(), OptimalityAnalysis())}


def get_analysis(name: str) -> Analysis:
    """The adapter registered under ``name``; :class:`InputError` naming the choices otherwise."""
    try:
        return ANALYSES[name]
    except KeyError:
        raise InputError(
            f"unknown analysis {name!r} (choose from {', '.join(sorted(ANALYSES))})"
        ) from None
