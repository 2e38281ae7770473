"""The ``powerlab`` command: a Typer application, one subcommand per analysis.

Each command group lives in its own module under ``powerlab.cli`` and exposes
``register(app)``; this file only assembles them. The commands are thin over the
library and hold no mathematics.
"""

from __future__ import annotations

import importlib

import typer

from powerlab.cli._common import use_plain_help

__all__ = ["app", "main"]

app = typer.Typer(
    name="powerlab",
    help="powerlab: the formal theory of power-seeking, made executable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"powerlab {version('powerlab')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """powerlab: the formal theory of power-seeking, made executable."""


# Command-group modules; each defines ``register(app: typer.Typer) -> None``.
_COMMAND_MODULES: tuple[str, ...] = (
    "powerlab.cli.core",
    "powerlab.cli.demo",
    "powerlab.cli.games",
    "powerlab.cli.games_sweep",
    "powerlab.cli.retarget",
    "powerlab.cli.goals",
    "powerlab.cli.shutdown",
    "powerlab.cli.agents",
    "powerlab.cli.sweep",
    "powerlab.cli.forecast",
    "powerlab.cli.nets",
    "powerlab.cli.multiagent",
)

for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app)
use_plain_help(app)


def main() -> None:
    """Entry point of the ``powerlab`` console script."""
    app()
