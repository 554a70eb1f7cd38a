"""init-mapping reads an XLSX workbook's date cells as it reads a CSV's date text: the
future won / lost close dates of typed date cells get the same TODO beside ``close_time``
(x47r3 F4: the Salesforce data as XLSX got ``close_time`` with no TODO, and the plan then
failed 40 of 240 rows), and a column of date cells is sampled, not taken for empty."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl

from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC).timestamp()
HEADER = ["Opportunity ID", "Opportunity Name", "Stage", "Amount", "Close Date"]
ROWS = [["0061", "D1", "Closed Won", 100.5, datetime(2026, 5, 3)],
        ["0062", "D2", "Closed Lost", 200, datetime(2027, 1, 10)],  # lost, ahead
        ["0063", "D3", "Prospecting", 300, date(2027, 2, 1)],  # open: expected close
        ["0064", "D4", "Closed Won", 400, datetime(2026, 6, 30, 10, 0)]]  # won, ahead


def _mapping(path: Path, catalog: Catalog) -> str:  # noqa: F811
    rows: list[dict[str, object]] = []
    samples = _samples(path, rows=rows)
    return init_mapping(HEADER, catalog, samples=samples, rows=rows, now=NOW)


def _todo(text: str) -> list[str]:
    return [line for line in text.splitlines() if "sampled won / lost rows" in line]


def test_typed_date_cells_get_the_csv_texts_future_close_todo(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    book.save(tmp_path / "sf.xlsx")
    lines = [",".join(HEADER)] + [
        ",".join(str(c.date() if isinstance(c, datetime) and not c.hour else c)
                 for c in row) for row in ROWS]
    (tmp_path / "sf.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    xlsx, csv = _mapping(tmp_path / "sf.xlsx", catalog), _mapping(tmp_path / "sf.csv", catalog)
    assert 'close_time = { column = "Close Date"' in xlsx, xlsx
    todo = _todo(xlsx)
    assert len(todo) == 1, xlsx
    assert "2 of the 3 sampled won / lost rows have a Close Date in the future" in todo[0]
    assert "'2027-01-10'" in todo[0], todo
    assert todo == _todo(csv)
    # typed dates ask for no date pattern (the reader takes them as they are)
    assert '# date_formats = ["%d.%m.%Y"]' in xlsx, xlsx


def test_a_column_of_date_cells_is_sampled(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Key", "Close Date"])
    sheet.append(["1", datetime(2027, 1, 10)])
    book.save(tmp_path / "d.xlsx")
    assert _samples(tmp_path / "d.xlsx")["Close Date"] == ["2027-01-10"]
