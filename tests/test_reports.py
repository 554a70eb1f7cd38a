"""Result files: columns, streaming writes, formula-injection neutralisation, summary.json."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk.manifest import read_manifest
from bulk.reports import ReportWriter, cell, neutralise

# what a deal job passes (jobs.results.SUCCESS_COLUMNS): the engine's writer has no deal columns
DEAL_COLUMNS = ("row", "key", "deal_id", "action", "person_id", "org_id")


def read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize(("text", "expected"), [
    ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1)", "'@SUM(1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("\uff1d1+1", "'\uff1d1+1"),  # full-width equals sign
    ("+1 555 0100", "'+1 555 0100"),  # a phone number is not a plain number
    ("-12.50", "-12.50"),  # plain negative numbers stay numbers
    ("-5", "-5"),
    ("-1,000", "-1,000"),
    # v10r18 F4: a spreadsheet drops a plus sign and leading zeros (+00123 came back 123,
    # a phone +49301234567 as 49301234567): guarded
    ("+1,000", "'+1,000"),
    ("+00123", "'+00123"),
    ("+49301234567", "'+49301234567"),
    ("-0123", "'-0123"),
    ("Acme = good", "Acme = good"),
    ("", ""),
])
def test_neutralise(text: str, expected: str) -> None:
    """Strings that a spreadsheet would run get a leading quote; plain numbers do not."""
    assert neutralise(text) == expected


def test_cells() -> None:
    """Numbers the engine writes are untouched; JSON values become JSON text."""
    assert cell(-5) == "-5"
    # a typed fraction (a manifest's number cell) gets four decimals, the last a 0: read
    # back the same under "." and "auto", refused under ",", never evidence of a mark
    assert cell(Decimal("-1.50")) == "-1.5000"
    assert [cell(v) for v in (12.5, 2.375, 0.12345, 1500.0, 1e-05)] == \
        ["12.5000", "2.3750", "0.123450", "1500.0000", "1e-05"]
    assert cell(None) == ""
    assert cell(True) == "true"
    assert cell({"a": [1]}) == '{"a":[1]}'
    assert cell("=1+1") == "'=1+1"


def test_report_files(tmp_path: Path) -> None:
    """succeeded / failed / unprocessed have their columns and the original row's cells."""
    columns = ["Record ID", "Deal Name", "Amount"]
    with ReportWriter(tmp_path / "job", source_columns=columns,
                      success_columns=DEAL_COLUMNS) as reports:
        reports.succeeded(row=1, key="HS-1", deal_id=501, action="created", person_id=7,
                          org_id=None)
        reports.failed(row=2, key="HS-2", reason="not an amount: 'abc'", column="Amount",
                       values={"Record ID": "HS-2", "Deal Name": "=HYPERLINK(\"x\")",
                               "Amount": "abc"})
        reports.failed(row=3, key="HS-3", reason="400 Validation failed", status=400,
                       values={"Record ID": "HS-3", "Deal Name": "ok", "Amount": "-12.5"})
        reports.unprocessed(row=4, key="HS-4", values={"Record ID": "HS-4", "Deal Name": "x"})
        assert reports.statistics().failed == 2
    job = tmp_path / "job"
    assert read(job / "succeeded.csv") == [
        ["row", "key", "deal_id", "action", "person_id", "org_id"],
        ["1", "HS-1", "501", "created", "7", ""]]
    assert read(job / "failed.csv") == [
        ["row", "key", "reason", "status", "column", "Record ID", "Deal Name", "Amount"],
        ["2", "HS-2", "not an amount: 'abc'", "", "Amount", "HS-2", "'=HYPERLINK(\"x\")", "abc"],
        ["3", "HS-3", "400 Validation failed", "400", "", "HS-3", "ok", "-12.5"]]
    assert read(job / "unprocessed.csv") == [
        ["row", "key", "Record ID", "Deal Name", "Amount"], ["4", "HS-4", "HS-4", "x", ""]]


def test_failed_report_is_a_manifest(tmp_path: Path) -> None:
    """failed.csv reads back as a manifest with the original columns, even colliding ones."""
    with ReportWriter(tmp_path, source_columns=["key", "reason", "Note"]) as reports:
        reports.failed(row=1, key="k1", reason="bad", values={
            "key": "k1", "reason": "theirs", "Note": "line 1\nline 2"})
    rows = list(read_manifest(tmp_path / "failed.csv"))
    assert rows[0].values == {"row": "1", "_key": "k1", "_reason": "bad", "status": "",
                              "column": "", "key": "k1", "reason": "theirs",
                              "Note": "line 1\nline 2"}


def test_custom_success_columns_and_extra(tmp_path: Path) -> None:
    """Other job kinds pick their own success columns; unknown names are refused;
    JSONL keys outside the header go to the extra column as JSON."""
    with ReportWriter(tmp_path, success_columns=["row", "deal_id", "from_stage", "to_stage"],
                      source_columns=["id"], extra_column="_extra") as reports:
        reports.succeeded(row=1, deal_id=9, from_stage=1, to_stage=2)
        with pytest.raises(ValueError, match=r"not a succeeded\.csv column: nope"):
            reports.succeeded(nope=1)
        reports.unprocessed(row=2, key="a", values={"id": "a", "late": {"x": 1}})
    assert read(tmp_path / "succeeded.csv")[1] == ["1", "9", "1", "2"]
    assert read(tmp_path / "unprocessed.csv") == [
        ["row", "key", "id", "_extra"], ["2", "a", "a", '{"late":{"x":1}}']]


