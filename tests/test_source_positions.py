"""Row numbers are source positions, one notion for every report: CSV and XLSX the row a
spreadsheet shows, JSONL the line, a JSON array the record's index —
in plan --json, plan-failed.csv and the run's failed.csv alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "positions-token"
FAST = ["--plan", "ultimate", "--oauth"]
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
MAPPING = """\
version = 1
[import]
key_column = "key"
key_field = "Import source key"
[defaults]
currency = "USD"
[deal]
title = "title"
value = { column = "amount", min = 0 }
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
"""


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=5)) as sb:
        yield sb


def _plan_and_import(sb: Sandbox, tmp: Path, manifest: Path) -> tuple[dict[str, Any], Path]:
    m = tmp / "mapping.toml"
    m.write_text(MAPPING)
    common = [str(manifest), "--mapping", str(m), "--create-key-field", "--url", sb.url, *FAST]
    plan_csv = tmp / "plan-failed.csv"
    res = CliRunner().invoke(app, ["plan", "import", *common, "--json", "--failed-csv",
                                   str(plan_csv)], env=ENV)
    assert res.exit_code == 3, res.output
    plan = orjson.loads(res.stdout)
    res = CliRunner().invoke(app, ["import", *common, "--job-dir", str(tmp / "jobs")], env=ENV)
    assert res.exit_code == 3, res.output
    return plan, next((tmp / "jobs").iterdir()) / "failed.csv"


def _rows(plan: dict[str, Any], *files: Path) -> list[list[str]]:
    return [[str(r["row"]) for r in plan["failed_rows"]],
            *[[r["row"] for r in read_csv(f)] for f in files]]


def test_xlsx_rows_are_excel_rows(sandbox: Sandbox, tmp_path: Path) -> None:
    """Two title lines and a blank row above the header: a value error in Excel row 7 is
    row 7 in plan --json, plan-failed.csv and failed.csv."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Opportunity Report"])
    ws.append(["Filtered By: Stage != Closed"])
    ws.append([])
    ws.append(["key", "title", "amount"])
    ws.append(["x1", "A", 10])
    ws.append(["x2", "B", 20])
    ws.append(["x3", "Negative", -50])
    assert ws.cell(row=7, column=1).value == "x3"
    path = tmp_path / "deals.xlsx"
    book.save(path)
    plan, failed = _plan_and_import(sandbox, tmp_path, path)
    assert _rows(plan, tmp_path / "plan-failed.csv", failed) == [["7"], ["7"], ["7"]]


def test_csv_rows_are_the_rows_a_spreadsheet_shows(sandbox: Sandbox, tmp_path: Path) -> None:
    """A quoted cell over three lines moves the next record to line 5 of the file, and a
    spreadsheet shows it on row 3: a bad row there is row 3 everywhere (x25r2 F4: it was
    5, the line, which no spreadsheet shows), its message saying the line too; the good
    row above it is row 2 in succeeded.csv."""
    path = tmp_path / "deals.csv"
    path.write_text('key,title,amount\nk1,"one\ntwo\nthree",5\nk2,Negative,-3\n')
    plan, failed = _plan_and_import(sandbox, tmp_path, path)
    assert _rows(plan, tmp_path / "plan-failed.csv", failed) == [["3"], ["3"], ["3"]]
    assert [r["row"] for r in read_csv(failed.parent / "succeeded.csv")] == ["2"]
    res = CliRunner().invoke(app, ["plan", "import", str(path), "--mapping",
                                   str(tmp_path / "mapping.toml"), "--url", sandbox.url,
                                   *FAST], env=ENV)
    assert "is below the minimum 0 (row 3, line 5 of the file)" in res.output, res.output


