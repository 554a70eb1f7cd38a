"""tests/each_case.check_each: every case runs, every failing one is named (issue 8)."""

from __future__ import annotations

import pytest

from tests.each_case import MAX_SHOWN, cases_of, check_each


def _even(n: int) -> None:
    assert n % 2 == 0, f"{n} is odd"


def test_every_case_runs_and_the_count_is_returned() -> None:
    seen: list[int] = []
    assert check_each({f"n={n}": (n,) for n in range(0, 10, 2)}, seen.append) == 5
    assert seen == [0, 2, 4, 6, 8]


def test_every_failing_case_is_named_with_its_message_none_stops_the_others() -> None:
    seen: list[int] = []

    def check(n: int) -> None:
        seen.append(n)
        _even(n)

    with pytest.raises(AssertionError) as got:
        check_each([(f"n={n}", (n,)) for n in range(7)], check)
    assert seen == list(range(7))
    text = str(got.value)
    assert text.startswith("3 of 7 cases failed:")
    for n in (1, 3, 5):
        assert f"- n={n}: {n} is odd" in text
    assert "n=0" not in text and "n=2" not in text


def test_another_exception_is_a_failing_case_too() -> None:
    def check(key: str) -> None:
        {"a": 1}[key]

    with pytest.raises(AssertionError, match=r"1 of 2 cases failed:\n- b: KeyError: 'b'"):
        check_each({"a": ("a",), "b": ("b",)}, check)


def test_past_the_shown_ones_the_rest_are_still_named() -> None:
    n = MAX_SHOWN + 3
    with pytest.raises(AssertionError) as got:
        check_each({f"case{i}": (i,) for i in range(n)}, lambda i: _even(1))
    text = str(got.value)
    assert text.startswith(f"{n} of {n} cases failed")
    assert f"... and 3 more: case{n - 3}, case{n - 2}, case{n - 1}" in text


def test_no_cases_or_an_id_twice_is_refused_before_any_runs() -> None:
    seen: list[int] = []
    with pytest.raises(ValueError, match="no cases"):
        check_each({}, seen.append)
    with pytest.raises(ValueError, match=r"given twice: \['x'\]"):
        check_each([("x", (1,)), ("y", (2,)), ("x", (3,))], seen.append)
    assert seen == []


def test_cases_of_keeps_a_row_listed_twice_under_a_numbered_id() -> None:
    rows = [("a", "org"), ("b", "org"), ("a", "org"), ("a", "org")]
    assert cases_of(rows, lambda name, kind: f"{name} ({kind})") == {
        "a (org)": ("a", "org"), "b (org)": ("b", "org"), "a (org) #2": ("a", "org"),
        "a (org) #3": ("a", "org")}
    assert list(cases_of([(1, 2)])) == ["(1, 2)"]
