"""Excel's empty date under ``"excel"`` (y55r1 F6): serial 0 — ``0``, ``0.0`` as CSV text
or an XLSX number, a time on day 0 such as ``0.5`` — failed its row as "not in the range
of "excel" ... fix date_formats", sending the person to the mapping. It is named as the
README says, by the date and the date-time reader; in the 1904 system 0 is 1904-01-01, a
day Excel shows, read so (README, docs/mapping.md)."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.mapping import Mapping, compile_mapping
from jobs.transforms import parse_date
from jobs.transforms.date_times import parse_datetime
from jobs.transforms.zero_date import ZERO_DATE
from tests.test_close_times import catalog as close_catalog

_ZEROS: list[object] = [0, 0.0, "0", "0.0", " 0 ", "0.00", "0.5", 0.25]


@pytest.mark.parametrize("cell", _ZEROS)
@pytest.mark.parametrize("formats", [["excel"], ["excel", "%Y-%m-%d"], ["%d/%m/%Y", "excel"]])
def test_zero_under_excel_is_excels_empty_date(cell: object, formats: list[str]) -> None:
    """y55r1 F6: day 0 (a time on it too) under ``"excel"``, as CSV text or an XLSX
    number, is named Excel's empty date — never "fix date_formats" — by the date and the
    date-time reader alike."""
    for read in (parse_date, parse_datetime):
        with pytest.raises(InputError) as caught:
            read(cell, formats)
        assert ZERO_DATE in caught.value.reason, caught.value.reason
        assert "date_formats" not in caught.value.reason


@pytest.mark.parametrize("cell", _ZEROS)
def test_zero_in_the_1904_system_is_its_first_day(cell: object) -> None:
    """In the 1904 system serial 0 is 1904-01-01, a day Excel shows (the README's
    example), read so; init-mapping names it beside later serials as a far number."""
    assert parse_date(cell, ["excel_1904"]) == "1904-01-01"


_MAPPING = """
version = 1
[import]
key_column = "Opportunity ID"
key_field = "Import source key"
[defaults]
decimal = "{decimal}"
[deal]
title = "Opportunity Name"
expected_close_date = {{ column = "Close Date", formats = ["excel"] }}
"""


@pytest.mark.parametrize(("decimal", "cell"), [
    (",", "0,0"), (",", "0"), (",", "0,5"), (".", "0.0"), (".", 0), (".", 0.0)])
def test_a_mapped_row_of_zero_fails_as_excels_empty_date(decimal: str, cell: object) -> None:
    """Through a compiled mapping (a text serial with the mapping's decimal comma is read
    as the number it writes): the row fails naming Excel's empty date."""
    mapper = compile_mapping(Mapping.loads(_MAPPING.format(decimal=decimal)), close_catalog(),
                             header=["Opportunity ID", "Opportunity Name", "Close Date"])
    with pytest.raises(InputError) as caught:
        mapper.map(SourceRow(2, 2, {"Opportunity ID": "006A", "Opportunity Name": "X",
                                    "Close Date": cell}))
    assert ZERO_DATE in caught.value.reason, caught.value.reason
