r"""The Bellman look-ahead and the input and memory checks shared by every solver.

Notation follows :mod:`powerlab.mdp.solvers`: :math:`Q(s, a) = R(s) + \gamma \sum_{s'}
T(s, a, s') V(s')` for state rewards, :math:`r(s, a) + \gamma \dots` for state-action rewards.
"""

from __future__ import annotations

import os

import numpy as np

from powerlab.errors import InputError, ResourceError
from powerlab.mdp.model import MDP

__all__ = ["EPS", "absmax", "action_values", "check_memory", "check_rewards"]

EPS = float(np.finfo(np.float64).eps)


def absmax(x: np.ndarray) -> float:
    """``max |x|`` (0 for an empty array) without allocating ``|x|``."""
    return float(max(x.max(), -x.min())) if x.size else 0.0


def check_rewards(mdp: MDP, R: np.ndarray, *, state_action: bool = False) -> np.ndarray:
    """Return rewards as float64 ``[K, S]`` (or ``[K, S, A]`` when ``state_action``), or raise.

    State rewards may be given as ``[S]``. State-action rewards (Puterman's r(s, a)) must be
    finite at available slots; values at unavailable slots are ignored (set to 0).
    """
    R = np.asarray(R, dtype=np.float64)
    S, A = mdp.n_states, mdp.n_actions
    if state_action:
        if R.ndim == 2:
            R = R[None]
        if R.shape[1:] != (S, A) or R.ndim != 3:
            raise InputError(
                f"{mdp.name}: state-action rewards must have shape [K, S={S}, A={A}], got {R.shape}"
            )
        R = np.where(mdp.available[None], R, 0.0)
    else:
        if R.ndim == 1:
            R = R[None, :]
        if R.ndim != 2 or R.shape[1] != S:
            raise InputError(
                f"{mdp.name}: rewards must have shape [K, S] with S={S}, got {R.shape}"
            )
    if not np.all(np.isfinite(R)):
        raise InputError(f"{mdp.name}: rewards must be finite")
    return R


def check_memory(nbytes: float, what: str) -> None:
    """Refuse (``ResourceError``) a request whose arrays would exceed 80% of available memory."""
    avail = _available_memory()
    if nbytes > 0.8 * avail:
        raise ResourceError(
            f"{what} needs about {nbytes / 2**30:.1f} GiB but only {avail / 2**30:.1f} GiB is "
            "available; use fewer samples per batch or ask for V only (want_q=False)"
        )


def _available_memory() -> float:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))


def action_values(mdp: MDP, R: np.ndarray, V: np.ndarray, gamma: float) -> np.ndarray:
    """One Bellman look-ahead: ``Q[k, s, a] = R[k, s] + γ Σ_s' T(s, a, s') V[k, s']``.

    ``R: [K, S]`` (or state-action ``[K, S, A]``), ``V: [K, S]`` -> ``Q: [K, S, A]``, ``-inf``
    at unavailable slots.
    """
    K, S = V.shape
    A = mdp.n_actions
    succ = mdp.successor
    if succ is not None:
        Vpad = np.concatenate([V, np.zeros((K, 1))], axis=1)
        cont = Vpad[:, np.where(succ < 0, S, succ)]
    else:
        cont = (mdp.P_sa @ V.T).T.reshape(K, S, A)
    Q = (R[:, :, None] if R.ndim == 2 else R) + gamma * cont
    Q[:, ~mdp.available] = -np.inf
    return Q
