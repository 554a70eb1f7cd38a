"""Readers end to end: `pdbulk import` of broken CSVs, cp1252, JSON paths and XLSX against the sandbox."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from jobs.mapping import Mapping
from pdbulk.cli import app
from tests.import_support import read_csv, sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "readers-token"
FAST = ["--plan", "ultimate", "--oauth"]
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}

MAPPING = """\
version = 1
[import]
key_column = "key"
key_field = "Import source key"
mode = "upsert"
[deal]
title = "title"
value = "amount"
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
"""


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=5)) as sb:
        yield sb


def _import(sb: Sandbox, tmp: Path, manifest: Path, mapping: str = MAPPING,
            *extra: str) -> tuple[Any, Path | None]:
    m = tmp / "mapping.toml"
    m.write_text(mapping)
    jobs = tmp / "jobs"
    res = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(m),
                                   "--create-key-field", "--url", sb.url, "--job-dir", str(jobs),
                                   *FAST, *extra], env=ENV)
    job = next(jobs.iterdir(), None) if jobs.exists() else None
    return res, job


def _by_key(sb: Sandbox) -> dict[str, list[dict[str, Any]]]:
    """Every live deal by its source key (deals without one under "None")."""
    codes = [f["field_code"] for f in sb.state.fields.values()
             if f["field_name"] == "Import source key"]
    out: dict[str, list[dict[str, Any]]] = {}
    for deal in sandbox_deals(sb):
        key = deal["custom_fields"].get(codes[0]) if codes else None
        out.setdefault(str(key), []).append(deal)
    return out


def test_unclosed_quote_creates_no_deal_4_100(sandbox: Sandbox, tmp_path: Path) -> None:
    """The reported file: k2's unclosed quote fails alone; k1, k3, k4 are created once; exit 3."""
    path = tmp_path / "m.csv"
    path.write_text('key,title,amount\nk1,Deal 1,100\nk2,"Deal 2 unclosed,100\nk3,Deal 3,300\n'
                    'k4,Deal 4,400\n')
    res, job = _import(sandbox, tmp_path, path)
    assert res.exit_code == 3, res.output
    deals = _by_key(sandbox)
    assert {k: [d["title"] for d in v] for k, v in deals.items()} == {
        "k1": ["Deal 1"], "k3": ["Deal 3"], "k4": ["Deal 4"]}
    assert job is not None
    failed = read_csv(job / "failed.csv")
    assert len(failed) == 1 and failed[0]["key"] == "k2" and failed[0]["row"] == "3"
    assert failed[0]["title"] == '"Deal 2 unclosed,100'  # the cell's text as the file holds it


