"""Masks keep exactly the stated fraction; the straight-through gradients; biprop's two values."""

import math
from fractions import Fraction

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlab.errors import InputError
from powerlab.nets.masks import binarized_weight, kept_count, popup_weight, topk_mask
from powerlab.nets.storage import bits_to_store

torch.set_num_threads(1)

decimal_k = st.integers(1, 1000).map(lambda i: i / 1000)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 5000), k=decimal_k)
def test_kept_count_is_the_ceiling_of_k_n_read_as_a_decimal(n, k):
    m = kept_count(n, k)
    exact = Fraction(round(k * 1000), 1000) * n
    assert m == math.ceil(exact)
    assert Fraction(m, n) >= Fraction(round(k * 1000), 1000) > Fraction(m - 1, n)


def test_kept_count_known_values():
    # 0.1 means 1/10, not the binary float 0.1000000000000000055...: 1 of 10 is kept.
    assert [kept_count(10, k) for k in (0.1, 0.3, 0.7, 1.0)] == [1, 3, 7, 10]
    assert kept_count(3, 0.5) == 2
    for bad in (0.0, -0.1, 1.5, float("nan")):
        with pytest.raises(InputError):
            kept_count(10, bad)


@settings(max_examples=25, deadline=None)
@given(shape=st.sampled_from([(7,), (5, 9), (4, 3, 3, 3)]), k=decimal_k, seed=st.integers(0, 99))
def test_topk_mask_keeps_exactly_the_stated_count_of_largest_scores(shape, k, seed):
    gen = torch.Generator().manual_seed(seed)
    scores = torch.randn(shape, generator=gen)
    mask = topk_mask(scores, k)
    n = scores.numel()
    m = kept_count(n, k)
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    assert int(mask.sum()) == m
    if m < n:
        assert scores[mask == 1].min() >= scores[mask == 0].max()


def test_topk_mask_with_ties_is_still_exact():
    mask = topk_mask(torch.zeros(10), 0.3)
    assert mask.tolist() == [1.0, 1.0, 1.0] + [0.0] * 7


def test_edge_popup_straight_through_gradient():
    # ∂L/∂s = (∂L/∂w_eff) · W · sign(s) (Ramanujan et al. 2020, Alg. 1 with |s| scores).
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(6, 5, generator=gen)
    s = torch.randn(6, 5, generator=gen, requires_grad=True)
    g = torch.randn(6, 5, generator=gen)
    w_eff = popup_weight(w, s, 0.4)
    assert int((w_eff != 0).sum()) == kept_count(30, 0.4)
    (w_eff * g).sum().backward()
    torch.testing.assert_close(s.grad, g * w * torch.sign(s.detach()))


@settings(max_examples=20, deadline=None)
@given(k=decimal_k, seed=st.integers(0, 99))
def test_biprop_weights_take_exactly_two_values_times_the_gain(k, seed):
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(8, 12, generator=gen)
    s = torch.randn(8, 12, generator=gen)
    w_eff = binarized_weight(w, s, k)
    mask = topk_mask(s.abs(), k)
    kept = w_eff[mask == 1]
    alpha = w.abs()[mask == 1].mean()
    assert torch.all(w_eff[mask == 0] == 0)
    values = kept.unique().tolist()
    assert len(kept.abs().unique()) == 1 and len(values) <= 2  # exactly ±α, one α per tensor
    assert math.isclose(float(kept.abs()[0]), float(alpha), rel_tol=1e-6)
    assert torch.equal(torch.sign(kept), torch.sign(w[mask == 1]))
    assert int((w_eff != 0).sum()) == kept_count(96, k)


def test_biprop_gain_is_the_least_squares_scale():
    # α* = argmin_α Σ_kept (|W_i| - α)² = mean |W_i| over kept: compare with a fine grid.
    gen = torch.Generator().manual_seed(1)
    w = torch.randn(50, generator=gen, dtype=torch.float64)
    s = torch.randn(50, generator=gen, dtype=torch.float64)
    w_eff = binarized_weight(w, s, 0.5)
    alpha = float(w_eff.abs().max())
    mask = topk_mask(s.abs(), 0.5) == 1
    grid = torch.linspace(0, 3, 30001, dtype=torch.float64)
    losses = ((w[mask].abs()[None, :] - grid[:, None]) ** 2).sum(1)
    assert abs(float(grid[losses.argmin()]) - alpha) < 2e-4


def test_biprop_score_gradient_follows_the_reference():
    # Reference (chrundle/biprop GetQuantnet_binary): ∂L/∂s = ∂L/∂(αM) · |W|, α held fixed,
    # so ∂L/∂s = (∂L/∂w_eff) · sign(W) · |W| · sign(s) = (∂L/∂w_eff) · W · sign(s).
    gen = torch.Generator().manual_seed(2)
    w = torch.randn(4, 7, generator=gen)
    s = torch.randn(4, 7, generator=gen, requires_grad=True)
    g = torch.randn(4, 7, generator=gen)
    (binarized_weight(w, s, 0.3) * g).sum().backward()
    torch.testing.assert_close(s.grad, g * w * torch.sign(s.detach()))


def test_bits_to_store_known_answers():
    # Two tensors, 100 and 20 weights, 10 and 2 kept.
    assert bits_to_store("dense", [100, 20], [100, 20])["standalone"] == 32 * 120
    ep = bits_to_store("edgepopup", [100, 20], [10, 2])
    assert ep["standalone"] == 120 + 32 * 12 and ep["with_seed"] == 120 + 64
    bp = bits_to_store("biprop", [100, 20], [10, 2])
    assert bp["standalone"] == 120 + 12 + 64 and bp["with_seed"] == 120 + 64 + 64
    assert bp["nonzero"] == 12 and bp["total"] == 120
    # log2 C(4, 2) = log2 6 -> 3 bits.
    assert bits_to_store("biprop", [4], [2])["mask_entropy_bits"] == 3
    with pytest.raises(InputError, match="method"):
        bits_to_store("ternary", [4], [2])
