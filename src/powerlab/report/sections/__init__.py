"""The sections of ``powerlab demo``'s report, in the order they appear.

Each entry names a module that defines ``build(outdir: Path, quick: bool) -> Section``.
"""

SECTIONS: tuple[str, ...] = (
    "powerlab.report.sections.shutdown",
    "powerlab.report.sections.power",
    "powerlab.report.sections.retarget",
    "powerlab.report.sections.agents",
    "powerlab.report.sections.games",
    "powerlab.report.sections.distillations",
    "powerlab.report.sections.sweep",
    "powerlab.report.sections.nets",
)
