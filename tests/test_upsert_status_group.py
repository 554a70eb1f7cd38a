"""An upsert's status group over the sandbox (x34r4): a status the file changes goes with
the close date the file gives, even one equal to the deal's old close date (F1: left out,
Pipedrive re-dated the deal to the run's day and the next night blamed a colleague), and
a colleague's edit to a reason or time the file's new status empties is said changed on
both sides, the group written whole (F3: overwritten with no note)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.deals import with_status_times
from jobs.last_written import LastWritten, digest, three_way, written
from tests.test_upsert_field_groups import STATUS, _colleague, _night, _plan
from tests.update_support import deal as sandbox_deal
from tests.update_support import load_job, run_job

HEAD = "ID;Title;Amount;Stage;Close Date;Reason\n"
WHOLE = "written whole: a status with its reason and times"


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


@pytest.mark.anyio
async def test_a_colleagues_edit_the_new_status_empties_is_said(tmp_path: Path) -> None:
    """The tester's repro (x34r4 F3): a colleague changes a won deal's won_time and a lost
    deal's reason; the file reopens the first and wins the second. Each row says the group
    changed on both sides and was written whole, naming the colleague's value (before: no
    note, edited_both 0 and 3); the record holds the emptied time and reason, so night 3 of
    the same file finds both unchanged."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        mapping, night1, night2 = (tmp_path / n for n in ("m.toml", "n1.csv", "n2.csv"))
        mapping.write_text(STATUS)
        night1.write_text(HEAD + "R;Reopened;100;Closed Won;01.03.2025;\n"
                          "W;Won now;200;Closed Lost;01.03.2025;Price\n")
        night2.write_text(HEAD + "R;Reopened;100;Open;;\n"
                          "W;Won now;200;Closed Won;01.03.2025;\n")
        first, _ = await _night(sb, tmp_path, night1, mapping, "night-1")
        r, w = int(first["R"]["deal_id"]), int(first["W"]["deal_id"])
        await _colleague(sb, tmp_path, r, {"won_time": "2025-02-01T00:00:00Z"})
        await _colleague(sb, tmp_path, w, {"lost_reason": "Timing"})
        plan, counts = await _plan(sb, tmp_path / "plan", night2, mapping)
        before = sb.stats()["tokens_spent"]
        rows, summary = await _night(sb, tmp_path, night2, mapping, "night-2")
        assert sb.stats()["tokens_spent"] - before == plan.tokens, plan.calls
        deals = sb.state.deals.rows
        assert (deals[r]["status"], deals[r]["won_time"]) == ("open", None), deals[r]
        assert (deals[w]["status"], deals[w]["lost_reason"]) == ("won", None), deals[w]
        assert deals[w]["close_time"] == "2025-03-01T00:00:00Z", deals[w]
        for key in ("R", "W"):
            assert rows[key]["action"] == "updated" and WHOLE in rows[key]["note"], rows[key]
        assert "won_time: '2025-02-01T00:00:00Z' in Pipedrive, (empty) in the file" \
            in rows["R"]["note"]
        assert "lost_reason: 'Timing' in Pipedrive, (empty) in the file" in rows["W"]["note"]
        # R: status, won_time; W: status, won_time, close_time, lost_reason
        assert counts.edited_both == 6, counts
        assert '"edited_both":6' in summary, summary
        third, summary = await _night(sb, tmp_path, night2, mapping, "night-3")
        for key in ("R", "W"):
            assert third[key]["action"] == "unchanged" and not third[key]["note"], third[key]


def test_the_rule_a_member_the_new_status_empties() -> None:
    """The rule on its own: a colleague's won_time, the source's reopen, is changed on both
    sides (None as the source's, not sent); a won_time Pipedrive already holds empty, or
    as last written, is not; the record of a status written holds the members it empties."""
    base = {"status": digest("won"), "won_time": digest("2025-03-01T00:00:00Z"),
            "close_time": digest("2025-03-01T00:00:00Z")}
    deal = {"status": "won", "won_time": "2025-02-01T00:00:00Z",
            "close_time": "2025-03-01T00:00:00Z"}
    out = three_way(deal, {"status": "open"}, base)
    assert out.changes == {"status": "open"} and not out.kept and not out.held
    assert out.both == (("status", "won", "open"), ("won_time", "2025-02-01T00:00:00Z", None))
    for now in ("2025-03-01T00:00:00Z", None):
        out = three_way({**deal, "won_time": now}, {"status": "open"}, base)
        assert out.changes == {"status": "open"} and not out.both, out
    signs = written({"changes": {"status": "lost", "close_time": "2025-03-01T00:00:00Z"}},
                    "updated")
    assert signs["won_time"] == digest(None) and "lost_time" not in signs, signs
    assert "close_time" in signs and signs["close_time"] != digest(None)


def test_a_status_change_takes_the_rows_times_even_unchanged() -> None:
    """The rule every PATCH builder of a row uses (import, its create that found the key's
    deal, update): a status change adds the row's reason and times equal to the deal's old
    ones; no status change, or the same status, adds nothing; an empty one is not sent."""
    won = {"status": "won", "close_time": "2025-03-01T00:00:00Z",
           "won_time": "2025-03-01T00:00:00Z", "lost_reason": None}
    row = {"status": "lost", "close_time": "2025-03-01T00:00:00Z",
           "lost_time": "2025-03-01T00:00:00Z", "lost_reason": None}
    out = with_status_times(won, row, {"status": "lost", "lost_time": row["lost_time"]})
    assert out == {"status": "lost", "lost_time": row["lost_time"],
                   "close_time": "2025-03-01T00:00:00Z"}
    assert with_status_times(won, {**row, "status": "won"}, {"title": "T"}) == {"title": "T"}
    lost = {**won, "status": "lost"}
    assert with_status_times(lost, row, {"status": "lost"}) == {"status": "lost"}


@pytest.mark.anyio
async def test_an_update_sends_the_unchanged_close_date_with_the_status(
        tmp_path: Path) -> None:
    """x34r4 F1 in ``pdbulk update``: a won deal set lost, the row's close date the deal's
    own, stays closed on that date (before: re-dated to the run's moment)."""
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update

    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=5)) as sb:
        won = next(i for i, d in sb.state.deals.rows.items()
                   if d["status"] == "won" and d["close_time"] and not d["is_deleted"])
        closed = sb.state.deals.rows[won]["close_time"]
        day = closed[8:10] + "." + closed[5:7] + "." + closed[:4]
        sb.state.deals.rows[won]["close_time"] = f"{closed[:10]}T00:00:00Z"
        manifest = tmp_path / "rows.csv"
        manifest.write_text(f"Deal,Status,Close,Reason\n{won},lost,{day},Budget\n")
        (tmp_path / "map.toml").write_text(
            '[update]\nid_column = "Deal"\n[defaults]\ndate_formats = ["%d.%m.%Y"]\n'
            '[deal]\nstatus = "Status"\nclose_time = "Close"\nlost_reason = "Reason"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        store, _ = await load_job(sb, tmp_path, "update", build)
        await run_job(sb, store)
        sent = [i.payload["changes"] for i in store.items(ItemState.DONE)]
        store.close()
        now = sandbox_deal(sb, won)
        assert (now["status"], now["lost_reason"]) == ("lost", "Budget"), now
        assert now["close_time"] == f"{closed[:10]}T00:00:00Z", (now, sent)
