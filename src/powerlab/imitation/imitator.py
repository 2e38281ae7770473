r"""The conservative Bayesian imitator (Cohen, Hutter & Nanda 2022, "Fully General Online
Imitation Learning", JMLR 23, Secs. 2-3).

Setting. At each step t a demonstrator policy π^d picks an action a_t ∈ A given the history
h_{<t}. The imitator holds a countable (here finite, or a truncated countable) class M of models
ν of the demonstrator with prior w(ν) > 0, and a posterior w(ν | h_{<t}) that is updated *only on
steps where it queried the demonstrator*:

.. math::

    w(ν \mid h_{<t+1}) \propto w(ν \mid h_{<t})\, ν(a_t \mid h_{<t}) \quad \text{(query at t)},
    \qquad w(ν \mid h_{<t+1}) = w(ν \mid h_{<t}) \quad \text{(no query)}.

Top set. For 0 < α < 1 the imitator trusts the models of largest posterior weight. Writing
W_≥(ν) = Σ_{ν' : w(ν' | h_{<t}) ≥ w(ν | h_{<t})} w(ν' | h_{<t}) for the posterior mass of the
models at least as probable as ν (ν included):

* ``rule="cumulative"`` (the default): M^α_t = {ν : w(ν | h_{<t}) ≥ α W_≥(ν)}, a model is
  trusted when it carries at least the fraction α of the mass of the models at least as
  probable as itself. The set is a prefix of the models in decreasing posterior order, of at
  most 1/α models (the k-th has w_k ≥ α (w_1 + … + w_k) ≥ α k w_k), and it is empty when the
  posterior is spread evenly over more than 1/α models, so an ignorant imitator queries at
  every step;
* ``rule="absolute"``: M^α_t = {ν : w(ν | h_{<t}) ≥ α} (also at most 1/α models);
* ``rule="ratio"``: M^α_t = {ν : w(ν | h_{<t}) ≥ α max_ν' w(ν' | h_{<t})} (never empty).

Imitator. It takes action a with probability min_{ν ∈ M^α_t} ν(a | h_{<t}) and queries the
demonstrator with the leftover probability

.. math::

    θ_q(h_{<t}) = 1 - \sum_a \min_{ν ∈ M^α_t} ν(a \mid h_{<t})

(θ_q = 1 if the top set is empty). On a query the demonstrator acts and the posterior updates.
The action distribution the environment sees is p^i(a) = min_ν ν(a) + θ_q π^d(a).

Guarantees used by the tests (derived here; they are the finite-class content of the paper's
main results):

1. If μ = π^d is in the top set then min_ν ν(a) ≤ μ(a), so p^i(a) ≤ (1 + θ_q) π^d(a) for every a;
   in particular an action the demonstrator never takes is never taken.
2. Under the demonstrator, 1/w(μ | h_{<t}) = Σ_ν w(ν | h_{<t})/w(μ | h_{<t}) is a nonnegative
   martingale starting at 1/w(μ), so by Ville's inequality
   Pr(∃t: w(μ | h_{<t}) < α) ≤ α / w(μ) (absolute and cumulative rules: μ outside the
   cumulative top set means w(μ | h_{<t}) < α W_≥(μ) ≤ α), and by a union bound over ν,
   Pr(∃t: w(ν|h_{<t}) > w(μ|h_{<t})/α for some ν) ≤ α (1 − w(μ)) / w(μ) (ratio rule).
   Hence with probability ≥ 1 − α/w(μ) the demonstrator's model never leaves the top set, and
   by 1. the imitator never takes an action the demonstrator would never take.

All three rules satisfy guarantee 2. The default is the cumulative rule, the definition of the
top set that a secondary account of the paper gives ("at least α times the total weight of the
policies at least as likely"); it is not confirmed against the paper's body text, whose
opening pages (abstract, start of Sec. 1) state the min-probability imitator with queries and
the realizable setting used here but not the top-set definition.
"""

from __future__ import annotations

