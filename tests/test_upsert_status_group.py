"""An upsert's status group over the sandbox (x34r4): a status the file changes goes with
the close date the file gives, even one equal to the deal's old close date (F1: left out,
Pipedrive re-dated the deal to the run's day and the next night blamed a colleague)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.last_written import LastWritten, digest
from tests.test_upsert_field_groups import STATUS, _night, _plan

HEAD = "ID;Title;Amount;Stage;Close Date;Reason\n"


@pytest.mark.anyio
async def test_a_status_change_sends_the_files_unchanged_close_date(tmp_path: Path) -> None:
    """The tester's repro (x34r4 F1): night 1 won on 01.03.2025; night 2 lost (Budget), the
    close date cell unchanged; a second deal won, its close date cell empty. Night 2 sends
    the close date with the status: the deal stays closed on 2025-03-01 (before: re-dated
    to the run's day), the record holds it, the plan's "dated today" counts the empty cell
    only (before: 2), night 3 of the same file finds the deal unchanged (before: "kept
    (close_time)"); the plan's tokens are the run's."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        mapping, night1, night2 = (tmp_path / n for n in ("m.toml", "n1.csv", "n2.csv"))
        mapping.write_text(STATUS)
        night1.write_text(HEAD + "C;Closed deal;100;Closed Won;01.03.2025;\n"
                          "E;Empty deal;200;Open;;\n")
        night2.write_text(HEAD + "C;Closed deal;100;Closed Lost;01.03.2025;Budget\n"
                          "E;Empty deal;200;Closed Won;;\n")
        first, _ = await _night(sb, tmp_path, night1, mapping, "night-1")
        c = int(first["C"]["deal_id"])
        plan, counts = await _plan(sb, tmp_path / "plan", night2, mapping)
        assert counts.closed_undated == 1, counts
        before = sb.stats()["tokens_spent"]
        rows, _ = await _night(sb, tmp_path, night2, mapping, "night-2")
        assert sb.stats()["tokens_spent"] - before == plan.tokens, plan.calls
        deal = sb.state.deals.rows[c]
        assert (deal["status"], deal["lost_reason"]) == ("lost", "Budget"), deal
        assert deal["close_time"] == deal["lost_time"] == "2025-03-01T00:00:00Z", deal
        assert rows["C"]["action"] == "updated" and not rows["C"]["note"], rows["C"]
        record = LastWritten.open(sb.url)
        assert record is not None
        try:
            base = record.of(c)
        finally:
            record.close()
        assert base["close_time"] == digest("2025-03-01T00:00:00Z"), base
        third, summary = await _night(sb, tmp_path, night2, mapping, "night-3")
        assert third["C"]["action"] == "unchanged" and not third["C"]["note"], third["C"]
        assert "edited_kept" not in summary, summary
        assert sb.state.deals.rows[c]["close_time"] == "2025-03-01T00:00:00Z"

