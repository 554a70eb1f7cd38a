"""init-mapping proposes ``date_formats`` for dates written with the month's name or year
first (Zoho's ``Mar 31 2026``, Salesforce's ``31-Mar-2026``, ``Mar 31, 2026``,
``2026/03/31``), and every sampled date reads by them (x25r2 F8: ``%d.%m.%Y`` was left
commented and every row failed in the plan)."""

from __future__ import annotations

import tomllib

import pytest

from jobs import transforms as tf
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping, init_mapping
from tests.test_mapping import RAW_FIELDS

HEADER = ["Record ID", "Deal Name", "Closing Date"]


@pytest.mark.parametrize(("dates", "expected"), [
    (["31-Mar-2026", "15-Jan-2026", "01-Feb-2026"], ["2026-03-31", "2026-01-15", "2026-02-01"]),
    (["Mar 31, 2026", "Jan 5, 2026"], ["2026-03-31", "2026-01-05"]),
    (["Mar 31 2026", "Sep 1 2026"], ["2026-03-31", "2026-09-01"]),
    (["March 31, 2026", "May 2, 2026"], ["2026-03-31", "2026-05-02"]),
    (["31 Mar 2026"], ["2026-03-31"]),
    (["2026/03/31", "2026/01/02"], ["2026-03-31", "2026-01-02"]),
    (["Mar 31, 2026 10:15 AM"], ["2026-03-31"]),
    (["31.03.2026", "Mar 30 2026"], ["2026-03-31", "2026-03-30"]),
])
def test_month_name_dates_get_their_pattern(dates: list[str], expected: list[str]) -> None:
    """The proposed patterns read every sampled date as the day it is; no TODO."""
    catalog = Catalog.from_api(pipelines=[{"id": 1, "name": "Sales"}], stages=[], users=[],
                               deal_fields=RAW_FIELDS)
    samples = {"Record ID": ["1"], "Deal Name": ["A"], "Closing Date": dates}
    text = init_mapping(HEADER, catalog, samples=samples)
    assert "TODO" not in text.split("[deal]")[0], text
    formats = tomllib.loads(text)["defaults"]["date_formats"]
    assert [tf.parse_date(d, formats) for d in dates] == expected, text
    compile_mapping(Mapping.loads(text), catalog)
