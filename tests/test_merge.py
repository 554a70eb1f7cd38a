"""Merges: validated as a whole before any call, snapshots kept, in-doubt merges never doubled."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bulk.sandbox import Faults, Sandbox, SandboxConfig, serve
from bulk.store import ItemState
from jobs.merging import PairRow, Rejected, merge_items, plan_merges, prepare_merge, read_pairs
from pdbulk.cli import app
from tests.import_support import api_context, read_csv
from tests.update_support import (
    cli_args,
    deal,
    delta,
    load_job,
    requests,
    run_job,
    threaded_sandbox,
)


def pairs(*edges: tuple[int, int]) -> list[PairRow]:
    return [PairRow(n, a, b) for n, (a, b) in enumerate(edges, start=1)]


def test_validation_self_duplicates_chains_cycles_and_deleted() -> None:
    """Every row gets a verdict: chains rewritten to the final survivor (nearest sent first),
    self-merges, cycles, a deal merged into two survivors, deleted and missing deals refused."""
    live = {i: {"id": i} for i in range(1, 30)}
    plan = plan_merges(pairs((1, 2), (2, 3), (4, 4), (5, 6), (6, 5), (7, 5), (8, 99), (9, 10),
                             (9, 10), (9, 11), (12, 40)), live, deleted=[99])
    # x46r3 F2: deal 9 into 10 (rows 8, 9) and into 11 (row 10) is ambiguous: none merged
    assert [(m.merge_id, m.survivor_id, m.depth) for m in plan.merges] == [
        (2, 3, 1), (1, 3, 2)]
    assert plan.merges[1].asked_survivor_id == 2
    reasons = {r.row: r.reason for r in plan.rejected}
    assert "itself" in reasons[3]
    assert reasons[4].startswith("cycle: 5 → 6 → 5") and reasons[5].startswith("cycle")
    assert reasons[6].startswith("leads into the cycle")
    assert reasons[7] == "deal 99 is deleted"
    assert plan.duplicates == []
    assert "two survivors: 10 here, 11 by row 10" in reasons[8], reasons[8]
    assert "two survivors: 10 here, 11 by row 10" in reasons[9], reasons[9]
    # x34r2 F9: not "already": nothing is sent at plan time
    assert "two survivors: 11 here, 10 by row 8" in reasons[10], reasons[10]
    assert "already" not in reasons[10], reasons[10]
    assert "does not exist" in reasons[11]
    merged_away = {m.merge_id for m in plan.merges}
    assert not merged_away & {m.survivor_id for m in plan.merges}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12)), max_size=30))
def test_a_plan_never_merges_a_survivor_away(edges: list[tuple[int, int]]) -> None:
    """Whatever the pairs: no deal is both survivor and merged away, none merged twice, and
    every row is planned, rejected or a duplicate of a planned or rejected row."""
    plan = plan_merges(pairs(*edges), {i: {"id": i} for i in range(1, 13)})
    away = [m.merge_id for m in plan.merges]
    assert len(away) == len(set(away))
    assert not set(away) & {m.survivor_id for m in plan.merges}
    assert all(m.merge_id != m.survivor_id for m in plan.merges)
    assert len(plan.merges) + len(plan.rejected) + len(plan.duplicates) == len(edges)


def test_group_manifest_is_read_as_pairs(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("survivor_id,merge_ids\n10,11;12\n20,x\n")
    rows = list(read_pairs(path))
    assert rows[:2] == [PairRow(2, 11, 10), PairRow(2, 12, 10)]  # line 2
    assert "not a deal id" in rows[2].reason  # type: ignore[union-attr]


def test_a_failed_pair_is_keyed_as_the_file_gives_it(tmp_path: Path) -> None:
    """A row whose ids do not parse keeps its row number and the pair as written as its
    failed.csv key (x19r1 F9: ``?->?``), pairs and group rows alike."""
    path = tmp_path / "pairs.csv"
    path.write_text("merge_id,survivor_id\nabc,14\n0,16\n17,\n12,13\n")
    got = [(r.row, r.key) for r in read_pairs(path) if isinstance(r, Rejected)]
    assert got == [(2, "abc->14"), (3, "0->16"), (4, "17->(empty)")]
    path.write_text("survivor_id,merge_ids\n23,21;x;22\n24,\nnope,30\n")
    rejected = [r for r in read_pairs(path) if isinstance(r, Rejected)]
    assert [(r.row, r.key) for r in rejected] == [
        (2, "21;x;22->23"), (3, "(empty)->24"), (4, "30->nope")]
    items = list(merge_items(plan_merges([], {}), rejected))
    assert [(i.row, i.key) for i in items] == [(2, "21;x;22->23"), (3, "(empty)->24"),
                                                (4, "30->nope")]


def merger(path: Path) -> Any:
    async def build(s: Any) -> Any:
        return await prepare_merge(s.ctx, read_pairs(path))
    return build


def lead_code(sb: Sandbox) -> str:
    return str(next(f["field_code"] for f in sb.state.custom_fields()
                    if f["field_name"] == "Lead source"))


@pytest.mark.anyio
async def test_merge_semantics_and_snapshots(tmp_path: Path) -> None:
    """A group and a chain: merged-away deals are deleted, the survivor keeps its values and
    fills its empty ones, both deals of every merge are snapshotted, nothing else is read."""
    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=21)) as sb:
        lead = lead_code(sb)
        survivor = {**deal(sb, 1), "expected_close_date": None,
                    "custom_fields": {k: v for k, v in deal(sb, 1)["custom_fields"].items()
                                      if k != lead}}
        sb.state.save("deal", survivor)
        sb.state.save("deal", {**deal(sb, 2), "expected_close_date": "2030-01-31"})
        sb.state.save("deal", {**deal(sb, 4), "is_deleted": True})
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n3,2\n5,5\n6,4\n")  # 3→2→1: rewritten to 3→1
        before = requests(sb)
        store, prep = await load_job(sb, tmp_path, "merge", merger(path))
        assert prep.actions == {"merge": 2, "failed": 2}
        # the pairs' deals; the deleted; the fields' names, for the plan's note of a custom
        # value a merge drops (x12r1 F2)
        assert delta(before, requests(sb)) == {"getDeals": 2, "getDealFields": 1}
        result = await run_job(sb, store)
        assert result.counts[ItemState.DONE] == 2
        assert delta(before, requests(sb))["mergeDeals"] == 2
        assert deal(sb, 2)["is_deleted"] and deal(sb, 3)["is_deleted"]
        kept = deal(sb, 1)
        assert not kept["is_deleted"] and kept["title"] == survivor["title"]
        assert kept["expected_close_date"] == "2030-01-31"  # filled from the merged-away deal
        images = {b.entity_id: b.before for b in store.before_images("deal")}
        assert set(images) == {1, 2, 3}
        assert images[2]["expected_close_date"] == "2030-01-31" and images[1]["title"]
        failed = {r["key"]: r["reason"] for r in read_csv(store.directory / "failed.csv")}
        assert "itself" in failed["5->5"] and "deleted" in failed["6->4"]
        store.close()


@pytest.mark.anyio
async def test_lost_responses_are_reconciled_never_merged_twice(tmp_path: Path) -> None:
    """Half the merge responses are lost after the merge was applied: each in-doubt merge is
    settled by reading the merged-away deal; no merge is sent twice, no 400 storm."""
    async with serve(SandboxConfig(time_scale=0.02, deals=80, seed=22)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n" + "".join(
            f"{2 * i},{2 * i + 1}\n" for i in range(1, 31)))
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        sb.set_faults(Faults(lost_response_rate=0.5, only_operations=frozenset({"mergeDeals"})))
        before, refused = requests(sb), sb.stats()["rate_limited"]
        result = await run_job(sb, store)
        stats = sb.stats()
        assert stats["faults_injected"].get("lost_response", 0) > 5
        assert result.counts[ItemState.DONE] == 30 and result.stats.in_doubt > 5
        # one send per merge, but the 429s a loaded machine may draw (refused: not sends)
        assert delta(before, requests(sb))["mergeDeals"] - (
            stats["rate_limited"] - refused) <= 30
        assert stats["writes_applied"]["mergeDeals"] == 30
        assert all(deal(sb, 2 * i)["is_deleted"] for i in range(1, 31))
        reconciled = [i for i in store.items(ItemState.DONE) if (i.result or {}).get("reconciled")]
        assert len(reconciled) == result.stats.in_doubt
        store.close()


@pytest.mark.anyio
async def test_crash_after_sending_is_reconciled_on_resume(tmp_path: Path) -> None:
    """A crash left merges SENDING: the one Pipedrive applied is found done, the one it never
    got is sent once; neither is sent twice."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=23)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n4,3\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        ids = [i.id for i in store.pending(10)]
        store.mark_sending(ids, 0.0)  # the crash: both were handed out ...
        from bulk.sandbox.merge import merge
        merge(sb.state, "deal", 2, {"merge_with_id": 1})  # ... and only 2→1 reached Pipedrive
        before = requests(sb)
        result = await run_job(sb, store)
        assert result.counts[ItemState.DONE] == 2
        assert delta(before, requests(sb))["mergeDeals"] == 1
        assert deal(sb, 4)["is_deleted"] and not deal(sb, 3)["is_deleted"]
        store.close()


