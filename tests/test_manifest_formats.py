"""XLSX and JSON manifests: typed cells, Excel row numbers, sheets, nested paths, streaming arrays."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import orjson
import pytest

from bulk.errors import InputError
from bulk.manifest import count_rows, header, read_manifest
from bulk.manifest_json import JsonNumber, flatten
from bulk.manifest_xlsx import PercentNumber
from jobs.transforms import parse_date, parse_money


def _book(path: Path, rows: list[list[object]], *, sheet: str | None = None,
          date_format: str | None = None) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    if sheet is not None:
        ws.title = "Cover"
        ws.append(["not the data"])
        ws = book.create_sheet(sheet)
    for row in rows:
        ws.append(row)
    if date_format:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = date_format
    book.save(path)
    return path


def test_xlsx_cells_keep_excel_types(tmp_path: Path) -> None:
    """Numbers stay int/float, a date-formatted cell is a date, a date-time one a datetime."""
    path = _book(tmp_path / "m.xlsx", [
        ["Key", "Amount", "Close", "When", "Note"],
        ["a", 1500.5, dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 9, 30), "x"],
        ["b", 7, None, None, None],
    ])
    rows = list(read_manifest(path))
    assert header(path) == ["Key", "Amount", "Close", "When", "Note"]
    assert rows[0].values == {"Key": "a", "Amount": 1500.5, "Close": dt.date(2026, 3, 1),
                              "When": dt.datetime(2026, 3, 1, 9, 30), "Note": "x"}
    assert type(rows[0].values["Close"]) is dt.date
    assert rows[1].values == {"Key": "b", "Amount": 7, "Close": "", "When": "", "Note": ""}
    assert [(r.row, r.line) for r in rows] == [(2, 2), (3, 3)]  # Excel's row numbers
    assert count_rows(path) == 2
    assert parse_date(rows[0].values["Close"], ["%m/%d/%Y"]) == "2026-03-01"
    assert parse_date(rows[0].values["When"]) == "2026-03-01"


def test_xlsx_row_numbers_sheets_and_extra_cells(tmp_path: Path) -> None:
    """Blank rows keep Excel's numbering; --sheet picks the sheet; a stray cell fails its row."""
    path = _book(tmp_path / "m.xlsx", [
        [], ["Key", "Title"], ["a", "A"], [], [], ["b", "B", "stray"], ["c", "C"],
    ], sheet="Deals")
    assert header(path) == ["not the data"]  # the first sheet by default
    rows = list(read_manifest(path, sheet="Deals"))
    assert [(r.row, r.line, r.ok) for r in rows] == [(3, 3, True), (6, 6, False), (7, 7, True)]
    assert rows[1].error is not None and str(rows[1].error).startswith("row 6: a value right")
    assert rows[1].values == {"Key": "b", "Title": "B", "(extra 1)": "stray"}
    with pytest.raises(InputError, match=r"no sheet 'Dealz'.*sheets: Cover, Deals"):
        header(path, sheet="Dealz")
    # Excel's sheet names are case-insensitive (it refuses "deals" beside "Deals"), so
    # --sheet deals names the sheet Deals (fresh tester v10b)
    assert header(path, sheet="deals") == ["Key", "Title"]


def test_xlsx_with_a_wrong_stored_dimension_loses_nothing(tmp_path: Path) -> None:
    """A sheet whose stored dimension says A1:A1 still gives every row and column."""
    path = _book(tmp_path / "m.xlsx", [["Key", "Title"], ["a", "A"], [], ["b", "B"]])
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                assert b'<dimension ref="A1:B4" />' in data
                data = data.replace(b'<dimension ref="A1:B4" />', b'<dimension ref="A1"/>')
            dst.writestr(item, data)
    rows = list(read_manifest(patched))
    assert [(r.line, r.values) for r in rows] == [(2, {"Key": "a", "Title": "A"}),
                                                  (4, {"Key": "b", "Title": "B"})]


