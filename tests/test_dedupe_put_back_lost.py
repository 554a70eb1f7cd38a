"""f32j 4: a dedupe put-back PATCH (``jobs.dedupe.put_back``) whose answer is lost: the run
stops (in doubt), the resume reads the survivor, finds the put-back's value there and
sends nothing — but kept neither the put-back's fields nor its ``update_time`` as this
job's write, so undo took the put-back for a colleague's edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Faults, SandboxConfig, serve
from bulk.store import ItemState
from jobs.dedupe.merge_job import DedupeJob
from jobs.dedupe.put_back import PUT_BACK
from jobs.undo import prepare_undo
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.test_dedupe_during_apply import MAX_VALUE
from tests.update_support import deal as sb_deal
from tests.update_support import delta, load_job, requests, run_job


@pytest.mark.anyio
async def test_a_put_back_whose_answer_was_lost_is_this_jobs_write(tmp_path: Path) -> None:
    """Four copies, value = "max": the survivor is PATCHed to the top copy's 1000.01, a
    colleague then edits that copy (its merge skipped), the put-back PATCH applies but
    its answer is lost: the run stops. The resume sends no second put-back and records it
    (its fields, the survivor's update_time); undo then restores the survivor's value
    from before the job, no conflict."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=5)) as sb:
        sb.state.save("deal", {**sb_deal(sb, 1), "is_deleted": True})
        acme = org(sb, "Acme Corp")
        # a cent apart at most (more is two amounts, review: x45r2 F1); the put-back's
        # value, the best of the others, is a copy's, not the survivor's own
        values_in = (1000, 1000.005, 1000.005, 1000.01)
        members = [deal(sb, "Website redesign", acme, value=values_in[n],
                        add=f"2026-11-01T10:{n:02d}:00Z") for n in range(4)]
        (group,) = (await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)).result.groups
        values = {i: sb_deal(sb, i)["value"] for i in members}
        top = max(members, key=values.__getitem__)
        assert top in group.merged_ids[1:], group  # not the first merge (it has the PATCH)
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        kind = DedupeJob.from_store(store)
        merge = kind._merge

        async def then_a_colleague(ctx: Any, item: Any) -> Any:
            outcome = await merge(ctx, item)
            if item.payload.get("patch"):  # the PATCH applied and the first merge with it
                sb.state.save("deal", {**sb_deal(sb, top), "title": "Website redesign 2",
                                       "update_time": sb.state.now_iso()})
                # from now on every PATCH answer is lost: the put-back's
                sb.set_faults(Faults(lost_response_rate=1.0,
                                     only_operations=frozenset({"updateDeal"})))
            return outcome
        kind._merge = then_a_colleague  # type: ignore[method-assign]
        first = await run_job(sb, store, kind=kind)
        assert first.stopped, first
        best = max(v for i, v in values.items() if i != top)
        assert sb_deal(sb, group.survivor_id)["value"] == best  # the put-back applied
        assert store.meta_get(f"{PUT_BACK}{group.survivor_id}") is None
        sb.set_faults(Faults())
        before = requests(sb)
        resumed = await run_job(sb, store)
        sent = delta(before, requests(sb))
        assert not resumed.stopped, resumed
        assert sent.get("updateDeal", 0) == 0, sent  # not sent a second time
        record = store.meta_get(f"{PUT_BACK}{group.survivor_id}")
        assert isinstance(record, dict), record
        assert record["body"] == {"value": best}, record
        assert record["update_time"] == sb_deal(sb, group.survivor_id)["update_time"], record

        async def undo_build(s: Any) -> Any:
            return await prepare_undo(s.ctx, store)
        undo, prep = await load_job(sb, tmp_path / "jobs", "undo", undo_build, job_id="u")
        assert not prep.actions["conflict"], (prep.actions, list(undo.items(ItemState.FAILED)))
        await run_job(sb, undo)
        undo.close()
        after_undo = sb_deal(sb, group.survivor_id)["value"]
        store.close()
    # no conflict; the put-back's value came from a deal merged away, so undo leaves it
    # (x34r2 F5: put back, it would be in no live deal)
    assert prep.actions["kept merged value"] == 1, prep.actions
    assert after_undo == best
