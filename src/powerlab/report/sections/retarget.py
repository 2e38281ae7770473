"""Demo section: n-majority and retargetability for RDSP's decision rules (Turner & Tadepalli 2022)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from powerlab._figures import pyplot
from powerlab._resources import examples_dir
from powerlab.mdp import load_mdp
from powerlab.report.page import Section, figure_html, save_report_figure, table_html
from powerlab.retarget.analysis import analyze_mdp, analyze_outcomes

__all__ = ["build"]

RULES = (
    "optimal",
    "fracoptimal",
    "antiopt",
    "boltzmann:0.1",
    "bestof:3",
    "satisfice:0.4",
    "quantilizer:0.5",
)


def _row(rule: str, doc: dict[str, Any]) -> list[Any]:
    r = doc.get("retargeting", {})
    n = doc["largest_n"]
    return [
        rule,
        doc["orbit_size"],
        doc["B_over_A"],
        doc["A_over_B"],
        doc["ties"],
        "∞" if n is None else n,
        str(doc["fraction_B_at_least_A"]),
        r.get("n", "-"),
        r.get("verified", "-"),
        r.get("theorem1_conclusion", "-"),
    ]


def _figure(rows: list[list[Any]], outdir: Path) -> str:
    fig, ax = pyplot().subplots(figsize=(7, 3))
    names = [r[0] for r in rows]
    total = np.array([r[1] for r in rows], dtype=float)
    parts = [("B > A", 2, "#3a7"), ("tie", 4, "#bbb"), ("A > B", 3, "#c44")]
    left = np.zeros(len(rows))
    for label, col, color in parts:
        share = np.array([r[col] for r in rows], dtype=float) / total
        ax.barh(names, share, left=left, color=color, label=label)
        left += share
    ax.set_xlabel("share of the orbit of u (4! = 24 utility vectors)")
    ax.invert_yaxis()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, fontsize=8)
    return save_report_figure(fig, outdir, "retarget-pacman.png")


def build(outdir: Path, quick: bool) -> Section:
    """Counts of f(B) > f(A) over the orbit, retargeting permutations and Theorem 1, per rule."""
    ex = examples_dir()
    spec = yaml.safe_load((ex / "retarget" / "pacman-outcomes.yaml").read_text())
    out_rows = []
    for rule in RULES:
        doc = analyze_outcomes(spec["utility"], spec["labels"], spec["A"], spec["B"], rule=rule)
        out_rows.append(_row(rule, doc.to_dict()))
    fig1 = load_mdp(ex / "fig1.yaml")
    mdp_rows = []
    for rule in RULES[:4]:
        search = rule == "optimal" or not quick
        doc = analyze_mdp(
            fig1, "start", ["dead"], ["l_mid", "r_mid"], 0.9, rule=rule, search=search
        )
        mdp_rows.append(_row(rule, doc.to_dict()))
    header = [
        "rule",
        "|orbit|",
        "|B>A|",
        "|A>B|",
        "ties",
        "largest n",
        "n/(n+1)",
        "perms found",
        "Def 4 verified",
        "Thm 1 holds",
    ]
    name = _figure(out_rows, outdir)
    html = (
        "<p>Turner &amp; Tadepalli (2022) retargetability. Outcome setting (RDSP Sec. 3): Pac-Man "
        "can die (A) or reach one of three other outcomes (B); u = "
        f"({', '.join(map(str, spec['utility']))}) over "
        f"({escape(', '.join(spec['labels']))}). Counts are exact over the 24 points of the "
        "orbit of u; the retargeting permutations are the transpositions of RDSP's copies "
        "construction, verified against RDSP Def. 3.5 (Krakovna &amp; Kramár 2023, Def. 4), and Theorem 1's conclusion "
        "|B&gt;A| ≥ n |A&gt;B| is checked with that n.</p>"
        + table_html(header, out_rows)
        + figure_html(name, "How each decision rule splits the orbit of u")
        + "<p>MDP setting: four rules at <code>start</code> of Turner et al. (2021)'s Figure 1 "
        "(A = die, B = move to l_mid or r_mid), γ = 0.9, over the 8! = 40320 points of the orbit "
        "of R = (0, 1/7, ..., 1); permutations searched among all transpositions of states.</p>"
        + table_html(header, mdp_rows)
    )
    opt = out_rows[0]
    summary = [
        ("Pac-Man IsOptimal |B>A| : |A>B|", f"{opt[2]} : {opt[3]} (n = {opt[5]}, {opt[6]})"),
        ("Turner Fig. 1 start IsOptimal n, n/(n+1)", f"{mdp_rows[0][5]}, {mdp_rows[0][6]}"),
    ]
    return Section(
        "Retargetability and n-majority (RDSP)",
        html,
        summary,
        command=(
            "powerlab retarget outcomes --utility 0 0.25 0.5 1 --labels death candy hug "
            "chocolate --A death --B candy hug chocolate --rule optimal --json; "
            "powerlab retarget mdp examples/fig1.yaml --state start --A dead --B l_mid r_mid "
            "-g 0.9 --rule optimal --search --json"
        ),
    )
