"""One manifest record as every reader yields it (``SourceRow``), and what the readers share.

``SourceRow`` (a record's row number, line, values and, for a bad record, its error),
``PathSample`` (a JSON manifest's header: a sample of its paths), the formats and the
path type. Moved out of ``bulk.manifest`` (issue 8), which still re-exports every name,
so that ``bulk.manifest_csv`` can build rows without importing the module that imports
it. It reads no file.
"""

from __future__ import annotations

import os
import re
from typing import Any, Literal, NamedTuple

from .errors import InputError

# what a spreadsheet runs as a formula at a cell's start (or their full-width forms): a
# report guards such a cell with a leading "'" (``bulk.reports.neutralise``), and every
# reader drops it again (``bulk.manifest_csv``, ``bulk.manifest_xlsx``)
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")

# text a spreadsheet opening a CSV takes for a number, a date or a time, and so writes
# back changed (x25r2 F2: a key 00000123 saved by Excel as 123, a second deal): leading
# zeros, 12 digits or more (shown as 1.23457E+11, saved so; past 15 digits lost), a
# mantissa and exponent (1E5), day-month forms (1-2, 3/4, 2024-01-02, 1.2.2024, 1-Jan,
# Jan-24, with a time or not) and times (10:30). A report guards such a cell with a
# leading "'" as it guards a formula, and every reader drops it again.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_TIME = r"\d{1,2}:\d{1,2}(?::\d{1,2}(?:[.,]\d+)?)?(?:\s*[ap]\.?m\.?)?"
_DATE = (rf"(?:\d{{1,4}}[-/]\d{{1,2}}(?:[-/]\d{{1,4}})?|\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}"
         rf"|\d{{1,2}}[-/ ]{_MONTH}(?:[-/ ]\d{{1,4}})?|{_MONTH}[-/ ]\d{{1,4}}(?:[-/ ,]+\d{{1,4}})?)")
_SPREADSHEET_CHANGES = re.compile(
    rf"\s*[-+]?(?:0\d+(?:[.,]\d*)?|\d{{12,}}(?:[.,]\d*)?|\d+(?:[.,]\d*)?e[-+]?\d+"
    rf"|{_DATE}(?:[ T]+{_TIME})?|{_TIME})\s*", re.IGNORECASE)


def read_as_value(text: str) -> bool:
    """Whether a spreadsheet opening a CSV reads this cell as a number, date or time whose
    text it writes back otherwise (``00123`` as 123, ``1-2`` as 2-Jan)."""
    return _SPREADSHEET_CHANGES.fullmatch(text) is not None


def spreadsheet_changes(text: str) -> bool:
    """Whether a reader takes a ``'`` before this text for the spreadsheet's text prefix:
    it starts a formula or a sign (``FORMULA_START``), or a spreadsheet reads it as a
    value (``read_as_value``)."""
    return bool(text) and (text[:1] in FORMULA_START or read_as_value(text))


def unguarded(text: str) -> str:
    """A cell without the spreadsheet's text prefix: one ``'`` dropped before what a
    spreadsheet would change (``spreadsheet_changes``: ``'=x``, ``'+49…``, ``'00123``,
    ``'1-2``). A cell that began with ``'`` before such text was written with one more
    ``'`` (``bulk.reports.neutralise``) and keeps its own."""
    if text[:1] == "'" and spreadsheet_changes(text.lstrip("'")):
        return text[1:]
    return text

Format = Literal["csv", "jsonl", "json", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "json", "xlsx")
PathLike = str | os.PathLike[str]


class HeaderRowError(InputError):
    """The header row asked for (``header_row``, as a spreadsheet numbers rows) is past
    the file's end or empty. ``template`` holds ``{source}`` where the setting is named:
    "header_row" (the library's keyword) by default; ``said`` names another (the CLI's
    ``--header-row``, the mapping's ``[defaults] header_row``: x46r7 F2)."""

    def __init__(self, template: str, header_row: int) -> None:
        super().__init__(template.format(source="header_row"))
        self.template = template
        self.header_row = header_row

    def said(self, source: str) -> str:
        """The message with ``source`` named as where the row came from."""
        return self.template.format(source=source)


class HeaderLine(InputError):
    """A line of the file that is a header, not a record (a header repeated where files were
    joined, another export's header): its cells are column names, its "key" no key."""


class MisalignedRow(InputError):
    """A record the reader could not split into the header's columns: more or fewer cells
    than the header, a quote left open. Its cells, as a failed-rows file writes them
    under the header's names, may sit under other columns than their own, so that file
    holds the row (``bulk.reports.HOLD_MISALIGNED``) until a person has checked them
    (x10r1 S1: a short row, re-imported from failed.csv as it was, became a deal with
    its organization in the person's column)."""


