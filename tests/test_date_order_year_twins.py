"""The year-first guard both ways (x51r2 F1): for every listed 2-digit-year pattern and
every other field order (day first, month first, year first; any separator; a time or
none), a cell only the other order reads makes the column's cells that read both ways, to
two dates, ambiguous — ``["%m/%d/%y"]`` on yy/mm/dd cells wrote 147 of 150 wrong,
``["%y/%m/%d"]`` on dd/mm/yy cells 90 of 100."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from jobs.transforms.date_order import DateOrder
from jobs.transforms.day_reader import read_day
from tests.test_mapping import catalog  # noqa: F401  (fixture)
from tests.test_mapping_rules import mapper


def _rows(cells: list[str]) -> list[SourceRow]:
    return [SourceRow(n, n + 1, {"id": f"D{n}", "t": "Deal", "Close": cell})
            for n, cell in enumerate(cells, 2)]


@pytest.mark.parametrize(("listed", "cells", "advice"), [
    # F1a: yy/mm/dd cells listed month first ('38/04/26': no month 38)
    ("%m/%d/%y", ["05/04/03", "38/04/26", "07/07/20"], "'%y/%m/%d' instead of '%m/%d/%y'"),
    ("%m-%d-%y", ["05-04-03", "38-04-26", "07-07-20"], "'%y-%m-%d' instead of '%m-%d-%y'"),
    # F1b: dd/mm/yy cells listed year first ('08/10/43': no day 43)
    ("%y/%m/%d", ["05/04/03", "08/10/43", "07/07/20"], "'%d/%m/%y' instead of '%y/%m/%d'"),
    ("%y.%m.%d", ["05.04.03", "08.10.43", "07.07.20"], "'%d.%m.%y' instead of '%y.%m.%d'"),
    # mm/dd/yy cells listed year first ('12/25/43': no month 25, no day 43)
    ("%y/%m/%d", ["05/04/03", "12/25/43", "07/07/20"], "'%m/%d/%y' instead of '%y/%m/%d'"),
    # with a time after the date
    ("%m/%d/%y %H:%M", ["05/04/03 10:00", "38/04/26 11:00"],
     "'%y/%m/%d %H:%M' instead of '%m/%d/%y %H:%M'"),
])
def test_a_cell_only_another_field_order_reads_makes_both_way_cells_ambiguous(
        catalog: Catalog, listed: str, cells: list[str],  # noqa: F811
        advice: str) -> None:
    m = mapper(catalog, 'expected_close_date = "Close"', f'date_formats = ["{listed}"]')
    rows = _rows(cells)
    stored = m.learn_marks(rows)
    with pytest.raises(InputError) as info:
        m.map(rows[0])
    assert "ambiguous date" in info.value.reason and advice in info.value.reason, \
        info.value.reason
    with pytest.raises(InputError) as info:
        m.map(rows[1])  # the cell only the other order reads says it reads so
    assert "it reads as " + advice.split(" instead")[0] in info.value.reason, \
        info.value.reason
    again = mapper(catalog, 'expected_close_date = "Close"', f'date_formats = ["{listed}"]')
    again.use_decimal_marks(stored)  # a resume judges the same from the evidence
    with pytest.raises(InputError):
        again.map(rows[0])


_ORDERS = {"dmy": "%d{s}%m{s}%y", "mdy": "%m{s}%d{s}%y", "ymd": "%y{s}%m{s}%d"}


@settings(max_examples=60, deadline=None)
@given(truth=st.sampled_from(sorted(_ORDERS)), listed=st.sampled_from(sorted(_ORDERS)),
       sep=st.sampled_from("/-."), clock=st.booleans(),
       days=st.lists(st.integers(0, 45 * 365), min_size=1, max_size=30))
def test_no_cell_is_read_as_a_date_the_column_s_other_readings_contradict(
        truth: str, listed: str, sep: str, clock: bool, days: list[int]) -> None:
    """Property: random columns written in one field order, read under a random listed
    2-digit-year pattern: a cell the guard lets through reads as its true date, or reads
    both ways alike, or no cell of the column shows the other order."""
    tail = " %H:%M" if clock else ""
    written, pattern = _ORDERS[truth].format(s=sep) + tail, _ORDERS[listed].format(s=sep) + tail
    dates = [date(2000, 1, 1) + timedelta(days=d) for d in days]
    texts = [d.strftime(written.replace("%H:%M", "10:30")) for d in dates]
    order = DateOrder([pattern])
    order.start()
    for n, text in enumerate(texts):
        order.at = n
        order.see(text)
    order.decide()
    shown = any(_reads(t, pattern) is None for t in texts)
    for text, day in zip(texts, dates, strict=True):
        got = _reads(text, pattern)
        if got is None or order.conflict(text) is not None:
            continue
        assert got == day or not shown, (text, pattern, got, day)


def _reads(text: str, pattern: str) -> date | None:
    try:
        return read_day(text, pattern)
    except ValueError:
        return None
