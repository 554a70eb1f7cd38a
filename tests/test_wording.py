"""Counts in messages agree with their number: "1 more row like it: row 6", "1 deal",
"2 rows" (x26r3 2: "and 1 more rows like it: rows 6")."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bulk.wording import counted, noun
from jobs.plan_reasons import ReasonTally, reason_line


def test_counted_says_one_in_the_singular() -> None:
    """One is singular, every other count plural, with its thousands separated."""
    assert counted(1, "row") == "1 row"
    assert counted(0, "row") == "0 rows"
    assert counted(1200, "new person") == "1,200 new persons"
    assert counted(2, "more row", "more rows") == "2 more rows"
    assert noun(1, "has", "have") == "has" and noun(3, "has", "have") == "have"


@given(st.integers(min_value=0, max_value=10**7))
def test_counted_is_plural_exactly_when_not_one(n: int) -> None:
    """The noun takes its plural exactly when the count is not 1."""
    assert counted(n, "deal").endswith("deals") == (n != 1)


def _line(rows: list[int]) -> str:
    tally = ReasonTally()
    for row in rows:
        tally.add("not an amount: '7x00'", "Amount", None, row)
    ((cls, n),) = tally.reasons().items()
    return reason_line(cls, n, tally.examples)


def test_plan_reason_line_agrees_with_its_count() -> None:
    """Two rows of a reason: "and 1 more row like it: row 6"; three: "2 more rows ...:
    rows 6, 8"; one: no count at all."""
    assert _line([4, 6]).endswith("(row 4; and 1 more row like it: row 6)")
    assert _line([4, 6, 8]).endswith("(row 4; and 2 more rows like it: rows 6, 8)")
    assert _line([4]).endswith("(row 4)")
    many = _line(list(range(2, 12)))
    assert "and 9 more rows like it: rows 3, 4, 5, 6…)" in many, many
