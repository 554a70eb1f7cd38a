"""What a manifest file really is, by its first bytes, against the kind its name says.

One rule for every "this is not a CSV / JSON / XLSX file of the kind its name (or its
declared format) says" case (x44r4 F5: a ZIP named ``.csv`` was refused at its first read,
exit 1, and a gzip named ``.csv`` by its bytes, exit 2): ``wrong_content`` returns one
``NotAManifest`` (the CLI's usage error, exit 2, before the token or the account is read)
naming what the file is — a gzip or zip archive, an XLSX workbook, a Word document, an old
.xls workbook, a PDF, text, JSON — and what to do. It reads the first 4 KiB for the magic
numbers; for text, its first 64 Ki characters after any leading whitespace, decoded by its
BOM (``bulk.manifest_peek``: x45r5 F2/F3); for a zip, its central directory (the names of
its members). It never reads the rows.

A file it cannot read, an empty file, or a damaged workbook (a zip with ``xl/`` members) is
left to the reader, which says why.
"""

from __future__ import annotations

import csv
import json
import os
import re
import zipfile
from pathlib import Path

from .errors import InputError
from .json_depth import MAX_DEPTH
from .manifest_peek import lead_text
from .manifest_row import Format

PathLike = str | os.PathLike[str]

# the first bytes of files people save as .csv by mistake (none is text in any encoding)
SIGNATURES = ((b"\x1f\x8b", "a gzip archive"), (b"\x89PNG", "a PNG image"),
              (b"%PDF", "a PDF document"), (b"\xff\xd8\xff", "a JPEG image"),
              (b"GIF8", "a GIF image"), (b"BZh", "a bzip2 archive"),
              (b"\xfd7zXZ\x00", "an xz archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
              (b"SQLite format 3\x00", "an SQLite database"), (b"\x7fELF", "a program"))


class NotAManifest(InputError):
    """A file given as a manifest whose content is not the kind its name (or declared
    format) says: an archive, an image, a PDF, an XLSX workbook named ``.csv``, text named
    ``.xlsx``. Found before the token or the account is read; the CLI's usage error (exit
    2), whatever the command (x44r4 F5). An ``InputError``, as ``SheetChoiceError`` is."""


_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # an old .xls, or any Office file saved with a password
_NAMES: dict[Format, str] = {"csv": "CSV text", "json": "JSON", "jsonl": "JSON Lines",
                             "xlsx": "an XLSX workbook"}
_GIVE = "Give a CSV, JSON, JSON Lines or XLSX file"
_DECODER = json.JSONDecoder()


def _head(path: PathLike, size: int = 4096) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read(size)
    except OSError:
        return None


def _zip_kind(path: PathLike) -> str | None:
    """What a zip archive holds, by its members' names: None for a workbook (``xl/``: a
    damaged one is the XLSX reader's to describe) or a zip that cannot be opened."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            mimetype = (z.read("mimetype")[:80].decode("ascii", "replace")
                        if "mimetype" in names else "")
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError):
        return None
    if any(n.startswith("xl/") for n in names):
        return None
    if "opendocument.spreadsheet" in mimetype:
        return "an OpenDocument spreadsheet (.ods)"
    if any(n.startswith("word/") for n in names) or "opendocument.text" in mimetype:
        return "a word-processor document (.docx / .odt)"
    if any(n.startswith("ppt/") for n in names):
        return "a PowerPoint presentation"
    files = [n for n in names if not n.endswith("/")]
    held = ", ".join(repr(n) for n in files[:3]) + (", ..." if len(files) > 3 else "")
    return f"a zip archive (holding {held or 'nothing'})"


def _json_line(line: str) -> str | None:
    """``whole``: the line is one JSON object or array; ``open``: it begins one that goes on
    below it (a pretty-printed file's ``[``, a long record cut by the sample); None: it is
    no JSON (``[Key],Title``, ``[] deals export``, ``{Key},Title``)."""
    line = line.strip()
    if not line.startswith(("[", "{")):
        return None
    try:
        _, end = _DECODER.raw_decode(line)
    except json.JSONDecodeError as exc:
        # a JSON string never spans lines: only a value left open at the line's end goes on
        return "open" if exc.pos >= len(line) and not exc.msg.startswith("Unterminated") \
            else None
    except (RecursionError, ValueError):  # nested too deep, an int of 5,000 digits: JSON
        return "open"
    return "whole" if not line[end:].strip() else None


def _text_kind(lead: tuple[str, bool] | None) -> str | None:
    """``json`` or ``text`` for a text file's significant beginning (``lead_text``; None
    for a file it cannot tell, whose reader checks it). JSON: its first line begins a JSON
    value that goes on below it, or is one whole value followed by nothing or by another
    (JSON Lines); a whole value above lines that are no JSON is a report's title line over a
    table (x45r5 F4: ``{"report": "deals"}`` above a CSV header made the CSV "JSON")."""
    if lead is None:
        return None
    text, cut = lead
    first, newline, below = text.partition("\n")
    if not newline and cut:  # a first line longer than the sample: its start tells
        after = first[1:].lstrip()[:1]
        return "json" if (first[:1] == "[" and after in ("{", "[", "]", '"')) or (
            first[:1] == "{" and after in ('"', "}")) else "text"
    seen = _json_line(first)
    if seen == "open":
        return "json"
    if seen is None:
        return "text"
    following = next((line for line in below.splitlines() if line.strip()), None)
    return "json" if following is None or _json_line(following) is not None else "text"


# what a JSON text holds when its top-level array holds no records (x46 f46e: an array of
# arrays in a file named .csv was told "rename it .json (an array of records)")
_NOT_RECORDS = {"[": "an array of arrays (rows whose cells have no column names)",
                "other": "an array of values, not of records"}
# (no one command's columns in the example: import, update, move-stage and merge read
# other ones, x46r4 F6: move-stage and merge were shown an import's ``key`` / ``title``)
_RECORDS_ARE = ('a .json manifest is an array of records, one object per row, its keys the '
                'column names ([{"<column>": <value>, ...}, ...]), and .jsonl one such '
                'object per line')


_OPENED = re.compile(r"(?:\[\s*)+")  # the arrays a JSON text opens first


def _not_records(lead: tuple[str, bool] | None) -> str | None:
    """What a JSON text's top-level array holds when it is no records (``_NOT_RECORDS``):
    its first element an array, or a string, number, true, false or null; None for records,
    an empty array, a top-level object (records of an API response, or JSON Lines) or a
    beginning the sample cannot tell — or a text nested deeper than any reader takes
    (``json_depth.MAX_DEPTH``): its reader names that, the one thing wrong with it."""
    text = (lead[0] if lead else "").lstrip()
    if (opened := _OPENED.match(text)) and opened[0].count("[") > MAX_DEPTH:
        return None
    first = text[1:].lstrip()[:1] if text.startswith("[") else ""
    if first in ("", "{", "]"):
        return None
    return _NOT_RECORDS.get(first, _NOT_RECORDS["other"])


def _csv_like(lead: tuple[str, bool] | None) -> bool:
    """A CSV file whose first cell begins with ``[`` or ``{``, named ``.json`` (x45r5 F3):
    no JSON parser reads even its first cell (``[Key],Title``: the error is before the
    first delimiter; a JSON file broken further on is not this), and its first two lines
    are records of the same two cells or more under one delimiter."""
    if lead is None:
        return False
    lines = [line for line in lead[0].splitlines()[:3] if line.strip()][:2]
    try:
        _DECODER.raw_decode(lines[0])
        return False
    except json.JSONDecodeError as exc:
        bad = exc.pos
    except (RecursionError, ValueError):
        return False
    for delimiter in (",", ";", "\t", "|"):
        if bad >= lines[0].find(delimiter) >= 0 or delimiter not in lines[0]:
            continue
        try:
            widths = {len(record) for record in csv.reader(lines, delimiter=delimiter)}
        except csv.Error:
            continue
        if len(widths) == 1 and min(widths) >= 2:
            return True
    return False


def _begins(lead: tuple[str, bool] | None) -> str:
    line = (lead[0] if lead else "").split("\n", 1)[0].strip()
    return repr(line if len(line) <= 40 else line[:40] + "...")


def wrong_content(path: PathLike, kind: Format | None = None, *,
                  renamable: bool = True) -> NotAManifest | None:
    """The refusal of a file whose first bytes are not a ``kind`` file's (None: not any
    manifest's — an archive, an image, a PDF, ... whatever its name), naming what it is and
    what to do; None when its content may be that kind (the reader then checks the rest).
    ``renamable`` False: a file whose name and kind are fixed (a dedupe plan's groups.csv),
    advised to be saved as ``kind``, never renamed. Raises nothing: a file it cannot read is
    the reader's to report."""
    refused = _wrong_content(path, kind)
    if refused is None or renamable:
        return refused
    where = repr(os.fspath(path))
    what = refused.reason[len(where):].split(": ")[0].split(" (no --encoding")[0]
    return NotAManifest(f"{where}{what}: save it again as {_NAMES[kind or 'csv']}")


def _wrong_content(path: PathLike, kind: Format | None) -> NotAManifest | None:
    head = _head(path)
    if not head:
        return None
    where = repr(os.fspath(path))
    for magic, name in SIGNATURES:
        if head.startswith(magic):
            unpack = "; unpack it first" if "archive" in name else ""
            return NotAManifest(f"{where} is {name}, not text (no --encoding reads "
                                f"it{unpack}). {_GIVE}")
    if kind is None:
        return None
    if head.startswith(_OLE):
        return NotAManifest(f"{where} is an old Excel .xls workbook (or a password-protected "
                            "Office file), which pdbulk does not read: save it from the "
                            "spreadsheet as .xlsx (without a password) or as CSV")
    if head.startswith(_ZIP):
        if (inside := _zip_kind(path)) is not None:
            todo = ("unpack it first" if inside.startswith("a zip") else
                    "save the table from its program as CSV or .xlsx")
            return NotAManifest(f"{where} is {inside}, not {_NAMES[kind]}: {todo}. {_GIVE}")
        if kind != "xlsx":
            named = Path(path).suffix or "this name"
            return NotAManifest(f"{where} is a zip archive, not text: an XLSX workbook named "
                                f"{named}? Rename it .xlsx (pdbulk reads workbooks), or save "
                                "it from the spreadsheet as CSV")
        return None
    lead = lead_text(path)
    text = _text_kind(lead)
    shape = _not_records(lead) if text == "json" else None
    if kind == "xlsx":
        what = {"json": "JSON text", "text": "text"}.get(text or "", "no zip archive")
        hint = {"json": f"it is {shape}, so no JSON manifest either: "
                f"{_RECORDS_ARE}; save the table as .xlsx or CSV (the first row its header)"
                if shape else "a JSON file renamed .xlsx? Rename it .json or .jsonl",
                "text": "a CSV renamed .xlsx? Rename it .csv"}.get(
                    text or "", "open it in a spreadsheet program and save it as .xlsx")
        return NotAManifest(f"{where} is {what} (it begins {_begins(lead)}), not an XLSX "
                            f"workbook (its content is not a zip archive): {hint}")
    if kind in ("json", "jsonl") and text == "text" and lead is not None:
        if lead[0][:1] not in ("[", "{"):
            return NotAManifest(f"{where} is not {_NAMES[kind]}: it begins {_begins(lead)}, "
                                "and JSON records begin with '{' (a CSV file named "
                                f".{kind}? rename it .csv)")
        if _csv_like(lead):
            return NotAManifest(f"{where} is not {_NAMES[kind]}: this looks like CSV text, "
                                f"not JSON (it begins {_begins(lead)}, which no JSON "
                                "parser reads): rename it .csv")
    if kind == "csv" and text == "json" and shape:
        return NotAManifest(f"{where} is JSON (it begins {_begins(lead)}), not CSV text, and "
                            f"{shape}, so no JSON manifest either: {_RECORDS_ARE}; save "
                            "the table as CSV (the first row its header) or its rows as "
                            "records")
    if kind == "json" and text == "json" and shape:
        # x46r4 F6: said by the reader as "no readable record among its first 2 (row 1:
        # record 1: expected a JSON object, got list)"; told as the .csv-named file is
        return NotAManifest(f"{where} is JSON (it begins {_begins(lead)}), but {shape}, so "
                            f"no JSON manifest: {_RECORDS_ARE}; save the table as CSV (the "
                            "first row its header) or its rows as records")
    if kind == "csv" and text == "json":
        return NotAManifest(f"{where} is JSON (it begins {_begins(lead)}), not CSV text: "
                            "rename it .json (an array of records) or .jsonl (one record per "
                            "line)")
    return None


__all__ = ["SIGNATURES", "NotAManifest", "wrong_content"]
