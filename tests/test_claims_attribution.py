"""A job records a deal as its own create only with proof (v12r4 F1, F2): a claim this run
took but lost (its lease ran out while it was frozen, another run took the key over) proves
nothing — the claim is had again and its outcome read; and a reconcile that finds its
in-doubt create under a claim another live run holds waits for that run, so the job that
sent the create owns it (before, every job recorded the deal `unchanged`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bulk.claims import Claim, acquire, in_doubt_outcome
from bulk.claims_open import LocalClaims
from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox import deals as sandbox_deals_mod
from bulk.store import Item, ItemState, JobStore, NewItem
from jobs.import_rows import ImportSettings
from jobs.importing import META_KEY_CODE, ImportJob, claim_name
from tests.import_support import api_context, import_once

pytestmark = pytest.mark.anyio


async def _setup(sb: Any, tmp_path: Path, job_id: str,
                 claims: LocalClaims) -> tuple[ImportJob, JobStore, Item, str]:
    """A job `job_id` with one create row, key K, marked SENDING now; the account's key code."""
    manifest = tmp_path / "seed.csv"
    manifest.write_text("key,title\nseed,Seed\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\n[deal]\ntitle = "title"\n')
    seed, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, mode="insert",
                                   job_id="seed")
    code = str(seed.meta_get(META_KEY_CODE))
    seed.close()
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert")
    store = JobStore.create(tmp_path / job_id, job_id=job_id, kind="import", config={})
    deal = {"title": "K", "custom_fields": {code: "K"}}
    store.add_items([NewItem(row=1, key="K", op="create", payload={"deal": deal})])
    store.mark_sending([i.id for i in store.items()], time.time() - 1)
    (item,) = list(store.items())
    return ImportJob(store, settings, code, claims=claims), store, item, code


async def test_a_pooled_claim_lost_while_frozen_proves_nothing(tmp_path: Path) -> None:
    """Job A takes K's claim for its batch (prepare) and is frozen past the lease; job B
    takes K over, creates its deal (title as A's row) and releases the claim naming B. A's
    reconcile of K (its person was in doubt, say) finds B's deal: not A's create (pending,
    the create path then finds B's deal), and the claim still says B created it."""
    path = tmp_path / "claims.sqlite3"
    async with serve(SandboxConfig(deals=0)) as sb:
        a_claims = LocalClaims(path, holder="host-a:1:1")
        job, store, item, code = await _setup(sb, tmp_path, "A", a_claims)
        await job.prepare([item])
        name = claim_name(code, "K")
        with a_claims._lock:  # A frozen past its lease: the claim ran out
            a_claims._conn.execute("UPDATE claims SET expires = 0")
        b = LocalClaims(path, holder="host-b:2:2")
        got = await acquire(b, name, tag="B")
        assert isinstance(got, Claim) and got.reconcile
        deal = sandbox_deals_mod.create(sb.state, {"title": "K", "custom_fields": {code: "K"}})
        await b.release(got, {"deal_id": int(deal["id"]), "job": "B"})
        async with api_context(sb, tmp_path / "ctx") as ctx:
            (outcome,) = await job.reconcile(ctx, [item])
        assert outcome.state is ItemState.PENDING, outcome  # before: DONE 'created'
        again = await acquire(b, name)
        assert isinstance(again, Claim) and again.previous == {"deal_id": int(deal["id"]),
                                                               "job": "B"}
        await job.finish()
        store.close()


class _Resuming(LocalClaims):
    """Another live run (host-b) holds K while this one reconciles; when waited for, it
    releases K with the outcome a resume's re-check leaves (the deal, and the job its
    claim's in-doubt record named)."""

    other: LocalClaims
    theirs: Claim
    deal_id: int

    async def wait_released(self, name: str, within_s: float) -> bool:
        await self.other.release(self.theirs, {"deal_id": self.deal_id,
                                               "job": self.theirs.prev_tag})
        return await super().wait_released(name, within_s)


async def test_an_in_doubt_create_found_while_another_run_holds_the_key_is_this_jobs(
        tmp_path: Path) -> None:
    """Job X's create of K was in doubt (it reached the account); X's reconcile finds the
    deal while job Y (a resume that re-checked K) holds K's claim. X waits for Y and
    records the deal `created` — before, X left the row pending, Y and then X recorded it
    `unchanged`, and no job owned the deal (v12r4 F2)."""
    path = tmp_path / "claims.sqlite3"
    async with serve(SandboxConfig(deals=0)) as sb:
        mine = _Resuming(path, holder="host-x:1:1")
        job, store, item, code = await _setup(sb, tmp_path, "X", mine)
        deal = sandbox_deals_mod.create(sb.state, {"title": "K", "custom_fields": {code: "K"}})
        sent = await acquire(mine, claim_name(code, "K"), tag="X")  # X's send, in doubt
        assert isinstance(sent, Claim)
        await mine.release(sent, in_doubt_outcome(time.time() - 1, "X"))
        mine.other = LocalClaims(path, holder="host-y:2:2")
        theirs = await acquire(mine.other, claim_name(code, "K"), tag="Y")
        assert isinstance(theirs, Claim) and theirs.prev_tag == "X"
        mine.theirs, mine.deal_id = theirs, int(deal["id"])
        async with api_context(sb, tmp_path / "ctx") as ctx:
            (outcome,) = await job.reconcile(ctx, [item])
        assert outcome.state is ItemState.DONE, outcome  # before: PENDING (then 'unchanged')
        assert outcome.result is not None and outcome.result["action"] == "created"
        assert outcome.result["deal_id"] == int(deal["id"])
        await job.finish()
        store.close()




