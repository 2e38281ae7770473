"""Build step for the optional compiled face recursion (``powerlab.power.exact._faces``).

Everything else about the package is declared in ``pyproject.toml``. The extension links GMP
(Debian's ``libgmp-dev``); if it cannot be built, installation still succeeds and exact mode
uses the pure-Python recursion in ``powerlab.power.exact.facets``.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "powerlab.power.exact._faces",
            sources=["src/powerlab/power/exact/_faces.cpp"],
            libraries=["gmp"],
            language="c++",
            extra_compile_args=["-O2", "-std=c++17"],
            optional=True,
        )
    ]
)
