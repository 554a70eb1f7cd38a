"""Undo of a dedupe job puts back every field-policy PATCH the job sent or may have sent —
also one whose group's merge then failed or never went (issue 11, v11r6 severe 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.merge_job import POLICY_RECORD
from jobs.undo import prepare_undo
from tests.dedupe_job_support import load_apply, plan, seed_account
from tests.update_support import deal as sb_deal
from tests.update_support import load_job, run_job

MAX_VALUE = DedupeConfig.from_mapping({"field_policy": {"value": "max"}})
PATCHED = "2026-12-01T10:00:00Z"  # the update_time the job's PATCH left on the survivor
EDITED = "2026-12-01T10:05:00Z"  # a colleague's edit after the kill


async def _web_group_loaded(sb: Any, tmp_path: Path) -> tuple[Any, Any, list[Any]]:
    """The seeded account planned with the max-value policy and its apply loaded, nothing
    sent: the "web" group, the apply's store and its pending items."""
    ids = seed_account(sb)["ids"]
    out = await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)
    web = next(g for g in out.result.groups if ids["web"] in g.member_ids)
    store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
    return web, store, list(store.pending(10))


@pytest.mark.anyio
@pytest.mark.parametrize(("recorded", "edit", "expect"), [
    (True, "title", "restored"),  # PATCH answered and recorded; merge left alone on resume
    (False, "title", "restored"),  # killed before the PATCH's answer was recorded: in doubt
    (True, "value", "conflict"),  # the colleague changed the field the PATCH set
    (False, "away", "unchanged"),  # in doubt and never applied: nothing to put back
])
async def test_a_patch_whose_merge_failed_is_undone_or_a_conflict(
        tmp_path: Path, recorded: bool, edit: str | None, expect: str) -> None:
    """A kill after a survivor's policy PATCH applied but before its merge; a colleague edits
    the survivor; resume leaves that merge alone (skipped), and puts the PATCH's value,
    taken from that unmerged copy, back (DedupeJob.settled); undo then has nothing left to
    restore (or reports a conflict when the edit touched that field: no put-back then)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=41)) as sb:
        web, store, items = await _web_group_loaded(sb, tmp_path)
        first = next(i for i in items if i.payload.get("patch"))
        assert first.payload["survivor_id"] == web.survivor_id
        assert first.payload["patch"] == {"value": 1000.01}
        store.mark_sending([i.id for i in items], 0.0)  # the kill -9
        if edit != "away":  # the PATCH reached Pipedrive
            sb.state.save("deal", {**sb_deal(sb, web.survivor_id), "value": 1000.01,
                                   "update_time": PATCHED})
        if recorded:
            store.meta_put(f"{POLICY_RECORD}{web.survivor_id}",
                           {"item": first.id, "update_time": PATCHED})
        changes: dict[str, Any] = {"title": "Website redesign (Q1)"} if edit == "title" \
            else {"value": 9999} if edit == "value" else {"title": "ACME web (old)"}
        edited = web.merged_ids[0] if edit == "away" else web.survivor_id
        sb.state.save("deal", {**sb_deal(sb, edited), **changes, "update_time": EDITED})
        await run_job(sb, store)  # the resume: that merge is left alone
        left = next(i for i in store.items() if i.id == first.id)
        assert left.state is ItemState.SKIPPED  # as an apply skips a changed group (v11r8)
        assert "changed since" in str((left.result or {}).get("reason"))
        assert not sb_deal(sb, web.merged_ids[0])["is_deleted"]

        async def build(s: Any) -> Any:
            return await prepare_undo(s.ctx, store)
        undo, prep = await load_job(sb, tmp_path / "jobs", "undo", build, job_id="undo-1")
        # x30r1 L5: where the snapshots are, in the words undo of a merge job uses
        snaps = f"the full snapshot of both deals of every merge is in {store.directory}"
        assert any(f"{snaps}/merge-snapshots.jsonl" in n for n in prep.notes), prep.notes
        if expect == "restored":
            # the run's put-back restored the value already (its copy stays unmerged)
            assert sb_deal(sb, web.survivor_id)["value"] == 1000
            assert prep.actions["unchanged"] == 1 and not prep.actions["restore"], prep.actions
            await run_job(sb, undo)
            assert sb_deal(sb, web.survivor_id)["value"] == 1000
            assert sb_deal(sb, web.survivor_id)["title"] == "Website redesign (Q1)"
        elif expect == "conflict":
            assert prep.actions["conflict"] == 1 and not prep.actions["restore"], prep.actions
            said = str(next(undo.items(ItemState.FAILED)).error)
            assert "(value: job's " in said and ", now " in said, said
        else:
            assert prep.actions["unchanged"] == 1 and not prep.actions["restore"], prep.actions
        undo.close()
        store.close()


@pytest.mark.anyio
async def test_undo_force_never_restores_a_patch_in_doubt_the_deal_does_not_show(
        tmp_path: Path) -> None:
    """v9r17 S1: a dedupe apply killed with a group handed out but its PATCH never sent; a
    colleague set the survivor's value to 99999; the resume left the group alone. `undo
    --force` then "restored" the plan-time value over the colleague's 99999, on a deal the
    job never wrote. A PATCH in doubt whose values the deal does not hold is nothing of
    this job's: left alone, even with --force."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=41)) as sb:
        web, store, items = await _web_group_loaded(sb, tmp_path)
        store.mark_sending([i.id for i in items], 0.0)  # the kill -9, nothing sent
        sb.state.save("deal", {**sb_deal(sb, web.survivor_id), "value": 99999,
                               "update_time": EDITED})  # the colleague
        await run_job(sb, store)  # the resume: that group is left alone

        async def build(s: Any) -> Any:
            return await prepare_undo(s.ctx, store, force=True)
        undo, prep = await load_job(sb, tmp_path / "jobs", "undo", build, job_id="undo-1")
        assert not prep.actions["restore"], prep.actions
        await run_job(sb, undo)
        assert sb_deal(sb, web.survivor_id)["value"] == 99999  # before: 1000
        undo.close()
        store.close()
