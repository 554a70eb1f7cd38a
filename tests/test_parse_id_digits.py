"""A deal id is ASCII digits, at most 2**53 - 1 (x34r5 F2 / F5 / F6).

``str.isdigit`` takes ``²`` and ``①``, which ``int`` refuses, so one such cell stopped a
whole update / merge / move-stage as "unexpected error (ValueError)", and a 5,000-digit id
did the same past Python's 4,300-digit limit; Arabic-Indic and fullwidth digits were read
as ids (a merge of Arabic-Indic ids planned), and ids no JSON number carries were sent in
``ids=`` list reads. Each is now its row's error, with the row kept apart."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from jobs.selection import MAX_ID, parse_id


@pytest.mark.parametrize("cell", ["²", "①", "٤٦", "५१", "1" * 5000,
                                  str(MAX_ID + 2), MAX_ID + 1, 1e30, "+45", "1e3",
                                  # grouped thousands or a fraction (x43r3 F7 kept them out)
                                  "1.234", "1,234", "1.000", "1.5", "16.", ".00", "1.00.0"])
def test_not_a_deal_id(cell: object) -> None:
    with pytest.raises(InputError, match="not a deal id"):
        parse_id(cell)


@pytest.mark.parametrize(("cell", "deal_id"), [(" 42 ", 42), ("12.0", 12), (12.0, 12),
                                               ("0042", 42), (str(MAX_ID), MAX_ID),
                                               # x43r3 F7: `16.00` was "not a deal id"
                                               ("16.00", 16), ("7.0000", 7),
                                               # x46r3 F5: full-width digits, as a source
                                               # key's are read (NFKC), and a decimal-comma
                                               # save of 105.0
                                               ("\uff14\uff18", 48), ("105,0", 105),
                                               ("105,00", 105)])
def test_a_deal_id(cell: object, deal_id: int) -> None:
    assert parse_id(cell) == deal_id


def test_a_long_id_is_named_short() -> None:
    with pytest.raises(InputError) as caught:
        parse_id("9" * 5000)
    assert len(str(caught.value)) < 120, str(caught.value)
