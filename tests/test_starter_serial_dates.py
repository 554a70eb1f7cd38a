"""init-mapping keeps the date form that reads most of a column when a few cells fail every
form, and names those cells in a TODO that counts them (x48r4 F1: 10 impossible dates
among 590 Excel serials gave no "excel" at all, and the plan failed 590 of 600 rows); and
it counts Excel serial close dates in the future-close TODO as it counts CSV dates (x48r4
F2: no TODO, then 219 of 600 rows failed "the close time ... is in the future")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from jobs.mapping.starter import TypedSample, _date_format_lines
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC).timestamp()
HEADER = ["Opportunity ID", "Opportunity Name", "Stage", "Close Date"]


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def _book(path: Path, cells: list[object], stages: list[str]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for i, (cell, stage) in enumerate(zip(cells, stages, strict=True)):
        sheet.append([f"006X{i:05d}", f"Opp {i}", stage, cell])
    book.save(path)
    return path


def _mapping(path: Path, catalog: Catalog) -> str:  # noqa: F811
    rows: list[dict[str, object]] = []
    samples = _samples(path, rows=rows)
    return init_mapping(HEADER, catalog, samples=samples, rows=rows, now=NOW)


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


def test_a_few_impossible_dates_keep_the_serials_token(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """600 serials of 2025, 10 of them ``31/02/2026``: ``formats = ["excel"]`` on both
    close-date lines, one TODO counting the 10 rows, none asking to drop the serials."""
    cells: list[object] = [_serial(date(2025, 1, 1) + timedelta(days=i % 300))
                           for i in range(600)]
    for i in range(7, 600, 60):
        cells[i] = "31/02/2026"
    stages = [("Prospecting", "Closed Won", "Closed Lost")[i % 3] for i in range(600)]
    text = _mapping(_book(tmp_path / "dirty.xlsx", cells, stages), catalog)
    assert 'formats = ["excel"]' in _line(text, "expected_close_date = "), text
    assert 'formats = ["excel"]' in _line(text, "close_time = "), text
    todo = [line for line in text.splitlines() if "31/02/2026" in line]
    assert len(todo) == 1, todo
    assert "10 of the 600 sampled rows" in todo[0] and "impossible date" in todo[0], todo


@pytest.mark.parametrize("bad", ["TBD", "31/02/2026", "2026-02-31"])
def test_a_minority_of_bad_cells_keeps_the_token(catalog: Catalog, bad: str) -> None:  # noqa: F811
    """Typed serials with a few cells no form reads, as samples: the token stays."""
    serials = [TypedSample(_serial(date(2025, 3, 1) + timedelta(days=i))) for i in range(40)]
    samples = {"Opportunity ID": ["1", "2"], "Opportunity Name": ["a", "b"],
               "Stage": ["Prospecting"], "Close Date": [*serials, bad]}
    text = init_mapping(HEADER, catalog, samples=samples, now=NOW)
    assert 'formats = ["excel"]' in _line(text, "expected_close_date = "), text
    assert f"{bad!r}" in text and "fix them in the file" in text, text


def test_a_second_form_among_serials_is_listed_too(catalog: Catalog) -> None:  # noqa: F811
    """Serials with a few day-first dates: the column reads both."""
    serials = [TypedSample(_serial(date(2025, 3, 1) + timedelta(days=i))) for i in range(40)]
    samples = {"Opportunity ID": ["1"], "Opportunity Name": ["a"], "Stage": ["Prospecting"],
               "Close Date": [*serials, "25/12/2026", "13/01/2026"]}
    text = init_mapping(HEADER, catalog, samples=samples, now=NOW)
    assert 'formats = ["excel", "%d/%m/%Y"]' in _line(text, "expected_close_date = "), text
    assert "fix them in the file" not in text, text


def test_mostly_text_keeps_no_token(catalog: Catalog) -> None:  # noqa: F811
    """A column of day-first dates with one serial gets no token (the majority decides)."""
    samples = {"Opportunity ID": ["1"], "Opportunity Name": ["a"], "Stage": ["Prospecting"],
               "Close Date": ["25/12/2026", "13/01/2026", "14/02/2026", TypedSample(46000)]}
    text = init_mapping(HEADER, catalog, samples=samples, now=NOW)
    assert _line(text, "expected_close_date = ") == 'expected_close_date = "Close Date"', text


def test_serial_close_dates_in_the_future_get_the_todo(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """Won / lost serials after the run's day are counted as CSV dates are."""
    days = [date(2026, 5, 3), date(2027, 1, 10), date(2027, 2, 1), date(2026, 6, 30)]
    cells: list[object] = [_serial(d) for d in days]
    cells.append(45000.5)  # 2023-03-15 12:00, a serial with a time of day
    stages = ["Closed Won", "Closed Lost", "Prospecting", "Closed Won", "Closed Won"]
    text = _mapping(_book(tmp_path / "clean.xlsx", cells, stages), catalog)
    assert 'formats = ["excel"]' in _line(text, "close_time = "), text
    todo = [line for line in text.splitlines() if "sampled won / lost rows" in line]
    assert len(todo) == 1 and "2 of the 4 sampled won / lost rows" in todo[0], text
    assert f"'{_serial(date(2027, 1, 10))}'" in todo[0], todo


@pytest.mark.parametrize("dates", [["2026-03-01", "2026-04-15"], ["25/12/2026", "13/01/2026"]])
def test_a_word_among_text_dates_is_named_as_no_date(dates: list[str]) -> None:
    """CSV text: ``TBD`` among ISO dates had no TODO at all, among day-first dates one
    asking for a pattern; the form is kept and the word named as a cell to fix."""
    text = "\n".join(_date_format_lines({"c": [*dates, "TBD"]}, ["c"]))
    assert "'TBD' is no date" in text and "add a pattern" not in text, text
    assert ('date_formats = ["%d/%m/%Y"]' if "/" in dates[0] else "date_formats = []") in text