@pytest.mark.parametrize("lost", [False, True])
async def test_an_in_doubt_create_whose_claim_record_was_lost_is_not_taken_as_ours(
        tmp_path: Path, lost: bool) -> None:
    """Job X sent K's create and its answer was a 5xx: X released K's claim in doubt. A deal
    with K's title appears. With X's in-doubt record on the claim, X's reconcile records it
    `created`; with the record gone (the shared coordinator lost its state: FLUSHALL, a
    restart — another host may have claimed K and created it in that gap), the deal is not
    taken as X's: the row goes on as for another run's deal (`unchanged`), so `undo` of X
    never deletes it (v12r8: 8 of 400 deals recorded `created` by two jobs)."""
    path = tmp_path / "claims.sqlite3"
    async with serve(SandboxConfig(deals=0)) as sb:
        x = LocalClaims(path, holder="host-x:1:1")
        job, store, item, code = await _setup(sb, tmp_path, "X", x)
        sent = await acquire(x, claim_name(code, "K"), tag="X")
        assert isinstance(sent, Claim)
        await x.release(sent, in_doubt_outcome(time.time() - 1, "X"))
        if lost:  # the claim's history is gone, as a FLUSHALL leaves Redis
            with x._lock:
                x._conn.execute("DELETE FROM claims")
        deal = sandbox_deals_mod.create(sb.state, {"title": "K", "custom_fields": {code: "K"}})
        async with api_context(sb, tmp_path / "ctx") as ctx:
            (outcome,) = await job.reconcile(ctx, [item])
            if lost:
                assert outcome.state is ItemState.PENDING, outcome  # before: DONE 'created'
                outcome = await job.execute(ctx, item)
        assert outcome.result is not None and outcome.result["deal_id"] == int(deal["id"])
        assert (outcome.result["action"] == "created") is not lost, outcome
        assert job.unattributed == int(lost)  # the summary names such rows
        await job.finish()
        store.close()


async def test_a_claim_naming_this_job_without_a_send_in_doubt_proves_nothing(
        tmp_path: Path) -> None:
    """K's claim names job A for deal D (run B took K over from A, which held it only for
    its batch, and attributed the deal it found to the tag A left); A never had K's create
    in doubt, so A's create of K finds D and does not record it as its own (before: DONE
    'created' by A, while D's real creator recorded it too: one deal 'created' by two
    jobs, and `undo --force` of either deletes it)."""
    path = tmp_path / "claims.sqlite3"
    async with serve(SandboxConfig(deals=0)) as sb:
        job, store, item, code = await _setup(sb, tmp_path, "A",
                                              LocalClaims(path, holder="host-a:1:1"))
        deal = sandbox_deals_mod.create(sb.state, {"title": "K", "custom_fields": {code: "K"}})
        b = LocalClaims(path, holder="host-b:2:2")
        got = await acquire(b, claim_name(code, "K"), tag="B")
        assert isinstance(got, Claim)
        await b.release(got, {"deal_id": int(deal["id"]), "job": "A"})
        async with api_context(sb, tmp_path / "ctx") as ctx:
            outcome = await job.execute(ctx, item)
        assert outcome.result is not None and outcome.result["deal_id"] == int(deal["id"])
        assert outcome.result["action"] != "created", outcome
        await job.finish()
        store.close()


async def test_a_reconcile_look_older_than_the_claim_is_looked_again(tmp_path: Path) -> None:
    """Run Y's create of K was in doubt; its reconcile looked and found nothing (it was not
    applied). Then run X took K, created it with its answer lost and released the claim in
    doubt. When Y's row claims K again, Y must look again — its earlier look began before X
    sent anything — and find X's deal, not create K a second time (v12r4 trial_redel: one
    key, two deals, each recorded `created` by a different job)."""
    path = tmp_path / "claims.sqlite3"
    async with serve(SandboxConfig(deals=0)) as sb:
        job, store, item, code = await _setup(sb, tmp_path, "Y",
                                              LocalClaims(path, holder="host-y:1:1"))
        async with api_context(sb, tmp_path / "ctx") as ctx:
            (outcome,) = await job.reconcile(ctx, [item])
            assert outcome.state is ItemState.PENDING
            x = LocalClaims(path, holder="host-x:2:2")
            got = await acquire(x, claim_name(code, "K"), tag="X")
            assert isinstance(got, Claim)
            theirs = sandbox_deals_mod.create(sb.state, {"title": "K",
                                                         "custom_fields": {code: "K"}})
            await x.release(got, in_doubt_outcome(time.time(), "X"))
            outcome = await job.execute(ctx, item)
        keyed = [d for d in sb.state.deals.rows.values()
                 if not d["is_deleted"] and d["custom_fields"].get(code) == "K"]
        assert [d["id"] for d in keyed] == [theirs["id"]], keyed  # before: two deals
        assert outcome.result is not None and outcome.result["action"] != "created"
        await job.finish()
        store.close()
