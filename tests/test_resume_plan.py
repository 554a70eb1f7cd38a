"""The plan a resume prints ("calls at most") holds, operation by operation, after a kill:
rows left SENDING, the claims of their deals, persons and organizations held by the dead
process (tester v9r5: it said ``getPersons 1`` and sent 2)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import anyio
import anyio.to_thread
import pytest

from bulk.claims import Claim
from bulk.claims_open import LocalClaims
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState, JobStore
from jobs import kind_for
from jobs.demo_data import write_demo_export
from jobs.import_resolve import refs_of
from jobs.importing import claim_name
from tests.import_support import api_context, loaded_import, resume_job
from tests.test_import import charged
from tests.test_import_claims import KEY_FIELD, _dead_holder

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}


@pytest.mark.parametrize("in_flight", [6, 30])
async def test_resume_plan_holds_after_a_kill_with_claims_held(tmp_path: Path,
                                                               in_flight: int) -> None:
    """A job killed with ``in_flight`` rows SENDING, nothing of theirs sent, the claims of
    their deals and of the persons / organizations they create held by the dead process:
    the resume's plan is at least what it then sends, for every operation."""
    export = write_demo_export(tmp_path / "in", rows=30, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("addDealField", json={"field_name": KEY_FIELD,
                                                  "field_type": "varchar"})
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == KEY_FIELD)
        a_id = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert",
            job_id="A"))
        directory = tmp_path / "jobs" / a_id
        a = JobStore.open(directory)
        sending = list(a.items(ItemState.PENDING))[:in_flight]
        a.mark_sending([i.id for i in sending], time.time())
        a.close()
        names = {claim_name(code, str(i.key)) for i in sending}
        names |= {f"{ref['kind']}\x1f{code}\x1f{ref['key']}"
                  for i in sending for ref in refs_of(i.payload)}
        assert any(n.startswith("person\x1f") for n in names)
        dead = LocalClaims(holder=_dead_holder())
        got = await dead.acquire_many(sorted(names), tag=a_id)
        assert all(isinstance(c, Claim) for c in got.values())
        dead.close()
        store = JobStore.open(directory)
        planned = Counter(kind_for(store).resume_calls(store))
        store.close()
        before = charged(sb)
        store, result = await resume_job(sb, directory, reread=True)
        spent = charged(sb) - before
        assert result.counts[ItemState.DONE] == 30
        over = {op: (n, planned[op]) for op, n in spent.items() if n > planned[op]}
        assert not over, f"sent (planned): {over}; plan {dict(planned)}"
        store.close()


async def test_the_resume_plan_pages_through_the_deals_the_job_wrote(tmp_path: Path) -> None:
    """x11r2 4: a capped import's resumes planned one page of the deals changed since the
    load and read 2, 3, 4 as its own creates grew (589, 1,181, 1,771): "calls at most"
    did not hold. The plan counts a page per 500 of the job's own writes."""
    from bulk.store import Outcome

    export = write_demo_export(tmp_path / "in", rows=620, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("addDealField", json={"field_name": KEY_FIELD,
                                                  "field_type": "varchar"})
        job_id = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert"))
    store = JobStore.open(tmp_path / "jobs" / job_id)
    try:
        creates = [i for i in store.items(ItemState.PENDING) if i.op == "create"][:600]
        assert len(creates) == 600
        store.mark_sending([i.id for i in creates], time.time())
        store.record([Outcome(i.id, ItemState.DONE, result={"deal_id": 10_000 + n})
                      for n, i in enumerate(creates)])
        calls = kind_for(store).reread_calls(store)  # type: ignore[attr-defined]
    finally:
        store.close()
    assert calls["getDeals"] == 2 and calls["getArchivedDeals"] == 1, calls
