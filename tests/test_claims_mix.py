"""Coordinated and uncoordinated runs on one machine exclude each other whichever starts
first (#12 F1): a coordinated run's claims are taken in the machine's local claims too
(``DualClaims``); the local claims file holds keyed digests, never a source key or e-mail
(#12); a dead holder's tag (its job) reaches whoever takes its claim over (#12 F3)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.claims import Claim, Held, acquire, holder_id, state_dir
from bulk.claims_open import LocalClaims, open_claims
from bulk.coordinator import ENV_COORDINATOR, bind_company
from tests.redis_helpers import born_long_ago, redis_binary, running_redis

pytestmark = pytest.mark.anyio
NAME = "deal-key\x1fcode\x1fHS-1"
needs_redis = pytest.mark.skipif(redis_binary() is None,
                                 reason="no redis-server (scripts/ensure_redis.sh)")


@pytest.fixture
def other_process() -> Iterator[str]:
    """The holder id of another live process (a sleeping child): another run."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield holder_id(proc.pid)
    finally:
        proc.kill()
        proc.wait(10)


def _dead_holder() -> str:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(10)
    return f"{holder_id().split(':')[0]}:{proc.pid}:gone"


def _file_bytes(directory: Path) -> bytes:
    """The claims file with its WAL and shared-memory files."""
    return b"".join(p.read_bytes() for p in sorted(directory.glob("claims.sqlite3*")))


@needs_redis
@pytest.mark.parametrize("first", ["uncoordinated", "coordinated"])
async def test_coordinated_and_local_runs_exclude_each_other_in_either_order(
        first: str, other_process: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An uncoordinated run (local claims) holding key K blocks a coordinated run's claim on
    K, and the other way round; once released, the other gets K with the outcome."""
    with running_redis() as server:
        born_long_ago(server)
        monkeypatch.setenv(ENV_COORDINATOR, server.url)
        bind_company("42")
        try:
            coordinated = open_claims()
            local = LocalClaims(holder=other_process)  # the uncoordinated run
            runs = {"uncoordinated": local, "coordinated": coordinated}
            later = coordinated if first == "uncoordinated" else local
            got = await acquire(runs[first], NAME, tag="A")
            assert isinstance(got, Claim)
            assert isinstance(await acquire(later, NAME, tag="B"), Held)
            await runs[first].release(got, {"deal_id": 7, "job": "A"})
            again = await acquire(later, NAME, tag="B")
            assert isinstance(again, Claim) and again.previous == {"deal_id": 7, "job": "A"}
            await later.release(again)
            await coordinated.aclose()
            local.close()
        finally:
            bind_company(None)


async def test_local_claims_file_holds_no_names_and_old_files_are_migrated(
        tmp_path: Path, other_process: str) -> None:
    """The claims file keeps a keyed digest of each name (a source key, an e-mail), never
    the name; a file of the previous version (names in clear) is migrated on open, its
    held claims and outcomes kept."""
    path = tmp_path / "claims.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE claims (name TEXT PRIMARY KEY, holder TEXT, acquired REAL "
                "NOT NULL, expires REAL NOT NULL, outcome TEXT)")
    old.execute("INSERT INTO claims VALUES (?, ?, 0, 1e12, NULL)",
                ("person\x1fcode\x1fe:sam@example.com", other_process))
    old.execute("INSERT INTO claims VALUES (?, NULL, 1e12, 1e12, ?)",
                ("deal-key\x1fcode\x1fHS-9", '{"deal_id": 9}'))
    old.commit()
    old.close()
    claims = LocalClaims(path)
    assert isinstance(await acquire(claims, "person\x1fcode\x1fe:sam@example.com"), Held)
    got = await acquire(claims, "deal-key\x1fcode\x1fHS-9")
    assert isinstance(got, Claim) and got.previous == {"deal_id": 9}
    await acquire(claims, NAME)
    claims.close()
    raw = _file_bytes(tmp_path)
    for secret in (b"sam@example.com", b"HS-9", b"HS-1"):
        assert secret not in raw
    assert (tmp_path / "claims.key").stat().st_mode & 0o777 == 0o600
    assert path.stat().st_mode & 0o777 == 0o600


async def test_a_dead_holders_tag_reaches_the_taker(tmp_path: Path) -> None:
    """Whoever takes over the claim of a holder that died learns the tag (job) it held the
    claim for: a deal then found under the key was sent by that job."""
    dead = LocalClaims(tmp_path / "c.db", holder=_dead_holder())
    assert isinstance(await acquire(dead, NAME, tag="job-A"), Claim)
    me = LocalClaims(tmp_path / "c.db")
    taken = await acquire(me, NAME, tag="job-B")
    assert isinstance(taken, Claim) and taken.reconcile and taken.prev_tag == "job-A"
    await me.release(taken)
    assert (await acquire(me, NAME)).prev_tag is None  # type: ignore[union-attr]
    dead.close()
    me.close()
    assert state_dir() != tmp_path


async def test_stores_that_disagree_on_the_outcome_say_look_it_up(tmp_path: Path,
                                                                 other_process: str) -> None:
    """When the local and the shared store name different outcomes for one name (a run of
    one store did it again since — e.g. the deal of the older outcome was deleted), which is
    the newer is unknown: the merged claim says ``reconcile`` from the start, never trusts
    either outcome alone (a stale one read as "gone" made the taker create a second deal)."""
    from bulk.claims_open import DualClaims

    def store(name: str, holder: str | None = None) -> LocalClaims:
        return LocalClaims(tmp_path / name / "claims.sqlite3", holder=holder)

    for where, outcome in (("local", {"deal_id": 2}), ("shared", {"deal_id": 9})):
        before = store(where, other_process)
        got = await acquire(before, NAME)
        await before.release(got, outcome)  # type: ignore[arg-type]
        before.close()
    dual = DualClaims(store("local"), store("shared"))
    merged = await acquire(dual, NAME)
    assert isinstance(merged, Claim) and merged.reconcile and merged.since is None
    await dual.release(merged, {"deal_id": 9})
    again = await acquire(dual, NAME)  # both agree now: trusted
    assert isinstance(again, Claim) and not again.reconcile and again.previous == {"deal_id": 9}
    await dual.aclose()
