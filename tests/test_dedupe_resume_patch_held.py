"""A dedupe apply resumed after a kill sends no field-policy PATCH the survivor already
holds (x44r8 F6: 60 tokens of PATCHes sent again in a night, the values right): the read of
the pair right before the PATCH shows the survivor holding every value of it, so it is this
job's own PATCH applied before the kill (its answer or its record lost) — recorded as
applied, never sent again; the merges go as planned. The kill is driven deterministically
(items left in flight with ``mark_sending``, or pending; the PATCH applied in the sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.dedupe.apply import ApplyOptions
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.merge_job import POLICY_RECORD
from tests.dedupe_job_support import deal, load_apply, plan, seed_account
from tests.update_support import deal as sb_deal
from tests.update_support import delta, requests, run_job

MAX_VALUE = DedupeConfig.from_mapping({"field_policy": {"value": "max"}})
PAIRS = 6


async def _planned(sb: Any, tmp_path: Path) -> tuple[Any, list[tuple[int, int]]]:
    """``PAIRS`` pairs whose survivor takes the other's higher value (a PATCH each), planned
    and loaded; the pairs' ids."""
    initech = seed_account(sb)["orgs"]["initech"]
    # a cent apart: one value (two amounts further apart are held at review and never
    # merged, 94a568f7), the survivor still PATCHed to the higher
    pairs = [(deal(sb, f"Support plan {i}", initech, value=1000.0 * i),
              deal(sb, f"support plan {i}", initech, value=1000.0 * i + 0.01))
             for i in range(1, PAIRS + 1)]
    await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)
    store, _ = await load_apply(sb, tmp_path, tmp_path / "p1",
                                ApplyOptions(include_review=True))
    return store, pairs


@pytest.mark.anyio
@pytest.mark.parametrize("left", ["in flight, same second", "pending, later",
                                  "pending, same second"])
async def test_a_patch_the_survivor_holds_is_not_sent_again_on_resume(
        tmp_path: Path, left: str) -> None:
    """Each survivor's PATCH applied before the kill, unrecorded; its first merge left in
    flight or pending, the survivor's update_time the plan's own second or later. The
    resume sends no updateDeal, merges every pair, records each PATCH as applied, and the
    survivors keep the policy's value."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=38)) as sb:
        store, pairs = await _planned(sb, tmp_path)
        firsts = [i for i in store.pending(100) if i.payload.get("patch")]
        assert len(firsts) >= PAIRS
        if left.startswith("in flight"):
            store.mark_sending([i.id for i in firsts], 0.0)  # the kill -9
        for item in firsts:  # each PATCH applied on the server, its answer never recorded
            survivor = int(item.payload["survivor_id"])
            now = sb_deal(sb, survivor)
            sb.state.save("deal", {**now, **item.payload["patch"], "update_time": (
                now["update_time"] if left.endswith("same second")
                else "2026-12-01T10:00:00Z")})
        before = requests(sb)
        result = await run_job(sb, store)
        sent = delta(before, requests(sb))
        assert not result.stopped, result
        assert "updateDeal" not in sent, sent
        assert sent.get("mergeDeals") == result.counts[ItemState.DONE] >= len(firsts), sent
        for item in firsts:
            assert store.meta_get(f"{POLICY_RECORD}{item.payload['survivor_id']}")
        for n, (a, b) in enumerate(pairs, start=1):
            survivor = a if not sb_deal(sb, a)["is_deleted"] else b
            assert sb_deal(sb, survivor)["value"] == 1000.0 * n + 0.01
        store.close()


@pytest.mark.anyio
async def test_the_plan_after_the_resumes_reread_counts_no_such_patch(tmp_path: Path) -> None:
    """`pdbulk resume`'s re-read (``before_resume``) finds the PATCHes applied, its first
    merges pending: the plan after it (``resume_calls``) counts no updateDeal, and the
    tokens the run then spends are the plan's (it counted one PATCH each, sent again)."""
    from bulk.engine import Engine, EngineConfig
    from bulk.operations import get_operation
    from jobs import kind_for
    from jobs.api import recheck_calls

    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=38)) as sb:
        store, _ = await _planned(sb, tmp_path)
        firsts = [i for i in store.pending(100) if i.payload.get("patch")]
        for item in firsts:
            survivor = int(item.payload["survivor_id"])
            sb.state.save("deal", {**sb_deal(sb, survivor), **item.payload["patch"],
                                   "update_time": "2026-12-01T10:00:00Z"})
        kind = kind_for(store)
        config = EngineConfig.from_json(store.config["engine"])
        async with Engine.open(config, sb.token, store=store) as eng:
            await kind.before_resume(eng.ctx, store)  # type: ignore[attr-defined]
            planned = {**kind.resume_calls(store)}  # type: ignore[attr-defined]
            for op, n in kind.reread_calls(store).items():  # type: ignore[attr-defined]
                planned[op] -= n  # the plan after the re-read: the re-read is done
            for op, n in recheck_calls(store, kind, config.max_workers,
                                       (ItemState.PENDING, ItemState.SENDING),
                                       burst=config.limits().burst).items():
                planned[op] = planned.get(op, 0) + n
            before = requests(sb)
            result = await eng.run(kind)
        sent = delta(before, requests(sb))
        assert not result.stopped, result
        assert "updateDeal" not in planned and "updateDeal" not in sent, (planned, sent)

        def tokens(calls: dict[str, int]) -> int:
            return sum(get_operation(op).token_cost * n for op, n in calls.items() if n > 0)
        assert tokens(sent) == tokens(planned), (sent, planned)
        store.close()
