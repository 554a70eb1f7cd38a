"""Excel's zero date (serial 0: ``1900-01-00`` as Excel shows it, ``00.01.1900``,
``0/0/1900``, ``1899-12-30`` as other tools write it) is named for what it is — "Excel's
empty date (1900-01-00): no date — clear the cell or give the date" — by the date parser,
init-mapping's TODOs, the plan's bad rows and failed.csv, which shows an XLSX cell as Excel
shows it. The row fails (strict parsing: an empty date is an empty cell). x45r1 F2:
init-mapping asked for a pattern that reads ``1900-01-00`` (none can), and an XLSX cell of
0 under ``yyyy-mm-dd`` failed as ``'00:00:00'``, a text the user could not find."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.manifest import read_manifest
from bulk.sandbox import SandboxConfig
from jobs.mapping.starter import _date_format_lines
from jobs.transforms.dates import parse_date
from jobs.transforms.zero_date import ZERO_DATE
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.update_support import cli_args


@pytest.mark.parametrize("cell", ["1900-01-00", "00.01.1900", "0/0/1900", "1/0/1900",
                                  "00/01/1900", "1900-01-00 00:00", "1899-12-30", "31.12.1899",
                                  dt.date(1899, 12, 30), dt.datetime(1899, 12, 31)])
def test_the_parser_names_excels_empty_date(cell: object) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(cell, ["%d/%m/%Y", "%d.%m.%Y"])
    assert ZERO_DATE in caught.value.reason, caught.value.reason
    assert "pattern" not in caught.value.reason


@pytest.mark.parametrize(("cell", "day"), [("01/01/1900", "1900-01-01"),
                                           ("1900-01-01", "1900-01-01"),
                                           ("10/01/1900", "1900-01-10")])
def test_the_first_days_of_1900_are_dates(cell: str, day: str) -> None:
    assert parse_date(cell, ["%d/%m/%Y"]) == day


def test_init_mapping_names_it_instead_of_asking_for_a_pattern() -> None:
    text = "\n".join(_date_format_lines({"d": ["13/01/2026", "1900-01-00"]}, ["d"]))
    assert f"'1900-01-00' is {ZERO_DATE}" in text, text
    assert "add a pattern" not in text, text
    assert 'date_formats = ["%d/%m/%Y"]' in text, text
    alone = "\n".join(_date_format_lines({"d": ["1900-01-00", "2026-03-01"]}, ["d"]))
    assert f"'1900-01-00' is {ZERO_DATE}" in alone, alone


def _workbook(path: Path, formats: list[str]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Item ID", "Close Date", "Deal Value"])
    for n, number_format in enumerate(formats, start=2):
        sheet.append([f"D{n}", f"k{n}", 0, "100"])
        sheet.cell(n, 3).number_format = number_format
    sheet.append(["B", "ok", dt.datetime(2026, 3, 1), "200"])
    sheet.cell(len(formats) + 2, 3).number_format = "yyyy-mm-dd"
    book.save(path)


def test_an_xlsx_zero_cell_reads_as_excel_shows_it(tmp_path: Path) -> None:
    """0 under a date format is the text Excel shows; under a time format, a time."""
    path = tmp_path / "zero.xlsx"
    _workbook(path, ["yyyy-mm-dd", "dd.mm.yyyy", "m/d/yyyy", "dd/mm/yyyy hh:mm", "hh:mm"])
    cells = [row.values["Close Date"] for row in read_manifest(path)]
    assert cells[:4] == ["1900-01-00", "00.01.1900", "1/0/1900", "00/01/1900 00:00"], cells
    assert cells[4] == dt.time(0, 0) and cells[5] == dt.date(2026, 3, 1), cells
    for cell in cells[:4]:
        with pytest.raises(InputError) as caught:
            parse_date(cell, [])
        assert caught.value.reason == f"not a date: {cell!r} is {ZERO_DATE}"


def test_a_plan_of_an_xlsx_zero_date_names_it_and_shows_the_cell(tmp_path: Path) -> None:
    """x45r1 F2: the bad rows' reason and failed.csv show ``1900-01-00``, not ``00:00:00``."""
    path, mapping, failed = tmp_path / "zero.xlsx", tmp_path / "m.toml", tmp_path / "f.csv"
    _workbook(path, ["yyyy-mm-dd"])
    mapping.write_text('[import]\nkey_column = "Item ID"\n[deal]\ntitle = "Name"\n'
                       'value = "Deal Value"\nexpected_close_date = "Close Date"\n')
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=0, seed=5)) as sb:
        res = CliRunner().invoke(app, [
            "plan", "import", str(path), "--mapping", str(mapping), "--create-key-field",
            "--failed-csv", str(failed), *cli_args(sb, tmp_path / "jobs")],
            env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
    assert res.exit_code == 3, res.output
    assert "Excel's empty date (1900-01-00)" in " ".join(res.output.split()), res.output
    assert "00:00:00" not in res.output
    with failed.open(encoding="utf-8") as file:
        (row,) = list(csv.DictReader(file))
    assert row["reason"] == f"not a date: '1900-01-00' is {ZERO_DATE}", row
    assert row["Close Date"].lstrip("'") == "1900-01-00", row


def test_an_xlsx_zero_date_under_a_text_field_fails_the_row(tmp_path: Path) -> None:
    """x45r6 F1: a date cell of serial 0 under a title or a text field was written as the
    text Excel shows (a deal titled ``1900-01-00``); any other date cell there fails the
    row, and so does this one — in the key column too."""
    from bulk.manifest_xlsx import ExcelZeroDate
    from jobs import transforms as tf

    for shown in ("1900-01-00", "00.01.1900", "1900-01-00 00:00"):
        with pytest.raises(InputError, match="a date in the workbook"):
            tf.digits_kept(ExcelZeroDate(shown), name=True)
        with pytest.raises(InputError, match="cannot be an id"):
            tf.source_key(ExcelZeroDate(shown))
    path, mapping = tmp_path / "zero.xlsx", tmp_path / "m.toml"
    _workbook(path, ["yyyy-mm-dd"])
    mapping.write_text('[import]\nkey_column = "Item ID"\n[deal]\ntitle = "Close Date"\n'
                       'value = "Deal Value"\n')
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=0, seed=5)) as sb:
        res = CliRunner().invoke(app, [
            "plan", "import", str(path), "--mapping", str(mapping), "--create-key-field",
            *cli_args(sb, tmp_path / "jobs")],
            env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
    assert res.exit_code == 3, res.output
    assert "a date in the workbook (Excel's empty date, 1900-01-00)" in \
        " ".join(res.output.split()), res.output
