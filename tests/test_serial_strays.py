"""A few numbers far from a column's Excel serials (y55r1 F1, F2).

F1: one ``0``, ``60``, ``999``, ``3000`` or ``3289`` among 40 serials of 2023-2028 threw
``"excel"`` away (5 of 5 strays, CSV and XLSX), and the TODO said none of the 41 cells
reads as a date. F2: with a few XLSX date cells beside, no formats and no TODO, and the
import refused the 40 serials. The grid: strays {0, 0.0, 60, 999, 3000, 3289, 1899.5,
2025, 12, 100000} x CSV / XLSX x with / without date cells x "excel" / "excel_1904" (a
1904 workbook; a CSV says no date system). The oracle is written here first: the token the
serials read by, each stray's kind (named in the TODO) and the day the import writes for
the strays it reads.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from bulk.errors import InputError
from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from jobs.transforms import parse_date
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

HEADER = ["Deal Name", "Deal ID", "Closing Date", "Amount"]
STRAYS: list[float] = [0, 0.0, 60, 999, 3000, 3289, 1899.5, 2025, 12, 100000]
_EPOCH = {"excel": date(1899, 12, 30), "excel_1904": date(1904, 1, 1)}


def _day(number: float, token: str) -> date:
    """The oracle's day of a serial: the 1900 system counts 1900-02-29 (serial 60), so a
    serial below 60 is a day later than the epoch's arithmetic gives."""
    whole = int(number)
    if token == "excel" and whole < 60:
        return date(1899, 12, 31) + timedelta(days=whole)
    return _EPOCH[token] + timedelta(days=whole)


def _kind(stray: float, token: str) -> tuple[str, str | None]:
    """The oracle: the stray's kind as the TODO names it, and the day the import writes
    for it (None: refused)."""
    if token == "excel" and int(stray) == 0:
        return "Excel's empty date", None
    if token == "excel" and int(stray) == 60:
        return "Excel's 1900-02-29", None
    if 1000 <= int(stray) <= 2999:  # a year alone: refused
        return "no date in any form proposed", None
    day = _day(stray, token)
    if not 1900 <= day.year <= 2100:  # outside the date window: refused
        return "no date in any form proposed", None
    return "numbers far from its other dates", day.isoformat()


def _write(path: Path, cells: list[object], mac: bool, dated: int) -> Path:
    rows: list[list[object]] = [[f"S {i}", f"S-{i:04d}", cell, "100"]
                                for i, cell in enumerate(cells)]
    days = [date(2026, 3 + j, 10 + j) for j in range(dated)]
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        if mac:
            book.epoch = CALENDAR_MAC_1904
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        for j, day in enumerate(days):
            sheet.append([f"D {j}", f"D-{j}", day, "100"])
            sheet.cell(sheet.max_row, 3).number_format = "yyyy-mm-dd"
        book.save(path)
    else:
        with path.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(rows)
            writer.writerows([f"D {j}", f"D-{j}", day.isoformat(), "100"]
                             for j, day in enumerate(days))
    return path


def _shown(stray: float, suffix: str) -> str:
    """The stray as the TODO quotes it: as the CSV writes it, or as Excel shows a number
    cell (``0.0`` is ``0``)."""
    if suffix == ".xlsx" and stray == int(stray):
        return str(int(stray))
    return str(stray)


@pytest.mark.parametrize("dated", [0, 3])
@pytest.mark.parametrize(("suffix", "token"), [
    (".csv", "excel"), (".xlsx", "excel"), (".xlsx", "excel_1904")])
@pytest.mark.parametrize("stray", STRAYS)
def test_one_stray_among_serials_keeps_the_token_and_is_named(
        catalog: Catalog, tmp_path: Path, stray: float, suffix: str,  # noqa: F811
        token: str, dated: int) -> None:
    """40 serials of 2024-2027 and one stray (3 date cells beside or none): the serials'
    token is proposed (with the dates' pattern after it), the TODO names the stray as
    the oracle's kind (and the day the import writes for it), no TODO says no cell reads
    as a date, and the proposal reads the 40 serials and the stray as the oracle says."""
    rng = random.Random(int(stray) + dated)
    shift = 1462 if token == "excel_1904" else 0
    serials = [rng.randint(45300, 46700) - shift for _ in range(40)]
    cells: list[object] = [*serials, stray]
    path = _write(tmp_path / f"strays{suffix}", cells, token == "excel_1904", dated)
    rows: list[dict[str, object]] = []
    samples = _samples(path, rows=rows)
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows,
                        date_system=1904 if token == "excel_1904" else None)
    want = f'formats = ["{token}", "%Y-%m-%d"]' if dated else f'formats = ["{token}"]'
    line = next(x for x in text.splitlines() if x.startswith("expected_close_date"))
    assert want in line, text
    assert "none of its" not in text, text
    todo = next(x for x in text.splitlines() if x.startswith("# TODO") and "Closing" in x
                and "sampled rows" in x)
    kind, day = _kind(stray, token)
    shown = repr(_shown(stray, suffix))
    assert f"1 of the {41 + dated} sampled rows" in todo, todo
    assert f"1 are {kind} ({shown}" in todo, todo
    if day is not None:
        assert f"{shown} → {day}" in todo, todo
    formats = [token, "%Y-%m-%d"] if dated else [token]
    for serial in serials:
        assert parse_date(serial, formats) == _day(serial, token).isoformat()
    if day is None:
        with pytest.raises(InputError):
            parse_date(stray, formats)
    else:
        assert parse_date(stray, formats) == day


def test_every_stray_at_once_is_counted_by_kind(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """The ten strays beside 40 serials of one CSV: ``"excel"``, each kind counted once
    with its cells."""
    rng = random.Random(56)
    cells: list[object] = [rng.randint(45300, 46700) for _ in range(40)] + list(STRAYS)
    path = _write(tmp_path / "all.csv", cells, False, 0)
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    assert 'formats = ["excel"]' in text, text
    todo = next(x for x in text.splitlines() if x.startswith("# TODO") and "Closing" in x
                and "sampled rows" in x)
    assert "10 of the 50 sampled rows" in todo, todo
    assert "2 are Excel's empty date ('0', '0.0')" in todo, todo
    assert "4 are numbers far from its other dates ('999' → 1902-09-25" in todo, todo
    assert "1 are Excel's 1900-02-29 ('60')" in todo, todo
    assert "3 are no date in any form proposed" in todo, todo


def test_strays_a_majority_give_no_token(catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """Counts, not serials: 30 small numbers beside 10 serials propose no token."""
    cells: list[object] = [n % 50 + 1 for n in range(30)] + [45300 + n for n in range(10)]
    path = _write(tmp_path / "counts.csv", cells, False, 0)
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    assert '"excel"' not in text, text