def test_xlsx_that_is_not_a_workbook(tmp_path: Path) -> None:
    """A file named .xlsx that is not a workbook is one clear InputError."""
    path = tmp_path / "m.xlsx"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match=r"not an XLSX workbook"):
        header(path)


def test_flatten_paths() -> None:
    """Nested keys join with dots; a dotted key goes in brackets; arrays stay whole."""
    record = {"id": 7, "properties": {"dealname": "A", "hs.custom": 1, "empty": {}},
              "associations": {"companies": ["Initech", "Globex"],
                               "contacts": [{"email": "a@x"}, {"email": "b@x"}]}}
    assert flatten(record) == {
        "id": 7, "properties.dealname": "A", 'properties["hs.custom"]': 1,
        "properties.empty": {}, "associations.companies": ["Initech", "Globex"],
        "associations.contacts": [{"email": "a@x"}, {"email": "b@x"}],
        "associations.contacts.email": "a@x"}


def test_jsonl_header_lists_paths(tmp_path: Path) -> None:
    """init-mapping sees dotted paths (arrays of objects through their fields)."""
    path = tmp_path / "m.jsonl"
    path.write_bytes(b'{"id": 1, "properties": {"dealname": "A"}}\n'
                     b'{"id": 2, "associations": {"contacts": [{"email": "e"}]}}\n')
    assert header(path) == ["id", "properties.dealname", "associations.contacts.email"]


def test_json_array_is_streamed(tmp_path: Path) -> None:
    """A .json array of records reads record by record; non-objects and bad JSON are error rows."""
    path = tmp_path / "m.json"
    path.write_bytes(b'\xef\xbb\xbf[{"id": 1, "p": {"a": 1.5}}, 3, {"id": 2}, {"id": ')
    rows = list(read_manifest(path))
    assert [(r.row, r.ok) for r in rows] == [(1, True), (2, False), (3, True), (4, False)]
    assert rows[0].values == {"id": 1, "p.a": 1.5}
    assert rows[3].error is not None and "not valid JSON" in rows[3].error.reason
    assert header(path) == ["id", "p.a"]
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.write(b"[")
        f.write(b",".join(orjson.dumps({"id": i, "properties": {"dealname": f"D{i}"}})
                          for i in range(20_000)))
        f.write(b"]")
    assert count_rows(big) == 20_000


def test_json_not_an_array(tmp_path: Path) -> None:
    """A .json whose top level is not an array is refused with the fix."""
    path = tmp_path / "m.json"
    path.write_text('{"id": 1}\n{"id": 2}\n')
    with pytest.raises(InputError, match=r"must be an array of records.*name it \.jsonl"):
        list(read_manifest(path))


def test_json_array_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Reading a 6,000-record .json array of ~1 KB records keeps the traced peak far below
    the file's size (fewer, larger records than a real export: tracemalloc makes every
    allocation slow, and the reader streams them alike)."""
    import tracemalloc

    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.write(b"[")
        f.write(b",".join(orjson.dumps({"id": i, "properties": {"dealname": f"Deal {i} " * 100,
                                                                "amount": str(i)}})
                          for i in range(6_000)))
        f.write(b"]")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        n = sum(1 for _ in read_manifest(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 6_000
    assert size > 5 * 2**20 and peak < 2**20, (size, peak)


@pytest.mark.parametrize(("stored", "number_format", "shown"), [
    (0.25, "0%", 25), (0.075, "0.0%", 7.5), (0.07, "0.00%", 7), (1, "0%", 100),
    (-0.5, "[Red]0%", -50), (0.25, "General", 0.25), (0.25, '0.00"%"', 0.25),
    (0.25, "0\\%", 0.25),
])
def test_xlsx_percent_cell_is_the_number_excel_shows(tmp_path: Path, stored: float,
                                                     number_format: str, shown: float) -> None:
    """A cell formatted as a percentage reads as the percentage shown, a ``PercentNumber``
    (0.25 as ``25%``, its number 25), as the CSV save writes it; a literal or escaped % in
    the format is text, not a percentage: the number."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["key", "Probability"])
    ws.append(["k1", stored])
    ws["B2"].number_format = number_format
    book.save(tmp_path / "p.xlsx")
    [row] = read_manifest(tmp_path / "p.xlsx")
    cell = row.values["Probability"]
    if "%" in number_format.replace('"%"', "").replace("\\%", ""):
        assert isinstance(cell, PercentNumber) and cell == f"{shown}%"
        cell = cell.number
    assert cell == shown
    assert type(cell) is type(shown)


