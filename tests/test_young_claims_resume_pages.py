"""A resume of a job loaded before the claims' state was lost (Redis restarted empty)
prices each young-claims scan at a page per 500 deals changed since the job's creation
less the margin, as its load's re-read counted them (x47r4 F1's resume case: plan 1,502,
run 1,742 after a 1-s Redis restart; the scan was priced one read)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import aiohttp
import pytest

from bulk.operations import get_operation
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from jobs.demo_data import write_demo_export
from tests.import_support import import_stopped_before_sending
from tests.test_import import charged

pytestmark = pytest.mark.anyio
RECENT = 1_200  # deals changed after the job's load: 3 pages of 500 a scan
PLAN = re.compile(r"^plan after the re-read: .*; calls at most: (.*); tokens: ([\d,]+)$")


async def test_a_resume_on_a_young_state_prices_the_scans_pages(tmp_path: Path) -> None:
    """Job B (150 creates: 4 batches of 40 on Growth) is loaded, 1,200 deals are changed
    by someone, Redis is emptied, B is resumed: each batch's scan lists the 1,200 and
    B's own earlier creates (3 pages each, 12 in all where the plan said 1), and each
    batch creating a person / organization lists those added since. The plan after the
    re-read prices at least the list reads and the tokens the run spends."""
    import redis.asyncio as aioredis

    import jobs.importing.base as importing  # where ImportJob.claims looks up open_claims
    from bulk.claims_redis import RedisClaims
    from jobs import kind_for
    from jobs.resuming import resumed
    from tests.redis_helpers import running_redis

    export = write_demo_export(tmp_path / "in", rows=150, broken=0, unknown_stage=0)
    with running_redis() as server:
        original = importing.open_claims
        importing.open_claims = lambda *a, **_: RedisClaims(server.url, "co")  # type: ignore[misc]
        try:
            async with serve(SandboxConfig(deals=0, time_scale=0.1, seed=7)) as sb:
                b_store, _ = await import_stopped_before_sending(
                    sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert")
                b_store.set_status("stopped")
                b_store.close()
                at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
                async with aiohttp.ClientSession() as http, http.post(
                        sb.url + "/_sandbox/load", json={"deals": [
                            {"title": f"changed since {i}", "add_time": at,
                             "update_time": at} for i in range(RECENT)]}) as reply:
                    assert reply.status == 200, await reply.text()
                client = aioredis.from_url(server.url)
                try:
                    await client.flushall()  # Redis restarted empty, after B loaded
                finally:
                    await client.aclose()
                before = charged(sb)
                lines: list[str] = []
                store = JobStore.open(tmp_path / "jobs" / "B")
                try:
                    await resumed(store, sb.token, kind_for(store), show_plan=lines.append)
                finally:
                    store.close()
                calls = charged(sb) - before
        finally:
            importing.open_claims = original
    ((said, tokens),) = [m.groups() for line in lines if (m := PLAN.match(line))]
    planned = {op: int(n.replace(",", "")) for op, n in re.findall(r"(\w+) ([\d,]+)", said)}
    spent = sum(get_operation(op).token_cost * n for op, n in calls.items())
    print("planned", planned, tokens, "made", dict(calls), spent)
    # the scans of 4 batches (3 pages each) — and the re-read's 3 pages, the end check's
    assert calls["getDeals"] >= 12, calls
    for op in ("getDeals", "getArchivedDeals", "getPersons", "getOrganizations"):
        assert planned.get(op, 0) >= calls[op], (op, planned, dict(calls))
    assert int(tokens.replace(",", "")) >= spent, (tokens, spent)


async def test_a_resume_past_the_young_minute_still_prices_its_scans(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x50r2 F3: job B is loaded, Redis is emptied, the claims' state begins again after B's
    load, and B is resumed after that state's first minute (here its first second:
    ``SETTLED_AFTER_BIRTH`` 1 s) but within a claim's lease of it: every create's claim is
    still untrusted and the run lists the deals changed since, both lists, where the plan
    priced no scan (plan 607, run 637; with a second, earlier start, 612 vs 672: 3
    archived reads where 1 was priced). The plan after the re-read prices at least the
    list reads and the tokens the run spends."""
    import anyio
    import redis.asyncio as aioredis

    import jobs.import_resolve as resolving
    import jobs.importing.base as importing  # where ImportJob.claims looks up open_claims
    import jobs.importing.creates as creating
    import jobs.importing.resume as resuming
    from bulk.claims_redis import RedisClaims, born_key
    from jobs import kind_for
    from jobs.resuming import resumed
    from tests.redis_helpers import running_redis

    for module in (resolving, creating, resuming):
        monkeypatch.setattr(module, "SETTLED_AFTER_BIRTH", 1.0)
    export = write_demo_export(tmp_path / "in", rows=150, broken=0, unknown_stage=0)
    with running_redis() as server:
        monkeypatch.setattr(importing, "open_claims",
                            lambda *a, **_: RedisClaims(server.url, "co"))
        async with serve(SandboxConfig(deals=0, time_scale=0.1, seed=7)) as sb:
            b_store, _ = await import_stopped_before_sending(
                sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert")
            b_store.set_status("stopped")
            b_store.close()
            client = aioredis.from_url(server.url)
            try:
                await client.flushall()  # Redis emptied after B loaded; a state begins
                await client.hset(born_key("co"), mapping={"epoch": "e1", "at": time.time()})
            finally:
                await client.aclose()
            await anyio.sleep(1.5)  # past its young second
            before = charged(sb)
            lines: list[str] = []
            store = JobStore.open(tmp_path / "jobs" / "B")
            try:
                await resumed(store, sb.token, kind_for(store), show_plan=lines.append)
            finally:
                store.close()
            calls = charged(sb) - before
    ((said, tokens),) = [m.groups() for line in lines if (m := PLAN.match(line))]
    planned = {op: int(n.replace(",", "")) for op, n in re.findall(r"(\w+) ([\d,]+)", said)}
    spent = sum(get_operation(op).token_cost * n for op, n in calls.items())
    print("planned", planned, tokens, "made", dict(calls), spent)
    assert calls["getArchivedDeals"] >= 2, calls  # the re-read's and a scan's
    for op in ("getDeals", "getArchivedDeals", "getPersons", "getOrganizations"):
        assert planned.get(op, 0) >= calls[op], (op, planned, dict(calls))
    assert int(tokens.replace(",", "")) >= spent, (tokens, spent)
