"""A reconcile attributes a deal found by key to this job only when it can be this job's
create (F5): a job killed with rows marked SENDING but never sent, then another job that
created those keys, then a resume of the first: the first must not record the other's deals
as `created` (undo of it would delete them)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest

from bulk.claims import Claim, state_dir
from bulk.claims_open import LocalClaims
from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from jobs import last_written
from jobs.demo_data import write_demo_export
from jobs.importing import claim_name
from jobs.undo import prepare_undo
from tests.import_support import (
    api_context,
    import_once,
    loaded_import,
    resume_job,
    sandbox_deals,
)
from tests.test_import_claims import KEY_FIELD, _dead_holder, _keys

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
ROWS = 30
LANDED = ("HS-100003", "HS-100010", "HS-100020")


def _mark_sent(directory: Path, keys: Iterable[str]) -> None:
    """What A's process wrote right before each create it sent (jobs.importing
    SENT_DEAL): a create in doubt without it never left."""
    from jobs.importing.base import SENT_DEAL

    with JobStore.open(directory, lock=False) as store:
        ids = {str(i.key): i.id for i in store.items()}
        store.lookup_put_many(SENT_DEAL, [(k, ids[k]) for k in keys])


async def _seeded_then_emptied(sb: Any, tmp_path: Path, export: Any) -> str:
    """The export imported once (job "seed", creating the key field), then every deal
    deleted: the keys' claims remember the seed's outcomes. Returns the key field's code."""
    seed, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                   mode="insert", create_key_field=True, job_id="seed")
    seed.close()
    for d in sandbox_deals(sb):
        d["is_deleted"], d["status"] = True, "deleted"
    return str(next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == KEY_FIELD))


def _actions(store: JobStore) -> Counter[str]:
    """Done items by their result's action, and items skipped at the load by theirs (an
    insert of a file imported before finds a deal by key there: `exists`, x15r2 2)."""
    out = Counter(str((i.result or {}).get("action")) for i in store.items(ItemState.DONE))
    out.update(str((i.payload.get("result") or {}).get("action"))
               for i in store.items(ItemState.SKIPPED))
    return out


async def test_resume_after_another_job_created_the_keys_records_them_as_existing(
        tmp_path: Path) -> None:
    """Job A dies with 30 rows SENDING, 3 of which had landed; job B (insert) then finds those
    3 and creates the other 27; `resume A` finds 30 deals by key but records only its own 3
    as created, the 27 as `exists` (B's claims say B created them)."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        code = await _seeded_then_emptied(sb, tmp_path, export)
        a_id = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert", job_id="A"))
        a = JobStore.open(tmp_path / "jobs" / a_id)
        keys = [i.key for i in a.items(ItemState.PENDING)]
        bodies = {i.key: i.payload["deal"] for i in a.items(ItemState.PENDING)}
        assert len(keys) == ROWS
        a.mark_sending([i.id for i in a.items(ItemState.PENDING)], time.time())
        a.close()
        # A's process held the claims of its batch when it was killed; 3 creates landed
        dead = LocalClaims(holder=_dead_holder())
        got = await dead.acquire_many([claim_name(code, str(k)) for k in keys], tag=a_id)
        assert all(isinstance(c, Claim) for c in got.values())
        dead.close()
        async with api_context(sb, tmp_path / "ctx") as ctx:
            for k in LANDED:  # A's own creates: the rows' bodies, as A sent them
                body = dict(bodies[k])  # undo compares the deal with what the create sent
                await ctx.call("addDeal", json={**body, "custom_fields": {
                    **(body.get("custom_fields") or {}), code: k}})
        _mark_sent(tmp_path / "jobs" / a_id, LANDED)
        b, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                    mode="insert", create_key_field=False, job_id="B")
        assert _actions(b) == {"created": ROWS - len(LANDED), "exists": len(LANDED)}
        b_created = {int((i.result or {})["deal_id"]) for i in b.items(ItemState.DONE)
                     if (i.result or {}).get("action") == "created"}
        b.close()
        store, _ = await resume_job(sb, tmp_path / "jobs" / a_id)
        assert _actions(store) == {"created": len(LANDED), "exists": ROWS - len(LANDED)}
        a_created = {int((i.result or {})["deal_id"]) for i in store.items(ItemState.DONE)
                     if (i.result or {}).get("action") == "created"}
        assert not a_created & b_created
        assert {k for k, n in _keys(sandbox_deals(sb), code).items() if n != 1} == set()
        async with api_context(sb, tmp_path / "ctx2") as ctx:
            plan = await prepare_undo(ctx, store)
        assert plan.actions == {"delete": len(LANDED)}
        store.close()


def test_a_deal_whose_title_or_value_is_not_the_rows_is_not_this_jobs(tmp_path: Path) -> None:
    """A deal someone created by hand with the key of an in-flight row (no claim knows
    about it; added after the row was sent) is not this job's create when its title or
    value differs from the body the row sends: the row is not recorded `created`, so
    undo never deletes that deal. The job's own create (same title and value) is."""
    from bulk.store import Item
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob

    store = JobStore.create(tmp_path / "j", job_id="A", kind="import", config={})
    kind = ImportJob(store, ImportSettings(manifest="m.csv", mapping="m.toml", mode="insert"), "c")
    sent = 1_700_000_000.0
    item = Item(id=1, row=1, key="K", op="create", payload={}, state=ItemState.SENDING,
                attempts=1, result=None, error=None, status=None, sent_at=sent)
    after = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sent + 5))
    body = {"title": "Website redesign", "value": 1200}
    theirs = {"id": 7, "add_time": after, "title": "OTHER USER K", "value": 0}
    ours = {"id": 8, "add_time": after, "title": "Website redesign", "value": 1200.0}
    assert "title" in (kind._not_ours(item, theirs, None, body) or "")
    assert "value" in (kind._not_ours(item, {**theirs, "title": "Website redesign"}, None,
                                      body) or "")
    assert kind._not_ours(item, ours, None, body) is None
    store.close()


