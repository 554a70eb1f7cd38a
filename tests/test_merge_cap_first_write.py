"""A merge whose --max-tokens cannot reach its first write: every line that advises names
the smallest cap that reaches one merge, and none advises resuming at a cap below it
(x46r8 F2: a killed merge resumed at --max-tokens 30 said "or `pdbulk resume` it, each
resume running up to the cap again: at least 9 runs" — each refused the same way — and a
fresh merge at 30 said "more than 31" while 35 was refused too)."""

from __future__ import annotations

import re
from pathlib import Path

from bulk.sandbox import Sandbox
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture


def _pairs(sb: Sandbox, tmp_path: Path) -> Path:  # noqa: F811
    ids = sorted(d["id"] for d in sb.state.deals.rows.values()
                 if not d["is_deleted"] and not d["is_archived"])
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("merge_id,survivor_id\n" + "".join(
        f"{a},{b}\n" for a, b in zip(ids[20:32:2], ids[21:33:2], strict=True)))
    return pairs


def _writes(sb: Sandbox) -> int:  # noqa: F811
    return sum(sb.stats()["writes_applied"].values())


def _least(output: str) -> int:
    found = re.findall(r"--max-tokens(?::| of) at least ([\d,]*\d)", output)
    assert found, output
    assert len(set(found)) == 1, output
    return int(found[0].replace(",", ""))


def test_a_merge_capped_below_one_merge_names_the_cap_that_reaches_it(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """--max-tokens 30 and 35: exit 4, no advice to resume at that cap, one least cap
    named by the plan's line and the stop alike; a run at that cap merges (the figure
    counts the reads of every worker's pair at once: fewer workers may need less)."""
    jobs = tmp_path / "jobs"
    pairs = _pairs(sb, tmp_path)
    for cap in ("30", "35"):
        ran = cli(sb, jobs, "merge", str(pairs), "--yes", "--max-tokens", cap,
                  *engine(sb, jobs))
        assert ran.exit_code == 4, ran.output
        assert "each resume running up to the cap again" not in ran.output, ran.output
        assert "more than 31" not in ran.output, ran.output
        least = _least(ran.output)
    before = _writes(sb)
    ok = cli(sb, tmp_path / "j3", "merge", str(pairs), "--yes", "--max-tokens", str(least),
             *engine(sb, tmp_path / "j3"))
    assert ok.exit_code in (0, 4), ok.output
    assert _writes(sb) > before, ok.output