BIG = 2 ** 64 + 1


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_json_numbers_stay_exact(tmp_path: Path, suffix: str) -> None:
    """Integers beyond 2^53 and 2^64, and fractions no double holds, keep their exact text;
    numbers a double holds stay numbers."""
    record = (b'{"id": "a", "big": 18446744073709551617, "i53": 9007199254740993, '
              b'"min": -9223372036854775809, "frac": 0.12345678901234567891, "f": 1500.5, '
              b'"n": 7, "nested": {"amount": 18446744073709551617}, "list": [1.5, 1e400]}')
    path = tmp_path / f"d{suffix}"
    path.write_bytes(record + b"\n" if suffix == ".jsonl" else b"[" + record + b"]")
    [row] = read_manifest(path)
    assert row.ok, row.error
    v = row.values
    assert v["big"] == str(BIG) and isinstance(v["big"], JsonNumber)
    assert v["nested.amount"] == str(BIG)
    assert v["i53"] == 2 ** 53 + 1 and isinstance(v["i53"], int)
    assert v["min"] == "-9223372036854775809"
    assert v["frac"] == "0.12345678901234567891"
    assert v["f"] == 1500.5 and isinstance(v["f"], float)
    assert v["n"] == 7 and isinstance(v["n"], int)
    assert v["list"][0] == 1.5 and float(v["list"][1]) == float("inf")


def test_jsonl_exact_numbers_do_not_let_invalid_json_in(tmp_path: Path) -> None:
    """The exact-number re-parse accepts nothing orjson refuses but big numbers and the
    NaN / Infinity Python's json.dumps writes (kept as their text, so a numeric column
    fails the row with its cells): a lone surrogate or a syntax error still fails its row,
    with the line kept."""
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"id": "a", "x": 1e400, "s": "\\ud800"}\n{"id": "b", "x": NaN}\n'
                     b'{"id": "c", "x": 1e400}\n{"id": "d", "x": -Infinity, "y": [1,]}\n'
                     b'{"id": "e", "x": -Infinity}\n')
    rows = list(read_manifest(path))
    assert [r.ok for r in rows] == [False, True, True, False, True]
    assert "\\ud800" in rows[0].values["(line)"]
    assert rows[1].values["x"] == "NaN" and rows[4].values["x"] == "-Infinity"
    assert rows[2].values["x"] == "1e400"
    for row in (rows[1], rows[4]):
        with pytest.raises(InputError, match="not a finite number"):
            parse_money(row.values["x"])


