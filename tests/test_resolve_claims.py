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

from bulk.claims import Claim, LocalClaims, acquire
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
