"""A dedupe apply resumed after a kill (issue 11, fresh tester v11r4 F5 / F6): a merge that
waits on its group's first merge (the one carrying the survivor's field-policy PATCH)
ends whatever that item ends as — failed by the re-read or the reconcile, too — and
with its true reason; a stop ends every wait; a survivor changed after this job's own
PATCH (the update_time the PATCH returned, recorded with it) is a conflict, never merged
into. The state is driven deterministically: items put in flight with ``mark_sending``
(as a kill -9 after the hand-out leaves them), deals edited straight in the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.engine import Engine, EngineConfig
from bulk.errors import Stopped
from bulk.runner import RunResult
from bulk.sandbox import Faults, Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from jobs import kind_for
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.merge_job import POLICY_RECORD, DedupeJob
from tests.dedupe_job_support import deal, load_apply, plan, seed_account
from tests.update_support import deal as sb_deal
from tests.update_support import requests, run_job

MAX_VALUE = DedupeConfig.from_mapping({"field_policy": {"value": "max"}})
LATER = "2031-01-01T00:00:00Z"  # a colleague's edit: later than anything the job wrote
BOUND = 60.0  # seconds: a resume that has not ended by then hangs (the F5 symptom)


async def _triple(sb: Sandbox, tmp_path: Path) -> tuple[JobStore, dict[str, Any]]:
    """A loaded apply: group web (survivor 1000 + copies 1000.01 and 1000: the first merge
    PATCHes value 1000.01, the second needs that PATCH) and group ren (a pair, no PATCH)."""
    acc = seed_account(sb)
    deal(sb, "Website Redesign", acc["orgs"]["acme"], value=1000, add="2026-11-01T10:05:00Z")
    await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)
    store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
    items = list(store.items())
    first = next(i for i in items if i.payload.get("patch"))
    second = next(i for i in items if i.payload.get("needs_patch"))
    pair = next(i for i in items if i.payload["survivor_id"] != first.payload["survivor_id"])
    assert first.id < second.id and first.payload["patch"] == {"value": 1000.01}
    return store, {"first": first, "second": second, "pair": pair,
                   "survivor": first.payload["survivor_id"]}


def _edit(sb: Sandbox, deal_id: int, **fields: Any) -> None:
    sb.state.save("deal", {**sb_deal(sb, deal_id), **fields,
                           "update_time": fields.pop("update_time", LATER)})


async def _resume(sb: Sandbox, store: JobStore) -> tuple[RunResult, list[str]]:
    """`pdbulk resume` in-process (the re-read, then the run), bounded by ``BOUND``."""
    config = EngineConfig.from_json(store.config["engine"])
    kind = kind_for(store)
    with anyio.fail_after(BOUND):
        async with Engine.open(config, sb.token, store=store) as eng:
            lines: list[str] = await kind.before_resume(eng.ctx, store)  # type: ignore[attr-defined]
            result = await eng.run(kind)
    store.set_status("stopped" if result.stopped else "finished")
    kind.after_run(store, result)  # type: ignore[attr-defined]
    return result, lines


def _items(store: JobStore) -> dict[str, tuple[ItemState, str]]:
    """Each item's state and why (its error, or a skipped one's reason)."""
    return {str(i.key): (i.state, i.error or str((i.result or {}).get("reason") or ""))
            for i in store.items()}


@pytest.mark.anyio
@pytest.mark.parametrize("left", ["in flight", "pending"])
async def test_a_merge_whose_first_merge_is_skipped_as_changed_is_skipped_at_once(
        tmp_path: Path, left: str) -> None:
    """F5: the run died with the group's items in flight (or stopped with them pending);
    a colleague changed the first merge's merged-away deal. On resume the first merge is
    skipped "changed since the plan" (reconcile / re-read; skipped, as an apply skips a
    changed group before it starts: v11r8, it failed with exit 3) and the group's other
    merge is skipped at once naming it — it used to wait for a PATCH that never came."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        store, g = await _triple(sb, tmp_path)
        if left == "in flight":
            store.mark_sending([i.id for i in store.items(ItemState.PENDING)], 1.0)
        _edit(sb, g["first"].payload["merge_id"], value=7777)
        before = requests(sb)
        result, _ = await _resume(sb, store)
        assert not result.stopped, result.error
        items = _items(store)
        first, second = items[str(g["first"].key)], items[str(g["second"].key)]
        assert first[0] is ItemState.SKIPPED and "changed since the plan" in first[1]
        assert second[0] is ItemState.SKIPPED, second
        assert f"first merge {g['first'].key} was skipped" in second[1], second[1]
        assert "changed since the plan" in second[1] and "PATCH" in second[1]
        assert items[str(g["pair"].key)][0] is ItemState.DONE
        sent = {op: n - before.get(op, 0) for op, n in requests(sb).items()}
        assert sent.get("updateDeal", 0) == 0 and sent.get("mergeDeals") == 1
        assert sb_deal(sb, g["survivor"])["value"] == 1000  # no PATCH: the group left alone
        for i in (g["first"], g["second"]):
            assert not sb_deal(sb, i.payload["merge_id"])["is_deleted"]
        store.close()


