"""init-mapping on a workbook of several sheets reads the one most like a table of records,
names it and the others, and records it in the mapping (``[defaults] sheet``), so the plan
it prints as the next step reads that sheet without ``--sheet``; ``--sheet`` still wins
(x25r2 F10: "Pivot Summary", the first visible sheet, was read silently, "Stage"
proposed as the source key, and the data sheet "Deal Export 2026" left out)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "sheets-token"
FAST = ["--plan", "ultimate", "--oauth"]
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=5)) as sb:
        yield sb


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Hidden Raw"
    hidden.append(["junk", "junk2"])
    hidden.append(["1", "2"])
    hidden.sheet_state = "hidden"
    pivot = book.create_sheet("Pivot Summary")
    pivot.append(["Stage", "Sum of Amount"])
    pivot.append(["Qualified", 100])
    data = book.create_sheet("Deal Export 2026")
    data.append(["Deal Report"])
    data.append([])
    data.append(["Record ID", "Deal Name", "Company", "Amount", "Email", "Contact"])
    for n in range(1, 6):
        data.append([f"R{n}", f"Deal {n}", f"Co {n}", 100 * n, f"p{n}@x.example",
                     f"Person {n}"])
    book.save(path)
    return path


def test_the_data_sheet_is_read_named_and_recorded(sandbox: Sandbox, tmp_path: Path) -> None:
    """The note names the sheet read and the other; the mapping records it; the plan
    then reads it with no --sheet (every row fine)."""
    book = _workbook(tmp_path / "multi.xlsx")
    mapping = tmp_path / "m.toml"
    res = CliRunner().invoke(app, ["init-mapping", str(book), "-o", str(mapping),
                                   "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0, res.output
    assert "read 'Deal Export 2026'" in res.output and "'Pivot Summary'" in res.output, \
        res.output
    spec = tomllib.loads(mapping.read_text(encoding="utf-8"))
    assert spec["defaults"]["sheet"] == "Deal Export 2026", mapping.read_text()
    assert spec["import"]["key_column"] == "Record ID"
    res = CliRunner().invoke(app, ["plan", "import", str(book), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0, res.output
    assert "rows: 5 (5 valid, 0 with errors" in res.output, res.output


def test_sheet_on_the_command_line_wins(sandbox: Sandbox, tmp_path: Path) -> None:
    """--sheet reads its sheet over the mapping's, in init-mapping and in the plan."""
    book = _workbook(tmp_path / "multi.xlsx")
    mapping = tmp_path / "m.toml"
    res = CliRunner().invoke(app, ["init-mapping", str(book), "-o", str(mapping),
                                   "--sheet", "Pivot Summary", "--url", sandbox.url, *FAST],
                             env=ENV)
    assert res.exit_code == 0, res.output
    assert tomllib.loads(mapping.read_text())["defaults"]["sheet"] == "Pivot Summary"
    # the data sheet's mapping, read against the pivot by --sheet: its columns are missing
    mapping.write_text('[import]\nkey_column = "Record ID"\n[defaults]\n'
                       'sheet = "Deal Export 2026"\n[deal]\ntitle = "Deal Name"\n')
    res = CliRunner().invoke(app, ["plan", "import", str(book), "--mapping", str(mapping),
                                   "--sheet", "Pivot Summary", "--create-key-field",
                                   "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code != 0 and "no such column" in res.output, res.output
