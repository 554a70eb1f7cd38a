"""An XLSX header cell merged over the columns right of it ("Amount" over C1:D1, column D
holding EUR / USD) refuses the file once, naming the merge and the column it leaves
without a name; never every row "a value right of the header's last column" (x25r2 F6).
A merge over columns with no value in any row is skipped, as an unnamed column is."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bulk.errors import InputError
from bulk.manifest import header, header_note, read_manifest


def _book(path: Path, rows: list[list[object]], merge: str) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.active.merge_cells(merge)
    book.save(path)
    return path


@pytest.mark.parametrize(("rows", "merge", "column"), [
    ([["Record ID", "Deal Name", "Amount", None], ["1", "A", 100, "EUR"], ["2", "B", 200, "USD"]],
     "C1:D1", "column 4 (D)"),
    # a named column after the merge: the merged-over column is inside the header
    ([["Record ID", "Amount", None, "Deal Name"], ["1", 100, "EUR", "A"]], "B1:C1",
     "column 3 (C)"),
])
def test_a_merged_header_cell_over_a_filled_column_is_named(
        tmp_path: Path, rows: list[list[object]], merge: str, column: str) -> None:
    """header() and the reader refuse the file naming the merged cell and the column."""
    path = _book(tmp_path / "m.xlsx", rows, merge)
    for read in (lambda: header(path), lambda: list(read_manifest(path))):
        with pytest.raises(InputError) as caught:
            read()
        message = str(caught.value)
        assert f"is merged over {merge}: {column} has no name" in message, message
        assert "unmerge" in message, message


def test_a_merged_header_cell_over_empty_columns_is_skipped(tmp_path: Path) -> None:
    """No value under the merge: read, with the plan's note on the skipped column."""
    path = _book(tmp_path / "m.xlsx", [["Record ID", "Amount", None], ["1", 100, None]],
                 "B1:C1")
    assert header(path) == ["Record ID", "Amount"]
    assert [r.error for r in read_manifest(path)] == [None]
    assert "column 3 (C) of the header has no name" in (header_note(path) or "")
