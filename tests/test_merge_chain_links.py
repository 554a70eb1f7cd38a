"""A chain A→B, B→C is sent as B→C then A→C: A→C is held, nothing sent, when B→C is not
merged (x42r4 F1) — at the re-read after the prompt or on resume, at a batch's re-check with
several workers, at the send, in the reconcile after a kill, and on retry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from jobs.merging import MergeJob, prepare_merge, read_pairs
from tests.import_support import api_context
from tests.update_support import deal, delta, load_job, requests, run_job

CHANGED = "2031-01-01T00:00:00Z"  # a colleague's write, after any plan


def merger(path: Path) -> Any:
    async def build(s: Any) -> Any:
        return await prepare_merge(s.ctx, read_pairs(path))
    return build


def edit(sb: Sandbox, deal_id: int) -> None:
    """A colleague retitles the deal, straight into the sandbox."""
    sb.state.save("deal", {**deal(sb, deal_id), "title": "colleague's",
                           "update_time": CHANGED})


def gone(sb: Sandbox, deal_id: int, how: str) -> None:
    """The deal deleted, or merged by a colleague into deal 19."""
    if how == "deleted":
        sb.state.save("deal", {**deal(sb, deal_id), "is_deleted": True})
    else:
        from bulk.sandbox.merge import merge
        merge(sb.state, "deal", deal_id, {"merge_with_id": 19})


def by_pair(store: JobStore) -> dict[tuple[int, int], Any]:
    return {(i.payload["merge_id"], i.payload["survivor_id"]): i for i in store.items()}


def held(store: JobStore, pair: tuple[int, int], link: int, into: int, why: str) -> None:
    item = by_pair(store)[pair]
    assert item.state is ItemState.FAILED, item
    error = item.error or ""
    assert f"not sent: deal {link}, its survivor in the file" in error, error
    assert f"was not merged into {into} ({why})" in error, error


@pytest.mark.anyio
@pytest.mark.parametrize("how", ["changed", "deleted", "merged elsewhere"])
async def test_a_link_refused_at_the_re_read_holds_the_rewritten_merge(
        tmp_path: Path, how: str) -> None:
    """The prompt's wait (and a resume's): B changed, deleted or merged elsewhere after the
    plan. Before: "1 changed since the plan (left alone), 1 to send" and A merged into C,
    a survivor the file never named. Now A→C is held naming B; no merge is sent."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,3\n3,4\n")
        store, prep = await load_job(sb, tmp_path, "merge", merger(path))
        assert prep.actions == {"merge": 2}
        assert ("1 chained merge(s) rewritten to their final survivor (each sent only once "
                "its survivor in the file is merged there") in " ".join(prep.notes), prep.notes
        edit(sb, 3) if how == "changed" else gone(sb, 3, how)
        before = requests(sb)
        kind = MergeJob.from_store(store)
        async with api_context(sb, tmp_path) as ctx:
            lines = await kind.before_resume(ctx, store)
        assert "1 held: a deal above it in its chain was not merged, 0 to send" in lines[0], \
            lines
        await run_job(sb, store, kind=kind)
        assert "mergeDeals" not in delta(before, requests(sb))
        assert not deal(sb, 2)["is_deleted"]
        why = "changed since the plan" if how == "changed" else \
            "deleted, archived or merged elsewhere"
        held(store, (2, 4), 3, 4, why)
        store.close()


