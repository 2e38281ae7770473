"""One-line errors: a missing optional dependency names its extra; any other bug keeps its traceback."""

import builtins
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from powerlab.cli._common import EXIT_BAD_INPUT, guarded

runner = CliRunner()


def _app_importing(module: str) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @guarded
    def cmd() -> None:
        __import__(module)

    @app.command("other")
    def _other() -> None:  # a second command keeps Typer from folding the app into one command
        pass

    return app


@pytest.fixture
def no_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import torch`` (and any module named below) fail as on a core-only install."""
    real = builtins.__import__

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in {"torch", "not_a_module_of_any_extra"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)


@pytest.mark.usefixtures("no_torch")
def test_missing_extra_is_one_line_naming_the_extra() -> None:
    result = runner.invoke(_app_importing("torch"), ["cmd"])
    assert result.exit_code == EXIT_BAD_INPUT
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and "pip install 'powerlab[agents]'" in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.usefixtures("no_torch")
def test_other_missing_module_is_a_bug_with_its_traceback() -> None:
    result = runner.invoke(_app_importing("not_a_module_of_any_extra"), ["cmd"])
    assert result.exit_code == 1
    assert isinstance(result.exception, ModuleNotFoundError)


@pytest.mark.usefixtures("no_torch")
def test_a_real_command_without_its_extra_says_which_to_install(monkeypatch) -> None:
    import sys

    from powerlab.cli import app

    monkeypatch.delitem(sys.modules, "torch", raising=False)
    result = runner.invoke(app, ["tangent", "--quick", "--widths", "8"])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert result.output.startswith("error: ") and "powerlab[nets]" in result.output
