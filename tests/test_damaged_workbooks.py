"""A workbook that cannot be read as a table is one clear line, never an internal error: a
sheet's XML cut in half, Excel's Strict Open XML, a ``--sheet`` naming a chart sheet
(x21r3 F3, F4: "unexpected error (ParseError / IndexError / AttributeError)")."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.manifest_xlsx import read_xlsx
from bulk.xlsx_sheet import SheetChoiceError
from pdbulk.cli import app

DATA = Path(__file__).parent / "data"  # x21r3's files: Excel's chart sheet and Strict save


def test_a_sheet_cut_in_half_is_a_damaged_workbook() -> None:
    with pytest.raises(InputError, match=r"cannot read .*e7_badxml.xlsx': the workbook is "
                       "damaged"):
        list(read_xlsx(DATA / "e7_badxml.xlsx"))


def test_a_strict_open_xml_workbook_says_so() -> None:
    # no openpyxl UserWarning either: the suite turns warnings into errors
    with pytest.raises(InputError, match="Strict Open XML is not supported: save it as "
                       r"an Excel Workbook \(.xlsx\)"):
        list(read_xlsx(DATA / "e8_strict.xlsx"))


def test_a_chart_sheet_is_no_table() -> None:
    book = DATA / "x8_chart.xlsx"
    assert [r.values["Key"] for r in read_xlsx(book)][:1] == ["CS1"]
    with pytest.raises(SheetChoiceError, match="'Chart' is a chart sheet, not a table; "
                       "sheets with data: Data"):
        list(read_xlsx(book, sheet="Chart"))
    with pytest.raises(SheetChoiceError, match=r"no sheet 'Nope' .*\(sheets: Data\)$"):
        list(read_xlsx(book, sheet="Nope"))


def test_the_cli_says_a_chart_sheet_in_one_line_exit_2(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "Key"\n[deal]\ntitle = "Deal"\n')
    res = CliRunner().invoke(app, ["plan", "import", str(DATA / "x8_chart.xlsx"), "-m",
                                   str(mapping), "--sheet", "Chart"],
                             env={"PIPEDRIVE_API_TOKEN": "x" * 40})
    assert res.exit_code == 2, res.output
    assert "'Chart' is a chart sheet, not a table; sheets with data: Data" in res.output
    assert "unexpected" not in res.output and "Traceback" not in res.output
