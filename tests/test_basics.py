"""Small shared pieces: plan limits, header parsing, the error tree, the fake clock."""

from typing import Any

import anyio
import anyio.lowlevel
import pytest

from bulk.clock import FakeClock
from bulk.errors import (
    AnswerLost,
    Blocked,
    BulkError,
    Forbidden,
    InputError,
    NotFound,
    PlanLimit,
    RateLimited,
    RequestNotSent,
    ServerError,
    TransportError,
    Unauthorized,
    ValidationRejected,
    api_error_for,
)
from bulk.headers import RateHeaders
from bulk.plans import plan_limits


def test_plan_limits_follow_the_facts() -> None:
    """Growth with 5 seats = 300,000 tokens/day; OAuth has 4x the burst; legacy names alias."""
    assert plan_limits("growth", seats=5).daily_tokens == 300_000
    assert plan_limits("growth").burst == 40
    assert plan_limits("ultimate", auth="oauth").burst == 480
    assert plan_limits("enterprise").burst == plan_limits("ultimate").burst
    assert plan_limits("lite", top_up_tokens=5).daily_tokens == 30_005
    with pytest.raises(ValueError, match="unknown plan"):
        plan_limits("gold")


def test_rate_headers_parse_any_case_and_garbage() -> None:
    """Headers are optional; bad values are ignored, not trusted."""
    h = RateHeaders.parse({"X-RateLimit-Remaining": "3", "x-ratelimit-reset": "1.5",
                           "x-ratelimit-limit": "abc", "X-Daily-RateLimit-Token-Remaining": "90"})
    assert (h.remaining, h.reset, h.limit, h.daily_token_remaining) == (3, 1.5, None, 90)
    assert RateHeaders.parse({}).empty and not h.empty


def test_rate_headers_read_a_lower_cased_mapping_as_it_is() -> None:
    """The transport's header names are lower-cased already: parse reads them in place,
    no second lower-cased copy per answer (f20c #8); any other case still gets one."""

    class Counted(dict[str, str]):
        copies = 0

        def items(self) -> Any:
            Counted.copies += 1
            return super().items()

    h = RateHeaders.parse(Counted({"content-type": "application/json", "x-ratelimit-limit": "40",
                                   "x-ratelimit-remaining": " 7 ", "x-ratelimit-reset": "0.5"}))
    assert (h.limit, h.remaining, h.reset, Counted.copies) == (40, 7, 0.5, 0)
    assert RateHeaders.parse(Counted({"X-RateLimit-Limit": "40"})).limit == 40
    assert Counted.copies == 1


@pytest.mark.parametrize(("status", "code", "html", "cls", "kind"), [
    (400, None, False, ValidationRejected, "row"),
    (401, None, False, Unauthorized, "terminal"),
    (403, None, False, Forbidden, "terminal"),
    (403, "feature_capping_deals_limit", False, PlanLimit, "terminal"),
    (403, None, True, Blocked, "terminal"),
    (404, None, False, NotFound, "row"),
    (429, None, False, RateLimited, "retryable"),
    (503, None, False, ServerError, "retryable"),
])
def test_status_maps_to_class_and_kind(status: int, code: str | None, html: bool,
                                       cls: type, kind: str) -> None:
    """Each status has one class, and the class says retryable / terminal / row."""
    err = api_error_for(status, "x", code=code, html=html)
    assert type(err) is cls and err.kind == kind and isinstance(err, BulkError)


def test_input_error_names_row_and_column() -> None:
    err = InputError("not a number", row=12, column="Amount")
    assert str(err) == "row 12, column 'Amount': not a number"
    assert AnswerLost("t").retryable and RequestNotSent("t").retryable
    assert isinstance(AnswerLost("t"), TransportError)


@pytest.mark.anyio
async def test_fake_clock_runs_concurrent_sleepers_in_virtual_time() -> None:
    """Sleepers wake in deadline order at their exact virtual times, instantly."""
    clock = FakeClock()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, delay: float) -> None:
        await clock.sleep(delay)
        woke.append((name, clock.now()))

    async with anyio.create_task_group() as tg:
        tg.start_soon(sleeper, "b", 5.0)
        tg.start_soon(sleeper, "a", 2.0)
        tg.start_soon(sleeper, "c", 3600.0)
    assert woke == [("a", 2.0), ("b", 5.0), ("c", 3600.0)]


@pytest.mark.anyio
async def test_fake_clock_skips_cancelled_sleepers() -> None:
    clock = FakeClock()
    with anyio.move_on_after(0.05):
        async with anyio.create_task_group() as tg:
            tg.start_soon(clock.sleep, 10.0)
            await anyio.lowlevel.checkpoint()
            tg.cancel_scope.cancel()
    await clock.sleep(1.0)
    assert clock.now() == 1.0


@pytest.mark.parametrize("settings", [
    {"plan": "gold"}, {"seats": 0}, {"base_url": "ftp://example.com"},
    {"base_url": "http://example.com"}, {"auth": "basic"}, {"max_workers": 0},
    {"window": 0.0}, {"timeout": -1.0}, {"burst": 0}, {"daily_tokens": 0},
    # x15r3 F4: wrong types ended in AttributeError / TypeError, some only at Engine.open
    {"plan": None}, {"plan": 3}, {"base_url": None}, {"seats": "5"}, {"seats": 2.5},
    {"seats": True}, {"max_workers": "8"}, {"max_workers": 2.5}, {"max_workers": 5000},
    {"budget": None}, {"budget": {"share": 0.5}}, {"tokens_spent_today": -1},
    {"job_root": 5}, {"base_url": "https://x.pipedrive.com\n"}])
def test_an_engine_config_the_library_refuses_is_a_config_error(
        settings: dict[str, object]) -> None:
    """x14r3 7: the library's setting errors were plain ValueErrors (and max_workers=0,
    window=0 were taken, to hang or divide by zero in the run). Each is refused when the
    config is made, as a ConfigError: an InputError (the CLI's one line, exit 1) that is
    still a ValueError."""
    from bulk import ConfigError, EngineConfig, InputError

    with pytest.raises(ConfigError) as info:
        EngineConfig(**settings)  # type: ignore[arg-type]
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)