def test_xlsx_error_cells_fail_their_row(tmp_path: Path) -> None:
    """A cell holding an Excel error (#N/A) fails its row naming the cell, never reaching the
    API as text; failed.csv keeps it as written."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["key", "title", "amount"])
    ws.append(["k1", "#N/A", 5])
    ws.append(["k2", "Fine", "#DIV/0!"])
    ws.append(["k3", "#N/A text", 1])
    ws["B2"].data_type = "e"
    ws["C3"].data_type = "e"
    book.save(tmp_path / "e.xlsx")
    rows = list(read_manifest(tmp_path / "e.xlsx"))
    assert [r.ok for r in rows] == [False, False, True]
    assert rows[0].error is not None and "'#N/A'" in str(rows[0].error)
    assert rows[0].error.column == "title" and rows[0].values["title"] == "#N/A"
    assert rows[1].error is not None and "'amount'" in str(rows[1].error)
    assert rows[2].values["title"] == "#N/A text"


RECORDS = [{"id": "1", "properties": {"dealname": "Grüße aus Köln"}},
           {"id": "2", "properties": {"dealname": "Café"}}]


def _json_text(suffix: str) -> str:
    if suffix == ".jsonl":
        return "".join(orjson.dumps(r).decode() + "\r\n" for r in RECORDS)
    return orjson.dumps(RECORDS).decode()


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
@pytest.mark.parametrize("codec", ["utf-16", "utf-8-sig", "utf-8"])
def test_json_files_are_read_in_the_encodings_csv_is(tmp_path: Path, suffix: str,
                                                     codec: str) -> None:
    """UTF-8 (with or without BOM) and UTF-16 JSON/JSONL (what Windows PowerShell writes)
    are read as CSV is: same records, same line numbers, same header and count."""
    path = tmp_path / f"d{suffix}"
    path.write_bytes(_json_text(suffix).encode(codec))
    rows = list(read_manifest(path))
    assert [r.values["properties.dealname"] for r in rows] == ["Grüße aus Köln", "Café"]
    assert [r.line for r in rows] == [1, 2] and all(r.ok for r in rows)
    assert header(path) == ["id", "properties.dealname"] and count_rows(path) == 2


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_cp1252_json_is_refused_with_the_fix_then_read(tmp_path: Path, suffix: str) -> None:
    """A cp1252 JSON file is refused as a whole, naming --encoding cp1252 (not row by row,
    not as 'no column'); with that encoding it reads."""
    path = tmp_path / f"d{suffix}"
    path.write_bytes(_json_text(suffix).encode("cp1252"))
    for read in (header, lambda p: list(read_manifest(p))):
        with pytest.raises(InputError, match="--encoding cp1252"):
            read(path)
    rows = list(read_manifest(path, encoding="cp1252"))
    assert [r.values["properties.dealname"] for r in rows] == ["Grüße aus Köln", "Café"]
    assert header(path, encoding="cp1252") == ["id", "properties.dealname"]


def test_jsonl_byte_undefined_in_the_chosen_encoding_fails_its_row(tmp_path: Path) -> None:
    """A byte cp1252 does not define (0x81) fails its own line; the others are read."""
    path = tmp_path / "d.jsonl"
    path.write_bytes('{"id": "1", "t": "Grüße"}\n'.encode("cp1252") + b'{"id": "2", "t": "x\x81"}\n'
                     + b'{"id": "3", "t": "ok"}\n')
    rows = list(read_manifest(path, encoding="cp1252"))
    assert [r.ok for r in rows] == [True, False, True]
    assert rows[0].values["t"] == "Grüße" and "\\x81" in rows[1].values["(line)"]


def test_xlsx_default_sheet_is_the_first_visible_one(tmp_path: Path) -> None:
    """A hidden first sheet (a lookup table) is not the data; --sheet can still name it."""
    book = openpyxl.Workbook()
    lookup = book.active
    assert lookup is not None
    lookup.title = "Lookup"
    lookup.append(["code", "name"])
    lookup.sheet_state = "hidden"
    deals = book.create_sheet("Deals")
    deals.append(["Key", "Deal"])
    deals.append(["H-1", "Visible"])
    book.save(tmp_path / "h.xlsx")
    assert header(tmp_path / "h.xlsx") == ["Key", "Deal"]
    assert [r.values["Deal"] for r in read_manifest(tmp_path / "h.xlsx")] == ["Visible"]
    assert header(tmp_path / "h.xlsx", sheet="Lookup") == ["code", "name"]


def test_xlsx_report_title_lines_above_the_header_are_skipped(tmp_path: Path) -> None:
    """A report export's one-cell title and filter lines above the header are not the header;
    row numbers stay Excel's; a one-column sheet keeps its first row as the header."""
    path = _book(tmp_path / "r.xlsx", [
        ["Opportunity Report"], [], ["Filtered By: Stage = open"],
        ["Opportunity ID", "Opportunity Name", "Amount"],
        ["o1", "Alpha", 10], ["o2", "Beta", None]])
    assert header(path) == ["Opportunity ID", "Opportunity Name", "Amount"]
    rows = list(read_manifest(path))
    assert [(r.row, r.line, r.values["Opportunity Name"]) for r in rows] == [
        (5, 5, "Alpha"), (6, 6, "Beta")]
    assert count_rows(path) == 2
    single = _book(tmp_path / "s.xlsx", [["key"], ["a"], ["b"]])
    assert header(single) == ["key"]
    assert [r.values["key"] for r in read_manifest(single)] == ["a", "b"]
    long = _book(tmp_path / "l.xlsx", [["key"], *[[f"k{i}"] for i in range(30)]])
    assert header(long) == ["key"] and count_rows(long) == 30


