"""How a manifest's bytes become text: the encoding declared, found (a BOM, UTF-8 checked
over the first ``ENCODING_SAMPLE`` bytes, UTF-16 without a BOM by its NUL bytes, else
charset-normalizer's guess named in the error) or refused, and the readers that recode
UTF-16 to UTF-8 (``open_utf8``) or open text with undecodable bytes kept as
surrogates (``_open_text``) for ``bulk.manifest``'s CSV and JSON readers.

The advice for a file that is not UTF-8 (which code page reads its words as words, and
which others read them otherwise) is ``bulk.encoding_advice``.

Why ~710 lines: finding a file's encoding and reading it in that encoding are one
decision taken twice (a sample decides, the reader must agree with it line by line: a
single-byte code page, UTF-16 without a BOM, a BOM behind a declared ``utf-8``); the
advice, the only separable part, is already ``bulk.encoding_advice``."""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Iterator
from typing import Any, BinaryIO, NamedTuple, TextIO

from .encoding_advice import _cp1252_undefined, _likely, misread
from .errors import InputError
from .manifest_kind import wrong_content

PathLike = str | os.PathLike[str]
ENCODING_SAMPLE = 4 * 1024 * 1024  # bytes checked for UTF-8 (streamed in 64 KiB chunks)
DETECTOR_SAMPLE = 1024 * 1024  # bytes given to charset-normalizer when they are not UTF-8
_BOM = b"\xef\xbb\xbf"


def _open_text(path: PathLike, encoding: str | None = None) -> TextIO:
    """The file as text: ``encoding`` if given, else the detected one (``detect_encoding``).
    A single-byte code page reads line by line (``_LineRecoder``): a line that is valid
    UTF-8 with non-ASCII characters is read as UTF-8 (``utf8_lines`` counts them for the
    plan)."""
    chosen = choose_encoding(path, encoding)
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise InputError(f"unknown encoding {chosen!r} (e.g. utf-8, cp1252, latin-1, utf-16)") from None
    if single_byte(chosen):
        raw = _LineRecoder(_open_binary(path), chosen)
        return _NamedText(io.BufferedReader(raw), chosen)
    try:
        # surrogateescape: a stray bad byte fails its own row (checked per row), not the file
        return open(path, encoding=chosen, errors="surrogateescape", newline="")
    except OSError as exc:
        raise InputError(f"cannot read {os.fspath(path)!r}: {exc.strerror}") from None


def single_byte(encoding: str) -> bool:
    """Whether ``encoding`` is a single-byte code page (cp1252, latin-1, mac-roman, koi8-r…:
    every byte one character, or undefined), not UTF-8/16/32 nor a multi-byte one (GBK,
    Shift-JIS, Big5), whose lines could also be valid UTF-8 by design."""
    name = codecs.lookup(encoding).name
    if name.startswith(("utf-8", "utf-16", "utf-32")):
        return False
    return len(bytes(range(256)).decode(name, "surrogateescape")) == 256


class _NamedText(io.TextIOWrapper):
    """UTF-8 text recoded from a code page, named by that code page (its ``encoding``: the
    readers' messages say which encoding a bad byte is not valid in)."""

    def __init__(self, buffer: io.BufferedReader, source: str) -> None:
        super().__init__(buffer, encoding="utf-8", errors="surrogateescape", newline="")
        self._source = source

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._source


_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)")


def _without_bom(start: bytes) -> bytes:
    """The file's first bytes without a UTF-8 BOM: read in a declared code page (a BOM the
    rest of the file contradicts, ``choose_encoding``), ``ï»¿`` is no text of the header."""
    return start[len(_BOM):] if start.startswith(_BOM) else start


