"""An upsert's three-way comparison decides a group of fields whole — an amount with its
currency, a status with its reason and times, a stage with its pipeline (x34r1 F1: the
file's new amount and a colleague's new currency made USD 1500 of the file's EUR 1500) —
and its notes, summary and record say exactly what the PATCH sent (x34r1 F2: a close date
held back with a reopened deal's status was said "the file's value written")."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.last_written import LastWritten, digest, three_way
from tests.import_support import api_context, engine_config, import_once, read_csv

MONEY = """
version = 1
[import]
key_column = "ID"
mode = "upsert"
[defaults]
decimal = ","
[deal]
title = "Title"
value = "Amount"
"""
STATUS = """
version = 1
[import]
key_column = "ID"
mode = "upsert"
[defaults]
date_formats = ["%d.%m.%Y"]
currency = "EUR"
[deal]
title = "Title"
value = "Amount"
status = { column = "Stage", map = { "Closed Won" = "won", "Closed Lost" = "lost", "*" = "open" } }
pipeline = { default = "Sales" }
expected_close_date = "Close Date"
close_time = { column = "Close Date", when_open = "drop" }
lost_reason = { column = "Reason", when_not_lost = "drop" }
[deal.stage]
column = "Stage"
[deal.stage.map]
"Closed Won" = "Qualified"
"Closed Lost" = "Qualified"
"Open" = "Qualified"
"""
_EDITS = itertools.count()
WRITTEN = "the file's value written over Pipedrive's"
HELD = "changed in the file, not sent: the status was changed in Pipedrive"


def test_a_group_changed_on_both_sides_is_the_files_whole() -> None:
    """The rule on its own: the file's amount and Pipedrive's currency (or the reverse) send
    the file's amount and currency; a group only Pipedrive changed is kept whole, one only
    the file changed is sent; a stage and its pipeline go as one; a status changed in
    Pipedrive alone keeps its times and reason, the file's new ones held (not sent)."""
    base = {"value": digest(1000), "currency": digest("EUR"), "stage_id": digest(1),
            "pipeline_id": digest(1), "status": digest("won"),
            "close_time": digest("2025-03-01T00:00:00Z"), "title": digest("T")}
    usd = {"value": 1000, "currency": "USD", "stage_id": 8, "pipeline_id": 2}
    out = three_way(usd, {"value": 1500, "currency": "EUR"}, base)
    assert out.changes == {"value": 1500, "currency": "EUR"} and not out.kept
    assert [(f, now) for f, now, _ in out.both] == [("value", 1000), ("currency", "USD")]
    one = {"value": 1, "currency": "EUR"}
    out = three_way(one, {"value": 1000, "currency": "CHF"}, base)
    assert out.changes == {"value": 1000, "currency": "CHF"} and len(out.both) == 2
    out = three_way(usd, {"currency": "EUR"}, base)  # the file unchanged: USD kept
    assert out.changes == {} and [f for f, _, _ in out.kept] == ["currency"]
    out = three_way({"value": 1000, "currency": "EUR"}, {"value": 1500}, base)
    assert out.changes == {"value": 1500} and not out.both and not out.kept
    # a colleague moved the deal to another pipeline; the file changed its stage
    out = three_way(usd, {"stage_id": 2, "pipeline_id": 1}, base)
    assert out.changes == {"stage_id": 2, "pipeline_id": 1}
    assert [f for f, _, _ in out.both] == ["stage_id", "pipeline_id"] and not out.kept
    # a colleague reopened a won deal; the file changed its close date, not its status
    reopened = {"status": "open", "close_time": None, "won_time": None, "title": "T"}
    out = three_way(reopened, {"status": "won", "close_time": "2025-03-15T00:00:00Z",
                               "won_time": "2025-03-15T00:00:00Z", "title": "U"}, base)
    assert out.changes == {"title": "U"}
    assert [f for f, _, _ in out.kept] == ["status"]
    assert [f for f, _, _ in out.held] == ["close_time", "won_time"]
    assert out.unsent == {"status", "close_time", "won_time"}
    # the file lost it: its status changed too, its whole group is written
    out = three_way(reopened, {"status": "lost", "close_time": "2025-03-15T00:00:00Z"}, base)
    assert out.changes == {"status": "lost", "close_time": "2025-03-15T00:00:00Z"}
    assert [f for f, _, _ in out.both] == ["status", "close_time"] and not out.held


async def _colleague(sb: Sandbox, tmp: Path, deal_id: int, body: dict[str, Any]) -> None:
    """A person edits the deal in Pipedrive (an HTTP PATCH, not this tool)."""
    async with api_context(sb, tmp / f"colleague-{next(_EDITS)}") as ctx:
        await ctx.call("updateDeal", path={"id": deal_id}, json=body)


async def _plan(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path) -> Any:
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping
    from tests.import_support import api_engine

    settings = ImportSettings(str(manifest), str(mapping), "upsert")
    async with api_engine(sb, tmp) as runner:
        return await plan_import(
            runner.ctx, settings, Mapping.load(mapping), engine_config(sb, tmp).limits(),
            stats=runner.stats, scheduler=runner.scheduler.statistics, base_url=sb.url)


async def _night(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path, job_id: str
                 ) -> tuple[dict[str, dict[str, str]], str]:
    store, _, _ = await import_once(sb, tmp / "jobs", manifest, mapping, job_id=job_id)
    try:
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        return rows, (store.directory / "summary.json").read_text().replace(" ", "")
    finally:
        store.close()


