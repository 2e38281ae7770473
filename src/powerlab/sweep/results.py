"""Reading a store back: the combined estimates, and how far a sweep has got.

For each cell the committed chunks are combined in chunk order ``k = 0, 1, ...`` with
:class:`~powerlab.power.moments.Moments` (Chan et al. 1979, eq. 2.1), so the result does not
depend on the order in which chunks finished, and equals the mean and standard error of one
run over all the chunk's samples (up to rounding).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.power.moments import Moments
from powerlab.sweep.store import ResultStore, chunk_name

__all__ = ["CellStatus", "SweepStatus", "combine", "planned", "status"]


def planned(manifest: JSON) -> list[tuple[int, int, int]]:
    """``(cell, chunk, n)`` of every planned chunk, in combination order."""
    S, C = int(manifest["samples"]), int(manifest["chunk_size"])
    n_chunks = -(-S // C)
    return [
        (cell["cell"], k, min(C, S - k * C)) for cell in manifest["cells"] for k in range(n_chunks)
    ]


def combine(store: ResultStore) -> tuple[pd.DataFrame, int]:
    """The combined table of a (possibly partial) store and the number of chunks in it.

    Columns: ``env, dist, [state,] gamma, <item>, <estimate>, stderr, samples,
    solver_error`` where ``<item>``/``<estimate>`` are the analysis' names (``state``/``power``
    or ``action``/``probability``); ``stderr`` is ``sqrt(M2/(n-1)/n)``; ``solver_error`` is
    the largest error bound of any chunk. Cells without a committed chunk have no rows.
    """
    man = store.manifest()
    fp, gammas = man["fingerprint"], man["gammas"]
    item_col, est_col = man["item_name"], man["estimate_name"]
    done = store.done()
    by_cell: dict[int, list[tuple[int, int, int]]] = {}
    for key in planned(man):
        by_cell.setdefault(key[0], []).append(key)
    rows: list[JSON] = []
    n_done = 0
    for cell in man["cells"]:
        acc = Moments.empty()
        err = np.zeros(len(gammas))
        for c, k, n in by_cell.get(cell["cell"], []):
            if (c, k, n) not in done:
                continue
            r = store.read(c, k, n, fp)
            if r.mean.shape != (len(gammas), len(cell["items"])):
                raise InputError(
                    f"{store.chunk_dir / chunk_name(c, k, n)}: holds {r.mean.shape[0]} x "
                    f"{r.mean.shape[1]} values, the manifest {len(gammas)} x "
                    f"{len(cell['items'])}; delete it to recompute"
                )
            acc = acc.combine(Moments(r.n, r.mean, r.m2))
            err = np.maximum(err, r.solver_error)
            n_done += 1
        if acc.n == 0:
            continue
        se = acc.stderr
        extra = {"state": cell["params"]["state"]} if "state" in cell["params"] else {}
        for j, g in enumerate(gammas):
            for i, item in enumerate(cell["items"]):
                rows.append(
                    {
                        "env": cell["env"],
                        "dist": cell["dist"],
                        **extra,
                        "gamma": g,
                        item_col: item,
                        est_col: float(acc.mean[j, i]),
                        "stderr": float(se[j, i]),
                        "samples": acc.n,
                        "solver_error": float(err[j]),
                    }
                )
    cols = ["env", "dist", *(["state"] if item_col != "state" else []), "gamma", item_col]
    cols += [est_col, "stderr", "samples", "solver_error"]
    frame = pd.DataFrame(rows, columns=cols) if rows else pd.DataFrame(columns=cols)
    return frame, n_done


@dataclass(frozen=True)
class CellStatus:
    """How far one cell (environment x distribution) of a sweep has got."""

    cell: int
    env: str
    dist: str
    chunks_done: int
    chunks_total: int
    samples_done: int
    samples_total: int


@dataclass(frozen=True)
class SweepStatus:
    """How far a sweep has got: chunk and sample counts overall and per cell.

    Attributes:
        name, analysis, fingerprint, gammas, chunk_size: from the store's manifest.
        chunks_done, chunks_total, samples_done, samples_total: committed and planned.
        complete: every planned chunk is committed.
        unplanned_files: chunk files on disk that the plan does not name.
        updated: the manifest's last update time, if recorded.
        cells: one :class:`CellStatus` per cell, in the manifest's order.
    """

    name: str
    analysis: str
    fingerprint: str
    gammas: list[float]
    chunk_size: int
    chunks_done: int
    chunks_total: int
    samples_done: int
    samples_total: int
    complete: bool
    unplanned_files: int
    updated: str | None
    cells: list[CellStatus]

    def to_dict(self) -> JSON:
        """The JSON form of ``powerlab sweep status --json`` (the fields in order)."""
        return asdict(self)


def status(store: ResultStore) -> SweepStatus:
    """Progress of a store: chunk and sample counts overall and per cell (no chunk is read)."""
    man = store.manifest()
    plan = planned(man)
    done = store.done()
    expected = {chunk_name(*key) for key in plan}
    on_disk = {chunk_name(*key) for key in done}
    cells = []
    for cell in man["cells"]:
        mine = [key for key in plan if key[0] == cell["cell"]]
        have = [key for key in mine if key in done]
        cells.append(
            CellStatus(
                cell=cell["cell"],
                env=cell["env"],
                dist=cell["dist"],
                chunks_done=len(have),
                chunks_total=len(mine),
                samples_done=sum(k[2] for k in have),
                samples_total=sum(k[2] for k in mine),
            )
        )
    chunks_done = sum(c.chunks_done for c in cells)
    return SweepStatus(
        name=man["name"],
        analysis=man["analysis"],
        fingerprint=man["fingerprint"],
        gammas=man["gammas"],
        chunk_size=man["chunk_size"],
        chunks_done=chunks_done,
        chunks_total=len(plan),
        samples_done=sum(c.samples_done for c in cells),
        samples_total=sum(c.samples_total for c in cells),
        complete=chunks_done == len(plan),
        unplanned_files=len(on_disk - expected),
        updated=man.get("updated"),
        cells=cells,
    )
