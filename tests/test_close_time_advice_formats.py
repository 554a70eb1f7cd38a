"""The plan's close_time advice reads the cells it is for (z55r1 F3): for a Zoho XLSX the
plan said "105 won / lost deals will be dated today ... add ``close_time = { column =
"Closing Date", when_open = "drop" }``" while the column was read by its own ``formats =
["excel"]``; followed, 300 of 300 rows failed "not a date". The line now carries the
expected close date's own formats; each case applies it to the mapping as written and
maps closed and open rows of the cells the expected close date reads."""

from __future__ import annotations

import re

import pytest

from bulk.manifest import SourceRow
from jobs.mapping import Mapping, compile_mapping
from tests.test_close_times import catalog as close_catalog

_NO_TIMES = """
version = 1
[import]
key_column = "Opportunity ID"
key_field = "Import source key"
[defaults]
date_formats = {defaults}
[deal]
title = "Opportunity Name"
status = {{ column = "Stage", map = {{ "Closed Won" = "won", "Closed Lost" = "lost", "*" = "open" }} }}
expected_close_date = {expected}
"""
_SF_HEADER = ["Opportunity ID", "Opportunity Name", "Stage", "Close Date"]
_ADVISED = re.compile(r"add (close_time = \{.*?\}): ")


@pytest.mark.parametrize(("expected", "defaults", "cells"), [
    ('{ column = "Close Date", formats = ["excel"] }', "[]", ["46000", "45000.5", 46100]),
    ('{ column = "Close Date", formats = ["excel_1904"] }', "[]", ["44000", 44538.25]),
    ('{ column = "Close Date", formats = ["excel", "%d/%m/%Y"] }', "[]",
     ["46000", "17/09/2025"]),
    ('{ column = "Close Date", formats = ["%d.%m.%Y"] }', '["%m/%d/%Y"]', ["01.02.2025"]),
    ('{ column = "Close Date", formats = ["unix"] }', "[]", ["1735689600"]),
    ('"Close Date"', '["excel"]', ["46000", 45000]),
    ('"Close Date"', '["%m/%d/%Y"]', ["06/30/2025"]),
])
def test_the_close_time_advice_reads_the_cells_it_is_for(
        expected: str, defaults: str, cells: list[object]) -> None:
    """z55r1 F3: the plan's close_time line, added to the mapping as written, reads every
    cell the expected close date reads: a closed row is closed on that day, an open row
    keeps it as its expected close date."""
    text = _NO_TIMES.format(expected=expected, defaults=defaults)
    note = Mapping.loads(text).undated_note(3)
    found = _ADVISED.search(note)
    assert found is not None, note
    advised = text + found.group(1) + "\n"
    mapper = compile_mapping(Mapping.loads(advised), close_catalog(), header=_SF_HEADER)
    for cell in cells:
        for stage in ("Closed Won", "Closed Lost", "Prospecting"):
            deal = dict(mapper.map(SourceRow(2, 2, {
                "Opportunity ID": "006A", "Opportunity Name": "X", "Stage": stage,
                "Close Date": cell})).deal)
            day = deal["expected_close_date"]
            if stage == "Prospecting":
                assert "close_time" not in deal, deal
            else:
                assert str(deal["close_time"]).startswith(str(day)), (cell, deal)
