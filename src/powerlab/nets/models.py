"""The two architectures (an MLP and a small CNN) and their weight parameterizations.

Architectures, for inputs ``x: [B, D]`` (``D = C·H·W`` for images) and K classes:

* ``mlp``: depth hidden layers of ``width`` units, h_{l+1} = φ(A_l h_l), then a linear read-out.
* ``cnn``: two 3x3 convolutions with ``width`` channels (padding 1), φ after each, a 4x4
  adaptive average pool, and a linear read-out from ``width·16`` features. On the 8x8 digits
  this is the "small CNN" of the issue.

Parameterizations of a layer with fan-in n (Lee et al. 2019, Sec. 2.1, Eq. 1):

* ``ntk``: stored weights W_ij ~ N(0, 1), b_i ~ N(0, 1); the layer computes
  (σ_w/√n)·W x + σ_b·b. With this scaling a fixed learning rate suits every width and the
  network approaches its linearization as width → ∞ (Lee et al., Theorem 2.1).
* ``standard``: W_ij ~ N(0, σ_w²/n), b = 0; the layer computes W x + b.

σ_w = √2 (He et al.'s ReLU gain) and σ_b = 0.1. Initialization draws only from the explicit
``torch.Generator`` passed in, so a seed fixes θ0.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from powerlab.errors import InputError

__all__ = [
    "ARCHS",
    "SIGMA_B",
    "SIGMA_W",
    "NTKConv2d",
    "NTKLinear",
    "build_network",
    "make_network",
]

ARCHS = ("mlp", "cnn")
PARAMETERIZATIONS = ("ntk", "standard")
SIGMA_W = math.sqrt(2.0)
SIGMA_B = 0.1


class NTKLinear(nn.Module):
    """Dense layer in NTK parameterization: y = (σ_w/√n) x Wᵀ + σ_b b, with W, b ~ N(0, 1).

    Lee et al. 2019, Eq. 1. ``x: [B, n]`` → ``y: [B, m]``.
    """

    def __init__(self, n_in: int, n_out: int, gen: torch.Generator, bias: bool = True) -> None:
        super().__init__()
        self.scale = SIGMA_W / math.sqrt(n_in)
        self.weight = nn.Parameter(torch.randn(n_out, n_in, generator=gen))
        self.bias = nn.Parameter(torch.randn(n_out, generator=gen)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the layer to ``x: [B, n]``."""
        y = self.scale * (x @ self.weight.T)
        return y if self.bias is None else y + SIGMA_B * self.bias


class NTKConv2d(nn.Module):
    """3x3 convolution (padding 1) in NTK parameterization, fan-in n = 9·C_in (Lee et al. Eq. 1).

    ``x: [B, C_in, H, W]`` → ``[B, C_out, H, W]``.
    """

    def __init__(self, c_in: int, c_out: int, gen: torch.Generator, bias: bool = True) -> None:
        super().__init__()
        self.scale = SIGMA_W / math.sqrt(9 * c_in)
        self.weight = nn.Parameter(torch.randn(c_out, c_in, 3, 3, generator=gen))
        self.bias = nn.Parameter(torch.randn(c_out, generator=gen)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the convolution to ``x: [B, C_in, H, W]``."""
        b = None if self.bias is None else SIGMA_B * self.bias
        return torch.nn.functional.conv2d(x, self.scale * self.weight, b, padding=1)


def _standard_linear(n_in: int, n_out: int, gen: torch.Generator, bias: bool) -> nn.Module:
    layer = nn.Linear(n_in, n_out, bias=bias)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(n_out, n_in, generator=gen) * (SIGMA_W / math.sqrt(n_in)))
        if layer.bias is not None:
            layer.bias.zero_()
    return layer


def _standard_conv(c_in: int, c_out: int, gen: torch.Generator, bias: bool) -> nn.Module:
    layer = nn.Conv2d(c_in, c_out, 3, padding=1, bias=bias)
    with torch.no_grad():
        std = SIGMA_W / math.sqrt(9 * c_in)
        layer.weight.copy_(torch.randn(c_out, c_in, 3, 3, generator=gen) * std)
        if layer.bias is not None:
            layer.bias.zero_()
    return layer


LayerFactory = Callable[[int, int], nn.Module]


class _Flatten(nn.Module):
    """``[B, C, H, W]`` → ``[B, C·H·W]``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], -1)