class SourceRow(NamedTuple):
    """One manifest record: ``row``, its source position — the one row number every
    message, plan, failed file and ``--json`` report shows (see the module docstring):
    CSV and XLSX, the row a spreadsheet shows it on (the header's is row 1; a CSV record
    whose cells span lines is one row, x25r2 F4); JSONL, its line; a JSON array, the
    record's 1-based index. ``line``: the physical line the record starts on (CSV: past a
    cell of several lines above it, more than ``row``; a message then names both,
    ``where_row``); the same number for the other formats. Rows come out in increasing
    ``row`` order, each number once; blank records and the header take numbers but are
    not rows, so the numbers have gaps.

    A NamedTuple rather than a frozen dataclass: a million of them are built per
    job, and a tuple is built several times faster.
    """

    row: int
    line: int
    values: dict[str, Any]
    error: InputError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class PathSample(list[str]):
    """The header of a JSON or JSONL manifest: the leaf paths of its first 1,000 records,
    in order of appearance — a sample, not a closed list. A mapping may name any
    well-formed path (``check_paths``); a record without it has an empty value there, and
    only a pass over every record (plan, the import's load) can tell that no record has it.
    Paths where a sampled record holds an object or an array of objects are left out
    (no text target takes one; its leaves are paths of their own)."""

    __slots__ = ()


# the lines a report export writes after its records (Salesforce's CSV and XLSX reports:
# "Grand Totals (11 records)", a blank line, "Copyright (c) 2000-2026 salesforce.com, inc.
# ...", "Confidential Information - Do Not Distribute", "Generated By: ...", the company)
_FOOTER = re.compile(r"\s*(?:grand\s+totals?\s*\(\s*\d[\d,.' ]*\s*records?\s*\)"
                     r"|copyright\s*(?:\(c\)|©).*salesforce"
                     r"|confidential\s+information\s*[-\u2013\u2014]\s*do\s+not\s+distribute"
                     r"|generated\s+by\b)", re.IGNORECASE)  # x9r7: ©, en dash, no colon


def where_row(row: int, line: int) -> str:
    """How a message names a CSV or XLSX record: its spreadsheet row (the header's is 1,
    as Excel and LibreOffice number them), and the file's line it starts on where a cell
    of several lines above it makes the two differ (x25r2 F4: "line 14" named the 12th
    row of a file with notes of three lines)."""
    return f"row {row}{line_note(row, line)}"


def line_note(row: int, line: int) -> str:
    """What a message on the record of spreadsheet ``row`` adds to say where the file has
    it: its ``line``, where the two differ (``where_row``); else nothing (and for a row
    rebuilt from a job's store, ``line`` 0: not known)."""
    return "" if row == line or line <= 0 else f" (line {line} of the file)"


def at_line(reason: str, row: int | None, line: int) -> str:
    """A refusal of the record of spreadsheet ``row`` as every job kind's load writes it
    (reports, plans): ``reason`` and, where the file has the record on another ``line``,
    that line (``line_note``), said once — a reader's own refusal says it already. The one
    way import, update, move-stage and merge name a row they refuse (f27b: only the
    import's said the line, an update's "row 9" was line 13 of the file)."""
    note = line_note(row, line) if row is not None else ""
    return reason + note if note and note not in reason else reason


def report_footer(cells: list[Any], where: str, *, after_footer: bool = False) -> str | None:
    """The reason a record is no record but a line of a report's footer (its one filled
    cell reads like Salesforce's "Grand Totals (11 records)", "Copyright (c) ...
    salesforce.com", "Confidential Information - Do Not Distribute" or "Generated By:"),
    else None. Such a line still fails (a reader never drops a line silently), saying
    what it is and what to do (x9r1: every Salesforce report export failed 5 lines as
    "1 cells but the header has 12 columns"). ``after_footer``: a footer line came
    before, so a line of one filled cell is one too (the company's name ends the footer).
    ``where``: the record, as messages name it (``where_row``)."""
    filled = [c for c in cells if c is not None and str(c).strip()]
    if len(filled) != 1 or not isinstance(filled[0], str) or not (
            after_footer or _FOOTER.match(filled[0])):
        return None
    return (f"{where} is a line of a report's footer ({filled[0].strip()[:60]!r}), not a "
            "record: delete the footer lines at the end of the file (from \"Grand Totals\" "
            "on, the company name too), or export the report's details only")