@pytest.mark.anyio
async def test_a_second_resume_names_the_first_merges_true_reason(tmp_path: Path) -> None:
    """F5, second symptom: the first merge is already recorded failed ("changed since the
    plan": its PATCH never sent) and the other merge is left in flight. The resume fails
    the other merge naming the first merge's reason — it used to say the PATCH "failed …
    fix it and `pdbulk retry`", a PATCH that was never sent."""
    from bulk.store import Outcome

    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        store, g = await _triple(sb, tmp_path)
        store.mark_sending([i.id for i in store.items(ItemState.PENDING)], 1.0)
        why = "not merged: merged-away deal 3 changed since the plan (update_time …)"
        store.record([Outcome(g["first"].id, ItemState.FAILED, error=why)])
        result, _ = await _resume(sb, store)
        assert not result.stopped, result.error
        state, error = _items(store)[str(g["second"].key)]
        assert state is ItemState.FAILED
        assert "merged-away deal 3 changed since the plan" in error, error
        assert "fix it" not in error
        assert not sb_deal(sb, g["second"].payload["merge_id"])["is_deleted"]
        store.close()


@pytest.mark.anyio
async def test_a_stop_ends_a_wait_on_another_item(tmp_path: Path) -> None:
    """A merge waiting for its group's first merge (handed out, its PATCH not ended) is
    woken by a stop: Stopped (back to pending, unsent) — a SIGTERM used to print
    "stopping — finishing calls in flight" and never exit."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        store, g = await _triple(sb, tmp_path)
        job = DedupeJob.from_store(store)
        await job.prepare([g["first"]])  # handed out; its worker has not started it
        config = EngineConfig.from_json(store.config["engine"])
        outcome: list[BaseException] = []
        async with Engine.open(config, sb.token, store=store) as eng:
            async def waiter() -> None:
                try:
                    await job.execute(eng.ctx, g["second"])
                except Stopped as exc:
                    outcome.append(exc)

            with anyio.fail_after(BOUND):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(waiter)
                    await anyio.sleep(0.05)
                    assert not outcome  # waiting
                    eng.request_stop()
        assert len(outcome) == 1
        store.close()


async def _patched_then_stopped(sb: Sandbox, tmp_path: Path) -> tuple[JobStore, dict[str, Any]]:
    """The group's PATCH applied (and recorded); every merge into its survivor answered
    5xx until the job stopped: the merges pending, none applied."""
    store, g = await _triple(sb, tmp_path)
    sb.set_faults(Faults(error_rate=1.0, only_operations=frozenset({"mergeDeals"})))
    result = await run_job(sb, store)
    sb.set_faults(Faults())
    assert result.stopped
    assert sb_deal(sb, g["survivor"])["value"] == 1000.01  # the PATCH applied
    assert not sb_deal(sb, g["first"].payload["merge_id"])["is_deleted"]
    recorded = store.meta_get(f"{POLICY_RECORD}{g['survivor']}")
    assert recorded["update_time"] == sb_deal(sb, g["survivor"])["update_time"], recorded
    return store, g


@pytest.mark.anyio
@pytest.mark.parametrize("left", ["in flight", "pending"])
async def test_a_survivor_changed_after_the_jobs_own_patch_is_not_merged_into(
        tmp_path: Path, left: str) -> None:
    """F6: the survivor's PATCH applied before the run died, its merges not sent; then a
    colleague renamed the survivor. The resume (re-read or reconcile) leaves both merges
    into it alone: the survivor changed after this job's own last write (the update_time
    its PATCH returned). They used to be merged (the survivor still held the PATCH's
    value, which was taken for "only our PATCH")."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        store, g = await _patched_then_stopped(sb, tmp_path)
        if left == "in flight":  # the group's merges (the pair's used up its attempts)
            store.mark_sending([g["first"].id, g["second"].id], 1.0)
        _edit(sb, g["survivor"], title="Renamed by a colleague")
        result, _ = await _resume(sb, store)
        assert not result.stopped, result.error
        items = _items(store)
        for key in (str(g["first"].key), str(g["second"].key)):
            assert items[key][0] is ItemState.SKIPPED, (key, items[key])
            assert f"survivor deal {g['survivor']} changed since the plan" in items[key][1]
        for i in (g["first"], g["second"]):
            assert not sb_deal(sb, i.payload["merge_id"])["is_deleted"]
        assert sb_deal(sb, g["survivor"])["title"] == "Renamed by a colleague"
        store.close()