def _patched_book(path: Path, rows: list[list[object]], patches: dict[str, str]) -> None:
    """A workbook written by openpyxl whose sheet XML is then edited (openpyxl itself never
    stores a formula's result; Excel and LibreOffice do)."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for old, new in patches.items():
                    assert old in text, (old, text)
                    text = text.replace(old, new)
                data = text.encode()
            dst.writestr(item, data)


def test_xlsx_formula_without_a_stored_value_fails_its_row(tmp_path: Path) -> None:
    """A formula with no stored result was read as blank and imported blank (issue 10
    finding): it fails its row naming the column and the fix. A stored result is read; a
    stored empty-text result is blank, as Excel shows it."""
    _patched_book(tmp_path / "f.xlsx", [
        ["key", "title", "amount", "total"],
        ["k1", "A", 1, "=C2*2"],
        ["k2", "B", 2, "=C3*2"],
        ["k3", "C", 3, '=IF(C4>5,"big","")'],
    ], {'<c r="D3"><f>C3*2</f><v /></c>': '<c r="D3"><f>C3*2</f><v>4</v></c>',
        '<c r="D4"><f>IF(C4&gt;5,"big","")</f><v /></c>':
            '<c r="D4" t="str"><f>IF(C4&gt;5,"big","")</f><v></v></c>'})
    rows = list(read_manifest(tmp_path / "f.xlsx"))
    assert [r.ok for r in rows] == [False, True, True]
    error = rows[0].error
    assert error is not None and error.column == "total" and error.row == 2
    assert "row 2" in str(error) and "formula without a stored value" in str(error)
    assert "open and save the file in Excel/LibreOffice" in str(error)
    # quoted: the plan's count by reason takes it as a value, one line for all such rows
    # (x13r5 F5: one line per formula)
    assert "('=C2*2')" in str(error), error
    assert rows[0].values["total"] == ""
    assert rows[1].values["total"] == 4 and rows[2].values["total"] == ""


def test_xlsx_shared_formula_without_stored_values_fails_every_row(tmp_path: Path) -> None:
    _patched_book(tmp_path / "s.xlsx", [
        ["key", "amount", "total"], ["k1", 1, "=B2*2"], ["k2", 2, "=B3*2"]],
        {'<c r="C2"><f>B2*2</f><v /></c>': '<c r="C2"><f t="shared" ref="C2:C3" si="0">'
                                           'B2*2</f></c>',
         '<c r="C3"><f>B3*2</f><v /></c>': '<c r="C3"><f t="shared" si="0"/></c>'})
    rows = list(read_manifest(tmp_path / "s.xlsx"))
    assert [r.ok for r in rows] == [False, False]
    assert all(r.error is not None and r.error.column == "total" for r in rows)


def test_xlsx_cells_read_as_shown(tmp_path: Path) -> None:
    """Rich text is its plain text, a number with a date format (also a locale-tagged
    one) is the date, booleans are booleans, and every Excel error fails its row."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["key", "name", "closes", "won"])
    ws.append(["k1", None, 45292, True])
    ws["B2"] = CellRichText([TextBlock(InlineFont(b=True), "Acme"), " Inc"])
    ws["C2"].number_format = "[$-409]mmmm d, yyyy;@"
    for n, error in enumerate(["#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"], 3):
        ws.append([f"k{n}", error, 45292, False])
        ws[f"B{n}"].data_type = "e"
    book.save(tmp_path / "r.xlsx")
    rows = list(read_manifest(tmp_path / "r.xlsx"))
    assert rows[0].ok and rows[0].values["name"] == "Acme Inc"
    assert rows[0].values["closes"] == dt.date(2024, 1, 1) and rows[0].values["won"] is True
    assert not any(r.ok for r in rows[1:])


