"""Every cell failed.csv writes reads back, through the same reader, as its source cell was
read — for rows the reader could not split as for rows the mapping refused (x25r2 F1: a
misaligned row's ``="00123"`` was written ``'="00123"``, re-imported as the key
``="00123"``, and the corrected source row made a second deal)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bulk.manifest import read_manifest
from bulk.reports import ReportWriter
from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

NAMES = ["id", "a", "b"]
# the cells exports and people write: Excel's text wrapper, leading zeros, signs, formulas,
# the text prefix, quotes, delimiters and line breaks inside a cell, and anything else
shaped = st.sampled_from(['="00123"', '="0077"', '="a""b"', "00123", "00000123", "+00124",
                          "-5", "-0123", "=1+1", "@x", "'=x", "''-5", "'00123", '"q"', "a,b",
                          "l1\nl2", "1-2", "3/4", "1E5", "12345678901234567", "x"])
free = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00\r"),
               max_size=8)
cells = st.one_of(shaped, free, st.builds(lambda p, c: p + c, st.sampled_from(["'", '="', "0"]),
                                          free))


def _write(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([NAMES, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def _round(tmp: Path, rows: list[list[str]]) -> tuple[list[Any], list[Any]]:
    """The rows read from a source, and the rows read back from its failed.csv."""
    source = tmp / "in.csv"
    _write(source, rows)
    # both files are written with "," (``_write``, ``ReportWriter``): the delimiter is
    # named, not sniffed — a cell such as ``;;;b`` in every row, two rows of three too wide
    # or too narrow for ",", fits ";" better (the sniffer's rules: test_manifest.py)
    read = list(read_manifest(source, delimiter=","))
    out = tmp / "out"
    with ReportWriter(out, source_columns=NAMES, hold_column=True) as w:
        for r in read:
            w.failed(row=r.row, key=str(r.values.get("id", "")), reason="x", values=r.values)
    return read, list(read_manifest(out / "failed.csv", delimiter=","))


@settings(max_examples=150, deadline=None)
@given(good=st.lists(cells, min_size=3, max_size=3), extra=st.lists(cells, min_size=0, max_size=2))
def test_failed_csv_reads_back_as_the_source_read(
        tmp_path_factory: pytest.TempPathFactory, good: list[str], extra: list[str]) -> None:
    """Rows the reader fails (a cell too many, one missing) and rows it reads: failed.csv
    read back gives each row's cells as the source's were read."""
    read, back = _round(tmp_path_factory.mktemp("rt"), [good, good + (extra or ["x"]), good[:2]])
    assert [{k: b.values[k] for k in NAMES} for b in back] == \
        [{k: r.values.get(k, "") for k in NAMES} for r in read]


one_line = cells.filter(lambda c: "\n" not in c and "\r" not in c)


@settings(max_examples=150, deadline=None)
@given(good=st.lists(one_line, min_size=3, max_size=3),
       extra=st.lists(one_line, min_size=0, max_size=2))
def test_a_reader_failed_rows_cells_are_read_as_a_good_rows(
        tmp_path_factory: pytest.TempPathFactory, good: list[str], extra: list[str]) -> None:
    """A row of too many or too few cells holds its cells as the same cells in a
    well-formed row are read (``="00123"`` as 00123, ``'=x`` as =x), so a person fixing it
    in failed.csv gets the source's key."""
    good[1] += "b"  # never a blank record
    read, _ = _round(tmp_path_factory.mktemp("rt"), [good, good + (extra or ["x"]), good[:2]])
    assert len(read) == 3 and read[0].ok and not read[1].ok and not read[2].ok
    for r in read[1:]:
        assert {k: r.values[k] for k in NAMES if k in r.values} == \
            {k: read[0].values[k] for k in NAMES if k in r.values}


def test_an_undecodable_rows_cells_are_read_as_a_good_rows(tmp_path: Path) -> None:
    """Under --encoding cp1252 a stray byte fails the row in the reader; its wrapped key is
    still the text inside."""
    source = tmp_path / "in.csv"
    source.write_bytes(b'id,a,b\r\n="00123",x\x81y,z\r\n')
    (row,) = read_manifest(source, encoding="cp1252")
    assert not row.ok and row.values["id"] == "00123"


TOKEN = "round-trip-token"
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
MAPPING = """\
version = 1
[import]
key_column = "Record ID"
key_field = "Import source key"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "Deal Name"
value = "Amount"
"""


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=25)) as sb:
        yield sb


def _import(sb: Sandbox, manifest: Path, mapping: Path, jobs: Path) -> Path:
    res = CliRunner().invoke(app, [
        "import", str(manifest), "--mapping", str(mapping), "--create-key-field",
        "--url", sb.url, "--plan", "ultimate", "--oauth", "--job-dir", str(jobs)], env=ENV)
    assert res.exit_code in (0, 3), res.output
    return next(jobs.iterdir())


