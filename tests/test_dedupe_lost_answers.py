"""Dedupe apply under lost answers (x32r1 F1, F2): a field-policy PATCH whose answer is
lost is read back, not sent again; every succeeded row names the fields its group's PATCH
set, whichever path (execute or reconcile) settled its merge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Faults, SandboxConfig, serve
from bulk.store import ItemState
from jobs.dedupe.apply import ApplyOptions
from jobs.dedupe.config import DedupeConfig
from tests.dedupe_job_support import deal, load_apply, plan, seed_account
from tests.import_support import read_csv
from tests.update_support import deal as sb_deal
from tests.update_support import delta, requests, run_job

MAX_VALUE = DedupeConfig.from_mapping({"field_policy": {"value": "max"}})
PAIRS = 8


async def _planned(sb: Any, tmp_path: Path) -> tuple[Any, Any, list[tuple[int, int]]]:
    """The seeded account and ``PAIRS`` review-band pairs whose survivor takes the other's
    higher value (a field-policy PATCH each), planned and loaded; the pairs' ids."""
    initech = seed_account(sb)["orgs"]["initech"]
    pairs = [(deal(sb, f"Support plan {i}", initech, value=1000.0 * i),
              deal(sb, f"support plan {i}", initech, value=1000.0 * i + 0.01))
             for i in range(1, PAIRS + 1)]
    await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)
    store, prep = await load_apply(sb, tmp_path, tmp_path / "p1",
                                   ApplyOptions(include_review=True))
    return store, prep, pairs


@pytest.mark.anyio
@pytest.mark.parametrize("rate", [1.0, 0.5])
async def test_a_lost_patch_answer_is_read_back_not_sent_again(
        tmp_path: Path, rate: float) -> None:
    """Every (or half the) field-policy PATCH answers lost after the write applied: each
    PATCH is sent once (x32r1 F1: 75 PATCHes for 15 groups at 100 %, no merge, "no
    progress in 5 sweeps"), every merge is made, and the survivors hold the policy."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=36)) as sb:
        store, prep, pairs = await _planned(sb, tmp_path)
        patches = prep.calls["updateDeal"]
        assert patches >= PAIRS
        sb.set_faults(Faults(lost_response_rate=rate,
                             only_operations=frozenset({"updateDeal"})))
        before = requests(sb)
        result = await run_job(sb, store)
        sent = delta(before, requests(sb))
        assert sb.stats()["faults_injected"].get("lost_response", 0) > 0
        assert not result.stopped, result
        assert sent.get("updateDeal") == patches, sent
        assert result.counts[ItemState.DONE] == len(list(store.items(ItemState.DONE))) > 0
        assert not list(store.items(ItemState.PENDING))
        for n, (a, b) in enumerate(pairs, start=1):
            survivor = a if not sb_deal(sb, a)["is_deleted"] else b
            assert sb_deal(sb, survivor)["value"] == 1000.0 * n + 0.01
        assert sb.stats()["writes_applied"]["mergeDeals"] == result.counts[ItemState.DONE]
        store.close()


@pytest.mark.anyio
@pytest.mark.parametrize("ops", [{"mergeDeals"}, {"mergeDeals", "updateDeal"}])
async def test_every_succeeded_row_names_its_patched_fields(
        tmp_path: Path, ops: set[str]) -> None:
    """Merge answers (and PATCH answers) lost: a group's first merge settled by reading it
    back still shows the fields its PATCH set in succeeded.csv (x32r1 F2: empty for 7 of
    15 such groups), as one answered in the run does."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=37)) as sb:
        store, _, _ = await _planned(sb, tmp_path)
        firsts = {i.id: i.payload["fields"] for i in store.items() if i.payload.get("patch")}
        sb.set_faults(Faults(lost_response_rate=1.0, only_operations=frozenset(ops)))
        result = await run_job(sb, store)
        assert not result.stopped, result
        rows = {int(r["row"]): r for r in read_csv(store.directory / "succeeded.csv")}
        items = {i.id: i for i in store.items()}
        assert all(items[i].state is ItemState.DONE for i in firsts)
        for item_id, fields in firsts.items():
            row = rows[items[item_id].row]
            assert fields and row["fields"] == fields, (row, fields)
        store.close()


@pytest.mark.anyio
async def test_a_patch_a_kill_left_unrecorded_is_read_back_on_resume(tmp_path: Path) -> None:
    """A kill after the survivors' PATCHes reached Pipedrive but before their answers were
    recorded (first merges left in flight): the resume reads the survivors, finds each
    PATCH applied and sends no PATCH again, only the merges (x32r1 F1, on resume: 15 more
    PATCHes for 15 groups)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=38)) as sb:
        store, _, pairs = await _planned(sb, tmp_path)
        firsts = [i for i in store.pending(100) if i.payload.get("patch")]
        store.mark_sending([i.id for i in firsts], 0.0)  # the kill -9
        for item in firsts:  # each PATCH applied on the server, its answer never recorded
            survivor = int(item.payload["survivor_id"])
            sb.state.save("deal", {**sb_deal(sb, survivor), **item.payload["patch"],
                                   "update_time": "2026-12-01T10:00:00Z"})
        before = requests(sb)
        result = await run_job(sb, store)
        sent = delta(before, requests(sb))
        assert not result.stopped, result
        assert "updateDeal" not in sent, sent
        assert sent.get("mergeDeals") == result.counts[ItemState.DONE] >= len(firsts)
        for n, (a, b) in enumerate(pairs, start=1):
            survivor = a if not sb_deal(sb, a)["is_deleted"] else b
            assert sb_deal(sb, survivor)["value"] == 1000.0 * n + 0.01
        store.close()
