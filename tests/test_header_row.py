"""Where the header is: a row of merged group titles above an XLSX header is skipped (and
said); ``header_row`` / ``--header-row`` names the header's line or Excel row (CSV, XLSX)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.manifest import header, header_note, read_manifest
from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "header-row-token"
FAST = ["--plan", "ultimate", "--oauth"]
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
MAPPING = """\
version = 1
[import]
key_column = "Key"
key_field = "Import source key"
[defaults]
currency = "USD"
%s
[deal]
title = "Deal"
value = "Amount"
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
[person]
name = "Name"
"""


def _grouped(path: Path, merged: bool = True) -> Path:
    """Row 1: "Deal information" over A1:C1, "Contact" over D1:E1; row 2: the header."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal information", None, None, "Contact", None])
    ws.append(["Key", "Deal", "Amount", "Name", "Email"])
    ws.append(["G1", "Grouped one", 100, "Ann", "ann@g.example"])
    ws.append(["G2", "Grouped two", 200, "Bob", "bob@g.example"])
    if merged:
        ws.merge_cells("A1:C1")
        ws.merge_cells("D1:E1")
    book.save(path)
    return path


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=5)) as sb:
        yield sb


def test_merged_group_titles_are_skipped_and_said(tmp_path: Path) -> None:
    """The header is row 2; its rows keep Excel's numbers; the note names both rows."""
    path = _grouped(tmp_path / "g.xlsx")
    assert header(path) == ["Key", "Deal", "Amount", "Name", "Email"]
    assert [r.row for r in read_manifest(path)] == [3, 4]
    note = header_note(path)
    assert note is not None and "Excel row 2" in note and "'Deal information'" in note


def test_unmerged_group_titles_need_header_row(tmp_path: Path) -> None:
    """Without merges the row is not skipped: the error names the row and the way out,
    which works."""
    path = _grouped(tmp_path / "g.xlsx", merged=False)
    with pytest.raises(InputError, match=r"Excel row 1\).*header_row = N"):
        header(path)
    assert header(path, header_row=2)[:2] == ["Key", "Deal"]
    assert [r.values["Key"] for r in read_manifest(path, header_row=2)] == ["G1", "G2"]


def test_csv_header_row(tmp_path: Path) -> None:
    """A CSV whose line 1 is a two-cell title: header_row = 2 reads the rest; rows are lines."""
    path = tmp_path / "t.csv"
    path.write_text("Export of,2026-01-01\nKey,Deal,Amount\nC1,One,5\n")
    assert header(path, header_row=2) == ["Key", "Deal", "Amount"]
    assert [(r.row, r.values["Key"]) for r in read_manifest(path, header_row=2)] == [(3, "C1")]
    with pytest.raises(InputError, match="header_row"):
        header(tmp_path.joinpath("x.jsonl"), header_row=2)


def test_plan_init_and_import_read_a_grouped_header(sandbox: Sandbox, tmp_path: Path) -> None:
    """plan, init-mapping and import read the merged-title sheet (it was refused "the
    header has an empty column name"); an unmerged one with header_row = 2 in the mapping."""
    merged = _grouped(tmp_path / "m.xlsx")
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING % "")
    common = ["--mapping", str(mapping), "--create-key-field", "--url", sandbox.url, *FAST]
    res = CliRunner().invoke(app, ["plan", "import", str(merged), *common, "--failed-csv",
                                   str(tmp_path / "pf.csv")], env=ENV)
    assert res.exit_code == 0, res.output
    assert "the header is Excel row 2" in res.output
    res = CliRunner().invoke(app, ["init-mapping", str(merged), "--url", sandbox.url, *FAST],
                             env=ENV)
    assert res.exit_code == 0 and 'key_column = "Key"' in res.stdout, res.output
    plain = _grouped(tmp_path / "p.xlsx", merged=False)
    mapping.write_text(MAPPING % "header_row = 2")
    res = CliRunner().invoke(app, ["import", str(plain), *common, "--job-dir",
                                   str(tmp_path / "jobs")], env=ENV)
    assert res.exit_code == 0, res.output
    assert sorted(d["title"] for d in sandbox_deals(sandbox)) == ["Grouped one", "Grouped two"]


