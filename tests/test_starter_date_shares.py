"""init-mapping proposes, for a date column, every form that reads a real share of its
cells, majority first, and one TODO counting the cells no proposed form reads (x48r12:
``Q3`` among ISO dates had no TODO and hid the one of ``TBD``, the plan then failing 27 rows
init-mapping never named)."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

HEADER = ["Deal ID", "Deal Title", "Value", "Expected close date"]


def _csv(path: Path, cells: list[str]
         ) -> tuple[dict[str, list[str]], list[dict[str, object]]]:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, cell in enumerate(cells):
            writer.writerow([f"it-{i}", f"It {i}", 100 + i, cell])
    rows: list[dict[str, object]] = []
    samples = _samples(path, rows=rows)
    return samples, rows


def _todos(text: str) -> list[str]:
    return [line for line in text.splitlines() if "TODO" in line]


def test_a_quarter_and_words_among_iso_dates_get_their_todo(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """200 ISO dates, 10 cells ``TBD`` / ``Q3`` / ``n/a`` / ``Q3 2026``: one TODO names
    every word and quarter (each alone had none, or hid the other's)."""
    bad = ["TBD", "Q3", "n/a", "Q3 2026", "tbd"]
    cells = [(date(2026, 1, 1) + timedelta(days=i)).isoformat() for i in range(200)]
    for n, i in enumerate(range(7, 200, 20)):
        cells[i] = bad[n % len(bad)]
    samples, rows = _csv(tmp_path / "iso.csv", cells)
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    named = [t for t in _todos(text) if "no date" in t]
    assert len(named) == 1, _todos(text)
    assert all(repr(b) in named[0] for b in bad[:4]) and "in 10 of the 200 sampled rows" in named[0], named
    assert "add a pattern" not in text, text


def test_one_quarter_alone_among_iso_dates_gets_a_todo(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    cells = [(date(2026, 1, 1) + timedelta(days=i)).isoformat() for i in range(60)]
    cells[7] = "Q4"
    samples, rows = _csv(tmp_path / "q4.csv", cells)
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    assert any("'Q4' is no date" in t for t in _todos(text)), _todos(text)


def test_an_impossible_iso_date_and_words_get_both_named(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """The shape of x48r12's iso.csv: ``2026-02-31`` and ``TBD`` / ``Q3`` / empty cells."""
    cells = [(date(2026, 1, 1) + timedelta(days=i)).isoformat() for i in range(120)]
    for i, bad in zip(range(3, 120, 10), ["TBD", "2026-02-31", "", "n/a", "Q3", "tbd",
                                          "2026-02-31", "TBD", "", "Q3", "n/a", "TBD"],
                      strict=True):
        cells[i] = bad
    samples, rows = _csv(tmp_path / "iso.csv", cells)
    text = "\n".join(_todos(init_mapping(HEADER, catalog, samples=samples, rows=rows)))
    assert "'2026-02-31'" in text and "'Q3'" in text and "'TBD'" in text, text


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def _book(path: Path, cells: list[object], above: int = 0) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for n in range(above):
        sheet.append([f"Report line {n + 1}"])
    sheet.append(HEADER)
    for i, cell in enumerate(cells):
        sheet.append([f"it-{i}", f"It {i}", 100 + i, cell])
    book.save(path)
    return path


def _xlsx_mapping(path: Path, catalog: Catalog, header_row: int | None = None  # noqa: F811
                  ) -> str:
    rows: list[dict[str, object]] = []
    samples = _samples(path, rows=rows, header_row=header_row)
    return init_mapping(HEADER, catalog, samples=samples, rows=rows)


def _close_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("expected_close_date"))


def _mixed(serials: int, texts: int) -> list[object]:
    """``serials`` Excel serials, ``texts`` day-first text dates (day above 12), then
    ``31/02/2026``, ``TBD``, ``Q3``: 3 cells no form reads."""
    start = date(2025, 3, 13)
    cells: list[object] = [_serial(start + timedelta(days=i)) for i in range(serials)]
    cells += [(start + timedelta(days=31 * i)).strftime("%d/%m/%Y") for i in range(texts)]
    return [*cells, "31/02/2026", "TBD", "Q3"]


@pytest.mark.parametrize(("serials", "texts", "formats"), [
    (88, 9, '["excel", "%d/%m/%Y"]'),  # x48r12 F2: 10 % text was called unreadable
    (60, 37, '["excel", "%d/%m/%Y"]'),
    (50, 47, '["%d/%m/%Y", "excel"]'),  # x48r12 F3: a tie is no majority of serials
    (40, 57, '["%d/%m/%Y", "excel"]'),  # x48r12 F3: the serials were left unmentioned
])
def test_serials_and_text_dates_are_both_proposed(
        catalog: Catalog, tmp_path: Path, serials: int, texts: int, formats: str) -> None:  # noqa: F811
    text = _xlsx_mapping(_book(tmp_path / "mixed.xlsx", _mixed(serials, texts)), catalog)
    assert f"formats = {formats}" in _close_line(text), text
    todo = [t for t in _todos(text) if "Expected close date" in t or "no date" in t]
    assert len(todo) == 1 and "3 of the 100 sampled rows" in todo[0], _todos(text)
    assert all(v in todo[0] for v in ("'31/02/2026'", "'TBD'", "'Q3'")), todo
    assert "add a pattern" not in text, text


def test_date_cells_with_serials_and_a_quarter(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x48r12 F4: XLSX date cells (82 %), serials in General format (15 %), ``Q3`` (3 %):
    no token and no TODO, and the plan failed the serials and the quarters."""
    start = datetime(2025, 4, 1)
    cells: list[object] = [start + timedelta(days=i) for i in range(82)]
    cells += [_serial(date(2026, 1, 1) + timedelta(days=i)) for i in range(15)]
    cells += ["Q3", "Q3", "Q3"]
    text = _xlsx_mapping(_book(tmp_path / "xdt.xlsx", cells), catalog)
    assert 'formats = ["%Y-%m-%d", "excel"]' in _close_line(text), text
    todo = [t for t in _todos(text) if "'Q3'" in t]
    assert len(todo) == 1 and "3 of the 100 sampled rows" in todo[0], _todos(text)


def test_date_cells_under_a_late_header_with_words(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x48r12 F4: a header on row 3, date cells and 5 % ``TBD``: the words got no TODO."""
    cells: list[object] = [datetime(2025, 4, 1) + timedelta(days=i) for i in range(57)]
    cells += ["TBD", "TBD", "TBD"]
    text = _xlsx_mapping(_book(tmp_path / "hdr3.xlsx", cells, above=2), catalog, 3)
    assert any("'TBD' is no date" in t for t in _todos(text)), _todos(text)
