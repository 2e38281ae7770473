"""The Python examples of docs/multiagent.md run."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "multiagent.md"


def test_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})