@pytest.mark.anyio
async def test_an_amount_and_its_currency_are_one_group(tmp_path: Path) -> None:
    """The tester's repro (x34r1 F1): night 1 EUR 1.000,00 / EUR 2.000,00; a colleague sets
    A's currency to USD and B's amount to 1; night 2 EUR 1.500,00 / CHF 2.000,00 writes
    A EUR 1500 and B CHF 2000 (before: USD 1500 and CHF 1, notes "kept"), each note names
    the group written whole; the plan's tokens are the run's."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        mapping, night1, night2 = (tmp_path / n for n in ("m.toml", "n1.csv", "n2.csv"))
        mapping.write_text(MONEY)
        night1.write_text("ID;Title;Amount\nA;Deal A;EUR 1.000,00\nB;Deal B;EUR 2.000,00\n")
        night2.write_text("ID;Title;Amount\nA;Deal A;EUR 1.500,00\nB;Deal B;CHF 2.000,00\n")
        first, _ = await _night(sb, tmp_path, night1, mapping, "night-1")
        a, b = int(first["A"]["deal_id"]), int(first["B"]["deal_id"])
        await _colleague(sb, tmp_path, a, {"currency": "USD"})
        await _colleague(sb, tmp_path, b, {"value": 1})
        plan, counts = await _plan(sb, tmp_path / "plan", night2, mapping)
        assert (counts.edited_both, counts.edited_kept) == (4, 0), counts
        before = sb.stats()["tokens_spent"]
        rows, summary = await _night(sb, tmp_path, night2, mapping, "night-2")
        assert sb.stats()["tokens_spent"] - before == plan.tokens, plan.calls
        deals = sb.state.deals.rows
        assert (deals[a]["value"], deals[a]["currency"]) == (1500, "EUR"), deals[a]
        assert (deals[b]["value"], deals[b]["currency"]) == (2000, "CHF"), deals[b]
        for key in ("A", "B"):
            note = rows[key]["note"]
            assert rows[key]["action"] == "updated" and WRITTEN in note, note
            assert "written whole: an amount with its currency" in note, note
            assert "kept" not in note, note
        assert "'USD' in Pipedrive, 'EUR' in the file" in rows["A"]["note"]
        assert '"edited_both":4' in summary and "edited_kept" not in summary, summary


@pytest.mark.anyio
async def test_a_status_kept_from_pipedrive_is_not_said_written(tmp_path: Path) -> None:
    """The tester's repro (x34r1 F2): a colleague reopens a won and a lost deal; the file
    changes the won one's close date and the lost one's reason. The status group stays as
    the colleague left it, and the notes, the plan, the summary and the record say the
    close date and the reason were not sent (before: "the file's value written over
    Pipedrive's (won_time …)", "3 fields changed both …: the file's value written")."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        mapping, night1, night2 = (tmp_path / n for n in ("m.toml", "n1.csv", "n2.csv"))
        mapping.write_text(STATUS)
        head = "ID;Title;Amount;Stage;Close Date;Reason\n"
        night1.write_text(head + "W;Won deal;100;Closed Won;01.03.2025;\n"
                          "L;Lost deal;200;Closed Lost;02.03.2025;Too expensive\n")
        night2.write_text(head + "W;Won deal;100;Closed Won;15.03.2025;\n"
                          "L;Lost deal;200;Closed Lost;02.03.2025;Went with competitor\n")
        first, _ = await _night(sb, tmp_path, night1, mapping, "night-1")
        w, lost = int(first["W"]["deal_id"]), int(first["L"]["deal_id"])
        for deal_id in (w, lost):
            await _colleague(sb, tmp_path, deal_id, {"status": "open"})
        plan, counts = await _plan(sb, tmp_path / "plan", night2, mapping)
        before = sb.stats()["tokens_spent"]
        rows, summary = await _night(sb, tmp_path, night2, mapping, "night-2")
        assert sb.stats()["tokens_spent"] - before == plan.tokens, plan.calls
        deals = sb.state.deals.rows
        assert [deals[i]["status"] for i in (w, lost)] == ["open", "open"]
        assert deals[w]["expected_close_date"] == "2025-03-15"  # a field of its own: sent
        assert deals[w]["close_time"] is None and deals[lost]["lost_reason"] is None
        for key in ("W", "L"):
            note = rows[key]["note"]
            assert WRITTEN not in note and HELD in note, note
        assert "close_time: (empty) in Pipedrive, '2025-03-15T00:00:00Z' in the file" \
            in rows["W"]["note"]
        assert "lost_reason" in rows["L"]["note"].partition(HELD)[2]
        assert rows["L"]["action"] == "unchanged", rows["L"]
        assert '"edited_held":3' in summary and "edited_both" not in summary, summary
        assert (counts.edited_both, counts.edited_held) == (0, 3), counts
        assert any("3 fields changed in the file, not sent" in n for n in plan.notes), plan.notes
        record = LastWritten.open(sb.url)
        assert record is not None
        try:
            base = record.of(w)
        finally:
            record.close()
        # the record holds what was sent: the new expected close date, night 1's close time
        assert base["expected_close_date"] == digest("2025-03-15")
        assert base["close_time"] == digest("2025-03-01T00:00:00Z"), base
