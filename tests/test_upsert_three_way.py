"""An upsert compares three values per field — what this state folder last wrote, the
deal now, the row — so that the nightly import of an unchanged export keeps an edit made
in Pipedrive between two nights instead of putting it back (x31r1 F1)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.api import run_job, undo_job
from tests.import_support import (
    api_context,
    engine_config,
    import_once,
    import_stopped_before_sending,
    read_csv,
    resume_job,
)

MAPPING = """
version = 1
[import]
key_column = "ID"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "Title"
value = "Amount"
pipeline = { default = "Sales" }
[deal.stage]
column = "Stage"
"""
NIGHT = [("R1", "Repro deal one", "1000", "Qualified"), ("R2", "Repro deal two", "2000",
                                                           "Qualified")]
_EDITS = itertools.count()  # one job folder per edit
KEPT = "changed in Pipedrive since this state folder's last import or update wrote"


def _files(tmp: Path, rows: list[tuple[str, str, str, str]], name: str = "night.csv"
           ) -> tuple[Path, Path]:
    manifest, mapping = tmp / name, tmp / "m.toml"
    manifest.write_text("ID,Title,Amount,Stage\n" + "".join(",".join(r) + "\n" for r in rows))
    mapping.write_text(MAPPING)
    return manifest, mapping


async def _import(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path, job_id: str
                  ) -> dict[str, dict[str, str]]:
    store, _, _ = await import_once(sb, tmp / "jobs", manifest, mapping, job_id=job_id)
    try:
        return {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
    finally:
        store.close()


async def _colleague(sb: Sandbox, tmp: Path, deal_id: int, body: dict[str, Any]) -> None:
    """A person edits the deal in Pipedrive (an HTTP PATCH, not this tool)."""
    async with api_context(sb, tmp / f"colleague-{next(_EDITS)}") as ctx:
        await ctx.call("updateDeal", path={"id": deal_id}, json=body)


def _deal(sb: Sandbox, deal_id: int) -> dict[str, Any]:
    return dict(sb.state.deals.rows[deal_id])


def _other_stage(sb: Sandbox, deal_id: int) -> int:
    stage = _deal(sb, deal_id)["stage_id"]
    pipeline = sb.state.stages[stage]["pipeline_id"]
    return next(s["id"] for s in sb.state.stages.values()
                if s["pipeline_id"] == pipeline and s["id"] != stage)


async def _plan_fields(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path) -> Any:
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping
    from tests.import_support import api_engine

    settings = ImportSettings(str(manifest), str(mapping), "upsert")
    async with api_engine(sb, tmp) as runner:
        plan, counts = await plan_import(
            runner.ctx, settings, Mapping.load(mapping), engine_config(sb, tmp).limits(),
            stats=runner.stats, scheduler=runner.scheduler.statistics, base_url=sb.url)
    return plan, counts


@pytest.mark.anyio
async def test_an_unchanged_file_keeps_the_edits_made_in_pipedrive(tmp_path: Path) -> None:
    """The tester's repro: 2 rows imported, a colleague renames R1, moves its stage and
    wins it; the same file imported again sends nothing for R1 (title and stage kept, its
    note says so, the plan and the summary count the 2 fields)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        stage = _other_stage(sb, r1)
        await _colleague(sb, tmp_path, r1, {"title": "Colleague: renamed after call",
                                            "status": "won", "stage_id": stage})
        plan, counts = await _plan_fields(sb, tmp_path / "plan", manifest, mapping)
        assert plan.changed_fields == {}, plan.changed_fields
        assert (counts.edited_kept, counts.edited_rows) == (2, 1)
        assert any("2 fields of 1 deal changed in Pipedrive" in n for n in plan.notes), plan.notes
        patches = sb.stats()["requests_by_operation"].get("updateDeal", 0)
        second = await _import(sb, tmp_path, manifest, mapping, "night-2")
        deal = _deal(sb, r1)
        assert (deal["title"], deal["stage_id"], deal["status"]) == (
            "Colleague: renamed after call", stage, "won")
        assert deal["won_time"], deal
        assert sb.stats()["requests_by_operation"].get("updateDeal", 0) == patches  # none sent
        assert second["R1"]["action"] == "unchanged" and KEPT in second["R1"]["note"]
        assert "(title, stage (" in second["R1"]["note"], second["R1"]["note"]
        assert second["R2"]["action"] == "unchanged" and not second["R2"]["note"]
        summary = (tmp_path / "jobs" / "night-2" / "summary.json").read_text()
        assert '"edited_kept":2' in summary.replace(" ", "")


