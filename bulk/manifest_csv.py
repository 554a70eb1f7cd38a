"""CSV manifests: the delimiter, the dialect, the header and the records, streamed.

``sniff_delimiter`` (the candidate that gives the widest header every sampled record
agrees with), ``_Csv`` (an open CSV manifest: its header, then its records, split by
``bulk.csv_records``), ``_read_csv`` (its ``SourceRow``s: error rows for a record of
the wrong width or not valid UTF-8, the file-wide trailing delimiter forgiven) and the
checks of the header. The rules are in ``bulk.manifest``'s docstring. Moved out of
``bulk.manifest`` (issue 8), which still re-exports every public name. It never holds
more than one record.

Why ~600 lines: where a CSV's table starts (the delimiter, title lines, the header) and
how its records are read are decided together, from the same first lines; split, each
half would need the other's rules.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator
from typing import Any, TextIO

import orjson

from .csv_records import BadRecord, Line, records
from .errors import InputError
from .manifest_encoding import _open_text, single_byte
from .manifest_row import (
    TOTAL_STARTS,
    HeaderRowError,
    MisalignedRow,
    PathLike,
    SourceRow,
    group_header,
    line_note,
    report_footer,
    totals_line,
    unguarded,
    where_row,
)
from .manifest_xlsx import label_twice, unnamed_refusal
from .table_paths import TableRow, names_paths, path_index

SAMPLE_CHARS = 64 * 1024
_SEP_HINT = re.compile(r"sep=([,;\t|])[ \t]*(?:\r\n|\r|\n)", re.IGNORECASE)
DELIMITERS = (",", ";", "\t", "|")


class _Dialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = False


TITLE_LINES = 20  # one-cell lines above a CSV's header looked through (a report's title)


def _filled(cells: list[str]) -> int:
    """How many of a record's cells hold something: a report's title line saved from a
    spreadsheet is padded to the table's width ("Deals report,,,"), and holds one."""
    return sum(1 for c in cells if c.strip())
FIT_PEEK = 20  # records after a header found below title lines that must mostly fit it


def dialect(delimiter: str) -> type[csv.Dialect]:
    """The CSV dialect the readers use, with this delimiter."""
    return type("ManifestDialect", (_Dialect,), {"delimiter": delimiter})


def sniff_delimiter(sample: str, *, complete: bool = False, skip: int = 0) -> str:
    """The candidate delimiter that gives the widest header every sampled record matches.

    ``complete``: the sample is the whole file (else its last record may be cut). The
    candidates whose first record has two cells or more are ranked by the share of
    records that fit it, then by width. A candidate under which the first records hold one
    cell each (a report's title and filter lines, at most ``TITLE_LINES``) takes its header
    below them; it is taken over those only when every record fits it and it is wider
    than the best of them, and it needs as many fitting records after its header as it
    skipped (x14r2 F3: a title line above a ``;`` file made it a file of one column;
    x14r4 F2: a filter line with a comma in it made ``,`` the delimiter; x14r4 F5: a
    one-column file's ``x;y`` cell is no header). ``skip``: the spreadsheet rows above a
    header named by ``header_row`` (a record of several lines is one row, a blank line one
    too), which are not sampled. None: ``,``.
    """
    flat: tuple[float, int] | None = None  # (fit, width) of the best unskipped candidate
    below: tuple[float, int, int] | None = None  # (fit, -skipped, width), skipping
    chosen = {"flat": ",", "below": ","}
    for candidate in DELIMITERS:
        width = total = fit = last_fit = skipped = 0
        padded: list[int] = []  # the widths of the skipped lines that held the candidate
        try:
            # newline="": lines end at \r, \n or \r\n, as the reader sees them (Mac
            # Excel's "CSV (Macintosh)" ends lines with \r alone)
            for n, record in enumerate(csv.reader(io.StringIO(sample, newline=""),
                                                  dialect(candidate))):
                if not record or n < skip:  # a blank line is a row too (csv_records.Line)
                    continue
                if not width and _filled(record) < 2 and skipped < TITLE_LINES:
                    skipped += 1
                    if len(record) > 1:
                        padded.append(len(record))
                    continue
                width = width or len(record)
                last_fit = len(record) == width
                total, fit = total + 1, fit + last_fit
        except csv.Error:
            continue
        # a title line padded to the table's width by the candidate is one more record
        # that fits it, not one that needs another to outweigh it
        skipped -= sum(1 for w in padded if w == width)
        if not complete and total > 1:  # the sample's last record may be cut short
            total, fit = total - 1, fit - last_fit
        if width < 2:
            continue
        if not skipped and not padded:
            if flat is None or (fit / total, width) > flat:
                flat, chosen["flat"] = (fit / total, width), candidate
        elif fit - 1 >= skipped and (below is None or (fit / total, -skipped, width) > below):
            below, chosen["below"] = (fit / total, -skipped, width), candidate
    if below is not None and below[0] == 1.0 and (
            flat is None or (flat[0] < 1.0 and below[2] > flat[1])):
        return chosen["below"]
    return chosen["flat"]


