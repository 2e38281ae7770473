"""Multi-prize lottery tickets: subnetworks of frozen random networks, against dense training.

A ticket network has the architecture of :mod:`powerlab.nets.models` (MLP or small CNN,
without biases, as in the reference code) with every weight tensor W frozen at its random
initialization W_ij ~ N(0, σ_w²/(k·n)) (He et al.'s ReLU scale with the fan-in n reduced to the
k·n kept inputs: ``scale_fan`` of ``allenai/hidden-networks``). Only the scores s (one per
weight, initialized U(-1/√n, 1/√n)) are trained, by SGD with momentum and a cosine learning
rate, through the straight-through estimator of :mod:`powerlab.nets.masks`:

* ``edgepopup`` (Ramanujan et al. 2020, Algorithm 1): effective weight W ⊙ top-k(|s|);
* ``biprop`` (Diffenderfer & Kailkhura 2021, Algorithm 1): α·sign(W) ⊙ top-k(|s|) with the
  per-tensor gain α = ‖M ⊙ W‖₁/‖M‖₀.

``dense`` trains the weights of the same architecture (same init scale with k = 1, same
optimizer) and is the baseline. Each run reports test accuracy, the kept and nonzero weight
counts, and the bits to store the result (:mod:`powerlab.nets.storage`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

import torch
from torch import nn

from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.nets._train import accuracy, batch_orders, loss_fn, tensors
from powerlab.nets.data import Dataset
from powerlab.nets.masks import binarized_weight, kept_count, kept_fraction, popup_weight
from powerlab.nets.models import SIGMA_W, build_network
from powerlab.nets.storage import METHODS, bits_to_store

__all__ = [
    "MaskedConv2d",
    "MaskedLinear",
    "TicketResult",
    "TicketSweep",
    "make_ticket_network",
    "masked_layers",
    "tickets_sweep",
    "train_ticket",
]


class _Masked(nn.Module):
    """A frozen random weight W (buffer), trainable scores s, and a method (module docstring)."""

    def __init__(
        self, shape: tuple[int, ...], fan_in: int, method: str, kept: Fraction, gen: torch.Generator
    ) -> None:
        super().__init__()
        self.method = method
        self.kept = kept
        k = float(kept) if method != "dense" else 1.0
        std = SIGMA_W / math.sqrt(k * fan_in)
        weight = torch.randn(*shape, generator=gen) * std
        bound = 1.0 / math.sqrt(fan_in)
        scores = (torch.rand(*shape, generator=gen) * 2 - 1) * bound
        if method == "dense":
            self.weight = nn.Parameter(weight)
            self.register_buffer("scores", scores)
        else:
            self.register_buffer("weight", weight)
            self.scores = nn.Parameter(scores)

    def effective_weight(self) -> torch.Tensor:
        """The weight the layer applies: W, W ⊙ M, or α·sign(W) ⊙ M."""
        if self.method == "dense":
            return self.weight
        if self.method == "edgepopup":
            return popup_weight(self.weight, self.scores, self.kept)
        return binarized_weight(self.weight, self.scores, self.kept)

    def kept_count(self) -> int:
        """Number of weights this tensor keeps: ⌈k·n⌉ (all n for dense)."""
        n = self.weight.numel()
        return n if self.method == "dense" else kept_count(n, self.kept)


class MaskedLinear(_Masked):
    """``x: [B, n]`` → ``x·W_effᵀ: [B, m]``, no bias."""

    def __init__(self, n_in: int, n_out: int, method: str, kept: Fraction, gen: torch.Generator):
        super().__init__((n_out, n_in), n_in, method, kept, gen)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the layer."""
        return torch.nn.functional.linear(x, self.effective_weight())


class MaskedConv2d(_Masked):
    """3x3 convolution (padding 1) with the effective weight, no bias; fan-in 9·C_in."""

    def __init__(self, c_in: int, c_out: int, method: str, kept: Fraction, gen: torch.Generator):
        super().__init__((c_out, c_in, 3, 3), 9 * c_in, method, kept, gen)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the convolution to ``x: [B, C_in, H, W]``."""
        return torch.nn.functional.conv2d(x, self.effective_weight(), padding=1)


def make_ticket_network(
    data: Dataset, method: str, arch: str, width: int, kept: float, seed: int, depth: int = 2
) -> nn.Sequential:
    """The masked (or, for ``dense``, ordinary) network of the module docstring; ``seed`` fixes it."""
    if method not in METHODS:
        raise InputError(f"method: {method!r} is not one of {', '.join(METHODS)}")
    frac = kept_fraction(kept)
    gen = torch.Generator().manual_seed(int(seed))

    def linear(a: int, b: int) -> nn.Module:
        return MaskedLinear(a, b, method, frac, gen)

    def conv(a: int, b: int) -> nn.Module:
        return MaskedConv2d(a, b, method, frac, gen)

    return build_network(
        arch, data.n_features, data.n_classes, width, linear, conv, depth, "relu", data.image_shape
    )


def masked_layers(model: nn.Module) -> list[_Masked]:
    """The weight-carrying layers of a ticket network, in order."""
    return [m for m in model.modules() if isinstance(m, _Masked)]


@dataclass(frozen=True)
class TicketResult:
    """One trained subnetwork (or dense baseline) and its storage cost.

    ``acc_stderr`` is the binomial standard error √(p(1-p)/N_test) of the test accuracy p;
    ``kept_actual`` = Σ⌈k·n_l⌉ / Σ n_l; bits as in :mod:`powerlab.nets.storage`; ``gains`` are
    biprop's per-layer α (empty otherwise).
    """

    method: str
    arch: str
    width: int
    kept: float
    kept_actual: float
    seed: int
    acc_test: float
    acc_stderr: float
    acc_train: float
    total_weights: int
    nonzero: int
    bits_standalone: int
    bits_with_seed: int
    mask_entropy_bits: int
    gains: list[float] = field(default_factory=list)

    def to_dict(self) -> JSON:
        """The fields as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class TicketSweep:
    """What :func:`tickets_sweep` measured.

    Attributes:
        rows: one :class:`TicketResult` per run: per width, the dense baseline (if asked)
            then each kept fraction.
        chance: the test accuracy of always predicting the most frequent class.
        settings: the run's parameters (data, method, architecture, epochs, seed, options).
    """

    rows: list[TicketResult]
    chance: float
    settings: JSON

    def to_dict(self) -> JSON:
        """The JSON document of ``powerlab tickets --json``."""
        return {
            "rows": [r.to_dict() for r in self.rows],
            "chance": self.chance,
            "settings": self.settings,
        }


