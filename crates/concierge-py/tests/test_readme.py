"""The README's Python examples, run in order in one namespace from the repository's root."""

from __future__ import annotations

import contextlib
import io
import os
import re
from typing import Any, Dict

from conftest import ROOT

README = ROOT / "crates" / "concierge-py" / "README.md"


def test_readme_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 7
    namespace: Dict[str, Any] = {}
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            for block in blocks:
                exec(compile(block, str(README), "exec"), namespace)
    finally:
        os.chdir(cwd)
    printed = out.getvalue()
    # Once in memory, once through a store reopened as after a restart.
    assert printed.count("You're booked!") == 2
    assert "['user_message', 'intent_detected'" in printed
    assert "'type': 'booking_confirmed'" in printed
    assert "tomorrow at 3pm 2026-03-03 15:00:00-05:00 hour" in printed
    assert "('flows'," in printed
