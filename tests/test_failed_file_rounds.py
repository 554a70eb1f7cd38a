"""Failed-rows files read back as their source (issue 10, residual faults 2-4): a failed
row re-imported from failed.xlsx / failed.jsonl / failed.csv reads the values the source
gave (a currency-formatted XLSX number stays a number; a JSON `1e3` stays `1e3` and is
sent as 1000), and a failed file of a failed file has the same columns, round after
round. `plan import` reports the very row errors each run gives."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest
from typer.testing import CliRunner

from bulk.manifest import read_manifest
from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv, sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "rounds-token"
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
MAPPING = """\
[import]
key_column = "id"
key_field = "Import source key"
mode = "upsert"
[defaults]
currency = "EUR"
{defaults}
[deal]
title = "title"
value = "amount"
expected_close_date = "close"
pipeline = {{ default = "Sales" }}
[deal.stage]
column = "stage"
"""
FIXED = 'map = { "Nope" = "Qualified" }\n'


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=13)) as sb:
        yield sb


def _round(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path, name: str,
           code: int = 3) -> Path:
    """`plan import` then `import` of ``manifest``: both exit ``code`` and fail the same rows
    for the same reasons (plan-failed.csv is failed.csv, and none when no row fails); returns
    the job's folder."""
    common = [str(manifest), "--mapping", str(mapping), "--create-key-field", "--url", sb.url,
              "--plan", "ultimate", "--oauth"]
    plan_csv = tmp / f"plan-{name}.csv"
    res = CliRunner().invoke(app, ["plan", "import", *common, "--json",
                                   "--failed-csv", str(plan_csv)], env=ENV)
    assert res.exit_code == code, res.output
    planned = [(r["row"], r["reason"]) for r in orjson.loads(res.stdout)["failed_rows"]]
    jobs = tmp / f"jobs-{name}"
    res = CliRunner().invoke(app, ["import", *common, "--job-dir", str(jobs)], env=ENV)
    assert res.exit_code == code, res.output
    job = next(jobs.iterdir())
    with (job / "failed.csv").open(encoding="utf-8", newline="") as f:
        failed = list(csv.reader(f))[1:]  # by position: row, key, reason, ...
    assert planned == [(int(r[0]), r[2]) for r in failed]
    if not failed:  # a clean plan leaves no plan-failed.csv; the job's is its header
        assert not plan_csv.exists()
    else:
        assert plan_csv.read_text(encoding="utf-8") == (job / "failed.csv").read_text(
            encoding="utf-8")
    return job