def train_ticket(
    data: Dataset,
    method: str = "biprop",
    arch: str = "mlp",
    width: int = 128,
    kept: float = 0.5,
    epochs: int = 20,
    seed: int = 0,
    depth: int = 2,
    lr: float = 0.1,
    momentum: float = 0.9,
    weight_decay: float = 1e-4,
    batch_size: int = 128,
) -> TicketResult:
    """Train the scores (or, for ``dense``, the weights) by SGD on cross-entropy; evaluate.

    SGD with momentum, weight decay and a cosine learning-rate schedule over all steps, as in
    the reference configurations; ``seed`` fixes W, the initial scores and the batch order.

    Raises:
        InputError: unknown method or architecture, kept outside (0, 1], epochs < 1, lr <= 0.
    """
    if epochs < 1:
        raise InputError(f"epochs: {epochs} must be at least 1")
    if not lr > 0:
        raise InputError(f"lr: {lr} must be positive")
    model = make_ticket_network(data, method, arch, width, kept, seed, depth)
    Xtr, ytr, Xte, yte = tensors(data)
    ell = loss_fn("ce", data.n_classes)
    orders = batch_orders(Xtr.shape[0], epochs, batch_size, seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    steps = sum(len(o) for o in orders)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda t: 0.5 * (1 + math.cos(math.pi * t / steps))
    )
    model.train()
    for order in orders:
        for idx in order:
            opt.zero_grad()
            ell(model(Xtr[idx]), ytr[idx]).backward()
            opt.step()
            sched.step()
    with torch.no_grad():
        acc_test = accuracy(model(Xte), yte)
        acc_train = accuracy(model(Xtr), ytr)
        layers = masked_layers(model)
        sizes = [m.weight.numel() for m in layers]
        counts = [m.kept_count() for m in layers]
        nonzero = sum(int((m.effective_weight() != 0).sum()) for m in layers)
        gains = []
        if method == "biprop":
            gains = [float(m.effective_weight().abs().max()) for m in layers]
    bits = bits_to_store(method, sizes, counts)
    return TicketResult(
        method=method,
        arch=arch,
        width=int(width),
        kept=1.0 if method == "dense" else float(kept),
        kept_actual=sum(counts) / sum(sizes),
        seed=int(seed),
        acc_test=acc_test,
        acc_stderr=math.sqrt(acc_test * (1 - acc_test) / Xte.shape[0]),
        acc_train=acc_train,
        total_weights=bits["total"],
        nonzero=nonzero,
        bits_standalone=bits["standalone"],
        bits_with_seed=bits["with_seed"],
        mask_entropy_bits=bits["mask_entropy_bits"],
        gains=gains,
    )


def tickets_sweep(
    data: Dataset,
    method: str,
    widths: list[int],
    kepts: list[float],
    arch: str = "mlp",
    epochs: int = 20,
    seed: int = 0,
    dense: bool = True,
    progress: Callable[[int], None] | None = None,
    **options: Any,
) -> TicketSweep:
    """:func:`train_ticket` over ``widths`` × ``kepts``, plus a dense baseline per width."""
    if method not in ("edgepopup", "biprop"):
        raise InputError(f"method: {method!r} is not one of biprop, edgepopup")
    if not widths or not kepts:
        raise InputError("widths and kept: give at least one value each")
    for k in kepts:
        kept_fraction(k)
    rows = []
    for w in widths:
        if dense:
            rows.append(train_ticket(data, "dense", arch, w, 1.0, epochs, seed, **options))
            if progress is not None:
                progress(1)
        for k in kepts:
            rows.append(train_ticket(data, method, arch, w, k, epochs, seed, **options))
            if progress is not None:
                progress(1)
    settings = {
        "data": data.name,
        "method": method,
        "arch": arch,
        "epochs": epochs,
        "seed": seed,
        "n_train": int(data.X_train.shape[0]),
        "n_test": int(data.X_test.shape[0]),
        "kept_meaning": "share of each weight tensor kept nonzero: ceil(k * n) of n entries",
        **options,
    }
    return TicketSweep(rows, data.chance, settings)