def test_a_deal_added_before_the_row_was_sent_is_not_this_jobs(tmp_path: Path) -> None:
    """Without any claim outcome, a deal whose add_time is earlier than the row's send (by
    more than the clock margin) cannot be this job's create; one added after can be."""
    from bulk.store import Item
    from jobs.import_rows import ImportSettings
    from jobs.importing import RECONCILE_MARGIN, ImportJob

    store = JobStore.create(tmp_path / "j", job_id="A", kind="import", config={})
    kind = ImportJob(store, ImportSettings(manifest="m.csv", mapping="m.toml", mode="insert"), "c")
    sent = 1_700_000_000.0
    item = Item(id=1, row=1, key="K", op="create", payload={}, state=ItemState.SENDING,
                attempts=1, result=None, error=None, status=None, sent_at=sent)

    def stamp(t: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

    early = {"id": 5, "add_time": stamp(sent - RECONCILE_MARGIN - 60)}
    late = {"id": 6, "add_time": stamp(sent + 5)}
    assert kind._not_ours(item, early, None) == "added before this row was sent"
    assert kind._not_ours(item, late, None) is None
    assert kind._not_ours(item, late, {"deal_id": 6, "job": "B"}) == "created by job B"
    assert kind._not_ours(item, late, {"deal_id": 6, "job": "A"}) is None
    assert kind._not_ours(item, late, {"deal_id": 6}) is None
    store.close()


class _Told(logging.Handler):
    """Sets ``told`` once a run says it waits for another run's claim (``pdbulk.claims``:
    ``bulk.claims.tell_wait``)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.told = anyio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "waiting up to" in record.getMessage():
            self.told.set()


@pytest.fixture
def live_holder() -> Iterator[str]:
    """The holder id of another live process (a sleeping child): another run."""
    import subprocess
    import sys

    from bulk.claims import holder_id

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield holder_id(proc.pid)
    finally:
        proc.kill()
        proc.wait(10)


async def test_a_dead_jobs_create_found_by_another_run_stays_that_jobs(
        tmp_path: Path, live_holder: str) -> None:
    """F3 (#12): job A dies with 30 rows in flight under its claims, 3 of its creates landed.
    Job B takes A's claims over, finds those 3 and records them `exists`, naming A (the job
    A's claims were held for) as their creator. When A resumes while another live run still
    holds those claims (so its reconcile cannot settle them and the rows wait for the
    claims), A records the 3 `created` — every deal is `created` by exactly one job."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        code = await _seeded_then_emptied(sb, tmp_path, export)
        a_id = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert", job_id="A"))
        a = JobStore.open(tmp_path / "jobs" / a_id)
        keys = [str(i.key) for i in a.items(ItemState.PENDING)]
        bodies = {i.key: i.payload["deal"] for i in a.items(ItemState.PENDING)}
        a.mark_sending([i.id for i in a.items(ItemState.PENDING)], time.time())
        a.close()
        dead = LocalClaims(holder=_dead_holder())
        got = await dead.acquire_many([claim_name(code, k) for k in keys], tag=a_id)
        assert all(isinstance(c, Claim) for c in got.values())
        dead.close()
        async with api_context(sb, tmp_path / "ctx") as ctx:
            for k in LANDED:
                body = dict(bodies[k])  # undo compares the deal with what the create sent
                await ctx.call("addDeal", json={**body, "custom_fields": {
                    **(body.get("custom_fields") or {}), code: k}})
        _mark_sent(tmp_path / "jobs" / a_id, LANDED)
        b, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                    mode="insert", create_key_field=False, job_id="B")
        assert _actions(b) == {"created": ROWS - len(LANDED), "exists": len(LANDED)}
        b.close()
        # another live run holds the 3 claims while A resumes, then lets them go
        other = LocalClaims(holder=live_holder)
        held = await other.acquire_many([claim_name(code, k) for k in LANDED])
        assert all(isinstance(c, Claim) for c in held.values())

        met = _Told()

        async def let_go() -> None:
            # once A's resume met the held claims (told: "waiting up to 120 s for another
            # run"), not after a guess of real time (0.5 s), which a loaded machine's
            # resume outlasts: the claims were then free when it came, the wait untested
            with anyio.fail_after(60):
                await met.told.wait()
            for c in held.values():
                await other.release(c)  # type: ignore[arg-type]

        logging.getLogger("pdbulk.claims").addHandler(met)
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(let_go)
                store, _ = await resume_job(sb, tmp_path / "jobs" / a_id)
        finally:
            logging.getLogger("pdbulk.claims").removeHandler(met)
        other.close()
        assert _actions(store) == {"created": len(LANDED), "exists": ROWS - len(LANDED)}
        owners: Counter[int] = Counter()
        for job in (store, JobStore.open(tmp_path / "jobs" / "B", lock=False)):
            owners.update(int((i.result or {})["deal_id"]) for i in job.items(ItemState.DONE)
                          if (i.result or {}).get("action") == "created")
        assert set(owners.values()) == {1} and len(owners) == ROWS
        assert {k for k, n in _keys(sandbox_deals(sb), code).items() if n != 1} == set()
        store.close()


async def test_the_resume_recheck_keeps_the_creator_a_claim_names(tmp_path: Path) -> None:
    """v12r6: job A stopped after its load; job B created every key; `resume A` found the
    deals by key (``_creates_again``) and released their claims with the bare deal id, so
    the claims no longer named B as the creator — and a third run that had one of those
    keys in doubt then took B's deal as its own create (two jobs recorded one deal
    `created`). The claims keep naming B."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        code = await _seeded_then_emptied(sb, tmp_path, export)
        a_id = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="upsert", job_id="A"))
        b, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                    mode="upsert", create_key_field=False, job_id="B")
        assert _actions(b) == {"created": ROWS}
        keys = [str(i.key) for i in b.items(ItemState.DONE)]
        b.close()
        store, _ = await resume_job(sb, tmp_path / "jobs" / a_id, reread=True)
        assert "created" not in _actions(store)
        store.close()
        reader = LocalClaims()
        got = await reader.acquire_many([claim_name(code, k) for k in keys])
        jobs = Counter(str((c.previous or {}).get("job")) for c in got.values()
                       if isinstance(c, Claim))
        reader.close()
        assert jobs == {"B": ROWS}


async def test_the_resume_recheck_keeps_the_job_a_claim_left_in_doubt_for(
        tmp_path: Path) -> None:
    """Job C sent every create, 3 landed, their answers lost: its claims were released in
    doubt, naming C. `resume A` (loaded before) found those 3 deals by key
    (``_creates_again``) and released their claims with the bare deal id: the records no
    longer named C, whose resume then could not prove its creates (recorded `exists`, and
    its undo left them behind). The claims keep naming C, and C's resume records the 3
    `created`."""
    from bulk.claims import in_doubt_outcome

    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        code = await _seeded_then_emptied(sb, tmp_path, export)
        a_id = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="upsert", job_id="A"))
        c_id = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert", job_id="C"))
        c = JobStore.open(tmp_path / "jobs" / c_id)
        bodies = {i.key: i.payload["deal"] for i in c.items(ItemState.PENDING)}
        sent = time.time()
        c.mark_sending([i.id for i in c.items(ItemState.PENDING)], sent)
        c.close()
        run = LocalClaims()  # C's run: its creates of LANDED sent, their answers lost
        got = await run.acquire_many([claim_name(code, k) for k in LANDED], tag=c_id)
        async with api_context(sb, tmp_path / "ctx") as ctx:
            for k in LANDED:
                body = dict(bodies[k])
                await ctx.call("addDeal", json={**body, "custom_fields": {
                    **(body.get("custom_fields") or {}), code: k}})
        for claim in got.values():
            assert isinstance(claim, Claim)
            await run.release(claim, in_doubt_outcome(sent - 1, c_id))
        await run.aclose()
        _mark_sent(tmp_path / "jobs" / c_id, LANDED)
        store, _ = await resume_job(sb, tmp_path / "jobs" / a_id, reread=True)
        store.close()
        reader = LocalClaims()
        after = await reader.outcomes([claim_name(code, k) for k in LANDED])
        await reader.aclose()
        assert Counter(str(o.get("job")) for o in after.values()) == {c_id: len(LANDED)}
        store, _ = await resume_job(sb, tmp_path / "jobs" / c_id)
        assert _actions(store)["created"] == len(LANDED)
        store.close()


def _one_row_per_person(manifest: Path) -> int:
    """Keep the first row of each person (by e-mail address) in ``manifest``; returns the
    rows kept."""
    import csv

    with open(manifest, encoding="utf-8-sig", newline="") as f:
        everyone = list(csv.DictReader(f))
    one_each = list({r["Email"].rstrip(">").rsplit("<")[-1].strip().lower(): r
                     for r in everyone}.values())
    with open(manifest, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(everyone[0]))
        writer.writeheader()
        writer.writerows(one_each)
    return len(one_each)


async def test_a_row_in_doubt_for_its_person_never_owns_a_deal_found_by_its_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """v12r6: a row's person create lost its answer (the row in doubt, its deal never
    sent); meanwhile another tool created a deal with the row's key, title and value (its
    claim names no job). The reconcile must not record that deal as this job's `created`
    (undo would delete another's deal): the row finds it and reports it `exists`."""
    import bulk.sandbox.contacts as contacts
    import bulk.sandbox.deals as sandbox_deal_rows

    export = write_demo_export(tmp_path / "in", rows=12, persons=12, broken=0,
                               unknown_stage=0)
    rows = _one_row_per_person(export.manifest)
    assert rows >= 3
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        async with api_context(sb, tmp_path / "ctx") as ctx:  # the key field only
            await ctx.call("addDealField", json={"field_name": KEY_FIELD,
                                                  "field_type": "varchar"})
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == KEY_FIELD)
        probe = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert",
            job_id="probe"))
        loaded = JobStore.open(tmp_path / "jobs" / probe)
        by_person = {str(i.payload["person"]["key"]).removeprefix("e:"):
                     (str(i.key), i.payload["deal"])
                     for i in loaded.items(ItemState.PENDING)}
        loaded.close()
        assert len(by_person) == rows
        real = contacts.create_person
        others: list[int] = []

        def create_person(acct: Any, body: object) -> Any:
            emails = body.get("emails") if isinstance(body, dict) else None
            name = next((k for k in by_person if k in repr(emails).lower()), "")
            if name:  # another tool adds this row's deal meanwhile
                key, deal = by_person.pop(name)
                made = sandbox_deal_rows.create(acct, {**deal, "custom_fields": {
                    **(deal.get("custom_fields") or {}), code: key}})
                others.append(int(made["id"]))
            return real(acct, body)

        monkeypatch.setattr(contacts, "create_person", create_person)
        sb.runtime.set_faults(Faults(lost_response_rate=1.0, only_operations=frozenset(
            {"addPerson"})))
        store, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                        export.mapping, mode="insert",
                                        create_key_field=False, job_id="A")
        assert len(others) == rows
        assert _actions(store) == {"exists": rows}
        assert not {int((i.result or {})["deal_id"]) for i in store.items(ItemState.DONE)
                    if (i.result or {}).get("action") == "created"}
        assert set(_keys(sandbox_deals(sb), code).values()) == {1}
        store.close()


