"""Training a network and its linearization (the parameter tangent space) side by side.

For a network f(x, θ) with initial parameters θ0, the linearized model is the first-order
Taylor expansion in the parameters (Lee et al. 2019, Eq. 6):

    f_lin(x, θ) = f(x, θ0) + ∇θ f(x, θ0) · (θ - θ0).

Wentworth ("Updating the Lottery Ticket Hypothesis") calls the set {f_lin(·, θ)} the parameter
tangent space and argues that SGD effectively searches it. Lee et al. (Theorem 2.1) prove that
under gradient descent with NTK parameterization, sup_t ‖f_t - f_t^lin‖ = O(n^{-1/2}) in the
width n; Fort et al. 2020 ("Deep learning versus kernel learning") observe that linearizing
after a few epochs of ordinary training (θ0 replaced by θ_k) tracks the network far better
than linearizing at initialization.

Here f_lin is evaluated with ``torch.func.jvp`` (one forward-mode pass gives both f(x, θ0)
and the directional derivative), never with hand-written Jacobians; training it by
backpropagation through the jvp. Both models use the same optimizer, learning rate and
minibatch order. Reported per width, on the held-out data:

* ``gap``: RMS over test points and classes of f(x, θ_T) - f_lin(x, θ_T^lin);
* ``gap_relative``: gap divided by the RMS of f(x, θ_T) - f(x, θ_anchor) (how far the network moved);
* ``rel_param_change``: ‖θ_T - θ_anchor‖ / ‖θ_anchor‖ for the network (``_lin`` for f_lin);
* ``agreement``: fraction of test points where both predict the same class;
* ``acc_full`` and ``acc_lin``: test accuracies.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch.func import functional_call, jvp

from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.nets._train import accuracy, batch_orders, loss_fn, tensors
from powerlab.nets.data import Dataset
from powerlab.nets.models import make_network
from powerlab.nets.scaling import PowerLawFit, fit_power_law

__all__ = ["TangentResult", "TangentSweep", "linearize", "tangent_sweep", "train_pair"]

Params = dict[str, torch.Tensor]


def linearize(
    model: torch.nn.Module, params0: Params
) -> Callable[[Params, torch.Tensor], torch.Tensor]:
    """f_lin(θ, x) = f(x, θ0) + ∇θ f(x, θ0)·(θ - θ0), via ``torch.func.jvp`` (Lee et al. Eq. 6).

    Args:
        model: the network; its own parameters are not used, only its structure.
        params0: θ0, a name → tensor dict as in ``model.named_parameters()``.

    Returns:
        ``f_lin(params, x)``, mapping ``x: [B, D]`` to ``[B, K]``; differentiable in ``params``.
    """
    names = {k for k, _ in model.named_parameters()}
    if set(params0) != names:
        missing = sorted(names ^ set(params0))
        raise InputError(f"params0: names differ from the model's parameters at {missing[:3]}")
    anchor = {k: v.detach() for k, v in params0.items()}

    def f_lin(params: Params, x: torch.Tensor) -> torch.Tensor:
        def f(p: Params) -> torch.Tensor:
            return functional_call(model, p, (x,))

        delta = {k: params[k] - anchor[k] for k in anchor}
        with warnings.catch_warnings():
            # torch's first forward-mode call loads jit-scripted decompositions, which warns.
            warnings.filterwarnings("ignore", ".*torch.jit.script.*", DeprecationWarning)
            primal_and_tangent = jvp(f, (anchor,), (delta,))
        return primal_and_tangent[0] + primal_and_tangent[1]

    return f_lin


@dataclass(frozen=True)
class TangentResult:
    """One network/linearization pair after training (see the module docstring for fields)."""

    width: int
    seed: int
    n_params: int
    gap: float
    gap_relative: float
    rel_param_change: float
    rel_param_change_lin: float
    agreement: float
    acc_full: float
    acc_lin: float
    linearize_after: int
    epochs: int
    gap_history: list[float] = field(default_factory=list)

    def to_dict(self) -> JSON:
        """The fields as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class TangentSweep:
    """What :func:`tangent_sweep` measured.

    Attributes:
        rows: one :class:`TangentResult` per (width, seed), widths in the order given.
        fit: the power law of ``gap`` against width, None with fewer than two distinct widths
            or a zero gap.
        settings: the run's parameters (data, sizes, epochs, seed, repeats, options).
    """

    rows: list[TangentResult]
    fit: PowerLawFit | None
    settings: JSON

    def to_dict(self) -> JSON:
        """The JSON document of ``powerlab tangent --json``."""
        return {
            "rows": [r.to_dict() for r in self.rows],
            "fit": None if self.fit is None else self.fit.to_dict(),
            "settings": self.settings,
        }


def _norm(p: Params) -> float:
    return float(torch.stack([(v.detach() ** 2).sum() for v in p.values()]).sum().sqrt())


def _diff_norm(p: Params, q: Params) -> float:
    return float(torch.stack([((p[k].detach() - q[k]) ** 2).sum() for k in q]).sum().sqrt())


def _make_opt(params: list[torch.Tensor], lr: float, momentum: float) -> torch.optim.Optimizer:
    return torch.optim.SGD(params, lr=lr, momentum=momentum)


def _rms(a: torch.Tensor) -> float:
    return float(torch.sqrt((a.detach() ** 2).mean()))


