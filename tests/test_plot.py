"""``powerlab.plot``: every figure function the commands draw, importable from one module."""

import subprocess
import sys

import pytest

import powerlab.plot as plot
from catalogue import fig1
from powerlab.power import power


def test_every_name_resolves_to_the_function_the_cli_calls() -> None:
    from powerlab.nets.plot import figure_tickets
    from powerlab.report.figures import plot_power

    assert plot.plot_power is plot_power and plot.figure_tickets is figure_tickets
    for name in plot.__all__:
        assert callable(getattr(plot, name)), name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = plot.nope


def test_import_is_light() -> None:
    """Importing the module imports no figure module (and so no optional dependency)."""
    code = "import sys, powerlab.plot; print(any('matplotlib' in m for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_figure_from_the_notebook_api() -> None:
    mdp = fig1()
    fig = plot.plot_power(mdp, power(mdp, [0.5], samples=20, rng=0))
    assert fig.axes and "fig1" in fig.axes[0].get_title()
