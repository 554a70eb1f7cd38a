"""A column with no name in the header and no value in any row (a report's empty column A,
a spacer column) is skipped, and the plan says so once; one with a value somewhere is
refused naming its position and letter (v10r9 M6)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bulk.errors import InputError
from bulk.manifest import count_rows, header, header_note, read_manifest


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("make", "note"), [
    (lambda d: _csv(d / "gap.csv", "Key,Title,,Amount\nk1,T1,,5\nk2,T2, ,6\n"),
     "column 3 (C) of the header has no name and no value in any row: skipped"),
    (lambda d: _csv(d / "two.csv", ",Key,Title,,Amount\n,k1,T1,,5\n,k2,T2,,6\n"),
     "columns 1 (A), 4 (D) of the header have no name and no value in any row: skipped"),
    (lambda d: _xlsx(d / "sf.xlsx", [[None, "Opportunity Report"], [],
                                     [None, "Key", "Title", "Amount"],
                                     [None, "k1", "T1", 5], [None, "k2", "T2", 6]]),
     "column 1 (A) of the header has no name and no value in any row: skipped"),
    (lambda d: _xlsx(d / "gap.xlsx", [["Key", "Title", None, "Amount"],
                                      ["k1", "T1", None, 5], ["k2", "T2", "", 6]]),
     "column 3 (C) of the header has no name and no value in any row: skipped"),
])
def test_an_empty_unnamed_column_is_skipped_and_noted(tmp_path: Path, make: object,
                                                      note: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    assert header(path) == ["Key", "Title", "Amount"]
    rows = list(read_manifest(path))
    assert all(r.ok for r in rows), [r.error for r in rows]
    assert [r.values["Key"] for r in rows] == ["k1", "k2"]
    assert all(set(r.values) == {"Key", "Title", "Amount"} for r in rows)
    assert count_rows(path) == 2
    said = header_note(path)
    assert said is not None and note in said


@pytest.mark.parametrize(("make", "says"), [
    (lambda d: _csv(d / "v.csv", "Key,Title,,Amount\nk1,T1,,5\nk2,T2,oops,6\n"),
     "no name for column 3 (C), but row 3 has a value there ('oops')"),
    (lambda d: _xlsx(d / "v.xlsx", [[None, "Key", "Title"], [None, "k1", "T1"],
                                    ["stray", "k2", "T2"]]),
     "no name for column 1 (A), but Excel row 3 has a value there ('stray')"),
])
def test_an_unnamed_column_with_a_value_is_refused_naming_it(tmp_path: Path, make: object,
                                                             says: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    for read in (header, lambda p: list(read_manifest(p))):
        with pytest.raises(InputError) as caught:
            read(path)
        assert says in str(caught.value) and "header_row" in str(caught.value)