async def _killed_in_flight(sb: Any, tmp_path: Path, export: Any, mode: str,
                            landed_keys: tuple[str, ...]
                            ) -> tuple[str, str, list[str], dict[str, int]]:
    """Job A loaded (key field made first), then killed with every row in flight under
    claims its dead process held; the creates of ``landed_keys`` had landed (sent with the
    rows' own bodies). Returns (A's id, the key field's code, A's keys, key → landed id)."""
    async with api_context(sb, tmp_path / "ctx0") as ctx:
        await ctx.call("addDealField", json={"field_name": KEY_FIELD, "field_type": "varchar"})
    code = next(f["field_code"] for f in sb.state.fields.values()
                if f["field_name"] == KEY_FIELD)
    a_id = await anyio.to_thread.run_sync(lambda: loaded_import(
        sb, tmp_path / "jobs", export.manifest, export.mapping, mode=mode, job_id="A"))
    a = JobStore.open(tmp_path / "jobs" / a_id)
    pending = list(a.items(ItemState.PENDING))
    keys = [str(i.key) for i in pending]
    bodies = {str(i.key): i.payload["deal"] for i in pending}
    a.mark_sending([i.id for i in pending], time.time())
    a.close()
    dead = LocalClaims(holder=_dead_holder())
    got = await dead.acquire_many([claim_name(code, k) for k in keys], tag=a_id)
    assert all(isinstance(c, Claim) for c in got.values())
    dead.close()
    landed = {}
    async with api_context(sb, tmp_path / "ctx1") as ctx:
        for k in landed_keys:
            body = dict(bodies[k])
            res = await ctx.call("addDeal", json={**body, "custom_fields": {
                **(body.get("custom_fields") or {}), code: k}})
            landed[k] = int(res.data["id"])
    _mark_sent(tmp_path / "jobs" / a_id, landed_keys)
    return a_id, code, keys, landed


