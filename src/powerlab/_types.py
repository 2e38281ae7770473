"""Type aliases shared by the subpackages.

:data:`JSON` marks a JSON object as Python holds it: a parsed input document, a manifest, or
the form a result's ``to_dict()`` returns for ``--json`` output. Results that cross a module
boundary are dataclasses or DataFrames; a ``JSON`` value is only ever their serialised form.
"""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["JSON"]

JSON: TypeAlias = dict[str, Any]
"""A JSON object: string keys, values of any JSON-serialisable type."""
