"""Persons / organizations get the deal path's protections (F3/F4): the claim on a create is
proved held right before the send — after the call's admission, not before its wait for its
turn — and a create whose claim was lost meanwhile (the claims' state flushed, or the
process frozen past its lease while another took the claim over) is not sent: it claims
again and finds what the other run created. Injected clock, no sleeps."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bulk.claims import Claim, acquire
from bulk.claims_open import LocalClaims
from bulk.clock import FakeClock
from bulk.errors import NotSent
from bulk.store import AsyncJobStore, JobStore
from jobs.account import org_key
from jobs.import_resolve import Resolver

pytestmark = pytest.mark.anyio


class _Ctx:
    """A CallContext whose addOrganization waits its turn while ``meanwhile`` happens (the
    claim lost), then applies the guard as the runner does."""

    def __init__(self, clock: FakeClock, meanwhile: Any) -> None:
        self.clock, self.meanwhile = clock, meanwhile
        self.sent: list[str] = []

    async def until_stopped(self, awaitable: Any) -> Any:
        return await awaitable

    async def call(self, op: str, *, path: Any = None, params: Any = None, json: Any = None,
                   guard: Any = None) -> Any:
        if op == "addOrganization":
            await self.meanwhile()
            if guard is not None and not await guard():
                raise NotSent(op)
            self.sent.append(op)
            return SimpleNamespace(data={"id": 99, "name": json["name"]})
        assert op == "getOrganization" and path == {"id": 77}, op
        return SimpleNamespace(data={"id": 77, "name": "Initech"})


@pytest.mark.parametrize("how", ["state flushed", "frozen past the lease"])
async def test_an_org_whose_claim_was_lost_while_waiting_its_turn_is_not_created_twice(
        tmp_path: Path, how: str) -> None:
    clock, other_clock = FakeClock(), FakeClock()
    path = tmp_path / "claims.sqlite3"
    mine = LocalClaims(path, holder="host-a:1:1", clock=clock)
    other = LocalClaims(path, holder="host-b:2:2", clock=other_clock)
    key = org_key("Initech")
    assert key
    name = f"org\x1fS\x1f{key}"
    done = False

    async def meanwhile() -> None:  # once: the other run creates the org as 77
        nonlocal done
        if done:
            return
        done = True
        if how == "state flushed":
            mine._conn.execute("DELETE FROM claims")  # the state lost (FLUSHALL)
        else:
            other_clock.advance(400)  # past the 300 s lease: the other run takes it over
        # this run's time holds still meanwhile: the take-over's SQLite work leaves the
        # loop idle, and the fake clock would jump and let this run's lease keeper renew
        # (a CI run saw the claim still held at +400 s)
        with clock.busy():
            got = await acquire(other, name)
            assert isinstance(got, Claim)
            await other.release(got, {"id": 77})
        clock.advance(400 if how != "state flushed" else 0)

    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    resolver = Resolver(AsyncJobStore(store), claims=lambda: mine, scope=lambda: "S",
                        lease=300.0)
    ctx = _Ctx(clock, meanwhile)
    rid = await resolver.resolve(ctx, {"kind": "org", "key": key,  # type: ignore[arg-type]
                                       "body": {"name": "Initech"}})
    assert ctx.sent == []  # never sent on a lost claim
    assert rid == 77 and not resolver.made({"kind": "org", "key": key})
    assert resolver.claims_lost == 1
    mine.close()
    other.close()
    store.close()


async def test_a_call_whose_guard_says_no_is_not_sent(tmp_path: Path) -> None:
    """The runner awaits ``guard`` after admission, right before the send: False → NotSent,
    nothing reaches the server; True → sent as usual."""
    from bulk.sandbox import SandboxConfig, serve
    from tests.import_support import api_context

    async def no() -> bool:
        return False

    async def yes() -> bool:
        return True

    async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
        async with api_context(sb, tmp_path) as ctx:
            before = sb.stats()["requests_by_operation"].get("addOrganization", 0)
            with pytest.raises(NotSent):
                await ctx.call("addOrganization", json={"name": "Initech"}, guard=no)
            assert sb.stats()["requests_by_operation"].get("addOrganization", 0) == before
            await ctx.call("addOrganization", json={"name": "Initech"}, guard=yes)
            assert sb.stats()["requests_by_operation"].get("addOrganization", 0) == before + 1


class _LosesAnswer:
    """A CallContext on the sandbox whose first addOrganization is applied but its answer
    lost (InDoubt), as a dropped connection after the server applied it."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.clock, self.lost = inner, inner.clock, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def call(self, op: str, **kw: Any) -> Any:
        res = await self.inner.call(op, **kw)
        if op == "addOrganization" and not self.lost:
            self.lost += 1
            from bulk.errors import InDoubt

            raise InDoubt("addOrganization: answer lost", operation=op)
        return res


