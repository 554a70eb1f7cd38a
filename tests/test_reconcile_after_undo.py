"""An import of a file right after an undo of the same file (x31r1 F-A): the undo deleted
the deals the first import created, seconds before the second one's creates went out. A
create of the second import left in doubt (a 5xx: nothing applied) finds, by key, only
the first import's deleted deal — added within the clock margin of its send, so time
alone cannot tell. The claim named that deal as the first job's until the in-doubt
release overwrote it: the deal must never be taken for this job's create ("deleted by
someone else … not created again", or a "conflict" on its title), and the row is sent
again, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.config import Faults
from bulk.store import ItemState
from jobs.demo_data import write_demo_export
from tests.import_support import api_context, import_once, sandbox_deals
from tests.test_import_claims import KEY_FIELD, _keys

pytestmark = pytest.mark.anyio
ROWS = 30


async def test_reimport_after_undo_sends_again_the_creates_in_doubt(tmp_path: Path) -> None:
    """Seed import, every deal deleted (as undo does), the file imported again while every
    addDeal is answered 5xx half the time (in doubt, not applied): each row is created
    exactly once, none fails, and no deleted seed deal is recorded as this job's."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=11)) as sb:
        seed, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                       export.mapping, mode="insert", job_id="seed")
        seed.close()
        code = str(next(f["field_code"] for f in sb.state.fields.values()
                        if f["field_name"] == KEY_FIELD))
        seed_ids = {int(d["id"]) for d in sandbox_deals(sb)}
        assert len(seed_ids) == ROWS
        async with api_context(sb, tmp_path / "ctx") as ctx:  # as `pdbulk undo` deletes
            for deal_id in sorted(seed_ids):
                await ctx.call("deleteDeal", path={"id": deal_id})
        sb.set_faults(Faults(error_rate=0.5, only_operations=frozenset({"addDeal"})))
        store, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                        export.mapping, mode="insert",
                                        create_key_field=False, job_id="again")
        sb.set_faults(Faults())
        failed = [str(i.error) for i in store.items(ItemState.FAILED)]
        created = {int((i.result or {})["deal_id"]) for i in store.items(ItemState.DONE)}
        reconciled = sum(1 for i in store.items(ItemState.DONE)
                         if (i.result or {}).get("reconciled"))
        store.close()
    assert failed == []
    assert len(created) == ROWS and not created & seed_ids
    assert reconciled == 0  # nothing applied in doubt: every row was sent again
    assert sorted(_keys(sandbox_deals(sb), code).values()) == [1] * ROWS


async def test_an_in_doubt_release_keeps_what_the_claim_knew_before(tmp_path: Path) -> None:
    """``in_doubt_outcome(..., was)`` carries the last settled outcome (never an in-doubt
    one) and the next holder reads it as ``Claim.was`` (``last_settled``), through a
    second in-doubt release too: the first job's deal is never forgotten."""
    from bulk.claims import Claim, in_doubt_outcome
    from bulk.claims_open import LocalClaims

    first = {"deal_id": 7, "job": "seed"}
    claims = LocalClaims(tmp_path / "claims.sqlite3", holder="run@h:1:1")
    try:
        got = await claims.acquire_many(["k"])
        await claims.release(got["k"], first)
        for job in ("again", "resumed"):
            claim = (await claims.acquire_many(["k"]))["k"]
            assert isinstance(claim, Claim) and claim.last_settled() == first
            await claims.release(claim, in_doubt_outcome(1.0, job, claim.last_settled()))
        claim = (await claims.acquire_many(["k"]))["k"]
        assert isinstance(claim, Claim)
        assert claim.reconcile and claim.previous is None and claim.prev_tag == "resumed"
        assert claim.was == first and claim.last_settled() == first
        assert "was" not in in_doubt_outcome(1.0, "x", {"in_doubt": 1.0, "job": "y"})
        await claims.release(claim, None)
    finally:
        claims.close()
