"""Tests bind free ports (port 0) for what they start, never a fixed one: two suites on
one host (two clones, two CI jobs) then never collide (f29h 7: ``fixed_port()`` gave the
sandboxes of three tests 8940-8947, and a second suite's run failed on "address in
use")."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent
# a sandbox started on a port of its own choosing: SandboxConfig(port=N), N not 0, or the
# helper that handed those out
_FIXED = re.compile(r"SandboxConfig\([^)]*\bport=(?!0\b)|\bfixed_port\(")


def test_no_test_starts_a_sandbox_on_a_fixed_port() -> None:
    found = [f"{p.name}:{n}" for p in sorted(TESTS.glob("*.py")) if p.name != Path(__file__).name
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if _FIXED.search(line)]
    assert found == []
