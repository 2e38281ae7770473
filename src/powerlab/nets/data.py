"""Classification data for the network experiments: bundled digits, or the user's ``(X, y)``.

The default data set is scikit-learn's 8x8 handwritten digits (1797 images, 10 classes; the
UCI "Optical Recognition of Handwritten Digits" test set), which ships inside the
scikit-learn package, so nothing is downloaded at run time. Pixel values 0..16 are divided
by 16 so that every feature lies in [0, 1].

Any other data enters through :func:`make_dataset`: features ``X: [N, D]`` and integer labels
``y: [N]``; an optional ``image_shape = (C, H, W)`` with ``C·H·W = D`` lets the small CNN use it.
The held-out split is stratified and seeded (``rng``), so the same seed gives the same split.
This module needs only numpy; PyTorch is not imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab.errors import InputError

__all__ = ["Dataset", "load_digits_dataset", "load_npz_dataset", "make_dataset"]


@dataclass(frozen=True)
class Dataset:
    """A train/test split of a classification problem.

    Attributes:
        X_train: ``[N_train, D]`` float32 features.
        y_train: ``[N_train]`` int64 labels in ``0..n_classes-1``.
        X_test: ``[N_test, D]`` float32 features (held out).
        y_test: ``[N_test]`` int64 labels.
        n_classes: number of classes K.
        image_shape: ``(C, H, W)`` with ``C·H·W = D`` if the features are images, else ``None``.
        name: a label for reports.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    image_shape: tuple[int, int, int] | None = None
    name: str = "data"

    @property
    def n_features(self) -> int:
        """D, the number of input features."""
        return int(self.X_train.shape[1])

    @property
    def chance(self) -> float:
        """Test accuracy of always predicting the most frequent training class."""
        top = int(np.bincount(self.y_train, minlength=self.n_classes).argmax())
        return float(np.mean(self.y_test == top))


def _stratified_split(
    y: np.ndarray, test_fraction: float, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test): each class contributes round(test_fraction·n_c) test points."""
    train, test = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        idx = idx[gen.permutation(idx.size)]
        n_test = round(test_fraction * idx.size)
        n_test = min(max(n_test, 1), idx.size - 1) if idx.size > 1 else 0
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    tr = np.concatenate(train)
    te = np.concatenate(test)
    return tr[gen.permutation(tr.size)], te[gen.permutation(te.size)]


def make_dataset(
    X: np.ndarray,
    y: np.ndarray,
    test_fraction: float = 0.25,
    rng: Seed = 0,
    image_shape: tuple[int, int, int] | None = None,
    name: str = "data",
) -> Dataset:
    """Split user arrays ``X: [N, D]``, ``y: [N]`` into a stratified train/test :class:`Dataset`.

    Labels may be any integers or strings; they are mapped to ``0..K-1`` in sorted order.
    Features are used as given (cast to float32); scale them beforehand if needed.

    Raises:
        InputError: wrong shapes, non-finite features, fewer than two classes, a bad
            ``test_fraction`` or an ``image_shape`` whose product is not D.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise InputError(f"X: expected a 2-d array [N, D], got shape {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise InputError(f"y: expected shape [{X.shape[0]}] to match X, got {y.shape}")
    if not np.issubdtype(X.dtype, np.number) or not np.all(np.isfinite(X)):
        raise InputError("X: features must be finite numbers")
    if not 0.0 < test_fraction < 1.0:
        raise InputError(f"test_fraction: {test_fraction} is outside (0, 1)")
    classes, y_int = np.unique(y, return_inverse=True)
    if classes.size < 2:
        raise InputError(f"y: need at least two classes, got {classes.size}")
    if image_shape is not None:
        if len(image_shape) != 3 or int(np.prod(image_shape)) != X.shape[1]:
            raise InputError(f"image_shape: {image_shape} does not multiply to D = {X.shape[1]}")
        image_shape = (int(image_shape[0]), int(image_shape[1]), int(image_shape[2]))
    gen = as_generator(rng)
    tr, te = _stratified_split(y_int, test_fraction, gen)
    Xf = X.astype(np.float32)
    yi = y_int.astype(np.int64)
    return Dataset(Xf[tr], yi[tr], Xf[te], yi[te], int(classes.size), image_shape, name)


def load_digits_dataset(
    test_fraction: float = 0.25,
    rng: Seed = 0,
    n_samples: int | None = None,
) -> Dataset:
    """scikit-learn's bundled 8x8 digits (1797 × 64, 10 classes), scaled to [0, 1], split.

    ``n_samples`` keeps a seeded random subset of that size first (for tiny test budgets).
    The images keep their shape for the CNN: ``image_shape = (1, 8, 8)``.
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    X = np.asarray(data.data, dtype=np.float32) / np.float32(16.0)
    y = np.asarray(data.target, dtype=np.int64)
    gen = as_generator(rng)
    if n_samples is not None:
        if not 20 <= n_samples <= X.shape[0]:
            raise InputError(f"n_samples: {n_samples} is outside [20, {X.shape[0]}]")
        keep = np.sort(gen.choice(X.shape[0], size=n_samples, replace=False))
        X, y = X[keep], y[keep]
    return make_dataset(X, y, test_fraction, gen, image_shape=(1, 8, 8), name="digits")


def load_npz_dataset(path: str | Path, test_fraction: float = 0.25, rng: Seed = 0) -> Dataset:
    """A user's data from a ``.npz`` file holding ``X: [N, D]``, ``y: [N]`` (and optionally
    ``image_shape: [3]``), split by :func:`make_dataset`. Loaded with ``allow_pickle=False``.

    Raises:
        InputError: the file lacks ``X`` or ``y``, or :func:`make_dataset` rejects the arrays.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    try:
        with np.load(p, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError) as exc:
        raise InputError(f"{p}: not a readable .npz file ({exc})") from None
    for key in ("X", "y"):
        if key not in arrays:
            raise InputError(f"{p}: missing array {key!r} (expected keys X, y[, image_shape])")
    shape = arrays.get("image_shape")
    image_shape = None
    if shape is not None:
        vals = [int(v) for v in np.asarray(shape).ravel()]
        if len(vals) != 3:
            raise InputError(f"{p}: image_shape must have three entries (C, H, W), got {vals}")
        image_shape = (vals[0], vals[1], vals[2])
    try:
        return make_dataset(arrays["X"], arrays["y"], test_fraction, rng, image_shape, p.stem)
    except InputError as exc:
        raise InputError(f"{p}: {exc}") from None