async def test_a_create_in_doubt_does_not_hold_its_claim_against_another_run(
        tmp_path: Path) -> None:
    """#9 F3: a run whose create of an organization is in doubt released its claim only
    after its pass ended; another run needing the organization waited CLAIM_WAIT (120 s)
    and failed the row — and two runs each keeping a claim the other waits for stalled
    both. Now the claim is released at once, in doubt: the other run takes it, looks the
    organization up (no wait, nothing created twice) and links the one the first run made,
    which stays the first job's create (summary, undo --contacts)."""
    import time

    from bulk.errors import InDoubt
    from bulk.sandbox import SandboxConfig, serve
    from tests.import_support import api_context

    clock = FakeClock(epoch=time.time())  # the claims' wall time is the sandbox's
    path = tmp_path / "claims.sqlite3"
    claims_a = LocalClaims(path, holder="host-a:1:1", clock=clock)
    claims_b = LocalClaims(path, holder="host-b:2:2", clock=clock)
    key = org_key("Initech")
    assert key
    ref: Any = {"kind": "org", "key": key, "body": {"name": "Initech"}}
    store_a = JobStore.create(tmp_path / "a", job_id="a", kind="import", config={})
    store_b = JobStore.create(tmp_path / "b", job_id="b", kind="import", config={})
    a = Resolver(AsyncJobStore(store_a), claims=lambda: claims_a, scope=lambda: "S",
                 job_id="a")
    b = Resolver(AsyncJobStore(store_b), claims=lambda: claims_b, scope=lambda: "S",
                 job_id="b")
    async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
        async with api_context(sb, tmp_path) as ctx:
            since = time.time()
            with pytest.raises(InDoubt):
                await a.resolve(_LosesAnswer(ctx), ref)  # type: ignore[arg-type]
            waited_from = clock.now()
            rid = await b.resolve(ctx, ref)  # A's pass has not ended: A has not reconciled
            assert clock.now() - waited_from < 1.0  # not CLAIM_WAIT
            orgs = [o for o in sb.state.orgs.rows.values() if not o["is_deleted"]]
            assert [o["id"] for o in orgs] == [rid]  # found, not created twice
            assert not b.made(ref) and b.created["org"] == 0
            await claims_b.flush()  # B's releases go with its next batch's claims
            await a.reconcile(ctx, [ref], since - 120.0)  # A's pass ends
            assert await a.resolve(ctx, ref) == rid and a.made(ref)
    for c in (claims_a, claims_b):
        c.close()
    for s in (store_a, store_b):
        s.close()


def test_a_record_added_after_this_runs_create_failed_is_not_made_here(tmp_path: Path) -> None:
    """v12r7: after a FLUSHALL, a person / organization counted as made by two jobs. One
    added more than ANSWERED_MARGIN after this process saw its create fail in doubt is
    another run's."""
    from jobs.importing.base import ANSWERED_MARGIN

    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    resolver = Resolver(AsyncJobStore(store), job_id="j")
    k = ("org", "initech")
    assert not resolver._after_failure(k, 1000.0)  # no failure seen
    resolver._answered_at[k] = 990.0
    assert not resolver._after_failure(k, 990.0 + ANSWERED_MARGIN - 1)
    assert resolver._after_failure(k, 990.0 + ANSWERED_MARGIN + 1)
    store.close()


