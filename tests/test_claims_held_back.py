"""A run whose keys another live run holds holds those rows back, goes on with the rest, and
reads the deals the released claims name together (100 a list call), not one getDeal a row
(x31r3 F4); it still never creates a key a live run holds."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.claims import Claim, Claims, acquire, holder_id
from bulk.claims_open import LocalClaims
from bulk.sandbox import SandboxConfig, serve
from jobs.demo_data import write_demo_export
from jobs.importing import claim_name
from tests.held_up import HeldUp
from tests.import_support import import_once, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
KEY_FIELD = "Import source key"
ROWS = 24



def _requests(sb: Any) -> Counter[str]:
    return Counter(sb.stats()["requests_by_operation"])


@pytest.mark.parametrize("coordinator", ["local", "redis"])
async def test_keys_a_live_run_holds_are_held_back_and_their_deals_read_together(
        tmp_path: Path, sleeper: int, monkeypatch: pytest.MonkeyPatch, coordinator: str) -> None:
    """Another live run holds every key of the file and creates the deals one by one: this
    insert holds its rows back (nothing created), then reads the deals the released claims
    name in one list call, each row `exists` on the other run's deal, no getDeal a row —
    with the local claims and on a shared coordinator (Redis)."""
    if coordinator == "local":
        await _held_back_then_read_together(tmp_path, sleeper, monkeypatch,
                                            lambda holder: LocalClaims(holder=holder))
        return
    import jobs.importing.base as importing  # where ImportJob.claims looks up open_claims
    from bulk.claims_redis import RedisClaims
    from tests.redis_helpers import running_redis

    with running_redis() as server:
        def on_redis(holder: str) -> Claims:  # this run's claims too, from here on
            monkeypatch.setattr(importing, "open_claims",
                                lambda *a, **_: RedisClaims(server.url, "co"))
            return RedisClaims(server.url, "co", holder=holder)

        await _held_back_then_read_together(tmp_path, sleeper, monkeypatch, on_redis)


async def _held_back_then_read_together(tmp_path: Path, sleeper: int,
                                        monkeypatch: pytest.MonkeyPatch,
                                        other_claims: Callable[[str], Claims]) -> None:
    """The other run (``other_claims(holder)``: its claims, opened once the seed is
    made) holds every key and creates the deals one by one; this insert runs meanwhile."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        # the other run's deals, made in another state folder (its claims are not this one's)
        with monkeypatch.context() as m:
            m.setenv("PDBULK_STATE_DIR", str(tmp_path / "other-state"))
            seed, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                           export.mapping, mode="insert", job_id="seed")
            seed.close()
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == KEY_FIELD)
        theirs = {d["custom_fields"][code]: d for d in sandbox_deals(sb)}
        assert len(theirs) == ROWS
        for deal in theirs.values():  # not made yet when this run loads
            deal["is_deleted"] = True
        holder = other_claims(holder_id(sleeper))
        claims: dict[str, Claim] = {}
        for key in theirs:
            got = await acquire(holder, claim_name(code, key))
            assert isinstance(got, Claim)
            claims[key] = got

        held_up = HeldUp(monkeypatch)

        async def other_run_creates() -> None:
            await held_up.wait(ROWS)  # every row of this run held back: it has loaded
            for key, deal in sorted(theirs.items()):  # released one by one, as it creates
                deal["is_deleted"] = False
                await holder.release(claims[key], {"deal_id": deal["id"], "job": "other"})
                await anyio.sleep(0.01)

        before = _requests(sb)
        async with anyio.create_task_group() as tg:
            tg.start_soon(other_run_creates)
            store, _, kind = await import_once(sb, tmp_path / "jobs", export.manifest,
                                               export.mapping, mode="insert",
                                               create_key_field=False, job_id="second")
        spent = _requests(sb) - before
        await holder.aclose()
        keys = Counter(d["custom_fields"].get(code) for d in sandbox_deals(sb))
        assert len(keys) == ROWS and max(keys.values()) == 1, keys  # nothing doubled
        rows = {i.key: i for i in store.items()}
        assert {r.result["action"] for r in rows.values() if r.result} == {"exists"}, [
            (r.key, r.state, r.error) for r in rows.values()]
        assert all(r.result and r.result["deal_id"] == theirs[k]["id"] for k, r in rows.items())
        assert spent["addDeal"] == 0
        # before: one getDeal a row (24), each row's worker waiting on its key
        assert spent["getDeal"] == 0, spent
        # the load's list and one read of the 24 deals by id
        assert spent["getDeals"] <= 2, spent
        assert kind.claim_waits == ROWS
        store.close()


@pytest.fixture
def mortal() -> Iterator[subprocess.Popen[bytes]]:
    """Another live process, for the test to kill (the other run, dying)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


async def test_rows_held_back_behind_a_run_that_dies_are_reconciled_not_doubled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        mortal: subprocess.Popen[bytes]) -> None:
    """The run holding every key dies (killed) after creating half of them, never releasing
    a claim: the rows held back take its claims over once it is gone and look their keys
    up (one scan), so the deals it made are `exists` and only the other half is created."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        with monkeypatch.context() as m:
            m.setenv("PDBULK_STATE_DIR", str(tmp_path / "other-state"))
            seed, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                           export.mapping, mode="insert", job_id="seed")
            seed.close()
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == KEY_FIELD)
        theirs = {d["custom_fields"][code]: d for d in sandbox_deals(sb)}
        for deal in theirs.values():
            deal["is_deleted"] = True
        holder = LocalClaims(holder=holder_id(mortal.pid))
        for key in theirs:
            assert isinstance(await acquire(holder, claim_name(code, key)), Claim)
        made = sorted(theirs)[::2]

        held_up = HeldUp(monkeypatch)

        async def other_run_dies() -> None:
            await held_up.wait(ROWS)  # every row of this run held back: it has loaded
            for key in made:  # created (now: after this run's load), never released
                theirs[key]["is_deleted"] = False
                theirs[key]["add_time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                        time.gmtime())
            mortal.kill()
            await anyio.to_thread.run_sync(mortal.wait)

        async with anyio.create_task_group() as tg:
            tg.start_soon(other_run_dies)
            store, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                            export.mapping, mode="insert",
                                            create_key_field=False, job_id="second")
        await holder.aclose()
        keys = Counter(d["custom_fields"].get(code) for d in sandbox_deals(sb))
        assert len(keys) == ROWS and max(keys.values()) == 1, keys
        actions = {i.key: (i.result or {}).get("action") for i in store.items()}
        assert {k for k, a in actions.items() if a == "exists"} == set(made), actions
        assert {k for k, a in actions.items() if a == "created"} == set(theirs) - set(made)
        store.close()
