r"""Samples from :math:`G_T` with their provenance and diagnostics (Krakovna & Kramár, Def 6).

Both samplers (:mod:`powerlab.goals.rejection`, :mod:`powerlab.goals.hitandrun`) return a
:class:`GoalSamples`. A fraction estimated from them (:meth:`GoalSamples.fraction`)
carries the 95% Wilson interval (Wilson 1927) with the effective sample size as its
number of trials, and a standard error equal to that interval's half-width over z =
1.96: to first order :math:`\sqrt{\hat p(1-\hat p)/\mathrm{ESS}}`, and positive at
:math:`\hat p = 0` or 1, where the plug-in formula would give 0. The ESS is capped at the
number of draws N: an autocorrelation estimate can exceed N for antithetic chains, but
no estimate is more precise than N independent draws would make it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from powerlab._io import atomic_write
from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.goals.diagnostics import ess, mixing_warnings, split_rhat, wilson

if TYPE_CHECKING:
    from powerlab.goals.compatible import GoalSet

__all__ = ["FractionEstimate", "GoalSamples"]

_Z95 = 1.959963984540054


@dataclass(frozen=True)
class FractionEstimate:
    """A fraction with its Wilson interval (module docstring).

    Attributes:
        value: the sample fraction.
        stderr: the Wilson half-width over 1.96.
        ess: the effective sample size used (at most N).
        low, high: the 95% Wilson interval.
    """

    value: float
    stderr: float
    ess: float
    low: float
    high: float


@dataclass(frozen=True)
class GoalSamples:
    """Reward vectors drawn (approximately) from :math:`G_T` under a prior.

    Attributes:
        samples: ``[N, S]`` reward vectors.
        sampler: ``"rejection"`` or ``"hit-and-run"``.
        reading: the reading of Def 6 used.
        gamma: the goals' discount.
        seconds: wall time spent.
        chain: ``[N]`` int, the chain each sample came from (``-1``: i.i.d. draws).
        proposals: rejection only, prior draws made.
        acceptance: rejection only, accepted / proposals.
        acceptance_stderr: its standard error (Wilson half-width over 1.96).
        ess: effective sample size, the minimum over the chain's coordinates, capped at N.
        rhat: the largest split-R-hat over the chain's coordinates (``None`` for i.i.d.).
        steps: hit-and-run steps taken (pilot and burn-in included).
        constrained: ``[n]`` the coordinates that the chain moved (others are i.i.d.).
        requested: the number of draws asked for (N is smaller only if a budget ran out).
        warnings: mixing warnings and budget shortfalls, one line each.
        prior: the prior's spec (``"uniform"`` on the box by default;
            :mod:`powerlab.goals.priors`).
        weights: ``[N]`` importance weights when uniform draws stand for another prior
            (``None``: the draws follow the prior as they are).
    """

    samples: np.ndarray
    sampler: str
    reading: str
    gamma: float
    seconds: float
    chain: np.ndarray
    proposals: int | None = None
    acceptance: float | None = None
    acceptance_stderr: float | None = None
    ess: float = 0.0
    rhat: float | None = None
    steps: int = 0
    constrained: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    requested: int | None = None
    warnings: tuple[str, ...] = ()
    prior: str = "uniform"
    weights: np.ndarray | None = None

    @classmethod
    def drawn(
        cls,
        gs: GoalSet,
        sampler: str,
        samples: np.ndarray,
        chain: np.ndarray,
        started: float,
        requested: int,
        **diagnostics: Any,
    ) -> GoalSamples:
        """The draws ``samples: [N, S]`` of ``sampler`` from ``gs``, begun at ``started`` (a
        ``time.perf_counter()`` reading), with the sampler's own ``diagnostics`` fields."""
        return cls(
            samples=samples,
            sampler=sampler,
            reading=gs.reading,
            gamma=gs.gamma,
            seconds=time.perf_counter() - started,
            chain=chain,
            constrained=gs.constrained,
            requested=requested,
            **diagnostics,
        )

    @property
    def n(self) -> int:
        """Number of samples N."""
        return int(self.samples.shape[0])

    def _chains(self, values: np.ndarray) -> np.ndarray | None:
        ids = np.unique(self.chain)
        if len(ids) < 1 or ids[0] < 0:
            return None
        lens = [int(np.sum(self.chain == c)) for c in ids]
        m = min(lens)
        return np.stack([values[self.chain == c][:m] for c in ids])

    def ess_of(self, values: np.ndarray) -> float:
        """ESS of a derived quantity ``values: [N]``, capped at N (N for i.i.d. draws)."""
        values = np.asarray(values, dtype=np.float64)
        ch = self._chains(values)
        if ch is None or ch.shape[1] < 4:
            return float(len(values))
        return min(ess(ch), float(len(values)))

    def rhat_of(self, values: np.ndarray) -> float | None:
        """Split-R-hat of ``values: [N]`` across chains (``None`` for i.i.d. draws)."""
        ch = self._chains(np.asarray(values, dtype=np.float64))
        if ch is None or ch.shape[1] < 4:
            return None
        return split_rhat(ch)

    def fraction(self, flags: np.ndarray) -> FractionEstimate:
        """Mean of a 0/1 quantity ``flags: [N]`` with its Wilson interval (module docstring);
        weighted by :attr:`weights` when present, with the ESS scaled by Kish's factor."""
        f = np.asarray(flags, dtype=np.float64)
        if len(f) == 0:
            return FractionEstimate(float("nan"), float("nan"), 0.0, 0.0, 1.0)
        p = float(f.mean())
        e = self.ess_of(f) if np.ptp(f) > 0 else float(len(f))
        if self.weights is not None:  # self-normalised importance sampling, Kish's ESS
            w = self.weights / self.weights.sum()
            p = float(np.clip(w @ f, 0.0, 1.0))
            e = e / (len(f) * float(w @ w))
        lo, hi = wilson(p, e, _Z95)
        return FractionEstimate(p, (hi - lo) / (2 * _Z95), e, lo, hi)

    def warnings_for(self, values: np.ndarray) -> tuple[str, ...]:
        """Mixing warnings for a derived quantity ``values: [N]`` (none for i.i.d. draws)."""
        if self.chain.size == 0 or self.chain[0] < 0:
            return ()
        return mixing_warnings(self.n, self.ess_of(values), self.rhat_of(values))

    def save(self, path: str | os.PathLike[str], states: tuple[str, ...], meta: JSON) -> Path:
        """Write the samples ``[N, S]`` (columns named by ``states``) atomically to a
        ``.npz`` (arrays ``samples``, ``states``, ``meta_<key>``) or ``.parquet`` file
        (metadata in the frame's attrs; needs pyarrow). Returns the path."""
        p = Path(path)
        suffix = p.suffix.lower()
        if len(states) != self.samples.shape[1]:
            raise InputError(f"{p}: {len(states)} state names for {self.samples.shape[1]} columns")
        if suffix == ".npz":

            def write(tmp: Path) -> None:
                arrays: dict[str, Any] = {f"meta_{k}": np.asarray(v) for k, v in meta.items()}
                arrays["samples"] = self.samples
                arrays["states"] = np.array(states)
                with open(tmp, "wb") as fh:
                    np.savez_compressed(fh, **arrays)

            return atomic_write(p, write)
        if suffix == ".parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise InputError(f"{p}: writing Parquet needs pyarrow; use a .npz file") from None
            import pandas as pd

            frame = pd.DataFrame(self.samples, columns=list(states))
            frame.attrs.update(meta)
            return atomic_write(p, lambda tmp: frame.to_parquet(tmp))
        raise InputError(f"{p}: expected a .npz or .parquet file name")
