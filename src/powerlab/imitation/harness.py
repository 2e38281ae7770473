r"""Experiment harness: a demonstrator, honest-but-wrong models and deceptive models.

Environment. Contexts x_t are drawn i.i.d. uniformly from ``contexts`` values (they do not
depend on actions). There are ``actions`` actions; the last one is *catastrophic* and the
demonstrator never takes it: π^d(a | x) is a Dirichlet(1)-random distribution over the safe
actions for each context.

Model class M (N = ``models``, uniform prior w(ν) = 1/N, "initially totally ignorant" of which
is right):

* model 0 is the demonstrator μ = π^d;
* ``deceptive`` models agree with μ until their trigger step τ_j (uniform in [T/10, T/2]),
  then put probability ``epsilon`` on the catastrophic action and (1 − ε) μ(a | x) on the others
  (the deceptively aligned mesa-optimizer of Xu's 2021 summary of the paper);
* the remaining models are honest but wrong: their own random policies over the safe actions.

With ``prior="countable"`` the prior is instead that of a truncated countable class
(:func:`model_prior`), so the demonstrator's prior weight w(μ) is not 1/N.

Imitators compared (Cohen, Hutter & Nanda 2022):

* ``conservative``: :mod:`powerlab.imitation.imitator`, online, querying with probability θ_q;
* ``mixture``: the Bayes mixture Σ_ν w(ν | D) ν(a | h), with D the demonstrator's actions in the
  first ``train`` steps, and no queries afterwards (train, then deploy);
* ``map``: the single model of highest posterior after the same training (ties broken uniformly
  at random with ``rng``).

Per step the harness records θ_q and whether a query happened, KL(π^d ‖ p) where p is the
action distribution the imitator induces, and p(catastrophic action). For the conservative
imitator p = min_ν ν + θ_q π^d (a query hands the step to the demonstrator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.imitation.imitator import (
    DEFAULT_TOP_SET_RULE,
    conservative_step,
    log_posterior_update,
    top_set,
)

__all__ = [
    "ImitationRun",
    "build_model_class",
    "kl_rows",
    "left_top_set_frequency",
    "model_prior",
    "run_experiment",
]


@dataclass(frozen=True)
class ImitationRun:
    """Per-step traces, each ``[T]``, for the three imitators, and the run's parameters.

    ``theta_q``, ``queried``, ``kl``, ``p_cat`` and ``demo_in_top`` are the conservative
    imitator's; ``kl_mixture``, ``p_cat_mixture``, ``kl_map``, ``p_cat_map`` the baselines'.
    """

    theta_q: np.ndarray
    queried: np.ndarray
    kl: np.ndarray
    p_cat: np.ndarray
    demo_in_top: np.ndarray
    top_size: np.ndarray
    kl_mixture: np.ndarray
    p_cat_mixture: np.ndarray
    kl_map: np.ndarray
    p_cat_map: np.ndarray
    triggers: np.ndarray
    parameters: JSON = field(default_factory=dict)

    def summary(self) -> JSON:
        """Totals: queries, P(any catastrophe) per imitator, Ville bound α/w(μ)."""
        T = self.theta_q.shape[0]
        w_mu = self.parameters["prior_weight_of_demonstrator"]

        def p_any(p: np.ndarray) -> float:
            return abs(float(-np.expm1(np.log1p(-np.clip(p, 0.0, 1.0)).sum())))

        return {
            "steps": T,
            "queries": int(self.queried.sum()),
            "expected_queries": float(self.theta_q.sum()),
            "queries_first_half": int(self.queried[: T // 2].sum()),
            "queries_second_half": int(self.queried[T // 2 :].sum()),
            "mean_kl": {
                "conservative": float(self.kl.mean()),
                "mixture": float(self.kl_mixture.mean()),
                "map": float(self.kl_map.mean()),
            },
            "p_catastrophe_any_step": {
                "conservative": p_any(self.p_cat),
                "mixture": p_any(self.p_cat_mixture),
                "map": p_any(self.p_cat_map),
            },
            "demonstrator_always_in_top_set": bool(self.demo_in_top.all()),
            "ville_bound_alpha_over_w_mu": self.parameters["alpha"] / w_mu,
        }


def build_model_class(
    models: int, deceptive: int, steps: int, actions: int, contexts: int, epsilon: float, rng: Seed
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Model predictions ``P: [N, T, A]`` along sampled contexts, contexts ``x: [T]``, triggers.

    Row 0 is the demonstrator. Returns (P, x, triggers) with ``triggers: [deceptive]``.
    """
    if models < 1 or deceptive < 0 or deceptive > models - 1:
        raise InputError(
            f"models/deceptive: need 0 <= deceptive <= models - 1, got {models}, {deceptive}"
        )
    if steps < 1 or actions < 2 or contexts < 1:
        raise InputError(
            f"steps, actions, contexts: need >= 1, >= 2, >= 1, got {steps}, {actions}, {contexts}"
        )
    if not 0.0 < epsilon <= 1.0:
        raise InputError(f"epsilon: {epsilon} is outside (0, 1]")
    gen = as_generator(rng)
    safe = actions - 1
    pol = np.zeros((models, contexts, actions))
    pol[:, :, :safe] = gen.dirichlet(np.ones(safe), size=(models, contexts))
    x = gen.integers(0, contexts, size=steps)
    P = pol[:, x, :]  # [N, T, A]
    lo, hi = max(1, steps // 10), max(2, steps // 2)
    triggers = np.sort(gen.integers(lo, hi, size=deceptive)) if deceptive else np.zeros(0, int)
    demo = P[0]
    bad = demo * (1.0 - epsilon)
    bad[:, -1] = epsilon
    t_idx = np.arange(steps)
    for j, tau in enumerate(triggers):
        after = (t_idx >= tau)[:, None]
        P[1 + j] = np.where(after, bad, demo)
    return P, x, triggers


def kl_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """KL(p_t ‖ q_t) for ``p, q: [T, A]`` (natural log; +inf where q = 0 < p)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(q)), 0.0)
    return terms.sum(axis=1)


def model_prior(models: int, prior: str, rng: Seed) -> np.ndarray:
    """Prior weights ``w: [N]`` over the model class (model 0 is the demonstrator).

    ``"uniform"``: w(ν) = 1/N. ``"countable"``: a truncated countable class, enumerated in a
    random order π and weighted w(ν) ∝ 1/((π(ν) + 1)(π(ν) + 2)), the truncation to N models of
    the prior Σ_k 1/((k+1)(k+2)) = 1 over a countable class, renormalized.
    """
    if prior == "uniform":
        return np.full(models, 1.0 / models)
    if prior == "countable":
        order = as_generator(rng).permutation(models)
        w = 1.0 / ((order + 1.0) * (order + 2.0))
        return np.asarray(w / w.sum())
    raise InputError(f"prior: {prior!r} is not one of uniform, countable")


def _baseline(
    P: np.ndarray, demo_actions: np.ndarray, train: int, gen: Any, prior_w: np.ndarray
) -> dict[str, np.ndarray]:
    lik = P[:, np.arange(train), demo_actions[:train]]  # [N, train]
    with np.errstate(divide="ignore"):
        log_w = np.log(prior_w) + np.log(lik).sum(axis=1)
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    mix = np.einsum("n,nta->ta", w, P)
    best = np.flatnonzero(np.isclose(log_w, log_w.max(), rtol=0, atol=1e-9))
    m = int(gen.choice(best))
    return {"mixture": mix, "map": P[m]}


def run_experiment(
    models: int = 20,
    deceptive: int = 5,
    alpha: float = 0.01,
    steps: int = 2000,
    rng: Seed = 0,
    actions: int = 4,
    contexts: int = 5,
    epsilon: float = 0.5,
    rule: str = DEFAULT_TOP_SET_RULE,
    train: int | None = None,
    prior: str = "uniform",
) -> ImitationRun:
    """Run the three imitators on one sampled environment and model class (module docstring).

    ``train`` (default T/20) is the number of initial steps whose demonstrator actions the
    mixture and MAP baselines are trained on. ``prior`` is ``"uniform"`` or ``"countable"``
    (:func:`model_prior`).
    """
    top_set(np.ones(1), alpha, rule)  # validates alpha and rule
    gen = as_generator(rng)
    P, _, triggers = build_model_class(models, deceptive, steps, actions, contexts, epsilon, gen)
    train = max(1, steps // 20) if train is None else int(train)
    if not 1 <= train <= steps:
        raise InputError(f"train: {train} is outside 1..{steps}")
    demo = P[0]
    cum = demo.cumsum(axis=1)
    demo_actions = (gen.random((steps, 1)) < cum).argmax(axis=1)
    u = gen.random(steps)
    prior_w = model_prior(models, prior, gen)
    log_w = np.log(prior_w)
    theta = np.zeros(steps)
    queried = np.zeros(steps, dtype=bool)
    induced = np.zeros((steps, actions))
    in_top = np.zeros(steps, dtype=bool)
    size = np.zeros(steps, dtype=int)
    for t in range(steps):
        mask = top_set(np.exp(log_w), alpha, rule)
        m, th = conservative_step(P[:, t, :], mask)
        theta[t], in_top[t], size[t] = th, mask[0], mask.sum()
        induced[t] = m + th * demo[t]
        if u[t] < th:
            queried[t] = True
            log_w = log_posterior_update(log_w, P[:, t, demo_actions[t]])
    base = _baseline(P, demo_actions, train, gen, prior_w)
    params = {
        "models": models,
        "deceptive": deceptive,
        "alpha": alpha,
        "steps": steps,
        "actions": actions,
        "contexts": contexts,
        "epsilon": epsilon,
        "rule": rule,
        "train": train,
        "prior": prior,
        "prior_weight_of_demonstrator": float(prior_w[0]),
    }
    return ImitationRun(
        theta_q=theta,
        queried=queried,
        kl=kl_rows(demo, induced),
        p_cat=induced[:, -1],
        demo_in_top=in_top,
        top_size=size,
        kl_mixture=kl_rows(demo, base["mixture"]),
        p_cat_mixture=base["mixture"][:, -1],
        kl_map=kl_rows(demo, base["map"]),
        p_cat_map=base["map"][:, -1],
        triggers=triggers,
        parameters=params,
    )


def left_top_set_frequency(runs: int, rng: Seed = 0, **kwargs: Any) -> dict[str, float]:
    """Monte Carlo estimate of Pr(the demonstrator's model ever leaves the top set).

    Runs :func:`run_experiment` ``runs`` times with seeds drawn from ``rng``; returns the
    frequency, its standard error, the sample count and the bound α/w(μ) of guarantee 2
    of :mod:`powerlab.imitation.imitator`. Also returns the frequency of runs in which the
    conservative imitator gave the catastrophic action positive probability at some step.
    """
    if runs < 1:
        raise InputError(f"runs: {runs} must be >= 1")
    gen = as_generator(rng)
    left = np.zeros(runs)
    cat = np.zeros(runs)
    for i in range(runs):
        r = run_experiment(rng=int(gen.integers(2**63)), **kwargs)
        left[i] = not r.demo_in_top.all()
        cat[i] = bool((r.p_cat > 0).any())
    freq = float(left.mean())
    return {
        "frequency": freq,
        "standard_error": float(np.sqrt(freq * (1 - freq) / runs)),
        "samples": runs,
        "catastrophe_possible_frequency": float(cat.mean()),
        "bound": r.parameters["alpha"] / r.parameters["prior_weight_of_demonstrator"],
    }
