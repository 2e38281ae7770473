"""The sections of ``powerlab demo``'s report, in the order they appear.

Each entry names a module that defines ``build(outdir: Path, quick: bool) -> Section``.
"""

SECTIONS: tuple[str, ...] = ("powerlab.report.sections.power",)
