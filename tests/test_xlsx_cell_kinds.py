"""XLSX cells whose number format changes what they are (bulk.xlsx_cells), v10r13."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from bulk.errors import InputError
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


@pytest.mark.parametrize(("number", "number_format", "shown"), [
    (12345678, "00000-0000", "01234-5678"),  # Excel's "Zip Code + 4"
    (45, '"INV-"0000', "INV-0045"),
    (12345678, "000-00-0000", "012-34-5678"),  # Excel's "Social Security Number"
    (5551234567, "(###) ###-####", "(555) 123-4567"),  # Excel's "Phone Number"
    (7, "00000", "00007"),
    # a number shown with a point, a comma, a unit after it: a number target reads it
    (5, '0" pcs"', 5), (1234, "#,##0", 1234), (3, "0.00", 3), (12, "General", 12),
    # 0 has no significant digit: a "#" shows nothing for it (x41r3 L6), a "0" a zero
    (0, "(###) ###-####", "() -"), (0, "#", ""), (0, "#,###", ""), (7, "#", 7),
    (0, "##-##-##", "--"), (0, "#,##0", 0), (0, "00000", "00000"),
])
def test_a_number_under_a_digit_pattern_is_the_text_excel_shows(
        tmp_path: Path, number: int, number_format: str, shown: object) -> None:
    """x16r2 F3: a zip code 01234-5678 stored as 12345678 under ``00000-0000`` went into a
    text field as ``12345678`` (its leading zero lost), ``"INV-"0000`` as ``45``. The text
    Excel shows is what the CSV save of the sheet writes: it is the cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "title", "zip"])
    sheet.append(["k1", "A", number])
    sheet["C2"].number_format = number_format
    path = tmp_path / "d.xlsx"
    book.save(path)
    (row,) = list(read_manifest(path))
    assert row.ok and row.values["zip"] == shown, row


def _mixed_book(tmp_path: Path, cells: list[object]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "title", "close"])
    for n, cell in enumerate(cells, 1):
        sheet.append([f"k{n}", f"Deal {n}", cell])
    path = tmp_path / "mixed.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize(("cells", "refused"), [
    # a UK export opened in a US Excel: 03/04 and 11/05 became date cells (March 4, Nov 5),
    # 25/04 stayed text: the date cells may be exchanged
    ([dt.datetime(2025, 3, 4), "25/04/2025", dt.datetime(2025, 11, 5)], {1, 3}),
    # a date cell with a day past 13: the date cells are read as they were meant
    ([dt.datetime(2025, 3, 4), "25/04/2025", dt.datetime(2025, 11, 25)], set()),
    # no text date in the column's order: nothing to go by (documented: taken as they are)
    ([dt.datetime(2025, 3, 4), dt.datetime(2025, 11, 5)], set()),
])
def test_date_cells_beside_text_dates_only_the_column_order_reads_are_refused(
        tmp_path: Path, cells: list[object], refused: set[int]) -> None:
    """x16r2 F6: a workbook whose text dates read only day-first (25/04/2025) and whose
    date cells all have a day of 12 or less is the mark of a CSV opened in a spreadsheet
    set to the other order: its date cells may have day and month exchanged, silently.
    They fail their rows, naming a text date that shows it."""
    from jobs.catalog import Catalog
    from jobs.mapping import Mapping, compile_mapping

    path = _mixed_book(tmp_path, cells)
    mapping = Mapping.loads('version = 1\n[import]\nkey_column = "id"\n'
                            '[defaults]\ndate_formats = ["%d/%m/%Y"]\n'
                            '[deal]\ntitle = "title"\nexpected_close_date = "close"\n')
    catalog = Catalog.from_api(pipelines=[{"id": 1, "name": "Sales"}],
                               stages=[{"id": 11, "name": "New", "pipeline_id": 1,
                                        "order_nr": 1}],
                               users=[], deal_fields=[{
                                   "field_code": "f" * 40, "field_name": "Import source key",
                                   "field_type": "varchar", "is_custom_field": True}])
    rows = list(read_manifest(path))
    mapper = compile_mapping(mapping, catalog, header=list(rows[0].values))
    mapper.learn_marks(iter(rows))
    failed: set[int] = set()
    for n, row in enumerate(rows, 1):
        try:
            mapper.map(row)
        except InputError as exc:
            assert "day and month exchanged" in exc.reason and "25/04/2025" in exc.reason
            failed.add(n)
    assert failed == refused
