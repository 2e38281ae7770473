"""Sweep specifications: every bad spec fails before anything runs, in one line naming where."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from powerlab.errors import InputError, ResourceError
from powerlab.sweep import chunk_seed, load_spec, plan_chunks, spec_from_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def doc(**over: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": "tiny",
        "analysis": "power",
        "environments": ["fig1.yaml"],
        "gammas": [0.5, 0.9],
        "distributions": ["uniform"],
        "samples": 1000,
        "chunk_size": 300,
        "seed": 3,
    }
    d.update(over)
    return {k: v for k, v in d.items() if v is not None}


def parse(d: dict[str, Any]):  # type: ignore[no-untyped-def]
    return spec_from_dict(d, where="s.yaml", base_dir=EXAMPLES)


def test_valid_spec_and_its_plan() -> None:
    spec = parse(doc(distributions=["uniform", "beta:2,2"], gammas=[0, "1/2", 1]))
    assert spec.gammas == (0.0, 0.5, 1.0)
    assert spec.n_chunks == 4 and [spec.chunk_samples(k) for k in range(4)] == [300] * 3 + [100]
    tasks = plan_chunks(spec)
    assert [(t.cell, t.chunk) for t in tasks] == [(c, k) for c in range(2) for k in range(4)]
    assert sum(t.n for t in tasks) == 2 * 1000


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"analysis": "nope"}, "s.yaml: analysis: unknown analysis 'nope'"),
        ({"analysis": None}, "missing required key 'analysis'"),
        ({"bogus": 1}, "s.yaml: bogus: unknown key"),
        ({"gammas": [0.5, 1.5]}, "s.yaml: gammas[1]: 1.5 is outside [0, 1]"),
        ({"gammas": ["x"]}, "gammas[0]: 'x' is not a number"),
        ({"gammas": []}, "at least one gamma"),
        ({"gammas": [0.5, 0.5]}, "duplicate gamma"),
        ({"samples": 1}, "samples: must be at least 2"),
        ({"samples": "many"}, "samples: expected an integer"),
        ({"samples": 1.5}, "samples: expected an integer"),
        ({"chunk_size": 0}, "chunk_size: must be at least 1"),
        ({"seed": -1}, "seed: must be at least 0"),
        ({"environments": []}, "environments: expected a non-empty list"),
        ({"environments": ["missing.yaml"]}, "environments[0]: "),
        ({"environments": [{"states": ["dead"]}]}, "expected a file name or a mapping with 'path'"),
        ({"environments": [{"path": "fig1.yaml", "states": ["nowhere"]}]}, "unknown state"),
        ({"environments": [{"path": "fig1.yaml", "state": "start"}]}, "unknown key 'state'"),
        ({"analysis": "optimality"}, "needs 'state:'"),
        ({"distributions": ["gauss"]}, "distributions[0]: --dist: unknown distribution"),
        ({"distributions": ["uniform;nowhere=bernoulli:0.5"]}, "distributions[0]"),
        ({"distributions": ["uniform", "uniform"]}, "duplicate distribution"),
        ({"options": {"speed": 2}}, "options.speed: unknown option for power"),
        ({"options": {"tol": -1}}, "options.tol: expected a positive number"),
        ({"samples": 10**9, "chunk_size": 1}, "chunk_size: 1 makes more than"),
        ({"name": "/tmp/x"}, "s.yaml: name: '/tmp/x' is not a name"),
        ({"name": "../../x"}, "s.yaml: name: '../../x' is not a name"),
        ({"name": ".."}, "name: '..' is not a name"),
        ({"name": ["a"]}, "name: expected a name"),
        ({"gammas": ["1e-30000000"]}, "gammas[0]: exponent -30000000 of '1e-30000000' is beyond"),
        ({"gammas": ["1" * 2000]}, "gammas[0]: number of 2,000 characters"),
        ({"gammas": [float("nan")]}, "gammas[0]: nan is outside [0, 1]"),
        ({"options": {"tol": 10**400}}, "options.tol: expected a positive number"),
        (
            {"batch_size": 10**7, "chunk_size": 10**7, "samples": 10**7},
            "batch_size: 10,000,000 is over the limit of 1,000,000 samples per batch",
        ),
        (
            {"batch_size": 10**6, "chunk_size": 10**6, "samples": 10**6, "environments": ["BIG"]},
            "batch_size: a batch of 1,000,000 samples in grid20 needs",
        ),
    ],
)
def test_bad_specs_fail_in_one_line(
    over: dict[str, Any], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERLAB_MAX_MEMORY", "8G")
    if over.get("environments") == ["BIG"]:
        over = {**over, "environments": ["grid20.yaml"]}  # 1e6 samples x 400 states: 83 GiB
    d = doc(**{k: v for k, v in over.items() if v is not None})
    for k, v in over.items():
        if v is None:
            d.pop(k)
    with pytest.raises((InputError, ResourceError)) as info:
        parse(d)
    text = str(info.value)
    assert message in text and "\n" not in text


@pytest.mark.timeout(10)
def test_hostile_numbers_are_refused_quickly() -> None:
    """An exponent of thirty million would build a thirty-million-digit integer if expanded."""
    for g in ("1e-30000000", "1/1e100000000", "0.5e99999999999999999999"):
        with pytest.raises(InputError, match="exponent"):
            parse(doc(gammas=[g]))


def test_a_default_name_is_the_file_stem_made_a_name() -> None:
    assert spec_from_dict(doc(name=None), where="/a/my spec.yaml", base_dir=EXAMPLES).name == (
        "my_spec"
    )


def test_not_a_mapping() -> None:
    with pytest.raises(InputError, match="expected a mapping"):
        parse([1, 2])  # type: ignore[arg-type]


def test_file_errors_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(
        "name: x\nanalysis: power\nenvironments: [%s]\ngammas:\n  - 0.5\n  - 2\nsamples: 10\n"
        % (EXAMPLES / "fig1.yaml")
    )
    with pytest.raises(InputError, match=r"bad\.yaml:6: gammas\[1\]: 2 is outside"):
        load_spec(p)
    with pytest.raises(InputError, match="no such file"):
        load_spec(tmp_path / "absent.yaml")
    with pytest.raises(InputError, match="is a directory"):
        load_spec(tmp_path)


def test_example_specs_are_valid() -> None:
    for p in sorted((EXAMPLES / "sweeps").glob("*.yaml")):
        assert load_spec(p).n_chunks >= 1


def test_fingerprint_ignores_samples_and_name_but_not_seed_or_chunks() -> None:
    base = parse(doc()).fingerprint()
    assert parse(doc(samples=5000, name="other")).fingerprint() == base
    assert parse(doc(seed=4)).fingerprint() != base
    assert parse(doc(chunk_size=301)).fingerprint() != base
    assert parse(doc(gammas=[0.5, 0.91])).fingerprint() != base


def test_chunk_seed_is_the_spawned_child() -> None:
    # SeedSequence(seed, spawn_key=(c, k)) is child k of child c of SeedSequence(seed).
    root = np.random.SeedSequence(7)
    child = root.spawn(3)[2].spawn(5)[4]
    a = np.random.default_rng(chunk_seed(7, 2, 4)).random(4)
    b = np.random.default_rng(child).random(4)
    assert np.array_equal(a, b)
