"""Each fault kind is observable by a client and counted in the stats; faults are seeded."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest

from bulk.clock import FakeClock
from bulk.sandbox import Faults, SandboxConfig, serve
from tests.sandbox_helpers import Api, running

pytestmark = pytest.mark.anyio


def config(faults: Faults, **extra: Any) -> SandboxConfig:
    return SandboxConfig(faults=faults, **extra)


async def test_server_errors_answer_5xx_and_apply_nothing() -> None:
    async with running(config(Faults(error_rate=1.0))) as (sb, api):
        statuses = set()
        for _ in range(8):
            reply = await api.post("/api/v2/deals", {"title": "never"})
            statuses.add(reply.status)
            assert reply.body["success"] is False
        assert statuses == {500, 503}
        assert sb.state.deals.rows == {}
        stats = sb.stats()
        assert stats["faults_injected"] == {"error": 8}
        assert stats["tokens_spent"] == 0 and stats["writes_applied"] == {}


async def test_dropped_connections_apply_nothing() -> None:
    async with running(config(Faults(drop_rate=1.0))) as (sb, api):
        with pytest.raises(aiohttp.ClientConnectionError):
            await api.post("/api/v2/deals", {"title": "never"})
        with pytest.raises(aiohttp.ClientConnectionError):
            await api.get("/api/v2/deals")
        assert sb.state.deals.rows == {}
        assert sb.stats()["faults_injected"] == {"drop": 2}
        assert sb.stats()["tokens_spent"] == 0


async def test_lost_responses_apply_the_write_then_drop_the_connection() -> None:
    faults = Faults(lost_response_rate=1.0)
    async with running(config(faults)) as (sb, api):
        with pytest.raises(aiohttp.ClientConnectionError):
            await api.post("/api/v2/deals", {"title": "applied but unseen"})
        assert [d["title"] for d in sb.state.deals.rows.values()] == ["applied but unseen"]
        listed = await api.get("/api/v2/deals")  # reads never lose their answer
        assert [d["title"] for d in listed.data] == ["applied but unseen"]
        refused = await api.post("/api/v2/deals", {"title": 1})  # a 400 is not "applied"
        assert refused.status == 400
        stats = sb.stats()
        assert stats["faults_injected"] == {"lost_response": 1}
        assert stats["writes_applied"] == {"addDeal": 1}


async def test_bad_json_answers_a_done_call_with_its_body_cut_off() -> None:
    """``bad_json_rate``: the write applied and charged, answered 200 with the status and
    rate headers whole and ``{"success": tr`` for a body; a read the same; a 400 whole."""
    async with running(config(Faults(bad_json_rate=1.0))) as (sb, api):
        url, token = sb.url + "/api/v2/deals", {"x-api-token": sb.token}
        async with api.session.post(url, json={"title": "applied, unreadable"},
                                    headers=token) as resp:
            assert resp.status == 200 and await resp.read() == b'{"success": tr'
            assert "x-ratelimit-remaining" in {k.lower() for k in resp.headers}
        assert [d["title"] for d in sb.state.deals.rows.values()] == ["applied, unreadable"]
        async with api.session.get(url, headers=token) as resp:
            assert resp.status == 200 and await resp.read() == b'{"success": tr'
        refused = await api.post("/api/v2/deals", {"title": 1})  # an error answer is whole
        assert refused.status == 400
        stats = sb.stats()
        assert stats["faults_injected"] == {"bad_json": 2}
        assert stats["writes_applied"] == {"addDeal": 1}
        assert stats["tokens_spent"] == 5 + 10 + 5  # charged: addDeal, getDeals, the 400
    with pytest.raises(ValueError):
        Faults(lost_response_rate=0.6, bad_json_rate=0.6)


async def test_latency_is_added_before_each_request_is_handled() -> None:
    async with running(config(Faults(latency_ms=40, latency_jitter_ms=10))) as (sb, api):
        started = time.perf_counter()
        for _ in range(3):
            assert (await api.get("/api/v2/pipelines")).status == 200
        assert time.perf_counter() - started >= 3 * 0.030
        assert sb.stats()["faults_injected"] == {"latency": 3}


async def test_storms_answer_429_at_the_end_of_every_period() -> None:
    clock = FakeClock()
    faults = Faults(storm_every=10.0, storm_length=2.0)
    async with running(config(faults, clock=clock)) as (sb, api):
        assert (await api.get("/api/v2/pipelines")).status == 200
        clock.advance(8.5)
        storm = await api.get("/api/v2/pipelines")
        assert storm.status == 429 and storm.body["error"] == "Request over limit"
        assert storm.headers["x-ratelimit-remaining"] == "0"
        assert storm.headers["x-ratelimit-reset"] == "1.5"  # until the storm ends
        clock.advance(1.5)
        assert (await api.get("/api/v2/pipelines")).status == 200
        clock.advance(8.0)
        assert (await api.get("/api/v2/pipelines")).status == 429
        stats = sb.stats()
        assert stats["faults_injected"] == {"storm": 2} and stats["rate_limited"] == 2
        assert stats["tokens_spent"] == 10


@pytest.mark.parametrize(("faults", "absent", "present"), [
    (Faults(no_rate_headers=True), "x-ratelimit-limit", "x-daily-ratelimit-token-limit"),
    (Faults(no_daily_headers=True), "x-daily-ratelimit-token-remaining", "x-ratelimit-reset"),
])
async def test_rate_headers_can_go_missing(faults: Faults, absent: str, present: str) -> None:
    async with running(config(faults)) as (sb, api):
        reply = await api.get("/api/v2/pipelines")
        assert absent not in reply.headers and present in reply.headers
        kind = "no_rate_headers" if faults.no_rate_headers else "no_daily_headers"
        assert sb.stats()["faults_injected"] == {kind: 1}


async def test_search_lags_behind_writes() -> None:
    clock = FakeClock()
    async with running(config(Faults(search_lag=3.0), clock=clock)) as (_, api):
        await api.post("/api/v2/deals", {"title": "Quokka Expedition"})
        first = await api.get("/api/v2/deals/search", term="quokka")
        assert first.data["items"] == []
        assert len((await api.get("/api/v2/deals")).data) == 1  # lists are never late
        clock.advance(3.0)
        later = await api.get("/api/v2/deals/search", term="quokka")
        assert [i["item"]["title"] for i in later.data["items"]] == ["Quokka Expedition"]


async def test_faults_can_be_restricted_to_some_operations_and_switched_at_runtime() -> None:
    async with running() as (sb, api):
        assert (await api.post("/api/v2/deals", {"title": "fine"})).status == 200
        sb.set_faults(Faults(error_rate=1.0, only_operations=frozenset({"addDeal"})))
        assert (await api.get("/api/v2/deals")).status == 200
        assert (await api.post("/api/v2/deals", {"title": "x"})).status in (500, 503)
        sb.set_faults(Faults())
        assert (await api.post("/api/v2/deals", {"title": "fine again"})).status == 200


async def test_the_same_seed_gives_the_same_faults() -> None:
    async def statuses(seed: int) -> list[int]:
        faults = Faults(error_rate=0.5)
        async with running(config(faults, seed=seed)) as (_, api):
            return [(await api.get("/api/v2/pipelines")).status for _ in range(30)]

    one = await statuses(11)
    assert one == await statuses(11)
    assert one != await statuses(12)
    assert 200 in one and any(s >= 500 for s in one)


def test_fault_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        Faults(error_rate=1.5)
    with pytest.raises(ValueError):
        Faults(storm_every=1.0, storm_length=2.0)
    with pytest.raises(ValueError):
        Faults(only_operations=frozenset({"addDael"}))
    assert Faults.from_json({"only_operations": ["getDeals"]}).applies_to("getDeals")


async def test_api_helper_sends_the_token_only_in_the_header() -> None:
    """Sanity check of the test client itself: no token in URLs."""
    async with running() as (sb, api):
        assert isinstance(api, Api) and api.headers == {"x-api-token": sb.token}


async def test_a_default_aiohttp_session_silently_resends_a_dropped_put() -> None:
    """Pitfall for the engine's transport: with aiohttp's defaults a merge (PUT) whose
    connection drops is sent twice before the caller sees an error."""
    async with serve(config(Faults(drop_rate=1.0))) as sb:
        async with aiohttp.ClientSession() as session:  # defaults, retries left on
            with pytest.raises(aiohttp.ClientConnectionError):
                async with session.put(sb.url + "/v1/deals/1/merge", json={"merge_with_id": 2},
                                       headers={"x-api-token": sb.token}):
                    pass
        assert sb.stats()["requests_by_operation"] == {"mergeDeals": 2}
