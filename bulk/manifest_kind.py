"""What a manifest file really is, by its first bytes, against the kind its name says.

One rule for every "this is not a CSV / JSON / XLSX file of the kind its name (or its
declared format) says" case (x44r4 F5: a ZIP named ``.csv`` was refused at its first read,
exit 1, and a gzip named ``.csv`` by its bytes, exit 2): ``wrong_content`` returns one
``NotAManifest`` (the CLI's usage error, exit 2, before the token or the account is read)
naming what the file is — a gzip or zip archive, an XLSX workbook, a Word document, an old
.xls workbook, a PDF, text, JSON — and what to do. It reads at most the first 4 KiB and, for
a zip, its central directory (the names of its members); it never reads the rows.

A file it cannot read, an empty file, or a damaged workbook (a zip with ``xl/`` members) is
left to the reader, which says why.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from .errors import InputError
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


def _text_kind(head: bytes) -> str | None:
    """``json`` or ``text`` for the first bytes of a UTF-8 / ASCII text file (None for a
    UTF-16/32 one, with NUL bytes, whose reader checks it)."""
    if b"\x00" in head:
        return None
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not body:
        return None
    if (body[:1] == b"[" and body[1:].lstrip()[:1] in (b"{", b"]")) or \
            (body[:1] == b"{" and body[1:].lstrip()[:1] in (b'"', b"}")):
        return "json"
    return "text"


def _begins(head: bytes) -> str:
    line = head.removeprefix(b"\xef\xbb\xbf").lstrip().split(b"\n", 1)[0].strip()
    text = line.decode("utf-8", "replace")
    return repr(text if len(text) <= 40 else text[:40] + "...")


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
    text = _text_kind(head)
    if kind == "xlsx":
        what = {"json": "JSON text", "text": "text"}.get(text or "", "no zip archive")
        hint = {"json": "a JSON file renamed .xlsx? Rename it .json or .jsonl",
                "text": "a CSV renamed .xlsx? Rename it .csv"}.get(
                    text or "", "open it in a spreadsheet program and save it as .xlsx")
        return NotAManifest(f"{where} is {what} (it begins {_begins(head)}), not an XLSX "
                            f"workbook (its content is not a zip archive): {hint}")
    if kind in ("json", "jsonl") and text == "text" and head.lstrip(
            b"\xef\xbb\xbf \t\r\n")[:1] not in (b"[", b"{"):
        return NotAManifest(f"{where} is not {_NAMES[kind]}: it begins {_begins(head)}, and "
                            "JSON records begin with '{' (a CSV file named "
                            f".{kind}? rename it .csv)")
    if kind == "csv" and text == "json":
        return NotAManifest(f"{where} is JSON (it begins {_begins(head)}), not CSV text: "
                            "rename it .json (an array of records) or .jsonl (one record per "
                            "line)")
    return None


__all__ = ["SIGNATURES", "NotAManifest", "wrong_content"]
