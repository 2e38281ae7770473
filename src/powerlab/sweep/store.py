"""The resumable result store: a directory of Parquet files, one per finished chunk.

Layout of a store ``DIR``::

    DIR/sweep.json                          manifest: spec, fingerprint, labels, versions
    DIR/chunks/c00000-k0000000-n10000.parquet   chunk k of cell c, n samples
    DIR/.lock                               held (flock) by the running driver

Why Parquet files and not one DuckDB database: a chunk is committed by writing its file under
a temporary name, ``fsync``-ing it and renaming it into place, an atomic step on POSIX file
systems, so a SIGKILL at any moment leaves each chunk either fully there or absent, and the
file's name (cell, chunk, samples) makes it impossible to hold the same chunk twice. Nothing
needs a database lock, so ``powerlab sweep status DIR`` reads a store while a run is writing
to it (DuckDB allows one writing process and no readers beside it); resuming is a directory
listing; each file is self-describing (its metadata repeats the sweep fingerprint and the
chunk key) and readable by pandas, pyarrow or DuckDB itself. The cost, many small files, is
bounded by choosing chunks of at least seconds of work (docs/sweep.md).

A chunk file holds ``G x I`` rows ``gamma_index, item, mean, m2, solver_error`` (float64, so
numbers survive bit for bit) and its metadata ``{fingerprint, cell, chunk, n, seconds,
worker}``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from powerlab._io import atomic_write, atomic_write_json
from powerlab._load import load_document
from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.sweep.plan import ChunkResult

__all__ = ["ResultStore", "chunk_name"]

_CHUNK_RE = re.compile(r"^c(\d{5,})-k(\d{7,})-n(\d+)\.parquet$")
_META_KEY = b"powerlab.sweep"


_MANIFEST_TYPES: dict[str, type | tuple[type, ...]] = {
    "fingerprint": str,
    "name": str,
    "analysis": str,
    "item_name": str,
    "estimate_name": str,
    "samples": int,
    "chunk_size": int,
    "gammas": list,
    "cells": list,
}
_CELL_TYPES: dict[str, type | tuple[type, ...]] = {
    "cell": int,
    "env": str,
    "dist": str,
    "items": list,
    "params": dict,
}
_MAX_PLANNED = 10_000_000  # chunks a manifest may plan (cells x chunks per cell)


def _check_manifest(doc: Any, where: str) -> None:
    """Refuse a manifest that is not one this module wrote (a key missing or mistyped)."""

    def bad(what: str) -> InputError:
        return InputError(f"{where}: not a sweep manifest ({what})")

    if not isinstance(doc, dict):
        raise bad("expected a mapping")
    for key, kind in _MANIFEST_TYPES.items():
        if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), bool):
            raise bad(f"{key}: missing or not a {getattr(kind, '__name__', kind)}")
    if doc["samples"] < 1 or doc["chunk_size"] < 1:
        raise bad("samples and chunk_size must be positive")
    n_chunks = -(-doc["samples"] // doc["chunk_size"])
    if n_chunks * max(1, len(doc["cells"])) > _MAX_PLANNED:
        raise bad(f"plans more than {_MAX_PLANNED:,} chunks")
    if not all(
        isinstance(g, int | float) and not isinstance(g, bool) and 0 <= g <= 1
        for g in doc["gammas"]
    ):
        raise bad("gammas: expected numbers in [0, 1]")
    for i, cell in enumerate(doc["cells"]):
        if not isinstance(cell, dict):
            raise bad(f"cells[{i}]: expected a mapping")
        for key, kind in _CELL_TYPES.items():
            if not isinstance(cell.get(key), kind) or isinstance(cell.get(key), bool):
                raise bad(f"cells[{i}].{key}: missing or not a {getattr(kind, '__name__', kind)}")
        if not all(isinstance(x, str) for x in cell["items"]):
            raise bad(f"cells[{i}].items: expected names")
        if not _grid_ok(cell.get("grid_shape"), cell.get("grid_cells"), len(cell["items"])):
            raise bad(f"cells[{i}]: grid_shape and grid_cells do not describe a grid")


def _is_pair(v: Any) -> bool:
    return (
        isinstance(v, list)
        and len(v) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in v)
    )


def _grid_ok(shape: Any, cells: Any, n_items: int) -> bool:
    """``grid_shape`` is absent or ``[rows, cols]`` (at most 10^8 cells); ``grid_cells`` is
    absent or one ``[row, col]`` inside it per item."""
    if shape is None:
        return cells is None
    if not _is_pair(shape) or min(shape) < 1 or shape[0] * shape[1] > 10**8:
        return False
    if cells is None:
        return True
    return (
        isinstance(cells, list)
        and len(cells) == n_items
        and all(_is_pair(rc) and rc[0] < shape[0] and rc[1] < shape[1] for rc in cells)
    )


def chunk_name(cell: int, chunk: int, n: int) -> str:
    """File name of chunk ``chunk`` (``n`` samples) of cell ``cell``."""
    return f"c{cell:05d}-k{chunk:07d}-n{n}.parquet"


@dataclass
class ResultStore:
    """A store directory (module docstring). Open with :meth:`create` or :meth:`open`."""

    root: Path

    @property
    def manifest_path(self) -> Path:
        """``DIR/sweep.json``."""
        return self.root / "sweep.json"

    @property
    def chunk_dir(self) -> Path:
        """``DIR/chunks``."""
        return self.root / "chunks"

    @classmethod
    def open(cls, root: str | os.PathLike[str]) -> ResultStore:
        """Open an existing store; :class:`InputError` if ``root`` holds none."""
        store = cls(Path(root))
        if not store.manifest_path.is_file():
            raise InputError(f"{root}: not a sweep result store (no sweep.json)")
        return store

    @classmethod
    def create(cls, root: str | os.PathLike[str], manifest: JSON) -> ResultStore:
        """Open ``root`` for the sweep ``manifest``, creating it if needed.

        An existing store must hold the same fingerprint (the same chunks); its manifest is
        then rewritten (the sample count may have grown). Anything else is refused.
        """
        store = cls(Path(root))
        if store.root.exists() and not store.root.is_dir():
            raise InputError(f"{root}: exists and is not a directory")
        if store.manifest_path.is_file():
            old = store.manifest()
            if old.get("fingerprint") != manifest["fingerprint"]:
                raise InputError(
                    f"{root}: holds a different sweep ({old.get('name')!r}, other environments, "
                    "gammas, distributions, chunk size or seed); choose another --out"
                )
        elif store.root.is_dir() and any(not p.name.startswith(".") for p in store.root.iterdir()):
            raise InputError(f"{root}: directory is not empty and holds no sweep")
        store.chunk_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_json(store.manifest_path, manifest)
        return store

    def manifest(self) -> JSON:
        """The parsed ``sweep.json``, checked (read within the loader's limits)."""
        doc, _ = load_document(self.manifest_path, what="a sweep manifest")
        _check_manifest(doc, str(self.manifest_path))
        return doc

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold ``DIR/.lock`` exclusively (released by the kernel even on SIGKILL)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(f"{self.root}: another sweep is running in this store") from None
            yield
        finally:
            os.close(fd)

    def clean_temporaries(self) -> int:
        """Remove half-written chunk files left by a killed run (call while holding the lock)."""
        n = 0
        if self.chunk_dir.is_dir():
            for p in self.chunk_dir.iterdir():
                if p.name.startswith("."):
                    p.unlink(missing_ok=True)
                    n += 1
        return n

    def done(self) -> set[tuple[int, int, int]]:
        """``(cell, chunk, n)`` of every committed chunk file."""
        out = set()
        if self.chunk_dir.is_dir():
            for p in self.chunk_dir.iterdir():
                m = _CHUNK_RE.match(p.name)
                if m:
                    out.add((int(m.group(1)), int(m.group(2)), int(m.group(3))))
        return out

    def commit(self, result: ChunkResult, fingerprint: str) -> Path:
        """Write ``result`` atomically (temporary file, fsync, rename) and return its path."""
        G, I = result.mean.shape
        table = pa.table(
            {
                "gamma_index": pa.array(np.repeat(np.arange(G, dtype=np.int32), I)),
                "item": pa.array(np.tile(np.arange(I, dtype=np.int32), G)),
                "mean": pa.array(result.mean.ravel()),
                "m2": pa.array(result.m2.ravel()),
                "solver_error": pa.array(np.repeat(result.solver_error, I)),
            }
        )
        meta = {
            "fingerprint": fingerprint,
            "cell": result.cell,
            "chunk": result.chunk,
            "n": result.n,
            "seconds": result.seconds,
            "worker": result.worker,
        }
        table = table.replace_schema_metadata({_META_KEY: json.dumps(meta).encode()})

        def write(tmp: Path) -> None:
            pq.write_table(table, tmp, compression="zstd")
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

        path = self.chunk_dir / chunk_name(result.cell, result.chunk, result.n)
        return atomic_write(path, write)

    def read(self, cell: int, chunk: int, n: int, fingerprint: str) -> ChunkResult:
        """Read a committed chunk back; checks its metadata against the expected key."""
        path = self.chunk_dir / chunk_name(cell, chunk, n)
        try:
            table = pq.read_table(path)
            meta = json.loads((table.schema.metadata or {})[_META_KEY])
        except (OSError, KeyError, ValueError, pa.ArrowException) as exc:
            raise InputError(
                f"{path}: unreadable chunk file ({exc}); delete it to recompute"
            ) from None
        if (meta.get("fingerprint"), meta.get("cell"), meta.get("chunk"), meta.get("n")) != (
            fingerprint,
            cell,
            chunk,
            n,
        ):
            raise InputError(f"{path}: belongs to another sweep or chunk; delete it to recompute")
        gi = table.column("gamma_index").to_numpy()
        G = int(gi.max()) + 1 if len(gi) else 0
        shape = (G, len(gi) // max(G, 1))
        return ChunkResult(
            cell=cell,
            chunk=chunk,
            n=n,
            mean=table.column("mean").to_numpy().reshape(shape),
            m2=table.column("m2").to_numpy().reshape(shape),
            solver_error=table.column("solver_error").to_numpy().reshape(shape)[:, 0],
            seconds=float(meta.get("seconds", 0.0)),
            worker=str(meta.get("worker", "")),
        )
