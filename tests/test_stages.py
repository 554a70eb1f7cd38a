"""Mass stage reassignment: selection by query or manifest, names resolved once, guards."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState, list_jobs
from jobs.selection import DealQuery, rfc3339
from jobs.stages import DealSource, MoveTarget, move_catalog, prepare_move
from pdbulk.cli import app
from tests.update_support import (
    at_terminal,
    cli_args,
    deal,
    delta,
    load_job,
    requests,
    run_job,
    threaded_sandbox,
)


def live(sb: Sandbox) -> list[dict[str, Any]]:
    return [dict(d) for d in sb.state.deals.rows.values() if not d["is_deleted"]]


def mover(source: DealSource, target: MoveTarget) -> Any:
    async def build(s: Any) -> Any:
        return await prepare_move(s.ctx, source, target, await move_catalog(s.ctx, source))
    return build


@pytest.mark.anyio
async def test_move_by_query_moves_exactly_the_matching_deals(tmp_path: Path) -> None:
    """Open deals of Sales/Qualified go to Proposal Made: list pages + one PATCH per deal,
    nothing else touched, a before-image (stage, pipeline, status) for each."""
    async with serve(SandboxConfig(time_scale=0.02, deals=400, seed=11)) as sb:
        old = {d["id"]: d for d in live(sb)}
        chosen = {i for i, d in old.items()
                  if d["pipeline_id"] == 1 and d["stage_id"] == 1 and d["status"] == "open"}
        assert len(chosen) > 20
        source = DealSource(query=DealQuery(pipeline="Sales", stage="Qualified", status="open"))
        before = requests(sb)
        store, prep = await load_job(sb, tmp_path, "move-stage",
                                     mover(source, MoveTarget("Proposal Made")))
        assert delta(before, requests(sb)).get("getDeals") == 1  # < 500 matches: one page
        assert prep.actions == {"move": len(chosen)}
        result = await run_job(sb, store)
        assert result.counts[ItemState.DONE] == len(chosen)
        calls = delta(before, requests(sb))
        assert calls["updateDeal"] == len(chosen) and "getDeal" not in calls
        assert not {"searchDeals", "getUsers", "getDealFields"} & set(calls)  # names: 2 pulls
        for deal_id, d in old.items():
            now = deal(sb, deal_id)
            if deal_id in chosen:
                assert (now["stage_id"], now["pipeline_id"], now["status"]) == (4, 1, "open")
            else:
                assert now["update_time"] == d["update_time"]
        images = {b.entity_id: b.before for b in store.before_images("deal")}
        assert set(images) == chosen
        some = images[min(chosen)]["fields"]
        # what the move writes, no more: undo never puts back a status it did not set
        # (x14r1 F1)
        assert some == {"stage_id": 1, "pipeline_id": 1}
        store.close()


@pytest.mark.anyio
async def test_close_as_lost_across_pipelines_from_a_manifest(tmp_path: Path) -> None:
    """A manifest of ids: deals move to another pipeline's stage and are closed as lost with
    the reason; a deal already there is unchanged (no call); a bad id fails its row."""
    async with serve(SandboxConfig(time_scale=0.02, deals=60, seed=12)) as sb:
        ids = [d["id"] for d in live(sb) if d["status"] == "open"][:6]
        target_stage = 9  # Partnerships / Proposal Made
        sb.state.save("deal", {**deal(sb, ids[0]), "stage_id": target_stage, "pipeline_id": 2,
                               "status": "lost", "lost_reason": "Price"})
        manifest = tmp_path / "ids.csv"
        manifest.write_text("id\n" + "\n".join(map(str, ids)) + "\nabc\n")
        source = DealSource(manifest=manifest)
        target = MoveTarget("Proposal Made", pipeline="Partnerships", status="lost",
                            lost_reason="Price")
        before = requests(sb)
        store, prep = await load_job(sb, tmp_path, "move-stage", mover(source, target))
        assert prep.actions == {"move": 5, "unchanged": 1, "failed": 1}
        await run_job(sb, store)
        assert delta(before, requests(sb))["updateDeal"] == 5
        for deal_id in ids:
            now = deal(sb, deal_id)
            assert (now["stage_id"], now["pipeline_id"], now["status"], now["lost_reason"]) == (
                target_stage, 2, "lost", "Price")
            assert deal_id == ids[0] or now["lost_time"] is not None
        store.close()


@pytest.mark.anyio
async def test_unknown_or_ambiguous_names_stop_before_any_deal_is_read(tmp_path: Path) -> None:
    """'Proposal Made' is in two pipelines: without a pipeline it is ambiguous; an unknown stage
    or pipeline is named in the error; only the catalog was read, no deal, no write."""
    async with serve(SandboxConfig(time_scale=0.02, deals=50, seed=13)) as sb:
        manifest = tmp_path / "ids.csv"
        manifest.write_text("deal_id\n1\n2\n")
        cases = [
            # x26r2 4a: the option that names the pipeline is named
            (DealSource(manifest=manifest), MoveTarget("Proposal Made"),
             "ambiguous .*name the one to move to with --to-pipeline"),
            (DealSource(query=DealQuery(pipeline="Sales")), MoveTarget("Proposal Maid"),
             "no stage named 'Proposal Maid'"),
            (DealSource(query=DealQuery(pipeline="Sails")), MoveTarget("Proposal Made"),
             "no pipeline named 'Sails'"),
            (DealSource(query=DealQuery(owner="nobody@x.example")), MoveTarget(
                "Qualified", pipeline="Sales"), "no user with e-mail"),
            (DealSource(query=DealQuery(stage="Qualified", pipeline="Sales")), MoveTarget(
                "Lead In", lost_reason="Price"), "--lost-reason needs --status-to lost"),
            # x34r5 F1 (severe): "" cleared every lost deal's reason, "   " wrote blanks
            *((DealSource(query=DealQuery(stage="Qualified", pipeline="Sales")), MoveTarget(
                "Qualified", pipeline="Sales", status="lost", lost_reason=blank),
               "--lost-reason is empty") for blank in ("", "   ")),
        ]
        before = requests(sb)
        for n, (source, target, message) in enumerate(cases):
            with pytest.raises(InputError, match=message):
                await load_job(sb, tmp_path, "move-stage", mover(source, target),
                               job_id=f"bad-{n}")
        calls = delta(before, requests(sb))
        assert "getDeals" not in calls and "updateDeal" not in calls


@pytest.mark.anyio
async def test_a_manifest_move_names_every_problem_at_once(tmp_path: Path) -> None:
    """f24c F4: `move-stage --manifest` said one problem a run (a bad column, an unknown
    stage, an unknown pipeline: three runs). One run now names the three, as import and
    update do; nothing read but the catalog, nothing sent."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=13)) as sb:
        manifest = tmp_path / "keys.csv"
        manifest.write_text("deal_id\n1\n2\n")
        before = requests(sb)
        with pytest.raises(InputError) as info:
            await load_job(sb, tmp_path, "move-stage", mover(
                DealSource(manifest=manifest, key_column="ext"),
                MoveTarget("Proposal Maid", pipeline="Sails")), job_id="bad")
        said = str(info.value)
        for part in ("no pipeline named 'Sails'", "no stage named 'Proposal Maid'",
                     "no column 'ext' in the manifest"):
            assert part in said, said
        calls = delta(before, requests(sb))
        assert "getDeals" not in calls and "updateDeal" not in calls


