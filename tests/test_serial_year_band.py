"""A number that reads as a year — four digits, the first 1 or 2 (``1000``-``2999``, a
fraction too) — is refused under ``"excel"`` and ``"excel_1904"``, naming both readings,
never written as a day of 1902-1912 (y54r2 F1 SEVERE: ``1899``, ``1899.5``, ``1850``,
``2101``, ``2101.5``, ``2150`` were imported as days of 1905 / 1909, 12 of 12 cells, as
the band was 1900-2100 alone). Serials outside the band read as before (45.5, 59, 61,
``0`` in a 1904 workbook, 999, 3000, 3289). No hint proposes a serial reading the reader
refuses or one of 1905-1909, and init-mapping names such cells among serials as strays
and still proposes the serials' token (y54r2 F2: one ``1899.5`` among 35 serials, and
no ``"excel"`` with a false "none of its 40 sampled cells reads as a date")."""

from __future__ import annotations

import csv
import random
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from bulk.errors import InputError
from bulk.manifest import read_manifest
from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from jobs.transforms import parse_date
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

HEADER = ["Deal Name", "Deal ID", "Closing Date", "Amount"]
# the oracle, written here: these whole parts are years, never serials
_YEAR_BAND = range(1000, 3000)
_EPOCHS = {"excel": date(1899, 12, 30), "excel_1904": date(1904, 1, 1)}
# a serial token proposed for a day before 1910: the advice a plan's hint would follow
_ADVISED = re.compile(r'\("(excel(?:_1904)?)": (\d{4}-\d\d-\d\d)')


def _grid() -> list[Decimal]:
    """Every whole number 990-3510, and 800 seeded fractional ones of 990-3510 (with the
    tester's cells and the band's edges)."""
    rng = random.Random(55)
    numbers = [Decimal(n) for n in range(990, 3511)]
    numbers += [Decimal(f"{rng.randrange(990, 3511)}{rng.choice(['.5', '.25', '.999', '.01'])}")
                for _ in range(800)]
    numbers += [Decimal(t) for t in ("1899.5", "2101.5", "999.5", "1000.5", "2999.75",
                                     "3000.5", "3289.5")]
    return numbers


def _expected(number: Decimal, token: str) -> str | None:
    """The oracle: None (refused) for a whole part of 1000-2999, else the serial's day."""
    whole = int(number)
    if whole in _YEAR_BAND:
        return None
    return (_EPOCHS[token] + timedelta(days=whole)).isoformat()


def _write(path: Path, cells: list[object], mac: bool = False) -> Path:
    rows = [[f"YB {i}", f"YB-{i:04d}", cell, "100"] for i, cell in enumerate(cells)]
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        if mac:
            book.epoch = CALENDAR_MAC_1904
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


@pytest.mark.parametrize(("suffix", "token"), [
    (".csv", "excel"), (".csv", "excel_1904"), (".xlsx", "excel"), (".xlsx", "excel_1904")])
def test_the_grid_of_years_and_serials(tmp_path: Path, suffix: str, token: str) -> None:
    """CSV text cells and XLSX number cells (a 1904 workbook for ``"excel_1904"``), as the
    file reader gives them: each reads as the oracle says, or is refused naming the year
    and the serial's day; no cell of the band is ever a date."""
    numbers = _grid()
    cells: list[object] = [str(n) if suffix == ".csv" else
                           (int(n) if n == n.to_integral_value() else float(n)) for n in numbers]
    path = _write(tmp_path / f"grid{suffix}", cells, mac=token == "excel_1904")
    read = [row.values["Closing Date"] for row in read_manifest(path)]
    assert len(read) == len(numbers)
    wrong: list[tuple[object, str | None, str | None]] = []
    for number, cell in zip(numbers, read, strict=True):
        want = _expected(number, token)
        try:
            got = parse_date(cell, [token])
        except InputError as exc:
            reason = str(exc)
            day = (_EPOCHS[token] + timedelta(days=int(number))).isoformat()
            if want is not None or f"the year {int(number)} " not in reason \
                    or f'"{token}": {day}' not in reason:
                wrong.append((cell, want, reason))
            continue
        if got != want:
            wrong.append((cell, want, got))
    assert not wrong, (len(wrong), wrong[:5])