def _line_to_utf8(line: bytes, encoding: str) -> tuple[bytes, bool]:
    """``line`` as UTF-8 bytes, and whether it already was UTF-8 with non-ASCII characters
    (in a file of ``encoding``, a single-byte code page: text in a code page is practically
    never valid UTF-8 as well, so such a line is a UTF-8 row pasted into the file — v10r13
    M2: read as cp1252, its ``Müller`` became ``MÃ¼ller``, silently). Bytes the code page
    leaves undefined stay bytes, so their row fails alone. A line that is neither (valid
    UTF-8 characters and bytes that are not) is kept as it is, its bad bytes undecodable:
    its row fails alone, never read half garbled."""
    if line.isascii():
        return line, False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        if _NON_ASCII.search(line.decode("utf-8", "surrogateescape")) is not None:
            return line, False  # UTF-8 and code-page text in one line
        return line.decode(encoding, "surrogateescape").encode("utf-8", "surrogateescape"), False
    return line, True


class _LineRecoder(io.RawIOBase):
    """A file in a single-byte code page read as UTF-8 bytes, decided line by line (LF,
    CR LF or a lone CR end a line): ``_line_to_utf8``."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        super().__init__()
        self._raw, self._encoding = raw, encoding
        self._rest = b""  # an unfinished line (or a CR that a LF may follow)
        self._pending = b""
        self._given = 0  # bytes handed out since the start

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._given

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Back to the start only (the readers sniff the dialect, then read again)."""
        if whence == io.SEEK_CUR and offset == 0:
            return self._given
        if whence != io.SEEK_SET or offset != 0:
            raise io.UnsupportedOperation("a recoded file seeks to its start only")
        self._raw.seek(0)
        self._rest = self._pending = b""
        self._given = 0
        return 0

    def _fill(self) -> bool:
        chunk = self._raw.read(64 * 1024)
        if not self._given and not self._rest and not self._pending:
            chunk = _without_bom(chunk)  # the file's start: its BOM is no text
        data = self._rest + chunk
        if not chunk:
            self._rest = b""
            self._pending = _line_to_utf8(data, self._encoding)[0] if data else b""
            return bool(data)
        end = 0
        out = []
        for m in _LINE.finditer(data):
            if m.end() == len(data) and data.endswith(b"\r"):
                break  # a CR LF may be cut in two
            out.append(_line_to_utf8(m.group(), self._encoding)[0])
            end = m.end()
        self._rest = data[end:]
        self._pending = b"".join(out)
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            if not self._fill():
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        self._given += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def utf8_lines(path: PathLike, encoding: str) -> tuple[int, int | None]:
    """(how many lines, the first line number) of a file read in single-byte code page
    ``encoding`` that are UTF-8 with non-ASCII characters, and so are read as UTF-8
    (``_line_to_utf8``). (0, None) for other encodings."""
    if not single_byte(encoding):
        return 0, None
    count, first = 0, None
    for number, line in _numbered_lines(path):
        if _line_to_utf8(line, encoding)[1]:
            count += 1
            first = number if first is None else first
    return count, first


def open_utf8(path: PathLike, encoding: str | None = None) -> io.BufferedReader:
    """A JSON file as UTF-8 bytes: ``encoding`` if given, else the detected one (the same
    ``detect_encoding`` as CSV: UTF-8 as it is, UTF-16 recoded, anything else refused with
    the likely encoding named). An undecodable byte stays as it is, so it fails its own
    record as invalid UTF-8."""
    chosen = choose_encoding(path, encoding)
    try:
        name = codecs.lookup(chosen).name
    except LookupError:
        raise InputError(f"unknown encoding {chosen!r} (e.g. utf-8, cp1252, latin-1, "
                         "utf-16)") from None
    f = _open_binary(path)
    if name in ("utf-8", "utf-8-sig"):
        return f
    if single_byte(name):
        return io.BufferedReader(_LineRecoder(f, name))
    return io.BufferedReader(_Utf8Recoder(f, name))


_MAPPING_HINT = re.compile(r' \(or encoding = "[^"]*" in the mapping\'s \[defaults\]\)')


def without_mapping_hint(exc: InputError) -> InputError:
    """``exc`` for a command that takes no mapping (move-stage, merge): the same error
    without the ``(or encoding = "NAME" in the mapping's [defaults])`` alternative."""
    reason = _MAPPING_HINT.sub("", exc.reason)
    return exc if reason == exc.reason else InputError(reason, row=exc.row, column=exc.column)


