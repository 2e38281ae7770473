"""Generated and mutated input files through the CLI: a result or one ``error:`` line, always.

Environment files (``edges``, ``transitions``, ``grid``; YAML and JSON) go to ``power``;
training files to ``goals sample``; sweep specifications to ``sweep run``; a result store's
manifest to ``sweep status`` and ``sweep report``; random option values to ``power`` and
``optimality``. A valid document
must succeed with a correct result (POWER of uniform [0, 1] rewards lies in [0, 1] for
every state, and is 0 at terminal states; a sweep commits the chunk it was asked for);
a mutated one must succeed or be refused in one line naming the file. The slow variants
run the same properties on ten times as many examples.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from fuzz_harness import check_contract, invoke, names_of
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from strategies import document_file, env_doc, mutated, names, text_mutated, write

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

FAST = settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
SLOW = settings(FAST, max_examples=300, derandomize=False)


def _env_states(doc: dict[str, Any]) -> tuple[set[str], set[str]]:
    """State names and terminal states of a valid environment document."""
    if "grid" in doc:
        rows = [r for r in doc["grid"].splitlines() if r.strip()]
        cells = {f"{r},{c}" for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == "."}
        return cells, set()
    body = doc.get("edges") or doc.get("transitions") or {}
    return set(map(str, body)), set(map(str, doc.get("terminal") or []))


def check_environment(case: tuple[str, str, Any], gamma: str) -> None:
    name, text, valid = case
    with tempfile.TemporaryDirectory() as tmp:
        p = write(Path(tmp), name, text)
        out = invoke(["power", p, "--samples", 16, "--seed", 1, "--gamma", gamma, "--json"])
        ok = check_contract(out, [*names_of(p), p.stem])
    if valid is None:
        return
    assert ok, f"a valid environment was refused\n{text}\n{out.describe()}"
    states, terminal = _env_states(valid)
    rows = out.json()["results"]
    assert {r["state"] for r in rows} == states
    for r in rows:
        assert -1e-12 <= r["power"] <= 1 + 1e-12, r
        if r["state"] in terminal:
            assert r["power"] == 0, r


@FAST
@given(case=document_file(env_doc, "env"), gamma=st.sampled_from(["0", "0.5", "1"]))
def test_environment_files(case: tuple[str, str, Any], gamma: str) -> None:
    check_environment(case, gamma)


@pytest.mark.slow
@SLOW
@given(case=document_file(env_doc, "env"), gamma=st.sampled_from(["0", "0.5", "0.99", "1"]))
def test_environment_files_long(case: tuple[str, str, Any], gamma: str) -> None:
    check_environment(case, gamma)


# ------------------------------------------------------------------------------- training
SHUTDOWN_ENV = EXAMPLES / "goals" / "shutdown_toy.yaml"
TRAIN_STATES = ["t0", "t1"]


@st.composite
def training_doc(draw: st.DrawFn) -> dict[str, Any]:
    """A training file for the shutdown toy: a policy, trajectories, or a reward and starts."""
    kind = draw(st.sampled_from(["policy", "trajectories", "reward"]))
    if kind == "policy":
        return {"policy": {"t0": draw(st.sampled_from(TRAIN_STATES)), "t1": "t1"}}
    if kind == "trajectories":
        return {"trajectories": [[["t0", "t1"], "t1"]]}
    return {
        "reward": {s: draw(st.floats(0, 1)) for s in TRAIN_STATES},
        "starts": ["t0"],
        "gamma": draw(st.sampled_from([0.5, 0.9])),
    }


def check_training(case: tuple[str, str, Any]) -> None:
    name, text, _ = case
    with tempfile.TemporaryDirectory() as tmp:
        p = write(Path(tmp), name, text)
        args = ["goals", "sample", SHUTDOWN_ENV, "--train", p, "--samples", 8, "--json"]
        out = invoke(args)
        check_contract(out, [*names_of(p), "--train", SHUTDOWN_ENV.name])


@settings(FAST, max_examples=6)
@given(case=document_file(training_doc(), "train"))
def test_training_files(case: tuple[str, str, Any]) -> None:
    check_training(case)


@pytest.mark.slow
@SLOW
@given(case=document_file(training_doc(), "train"))
def test_training_files_long(case: tuple[str, str, Any]) -> None:
    check_training(case)


# ---------------------------------------------------------------------------- sweep specs
@st.composite
def spec_doc(draw: st.DrawFn) -> dict[str, Any]:
    """A small valid sweep specification over the bundled examples."""
    analysis = draw(st.sampled_from(["power", "optimality"]))
    if analysis == "power":
        envs: list[Any] = draw(
            st.lists(
                st.sampled_from([str(EXAMPLES / f) for f in ("fig1.yaml", "coin.yaml")]),
                min_size=1,
                max_size=2,
            )
        )
    else:
        envs = [{"path": str(EXAMPLES / "wait.yaml"), "state": "start"}]
    doc: dict[str, Any] = {
        "name": draw(st.text(alphabet="abc_-.", min_size=1, max_size=6).filter(_plain)),
        "analysis": analysis,
        "environments": envs,
        "gammas": draw(
            st.lists(st.sampled_from([0, 0.5, "1/3", 0.9, 1]), min_size=1, max_size=3, unique=True)
        ),
        "distributions": draw(
            st.lists(
                st.sampled_from(["uniform", "beta:2,2", "bernoulli:0.5"]),
                min_size=1,
                max_size=2,
                unique=True,
            )
        ),
        "samples": draw(st.integers(2, 40)),
        "chunk_size": draw(st.integers(1, 40)),
        "seed": draw(st.integers(0, 2**63)),
    }
    if draw(st.booleans()):
        doc["batch_size"] = draw(st.integers(1, 50))
    return doc


def _plain(name: str) -> bool:
    return not name.startswith((".", "-"))


def check_spec(case: tuple[str, str, Any]) -> None:
    name, text, valid = case
    with tempfile.TemporaryDirectory() as tmp:
        p = write(Path(tmp), name, text)
        store = Path(tmp) / "store"
        out = invoke(["sweep", "run", p, "--out", store, "--json", "--max-chunks", 1])
        ok = check_contract(out, [*names_of(p), "--out"])
    if valid is not None:
        assert ok, f"a valid specification was refused\n{text}\n{out.describe()}"
        assert out.json()["chunks_computed"] == 1


@settings(FAST, max_examples=10)
@given(case=document_file(spec_doc(), "spec"))
def test_sweep_specs(case: tuple[str, str, Any]) -> None:
    check_spec(case)


@pytest.mark.slow
@SLOW
@given(case=document_file(spec_doc(), "spec"))
def test_sweep_specs_long(case: tuple[str, str, Any]) -> None:
    check_spec(case)


# ------------------------------------------------------------------------------ options
FIG1 = EXAMPLES / "fig1.yaml"
NUMBER_TEXT = st.one_of(
    st.sampled_from(
        [
            *("0", "1", "0.9", "1/2", "-0", "1e400", "1e-400", "1e-100000000", "inf", "nan"),
            *("1/0", "", " ", "0x10", "½", "9" * 5000, "--json", "[/x]"),
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=8),
)
OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "--gamma": NUMBER_TEXT,
    "--samples": st.integers(-3, 3000),
    "--seed": st.integers(-(2**70), 2**70),
    "--dist": st.one_of(
        st.sampled_from(
            [
                *("uniform", "beta:2,2", "bernoulli:0.5", "beta:0,0", "beta:-1,2", "gauss"),
                *("uniform;", "bernoulli:2", "uniform;start=bernoulli:0.5", "[/x]"),
                "uniform;nowhere=uniform",
            ]
        ),
        st.text(max_size=10),
    ),
    "--states": st.one_of(
        st.sampled_from(["start", "start,dead", "nowhere", ",", "[/x]", ""]), st.text(max_size=6)
    ),
}


def check_options(command: list[object], chosen: dict[str, Any]) -> None:
    args: list[object] = list(command)
    for flag, value in chosen.items():
        args += [flag, value]
    out = invoke([*args, "--json"])
    if out.code == 2 and out.stderr.lstrip().startswith(("Usage:", "╭")):
        return  # the option parser's own usage error (a flag's value that looks like a flag)
    flags = [*chosen, *(f.lstrip("-") for f in chosen)]  # "--samples" or "samples"
    if check_contract(out, [*flags, "fig1", str(FIG1)]):
        rows = out.json()["results"]
        assert all(-1e-12 <= r.get("power", r.get("probability", 0)) <= 1 + 1e-12 for r in rows)


option_sets = st.dictionaries(st.sampled_from(sorted(OPTIONS)), st.just(None), max_size=4).flatmap(
    lambda keys: st.fixed_dictionaries({k: OPTIONS[k] for k in keys})
)


@FAST
@given(chosen=option_sets)
def test_power_options(chosen: dict[str, Any]) -> None:
    check_options(["power", FIG1], chosen)


@pytest.mark.slow
@SLOW
@given(chosen=option_sets, state=st.one_of(names, st.sampled_from(["start", "l_mid"])))
def test_options_long(chosen: dict[str, Any], state: str) -> None:
    check_options(["power", FIG1], chosen)
    opt = {k: v for k, v in chosen.items() if k != "--states"}
    check_options(["optimality", FIG1, "--state", state], opt)


# ------------------------------------------------------------------------ result stores
_STORE: list[Path] = []


def _base_store() -> Path:
    """A small finished store (built once per session) whose manifest the cases mutate."""
    if not _STORE:
        tmp = Path(tempfile.mkdtemp(prefix="powerlab-fuzz-store-"))
        spec = write(tmp, "s.yaml", f'analysis: power\nenvironments: ["{FIG1}"]\n')
        spec.write_text(spec.read_text() + "gammas: [0.5]\nsamples: 4\nchunk_size: 2\n")
        out = invoke(["sweep", "run", spec, "--out", tmp / "store", "--json"])
        assert out.code == 0, out.describe()
        _STORE.append(tmp / "store")
    return _STORE[0]


@st.composite
def manifest_text(draw: st.DrawFn) -> tuple[str, bool]:
    """The store's ``sweep.json``, as written or mutated; and whether it is unchanged."""
    original = json.loads((_base_store() / "sweep.json").read_text())
    how = draw(st.sampled_from(["valid", "structure", "structure", "text"]))
    doc = draw(mutated(original)) if how == "structure" else original
    text = json.dumps(doc)
    if how == "text":
        text = draw(text_mutated(text))
    return text, how == "valid"


def check_store(case: tuple[str, bool], command: str) -> None:
    text, valid = case
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(_base_store(), store)
        (store / "sweep.json").write_text(text)
        out = invoke(["sweep", command, store, "--json"])
        ok = check_contract(out, [str(store)])
    if valid:
        assert ok, out.describe()


@settings(FAST, max_examples=10)
@given(case=manifest_text())
def test_store_manifests(case: tuple[str, bool]) -> None:
    check_store(case, "status")


@pytest.mark.slow
@SLOW
@given(case=manifest_text(), command=st.sampled_from(["status", "report"]))
def test_store_manifests_long(case: tuple[str, bool], command: str) -> None:
    check_store(case, command)