@pytest.mark.anyio
async def test_look_ups_a_young_claims_state_asks_for_are_shared(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """v12r8 medium: within a minute of an emptied Redis, each person's claim (had a moment
    after the last scan began) asked for a scan of its own — getPersons once per person,
    2.4x the plan. The claims had while a scan is recent wait for the next one and share
    it: 40 claims, one every 50 ms (2 s), make at most 3 scans (before: 40). On the run's
    clock (``ctx.clock``), virtual: the waits between scans cost no real time."""
    import anyio

    import jobs.import_resolve as resolve_mod

    clock = FakeClock()
    ctx = SimpleNamespace(clock=clock)
    scans: list[float] = []

    async def added_since(ctx: Any, operation: str, since: float) -> list[dict[str, Any]]:
        scans.append(clock.wall())
        return []

    monkeypatch.setattr(resolve_mod, "added_since", added_since)
    monkeypatch.setattr(resolve_mod, "RESCAN_EVERY", 1.0, raising=False)
    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    resolver = Resolver(AsyncJobStore(store), claims=lambda: None,  # type: ignore[arg-type,return-value]
                        scope=lambda: "S", lease=300.0)
    since = clock.wall() - 60

    async def claim_had_now() -> None:
        await resolver._lost_scan(ctx, "person", since, clock.wall())  # type: ignore[arg-type]

    began = clock.now()
    with anyio.fail_after(10):  # real seconds: virtual time never waits them
        async with anyio.create_task_group() as tg:
            for _ in range(40):
                tg.start_soon(claim_had_now)
                await clock.sleep(0.05)
    took = clock.now() - began  # 2 s of virtual time, and the last rescan's wait
    assert 2.0 <= took <= 3.5, took
    assert 1 <= len(scans) <= 3 < 40, scans
    store.close()


async def test_a_contact_this_job_created_before_a_kill_is_its_own_on_resume(
        tmp_path: Path) -> None:
    """v9r17 M2 (3 of 8 kills): a process of job "a" claimed organization Initech, sent its
    create (applied) and died before the answer was written. The resume's look for
    contacts added since the load credited it to "someone": not counted as created, and
    `undo --contacts` left it behind. The dead process's claim names job "a": the
    organization is the job's own; one a colleague added (no claim) is not."""
    import time

    from bulk.sandbox import SandboxConfig, serve
    from bulk.sandbox.contacts import create_org
    from tests.import_support import api_context

    clock = FakeClock(epoch=time.time())
    path = tmp_path / "claims.sqlite3"
    dead = LocalClaims(path, holder="host-a:1:1", clock=clock)
    mine, theirs = org_key("Initech"), org_key("Globex")
    assert mine and theirs
    refs: list[Any] = [{"kind": "org", "key": k, "body": {"name": n}}
                       for k, n in ((mine, "Initech"), (theirs, "Globex"))]
    store = JobStore.create(tmp_path / "a", job_id="a", kind="import", config={})
    async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
        since = time.time() - 1
        held = await acquire(dead, f"org\x1fS\x1f{mine}", tag="a")  # the dead process
        assert isinstance(held, Claim)
        create_org(sb.state, {"name": "Initech"})  # its create applied
        create_org(sb.state, {"name": "Globex"})  # a colleague's
        dead.close()
        clock.advance(3600)  # its lease long over: the next holder takes it over
        claims = LocalClaims(path, holder="host-a:2:2", clock=clock)
        resumed = Resolver(AsyncJobStore(store), claims=lambda: claims, scope=lambda: "S",
                           job_id="a")
        async with api_context(sb, tmp_path) as ctx:
            learnt = await resumed.learn_added(ctx, refs, since - 120.0)
        assert learnt["org"] == 1  # Globex only: someone else's
        assert resumed.made(refs[0]) and resumed.created["org"] == 1  # before: not made
        assert not resumed.made(refs[1])
        claims.close()
    store.close()


async def test_a_contact_this_job_made_for_another_row_is_not_someones_on_resume(
        tmp_path: Path) -> None:
    """x37r1 F6: a migration killed and resumed said "1 person(s) ... were added by
    someone since the load" — the person was this job's own: made for another row's
    e-mail (its "made-person" lookup), it answered the pending row's e-mail too (merged
    with the person the job had made for that row). Its claim names the merged-away id,
    so the claim alone never said so. A record the job made, whatever key it was made
    for, is its own: linked, counted apart ("person-own"), not counted as created twice;
    one a colleague added is still someone's."""
    import time

    from bulk.sandbox import SandboxConfig, serve
    from bulk.sandbox.contacts import create_person
    from tests.import_support import api_context

    clock = FakeClock(epoch=time.time())
    claims = LocalClaims(tmp_path / "claims.sqlite3", holder="host-a:2:2", clock=clock)
    refs: list[Any] = [{"kind": "person", "key": f"e:{m}", "body": {"name": "x"}}
                       for m in ("jo@ex.example", "col@ex.example")]
    store = JobStore.create(tmp_path / "a", job_id="a", kind="import", config={})
    async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
        since = time.time() - 1
        both = create_person(sb.state, {"name": "In Bro", "emails": [
            {"value": "in@ex.example"}, {"value": "jo@ex.example"}]})  # the survivor
        create_person(sb.state, {"name": "Col", "emails": [{"value": "col@ex.example"}]})
        astore = AsyncJobStore(store)
        await astore.lookup_put_many("person", [("e:in@ex.example", int(both["id"]))],
                                     also=("made-person",))
        resumed = Resolver(astore, claims=lambda: claims, scope=lambda: "S", job_id="a")
        async with api_context(sb, tmp_path) as ctx:
            learnt = await resumed.learn_added(ctx, refs, since - 120.0)
        assert learnt["person"] == 1  # the colleague's only (before: 2, "someone")
        assert learnt["person-own"] == 1
        assert resumed.known(refs[0]) == both["id"]
        assert resumed.created["person"] == 0  # counted once, for the row it was made for
        claims.close()
    store.close()


async def test_a_resume_links_no_one_someone_added_by_a_name_alone(tmp_path: Path) -> None:
    """x17r1 S1: while an import was stopped a colleague added "Grace Hopper" with an
    e-mail; the resume's look for persons added since linked every pending "Grace
    Hopper" row (no e-mail, no phone) to her, reported as created. A name alone links no
    one someone else added — with an e-mail, or without anything; a person of the name at
    the row's organization (a new one of this file, known by its id) and one with the
    row's phone still are, as the account's name+org and name+phone matches link them —
    the phone by its number with its country code too, as a row giving one keys its
    person (before, a person created under such a key in doubt was never found again)."""
    import time

    from bulk.sandbox import SandboxConfig, serve
    from bulk.sandbox.contacts import create_org, create_person
    from jobs.import_resolve import person_key_at
    from tests.import_support import api_context

    org = org_key("Initech")
    assert org
    keys = {"alone": "n:grace hopper", "at": person_key_at("ada lovelace", ("key", org)),
            "phone": "n:alan turing|p:+15551234567", "bare": "n:edsger dijkstra"}
    refs: list[Any] = [{"kind": "person", "key": k, "body": {"name": "x"}}
                       for k in keys.values()]
    store = JobStore.create(tmp_path / "a", job_id="a", kind="import", config={})
    async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
        since = time.time() - 1
        initech = create_org(sb.state, {"name": "Initech"})
        create_person(sb.state, {"name": "Grace Hopper",
                                 "emails": [{"value": "grace@navy.mil"}]})
        create_person(sb.state, {"name": "Edsger Dijkstra"})  # nothing but the name
        at = create_person(sb.state, {"name": "Ada Lovelace", "org_id": initech["id"]})
        phoned = create_person(sb.state, {"name": "Alan Turing",
                                          "phones": [{"value": "+1 555 123 4567"}]})
        await AsyncJobStore(store).lookup_put_many("org", [(org, int(initech["id"]))])
        resolver = Resolver(AsyncJobStore(store), job_id="a")
        async with api_context(sb, tmp_path) as ctx:
            learnt = await resolver.learn_added(ctx, refs, since - 120.0)
        assert learnt["person"] == 2, resolver._ids
        assert resolver._ids.get(("person", keys["at"])) == at["id"]
        assert resolver._ids.get(("person", keys["phone"])) == phoned["id"]
        assert ("person", keys["alone"]) not in resolver._ids
        assert ("person", keys["bare"]) not in resolver._ids
    store.close()


class _PutFailsOnce(AsyncJobStore):
    """A job store whose first write of lookups fails (a full disk): after the create's
    answer, before its lookups are written."""

    failed = 0

    async def lookup_put_many(self, *args: Any, **kw: Any) -> int:
        if not self.failed:
            self.failed += 1
            from bulk.errors import StoreError

            raise StoreError("job.sqlite: database or disk is full")
        return await super().lookup_put_many(*args, **kw)


async def test_an_org_created_before_its_lookup_write_failed_stays_this_jobs(
        tmp_path: Path) -> None:
    """f23c: an organization whose create was answered, and whose lookup write then failed,
    released its claim bare: no record named the organization, nor this job as its creator
    (what a later run, or this job's resume, reads to tell its own create from another's).
    Now the claim names it as this job's create as soon as the answer does."""
    from bulk.errors import StoreError
    from bulk.sandbox import SandboxConfig, serve
    from tests.import_support import api_context

    claims = LocalClaims(tmp_path / "claims.sqlite3", holder="host-a:1:1")
    key = org_key("Initech")
    assert key
    ref: Any = {"kind": "org", "key": key, "body": {"name": "Initech"}}
    store = JobStore.create(tmp_path / "a", job_id="a", kind="import", config={})
    resolver = Resolver(_PutFailsOnce(store), claims=lambda: claims, scope=lambda: "S",
                        job_id="a")
    async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
        async with api_context(sb, tmp_path) as ctx:
            with pytest.raises(StoreError):
                await resolver.resolve(ctx, ref)
            await claims.flush()
            [org] = [o for o in sb.state.orgs.rows.values() if not o["is_deleted"]]
            name = resolver._name(("org", key))
            named = dict((await claims.outcomes([name])).get(name) or {})
            assert isinstance(named.pop("at", None), float), named  # when it was released
            assert named == {"id": org["id"], "job": "a"}
    claims.close()
    store.close()


@pytest.mark.parametrize(("learnt", "lines"), [
    ({"person": 0, "org": 0}, []),  # looked, found nothing: no line (before: "0 ... 0")
    ({"person": 1, "org": 0, "person-own": 0, "org-own": 0}, ["added by someone"]),
    ({"person": 0, "org": 0, "person-own": 1, "org-own": 0}, ["this job made"]),
])
async def test_a_resume_says_whose_the_contacts_added_since_are(
        learnt: dict[str, int], lines: list[str]) -> None:
    """x37r1 F6: the resume's line for the contacts added since the load names the job's
    own apart from someone's, and says nothing when nothing was found (before, a look
    that found nothing printed "0 person(s) and 0 organization(s) ... added by
    someone", seen 2 of 2 kills of the tester's migration)."""
    from collections import Counter

    from jobs.importing.resume import _Resume

    async def learn_added(*_: Any) -> Counter[str]:
        return Counter(learnt)

    fake = SimpleNamespace(_new_contacts=lambda store: [{"kind": "person", "key": "e:a"}],
                           resolver=SimpleNamespace(learn_added=learn_added))
    ctx = SimpleNamespace(clock=SimpleNamespace(wall=lambda: 0.0))  # the re-read's time (f40a)
    said = await _Resume._contacts_again(fake, ctx, SimpleNamespace(created_at=0.0))  # type: ignore[arg-type]
    assert len(said) == len(lines), said
    assert all(w in s for w, s in zip(lines, said, strict=True)), said
