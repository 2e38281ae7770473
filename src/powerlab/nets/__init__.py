"""Neural-network systems: the parameter tangent space and multi-prize lottery tickets.

Two experiments on small classifiers (scikit-learn's bundled 8x8 digits, or any ``(X, y)``
arrays the user brings), with PyTorch on CPU:

* :mod:`powerlab.nets.tangent` trains a network and, from the same initialization θ0, its
  first-order Taylor expansion f_lin(x, θ) = f(x, θ0) + ∇θ f(x, θ0)·(θ - θ0) (Lee et al. 2019,
  Eq. 6; the "parameter tangent space" of Wentworth's "Updating the Lottery Ticket
  Hypothesis"), and measures how far apart they end up as the width grows.
* :mod:`powerlab.nets.tickets` searches for subnetworks of frozen random networks: edge-popup
  (Ramanujan et al. 2020, Algorithm 1) and biprop (Diffenderfer & Kailkhura 2021, Algorithm 1),
  against the same architecture trained densely.

PyTorch is imported lazily: ``import powerlab.nets`` loads only this file; the names below are
resolved on first use, so commands that never touch a network never pay torch's import time.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Dataset",
    "PowerLawFit",
    "TangentResult",
    "TangentSweep",
    "TicketResult",
    "TicketSweep",
    "bits_to_store",
    "fit_power_law",
    "kept_count",
    "kept_fraction",
    "linearize",
    "load_digits_dataset",
    "load_npz_dataset",
    "make_dataset",
    "make_network",
    "tangent_sweep",
    "tickets_sweep",
    "topk_mask",
    "train_pair",
    "train_ticket",
]

_WHERE = {
    "Dataset": "data",
    "load_digits_dataset": "data",
    "load_npz_dataset": "data",
    "make_dataset": "data",
    "fit_power_law": "scaling",
    "PowerLawFit": "scaling",
    "kept_count": "masks",
    "kept_fraction": "masks",
    "topk_mask": "masks",
    "bits_to_store": "storage",
    "make_network": "models",
    "linearize": "tangent",
    "train_pair": "tangent",
    "tangent_sweep": "tangent",
    "TangentResult": "tangent",
    "TangentSweep": "tangent",
    "train_ticket": "tickets",
    "tickets_sweep": "tickets",
    "TicketResult": "tickets",
    "TicketSweep": "tickets",
}


def __getattr__(name: str) -> Any:
    """Resolve a public name by importing its submodule on first use (PEP 562)."""
    if name in _WHERE:
        return getattr(importlib.import_module(f"powerlab.nets.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'powerlab.nets' has no attribute {name!r}")