@pytest.mark.anyio
async def test_after_the_jobs_own_patch_an_unchanged_survivor_is_merged_into(
        tmp_path: Path) -> None:
    """The other side of F6: the PATCH recorded, nobody touched the survivor since. The
    first merge fails (its merged-away deal deleted meanwhile), yet it does not hold the
    other merge back — the PATCH that one needs applied — and the resume merges it, no
    PATCH sent or planned again (it is recorded as applied)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        store, g = await _patched_then_stopped(sb, tmp_path)
        assert "updateDeal" not in DedupeJob.from_store(store).resume_calls(store)
        gone = g["first"].payload["merge_id"]
        sb.state.save("deal", {**sb_deal(sb, gone), "is_deleted": True, "status": "deleted"})
        before = requests(sb)
        result, _ = await _resume(sb, store)
        assert not result.stopped, result.error
        items = _items(store)
        assert items[str(g["first"].key)][0] is ItemState.SKIPPED
        assert "no longer exists" in items[str(g["first"].key)][1]
        assert items[str(g["second"].key)][0] is ItemState.DONE
        assert sb_deal(sb, g["second"].payload["merge_id"])["is_deleted"]
        assert requests(sb).get("updateDeal", 0) == before.get("updateDeal", 0)
        assert sb_deal(sb, g["survivor"])["value"] == 1000.01
        store.close()


@pytest.mark.anyio
async def test_an_unrecorded_patch_explains_only_its_own_fields(tmp_path: Path) -> None:
    """A kill between the PATCH's answer and its record: the survivor is newer than the
    plan and holds the PATCH's value. Alone, that is this job's PATCH (the first merge is
    sent); with a colleague's rename beside it, it is a conflict (used to be merged)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        store, g = await _triple(sb, tmp_path)
        store.mark_sending([i.id for i in store.items(ItemState.PENDING)], 1.0)
        _edit(sb, g["survivor"], value=1000.01, title="Renamed by a colleague")
        assert store.meta_get(f"{POLICY_RECORD}{g['survivor']}") is None
        # the resume's plan counts the PATCH it may send again (it used to count none)
        assert DedupeJob.from_store(store).resume_calls(store).get("updateDeal") == 1
        result, _ = await _resume(sb, store)
        assert not result.stopped, result.error
        items = _items(store)
        for key in (str(g["first"].key), str(g["second"].key)):
            assert items[key][0] is ItemState.SKIPPED, (key, items[key])
        assert "survivor deal" in items[str(g["first"].key)][1]
        for i in (g["first"], g["second"]):
            assert not sb_deal(sb, i.payload["merge_id"])["is_deleted"]
        store.close()
