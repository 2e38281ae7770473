"""The package layers hold: every import of ours points down the layer order, never up.

The order, lowest first: the base modules (``powerlab._io``, ``_figures``, ``_resources``,
``_random``, ``errors``, ...), then ``mdp``, ``power``, ``retarget``, ``goals``, ``agents``,
``games``, ``multiagent`` (two agents on one MDP, beside ``games``), ``forecast``,
``imitation``, ``nets``, ``lowstakes``, ``sweep``, and on top ``report`` and ``cli``. A module
may import its own package and any package below it. Every import statement counts, including
those inside functions and under ``TYPE_CHECKING``: a lazy import still ties the lower layer to
the upper one. A new subpackage fails the test until it is given its place in :data:`LAYERS`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "powerlab"

LAYERS: tuple[str, ...] = (
    "mdp",
    "power",
    "retarget",
    "goals",
    "agents",
    "games",
    "multiagent",
    "forecast",
    "imitation",
    "nets",
    "lowstakes",
    "sweep",
    "report",
    "cli",
)
"""Subpackages, lowest first; the base modules sit below all of them."""

BASE = -1
RANK = {name: i for i, name in enumerate(LAYERS)}

ALLOWED: frozenset[tuple[str, str]] = frozenset(set())
"""Known breaks still to be removed, as ``(importing module, imported module)``."""


def _layer(module: str) -> int:
    """The rank of ``powerlab.<first>...``; modules directly under powerlab are the base."""
    parts = module.split(".")
    assert parts[0] == "powerlab", module
    if len(parts) == 1 or parts[1] not in RANK:
        if len(parts) > 1 and (SRC / parts[1]).is_dir():
            raise AssertionError(f"subpackage powerlab.{parts[1]} is missing from LAYERS")
        return BASE
    return RANK[parts[1]]


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, absolute module)`` of every import of ours in ``path`` (relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "powerlab"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "powerlab":
                continue
            if target == "powerlab":  # ``from powerlab import sweep`` names subpackages
                out += [(node.lineno, f"powerlab.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, target))
    return out


def layer_breaks() -> list[str]:
    """Every import that points up the layer order, as ``file:line: a -> b``."""
    breaks = []
    for path in sorted(SRC.rglob("*.py")):
        importer = _module_name(path)
        low = _layer(importer)
        for line, imported in _imports(path):
            up = _layer(imported)
            if up > low and (importer, imported) not in ALLOWED:
                rel = path.relative_to(SRC.parent.parent)
                breaks.append(f"{rel}:{line}: {importer} -> {imported}")
    return breaks


def test_every_import_points_down_the_layers() -> None:
    assert layer_breaks() == []


def test_nothing_imports_the_cli_or_the_report() -> None:
    """``cli`` and ``report`` are the top: only the CLI may use the report."""
    for path in sorted(SRC.rglob("*.py")):
        importer = _module_name(path)
        for line, imported in _imports(path):
            top = imported.split(".")[1] if "." in imported else ""
            if (importer, imported) in ALLOWED:
                continue
            if top == "cli":
                assert importer.startswith("powerlab.cli"), f"{path}:{line} imports {imported}"
            if top == "report":
                assert importer.startswith(("powerlab.cli", "powerlab.report")), (
                    f"{path}:{line} imports {imported}"
                )


def test_every_subpackage_has_a_layer() -> None:
    packages = {p.parent.name for p in SRC.glob("*/__init__.py")}
    assert packages == set(LAYERS)


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        ("from powerlab.report.page import x\n", "powerlab/mdp/m.py", ["powerlab.report.page"]),
        ("from ..cli import app\n", "powerlab/sweep/m.py", ["powerlab.cli"]),
        ("from . import moments\n", "powerlab/power/__init__.py", ["powerlab.power"]),
        (
            "def f():\n    import powerlab.games.model\n",
            "powerlab/mdp/m.py",
            ["powerlab.games.model"],
        ),
        ("from powerlab import sweep\n", "powerlab/_io.py", ["powerlab.sweep"]),
        ("import numpy\nfrom os import path\n", "powerlab/mdp/m.py", []),
    ],
)
def test_the_scanner_finds_every_kind_of_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, name: str, expected: list[str]
) -> None:
    """The checker itself: absolute, relative, lazy and ``from powerlab import`` imports."""
    root = tmp_path / "src" / "powerlab"
    path = tmp_path / "src" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    monkeypatch.setitem(globals(), "SRC", root)
    assert [m for _, m in _imports(path)] == expected
