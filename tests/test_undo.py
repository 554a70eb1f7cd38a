"""Undo: a new job that puts back exactly what a run changed, and leaves alone what changed since."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore, NewItem, Outcome
from jobs.account import load_catalog
from jobs.selection import DealQuery
from jobs.stages import DealSource, MoveTarget, prepare_move
from jobs.undo import prepare_undo
from jobs.updating import UpdateMapping, prepare_update
from pdbulk.cli import app
from tests.import_support import import_once, read_csv
from tests.test_update import write_csv
from tests.update_support import (
    cli_args,
    deal,
    delta,
    load_job,
    requests,
    run_job,
    threaded_sandbox,
)

KEPT = ("title", "value", "currency", "owner_id", "stage_id", "pipeline_id", "status",
        "lost_reason", "won_time", "lost_time", "close_time", "expected_close_date",
        "custom_fields")
MAPPING = """
version = 1
[update]
id_column = "Deal"
[defaults]
currency = "USD"
[deal]
value = "Amount"
title = "Title"
[deal.status]
column = "Status"
[deal.lost_reason]
column = "Reason"
[custom_fields]
"Lead source" = "Source"
"""


def state(sb: Sandbox, deal_id: int) -> dict[str, Any]:
    d = deal(sb, deal_id)
    return {k: d[k] for k in KEPT}


def undoer(source: JobStore, **kw: Any) -> Any:
    async def build(s: Any) -> Any:
        return await prepare_undo(s.ctx, source, **kw)
    return build


def someone_edits(sb: Sandbox, deal_id: int, **fields: Any) -> None:
    """Another user changes the deal (a later update_time than any write of the test)."""
    sb.state.save("deal", {**deal(sb, deal_id), **fields, "update_time": "2031-01-01T00:00:00Z"})


async def _imported_with_contacts(sb: Any, tmp_path: Path, n: int
                                  ) -> tuple[JobStore, dict[str, dict[str, str]]]:
    """An import of ``n`` rows (A-1 Pat One / Org One, A-2 Sam Two / Org Two, A-3 Kim Three /
    Org Three), each with a new person and organization: its store and succeeded.csv by key."""
    rows = [("A-1", "First", "Pat One", "pat", "Org One"),
            ("A-2", "Second", "Sam Two", "sam", "Org Two"),
            ("A-3", "Third", "Kim Three", "kim", "Org Three")][:n]
    manifest = tmp_path / "in.csv"
    manifest.write_text("id,title,person,email,org\n" + "".join(
        f"{k},{t},{p},{e}@x.example,{o}\n" for k, t, p, e, o in rows))
    mapping = tmp_path / "map.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
                       '[person]\nname = "person"\nemail = "email"\n'
                       '[organization]\nname = "org"\n')
    source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
    return source, {r["key"]: r for r in read_csv(source.directory / "succeeded.csv")}


async def _imported(sb: Any, tmp_path: Path, rows: str) -> tuple[JobStore, dict[str, int]]:
    """An import of ``rows`` (CSV lines ``key,title``, each ending in ``\\n``) with a
    title-only mapping: its store and its deal id by key."""
    manifest = tmp_path / "in.csv"
    manifest.write_text("id,title\n" + rows)
    mapping = tmp_path / "map.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
    source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
    return source, {r["key"]: int(r["deal_id"]) for r in read_csv(source.directory / "succeeded.csv")}


@pytest.mark.anyio
async def test_undo_of_an_update_restores_exact_values_and_reports_conflicts(
        tmp_path: Path) -> None:
    """Values, custom fields, a closed deal reopened (with its lost time and reason) come back
    exactly; the deal someone changed in between is reported, not overwritten."""
    async with serve(SandboxConfig(time_scale=0.02, deals=60, seed=31)) as sb:
        rows_now = sb.state.deals.rows.values()
        a, b, c = [d["id"] for d in rows_now if d["status"] == "open"][:3]
        lost = next(d["id"] for d in rows_now if d["status"] == "lost")
        original = {i: state(sb, i) for i in (a, b, c, lost)}
        rows = [(a, 99999, deal(sb, a)["title"], "open", "", "Partner"),
                (b, deal(sb, b)["value"], "Renamed", "open", "", "Event"),
                (c, deal(sb, c)["value"], deal(sb, c)["title"], "lost", "No budget", ""),
                (lost, deal(sb, lost)["value"], deal(sb, lost)["title"], "open", "", "")]
        manifest = write_csv(tmp_path / "rows.csv", [
            dict(zip(("Deal", "Amount", "Title", "Status", "Reason", "Source"), r, strict=True))
            for r in rows])
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        source, prep = await load_job(sb, tmp_path, "update", build)
        assert prep.actions["update"] == 4
        await run_job(sb, source)
        assert deal(sb, lost)["status"] == "open" and deal(sb, c)["status"] == "lost"
        # a field the job wrote (its title): a conflict; a change of another field alone
        # is no one's value a restore overwrites (tests/test_undo_per_field.py); the lead
        # source it wrote too, a group of its own, is put back (test_undo_field_groups)
        someone_edits(sb, b, value=1, title="Theirs")

        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        # (deal b: one row, restored in part: test_undo_in_part_rows.py)
        assert plan.actions == {"restore": 3, "restore in part": 1}
        before = requests(sb)
        result = await run_job(sb, undo)
        # the re-check right before the batch is sent, then the writes
        assert delta(before, requests(sb)) == {"getDeals": 1, "updateDeal": 4}
        assert result.counts[ItemState.DONE] == 4 and result.counts[ItemState.FAILED] == 0
        for i in (a, c, lost):
            assert state(sb, i) == original[i], i
        assert deal(sb, b)["value"] == 1 and deal(sb, b)["title"] == "Theirs"
        assert deal(sb, b)["custom_fields"] == original[b]["custom_fields"]
        assert read_csv(undo.directory / "failed.csv") == []
        part = {r["key"]: r for r in read_csv(undo.directory / "succeeded.csv")}[str(b)]
        assert part["action"] == "restored in part", part
        assert "kept as changed since the job: title (title: job's 'Renamed', now 'Theirs')" \
            in part["note"], part
        undo.close()
        source.close()



@pytest.mark.anyio
async def test_undo_of_an_update_that_changed_nothing_says_why_there_is_nothing(
        tmp_path: Path) -> None:
    """An update whose rows all failed (no such deal): its undo has nothing to send and says
    why, and --contacts (an import's option) says an update creates no contacts."""
    async with serve(SandboxConfig(time_scale=0.02, deals=5, seed=31)) as sb:
        source = await _updated(sb, tmp_path, [
            {"Deal": "990001", "Amount": "5", "Title": "T", "Status": "open", "Reason": "",
             "Source": ""}])
        _, undo = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        assert not undo.items
        notes = " ".join(undo.notes)
        assert f"job {source.job_id} (update) changed no deal" in notes
        assert "an update job, which creates none" in notes


async def _updated(sb: Sandbox, tmp_path: Path, rows: list[dict[str, Any]]) -> JobStore:
    """An update job of ``rows`` (MAPPING's columns) loaded and run; its store."""
    manifest = write_csv(tmp_path / "rows.csv", rows)
    (tmp_path / "map.toml").write_text(MAPPING)
    umap = UpdateMapping.load(tmp_path / "map.toml")

    async def build(s: Any) -> Any:
        return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
    source, _ = await load_job(sb, tmp_path, "update", build)
    await run_job(sb, source)
    return source


@pytest.mark.anyio
async def test_undo_of_an_update_says_archived_for_a_deal_archived_since(tmp_path: Path) -> None:
    """v9r11 medium: undo of an update / move-stage / dedupe job said "deal N is deleted:
    nothing to restore" of a deal a colleague had archived (with --force too). It says
    archived; the other deal is restored."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        a, b = [d["id"] for d in sb.state.deals.rows.values() if d["status"] == "open"][:2]
        source = await _updated(sb, tmp_path, [
            {"Deal": i, "Amount": 4242, "Title": deal(sb, i)["title"], "Status": "open",
             "Reason": "", "Source": ""} for i in (a, b)])
        someone_edits(sb, b, is_archived=True)
        for force in (False, True):
            undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, force=force),
                                        job_id=f"undo-{force}")
            (row,) = [i for i in plan.items if i.state is ItemState.FAILED]
            assert "was archived since the job changed it" in (row.error or ""), row.error
            assert "deleted" not in (row.error or "")  # before: "is deleted"
            undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_advice_for_an_archived_deal_works_when_followed(tmp_path: Path) -> None:
    """x24r2 1: "unarchive it, then run pdbulk undo again" led to "conflict: deal N changed
    since the job wrote it (update_time ...)": the unarchive is a write. Followed, the next
    undo restores the deal; an edit after the unarchive is still a conflict."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        a, b, c = [d["id"] for d in sb.state.deals.rows.values() if d["status"] == "open"][:3]
        before = {i: deal(sb, i)["value"] for i in (a, b, c)}
        source = await _updated(sb, tmp_path, [
            {"Deal": i, "Amount": 4242, "Title": deal(sb, i)["title"], "Status": "open",
             "Reason": "", "Source": ""} for i in (a, b, c)])
        for i in (b, c):  # a colleague archives them (a write: update_time moves)
            sb.state.save("deal", {**deal(sb, i), "is_archived": True,
                                   "archive_time": "2031-01-01T00:00:00Z",
                                   "update_time": "2031-01-01T00:00:00Z"})
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source), job_id="undo-1")
        advice = {int(i.payload["deal_id"]): i.error for i in plan.items
                  if i.state is ItemState.FAILED}
        assert set(advice) == {b, c}
        assert "unarchive it, then run pdbulk undo again" in (advice[b] or ""), advice
        await run_job(sb, undo)
        undo.close()
        for i in (b, c):  # the advice followed: unarchived (another write)
            sb.state.save("deal", {**deal(sb, i), "is_archived": False, "archive_time": None,
                                   "update_time": "2031-01-01T00:00:05Z"})
        sb.state.save("deal", {**deal(sb, c), "value": 777,  # and c edited (a field the
                               "update_time": "2031-01-01T00:00:09Z"})  # job wrote)
        again, plan = await load_job(sb, tmp_path, "undo", undoer(source), job_id="undo-2")
        failed = {int(i.payload["deal_id"]): i.error for i in plan.items
                  if i.state is ItemState.FAILED}
        assert set(failed) == {c}, failed
        assert "changed since the job wrote it" in (failed[c] or "")
        await run_job(sb, again)
        assert deal(sb, b)["value"] == before[b]  # restored, as the advice said
        assert deal(sb, c)["value"] == 777
        again.close()
        source.close()