class _Utf8Recoder(io.RawIOBase):
    """A file in another encoding read as UTF-8 bytes (a real raw stream: ijson and line
    iteration use ``readinto``, which ``codecs.EncodedFile`` hands to the undecoded file)."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        super().__init__()
        self._text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape",
                                      newline="")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._text.read(64 * 1024)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8", "surrogateescape")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._text.close()
        super().close()


def _open_binary(path: PathLike) -> io.BufferedReader:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {os.fspath(path)!r}: {exc.strerror}") from None


def choose_encoding(path: PathLike, declared: str | None) -> str:
    """The codec to read a text manifest with: the detected one (``detect_encoding``), or
    the declared one — except that a file which shows it is Unicode wins over a declared
    single-byte code page: a UTF-8 or UTF-16 BOM, or non-ASCII text that is valid UTF-8
    (which cp1252 text practically never is). So a mapping that says ``encoding =
    "cp1252"`` for the source system's export still reads the failed.csv (UTF-8) it is
    re-imported with, instead of turning ``Café`` into ``CafÃ©`` silently. A declared
    single-byte code page reads a file that mixes it with UTF-8 line by line
    (``_open_text``); any other declared encoding on a file that is mostly UTF-8 with a
    few bad bytes raises InputError (naming ``--encoding utf-8``): reading it so would
    garble every UTF-8 character. A UTF-8 BOM that the rest of the file contradicts (a
    byte that is not UTF-8) loses to a declared single-byte code page: the file is read
    in it, the BOM dropped (x26r3: a cp1252 export behind a BOM failed every row "byte
    0xe9 ... is not valid UTF-8" under the advised ``--encoding cp1252``)."""
    if declared is None:
        return _checked(path, detect_encoding(path))
    declared = declared_name(declared)
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        raise InputError(f"unknown encoding {declared!r} (e.g. utf-8, cp1252, latin-1, "
                         "utf-16)") from None
    if name == "utf-8":
        # a BOM is not part of the header's first name (v10r24: the advice's own
        # "--encoding utf-8" on a BOM file made the first column '\ufeffKey', not found)
        with _open_binary(path) as f:
            return "utf-8-sig" if f.read(3) == _BOM else declared
    if name.startswith(("utf-8", "utf-16", "utf-32")):
        return _checked(path, declared)
    with _open_binary(path) as f:
        sample = f.read(ENCODING_SAMPLE)
        if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        bom = sample.startswith(_BOM)
        if not bom and _utf8_text(sample):
            return "utf-8-sig"
        f.seek(0)
        profile = _utf8_profile(f)
    if not bom:
        _refuse_binary(path, sample[:DETECTOR_SAMPLE])
    if bom and (not profile.bad or not single_byte(name)):
        return "utf-8-sig"
    if profile.mostly_utf8 and not single_byte(name):
        raise InputError(
            f"{os.fspath(path)!r} is UTF-8 text ({profile.multibyte} character(s) written "
            f"in UTF-8, the first on line {profile.first_multibyte_line}) with "
            f"{profile.bad} byte(s) that are not UTF-8 (the first on line "
            f"{profile.first_bad_line}); reading it as {name} would garble every one of "
            "those UTF-8 characters (Müller → MÃ¼ller). Read it with --encoding utf-8 (a "
            "row with a bad byte then fails alone, its cells kept in failed.csv), or fix "
            "the byte(s)")
    return declared


MISREAD_SAMPLE = 64 * 1024  # bytes of code-page lines with non-ASCII text weighed
CHECKED = "!"  # after a declared encoding's name (cp1252!): its reading was checked


def declared_name(encoding: str) -> str:
    """The codec name of a declared encoding (``--encoding``, ``[defaults] encoding``),
    without the ``!`` that says its reading was checked (``misread_note``)."""
    return encoding.removesuffix(CHECKED)


def misread_note(path: PathLike, declared: str | None, *, mapping: bool = True,
                 run: str = "the import") -> str | None:
    """One line for the plan when the declared single-byte code page (``--encoding``, a
    mapping's ``[defaults] encoding``) garbles the file's text and another reads it as
    words (``bulk.encoding_advice.misread``), naming that one and how to declare it; else
    None (no declaration, a file read otherwise: a BOM, UTF-8 text, or one both read
    alike). The file is still read as declared: the declaration is the user's to change.
    Weighs the first ``MISREAD_SAMPLE`` bytes of the lines read in the code page (those
    with non-ASCII bytes that are not UTF-8) within the first ``ENCODING_SAMPLE``. x25r2: a
    Polish cp1250 file declared cp1252 was planned "2 valid" and would have been imported
    as ``Przedsiêbiorstwo £ódŸ``.
    The line ends saying that ``run`` (the import, the update, move-stage) refuses until
    one is declared: the one named, or the declared one with a ``!`` after its name
    (``--encoding cp1252!``, ``encoding = "cp1252!"``: its reading checked, nothing said).
    ``mapping``: whether the command takes a mapping (else its ``[defaults]`` goes unsaid)."""
    if declared is None or declared.endswith(CHECKED):
        return None
    try:
        chosen = choose_encoding(path, declared)
        if not single_byte(chosen):
            return None
        sample, scanned = b"", 0
        for _, line in _numbered_lines(path):
            if not line.isascii() and not _line_to_utf8(line, chosen)[1]:
                sample += line
            scanned += len(line)
            if len(sample) >= MISREAD_SAMPLE or scanned >= ENCODING_SAMPLE:
                break
    except (InputError, LookupError):
        return None  # said where the file is read
    found = misread(sample, chosen)
    if found is None:
        return None
    name, mine, theirs = found
    control = " (a control character: a row holding one fails)" if re.search(
        r"\\x[89][0-9a-f]", mine) else ""
    return (f"{os.fspath(path)!r} is declared {chosen} but looks like {name}: {chosen} reads "
            f"«{mine}»{control} where {name} reads «{theirs}». If it is {name}, read it with "
            f"--encoding {name}" + (f" (or encoding = \"{name}\" in the mapping's "
                                     "[defaults])" if mapping else "")
            + f"; if you checked that {chosen} reads it right, say so with a ! after its "
            f"name: --encoding {chosen}!" + (f" (or encoding = \"{chosen}!\")" if mapping
                                             else "")
            + f". Until then {run} refuses to run")


def _checked(path: PathLike, codec: str) -> str:
    """``codec``, after checking that a UTF-16/UTF-32 file decodes whole: its decoder has
    no byte-keeping error mode, so a truncated file or a lone surrogate would otherwise
    stop the reader mid-file. InputError names the byte offset and line."""
    name = codecs.lookup(codec).name
    if not name.startswith(("utf-16", "utf-32")):
        return codec
    decoder = codecs.getincrementaldecoder(name)()
    read = lines = 0
    with _open_binary(path) as f:
        while True:
            chunk = f.read(64 * 1024)
            pending = decoder.getstate()[0]
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                start = max(exc.start, 0)
                offset = read - len(pending) + start
                line = lines + 1 + (pending + chunk)[:start].decode(name, "replace").count("\n")
                raise InputError(
                    f"{os.fspath(path)!r} is not valid {name} at byte offset {offset} (line "
                    f"{line}: {exc.reason}); save it again, as UTF-8, or read it with "
                    "--encoding NAME (or encoding = \"NAME\" in the mapping's [defaults])"
                ) from None
            if not chunk:
                return codec
            read += len(chunk)
            lines += text.count("\n")


def _utf8_text(sample: bytes) -> bool:
    """Whether ``sample`` has non-ASCII bytes and all of them are UTF-8 (a character cut
    at the sample's end aside)."""
    if sample.isascii():
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data" and exc.start >= len(sample) - 3
    return True


def detect_encoding(path: PathLike) -> str:
    """The codec to read a text manifest with: ``"utf-8-sig"``, ``"utf-16"``,
    ``"utf-16-le"``/``"utf-16-be"`` (no BOM) or ``"utf-32"``.

    A BOM decides. Otherwise NUL bytes in the first 64 KiB in every other position
    mean UTF-16 without a BOM (little- or big-endian by where they fall); any other
    NUL is refused (a binary file, or UTF-32 without BOM). Then the **whole file** is
    checked as UTF-8, streamed (a sample could miss the first non-UTF-8 byte and
    let a later row be read wrongly; the check runs at UTF-8 decoding speed, and is not
    cached: a file rewritten within the file system's timestamp granularity would
    otherwise be read by a stale answer). For a file that is not UTF-8, the
    ``DETECTOR_SAMPLE`` bytes from the line of its first bad byte go to
    charset-normalizer, and ``InputError`` names that byte's offset and line, the likely
    encoding and the fix (``--encoding NAME`` or ``encoding = "NAME"`` in the mapping's
    ``[defaults]``). A file whose valid UTF-8 characters are at least as many as its bad
    bytes is named as UTF-8 instead, with ``--encoding utf-8`` (bad rows fail alone) as
    the fix — never a code page that would garble its UTF-8 text. Raised before any API
    call: every command reads the header first.
    """
    return _detect(path)


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _detect(path: PathLike) -> str:
    with _open_binary(path) as f:
        head = f.read(64 * 1024)
        for bom, name in _BOMS:
            if head.startswith(bom):
                return name
        if b"\x00" in head:
            return _nul_encoding(path, head)
        f.seek(0)
        bad = _first_bad_utf8(f)
        if bad is None:
            return "utf-8-sig"
        offset, line = bad
        start = 0
        if offset >= DETECTOR_SAMPLE // 2:  # the detector sees the text around the byte
            f.seek(offset - 4096)
            before = f.read(4096)
            start = offset - 4096 + before.rfind(b"\n") + 1
        f.seek(start)
        sample = f.read(DETECTOR_SAMPLE)
        f.seek(offset)
        byte = f.read(1)
    if byte == b"\x00":
        raise _nul_error(path, offset, line)
    _refuse_binary(path, head, sample)
    with _open_binary(path) as f:
        profile = _utf8_profile(f)
    if profile.mostly_utf8 and (page := _code_page_lines(path)) is not None:
        codec, count, page_line, example = page
        raise InputError(
            f"{os.fspath(path)!r} is UTF-8 except for {count} line(s) in {codec} (the first "
            f"is line {page_line}, byte offset {offset}: {byte!r}; {codec} reads it as "
            f"{example!r}). Read it with --encoding {codec} (or encoding = \"{codec}\" in "
            f"the mapping's [defaults]): each line is read in its own encoding, those as "
            f"{codec}, the others as UTF-8; or save it as UTF-8")
    if profile.mostly_utf8:
        raise InputError(
            f"{os.fspath(path)!r} is UTF-8 except for {profile.bad} byte(s) that are not "
            f"(the first on line {line}, byte offset {offset}: {byte!r}); its "
            f"{profile.multibyte} other non-ASCII character(s) are valid UTF-8, so no "
            "single-byte encoding (cp1252, latin-1) would read it right. Read it with "
            "--encoding utf-8 (a row with a bad byte then fails alone, its cells kept in "
            "failed.csv), or fix the byte(s) and save the file as UTF-8")
    # the sample is neither ASCII nor UTF-8, and has no NUL (UTF-16/32 would have them).
    # Its lines that are UTF-8 are not the code page's: a single-byte one reads them as
    # UTF-8 (``_line_to_utf8``), so the detector and the stray-byte count see the others
    first_line = line - line_ends(sample[:offset - start])
    lines = [(first_line + n, m.group()) for n, m in enumerate(_LINE.finditer(sample))]
    utf8 = [n for n, text in lines if _line_to_utf8(text, "latin-1")[1]]
    skip = set(utf8)
    own = [(n, text) for n, text in lines if n not in skip] if utf8 else lines
    utf8_count = len(utf8)
    text_sample = b"".join(text for _, text in own) if utf8_count else sample
    import charset_normalizer  # only for a file that is not UTF-8: ~3 MB of RSS (issue 8)

    matches = [m for m in charset_normalizer.from_bytes(text_sample)
               if m.encoding not in ("ascii", "utf_8") and not m.encoding.startswith("utf_")]
    name, others = _likely(text_sample, [m.encoding for m in matches],
                           {m.encoding: (m.coherence, m.chaos) for m in matches},
                           {m.encoding: str(m.language) for m in matches})
    also = f" (or {', '.join(others)})" if others else ""
    stray = [(n, text[i:i + 1]) for n, text in own for i in _cp1252_undefined(text)
             ] if name == "cp1252" else []
    if stray:
        stray_line, first = stray[0]
        also += (f", with {len(stray)} byte(s) cp1252 leaves undefined in the first "
                 f"{len(sample):,} bytes (the first {first!r} on line {stray_line}: a "
                 "row holding one fails alone, its cells kept in failed.csv)")
    if utf8_count and single_byte(name):
        also += (f"; {utf8_count:,} line(s) in that part are UTF-8 (the first is line "
                 f"{utf8[0]}) and will be read as UTF-8")
    raise InputError(
        f"{os.fspath(path)!r} is not UTF-8 (first bad byte on line {line}, byte offset "
        f"{offset}: {byte!r}); it looks like {name}{also}. Read it with --encoding {name} "
        f"(or encoding = \"{name}\" in the mapping's [defaults]), or save it as UTF-8")


_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # no text's bytes in any code page
BINARY_CONTROLS = 0.01  # share of such bytes above which a sample is no text
BINARY_MIN = 4  # … and at least this many: a stray one (a DOS end-of-file 0x1a) is a row's


def _refuse_binary(path: PathLike, *samples: bytes) -> None:
    """InputError when one of ``samples`` (a file's bytes, not UTF-8) holds control bytes
    (C0 other than tab, LF, CR; DEL) in more than ``BINARY_CONTROLS`` of its bytes, at
    least ``BINARY_MIN`` of them: text in no encoding has them, a binary file (an image,
    random bytes) does, one in 8. x34r5 F5: random bytes were advised "looks like cp1257,
    read it with --encoding cp1257", which then failed "the header is not valid UTF-8"."""
    for sample in samples:
        controls = len(_CONTROL.findall(sample))
        if controls >= BINARY_MIN and controls > len(sample) * BINARY_CONTROLS:
            raise InputError(
                f"{os.fspath(path)!r} is not a text file: {controls:,} of {len(sample):,} "
                "bytes read are control characters, which no text encoding writes (no "
                "--encoding reads it). Give a CSV, JSON, JSON Lines or XLSX file")


def _code_page_lines(path: PathLike) -> tuple[str, int, int, str] | None:
    """For a UTF-8 file with lines that are not: (the code page that reads every one of
    those lines, how many there are, the first's number, its first word the code page
    reads) when ``--encoding`` that code page reads the whole file right (``_LineRecoder``:
    each line in its own encoding) — no such line holds UTF-8 text as well, and the code
    page defines each of their bytes; else None. x25r2 F3: such a file was advised
    ``--encoding utf-8``, which failed the code page's rows, where ``--encoding cp1252``
    read them all."""
    from .encoding_advice import _CANDIDATES, _WORD, _likely

    readers = {codecs.lookup(c).name for c in _CANDIDATES}
    sample, count, first = b"", 0, 0
    for number, line in _numbered_lines(path):
        try:
            line.decode("utf-8")
            continue
        except UnicodeDecodeError:
            pass
        if _NON_ASCII.search(line.decode("utf-8", "surrogateescape")):
            return None  # UTF-8 and code-page text in one line: no reading of it is right
        count, first = count + 1, first or number
        if len(sample) < DETECTOR_SAMPLE:
            sample += line
        for codec in list(readers):
            try:
                line.decode(codec)
            except UnicodeDecodeError:
                readers.discard(codec)
    if not count or not readers:
        return None
    name, _ = _likely(sample, [])
    if codecs.lookup(name).name not in readers:
        return None
    text = sample.decode(name)
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    return name, count, first, words[0] if words else text.strip()[:40]


def _numbered_lines(path: PathLike) -> Iterator[tuple[int, bytes]]:
    """The file's lines (LF, CR LF or a lone CR end one), numbered from 1, streamed; a
    UTF-8 BOM at its start is not part of the first line (``_without_bom``)."""
    with _open_binary(path) as f:
        number, rest = 0, b""
        while True:
            chunk = f.read(64 * 1024)
            data = rest + (_without_bom(chunk) if not number and not rest else chunk)
            end = 0
            for m in _LINE.finditer(data):
                if chunk and m.end() == len(data) and data.endswith(b"\r"):
                    break  # a CR LF may be cut in two
                number += 1
                end = m.end()
                yield number, m.group()
            rest = data[end:]
            if not chunk:
                if rest:
                    yield number + 1, rest
                return


def _nul_encoding(path: PathLike, head: bytes) -> str:
    """UTF-16 without a BOM when the NULs of ``head`` fall in every other byte (ASCII-range
    text); InputError for any other NUL."""
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    pairs = len(head) // 2
    for name, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if pairs and zeros >= pairs * 0.3 and other == 0:
            try:
                text = head[:len(head) - len(head) % 2].decode(name)
            except UnicodeDecodeError as exc:
                if exc.start < len(head) - 4:  # not just a character cut at the end
                    continue
                text = head[:exc.start].decode(name)
            if text.isprintable() or all(c.isprintable() or c in "\r\n\t" for c in text):
                return name
    offset = head.index(b"\x00")
    raise _nul_error(path, offset, line_ends(head[:offset]) + 1)


def not_a_manifest(path: PathLike) -> InputError | None:
    """The refusal of a file whose first bytes are another kind of file's (an archive, an
    image, a PDF, an old .xls workbook, ...), whatever its name: ``bulk.manifest_kind``'s
    one rule by content (x43r4 F5, x44r4 F5). None when its bytes are none of those or it
    cannot be read (the reader then says why)."""
    return wrong_content(path)


def _nul_error(path: PathLike, offset: int, line: int) -> InputError:
    # a workbook saved (or renamed) as .csv (x21r3 F5), a gzip, PNG or PDF (x35r1 F9): no
    # encoding reads it; said as detect_format says it (one rule, one class: x44r4 F5)
    if (refused := wrong_content(path, "csv")) is not None:
        return refused
    try:
        with open(path, "rb") as f:
            sample = f.read(65536)
    except OSError:
        sample = b""
    if sample and not sample.replace(b"\x00", b"").strip():
        # nothing but NULs (and blanks): a file never written (a copy cut short, a
        # preallocated file) — no text, though what is left is valid UTF-8 (x36r1 L2: it
        # was called "text that is otherwise UTF-8" and advised --encoding utf-8)
        return InputError(
            f"{os.fspath(path)!r} is not a text file: its first {len(sample):,} bytes are "
            "all NUL bytes (a file never written, or cut short while it was copied; no "
            "--encoding reads it). Give a CSV, JSON, JSON Lines or XLSX file")
    controls = len(_CONTROL.findall(sample.replace(b"\x00", b"")))
    if controls >= BINARY_MIN and controls > len(sample) * BINARY_CONTROLS:
        # control bytes besides the NULs: no UTF-16/32 text has them, random bytes do
        return InputError(
            f"{os.fspath(path)!r} is not a text file: it has NUL bytes and {controls:,} other "
            f"control characters in its first {len(sample):,} bytes, which no text encoding "
            "writes (no --encoding reads it). Give a CSV, JSON, JSON Lines or XLSX file")
    nuls, utf8 = _nul_profile(path)
    if utf8:  # a stray NUL in UTF-8 (or ASCII) text: not UTF-16, whose NULs pair up
        return InputError(
            f"{os.fspath(path)!r} has {nuls} NUL byte(s) (the first on line {line}, byte "
            f"offset {offset}) in text that is otherwise UTF-8, not UTF-16 (whose NULs fall "
            "in every other byte); read as UTF-8, a row holding a NUL fails alone, its cells "
            "kept in failed.csv. Remove the NUL byte(s), or read it with --encoding utf-8 "
            "(or encoding = \"utf-8\" in the mapping's [defaults])")
    return InputError(
        f"{os.fspath(path)!r} has a NUL byte on line {line} (byte offset {offset}): not a "
        "text manifest, or one in UTF-16/UTF-32 that is neither plain UTF-16 nor has a BOM. "
        "Save it as UTF-8, or read it with --encoding NAME, the encoding it was saved in "
        "(or encoding = \"NAME\" in the mapping's [defaults])")


def _nul_profile(path: PathLike) -> tuple[int, bool]:
    """(the NUL bytes of the file, whether it is valid UTF-8 with them): the advice to
    read a file with a stray NUL as UTF-8 is given only when that reads it (x25r2 F3:
    one NUL on line 1501 of an ASCII file was advised "--encoding utf-16-le", which
    failed). Streamed in 64 KiB chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    nuls, valid = 0, True
    with _open_binary(path) as f:
        while True:
            chunk = f.read(64 * 1024)
            nuls += chunk.count(b"\x00")
            if valid:
                try:
                    decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError:
                    valid = False
            if not chunk:
                return nuls, valid


class _Utf8Profile(NamedTuple):
    multibyte: int  # characters written as valid UTF-8 multi-byte sequences
    bad: int  # bytes that are not part of a valid UTF-8 sequence
    first_multibyte_line: int | None
    first_bad_line: int | None

    @property
    def mostly_utf8(self) -> bool:
        """Valid UTF-8 multi-byte characters at least as many as the bad bytes: a UTF-8
        file with stray bytes (cp1252 text practically never forms UTF-8 sequences, and
        when it does by chance, its own accented bytes far outnumber them)."""
        return self.multibyte > 0 and self.multibyte >= self.bad


_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_ESCAPED = re.compile("[\udc80-\udcff]")


def _utf8_profile(f: BinaryIO) -> _Utf8Profile:
    """How much of the file is UTF-8: valid multi-byte characters and bad bytes counted,
    with the line of the first of each. Streamed in 64 KiB chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    multibyte = bad = lines = 0
    first_multi: int | None = None
    first_bad: int | None = None
    while True:
        chunk = f.read(64 * 1024)
        text = decoder.decode(chunk, final=not chunk)
        good = _NON_ASCII.search(text)
        escaped = _ESCAPED.search(text)
        if good is not None:
            multibyte += len(_NON_ASCII.findall(text))
            if first_multi is None:
                first_multi = lines + text[:good.start()].count("\n") + 1
        if escaped is not None:
            bad += len(_ESCAPED.findall(text))
            if first_bad is None:
                first_bad = lines + text[:escaped.start()].count("\n") + 1
        lines += text.count("\n")
        if not chunk:
            return _Utf8Profile(multibyte, bad, first_multi, first_bad)


def line_ends(data: bytes) -> int:
    """Line ends in ``data``: LF, CR LF and a lone CR (Mac Excel's "CSV (Macintosh)")
    each count once, as the CSV reader counts lines (v10r8: a CR-only file's bad byte was
    reported on line 1)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _first_bad_utf8(f: BinaryIO) -> tuple[int, int] | None:
    """(byte offset, line) of the file's first byte that is not UTF-8, or of its first
    NUL; None for a UTF-8 file. Streamed in 64 KiB chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    read = lines = 0
    last = b""  # the previous chunk's last byte: a CR LF cut in two is one line end
    while True:
        chunk = f.read(64 * 1024)
        if last == b"\r" and chunk.startswith(b"\n"):
            lines -= 1
        nul = chunk.find(b"\x00")
        pending = decoder.getstate()[0]  # up to 3 bytes of a character the last chunk cut
        try:
            decoder.decode(chunk if nul < 0 else chunk[:nul], final=not chunk or nul >= 0)
        except UnicodeDecodeError as exc:
            start = max(exc.start - len(pending), 0)  # exc.start counts the pending bytes
            return read + start - (len(pending) if exc.start < len(pending) else 0), \
                lines + line_ends(chunk[:start]) + 1
        if nul >= 0:
            return read + nul, lines + line_ends(chunk[:nul]) + 1
        if not chunk:
            return None
        read += len(chunk)
        lines += line_ends(chunk)
        last = chunk[-1:]


__all__ = ["CHECKED", "choose_encoding", "declared_name", "detect_encoding", "misread_note",
           "not_a_manifest",
           "open_utf8", "single_byte",
           "utf8_lines", "without_mapping_hint"]
