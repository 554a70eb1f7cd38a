"""One person's phone written with its country code and with its national trunk 0 is
one number (x44r8 F5: name+phone ties read the last 9 digits, so ``+43 1 5556667`` /
``01 5556667``, ``+49 89 123456`` / ``089 123456``, ``+46 8 123 456`` / ``08-123 456``
missed: 6 of 13)."""

from __future__ import annotations

from typing import Any

import pytest

from jobs.dedupe.phones import national_number
from jobs.dedupe.records import person_keys


def _keys(name: str, phone: str) -> set[str]:
    person: dict[str, Any] = {"name": name, "phones": [{"value": phone, "primary": True}]}
    return set(person_keys(person))


@pytest.mark.parametrize(("a", "pa", "b", "pb"), [
    ("Hugo Kessler", "+43 1 5556667", "Hugo Kessler", "01 5556667"),
    ("Kessler, Hugo", "+43 1 5556667", "Hugo Kessler", "01 5556667"),
    ("Anna Weber", "+49 89 123456", "Anna Weber", "089 123456"),
    ("Lars Berg", "+46 8 123 456", "Lars Berg", "08-123 456"),
    ("Lars Berg", "+45 33 12 34 56", "Lars Berg", "33 12 34 56"),
    ("Ola Nordmann", "+47 22 12 34 56", "Ola Nordmann", "22123456"),
    ("Jan de Vries", "+31 20 1234567", "Jan de Vries", "0031 20 1234567"),
    ("Anna Weber", "+49 30 1234567", "Anna Weber", "030 1234567")])
def test_one_number_written_two_ways_ties_one_person(a: str, pa: str, b: str, pb: str) -> None:
    assert _keys(a, pa) & _keys(b, pb)


@pytest.mark.parametrize(("a", "b"), [("+43 1 5556667", "01 5556668"),
                                      ("+49 89 123456", "089 123457")])
def test_two_numbers_stay_two(a: str, b: str) -> None:
    assert not _keys("Anna Weber", a) & _keys("Anna Weber", b)


def test_another_name_at_one_number_is_no_tie() -> None:
    assert not _keys("Anna Weber", "+49 89 123456") & _keys("Ben Weber", "089 123456")


@pytest.mark.parametrize(("text", "nsn"), [("+43 1 5556667", "15556667"),
                                           ("0043 1 5556667", "15556667"),
                                           ("01 5556667", "15556667"), ("+1 212 555 0100",
                                                                        "2125550100"),
                                           ("+352 12 34 56", "123456"), ("", "")])
def test_the_national_number(text: str, nsn: str) -> None:
    assert national_number(text) == nsn