@pytest.mark.anyio
@pytest.mark.parametrize("workers", [1, 8])
async def test_a_link_changed_while_the_job_runs_holds_the_chain_above_it(
        tmp_path: Path, workers: int) -> None:
    """No re-read before the run: the batch's re-check finds C→E changed and holds every
    merge that waits on it (A→E via B, B→E via C), with 1 and 8 workers; the direct pair
    D→E and a plain chain of another survivor (F→G→H) merge, each link before the merge
    that waits on it."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,3\n3,4\n4,6\n5,6\n7,8\n8,9\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path), max_workers=workers)
        edit(sb, 4)
        before = requests(sb)
        result = await run_job(sb, store)
        assert delta(before, requests(sb))["mergeDeals"] == 3, delta(before, requests(sb))
        assert result.counts[ItemState.DONE] == 3
        assert [d for d in range(2, 10) if deal(sb, d)["is_deleted"]] == [5, 7, 8]
        pairs = by_pair(store)
        assert pairs[(4, 6)].state is ItemState.FAILED
        held(store, (3, 6), 4, 6, "changed while the job ran")
        held(store, (2, 6), 3, 6, "held itself: the link above it was not merged")
        store.close()


@pytest.mark.anyio
async def test_a_link_refused_at_its_send_holds_the_merge_after_it(tmp_path: Path) -> None:
    """B changed between the batch's re-check and B→C's send (its own reads right before,
    under the survivor's lock): A→C, sent next under that lock, is held, not sent."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,3\n3,4\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        kind = MergeJob.from_store(store)
        pairs = by_pair(store)
        edit(sb, 3)
        before = requests(sb)
        async with api_context(sb, tmp_path) as ctx:
            link = await kind.execute(ctx, pairs[(3, 4)])
            after = await kind.execute(ctx, pairs[(2, 4)])
        assert link.state is ItemState.FAILED and "changed" in (link.error or "")
        assert after.state is ItemState.FAILED, after
        assert "deal 3, its survivor in the file" in (after.error or ""), after
        assert "mergeDeals" not in delta(before, requests(sb))
        assert not deal(sb, 2)["is_deleted"]
        store.close()


@pytest.mark.anyio
async def test_a_kill_then_a_link_changed_holds_the_chain_on_resume(tmp_path: Path) -> None:
    """kill -9 with both merges of a group-file chain handed out, none sent; a colleague
    edits the link's deal (1703 of ``1700: 1701;1702;1703`` / ``1703: 1704``). Before: 1704
    ended in 1700, 1703 left open. Now the reconcile holds 1704→1700 and the resume sends
    the two direct merges only; a retry holds it again."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        path = tmp_path / "groups.csv"
        path.write_text("survivor_id,merge_ids\n10,11;12;13\n13,14\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        pairs = by_pair(store)
        store.mark_sending([pairs[(13, 10)].id, pairs[(14, 10)].id], 0.0)  # the kill
        edit(sb, 13)
        before = requests(sb)
        kind = MergeJob.from_store(store)
        async with api_context(sb, tmp_path) as ctx:
            await kind.before_resume(ctx, store)
        result = await run_job(sb, store, kind=kind)
        assert delta(before, requests(sb))["mergeDeals"] == 2
        assert result.counts[ItemState.DONE] == 2
        assert [d for d in range(10, 15) if deal(sb, d)["is_deleted"]] == [11, 12]
        held(store, (14, 10), 13, 10, "changed since the plan")
        # `pdbulk retry`: the failed rows back to pending, re-read, held again, unsent
        store.failed_to_pending()
        kind = MergeJob.from_store(store)
        async with api_context(sb, tmp_path / "retry") as ctx:
            lines = await kind.before_resume(ctx, store)
        await run_job(sb, store, kind=kind)
        assert "1 held" in lines[0], lines
        assert delta(before, requests(sb))["mergeDeals"] == 2
        assert not deal(sb, 14)["is_deleted"]
        held(store, (14, 10), 13, 10, "changed since the plan")
        store.close()


@pytest.mark.anyio
async def test_a_resume_holds_unread_a_merge_whose_link_failed_already(tmp_path: Path) -> None:
    """The link failed in an earlier run and the merge above it is still pending: the resume
    holds it without reading its deals, and its plan counts neither the reads nor the
    merge (plan = run)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,3\n3,4\n5,6\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        from bulk.store import Outcome
        store.record([Outcome(by_pair(store)[(3, 4)].id, ItemState.FAILED,
                              error="merged-away deal 3 no longer exists (deleted)")])
        kind = MergeJob.from_store(store)
        assert kind.resume_calls(store) == {"getDeals": 1, "mergeDeals": 1, "getDeal": 2}
        before = requests(sb)
        async with api_context(sb, tmp_path) as ctx:
            lines = await kind.before_resume(ctx, store)
        await run_job(sb, store, kind=kind)
        # the re-read and the run's re-check (one list read each), the one merge sent
        assert delta(before, requests(sb)) == {"getDeals": 2, "mergeDeals": 1, "getDeal": 2}
        assert "re-read 2 pending merge(s)" in lines[0] and "1 held" in lines[0], lines
        held(store, (2, 4), 3, 4, "deleted, archived or merged elsewhere")
        store.close()