@pytest.mark.anyio
async def test_in_flight_merges_whose_deals_someone_deleted_or_archived_are_left_alone(
        tmp_path: Path) -> None:
    """v9r8 severe: kill -9 with merges in flight, then a colleague deletes or archives a
    deal of some pairs. The resume merged into a survivor archived since, and reported
    `merged` a pair whose merged-away deal the colleague had deleted or archived (no merge
    sent; the survivor untouched). Now: the merge that reached Pipedrive is done; the
    others fail with their reason and nothing is sent for them; the untouched pair is
    sent once."""
    import time

    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=23)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n4,3\n6,5\n8,7\n10,9\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        ids = [i.id for i in store.pending(10)]
        store.mark_sending(ids, time.time() + 5)  # handed out a while after the plan ...
        from bulk.sandbox.merge import merge
        merge(sb.state, "deal", 2, {"merge_with_id": 1})  # ... 2→1 reached Pipedrive
        rows = sb.state.deals.rows
        sb.state.save("deal", {**rows[4], "is_deleted": True})  # the colleague, meanwhile
        sb.state.save("deal", {**rows[5], "is_archived": True})
        sb.state.save("deal", {**rows[8], "is_archived": True})
        before = requests(sb)
        result = await run_job(sb, store)
        assert delta(before, requests(sb)).get("mergeDeals") == 1  # 10→9 only
        by_pair = {(i.payload["merge_id"], i.payload["survivor_id"]): i for i in store.items()}
        assert by_pair[(2, 1)].state is ItemState.DONE
        assert by_pair[(10, 9)].state is ItemState.DONE and deal(sb, 10)["is_deleted"]
        for pair, why in (((4, 3), "shows no merge"), ((6, 5), "survivor deal 5 was"),
                          ((8, 7), "merged-away deal 8 was archived")):
            item = by_pair[pair]
            assert item.state is ItemState.FAILED and why in (item.error or ""), item
        assert not deal(sb, 6)["is_deleted"] and not deal(sb, 8)["is_deleted"]
        assert result.counts[ItemState.FAILED] == 3
        store.close()


