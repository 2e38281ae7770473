"""Errors that powerlab raises for bad input.

Every error names what is wrong and where (file, key, line or state), in one line,
so that the CLI can print it as is and exit with status 2.
"""

from __future__ import annotations

__all__ = ["InputError", "ResourceError"]


class InputError(ValueError):
    """Malformed input: a bad file, an unknown name, an out-of-range parameter."""


class ResourceError(ValueError):
    """A request that would not fit in memory or time, refused before it starts."""
