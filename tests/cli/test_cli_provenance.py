"""Provenance: version, commit, command line and settings, in DataFrames' .attrs and in JSON."""

from pathlib import Path

from catalogue import fig1
from powerlab import _provenance
from powerlab.power import optimality_probability, power


def test_frames_carry_seed_distribution_gamma_samples() -> None:
    mdp = fig1()
    prov = power(mdp, [0.5, 1.0], samples=20, rng=5, dist="uniform:0,2").attrs["provenance"]
    assert prov["seed"] == 5 and prov["distribution"] == "uniform:0,2"
    assert prov["gamma"] == [0.5, 1.0] and prov["samples"] == 20 and prov["env"] == "fig1"
    opt = optimality_probability(mdp, "start", 0.9, samples=20, rng=1).attrs["provenance"]
    assert opt["seed"] == 1 and opt["distribution"] == "uniform" and opt["gamma"] == [0.9]


def test_git_commit_is_none_outside_a_checkout(tmp_path: Path, monkeypatch) -> None:
    fake = tmp_path / "pkg" / "_provenance.py"
    fake.parent.mkdir()
    fake.touch()
    monkeypatch.setattr(_provenance, "__file__", str(fake))
    _provenance.git_commit.cache_clear()
    try:
        assert _provenance.git_commit() is None or (tmp_path / ".git").exists()
    finally:
        _provenance.git_commit.cache_clear()


def test_git_commit_follows_head_ref(tmp_path: Path, monkeypatch) -> None:
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text("# pack-refs\n" + "ab" * 20 + " refs/heads/main\n")
    fake = tmp_path / "src" / "_provenance.py"
    fake.parent.mkdir()
    fake.touch()
    monkeypatch.setattr(_provenance, "__file__", str(fake))
    _provenance.git_commit.cache_clear()
    try:
        assert _provenance.git_commit() == "ab" * 20
    finally:
        _provenance.git_commit.cache_clear()


def test_settings_given_as_none_are_left_out() -> None:
    prov = _provenance.provenance(seed=None, quick=True)
    assert "seed" not in prov and prov["quick"] is True
    assert {"powerlab", "git_commit", "command"} <= set(prov)
