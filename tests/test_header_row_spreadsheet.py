"""``header_row`` counts rows as a spreadsheet shows them — as every row number does — not
the file's lines (f27b: a title cell of three lines above the header made
``header_row = 2`` a line inside that cell, refused "empty or inside a quoted cell", and
the row a spreadsheet shows as 2 could only be named as 4). A CSV and the XLSX of the same
sheet take the same ``header_row`` and give the same header and row numbers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bulk.errors import InputError
from bulk.manifest import count_rows, header, header_note, read_manifest

# row 1: a title of three lines and a date beside it (two cells: not skipped on its own);
# row 2: the header; rows 3, 4: records (lines 5, 6 of the CSV)
TITLE = "Deals export\nfrom the old CRM\n(do not edit)"
TABLE = [[TITLE, "2026-01-01"], ["Key", "Deal", "Amount"], ["C1", "One", "5"],
         ["C2", "Two", "6"]]


def _csv(path: Path, delimiter: str = ",", eol: str = "\n") -> Path:
    def cell(text: str) -> str:
        return f'"{text}"' if "\n" in text or delimiter in text else text
    path.write_bytes(eol.join([delimiter.join(map(cell, r)) for r in TABLE] + [""]).encode())
    return path


def _xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for r in TABLE:
        ws.append(r)
    book.save(path)
    return path


def _read(path: Path, header_row: int) -> list[tuple[int, dict[str, object]]]:
    return [(r.row, {k: str(v) for k, v in r.values.items()})
            for r in read_manifest(path, header_row=header_row)]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_header_row_is_the_spreadsheet_row_under_a_cell_of_several_lines(
        tmp_path: Path, delimiter: str, eol: str) -> None:
    """header_row = 2 is the header under a title cell of three lines, in CSV (any
    delimiter: sniffed from that row on) and XLSX alike; rows keep their spreadsheet
    numbers, and the CSV's records their file lines."""
    csv_path = _csv(tmp_path / "t.csv", delimiter, eol)
    book = _xlsx(tmp_path / "t.xlsx")
    want = [(3, {"Key": "C1", "Deal": "One", "Amount": "5"}),
            (4, {"Key": "C2", "Deal": "Two", "Amount": "6"})]
    for path in (csv_path, book):
        assert header(path, header_row=2) == ["Key", "Deal", "Amount"], path
        assert _read(path, 2) == want, path
        assert count_rows(path, header_row=2) == 2, path
    assert [r.line for r in read_manifest(csv_path, header_row=2)] == [5, 6]


def test_a_title_block_of_several_rows_one_of_several_lines(tmp_path: Path) -> None:
    """A report's title rows (two cells each, so never skipped on their own), one of them a
    filter cell of two lines: header_row = 3 names the header in a ';' file, and the plan's
    note on a header found below one-cell titles names its row and its line."""
    path = tmp_path / "r.csv"
    path.write_text('Deals report;2026\n"Filtered by: stage\nis won";x\nKey;Deal;Amount\n'
                    "K1;One;5\nK2;Two;6\n")
    assert header(path, header_row=3) == ["Key", "Deal", "Amount"]
    assert [(r.row, r.line, r.values["Key"]) for r in read_manifest(path, header_row=3)] == [
        (4, 5, "K1"), (5, 6, "K2")]
    found = tmp_path / "found.csv"  # one-cell titles, found without header_row
    found.write_text('"Deals report"\n"Filtered by: stage\nis won"\nKey;Deal;Amount\n'
                     "K1;One;5\nK2;Two;6\nK3;Three;7\n")
    assert header(found) == ["Key", "Deal", "Amount"]
    note = header_note(found) or ""
    assert note.startswith("the header is row 3 (line 4 of the file)"), note
    assert header(found, header_row=3) == ["Key", "Deal", "Amount"]


def test_a_header_row_past_the_end_or_on_a_blank_row_is_refused_by_its_row(
        tmp_path: Path) -> None:
    path = _csv(tmp_path / "t.csv")
    with pytest.raises(InputError, match=r"no row 9 \(header_row\)"):
        header(path, header_row=9)
    blank = tmp_path / "b.csv"
    blank.write_text(f'"{TITLE}",x\n\nKey,Deal\nC1,One\n')
    with pytest.raises(InputError, match=r"row 2 \(header_row\) is empty"):
        header(blank, header_row=2)
    assert header(blank, header_row=3) == ["Key", "Deal"]