def test_oversized_cell_invents_no_rows(sandbox: Sandbox, tmp_path: Path) -> None:
    """A 131,072+ character multi-line cell is one failed row; no phantom x/y deal; the next row lands."""
    inner = "x,y\n" * (csv.field_size_limit() // 4 + 10)
    path = tmp_path / "m.csv"
    path.write_text(f'key,title,amount\nk1,"{inner}",5\nk2,Real next,7\n')
    res, job = _import(sandbox, tmp_path, path)
    assert res.exit_code == 3, res.output
    deals = _by_key(sandbox)
    assert list(deals) == ["k2"] and deals["k2"][0]["title"] == "Real next"
    assert job is not None
    failed = read_csv(job / "failed.csv")
    assert [f["key"] for f in failed] == ["k1"] and "field-size limit" in failed[0]["reason"]


def test_cp1252_refused_before_any_call_then_read_with_encoding(sandbox: Sandbox,
                                                                tmp_path: Path) -> None:
    """A Windows-1252 file: exit 1 naming cp1252 and nothing sent; --encoding cp1252 imports it."""
    path = tmp_path / "m.csv"
    path.write_bytes("key;title;amount\r\nk1;Müller GmbH \u2013 Lizenz;1200\r\nk2;Grüße;5\r\n"
                     .encode("cp1252"))
    res, job = _import(sandbox, tmp_path, path)
    assert res.exit_code == 1, res.output
    assert "cp1252" in res.output and "--encoding cp1252" in res.output
    assert "Traceback" not in res.output
    assert job is None and sandbox.stats()["writes_applied"] == {}
    assert not any(sandbox.stats()["tokens_by_operation"].values())  # not even a read was sent
    res, job = _import(sandbox, tmp_path, path, MAPPING, "--encoding", "cp1252")
    assert res.exit_code == 0, res.output
    assert sorted(d[0]["title"] for d in _by_key(sandbox).values()) == [
        "Grüße", "Müller GmbH \u2013 Lizenz"]
    # the mapping's [defaults] encoding works too (an upsert: nothing new is created)
    res, _ = _import(sandbox, tmp_path, path, MAPPING + '[defaults]\nencoding = "cp1252"\n')
    assert res.exit_code == 0, res.output
    assert Counter(len(v) for v in _by_key(sandbox).values()) == {1: 2}


def test_nested_json_paths_and_json_array(sandbox: Sandbox, tmp_path: Path) -> None:
    """A HubSpot-API-style .json array: dotted paths, a bracketed key, an array's first element."""
    records = [
        {"id": "101", "properties": {"dealname": "Alpha", "amount": "1500", "hs.custom": "c1"},
         "associations": {"companies": ["Initech", "Globex"]}},
        {"id": "102", "properties": {"dealname": "Beta", "amount": "20", "hs.custom": "c2"},
         "associations": {"companies": []}},
        {"id": "103", "properties": {"amount": "5"}},
    ]
    path = tmp_path / "deals.json"
    path.write_bytes(orjson.dumps(records))
    mapping = """\
version = 1
[import]
key_column = "id"
key_field = "Import source key"
[deal]
title = "{properties.dealname} / {properties[\\"hs.custom\\"]}"
value = "properties.amount"
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
[organization]
name = { column = "associations.companies" }
"""
    res, job = _import(sandbox, tmp_path, path, mapping)
    assert res.exit_code == 3, res.output
    deals = _by_key(sandbox)
    assert sorted(deals) == ["101", "102"]
    assert deals["101"][0]["title"] == "Alpha / c1" and deals["101"][0]["value"] == 1500
    orgs = {o["name"] for o in sandbox.state.orgs.rows.values()}
    assert "Initech" in orgs and "Globex" not in orgs
    assert job is not None
    failed = read_csv(job / "failed.csv")
    assert [f["id"] for f in failed] == ["103"]
    assert "properties.dealname" in failed[0]["reason"]


def test_xlsx_typed_cells_and_excel_row_numbers(sandbox: Sandbox, tmp_path: Path) -> None:
    """An XLSX sheet: numbers stay numbers, dates dates; a bad row is reported at Excel's row."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Notes"
    first.append(["nothing here"])
    ws = book.create_sheet("Deals")
    ws.append(["key", "title", "amount", "close"])
    ws.append(["x1", "Gamma", 2500.5, dt.date(2026, 3, 1)])
    ws.append([])  # row 3 stays empty
    ws.append(["x2", "Delta", 7, dt.date(2026, 4, 2), "stray"])
    assert ws.cell(row=4, column=1).value == "x2"  # Excel shows it as row 4
    path = tmp_path / "deals.xlsx"
    book.save(path)
    mapping = MAPPING + 'expected_close_date = "close"\n'
    res, job = _import(sandbox, tmp_path, path, mapping, "--sheet", "Deals")
    assert res.exit_code == 3, res.output
    deals = _by_key(sandbox)
    assert list(deals) == ["x1"]
    assert deals["x1"][0]["value"] == 2500.5
    assert deals["x1"][0]["expected_close_date"] == "2026-03-01"
    assert job is not None
    failed = read_csv(job / "failed.csv")
    assert [f["key"] for f in failed] == ["x2"] and failed[0]["row"] == "4"


def test_init_mapping_todo_is_refused_by_plan_and_import(sandbox: Sandbox, tmp_path: Path) -> None:
    """An unknown source stage becomes a TODO; plan and import exit 1 listing it; resolved, plan runs."""
    path = tmp_path / "m.csv"
    path.write_text("Record ID,Deal Name,Deal Stage,Deal Owner,Probability (%)\n"
                    "1,A,Stalled,,10\n2,B,qualified,,20\n")
    drafted = tmp_path / "drafted.toml"
    res = CliRunner().invoke(app, ["init-mapping", str(path), "-o", str(drafted), "--url",
                                   sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0, res.output
    text = drafted.read_text()
    assert '"qualified" = "Qualified"' in text and '# "Stalled" = ""' in text
    assert 'owner = "Deal Owner"' in text and 'probability = "Probability (%)"' in text
    for command in (["plan", "import"], ["import", "--job-dir", str(tmp_path / "jobs")]):
        res = CliRunner().invoke(app, [*command, str(path), "--mapping", str(drafted),
                                       "--create-key-field", "--url", sandbox.url, *FAST], env=ENV)
        assert res.exit_code == 1, res.output
        assert "unresolved TODO on line" in res.output and "Stalled" not in res.output.split(
            "unresolved TODO")[0]
        assert "Traceback" not in res.output
    assert not (tmp_path / "jobs").exists() and sandbox.stats()["writes_applied"] == {}
    drafted.write_text("\n".join(line for line in text.splitlines() if "TODO" not in line)
                       .replace('# "Stalled" = ""', '"Stalled" = "Qualified"') + "\n")
    res = CliRunner().invoke(app, ["plan", "import", str(path), "--mapping", str(drafted),
                                   "--create-key-field", "--url", sandbox.url, *FAST,
                                   "--failed-csv", str(tmp_path / "plan-failed.csv")], env=ENV)
    assert res.exit_code == 0, res.output


def test_init_mapping_on_cp1252_exits_1_before_any_call(sandbox: Sandbox, tmp_path: Path) -> None:
    """init-mapping on a cp1252 file names the encoding; with --encoding it drafts the mapping."""
    path = tmp_path / "m.csv"
    path.write_bytes("Record ID;Deal Name;Betrag\r\n1;Müller;1,5\r\n".encode("cp1252"))
    res = CliRunner().invoke(app, ["init-mapping", str(path), "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 1 and "--encoding cp1252" in res.output, res.output
    assert not any(sandbox.stats()["tokens_by_operation"].values())
    res = CliRunner().invoke(app, ["init-mapping", str(path), "--encoding", "cp1252", "--url",
                                   sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0, res.output
    assert 'key_column = "Record ID"' in res.stdout
    # the encoding it was read with goes into the mapping (it proposed none: issue 10
    # finding), so plan/import read the file without --encoding; the file ends in a newline
    assert 'encoding = "cp1252"' in res.stdout
    drafted = tmp_path / "drafted.toml"
    res = CliRunner().invoke(app, ["init-mapping", str(path), "--encoding", "cp1252", "-o",
                                   str(drafted), "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0, res.output
    data = drafted.read_bytes()
    assert data.endswith(b"\n") and not data.endswith(b"\n\n") and b"\x00" not in data
    assert Mapping.load(drafted).encoding == "cp1252"
    utf8 = tmp_path / "u.csv"
    utf8.write_text("Record ID;Deal Name\r\n1;Müller\r\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["init-mapping", str(utf8), "--encoding", "cp1252", "--url",
                                   sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0 and "encoding =" not in res.stdout, res.output  # UTF-8 won


def test_shifted_row_fails_with_its_cells(sandbox: Sandbox, tmp_path: Path) -> None:
    """An unquoted $17,300.00 split in two fails its row (cells kept); the other rows land."""
    path = tmp_path / "m.csv"
    # k3 names its currency as k1 does: a column mixing named and unnamed is refused
    path.write_text('key,title,amount,note\nk1,A,"$1,000.00",x\nk2,B,$17,300.00,\nk3,C,$5,\n')
    res, job = _import(sandbox, tmp_path, path)
    assert res.exit_code == 3, res.output
    assert sorted(_by_key(sandbox)) == ["k1", "k3"]
    assert job is not None
    failed = read_csv(job / "failed.csv")
    assert [f["key"] for f in failed] == ["k2"]
    assert failed[0]["reason"].startswith("5 cells but the header has 4 columns")
    assert (failed[0]["amount"], failed[0]["note"], failed[0]["(extra 1)"]) == ("$17", "300.00", "")


def test_init_mapping_on_jsonl_proposes_paths(sandbox: Sandbox, tmp_path: Path) -> None:
    """init-mapping on a HubSpot-API-style JSONL writes dotted paths; internal stage ids are TODOs."""
    path = tmp_path / "deals.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in [
        {"id": "1", "properties": {"dealname": "A", "amount": "5", "dealstage": "qualifiedtobuy"},
         "associations": {"company": "Initech"}},
        {"id": "2", "properties": {"dealname": "B", "amount": "6", "dealstage": "Qualified"}}]))
    res = CliRunner().invoke(app, ["init-mapping", str(path), "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0, res.output
    text = res.stdout
    assert 'key_column = "id"' in text and 'title = "properties.dealname"' in text
    assert 'value = "properties.amount"' in text and 'name = "associations.company"' in text
    assert 'column = "properties.dealstage"' in text
    assert '"Qualified" = "Qualified"' in text and '# "qualifiedtobuy" = ""' in text


def test_exact_json_numbers_and_xlsx_percent_end_to_end(sandbox: Sandbox, tmp_path: Path) -> None:
    """JSONL numbers no double holds fail their rows with the cells exactly as written (not
    1.8446744073709552e+19), under decimal = "," too; a percent-formatted XLSX probability
    imports as the percentage Excel shows."""
    jsonl = tmp_path / "deals.jsonl"
    jsonl.write_bytes(
        b'{"key": "j1", "title": "Big", "amount": 18446744073709551617}\n'
        b'{"key": "j2", "title": "Precise", "amount": 0.12345678901234567891}\n'
        b'{"key": "j3", "title": "Fine", "amount": 1.234, "note": 9223372036854775808}\n')
    comma = MAPPING.replace("[deal]", '[defaults]\ndecimal = ","\n[deal]')
    (tmp_path / "j").mkdir()
    (tmp_path / "x").mkdir()
    res, job = _import(sandbox, tmp_path / "j", jsonl, comma)
    assert res.exit_code == 3, res.output
    assert job is not None
    failed = {f["key"]: f for f in read_csv(job / "failed.csv")}
    # guarded: a spreadsheet would save 1.84467E+19 (x25r2 F2); every reader drops the "'"
    assert failed["j1"]["amount"] == "'18446744073709551617"
    assert "18446744073709551617" in failed["j1"]["reason"]
    # the digits as written, and a last 0 (the typed-fraction form: no decimal evidence)
    assert failed["j2"]["amount"] == "0.123456789012345678910"
    assert sorted(failed) == ["j1", "j2"]
    assert _by_key(sandbox)["j3"][0]["value"] == 1.234  # a JSON number: never "1.234" as 1234

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["key", "title", "amount", "Probability"])
    ws.append(["x1", "Pct", 10, 0.25])
    ws.append(["x2", "Pct2", 10, 0.075])
    ws["D2"].number_format = "0%"
    ws["D3"].number_format = "0.0%"
    book.save(tmp_path / "p.xlsx")
    res, _ = _import(sandbox, tmp_path / "x", tmp_path / "p.xlsx",
                     MAPPING + 'probability = "Probability"\n')
    assert res.exit_code == 0, res.output
    deals = _by_key(sandbox)
    assert deals["x1"][0]["probability"] == 25 and deals["x2"][0]["probability"] == 7.5


def test_failed_csv_of_a_cp1252_import_reimports_with_the_same_mapping(sandbox: Sandbox,
                                                                       tmp_path: Path) -> None:
    """Fix and re-import: a cp1252 export read through the mapping's encoding = "cp1252"
    fails a row; its failed.csv (UTF-8), fixed and imported with the same mapping, keeps
    'Café Crème' as it is (not 'CafÃ© CrÃ¨me')."""
    path = tmp_path / "export.csv"
    path.write_bytes("key;title;amount\r\nk1;Grüße;5\r\nk2;Café Crème;n/a\r\n".encode("cp1252"))
    mapping = MAPPING + '[defaults]\nencoding = "cp1252"\n'
    (tmp_path / "first").mkdir()
    res, job = _import(sandbox, tmp_path / "first", path, mapping)
    assert res.exit_code == 3, res.output
    assert job is not None
    failed = (job / "failed.csv").read_text(encoding="utf-8")
    assert "Café Crème" in failed
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(failed.replace("n/a", "7"), encoding="utf-8")
    (tmp_path / "second").mkdir()
    res, _ = _import(sandbox, tmp_path / "second", fixed, mapping)
    assert res.exit_code == 0, res.output
    deals = _by_key(sandbox)
    assert deals["k2"][0]["title"] == "Café Crème" and deals["k2"][0]["value"] == 7
    assert deals["k1"][0]["title"] == "Grüße"


@pytest.mark.parametrize("drop_report_columns", [False, True])
def test_failed_csv_round_trip_keeps_cells_the_report_neutralised(
        sandbox: Sandbox, tmp_path: Path, drop_report_columns: bool) -> None:
    """failed.csv puts a ' before cells starting with + or - (formula injection); re-imported
    after fixing another cell, the untouched phone '+49 30 1234567' and title '-Sale-' are
    read as the source had them, not failed again — also when the person deleted the
    report's own columns first (the prefix is a property of the cell, not of the file:
    '@Acme arrived as a title with its quote)."""
    path = tmp_path / "export.csv"
    path.write_text("key,title,amount,phone,name\r\n"
                    "p1,-Sale-,n/a,+49 30 1234567,Hans Dampf\r\n", encoding="utf-8")
    mapping = MAPPING + '[person]\nname = "name"\nphone = "phone"\n'
    (tmp_path / "first").mkdir()
    res, job = _import(sandbox, tmp_path / "first", path, mapping)
    assert res.exit_code == 3, res.output
    assert job is not None
    failed = (job / "failed.csv").read_text(encoding="utf-8")
    assert "'+49 30 1234567" in failed and "'-Sale-" in failed  # the report's guard stays
    fixed = tmp_path / "fixed.csv"
    text = failed.replace(",n/a,", ",100,")
    if drop_report_columns:
        rows = list(csv.reader(io.StringIO(text)))
        own = rows[0].index("key")  # the report's own columns come first (``_key`` ...)
        assert rows[0][:own] == ["row", "_key", "reason", "status", "column", "hold"]
        out = io.StringIO()
        csv.writer(out).writerows(row[own:] for row in rows)
        text = out.getvalue()
        assert text.startswith("key,title,") and "'+49 30 1234567" in text
    fixed.write_text(text, encoding="utf-8")
    (tmp_path / "second").mkdir()
    res, _ = _import(sandbox, tmp_path / "second", fixed, mapping)
    assert res.exit_code == 0, res.output
    deal = _by_key(sandbox)["p1"][0]
    assert deal["title"] == "-Sale-" and deal["value"] == 100
    people = [p for p in sandbox.state.persons.rows.values() if p["name"] == "Hans Dampf"]
    assert [ph["value"] for ph in people[0]["phones"]] == ["+49 30 1234567"]


def test_xlsx_ids_in_display_formats_are_refused_end_to_end(sandbox: Sandbox,
                                                            tmp_path: Path) -> None:
    """v10r27 F2: ``"INV-"0000`` and ``"PO-"0000`` both read as the key 42, so the second
    import's row updated the first one's deal. Now each such key fails its row in import
    and update (nothing created, nothing changed); a plain id beside them imports."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["key", "title", "amount"])
    for n, (number, fmt) in enumerate(((42, '"INV-"0000'), (1001, "#,##0"), (7, "General")), 2):
        ws.append([number, f"Deal {n}", 10])
        ws.cell(n, 1).number_format = fmt
    path = tmp_path / "ids.xlsx"
    book.save(path)
    res, job = _import(sandbox, tmp_path, path)
    assert res.exit_code == 3, res.output
    assert list(_by_key(sandbox)) == ["7"]
    assert job is not None
    failed = read_csv(job / "failed.csv")
    assert [f["row"] for f in failed] == ["2", "3"]
    assert all("shows it otherwise" in f["reason"] for f in failed)
    update = tmp_path / "update.toml"
    update.write_text('version = 1\n[update]\nkey_column = "key"\n[deal]\ntitle = "title"\n')
    res = CliRunner().invoke(app, ["update", str(path), "--mapping", str(update), "--url",
                                   sandbox.url, "--job-dir", str(tmp_path / "jobs2"), "--yes",
                                   *FAST], env=ENV)
    assert res.exit_code == 3, res.output
    assert [d["title"] for d in sandbox_deals(sandbox)] == ["Deal 4"]