class _Unflatten(nn.Module):
    """``[B, D]`` → ``[B, C, H, W]``."""

    def __init__(self, shape: tuple[int, int, int]) -> None:
        super().__init__()
        self.shape = shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)


def _activation(name: str) -> nn.Module:
    if name == "relu":
        return nn.ReLU()
    if name == "tanh":
        return nn.Tanh()
    raise InputError(f"activation: {name!r} is not one of relu, tanh")


def _check(arch: str, width: int, depth: int, image_shape: tuple[int, int, int] | None) -> None:
    if arch not in ARCHS:
        raise InputError(f"arch: {arch!r} is not one of {', '.join(ARCHS)}")
    if width < 1:
        raise InputError(f"width: {width} must be a positive integer")
    if arch == "mlp" and depth < 1:
        raise InputError(f"depth: {depth} must be at least 1")
    if arch == "cnn":
        if image_shape is None:
            raise InputError("arch: cnn needs image-shaped data (image_shape = (C, H, W))")
        if image_shape[1] < 4 or image_shape[2] < 4:
            raise InputError(f"image_shape: {image_shape} is smaller than 4x4")


def build_network(
    arch: str,
    n_in: int,
    n_classes: int,
    width: int,
    linear: LayerFactory,
    conv: LayerFactory,
    depth: int = 2,
    activation: str = "relu",
    image_shape: tuple[int, int, int] | None = None,
) -> nn.Sequential:
    """The MLP or small CNN of this module, with layers made by ``linear`` and ``conv``.

    ``linear(n_in, n_out)`` and ``conv(c_in, c_out)`` return the layers, so the same
    architecture serves dense training (:func:`make_network`) and masked subnetworks
    (:mod:`powerlab.nets.tickets`). The network maps ``x: [B, n_in]`` to logits ``[B, K]``.
    """
    _check(arch, width, depth, image_shape)
    layers: list[nn.Module] = []
    if arch == "mlp":
        fan = n_in
        for _ in range(depth):
            layers += [linear(fan, width), _activation(activation)]
            fan = width
        layers.append(linear(fan, n_classes))
        return nn.Sequential(*layers)
    if image_shape is None:  # unreachable after _check; narrows the type
        raise InputError("arch: cnn needs image-shaped data (image_shape = (C, H, W))")
    c = image_shape[0]
    layers += [_Unflatten(image_shape), conv(c, width), _activation(activation)]
    layers += [conv(width, width), _activation(activation)]
    layers += [nn.AdaptiveAvgPool2d(4), _Flatten(), linear(16 * width, n_classes)]
    return nn.Sequential(*layers)


def make_network(
    arch: str,
    n_in: int,
    n_classes: int,
    width: int,
    seed: int,
    depth: int = 2,
    parameterization: str = "ntk",
    activation: str = "relu",
    image_shape: tuple[int, int, int] | None = None,
    bias: bool = True,
) -> nn.Sequential:
    """A freshly initialized dense network (see the module docstring); ``seed`` fixes θ0.

    Raises:
        InputError: unknown ``arch``, ``parameterization`` or ``activation``; width < 1;
            a CNN without image-shaped data.
    """
    if parameterization not in PARAMETERIZATIONS:
        raise InputError(
            f"parameterization: {parameterization!r} is not one of {', '.join(PARAMETERIZATIONS)}"
        )
    gen = torch.Generator().manual_seed(int(seed))
    if parameterization == "ntk":

        def linear(a: int, b: int) -> nn.Module:
            return NTKLinear(a, b, gen, bias)

        def conv(a: int, b: int) -> nn.Module:
            return NTKConv2d(a, b, gen, bias)

    else:

        def linear(a: int, b: int) -> nn.Module:
            return _standard_linear(a, b, gen, bias)

        def conv(a: int, b: int) -> nn.Module:
            return _standard_conv(a, b, gen, bias)

    return build_network(arch, n_in, n_classes, width, linear, conv, depth, activation, image_shape)