def _dialect_for(f: TextIO, delimiter: str | None,
                 header_row: int | None = None) -> tuple[type[csv.Dialect], bool]:
    """The dialect, and whether the file starts with Excel's ``sep=;`` hint line (which
    then names the delimiter, unless ``delimiter`` is given, and is not the header).
    ``header_row``: the delimiter is sniffed from that spreadsheet row on (title lines above
    it hold one cell under any delimiter)."""
    blank, sample = _past_blank_lines(f)
    f.seek(0)
    hint = _SEP_HINT.match(sample) if not blank else None
    if delimiter is None:
        if hint:
            delimiter = hint[1]
        else:
            complete = len(sample) < SAMPLE_CHARS
            # header_row counts rows as a spreadsheet shows them, as row numbers do (f27b:
            # it counted the file's lines, so a cell of several lines above the header
            # picked a line of that cell): the rows above it are skipped under each
            # candidate as that candidate reads them
            skip = max(0, (header_row - 1 if header_row is not None else 0) - blank)
            delimiter = sniff_delimiter(sample, complete=complete, skip=skip)
    return dialect(delimiter), hint is not None


def _past_blank_lines(f: TextIO) -> tuple[int, str]:
    """(the blank lines the file begins with, up to ``SAMPLE_CHARS`` of the text after
    them): the delimiter is sniffed from text, however many blank lines come first (x45r5
    F2: a fixed first 64 Ki characters of newlines left nothing to sniff, and a ``;`` file
    was read as one column). Streamed: constant memory."""
    blank = 0
    sample = f.read(SAMPLE_CHARS)
    while sample:
        text = sample.lstrip("\r\n")
        ends = sample[:len(sample) - len(text)]
        blank += ends.count("\n") + ends.count("\r") - ends.count("\r\n")
        if text:
            return blank, text + f.read(SAMPLE_CHARS - len(text))
        sample = f.read(SAMPLE_CHARS)
        if ends.endswith("\r") and sample.startswith("\n"):
            sample = sample[1:]  # one \r\n cut by the chunk: one line end
    return blank, ""


def _check_header(cells: list[str], line: int) -> list[str]:
    names = [c.strip() for c in cells]
    while names and not names[-1]:  # a trailing delimiter on the header line
        names.pop()
    for position, name in enumerate(names, 1):
        if not name:  # a column without a name: skipped if no row has a value (_Csv)
            continue
        if not _is_utf8(name):
            raise InputError(f"the header is not valid UTF-8 (column {position})")
    return label_twice(names)  # a name twice: refused only where it is read


