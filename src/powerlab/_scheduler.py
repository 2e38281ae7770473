"""Dask scheduler addresses, shared by every command that can run on a cluster. No mathematics.

An address is ``local:N`` (a local cluster of N worker processes) or a scheduler URL such as
``tcp://host:8786``; it is checked before anything runs.
"""

from __future__ import annotations

import re

from powerlab.errors import InputError

__all__ = ["LOCAL", "REMOTE", "check_scheduler"]

#: ``local:N``: a local cluster of N worker processes.
LOCAL = re.compile(r"^local:(\d+)$")
#: a remote scheduler address.
REMOTE = re.compile(r"^(tcp|tls|ucx|inproc|ws|wss)://\S+$")


def check_scheduler(address: str | None) -> None:
    """Check the form of a ``--scheduler`` address (before anything runs); ``None`` is fine."""
    if not address:
        return
    m = LOCAL.match(address)
    if m:
        n = int(m.group(1))
        if not 1 <= n <= 256:
            raise InputError(f"--scheduler: local:N needs 1 <= N <= 256, got {n}")
    elif not REMOTE.match(address):
        raise InputError(f"--scheduler: expected local:N or tcp://HOST:PORT, got {address!r}")
