"""Top-k masks with a straight-through gradient, and biprop's binarized, gained weights.

**Kept fraction.** Throughout powerlab, the kept fraction k ∈ (0, 1] is the share of a
layer's weights that survive, i.e. are nonzero in the subnetwork. It is applied to every
masked weight tensor separately: a tensor with n entries keeps exactly

    m = ⌈k·n⌉

entries (:func:`kept_count`), the smallest count whose share is at least k, so 0 < m ≤ n, and
m/n = k exactly whenever k·n is an integer. k is read as the decimal it is written as (0.1 is
1/10, not the binary float just above it), so ⌈0.1·10⌉ = 1. The reference code is not
consistent here: in ``allenai/hidden-networks`` (``utils/conv_type.py``, ``GetSubnet``) and in
``chrundle/biprop`` the argument ``k`` passed as ``prune_rate`` is the kept share (the lowest
``int((1 - k)·n)`` scores are zeroed), while the same ``prune_rate`` is read as the *pruned*
share by ``scale_fan`` (fan·(1 - prune_rate)) in ``utils/builder.py``, and the biprop paper's
tables report "% weights pruned" = 1 - k.

**Edge-popup** (Ramanujan et al. 2020, Algorithm 1): each weight W_i has a score s_i; the
layer uses W ⊙ M with M = top-k(|s|) and the scores learn through the straight-through
estimator ∂M/∂|s| := I, giving ∂L/∂s_i = (∂L/∂w_i^eff)·W_i·sign(s_i).

**Biprop** (Diffenderfer & Kailkhura 2021, Algorithm 1 and Sec. 4): with B = sign(W) the
layer uses α·(B ⊙ M), where for a fixed mask the gain α = ‖M ⊙ W‖₁ / ‖M‖₀ minimizes
‖M ⊙ (W - α B)‖₂² (set the derivative Σ_{i kept} (α - |W_i|) to zero). As in the reference
code (``GetQuantnet_binary``), α is held constant in the backward pass and the score gradient
is ∂L/∂(αM)·|W|, which equals (∂L/∂w_i^eff)·W_i: the edge-popup estimate.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import torch

from powerlab.errors import InputError

__all__ = [
    "binarized_weight",
    "biprop_gain",
    "kept_count",
    "kept_fraction",
    "popup_weight",
    "topk_mask",
]


def kept_fraction(k: float | Fraction) -> Fraction:
    """The kept fraction as the exact decimal it is written as: 0.1 → 1/10; must lie in (0, 1].

    >>> kept_fraction(0.1)
    Fraction(1, 10)
    """
    if isinstance(k, Fraction):
        frac = k
    else:
        try:
            frac = Fraction(repr(float(k)))
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"kept fraction: {k!r} is not a number") from None
    if not 0 < frac <= 1:
        raise InputError(f"kept fraction: {k} is outside (0, 1]")
    return frac


def kept_count(n: int, k: float | Fraction) -> int:
    """m = ⌈k·n⌉: how many of a tensor's n weights a kept fraction k keeps (module docstring).

    >>> kept_count(10, 0.1), kept_count(10, 0.25), kept_count(7, 1.0)
    (1, 3, 7)
    """
    if n < 1:
        raise InputError(f"kept_count: a tensor needs at least one entry, got n = {n}")
    return math.ceil(kept_fraction(k) * n)


def topk_mask(scores: torch.Tensor, k: float | Fraction) -> torch.Tensor:
    """0/1 mask of ``scores``' shape keeping the m = ⌈k·n⌉ largest entries (ties: lower index).

    The mask has exactly m ones (a stable sort breaks ties by flat position). No gradient.
    """
    n = scores.numel()
    m = kept_count(n, k)
    order = torch.argsort(scores.detach().reshape(-1), descending=True, stable=True)
    flat = torch.zeros(n, dtype=scores.dtype, device=scores.device)
    flat[order[:m]] = 1
    return flat.reshape(scores.shape)


class _StraightThroughTopK(torch.autograd.Function):
    """Forward: top-k mask of the scores; backward: the incoming gradient unchanged."""

    @staticmethod
    def forward(ctx: Any, scores: torch.Tensor, k: Fraction) -> torch.Tensor:
        return topk_mask(scores, k)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return grad, None


def popup_weight(weight: torch.Tensor, scores: torch.Tensor, k: float | Fraction) -> torch.Tensor:
    """Edge-popup's effective weight W ⊙ top-k(|s|), straight-through in s (Ramanujan et al. Alg. 1)."""
    if weight.shape != scores.shape:
        raise InputError(f"scores: shape {tuple(scores.shape)} != weight {tuple(weight.shape)}")
    mask = _StraightThroughTopK.apply(scores.abs(), kept_fraction(k))
    return weight * mask


def biprop_gain(weight: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """α = ‖M ⊙ W‖₁ / ‖M‖₀, the least-squares gain of the kept signs (module docstring)."""
    return (weight.abs() * mask).sum() / mask.sum()


class _BipropMask(torch.autograd.Function):
    """Forward: α·M with M = top-k(scores); backward: g·|W| to the scores (α held constant)."""

    @staticmethod
    def forward(ctx: Any, scores: torch.Tensor, weight: torch.Tensor, k: Fraction) -> torch.Tensor:
        mask = topk_mask(scores, k)
        abs_w = weight.detach().abs()
        ctx.save_for_backward(abs_w)
        return biprop_gain(abs_w, mask) * mask

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        (abs_w,) = ctx.saved_tensors
        return grad * abs_w, None, None


def binarized_weight(
    weight: torch.Tensor, scores: torch.Tensor, k: float | Fraction
) -> torch.Tensor:
    """Biprop's effective weight α·sign(W) ⊙ top-k(|s|) (Diffenderfer & Kailkhura, Alg. 1).

    Every entry is 0, +α or -α, with one α per tensor.
    """
    if weight.shape != scores.shape:
        raise InputError(f"scores: shape {tuple(scores.shape)} != weight {tuple(weight.shape)}")
    gained_mask = _BipropMask.apply(scores.abs(), weight, kept_fraction(k))
    return torch.sign(weight.detach()) * gained_mask