@pytest.mark.anyio
async def test_limit_refuses_a_selection_larger_than_expected(tmp_path: Path) -> None:
    """--limit 10 with 100+ matching deals: refused after the first page, nothing sent."""
    async with serve(SandboxConfig(time_scale=0.02, deals=300, seed=14)) as sb:
        source = DealSource(query=DealQuery(pipeline="Sales"), limit=10)
        before = requests(sb)
        with pytest.raises(InputError, match="more than 10 deals"):
            await load_job(sb, tmp_path, "move-stage",
                           mover(source, MoveTarget("Qualified")))
        assert "updateDeal" not in delta(before, requests(sb))


def test_dates_become_rfc3339_instants() -> None:
    assert rfc3339("2024-03-01") == "2024-03-01T00:00:00Z"
    assert rfc3339("2024-03-01T10:00:00+02:00") == "2024-03-01T08:00:00Z"
    with pytest.raises(InputError):
        rfc3339("yesterday")


def test_cli_move_stage_asks_first_and_plan_writes_nothing(tmp_path: Path) -> None:
    """`plan move-stage` counts the matches and sends nothing; `move-stage` answered "n"
    sends nothing either and cancels the job (a resume of it is refused); with --yes the
    deals move."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=80, seed=15)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        query = ["--pipeline", "Sales", "--stage", "Contact Made", "--to-stage", "Demo Scheduled"]
        runner = CliRunner()
        before = requests(sb)
        matching = [d for d in live(sb) if d["stage_id"] == 2]
        planned = runner.invoke(app, ["plan", "move-stage", *query,
                                      *cli_args(sb, tmp_path / "jobs")], env=env)
        assert planned.exit_code == 0, planned.output
        assert f"move {len(matching)}" in planned.output
        with at_terminal():
            asked = runner.invoke(app, ["move-stage", *query,
                                        *cli_args(sb, tmp_path / "jobs")], env=env, input="n\n")
        assert asked.exit_code == 1 and "cancelled" in asked.output  # not done (x12r4 F2)
        assert "updateDeal" not in delta(before, requests(sb))
        (declined,) = list_jobs(tmp_path / "jobs")
        assert declined.status == "cancelled"
        again = runner.invoke(app, ["resume", declined.job_id, "--job-dir",
                                    str(tmp_path / "jobs")], env=env)
        assert again.exit_code == 1 and "cancelled" in again.output
        assert "Traceback" not in again.output
        assert "updateDeal" not in delta(before, requests(sb))
        eof = runner.invoke(app, ["move-stage", *query, *cli_args(sb, tmp_path / "jobs")],
                            env=env, input="y\n")  # not a terminal (a cron job): no answer
        assert eof.exit_code == 1 and "cancelled" in eof.output, eof.output  # cron: not 0
        assert "stdin is not a terminal" in eof.output  # and why (x12r7 F7)
        assert "pass --yes" in eof.output
        assert sorted(j.status for j in list_jobs(tmp_path / "jobs")) == ["cancelled"] * 2
        moved = runner.invoke(app, ["move-stage", *query, "--yes",
                                    *cli_args(sb, tmp_path / "jobs")], env=env)
        assert moved.exit_code == 0, moved.output
        assert delta(before, requests(sb))["updateDeal"] == len(matching)
        assert all(deal(sb, d["id"])["stage_id"] == 3 for d in matching)


def test_resume_re_decides_from_fresh_reads(tmp_path: Path) -> None:
    """Issue 9 §4: a loaded move-stage job resumed later re-reads its deals (100 per
    call): a deal moved in between is `unchanged` (no PATCH), a deal deleted in between
    fails with that reason (no PATCH, no 404), the rest move."""
    import anyio

    from tests.update_support import load_job

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=120, seed=21)) as sb:
        chosen = sorted(d["id"] for d in live(sb) if d["stage_id"] == 2)
        assert len(chosen) >= 5
        source = DealSource(query=DealQuery(pipeline="Sales", stage="Contact Made"))

        async def load() -> None:
            store, prep = await load_job(sb, tmp_path / "jobs", "move-stage",
                                         mover(source, MoveTarget("Demo Scheduled")),
                                         job_id="later")
            assert prep.actions["move"] == len(chosen)
            store.close()
        anyio.run(load)
        moved_meanwhile, deleted_meanwhile = chosen[0], chosen[1]
        sb.state.deals.rows[moved_meanwhile]["stage_id"] = 3
        sb.state.deals.rows[deleted_meanwhile]["is_deleted"] = True
        before = requests(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        res = CliRunner().invoke(app, ["resume", "later", "--job-dir", str(tmp_path / "jobs")],
                                 env=env)
        assert res.exit_code == 3, res.output  # the deleted deal's row failed
        assert "1 already as wanted (unchanged), 1 gone" in res.output, res.output
        calls = delta(before, requests(sb))
        assert calls["updateDeal"] == len(chosen) - 2, calls
        # the re-read and the re-check right before the batch is sent, 100 ids per call
        assert calls["getDeals"] == 2 * (1 + (len(chosen) - 1) // 100)
        assert all(deal(sb, i)["stage_id"] == 3 for i in chosen if i != deleted_meanwhile)
        from bulk.store import JobStore
        with JobStore.open(tmp_path / "jobs" / "later", lock=False) as store:
            (failed,) = list(store.items(ItemState.FAILED))
            assert failed.payload["deal_id"] == deleted_meanwhile
            assert "no longer exists" in (failed.error or "")
            skipped = [i for i in store.items(ItemState.SKIPPED)
                       if (i.result or {}).get("action") == "unchanged"]
            assert [i.payload["deal_id"] for i in skipped] == [moved_meanwhile]
        succeeded = (tmp_path / "jobs" / "later" / "succeeded.csv").read_text()
        assert "unchanged" in succeeded


@pytest.mark.anyio
async def test_the_run_reads_the_jobs_selection_and_key_field_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x28r1 2: each pending deal's re-check read the selection and the key field's code
    from the job store again, on the event loop (611 SQLite queries for 96 deals). They
    are read once a run now: the meta reads of a run do not grow with its deals."""
    from bulk.store import JobStore

    counted: dict[str, int] = {}
    real = JobStore.meta_get

    def meta_get(self: JobStore, name: str, *args: Any, **kw: Any) -> Any:
        counted[name] = counted.get(name, 0) + 1
        return real(self, name, *args, **kw)

    async with serve(SandboxConfig(time_scale=0.02, deals=400, seed=11)) as sb:
        source = DealSource(query=DealQuery(pipeline="Sales", stage="Qualified", status="open"))
        store, prep = await load_job(sb, tmp_path, "move-stage",
                                     mover(source, MoveTarget("Proposal Made")))
        moved = prep.actions["move"]
        assert moved > 20
        monkeypatch.setattr(JobStore, "meta_get", meta_get)
        result = await run_job(sb, store)
        store.close()
    assert result.counts[ItemState.DONE] == moved
    assert counted.get("selection", 0) <= 2 and counted.get("key_field_code", 0) <= 2, counted
