"""Rate limits: burst window, search window, daily budget, headers, 429 accounting.

Time is a FakeClock moved by hand, so no test waits for a window to pass.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulk.clock import FakeClock
from bulk.operations import get_operation
from bulk.sandbox import SandboxConfig
from bulk.sandbox.limits import DailyBudget, RateLimiter, Window
from tests.sandbox_helpers import running

OVER_LIMIT = {"success": False, "error": "Request over limit", "errorCode": 429,
              "error_info": "Please check developers.pipedrive.com"}


def fake(**config: Any) -> tuple[SandboxConfig, FakeClock]:
    clock = FakeClock()
    return SandboxConfig(clock=clock, **config), clock


@settings(max_examples=80, deadline=None)
@given(limit=st.integers(1, 8), gaps=st.lists(st.floats(0, 1.5), min_size=1, max_size=60))
def test_a_window_never_admits_more_than_its_limit_in_any_window(limit: int,
                                                                 gaps: list[float]) -> None:
    window, now, admitted = Window(limit, 2.0), 0.0, []
    for gap in gaps:
        now += gap
        if window.remaining(now):
            window.take(now)
            admitted.append(now)
        else:
            assert window.wait(now) > 0
    for t in admitted:
        assert sum(1 for u in admitted if u + 2.0 > t >= u) <= limit


def test_the_budget_resets_at_each_multiple_of_the_day() -> None:
    budget = DailyBudget(100, day_seconds=10.0)
    budget.spend(90, wall=12.0)
    assert budget.remaining(19.9) == 10 and budget.resets_at(15.0) == 20.0
    assert not budget.fits(11, 19.9) and budget.fits(10, 19.9)
    assert budget.remaining(20.0) == 100


@pytest.mark.anyio
async def test_the_burst_limit_answers_429_with_the_documented_headers() -> None:
    config, clock = fake(burst=3)
    async with running(config) as (sb, api):
        seen = []
        for _ in range(3):  # t = 0.0, 0.1, 0.2
            reply = await api.get("/api/v2/pipelines")
            seen.append(reply.headers["x-ratelimit-remaining"])
            clock.advance(0.1)
        assert seen == ["2", "1", "0"]
        over = await api.get("/api/v2/pipelines")  # t = 0.3
        assert over.status == 429 and over.body == OVER_LIMIT
        assert over.headers["x-ratelimit-limit"] == "3"
        assert over.headers["x-ratelimit-remaining"] == "0"
        assert over.headers["x-ratelimit-reset"] == "1.7"  # the t=0 slot frees at t=2.0
        assert over.headers["x-daily-ratelimit-token-limit"] == "60000"
        assert over.headers["x-daily-ratelimit-token-remaining"] == str(60000 - 15)
        stats = sb.stats()
        assert stats["rate_limited"] == 1
        assert stats["tokens_spent"] == 15  # the rejected request spent nothing
        clock.advance(1.7)
        reply = await api.get("/api/v2/pipelines")
        assert reply.status == 200 and reply.headers["x-ratelimit-remaining"] == "0"


@pytest.mark.anyio
async def test_a_search_takes_a_slot_of_the_burst_window_too() -> None:
    config, _ = fake(burst=3)
    async with running(config) as (_, api):
        assert (await api.get("/api/v2/deals/search", term="none")).status == 200
        assert (await api.get("/api/v2/pipelines")).headers["x-ratelimit-remaining"] == "1"


@pytest.mark.anyio
@pytest.mark.parametrize("count_rejected", [False, True])
async def test_rejected_requests_take_a_window_slot_only_if_configured(
        count_rejected: bool) -> None:
    """Default (documented decision): a 429'd request does not occupy the window."""
    config, clock = fake(burst=3, count_rejected=count_rejected)
    async with running(config) as (_, api):
        assert (await api.get("/api/v2/pipelines")).status == 200  # t=0
        clock.advance(1.0)
        for _ in range(2):
            assert (await api.get("/api/v2/pipelines")).status == 200  # t=1
        assert (await api.get("/api/v2/pipelines")).status == 429  # t=1, window full
        clock.advance(1.0)  # t=2: the t=0 slot has aged out
        expected = 429 if count_rejected else 200
        assert (await api.get("/api/v2/pipelines")).status == expected


@pytest.mark.anyio
async def test_search_has_its_own_window_of_ten() -> None:
    config, clock = fake()  # growth: 40 per window
    async with running(config) as (sb, api):
        for _ in range(10):
            assert (await api.get("/api/v2/persons/search", term="anna")).status == 200
        over = await api.get("/api/v2/deals/search", term="anna")
        assert over.status == 429
        assert over.headers["x-ratelimit-remaining"] == "30"  # the burst window had room
        assert float(over.headers["x-ratelimit-reset"]) == 2.0  # when a search slot frees
        assert (await api.get("/api/v2/deals")).status == 200  # other calls still pass
        clock.advance(2.0)
        assert (await api.get("/api/v2/organizations/search", term="corp")).status == 200
        assert sb.stats()["tokens_by_operation"]["searchPersons"] == 200


