"""The linearized model: first-order agreement with the network at θ0, and the paired training."""

import math

import pytest
import torch
from torch.func import functional_call

from powerlab.errors import InputError
from powerlab.nets.data import load_digits_dataset
from powerlab.nets.models import make_network
from powerlab.nets.tangent import linearize, tangent_sweep, train_pair

torch.set_num_threads(1)


def _setup(arch: str, seed: int = 0):
    data = load_digits_dataset(n_samples=200, rng=seed)
    model = make_network(
        arch, 64, 10, 8, seed, depth=2, activation="tanh", image_shape=(1, 8, 8)
    ).double()
    theta0 = {k: v.detach().clone() for k, v in model.named_parameters()}
    x = torch.as_tensor(data.X_test[:16], dtype=torch.float64)
    gen = torch.Generator().manual_seed(seed + 1)
    v = {k: torch.randn(t.shape, generator=gen, dtype=torch.float64) for k, t in theta0.items()}
    return model, theta0, x, v


def _shift(theta, v, eps):
    return {k: theta[k] + eps * v[k] for k in theta}


@pytest.mark.parametrize("arch", ["mlp", "cnn"])
def test_linearization_equals_network_at_theta0(arch):
    model, theta0, x, _ = _setup(arch)
    f_lin = linearize(model, theta0)
    torch.testing.assert_close(f_lin(theta0, x), functional_call(model, theta0, (x,)))


@pytest.mark.parametrize("arch", ["mlp", "cnn"])
def test_directional_derivative_matches_central_difference(arch):
    # f_lin(θ0 + v) - f(θ0) = ∇θ f(θ0)·v, and the central difference approximates it to O(ε²).
    model, theta0, x, v = _setup(arch)
    f_lin = linearize(model, theta0)
    f0 = functional_call(model, theta0, (x,))
    jv = f_lin(_shift(theta0, v, 1.0), x) - f0
    eps = 1e-5
    fd = (
        functional_call(model, _shift(theta0, v, eps), (x,))
        - functional_call(model, _shift(theta0, v, -eps), (x,))
    ) / (2 * eps)
    torch.testing.assert_close(jv, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("arch", ["mlp", "cnn"])
def test_remainder_is_second_order(arch):
    # ‖f(θ0 + εv) - f_lin(θ0 + εv)‖ = O(ε²): halving ε divides it by about 4.
    model, theta0, x, v = _setup(arch)
    f_lin = linearize(model, theta0)

    def remainder(eps: float) -> float:
        th = _shift(theta0, v, eps)
        return float((functional_call(model, th, (x,)) - f_lin(th, x)).norm())

    ratios = [remainder(e) / remainder(e / 2) for e in (1e-2, 5e-3)]
    for r in ratios:
        assert 3.5 < r < 4.5


def test_linearized_output_is_affine_in_theta():
    model, theta0, x, v = _setup("mlp")
    f_lin = linearize(model, theta0)
    a = f_lin(_shift(theta0, v, 2.0), x) - f_lin(theta0, x)
    b = f_lin(_shift(theta0, v, 1.0), x) - f_lin(theta0, x)
    torch.testing.assert_close(a, 2 * b)


def test_train_pair_is_deterministic_and_reports_fields():
    data = load_digits_dataset(n_samples=300, rng=0)
    a = train_pair(data, 16, epochs=2, seed=3)
    b = train_pair(data, 16, epochs=2, seed=3)
    assert a == b
    assert 0.0 <= a.agreement <= 1.0 and 0.0 <= a.acc_full <= 1.0 and 0.0 <= a.acc_lin <= 1.0
    assert a.gap > 0 and a.rel_param_change > 0 and len(a.gap_history) == 2


def test_fort_option_trains_first_then_linearizes():
    data = load_digits_dataset(n_samples=300, rng=0)
    r = train_pair(data, 16, epochs=3, seed=0, linearize_after=2)
    assert r.linearize_after == 2 and len(r.gap_history) == 1
    with pytest.raises(InputError, match="linearize_after"):
        train_pair(data, 16, epochs=2, linearize_after=2)


def test_wide_network_stays_closer_to_its_linearization():
    # Lee et al. 2019, Thm 2.1: the gap shrinks with width (here 16 vs 256, same budget).
    data = load_digits_dataset(n_samples=300, rng=0)
    doc = tangent_sweep(data, [16, 256], epochs=3, seed=0)
    narrow, wide = doc.rows
    assert wide.gap < narrow.gap
    assert wide.rel_param_change < narrow.rel_param_change
    assert doc.fit is not None and doc.fit.exponent < 0 and doc.fit.stderr is None
    assert math.isfinite(doc.fit.prefactor)


def test_bad_options_raise_input_error():
    data = load_digits_dataset(n_samples=100, rng=0)
    with pytest.raises(InputError, match="epochs"):
        train_pair(data, 8, epochs=0)
    with pytest.raises(InputError, match="arch"):
        train_pair(data, 8, epochs=1, arch="resnet")
    with pytest.raises(InputError, match="widths"):
        tangent_sweep(data, [], epochs=1)


def test_same_batches_make_the_relative_gap_vanish_with_the_step_size():
    # With identical optimizer and minibatches, f_T - f_lin_T is second order in the total
    # step, so gap / (output change) shrinks about tenfold when lr shrinks tenfold; different
    # batch orders would leave an O(1) ratio.
    data = load_digits_dataset(n_samples=300, rng=0)
    # tanh: smooth, so the Taylor remainder is genuinely second order (ReLU kinks are not).
    opts = {"epochs": 1, "seed": 0, "momentum": 0.0, "batch_size": 32, "activation": "tanh"}
    big = train_pair(data, 32, lr=1e-2, **opts)
    small = train_pair(data, 32, lr=1e-3, **opts)
    ratio = big.gap_relative / small.gap_relative
    assert 7 < ratio < 13
