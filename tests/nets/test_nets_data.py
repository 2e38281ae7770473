"""Data: the bundled digits, the user (X, y) hook, and their validation."""

import numpy as np
import pytest

from powerlab.errors import InputError
from powerlab.nets.data import load_digits_dataset, load_npz_dataset, make_dataset


def test_digits_split_is_stratified_seeded_and_scaled():
    a = load_digits_dataset(rng=0)
    b = load_digits_dataset(rng=0)
    assert a.X_train.shape[1] == 64 and a.n_classes == 10 and a.image_shape == (1, 8, 8)
    assert a.X_train.shape[0] + a.X_test.shape[0] == 1797
    assert np.array_equal(a.X_test, b.X_test) and np.array_equal(a.y_train, b.y_train)
    assert a.X_train.min() >= 0.0 and a.X_train.max() <= 1.0
    counts = np.bincount(a.y_test, minlength=10)
    assert counts.min() >= 40 and counts.max() <= 50  # about a quarter of ~180 per class


def test_user_arrays_and_labels_are_mapped():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.array(["cat", "dog"] * 20)
    d = make_dataset(X, y, test_fraction=0.25, rng=1)
    assert d.n_classes == 2 and d.X_test.shape == (10, 3) and d.image_shape is None
    assert set(d.y_train.tolist()) == {0, 1}


@pytest.mark.parametrize(
    ("X", "y", "kw", "match"),
    [
        (np.zeros((4,)), np.zeros(4), {}, "X: expected"),
        (np.zeros((4, 2)), np.zeros(3), {}, "y: expected"),
        (np.full((4, 2), np.nan), np.arange(4) % 2, {}, "finite"),
        (np.zeros((4, 2)), np.zeros(4), {}, "two classes"),
        (np.zeros((4, 2)), np.arange(4) % 2, {"test_fraction": 1.0}, "test_fraction"),
        (np.zeros((4, 2)), np.arange(4) % 2, {"image_shape": (1, 2, 2)}, "image_shape"),
    ],
)
def test_bad_arrays_raise_one_line_errors(X, y, kw, match):
    with pytest.raises(InputError, match=match):
        make_dataset(X, y, **kw)


def test_npz_hook(tmp_path):
    path = tmp_path / "mine.npz"
    rng = np.random.default_rng(0)
    np.savez(path, X=rng.random((30, 16)), y=np.arange(30) % 3, image_shape=np.array([1, 4, 4]))
    d = load_npz_dataset(path)
    assert d.name == "mine" and d.image_shape == (1, 4, 4) and d.n_classes == 3
    np.savez(tmp_path / "bad.npz", X=rng.random((30, 16)))
    with pytest.raises(InputError, match="missing array 'y'"):
        load_npz_dataset(tmp_path / "bad.npz")
    with pytest.raises(InputError, match="no such file"):
        load_npz_dataset(tmp_path / "absent.npz")
