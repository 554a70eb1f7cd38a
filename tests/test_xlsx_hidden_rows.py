"""x18r2 6: XLSX rows hidden in the sheet (by a filter or by hand) were imported without a
note. They are still imported (the file holds them), and the plan's header note says how
many and which."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from bulk.manifest import header_note, read_manifest


def _book(path: Path, hidden: list[int], *, sheet_filter: bool = False) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["id", "title"])
    for n in range(2, 22):
        ws.append([f"K-{n}", f"Deal {n}"])
    for row in hidden:
        ws.row_dimensions[row].hidden = True
    if sheet_filter:  # as Excel saves a filtered sheet: the filter and its hidden rows
        ws.auto_filter.ref = "A1:B21"
    book.save(path)
    return path


def test_hidden_rows_are_imported_and_named_in_the_plan(tmp_path: Path) -> None:
    path = _book(tmp_path / "in.xlsx", [12, 15], sheet_filter=True)
    rows = [r.row for r in read_manifest(path)]
    assert 12 in rows and 15 in rows and len(rows) == 20  # imported, as the file holds them
    note = header_note(path)
    assert note is not None and "2 row(s) are hidden in the sheet (rows 12, 15) and are " \
                                "imported" in note, note


def test_many_hidden_rows_are_counted_and_the_first_named(tmp_path: Path) -> None:
    note = header_note(_book(tmp_path / "in.xlsx", list(range(3, 20))))
    assert note is not None and "17 row(s) are hidden in the sheet (rows 3, 4, 5, 6, 7, 8, " \
                                "9, 10, 11, 12, ...)" in note, note


def test_no_hidden_rows_no_note(tmp_path: Path) -> None:
    assert header_note(_book(tmp_path / "in.xlsx", [])) is None
