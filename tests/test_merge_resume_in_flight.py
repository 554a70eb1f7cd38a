"""A resume settles the merges left in flight before it judges the pending merges into the
same survivor: the survivor's time moved by this job's own unanswered merge is not a
colleague's change (x43r3 F1: kill -9 with 1822→1821 sent and applied, no answer; the
resume's re-read failed 1823→1821 "survivor changed since the plan", then found 1822
merged — a group left half-merged, exit 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import ItemState, JobStore
from jobs.merging import MergeJob, prepare_merge, read_pairs
from tests.import_support import api_context
from tests.update_support import deal, load_job, run_job

MERGED_AT = "2030-06-01T10:00:00Z"  # the survivor's time after the in-flight merge
CHANGED = "2031-01-01T00:00:00Z"  # a colleague's write, later still

FILES = {"group row": "survivor_id,merge_ids\n10,11;12\n",
         "survivor on several rows": "merge_id,survivor_id\n11,10\n12,10\n"}


def merger(path: Path) -> Any:
    async def build(s: Any) -> Any:
        return await prepare_merge(s.ctx, read_pairs(path))
    return build


def by_away(store: JobStore) -> dict[int, Any]:
    return {i.payload["merge_id"]: i for i in store.items()}


async def _resume(sb: Any, tmp_path: Path, store: JobStore) -> list[str]:
    """``pdbulk resume``'s order: the re-read (``before_resume``), then the run, whose
    reconcile settles the merges in doubt before any batch is re-checked and sent."""
    kind = MergeJob.from_store(store)
    async with api_context(sb, tmp_path / "resume") as ctx:
        lines = await kind.before_resume(ctx, store)
    result = await run_job(sb, store, kind=kind)
    assert not result.stopped, result.error
    return lines


@pytest.mark.anyio
@pytest.mark.parametrize("shape", list(FILES))
async def test_an_applied_unanswered_merge_does_not_fail_the_next_into_its_survivor(
        tmp_path: Path, shape: str) -> None:
    """11→10 was sent and applied (the answer lost in the kill), 12→10 still pending. Before:
    the re-read failed 12→10 as changed by 11→10's own write. Now the re-read leaves 10's
    time to the reconcile, which finds 11→10 merged; 12→10 is sent: the group ends whole."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        path = tmp_path / "merges.csv"
        path.write_text(FILES[shape])
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        first = by_away(store)[11]
        store.mark_sending([first.id], 0.0)  # the kill, its answer never recorded
        merge(sb.state, "deal", 11, {"merge_with_id": 10})  # ... the server applied it
        sb.state.save("deal", {**deal(sb, 10), "update_time": MERGED_AT})
        lines = await _resume(sb, tmp_path, store)
        states = {k: (i.state, i.error) for k, i in by_away(store).items()}
        assert states == {11: (ItemState.DONE, None), 12: (ItemState.DONE, None)}, (
            states, lines)
        assert deal(sb, 11)["is_deleted"] and deal(sb, 12)["is_deleted"]
        store.close()


@pytest.mark.anyio
async def test_a_colleague_change_after_an_unapplied_in_flight_merge_is_still_seen(
        tmp_path: Path) -> None:
    """The in-flight 11→10 never reached the server and a colleague edited 10: the survivor
    is judged once the reconcile read 11→10 back, and both merges are left alone."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        path = tmp_path / "merges.csv"
        path.write_text(FILES["group row"])
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        store.mark_sending([by_away(store)[11].id], 0.0)
        sb.state.save("deal", {**deal(sb, 10), "title": "colleague's",
                               "update_time": CHANGED})
        await _resume(sb, tmp_path, store)
        for away, item in by_away(store).items():
            assert item.state is ItemState.FAILED, (away, item)
            assert "survivor deal 10 changed" in (item.error or ""), item.error
        assert not deal(sb, 11)["is_deleted"] and not deal(sb, 12)["is_deleted"]
        store.close()


def test_a_changed_pair_s_reason_says_both_times_in_one_format() -> None:
    """x43r3 F8: failed.csv said ``2026-12-06 07:12:54 then`` (v1's merge answer) beside
    ``2026-12-06T07:13:02Z now`` (a v2 read): both are RFC 3339 now."""
    from bulk.store import Item
    from jobs.merging import _changed, as_rfc3339

    item = Item(id=1, row=2, key="k", op="merge", payload={"merge_id": 11, "survivor_id": 10},
                state=ItemState.PENDING, attempts=0, result=None, error=None, status=None,
                sent_at=None)
    why = _changed(item, {10: {"id": 10, "update_time": "2026-12-06T07:13:02Z"}},
                   {10: "2026-12-06 07:12:54"})
    assert why is not None and "2026-12-06T07:12:54Z then, 2026-12-06T07:13:02Z now" in why, why
    assert as_rfc3339("2026-12-06 07:12:54") == "2026-12-06T07:12:54Z"
    assert as_rfc3339(None) is None and as_rfc3339("soon") == "soon"