@pytest.mark.anyio
async def test_a_field_changed_on_both_sides_takes_the_files_value_and_says_so(
        tmp_path: Path) -> None:
    """The file renames R1 and a colleague renamed it too: the file's value is written (the
    file changed it after the last import), the note naming Pipedrive's value it replaced;
    R1's stage, changed by the colleague alone, is kept."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        stage = _other_stage(sb, r1)
        await _colleague(sb, tmp_path, r1, {"title": "Colleague title", "stage_id": stage})
        manifest, _ = _files(tmp_path, [("R1", "Source title", "1000", "Qualified"), NIGHT[1]],
                             "night2.csv")
        second = await _import(sb, tmp_path, manifest, mapping, "night-2")
        deal = _deal(sb, r1)
        assert (deal["title"], deal["stage_id"]) == ("Source title", stage)
        note = second["R1"]["note"]
        assert second["R1"]["action"] == "updated", second["R1"]
        assert "changed both in Pipedrive and in the file" in note, note
        assert "'Colleague title' in Pipedrive" in note and KEPT in note, note


@pytest.mark.anyio
async def test_no_record_no_base_the_row_is_written_as_before(tmp_path: Path,
                                                              monkeypatch: Any) -> None:
    """First import by a state folder (the deals made from another one): no base known,
    every differing field is written, as before."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        await _colleague(sb, tmp_path, r1, {"title": "Colleague title"})
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "another-state"))
        second = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert _deal(sb, r1)["title"] == "Repro deal one"
        assert second["R1"]["action"] == "updated" and not second["R1"]["note"]


@pytest.mark.anyio
async def test_a_resumed_job_keeps_the_edit_and_records_its_writes(tmp_path: Path) -> None:
    """A night's job stopped after its load and resumed sends the file's changes only:
    the colleague's title stays; the resume's writes are the next night's base."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1, r2 = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        await _colleague(sb, tmp_path, r1, {"title": "Colleague title"})
        manifest, _ = _files(tmp_path, [("R1", "Repro deal one", "1500", "Qualified"),
                                        ("R2", "Repro deal two", "2500", "Qualified")],
                             "night2.csv")
        store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", manifest,
                                                       mapping, mode="upsert", job_id="night-2")
        store.close()
        store, _ = await resume_job(sb, tmp_path / "jobs" / "night-2")
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert (_deal(sb, r1)["title"], _deal(sb, r1)["value"]) == ("Colleague title", 1500)
        assert rows["R1"]["action"] == "updated" and KEPT in rows["R1"]["note"], rows["R1"]
        await _colleague(sb, tmp_path, r2, {"value": 9})
        third = await _import(sb, tmp_path, manifest, mapping, "night-3")
        assert _deal(sb, r2)["value"] == 9 and KEPT in third["R2"]["note"], third["R2"]


@pytest.mark.anyio
async def test_an_undo_then_the_same_file_writes_it_again(tmp_path: Path) -> None:
    """An upsert's update undone (the deal put back as it was) and its file imported
    again: written again, not taken for an edit made in Pipedrive."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        manifest, _ = _files(tmp_path, [("R1", "Renamed by the file", "1000", "Qualified"),
                                        NIGHT[1]], "night2.csv")
        await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert _deal(sb, r1)["title"] == "Renamed by the file"
        undone = await run_job(engine_config(sb, tmp_path / "jobs"), sb.token,
                               undo_job(tmp_path / "jobs" / "night-2"))
        assert undone.counts == {"done": 1}, undone
        assert _deal(sb, r1)["title"] == "Repro deal one"
        again = await _import(sb, tmp_path, manifest, mapping, "night-3")
        assert _deal(sb, r1)["title"] == "Renamed by the file"
        assert again["R1"]["action"] == "updated" and not again["R1"]["note"], again["R1"]


