"""Help and tables read as a shell user expects: plain usage lines, no placeholders, no cut numbers."""

import re

import pytest
import typer
from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.cli._common import Table, console

runner = CliRunner()


def _commands(group: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if hasattr(group, "commands"):
        return [p for name, cmd in group.commands.items() for p in _commands(cmd, (*path, name))]
    return [path]


COMMANDS = _commands(typer.main.get_command(app))


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_usage_line_and_flags_have_no_placeholders(path: tuple[str, ...]) -> None:
    res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    usage = next(line for line in res.output.splitlines() if "Usage:" in line)
    assert not re.search(r"\{\w+\}", usage), usage
    assert "<bool>" not in res.output


def test_piped_tables_never_cut_numbers(capsys) -> None:
    """Off a terminal a table is 200 columns wide, and a cell that still does not fit folds."""
    cell = "0.123456789 ± 1.2e-05"
    for columns in (12, 3):  # 12 x 22 characters: wider than 200, folds
        table = Table(*(f"column {i}" for i in range(columns)))
        table.add_row(*[cell] * columns)
        console.print(table)
        out = capsys.readouterr().out
        assert "…" not in out
        assert out.count("0.123456789") == columns
    assert cell in out  # three columns fit on one line: nothing folded