def test_own_failed_files_are_read_from_row_1_under_a_header_row_mapping(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Issue 10 F4: with header_row = 2 in the mapping, re-importing the run's failed.csv /
    failed.xlsx (their header is row 1) was refused "the header (line 2) has an empty
    column name": pdbulk's own failed-rows files are read from row 1."""
    import csv

    plain = _grouped(tmp_path / "p.xlsx", merged=False)
    book = openpyxl.load_workbook(plain)
    book.active.append(["G3", "Grouped three", "lots", "Cy", "cy@g.example"])  # type: ignore[union-attr]
    book.save(plain)
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING % "header_row = 2")
    common = ["--mapping", str(mapping), "--create-key-field", "--url", sandbox.url, *FAST,
              "--job-dir", str(tmp_path / "jobs")]
    res = CliRunner().invoke(app, ["import", str(plain), *common], env=ENV)
    assert res.exit_code != 0 and "1 failed" in res.output, res.output
    (job,) = (tmp_path / "jobs").iterdir()
    res = CliRunner().invoke(app, ["import", str(job / "failed.xlsx"), *common], env=ENV)
    assert "empty column name" not in res.output and "1 failed" in res.output, res.output
    with open(job / "failed.csv", newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("Amount")] = "300"
    fixed = tmp_path / "fixed.csv"
    with open(fixed, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    res = CliRunner().invoke(app, ["import", str(fixed), *common], env=ENV)
    assert res.exit_code == 0, res.output
    assert sorted(d["title"] for d in sandbox_deals(sandbox)) == [
        "Grouped one", "Grouped three", "Grouped two"]


def test_csv_header_row_names_the_line_the_delimiter_is_sniffed_from(tmp_path: Path) -> None:
    """Two one-cell title lines with no ';' above 'Key;Deal;Amount': under --header-row 3
    the ';' is found from the header on (it was sniffed from the title lines, read as ','
    and refused: fresh tester v10r5 finding 7)."""
    path = tmp_path / "r.csv"
    path.write_text('"Opportunity Report"\n"Filtered By x"\nKey;Deal;Amount\nK1;One;5\n')
    assert header(path, header_row=3) == ["Key", "Deal", "Amount"]
    (row,) = list(read_manifest(path, header_row=3))
    assert row.values == {"Key": "K1", "Deal": "One", "Amount": "5"} and row.row == 4


def test_a_file_wide_trailing_delimiter_is_named_in_the_note(tmp_path: Path) -> None:
    """v10r8 medium 7: every row ending in an empty cell past the header (an unquoted
    decimal comma in every row gives the same bytes) was dropped without a word; the
    plan's note says so. A file without it has no note."""
    shifted = tmp_path / "shifted.csv"
    # (not a split number: with "1234,50" in every row, the rows fail since v10r11)
    shifted.write_text("Key,Title,Amount,Prob,Notes\nW1,Alpha,1234,high,10,\nW2,Beta,99,low,20,\n")
    # since v10r16 S2 such rows fail (the header line does not end so): no note, no drop
    assert header_note(shifted) is None
    assert not any(r.ok for r in read_manifest(shifted))
    ended = tmp_path / "ended.csv"
    ended.write_text("Key,Title,Amount,Prob,Notes,\nW1,Alpha,1234,high,10,\n")
    note = header_note(ended)
    assert note is not None and "the header line and every row end in 1 empty cell(s)" in note
    plain = tmp_path / "plain.csv"
    plain.write_text("Key,Title\nW1,Alpha\n")
    assert header_note(plain) is None



def test_a_csv_reports_one_cell_title_lines_are_skipped_as_in_xlsx(tmp_path: Path) -> None:
    """x12r2 F4: a Salesforce report CSV's title and filter lines (one cell each, a blank line
    after) were read as a one-column header, where the XLSX reader skips them. The header is
    the first line of two or more cells; rows keep their line numbers. A one-column file
    (move-stage ids) still has its first line as header, and none of its rows is lost, past
    the lines looked through too."""
    report = tmp_path / "r.csv"
    report.write_text('"Opportunity Report"\n"Filtered By:"\n"  Stage equals Won"\n\n'
                      '"Opportunity Name","Amount"\n"Big deal","100"\n"Small","5"\n')
    assert header(report) == ["Opportunity Name", "Amount"]
    assert [(r.line, r.values["Opportunity Name"]) for r in read_manifest(report)] == [
        (6, "Big deal"), (7, "Small")]
    for n in (3, 40):
        ids = tmp_path / f"ids{n}.csv"
        ids.write_text("deal_id\n" + "".join(f"{i}\n" for i in range(n)))
        assert header(ids) == ["deal_id"]
        rows = list(read_manifest(ids))
        assert [(r.line, r.values["deal_id"]) for r in rows] == [
            (i + 2, str(i)) for i in range(n)]


@pytest.mark.parametrize("sep", [";", "\t"])
def test_title_lines_above_a_semicolon_or_tab_file_are_skipped_too(tmp_path: Path,
                                                                    sep: str) -> None:
    """x14r2 F3: one-cell title lines above a ';' or tab file made it a file of one column
    ("no such column ... (its columns: Report)"), or, with commas in its cells, split it
    at the commas: the delimiter was sniffed from the title line. It is sniffed from the
    first line that splits, as the header is found."""
    rows = [["id", "title", "amount"], ["k1", "A, Inc", "1,50"], ["k2", "B", "2,50"]]
    # x14r4 F2: a comma in a title or filter line made "," the delimiter
    for titles in ("Opportunity Report\nFiltered By: Stage\n\n",
                   "Opportunity Report\nFiltered By: Owner, Region\n\n",
                   "Opportunity Report, Q3\n\nFiltered By: Stage\n"):
        path = tmp_path / "r.csv"
        path.write_text(titles + "".join(sep.join(r) + "\n" for r in rows))
        assert header(path) == ["id", "title", "amount"], titles
        assert [(r.line, r.values) for r in read_manifest(path)] == [
            (5, {"id": "k1", "title": "A, Inc", "amount": "1,50"}),
            (6, {"id": "k2", "title": "B", "amount": "2,50"})], titles


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_title_lines_padded_to_the_tables_width_are_skipped_and_said(tmp_path: Path,
                                                                      sep: str) -> None:
    """x14r5: a sheet saved as CSV pads its title lines to the table's width ("Deals
    report,,,"), with a blank line (",,,") under them; the file was refused ("the header
    (line 1) has no name for column 2"), where the XLSX of the same sheet reads. Now they
    are skipped as one-cell title lines are, even with as few rows as title lines, and
    the plan's note names the header's line and the lines skipped."""
    pad = sep * 3
    rows = [["Title", "Value", "Stage", "Key"], ["A, Inc", "1,50", "Won", "K1"],
            ["B", "2", "Lost", "K2"]]
    path = tmp_path / "r.csv"
    path.write_text(f"Deals report{pad}\nExported 2026-11-30{pad}\n{pad}\n"
                    + "".join(sep.join(f'"{c}"' if sep in c else c for c in r) + "\n"
                              for r in rows))
    assert header(path) == rows[0]
    assert [(r.line, r.values["Title"], r.values["Value"]) for r in read_manifest(path)] == [
        (5, "A, Inc", "1,50"), (6, "B", "2")]
    note = header_note(path)
    assert note is not None and note.startswith("the header is row 4") \
        and "'Deals report', 'Exported 2026-11-30'" in note
    # x15r3 F3: with no blank line under them, above a header of three names or more
    tight = tmp_path / "t.csv"
    tight.write_text(f"Deals report{pad}\nFiltered by: Stage = Won{pad}\n"
                     + "".join(sep.join(f'"{c}"' if sep in c else c for c in r) + "\n"
                               for r in rows))
    assert header(tight) == rows[0]
    assert [(r.line, r.values["Key"]) for r in read_manifest(tight)] == [(4, "K1"), (5, "K2")]


def test_a_padded_first_line_with_no_blank_line_under_it_is_still_the_header(
        tmp_path: Path) -> None:
    """A first line of one name and empty cells right above rows of two cells is a header
    with unnamed columns, not a title: the file is refused naming the column (as before
    x15), never read with its first row taken for the header."""
    path = tmp_path / "ids.csv"
    path.write_text("Id,\n1,foo\n2,bar\n3,baz\n")
    with pytest.raises(InputError, match=r"no name for column 2 \(B\)"):
        header(path)
    padded = tmp_path / "one.csv"  # a one-column file padded by its spreadsheet reads
    padded.write_text("Id,,\n1,,\n2,,\n")
    assert header(padded) == ["Id"] and [r.values for r in read_manifest(padded)] == [
        {"Id": "1"}, {"Id": "2"}]


def test_a_one_column_file_with_an_unquoted_comma_keeps_its_header(tmp_path: Path) -> None:
    """x14r1 F4: ids "1", "2", then "1,234" unquoted: the last line was taken for a header
    below title lines ("no deal_id or id column"). A header below title lines needs rows of
    its width after it; else the file is one column, and that line fails naming the split
    number."""
    ids = tmp_path / "ids.csv"
    ids.write_text("deal_id\n1\n2\n1,234\n")
    assert header(ids) == ["deal_id"]
    rows = list(read_manifest(ids))
    assert [(r.line, r.values["deal_id"], r.ok) for r in rows] == [
        (2, "1", True), (3, "2", True), (4, "1", False)]
    assert "look like one number split" in (rows[-1].error.reason if rows[-1].error else "")
    # x14r4 F5: a one-column file's cell holding a ";" or a tab stays one cell, as before
    for cell in ("x;y", "x\ty"):
        one = tmp_path / "one.csv"
        one.write_text(f"Col0\nZo\u00eb\n{cell}\n")
        assert header(one) == ["Col0"]
        assert [(r.values["Col0"], r.ok) for r in read_manifest(one)] == [
            ("Zo\u00eb", True), (cell, True)]


def test_a_one_column_header_missing_the_mapped_columns_hints_at_header_row() -> None:
    """v10r12 M4: a report CSV whose first line is its title read as a one-column header;
    "no such column (its columns: Opportunity Pipeline Report)" did not point to
    --header-row, which reads it."""
    from jobs.import_checks import check_columns
    from jobs.mapping import Mapping

    mapping = Mapping.loads('version = 1\n[import]\nkey_column = "Opportunity ID"\n[deal]\n'
                            'title = "Opportunity Name"\n')
    with pytest.raises(InputError, match=r"--header-row N\)$"):
        check_columns(mapping, ["Opportunity Pipeline Report"])
    with pytest.raises(InputError) as info:  # a real header lacking a column: no hint
        check_columns(mapping, ["Opportunity ID", "Name"])
    assert "header_row" not in info.value.reason
    # x9r3: a title line of two cells (Zoho: "Exported on: ...", "User: ..."), and a wide
    # line with none of the mapping's columns, hint at it too
    with pytest.raises(InputError, match=r"--header-row N\)$"):
        check_columns(mapping, ["Exported on: 02-Dec-2025 10:15 AM", "User: Maria Jensen"])
    with pytest.raises(InputError, match=r"--header-row N\)$"):
        check_columns(mapping, ["Report", "", "", "Filters: Stage = Open", ""])


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("command", ["plan import", "update"])
def test_a_sheet_without_the_columns_names_the_sheet_that_has_them(
        tmp_path: Path, command: str, hidden: bool) -> None:
    """A workbook whose first sheet is notes and whose deals are on another: the refusal
    names the sheet that has every column the mapping reads (v10r24: the wrong sheet got
    the header_row advice only), before any call — a hidden one too, said hidden (x42r5
    F9: it was not named)."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Read me"
    for line in (["Exported by Ann"], ["what", "why"]):
        notes.append(line)
    deals = book.create_sheet("Q3 deals")
    for line in (["Key", "Deal", "Amount", "Name"], ["k1", "One", 5, "Ann"]):
        deals.append(line)
    if hidden:
        deals.sheet_state = "hidden"
    book.save(tmp_path / "two.xlsx")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING % "" if command == "plan import" else
                       'version = 1\n[update]\nkey_column = "Key"\n'
                       'key_field = "Import source key"\n[deal]\ntitle = "Deal"\n',
                       encoding="utf-8")
    res = CliRunner().invoke(app, [*command.split(), str(tmp_path / "two.xlsx"), "-m",
                                   str(mapping), "--url", "http://127.0.0.1:9",
                                   "--job-dir", str(tmp_path / "jobs")], env=ENV)
    assert res.exit_code == 1, res.output
    said = " (hidden in the workbook)" if hidden else ""
    assert (f"sheet 'Q3 deals'{said} has every column the mapping reads: say --sheet "
            "'Q3 deals'") in " ".join(res.output.split()), res.output
    assert "header_row" not in res.output


def test_an_xlsx_reports_title_rows_are_said_as_a_csvs_are(sandbox: Sandbox,
                                                           tmp_path: Path) -> None:
    """x18r2 7: the XLSX plan skipped a report's title rows silently, where the CSV plan
    prints a note naming the header line: the XLSX note names the header's Excel row, the
    rows skipped and what they hold, and the way out (header_row)."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Opportunity Report"])
    ws.append(["Filtered By: Stage = Won"])
    ws.append([])
    ws.append(["Key", "Deal", "Amount", "Name"])
    ws.append(["T1", "Titled one", 100, "Ann"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    note = header_note(path)
    assert note is not None and note.startswith(
        "the header is Excel row 4: the row(s) above it (1, 2) were taken for a report's "
        "title and skipped ('Opportunity Report', 'Filtered By: Stage = Won')"), note
    assert "header_row = N" in note
    assert header_note(path, header_row=4) is None  # named: nothing to say
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING % "")
    res = CliRunner().invoke(app, ["plan", "import", str(path), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())  # the note is wrapped to the terminal's width
    assert "note: the header is Excel row 4: the row(s) above it (1, 2) were taken" in said
