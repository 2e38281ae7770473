"""Shared training plumbing: tensors from a :class:`Dataset`, seeded data order, loss, accuracy.

The data order of every epoch is drawn once from ``torch.Generator().manual_seed(seed)``, so
two models trained with the same seed see the same minibatches in the same order.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from powerlab.errors import InputError
from powerlab.nets.data import Dataset

__all__ = ["LOSSES", "Batches", "accuracy", "batch_orders", "loss_fn", "tensors"]

LOSSES = ("mse", "ce")

Batches = list[list[torch.Tensor]]


def tensors(
    data: Dataset, dtype: torch.dtype = torch.float32
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(X_train [N, D], y_train [N], X_test [M, D], y_test [M])`` as torch tensors."""
    return (
        torch.as_tensor(data.X_train, dtype=dtype),
        torch.as_tensor(data.y_train, dtype=torch.long),
        torch.as_tensor(data.X_test, dtype=dtype),
        torch.as_tensor(data.y_test, dtype=torch.long),
    )


def batch_orders(n: int, epochs: int, batch_size: int, seed: int) -> Batches:
    """Minibatch index lists for each epoch: ``orders[e][j]`` is batch j of epoch e.

    Each epoch is a fresh permutation of ``0..n-1`` from a generator seeded with ``seed``,
    cut into consecutive batches of ``batch_size`` (the last may be smaller).
    """
    if epochs < 0:
        raise InputError(f"epochs: {epochs} must be non-negative")
    if batch_size < 1:
        raise InputError(f"batch_size: {batch_size} must be positive")
    gen = torch.Generator().manual_seed(int(seed) + 7919)
    return [list(torch.randperm(n, generator=gen).split(batch_size)) for _ in range(epochs)]


def loss_fn(kind: str, n_classes: int) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The training loss ℓ(logits [B, K], y [B]).

    ``mse``: ½·mean_b ‖f(x_b) - e_{y_b}‖² against one-hot targets (the loss under which Lee et
    al. 2019, Sec. 2.2, solve the linearized dynamics in closed form); ``ce``: cross-entropy.
    """
    if kind == "mse":

        def mse(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            target = torch.nn.functional.one_hot(y, n_classes).to(out.dtype)
            return 0.5 * ((out - target) ** 2).sum(dim=1).mean()

        return mse
    if kind == "ce":
        return torch.nn.functional.cross_entropy
    raise InputError(f"loss: {kind!r} is not one of {', '.join(LOSSES)}")


def accuracy(out: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows of ``out: [B, K]`` whose argmax equals ``y: [B]``."""
    return float((out.argmax(dim=1) == y).double().mean())
