r"""Reward-function distributions :math:`\mathcal D` over state rewards (Turner et al. 2021, Sec. 5).

POWER and optimality probability average over :math:`R \sim \mathcal D`. The default is
:math:`\mathcal D_{\text{unif}}`: each state's reward iid uniform on [0, 1] (Turner et al.,
Sec. 5, the distribution of their worked examples). A distribution draws ``R: [K, S]`` from an
explicit ``rng`` (a ``numpy.random.Generator``), so that a seed fixes the numbers.

Specs (the CLI's ``--dist``): ``uniform``, ``uniform:a,b``, ``beta:a,b``, ``bernoulli:p``,
``pareto:scale,alpha``, ``jaynes`` or ``jaynes:eps``, per-state overrides after semicolons,
``uniform;dead=bernoulli:0.5;goal=uniform:0,2``, and groups of states forced to share one
reward, ``uniform;tie:a,b;tie:c,d``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias, runtime_checkable

import numpy as np

from powerlab.errors import InputError

__all__ = [
    "Bernoulli",
    "Beta",
    "DistributionLike",
    "FromCallable",
    "Jaynes",
    "Pareto",
    "PerState",
    "RewardDistribution",
    "Tied",
    "Uniform",
    "as_distribution",
    "parse_dist",
]


@runtime_checkable
class RewardDistribution(Protocol):
    """A distribution over state-reward vectors: ``sample(rng, K, S) -> R: [K, S]``."""

    def sample(self, rng: np.random.Generator, K: int, S: int) -> np.ndarray:
        """Draw ``K`` reward functions over ``S`` states."""
        ...

    @property
    def spec(self) -> str:
        """A string that :func:`parse_dist` turns back into this distribution."""
        ...


@dataclass(frozen=True)
class Uniform:
    """IID uniform rewards on ``[low, high]`` at every state; ``Uniform()`` is Turner's D_unif."""

    low: float = 0.0
    high: float = 1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise InputError(f"uniform: need finite low < high, got {self.low}, {self.high}")

    def sample(self, rng: np.random.Generator, K: int, S: int) -> np.ndarray:
        """``R: [K, S]`` iid uniform on ``[low, high]``."""
        return rng.uniform(self.low, self.high, size=(K, S))

    @property
    def spec(self) -> str:
        return (
            "uniform"
            if (self.low, self.high) == (0.0, 1.0)
            else f"uniform:{self.low:g},{self.high:g}"
        )


@dataclass(frozen=True)
class Beta:
    """IID Beta(a, b) rewards on [0, 1] at every state."""

    a: float
    b: float

    def __post_init__(self) -> None:
        if not (self.a > 0 and self.b > 0 and math.isfinite(self.a) and math.isfinite(self.b)):
            raise InputError(
                f"beta: parameters must be positive and finite, got {self.a}, {self.b}"
            )

    def sample(self, rng: np.random.Generator, K: int, S: int) -> np.ndarray:
        """``R: [K, S]`` iid Beta(a, b)."""
        return rng.beta(self.a, self.b, size=(K, S))

    @property
    def spec(self) -> str:
        return f"beta:{self.a:g},{self.b:g}"


@dataclass(frozen=True)
class Bernoulli:
    """IID Bernoulli(p) rewards in {0, 1} at every state (ties are common: all tied actions count)."""

    p: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.p <= 1.0:
            raise InputError(f"bernoulli: p must be in [0, 1], got {self.p}")

    def sample(self, rng: np.random.Generator, K: int, S: int) -> np.ndarray:
        """``R: [K, S]`` iid Bernoulli(p) as floats."""
        return (rng.random(size=(K, S)) < self.p).astype(np.float64)

    @property
    def spec(self) -> str:
        return f"bernoulli:{self.p:g}"


@dataclass(frozen=True)
class Pareto:
    """IID Pareto(scale, alpha) rewards: density :math:`\\alpha x_m^\\alpha / x^{\\alpha+1}` on
    :math:`[x_m, \\infty)`, heavy-tailed (mean infinite for alpha <= 1); POWERplay's ``pareto``."""

    scale: float
    alpha: float

    def __post_init__(self) -> None:
        ok = self.scale > 0 and self.alpha > 0
        if not (ok and math.isfinite(self.scale) and math.isfinite(self.alpha)):
            raise InputError(
                f"pareto: scale and alpha must be positive, got {self.scale}, {self.alpha}"
            )

    def sample(self, rng: np.random.Generator, K: int, S: int) -> np.ndarray:
        """``R: [K, S]`` iid Pareto: ``scale * (1 + Lomax(alpha))``."""
        return self.scale * (1.0 + rng.pareto(self.alpha, size=(K, S)))

    @property
    def spec(self) -> str:
        return f"pareto:{self.scale:g},{self.alpha:g}"


