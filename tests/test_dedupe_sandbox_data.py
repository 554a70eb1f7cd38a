"""The labelled generator's account loads into the sandbox, and matching on what the v2 list
returns finds the generated duplicates (the same figures as on the in-memory records)."""

from __future__ import annotations

import pytest

from benchmarks.bench_dedupe_quality import evaluate
from benchmarks.dedupe_data import generate
from bulk.sandbox import SandboxConfig
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.records import to_record
from tests.sandbox_helpers import running


@pytest.mark.anyio
async def test_generated_account_round_trips_through_the_sandbox() -> None:
    """Load → list all deals (v2) → records → find_duplicates: the same groups as in memory."""
    data = generate(21, companies=25)
    async with running(SandboxConfig(deals=0)) as (_, api):
        reply = await api.post("/_sandbox/load", data.sandbox_payload())
        assert reply.status == 200, reply.body
        listed, _ = await api.all_pages("/api/v2/deals", limit=500)
    assert {d["id"] for d in listed} == {d.id for d in data.deals}
    stage_order = {d.stage_id: d.stage_order for d in data.deals if d.stage_id and d.stage_order}
    org_names = {int(o["id"]): str(o["name"]) for o in data.orgs}
    records = [to_record(d, stage_order=stage_order, org_names=org_names) for d in listed]
    config = DedupeConfig.default()
    from_api = find_duplicates(records, config)
    in_memory = find_duplicates(data.deals, config)
    assert [g.member_ids for g in from_api.groups] == [g.member_ids for g in in_memory.groups]
    q = evaluate(data, from_api)
    # 0.89: a typo other than two swapped letters merges only as a double submission (#11
    # v11r4 F1); the other typo copies are in review; 0.857: a copy on the company's second
    # org record with no person is held as branches (x36r2 F2)
    assert q.precision >= 0.99 and q.recall >= 0.85 and q.hard_negatives_merged == 0