@pytest.mark.parametrize("cell", ["1899", "1899.5", "1850", "2101", "2101.5", "2150",
                                  1899, 1899.5, 2150])
@pytest.mark.parametrize("token", ["excel", "excel_1904"])
def test_the_testers_cells_are_refused(cell: object, token: str) -> None:
    """y54r2 F1's cells (12 of 12 were written as days of 1905 / 1909): refused, after a
    pattern too, like ``2026.5``."""
    for formats in ([token], ["%d/%m/%Y", token]):
        with pytest.raises(InputError, match=r"reads as the year 1[89]\d\d|reads as the "
                                             r"year 2[01]\d\d"):
            parse_date(cell, formats)


@pytest.mark.parametrize(("cell", "token", "day"), [
    ("45.5", "excel", "1900-02-14"), ("59", "excel", "1900-02-28"),
    ("61", "excel", "1900-03-01"), ("0", "excel_1904", "1904-01-01"),
    ("999", "excel", "1902-09-25"), ("3000", "excel", "1908-03-18"),
    ("3289", "excel", "1909-01-01"), (45292, "excel", "2024-01-01")])
def test_the_serials_outside_the_band_still_read(cell: object, token: str, day: str) -> None:
    assert parse_date(cell, [token]) == day


def test_no_hint_proposes_a_refused_or_early_serial() -> None:
    """Every grid number read without a serial token: a reason that proposes a serial
    token names a day of 1910 or later that the reader then gives (never one it refuses,
    never a day of 1905-1909)."""
    bad: list[str] = []
    for number in _grid():
        for cell in (str(number), float(number)):
            for formats in ([], ["%d/%m/%Y"]):
                try:
                    parse_date(cell, formats)
                except InputError as exc:
                    reason = str(exc)
                else:
                    continue
                for token, day in _ADVISED.findall(reason):
                    try:
                        read = parse_date(cell, [token])
                    except InputError:
                        read = None
                    if day < "1910" or read != day:
                        bad.append(reason)
    assert not bad, (len(bad), bad[:3])


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


_STRAYS = [1899.5, 1850, 2101.5, 2150, 1000, 2999.5, 1899, 2101]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("stray", _STRAYS)
def test_init_mapping_names_a_year_among_serials(
        catalog: Catalog, tmp_path: Path, suffix: str, stray: float) -> None:  # noqa: F811
    """35 serials (some fractional) and 5 cells of a year beside 1900-2100: ``"excel"``
    is proposed, the strays are counted and named in a TODO, no TODO says no cell reads
    as a date, and the proposed formats refuse exactly the strays."""
    rng = random.Random(int(stray))
    cells: list[object] = []
    for i in range(35):
        serial = _serial(date(2025, 1, 1) + timedelta(days=rng.randrange(1000)))
        cells.append(serial + 0.25 if i % 4 == 0 else serial)
    cells += [stray] * 5
    path = _write(tmp_path / f"ys{suffix}", cells)
    rows: list[dict[str, object]] = []
    samples = _samples(path, rows=rows)
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    line = next(x for x in text.splitlines() if x.startswith("expected_close_date"))
    assert 'formats = ["excel"]' in line, text
    assert "none of its" not in text, text
    todo = next(x for x in text.splitlines() if x.startswith("# TODO") and "Closing" in x)
    shown = str(int(stray)) if stray == int(stray) else str(stray)
    assert "5 of the 40 sampled" in todo and repr(shown) in todo, todo
    for cell in cells[:35]:
        got = parse_date(cell, ["excel"])
        assert got is not None and got >= "2025-01-01", (cell, got)
    with pytest.raises(InputError, match=f"the year {int(stray)} "):
        parse_date(stray, ["excel"])
