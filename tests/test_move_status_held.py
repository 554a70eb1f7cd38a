"""move-stage holds every field of its target against a colleague's change, not only those it
writes: a deal already at ``--status-to`` (and its lost reason) when planned is not moved
once someone changed its status since (x43r3 F2: at the prompt a colleague set 1551 won and
1552 lost "Price"; both were reported ``moved`` and stayed won / lost in the new stage)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from jobs.stages import DealSource, MoveStageJob, MoveTarget, move_catalog, prepare_move
from tests.import_support import api_context
from tests.update_support import deal, load_job, run_job

LATER = "2031-01-01T00:00:00Z"  # a colleague's write, after any plan


def colleague(sb: Sandbox, deal_id: int, **fields: Any) -> None:
    sb.state.save("deal", {**deal(sb, deal_id), **fields, "update_time": LATER})


async def _moved(sb: Sandbox, tmp_path: Path, ids: list[int], target: MoveTarget
                 ) -> JobStore:
    manifest = tmp_path / "ms.csv"
    manifest.write_text("deal_id\n" + "".join(f"{i}\n" for i in ids))
    source = DealSource(manifest=manifest)

    async def build(s: Any) -> Any:
        return await prepare_move(s.ctx, source, target, await move_catalog(s.ctx, source))
    store, prep = await load_job(sb, tmp_path / "jobs", "move-stage", build, job_id="mv")
    assert prep.actions["move"] == len(ids), prep.actions
    return store


def _closed(sb: Sandbox, deal_id: int, status: str, reason: str | None = None) -> None:
    sb.state.save("deal", {**deal(sb, deal_id), "status": status, "lost_reason": reason,
                           "stage_id": 1, "pipeline_id": 1})


@pytest.mark.anyio
async def test_a_status_change_at_the_prompt_is_a_conflict_when_the_target_holds_it(
        tmp_path: Path) -> None:
    """Three open deals, ``--status-to open``: at the prompt a colleague sets one won and
    one lost ("Price"), and moves a fourth to the target stage and sets it won (it used to
    be skipped "unchanged"). Their rows fail "conflict ... status: 'open' then, 'won' now",
    the deals stay where the colleague left them; the third is moved."""
    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=5)) as sb:
        ids = [2, 3, 4, 6]
        for i in ids:
            _closed(sb, i, "open")
        store = await _moved(sb, tmp_path, ids, MoveTarget("Contact Made", pipeline="Sales", status="open"))
        colleague(sb, 2, status="won")
        colleague(sb, 3, status="lost", lost_reason="Price")
        colleague(sb, 6, status="won", stage_id=2)  # the target stage, Sales' Contact Made
        kind = MoveStageJob.from_store(store)
        async with api_context(sb, tmp_path) as ctx:
            lines = await kind.before_resume(ctx, store)
        await run_job(sb, store, kind=kind)
        states = {int(i.payload["deal_id"]): (i.state, i.error or "") for i in store.items()}
        assert states[4][0] is ItemState.DONE, states
        for i, now in ((2, "won"), (3, "lost")):
            assert states[i][0] is ItemState.FAILED, (states, lines)
            assert "conflict" in states[i][1] and f"status: 'open' then, '{now}' now" in states[i][1], states
            assert deal(sb, i)["stage_id"] == 1 and deal(sb, i)["status"] == now
        assert states[6][0] is ItemState.FAILED and "'won' now" in states[6][1], states
        store.close()


@pytest.mark.anyio
async def test_a_lost_reason_change_during_the_run_is_a_conflict_for_status_to_lost(
        tmp_path: Path) -> None:
    """``--status-to lost --lost-reason Price`` on a deal lost for "Price" already: a
    colleague reopens it before its batch's re-check. Not moved (it used to be moved and
    reported ``moved`` while open)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=5)) as sb:
        _closed(sb, 5, "lost", "Price")
        store = await _moved(sb, tmp_path, [5], MoveTarget("Contact Made", pipeline="Sales", status="lost",
                                                           lost_reason="Price"))
        colleague(sb, 5, status="open", lost_reason=None)
        await run_job(sb, store)  # the run's re-check of the batch
        item = next(iter(store.items()))
        assert item.state is ItemState.FAILED and "conflict" in (item.error or ""), item
        assert deal(sb, 5)["stage_id"] == 1 and deal(sb, 5)["status"] == "open"
        store.close()
