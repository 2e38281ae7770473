"""Sweep specifications: a YAML file naming the grid, parsed and checked before anything runs.

A specification (see ``docs/sweep.md`` and ``examples/sweeps/``)::

    name: fig1-power
    analysis: power              # power | optimality (powerlab.sweep.analyses)
    environments:                # files (relative to this spec) or gym:ID; or mappings
      - ../fig1.yaml             #   with 'path' and the analysis' keys (states, state)
      - {path: ../room.yaml, states: [a, b]}
    gammas: [0.5, 0.9, 1/2]      # each in [0, 1]; 0 and 1 are the limits
    distributions: [uniform, "beta:2,2"]
    samples: 100_000             # reward functions per (environment, distribution) cell
    chunk_size: 10_000           # samples per task and per committed result file
    batch_size: 2_000            # optional: samples per array batch inside a chunk
    seed: 0
    options: {tol: 1e-9}         # analysis options

The grid's *cells* are environment x distribution, in file order; each cell's samples are cut
into chunks of ``chunk_size`` (the last may be smaller), and every chunk evaluates all γ on
the same rewards (common random numbers). Every error is one line naming the file, the line
and the key.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from powerlab._load import exact_number
from powerlab._memory import check_bytes
from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.mdp.io import load_env, read_document
from powerlab.mdp.model import MDP
from powerlab.power.distributions import parse_dist
from powerlab.power.moments import batch_size
from powerlab.sweep.analyses import get_analysis

__all__ = ["FORMAT", "EnvEntry", "SweepSpec", "load_spec", "spec_from_dict"]

FORMAT = 1
_KEYS = {
    "name",
    "description",
    "analysis",
    "environments",
    "gammas",
    "distributions",
    "samples",
    "chunk_size",
    "batch_size",
    "seed",
    "options",
}
_REQUIRED = ("analysis", "environments", "gammas", "samples")
MAX_CHUNKS = 1_000_000
MAX_BATCH = 1_000_000  # samples per array batch: larger batches are no faster, only bigger
BATCH_BYTES = 2**26  # array memory per batch when batch_size is not given


@dataclass(frozen=True)
class EnvEntry:
    """One environment of a sweep.

    Attributes:
        source: the file path (absolute) or ``gym:ID``.
        label: display name (the MDP's name, made unique within the sweep).
        params: the analysis' parameters for this environment (JSON-able).
        digest: SHA-256 of the file's bytes (or of the gym id): the content, not the path.
        batch_size: samples per array batch inside a chunk, fixed by the spec.
    """

    source: str
    label: str
    params: JSON
    digest: str
    batch_size: int


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep specification (module docstring); ``mdps[i]`` is ``envs[i]`` loaded."""

    name: str
    analysis: str
    envs: tuple[EnvEntry, ...]
    gammas: tuple[float, ...]
    distributions: tuple[str, ...]
    samples: int
    chunk_size: int
    seed: int
    options: JSON
    mdps: tuple[MDP, ...] = field(repr=False, compare=False)

    @property
    def cells(self) -> list[tuple[int, int]]:
        """``(env index, distribution index)`` of each cell, in cell order."""
        return [(e, d) for e in range(len(self.envs)) for d in range(len(self.distributions))]

    @property
    def n_chunks(self) -> int:
        """Chunks per cell: ``ceil(samples / chunk_size)``."""
        return -(-self.samples // self.chunk_size)

    def chunk_samples(self, k: int) -> int:
        """Samples in chunk ``k`` of a cell (all ``chunk_size`` but possibly the last)."""
        return min(self.chunk_size, self.samples - k * self.chunk_size)

    def fingerprint(self) -> str:
        """SHA-256 of everything that fixes a chunk's numbers (not ``samples``, not ``name``).

        Two specs with the same fingerprint give bit-identical chunk ``k`` of cell ``c`` for
        every full chunk, so a store can be resumed, or extended to more samples, safely.
        """
        body = {
            "format": FORMAT,
            "analysis": self.analysis,
            "options": self.options,
            "envs": [[e.digest, e.params, e.batch_size] for e in self.envs],
            "gammas": [repr(g) for g in self.gammas],
            "distributions": list(self.distributions),
            "chunk_size": self.chunk_size,
            "seed": self.seed,
        }
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def to_dict(self) -> JSON:
        """A JSON-able copy (environments by source and label)."""
        return {
            "name": self.name,
            "analysis": self.analysis,
            "environments": [
                {
                    "source": e.source,
                    "label": e.label,
                    "params": e.params,
                    "batch_size": e.batch_size,
                }
                for e in self.envs
            ],
            "gammas": list(self.gammas),
            "distributions": list(self.distributions),
            "samples": self.samples,
            "chunk_size": self.chunk_size,
            "seed": self.seed,
            "options": self.options,
        }


def _line(node: yaml.Node | None, path: list[str | int]) -> int | None:
    """1-based line of the deepest node along ``path`` (mapping keys, sequence indices)."""
    line = None
    for key in path:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if str(k.value) == key:
                    line, node = k.start_mark.line + 1, v
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return line
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


class _Where:
    """Formats ``file:line: key: message`` for a key path of the spec."""

    def __init__(self, where: str, node: yaml.Node | None) -> None:
        self.where, self.node = where, node

    def __call__(self, *path: str | int) -> str:
        line = _line(self.node, list(path))
        keys = ""
        for p in path:
            keys += f"[{p}]" if isinstance(p, int) else (f".{p}" if keys else p)
        return f"{self.where}{f':{line}' if line else ''}{f': {keys}' if keys else ''}"


def _int(value: Any, at: str, low: int) -> int:
    """An integer >= low from an int, an integral float or a string like ``1e6``."""
    if isinstance(value, bool):
        raise InputError(f"{at}: expected an integer, got {value!r}")
    if isinstance(value, str):
        try:
            value = float(value.replace("_", ""))
        except ValueError:
            raise InputError(f"{at}: expected an integer, got {value!r}") from None
    if isinstance(value, float):
        if not (math.isfinite(value) and value == int(value)):
            raise InputError(f"{at}: expected an integer, got {value!r}")
        value = int(value)
    if not isinstance(value, int):
        raise InputError(f"{at}: expected an integer, got {value!r}")
    if value < low:
        raise InputError(f"{at}: must be at least {low}, got {value}")
    return value


def _gamma(value: Any, at: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{at}: {value!r} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{at}: {value} is outside [0, 1]")
    q = exact_number(repr(value) if isinstance(value, float) else str(value), at)
    if not 0 <= q <= 1:
        raise InputError(f"{at}: {value} is outside [0, 1]")
    g = float(q)
    if not 0.0 <= g <= 1.0:
        raise InputError(f"{at}: {value} is outside [0, 1]")
    return g


_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}")


def _name(value: Any, at: str, stem: str) -> str:
    """The sweep's name: a plain name (it names ``sweeps/NAME``), never a path.

    Letters, digits and ``_ . + -``, at most 100 characters, not starting with a dot or a
    dash; without one the specification's file name (its other characters made ``_``).
    """
    if value is None or value == "":
        return re.sub(r"[^A-Za-z0-9_.+-]", "_", stem).lstrip(".-")[:100] or "sweep"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(f"{at}: expected a name, got {value!r}")
    if not _NAME.fullmatch(str(value)):
        raise InputError(
            f"{at}: {str(value)[:120]!r} is not a name (letters, digits and _ . + -, at most "
            "100 characters, not starting with . or -; a name, not a path)"
        )
    return str(value)


def _check_batch(batch: int, mdp: MDP, at: str) -> None:
    """Refuse a batch over :data:`MAX_BATCH` samples or whose arrays exceed the memory budget.

    A batch's arrays take ``8·S·(6 + 2A)`` bytes a sample (:func:`powerlab.power.moments.batch_size`).
    """
    if batch > MAX_BATCH:
        raise InputError(f"{at}: {batch:,} is over the limit of {MAX_BATCH:,} samples per batch")
    per_sample = 8.0 * mdp.n_states * (6 + 2 * mdp.n_actions)
    check_bytes(batch * per_sample, f"{at}: a batch of {batch:,} samples in {mdp.name}")


def _digest(source: str) -> str:
    if source.startswith("gym:"):
        return hashlib.sha256(source.encode()).hexdigest()
    return hashlib.sha256(Path(source).read_bytes()).hexdigest()


def _default_batch(mdp: MDP, chunk_size: int) -> int:
    return batch_size(mdp.n_states, mdp.n_actions, chunk_size, BATCH_BYTES, per_action=True)


def spec_from_dict(
    doc: Any, *, where: str = "<spec>", base_dir: str | os.PathLike[str] = ".", node: Any = None
) -> SweepSpec:
    """Validate a parsed specification; environment paths are relative to ``base_dir``.

    Loads every environment and parses every distribution, so that a bad spec fails here, in
    one line, before any chunk runs.
    """
    at = _Where(where, node)
    if not isinstance(doc, dict):
        raise InputError(f"{where}: expected a mapping with keys {', '.join(_REQUIRED)}")
    for key in map(str, doc):
        if key not in _KEYS:
            raise InputError(f"{at(key)}: unknown key (allowed: {', '.join(sorted(_KEYS))})")
    for key in _REQUIRED:
        if key not in doc:
            raise InputError(f"{where}: missing required key {key!r}")
    if not isinstance(doc["analysis"], str):
        raise InputError(f"{at('analysis')}: expected a name, got {doc['analysis']!r}")
    try:
        analysis = get_analysis(doc["analysis"])
    except InputError as exc:
        raise InputError(f"{at('analysis')}: {exc}") from None
    options = dict(analysis.option_keys)
    raw_opts = doc.get("options") or {}
    if not isinstance(raw_opts, dict):
        raise InputError(f"{at('options')}: expected a mapping")
    for k, v in raw_opts.items():
        if k not in options:
            allowed = ", ".join(sorted(options)) or "none"
            raise InputError(f"{at('options', k)}: unknown option for {analysis.name} ({allowed})")
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v < 2.0**1023:
            raise InputError(f"{at('options', k)}: expected a positive number, got {v!r}")
        options[k] = float(v)

    gammas_raw = doc["gammas"]
    if not isinstance(gammas_raw, list):
        gammas_raw = [gammas_raw]
    if not gammas_raw:
        raise InputError(f"{at('gammas')}: at least one gamma is required")
    gammas = tuple(_gamma(g, at("gammas", i)) for i, g in enumerate(gammas_raw))
    if len(set(gammas)) != len(gammas):
        raise InputError(f"{at('gammas')}: duplicate gamma")

    samples = _int(doc["samples"], at("samples"), 2)
    chunk_size = _int(doc.get("chunk_size", 10_000), at("chunk_size"), 1)
    if -(-samples // chunk_size) > MAX_CHUNKS:
        raise InputError(f"{at('chunk_size')}: {chunk_size} makes more than {MAX_CHUNKS} chunks")
    batch_req = (
        _int(doc["batch_size"], at("batch_size"), 1) if doc.get("batch_size") is not None else None
    )
    seed = _int(doc.get("seed", 0), at("seed"), 0)

    dists_raw = doc.get("distributions", ["uniform"])
    if not isinstance(dists_raw, list):
        dists_raw = [dists_raw]
    if not dists_raw or not all(isinstance(d, str) for d in dists_raw):
        raise InputError(f"{at('distributions')}: expected a list of distribution specs")
    if len(set(dists_raw)) != len(dists_raw):
        raise InputError(f"{at('distributions')}: duplicate distribution")

    envs_raw = doc["environments"]
    if not isinstance(envs_raw, list) or not envs_raw:
        raise InputError(f"{at('environments')}: expected a non-empty list")
    base = Path(base_dir)
    envs: list[EnvEntry] = []
    mdps: list[MDP] = []
    labels: set[str] = set()
    for i, raw in enumerate(envs_raw):
        here = at("environments", i)
        entry = {"path": raw} if isinstance(raw, str) else raw
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise InputError(f"{here}: expected a file name or a mapping with 'path'")
        for k in map(str, entry):
            if k != "path" and k not in analysis.env_keys:
                allowed = ", ".join(("path", *analysis.env_keys))
                raise InputError(f"{here}: unknown key {k!r} for {analysis.name} ({allowed})")
        path = entry["path"]
        source = path if path.startswith("gym:") else str((base / path).resolve())
        try:
            mdp = load_env(source)
        except InputError as exc:
            raise InputError(f"{here}: {exc}") from None
        params = analysis.params(mdp, entry, here)
        for j, d in enumerate(dists_raw):
            try:
                parse_dist(d, mdp.state_index)
            except InputError as exc:
                raise InputError(f"{at('distributions', j)}: {exc} (in {mdp.name})") from None
        label, n = mdp.name, 2
        while label in labels:
            label, n = f"{mdp.name}#{n}", n + 1
        labels.add(label)
        batch = min(batch_req, chunk_size) if batch_req else _default_batch(mdp, chunk_size)
        _check_batch(batch, mdp, at("batch_size") if batch_req else here)
        envs.append(EnvEntry(source, label, params, _digest(source), batch))
        mdps.append(mdp)

    name = _name(doc.get("name"), at("name"), Path(where).stem)
    return SweepSpec(
        name=name,
        analysis=analysis.name,
        envs=tuple(envs),
        gammas=gammas,
        distributions=tuple(dists_raw),
        samples=samples,
        chunk_size=chunk_size,
        seed=seed,
        options=options,
        mdps=tuple(mdps),
    )


def load_spec(path: str | os.PathLike[str]) -> SweepSpec:
    """Read and validate a sweep specification file (YAML or JSON); see the module docstring."""
    p = Path(path)
    doc, node = read_document(p, what="a sweep specification")
    return spec_from_dict(doc, where=str(p), base_dir=p.parent, node=node)
