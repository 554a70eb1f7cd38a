"""Undo of a dedupe apply and a colleague's later status (f34e 3): a dedupe field policy
never writes a status (``config``: ``status`` is refused as a policy field), so its PATCH
has no status group to record (``jobs.deals.status_left``, which update and move-stage
store since f33m); its undo puts back only the PATCH's own fields, and a colleague's later
won status, won_time and close_time on the survivor stay as the colleague left them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.deals import STATUS_LEFT
from jobs.dedupe.config import DedupeConfig, DedupeConfigError
from jobs.undo import prepare_undo
from tests.dedupe_job_support import load_apply, plan, seed_account
from tests.test_undo_colleague_http import _colleague
from tests.update_support import deal as sb_deal
from tests.update_support import load_job, run_job

MAX_VALUE = DedupeConfig.from_mapping({"field_policy": {"value": "max"}})
GROUP = ("status", "won_time", "lost_time", "close_time", "lost_reason")


def test_a_policy_cannot_write_a_status() -> None:
    """``status`` (and the times and reason of its group) is no field a policy sets."""
    for name in GROUP:
        with pytest.raises(DedupeConfigError, match="not a field a policy can set"):
            DedupeConfig.from_mapping({"field_policy": {name: "max"}})


@pytest.mark.anyio
async def test_undo_of_a_dedupe_apply_keeps_a_colleagues_later_won_time(tmp_path: Path) -> None:
    """Apply with a max-value policy (survivor PATCHed to 1000.01, then the merge), then a
    colleague sets the survivor won with a won_time of their own over HTTP: the undo puts
    the value back to 1000 and leaves the status group exactly as the colleague left it."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=41)) as sb:
        ids = seed_account(sb)["ids"]
        out = await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)
        web = next(g for g in out.result.groups if ids["web"] in g.member_ids)
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        patches = [i.payload["patch"] for i in store.items() if i.payload.get("patch")]
        assert patches and not any(set(p) & set(GROUP) for p in patches), patches
        await run_job(sb, store)
        assert sb_deal(sb, web.survivor_id)["value"] == 1000.01
        assert not any(STATUS_LEFT in (i.result or {}) for i in store.items())
        async with aiohttp.ClientSession() as session:
            await _colleague(sb, session, web.survivor_id,
                             {"status": "won", "won_time": "2026-12-02T09:00:00Z"})
        theirs = {k: sb_deal(sb, web.survivor_id)[k] for k in GROUP}
        assert theirs["status"] == "won" and theirs["won_time"]

        async def build(s: Any) -> Any:
            return await prepare_undo(s.ctx, store)
        undo, prep = await load_job(sb, tmp_path / "jobs", "undo", build, job_id="undo-1")
        await run_job(sb, undo)
        after = sb_deal(sb, web.survivor_id)
        assert {k: after[k] for k in GROUP} == theirs, prep.actions
        # the 1000.01 came from the copy merged away: left (x34r2 F5: a won deal's 8,800 went
        # back to 0, that value then in no live deal)
        assert prep.actions["kept merged value"] == 1 and after["value"] == 1000.01, prep.actions
        undo.close()
        store.close()