async def test_an_in_doubt_create_archived_or_deleted_since_is_not_created_again(
        tmp_path: Path) -> None:
    """v9r5 finding 1: job A dies with its rows in flight; two creates had landed, and a
    colleague archives one and deletes the other before `resume A`. The reconcile looks at
    the archived and the deleted deals too: the archived one is A's create (recorded,
    not sent again), the deleted one fails its row (not re-created: the deletion stands),
    every other key gets its one deal."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        archived_key, deleted_key = LANDED[0], LANDED[1]
        a_id, code, keys, landed = await _killed_in_flight(sb, tmp_path, export, "insert",
                                                           (archived_key, deleted_key))
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("updateDeal", path={"id": landed[archived_key]},
                           json={"is_archived": True})
            await ctx.call("deleteDeal", path={"id": landed[deleted_key]})
        store, _ = await resume_job(sb, tmp_path / "jobs" / a_id)
        by_key = {i.key: i for i in store.items()}
        kept = by_key[archived_key]
        assert kept.state is ItemState.DONE and (kept.result or {})["action"] == "created"
        assert (kept.result or {})["deal_id"] == landed[archived_key]
        gone = by_key[deleted_key]
        assert gone.state is ItemState.FAILED and "deleted by someone else" in (gone.error or "")
        per_key = Counter(str(d["custom_fields"].get(code)) for d in sb.state.deals.rows.values()
                          if not d["is_deleted"])
        assert per_key[archived_key] == 1 and per_key[deleted_key] == 0
        assert all(per_key[k] == 1 for k in keys if k != deleted_key)
        store.close()


async def test_resume_counts_archived_deals_and_second_deals_added_since_the_load(
        tmp_path: Path) -> None:
    """v9r5 findings 2 and 3: an upsert stopped after its load; meanwhile a colleague adds an
    archived deal with one pending create's key, and a second (live) deal with the key of
    a pending update. `resume` (with its re-read, as the CLI runs it): the create is not
    sent (its key is on the archived deal: the row fails, naming it), the update fails
    naming both deals; nothing is doubled."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        seed, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                       mode="insert", create_key_field=True, job_id="seed")
        seed.close()
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == KEY_FIELD)
        doomed = sorted(sandbox_deals(sb), key=lambda d: d["id"])[: ROWS // 2]
        for d in doomed:  # half the keys are created again by the upsert
            d["is_deleted"], d["status"] = True, "deleted"
        for d in sandbox_deals(sb):  # the other half are updated by it
            d["title"] = "changed in Pipedrive"
        # as written by a state folder with no record of the seed's writes (with it, the
        # titles changed in Pipedrive are kept: jobs.last_written, x31r1 F1)
        (state_dir() / last_written.FILE).unlink()
        a_id = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="upsert", job_id="A"))
        a = JobStore.open(tmp_path / "jobs" / a_id)
        pending = list(a.items(ItemState.PENDING))
        create = next(i for i in pending if i.op == "create")
        update = next(i for i in pending if i.op == "update")
        a.close()
        async with api_context(sb, tmp_path / "ctx") as ctx:
            res = await ctx.call("addDeal", json={"title": "colleague's", "custom_fields": {
                code: create.key}})
            archived = int(res.data["id"])
            await ctx.call("updateDeal", path={"id": archived}, json={"is_archived": True})
            res = await ctx.call("addDeal", json={"title": "colleague's", "custom_fields": {
                code: update.key}})
            second = int(res.data["id"])
        store, _ = await resume_job(sb, tmp_path / "jobs" / a_id, reread=True)
        done = {i.id: i for i in store.items()}
        assert done[create.id].state is ItemState.FAILED
        assert str(archived) in (done[create.id].error or "")
        assert done[update.id].state is ItemState.FAILED
        assert f"matches deals {min(update.payload['deal_id'], second)}" in (
            done[update.id].error or "")
        per_key = Counter(str(d["custom_fields"].get(code)) for d in sb.state.deals.rows.values()
                          if not d["is_deleted"])
        assert per_key[str(create.key)] == 1 and per_key[str(update.key)] == 2
        store.close()


