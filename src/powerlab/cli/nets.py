"""``powerlab tangent`` and ``powerlab tickets``: the neural-network experiments.

Thin over :mod:`powerlab.nets`. List options accept several values after one flag
(``--widths 32 64 128``), comma-separated values (``--widths 32,64,128``) or a repeated flag.
PyTorch is imported only when one of these commands runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from powerlab._provenance import provenance
from powerlab.cli._common import (
    QUIET_OPT,
    JsonFlag,
    Table,
    console,
    emit_json,
    guarded,
    multi_value_command,
    parse_number,
    progress_bar,
    split_list,
    wrote,
)
from powerlab.errors import InputError

if TYPE_CHECKING:
    from powerlab.nets.tangent import TangentSweep
    from powerlab.nets.tickets import TicketSweep

__all__ = ["register", "tangent_cmd", "tickets_cmd"]

_MULTI = ("--widths", "--kept")

TANGENT_WIDTHS = (32, 64, 128, 256, 512, 1024)
TANGENT_WIDTHS_QUICK = (32, 64, 128, 256, 512)
TICKET_WIDTHS = (64, 128, 256, 512)
TICKET_WIDTHS_QUICK = (64, 256)
TICKET_KEPT = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7)
TICKET_KEPT_QUICK = (0.1, 0.3, 0.5)


_MultiValueCommand = multi_value_command(*_MULTI)


def _ints(values: list[str] | None, flag: str, default: tuple[int, ...]) -> list[int]:
    items = split_list(values, flag)
    if not items:
        return list(default)
    out = []
    for v in items:
        try:
            n = int(v)
        except ValueError:
            raise InputError(f"{flag}: {v!r} is not an integer") from None
        if n < 1:
            raise InputError(f"{flag}: {n} must be a positive integer")
        out.append(n)
    return out


def _floats(values: list[str] | None, flag: str, default: tuple[float, ...]) -> list[float]:
    items = split_list(values, flag)
    if not items:
        return list(default)
    return [parse_number(v, flag, low=0.0, high=1.0, open_low=True) for v in items]


def _positive(value: int, flag: str) -> int:
    if value < 1:
        raise InputError(f"{flag}: {value} must be at least 1")
    return value


def _setup(threads: int, data: Path | None, seed: int) -> Any:
    import torch

    from powerlab.nets.data import load_digits_dataset, load_npz_dataset

    torch.set_num_threads(_positive(threads, "--threads"))
    if data is not None:
        return load_npz_dataset(data, rng=seed)
    return load_digits_dataset(rng=seed)


_DATA_HELP = ".npz file with arrays X [N, D], y [N] (optional image_shape); default: digits."

# Options both commands take.
DataOpt = Annotated[Path | None, typer.Option("--data", help=_DATA_HELP)]
ThreadsOpt = Annotated[int, typer.Option("--threads", help="Torch CPU threads.")]
QuickOpt = Annotated[bool, typer.Option("--quick", help="Small sweep (< 2 min).")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a figure (PNG) to PATH.")]
EpochsOpt = Annotated[int | None, typer.Option("--epochs", help="Training epochs.")]
ArchOpt = Annotated[str, typer.Option("--arch", help="mlp or cnn.")]


def _tangent_table(doc: TangentSweep) -> None:
    s = doc.settings
    table = Table(
        title=f"network vs linearization (after {s['linearize_after']} of {s['epochs']} epochs)"
    )
    cols = ("width", "params", "gap", "rel gap", "‖Δθ‖/‖θ‖", "agree", "acc net", "acc lin")
    for c in cols:
        table.add_column(c, justify="right")
    for r in doc.rows:
        table.add_row(
            str(r.width),
            str(r.n_params),
            f"{r.gap:.4f}",
            f"{r.gap_relative:.3f}",
            f"{r.rel_param_change:.4f}",
            f"{r.agreement:.3f}",
            f"{r.acc_full:.3f}",
            f"{r.acc_lin:.3f}",
        )
    console.print(table)
    console.print(
        "gap: RMS test-output difference network - linearization; rel gap: gap / RMS output "
        "change of the network"
    )
    fit = doc.fit
    if fit is None:
        console.print("no scaling fit (needs two distinct widths)")
        return
    se = "n/a" if fit.stderr is None else f"{fit.stderr:.3f}"
    ci = "n/a" if fit.ci95 is None else f"[{fit.ci95[0]:.3f}, {fit.ci95[1]:.3f}]"
    console.print(
        f"gap ≈ {fit.prefactor:.3g}·width^b: b = {fit.exponent:.3f} (SE {se}, 95% CI {ci},"
        f" n = {fit.n}); Lee et al. 2019 predict b = -0.5"
    )


def _tickets_table(doc: TicketSweep) -> None:
    s = doc.settings
    table = Table(title=f"{s['method']} subnetworks vs dense ({s['arch']}, {s['epochs']} epochs)")
    cols = ("method", "width", "kept", "acc", "SE", "nonzero", "weights", "bits", "seeded")
    for c in cols:
        table.add_column(c, justify="right")
    for r in doc.rows:
        table.add_row(
            r.method,
            str(r.width),
            f"{r.kept:g}",
            f"{r.acc_test:.3f}",
            f"{r.acc_stderr:.3f}",
            str(r.nonzero),
            str(r.total_weights),
            str(r.bits_standalone),
            str(r.bits_with_seed),
        )
    console.print(table)
    console.print(
        f"kept fraction k: each weight tensor keeps ceil(k·n) of its n weights; "
        f"chance accuracy {doc.chance:.3f}"
    )


def _render(
    doc: Any,
    plot: Path | None,
    json_out: bool,
    figure: Callable[[Any], Any],
    table: Callable[[Any], None],
    settings: dict[str, Any],
) -> None:
    """Write the figure if asked, then print the JSON document (with provenance) or the table."""
    if plot is not None:
        from powerlab._figures import save_figure

        save_figure(figure(doc), plot)
        wrote(plot)
    if json_out:
        emit_json(doc.to_dict(), provenance(**settings))
        return
    table(doc)


def tangent_cmd(
    widths: Annotated[
        list[str] | None,
        typer.Option("--widths", help="Hidden widths to sweep, e.g. --widths 32,64."),
    ] = None,
    epochs: EpochsOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed: split, θ0, batches.")] = 0,
    linearize_after: Annotated[
        int, typer.Option("--linearize-after", help="Train k epochs first (Fort et al.).")
    ] = 0,
    repeats: Annotated[int, typer.Option("--repeats", help="Seeds per width.")] = 1,
    arch: ArchOpt = "mlp",
    lr: Annotated[float, typer.Option("--lr", help="SGD learning rate.")] = 0.1,
    momentum: Annotated[float, typer.Option("--momentum", help="SGD momentum.")] = 0.9,
    data: DataOpt = None,
    threads: ThreadsOpt = 1,
    quick: QuickOpt = False,
    plot: PlotOpt = None,
    json_out: JsonFlag = False,
    quiet: bool = QUIET_OPT,
) -> None:
    """Train networks and their linearizations (parameter tangent space) over widths."""
    default_w: tuple[int, ...] = TANGENT_WIDTHS_QUICK if quick else TANGENT_WIDTHS
    if arch == "cnn":
        default_w = (8, 16, 32) if quick else (8, 16, 32, 64)
    ws = _ints(widths, "--widths", default_w)
    n_epochs = _positive(epochs if epochs is not None else (10 if quick else 20), "--epochs")
    _positive(repeats, "--repeats")
    dataset = _setup(threads, data, seed)
    from powerlab.nets.plot import figure_tangent
    from powerlab.nets.tangent import tangent_sweep

    with progress_bar("tangent", len(ws) * repeats, enabled=not quiet) as advance:
        doc = tangent_sweep(
            dataset,
            ws,
            n_epochs,
            seed,
            repeats=repeats,
            linearize_after=linearize_after,
            progress=advance,
            arch=arch,
            lr=lr,
            momentum=momentum,
        )
    settings = {"seed": seed, "widths": ws, "epochs": n_epochs, "quick": quick or None}
    _render(doc, plot, json_out, figure_tangent, _tangent_table, settings)


def tickets_cmd(
    method: Annotated[str, typer.Option("--method", help="biprop or edgepopup.")] = "biprop",
    widths: Annotated[
        list[str] | None, typer.Option("--widths", help="Widths (CNN: channels).")
    ] = None,
    kept: Annotated[
        list[str] | None,
        typer.Option("--kept", help="Kept fractions k in (0, 1]: share of weights kept."),
    ] = None,
    arch: ArchOpt = "mlp",
    epochs: EpochsOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed: split, weights, batches.")] = 0,
    dense: Annotated[
        bool, typer.Option("--dense/--no-dense", help="Also train the dense baseline.")
    ] = True,
    data: DataOpt = None,
    threads: ThreadsOpt = 1,
    quick: QuickOpt = False,
    plot: PlotOpt = None,
    json_out: JsonFlag = False,
    quiet: bool = QUIET_OPT,
) -> None:
    """Find subnetworks of random networks (biprop / edge-popup) and compare with dense."""
    if method not in ("biprop", "edgepopup"):
        raise InputError(f"--method: {method!r} is not one of biprop, edgepopup")
    default_w: tuple[int, ...] = TICKET_WIDTHS_QUICK if quick else TICKET_WIDTHS
    if arch == "cnn":
        default_w = (8, 32) if quick else (8, 16, 32, 64)
    ws = _ints(widths, "--widths", default_w)
    ks = _floats(kept, "--kept", TICKET_KEPT_QUICK if quick else TICKET_KEPT)
    n_epochs = _positive(epochs if epochs is not None else (10 if quick else 20), "--epochs")
    dataset = _setup(threads, data, seed)
    from powerlab.nets.plot import figure_tickets
    from powerlab.nets.tickets import tickets_sweep

    total = len(ws) * (len(ks) + int(dense))
    with progress_bar("tickets", total, enabled=not quiet) as advance:
        doc = tickets_sweep(
            dataset, method, ws, ks, arch, n_epochs, seed, dense=dense, progress=advance
        )
    settings = {"seed": seed, "widths": ws, "kept": ks, "epochs": n_epochs, "quick": quick or None}
    _render(doc, plot, json_out, figure_tickets, _tickets_table, settings)


def register(app: typer.Typer) -> None:
    """Add the ``tangent`` and ``tickets`` commands to ``app``."""
    app.command("tangent", cls=_MultiValueCommand)(guarded(tangent_cmd))
    app.command("tickets", cls=_MultiValueCommand)(guarded(tickets_cmd))
