r"""Orbits of parameter vectors under permutations (RDSP Def. 3.1; Krakovna & Kramár 2023, Def. 1).

For :math:`\theta \in \mathbb R^d` the orbit is :math:`S_d \cdot \theta =
\{\phi\cdot\theta : \phi \in S_d\}` and, for a set :math:`\Theta \subseteq \mathbb R^d`,
:math:`\mathrm{Orbit}_\Theta(\theta) := (S_d\cdot\theta) \cap \Theta` (Turner & Tadepalli,
"Parametrically Retargetable Decision-Makers Tend To Seek Power", arXiv 2206.13477, Def.
3.1; Krakovna & Kramár 2023, Def. 1). The action is :math:`(\phi\cdot\theta)_{\phi(i)} =
\theta_i` (:mod:`powerlab.retarget.permutations`).

Repeated entries: two conventions, both supported.

* ``distinct=False`` (default): the orbit as the *multiset*
  :math:`[\phi\cdot\theta : \phi\in S_d]`, one row per permutation, :math:`d!` rows, row k
  being ``all_permutations(d)[k] · θ``. This is what sampling uniformly random permutations
  draws from.
* ``distinct=True``: the orbit as the *set* of distinct points (Def. 3.1 literally), of
  size :math:`d!/\prod_v m_v!` where :math:`m_v` is the multiplicity of value v in θ
  (entries are compared for exact equality), in lexicographic order of the points.

Every distinct point of the orbit is hit by exactly :math:`|\mathrm{Stab}(\theta)| =
\prod_v m_v!` permutations, so any count over the multiset is that constant times the count
over the set; ratios and the n-majority inequalities of RDSP Def. 3.2 are the same under
both conventions (see :mod:`powerlab.retarget.majority`).

>>> import numpy as np
>>> orbit(np.array([0.0, 0.0, 1.0])).shape, orbit(np.array([0.0, 0.0, 1.0]), distinct=True).tolist()
((6, 3), [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from powerlab._memory import check_bytes
from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.retarget.permutations import all_permutations, apply_permutation

__all__ = [
    "DEFAULT_MAX_ORBIT",
    "as_theta",
    "orbit",
    "orbit_size",
    "restrict",
    "sample_orbit",
    "sample_orbits",
    "stabilizer_size",
]

DEFAULT_MAX_ORBIT = 362_880
"""Largest orbit enumerated by default: 9! rows (about 26 MB of float64 at d = 9)."""

Predicate = Callable[[np.ndarray], np.ndarray]


def as_theta(theta: object, *, name: str = "theta", batch: bool = False) -> np.ndarray:
    """Validate a parameter vector ``[d]`` (or a batch ``[K, d]`` with ``batch=True``).

    Entries must be finite real numbers; integer and boolean inputs are kept as they are,
    anything else becomes float64. Raises :class:`InputError` naming ``name``.
    """
    try:
        arr = np.asarray(theta)
        if arr.dtype.kind not in "biuf":
            arr = arr.astype(np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name}: expected real numbers") from None
    want = 2 if batch else 1
    if arr.ndim != want or arr.shape[-1] == 0:
        shape = "[K, d]" if batch else "[d]"
        raise InputError(f"{name}: expected shape {shape} with d >= 1, got {arr.shape}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise InputError(f"{name}: entries must be finite")
    return arr


def _multiplicities(theta: np.ndarray) -> np.ndarray:
    _, counts = np.unique(theta, return_counts=True)
    return counts


def stabilizer_size(theta: object) -> int:
    r""":math:`|\mathrm{Stab}(\theta)| = \prod_v m_v!`, the number of φ with φ·θ = θ."""
    th = as_theta(theta)
    return math.prod(math.factorial(int(m)) for m in _multiplicities(th))


def orbit_size(theta: object, *, distinct: bool = False) -> int:
    r"""Size of :math:`S_d\cdot\theta`: ``d!`` rows, or :math:`d!/\prod_v m_v!` distinct points."""
    th = as_theta(theta)
    size = math.factorial(th.shape[0])
    return size // stabilizer_size(th) if distinct else size


def _distinct_points(theta: np.ndarray) -> np.ndarray:
    """Distinct permutations of ``theta`` in lexicographic order (Knuth's Algorithm L)."""
    values, codes = np.unique(theta, return_inverse=True)
    a = sorted(int(c) for c in codes.ravel())
    d = len(a)
    rows: list[list[int]] = [a.copy()]
    while True:
        j = d - 2
        while j >= 0 and a[j] >= a[j + 1]:
            j -= 1
        if j < 0:
            break
        k = d - 1
        while a[j] >= a[k]:
            k -= 1
        a[j], a[k] = a[k], a[j]
        a[j + 1 :] = reversed(a[j + 1 :])
        rows.append(a.copy())
    return values[np.asarray(rows, dtype=np.int64)]


def orbit(
    theta: object, *, distinct: bool = False, max_size: int | None = DEFAULT_MAX_ORBIT
) -> np.ndarray:
    r"""Enumerate the orbit :math:`S_d\cdot\theta` (RDSP Def. 3.1; Krakovna & Kramár 2023, Def. 1).

    Args:
        theta: ``[d]`` parameter vector.
        distinct: ``False`` (default): the multiset, ``[d!, d]``, row k =
            ``all_permutations(d)[k] · θ``; ``True``: the set of distinct points,
            ``[d!/∏ m_v!, d]``, in lexicographic order. See the module docstring.
        max_size: refuse (:class:`InputError`) when the number of rows would exceed this
            (``None``: no limit). Use :func:`sample_orbit` for large orbits.

    Returns:
        ``[N, d]`` array of orbit points, dtype of ``theta``.
    """
    th = as_theta(theta)
    size = orbit_size(th, distinct=distinct)
    if max_size is not None and size > max_size:
        kind = "distinct points" if distinct else "permutations"
        raise InputError(
            f"orbit too large to enumerate: {size} {kind} (d={th.shape[0]}) exceeds "
            f"max_size={max_size}; sample it instead"
        )
    if distinct:
        return _distinct_points(th)
    return apply_permutation(all_permutations(th.shape[0]), th)


def sample_orbit(theta: object, n: int, rng: Seed = None) -> np.ndarray:
    r"""``n`` i.i.d. draws :math:`\phi_k\cdot\theta` with :math:`\phi_k` uniform on :math:`S_d`.

    Each distinct orbit point is drawn with probability :math:`1/|S_d\cdot\theta|_{set}`
    (uniform on the set as well, since stabilizers have equal size). ``rng``: seed or
    ``numpy.random.Generator``. Returns ``[n, d]``.
    """
    th = as_theta(theta)
    return sample_orbits(th[None, :], n, rng)[0]


def sample_orbits(thetas: object, n: int, rng: Seed = None) -> np.ndarray:
    r"""Batched :func:`sample_orbit`: ``thetas: [K, d]`` -> ``[K, n, d]``.

    Row ``[k, j]`` is :math:`\phi_{kj}\cdot\theta_k` with all :math:`\phi_{kj}` independent
    and uniform on :math:`S_d`.
    """
    ths = as_theta(thetas, name="thetas", batch=True)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise InputError(f"sample_orbits: n must be a non-negative integer, got {n!r}")
    K, d = ths.shape
    # The tiled view is free; ``permuted`` writes one float64 copy of [K, n, d].
    check_bytes(8.0 * K * int(n) * d, f"sampling {int(n)} orbit points of {K} x {d} utilities")
    gen = as_generator(rng)
    tiled = np.broadcast_to(ths[:, None, :], (K, int(n), d))
    return gen.permuted(tiled, axis=2)


def restrict(
    points: object, predicate: Predicate, *, return_mask: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r""":math:`\mathrm{Orbit}|_\Theta`: keep the points that lie in :math:`\Theta`.

    Args:
        points: ``[N, d]`` orbit points (from :func:`orbit` or :func:`sample_orbit`).
        predicate: membership test for :math:`\Theta`, *vectorised*: it receives the whole
            ``[N, d]`` array and must return ``[N]`` booleans (True: in Θ).
        return_mask: also return the ``[N]`` mask.

    Returns:
        ``points[mask]`` (``[M, d]``), or ``(points[mask], mask)``.
    """
    pts = as_theta(points, name="points", batch=True)
    mask = np.asarray(predicate(pts))
    if mask.shape != (pts.shape[0],):
        raise InputError(
            f"restrict: predicate must return [N]={pts.shape[0]} booleans, got shape {mask.shape}"
        )
    if mask.dtype != np.bool_:
        if mask.dtype.kind in "iu" and np.all((mask == 0) | (mask == 1)):
            mask = mask.astype(bool)
        else:
            raise InputError(f"restrict: predicate must return booleans, got dtype {mask.dtype}")
    return (pts[mask], mask) if return_mask else pts[mask]
