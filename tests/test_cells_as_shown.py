"""A reason, note or plan line shows a typed cell (an XLSX date, a number, a boolean, a
JSON array, a Decimal, bytes) as the person sees it, never as a Python repr (x31r1 1:
``expected_close_date (column 'Close Date': datetime.date(2026, 7, 20) there, ...)``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs import transforms as tf
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping
from jobs.repeats import RepeatedKeys, differing_note, field_columns, written
from tests.test_mapping import ROW, catalog, mapper, row  # noqa: F401  (the fixture)

# what a Python repr leaks into a message
REPR = re.compile(r"datetime\.|Decimal\(|\bb'|\bTrue\b|\bFalse\b|\['|\{'|got dict|got list")

MAPPING = """
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
expected_close_date = "Close Date"
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
"""


def test_a_repeated_keys_differing_dates_are_shown_as_dates(catalog: Catalog) -> None:  # noqa: F811
    """Two rows of one key with XLSX date cells: the reason shows ``'2026-07-20'``."""
    rm = compile_mapping(Mapping.loads(MAPPING), catalog, header=["id", "title", "Close Date"])
    first = SourceRow(39, 40, {"id": "k", "title": "A", "Close Date": dt.date(2026, 7, 20)})
    later = SourceRow(40, 41, {"id": "k", "title": "A", "Close Date": dt.date(2026, 6, 4)})
    keys = RepeatedKeys()
    keys.learn(["k", "k"])
    columns = ["title", "Close Date"]
    keys.first("k", first, columns, written(rm.map(first)))
    repeat = keys.again("k", later, columns, written(rm.map(later)), field_columns(rm))
    assert repeat is not None
    note = differing_note(repeat)
    assert note == ("expected_close_date (column 'Close Date': '2026-07-20' there, "
                    "'2026-06-04' here)"), note


@pytest.mark.parametrize(("column", "cell", "shown"), [
    ("Employees", Decimal("12.50"), "not a whole number: '12.50'"),
    ("Amount", True, "got a boolean (true)"),
    ("Record ID", [1, "x"], 'got an array ([1, "x"])'),
    ("Company", {"a": 1}, "expected text, got an object"),
    ("Close Date", dt.date(1890, 1, 1), "(from '1890-01-01') is outside"),
    ("Close Date", 45000.0, "not a date: the number 45000 ("),
    ("Amount", Decimal("1E+20"), "number too large: '100000000000000000000'"),
    ("Phone", b"ab\xff", "not a phone number: 'ab\\\\xff'"),
])
def test_a_typed_cell_is_shown_as_seen(catalog: Catalog, column: str, cell: Any,  # noqa: F811
                                       shown: str) -> None:
    """Each typed cell's reason quotes it as a person reads it (before: its repr)."""
    with pytest.raises(InputError) as info:
        mapper(catalog).map(row(**{column: cell}))
    assert shown in info.value.reason, info.value.reason
    assert not REPR.search(info.value.reason), info.value.reason


def test_shown_cell() -> None:
    """The one rendering: dates, times, numbers, booleans, JSON values, bytes, None."""
    assert [tf.shown_cell(v) for v in (
        dt.date(2026, 7, 20), dt.datetime(2026, 7, 20, 14, 30), dt.time(9, 30), 45000.0,
        Decimal("12.50"), True, None, [1, "x"], b"ab\xff", "as is")] == [
        "2026-07-20", "2026-07-20 14:30:00", "09:30:00", "45000", "12.50", "true", "",
        '[1, "x"]', "ab\\xff", "as is"]
    assert tf.quoted_cell(dt.date(2026, 7, 20)) == "'2026-07-20'"


def test_every_typed_cell_in_every_column_reads_without_a_repr(catalog: Catalog) -> None:  # noqa: F811
    """A generator: every column of the realistic row, each typed value: no reason shows a
    repr (before: 14 of them did)."""
    values = [dt.date(2026, 7, 20), dt.datetime(2026, 7, 20, 14, 30), dt.time(9, 30),
              45000.5, 1e20, Decimal("12.50"), b"ab\xff", True, False, {"a": 1}, [1, "x"],
              [], {}]
    m = mapper(catalog)
    leaks = []
    for column in ROW:
        for value in values:
            try:
                m.map(row(**{column: value}))
            except InputError as exc:
                if REPR.search(exc.reason):
                    leaks.append((column, exc.reason))
    assert leaks == []
