"""Demo section: the parameter tangent space and multi-prize lottery tickets
(Lee et al. 2019; Diffenderfer & Kailkhura 2021; Ramanujan et al. 2020).

Tiny budgets on the bundled digits (one torch thread): a three-width tangent sweep and a
biprop / edge-popup sweep over kept fractions against dense training, well under 40 s.
"""

from __future__ import annotations

from pathlib import Path

from powerlab.report.page import Section, figure_html, save_report_figure, table_html

__all__ = ["build"]


def build(outdir: Path, quick: bool, seed: int = 0) -> Section:
    """Network vs linearization over widths; biprop and edge-popup tickets vs dense."""
    import torch

    from powerlab.nets.data import load_digits_dataset
    from powerlab.nets.plot import figure_tangent, figure_tickets
    from powerlab.nets.tangent import tangent_sweep
    from powerlab.nets.tickets import tickets_sweep

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        data = load_digits_dataset(rng=seed)
        epochs = 4 if quick else 6
        tangent = tangent_sweep(data, [32, 128, 512], epochs, seed, lr=0.1, momentum=0.9)
        kepts = [0.1, 0.3, 0.5]
        bip = tickets_sweep(data, "biprop", [128], kepts, "mlp", epochs, seed)
        pop = tickets_sweep(data, "edgepopup", [128], kepts, "mlp", epochs, seed, dense=False)
    finally:
        torch.set_num_threads(threads)
    f1 = save_report_figure(figure_tangent(tangent), outdir, "nets-tangent.png")
    f2 = save_report_figure(figure_tickets(bip, pop), outdir, "nets-tickets.png")
    t_rows = [
        [
            r.width,
            r.n_params,
            f"{r.gap:.4f}",
            f"{r.rel_param_change:.4f}",
            f"{r.agreement:.3f}",
            f"{r.acc_full:.3f}",
            f"{r.acc_lin:.3f}",
        ]
        for r in tangent.rows
    ]
    t_head = ["width", "params", "gap (RMS)", "‖Δθ‖/‖θ0‖", "agreement", "acc net", "acc lin"]
    k_rows = [
        [
            r.method,
            r.width,
            f"{r.kept:g}",
            f"{r.acc_test:.3f}",
            r.nonzero,
            r.bits_standalone,
            r.bits_with_seed,
        ]
        for r in bip.rows + pop.rows
    ]
    k_head = ["method", "width", "kept k", "test acc", "nonzero", "bits", "bits with seed"]
    fit = tangent.fit
    assert fit is not None  # three distinct widths
    se = fit.stderr
    fit_text = f"b = {fit.exponent:.2f}" + (f" ± {se:.2f}" if se is not None else "")
    html = (
        "<p>A network f(x, θ) and its first-order Taylor expansion around θ0, "
        "f(x, θ0) + ∇θ f(x, θ0)·(θ − θ0) (computed with <code>torch.func.jvp</code>), are "
        "trained from the same initialization with the same SGD and minibatches on the "
        f"digits ({epochs} epochs, NTK parameterization). The RMS gap between their test "
        f"outputs scales like width<sup>b</sup> with {fit_text} (OLS on logs, standard error); "
        "Lee et al. 2019 predict b = −1/2.</p>"
        + table_html(t_head, t_rows)
        + figure_html(f1, "Network vs its linearization over width")
        + "<p>Subnetworks of frozen random MLPs: biprop (α·sign(W) masked, one gain α per "
        "layer) and edge-popup (W masked), found by training scores only. The kept fraction "
        "k is the share of each weight tensor kept nonzero (⌈k·n⌉ of n). Bits: standalone "
        "storage (mask + signs + gains for biprop; mask + float32 values for edge-popup; "
        "float32 per weight for dense) and with the random weights regenerated from a seed.</p>"
        + table_html(k_head, k_rows)
        + figure_html(f2, "biprop and edge-popup subnetworks vs dense training, width 128")
    )
    best = max((r for r in bip.rows if r.method == "biprop"), key=lambda r: r.acc_test)
    dense = next(r for r in bip.rows if r.method == "dense")
    summary = [
        ("gap ∝ width^b", fit_text),
        (
            f"biprop k={best.kept:g} vs dense accuracy",
            f"{best.acc_test:.3f} vs {dense.acc_test:.3f}",
        ),
        ("biprop vs dense bits", f"{best.bits_standalone} vs {dense.bits_standalone}"),
    ]
    return Section(
        title="Parameter tangent space and multi-prize lottery tickets",
        html=html,
        summary=summary,
        command=(
            f"powerlab tangent --widths 32,128,512 --epochs {epochs} --seed {seed} && "
            f"powerlab tickets --method biprop --widths 128 --kept 0.1,0.3,0.5 --epochs {epochs} "
            f"--seed {seed} && "
            f"powerlab tickets --method edgepopup --widths 128 --kept 0.1,0.3,0.5 "
            f"--epochs {epochs} --seed {seed} --no-dense"
        ),
    )
