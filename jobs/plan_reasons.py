"""Bad rows by reason, as a plan counts and prints them: a row's error without its cell
values (``reason_class``: the line rows are counted under), and per class its first row's
reason in full with its first rows (``ReasonTally``, ``reason_line``).

Why ~520 lines: a class's line and the hint printed under it are one concept — a hint is
only given after it is read back over the class's cells (under the mapping's date_locale:
y54r2 F4), so the reading-back stays beside the tally that prints it."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bulk.errors import InputError
from bulk.wording import counted, noun

from .mapping.spec import _check_formats
from .mapping.starter import date_formats_for
from .transforms import parse_date
from .transforms.date_patterns import date_part, swapped_pattern
from .transforms.month_locale import locales_naming, unknown_month_words

# quoted cells and numbers; not the numbers of the wording ("a 2-digit year", "2^53",
# "15 significant digits", "U+0000")
# a cell quoted by repr starts and ends off a word: an apostrophe inside one ("that row's
# update; ... this row's hold cell") is no quote (x12r4 F3: elided as one cell)
_QUOTED = re.compile(r"(?<!\w)'(?:[^'\\]|\\.)*'(?!\w)|\"(?:[^\"\\]|\\.)*\"|(?<!\^)(?<!U\+)\b\d[\d,.]*\b"
                     r"(?!-[a-z]|\^| significant)")


# a date, a date and time (ISO 8601, as Pipedrive's update_time), or a time with seconds: one
# value each, elided whole (x22r3: "update_time …-…-03T19:…:14Z then, …" kept the digits
# next to letters, so each conflict of plan undo was a reason of its own)
_TIMESTAMP = re.compile(r"(?<![\w.-])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                        r"(?:Z|[+-]\d{2}:?\d{2})?)?(?![\w:-])|(?<![\w:.])\d{1,2}:\d{2}:\d{2}"
                        r"(?:\.\d+)?Z?(?![\w:])")


def _elide(found: re.Match[str]) -> str:
    text = found[0]
    # a cell is quoted by repr: '...' — or "..." only when it holds a ' itself; any other
    # "..." is the hint's own mapping syntax ("unix_ms", "excel") and is kept
    if text.startswith('"') and "'" not in text:
        return text
    return "…"


def _key_named(key: str) -> re.Pattern[str]:
    # the wording's own "the key field", "its key cell", "the mapping's key column" name
    # no key: a key named is never after a determiner ("carries key K", "(key K)")
    return re.compile(rf"(?<![\w-])(?<!the )(?<!its )(?<!'s )key ({re.escape(key)})"
                      r"(?=$|[\s,;:)])")


def _without_key(reason: str, key: str) -> str:
    """``reason`` with the row's source ``key`` elided where the message puts it unquoted:
    the first ``key K`` (``key K5000 belongs to …``, ``carries key K (its key field …``).
    Never a bare word equal to the key elsewhere (f26j: a key ``a`` or ``date`` made
    ``not a date: …`` read ``not … date`` and split one reason in two); a quoted key
    (``'K5000'``) is a quoted cell, elided as any other."""
    found = _key_named(key).search(reason)
    if found is None:
        return reason
    return f"{reason[:found.start(1)]}…{reason[found.end(1):]}"


# the merged range a row's cell lies inside (``bulk.manifest_xlsx``'s refusal): one class
# per column, its ranges named by the line (x49r5 F2: 41 lines, one per range, a wall)
_MERGED_RANGE = re.compile(r"(?<=inside the merged cells )[A-Z]{1,3}\d+:[A-Z]{1,3}\d+\b")
MERGED_RANGES_SHOWN = 5  # the ranges a merged-cells line names
# an undo's conflict: what a colleague changed and the fields left as the job wrote them
# are the row's (failed.csv's reason says them), the kind of conflict is the class
# (x49r5 F4: 8 conflicts of one kind in 5 lines, one per list of fields left alone)
_CONFLICT_DETAIL = re.compile(r"(?<=changed since the job wrote it \()[^():]+: job's .*"
                              r"(?=\); left alone)"
                              r"|(?<=; left alone: ).*?(?= too, still as the job wrote )"
                              r"|(?<= too, still as the job wrote )(?:it|them)\b")


def reason_class(reason: str, column: str | None, key: str | None = None) -> str:
    """A row error without its cell values (the cells it quotes and numbers become ``…``;
    the fix hint's ``"unix_ms"`` stays; the row's source ``key`` too where the message
    names it unquoted after ``key``: ``key K5000 belongs to archived deal …``), with its
    column: the line ``plan`` counts rows under."""
    if key:
        reason = _without_key(reason, key)
    # another row's line (``also named by row 3 (line 5 of the file)``) is the example's,
    # not the class's: one class whether that row's line differs or not
    reason = _ANY_LINE_NOTE.sub("", reason)
    named, reason = _named_column(_CONFLICT_DETAIL.sub("…", _MERGED_RANGE.sub("…", reason)))
    general = named + _QUOTED.sub(_elide, _TIMESTAMP.sub("…", reason))
    return f"{column}: {general}" if column else general


# a reason that starts by naming its column (``column 'merge_id': not a deal id: '-1'``,
# jobs.merging): the name is the class's, not a cell value (x42r5 F10: a bad merge_id
# was counted under "column 'survivor_id'", its name listed as a value)
_COLUMN_NAMED = re.compile(r"column (?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"): ")


def _named_column(reason: str) -> tuple[str, str]:
    """(the leading ``column 'X': `` of ``reason``, or "", the rest)."""
    m = _COLUMN_NAMED.match(reason)
    return (m[0], reason[m.end():]) if m else ("", reason)


def cell_values(reason: str, key: str | None = None) -> list[str]:
    """The values ``reason_class`` elides from ``reason`` (its quoted cells, numbers and
    times), in order: what tells one row of a class from another (x41r1 L1: rows of -5, 0
    and 1.5 were listed "like" the first row's 'abc')."""
    if key:
        reason = _without_key(reason, key)
    reason = _named_column(_ANY_LINE_NOTE.sub("", reason))[1]
    found = [(m.start(), m[0]) for m in _TIMESTAMP.finditer(reason)]
    rest = _TIMESTAMP.sub(lambda m: " " * len(m[0]), reason)
    found += [(m.start(), m[0]) for m in _QUOTED.finditer(rest) if _elide(m) == "…"]
    return [text for _, text in sorted(found)]


REASON_ROWS_SHOWN = 5  # the rows a reason's line names: the first of them in full

# the file's line a reason ends with where the row's differs (bulk.manifest_row.line_note):
# said by the row, not by the class (x26r3 1: one class per line number otherwise)
_LINE_NOTE = re.compile(r" \(line (\d+) of the file\)$")
_ANY_LINE_NOTE = re.compile(r" \(line \d+ of the file\)")
# a reader's own refusal names its row first (``row 246 (line 372 of the file) is a line
# of a report's footer``): that row's number and line are the row's, said by its row as
# other reasons' are, never one of its values (x46r1 F4: "rows 246 (246, 'Copyright…')",
# "rows 16 (16), 22 (22)")
_OWN_ROW = re.compile(r"row (\d+)( \(line (\d+) of the file\))? ")


# a date no pattern read (``transforms.parse_date``'s last word): its column's values may
# all read by a pattern of ``[defaults] date_formats`` (x26r2 2)
_UNREAD_DATE = re.compile(r"not a date: (?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") \(tried ")
DATE_VALUES_KEPT = 5000  # the distinct values of one class a date hint reads (memory bound)
# a number no listed pattern read, with the unit it likely is (``transforms.dates``:
# ``'46097' is only digits (tried %m/%d/%Y, ISO (YYYY-MM-DD); it looks like an Excel serial
# day number ("excel": 2026-03-16; ...``): the token its field's own formats lack
_DIGITS_DATE = re.compile(r"not a date: (?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") is "
                          r"(?:only digits|a number) \(tried "
                          r".*?; [^;]*?\(\"(unix|unix_ms|unix_us|excel|excel_1904)\": ")
# an XLSX number cell no listed format read (``dates.parse_date``: "not a date: the number
# 46640 (add ...; it looks like an Excel serial day number ("excel": 2027-09-10 ...)"):
# the reason names no list tried, so the hint names the token alone (x51r2 F3)
_NUMBER_CELL = re.compile(r"not a date: the number \S+ \(add [^;]*; [^;]*?\(\""
                          r"(unix|unix_ms|unix_us|excel|excel_1904)\": ")
# another column's unread date in a row's ``(also: column 'X': not a date: 'v' (tried …))``
# part (``rowmapper._all_of``): its column, its cell, and whether a listed format tried it
_ALSO_DATE = re.compile(r"(?:\(also: |; )column ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"): "
                        r"not a date: ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") \(tried "
                        r"(ISO \(YYYY-MM-DD\)\))?")


class ReasonTally:
    """Bad rows counted per ``reason_class`` with, for each class, its first row's reason in
    full (column first) and the first ``REASON_ROWS_SHOWN`` row numbers: ``Plan.reasons``
    and ``Plan.reason_examples``. A class of dates no pattern read whose values all read
    by one ``date_formats`` (``jobs.mapping.starter.date_formats_for``, as init-mapping
    proposes it) has its ``hint`` saying to add it (``examples``)."""

    __slots__ = ("_cell_units", "_cells", "_columns", "_dates", "_examples", "_listed",
                 "_listed_columns", "_locale", "_ranges", "_read_only", "_tried", "_units",
                 "_unlisted", "counts")

    def __init__(self, locale: str | None = None) -> None:
        """``locale``: the mapping's ``[defaults] date_locale``, by which every date hint
        is read before it is given (y54r2 F4)."""
        self._locale = locale
        self.counts: Counter[str] = Counter()
        self._examples: dict[str, dict[str, Any]] = {}
        self._dates: dict[str, dict[str, None] | None] = {}  # class -> its values (None: not
        # all cells known, or too many to read)
        # class -> its column, when the cell was read by listed formats (a field's own, or
        # [defaults] date_formats): the hint names the field's formats, not [defaults]
        self._listed: dict[str, str | None] = {}
        self._tried: dict[str, list[str]] = {}  # class -> the formats its reason tried
        self._columns: dict[str, str | None] = {}  # unread-date class -> its column
        self._ranges: dict[str, dict[str, None]] = {}  # class -> its merged ranges, in order
        # column -> every unread date cell of it the reasons name, whichever class a row is
        # counted under (its first failure or an "(also: …)" part; None: too many), and
        # the columns whose cells a listed format tried: what the [defaults] guard reads
        self._cells: dict[str | None, dict[str, None] | None] = {}
        self._listed_columns: set[str | None] = set()
        # class of numbers listed formats failed -> its column and the token they read by
        # (x50r3 F7: the field's own formats are told it, not [defaults])
        self._units: dict[str, tuple[str | None, str]] = {}
        self._cell_units: dict[str, tuple[str | None, str]] = {}  # XLSX number cells
        self._unlisted: set[str] = set()  # those of them only ISO 8601 tried ([defaults]
        # date_formats = []: its reason's "add "excel" to date_formats" is right there)
        # column -> cells its listed formats read and no other order does (``read_only``)
        self._read_only: dict[str | None, list[str]] = {}

    def read_only(self, cells: Mapping[str, Sequence[str]]) -> None:
        """Per date column, cells its listed formats read and no other order of them does
        (``DateOrder.listed_only``, learned from the whole file): a hint that reads none of
        them names an order the column's other cells contradict, and is not given (x52r6
        F4: one typo ``27/05/38`` under ``["%y/%m/%d"]`` hinted ``["%d/%m/%y"]``)."""
        self._read_only.update({c: list(v) for c, v in cells.items() if v})

    def add(self, reason: str, column: str | None, key: str | None, row: int | None,
            n: int = 1, value: object = None) -> None:
        """``value``: the row's cell in ``column``, read for a date hint. A reason ending
        with the file's line (``(line 13 of the file)``) is counted without it; the
        example keeps that line by its row (``lines``: {"9": 13})."""
        line = None
        if (noted := _LINE_NOTE.search(reason)) is not None:
            reason, line = reason[:noted.start()], int(noted[1])
        told = reason
        if row is not None and (head := _OWN_ROW.match(reason)) is not None \
                and int(head[1]) == row:
            if head[3] is not None:
                line = line if line is not None else int(head[3])
                reason = reason[:head.start(2)] + reason[head.end(2):]
            told = reason[head.end() - len(head[2] or ""):]
        cls = reason_class(reason, column, key)
        self.counts[cls] += n
        parts = cell_values(told, key)
        example = self._examples.setdefault(
            cls, {"reason": f"{column}: {reason}" if column else reason, "rows": [],
                  "values": parts})
        if row is not None and len(example["rows"]) < REASON_ROWS_SHOWN:
            example["rows"].append(row)
            first = example["values"]
            if parts != first:  # x41r1 L1: its own values, not the first's: those that
                # differ where the reason has as many as the first row's, else all
                own = [p for p, f in zip(parts, first, strict=True) if p != f] \
                    if len(parts) == len(first) else parts
                # each value once (x42r4 L2: "row 14 (212, 214, 214, 214, 212, 212)")
                example.setdefault("own", {})[str(row)] = ", ".join(dict.fromkeys(own))
            if line is not None:
                example.setdefault("lines", {})[str(row)] = line
        if (merged := _MERGED_RANGE.search(reason)) is not None:
            ranges = self._ranges.setdefault(cls, {})
            if len(ranges) < DATE_VALUES_KEPT:
                ranges[merged[0]] = None
        for also in _ALSO_DATE.finditer(reason):
            self._cell(_unquoted(also[1]), _unquoted(also[2]), listed=also[3] is None)
        if (cell := _NUMBER_CELL.match(reason)) is not None:
            self._cell_units.setdefault(cls, (column, cell[1]))
        if (digits := _DIGITS_DATE.match(reason)) is not None:
            self._units.setdefault(cls, (column, digits[1]))
            if "(tried ISO (YYYY-MM-DD);" in reason:
                self._unlisted.add(cls)
            self._tried.setdefault(cls, tried_formats(reason))
        if _UNREAD_DATE.match(reason):
            self._columns.setdefault(cls, column)
            listed = "(tried ISO (YYYY-MM-DD))" not in reason
            self._cell(column, None if value is None else str(value).strip(), listed=listed)
            if listed:
                self._listed.setdefault(cls, column)
                self._tried.setdefault(cls, tried_formats(reason))
            values = self._dates.setdefault(cls, {})
            if values is not None and (value is None or len(values) >= DATE_VALUES_KEPT):
                self._dates[cls] = None
            elif values is not None:
                values[str(value).strip()] = None

    @property
    def examples(self) -> dict[str, dict[str, Any]]:
        """Per class, its first row's reason and rows, and for dates a ``hint``."""
        out = dict(self._examples)
        tokens: dict[str | None, list[str]] = {}  # column -> the tokens its numbers read by
        for column, unit in self._units.values():
            tokens.setdefault(column, [])
            if unit not in tokens[column]:
                tokens[column].append(unit)
        owned: dict[str | None, list[str]] = {}  # column -> the own formats hinted to it
        for cls, values in self._dates.items():
            # the order a field's own list gave decides cells that cannot tell theirs; the
            # column's every unread cell the reasons name is read with the class's, so no
            # hint proposes an order its other cells contradict, nor one per class (x51r2
            # F1d: '06/06/08' alone was hinted "%m/%d/%y" beside '35/09/04', year first)
            whole = self._cells.get(self._columns.get(cls))
            # the whole column first: every class of it reads the same list, in one order
            # (x52r6 Low: two classes, one hint each, the same patterns in two orders)
            cells = list(dict.fromkeys([*whole, *values])) if values and whole else values
            formats = date_formats_for(list(cells), self._tried.get(cls, ()), self._locale,
                                       names=True) if values and cells else None
            if formats:
                told: tuple[str | None, list[str]] | None = None
                listed = ", ".join(f'"{f}"' for f in formats)
                hint = f"add date_formats = [{listed}] under [defaults] in the mapping"
                # never an order under [defaults] that another column reading them takes
                # unchecked (x49r12 F2: followed, 276 of 300 renewal dates swapped)
                blind = None if cls in self._listed else self._untold_beside(cls, formats)
                if cls in self._listed or blind is not None:
                    # a list read the cells already (x41r3 L5: added to [defaults], beside
                    # "%d/%m/%Y", it made a list the mapping refuses); the list tried is kept
                    # before the new patterns, but for a pattern of the other order (x49r3
                    # F6: ["excel"] told ["%d/%m/%Y"]: 10 failures became 390; x49r12 F4:
                    # ["excel", "%m/%d/%Y"] lost its "excel": 150 serial rows failed)
                    column = self._listed.get(cls, self._columns.get(cls))
                    own = _kept_with(self._tried.get(cls, []), formats)
                    own += [t for t in tokens.get(column, []) if t not in own]
                    told = (column, own)
                    why = ("which any other date column would read too" if blind is None else
                           f"which {blind!r} reads too, its cells not telling day from month")
                    hint = _own_formats_hint(column, own, why)
                    formats = own
                read = self._read_only.get(self._listed.get(cls, self._columns.get(cls)), [])
                # no hint whose formats leave a cell of its class unread, as the mapping
                # reads it, under date_locale (y54r2 F4: "30 January 2026" under "fr" was
                # hinted the very ["%d %B %Y"] it failed by, 2 of 2 runs)
                if (unread := next((c for c in values or {}
                                    if not _reads(c, formats, self._locale)), None)):
                    if (advice := _unread_hint(unread, self._locale,
                                               self._tried.get(cls, formats))) is None:
                        continue
                    hint, told = advice, None
                elif (against := next((c for c in read
                                       if not _reads(c, formats, self._locale)), None)):
                    first = next(iter(values or {}), "")
                    hint = (f"fix {first!r} in the file (a typo?), and the other cells of "
                            f"this reason: the column's other cells, such as {against!r}, "
                            f"read only in the order of its formats, and no order that "
                            f"reads {first!r} reads them")
                if told is not None:
                    owned[told[0]] = told[1]
                out[cls] = {**out[cls], "hint": hint}
            elif (advice := next((a for c in values or {}
                                  if (a := _unread_hint(c, self._locale,
                                                        self._tried.get(cls, ()))) is not None),
                                 None)) is not None:
                out[cls] = {**out[cls], "hint": advice}  # no format reads it (y54r2 F4)
        for cls, (column, unit) in self._units.items():
            if cls in self._unlisted and column not in owned:
                continue
            # the numbers' reason says "add "excel" to date_formats": under [defaults] that
            # changes nothing for a field of its own formats (x50r3 F7): the field's list,
            # as the hint of its text dates gives it, with its tokens
            own = owned.get(column) or [*self._tried.get(cls, []), *(
                t for t in tokens.get(column, [unit]) if t not in self._tried.get(cls, []))]
            out[cls] = {**out[cls], "hint": _own_formats_hint(
                column, own, "which any other date column would read too")}
        for cls, (column, unit) in self._cell_units.items():
            if "hint" not in out[cls]:
                where = f"that read {column!r}" if column else "of this column"
                out[cls] = {**out[cls], "hint": f'add "{unit}" to the date formats {where} '
                            "(its field's own formats, or [defaults] date_formats), beside "
                            "the patterns of its text dates"}
        for cls, ranges in self._ranges.items():
            if len(ranges) > 1:  # (x49r5 F2: a line per range)
                shown = ", ".join(list(ranges)[:MERGED_RANGES_SHOWN])
                more = f" and {len(ranges) - MERGED_RANGES_SHOWN:,} more" \
                    if len(ranges) > MERGED_RANGES_SHOWN else ""
                at_least = "at least " if len(ranges) >= DATE_VALUES_KEPT else ""
                out[cls] = {**out[cls], "hint": f"{at_least}{len(ranges):,} merged ranges of "
                            f"this column: {shown}{more}"}
        return out

    def _cell(self, column: str | None, value: str | None, *, listed: bool) -> None:
        """Keep ``column``'s unread date cell ``value`` (None: not known) for the guard."""
        if listed:
            self._listed_columns.add(column)
        values = self._cells.setdefault(column, {})
        if values is None:
            return
        if value is None or len(values) >= DATE_VALUES_KEPT:
            self._cells[column] = None
        else:
            values[value] = None

    def _untold_beside(self, cls: str, formats: Sequence[str]) -> str | None:
        """The column (``"another column"`` when unnamed) — read by ``[defaults]`` too — of
        any unread date cell a reason names, whichever class its row is counted under (x50r3
        F1: the renewal dates were only in the Close Date reason's "(also: …)" part), with a
        cell ``formats`` would read without its day / month order told (``3/7/2027`` by
        ``%d/%m/%Y``), or whose cells were not all kept; None when there is none."""
        column = self._columns.get(cls)
        for other, values in self._cells.items():
            if other in self._listed_columns or other == column:
                continue  # (its own: told by this class's cells, date_formats_for)
            if values is None or any(_reads_untold(v, formats) for v in values):
                return other or "another column"
        return None

    def __repr__(self) -> str:
        return f"ReasonTally(classes={len(self.counts)}, rows={self.counts.total()})"

    def reasons(self) -> dict[str, int]:
        return dict(self.counts.most_common())


def _own_formats_hint(column: str | None, formats: Sequence[str], why: str) -> str:
    """``give the field that reads 'X' its own formats = [...] in the mapping ({ column =
    "X", formats = [...] }), not [defaults] date_formats, <why>``."""
    listed = ", ".join(f'"{f}"' for f in formats)
    where = f"the field that reads {column!r}" if column else "this field"
    shown = column.replace('"', '\\"') if column else "..."
    return (f"give {where} its own formats = [{listed}] in the mapping "
            f'({{ column = "{shown}", formats = [{listed}] }}), not [defaults] date_formats, '
            f"{why}")


def _reads(value: str, formats: Sequence[str], locale: str | None = None) -> bool:
    """Whether ``formats`` read ``value`` as a date (under ``locale``'s names)."""
    try:
        return parse_date(value, formats, locale=locale) is not None
    except InputError:
        return False


def _unread_hint(cell: str, locale: str | None, formats: Sequence[str] = ()) -> str | None:
    """The advice for a date cell no proposed format reads under ``date_locale``: a month
    or weekday word of another language is fixed in the file, naming the languages whose
    word it is (``month_locale.locales_naming``), or saying it is no name of ``locale``
    (once: y55r1 F3 said "no name of 'zh', not of date_locale 'zh'"); ``formats``' own
    literal text (``年``) is no part of the word. None without a locale or such a word."""
    if locale is None or not (words := unknown_month_words(cell, locale, formats)):
        return None
    word = words[0]
    named = [n for n in locales_naming(word) if n != locale]
    whose = (f"{word!r} is a month or weekday name of {', '.join(repr(n) for n in named)}, "
             f"not of date_locale {locale!r}" if named
             else f"{word!r} is no month or weekday name of date_locale {locale!r}")
    return (f"fix {cell!r} in the file: {whose}, whose names alone its date formats read "
            f"(one date_locale reads one language: write the month as {locale!r} names it, "
            "or as a number)")


def _unquoted(text: str) -> str:
    """A cell or column name as a reason quotes it (``repr``: ``'3/7/2027'``), unquoted."""
    try:
        found = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text[1:-1]
    return found if isinstance(found, str) else text[1:-1]


def _reads_untold(value: str, formats: Sequence[str]) -> bool:
    """Whether a pattern of ``formats`` and its day / month twin both read ``value`` as
    two different dates (``3/7/2027``; not ``3/3/2027``, nor ``25/03/2027``)."""
    for fmt in formats:
        if (twin := swapped_pattern(fmt)) is None:
            continue
        try:
            if datetime.strptime(value, fmt) != datetime.strptime(value, twin):
                return True
        except ValueError:
            continue
    return False


def _kept_with(tried: Sequence[str], formats: Sequence[str]) -> list[str]:
    """``tried`` (a field's formats, ISO left out) but those the mapping refuses beside
    ``formats`` (``spec._check_formats``: a pattern of the other order), then ``formats``."""
    kept: list[str] = []
    for fmt in tried:
        if fmt in formats:
            continue
        # refused, a 2-digit year's pattern is kept in the order of the 4-digit one that
        # read the column's unread cells (x51r11 F1: ["%d/%m/%y"] beside '2024/05/06' →
        # ["%y/%m/%d", "%Y/%m/%d"], never the two orders paired)
        for candidate in [fmt, *(_two_digit_twin(fmt, f) for f in formats)]:
            if candidate is None or candidate in kept or candidate in formats:
                continue
            try:
                _check_formats([*kept, candidate, *formats])
            except ValueError:
                continue
            kept.append(candidate)
            break
    return [*kept, *formats]


def _two_digit_twin(tried: str, fmt: str) -> str | None:
    """``fmt`` (``%Y/%m/%d``) with a 2-digit year, for a ``tried`` 2-digit-year pattern of
    its separators with its year at the other end (``%d/%m/%y``, a time after it kept);
    None otherwise (day and month exchanged alone: the guard's advice says it)."""
    if "%y" not in tried or "%Y" not in fmt:
        return None
    bare, twin = date_part(tried), date_part(fmt).replace("%Y", "%y")
    if re.sub("%.", "", bare) != re.sub("%.", "", twin) or bare.startswith(
            "%y") == twin.startswith("%y"):
        return None
    return tried.replace(bare, twin, 1)


_TRIED = re.compile(r"\(tried (.*?)(?:,? ?ISO \(YYYY-MM-DD\))?[;)]")


def tried_formats(reason: str) -> list[str]:
    """The formats a "not a date" ``reason`` says it tried (``(tried excel, %d/%m/%Y, ISO
    (YYYY-MM-DD))`` → ``["excel", "%d/%m/%Y"]``), ISO 8601 left out; a pattern with a comma
    in it (``%B %d, %Y``) kept whole: a part with no year joins the next one."""
    found = _TRIED.search(reason)
    out: list[str] = []
    for part in (found[1].split(", ") if found and found[1].strip() else []):
        if out and "%" in out[-1] and not re.search(r"%[Yy]", out[-1]):
            out[-1] += ", " + part
        else:
            out.append(part)
    return [f.strip() for f in out if f.strip()]


def reason_line(cls: str, n: int, examples: Mapping[str, Mapping[str, Any]]) -> str:
    """The text a plan prints for ``n`` rows of reason class ``cls``: its first row's reason
    in full, with the rows (``(row 4; and 2 more rows like it: rows 7, 9)``; a row whose
    file line differs with it: ``row 9, line 13 of the file``, ``rows 11 (line 15)``) and its
    ``hint`` if it has one (said once, for all its rows); the class itself when no row
    was kept."""
    example = examples.get(cls)
    if not example:
        return cls
    hint = f"; {example['hint']}" if example.get("hint") else ""
    rows = list(example.get("rows") or [])
    lines = example.get("lines") or {}
    if not rows:
        more = f" (and {counted(n - 1, 'more row', 'more rows')} like it)" if n > 1 else ""
        return f"{example['reason']}{more}{hint}"
    first = f"row {rows[0]}" + (f", line {lines[str(rows[0])]} of the file"
                                if str(rows[0]) in lines else "")
    if n == 1:
        return f"{example['reason']} ({first}){hint}"
    own = example.get("own") or {}
    others = ", ".join(str(r) + (f" (line {lines[str(r)]})" if str(r) in lines else "")
                       + (f" ({own[str(r)]})" if str(r) in own else "")
                       for r in rows[1:])
    etc = "…" if n > len(rows) else ""
    more = counted(n - 1, "more row", "more rows")
    # rows whose values differ from the first's are said so, each with its own (x41r1 L1)
    like = " of the same kind, with their own values" if own else " like it"
    return (f"{example['reason']} ({first}; and {more}{like}: "
            f"{noun(n - 1, 'row')} {others}{etc}){hint}" if others else
            f"{example['reason']} ({first}; and {more}{like}){hint}")


__all__ = ["MERGED_RANGES_SHOWN", "REASON_ROWS_SHOWN", "ReasonTally", "reason_class", "reason_line"]
