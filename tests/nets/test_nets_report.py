"""The demo section builds, writes its figures and reports a negative scaling exponent."""

import torch

import powerlab.nets.data as nets_data

torch.set_num_threads(1)


def test_section_builds_on_a_small_subset(tmp_path, monkeypatch):
    full = nets_data.load_digits_dataset

    def small(rng=0, **kw):
        return full(rng=rng, n_samples=300)

    monkeypatch.setattr(nets_data, "load_digits_dataset", small)
    from powerlab.report.sections.nets import build

    section = build(tmp_path, quick=True)
    assert (tmp_path / "nets-tangent.png").stat().st_size > 0
    assert (tmp_path / "nets-tickets.png").stat().st_size > 0
    assert "powerlab tangent" in section.command and "powerlab tickets" in section.command
    assert section.summary[0][0] == "gap ∝ width^b"
    assert "<table>" in section.html
