"""XLSX cells whose number format changes what they are (bulk.xlsx_cells), v10r13."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from bulk.manifest import read_manifest
from bulk.xlsx_cells import format_currency


@pytest.mark.parametrize(("number_format", "currency"), [
    ('_-* #,##0.00\\ _€_-;-* #,##0.00\\ _€_-;_-* "-"??\\ _€_-;_-@_-', None),  # Comma style (fr/de)
    ("#,##0.00\\ _€", None),  # a space as wide as €: no currency shown
    ("#,##0.00\\ €", "€"),
    ("#,##0.00 [$€-407]", "€"),
    ("_($* #,##0.00_)", "$"),
])
def test_a_padding_symbol_is_no_currency(number_format: str, currency: str | None) -> None:
    """S2: ``_€`` pads with a space the width of €: the cell shows ``1 234,50`` and was read
    as EUR — a USD default silently replaced, a USD currency column refused."""
    assert format_currency(number_format) == currency


def test_a_duration_cell_reads_as_excel_shows_it(tmp_path: Path) -> None:
    """S3: a ``[h]:mm:ss`` cell (a timedelta) in any column ended the import with
    "unexpected TypeError: Type is not JSON serializable: datetime.timedelta"."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "title", "effort"])
    sheet.append(["k1", "A", dt.timedelta(hours=37, minutes=30)])
    sheet["C2"].number_format = "[h]:mm:ss"
    path = tmp_path / "d.xlsx"
    book.save(path)
    (row,) = list(read_manifest(path))
    assert row.ok and row.values["effort"] == "37:30:00", row


@pytest.mark.parametrize("number_format", [
    "[$€-x-euro2] #,##0.00", "#,##0.00 [$€-x-euro1]",
    "[$€-x-euro2] #,##0.00;[Red]-[$€-x-euro2] #,##0.00"])
def test_excels_built_in_euro_formats_are_euro(number_format: str) -> None:
    """v10r14 S2: Excel's Euro styles tag the symbol with a name, not a locale id; the tag
    did not match, and the amount was read in the default currency (GBP), silently."""
    assert format_currency(number_format) == "€"