def test_mapping_failures_name_the_line_where_it_differs(sandbox: Sandbox,
                                                         tmp_path: Path) -> None:
    """A value the mapping refuses says the file's line as the reader's refusals do, where a
    cell of several lines above makes it differ from the row (x26r3 1: "not an amount:
    '7x00' (row 9)" only): in the plan's reasons (one class for rows with and without a
    line), plan --json, plan-failed.csv and failed.csv; a row whose line is its row says
    none."""
    path = tmp_path / "deals.csv"
    path.write_text('key,title,amount\nk0,Early,7x00\nk1,"one\ntwo\nthree",5\nk2,A,7x01\n'
                    'k3,B,7x02\n')
    plan, failed = _plan_and_import(sandbox, tmp_path, path)
    reasons = [r["reason"] for r in plan["failed_rows"]]
    assert [r["row"] for r in plan["failed_rows"]] == [2, 4, 5]
    assert "line" not in reasons[0]
    assert reasons[1].endswith("(line 6 of the file)"), reasons
    assert reasons[2].endswith("(line 7 of the file)"), reasons
    for f in (tmp_path / "plan-failed.csv", failed):
        assert [r["reason"] for r in read_csv(f)] == reasons
    assert list(plan["reasons"].values()) == [3], plan["reasons"]
    (example,) = plan["reason_examples"].values()
    assert example["rows"] == [2, 4, 5] and example["lines"] == {"4": 6, "5": 7}
    assert "line" not in example["reason"]
    res = CliRunner().invoke(app, ["plan", "import", str(path), "--mapping",
                                   str(tmp_path / "mapping.toml"), "--url", sandbox.url,
                                   *FAST], env=ENV)
    assert "rows 4 (line 6) ('7x01'), 5 (line 7) ('7x02'))" in " ".join(res.output.split()), \
        res.output  # each row with its own value (x41r1 L1)


def test_jsonl_rows_are_lines_and_json_rows_are_indexes(sandbox: Sandbox,
                                                        tmp_path: Path) -> None:
    """JSONL: a blank line before the bad record counts (line 3); .json: the index (2)."""
    records = [{"key": "j1", "title": "A", "amount": 1},
               {"key": "j2", "title": "Negative", "amount": -1}]
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_bytes(orjson.dumps(records[0]) + b"\n\n" + orjson.dumps(records[1]) + b"\n")
    (tmp_path / "l").mkdir()
    plan, failed = _plan_and_import(sandbox, tmp_path / "l", jsonl)
    assert _rows(plan, tmp_path / "l" / "plan-failed.csv", failed) == [["3"], ["3"], ["3"]]
    array = tmp_path / "d.json"
    array.write_bytes(orjson.dumps(records))
    (tmp_path / "a").mkdir()
    plan, failed = _plan_and_import(sandbox, tmp_path / "a", array)
    assert _rows(plan, tmp_path / "a" / "plan-failed.csv", failed) == [["2"], ["2"], ["2"]]


def test_a_job_stored_with_line_numbers_resumes_and_undoes(sandbox: Sandbox,
                                                          tmp_path: Path) -> None:
    """A job the previous version made stored a CSV row as its first line (x25r2 F4 made
    it the spreadsheet's row): the number is the report's only, never a key — such a job,
    stopped half-way, resumes to every deal created once, its reports keep the numbers it
    was planned with, and its undo deletes what it created."""
    import sqlite3

    path = tmp_path / "deals.csv"
    path.write_text("key,title,amount\n" + "".join(
        f'k{n},"Deal {n}\nnotes of two lines",{n}\n' for n in range(30)))
    (tmp_path / "mapping.toml").write_text(MAPPING)
    common = ["--url", sandbox.url, *FAST, "--job-dir", str(tmp_path / "jobs")]
    res = CliRunner().invoke(app, ["import", str(path), "--mapping",
                                   str(tmp_path / "mapping.toml"), "--create-key-field",
                                   "--max-tokens", "80", *common], env=ENV)
    assert res.exit_code == 4, res.output
    job = next((tmp_path / "jobs").iterdir())
    with sqlite3.connect(job / "job.sqlite") as db:  # as the previous version stored them
        db.execute("UPDATE items SET source_row = 2 * source_row - 2 "
                   "WHERE source_row IS NOT NULL")
    res = CliRunner().invoke(app, ["resume", job.name, "--job-dir", str(tmp_path / "jobs"),
                                   "--max-tokens", "10000"], env=ENV)
    assert res.exit_code == 0, res.output
    done = read_csv(job / "succeeded.csv")
    assert sorted(int(r["row"]) for r in done) == [2 + 2 * n for n in range(30)]
    titles = sorted(d["title"] for d in sandbox.state.deals.rows.values()
                    if not d["is_deleted"])
    assert titles == sorted(f"Deal {n} notes of two lines" for n in range(30))  # once each
    res = CliRunner().invoke(app, ["undo", job.name, "--yes", *common], env=ENV)
    assert res.exit_code == 0, res.output
    assert not [d for d in sandbox.state.deals.rows.values() if not d["is_deleted"]]