@pytest.mark.anyio
async def test_undo_of_a_move_puts_stage_pipeline_and_status_back(tmp_path: Path) -> None:
    """Deals moved to another pipeline and closed as lost go back to their stage, pipeline and
    open status; --force also restores the deal someone touched since."""
    async with serve(SandboxConfig(time_scale=0.02, deals=200, seed=32)) as sb:
        source_deals = {d["id"] for d in sb.state.deals.rows.values()
                        if d["stage_id"] == 2 and d["status"] == "open"}
        original = {i: state(sb, i) for i in source_deals}

        async def build(s: Any) -> Any:
            return await prepare_move(
                s.ctx, DealSource(query=DealQuery(pipeline="Sales", stage="Contact Made",
                                                  status="open")),
                MoveTarget("Agreement Signed", pipeline="Partnerships", status="lost",
                           lost_reason="Went dark"), await load_catalog(s.ctx))
        source, _ = await load_job(sb, tmp_path, "move-stage", build)
        await run_job(sb, source)
        touched = min(source_deals)
        someone_edits(sb, touched, title="Touched")

        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, force=True))
        assert plan.actions == {"restore": len(source_deals)}
        await run_job(sb, undo)
        for i in source_deals - {touched}:
            assert state(sb, i) == original[i]
        assert deal(sb, touched)["stage_id"] == 2 and deal(sb, touched)["title"] == "Touched"
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_of_a_move_puts_back_only_what_the_move_wrote(tmp_path: Path) -> None:
    """x14r1 F1: a move-stage writes the stage alone, yet its before-image held the status
    too; a colleague's "won" or lost reason made in the move's own second (update_time
    unchanged: 1-second resolution) was turned back by the undo, exit 0. Undo puts back
    the stage (and pipeline), nothing the move did not write."""
    async with serve(SandboxConfig(time_scale=0.02, deals=200, seed=32)) as sb:
        moved = sorted(d["id"] for d in sb.state.deals.rows.values()
                       if d["stage_id"] == 2 and d["status"] == "open")
        original = {i: deal(sb, i)["stage_id"] for i in moved}

        async def build(s: Any) -> Any:
            return await prepare_move(
                s.ctx, DealSource(query=DealQuery(pipeline="Sales", stage="Contact Made",
                                                  status="open")),
                MoveTarget("Proposal Made"), await load_catalog(s.ctx))
        source, _ = await load_job(sb, tmp_path, "move-stage", build)
        await run_job(sb, source)
        won, lost = moved[0], moved[1]
        # the colleague's edits in the move's second: update_time as the move left it
        sb.state.save("deal", {**deal(sb, won), "status": "won"})
        sb.state.save("deal", {**deal(sb, lost), "status": "lost", "lost_reason": "Budget"})

        undo, _ = await load_job(sb, tmp_path, "undo", undoer(source))
        await run_job(sb, undo)
        undo.close()
        source.close()
        assert all(deal(sb, i)["stage_id"] == original[i] for i in moved)
        assert deal(sb, won)["status"] == "won"
        assert (deal(sb, lost)["status"], deal(sb, lost)["lost_reason"]) == ("lost", "Budget")


@pytest.mark.anyio
async def test_undo_of_an_import_deletes_exactly_the_deals_it_created(tmp_path: Path) -> None:
    """The import's created deals are deleted (one DELETE each); deals it did not create stay."""
    async with serve(SandboxConfig(time_scale=0.02, deals=15, seed=33)) as sb:
        manifest = tmp_path / "in.csv"
        manifest.write_text("id,title\nA-1,First\nA-2,Second\nA-3,Third\n")
        mapping = tmp_path / "map.toml"
        mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        created = {int(r["deal_id"]) for r in read_csv(source.directory / "succeeded.csv")}
        assert len(created) == 3
        untouched = {i for i, d in sb.state.deals.rows.items() if not d["is_deleted"]} - created

        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        assert plan.actions == {"delete": 3}
        before = requests(sb)
        await run_job(sb, undo)
        assert delta(before, requests(sb)) == {"getDeals": 1, "deleteDeal": 3}
        assert all(deal(sb, i)["is_deleted"] for i in created)
        assert all(not deal(sb, i)["is_deleted"] for i in untouched)
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_follows_the_import_store_contract(tmp_path: Path) -> None:
    """Against the contract alone: DONE items whose result says action "created" are deleted;
    a deal already gone is reported as such; "unchanged" rows are not touched; an "updated"
    row without a before-image is reported, not guessed."""
    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=34)) as sb:
        source = JobStore.create(tmp_path / "imp", job_id="imp", kind="import", config={})
        source.add_items([NewItem(row=n, key=f"k{n}", op="create", payload={})
                          for n in (1, 2, 3, 4)])
        ids = [i.id for i in source.pending(10)]
        source.mark_sending(ids, 0.0)
        sb.state.save("deal", {**deal(sb, 9), "is_deleted": True})
        source.record([Outcome(ids[0], ItemState.DONE, {"deal_id": 8, "action": "created"}),
                       Outcome(ids[1], ItemState.DONE, {"deal_id": 9, "action": "created"}),
                       Outcome(ids[2], ItemState.DONE, {"deal_id": 3, "action": "unchanged"}),
                       Outcome(ids[3], ItemState.DONE, {"deal_id": 4, "action": "updated"})])
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        assert plan.actions == {"delete": 1, "already deleted": 1, "no image": 1}
        await run_job(sb, undo)
        assert deal(sb, 8)["is_deleted"] and not deal(sb, 3)["is_deleted"]
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_refuses_a_job_with_writes_in_doubt(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=5)) as sb:
        source = JobStore.create(tmp_path / "u", job_id="u", kind="update", config={})
        source.add_items([NewItem(row=1, key="1", op="update", payload={"deal_id": 1})])
        source.mark_sending([i.id for i in source.pending(1)], 0.0)
        with pytest.raises(InputError, match="resume"):
            await load_job(sb, tmp_path, "undo", undoer(source))
        source.close()