def test_append_continues_files(tmp_path: Path) -> None:
    """append=True (a resumed job) keeps the rows already written and writes no second header."""
    with ReportWriter(tmp_path, success_columns=DEAL_COLUMNS) as reports:
        reports.succeeded(row=1, key="a", deal_id=1, action="created")
    with ReportWriter(tmp_path, success_columns=DEAL_COLUMNS, append=True) as reports:
        reports.succeeded(row=2, key="b", deal_id=2, action="created")
    assert [r[0] for r in read(tmp_path / "succeeded.csv")] == ["row", "1", "2"]


def test_summary_json(tmp_path: Path) -> None:
    """summary.json is pretty, sorted JSON; Decimals and paths are written plainly."""
    with ReportWriter(tmp_path) as reports:
        path = reports.write_summary({"rows": {"succeeded": 1}, "tokens": Decimal("10"),
                                      "dir": tmp_path, "wall_s": 1.5})
    assert orjson.loads(path.read_bytes()) == {
        "dir": str(tmp_path), "rows": {"succeeded": 1}, "tokens": 10, "wall_s": 1.5}
    assert path.read_text().startswith('{\n  "dir"')
    assert not list(tmp_path.glob("*.tmp"))


def test_empty_reports_exist(tmp_path: Path) -> None:
    """A run with no failures still leaves failed.csv with its header."""
    with ReportWriter(tmp_path, source_columns=["a"]):
        pass
    assert read(tmp_path / "failed.csv") == [["row", "key", "reason", "status", "column", "a"]]
    assert read(tmp_path / "succeeded.csv") == [["row", "key"]]  # a kind's columns, none by default


@given(st.text(max_size=30))
def test_neutralised_cells_never_start_a_formula(text: str) -> None:
    """No neutralised cell starts with a formula character, unless it is a plain number."""
    out = neutralise(text)
    assert out[:1] not in {"=", "+", "-", "@", "\t", "\r"} or out.lstrip("+-").replace(
        ",", "").replace(".", "").isdigit()
    assert out in (text, "'" + text)


def test_failed_csv_gives_back_the_cells_text(tmp_path: Path) -> None:
    """A malformed cell '"5" screen' was written as '5 screen"'. The cells' text survives
    the round trip: read from the source and from failed.csv alike (the spreadsheet text
    prefix "'" before "=" / "-" is dropped by every CSV read, so "'=literal" is the text
    "=literal" in both; the unreadable row k2's cells are read the same way, "''-5" as
        "'-5": x25r2 F1)."""
    from bulk.manifest import read_manifest

    source = tmp_path / "in.csv"
    source.write_text('key,a,b,c\r\nk1,\'=literal,=1+1,x\r\nk2,"5" screen,\'\'-5,y\r\n',
                      encoding="utf-8")
    rows = list(read_manifest(source))
    assert rows[1].values["a"] == '"5" screen' and not rows[1].ok
    out = tmp_path / "out"
    out.mkdir()
    with ReportWriter(out, source_columns=["key", "a", "b", "c"], hold_column=True) as w:
        for r in rows:
            w.failed(row=r.row, key=str(r.values["key"]), reason="x", values=r.values)
    back = list(read_manifest(out / "failed.csv"))
    expected = [{"key": "k1", "a": "=literal", "b": "=1+1", "c": "x"},
                {"key": "k2", "a": '"5" screen', "b": "'-5", "c": "y"}]
    assert [{k: r.values[k] for k in ("key", "a", "b", "c")} for r in rows] == expected
    assert [{k: r.values[k] for k in ("key", "a", "b", "c")} for r in back] == expected


def test_write_failed_removes_a_stale_typed_copy_it_wrote(tmp_path: Path) -> None:
    """plan-failed.jsonl from an earlier (JSON) manifest stayed beside a fresh
    plan-failed.csv of a CSV manifest; it is removed, a user's own file never is."""
    from jobs.results import write_failed

    row = {"row": 1, "key": "k1", "reason": "bad", "status": None, "column": None,
           "hold": None, "values": {"id": "k1", "n": 1}}
    path = tmp_path / "plan-failed.csv"
    written = write_failed(path, ["id", "n"], [row], typed="jsonl")
    assert written["failed_typed"].exists()
    (tmp_path / "plan-failed.xlsx").write_bytes(b"not ours")
    write_failed(path, ["id", "n"], [row])
    assert not (tmp_path / "plan-failed.jsonl").exists()
    assert (tmp_path / "plan-failed.xlsx").read_bytes() == b"not ours"


def test_an_xlsx_currency_fraction_gets_the_same_guard_as_a_bare_one() -> None:
    """v10r27 F3: an XLSX 2.375 in a currency format was written ``2.375 €`` and read back
    as 2375 under ``decimal = ","`` once the hold was emptied (7 of 7 currencies); a bare
    2.375 was already written ``2.3750``, which that reading refuses."""
    from bulk.errors import InputError
    from bulk.manifest_xlsx import CurrencyNumber
    from jobs.transforms import parse_money

    for symbol in ("€", "$", "USD", "£", "JPY"):
        text = cell(CurrencyNumber(f"2.375 {symbol}"))
        assert text == f"2.3750 {symbol}"
        with pytest.raises(InputError):
            parse_money(text, decimal=",")
        assert parse_money(text, decimal=".").amount == 2.375  # the same number
    assert cell(CurrencyNumber("12.5 €")) == "12.5000 €"
    assert cell(CurrencyNumber("12 €")) == "12 €"
    assert cell(CurrencyNumber("-1.250 $")) == "'-1.2500 $"  # the formula guard too
