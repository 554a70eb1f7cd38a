"""f39j 3: the process coordinator's day is the company's once the company is known
(``ProcessCoordinator.bind``): two users' tokens of one company in one process each took
the whole ``--budget-share`` (the daily budget is the company's, FACTS.md "Rate limits";
the coordinator was keyed by token and URL). Their burst windows stay each token's."""

from __future__ import annotations

import pytest

from bulk.clock import FakeClock
from bulk.coordinator import Limit
from bulk.coordinator_process import ProcessCoordinator
from bulk.errors import BudgetExhausted
from bulk.operations import get_operation

pytestmark = pytest.mark.anyio
URL = "http://127.0.0.1:3"
OP = get_operation("updateDeal")  # 5 tokens


def _limit(clock: FakeClock, burst: int = 40) -> Limit:
    day = int(clock.wall() // 86400)
    return Limit(width=2.0, burst=burst, search=10, day_limit=10, day=day,
                 day_ends=(day + 1) * 86400.0)


async def test_two_tokens_of_one_company_share_its_day() -> None:
    """Tokens A and B of company 42: 5 + 5 of a 10 share, A's next call is refused
    (before: admitted, 15 of 10; each token counted 5)."""
    clock = FakeClock()
    a = ProcessCoordinator(URL, "token-a", clock=clock)
    b = ProcessCoordinator(URL, "token-b", clock=clock)
    a.bind("42")
    b.bind("42")
    await a.admit(OP, _limit(clock))
    await b.admit(OP, _limit(clock))
    with pytest.raises(BudgetExhausted, match=r"share .* may use 10 .* 10 tokens are used"):
        await a.admit(OP, _limit(clock))
    b.refunded(OP, _limit(clock).day)
    await a.admit(OP, _limit(clock))
    await a.aclose()
    await b.aclose()


async def test_the_spend_before_the_bind_is_carried_to_the_company() -> None:
    """A token's count before its company is known goes with it to the company's day."""
    clock = FakeClock()
    a = ProcessCoordinator(URL, "token-a", clock=clock)
    b = ProcessCoordinator(URL, "token-b", clock=clock)
    await a.admit(OP, _limit(clock))
    a.bind("42")
    b.bind("42")
    await b.admit(OP, _limit(clock))
    with pytest.raises(BudgetExhausted):
        await b.admit(OP, _limit(clock))
    await a.aclose()
    await b.aclose()


async def test_another_company_keeps_its_own_day() -> None:
    """Company 43's token counts its own day, and 42's tokens theirs."""
    clock = FakeClock()
    a = ProcessCoordinator(URL, "token-a", clock=clock)
    c = ProcessCoordinator(URL, "token-c", clock=clock)
    a.bind("42")
    c.bind("43")
    await a.admit(OP, _limit(clock))
    await c.admit(OP, _limit(clock))
    await c.admit(OP, _limit(clock))
    with pytest.raises(BudgetExhausted):
        await c.admit(OP, _limit(clock))
    await a.admit(OP, _limit(clock))
    await a.aclose()
    await c.aclose()