def _cells(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """A failed-rows file's header and its rows' source cells (the report's own left out)."""
    rows = list(read_manifest(path))
    header = list(rows[0].values) if rows else []
    own = {"row", "key", "reason", "status", "column", "hold"}
    return header, [{k: v for k, v in r.values.items()
                     if k not in own and not k.startswith("_pdbulk")} for r in rows]


def _deals(sb: Sandbox) -> dict[str, tuple[Any, ...]]:
    return {d["title"]: (d["value"], d["currency"], d["expected_close_date"])
            for d in sandbox_deals(sb)}


def test_failed_xlsx_keeps_currency_numbers_and_its_columns_round_after_round(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Currency-formatted numbers (1234.5 in '[$€-407]#,##0.00', 99 in '"$"#,##0'), under
    decimal = ",": failed.xlsx re-imported unchanged fails for the same reason (was 'not
    an amount: 1234.5 €' — the cell had become text) with the same columns (was `_row, ...,
    row, ...`), and once the stage is mapped imports the source's values."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["id", "title", "amount", "close", "stage"])
    ws.append(["x1", "Euro", 1234.5, dt.date(2026, 4, 5), "Nope"])
    ws.append(["x2", "Dollar", 99, dt.date(2026, 4, 6), "Nope"])
    ws["C2"].number_format = "[$\u20ac-407]#,##0.00"
    ws["C3"].number_format = '"$"#,##0'
    book.save(tmp_path / "in.xlsx")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(defaults='decimal = ","'))
    first = _round(sandbox, tmp_path, tmp_path / "in.xlsx", mapping, "r1")
    second = _round(sandbox, tmp_path, first / "failed.xlsx", mapping, "r2")
    reasons = [[r["reason"] for r in read_csv(j / "failed.csv")] for j in (first, second)]
    assert reasons[0] == reasons[1] and all("Nope" in r for r in reasons[0])
    assert _cells(first / "failed.xlsx") == _cells(second / "failed.xlsx")
    header = _cells(second / "failed.xlsx")[0]
    assert header == ["row", "key", "reason", "status", "column", "hold", "id", "title",
                      "amount", "close", "stage"]
    assert read_csv(second / "failed.csv")[0].keys() == read_csv(first / "failed.csv")[0].keys()
    cell = openpyxl.load_workbook(first / "failed.xlsx")["failed"]["I2"]
    assert (cell.data_type, cell.value) == ("n", 1234.5) and "\u20ac" in cell.number_format
    mapping.write_text(MAPPING.format(defaults='decimal = ","') + FIXED)
    _round(sandbox, tmp_path, second / "failed.xlsx", mapping, "fixed", code=0)
    assert _deals(sandbox) == {"Euro": (1234.5, "EUR", "2026-04-05"),
                               "Dollar": (99, "USD", "2026-04-06")}


def test_json_exponent_numbers_keep_their_form_and_failed_jsonl_its_fields(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """A .json array's `1e3` is sent as 1000 and written back as 1e3 (was '1E+3') in
    failed.csv and failed.jsonl; failed.jsonl of failed.jsonl has one `_pdbulk`, the
    round's own (was also `_pdbulk.row`, ... of the round before, read back over it)."""
    source = tmp_path / "in.json"
    source.write_text('[{"id": "j1", "title": "Sent", "amount": 1e3, "close": "2026-05-01", '
                      '"stage": "Qualified"},\n'
                      ' {"id": "j2", "title": "Held", "amount": 2.5e3, "close": "2026-05-02", '
                      '"stage": "Nope"}]\n')
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(defaults=""))
    first = _round(sandbox, tmp_path, source, mapping, "r1")
    assert _deals(sandbox) == {"Sent": (1000, "EUR", "2026-05-01")}
    # guarded: a spreadsheet would save 2.50E+03 (x25r2 F2); every reader drops the "'"
    assert [r["amount"] for r in read_csv(first / "failed.csv")] == ["'2.5e3"]
    assert b'"amount":2.5e3' in (first / "failed.jsonl").read_bytes()
    second = _round(sandbox, tmp_path, first / "failed.jsonl", mapping, "r2")
    records = [orjson.loads(line) for line in (second / "failed.jsonl").read_bytes().splitlines()]
    assert [sorted(r) for r in records] == [["_pdbulk", "amount", "close", "id", "stage",
                                             "title"]]
    assert records[0]["_pdbulk"]["reason"] == read_csv(first / "failed.csv")[0]["reason"]
    assert list(read_csv(second / "failed.csv")[0]) == list(read_csv(first / "failed.csv")[0])
    mapping.write_text(MAPPING.format(defaults="") + FIXED)
    _round(sandbox, tmp_path, second / "failed.jsonl", mapping, "fixed", code=0)
    assert _deals(sandbox)["Held"] == (2500, "EUR", "2026-05-02")


def test_failed_csv_of_failed_csv_has_the_same_columns(sandbox: Sandbox, tmp_path: Path) -> None:
    """CSV: the report's own columns are replaced each round (were kept, and the new ones
    `_`-prefixed beside them: `_row,_key,__reason,...,row,key,_reason,...`), a source
    column named like one of them keeps its name and cells, and the text cell '1.234,56'
    reads the same each round."""
    source = tmp_path / "in.csv"
    source.write_text('id,title,amount,close,stage,reason\n'
                      'c1,Csv,"1.234,56",2026-06-01,Nope,mine\n')
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(defaults=""))
    jobs = [_round(sandbox, tmp_path, source, mapping, "r1")]
    jobs.append(_round(sandbox, tmp_path, jobs[-1] / "failed.csv", mapping, "r2"))
    heads = [(j / "failed.csv").read_text(encoding="utf-8").splitlines()[0] for j in jobs]
    assert heads == ["row,key,_reason,status,column,hold,id,title,amount,close,stage,"
                     "reason"] * 2
    assert [read_csv(j / "failed.csv")[0]["reason"] for j in jobs] == ["mine"] * 2
    mapping.write_text(MAPPING.format(defaults="") + FIXED)
    _round(sandbox, tmp_path, jobs[-1] / "failed.csv", mapping, "fixed", code=0)
    assert _deals(sandbox) == {"Csv": (1234.56, "EUR", "2026-06-01")}


def test_failed_xlsx_of_a_1904_workbook_keeps_its_date_system(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Issue 10 (v10r6 s5): failed.xlsx of a Mac 1904 workbook is a 1904 workbook, so the
    same mapping (``"excel_1904"``) re-imports it and reads the same dates (was a 1900
    workbook keeping the serials as numbers: refused, or 4 years and 1 day early)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from bulk.manifest_xlsx import xlsx_date_system

    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    ws = book.active
    assert ws is not None
    ws.append(["id", "title", "amount", "close", "stage"])
    ws.append(["m1", "Serial", 5, 45292 - 1462, "Nope"])  # 2024-01-01 in the 1904 system
    ws.append(["m2", "Dated", 6, dt.date(2027, 3, 16), "Nope"])
    ws["D3"].number_format = "yyyy-mm-dd"
    book.save(tmp_path / "mac.xlsx")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(defaults='date_formats = ["excel_1904"]'))
    first = _round(sandbox, tmp_path, tmp_path / "mac.xlsx", mapping, "r1")
    assert xlsx_date_system(first / "failed.xlsx") == 1904
    second = _round(sandbox, tmp_path, first / "failed.xlsx", mapping, "r2")
    assert _cells(first / "failed.xlsx") == _cells(second / "failed.xlsx")
    mapping.write_text(MAPPING.format(defaults='date_formats = ["excel_1904"]') + FIXED)
    _round(sandbox, tmp_path, second / "failed.xlsx", mapping, "fixed", code=0)
    assert _deals(sandbox) == {"Serial": (5, "EUR", "2024-01-01"),
                               "Dated": (6, "EUR", "2027-03-16")}


def test_move_stage_reads_json_keys_as_import_and_update_do(tmp_path: Path) -> None:
    """v10r16 M4: ``move-stage --manifest x.jsonl --key-column Key`` looked ``9003.0`` up as
    "9003.0", ``1e3`` as "1e3" and an array as "['9001']"; import and update read them as
    9003, 1000 and a row error."""
    from jobs.selection import read_refs

    path = tmp_path / "mk.jsonl"
    path.write_text('{"Key": 9003.0}\n{"Key": 1e3}\n{"Key": ["9001"]}\n{"Key": " k 1 "}\n')
    refs = list(read_refs(path, key_col="Key"))
    assert [r.label for r in refs[:2]] == ["9003", "1000"]
    assert refs[2].error is not None and "got an array" in refs[2].error.reason
    assert refs[3].label == "k 1"


def test_move_stage_skips_a_row_naming_a_deal_again_as_a_duplicate() -> None:
    """v10r17 cosmetic: move-stage's failed.csv labelled a row naming the same deal as an
    earlier row (``1E3`` after ``1e3``) ``typed-cells``; then it was held
    ``duplicate-key``. A move-stage row names its deal only, so it asks the same move:
    skipped as a ``duplicate`` of the first row, never held (f29e)."""
    from jobs.prepared import Prepared
    from jobs.selection import Ref
    from jobs.stages import _match

    prep = Prepared("move-stage")
    refs = [Ref(2, None, "1000", {"Key": "1e3"}), Ref(3, None, "1000", {"Key": "1E3"})]
    seen: dict[int, int] = {}
    out = [m for ref in refs
           if (m := _match(ref, {"1000": {"id": 7, "stage_id": 1}}, prep, None, seen))]
    assert [row for row, *_ in out] == [2]
    (twin,) = prep.items
    assert twin.row == 3 and twin.payload.get("hold") is None, twin.payload
    assert twin.payload["result"]["action"] == "duplicate", twin.payload