def train_pair(
    data: Dataset,
    width: int,
    epochs: int = 20,
    seed: int = 0,
    linearize_after: int = 0,
    arch: str = "mlp",
    depth: int = 2,
    lr: float = 0.5,
    momentum: float = 0.0,
    batch_size: int = 128,
    loss: str = "mse",
    activation: str = "relu",
    parameterization: str = "ntk",
) -> TangentResult:
    """Train f and f_lin from the same θ (same SGD, same minibatches); compare on test data.

    With ``linearize_after = k > 0`` the network is first trained alone for k epochs to θ_k,
    then f and its linearization around θ_k are trained for the remaining ``epochs - k``
    (Fort et al. 2020). ``seed`` fixes θ0 and the minibatch order.

    Raises:
        InputError: ``epochs < 1``, ``linearize_after`` outside ``[0, epochs)``, ``lr <= 0``,
            or a bad architecture option.
    """
    if epochs < 1:
        raise InputError(f"epochs: {epochs} must be at least 1")
    if not 0 <= linearize_after < epochs:
        raise InputError(f"linearize_after: {linearize_after} is outside [0, epochs={epochs})")
    if not lr > 0:
        raise InputError(f"lr: {lr} must be positive")
    if not 0 <= momentum < 1:
        raise InputError(f"momentum: {momentum} is outside [0, 1)")
    model = make_network(
        arch,
        data.n_features,
        data.n_classes,
        width,
        seed,
        depth=depth,
        parameterization=parameterization,
        activation=activation,
        image_shape=data.image_shape,
    )
    dtype = next(model.parameters()).dtype
    Xtr, ytr, Xte, yte = tensors(data, dtype)
    ell = loss_fn(loss, data.n_classes)
    orders = batch_orders(Xtr.shape[0], epochs, batch_size, seed)

    theta = {k: v.detach().clone().requires_grad_(True) for k, v in model.named_parameters()}
    opt_full = _make_opt(list(theta.values()), lr, momentum)

    def full(p: Params, x: torch.Tensor) -> torch.Tensor:
        return functional_call(model, p, (x,))

    for e in range(linearize_after):
        for idx in orders[e]:
            opt_full.zero_grad()
            ell(full(theta, Xtr[idx]), ytr[idx]).backward()
            opt_full.step()

    anchor = {k: v.detach().clone() for k, v in theta.items()}
    f_lin = linearize(model, anchor)
    theta_lin = {k: v.clone().requires_grad_(True) for k, v in anchor.items()}
    opt_lin = _make_opt(list(theta_lin.values()), lr, momentum)
    with torch.no_grad():
        out_anchor = full(anchor, Xte)

    history: list[float] = []
    for e in range(linearize_after, epochs):
        for idx in orders[e]:
            opt_full.zero_grad()
            ell(full(theta, Xtr[idx]), ytr[idx]).backward()
            opt_full.step()
            opt_lin.zero_grad()
            ell(f_lin(theta_lin, Xtr[idx]), ytr[idx]).backward()
            opt_lin.step()
        with torch.no_grad():
            history.append(_rms(full(theta, Xte) - f_lin(theta_lin, Xte)))

    with torch.no_grad():
        out_full = full(theta, Xte)
        out_lin = f_lin(theta_lin, Xte)
    moved = _rms(out_full - out_anchor)
    gap = _rms(out_full - out_lin)
    norm0 = _norm(anchor)
    return TangentResult(
        width=int(width),
        seed=int(seed),
        n_params=int(sum(v.numel() for v in anchor.values())),
        gap=gap,
        gap_relative=gap / moved if moved > 0 else float("nan"),
        rel_param_change=_diff_norm(theta, anchor) / norm0,
        rel_param_change_lin=_diff_norm(theta_lin, anchor) / norm0,
        agreement=float((out_full.argmax(1) == out_lin.argmax(1)).double().mean()),
        acc_full=accuracy(out_full, yte),
        acc_lin=accuracy(out_lin, yte),
        linearize_after=int(linearize_after),
        epochs=int(epochs),
        gap_history=history,
    )


def tangent_sweep(
    data: Dataset,
    widths: list[int],
    epochs: int = 20,
    seed: int = 0,
    repeats: int = 1,
    linearize_after: int = 0,
    progress: Callable[[int], None] | None = None,
    **options: Any,
) -> TangentSweep:
    """:func:`train_pair` for every width (× ``repeats`` seeds ``seed, seed+1, ...``), plus a fit.

    The fit is :func:`powerlab.nets.scaling.fit_power_law` of ``gap`` against width over all
    runs: gap ≈ a·width^b, b with its standard error and 95 % interval (Lee et al. 2019,
    Theorem 2.1, predict b = -1/2 at initialization-linearization).

    Returns:
        A :class:`TangentSweep`; its ``fit`` is ``None`` with fewer than two distinct widths or
        a zero gap.
    """
    if not widths:
        raise InputError("widths: give at least one width")
    if repeats < 1:
        raise InputError(f"repeats: {repeats} must be at least 1")
    rows = []
    for w in widths:
        for r in range(repeats):
            res = train_pair(
                data, int(w), epochs, seed + r, linearize_after=linearize_after, **options
            )
            rows.append(res)
            if progress is not None:
                progress(1)
    fit = None
    gaps = [row.gap for row in rows]
    if len(set(widths)) >= 2 and all(g > 0 for g in gaps):
        fit = fit_power_law([row.width for row in rows], gaps)
    settings = {
        "data": data.name,
        "n_train": int(data.X_train.shape[0]),
        "n_test": int(data.X_test.shape[0]),
        "epochs": epochs,
        "seed": seed,
        "repeats": repeats,
        "linearize_after": linearize_after,
        **options,
    }
    return TangentSweep(rows, fit, settings)
