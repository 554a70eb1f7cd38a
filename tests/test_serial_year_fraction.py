"""A year with a fraction among Excel serials is a year too, never a day of 1905-1909
(x54r2 F1: ``2026.5`` under ``"excel"`` was imported as 1905-07-18 on 5 of 5 rows, and
the plan's hint for it proposed ``"excel"``), and init-mapping proposes the serials'
token for a column holding a few of them, naming them in a TODO (x54r2 F3: 35 serials
and 5 ``2026.5`` got no ``"excel"`` and a false "none of its 40 sampled cells reads as
a date")."""

from __future__ import annotations

import csv
import random
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulk.errors import InputError
from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from jobs.transforms import parse_date
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

HEADER = ["Deal Name", "Deal ID", "Closing Date", "Amount"]
_WIDE = {ord(c): ord(c) + 0xFEE0 for c in "0123456789."}  # to the full-width forms
# a serial token proposed for a day of 1905-1909: the advice a plan's hint would follow
_ADVISED_1905 = re.compile(r'\("excel(?:_1904)?": 190[5-9]')

_fractions = st.builds(
    lambda whole, frac, digits: Decimal(f"{whole}.{frac:0{digits}d}"),
    st.integers(1900, 2100), st.integers(1, 999), st.integers(3, 4))


def _forms(number: Decimal) -> list[object]:
    text = str(number)
    return [text, float(number), text.translate(_WIDE), f" {text} "]


@settings(max_examples=150, deadline=None)
@given(number=_fractions, token=st.sampled_from(["excel", "excel_1904"]),
       before=st.sampled_from([[], ["%d/%m/%Y"]]))
def test_a_year_with_a_fraction_is_no_serial(number: Decimal, token: str,
                                             before: list[str]) -> None:
    """Text, a number cell, full-width and spaced alike: refused, naming the year and the
    serial's day; never a date of 1905-1909."""
    for cell in _forms(number):
        with pytest.raises(InputError) as caught:
            parse_date(cell, [*before, token])
        reason = str(caught.value)
        assert f"the year {int(number)} with a fraction" in reason, reason
        assert f'"{token}": 19' in reason, reason


@settings(max_examples=150, deadline=None)
@given(number=st.one_of(_fractions, st.integers(1800, 2200).map(Decimal),
                        st.builds(lambda w, f: Decimal(f"{w}.{f}"), st.integers(1800, 2200),
                                  st.integers(1, 99))),
       formats=st.sampled_from([[], ["%d/%m/%Y"], ["%Y-%m-%d"]]))
def test_no_hint_advises_a_serial_of_1905(number: Decimal, formats: list[str]) -> None:
    """Any number of 1800-2200 (a serial of 1904-1906 or a year) read without a serial
    token: its reason never proposes a serial token landing in 1905-1909, and what a
    reason does propose the reader then reads (never a refused or 1905 reading)."""
    for cell in (str(number), float(number)):
        with pytest.raises(InputError) as caught:
            parse_date(cell, formats)
        reason = str(caught.value)
        assert not _ADVISED_1905.search(reason), reason
        for token, day in re.findall(r'\("(excel(?:_1904)?)": (\d{4}-\d\d-\d\d)', reason):
            assert parse_date(cell, [token]) == day, reason


@pytest.mark.parametrize("token", ["excel", "excel_1904"])
def test_the_serials_beside_still_read(token: str) -> None:
    """Fractional serials of 1970-2099 read as before (the day, the time dropped)."""
    shift = 1462 if token == "excel_1904" else 0
    rng = random.Random(54)
    for _ in range(300):
        day = date(1970, 1, 1) + timedelta(days=rng.randrange(47000))
        serial = (day - date(1899, 12, 30)).days - shift
        fraction = rng.choice([".5", ".25", ".999", ".01"])
        assert parse_date(f"{serial}{fraction}", [token]) == day.isoformat()
        assert parse_date(float(f"{serial}{fraction}"), [token]) == day.isoformat()


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def _cells(seed: int, strays: int) -> tuple[list[object], set[int]]:
    rng = random.Random(seed)
    bad = set(rng.sample(range(40), strays))
    cells: list[object] = []
    for i in range(40):
        if i in bad:
            cells.append(rng.choice([2026.5, 2025.25, 2027.999]))
        else:
            serial = _serial(date(2025, 1, 1) + timedelta(days=rng.randrange(1000)))
            cells.append(serial if rng.random() < 0.5 else serial + rng.choice([0.25, 0.5]))
    return cells, bad


def _write(path: Path, cells: list[object]) -> Path:
    rows = [[f"YF {i}", f"YF-{i:02d}", cell, "100"] for i, cell in enumerate(cells)]
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
@pytest.mark.parametrize("strays", [1, 3, 5])
def test_init_mapping_proposes_excel_and_names_the_fractional_years(
        catalog: Catalog, tmp_path: Path, suffix: str, strays: int) -> None:  # noqa: F811
    """1-5 fractional years among 40 serials (whole or fractional): ``"excel"`` is
    proposed, the stray cells are named in a TODO, no TODO says no cell reads as a date,
    and the proposed formats refuse the strays (never 1905)."""
    cells, bad = _cells(strays, strays)
    path = _write(tmp_path / f"yf{strays}{suffix}", cells)
    rows: list[dict[str, object]] = []
    samples = _samples(path, rows=rows)
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    line = next(x for x in text.splitlines() if x.startswith("expected_close_date"))
    assert 'formats = ["excel"]' in line, text
    assert "none of its" not in text, text
    todo = next(x for x in text.splitlines() if x.startswith("# TODO") and "Closing" in x)
    named = {str(cells[i]) for i in bad}
    assert any(repr(cell) in todo for cell in named), todo
    assert f"{strays} of the 40 sampled" in todo, todo
    for i, cell in enumerate(cells):
        if i in bad:
            with pytest.raises(InputError):
                parse_date(cell, ["excel"])
        else:
            got = parse_date(cell, ["excel"])
            assert got is not None and got >= "2025-01-01", (cell, got)
