"""init-mapping samples a workbook's rows whose only problem is a cell of one column — a
formula without a stored result (a sheet written by a script, never opened in Excel), an
Excel error — by their other cells (x52r10 F2: an unmapped ``Expected Revenue`` column of
``=C2*F2/100`` made every sampled row an error row, so the Stage column got no status line
and no stage map, and nothing said why)."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "formula-token"
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
STAGES = ["Qualification", "Needs Analysis", "Closed Won", "Closed Lost", "Negotiation"]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=5)) as sb:
        yield sb


def _book(path: Path, formula: bool) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Deals"
    sheet.append(["Record Id", "Deal Name", "Amount", "Stage", "Closing Date", "Probability"]
                 + (["Expected Revenue"] if formula else []))
    for i in range(40):
        r = i + 2
        sheet.append([f"z{i}", f"Deal {i}", 1000 + i, STAGES[i % 5],
                      dt.date(2025, 5, 1) + dt.timedelta(days=i), 50]
                     + ([f"=C{r}*F{r}/100"] if formula else []))
    book.save(path)
    return path


@pytest.mark.parametrize("formula", [False, True])
def test_a_formula_column_leaves_the_stage_advice(sandbox: Sandbox, tmp_path: Path,
                                                  formula: bool) -> None:
    book = _book(tmp_path / "deals.xlsx", formula)
    mapping = tmp_path / "m.toml"
    res = CliRunner().invoke(app, ["init-mapping", str(book), "-o", str(mapping),
                                   "--url", sandbox.url, "--plan", "ultimate", "--oauth"],
                             env=ENV)
    assert res.exit_code == 0, res.output
    spec = tomllib.loads(mapping.read_text())
    status = spec["deal"].get("status")
    assert isinstance(status, dict) and status["column"] == "Stage", spec["deal"]
    assert {"Closed Won", "Closed Lost"} <= set(spec["deal"]["stage"]["map"]), spec["deal"]
