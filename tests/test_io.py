"""Atomic writes: no half-written target, no temporary left behind, permissions from the umask."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from powerlab._io import atomic_write, atomic_write_text


def test_written_files_respect_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "a.txt", "old")

    def boom(p: Path) -> None:
        p.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "a.txt", boom)
    assert (tmp_path / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_temporaries_of_dead_processes_are_swept_on_the_next_write(tmp_path: Path) -> None:
    dead = tmp_path / ".heat.png.4194305.abcd1234.png"  # above Linux's largest PID
    live = tmp_path / f".heat.png.{os.getppid()}.abcd1234.png"  # a writer still running
    legacy = tmp_path / ".heat.png.k3j_x9q2.png"  # older naming, without a PID
    other = tmp_path / ".other.png.4194305.abcd1234.png"  # another target's
    for p in (dead, live, legacy, other):
        p.write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    os.utime(legacy, (two_hours_ago, two_hours_ago))
    atomic_write(tmp_path / "heat.png", lambda p: p.write_bytes(b"png"))
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["heat.png", live.name, other.name])


def test_sigterm_during_a_write_removes_the_temporary(tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path; from powerlab._io import atomic_write\n"
        "def slow(p):\n"
        "    p.write_text('partial'); print('writing', flush=True); time.sleep(30)\n"
        "atomic_write(Path(sys.argv[1]) / 'out.txt', slow)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    assert any(p.name.startswith(".out.txt.") for p in tmp_path.iterdir())
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == -signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