def test_xlsx_formula_without_a_value_fails_only_a_column_that_is_read(tmp_path: Path) -> None:
    """A formula with no stored value in a column the mapping does not use failed the row
    all the same. Only the columns the caller reads are checked (an unread cell is kept,
    blank); --sheet on a file that is not XLSX is an error, not ignored."""
    _patched_book(tmp_path / "f.xlsx", [
        ["key", "title", "amount", "total"],
        ["k1", "A", 1, "=C2*2"],
    ], {})
    rows = list(read_manifest(tmp_path / "f.xlsx", columns={"key", "title", "amount"}))
    assert [r.ok for r in rows] == [True] and rows[0].values["total"] == ""
    rows = list(read_manifest(tmp_path / "f.xlsx", columns={"key", "total"}))
    assert [r.ok for r in rows] == [False]
    csv_file = tmp_path / "m.csv"
    csv_file.write_text("key,title\nk1,A\n")
    with pytest.raises(InputError, match="--sheet names a worksheet of an XLSX file"):
        header(csv_file, sheet="Deals")
    with pytest.raises(InputError, match="--sheet"):
        list(read_manifest(csv_file, sheet="Deals"))


def test_failed_jsonl_keeps_json_numbers_as_written(tmp_path: Path) -> None:
    """failed.jsonl turned 12.500 into 12.5 and 1e3 into 1000.0: a number whose float
    would write back otherwise is kept as its text, and written back as it was."""
    from bulk.reports import ReportWriter

    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "k1", "a": 12.500, "b": 1e3, "c": 1e400, "d": 0.5, "e": 7}\n')
    (row,) = read_manifest(path)
    with ReportWriter(tmp_path, source_columns=list(row.values), hold_column=True,
                      typed="jsonl") as out:
        out.failed(row=1, key="k1", reason="x", values=row.values)
    text = (tmp_path / "failed.jsonl").read_text()
    assert '"a":12.500,"b":1e3,"c":1e400,"d":0.5,"e":7' in text


@pytest.mark.parametrize("text", ["", "  \n", "\ufeff"])
def test_an_empty_json_file_has_no_records(tmp_path: Path, text: str) -> None:
    """An empty .json said "must be an array of records"; it says it has no records."""
    path = tmp_path / "e.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="has no records"):
        header(path)


