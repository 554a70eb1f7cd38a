"""A year alone among Excel serials is refused, never written as a day of 1905-1909
(x53r5 F1: ``2025`` under ``"excel"`` was imported as 1905-07-17, 12 of 12 cells), and
init-mapping still proposes the serials' token for a column of serials holding a few
such cells, naming them in a TODO (x53r5 F2: one ``2026`` among 59 serials and no
``"excel"``: every row failed)."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from bulk.errors import InputError
from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from jobs.transforms import parse_date
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

HEADER = ["Deal Name", "Deal ID", "Closing Date", "Amount"]
_YEARS = [1900, 1901, 1905, 1970, 1999, 2000, 2024, 2025, 2026, 2027, 2050, 2099, 2100]


@pytest.mark.parametrize("token", ["excel", "excel_1904"])
@pytest.mark.parametrize("year", _YEARS)
@pytest.mark.parametrize("kind", [str, int, float])
def test_a_year_alone_is_no_serial(token: str, year: int, kind: type) -> None:
    """Text (a CSV cell) and number (an XLSX / JSON cell) alike, alone or after a
    pattern: refused, naming the year and the serial's date."""
    for formats in ([token], ["%d/%m/%Y", token], [token, "%Y-%m-%d"]):
        with pytest.raises(InputError) as caught:
            parse_date(kind(year), formats)
        reason = str(caught.value)
        assert f"the year {year} alone" in reason, reason
        assert f'"{token}": 19' in reason, reason


@pytest.mark.parametrize("token", ["excel", "excel_1904"])
def test_serials_next_to_the_years_still_read(token: str) -> None:
    """Every serial of 1970-2099 reads, a fraction too; a number beside 1900-2100 that
    reads as a year (1899, 2101: days of 1905 as serials) does not (y54r2 F1)."""
    shift = 1462 if token == "excel_1904" else 0
    rng = random.Random(53)
    for _ in range(300):
        day = date(1970, 1, 1) + timedelta(days=rng.randrange(47000))
        serial = (day - date(1899, 12, 30)).days - shift
        assert parse_date(str(serial), [token]) == day.isoformat()
        assert parse_date(serial + 0.25, [token]) == day.isoformat()
    # y54r2 F1: "1899 and 2101 read as before" was the fault itself (12 of 12 such cells
    # were written as days of 1905-1909); a year of 1000-2999 is refused, naming both
    for near in ("1899", "2101"):
        with pytest.raises(InputError, match=f"the year {near} alone"):
            parse_date(near, [token])
    with pytest.raises(InputError):  # a year with a fraction is a year too (x54r2 F1)
        parse_date("2025.5", [token])


def test_the_unread_hint_names_a_year_not_a_serial() -> None:
    """Under ISO alone a year's reason says it is a year, never "add excel" as its
    reading (the plan's hint followed wrote 1905-07-17)."""
    with pytest.raises(InputError) as caught:
        parse_date("2025", [])
    reason = str(caught.value)
    assert "a year alone" in reason, reason
    assert '("excel": ' not in reason, reason


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def _cells(seed: int, strays: int) -> tuple[list[object], set[int]]:
    rng = random.Random(seed)
    bad = set(rng.sample(range(60), strays))
    cells: list[object] = [
        rng.choice([2025, 2026, 2027]) if i in bad
        else _serial(date(2025, 1, 1) + timedelta(days=rng.randrange(1000)))
        for i in range(60)]
    return cells, bad


def _write(path: Path, cells: list[object]) -> Path:
    rows = [[f"YN {i}", f"YN-{i:02d}", cell, "100"] for i, cell in enumerate(cells)]
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        book.save(path)
    else:
        with path.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(rows)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("strays", [1, 2, 3, 4])
def test_init_mapping_proposes_excel_and_names_the_years(
        catalog: Catalog, tmp_path: Path, suffix: str, strays: int) -> None:  # noqa: F811
    """1-4 year-only cells among 60 serials: ``"excel"`` is proposed, the years are
    named in a TODO, and the proposed formats refuse them (never 1905)."""
    cells, bad = _cells(strays, strays)
    path = _write(tmp_path / f"yn{strays}{suffix}", cells)
    rows: list[dict[str, object]] = []
    samples = _samples(path, rows=rows)
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    line = next(x for x in text.splitlines() if x.startswith("expected_close_date"))
    assert 'formats = ["excel"]' in line, text
    todo = next(x for x in text.splitlines() if x.startswith("# TODO") and "Closing" in x)
    for i in bad:
        assert repr(str(cells[i])) in todo, todo
    for i, cell in enumerate(cells):
        if i in bad:
            with pytest.raises(InputError):
                parse_date(cell, ["excel"])
        else:
            assert parse_date(cell, ["excel"]) is not None