# a summary report's group header: the grouping field, a colon, the group's value and its
# record count (Salesforce's "Stage: Proposal Made (4)", "Opportunity Owner: Tom Becker
# (12 records)"), alone on its line above the group's records
_GROUP_HEADER = re.compile(r"\s*[^:()\n]{1,60}:[^\n]{0,200}\(\s*\d[\d,.' ]*(?:\s*records?)?\s*\)\s*",
                           re.IGNORECASE)


def group_header(cells: list[Any], where: str) -> str | None:
    """The reason a record is a summary report's group header, not a record: its one filled
    cell, the first, reads like "Stage: Proposal Made (4)" (x46r1 F4: the first such line
    failed as "the source key is empty", those after a subtotal as "a line of a report's
    footer", and init-mapping proposed their text as stages), else None. ``where``: the
    record, as messages name it (``where_row``)."""
    filled = [c for c in cells if c is not None and str(c).strip()]
    if len(filled) != 1 or filled[0] is not cells[0] or not isinstance(filled[0], str) \
            or not _GROUP_HEADER.fullmatch(filled[0]):
        return None
    return (f"{where} is a group header of a summary report ({filled[0].strip()[:60]!r}), "
            "not a record: export the report as Details Only (tabular), without its groups "
            "and totals")


# a report's totals line: its first cell names it, every other filled cell is a number
# (Salesforce's "Grand Totals (3 records)" beside the amount's sum; "Total", "Sum")
_TOTALS = re.compile(r"\s*(?:grand\s+totals?|sub\s*totals?|totals?|sum|summe|gesamt(?:summe)?"
                     r"|count|record\s+count|average|avg)"
                     r"(?:\s+of\s+[^():]{1,40})?"  # Sum of Amount (x10r3)
                     r"(?:\s*\(\s*(?:\d[\d,.' ]*\s*records?|[A-Za-z]{3})\s*\))?\s*:?\s*",
                     re.IGNORECASE)
_CODE = re.compile(r"\s*[A-Z]{3}\s*")  # a currency code beside the sums
_AGGREGATE = re.compile(r"\s*(?:sum|count|record count|average|avg|min|max|median|total)"
                        r"(?:\s+of\b.*|\s*:.*|\s*\(.*\))?\s*", re.IGNORECASE)
_AMOUNT = re.compile(r"[\s$€£¥+\-(]*(?:[A-Z]{3}\s?)?[\s$€£¥+\-(]*"  # "EUR 6,000.00" (x10r4)
                     r"\d[\d\s,.'\u00a0\u202f]*[)%]?\s*(?:[A-Z]{3}|[$€£¥])?\s*")
# a first cell that may start a footer or totals line (Grand, Copyright, Confidential,
# Generated, Total, Sum, Count, Average, Record count): the readers look closer only then
TOTAL_STARTS = frozenset("GgSsTtCcAaRr")


def totals_line(cells: list[Any], where: str) -> str | None:
    """The reason a record is a report's totals line, not a record: its first cell reads
    like "Grand Totals (3 records)", "Total" or "Sum", at least one other cell is a number,
    and every other filled cell is a number, a currency code (``GBP``) or the name of an
    aggregate (``Sum of Amount``, ``Count: 3``) (x9r4 F5: such lines were imported as deals
    keyed "Total" with the sum as their amount; x9r7: also beside a currency cell), else
    None. The first cell is the first filled one (x44r1 L3: an export's ``,,,Total,,,"EUR
    185.736.887,23"`` read as "source key is empty", the same line of an XLSX as "a group
    or section title line"); a formula whose value the file does not store (an XLSX's
    uncached ``=SUM(C2:C4)``) counts as a number."""
    at = next((n for n, c in enumerate(cells) if c is not None and str(c).strip()), None)
    if at is None:
        return None
    first = cells[at]
    if not isinstance(first, str) or not _TOTALS.fullmatch(first):
        return None
    others = [c for c in cells[at + 1:] if c is not None and (
        str(c).strip() or getattr(c, "formula", None))]
    numbers = [c for c in others if isinstance(c, int | float) or (
        isinstance(c, str) and (_AMOUNT.fullmatch(c) or getattr(c, "formula", None)))]
    # beside its numbers, a totals line may say their currency or what they add up
    # ("Total",,"1,500.00","GBP"; "Sum of Amount"; "Count: 3": x9r7), nothing else
    if not numbers or not all(c in numbers or (isinstance(c, str) and (
            _CODE.fullmatch(c) or _AGGREGATE.fullmatch(c))) for c in others):
        return None
    return (f"{where} is a report's totals line ({first.strip()[:40]!r} beside "
            f"{len(numbers)} number(s)), not a record: delete it (and the report's footer "
            "lines after it), or export the report's details only")
