"""Samples from :math:`G_T` with their provenance and diagnostics (Krakovna & Kramár, Def 6).

Both samplers (:mod:`powerlab.goals.rejection`, :mod:`powerlab.goals.hitandrun`) return a
:class:`GoalSamples`. Estimates from them carry a standard error computed from the
effective sample size: :math:`\\sqrt{\\hat p(1-\\hat p)/\\mathrm{ESS}}` for a fraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from powerlab.goals.diagnostics import ess, split_rhat

__all__ = ["GoalSamples"]


@dataclass(frozen=True)
class GoalSamples:
    """Reward vectors drawn (approximately) uniformly from :math:`G_T`.

    Attributes:
        samples: ``[N, S]`` reward vectors.
        sampler: ``"rejection"`` or ``"hit-and-run"``.
        reading: the reading of Def 6 used.
        gamma: the goals' discount.
        seconds: wall time spent.
        chain: ``[N]`` int, the chain each sample came from (``-1``: i.i.d. draws).
        proposals: rejection only, box draws made.
        acceptance: rejection only, accepted / proposals.
        acceptance_stderr: its binomial standard error.
        ess: effective sample size, the minimum over constrained coordinates (N for
            i.i.d. draws).
        rhat: the largest split-R-hat over constrained coordinates (``None`` for i.i.d.).
        steps: hit-and-run steps taken (pilot and burn-in included).
        constrained: ``[n]`` the coordinates that the chain moved (others are i.i.d.).
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

    @property
    def n(self) -> int:
        """Number of samples N."""
        return int(self.samples.shape[0])

    def _chains(self, values: np.ndarray) -> np.ndarray | None:
        ids = np.unique(self.chain)
        if ids[0] < 0 or len(ids) < 1:
            return None
        lens = [int(np.sum(self.chain == c)) for c in ids]
        m = min(lens)
        return np.stack([values[self.chain == c][:m] for c in ids])

    def ess_of(self, values: np.ndarray) -> float:
        """ESS of a derived quantity ``values: [N]`` (N if the draws are i.i.d.)."""
        values = np.asarray(values, dtype=np.float64)
        ch = self._chains(values)
        if ch is None or ch.shape[1] < 4:
            return float(len(values))
        return ess(ch)

    def rhat_of(self, values: np.ndarray) -> float | None:
        """Split-R-hat of ``values: [N]`` across chains (``None`` for i.i.d. draws)."""
        ch = self._chains(np.asarray(values, dtype=np.float64))
        if ch is None or ch.shape[1] < 4:
            return None
        return split_rhat(ch)

    def fraction(self, flags: np.ndarray) -> tuple[float, float, float]:
        """Mean of a 0/1 quantity ``flags: [N]`` with its standard error and ESS."""
        f = np.asarray(flags, dtype=np.float64)
        p = float(f.mean()) if len(f) else float("nan")
        e = self.ess_of(f) if np.ptp(f) > 0 else float(len(f))
        se = float(np.sqrt(max(p * (1 - p), 0.0) / max(e, 1.0)))
        return p, se, e
