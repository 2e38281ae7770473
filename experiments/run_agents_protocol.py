"""Run the trained-agent protocol resumably and commit each finished chunk to git.

Each chunk (seed, k, γ) is written under ``--out`` when it finishes and immediately
committed on its own (``git add FILE && git commit -- FILE``), so an interrupted run
resumes from the repository and ``powerlab agents protocol analyze`` draws the headline
figure from whatever is committed. Run it at low priority on a shared machine:

    nice -n 15 python experiments/run_agents_protocol.py --out examples/agents/protocol-full

``--no-commit`` only writes the files; ``--scheduler local:N`` runs chunks on a Dask cluster
through the sweep engine's executor (retries, lost workers rerun).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from powerlab.agents.protocol import PRESETS
from powerlab.agents.runner import run_protocol
from powerlab.sweep.executors import make_executor


def _commit(paths: list[Path], tries: int = 20) -> None:
    """Commit exactly ``paths`` (retrying while another process holds the git index)."""
    files = [str(p) for p in paths]
    msg = f"agents: protocol chunk {paths[-1].stem}"
    for _ in range(tries):
        add = subprocess.run(["git", "add", *files], capture_output=True, check=False)
        done = add.returncode == 0 and (
            subprocess.run(
                ["git", "commit", "-q", "-m", msg, "--", *files], capture_output=True, check=False
            ).returncode
            == 0
        )
        if done:
            return
        time.sleep(5)
    print(f"could not commit {files}; they stay on disk", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="examples/agents/protocol-full")
    ap.add_argument("--preset", default="full", choices=sorted(PRESETS))
    ap.add_argument("--scheduler", default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--no-commit", action="store_true")
    args = ap.parse_args()
    out = Path(args.out)
    command = f"python experiments/run_agents_protocol.py --out {out} --preset {args.preset}"

    def on_chunk(p: Path) -> None:
        print(f"finished {p}", flush=True)
        if not args.no_commit:
            if not (out / "protocol.json").is_file():
                raise SystemExit(f"{out}: protocol.json missing")
            _commit([out / "protocol.json", p])

    executor = make_executor(args.scheduler)  # the sweep engine's: in-process or Dask
    try:
        run_protocol(
            PRESETS[args.preset],
            out,
            command=command,
            executor=executor,
            limit=args.limit,
            on_chunk=on_chunk,
        )
    finally:
        executor.close()


if __name__ == "__main__":
    main()
