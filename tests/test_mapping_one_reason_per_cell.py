"""A cell read for two fields that fails alike in both is one reason naming both fields,
never the same reason again under ``also`` (x31r1 2: ``Close Date: not a date:
'31/02/2026' (...) (also: column 'Close Date': not a date: '31/02/2026' (...))``)."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping
from tests.test_mapping import catalog  # noqa: F401  (the fixture)

MAPPING = """
version = 1
[import]
key_column = "id"
[defaults]
date_formats = ["%m/%d/%Y"]
[deal]
title = "title"
expected_close_date = "Close Date"
close_time = { column = "Close Date", when_open = "drop" }
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
[custom_fields]
"Renewal date" = "Close Date"
"Site address" = "Address"
[organization]
name = "Company"
address = "Address"
"""
HEADER = ["id", "title", "Close Date", "Address", "Company", "Amount"]


def _reason(catalog: Catalog, **cells: object) -> str:  # noqa: F811
    rm = compile_mapping(Mapping.loads(MAPPING), catalog, header=HEADER)
    values = {"id": "k1", "title": "T", "Close Date": "07/20/2026", "Address": "Main St 1",
              "Company": "Acme", "Amount": ""}
    values.update(cells)
    with pytest.raises(InputError) as info:
        rm.map(SourceRow(19, 20, values))
    return info.value.reason


def test_a_bad_date_read_for_three_fields_is_said_once(catalog: Catalog) -> None:  # noqa: F811
    """``31/02/2026`` under expected_close_date, close_time and a date custom field: one
    reason, the three fields named."""
    reason = _reason(catalog, **{"Close Date": "31/02/2026"})
    assert reason.count("not a date: '31/02/2026'") == 1, reason
    assert "also" not in reason, reason
    assert reason.endswith("the cell is read for expected_close_date, close_time and "
                           "'Renewal date'"), reason


def test_other_cells_stay_listed(catalog: Catalog) -> None:  # noqa: F811
    """Two cells of two columns, one of them read for a custom field and the
    organization's address: each column said once, the other one under ``also``."""
    reason = _reason(catalog, **{"Close Date": "31/02/2026", "Address": 1e20})
    assert reason.count("not a date") == 1 and reason.count("1e+20") == 1, reason
    assert "(also: column 'Address': " in reason, reason
    assert "read for 'Site address' and the organization" in reason, reason