@dataclass(frozen=True)
class Jaynes:
    """IID rewards from Jaynes' prior, density :math:`\\propto 1/(x(1-x))`, truncated to
    :math:`[\\epsilon, 1-\\epsilon]` because it is improper on (0, 1) (Jaynes 1968, the prior
    for an unknown probability; POWERplay's ``jaynes_prior`` truncates it with a 100-point grid).

    Its CDF is affine in :math:`\\mathrm{logit}\\,x`, so a draw is
    :math:`\\sigma(\\ell_0 + U(\\ell_1 - \\ell_0))` with :math:`\\ell_0 = \\mathrm{logit}\\,\\epsilon`,
    :math:`\\ell_1 = -\\ell_0` and U uniform on [0, 1]."""

    eps: float = 0.01

    def __post_init__(self) -> None:
        if not 0.0 < self.eps < 0.5:
            raise InputError(f"jaynes: eps must be in (0, 0.5), got {self.eps}")

    def sample(self, rng: np.random.Generator, K: int, S: int) -> np.ndarray:
        """``R: [K, S]`` iid from the truncated prior, by inverting its CDF."""
        lo = math.log(self.eps / (1.0 - self.eps))
        z = lo + rng.random(size=(K, S)) * (-2.0 * lo)
        return 1.0 / (1.0 + np.exp(-z))

    @property
    def spec(self) -> str:
        return "jaynes" if self.eps == 0.01 else f"jaynes:{self.eps:g}"


@dataclass(frozen=True)
class Tied:
    """A distribution whose states in each group share one reward: every column of a group
    is overwritten by its first state's (POWERplay's ``states_with_identical_rewards``).
    Groups must be disjoint."""

    base: RewardDistribution
    groups: tuple[tuple[int, ...], ...]
    names: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        seen: set[int] = set()
        for g in self.groups:
            if seen & set(g):
                raise InputError(f"tied states: groups must be disjoint, {g} overlaps another")
            seen |= set(g)

    def sample(self, rng: np.random.Generator, K: int, S: int) -> np.ndarray:
        """``R: [K, S]`` from ``base`` with each group's columns set equal."""
        R = self.base.sample(rng, K, S)
        for g in self.groups:
            if max(g) >= S:
                raise InputError(f"tied state index {max(g)} outside [0, {S})")
            R[:, list(g[1:])] = R[:, [g[0]]]
        return R

    @property
    def spec(self) -> str:
        labels = self.names or tuple(tuple(str(i) for i in g) for g in self.groups)
        return ";".join([self.base.spec, *("tie:" + ",".join(g) for g in labels)])


@dataclass(frozen=True)
class PerState:
    """A base distribution with per-state overrides, independent across states.

    ``overrides`` maps state indices to distributions; those states' columns are drawn from
    their own distribution (column by column, so the draw is independent of the others).
    """

    base: RewardDistribution
    overrides: Mapping[int, RewardDistribution] = field(default_factory=dict)
    names: Mapping[int, str] = field(default_factory=dict)

    def sample(self, rng: np.random.Generator, K: int, S: int) -> np.ndarray:
        """``R: [K, S]`` from ``base`` with the overridden columns replaced."""
        R = self.base.sample(rng, K, S)
        for s, dist in sorted(self.overrides.items()):
            if not 0 <= s < S:
                raise InputError(f"per-state override for state index {s} outside [0, {S})")
            R[:, s] = dist.sample(rng, K, 1)[:, 0]
        return R

    @property
    def spec(self) -> str:
        parts = [self.base.spec]
        parts += [f"{self.names.get(s, s)}={d.spec}" for s, d in sorted(self.overrides.items())]
        return ";".join(parts)


