"""A count of tokens printed after a variable says "1 token", not "1 tokens" (x43r4 F7:
"this run's cap of 1 tokens"): every f-string of the package writes such a count through
``bulk.wording.counted``, never as ``{n} tokens``."""

from __future__ import annotations

import re
from pathlib import Path

from bulk.wording import counted

ROOT = Path(__file__).resolve().parent.parent
# a placeholder, then the plural noun: "{cap} tokens", "{tokens:,} tokens"
BARE = re.compile(r"\{[^{}]*\} tokens\b")


def test_no_f_string_writes_a_count_then_tokens() -> None:
    """The sandbox's own texts (its config summary) aside, none is left."""
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for package in ("bulk", "jobs", "pdbulk")
             for path in sorted((ROOT / package).rglob("*.py")) if "sandbox" not in path.parts
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if BARE.search(line)]
    assert not found, "\n".join(found)


def test_one_token_is_singular() -> None:
    """The helper the messages use: 1 token, 0 / 2 / 1,000 tokens."""
    assert [counted(n, "token") for n in (0, 1, 2, 1000)] == [
        "0 tokens", "1 token", "2 tokens", "1,000 tokens"]
