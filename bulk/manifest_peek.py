"""The first significant text of a manifest, for the checks that tell its kind.

Every check that looks at a manifest's beginning (``bulk.manifest_kind``: is this CSV or
JSON; ``bulk.manifest_json``: an array or a wrapping object) reads past the leading
whitespace and byte-order mark here, however long it is, chunk by chunk (constant memory,
bounded by the file): a fixed first 4 KiB made a valid ``.json`` array behind 5,000 spaces
"a file with no records" (x45r5 F2). UTF-16/32 text is decoded by its BOM first, so a UTF-16
JSON file named ``.csv`` is told as JSON, not read as a CSV whose first column is ``[``
(x45r5 F3). This module reads; it never refuses.
"""

from __future__ import annotations

import codecs
import os
from typing import BinaryIO

CHUNK = 64 * 1024
LEAD_CHARS = 64 * 1024  # the significant text a kind check sees
_BLANK = b" \t\r\n\f\v"
_UTF8_BOM = codecs.BOM_UTF8
# the longest BOM first: a UTF-32-LE BOM begins with UTF-16-LE's
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def first_significant(f: BinaryIO, size: int = CHUNK) -> bytes:
    """Up to ``size`` bytes of a UTF-8 (or ASCII) byte stream from its first byte that is
    neither whitespace nor a leading BOM, reading as far as the whitespace goes (b"": the
    stream holds nothing else). Leaves ``f`` after the bytes returned."""
    start = True
    while chunk := f.read(CHUNK):
        if start:
            chunk, start = chunk.removeprefix(_UTF8_BOM), False
        rest = chunk.lstrip(_BLANK)
        if rest:
            return rest[:size] if len(rest) >= size else rest + f.read(size - len(rest))
    return b""


def lead_text(path: str | os.PathLike[str]) -> tuple[str, bool] | None:
    """``(text, cut)``: up to ``LEAD_CHARS`` characters of a text file from its first one
    that is not whitespace, decoded by its BOM (UTF-16/32; else UTF-8, a bad byte replaced);
    ``cut``: more of the file follows. None when the file cannot be read, holds only
    whitespace, or has NUL bytes without a BOM (UTF-16 without one: its reader tells it)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(CHUNK)
            codec = next((name for bom, name in _BOMS if raw.startswith(bom)), None)
            if codec is None and b"\x00" in raw:
                return None
            decoder = codecs.getincrementaldecoder(codec or "utf-8-sig")("replace")
            text = ""
            while raw:
                text = (text + decoder.decode(raw)).lstrip()
                if len(text) > LEAD_CHARS:
                    return text[:LEAD_CHARS], True
                raw = f.read(CHUNK)
            text = (text + decoder.decode(b"", final=True)).lstrip()
    except OSError:
        return None
    return (text, False) if text else None


__all__ = ["CHUNK", "LEAD_CHARS", "first_significant", "lead_text"]
