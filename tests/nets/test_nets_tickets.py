"""Ticket networks: exact kept counts per layer, biprop's per-layer two values, a smoke run."""

import pytest
import torch

from powerlab.errors import InputError
from powerlab.nets.data import load_digits_dataset
from powerlab.nets.masks import kept_count
from powerlab.nets.tickets import make_ticket_network, masked_layers, tickets_sweep, train_ticket

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def digits():
    return load_digits_dataset(n_samples=600, rng=0)


@pytest.mark.parametrize("arch", ["mlp", "cnn"])
@pytest.mark.parametrize("method", ["edgepopup", "biprop"])
def test_every_layer_keeps_exactly_ceil_k_n(digits, arch, method):
    model = make_ticket_network(digits, method, arch, 12, 0.3, seed=0)
    layers = masked_layers(model)
    assert len(layers) == 3
    for layer in layers:
        w = layer.effective_weight()
        assert int((w != 0).sum()) == kept_count(w.numel(), 0.3)
        assert not layer.weight.requires_grad and layer.scores.requires_grad
        if method == "biprop":
            assert len(w[w != 0].abs().unique()) == 1


def test_dense_layers_train_weights(digits):
    model = make_ticket_network(digits, "dense", "mlp", 12, 1.0, seed=0)
    for layer in masked_layers(model):
        assert layer.weight.requires_grad and not layer.scores.requires_grad


@pytest.mark.parametrize(("method", "arch"), [("biprop", "mlp"), ("edgepopup", "cnn")])
def test_smoke_run_beats_chance_by_a_margin(digits, method, arch):
    width = 64 if arch == "mlp" else 8
    r = train_ticket(digits, method, arch, width, 0.3, epochs=10, seed=0, batch_size=32)
    assert r.acc_test > digits.chance + 0.4
    assert r.nonzero == round(r.kept_actual * r.total_weights)
    assert r.bits_standalone < 32 * r.total_weights


def test_tickets_sweep_rows_and_determinism(digits):
    a = tickets_sweep(digits, "biprop", [16], [0.2, 0.5], epochs=1, seed=1)
    b = tickets_sweep(digits, "biprop", [16], [0.2, 0.5], epochs=1, seed=1)
    assert a == b
    assert [r.method for r in a.rows] == ["dense", "biprop", "biprop"]
    dense, k2, k5 = a.rows
    assert (
        dense.nonzero <= dense.total_weights and dense.bits_standalone == 32 * dense.total_weights
    )
    assert k2.nonzero < k5.nonzero and len(k2.gains) == 3


def test_bad_ticket_options(digits):
    with pytest.raises(InputError, match="method"):
        tickets_sweep(digits, "dense", [8], [0.5], epochs=1)
    with pytest.raises(InputError, match="kept"):
        tickets_sweep(digits, "biprop", [8], [1.5], epochs=1)
    with pytest.raises(InputError, match="epochs"):
        train_ticket(digits, "biprop", "mlp", 8, 0.5, epochs=0)