import numpy as np

from powerlab.errors import InputError

__all__ = [
    "DEFAULT_TOP_SET_RULE",
    "TOP_SET_RULES",
    "conservative_step",
    "log_posterior_update",
    "top_set",
]

TOP_SET_RULES = ("cumulative", "absolute", "ratio")
DEFAULT_TOP_SET_RULE = "cumulative"


def _check_alpha(alpha: float) -> None:
    if not (np.isfinite(alpha) and 0.0 < alpha < 1.0):
        raise InputError(f"alpha: {alpha} is outside the open interval (0, 1)")


def _mass_at_least_as_probable(w: np.ndarray) -> np.ndarray:
    """W_≥(ν) = Σ_{ν': w(ν') ≥ w(ν)} w(ν') for every ν, ``[N]`` (ties count in full)."""
    asc = np.sort(w)
    tail = np.concatenate([np.cumsum(asc[::-1])[::-1], [0.0]])  # tail[i] = Σ asc[i:]
    return np.asarray(tail[np.searchsorted(asc, w, side="left")])


def _cumulative(w: np.ndarray, alpha: float) -> np.ndarray:
    return np.asarray(w >= alpha * _mass_at_least_as_probable(w))


def _absolute(w: np.ndarray, alpha: float) -> np.ndarray:
    return np.asarray(w >= alpha)


def _ratio(w: np.ndarray, alpha: float) -> np.ndarray:
    return np.asarray(w >= alpha * w.max())


_RULES = {"cumulative": _cumulative, "absolute": _absolute, "ratio": _ratio}


def top_set(w: np.ndarray, alpha: float, rule: str = DEFAULT_TOP_SET_RULE) -> np.ndarray:
    """Mask ``[N]`` of the top set M^α for posterior weights ``w: [N]`` (module docstring).

    ``w`` are the normalized posterior weights w(ν | h_{<t}) (the cumulative and ratio rules
    are unchanged by rescaling them; the absolute rule is not).
    """
    _check_alpha(alpha)
    w = np.asarray(w, dtype=float)
    if w.ndim != 1 or w.size == 0:
        raise InputError(f"w: expected shape [N] with N >= 1, got {w.shape}")
    if rule not in _RULES:
        raise InputError(f"rule: {rule!r} is not one of {', '.join(TOP_SET_RULES)}")
    return _RULES[rule](w, alpha)


def conservative_step(P_t: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, float]:
    """Min-probabilities ``m: [A]`` over the top set and the query probability θ_q.

    ``P_t: [N, A]`` holds ν(a | h_{<t}) for each model; ``mask: [N]`` is the top set.
    Returns (m, θ_q) with m(a) = min_{ν ∈ top} ν(a) and θ_q = 1 − Σ_a m(a) ∈ [0, 1].
    """
    P_t = np.asarray(P_t, dtype=float)
    if P_t.ndim != 2 or mask.shape != (P_t.shape[0],):
        raise InputError(f"P_t: expected [N, A] with mask [N], got {P_t.shape}, {mask.shape}")
    if not mask.any():
        return np.zeros(P_t.shape[1]), 1.0
    m = P_t[mask].min(axis=0)
    return m, float(min(1.0, max(0.0, 1.0 - m.sum())))


def log_posterior_update(log_w: np.ndarray, likelihood: np.ndarray) -> np.ndarray:
    """log w(ν | h a) = log w(ν | h) + log ν(a | h) − log Σ_ν' w(ν' | h) ν'(a | h).

    ``log_w: [N]`` normalized log-weights; ``likelihood: [N]`` the models' ν(a | h) of the
    demonstrator's action. Models with likelihood 0 get log-weight −∞.
    """
    with np.errstate(divide="ignore"):
        out = log_w + np.log(likelihood)
    top = out.max()
    if not np.isfinite(top):
        raise InputError("posterior: every model gave the demonstrator's action probability 0")
    return out - (top + np.log(np.exp(out - top).sum()))