def test_cli_move_stage_then_undo(tmp_path: Path) -> None:
    """The commands end to end: move, `plan undo` (no writes), `undo --yes`: stages restored."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=60, seed=35)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        jobs = tmp_path / "jobs"
        moved = [i for i, d in sb.state.deals.rows.items() if d["stage_id"] == 3]
        original = {i: state(sb, i) for i in moved}
        out = runner.invoke(app, ["move-stage", "--stage", "Demo Scheduled", "--pipeline",
                                  "Sales", "--to-stage", "Qualified", "--yes",
                                  *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (job,) = jobs.iterdir()
        before = requests(sb)
        planned = runner.invoke(app, ["plan", "undo", job.name, "--json", *cli_args(sb, jobs)],
                                env=env)
        assert planned.exit_code == 0, planned.output
        assert orjson.loads(planned.output)["actions"]["restore"] == len(moved)  # one line
        assert "updateDeal" not in delta(before, requests(sb))
        undone = runner.invoke(app, ["undo", job.name, "--yes", *cli_args(sb, jobs)], env=env)
        assert undone.exit_code == 0, undone.output
        assert all(state(sb, i) == original[i] for i in moved)
        # x10r2: a second undo of the job called the deals the first put back "changed
        # since the job wrote them (--force overwrites them)"; they are as before: nothing
        again = runner.invoke(app, ["plan", "undo", job.name, "--json", *cli_args(sb, jobs)],
                              env=env)
        assert "conflict" not in again.output and "--force" not in again.output, again.output
        before = requests(sb)
        twice = runner.invoke(app, ["undo", job.name, "--yes", *cli_args(sb, jobs)], env=env)
        assert twice.exit_code == 0, twice.output
        assert "updateDeal" not in delta(before, requests(sb))
        assert all(state(sb, i) == original[i] for i in moved)


def test_plan_undo_names_its_conflicts(tmp_path: Path) -> None:
    """v9r6 medium: `plan undo` said "N deal(s) changed since the job wrote them" without
    naming one (and pointed at a failed.csv a plan does not write). Now the note names the
    deals, the text counts the rows per reason, and --json lists each with its reason."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=60, seed=35)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        jobs = tmp_path / "jobs"
        moved = sorted(i for i, d in sb.state.deals.rows.items() if d["stage_id"] == 3)
        out = runner.invoke(app, ["move-stage", "--stage", "Demo Scheduled", "--pipeline",
                                  "Sales", "--to-stage", "Qualified", "--yes",
                                  *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (job,) = jobs.iterdir()
        edited = moved[:2]
        for deal_id in edited:  # a colleague moves them on
            deal = dict(sb.state.deals.rows[deal_id], stage_id=4,
                        update_time="2031-01-01T00:00:00Z")
            sb.state.save("deal", deal)
        text = runner.invoke(app, ["plan", "undo", job.name, *cli_args(sb, jobs)], env=env)
        assert text.exit_code == 3, text.output  # rows that would fail: README's exit 3
        assert f"2 deal(s) left alone ({edited[0]}, {edited[1]}): changed since the job " \
            in " ".join(text.output.split()), text.output
        assert "(--force overwrites them)" in " ".join(text.output.split())
        # x13r1 F6: under --force the conflicts left are those --force leaves
        forced = runner.invoke(app, ["plan", "undo", job.name, "--force", *cli_args(sb, jobs)],
                               env=env)
        assert "--force overwrites" not in " ".join(forced.output.split()), forced.output
        assert "bad rows by reason" in text.output, text.output
        planned = runner.invoke(app, ["plan", "undo", job.name, "--json", *cli_args(sb, jobs)],
                                env=env)
        data = orjson.loads(planned.output)
        named = sorted(int(re.search(r"deal (\d+)", r["reason"])[1])  # type: ignore[index]
                       for r in data["failed_rows"])
        assert named == edited, data["failed_rows"]


def test_undo_goes_to_the_account_the_job_ran_on(tmp_path: Path) -> None:
    """v9r6: `undo JOB --url OTHER --force` deleted 85 unrelated deals of another account
    that had the same ids, and without --url a sandbox job's undo went to the public API.
    Now an undo without --url goes to the job's own URL, and another URL is refused (exit
    1), nothing sent."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=20, seed=35)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        env.pop("PIPEDRIVE_URL", None)
        runner = CliRunner()
        jobs = tmp_path / "jobs"
        out = runner.invoke(app, ["move-stage", "--stage", "Demo Scheduled", "--pipeline",
                                  "Sales", "--to-stage", "Qualified", "--yes",
                                  *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (job,) = jobs.iterdir()
        before = requests(sb)
        other = runner.invoke(app, ["undo", job.name, "--yes", "--force", "--url",
                                    "http://127.0.0.1:9", "--job-dir", str(jobs)], env=env)
        assert other.exit_code == 1, other.output
        assert f"ran against {sb.url}" in other.output
        assert delta(before, requests(sb)) == {}
        own = runner.invoke(app, ["plan", "undo", job.name, "--job-dir", str(jobs),
                                  "--plan", sb.config.plan], env=env)
        assert own.exit_code == 0, own.output  # no --url: the job's own sandbox


def test_undo_of_an_import_leaves_edited_deals_and_merge_survivors_alone(tmp_path: Path) -> None:
    """import → update (A-1) → move-stage (A-1) → merge A-4→A-3, A-6→A-5 → `undo IMPORT --yes`:
    only untouched deals are deleted; A-1 and both survivors remain, listed as conflicts (the
    later jobs' records say so, even within one second of the import); a deal another user
    edited (its update_time moved, A-7) is a conflict too. --force would delete them."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=5, seed=36)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        jobs = tmp_path / "jobs"
        keys = [f"A-{n}" for n in range(1, 10)]
        manifest = tmp_path / "in.csv"
        manifest.write_text("id,title\n" + "".join(f"{k},Deal {k}\n" for k in keys))
        mapping = tmp_path / "map.toml"
        mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
        out = runner.invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                  "--create-key-field", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (imported,) = jobs.iterdir()
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(imported / "succeeded.csv")}
        assert set(ids) == set(keys)
        upd = write_csv(tmp_path / "upd.csv", [{"Deal": ids["A-1"], "Amount": 500,
                                                 "Title": "Edited"}])
        (tmp_path / "upd.toml").write_text(
            'version = 1\n[update]\nid_column = "Deal"\n[defaults]\ncurrency = "USD"\n'
            '[deal]\nvalue = "Amount"\ntitle = "Title"\n')
        out = runner.invoke(app, ["update", str(upd), "--mapping", str(tmp_path / "upd.toml"),
                                  "--yes", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (tmp_path / "move.csv").write_text(f"id\n{ids['A-1']}\n")
        out = runner.invoke(app, ["move-stage", "--manifest", str(tmp_path / "move.csv"),
                                  "--to-stage", "Proposal Made", "--to-pipeline", "Sales", "--yes",
                                  *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (tmp_path / "pairs.csv").write_text(
            f"merge_id,survivor_id\n{ids['A-4']},{ids['A-3']}\n{ids['A-6']},{ids['A-5']}\n")
        out = runner.invoke(app, ["merge", str(tmp_path / "pairs.csv"), "--yes",
                                  *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        someone_edits(sb, ids["A-7"], title="Renamed by a colleague")
        before = requests(sb)
        undone = runner.invoke(app, ["undo", imported.name, "--yes", *cli_args(sb, jobs)],
                               env=env)
        assert undone.exit_code == 3, undone.output  # conflicts are failed rows
        assert delta(before, requests(sb)).get("deleteDeal") == 3  # A-2, A-8, A-9; A-4, A-6 merged
        kept = {"A-1", "A-3", "A-5", "A-7"}
        for key, deal_id in ids.items():
            gone = deal(sb, deal_id)["is_deleted"]
            assert gone == (key not in kept), (key, deal(sb, deal_id))
        undo_dir = next(d for d in jobs.iterdir() if "undo" in d.name)
        conflicts = {r["key"]: r for r in read_csv(undo_dir / "failed.csv")}
        assert set(conflicts) == kept
        assert "merge survivor" in conflicts["A-3"]["reason"]
        assert "merge survivor" in conflicts["A-5"]["reason"]
        assert "changed since" in conflicts["A-7"]["reason"]


@pytest.mark.anyio
async def test_undo_of_an_import_offers_then_deletes_the_persons_and_orgs_it_created(
        tmp_path: Path) -> None:
    """The plan lists the persons / organizations the import created that carry no other deal;
    with contacts=True they are deleted; those still carrying a kept deal (a conflict) stay,
    and so does an organization that existed before the import."""
    async with serve(SandboxConfig(time_scale=0.02, deals=3, seed=37)) as sb:
        existing_org = next(o for o in sb.state.orgs.rows.values() if not o["is_deleted"])
        manifest = tmp_path / "in.csv"
        manifest.write_text(
            "id,title,person,email,org\n"
            "A-1,First,Pat One,pat@x.example,New Org One\n"
            "A-2,Second,Sam Two,sam@x.example,New Org Two\n"
            "A-3,Third,Sam Two,sam@x.example,New Org Two\n"
            f"A-4,Fourth,Kim Four,kim@x.example,{existing_org['name']}\n")
        mapping = tmp_path / "map.toml"
        mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
                           '[person]\nname = "person"\nemail = "email"\n'
                           '[organization]\nname = "org"\n')
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        ids = {r["key"]: r for r in read_csv(source.directory / "succeeded.csv")}
        someone_edits(sb, int(ids["A-3"]["deal_id"]), title="Kept by a colleague")

        _, plan = await load_job(sb, tmp_path, "undo", undoer(source), job_id="look")
        assert any(n.startswith("2 person(s) and 1 organization(s) the import created carry "
                                "no other deals: --contacts deletes them too, those that "
                                "still exist (they are not read without it: some may be "
                                "gone since")  # x45r8 F5: said as if they all existed
                   for n in plan.notes), plan.notes
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True),
                                    job_id="undo-contacts")
        assert plan.actions["delete-person"] == 2 and plan.actions["delete-org"] == 1
        await run_job(sb, undo)
        person = {r["key"]: sb.state.persons.rows[int(r["person_id"])] for r in ids.values()}
        org = {r["key"]: sb.state.orgs.rows[int(r["org_id"])] for r in ids.values()}
        assert person["A-1"]["is_deleted"] and person["A-4"]["is_deleted"]
        assert not person["A-3"]["is_deleted"]  # Sam Two still carries the kept deal A-3
        assert org["A-1"]["is_deleted"] and not org["A-3"]["is_deleted"]
        assert not org["A-4"]["is_deleted"] and org["A-4"]["id"] == existing_org["id"]
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_contacts_leaves_persons_and_orgs_someone_changed_since(
        tmp_path: Path) -> None:
    """v9r10 severe: `undo --contacts` deleted the persons and organizations the import made
    and that carry no other deal, whatever happened to them since: one a colleague merged
    an older person into (the survivor held the colleague's data), one a colleague edited,
    and an organization a colleague had given a person. Those are conflicts now, left
    alone (--force deletes them); an untouched one is still deleted."""
    from bulk.sandbox.contacts import create_person

    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=37)) as sb:
        source, ids = await _imported_with_contacts(sb, tmp_path, 3)
        pat, sam = int(ids["A-1"]["person_id"]), int(ids["A-2"]["person_id"])
        org_three = int(ids["A-3"]["org_id"])
        later = "2031-01-01T00:00:00Z"
        sb.state.save("person", {**sb.state.persons.rows[pat], "update_time": later})  # merged
        sb.state.save("person", {**sb.state.persons.rows[sam], "name": "Sam (edited)",
                                 "update_time": later})
        create_person(sb.state, {"name": "Colleague", "org_id": org_three})
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        # Pat and Sam kept (conflicts), and so their organizations, kept with them (v9r11:
        # a kept person's organization was deleted under it; v9r18: counted kept, as the
        # run's re-check counts them, not conflicts); Org Three holds a colleague's person
        # before: all deleted; counted apart from the deals' conflicts (x38r3 F8: a plan's
        # "rows: … 27 conflicts" beside "conflict 28" in its rows by action)
        assert (plan.actions["conflict-person"], plan.actions["conflict-org"],
                plan.actions["conflict"]) == (2, 1, 0), plan.actions
        # x34r4 F5a: they carry no deal; "still carry other deals" was said of them
        assert ("2 organization(s) the import created hold a person this undo keeps: kept "
                "with it") in plan.notes, plan.notes
        assert not any("still carry" in n for n in plan.notes), plan.notes
        await run_job(sb, undo)
        assert not sb.state.persons.rows[pat]["is_deleted"]
        assert not sb.state.persons.rows[sam]["is_deleted"]
        assert not sb.state.orgs.rows[org_three]["is_deleted"]
        assert sb.state.persons.rows[int(ids["A-3"]["person_id"])]["is_deleted"]  # untouched
        for key in ("A-1", "A-2"):
            assert not sb.state.orgs.rows[int(ids[key]["org_id"])]["is_deleted"]
        undo.close()
        source.close()


@pytest.mark.anyio
@pytest.mark.parametrize("when", ["before the plan", "after the plan"])
async def test_undo_contacts_keeps_the_organization_of_a_person_it_keeps(
        tmp_path: Path, when: str) -> None:
    """v9r11 severe (3 of 3): a person the import made gained a deal from a colleague, so
    `undo --contacts` kept it — and deleted its organization, leaving the person pointing
    at a deleted organization. An organization is deleted only when no person is left in
    it (checked at the plan and again right before its delete, after the person deletes);
    an untouched person and its organization are still deleted."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=41)) as sb:
        source, ids = await _imported_with_contacts(sb, tmp_path, 2)
        pat, org_one = int(ids["A-1"]["person_id"]), int(ids["A-1"]["org_id"])
        assert sb.state.persons.rows[pat]["org_id"] == org_one

        def colleague_deal() -> None:
            from bulk.sandbox.deals import create

            create(sb.state, {"title": "Colleague's", "person_id": pat})

        if when == "before the plan":
            colleague_deal()
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        if when == "after the plan":
            colleague_deal()
        else:  # Org One is kept with Pat: no row (v9r11: "0 valid, 1 with errors" for 2)
            assert plan.rows == 2 and plan.bad_rows == 0, (plan.rows, plan.bad_rows)
            assert any(n.startswith("1 person(s) and 0 organization(s) the import created "
                                    "still carry") for n in plan.notes), plan.notes
            assert any(n.startswith("1 organization(s) the import created hold a person")
                       for n in plan.notes), plan.notes  # x34r4 F5a
            assert not any("deal(s) changed since" in n for n in plan.notes), plan.notes
        await run_job(sb, undo)
        assert not sb.state.persons.rows[pat]["is_deleted"]
        assert not sb.state.orgs.rows[org_one]["is_deleted"]  # before: deleted under Pat
        summary = orjson.loads((undo.directory / "summary.json").read_bytes())
        assert summary["contacts"]["persons"]["kept"] == 1, summary["contacts"]  # v9r14: 0
        # Org One kept with Pat, whenever Pat gained the deal: counted kept, not a conflict
        # at the plan and kept at the run (v9r18: the same case two ways, exit 3 or 0)
        assert summary["contacts"]["organizations"]["kept"] == 1, summary["contacts"]
        assert summary["contacts"]["organizations"]["failed"] == 0, summary["contacts"]
        assert sb.state.persons.rows[int(ids["A-2"]["person_id"])]["is_deleted"]
        assert sb.state.orgs.rows[int(ids["A-2"]["org_id"])]["is_deleted"]
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_resumed_undo_leaves_deals_changed_since_it_was_planned(tmp_path: Path) -> None:
    """An undo of an import is planned (3 deletes) and stopped before sending; meanwhile a
    colleague edits A-2. Resuming it deletes A-1 and A-3 and leaves A-2 alone as a conflict
    (it used to delete A-2 as planned)."""
    from jobs.undo import UndoJob
    from tests.import_support import api_context

    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=38)) as sb:
        source, ids = await _imported(sb, tmp_path, "A-1,First\nA-2,Second\nA-3,Third\n")
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source), job_id="undo-later")
        assert plan.actions["delete"] == 3
        someone_edits(sb, ids["A-2"], title="Kept by a colleague")
        async with api_context(sb, tmp_path) as ctx:
            lines = await UndoJob().before_resume(ctx, undo)
        assert "1 changed since the undo was planned" in lines[0]
        await run_job(sb, undo)
        assert deal(sb, ids["A-1"])["is_deleted"] and deal(sb, ids["A-3"])["is_deleted"]
        assert not deal(sb, ids["A-2"])["is_deleted"]
        failed = list(undo.items(ItemState.FAILED))
        assert [f.key for f in failed] == ["A-2"] and "conflict" in (failed[0].error or "")
        undo.close()
        source.close()


def test_undo_re_reads_its_deals_after_the_confirmation_prompt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pdbulk undo IMPORT` shows its plan and asks; while the question is on screen a
    colleague edits A-2. After "y", the undo re-reads the deals: A-1 and A-3 are deleted,
    A-2 is left alone as a conflict (it used to be deleted as planned)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=0, seed=39)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        jobs = tmp_path / "jobs"
        manifest = tmp_path / "in.csv"
        manifest.write_text("id,title\nA-1,First\nA-2,Second\nA-3,Third\n")
        mapping = tmp_path / "map.toml"
        mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
        out = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                       "--create-key-field", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (imported,) = jobs.iterdir()
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(imported / "succeeded.csv")}
        import pdbulk.cli_ops as cli_ops

        def answer_yes(question: str) -> bool:  # the question was on screen for a while
            someone_edits(sb, ids["A-2"], title="Colleague's")
            return True

        monkeypatch.setattr(cli_ops, "_confirmed", answer_yes)
        undone = CliRunner().invoke(app, ["undo", imported.name, *cli_args(sb, jobs)],
                                    env=env)
        assert undone.exit_code == 3, undone.output
        assert "1 changed since the undo was planned" in undone.output
        assert deal(sb, ids["A-1"])["is_deleted"] and deal(sb, ids["A-3"])["is_deleted"]
        assert not deal(sb, ids["A-2"])["is_deleted"]


@pytest.mark.anyio
async def test_undo_of_an_import_never_deletes_a_deal_that_is_provably_not_its_create(
        tmp_path: Path) -> None:
    """Creator evidence is checked at undo time too: a deal another import records as its
    create, or one added before the row was sent, is a conflict left alone — even with
    --force (it is someone else's work); the import's own create is deleted."""
    import time

    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=34)) as sb:
        jobs = tmp_path / "jobs"
        source = JobStore.create(jobs / "imp", job_id="imp", kind="import", config={})
        other = JobStore.create(jobs / "other", job_id="other", kind="import", config={})
        for store in (source, other):
            store.add_items([NewItem(row=n, key=f"k{n}", op="create", payload={})
                             for n in (1, 2, 3)])
        ids = [i.id for i in source.pending(10)]
        source.mark_sending(ids[:2], 0.0)
        source.mark_sending(ids[2:], time.time())
        sb.state.save("deal", {**deal(sb, 7), "add_time": "2020-01-01T00:00:00Z"})
        source.record([Outcome(ids[0], ItemState.DONE, {"deal_id": 5, "action": "created"}),
                       Outcome(ids[1], ItemState.DONE, {"deal_id": 6, "action": "created"}),
                       Outcome(ids[2], ItemState.DONE, {"deal_id": 7, "action": "created"})])
        oid = [i.id for i in other.pending(10)][:1]
        other.mark_sending(oid, 0.0)
        other.record([Outcome(oid[0], ItemState.DONE, {"deal_id": 6, "action": "created"})])
        other.close()
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, force=True))
        assert plan.actions == {"delete": 1, "conflict": 2}
        await run_job(sb, undo)
        assert deal(sb, 5)["is_deleted"]
        assert not deal(sb, 6)["is_deleted"] and not deal(sb, 7)["is_deleted"]
        undo.close()
        source.close()


CONTACTS_MAPPING = ('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
                    '[person]\nname = "person"\nemail = "email"\n[organization]\nname = "org"\n')
CONTACTS_ROWS = ("id,title,person,email,org\n"
                 "A-1,First,Pat One,pat@x.example,New Org One\n"
                 "A-2,Second,Sam Two,sam@x.example,New Org Two\n")


def _gains_deal(sb: Sandbox, deal_id: int, **link: int) -> None:
    """Another user links a deal the import did not create to one of its contacts."""
    someone_edits(sb, deal_id, **link)


@pytest.mark.anyio
async def test_resumed_undo_keeps_contacts_that_gained_deals_since_the_plan(
        tmp_path: Path) -> None:
    """An undo --contacts of an import is planned (2 persons, 2 orgs to delete) and dies
    before sending; meanwhile a colleague links an older deal to Pat One and to New Org
    Two. The resume re-checks: those two are kept (reported as kept), the other person and
    organization are deleted, and the colleague's deal still points at live contacts."""
    from jobs.undo import UndoJob
    from tests.import_support import api_context

    async with serve(SandboxConfig(time_scale=0.02, deals=3, seed=43)) as sb:
        older = min(d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"])
        manifest = tmp_path / "in.csv"
        manifest.write_text(CONTACTS_ROWS)
        mapping = tmp_path / "map.toml"
        mapping.write_text(CONTACTS_MAPPING)
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        rows = {r["key"]: r for r in read_csv(source.directory / "succeeded.csv")}
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True),
                                    job_id="undo-contacts-later")
        assert plan.actions["delete-person"] == 2 and plan.actions["delete-org"] == 2
        pat, org_two = int(rows["A-1"]["person_id"]), int(rows["A-2"]["org_id"])
        _gains_deal(sb, older, person_id=pat, org_id=org_two)
        calls = UndoJob().reread_calls(undo)
        # 2 deals + the pull, and the contacts left by id (f35f 1)
        assert calls == {"getDeals": 2, "getArchivedDeals": 1, "getPersons": 1,
                         "getOrganizations": 1}, calls
        async with api_context(sb, tmp_path) as ctx:
            lines = await UndoJob().before_resume(ctx, undo)
        assert any("2 now carry a deal this undo keeps" in line for line in lines), lines
        await run_job(sb, undo)
        assert not sb.state.persons.rows[pat]["is_deleted"]
        assert not sb.state.orgs.rows[org_two]["is_deleted"]
        assert sb.state.persons.rows[int(rows["A-2"]["person_id"])]["is_deleted"]
        # New Org One stays: Pat One, kept, belongs to it (v9r11: deleted under Pat)
        assert not sb.state.orgs.rows[int(rows["A-1"]["org_id"])]["is_deleted"]
        assert all(deal(sb, int(r["deal_id"]))["is_deleted"] for r in rows.values())
        summary = orjson.loads((undo.directory / "summary.json").read_bytes())
        assert summary["contacts"]["persons"] == {"deleted": 1, "already gone": 0, "kept": 1,
                                                  "failed": 0, "unprocessed": 0}
        assert summary["contacts"]["organizations"]["kept"] == 2
        undo.close()
        source.close()


def test_undo_contacts_re_checks_the_contacts_after_the_prompt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pdbulk undo IMPORT --contacts` asks; while the question is on screen a colleague
    links an older deal to the import's person Sam Two. After "y" Sam Two is kept (it used
    to be deleted under the colleague's deal); the rest goes."""
    import pdbulk.cli_ops as cli_ops

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=44)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        older = min(d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"])
        jobs = tmp_path / "jobs"
        manifest = tmp_path / "in.csv"
        manifest.write_text(CONTACTS_ROWS)
        mapping = tmp_path / "map.toml"
        mapping.write_text(CONTACTS_MAPPING)
        out = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                       "--create-key-field", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (imported,) = jobs.iterdir()
        rows = {r["key"]: r for r in read_csv(imported / "succeeded.csv")}
        sam = int(rows["A-2"]["person_id"])

        def answer_yes(question: str) -> bool:  # the question was on screen for a while
            _gains_deal(sb, older, person_id=sam)
            return True

        monkeypatch.setattr(cli_ops, "_confirmed", answer_yes)
        undone = CliRunner().invoke(app, ["undo", imported.name, "--contacts",
                                          *cli_args(sb, jobs)], env=env)
        assert undone.exit_code == 0, undone.output
        assert "1 now carry a deal this undo keeps" in undone.output, undone.output
        assert not sb.state.persons.rows[sam]["is_deleted"]
        assert deal(sb, older)["person_id"] == sam
        assert sb.state.persons.rows[int(rows["A-1"]["person_id"])]["is_deleted"]
        assert sb.state.orgs.rows[int(rows["A-1"]["org_id"])]["is_deleted"]
        # Sam Two's organization stays with Sam (v9r11: deleted under the kept person)
        assert not sb.state.orgs.rows[int(rows["A-2"]["org_id"])]["is_deleted"]


@pytest.mark.anyio
async def test_resumed_undo_keeps_contacts_of_an_in_flight_delete_found_a_conflict(
        tmp_path: Path) -> None:
    """Issue 9 F2: an undo --contacts dies (kill -9) with the delete of A-1's deal in
    flight; a colleague edited that deal meanwhile. The resume leaves the deal alone (a
    conflict) and must keep its person and organization: a contact is deleted only if no
    deal carries it right before its delete. A-2's deal and contacts are deleted."""
    async with serve(SandboxConfig(time_scale=0.02, deals=3, seed=43)) as sb:
        manifest = tmp_path / "in.csv"
        manifest.write_text(CONTACTS_ROWS)
        mapping = tmp_path / "map.toml"
        mapping.write_text(CONTACTS_MAPPING)
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        rows = {r["key"]: r for r in read_csv(source.directory / "succeeded.csv")}
        undo, _ = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True),
                                 job_id="undo-contacts-killed")
        kept_deal = int(rows["A-1"]["deal_id"])
        flying = [i.id for i in undo.items(ItemState.PENDING)
                  if i.op == "delete" and i.payload["deal_id"] == kept_deal]
        undo.mark_sending(flying, 0.0)
        someone_edits(sb, kept_deal, title="Colleague's title")
        await run_job(sb, undo)
        assert not deal(sb, kept_deal)["is_deleted"]
        assert not sb.state.persons.rows[int(rows["A-1"]["person_id"])]["is_deleted"]
        assert not sb.state.orgs.rows[int(rows["A-1"]["org_id"])]["is_deleted"]
        assert deal(sb, int(rows["A-2"]["deal_id"]))["is_deleted"]
        assert sb.state.persons.rows[int(rows["A-2"]["person_id"])]["is_deleted"]
        undo.close()
        source.close()


def _same_second_edit(sb: Sandbox, deal_id: int, **fields: Any) -> None:
    """A colleague's edit in the very second of the job's write: update_time unchanged."""
    sb.state.save("deal", {**deal(sb, deal_id), **fields})


@pytest.mark.anyio
async def test_undo_of_an_import_leaves_a_deal_edited_in_the_same_second(
        tmp_path: Path) -> None:
    """Issue 9 F1: a colleague renames a created deal in the same second as the create
    (update_time unchanged): undo compares the created fields' values, sees the conflict
    and leaves the deal alone; the untouched create is deleted."""
    async with serve(SandboxConfig(time_scale=0.02, deals=3, seed=33)) as sb:
        source, rows = await _imported(sb, tmp_path, "A-1,First\nA-2,Second\n")
        _same_second_edit(sb, rows["A-1"], title="Colleague's title")
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        assert plan.actions == {"delete": 1, "conflict": 1}, plan.actions
        await run_job(sb, undo)
        assert not deal(sb, rows["A-1"])["is_deleted"]
        assert deal(sb, rows["A-2"])["is_deleted"]
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_names_the_edit_of_a_deal_edited_in_the_second_a_deal_was_deleted(
        tmp_path: Path) -> None:
    """v9r10 cosmetic: a created deal edited in its own second, while another deal was
    deleted in that second, was left alone (right) with the reason "one may have been
    merged into it". Its fields tell the edit: that is the reason given."""
    async with serve(SandboxConfig(time_scale=0.02, deals=3, seed=33)) as sb:
        source, rows = await _imported(sb, tmp_path, "A-1,First\n")
        created = sb.state.deals.rows[rows["A-1"]]
        colleague = next(d for d in sb.state.deals.rows.values()
                         if d["id"] not in rows.values() and not d["is_deleted"])
        sb.state.save("deal", {**colleague, "is_deleted": True,
                               "update_time": created["update_time"]})
        _same_second_edit(sb, rows["A-1"], title="Colleague's title")
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        assert plan.actions == {"conflict": 1}, plan.actions
        await run_job(sb, undo)
        (row,) = read_csv(undo.directory / "failed.csv")
        assert "changed since the job wrote it" in row["reason"], row  # before: "merged"
        assert "merged into it" not in row["reason"], row
        assert not deal(sb, rows["A-1"])["is_deleted"]
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_of_an_import_leaves_a_deal_that_absorbed_a_merge_in_its_own_second(
        tmp_path: Path) -> None:
    """v9r9 severe: an automation merged a colleague's deal into a created deal within the
    create's own second (its update_time and fields as created: the merged deal's values
    equal or empty); undo deleted the survivor, and the colleague's deal with it (60 of
    60). A deal deleted in the second a created deal last changed may have been merged
    into it: that create is a conflict, left alone; --force deletes it."""
    async with serve(SandboxConfig(time_scale=0.02, deals=3, seed=33)) as sb:
        source, rows = await _imported(sb, tmp_path, "A-1,First\nA-2,Second\n")
        survivor = sb.state.deals.rows[rows["A-1"]]
        colleague = next(d for d in sb.state.deals.rows.values()
                         if d["id"] not in rows.values() and not d["is_deleted"])
        # merged in the create's own second: Pipedrive deletes the colleague's deal; the
        # survivor keeps its fields (the colleague's are empty or equal) and update_time
        elsewhen = "2031-01-01T00:00:00Z"  # first: a deletion in a second no create changed
        sb.state.save("deal", {**colleague, "is_deleted": True, "update_time": elsewhen})
        calm, plan = await load_job(sb, tmp_path, "undo", undoer(source), job_id="calm")
        assert plan.actions == {"delete": 2}, plan.actions
        calm.close()
        sb.state.save("deal", {**colleague, "is_deleted": True,
                               "update_time": survivor["update_time"]})
        same = {k for k, i in rows.items()
                if sb.state.deals.rows[i]["update_time"] == survivor["update_time"]}
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        # every create that last changed in that second is left alone (which one absorbed
        # the merge cannot be told); before: both deleted
        assert plan.actions["conflict"] == len(same) >= 1, plan.actions
        await run_job(sb, undo)
        assert not deal(sb, rows["A-1"])["is_deleted"]
        failed = read_csv(undo.directory / "failed.csv")
        assert all("may have been merged into it" in r["reason"] for r in failed), failed
        undo.close()
        forced, plan = await load_job(sb, tmp_path, "undo", undoer(source, force=True),
                                      job_id="forced")
        assert plan.actions["delete"] == 2 - sum(deal(sb, i)["is_deleted"]
                                                 for i in rows.values()), plan.actions
        assert not plan.actions["conflict"], plan.actions
        forced.close()
        source.close()


@pytest.mark.anyio
async def test_undo_of_an_import_leaves_a_deal_archived_since_alone(tmp_path: Path) -> None:
    """Fresh tester v9 F4: a created deal a colleague archived is missing from the default
    list; undo called it "already deleted" and counted it so. It is read from the archived
    list and is a conflict, left alone (archived, not deleted); --force deletes it."""
    async with serve(SandboxConfig(time_scale=0.02, deals=3, seed=33)) as sb:
        source, rows = await _imported(sb, tmp_path, "A-1,First\nA-2,Second\n")
        sb.state.deals.rows[rows["A-1"]]["is_archived"] = True  # a colleague archives it
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        assert plan.actions == {"delete": 1, "conflict": 1}, plan.actions
        await run_job(sb, undo)
        assert not deal(sb, rows["A-1"])["is_deleted"] and deal(sb, rows["A-1"])["is_archived"]
        assert deal(sb, rows["A-2"])["is_deleted"]
        undo.close()
        forced, plan = await load_job(sb, tmp_path, "undo", undoer(source, force=True),
                                      job_id="forced")
        assert plan.actions["delete"] == 1 and not plan.actions["conflict"], plan.actions
        forced.close()
        source.close()


def test_move_stage_archived_key_hint_names_no_missing_flag() -> None:
    """Issue 9 F5: move-stage has no --unarchive, so its archived-key failure must not
    tell the user to pass one; update's still does."""
    from jobs.account import key_problem
    from jobs.stages import MOVE_ARCHIVED_HINT

    index = type("Index", (dict,), {"archived": {"K-1": {"id": 7}}})()
    moved = key_problem(index, "K-1", hint=MOVE_ARCHIVED_HINT) or ""
    assert "archived deal 7" in moved and "--unarchive to" not in moved
    assert "pass --unarchive" in (key_problem(index, "K-1") or "")


def test_refusal_uses_the_right_article(tmp_path: Path) -> None:
    """"a undo job cannot be undone" read wrong (tester v9r5): an undo, an import, a touch."""
    from jobs.undo.targets import check_source

    for kind, words in (("undo", "an undo job cannot be undone"),
                        ("touch", "a touch job cannot be undone")):
        store = JobStore.create(tmp_path / kind, job_id=kind, kind=kind, config={})
        try:
            with pytest.raises(InputError, match=f"^{words} "):
                check_source(store)
        finally:
            store.close()


@pytest.mark.anyio
async def test_undo_contacts_counts_a_person_gone_since_as_already_gone(tmp_path: Path) -> None:
    """v9r15 M2: a person the import made was merged away by a colleague after the plan;
    its DELETE found it gone, and the summary said "persons: 2 deleted" although the undo
    deleted one. It is counted "already gone"."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=41)) as sb:
        source, ids = await _imported_with_contacts(sb, tmp_path, 2)
        undo, _ = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        pat = int(ids["A-1"]["person_id"])
        sb.state.persons.rows[pat]["is_deleted"] = True  # the colleague's merge took it
        await run_job(sb, undo)
        summary = orjson.loads((undo.directory / "summary.json").read_bytes())
        persons = summary["contacts"]["persons"]
        assert persons["deleted"] == 1 and persons["already gone"] == 1, persons  # before: 2
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_contacts_deletes_a_person_the_restore_unlinks(tmp_path: Path) -> None:
    """v9r17 L4: an upsert linked a person it created to a deal that existed before it; its
    `undo --contacts` restored the deal (no person again) but reported the person "kept"
    for that very deal, leaving it with no deal. A deal the undo restores carries the
    person its restore puts back; the person deletes wait for the restores."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=41)) as sb:
        (tmp_path / "first").mkdir()
        first, ids = await _imported(sb, tmp_path / "first", "A-1,Before\n")
        manifest = tmp_path / "in.csv"
        manifest.write_text("id,title,person,email\nA-1,After,Pat One,pat@x.example\n")
        mapping = tmp_path / "map.toml"
        mapping.write_text('version = 1\n[import]\nkey_column = "id"\nmode = "upsert"\n'
                           '[deal]\ntitle = "title"\n[person]\nname = "person"\n'
                           'email = "email"\n')
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                         job_id="second")
        pat = deal(sb, ids["A-1"])["person_id"]
        assert isinstance(pat, int)
        undo, _ = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        await run_job(sb, undo)
        assert deal(sb, ids["A-1"])["title"] == "Before"
        assert deal(sb, ids["A-1"])["person_id"] is None
        assert sb.state.persons.rows[pat]["is_deleted"]  # before: kept, with no deal
        undo.close()
        source.close()
        first.close()


@pytest.mark.anyio
async def test_a_contact_delete_in_flight_at_a_kill_found_gone_is_this_undos() -> None:
    """v9r18: `undo --contacts` killed with person deletes in flight; on resume they were
    sent again, got 404 and were counted "already gone (deleted or merged by someone)".
    In flight and gone now: this undo's delete, done; still there: sent again."""
    from types import SimpleNamespace

    from bulk.store import Item
    from jobs.undo.job import _contacts_in_flight

    class Ctx:
        async def call(self, op: str, *, params: Any = None, **_: Any) -> Any:
            assert op == "getPersons" and params["ids"] == [5, 6], (op, params)
            return SimpleNamespace(data=[{"id": 6}])  # 5 is gone

    items = [Item(id=n, row=None, key=f"person {p}", op="delete-person",
                  payload={"person_id": p}, state=ItemState.SENDING, attempts=1, result=None,
                  error=None, status=None, sent_at=1.0) for n, p in ((1, 5), (2, 6))]
    out = {o.item_id: o for o in await _contacts_in_flight(Ctx(), items)}  # type: ignore[arg-type]
    assert out[1].state is ItemState.DONE and (out[1].result or {})["action"] == "deleted"
    assert out[2].state is ItemState.PENDING


def test_undo_of_a_stopped_job_says_what_is_still_pending_and_its_resume_is_refused(
        tmp_path: Path) -> None:
    """x17r2 3: undo of a job stopped by --max-tokens printed "10 restored" and nothing of
    the rows still pending; `pdbulk resume` of the job afterwards sent them over the undo.
    The undo's plan and its end name the pending rows, and resume / retry of the undone
    job are refused in one line (exit 1), nothing sent."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=200, seed=35)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        jobs = tmp_path / "jobs"
        out = runner.invoke(app, ["move-stage", "--stage", "Demo Scheduled", "--pipeline",
                                  "Sales", "--to-stage", "Qualified", "--yes",
                                  "--max-tokens", "80", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 4, out.output
        (job,) = jobs.iterdir()
        with JobStore.open(job, lock=False) as moved:
            pending = moved.counts()[ItemState.PENDING]
        assert pending > 0
        undone = runner.invoke(app, ["undo", job.name, "--yes", *cli_args(sb, jobs)], env=env)
        assert undone.exit_code == 0, undone.output
        said = f"{pending} row(s) still pending (never sent)"
        assert said in undone.output, undone.output  # the plan
        assert f"job {job.name} still has {pending} row(s) pending: not sent" in undone.output
        for command in ("resume", "retry"):
            before = requests(sb)
            again = runner.invoke(app, [command, job.name, "--job-dir", str(jobs)], env=env)
            assert again.exit_code == 1, again.output
            if command == "resume":
                assert f"resume would send {pending} row(s) over that undo; refused" \
                    in again.output, again.output
            assert "Traceback" not in again.output and sb.token not in again.output
            assert delta(before, requests(sb)) == {}
        with JobStore.open(job, lock=False) as moved:
            assert moved.counts()[ItemState.PENDING] == pending


@pytest.mark.anyio
@pytest.mark.parametrize(("kind", "what"), [("update", "row(s)"), ("import", "row(s)"),
                                            ("move-stage", "row(s)"), ("dedupe", "merge(s)")])
async def test_undo_plan_of_each_kind_names_its_pending_items(tmp_path: Path, kind: str,
                                                               what: str) -> None:
    """x17r2 3, each kind undo takes: the plan names the pending items; once the undo ran
    (``mark_undone``), resume is refused; a merge job's refusal names its pending pairs."""
    from jobs.undo import check_source, mark_undone, refuse_after_undo

    async with serve(SandboxConfig(time_scale=0.02, deals=5)) as sb:
        source = JobStore.create(tmp_path / "src", job_id="src", kind=kind, config={})
        source.add_items([NewItem(row=n, key=str(n), op="x", payload={}) for n in (1, 2)])
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        assert any(f"job src stopped with 2 {what} still pending" in n for n in plan.notes)
        assert refuse_after_undo(source, "resume") is None
        mark_undone(source, undo)
        assert refuse_after_undo(undo, "resume") is None  # not undone itself
        assert f"resume would send 2 {what} over that undo" in (
            refuse_after_undo(source, "resume") or "")
        assert f"retry would send 2 {what} over" in (refuse_after_undo(source, "retry") or "")
        undo.close()
        source.close()
    merge = JobStore.create(tmp_path / "m", job_id="m", kind="merge", config={})
    merge.add_items([NewItem(row=1, key="1->2", op="merge", payload={})])
    with pytest.raises(InputError, match="1 pair\\(s\\) of job m are still pending"):
        check_source(merge)
    merge.close()


@pytest.mark.anyio
async def test_undo_names_the_deal_a_colleague_merged_the_deal_into(tmp_path: Path) -> None:
    """x17r2 2: a colleague merged deal A (updated by the job) into deal C; undo said "deal A
    is deleted: nothing to restore" and never named C, which held the job's value. Undo
    says A was merged into C and which fields the job wrote C holds, and writes nothing
    to C (someone else's merge); B, which the job updated in the same run, is restored.
    Undo of an import likewise names the deal a created deal was merged into."""
    from bulk.sandbox.merge import merge

    async with serve(SandboxConfig(time_scale=0.02, deals=60, seed=31)) as sb:
        a, b, c = [d["id"] for d in sb.state.deals.rows.values() if d["status"] == "open"][:3]
        b_before = dict(deal(sb, b)["custom_fields"])
        source = await _updated(sb, tmp_path, [
            {"Deal": i, "Amount": deal(sb, i)["value"], "Title": deal(sb, i)["title"],
             "Status": "open", "Reason": "", "Source": "Partner"} for i in (a, b)])
        (code,) = {k for i in source.items(ItemState.DONE)
                   for k in i.payload["changes"]["custom_fields"]}  # Lead source
        sb.state.save("deal", {**deal(sb, c), "custom_fields": {}})  # C's field empty
        merge(sb.state, "deal", a, {"merge_with_id": c})  # the colleague's merge: C survives
        held = deal(sb, c)
        assert held["custom_fields"].get(code) == deal(sb, a)["custom_fields"][code]

        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        (row,) = [i for i in plan.items if i.state is ItemState.FAILED]
        assert row.error is not None and "is deleted" not in row.error, row.error
        assert row.error.startswith(f"deal {a} was merged into deal {c} "), row.error
        # by its label, not its key (x30r1 L3)
        assert f"deal {c} now holds Lead source the job wrote to deal {a}; not restored" \
            in row.error, row.error
        await run_job(sb, undo)
        (failed,) = read_csv(undo.directory / "failed.csv")
        assert failed["reason"] == row.error
        assert deal(sb, c) == held  # never written
        assert deal(sb, b)["custom_fields"].get(code) == b_before.get(code)  # restored
        assert deal(sb, c)["custom_fields"][code] != b_before.get(code)
        undo.close()
        source.close()

        (tmp_path / "imp").mkdir()
        imported, created = await _imported(sb, tmp_path / "imp", "A-1,First\n")
        merge(sb.state, "deal", created["A-1"], {"merge_with_id": c})
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(imported), job_id="undo-imp")
        (skip,) = list(undo.items())
        said = skip.payload["result"]
        assert said["action"] == "already deleted", said
        assert said["note"].startswith(f"deal {created['A-1']} was merged into deal {c} "), said
        assert said["note"].endswith(f"not deleted: nothing of deal {created['A-1']}'s is "
                                     "written to another deal"), said
        undo.close()
        imported.close()


def test_a_deal_a_merge_job_merged_away_is_named_as_merged_by_that_job() -> None:
    """x17r2 2, the merge a pdbulk merge job of the job directory records: named with the
    job; a survivor holding none of the job's values is said to, nothing put back."""
    from jobs.undo.plan import _merged_reason
    from jobs.undo.targets import Target

    item = NewItem(row=3, key="7", op="update", payload={})
    t = Target("restore", item, 7, None, {"value": 1}, {"value": 5, "title": "T"})  # type: ignore[arg-type]
    why = _merged_reason(t, [(8, {"id": 8, "value": 5, "title": "Other"}, "job m-1")])
    assert why == ("deal 7 was merged into deal 8 (job m-1): deal 8 now holds value the job "
                   "wrote to deal 7; not restored: nothing of deal 7's is written to another "
                   "deal")
    none = _merged_reason(t, [(8, {"id": 8, "value": 9, "title": "Other"}, "job m-1")])
    assert none is not None and "holds none of the values the job wrote to deal 7" in none
    assert _merged_reason(t, []) is None


def test_resume_and_retry_of_an_undone_job_with_nothing_left_are_refused(
        tmp_path: Path) -> None:
    """x19r1 F7: an undone update job with nothing pending resumed "as it would" (exit 3,
    "1 updated; 10 failed", no word of the undo); README: resume and retry exit 1."""
    from jobs.undo import refuse_after_undo
    from jobs.undo.targets import META_UNDONE_BY

    source = JobStore.create(tmp_path / "src", job_id="src", kind="update", config={})
    source.add_items([NewItem(row=1, key="1", op="x", payload={})])
    source.meta_put(META_UNDONE_BY, {"job": "u1", "directory": str(tmp_path / "u1")})
    (item,) = source.items()
    source.mark_sending([item.id], 0.0)
    source.record([Outcome(item.id, ItemState.DONE, result={"action": "updated"})])
    for command in ("resume", "retry"):
        why = refuse_after_undo(source, command) or ""
        assert why.startswith(f"job src was undone by job u1: nothing of it is left to {command}")
        assert "refused" in why
    source.close()


def test_a_deal_deleted_in_a_busy_second_names_no_guessed_merge() -> None:
    """f22d F5: a deal deleted by someone else in a second in which three other deals
    changed, each holding a value the job wrote, was said "merged into deal 7 or 10 or
    22" (three merges guessed). Several candidates, or none holding the job's values, name
    no merge: the row says it was deleted by someone else since the job, possibly merged;
    the one deal of that second holding the job's values is still named (x17r2 2)."""
    from jobs.undo.plan import _merged_reason
    from jobs.undo.targets import Target

    item = NewItem(row=3, key="5", op="update", payload={})
    t = Target("restore", item, 5, None, {"value": 1}, {"value": 9, "title": "T"})  # type: ignore[arg-type]
    busy = [(y, {"id": y, "value": 9, "title": "Other"}, None) for y in (7, 10, 22)]
    for merged in (busy, [*busy[:2], (22, {"id": 22, "value": 3}, None)]):
        why = _merged_reason(t, merged)
        assert why is not None
        assert why.startswith("deal 5 was deleted since the job, by whom unknown (possibly "
                              "merged into another deal: 3 other deals changed"), why
        assert not any(str(y) in why for y in (7, 10, 22)), why
        assert "merged into deal" not in why and " or " not in why, why
        assert why.endswith("not restored: nothing of deal 5's is written to another deal")
    none = _merged_reason(t, [(y, {"id": y, "value": 3}, None) for y in (7, 10)])
    assert none is not None and none.startswith("deal 5 was deleted since the job, by whom unknown"), none
    assert "7" not in none and "10" not in none and "none holding a value" in none
    alone = _merged_reason(t, [(7, {"id": 7, "value": 3}, None)])
    assert alone is not None and "merged into deal" not in alone and "7" not in alone, alone
    one = _merged_reason(t, [(7, {"id": 7, "value": 9}, None)])
    among = _merged_reason(t, [(7, {"id": 7, "value": 9}, None), (10, {"id": 10}, None)])
    assert one == among == ("deal 5 was merged into deal 7 (deleted in the second deal 7 last "
                   "changed): deal 7 now holds value the job wrote to deal 5; not restored: "
                   "nothing of deal 5's is written to another deal")


@pytest.mark.anyio
async def test_undo_of_an_import_says_force_deletes_an_edited_create(tmp_path: Path) -> None:
    """x24r2 6: an import's undo of a created deal a colleague edited said "(a deal is put
    back whole or not at all; --force puts it back)"; for an import --force deletes it, and
    the row and the plan's note say so. An update's undo still says --force puts it back."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=31)) as sb:
        source, ids = await _imported_with_contacts(sb, tmp_path, 2)
        edited = int(ids["A-1"]["deal_id"])
        someone_edits(sb, edited, title="Theirs")
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        (row,) = [i for i in plan.items if i.state is ItemState.FAILED]
        assert "--force deletes it" in (row.error or ""), row.error
        assert "puts it back" not in (row.error or "")
        notes = " ".join(plan.notes)
        assert "(--force deletes them)" in notes and "overwrites" not in notes, notes
        undo.close()
        source.close()


def test_undo_run_time_conflicts_name_what_force_does_for_each_op() -> None:
    """x24r2 1 and 6: a conflict found right before the write names what a new undo with
    --force does to it — overwrite a restore, delete an import's create — and never names
    --force alone for an archived deal (it cannot be edited: unarchive it first)."""
    from bulk.store import Item
    from jobs.undo.job import _during_run

    def item(op: str) -> Item:  # a restore of the amount (x43r3 F3: judged by its groups)
        return Item(id=1, row=1, key="k", op=op, payload={
            "deal_id": 7, "changes": {"value": 1}, "wrote": {"value": 5}},
            state=ItemState.PENDING, attempts=0, result=None, error=None, status=None,
            sent_at=None)

    image = {"id": 7, "update_time": "2030-01-01T00:00:00Z", "fields": {"value": 5}}
    moved = {"id": 7, "update_time": "2031-01-01T00:00:00Z", "is_archived": False,
             "value": 9}
    archived = {**moved, "is_archived": True}
    said = {op: (_during_run(item(op), 7, moved, image) or Outcome(0, ItemState.PENDING)).error
            for op in ("restore", "delete")}
    # f38b: a new undo without --force puts back the rest and keeps the change
    assert "--force there would overwrite the change" in (said["restore"] or ""), said
    assert "--force to delete it" in (said["delete"] or ""), said
    restore = (_during_run(item("restore"), 7, archived, image) or Outcome(0, ItemState.PENDING))
    assert "unarchive it, then start the undo again with --force" in (restore.error or "")
    # x24r5: it puts back the values from before the job, on every deal of the undo
    assert "values from before the job" in (restore.error or "")
    assert "every deal of the undo" in (restore.error or ""), restore.error
    delete = (_during_run(item("delete"), 7, archived, image) or Outcome(0, ItemState.PENDING))
    assert "--force to delete it" in (delete.error or ""), delete.error


@pytest.mark.anyio
async def test_undo_counts_a_plain_delete_as_deleted_or_merged_away(tmp_path: Path) -> None:
    """x24r2 4: a deal a colleague DELETEd (another deal changed in that second, so it may
    have been a merge) was counted under "merged away" though nothing shows a merge: the
    count says "deleted or merged away"; the reason still says "possibly merged"."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        a, b = [d["id"] for d in sb.state.deals.rows.values() if d["status"] == "open"][:2]
        source = await _updated(sb, tmp_path, [
            {"Deal": i, "Amount": 4242, "Title": deal(sb, i)["title"], "Status": "open",
             "Reason": "", "Source": ""} for i in (a, b)])
        sb.state.save("deal", {**deal(sb, a), "is_deleted": True,
                               "update_time": "2031-01-01T00:00:00Z"})
        someone_edits(sb, b, value=1)  # in the same second (holding nothing the job wrote)
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        (row,) = [i for i in plan.items if int(i.payload["deal_id"]) == a]
        assert "possibly merged" in (row.error or ""), row.error
        assert plan.actions["deleted or merged away"] == 1, plan.actions
        assert plan.actions["merged away"] == 0, plan.actions
        undo.close()
        source.close()


def test_resume_of_a_job_undone_twice_names_the_undo_that_did_the_work(tmp_path: Path) -> None:
    """x24r2 3: J undone by undo-1 (3 deals), then a second undo (undo-2, "undone: 0
    deals"): resume said "job J was undone by job undo-2". It names undo-1 and what it did,
    and says undo-2 found nothing more."""
    from jobs.undo import mark_undone, refuse_after_undo

    source = JobStore.create(tmp_path / "src", job_id="src", kind="update", config={})
    source.add_items([NewItem(row=1, key="1", op="update", payload={"deal_id": 1})])
    undos = []
    for job_id, action, n in (("undo-1", "restored", 3), ("undo-2", "unchanged", 3)):
        undo = JobStore.create(tmp_path / job_id, job_id=job_id, kind="undo", config={})
        undo.add_items([NewItem(row=i, key=str(i), op="restore", payload={"deal_id": i})
                        for i in range(1, n + 1)])
        ids = [i.id for i in undo.items()]
        undo.mark_sending(ids, 0.0)
        state = ItemState.DONE if action == "restored" else ItemState.SKIPPED
        undo.record([Outcome(i, state, result={"action": action}) for i in ids])
        mark_undone(source, undo)
        for status in ("running", "finished"):  # both ran to their end (an unfinished one
            undo.set_status(status)  # is named as such: x24r3 3)
        undos.append(undo)
    why = refuse_after_undo(source, "resume") or ""
    assert why.startswith("job src was undone by job undo-1 (3 deal(s) put back)"), why
    assert "undo-2 found nothing more to undo" in why, why
    for undo in undos:
        undo.close()
    source.close()


@pytest.mark.anyio
async def test_retry_of_an_undo_says_what_it_settles_and_sends_what_its_plan_says(
        tmp_path: Path) -> None:
    """x24r2 7: `pdbulk retry <undo-job>` printed "N failed items back to pending", a
    re-read of a few of them, then "plan after the re-read: 30 item(s) … updateDeal 16",
    and sent no updateDeal. The conflicts sent again and the rows refused at the undo's
    plan are settled before the plan line: it counts only what is then re-checked and
    sent, and the lines add up to the items put back. (Since x32r2, a restore whose deal
    changed in no field the job wrote is no conflict: a and b changed the amount the job
    wrote, final conflicts a retry refuses again without a call.)"""
    from jobs import kind_for
    from jobs.resuming import resumed

    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        a, b, c, gone = [d["id"] for d in sb.state.deals.rows.values()
                         if d["status"] == "open"][:4]
        source = await _updated(sb, tmp_path, [
            {"Deal": i, "Amount": 4242, "Title": deal(sb, i)["title"], "Status": "open",
             "Reason": "", "Source": ""} for i in (a, b, c, gone)])
        written = deal(sb, b)["update_time"]
        for i in (a, b):  # the amount the job wrote changed: conflicts
            someone_edits(sb, i, value=1)
        someone_edits(sb, c)  # touched in no field the job wrote: restored (x32r2 night)
        sb.state.save("deal", {**deal(sb, gone), "is_deleted": True})
        undo, _ = await load_job(sb, tmp_path, "undo", undoer(source))
        await run_job(sb, undo)
        assert undo.counts()[ItemState.FAILED] == 3  # a, b: conflicts; gone: refused
        assert deal(sb, c)["value"] != 4242
        sb.state.save("deal", {**deal(sb, b), "value": 4242,  # b as the job left it
                               "update_time": written})
        lines: list[str] = []
        before = requests(sb)

        async def put_back(_eng: Any) -> None:
            lines.append(f"{undo.failed_to_pending()} failed items back to pending")
        await resumed(undo, sb.token, kind_for(undo), put_back, say=lines.append,
                      show_plan=lines.append)
        sent = delta(before, requests(sb))
        text = "\n".join(lines)
        assert "3 failed items back to pending" in text, text
        # a conflict in a field the job wrote is final (a new undo --force overwrites it):
        # refused again without a call, as the deleted deal is
        assert "3 item(s) refused when the undo was planned" in text, text
        (after,) = [line for line in lines if line.startswith("plan after the re-read")]
        assert after.startswith("plan after the re-read: 0 item(s) to settle"), after
        assert not sent.get("updateDeal"), sent
        assert deal(sb, a)["value"] == 1
        undo.close()
        source.close()


def test_an_interrupted_undo_is_named_and_a_second_undo_refused(tmp_path: Path) -> None:
    """x24r3 3: an undo killed after 40 of 150 restores: resume / retry of its source said
    "was undone by job U: nothing of it is left", and a second undo was accepted (183
    "undone" for 150 writes). Now both name the unfinished undo and how to resume it, and
    the second undo is refused."""
    from jobs.undo import check_source, mark_undone, refuse_after_undo

    jobs = tmp_path / "jobs"
    source = JobStore.create(jobs / "src", job_id="src", kind="update", config={})
    source.add_items([NewItem(row=r, key=str(r), op="x", payload={}) for r in range(1, 151)])
    ids = [item.id for item in source.items()]
    source.mark_sending(ids, 0.0)
    source.record([Outcome(i, ItemState.DONE, result={"action": "updated"}) for i in ids])
    source.set_status("running")
    source.set_status("finished")
    undo = JobStore.create(jobs / "u1", job_id="u1", kind="undo", config={"undo_of": "src"})
    undo.add_items([NewItem(row=r, key=str(r), op="restore", payload={})
                    for r in range(1, 151)])
    mark_undone(source, undo)
    undo.set_status("running")
    done = [item.id for item in undo.items()][:40]
    undo.mark_sending(done, 0.0)
    undo.record([Outcome(i, ItemState.DONE, result={"action": "restored"}) for i in done])
    undo.close()  # as a kill -9 leaves it: running, no process holds it
    for command in ("resume", "retry"):
        why = refuse_after_undo(source, command) or ""
        assert "was undone" not in why and "is being undone by job u1" in why, why
        assert "40 of its 150 row(s) done, 110 left" in why and "interrupted" in why
        assert f"`pdbulk resume u1 --job-dir {jobs}`" in why and "refused" in why
    with pytest.raises(InputError) as info:
        check_source(source)
    assert "second undo of it is refused" in str(info.value) and "resume u1" in str(info.value)
    source.close()
    res = CliRunner().invoke(app, ["undo", "src", "--yes", "--job-dir", str(jobs)],
                             env={"PIPEDRIVE_API_TOKEN": "SECRET-tok"})
    assert res.exit_code == 1 and "second undo of it is refused" in res.output, res.output
    assert len([line for line in res.output.splitlines() if line]) == 1, res.output
    with JobStore.open(jobs / "u1") as u1:  # finished: a second undo is as before
        u1.set_status("finished")
    with JobStore.open(jobs / "src", lock=False) as look:
        check_source(look)
        assert "was undone by job u1" in (refuse_after_undo(look, "resume") or "")


@pytest.mark.anyio
@pytest.mark.parametrize("archived", [2, 25])  # a getDeal each; the archived list by ids
async def test_resumed_undo_counts_deals_archived_while_it_was_stopped(
        tmp_path: Path, archived: int) -> None:
    """f25b: an undo of an update stopped before its writes; meanwhile a colleague archives
    some of its deals. The resume's re-read said "0 changed" (the default list omits an
    archived deal) and the run failed them "archived while this undo ran". The re-read
    counts them, each failed "archived since this undo was planned"; the rest restored."""
    from jobs.undo import UndoJob
    from tests.import_support import api_context

    async with serve(SandboxConfig(time_scale=0.02, deals=60, seed=31)) as sb:
        ids = [d["id"] for d in sb.state.deals.rows.values() if d["status"] == "open"][:30]
        source = await _updated(sb, tmp_path, [
            {"Deal": i, "Amount": 4242, "Title": deal(sb, i)["title"], "Status": "open",
             "Reason": "", "Source": ""} for i in ids])
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source), job_id="undo-later")
        assert plan.actions["restore"] == len(ids)
        for i in ids[:archived]:
            someone_edits(sb, i, is_archived=True)
        async with api_context(sb, tmp_path) as ctx:
            lines = await UndoJob().before_resume(ctx, undo)
        assert f"{archived} changed since the undo was planned" in lines[0], lines
        assert f"{len(ids) - archived} to send" in lines[0], lines
        await run_job(sb, undo)
        failed = sorted(undo.items(ItemState.FAILED), key=lambda f: int(f.key or 0))
        assert sorted(int(f.key or 0) for f in failed) == sorted(ids[:archived])
        for f in failed:
            assert "archived since this undo was planned" in (f.error or ""), f.error
            assert "while this undo ran" not in (f.error or ""), f.error
        assert all(deal(sb, i)["value"] != 4242 for i in ids[archived:])
        undo.close()
        source.close()


def test_plan_undo_counts_a_conflict_as_a_conflict(tmp_path: Path) -> None:
    """x26r3 4: a deal changed since the job wrote it was counted "rows: 3 (2 valid, 1 with
    errors: they go to failed.csv and are never sent)" by plan undo. It is a conflict, left
    alone: plan undo and the undo's run both count it so, in the singular for one."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=60, seed=35)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        jobs = tmp_path / "jobs"
        moved = sorted(i for i, d in sb.state.deals.rows.items() if d["stage_id"] == 3)
        assert len(moved) > 1
        out = runner.invoke(app, ["move-stage", "--stage", "Demo Scheduled", "--pipeline",
                                  "Sales", "--to-stage", "Qualified", "--yes",
                                  *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (job,) = jobs.iterdir()
        sb.state.save("deal", dict(sb.state.deals.rows[moved[0]], stage_id=4,
                                   update_time="2031-01-01T00:00:00Z"))
        text = runner.invoke(app, ["plan", "undo", job.name, *cli_args(sb, jobs)], env=env)
        assert text.exit_code == 3, text.output
        said = " ".join(text.output.split())
        assert (f"rows: {len(moved)} ({len(moved) - 1} valid, 1 conflict: left alone; its "
                "reason below and in failed.csv)") in said, text.output
        assert "with errors" not in said, text.output
        undone = runner.invoke(app, ["undo", job.name, "--yes", *cli_args(sb, jobs)], env=env)
        assert "1 conflict (of the failed): left alone; its reason is in failed.csv" in \
            " ".join(undone.output.split()), undone.output


@pytest.mark.anyio
async def test_a_plan_time_conflict_says_what_the_job_wrote_and_what_is_there_now(
        tmp_path: Path) -> None:
    """f27d's open item: undo's plan named the fields a colleague changed since the job
    wrote them without their values ("value is no longer the value it wrote"), where the
    run's conflicts say "then, now". It now names both, options by their labels."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        a, b = [d["id"] for d in sb.state.deals.rows.values() if d["status"] == "open"][:2]
        source = await _updated(sb, tmp_path, [
            {"Deal": i, "Amount": 4242, "Title": deal(sb, i)["title"], "Status": "open",
             "Reason": "", "Source": ""} for i in (a, b)])
        someone_edits(sb, b, value=5000)
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source), job_id="undo-v")
        failed = {int(i.payload["deal_id"]): i.error or "" for i in plan.items
                  if i.state is ItemState.FAILED}
        undo.close()
        source.close()
    assert set(failed) == {b}, failed
    assert "(value: job's 4242, now 5000)" in failed[b], failed[b]