def test_failed_xlsx_reads_back_as_the_source_read(tmp_path: Path) -> None:
    """Issue 10 F1: failed.xlsx wrote an Excel error as the text "#N/A" (a re-import made a
    deal titled "#N/A"), a formula without a stored value as an empty cell, and an empty
    hold where failed.csv said typed-cells: the job store's JSON lost both kinds of cell.
    Through the store and failed.xlsx, each reads back as the source read it, and the
    typed file's hold is failed.csv's (void when re-read from the typed file itself)."""
    import csv

    import orjson

    from bulk.manifest_xlsx import ExcelError
    from bulk.reports import ReportWriter
    from jobs.import_rows import source_row, stored_row
    from jobs.results import held

    _patched_book(tmp_path / "s.xlsx", [
        ["key", "title", "amount", "total"],
        ["k1", "=VLOOKUP(A2,Z1:Z2,1,0)", 1.5, 3],
        ["k2", "B", 2, "=C3*2"],
    ], {'<c r="B2"><f>VLOOKUP(A2,Z1:Z2,1,0)</f><v /></c>':
        '<c r="B2" t="e"><f>VLOOKUP(A2,Z1:Z2,1,0)</f><v>#N/A</v></c>'})
    source = list(read_manifest(tmp_path / "s.xlsx"))
    assert [r.ok for r in source] == [False, False]
    out = tmp_path / "job"
    with ReportWriter(out, source_columns=["key", "title", "amount", "total"],
                      hold_column=True, typed="xlsx") as writer:
        for row in source:
            stored = orjson.loads(orjson.dumps(stored_row(row)))  # the job store's JSON
            back = source_row(row.row, stored)
            writer.failed(row=row.row, key=None, reason="x", values=back.values)
    again = list(read_manifest(out / "failed.xlsx"))
    assert isinstance(again[0].values["title"], ExcelError)
    assert again[0].values["title"] == "#N/A" and again[0].values["amount"] == 1.5
    total = again[1].values["total"]  # never a live formula (its A1 references would
    # point at failed.xlsx's own report columns: fresh tester v10r5 finding 4)
    assert isinstance(total, ExcelError) and total == "#REF!"
    assert [r.ok for r in again] == [False, False]
    with open(out / "failed.csv", newline="") as f:
        csv_rows = list(csv.DictReader(f))
    assert [r["hold"] for r in csv_rows] == ["typed-cells", "typed-cells"]
    assert [r.values["hold"] for r in again] == ["typed-cells", "typed-cells"]
    assert held(csv_rows[0], "hold", "k1") is not None  # the CSV cannot carry the cells
    assert held(again[0].values, "hold", "k1") is None  # the typed file does


def test_xlsx_text_formula_without_a_value_element_fails_its_row(tmp_path: Path) -> None:
    """Issue 10 F3: a text formula with no <v> (``<c t="str"><f>UPPER(A2)</f></c>``) was
    read as blank; only a stored empty text (``<v></v>``) is blank."""
    _patched_book(tmp_path / "t.xlsx", [
        ["key", "title"], ["k1", "=UPPER(A2)"], ["k2", "=UPPER(A3)"]],
        {'<c r="B2"><f>UPPER(A2)</f><v /></c>': '<c r="B2" t="str"><f>UPPER(A2)</f></c>',
         '<c r="B3"><f>UPPER(A3)</f><v /></c>': '<c r="B3" t="str"><f>UPPER(A3)</f><v></v></c>'})
    rows = list(read_manifest(tmp_path / "t.xlsx"))
    assert [r.ok for r in rows] == [False, True]
    assert rows[0].error is not None and rows[0].error.column == "title"
    assert "=UPPER(A2)" in str(rows[0].error) and rows[1].values["title"] == ""


