r"""Decision rules on finite sets of outcome lotteries (Turner & Tadepalli 2022, RDSP Sec. 3-4).

Setting (RDSP Sec. 3). There are d outcomes; an *outcome lottery* is a vector
:math:`c \in \mathbb R^d` (a probability vector, or a discounted visit distribution in an
MDP); the decision-maker faces a finite set :math:`C = \{c_1, \dots, c_M\}` of them and a
parameter (utility / reward) vector :math:`\theta \in \mathbb R^d`, and values lottery c at
:math:`v_c = c^\top\theta`. A decision rule assigns every subset :math:`X \subseteq C` a number
:math:`f(X \mid C, \theta)`; RDSP compares :math:`f(B\mid\theta)` with :math:`f(A\mid\theta)`.

Every rule here sees only the values ``v: [N, M]`` (N parameter vectors, M lotteries) and a
membership mask ``X: [M]`` bool, and returns ``f: [N]``:

============  ==========================================================================
rule          :math:`f(X \mid C, \theta)`
============  ==========================================================================
IsOptimal     1 if some :math:`x \in X` attains :math:`\max_{c \in C} v_c`, else 0
FracOptimal   :math:`|X \cap \arg\max_C v| \,/\, |\arg\max_C v|`
AntiOpt       1 if some :math:`x \in X` attains :math:`\min_{c\in C} v_c`, else 0
Boltzmann(T)  :math:`\sum_{x\in X} e^{v_x/T} / \sum_{c\in C} e^{v_c/T}`, T > 0
BestOfK(k)    probability that the best of k draws (uniform on C, with replacement; ties
              among the best draws broken uniformly) lies in X
Satisfice(t)  :math:`|X \cap \{v \ge t\}| \,/\, |\{v \ge t\}|` (0 when no lottery satisfices)
Quantilizer   probability of X under the q-quantilizer with uniform base distribution on C:
(q)           the top q-fraction of C by value, uniformly, a boundary tie group sharing the
              leftover mass equally (Taylor 2016, "Quantilizers")
============  ==========================================================================

All are invariant under relabelling C (permuting lotteries together with X), which is what
RDSP's retargetability arguments use; IsOptimal, FracOptimal, AntiOpt, BestOfK and
Quantilizer depend on θ only through the order of the values, Boltzmann and Satisfice also
through the values themselves.

Ties between values count as ties when they differ by at most ``tol`` (relative to the
largest magnitude, default ``1e-12``), so that lotteries whose values are equal up to
floating-point rounding are treated as equally good.

Closed forms used by the tests (unit-vector outcomes, C = A ∪ B with |A| = 1, |B| = n, θ with
distinct entries): BestOfK(1) gives f(A) = 1/(n+1); BestOfK(k) gives the maximum-value
lottery probability :math:`1 - (1 - 1/M)^k`; Quantilizer(1/M) equals FracOptimal.

>>> import numpy as np
>>> v = np.array([[1.0, 3.0, 2.0]])
>>> X = np.array([False, True, True])
>>> IsOptimal().evaluate(v, X).tolist(), Satisfice(2.5).evaluate(v, X).tolist()
([1.0], [1.0])
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from powerlab.errors import InputError

__all__ = [
    "RULE_NAMES",
    "AntiOpt",
    "BestOfK",
    "Boltzmann",
    "DecisionRule",
    "FracOptimal",
    "IsOptimal",
    "Quantilizer",
    "Satisfice",
    "parse_rule",
]

DEFAULT_TOL = 1e-12


def _check_values(v: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(v, dtype=np.float64)
    if v.ndim != 2 or v.shape[1] == 0:
        raise InputError(f"decision rule: values must have shape [N, M] with M >= 1, got {v.shape}")
    mask = np.asarray(mask)
    if mask.dtype != np.bool_ or mask.shape != (v.shape[1],):
        raise InputError(
            f"decision rule: set mask must be [M]={v.shape[1]} booleans, got {mask.dtype} "
            f"{mask.shape}"
        )
    return v, mask


def _scale_tol(v: np.ndarray, tol: float) -> np.ndarray:
    """Absolute tie tolerance per row, ``tol * max(1, max |v|)``: ``[N, 1]``."""
    return tol * np.maximum(1.0, np.max(np.abs(v), axis=1, keepdims=True))


def _rank_counts(v: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """``below[n, c]`` = #{c': v_c' < v_c - tol}, ``upto[n, c]`` = #{c': v_c' <= v_c + tol}."""
    eps = _scale_tol(v, tol)[:, :, None]
    diff = v[:, None, :] - v[:, :, None]  # [N, c, c'] = v_c' - v_c
    below = np.sum(diff < -eps, axis=2)
    upto = np.sum(diff <= eps, axis=2)
    return below, upto


