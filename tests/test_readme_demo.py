"""The README's demo section quotes the dedupe run's count line as the run prints it
(x44r7 F5: it quoted ``rows: 423 — 16 merged, 407 skipped`` where the demo prints
``groups: 278; merges: 423 — 16 merged, 407 skipped; …``). No test read those quotes:
``tests/test_demo.py`` runs a 150-row demo and checks its summary.json, and the README's
figures are the 1,000-row default's, too slow to run here; so the quotes are checked
against the line's form, ``jobs.merging.rows_as_rows``, which every merge run uses."""

from __future__ import annotations

import re
from pathlib import Path

from jobs.merging import rows_as_rows

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
_QUOTED = re.compile(r"`([^`\n]*)`")


def _demo_section() -> str:
    start = README.index("### The demo")
    return README[start:README.index("\n#", start + 1)]


def test_no_merge_count_line_is_quoted_in_the_old_form() -> None:
    """A merge run never prints ``rows: N — … merged …`` (its rows and its merges are
    said apart): no quote in the README has that form."""
    old = [q for q in _QUOTED.findall(" ".join(README.split()))
           if re.match(r"rows: [\d,]+ — .*\bmerged\b", q)]
    assert not old, old


def test_the_demo_quotes_its_dedupe_run_as_it_prints_it() -> None:
    """The demo's dedupe apply line: ``groups: N; merges: M — …``, the form
    ``rows_as_rows`` gives a groups file's run."""
    quotes = [q for q in _QUOTED.findall(" ".join(_demo_section().split()))
              if " — " in q and "merged" in q]
    assert quotes, "the demo section quotes no dedupe run line"
    for quote in quotes:
        found = re.match(r"groups: ([\d,]+); merges: ([\d,]+) — (.*)", quote)
        assert found, quote
        groups, merges = (int(n.replace(",", "")) for n in found.groups()[:2])
        assert rows_as_rows(f"rows: {merges:,} — {found[3]}", groups, merges,
                            unit="groups") == quote
