"""f41j F1: a person / organization create in doubt (its answer lost) while another run
(another state folder, a colleague, another integration) made a record of the same key
after the load, before this create was sent: the reconcile finds its own create among
those answering the key — the one it can have made (added after its claim, the name it
sent) — and links it as this job's; the other run's is left for the end-of-run doubles
check to name. Before, the lowest id (the other run's) was taken for the survivor the
create "merged away" into, and the job's own record was left with no deal, named by no
run. Injected clock for the claims; the sandbox's times are set by hand, no sleeps."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bulk.claims import Claim, acquire
from bulk.claims_open import LocalClaims
from bulk.clock import FakeClock
from bulk.sandbox.values import format_time
from bulk.store import AsyncJobStore, JobStore
from jobs.account import org_key
from jobs.import_resolve import Resolver

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("kind", ["person", "org"])
@pytest.mark.parametrize("path", ["learn_added", "reconcile"])
async def test_own_create_in_doubt_is_found_beside_another_runs_record(
        tmp_path: Path, path: str, kind: str) -> None:
    """Another run made "Ada Row4" (same e-mail) / "Acme Row4" 60 s after this job's load
    and before its claim; this job's create of the same name was applied, its answer
    lost. Now: this job's record is the key's (counted made, no "merged" note); the
    other's is not taken for it."""
    from bulk.sandbox import SandboxConfig, serve
    from bulk.sandbox.contacts import create_org, create_person
    from tests.import_support import api_context

    now = time.time()
    clock = FakeClock(epoch=now)
    claims_path = tmp_path / "claims.sqlite3"
    dead = LocalClaims(claims_path, holder="host-a:1:1", clock=clock)
    if kind == "person":
        key = "e:ada.r4@ex.example"
        body: dict[str, Any] = {"name": "Ada Row4", "email": ["ada.r4@ex.example"]}
        sandbox_body: dict[str, Any] = {"name": "Ada Row4",
                                        "emails": [{"value": "ada.r4@ex.example"}]}
        make: Any = create_person
        table = "persons"
    else:
        key = str(org_key("Acme Row4"))
        body = sandbox_body = {"name": "Acme Row4"}
        make, table = create_org, "orgs"
    ref: Any = {"kind": kind, "key": key, "body": body}
    store = JobStore.create(tmp_path / "a", job_id="a", kind="import", config={})
    async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
        rows = getattr(sb.state, table).rows
        theirs = make(sb.state, dict(sandbox_body))  # another run's, after the load
        stamp = format_time(now - 60.0)
        rows[theirs["id"]] = {**rows[theirs["id"]], "add_time": stamp, "update_time": stamp}
        held = await acquire(dead, f"{kind}\x1fS\x1f{key}", tag="a")  # this job's claim
        assert isinstance(held, Claim)
        mine = make(sb.state, dict(sandbox_body))  # applied, its answer lost
        dead.close()
        clock.advance(3600)  # its lease long over: the claim is taken over
        claims = LocalClaims(claims_path, holder="host-a:2:2", clock=clock)
        astore = AsyncJobStore(store)
        resolver = Resolver(astore, claims=lambda: claims, scope=lambda: "S", job_id="a")
        async with api_context(sb, tmp_path) as ctx:
            since = now - 120.0  # the job's load
            if path == "learn_added":
                await resolver.learn_added(ctx, [ref], since)
            else:
                await resolver.reconcile(ctx, [ref], since)
            # before: theirs, "merged away since", the job's own left with no deal
            assert resolver.known(ref) == mine["id"]
            assert resolver.made(ref)
            assert await astore.lookup_get_many(f"made-{kind}", [key]) == {key: mine["id"]}
            assert await resolver.resolve(ctx, ref) == mine["id"]  # nothing sent
        assert resolver.survived({kind: ref}) == {}  # no "merged away" note
        live = sorted(r["id"] for r in rows.values() if not r["is_deleted"])
        assert live == sorted([theirs["id"], mine["id"]])  # no third
        claims.close()
    store.close()
