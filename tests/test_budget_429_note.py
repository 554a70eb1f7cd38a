"""x34r3 F3: a 429 the server gave because the company's daily budget was spent (its
daily header: fewer tokens left than the call costs) was judged as refused "while the
window had room" and blamed on "another client on the token, or the server's own limits"
(or "another integration"). It is a budget refusal and the note says so."""

from __future__ import annotations

from bulk.clock import FakeClock
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler
from pdbulk.options import rate_limited_note

PATCH = get_operation("updateDeal")  # 5 tokens


def test_a_429_for_the_spent_budget_is_no_refusal_with_room() -> None:
    s = Scheduler(Limits(burst=40, daily_tokens=400), clock=FakeClock())
    s.rate_limited(PATCH, RateHeaders(limit=40, remaining=38, daily_token_limit=400,
                                      daily_token_remaining=3), None)
    assert (s.refused_with_room, s.refused_for_budget) == (0, 1)


def test_the_note_says_a_budget_429_is_a_budget_refusal() -> None:
    note = rate_limited_note(1, "redis://127.0.0.1:6379/0", others=True, room=0, budget=1,
                             stopped=True)
    assert note is not None
    assert "daily budget" in note and "another" not in note and "pace" not in note, note
    mixed = rate_limited_note(3, None, room=2, budget=1, stopped=True)
    assert mixed is not None, mixed
    assert "1 more call(s) were answered 429 for the daily budget" in mixed, mixed
    assert "the server refused 2 call(s) while the window had room" in mixed, mixed