@pytest.mark.anyio
async def test_a_won_deal_reopened_in_pipedrive_stays_open(tmp_path: Path) -> None:
    """A deal the file imported won and a colleague reopened (won_time cleared): the
    same file does not win it again, its won time with it."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = tmp_path / "won.csv", tmp_path / "m.toml"
        manifest.write_text("ID,Title,Amount,Stage,Status,Won\n"
                            "W1,Won deal,100,Qualified,won,2026-01-05 10:00:00\n")
        mapping.write_text(MAPPING.replace("[deal.stage]", 'status = "Status"\n'
                                           'won_time = "Won"\n[deal.stage]'))
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        w1 = int(first["W1"]["deal_id"])
        assert _deal(sb, w1)["status"] == "won"
        await _colleague(sb, tmp_path, w1, {"status": "open"})
        assert not _deal(sb, w1)["won_time"]
        second = await _import(sb, tmp_path, manifest, mapping, "night-2")
        deal = _deal(sb, w1)
        assert (deal["status"], deal["won_time"]) == ("open", None), deal
        assert second["W1"]["action"] == "unchanged" and KEPT in second["W1"]["note"]


def test_three_way_per_field() -> None:
    """The rule on its own: kept where the file did not change the field since the base,
    written on both-sided changes and without a base; a kept status holds its times; an
    unarchive (--unarchive, asked by the run) is always sent; custom fields per code."""
    from jobs.last_written import digest, three_way

    existing = {"title": "Theirs", "stage_id": 3, "status": "open", "value": 10,
                "custom_fields": {"abc": "their text"}}
    changes = {"title": "Ours", "stage_id": 1, "status": "won", "won_time": "2026-01-05T10:00:00Z",
               "value": 20.0, "is_archived": False, "custom_fields": {"abc": "our text"}}
    base = {"title": digest("Ours"), "stage_id": digest(2), "status": digest("won"),
            "value": digest(20), "is_archived": digest(False),
            "custom_fields.abc": digest("older text")}
    out = three_way(existing, changes, base)
    assert out.changes == {"stage_id": 1, "is_archived": False,
                           "custom_fields": {"abc": "our text"}}
    assert [f for f, _, _ in out.kept] == ["title", "status", "value"]
    assert [f for f, _, _ in out.held] == ["won_time"]  # changed in the file: held, not kept
    assert [(f, now) for f, now, _ in out.both] == [("stage_id", 3),
                                                    ("custom_fields.abc", "their text")]
    assert three_way(existing, changes, {}).changes == changes


@pytest.mark.anyio
async def test_a_night_that_found_the_deal_unchanged_sets_the_base(tmp_path: Path,
                                                                   monkeypatch: Any) -> None:
    """The deals made from another state folder; this folder's night 1 and night 2 find
    them as the file has them (nothing sent); a colleague renames R1; night 3 of the same
    file keeps the colleague's title (the value both sides agreed on is the base: it was
    put back, nothing recorded for an unchanged row: f32c 2). R2's title, agreed on a
    night that updated its amount only, is a base too."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        made = await _import(sb, tmp_path, manifest, mapping, "elsewhere")
        r1, r2 = int(made["R1"]["deal_id"]), int(made["R2"]["deal_id"])
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "nightly-state"))
        for night in ("night-1", "night-2"):
            rows = await _import(sb, tmp_path, manifest, mapping, night)
            assert rows["R1"]["action"] == "unchanged", rows["R1"]
        amounts, _ = _files(tmp_path, [NIGHT[0], ("R2", "Repro deal two", "2500", "Qualified")],
                            "amounts.csv")
        assert (await _import(sb, tmp_path, amounts, mapping, "night-2b"))["R2"]["action"] \
            == "updated"
        await _colleague(sb, tmp_path, r1, {"title": "Colleague: renamed after call"})
        await _colleague(sb, tmp_path, r2, {"title": "Colleague: R2 renamed"})
        third = await _import(sb, tmp_path, amounts, mapping, "night-3")
        assert _deal(sb, r1)["title"] == "Colleague: renamed after call"
        assert _deal(sb, r2)["title"] == "Colleague: R2 renamed"
        assert third["R1"]["action"] == "unchanged" and KEPT in third["R1"]["note"], third["R1"]
        assert third["R2"]["action"] == "unchanged" and KEPT in third["R2"]["note"], third["R2"]



