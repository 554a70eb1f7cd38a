"""An XLSX date, date-time or time cell in a text target (the title, a person or
organization name, the lost reason, a text custom field) fails its row, as the key column
does: Excel turned text typed as ``1-Mar`` into a date and the ISO date was written
(x42r1 F6); a TRUE / FALSE cell fails a title or a name, never one. A template writes a
date on purpose and a CSV's text is read as written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bulk.errors import InputError
from bulk.manifest import read_manifest
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping

MAPPING = """\
version = 1
[import]
key_column = "id"
key_field = "Source key"
[deal]
title = "{title}"
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
[custom_fields]
"Region" = "region"
[person]
name = "person"
[organization]
name = "org"
"""
HEADER = ["id", "title", "region", "person", "org"]
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"),), stages=(Stage(1, "Qualified", 1),),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),
                 DealField("reg1", "Region", "varchar", is_custom=True)))


def _rows(tmp_path: Path, cells: dict[str, Any], mapping: str = MAPPING) -> list[Any]:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    values = {"id": "k1", "title": "Deal", "region": "North", "person": "Ann Lee",
              "org": "Acme"} | cells
    sheet.append([values[c] for c in HEADER])
    for column, value in cells.items():
        if isinstance(value, dt.date):
            sheet.cell(2, HEADER.index(column) + 1).number_format = "d-mmm"
    path = tmp_path / "d.xlsx"
    book.save(path)
    mapper = compile_mapping(Mapping.loads(mapping), CATALOG)
    return [mapper.map(row) for row in read_manifest(path)]


@pytest.mark.parametrize(("column", "value", "what"), [
    ("title", dt.datetime(2026, 3, 1), "a date"),
    ("title", True, "a TRUE / FALSE value"),
    ("person", dt.datetime(2026, 3, 1), "a date"),
    ("person", False, "a TRUE / FALSE value"),
    ("org", dt.datetime(2026, 3, 1), "a date"),
    ("org", True, "a TRUE / FALSE value"),
    ("region", dt.datetime(2026, 3, 1), "a date"),
    ("region", dt.datetime(2026, 3, 1, 9, 30), "a date and time"),
])
def test_a_date_or_boolean_cell_in_a_text_target_fails_the_row(
        tmp_path: Path, column: str, value: object, what: str) -> None:
    """Each fails its row naming the cell as the workbook holds it and the fix; before,
    ``2026-03-01`` / ``true`` were written silently."""
    mapping = MAPPING.replace('title = "{title}"', 'title = "title"')
    with pytest.raises(InputError, match=f"the cell is {what}") as info:
        _rows(tmp_path, {column: value}, mapping)
    assert "format the column as Text" in info.value.reason
    assert info.value.column == column


def test_a_template_and_a_boolean_in_a_text_field_are_written(tmp_path: Path) -> None:
    """A title template reading a date cell writes it as text on purpose; a TRUE cell in
    a varchar custom field is written ``true`` as before."""
    (row,) = _rows(tmp_path, {"title": dt.datetime(2026, 3, 1), "region": True})
    assert row.deal["title"] == "2026-03-01"
    assert row.deal["custom_fields"]["reg1"] == "true"