async def test_an_in_doubt_create_a_colleague_edited_before_the_resume_is_left_alone(
        tmp_path: Path) -> None:
    """v9r6 severe 1: an upsert killed with creates in flight; two had landed and a colleague
    changed one's value before `resume`. The resume PATCHed the value back to the file's
    (19 of 23 such deals). Now that row fails as a conflict, the colleague's value stays;
    the untouched landed create is recorded created; nothing is doubled."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        edited_key, kept_key = LANDED[0], LANDED[1]
        a_id, code, keys, landed = await _killed_in_flight(sb, tmp_path, export, "upsert",
                                                           (edited_key, kept_key))
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("updateDeal", path={"id": landed[edited_key]}, json={"value": 4242})
        store, _ = await resume_job(sb, tmp_path / "jobs" / a_id)
        by_key = {i.key: i for i in store.items()}
        edited = by_key[edited_key]
        assert edited.state is ItemState.FAILED and "conflict" in (edited.error or "")
        assert sb.state.deals.rows[landed[edited_key]]["value"] == 4242
        kept = by_key[kept_key]
        assert kept.state is ItemState.DONE and (kept.result or {})["action"] == "created"
        per_key = Counter(str(d["custom_fields"].get(code)) for d in sb.state.deals.rows.values()
                          if not d["is_deleted"])
        assert all(per_key[k] == 1 for k in keys)
        store.close()


async def test_an_in_doubt_create_edited_since_is_listed_by_the_jobs_undo(
        tmp_path: Path) -> None:
    """v9r17 M3: a create in doubt whose deal an automation edited within seconds failed as
    a conflict ("this job's create changed since, or another's deal"), and no job recorded
    the deal: the undo never listed it, even with --force. It is listed now, a conflict
    (its fields are not the row's) that --force deletes."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        edited_key = LANDED[0]
        a_id, _, _, landed = await _killed_in_flight(sb, tmp_path, export, "upsert",
                                                     (edited_key,))
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("updateDeal", path={"id": landed[edited_key]}, json={"value": 4242})
        store, _ = await resume_job(sb, tmp_path / "jobs" / a_id)
        async with api_context(sb, tmp_path / "ctx2") as ctx:
            plan = await prepare_undo(ctx, store)
            forced = await prepare_undo(ctx, store, force=True)
        assert any((i.payload or {}).get("deal_id") == landed[edited_key]
                   for i in plan.items), plan.actions
        assert plan.actions["conflict"] >= 1, plan.actions  # before: not listed at all
        assert any(i.op == "delete" and i.payload.get("deal_id") == landed[edited_key]
                   for i in forced.items if i.state is ItemState.PENDING), forced.actions
        store.close()


def test_a_deal_added_after_this_runs_create_failed_is_not_this_jobs(tmp_path: Path) -> None:
    """v12r7: after a FLUSHALL (claim outcomes lost), job A's create got a 5xx (in doubt,
    not applied); job B then created the key; A's reconcile took B's deal as its own. A deal
    added more than ANSWERED_MARGIN after A saw its create fail is not A's."""
    from bulk.store import Item
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.importing.base import ANSWERED_MARGIN

    store = JobStore.create(tmp_path / "j", job_id="A", kind="import", config={})
    kind = ImportJob(store, ImportSettings(manifest="m.csv", mapping="m.toml", mode="insert"), "c")
    sent = 1_700_000_000.0
    item = Item(id=1, row=1, key="K", op="create", payload={}, state=ItemState.SENDING,
                attempts=1, result=None, error=None, status=None, sent_at=sent)

    def stamp(t: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

    soon = {"id": 6, "add_time": stamp(sent + 2)}
    later = {"id": 7, "add_time": stamp(sent + 2 + ANSWERED_MARGIN + 2)}
    assert kind._not_ours(item, later, None) is None  # no failure seen: it can be A's
    kind._deal_unsent.discard(item.id)
    kind._answered_at[item.id] = sent + 1  # A's create failed in doubt at sent + 1 s
    assert kind._not_ours(item, soon, None) is None
    assert kind._not_ours(item, later, None) == "added after this run's create had failed"
    store.close()


async def test_a_row_in_doubt_whose_create_never_left_owns_no_deal_found_by_its_key(
        tmp_path: Path) -> None:
    """v12r8: after Redis lost the claims, a resumed job recorded as `created` the deals
    another host had created with its keys (86 of 400; undo then deleted them). A create
    writes that it is being sent right before it leaves (SENT_DEAL); a row in doubt with
    no such mark never left, so the deal carrying its key is another's: `exists`."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        a_id, code, keys, _ = await _killed_in_flight(sb, tmp_path, export, "insert", ())
        a = JobStore.open(tmp_path / "jobs" / a_id)
        bodies = {str(i.key): i.payload["deal"] for i in a.items()}
        a.close()
        theirs = keys[0]
        async with api_context(sb, tmp_path / "ctx") as ctx:  # another host, same body
            body = dict(bodies[theirs])
            await ctx.call("addDeal", json={**body, "custom_fields": {
                **(body.get("custom_fields") or {}), code: theirs}})
        store, _ = await resume_job(sb, tmp_path / "jobs" / a_id)
        row = next(i for i in store.items() if i.key == theirs)
        assert (row.result or {}).get("action") == "exists", row
        per_key = Counter(str(d["custom_fields"].get(code)) for d in sandbox_deals(sb))
        assert all(per_key[k] == 1 for k in keys)
        store.close()
