"""The budget line a run says before its first write, when it was given --wait-for-reset:
it waits there and goes on, it does not say "pass --wait-for-reset" (x32r3 4)."""

from __future__ import annotations

from dataclasses import dataclass

from jobs.budget_stop import budget_stop, first_write_line


@dataclass
class _Plan:
    stop: str | None


def _line() -> str:
    stop = budget_stop({"addDeal": 300}, left=1000, days=2,
                       budget_source="by the server's headers")
    assert stop is not None
    return stop


def test_without_wait_for_reset_the_line_offers_it() -> None:
    said = first_write_line(_Plan(_line()))
    assert said is not None and "pass --wait-for-reset" in said
    assert "the job stops checkpointed after about" in said


def test_with_wait_for_reset_the_line_says_it_waits() -> None:
    said = first_write_line(_Plan(_line()), waits=True)
    assert said is not None
    assert "pass --wait-for-reset" not in said and "stops checkpointed" not in said
    assert "the run waits for the daily reset after about" in said
    assert "--wait-for-reset: it goes on after the reset; about 2 days" in said


def test_a_cap_line_is_unchanged_by_waiting() -> None:
    """--max-tokens stops the run whatever --wait-for-reset says."""
    stop = budget_stop({"addDeal": 300}, left=10_000, days=1, max_tokens=100)
    assert stop is not None
    assert first_write_line(_Plan(stop), waits=True) == first_write_line(_Plan(stop))
    assert first_write_line(_Plan(None), waits=True) is None


def test_a_stop_before_the_first_write_says_its_days_after_the_reset() -> None:
    """x48r4 F3: 50 tokens of the share left, a first write beyond them: "about 2 days"
    alone read as two days of work; it says today writes nothing and one day after the
    reset does the job. A stop after some writes keeps its plain count."""
    stop = budget_stop({"getDeals": 2, "getDeal": 80, "mergeDeals": 40}, left=50, days=2)
    assert stop is not None and "before its first write" in stop, stop
    assert stop.endswith("about 2 days, today's included: no write today, about 1 day "
                         "after the reset"), stop
    later = budget_stop({"getDeals": 2, "getDeal": 80, "mergeDeals": 40}, left=900, days=2)
    assert later is not None and later.endswith("; about 2 days"), later
