"""Build step for the optional compiled face recursion (``powerlab.power.exact._faces``).

Everything else about the package is declared in ``pyproject.toml``. The extension links GMP
(Debian's ``libgmp-dev``); if it cannot be built, installation still succeeds and exact mode
uses the fallback backend chosen in ``powerlab.power.exact.facets`` (Qhull and the Python
recursion in ``powerlab.power.exact.lattice``). ``POWERLAB_NO_EXTENSION=1`` skips it: a
second editable install of the same source tree then uses the extension the first one
built there, and does not rewrite it while other processes have it loaded.
"""

import os
import platform

from setuptools import Extension, setup


def _cpu_flags() -> list[str]:
    """``-mpopcnt`` when the building machine's x86-64 CPU has the instruction (the extension
    is built on the machine that runs it). Without it every bitset popcount in the vertex
    enumeration is a libgcc call: measured as 38% of the enumeration's time."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return []
    try:
        with open("/proc/cpuinfo") as f:
            cpu = f.read()
    except OSError:
        return []
    return ["-mpopcnt"] if " popcnt" in cpu else []


setup(
    ext_modules=[]
    if os.environ.get("POWERLAB_NO_EXTENSION") == "1"
    else [
        Extension(
            "powerlab.power.exact._faces",
            sources=["src/powerlab/power/exact/_faces.cpp"],
            libraries=["gmp"],
            language="c++",
            extra_compile_args=["-O2", "-std=c++17", *_cpu_flags()],
            optional=True,
        )
    ]
)
