"""Plain-text renderings of numbers shared by the command line and the report."""

from __future__ import annotations

__all__ = ["rate_se_text"]


def rate_se_text(v: list[float | None] | None) -> str:
    """``"rate ± se"`` of a ``[rate, se]`` pair (as in
    :func:`powerlab.agents.study.agent_summary`), two decimals; ``"-"`` where there is no
    rate, the rate alone where there is no standard error."""
    if v is None or v[0] is None:
        return "-"
    return f"{v[0]:.2f}" + ("" if v[1] is None else f" ± {v[1]:.2f}")