def test_xlsx_cells_inside_a_merged_range_fail_their_rows(tmp_path: Path) -> None:
    """Company merged over C2:C4: Excel shows 'Acme Merged' on three rows, the file stores
    it in C2 only. Rows 3 and 4 fail naming the range (they were read as blank, the deals
    made without their organization: fresh tester v10r5 finding 2); row 2 reads as is. A
    merge in a column the caller does not read fails nothing."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["key", "title", "company", "note"])
    for n in range(2, 6):
        ws.append([f"k{n}", f"Deal {n}", "Acme Merged" if n == 2 else None, None])
    ws.merge_cells("C2:C4")
    ws.merge_cells("D3:D5")
    book.save(tmp_path / "m.xlsx")
    rows = list(read_manifest(tmp_path / "m.xlsx", columns={"key", "title", "company"}))
    assert [r.ok for r in rows] == [True, False, False, True]
    assert rows[0].values["company"] == "Acme Merged"
    assert rows[1].error is not None and "C2:C4" in str(rows[1].error)
    assert rows[1].error.column == "company"
    every = list(read_manifest(tmp_path / "m.xlsx"))
    assert [r.ok for r in every] == [True, False, False, False]


def test_a_json_object_with_a_second_array_of_records_is_refused(tmp_path: Path) -> None:
    """v10r21: ``{"results": [...], "archived": [...]}`` imported the results and dropped
    the archived records, with a note that did not name them. Two arrays of records at the
    top level: which to import is not clear, so the file is refused naming both; a
    wrapper beside non-record keys (paging, a list of ids) still reads."""
    two = tmp_path / "two.json"
    two.write_text('{"results": [{"id": "1"}], "archived": [{"id": "2"}], "paging": {}}')
    with pytest.raises(InputError, match="'results' and also under 'archived'"):
        list(read_manifest(two))
    one = tmp_path / "one.json"
    one.write_text('{"results": [{"id": "1", "tags": [{"x": 1}]}], "ids": [1, 2]}')
    assert [r.values["id"] for r in read_manifest(one)] == ["1"]


def test_an_xlsx_text_cell_drops_the_formula_guard_a_report_wrote(tmp_path: Path) -> None:
    """v10r21: failed.csv guards '=Opp and '+1 (555) with a "'"; opened in a spreadsheet
    and saved as XLSX the cells keep it as text, and the XLSX reader kept it: titles stored
    as "'=Opp 18", phones refused. Every reader drops it, as the CSV reader does."""
    book = openpyxl.Workbook()
    for row in (["key", "title", "phone"], ["k1", "'=Opp 18", "'+1 (555) 010"],
                ["k2", "'plain quote", "''=kept one"]):
        book.active.append(row)
    book.save(tmp_path / "f.xlsx")
    rows = [r.values for r in read_manifest(tmp_path / "f.xlsx")]
    assert rows[0]["title"] == "=Opp 18" and rows[0]["phone"] == "+1 (555) 010"
    assert rows[1]["title"] == "'plain quote" and rows[1]["phone"] == "'=kept one"


def test_a_json_sources_failed_csv_reads_its_arrays_back(tmp_path: Path) -> None:
    """v10r22 (3 of 3): a HubSpot JSON's failed.csv writes ``associations.companies`` as
    ``["Co8 Inc","Other"]``; fixed, its hold emptied and imported again, the organization
    was named ``["Co8 Inc","Other"]``. A CSV whose header names paths reads such a cell
    back as the array; a plain CSV keeps its text."""
    path = tmp_path / "failed.csv"
    path.write_text('id,associations.companies,note\n'
                    'k1,"[""Co8 Inc"",""Other""]","[not json"\n')
    (row,) = read_manifest(path)
    assert row.values["associations.companies"] == ["Co8 Inc", "Other"]
    assert row.values["note"] == "[not json"
    plain = tmp_path / "plain.csv"
    plain.write_text('id,companies\nk1,"[""Umbrella""]"\n')
    (row,) = read_manifest(plain)
    assert row.values["companies"] == '["Umbrella"]'


@pytest.mark.parametrize("wrap", [False, True])
def test_a_json_syntax_error_mid_file_fails_one_row_wrapped_or_not(tmp_path: Path,
                                                                   wrap: bool) -> None:
    """x9r3: a {"results": [...]} file broken at record 6 (a truncated download) refused the
    whole file while the same records as a plain array gave five rows and one failed row;
    and yajl's message ran over three lines with its "(right here) ------^" pointer."""
    records = b",".join(orjson.dumps({"id": i, "name": f"Deal {i}"}) for i in range(1, 6))
    body = b"[" + records + b', {"id": 6,, "name": "x"}]'
    path = tmp_path / "dump.json"
    path.write_bytes(b'{"results": ' + body + b', "paging": {}}' if wrap else body)
    rows = list(read_manifest(path))
    assert [r.values.get("id") for r in rows[:5]] == [1, 2, 3, 4, 5]
    assert all(r.ok for r in rows[:5]) and len(rows) == 6
    error = rows[5].error
    assert error is not None and error.row == 6
    assert "not valid JSON" in error.reason and "\n" not in error.reason
    assert "right here" not in error.reason


def test_a_json_object_broken_before_its_records_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_bytes(b'{"paging": {"next":, "results": []}')
    with pytest.raises(InputError, match="not valid JSON") as info:
        list(read_manifest(path))
    assert "\n" not in info.value.reason