@dataclass(frozen=True)
class FromCallable:
    """A user distribution: ``fn(rng) -> R: [k, S]`` returning a batch of any size ``k >= 1``.

    Batches are drawn until ``K`` rows are collected (extra rows are dropped).
    """

    fn: Callable[[np.random.Generator], np.ndarray]
    label: str = "callable"

    def sample(self, rng: np.random.Generator, K: int, S: int) -> np.ndarray:
        """``R: [K, S]`` from repeated calls of ``fn``; checks each batch's shape."""
        rows: list[np.ndarray] = []
        have = 0
        while have < K:
            batch = np.asarray(self.fn(rng), dtype=np.float64)
            if batch.ndim == 1:
                batch = batch[None, :]
            if batch.ndim != 2 or batch.shape[1] != S or batch.shape[0] == 0:
                raise InputError(
                    f"{self.label}: must return rewards of shape [k, S={S}], got {batch.shape}"
                )
            if not np.all(np.isfinite(batch)):
                raise InputError(f"{self.label}: returned non-finite rewards")
            rows.append(batch)
            have += batch.shape[0]
        return np.concatenate(rows)[:K]

    @property
    def spec(self) -> str:
        return self.label


def _parse_one(text: str) -> RewardDistribution:
    name, _, args = text.strip().partition(":")
    name = name.strip().lower()
    try:
        vals = [float(x) for x in args.split(",")] if args.strip() else []
    except ValueError:
        raise InputError(f"--dist: bad numbers in {text.strip()!r}") from None
    want = {
        "uniform": (0, 2),
        "beta": (2, 2),
        "bernoulli": (1, 1),
        "pareto": (2, 2),
        "jaynes": (0, 1),
    }
    if name not in want:
        raise InputError(
            f"--dist: unknown distribution {name!r} (use uniform, beta, bernoulli, pareto or jaynes)"
        )
    lo, hi = want[name]
    if not lo <= len(vals) <= hi or (name == "uniform" and len(vals) == 1):
        raise InputError(
            f"--dist: {name} takes {'0 or 2' if name == 'uniform' else hi} parameter(s)"
        )
    if name == "uniform":
        return Uniform(*vals)
    if name == "beta":
        return Beta(*vals)
    if name == "pareto":
        return Pareto(*vals)
    if name == "jaynes":
        return Jaynes(*vals)
    return Bernoulli(*vals)


def parse_dist(spec: str, state_index: Callable[[str], int] | None = None) -> RewardDistribution:
    """Parse a distribution spec (module docstring); ``state_index`` resolves override names."""
    parts = [p for p in spec.split(";") if p.strip()]
    if not parts:
        raise InputError("--dist: empty distribution spec")
    ties = [p.strip()[4:] for p in parts[1:] if p.strip().startswith("tie:")]
    parts = [p for p in parts if not p.strip().startswith("tie:")]
    if ties:
        if state_index is None:
            raise InputError("--dist: tie:STATES needs an environment to resolve state names")
        tied = tuple(tuple(n.strip() for n in t.split(",") if n.strip()) for t in ties)
        groups = tuple(tuple(state_index(n) for n in g) for g in tied)
        return Tied(parse_dist(";".join(parts), state_index), groups, tied)
    base = _parse_one(parts[0])
    if len(parts) == 1:
        return base
    overrides: dict[int, RewardDistribution] = {}
    names: dict[int, str] = {}
    for p in parts[1:]:
        state, eq, rhs = p.partition("=")
        if not eq:
            raise InputError(f"--dist: override {p.strip()!r} must look like STATE=DIST")
        if state_index is None:
            raise InputError(
                "--dist: per-state overrides need an environment to resolve state names"
            )
        s = state_index(state.strip())
        overrides[s] = _parse_one(rhs)
        names[s] = state.strip()
    return PerState(base, overrides, names)


DistributionLike: TypeAlias = (
    RewardDistribution | Callable[[np.random.Generator], np.ndarray] | str | None
)
"""What the estimators accept as ``dist``: a distribution, a callable ``rng -> R``, a spec or None."""


def as_distribution(
    dist: DistributionLike, state_index: Callable[[str], int] | None = None
) -> RewardDistribution:
    """Coerce ``None`` (Uniform[0,1]), a spec string, a distribution or a callable ``rng -> R``."""
    if dist is None:
        return Uniform()
    if isinstance(dist, str):
        return parse_dist(dist, state_index)
    if isinstance(dist, RewardDistribution):
        return dist
    if callable(dist):
        return FromCallable(dist, getattr(dist, "__name__", "callable"))
    raise InputError(f"unsupported reward distribution {dist!r}")