def _is_utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    """A cell with undecodable bytes shown as ``\\xNN`` (for failed.csv, which is UTF-8)."""
    if _is_utf8(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_SURROGATE = re.compile("[\udc80-\udcff]")
_UNENCODABLE = re.compile("[\ud800-\udfff]")  # what UTF-8 cannot encode: ``_is_utf8``


def _undecodable(chosen: str, names: list[str], cells: list[str]) -> str:
    """Why a record with a byte its encoding could not decode fails, in the file's terms:
    the byte, its column, the encoding (x25r2 F4: it spoke of failed.csv, with a doubled
    backslash). ``failed.csv shows it as \\xNN``: how failed.csv keeps the byte, which a
    re-import of that file recognises (``jobs.import_rows``)."""
    where, byte = "", 0
    for position, cell in enumerate(cells):
        found = _SURROGATE.search(cell)
        if found is not None:
            byte = ord(found[0]) - 0xDC00
            name = names[position] if position < len(names) else ""
            where = f" in column {name!r}" if name else f" in cell {position + 1}"
            break
    reason = f"byte 0x{byte:02x}{where} is not valid " + (
        "UTF-8" if chosen.startswith("utf-8") else chosen)
    if single_byte(chosen) and byte:
        try:
            bytes([byte]).decode(chosen)
            # the code page has the byte: the line was kept as it is for its UTF-8 text
            reason = (f"a line mixing {chosen} and UTF-8 text: byte 0x{byte:02x}{where} is "
                      "not valid UTF-8")
        except UnicodeDecodeError:
            pass
    return (reason + f"; failed.csv shows it as \\x{byte:02x}; if the file is in another "
            "encoding, read it with --encoding NAME")


def _unspaced(titles: list[tuple[int, list[str] | BadRecord]], header_line: int,
              header: list[str]) -> bool:
    """Whether lines taken for titles above a header were padded ("Deals report,,,") with
    no blank line (",,,", which the reader skips) among or under them, above a header of
    fewer than three names: then the first is a header whose columns but one have no
    name ("Id," over "1,foo": the file is refused naming the column, not read with its
    first row as the header). A report's header names three columns or more (x15r3 F3:
    "Filtered by: Stage = Won,,,,," right above its header was refused); one-cell title
    lines need none of this."""
    if not any(isinstance(cells, list) and len(cells) > 1 for _, cells in titles):
        return False
    if _filled(header) >= 3:
        return False
    lines = [line for line, _ in titles] + [header_line]
    return all(b == a + 1 for a, b in itertools.pairwise(lines))


class _Csv:
    """One pass over a CSV file: header, then (line, cells or BadRecord) per non-blank record."""

    def __init__(self, path: PathLike, delimiter: str | None, encoding: str | None,
                 header_row: int | None = None, *, scan: bool = True) -> None:
        self._f = _open_text(path, encoding)
        chosen = codecs.lookup(self._f.encoding).name
        self.chosen = chosen  # the encoding read: an undecodable byte's reason names it
        try:
            self.dialect, hinted = _dialect_for(self._f, delimiter, header_row)
            self.names: list[str] = []
            self.header_line = 1
            self.titles: list[str] = []  # the title lines skipped above the header
            self._width = 0  # a header's width while the records under it are peeked at
            # (Excel does not show its "sep=;" line: the rows under it are one higher)
            self._records: Iterator[tuple[int, list[str] | BadRecord]] = records(
                self._f, self.dialect, self._fits, hidden=int(hinted))
            # a report's title and filter lines above the header ("Opportunity Report",
            # "Filtered By: ...": one cell each) are skipped: the header is the first line
            # of two or more cells, as in XLSX (x12r2 F4), and so are such lines padded to
            # the table's width ("Deals report,,,": a sheet saved as CSV) above a blank
            # one (x15). A file whose first lines all hold one cell is a file of one
            # column: its first line is the header
            titles: list[tuple[int, list[str] | BadRecord]] = []
            ended: tuple[int, list[str] | BadRecord] | None = None  # what ended the look
            line: int
            for line, cells in self._records:
                if hinted and line == 1:  # "sep=;": not a record
                    continue
                if header_row is None and not isinstance(cells, BadRecord) \
                        and _filled(cells) < 2 and len(titles) < TITLE_LINES:
                    titles.append((line, cells))
                    continue
                if titles and (isinstance(cells, BadRecord) or _filled(cells) < 2):
                    ended = (line, cells)
                    break
                if header_row is not None and _row_of(line) != header_row:
                    # the spreadsheet's row, as every row number (a record whose quoted
                    # cells span lines is one row): rows above the named header are not read
                    if _row_of(line) < header_row:
                        continue
                    raise HeaderRowError(f"row {header_row} ({{source}}) is empty: the "
                                         "header must be on that row, as a spreadsheet "
                                         "numbers them", header_row)
                if isinstance(cells, BadRecord):
                    raise InputError(f"line {line}: the header cannot be read: {cells.reason}")
                if any(c.strip() for c in cells):
                    if titles and _unspaced(titles, line, cells):
                        ended = (line, cells)  # a header of unnamed columns, not titles
                        break
                    if titles and not self._fitted(len(cells), (line, cells)):
                        # no records of its width follow: a file of one column with a
                        # cell that holds the delimiter ("1,234": x14r1 F4), not a header
                        # under title lines
                        ended = None
                        break
                    self.raw_header = cells
                    self.header_line = line
                    self.titles = [next((c.strip() for c in t if c.strip()), "")
                                   for _, t in titles if isinstance(t, list)]
                    titles = []
                    break
            else:
                if not titles:
                    if header_row is None:
                        raise InputError("the file is empty: a header row is required")
                    raise HeaderRowError(f"the file has no row {header_row} ({{source}})",
                                         header_row)
            if titles:  # one column: its first line is the header, the rest are rows again
                (line, first), rest = titles[0], titles[1:]
                self.raw_header = first if isinstance(first, list) else []
                self._records = itertools.chain(rest, [ended] if ended else [],
                                                self._records)
            self.names = _check_header(self.raw_header, line)
            # columns with no name: skipped when no row has a value there (a spreadsheet's
            # spacer column), else the file is refused naming the column (v10r9 M6)
            self.skipped = [i for i, name in enumerate(self.names) if not name]
            # and past the last name (a header ending in delimiters): a row with a value
            # there refuses the file the same way, not every row "N cells" (v10r12 M2)
            past = list(range(len(self.names), len(self.raw_header)))
            if (self.skipped or past) and scan:
                _check_unnamed(path, delimiter, encoding, header_row, self.skipped + past,
                               line)
        except BaseException:
            self._f.close()
            raise

    def _fitted(self, width: int, header: tuple[int, list[str] | BadRecord]) -> bool:
        """Whether most of the (up to ``FIT_PEEK``) records after a header found below
        title lines have its ``width`` (trailing empty cells aside), and one at least. The
        records peeked at are read again after it, or after the one-column header
        (``header`` then first)."""
        # the records peeked at are read with the header's width: a data row's cell
        # spanning lines is one record, as it is once the header is taken (x18r2 2)
        names = [c.strip() for c in header[1]] if isinstance(header[1], list) else []
        while names and not names[-1]:  # as _check_header: a trailing delimiter
            names.pop()
        self._width = len(names) or width
        try:
            peeked = list(itertools.islice(self._records, FIT_PEEK))
        finally:
            self._width = 0
        fits = sum(1 for _, cells in peeked if isinstance(cells, list)
                   and (len(cells) == width or (len(cells) > width
                                                and not any(cells[width:]))))
        ok = fits >= 1 and 2 * fits >= len(peeked)
        self._records = itertools.chain(peeked if ok else [header, *peeked], self._records)
        return ok

    def _fits(self, cells: list[str]) -> bool | None:
        """Whether a record has the header's width (None: no header known yet)."""
        width = len(self.names) or self._width
        if not width:
            return None
        return len(cells) == width or (len(cells) > width and not any(cells[width:]))

    def __enter__(self) -> _Csv:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()

    def __iter__(self) -> Iterator[tuple[int, list[str] | BadRecord]]:
        return self._records


def _check_unnamed(path: PathLike, delimiter: str | None, encoding: str | None,
                   header_row: int | None, positions: list[int], header_line: int) -> None:
    """InputError when a data record has a value in a column the header leaves unnamed."""
    with _Csv(path, delimiter, encoding, header_row, scan=False) as source:
        for line, cells in source:
            if isinstance(cells, BadRecord):
                continue
            for p in positions:
                if p < len(cells) and cells[p].strip():
                    raise unnamed_refusal(_where(header_line), p + 1, _where(line),
                                          cells[p])


def _trailing_empties(cells: list[str], width: int) -> int | None:
    """How many empty cells follow the header's width (None: a non-empty one does)."""
    extra = cells[width:]
    return None if any(extra) else len(extra)


# the rest of a number an unquoted separator cut off: "$1,500.00" read as "$1" and
# "500.00", "12,000" as "12" and "000", a decimal comma "1234,50" as "1234" and "50"
_NUMBER_REST = re.compile(r"\d{3}(?:[.,]\d{1,2})?|\d{2}")
# and the part before it: the number's first digits, after a sign, a symbol or a code
# (``$1``, ``-12``, ``EUR 1``), never a word ending in a digit (x10r3: the key ``R1``
# before an amount ``200`` read as "1,200" split, and every row of the file failed)
_NUMBER_HEAD = re.compile(r"[-+(]?\s*(?:[A-Z]{3}\s?|[^\w\s])?\s*\d[\d.'\u00a0 ]*")


# the delimiters a number's own mark can be (a thousands separator or a decimal comma): only
# there can an unquoted number split in two (a ";" or tab file's extra cell is no split
# number: v10r14 M3 named '28.02.2026' and '10' as one)
_MARKS = ",."


def split_numbers(cells: list[str], width: int) -> set[int]:
    """The positions (below ``width``) where a cell that is a number's start is followed by one that
    is a three-digit group or two digits: a number whose thousands separator or decimal
    comma is the delimiter, written unquoted (``1,500.00`` or ``1234,50`` in a
    comma-separated file), split in two (v10r10 S1, v10r11)."""
    return {i for i in range(min(width, len(cells) - 1))
            if cells[i].rstrip()[-1:].isdigit() and _NUMBER_HEAD.fullmatch(cells[i].strip())
            and _NUMBER_REST.fullmatch(cells[i + 1].strip())}


def _file_wide_trailer(path: PathLike, delimiter: str | None, encoding: str | None,
                       header_row: int | None, *, header_too: bool = True) -> int:
    """The trailing empty cells every data record has and the header line has too, else 0
    (with ``header_too=False``: every data record has, whatever the header has).

    Only a header line that ends in the same delimiters shows a trailing delimiter: data
    rows that all end in an empty cell the header does not have are as likely one cell
    holding an unquoted delimiter in every row (``Smith, John``) whose last column is
    empty — dropping the empty cell shifted every column after the split, exit 0
    (v10r16 S2: the title ``Smith``, the organization ``John``). Not forgiven either
    when every record also shows a number split at the same place (``split_numbers``),
    an unquoted ``$1,500.00`` (v10r10 S1)."""
    with _Csv(path, delimiter, encoding, header_row) as source:
        width = len(source.names)
        common = _trailing_empties(source.raw_header, width) or None
        if header_too and common is None:
            return 0
        split: set[int] | None = None
        trailing = other = 0
        for _, cells in source:
            trailer = None if isinstance(cells, BadRecord) or len(cells) <= width \
                else _trailing_empties(cells, width)
            if trailer is None or (common is not None and trailer != common):
                if not header_too:
                    return 0
                # the header line ends in the delimiters too: the file's way, which a
                # record of another width breaks alone (x10r1 S2: one short row made
                # every complete row fail, and was itself read shifted)
                other += 1
                continue
            assert not isinstance(cells, BadRecord)
            common, trailing = trailer, trailing + 1
            here = split_numbers(cells, width) if source.dialect.delimiter in _MARKS else set()
            split = here if split is None else split & here
        return 0 if split or trailing <= other else (common or 0)


def _unprefixed(cells: list[str]) -> list[str]:
    """Cells without the spreadsheet text prefix: a ``'`` before a leading ``=``, ``+``,
    ``-``, ``@`` or before text a spreadsheet reads as a value (``00123``, ``1-2``:
    ``manifest_row.unguarded``) is how a spreadsheet (and ``reports.neutralise``, and many CRM exports
    guarding against formula injection) marks a cell as text, not part of its value. It is
    dropped in every CSV, whatever its columns: whether an untouched ``+49 30 1234567``
    or ``@Acme renewal`` from failed.csv reads as its source had it must not depend on the
    report's own columns still being there (a person may delete them). A cell that began
    with ``'`` before such a character itself was written with one more ``'`` and keeps
    its own.

    Excel's text wrapper ``="00123"`` (a formula whose value is the text inside: how many
    CRM exports keep an id's leading zeros) is that text, ``00123``, with ``""`` inside
    read as ``"`` (v10r25 F2: the key ``="00123"`` and a later export's ``00123`` made two
    deals of one record). A ``'`` before it (a failed.csv guarding such a text) keeps it
    as written."""
    return [unguarded(c) if c[:1] == "'" else _unwrapped(c) if c[:2] == '="' else c
            for c in cells]


# ="text": the formula Excel evaluates to the text inside; quotes inside are doubled
_EXCEL_TEXT = re.compile(r'="((?:[^"]|"")*)"')


def _unwrapped(cell: str) -> str:
    """``="X"`` as the text X (``""`` inside as ``"``); any other cell as it is."""
    m = _EXCEL_TEXT.fullmatch(cell)
    return cell if m is None else m.group(1).replace('""', '"')


def _json_value(cell: str) -> Any:
    """A cell of a CSV whose header names JSON paths (a JSON source's failed.csv): an array
    or object written as JSON text (``["Co8 Inc","Other"]``, how the report writes them)
    read back as that array / object, so a fixed row maps as its source did (v10r22: an
    organization named ``["Co8 Inc","Other"]`` once the hold was emptied); anything else
    as it is."""
    if len(cell) < 2 or (cell[0], cell[-1]) not in (("[", "]"), ("{", "}")):
        return cell
    try:
        value = orjson.loads(cell)
    except orjson.JSONDecodeError:
        return cell
    return value if isinstance(value, list | dict) else cell


def _read_csv(path: PathLike, delimiter: str | None, encoding: str | None,
              header_row: int | None = None) -> Iterator[SourceRow]:
    with _Csv(path, delimiter, encoding, header_row) as source:
        names = source.names
        width = len(names)
        index = path_index(names) if names_paths(names) else None
        allowed = width
        unsaid = 0  # the trailing empty cells every row has and the header line has not
        first = True
        footer_seen = False  # a report's footer line came: the lines after it are its own
        if _trailing_empties(source.raw_header, width):  # the header line ends in delimiters
            allowed = width + _file_wide_trailer(path, delimiter, encoding, header_row)
            first = False
        for line, cells in source:
            # the row a spreadsheet shows it on; messages add its line where they differ
            number, first_record, first = line.row if line.__class__ is Line else line, \
                first, False
            if first_record and not isinstance(cells, BadRecord) and len(cells) > width:
                allowed = width + _file_wide_trailer(path, delimiter, encoding, header_row)
                unsaid = 0 if allowed > width else _file_wide_trailer(
                    path, delimiter, encoding, header_row, header_too=False)
            if isinstance(cells, BadRecord):
                yield _bad(number, line, names, cells.cells, cells.reason, misaligned=True)
            elif len(cells) != allowed and (group := group_header(
                    cells, where_row(number, line))) is not None:
                yield _bad(number, line, names, cells, "")._replace(
                    error=InputError(group, row=number))
            elif len(cells) != allowed and (footer := report_footer(
                    cells, where_row(number, line), after_footer=footer_seen)
                    or totals_line(cells, where_row(number, line))) is not None:
                footer_seen = True
                yield _bad(number, line, names, cells, "")._replace(
                    error=InputError(footer, row=number))
            elif len(cells) != allowed:
                split = split_numbers(cells, width) if len(cells) > width \
                    and source.dialect.delimiter in _MARKS else set()
                yield _bad(number, line, names, cells,
                           (f"{len(cells)} cells but the header has {width} columns"
                            if allowed == width else
                            f"{len(cells)} cells, but the header line and most lines have "
                            f"{allowed} (they end in {allowed - width} delimiter(s)): a "
                            "cell is missing or one too many")
                           + (f"; {cells[min(split)]!r} and {cells[min(split) + 1]!r} look like "
                              "one number split at an unquoted thousands separator or "
                              "decimal comma: quote it in the file" if split else
                              f"; every row ends in {unsaid} empty cell(s) the header line "
                              "has not: a cell holding an unquoted delimiter (Smith, John) "
                              "shifts the columns after it — quote it; if instead every "
                              "line ends in a delimiter, end the header line with "
                              f"{'one' if unsaid == 1 else unsaid} too"
                              if unsaid and len(cells) == width + unsaid else ""),
                           misaligned=True)
            elif cells[0].endswith(")") and (group := group_header(
                    cells, where_row(number, line))) is not None:
                yield _bad(number, line, names, cells, "")._replace(
                    error=InputError(group, row=number))
            elif (footer_seen or (cells[0].lstrip()[:1] or "T") in TOTAL_STARTS) and (
                    total := (
                    report_footer(cells, where_row(number, line), after_footer=footer_seen)
                    or totals_line(cells, where_row(number, line)))) is not None:
                # a footer or totals line as wide as the header (x9r6: padded with empty
                # cells, a title default made them deals)
                footer_seen = True
                yield _bad(number, line, names, cells, "")._replace(
                    error=InputError(total, row=number))
            elif not (joined := "".join(cells)).isascii() \
                    and _UNENCODABLE.search(joined) is not None:  # not _is_utf8, no call
                yield _bad(number, line, names, cells,
                           _undecodable(source.chosen, names, cells))
            else:
                if "'" in joined or '="' in joined:  # else no prefix and no wrapper
                    cells = _unprefixed(cells)
                if index is None:
                    row = dict(zip(names, cells if allowed == width else cells[:width],
                                   strict=True))
                else:  # a JSON source's failed.csv: its arrays as the source had them
                    row = TableRow(zip(names, map(_json_value, cells[:width]),
                                       strict=True), index)
                if source.skipped:
                    row.pop("", None)
                # SourceRow(...) is a Python __new__ a record; the tuple's own is not
                yield _new_tuple(SourceRow, (number, line, row, None))


_new_tuple = tuple.__new__


def _bad(number: int, line: int, names: list[str], cells: list[str], reason: str, *,
         misaligned: bool = False) -> SourceRow:
    """An error row that keeps every original cell (extra ones as ``(extra N)`` columns);
    ``misaligned``: its cells are not the header's columns (``MisalignedRow``)."""
    values: dict[str, Any] = {}
    # the cells as a good record's are read (``="00123"`` as 00123), so that a failed
    # file written from them reads back so (x25r2 F1: '="00123"' re-imported as the key
    # ="00123", and the fixed source row made a second deal)
    for position, cell in enumerate(_unprefixed(cells)):
        name = names[position] if position < len(names) else f"(extra {position - len(names) + 1})"
        if name:  # a column with no name (and no value: _Csv) is skipped
            values[name] = _printable(cell)
    error = MisalignedRow if misaligned else InputError
    # the row is the error's own ("row N: ..."); the file's line where it differs
    return SourceRow(number, line, values, error(reason + line_note(number, line), row=number))


def _row_of(line: int) -> int:
    """The spreadsheet row of a record starting on ``line`` (``csv_records.Line``)."""
    return line.row if isinstance(line, Line) else line


def _where(line: int) -> str:
    """A record starting on ``line``, as messages name it (``where_row``)."""
    return where_row(_row_of(line), line)
