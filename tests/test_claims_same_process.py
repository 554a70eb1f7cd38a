"""Two jobs of one process exclude each other on the claims as two processes do (x20r3 F1):
the claims' holder is a job's run inside the process, not the process."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.claims import Claim, Held, acquire, holder_alive
from bulk.claims_local import LocalClaims
from bulk.sandbox import SandboxConfig, serve
from tests.import_support import import_once, sandbox_deals
from tests.redis_helpers import RedisServer, born_long_ago, redis_server

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio

FAST = {"time_scale": 0.02, "seed": 11}
MAPPING = """
version = 1
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
[person]
name = "contact"
email = "email"
[organization]
name = "company"
"""


def _manifest(path: Path, prefix: str, rows: int = 60) -> Path:
    lines = ["id,title,contact,email,company"]
    for i in range(rows):
        lines.append(f"{prefix}{i},Deal {i},Person {i % 20},p{i % 20}@example.com,"
                     f"Org {i % 12}")
    path.write_text("\n".join(lines) + "\n")
    return path


async def test_two_local_claims_of_one_process_exclude_each_other(tmp_path: Path) -> None:
    """Two claims objects of this process (two jobs) never both hold a name; once the
    holder's object is closed (its job ended or was cancelled), its claim is taken over
    with reconcile at once, not at the end of its lease."""
    a = LocalClaims(tmp_path / "c.db")
    b = LocalClaims(tmp_path / "c.db")
    assert a.holder != b.holder and holder_alive(a.holder)
    got = await acquire(a, "deal:K", tag="job-a")
    assert isinstance(got, Claim)
    held = await acquire(b, "deal:K", tag="job-b")
    assert isinstance(held, Held) and held.tag == "job-a" and "job job-a" in held.who()
    a.close()
    assert not holder_alive(a.holder)
    taken = await acquire(b, "deal:K")
    assert isinstance(taken, Claim) and taken.reconcile and taken.prev_tag == "job-a"
    b.close()


async def test_two_redis_and_dual_claims_of_one_process_exclude_each_other(
        tmp_path: Path, redis_server: RedisServer) -> None:
    """The same on the shared coordinator (``RedisClaims``) and through ``DualClaims`` (what
    ``open_claims`` gives a coordinated run): one process, two jobs, one holder at a time;
    the closed job's claim is taken over with reconcile."""
    from bulk.claims_open import DualClaims
    from bulk.claims_redis import RedisClaims

    born_long_ago(redis_server)
    a, b = RedisClaims(redis_server.url, "42"), RedisClaims(redis_server.url, "42")
    try:
        assert isinstance(await acquire(a, "deal:R", tag="job-a"), Claim)
        held = await acquire(b, "deal:R", tag="job-b")
        assert isinstance(held, Held) and held.tag == "job-a"
        assert not await b.wait_released("deal:R", 0.05)
        await a.aclose()
        taken = await acquire(b, "deal:R")
        assert isinstance(taken, Claim) and taken.reconcile
    finally:
        await a.aclose()
        await b.aclose()

    def dual() -> DualClaims:
        from bulk.claims import new_holder

        holder = new_holder()
        return DualClaims(LocalClaims(tmp_path / "c.db", holder=holder),
                          RedisClaims(redis_server.url, "42", holder=holder))

    c, d = dual(), dual()
    try:
        assert isinstance(await acquire(c, "deal:D", tag="job-c"), Claim)
        assert isinstance(await acquire(d, "deal:D", tag="job-d"), Held)
    finally:
        await c.aclose()
        await d.aclose()


def _twice(records: list[dict[str, Any]],
           field: Callable[[dict[str, Any]], Any]) -> dict[Any, int]:
    seen = Counter(field(r) for r in records if not r.get("is_deleted"))
    return {k: n for k, n in seen.items() if n > 1}


def _emails(person: dict[str, Any]) -> str:
    emails = person.get("emails") or person.get("email") or []
    first = emails[0] if isinstance(emails, list) and emails else emails
    return str(first.get("value") if isinstance(first, dict) else first)


@pytest.mark.parametrize("second", ["same", "other-keys"])
async def test_two_imports_gathered_in_one_loop_create_nothing_twice(
        tmp_path: Path, second: str) -> None:
    """The README's import twice in one loop (``asyncio.gather``), one account: every key
    has one deal, every e-mail one person, every organization name one organization — the
    same file twice, and two files of different keys naming the same persons and orgs."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    one = _manifest(tmp_path / "a.csv", "k")
    two = one if second == "same" else _manifest(tmp_path / "b.csv", "j")
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        stores: list[Any] = []

        async def run(manifest: Path, job: str) -> None:
            store, result, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                                 job_id=job)
            stores.append(store)
            assert result.error is None

        async with anyio.create_task_group() as tg:
            tg.start_soon(run, one, "job-a")
            tg.start_soon(run, two, "job-b")
        for store in stores:
            store.close()
        deals = sandbox_deals(sb)
        persons = list(sb.state.persons.rows.values())
        orgs = list(sb.state.orgs.rows.values())
    assert len(deals) == (60 if second == "same" else 120)  # one deal per key
    assert _twice(persons, _emails) == {}
    assert _twice(orgs, lambda o: o.get("name")) == {}
    assert len({_emails(p) for p in persons if not p.get("is_deleted")}) == 20