def test_cli_merge_and_undo_refusal(tmp_path: Path) -> None:
    """`pdbulk merge --yes` merges; `pdbulk undo` of it refuses and exports the snapshots."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=10, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        path = tmp_path / "pairs.jsonl"
        path.write_text('{"survivor_id": 1, "merge_ids": [2, 3]}\n')
        runner = CliRunner()
        done = runner.invoke(app, ["merge", str(path), "--yes", *cli_args(sb, tmp_path / "j")],
                             env=env)
        assert done.exit_code == 0, done.output
        assert deal(sb, 2)["is_deleted"] and deal(sb, 3)["is_deleted"]
        (job,) = (tmp_path / "j").iterdir()
        refused = runner.invoke(app, ["undo", job.name, *cli_args(sb, tmp_path / "j")], env=env)
        assert refused.exit_code == 1 and "cannot be undone" in refused.output
        lines = (job / "merge-snapshots.jsonl").read_text().splitlines()
        assert len(lines) == 3


def test_resume_re_checks_pending_merges(tmp_path: Path) -> None:
    """Issue 9 §4: a loaded merge job resumed later re-reads its deals: a pair whose deal
    was deleted in between fails with that reason (no PUT); the rest merge."""
    import anyio

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=40, seed=23)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n" + "".join(
            f"{2 * i},{2 * i + 1}\n" for i in range(1, 6)))

        async def load() -> None:
            store, _ = await load_job(sb, tmp_path / "jobs", "merge", merger(path),
                                      job_id="later")
            store.close()
        anyio.run(load)
        sb.state.deals.rows[4]["is_deleted"] = True  # merged-away deal of pair 2
        sb.state.deals.rows[7]["is_deleted"] = True  # survivor of pair 3
        before = requests(sb)
        res = CliRunner().invoke(app, ["resume", "later", "--job-dir", str(tmp_path / "jobs")],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert res.exit_code == 3, res.output
        assert "2 no longer possible, 3 to send" in res.output, res.output
        assert delta(before, requests(sb))["mergeDeals"] == 3
        failed = read_csv(tmp_path / "jobs" / "later" / "failed.csv")
        assert len(failed) == 2 and all("no longer exists" in " ".join(r.values())
                                        for r in failed)


@pytest.mark.anyio
async def test_kills_do_not_use_up_the_attempts_of_a_merge(tmp_path: Path) -> None:
    """Six runs of a merge job die with its merges handed out, none sent: each resume finds
    them not applied and gives the attempt back; the next run merges each once (it used to
    stop with "5 sends in doubt and not applied")."""
    from jobs.merging import MergeJob

    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=23)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n4,3\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        async with api_context(sb, tmp_path) as ctx:
            for _ in range(6):
                store.mark_sending([i.id for i in store.pending(10)], 0.0)
                store.record(await MergeJob().reconcile(ctx, list(store.in_doubt())))
        assert max(i.attempts for i in store.items()) <= 1
        store.mark_sending([i.id for i in store.pending(10)], 0.0)
        before = requests(sb)
        result = await run_job(sb, store)
        assert not result.stopped, result.error
        assert result.counts[ItemState.DONE] == 2
        assert delta(before, requests(sb))["mergeDeals"] == 2
        store.close()


@pytest.mark.anyio
async def test_an_applied_merge_whose_survivor_someone_merged_away_since_is_merged(
        tmp_path: Path) -> None:
    """v9r16 M3 (2 of 2): kill -9 with 2→1 in flight; it had applied; then a colleague
    merged survivor 1 into deal 11. Both deals of the pair gone: reported "not merged",
    exit 3 (and a dedupe's memory of the merge never confirmed). When they went tells:
    2 went after the send and before 1 — this job's merge. A pair whose merged-away deal
    someone deleted before the send still fails."""
    import time

    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=23)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n4,3\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        store.mark_sending([i.id for i in store.pending(10)], time.time() - 60)
        from bulk.sandbox.merge import merge
        merge(sb.state, "deal", 2, {"merge_with_id": 1})  # ours, applied before the kill
        rows = sb.state.deals.rows
        sb.state.save("deal", {**rows[4], "is_deleted": True, "status": "deleted",
                               "update_time": "2020-01-01T00:00:00Z"})  # long before
        sb.state.save("deal", {**rows[3], "is_deleted": True, "status": "deleted"})
        merge(sb.state, "deal", 1, {"merge_with_id": 11})  # the colleague, after
        before = requests(sb)
        await run_job(sb, store)
        assert delta(before, requests(sb)).get("mergeDeals", 0) == 0
        by_pair = {(i.payload["merge_id"], i.payload["survivor_id"]): i for i in store.items()}
        assert by_pair[(2, 1)].state is ItemState.DONE, by_pair[(2, 1)]  # before: FAILED
        assert by_pair[(4, 3)].state is ItemState.FAILED
        store.close()


@pytest.mark.anyio
async def test_a_lost_send_that_lands_after_its_reconcile_is_the_jobs_merge(
        tmp_path: Path) -> None:
    """Seen under load: a merge's answer lost (a read timeout), the reconcile read the
    merged-away deal still live and sent it again, and the first send landed after that
    read. The second send finds the deal gone: that is this job's merge, done — not
    "deleted since the plan", not a failure."""
    from bulk.sandbox.merge import merge
    from jobs.merging import MergeJob

    async with serve(SandboxConfig(time_scale=0.02, deals=6, seed=23)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        kind = MergeJob.from_store(store)
        (item,) = list(store.pending(10))
        kind._resent.add(item.id)  # reconciled as not applied after its answer was lost
        merge(sb.state, "deal", 2, {"merge_with_id": 1})  # ... then the first send landed
        result = await run_job(sb, store, kind=kind)
        (done,) = list(store.items())
        store.close()
    assert result.counts[ItemState.DONE] == 1, done
    assert done.result and done.result.get("reconciled"), done


@pytest.mark.anyio
async def test_the_plan_names_what_each_merge_drops(tmp_path: Path) -> None:
    """x12r1 F2: a survivor with value 0 took nothing of its merged deal's 500 EUR, and an
    open USD deal merged into a won one lost its amount, status and currency, with no word.
    The plan names each loss (a custom field by its name); a merge that loses nothing is
    not named."""
    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=21)) as sb:
        lead = lead_code(sb)
        sb.state.save("deal", {**deal(sb, 1), "value": 0, "currency": "EUR", "status": "open",
                               "custom_fields": {**deal(sb, 1)["custom_fields"], lead: None}})
        sb.state.save("deal", {**deal(sb, 2), "value": 500, "currency": "EUR", "status": "open",
                               "custom_fields": {**deal(sb, 2)["custom_fields"], lead: 1}})
        sb.state.save("deal", {**deal(sb, 3), "value": 900, "currency": "EUR", "status": "won"})
        sb.state.save("deal", {**deal(sb, 4), "value": 100, "currency": "USD", "status": "open"})
        for n in (5, 6):  # the same deal twice: nothing to lose
            sb.state.save("deal", {**deal(sb, 5), "id": n, "title": "Same"})
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n4,3\n6,5\n")
        _, prep = await load_job(sb, tmp_path, "merge", merger(path))
        drops = {n.split(":")[0]: n for n in prep.notes if "the merge drops" in n}
        assert set(drops) == {"survivor 1", "survivor 3"}, prep.notes
        assert "value 500" in drops["survivor 1"] and "External ID SEED-" in drops["survivor 1"]
        assert "status open (deal 4)" in drops["survivor 3"]
        assert "currency USD (deal 4)" in drops["survivor 3"]
        assert "value 100" in drops["survivor 3"]


def test_plan_merge_counts_rows_as_rows_and_merges_as_merges(tmp_path: Path) -> None:
    """x22r3: a pairs file of 4 rows, one a group of 2 (``1;2,3``), was "rows: 5": the
    plan says 4 rows and 5 merges (text and --json), the bad ones counted as merges."""
    import json

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=12, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        path = tmp_path / "groups.csv"
        path.write_text("survivor_id,merge_ids\n1,\"2,3\"\n4,5\n6,6\n7,99999\n")
        runner = CliRunner()
        shown = runner.invoke(app, ["plan", "merge", str(path), *cli_args(sb, tmp_path / "j")],
                              env=env)
        assert "rows: 4; merges: 5 (3 valid, 2 with errors" in shown.output, shown.output
        data = json.loads(runner.invoke(app, ["plan", "merge", str(path), "--json",
                                              *cli_args(sb, tmp_path / "j")], env=env).output)
        assert (data["rows"], data["bad_rows"]) == (4, 2), data
        assert (data["merges"], data["bad_merges"]) == (5, 2), data


def test_the_merge_run_counts_rows_as_rows_and_merges_as_merges(tmp_path: Path) -> None:
    """x42r4 L1: a 4-row groups file of 8 merges ran "rows: 8 — 6 merged; 2 failed" after
    a plan of "rows: 4; merges: 8": the run says rows and merges as the plan does (text,
    and summary.json's ``file_rows`` / ``merges``)."""
    import json

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=30, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        path = tmp_path / "groups.csv"
        path.write_text("survivor_id,merge_ids\n1,2;3\n4,5;6;99999\n7,8;9\n10,10;11\n")
        runner = CliRunner()
        shown = runner.invoke(app, ["plan", "merge", str(path), *cli_args(sb, tmp_path / "j")],
                              env=env)
        assert "rows: 4; merges: 9 (7 valid, 2 with errors" in shown.output, shown.output
        done = runner.invoke(app, ["merge", str(path), "--yes",
                                   *cli_args(sb, tmp_path / "j")], env=env)
        assert done.exit_code == 3, done.output
        assert "rows: 4; merges: 9 — 7 merged; 2 failed; 0 unprocessed" in done.output, \
            done.output
        (job,) = (tmp_path / "j").iterdir()
        data = json.loads((job / "summary.json").read_text())
        assert (data["file_rows"], data["merges"]) == (4, 9), data