class DecisionRule(ABC):
    """A decision rule :math:`f(X \\mid C, \\theta)` seen through the values ``v = C θ``.

    Subclasses implement :meth:`weights` (per-lottery choice probabilities, or for indicator
    rules a 0/1 marker) and, where f is not additive over X, override :meth:`evaluate`.
    """

    name: str = "rule"
    tol: float = DEFAULT_TOL

    @abstractmethod
    def weights(self, v: np.ndarray) -> np.ndarray:
        """Per-lottery weights ``[N, M]`` for values ``v: [N, M]``."""

    def evaluate(self, v: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """:math:`f(X \\mid C, \\theta)` for each row of ``v: [N, M]``; ``mask: [M]`` is X."""
        v, mask = _check_values(v, mask)
        return self.weights(v)[:, mask].sum(axis=1)

    def spec(self) -> str:
        """The textual form accepted by :func:`parse_rule`."""
        return self.name


@dataclass(frozen=True)
class IsOptimal(DecisionRule):
    """IsOptimal (Turner 2021, "Satisficers Tend To Seek Power"): 1 if X contains a
    value-maximizing lottery of C, else 0."""

    tol: float = DEFAULT_TOL
    name = "optimal"

    def weights(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64)
        best = v.max(axis=1, keepdims=True)
        return (v >= best - _scale_tol(v, self.tol)).astype(np.float64)

    def evaluate(self, v: np.ndarray, mask: np.ndarray) -> np.ndarray:
        v, mask = _check_values(v, mask)
        return self.weights(v)[:, mask].max(axis=1, initial=0.0)


@dataclass(frozen=True)
class FracOptimal(DecisionRule):
    """FracOptimal: the share of C's optimal lotteries that lie in X (EU-determined, so
    Turner 2021's "retargetability of EU decision-making" theorem applies)."""

    tol: float = DEFAULT_TOL
    name = "fracoptimal"

    def weights(self, v: np.ndarray) -> np.ndarray:
        ind = IsOptimal(self.tol).weights(v)
        return ind / ind.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class AntiOpt(DecisionRule):
    """Anti-optimal choice (RDSP Sec. 4): 1 if X contains a value-minimizing lottery, else 0."""

    tol: float = DEFAULT_TOL
    name = "antiopt"

    def weights(self, v: np.ndarray) -> np.ndarray:
        return IsOptimal(self.tol).weights(-np.asarray(v, dtype=np.float64))

    def evaluate(self, v: np.ndarray, mask: np.ndarray) -> np.ndarray:
        v, mask = _check_values(v, mask)
        return self.weights(v)[:, mask].max(axis=1, initial=0.0)


@dataclass(frozen=True)
class Boltzmann(DecisionRule):
    """Boltzmann-rational choice with temperature T > 0: :math:`P(c) \\propto e^{v_c/T}`."""

    temperature: float = 1.0
    name = "boltzmann"

    def __post_init__(self) -> None:
        if not (np.isfinite(self.temperature) and self.temperature > 0):
            raise InputError(f"boltzmann: temperature must be > 0, got {self.temperature}")

    def weights(self, v: np.ndarray) -> np.ndarray:
        z = np.asarray(v, dtype=np.float64) / self.temperature
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def spec(self) -> str:
        return f"boltzmann:{self.temperature:g}"


@dataclass(frozen=True)
class BestOfK(DecisionRule):
    r"""Best of k uniform draws from C (with replacement), ties among the best broken uniformly.

    With :math:`m_<(c)` lotteries strictly worse than c and :math:`m_\le(c)` at most as good
    (c's tie group has :math:`g = m_\le - m_<` members), out of M,

    .. math:: P(c) = \frac{(m_\le/M)^k - (m_</M)^k}{g}.
    """

    k: int = 1
    tol: float = DEFAULT_TOL
    name = "bestof"

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not isinstance(self.k, int | np.integer) or self.k < 1:
            raise InputError(f"bestof: k must be an integer >= 1, got {self.k!r}")

    def weights(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64)
        M = v.shape[1]
        below, upto = _rank_counts(v, self.tol)
        return ((upto / M) ** self.k - (below / M) ** self.k) / (upto - below)

    def spec(self) -> str:
        return f"bestof:{self.k}"


@dataclass(frozen=True)
class Satisfice(DecisionRule):
    """Satisfice_t (Turner 2021, "Satisficers Tend To Seek Power", Def. "Satisficing").

    Uniform choice among the lotteries with value at least t:
    f(X) = |X ∩ {v ≥ t}| / |{v ≥ t}|, and f = 0 for every X when no lottery satisfices
    (the stated convention), so A and B then tie.
    """

    threshold: float = 0.0
    name = "satisfice"

    def __post_init__(self) -> None:
        if not np.isfinite(self.threshold):
            raise InputError(f"satisfice: threshold must be finite, got {self.threshold}")

    def weights(self, v: np.ndarray) -> np.ndarray:
        ok = (np.asarray(v, dtype=np.float64) >= self.threshold).astype(np.float64)
        count = ok.sum(axis=1, keepdims=True)
        return np.divide(ok, count, out=np.zeros_like(ok), where=count > 0)

    def spec(self) -> str:
        return f"satisfice:{self.threshold:g}"


@dataclass(frozen=True)
class Quantilizer(DecisionRule):
    r"""The q-quantilizer over C with uniform base distribution (Taylor 2016), 0 < q <= 1.

    Sort C by value; the quantilizer has density 1/q with respect to the base distribution on
    the top q of its mass. A tie group G with :math:`m_>` lotteries strictly better receives
    mass :math:`(\min(m_> + |G|, qM) - \min(m_>, qM)) / (qM)` shared equally by its members.
    """

    q: float = 0.5
    tol: float = DEFAULT_TOL
    name = "quantilizer"

    def __post_init__(self) -> None:
        if not (np.isfinite(self.q) and 0 < self.q <= 1):
            raise InputError(f"quantilizer: q must be in (0, 1], got {self.q}")

    def weights(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64)
        M = v.shape[1]
        below, upto = _rank_counts(v, self.tol)
        above = M - upto
        g = upto - below
        qm = self.q * M
        mass = (np.minimum(above + g, qm) - np.minimum(above, qm)) / qm
        return mass / g

    def spec(self) -> str:
        return f"quantilizer:{self.q:g}"


RULE_NAMES = (
    "optimal",
    "fracoptimal",
    "antiopt",
    "boltzmann",
    "bestof",
    "satisfice",
    "quantilizer",
)


def parse_rule(spec: str | DecisionRule) -> DecisionRule:
    """Parse ``optimal|fracoptimal|antiopt|boltzmann:T|bestof:k|satisfice:t|quantilizer:q``.

    Raises :class:`InputError` for an unknown rule name, a missing, extra or malformed
    parameter, or a parameter out of range.
    """
    if isinstance(spec, DecisionRule):
        return spec
    text = str(spec).strip()
    name, _, param = text.partition(":")
    name = name.strip().lower()
    param = param.strip()
    plain: dict[str, type[IsOptimal | FracOptimal | AntiOpt]] = {
        "optimal": IsOptimal,
        "isoptimal": IsOptimal,
        "fracoptimal": FracOptimal,
        "antiopt": AntiOpt,
    }
    if name in plain:
        if param:
            raise InputError(f"rule {name!r} takes no parameter, got {text!r}")
        return plain[name]()
    if name not in ("boltzmann", "bestof", "satisfice", "quantilizer"):
        raise InputError(f"unknown rule {text!r}; expected one of {', '.join(RULE_NAMES)}")
    if not param:
        raise InputError(f"rule {name!r} needs a parameter, e.g. {name}:{_EXAMPLE[name]}")
    if name == "bestof":
        try:
            k = int(param)
        except ValueError:
            raise InputError(f"rule bestof: k must be an integer, got {param!r}") from None
        return BestOfK(k)
    try:
        x = float(param)
    except ValueError:
        raise InputError(f"rule {name}: parameter must be a number, got {param!r}") from None
    if name == "boltzmann":
        return Boltzmann(x)
    if name == "satisfice":
        return Satisfice(x)
    return Quantilizer(x)


_EXAMPLE = {"boltzmann": "0.5", "bestof": "3", "satisfice": "0.5", "quantilizer": "0.25"}