def test_a_misaligned_row_fixed_in_failed_csv_keeps_its_key(sandbox: Sandbox,
                                                           tmp_path: Path) -> None:
    """x25r2 F1 (3 of 3 runs: two deals of one record): an unquoted $1,000.00 beside the key
    ="00123"; the row fixed in failed.csv and imported, then the corrected source imported:
    one deal per key, keyed 00123."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    source = tmp_path / "b.csv"
    source.write_text('Record ID,Deal Name,Amount,Company\r\n="00123",Deal A,$1,000.00,Co\r\n'
                      '="00777",Deal B,50,Co\r\n', encoding="utf-8", newline="")
    job = _import(sandbox, source, mapping, tmp_path / "j1")
    with (job / "failed.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    assert len(rows) == 2 and rows[1][head.index("key")] == "'00123"
    for r in rows[1:]:  # the person's fix: the amount quoted, the hold emptied
        r[head.index("Amount")], r[head.index("Company")], r[head.index("hold")] = \
            "$1,000.00", "Co", ""
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    _import(sandbox, fixed, mapping, tmp_path / "j2")
    corrected = tmp_path / "b2.csv"
    corrected.write_text('Record ID,Deal Name,Amount,Company\r\n="00123",Deal A,"$1,000.00",Co'
                         '\r\n="00777",Deal B,50,Co\r\n', encoding="utf-8", newline="")
    _import(sandbox, corrected, mapping, tmp_path / "j3")
    code = next(f["field_code"] for f in sandbox.state.fields.values()
                if f["field_name"] == "Import source key")
    keys = sorted(d["custom_fields"].get(code) for d in sandbox_deals(sandbox))
    assert keys == ["00123", "00777"]


EXCEL_CHANGES = ["00000123", "0077", "00.5", "123456789012", "12345678901234567", "1E5",
                 "2.5e3", "1-2", "3/4", "2024-01-02", "1/2/2024", "1.2.2024",
                 "2024-01-02 10:00", "10:30", "9:05 PM", "1-Jan", "Jan-24", "-123456789012"]


@pytest.mark.parametrize("text", EXCEL_CHANGES)
def test_what_a_spreadsheet_changes_on_open_is_guarded_and_read_back(tmp_path: Path,
                                                                    text: str) -> None:
    """x25r2 F2: failed.csv wrote the key 00000123 unguarded; Excel saved it as 123, a
    second deal on the next import. Every text a spreadsheet reads as a number, date or
    time is written behind the text prefix "'", and the CSV and XLSX readers drop it."""
    import openpyxl

    from bulk.reports import neutralise

    assert neutralise(text) == "'" + text
    read, back = _round(tmp_path, [["'" + text, text, "''" + text]])
    assert [read[0].values[k] for k in NAMES] == [back[0].values[k] for k in NAMES] == \
        [text, text, "'" + text]  # the prefix dropped; a "'" of its own kept
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(NAMES)
    sheet.append(["'" + text, text, "''" + text])
    book.save(tmp_path / "saved.xlsx")
    (row,) = read_manifest(tmp_path / "saved.xlsx")
    assert [row.values[k] for k in NAMES] == [text, text, "'" + text]


@pytest.mark.parametrize("text", ["123", "0", "0.5", "12.5", "-12.50", "1,000", "$1,000.00",
                                  "12345678901", "K004999", "A1-2", "Deal 1-2", "May", ""])
def test_text_a_spreadsheet_keeps_is_not_guarded(text: str) -> None:
    """Numbers a spreadsheet writes back as it read them, and text, stay as they are."""
    from bulk.reports import neutralise

    assert neutralise(text) == text


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.sampled_from(EXCEL_CHANGES), free,
                      st.builds(lambda p, t: p + t, st.sampled_from(["'", "''", "0", "1-"]),
                                st.sampled_from(EXCEL_CHANGES))))
def test_a_guarded_cell_is_safe_and_reads_back(tmp_path_factory: pytest.TempPathFactory,
                                               text: str) -> None:
    """Whatever the text, failed.csv's cell is one a spreadsheet keeps (no value it would
    rewrite) and the reader gives back the text."""
    from bulk.manifest_row import read_as_value
    from bulk.reports import neutralise

    assert not read_as_value(neutralise(text))
    read, back = _round(tmp_path_factory.mktemp("g"), [["k", "x", text]])
    assert back[0].values["b"] == read[0].values["b"]


def test_a_mis_edited_failed_csv_row_fails_for_its_width_not_its_hold(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """x25r2 F4: a failed.csv row edited to 11 cells for a 9-column header (an unquoted
    reason with a comma and an unquoted 1.234,00) was "held (hold = Amount)", and its new
    failed.csv row had an empty key, every cell shifted. It fails as too wide, naming the
    widths, whatever its hold cell says; and so does a row one cell short. The update job
    reads holds the same way (results.held)."""
    from jobs.results import held

    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(
        "row,key,reason,status,column,hold,Record ID,Deal Name,Amount\r\n"
        "2,K1,not an amount: '1.234,00',,Amount,,K1,Deal 1,1.234,00\r\n"
        "3,K2,x,,Amount,,K2,Deal 2\r\n"
        "4,K3,x,,Amount,,K3,Deal 3,7\r\n", encoding="utf-8", newline="")
    job = _import(sandbox, fixed, mapping, tmp_path / "j")
    with (job / "failed.csv").open(encoding="utf-8", newline="") as f:
        failed = list(csv.DictReader(f))
    assert [r["row"] for r in failed] == ["2", "3"]
    assert "11 cells but the header has 9 columns" in failed[0]["reason"]
    assert "8 cells but the header has 9 columns" in failed[1]["reason"]
    assert not any(r["reason"].startswith("held") for r in failed)
    assert [r["hold"] for r in failed] == ["misaligned-cells"] * 2
    assert [d["title"] for d in sandbox_deals(sandbox)] == ["Deal 3"]
    (row, *_) = read_manifest(fixed)
    assert held(row.values, "hold", "K1") is not None  # its hold cell reads "Amount"
    assert held(row.values, "hold", "K1", misaligned=True) is None
