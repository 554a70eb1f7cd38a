"""A run's reconcile never frees a create claim the run itself still holds for a row it has
not sent: another run would take the key, find nothing and create it while this run creates
it too (seen as 2 of 300 keys doubled by two imports started at once under faults)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.claims import Claim, Held, acquire
from bulk.claims_open import LocalClaims
from bulk.clock import FakeClock
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState, JobStore, NewItem
from jobs.import_resolve import HeldBack
from jobs.import_rows import ImportSettings
from jobs.importing import META_KEY_CODE, ImportJob, claim_name
from tests.import_support import api_context, import_once


@pytest.mark.anyio
async def test_reconcile_keeps_the_claims_of_rows_not_sent_yet(tmp_path: Path) -> None:
    """Row K's claim is in the run's batch pool (prepare) when K is reconciled (its person
    create was in doubt, say): after the reconcile another live run still finds K held;
    once this run releases it, the other run gets it."""
    async with serve(SandboxConfig(deals=0)) as sb:
        manifest = tmp_path / "seed.csv"
        manifest.write_text("key,title\nseed,Seed\n")
        mapping = tmp_path / "m.toml"
        mapping.write_text('[import]\nkey_column = "key"\n[deal]\ntitle = "title"\n')
        seed, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                       mode="insert", job_id="seed")
        code = str(seed.meta_get(META_KEY_CODE))
        seed.close()
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert")
        store = JobStore.create(tmp_path / "a", job_id="a", kind="import", config={})
        store.add_items([NewItem(row=1, key="K", op="create",
                                 payload={"deal": {"title": "K"}})])
        (item,) = list(store.items())
        path = tmp_path / "claims.sqlite3"
        mine = ImportJob(store, settings, code,
                         claims=LocalClaims(path, holder="host-a:1:1"))
        other = LocalClaims(path, holder="host-b:2:2")
        await mine.prepare([item])
        async with api_context(sb, tmp_path) as ctx:
            (outcome,) = await mine.reconcile(ctx, [item])
        assert outcome.state is ItemState.PENDING  # never created: sent again later
        assert isinstance(await acquire(other, claim_name(code, "K")), Held)
        await mine.finish()  # gives back the claims of rows not sent
        assert isinstance(await acquire(other, claim_name(code, "K")), Claim)
        store.close()


@pytest.mark.anyio
async def test_waiting_for_a_person_gives_back_the_claims_of_rows_not_sent(
        tmp_path: Path) -> None:
    """A row waiting for another run's create of its person first gives back the deal
    claims its run took for rows not sent yet: the other run, waiting on one of those keys
    while holding the person (in doubt until its reconcile), is not deadlocked (seen: two
    imports at once each waited 120 s on the other and failed rows). The row is held back
    when it first meets the person's claim (f33i 3); its batch's wait (``read_held``) is
    the one that gives back."""
    import anyio

    store = JobStore.create(tmp_path / "a", job_id="a", kind="import", config={})
    store.add_items([NewItem(row=1, key="K", op="create", payload={"deal": {"title": "K"}})])
    (item,) = list(store.items())
    path = tmp_path / "claims.sqlite3"
    settings = ImportSettings(manifest="x.csv", mapping=str(tmp_path / "m.toml"), mode="insert")
    mine = ImportJob(store, settings, "code", claims=LocalClaims(path, holder="host-a:1:1",
                                                                  poll=0.01))
    other = LocalClaims(path, holder="host-b:2:2", poll=0.01)
    person = await acquire(other, "person\x1fcode\x1fe:p@x.org")
    assert isinstance(person, Claim)
    await mine.prepare([item])
    seen: list[object] = []

    async def other_run() -> None:
        with anyio.fail_after(10):
            while not isinstance(got := await acquire(other, claim_name("code", "K")), Claim):
                await other.wait_released(claim_name("code", "K"), 1.0)
        seen.append(got)
        await other.release(person)  # the other run goes on, and settles its person

    async with anyio.create_task_group() as tg:
        tg.start_soon(other_run)
        with anyio.fail_after(10):
            key = ("person", "e:p@x.org")
            with pytest.raises(HeldBack):
                await mine.resolver._claim(_NoStop(), mine.claims, key)  # type: ignore[arg-type]
            await mine.resolver.read_held(_NoStop(),  # type: ignore[arg-type]
                                          [{"kind": "person", "key": key[1], "body": {}}])
            claim = await mine.resolver._claim(_NoStop(), mine.claims,  # type: ignore[arg-type]
                                               key)
    assert isinstance(claim, Claim) and len(seen) == 1
    store.close()


class _NoStop:
    """The CallContext parts ``Resolver._claim`` and ``read_held`` use, for a run that never
    stops."""

    clock = FakeClock()

    async def until_stopped(self, awaitable: Any) -> Any:
        return await awaitable