def test_agreed_fields_per_field() -> None:
    """The fields a row holds as Pipedrive does, not yet in the record with that value:
    not the ones it changes, not a currency without an amount (never compared), not one
    the record holds already (nothing written again on a night that changed nothing)."""
    from jobs.last_written import agreed, digest

    deal = {"title": "Same", "stage_id": 4, "currency": "EUR",
            "custom_fields": {"abc": "same", "def": "new"}}
    assert agreed(deal, {"custom_fields": {"def": "new"}}, {"stage_id": digest(4)}) == {
        "title": digest("Same"), "custom_fields.abc": digest("same")}
    assert "currency" in agreed({**deal, "value": 5}, {}, {})


def _add_stage(sb: Sandbox, name: str, like: int) -> int:
    """A stage added to the pipeline of stage ``like`` (in the sandbox's state: its API has
    no addStage)."""
    new = max(sb.state.stages) + 1
    sb.state.stages[new] = {**sb.state.stages[like], "id": new, "name": name,
                            "order_nr": new}
    return new


def _before_the_load(sb: Sandbox, deal_id: int) -> None:
    """The colleague's edit dated an hour back: made before the next job's load, not in
    its second (a retry refuses a deal changed after its job was loaded)."""
    deal = sb.state.deals.rows[deal_id]
    deal["update_time"] = "2020-01-01 00:00:00"


@pytest.mark.anyio
async def test_a_row_mapped_again_by_a_retry_is_decided_against_the_record(
        tmp_path: Path) -> None:
    """Night 2 moves R1 to a stage the account lacks: refused at load; the stage is added
    and the failed row retried. The retry maps the row again: it keeps the title a
    colleague gave R1 before night 2 (it was put back: decided without the record, f32c
    3), and its stage write is the record's base: the colleague's next stage move is kept
    by night 3 of the same file (it was put back too: the retry's write was not
    recorded)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        await _colleague(sb, tmp_path, r1, {"title": "Colleague title"})
        _before_the_load(sb, r1)
        night2, _ = _files(tmp_path, [("R1", "Repro deal one", "1000", "Closing"), NIGHT[1]],
                           "night2.csv")
        store, _, _ = await import_once(sb, tmp_path / "jobs", night2, mapping, job_id="night-2")
        assert [r["key"] for r in read_csv(store.directory / "failed.csv")] == ["R1"]
        closing = _add_stage(sb, "Closing", _deal(sb, r1)["stage_id"])
        directory = store.directory
        store.failed_to_pending()
        store.close()
        store, _ = await resume_job(sb, directory)
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert (_deal(sb, r1)["title"], _deal(sb, r1)["stage_id"]) == ("Colleague title", closing)
        assert rows["R1"]["action"] == "updated" and KEPT in rows["R1"]["note"], rows["R1"]
        other = _other_stage(sb, r1)
        await _colleague(sb, tmp_path, r1, {"stage_id": other})
        third = await _import(sb, tmp_path, night2, mapping, "night-3")
        assert _deal(sb, r1)["stage_id"] == other, third["R1"]
        assert third["R1"]["action"] == "unchanged" and KEPT in third["R1"]["note"], third["R1"]


@pytest.mark.anyio
async def test_an_undo_forgets_the_undone_jobs_fields_only(tmp_path: Path) -> None:
    """Night 2 changes R1's amount and is undone; a colleague then renames R1; night 3 of
    night 1's file keeps the colleague's title (the undo forgot the whole deal, night 1's
    base of its title too, and the title was put back: f32c 4) and writes nothing."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        night2, _ = _files(tmp_path, [("R1", "Repro deal one", "1500", "Qualified"), NIGHT[1]],
                           "night2.csv")
        await _import(sb, tmp_path, night2, mapping, "night-2")
        undone = await run_job(engine_config(sb, tmp_path / "jobs"), sb.token,
                               undo_job(tmp_path / "jobs" / "night-2"))
        assert undone.counts == {"done": 1}, undone
        assert _deal(sb, r1)["value"] == 1000
        await _colleague(sb, tmp_path, r1, {"title": "Colleague title"})
        third = await _import(sb, tmp_path, manifest, mapping, "night-3")
        assert _deal(sb, r1)["title"] == "Colleague title"
        assert third["R1"]["action"] == "unchanged" and KEPT in third["R1"]["note"], third["R1"]
