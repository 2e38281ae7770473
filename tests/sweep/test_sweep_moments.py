"""power(), optimality_probability() and a sweep use one estimator: on the same reward draws
they report the same means and the same standard errors (powerlab.power.moments)."""

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from powerlab.power import optimality_probability, power
from powerlab.sweep import SweepSpec, chunk_seed, run_sweep, spec_from_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _sweep(tmp_path: Path, **over: Any) -> tuple[SweepSpec, pd.DataFrame]:
    doc = {
        "name": "agree",
        "environments": ["fig1.yaml"],
        "distributions": ["uniform"],
        "samples": 600,
        "chunk_size": 600,
        "batch_size": 128,
        "seed": 11,
        **over,
    }
    s = spec_from_dict(doc, where="agree.yaml", base_dir=EXAMPLES)
    return s, run_sweep(s, tmp_path / "store").results


def test_power_and_the_sweep_agree_on_the_same_samples(tmp_path: Path) -> None:
    """One chunk of a sweep draws the same rewards as power() with the chunk's generator (uniform
    draws do not depend on the batching), so means and standard errors agree to rounding."""
    s, got = _sweep(tmp_path, analysis="power", gammas=[0.5, 0.9])
    want = power(
        s.mdps[0], [0.5, 0.9], samples=600, rng=np.random.default_rng(chunk_seed(11, 0, 0))
    )
    np.testing.assert_allclose(got["power"], want["power"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got["stderr"], want["stderr"], rtol=1e-9, atol=1e-15)


def test_optimality_stderr_agrees_with_the_sweep(tmp_path: Path) -> None:
    """The same for an indicator: optimality_probability's standard error is the sweep's,
    sqrt(p(1-p)/(n-1)), not the plug-in sqrt(p(1-p)/n)."""
    s, got = _sweep(
        tmp_path,
        analysis="optimality",
        environments=[{"path": "fig1.yaml", "state": "start"}],
        gammas=[0.5, 0.9],
    )
    want = optimality_probability(
        s.mdps[0], "start", [0.5, 0.9], samples=600, rng=np.random.default_rng(chunk_seed(11, 0, 0))
    )
    np.testing.assert_allclose(got["probability"], want["probability"], rtol=1e-12)
    np.testing.assert_allclose(got["stderr"], want["stderr"], rtol=1e-9, atol=1e-15)
    p = want["probability"].to_numpy()
    np.testing.assert_allclose(want["stderr"], np.sqrt(p * (1 - p) / 599), rtol=1e-9)
