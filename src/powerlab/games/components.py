"""Connected components of the equilibrium set of a 2-player game, from Gambit's cliques.

For a bimatrix game the set of Nash equilibria is a finite union of *maximal Nash subsets*,
each a product ``X × Y`` of polytopes whose vertices are extreme equilibria; ``enummixed``
lists them as cliques of a bipartite graph on the extreme equilibria (Avis, Rosenberg,
Savani & von Stengel 2010, "Enumeration of Nash equilibria for two-player games", §2-3).
Two cliques that share an extreme equilibrium lie in one connected component, and the
components are the classes of the union of that relation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Component", "components_from_cliques"]


@dataclass(frozen=True)
class Component:
    """A connected set of equilibria: the union of cliques that share extreme points.

    At a BNE each type best-responds, so ``POWER(i, σ) = U_i(σ)``, and on a clique (a
    product of polytopes ``X × Y``) ``Σ_i U_i`` is bilinear; its minimum and maximum over
    the clique are therefore attained at extreme points. ``power_sum_min`` and
    ``power_sum_max`` over the extreme points are the range of ``Σ POWER`` over the whole
    component.

    Attributes:
        index: the component's number.
        members: indices (into the equilibrium list) of its extreme equilibria.
        cliques: each clique as a list of member indices.
        power_sum_min, power_sum_max: range of ``Σ_i POWER(i, σ)`` over the component.
    """

    index: int
    members: list[int]
    cliques: list[list[int]]
    power_sum_min: Any
    power_sum_max: Any


def components_from_cliques(
    results: Sequence[Any], cliques: list[list[int]], where: list[int]
) -> list[Component]:
    """Union the cliques into components.

    ``cliques`` hold indices into the solver's raw list; ``where[k]`` maps raw index ``k`` to
    its (deduplicated) position in ``results``, whose items have a ``power_sum``.
    """
    parent = list(range(len(results)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    mapped = [sorted({where[k] for k in c}) for c in cliques]
    for c in mapped:
        for m in c[1:]:
            parent[find(m)] = find(c[0])
    roots: dict[int, list[int]] = {}
    for k in range(len(results)):
        roots.setdefault(find(k), []).append(k)
    comps = []
    for idx, members in enumerate(sorted(roots.values())):
        sums = [results[m].power_sum for m in members]
        comps.append(
            Component(idx, members, [c for c in mapped if c[0] in members], min(sums), max(sums))
        )
    return comps
