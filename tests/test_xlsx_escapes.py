"""An XLSX string cell's ``_xHHHH_`` escapes are read as Excel shows them (x41r3 F1).

Excel saves a carriage return typed in a cell as ``_x000D_`` (OOXML's ST_Xstring escape),
and a typed ``_x000D_`` as ``_x005F_x000D_``. Read literally, ``Acme Corp_x000D_`` made a
second organization beside ``Acme Corp``, a key ``K3_x000D_`` and the CSV save of the same
sheet (``K3``) made two deals of one record, and ``_x0001_`` passed where a control
character fails the row. Shared strings and inline strings are decoded alike, then the
usual cell cleaning applies."""

from __future__ import annotations

import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from bulk.manifest import read_manifest
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.transforms import source_key
from pdbulk.cli import app
from tests.import_support import read_csv, sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "xlsx-escapes-token"
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_BOOK = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
         'name="Deals" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
    '"worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>')


def excel_book(path: Path, rows: list[list[str]], *, inline: bool = False) -> Path:
    """A workbook as Excel writes one, each cell's text put in the XML as given (escapes
    and all): in the shared-string table, or (``inline``) as inline strings."""
    strings: list[str] = []
    sheet = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}"><sheetData>']
    for r, row in enumerate(rows, 1):
        sheet.append(f'<row r="{r}">')
        for c, text in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if inline:
                sheet.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}'
                             '</t></is></c>')
            else:
                strings.append(text)
                sheet.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        sheet.append("</row>")
    sheet.append("</sheetData></worksheet>")
    table = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_NS}">'
             + "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in strings) + "</sst>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
        z.writestr("xl/sharedStrings.xml", table)
    return path


# (as the XML holds it, as Excel shows it)
CELLS = [
    ("Acme Corp_x000D_", "Acme Corp\r"),
    ("Notes line 1_x000D_\nline 2", "Notes line 1\r\nline 2"),
    ("typed _x005F_x000D_ text", "typed _x000D_ text"),  # the escaped escape
    ("q_x0041__x000d_", "qA\r"),  # hex either case, one after another
    ("ctl _x0001_ char", "ctl \x01 char"),
    ("smile _xD83D__xDE00_", "smile \U0001F600"),  # an escaped surrogate pair
    ("plain x005F_ and _x12_ and _xZZZZ_", "plain x005F_ and _x12_ and _xZZZZ_"),
]


@pytest.mark.parametrize("inline", [False, True], ids=["shared", "inline"])
def test_escapes_read_as_excel_shows_them(tmp_path: Path, inline: bool) -> None:
    """Shared and inline strings alike, the header's names too; text that is no escape
    (``x005F_`` alone, three hex digits, no hex) stays as written."""
    path = excel_book(tmp_path / "e.xlsx", [["key", "Note_x000D_"],
                                            *[[f"K{n}", raw] for n, (raw, _) in
                                              enumerate(CELLS)]], inline=inline)
    rows = list(read_manifest(path))
    assert list(rows[0].values) == ["key", "Note"]  # a name is trimmed
    assert [r.values["Note"] for r in rows] == [shown for _, shown in CELLS]


def test_a_key_with_an_escaped_return_is_the_csv_saves_key(tmp_path: Path) -> None:
    """``K3_x000D_`` is the key ``K3`` the CSV save of the sheet writes: one record."""
    path = excel_book(tmp_path / "k.xlsx", [["key", "title"], ["K3_x000D_", "t"],
                                            [" K4_x000D__x000A_", "t"]])
    assert [source_key(r.values["key"]) for r in read_manifest(path, keys=("key",))] == \
        ["K3", "K4"]


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]))
       | st.lists(st.sampled_from(["_x", "000D", "_x005F", "_", "\r", "\x01", "A"]))
       .map("".join))
def test_escaped_text_reads_back_as_itself(text: str) -> None:
    """What failed.xlsx writes (``escaped``) is read back (``unescaped``) as the text."""
    from bulk.xlsx_cells import escaped, unescaped

    assert unescaped(escaped(text)) == text


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=41)) as sb:
        yield sb


def _post(sb: Sandbox, path: str, body: Any) -> Any:
    req = urllib.request.Request(sb.url + path, method="POST", data=orjson.dumps(body),
                                 headers={"authorization": f"Bearer {TOKEN}",
                                          "content-type": "application/json"})
    with _LOCAL.open(req, timeout=10) as resp:
        return orjson.loads(resp.read())["data"]


def _import(sb: Sandbox, manifest: Path, mapping: Path, jobs: Path) -> Path:
    res = CliRunner().invoke(app, [
        "import", str(manifest), "--mapping", str(mapping), "--create-key-field",
        "--url", sb.url, "--plan", "ultimate", "--oauth", "--job-dir", str(jobs)],
        env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code in (0, 3), res.output
    return next(jobs.iterdir())


def test_an_excel_sheet_and_its_csv_save_import_as_one(sandbox: Sandbox,
                                                       tmp_path: Path) -> None:
    """x41r3's workbooks: the organization cell ``Acme Corp_x000D_`` links the existing
    Acme Corp; the long text is stored with its line break; the key ``K3_x000D_`` and the
    CSV's ``K3`` are one deal; a cell holding ``_x0001_`` fails its row, naming U+0001."""
    acme = _post(sandbox, "/api/v2/organizations", {"name": "Acme Corp"})["id"]
    code = _post(sandbox, "/api/v2/dealFields",
                 {"field_name": "Description", "field_type": "text"})["field_code"]
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\nmode = "upsert"\n[deal]\n'
                       'title = "title"\n[organization]\nname = "org"\n'
                       '[custom_fields]\n"Description" = "desc"\n')
    book = excel_book(tmp_path / "s.xlsx", [
        ["key", "title", "org", "desc"],
        ["K1", "crlf org", "Acme Corp_x000D_", "Notes line 1_x000D_\nline 2"],
        ["K3_x000D_", "key cr", "", "one record"],
        ["K5", "control", "", "ctl _x0001_ char"]])
    job = _import(sandbox, book, mapping, tmp_path / "j1")
    failed = read_csv(job / "failed.csv")
    assert [(r["row"], "U+0001" in r["reason"]) for r in failed] == [("4", True)]
    # failed.xlsx writes the cell as Excel would (openpyxl refuses a control character)
    again = list(read_manifest(job / "failed.xlsx"))
    assert [r.values["desc"] for r in again] == ["ctl \x01 char"]
    same = tmp_path / "same.csv"
    same.write_text("key,title,org,desc\r\nK3,key cr,,one record\r\n", encoding="utf-8")
    _import(sandbox, same, mapping, tmp_path / "j2")
    deals = sandbox_deals(sandbox)
    assert sorted(d["title"] for d in deals) == ["crlf org", "key cr"]
    k1 = next(d for d in deals if d["title"] == "crlf org")
    assert k1["org_id"] == acme and len(sandbox.state.orgs) == 1
    assert k1["custom_fields"][code] == "Notes line 1\nline 2"
