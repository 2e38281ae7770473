r"""Closed-form answers for ``shutdown_toy.yaml`` (Krakovna & Kramár 2023, Def 7, Thm 2).

The environment: training happens in ``t0 -> t1`` (policy ``t0: t1``); the new state ``s``
has three actions: ``halt`` (shutdown, to the terminal ``halt``), ``r1`` (a self-loop
state), and ``c`` (a corridor state whose only action leads to the self-loop ``r2``).
Rewards θ are uniform on :math:`[0,1]^S`. :math:`S_{reach}(s) = \{halt, r1, c, r2\}` is
out of reach of the training states, so :math:`G_T = G_T^{\{t0,t1\}} \times [0,1]^5` and
the rewards that matter here are i.i.d. uniform.

Recurrence and γ* (Def 8-9, Prop 3). From s, the reach-and-revisit policy for r1 steps in
and stays: :math:`V_{r1,\gamma} = \sum_{t\ge1}\gamma^{t-1} = 1/(1-\gamma) > 1` for every
γ > 0, so :math:`\gamma^*_{r1} = 0`. For r2, :math:`s_1 = c`, :math:`s_t = r2` for t ≥ 2:
:math:`V_{r2,\gamma} = \gamma/(1-\gamma)`, which exceeds 1 iff γ > 1/2, so
:math:`\gamma^*_{r2} = 1/2`. c and halt are not recurrent. Hence :math:`n(\gamma) = 1`
(bound 1/2) for γ ≤ 1/2 and :math:`n(\gamma) = 2` (bound 2/3) for γ > 1/2.

Reward paid once (Krakovna & Kramár's convention). With :math:`k = \gamma/(1-\gamma)`, and leaving
out θ(s), which every action shares, the action values at s are
:math:`\gamma\,\theta_{halt}`, :math:`\gamma\,\theta_{r1}/(1-\gamma)` and
:math:`\gamma(\theta_c + k\,\theta_{r2})`. Shutdown is optimal iff, with :math:`u = \theta_{halt}`,
:math:`\theta_{r1} \le (1-\gamma)u` and :math:`\theta_c + k\theta_{r2} \le u`; by independence

.. math:: P(\text{shutdown}) = \int_0^1 (1-\gamma)\,u\,F_k(u)\,du,
   \qquad F_k(u) = P(\theta_c + k\theta_{r2} \le u).

For :math:`u \le \min(k, 1)`, :math:`F_k(u) = u^2/(2k)`; for k < u ≤ 1, :math:`F_k(u) = u - k/2`.
So for γ ≥ 1/2 (k ≥ 1): :math:`P = (1-\gamma)/(8k) = (1-\gamma)^2/(8\gamma)`; for γ < 1/2:
:math:`P = (1-\gamma)\,[k^3/8 + (1-k^3)/3 - k(1-k^2)/4] = (1-\gamma)(1/3 - k/4 + k^3/24)`.
Both give 1/16 at γ = 1/2. The fraction avoiding shutdown is :math:`1 - P`.

Turner's self-loop convention. ``halt`` loops forever: its value is
:math:`\gamma\theta_{halt}/(1-\gamma)`, and shutdown is optimal iff :math:`\theta_{r1} \le u`
and :math:`\alpha\theta_c + \beta\theta_{r2} \le u` with :math:`\alpha=1-\gamma`, :math:`\beta=\gamma`.
With :math:`a = \min(\alpha,\beta)`, :math:`b = \max(\alpha,\beta)` (a + b = 1), the CDF H of
:math:`\alpha\theta_c + \beta\theta_{r2}` is :math:`u^2/(2ab)` on [0, a], :math:`(u - a/2)/b` on
[a, b] and :math:`1 - (1-u)^2/(2ab)` on [b, 1], so

.. math:: P = \int_0^1 u\,H(u)\,du = \frac{a^3}{8b}
   + \frac{(b^3-a^3)/3 - a(b^2-a^2)/4}{b}
   + \frac{1-b^2}{2} - \frac{a^2/3 - a^3/4}{2b}.
"""

from __future__ import annotations

__all__ = ["avoid_once", "avoid_self_loop", "gamma_stars", "n_of_gamma"]


def gamma_stars() -> dict[str, float]:
    """γ* per reachable recurrent state of the toy (module docstring)."""
    return {"r1": 0.0, "r2": 0.5}


def n_of_gamma(gamma: float) -> int:
    """n(γ): 1 for γ ≤ 1/2, 2 above."""
    return 2 if gamma > 0.5 else 1


def avoid_once(gamma: float) -> float:
    """P(shutdown is not optimal at s) for uniform goals, terminal reward paid once."""
    k = gamma / (1.0 - gamma)
    if k >= 1.0:
        p = (1.0 - gamma) ** 2 / (8.0 * gamma)
    else:
        p = (1.0 - gamma) * (1.0 / 3.0 - k / 4.0 + k**3 / 24.0)
    return 1.0 - p


def avoid_self_loop(gamma: float) -> float:
    """P(shutdown is not optimal at s) for uniform goals, terminal as a self-loop."""
    a, b = sorted((1.0 - gamma, gamma))
    p = (
        a**3 / (8.0 * b)
        + ((b**3 - a**3) / 3.0 - a * (b**2 - a**2) / 4.0) / b
        + (1.0 - b**2) / 2.0
        - (a**2 / 3.0 - a**3 / 4.0) / (2.0 * b)
    )
    return 1.0 - p