@pytest.mark.anyio
async def test_the_daily_budget_runs_out_and_comes_back_the_next_day() -> None:
    config, clock = fake(daily_tokens=35, burst=100)
    async with running(config) as (sb, api):
        for left in ("25", "15", "5"):
            reply = await api.get("/api/v2/deals")
            assert reply.status == 200
            assert reply.headers["x-daily-ratelimit-token-remaining"] == left
        over = await api.get("/api/v2/deals")  # costs 10, 5 left: the whole cost must fit
        assert over.status == 429 and over.body == OVER_LIMIT
        assert over.headers["x-daily-ratelimit-token-remaining"] == "5"
        assert (await api.get("/api/v2/deals/1")).status == 404  # cost 1 still fits
        assert sb.stats()["budget"] == {"limit": 35, "remaining": 4,
                                        "resets_at": 1_767_225_600.0 + 86400}
        clock.advance(86400)  # FakeClock starts at midnight UTC: this is the next midnight
        reply = await api.get("/api/v2/deals")
        assert reply.status == 200 and reply.headers["x-daily-ratelimit-token-remaining"] == "25"


@pytest.mark.anyio
async def test_the_budget_day_can_be_short_for_tests() -> None:
    config, clock = fake(daily_tokens=10, day_seconds=60.0)
    async with running(config) as (_, api):
        assert (await api.get("/api/v2/deals")).status == 200
        assert (await api.get("/api/v2/deals")).status == 429
        clock.advance(60.0)
        assert (await api.get("/api/v2/deals")).status == 200


def test_plan_presets_set_burst_and_budget() -> None:
    assert SandboxConfig(plan="lite").limits().burst == 20
    ultimate = SandboxConfig(plan="ultimate", seats=5, auth="oauth").limits()
    assert (ultimate.burst, ultimate.daily_tokens) == (480, 30_000 * 7 * 5)
    scaled = SandboxConfig(time_scale=0.05, burst=7).limits()
    assert scaled.window == pytest.approx(0.1) and scaled.burst == 7
    assert SandboxConfig(burst=7).limits("oauth").burst == 28


def test_the_limiter_charges_each_operation_its_own_cost() -> None:
    limiter = RateLimiter(2.0, 10, DailyBudget(1000, 86400.0))
    for op_id in ("mergeDeals", "addDeal", "getDeal", "getUsers"):
        assert limiter.admit("t", 100, get_operation(op_id), 0.0, 0.0).admitted
    assert limiter.budget.spent == 40 + 5 + 1 + 20


@pytest.mark.anyio
async def test_the_admin_api_ends_the_budget_day_now() -> None:
    """``POST /_sandbox/day/end`` (x25r1 F5): a spent budget is whole again at once, and
    the next reset comes one ``day_seconds`` later, counted from then."""
    config, clock = fake(daily_tokens=10, day_seconds=600.0)
    async with running(config) as (_, api):
        assert (await api.get("/api/v2/deals")).status == 200
        assert (await api.get("/api/v2/deals")).status == 429
        clock.advance(17.0)
        ended = await api.post("/_sandbox/day/end", {})
        now = clock.wall()
        assert ended.status == 200
        assert ended.body == {"ok": True, "budget": {"limit": 10, "remaining": 10,
                                                     "resets_at": now + 600.0}}
        reply = await api.get("/api/v2/deals")
        assert reply.status == 200 and reply.headers["x-daily-ratelimit-token-remaining"] == "0"
        clock.advance(599.0)
        assert (await api.get("/api/v2/deals")).status == 429
        clock.advance(1.0)  # the new day's own end: day_seconds after the admin call
        assert (await api.get("/api/v2/deals")).status == 200


def test_the_day_length_is_a_command_line_option(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pdbulk sandbox --day-seconds N`` and ``python -m bulk.sandbox --day-seconds N``
    give the sandbox an N-second budget day; a non-positive one is a usage error."""
    from typer.testing import CliRunner

    import bulk.sandbox
    from bulk.sandbox.__main__ import parse_args
    from pdbulk.cli import app

    assert parse_args(["--day-seconds", "30"]).day_seconds == 30.0
    assert parse_args([]).day_seconds == 86400.0
    seen: list[SandboxConfig] = []
    monkeypatch.setattr(bulk.sandbox, "run_blocking", seen.append)
    result = CliRunner().invoke(app, ["sandbox", "--port", "0", "--day-seconds", "45"])
    assert result.exit_code == 0, result.output
    assert [c.day_seconds for c in seen] == [45.0]
    refused = CliRunner().invoke(app, ["sandbox", "--port", "0", "--day-seconds", "0"])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
