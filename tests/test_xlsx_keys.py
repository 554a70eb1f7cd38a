"""An XLSX source key must read as every export of the sheet writes it (v10r27 F1, F2).

A number cell in the key column whose format shows it otherwise than its digits fails its
row: ``"INV-"0000`` and ``"PO-"0000`` show two ids for the number 42 (one record's update
was written onto the other's deal), and the CSV save of ``#,##0`` says ``1,001`` where
the workbook says 1001 (each export made its own deal). The same formats elsewhere in the
row are read as before."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bulk.errors import InputError
from bulk.manifest import read_manifest

SHOWN_OTHERWISE = ['#,##0', '"INV-"0000', '0" pcs"', '000-000', '#,##0,', '0.00%',
                   '"$"#,##0', '#,##0.00 [$€-407]']
PLAIN = [("General", 1001, "1001"), ("0", 1001, "1001"), ("0.00", 3003.0, "3003"),
         ("@", 1001, "1001"), ("000000", 7770, "007770")]


def _book(tmp_path: Path, formats: list[str], numbers: list[float]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Id", "Name", "Amount"])
    for n, (fmt, number) in enumerate(zip(formats, numbers, strict=True), 2):
        sheet.append([number, f"Deal {n}", 5005])
        sheet.cell(n, 1).number_format = fmt
        sheet.cell(n, 3).number_format = fmt  # the same format outside the key column
    path = tmp_path / "keys.xlsx"
    book.save(path)
    return path


def test_a_key_cell_that_shows_other_than_its_digits_fails_its_row(tmp_path: Path) -> None:
    path = _book(tmp_path, SHOWN_OTHERWISE, [1001] * len(SHOWN_OTHERWISE))
    rows = list(read_manifest(path, keys=("Id",)))
    assert [r.row for r in rows] == list(range(2, 2 + len(SHOWN_OTHERWISE)))
    for row, fmt in zip(rows, SHOWN_OTHERWISE, strict=True):
        assert row.error is not None, fmt
        assert row.error.column == "Id" and row.error.row == row.row
        assert repr(fmt) in row.error.reason and "format the column as Text" in row.error.reason


def test_a_key_cell_that_shows_its_digits_is_read(tmp_path: Path) -> None:
    path = _book(tmp_path, [f for f, _, _ in PLAIN], [n for _, n, _ in PLAIN])
    rows = list(read_manifest(path, keys=("Id",)))
    assert all(r.ok for r in rows)
    from jobs.transforms import source_key
    assert [source_key(r.values["Id"]) for r in rows] == [k for _, _, k in PLAIN]


@pytest.mark.parametrize("keys", [(), ("Name",)])
def test_other_columns_keep_their_formats(tmp_path: Path, keys: tuple[str, ...]) -> None:
    """Without the key named (a merge's pairs, a reader that takes no key), or with
    another key column, the formatted cells are read as numbers as before."""
    path = _book(tmp_path, SHOWN_OTHERWISE, [1001] * len(SHOWN_OTHERWISE))
    assert all(r.ok for r in read_manifest(path, keys=keys))


@pytest.mark.parametrize(("number", "shown"), [
    (1234567890123456, "the number 1234567890123456 is too large"),
    (123456789012345678, "the number 123456789012346000 is too large"),
    (1.5e16, "the number 15000000000000000 is too large"),
])
def test_a_long_number_key_is_quoted_as_excel_shows_it(tmp_path: Path, number: float,
                                                       shown: str) -> None:
    """x21r3 F8b: a 16-digit id typed into a number cell failed quoting
    ``1234567890123456.0``, a float no export of the sheet writes: the message shows the
    number as it was typed and as Excel shows it in a wide column."""
    from jobs.catalog import Catalog
    from jobs.mapping import Mapping, compile_mapping
    from tests.test_mapping_rules import BASE

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "t"])
    sheet.append([number, "Deal"])
    book.save(tmp_path / "k.xlsx")
    catalog = Catalog.from_api(pipelines=[], stages=[], users=[], deal_fields=[
        {"field_code": "k" * 40, "field_name": "Import source key", "field_type": "varchar",
         "is_custom_field": True}])
    m = compile_mapping(Mapping.loads(BASE.format(deal="", defaults="")), catalog)
    [row] = read_manifest(tmp_path / "k.xlsx")
    with pytest.raises(InputError) as info:
        m.map(row)
    assert shown in str(info.value) and ".0 " not in str(info.value)
    assert "e+" not in str(info.value)
