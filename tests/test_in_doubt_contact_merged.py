"""x39r2 F1: a person create in doubt at a kill -9 (its answer lost), merged before the
resume by a colleague into a person of another name, is settled against the survivor
that holds its e-mail now: linked, never recorded as this job's create (undo --contacts
would delete a colleague's person), never made again (a copy holding the same e-mail).
Injected clock for the claims; the sandbox's times are set by hand, no sleeps."""

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
from jobs.import_resolve import Resolver

pytestmark = pytest.mark.anyio

KEY = "e:quinn.r17@ex.example"


@pytest.mark.parametrize("path", ["learn_added", "reconcile"])
@pytest.mark.parametrize("survivor_age", [60.0, 7200.0])  # a recent create, an old person
async def test_a_person_in_doubt_merged_into_another_is_linked_not_made(
        tmp_path: Path, path: str, survivor_age: float) -> None:
    """The dead process of job "a" claimed the person, sent its create (applied, answer
    lost); a colleague merged it into "Zed Person0", added ``survivor_age`` s before the
    send. Before: a survivor added inside the look's margin was found by the e-mail and
    taken as the job's own create (the dead claim names job "a": `made-person` →
    survivor, counted created); an older one was not found and the person made again.
    Now: linked to the survivor, not made, the row's note says merged."""
    from bulk.sandbox import SandboxConfig, serve
    from bulk.sandbox.contacts import create_person
    from bulk.sandbox.merge import merge
    from tests.import_support import api_context

    now = time.time()
    clock = FakeClock(epoch=now)
    claims_path = tmp_path / "claims.sqlite3"
    dead = LocalClaims(claims_path, holder="host-a:1:1", clock=clock)
    ref: Any = {"kind": "person", "key": KEY,
                "body": {"name": "Quinn22 Row17", "email": ["quinn.r17@ex.example"]}}
    store = JobStore.create(tmp_path / "a", job_id="a", kind="import", config={})
    async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
        zed = create_person(sb.state, {"name": "Zed11 Person0",
                                       "emails": [{"value": "zed0@ex.example"}]})
        stamp = format_time(now - survivor_age)
        sb.state.persons.rows[zed["id"]] = {**sb.state.persons.rows[zed["id"]],
                                            "add_time": stamp, "update_time": stamp}
        held = await acquire(dead, f"person\x1fS\x1f{KEY}", tag="a")  # the dead process
        assert isinstance(held, Claim)
        mine = create_person(sb.state, {"name": "Quinn22 Row17",
                                        "emails": [{"value": "quinn.r17@ex.example"}]})
        merge(sb.state, "person", int(mine["id"]), {"merge_with_id": zed["id"]})
        dead.close()
        clock.advance(3600)  # its lease long over: the resume takes the claim over
        claims = LocalClaims(claims_path, holder="host-a:2:2", clock=clock)
        astore = AsyncJobStore(store)
        resumed = Resolver(astore, claims=lambda: claims, scope=lambda: "S", job_id="a")
        async with api_context(sb, tmp_path) as ctx:
            since = now - 120.0
            if path == "learn_added":
                await resumed.learn_added(ctx, [ref], since)
            else:
                await resumed.reconcile(ctx, [ref], since)
            assert resumed.known(ref) == zed["id"]  # before (old survivor): None, made again
            assert not resumed.made(ref)  # before (recent survivor): the job's own create
            assert resumed.created["person"] == 0
            assert await astore.lookup_get_many("made-person", [KEY]) == {}
            assert await resumed.resolve(ctx, ref) == zed["id"]  # nothing sent
        live = [p for p in sb.state.persons.rows.values() if not p["is_deleted"]]
        assert [p["id"] for p in live] == [zed["id"]]  # no copy
        [note] = resumed.survived({"person": ref}).values()
        assert "merged" in note and str(zed["id"]) in note, note
        claims.close()
    store.close()
