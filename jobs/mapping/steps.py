"""The steps a compiled mapping is made of: one per target field, reading its cells
(``_Source``), converting them (remembered per cell text: ``_Step``), with the
per-column decimal marks (``_PerColumn``) — ``jobs.mapping.compiler`` builds them.

Why ~545 lines: the steps share one memo (``_remember``) and one refusal type, so they
stay together; the stage's tally of rows placed by ``"*"`` is its own module
(``star_tally``)."""

from __future__ import annotations

import html
from collections.abc import Callable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from bulk.errors import AmbiguousName, InputError
from bulk.manifest_json import AmbiguousPath, PathRow, object_at

from .. import transforms as tf
from ..transforms.date_order import DateOrder
from ..transforms.text import excel_number_text
from .spec import (
    FieldSpec,
)
from .star_tally import Starred, StarTally

# ---------------------------------------------------------------- compiling

Values = MappingABC[str, Any]
# (raw cell, the row's values) -> the target's value. A converter reads ``values`` only
# when its step says so (``reads_row``): the others are remembered per raw text (_Step).
Convert = Callable[[object, Values], Any]
Make = Callable[[FieldSpec], Convert]

_MEMO_LIMIT = 10_000
_STEP_MEMO_LIMIT = 4096  # texts a step remembers (bounded memory: ``_remember``)


# what a target takes, for a cell of another JSON type ("expected an amount, got an object")
_WHAT = {"deal.value": "an amount", "deal.probability": "a number", "deal.currency":
         "a currency", "deal.expected_close_date": "a date", "deal.won_time": "a date",
         "deal.lost_time": "a date", "deal.close_time": "a date", "deal.status": "a status",
         "deal.owner": "a user", "deal.pipeline": "a pipeline name", "deal.label": "labels",
         "person.email": "an e-mail address", "person.phone": "a phone number"}
_WHAT_TYPE = {"double": "a number", "int": "a whole number", "monetary": "an amount",
              "date": "a date", "enum": "an option", "set": "options", "user": "a user",
              "phone": "a phone number"}


# the characters a field of these types keeps (openapi-v2's dealFields field_type table:
# varchar, varchar_auto "Text (up to 255 characters)", phone "up to 255 numbers and/or
# characters", text "Long text (up to 65k characters)", read as 65,000: x41r3 F3); no
# figure for address; the other types hold numbers, dates, options or ids
MAX_CHARS = {"varchar": tf.MAX_TITLE, "varchar_auto": tf.MAX_TITLE, "phone": tf.MAX_TITLE,
             "text": 65_000}


def too_long(text: str, kind: str, name: str) -> InputError | None:
    """The error for ``text`` longer than a ``kind`` field ``name`` keeps, else None."""
    limit = MAX_CHARS.get(kind)
    if limit is None or len(text) <= limit:
        return None
    return InputError(f"{text[:20]!r}... is {len(text):,} characters long; the {kind} field "
                      f"{name!r} takes at most {limit:,}")


def _at_most(convert: Convert, kind: str, name: str) -> Convert:
    """``convert`` refusing a value longer than a field of type ``kind`` keeps (x24r1 4: a
    300-character cell of a varchar field was sent, where the title is refused)."""
    if kind not in MAX_CHARS:
        return convert

    def read(raw: object, values: Values) -> Any:
        text = convert(raw, values)
        if isinstance(text, str) and (exc := too_long(text, kind, name)) is not None:
            raise exc
        return text
    return read


class _Source:
    """Reads one target's raw value from a row: column or template, else the default.

    Applies the field's rules on the raw cell: an ``empty_values`` marker counts as
    blank; a blank cell of a ``required`` field is an InputError (never the default);
    ``allowed`` limits the raw values (case- and space-insensitively).
    """

    __slots__ = ("_allowed", "_column", "_default", "_empty", "_join", "_many", "_plain",
                 "_required", "_template", "column", "columns", "what", "where")

    def __init__(self, key: str, spec: FieldSpec, empty: frozenset[str] = frozenset(), *,
                 many: bool = False, what: str = "a single value") -> None:
        self.what = what  # what the target takes, for "expected an amount, got an object"
        self._column = spec.column
        # the column a plain source reads (None for a template), or the template's: their
        # text cells alone decide the raw value (``_Step.memo``)
        self.column = None if spec.template else spec.column
        self._join = spec.join
        self._many = many and spec.join is None  # a multi-option target takes the array whole
        self._template = tf.Template(spec.template) if spec.template else None
        self._default = spec.default
        self._required = spec.required
        self._allowed = ({tf.norm_key(a): a for a in spec.allowed}
                         if spec.allowed is not None else None)
        self._empty = empty
        self.where = spec.column or (", ".join(self._template.columns) if self._template
                                     else key)
        self.columns: tuple[str, ...] = tuple(self._template.columns if self._template
                                              else () if spec.column is None else (spec.column,))
        # a column read as it is (no template, no empty-value marker, no allowed list): a
        # filled text cell is then its own raw value (``_read``'s fast path, issue 8)
        self._plain = self.column is not None and not empty and self._allowed is None

    @property
    def default(self) -> object:
        """The field's ``default`` (None: it has none)."""
        return self._default

    def blank(self, values: Values) -> bool:
        """Whether the row gives this target nothing (a blank cell or template, an
        ``empty_values`` marker, no column): its value is the ``default`` (x41r3 F2)."""
        try:
            return self._read(values, False) is None
        except (InputError, AmbiguousPath):
            return False

    @property
    def template(self) -> str | None:
        """The template the source renders, as the mapping writes it (None: a column)."""
        return self._template.text if self._template is not None else None

    def __call__(self, values: Values, *, default: bool = True) -> object:
        """The raw value (``default``: the field's default for a blank cell, else None).
        InputError naming the source (column or template columns) when a JSON path reads
        two values in this record (``AmbiguousPath``) or the cell is refused."""
        try:
            return self._read(values, default)
        except AmbiguousPath as exc:
            raise InputError(exc.reason, column=self.where) from None

    def _read(self, values: Values, default: bool) -> object:
        if self._plain:  # the usual cell: text, filled, no spreadsheet error value
            cell = values.get(self._column)  # type: ignore[arg-type]
            if type(cell) is str and cell.strip() and "#" not in (head := cell[:8]) \
                    and "RR:" not in head.upper():
                return cell
        raw: object = None
        if self._template is not None:
            columns = self._template.columns
            if any(isinstance(values.get(c), list) for c in columns):  # JSON arrays in a template
                values = {c: _from_array(v, self._join) if isinstance(v := values.get(c), list)
                          else v for c in columns}
            raw = self._template.render(
                _with_values(values, {k: None if self._marker(v) else v
                                      for k, v in values.items()})
                if self._empty else values)
        elif self._column is not None:
            raw = values.get(self._column)
            if raw is None and self._column not in values and object_at(values, self._column):
                raw = {}  # a JSON object there: flattened into paths under the column
            if isinstance(raw, list) and not self._many:  # a JSON array: first item, or joined
                raw = _from_array(raw, self._join)
            if isinstance(raw, dict) or (isinstance(raw, list) and not self._many):
                raise InputError(f"expected {self.what}, got {tf.json_kind(raw)}"
                                 + (f" ({', '.join(map(str, raw))})" if raw else ""))
        if self._template is not None:
            for c in self._template.columns:  # a failed formula's "#N/A" in any cell read
                try:
                    tf.not_excel_error(values.get(c))
                except InputError as exc:
                    raise InputError(exc.reason, column=c) from None
        else:
            tf.not_excel_error(raw)
        if tf.is_empty(raw) or self._marker(raw):
            if self._required:
                raise InputError(f"a value is required but {self.where!r} is empty"
                                 + self.missing(values))
            return self._default if default else None
        if self._allowed is not None:
            text = tf.clean_text(raw) or ""
            if tf.norm_key(text) not in self._allowed:
                raise InputError(f"{text!r} is not an allowed value (allowed: "
                                 f"{', '.join(map(repr, self._allowed.values()))})")
        return raw

    def _marker(self, raw: object) -> bool:
        return bool(self._empty) and isinstance(raw, str) and tf.norm_key(raw) in self._empty

    def missing(self, values: Values) -> str:
        """`` (no 'a.b' in this record)`` naming the paths absent from a JSON row, else ``""``."""
        paths = self._template.columns if self._template is not None else [self._column]
        gone = [p for p in paths if p is not None and p not in values]
        return f" (no {', '.join(map(repr, gone))} in this record)" if gone else ""


def _with_values(row: Values, values: dict[str, Any]) -> Values:
    """``values`` read as ``row`` is: a JSON record's paths by any spelling (PathRow)."""
    if isinstance(row, PathRow):
        return PathRow(values, roots=row.roots, ambiguous=row.ambiguous)
    return values


def _from_array(items: list[Any], join: str | None) -> object:
    """An array's first item, or with ``join`` its non-empty items joined. InputError for
    an object or array among the items to join: it was dropped, and the cell came out
    empty with no error (v10r9)."""
    if join is None:
        return items[0] if items else None
    for n, item in enumerate(items, start=1):
        if isinstance(item, dict | list):
            raise InputError(f"join = {join!r} joins plain values, but item {n} of the array "
                             f"is {tf.json_kind(item)}: point the path at a plain value")
    # each item as a cell of its kind reads as text: a JSON true is "true" (v10r15: "True")
    return join.join(tf.clean_text(item) or "" for item in items if not tf.is_empty(item))


def _number_of(value: object) -> Decimal | None:
    """The number a converted value carries (amount, monetary value), for min/max."""
    if isinstance(value, tf.Money):
        return value.amount
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return None


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    """``memo[key] = value``; a full memo first forgets its older half (the first
    inserted): memory stays bounded, and the newer half still serves its hits."""
    if len(memo) >= _STEP_MEMO_LIMIT:
        for old in list(islice(memo, _STEP_MEMO_LIMIT // 2)):
            del memo[old]
    memo[key] = value


class _Refused:
    """A converter's refusal of a raw text, remembered by a step's memo."""

    __slots__ = ("ambiguous", "column", "reason")

    def __init__(self, reason: str, column: str | None = None, *,
                 ambiguous: bool = False) -> None:
        self.reason = reason
        self.column = column  # the template's own column it names, if it names one
        self.ambiguous = ambiguous  # an ``AmbiguousName``'s (a stage's memo: f51c)


@dataclass(frozen=True, slots=True)
class _Step:
    """One target: its source, converter and bounds.

    ``memo``: the step's value for the text cells its source reads (the column's, or a
    template's columns'), or the reason it refused them — a column repeats its values
    (stages, owners, currencies, dates, amounts, a person's e-mail), and the same text
    always comes out the same: source and converter are pure functions of those cells
    unless the step ``reads_row``, and the decimal-mark record a converter may read
    changes only while learning (``RowMapper`` forgets the memos then). A list or dict
    value is copied on each hit, so no two rows share one. Cells of other types (JSON,
    XLSX) are not remembered. None: nothing remembered (``reads_row``). At most
    ``_STEP_MEMO_LIMIT`` texts (``_remember``).
    """

    name: str  # the body key or custom field code it fills
    source: _Source
    convert: Convert
    low: float | None = None
    high: float | None = None
    # a number read under decimal = "auto", or a date's day/month order (``DateOrder``):
    # what the whole file shows, learned before any row is mapped
    marks: tf.ColumnDecimal | DateOrder | None = None
    memo: dict[Any, Any] | None = None

    def __call__(self, values: Values, row: int) -> Any:
        # one frame per cell (this runs for every step of every row: issue 8)
        try:
            memo = self.memo
            if memo is not None:
                column = self.source.column
                if column is not None:  # _cells, inlined for the common case
                    cells = values.get(column)
                    if type(cells) is not str:
                        cells = None
                else:
                    cells = self._cells(values)
                if cells is not None:
                    value = memo.get(cells, memo)  # the memo itself marks a miss
                    if value is memo:  # a miss: computed, then remembered
                        try:
                            raw = self.source(values)
                            value = None if raw is None else self._convert(raw, values)
                        except InputError as exc:
                            value = _Refused(exc.reason, exc.column)
                        _remember(memo, cells, value)
                    if type(value) is _Refused:
                        raise InputError(value.reason, row=row,
                                         column=value.column or self.source.where)
                    return value.copy() if type(value) is list or type(value) is dict \
                        else value
            try:
                return self._value(values)
            except InputError as exc:  # a cell of another column it reads names that column
                raise InputError(exc.reason, row=row,
                                 column=exc.column or self.source.where) from None
        except AmbiguousPath as exc:  # a JSON path that reads two values in this record
            raise InputError(exc.reason, row=row, column=self.source.where) from None

    def _cells(self, values: Values) -> str | tuple[str, ...] | None:
        """The text cells the source reads (its column's, or a template's columns' as a
        tuple), which alone decide the step's value; None when one is not text."""
        column = self.source.column
        if column is not None:
            cell = values.get(column)
            return cell if type(cell) is str else None
        cells = tuple(map(values.get, self.source.columns))
        for cell in cells:
            if type(cell) is not str:
                return None
        return cells  # type: ignore[return-value]  # (every cell is text: checked above)

    def _value(self, values: Values) -> Any:
        raw = self.source(values)
        return None if raw is None else self._convert(raw, values)

    def _convert(self, raw: object, values: Values) -> Any:
        value = self.convert(raw, values)
        if self.low is not None or self.high is not None:
            self._bounds(value, raw)
        return value

    def forget(self) -> None:
        """Empty the memo (the decimal-mark record it was filled under changed)."""
        if self.memo is not None:
            self.memo.clear()

    def learn(self, values: Values) -> bool:
        """Show the row's cell to ``marks`` (learning): a blank cell, and so the default,
        is no evidence; errors are ``map``'s to report. True when ``marks`` has shown both
        marks (now or before: a later cell is not read, nothing more can change the
        decision)."""
        if self.marks is not None and len(self.marks.seen) == 2:
            return True  # both marks shown: nothing more can change the column's decision
        memo = self.memo  # while learning: the texts shown already (a text shows the same)
        if memo is not None:
            column = self.source.column
            if column is not None:  # _cells, inlined for the common case
                cells = values.get(column)
                if type(cells) is not str:
                    cells = None
            else:
                cells = self._cells(values)
            if cells is not None:
                if cells in memo:
                    return False
                _remember(memo, cells, None)
        try:
            raw = self.source(values, default=False)
            if raw is not None:
                self.convert(raw, values)
        except InputError:
            pass
        return self.marks is not None and len(self.marks.seen) == 2

    def _bounds(self, value: object, raw: object) -> None:
        # the cell quoted as text, a JSON/XLSX number too: "'-200' is below ...", never a
        # reason that starts with "-" (failed.csv would guard it as a formula)
        number = _number_of(value)
        if number is None:
            return
        if self.low is not None and number < Decimal(str(self.low)):
            raise InputError(f"{str(raw)!r} is below the minimum "
                             f"{excel_number_text(float(self.low))}")
        if self.high is not None and number > Decimal(str(self.high)):
            raise InputError(f"{str(raw)!r} is above the maximum "
                             f"{excel_number_text(float(self.high))}")


class _PerColumn:
    """A numeric target's Make whose converter reads under its column's decimal-mark
    record (``tf.ColumnDecimal``, used under ``decimal = "auto"``): one record per target,
    the last made kept in ``column`` for the step."""

    __slots__ = ("_make", "column")

    def __init__(self, make: Callable[[FieldSpec, tf.ColumnDecimal], Convert]) -> None:
        self._make = make
        self.column: tf.ColumnDecimal | None = None

    def __call__(self, spec: FieldSpec) -> Convert:
        self.column = tf.ColumnDecimal()
        return self._make(spec, self.column)


_per_column = _PerColumn


def _memo(resolve: Callable[[str], Any]) -> Callable[[str], Any]:
    """Cache a name lookup: hits keyed case/whitespace-insensitively (every spelling of a
    name finds what it names), misses by the name as given — a refusal quotes the name as
    this row (or the mapping) spells it, never as the first row that missed did (x53r6 F4:
    ``no stage named 'won'`` for a cell ``Won``, and ``'qualified'`` for the ``"*"`` target
    ``Qualified``, as one command or the other had met the other spelling first)."""
    cache: dict[str, Any] = {}
    misses: dict[str, InputError] = {}

    def lookup(name: str) -> Any:
        key = tf.norm_key(name)
        if key in cache:
            return cache[key]
        miss = misses.get(name)
        if miss is None:
            try:
                hit = resolve(name)
            except InputError as exc:
                miss = misses[name] = exc
                if len(misses) > _MEMO_LIMIT:  # a column of unique junk must not grow memory
                    misses.pop(next(iter(misses)))
            else:
                cache[key] = hit
                if len(cache) > _MEMO_LIMIT:
                    cache.pop(next(iter(cache)))
                return hit
        raise type(miss)(miss.reason)  # an AmbiguousName stays one: "*" must not catch it
    return lookup


# a cell the blank check passed, left empty by cleaning: only invisible characters (v10r16:
# a title of one U+200B said "empty value")
_INVISIBLE_ONLY = ("the cell holds only invisible characters (zero-width spaces or joiners, "
                   "direction marks, soft hyphens, a byte-order mark): it is empty")


def _title(raw: object, values: object = None) -> str:
    tf.digits_kept(raw, name=True)
    text = tf.clean_title(raw)
    if text is None:
        raise InputError(_INVISIBLE_ONLY)
    return text


def _text(raw: object, values: object = None, *, name: bool = False) -> str:
    tf.digits_kept(raw, name=name)
    text = tf.clean_text(raw)
    if text is None:
        raise InputError(_INVISIBLE_ONLY)
    return text


def _org_name(raw: object, values: object = None) -> str:
    """An organization's name cell as ``_text``; InputError when it lists several
    organizations (``tf.listed_organizations``: ``Acme Corp;Globex Corp``, ``Acme Inc |
    Globex Corp``, one a line; read before ``_text`` folds a line break into a space).
    HubSpot's "Associated Company" lists every company of the deal: one junk organization
    "Acme Corp;Globex Corp" was made (x14r2 F5); so was "Acme Inc | Globex Corp", with
    " / " and a line break too, while both existed (z55r1 F4). A deal has one."""
    if (listed := tf.listed_organizations(raw)) is not None:
        parts, sep = listed
        raise InputError(
            f"the organization cell names {len(parts)} organizations ("
            + ", ".join(repr(p) for p in parts[:3]) + (", ..." if len(parts) > 3 else "")
            + f"), separated by {sep if sep == 'a line break' else repr(sep)}: a deal has "
            "one: keep the one it belongs to")
    return _text(raw, name=True)


def _person_name(raw: object, values: object = None) -> str:
    """A person's name cell as ``_text``; InputError when it lists several persons
    (``Jane Roe;John Poe``: one person of that name with both addresses was made, x23r1
    F1). ``Roe, Jane`` is one name. An HTML entity is read as its letter first (``Jane
    Roe &amp;``, ``&amp; Bob Roe``: x49r4 F5)."""
    if isinstance(raw, str) and len(raw) > tf.MAX_PERSON_CELL:
        # no name with its contacts is that long: the row mapper fails it (``_person``)
        # before any reader runs (x49r7 F4; the address readers below took 6 CPU s on a
        # cell of 20,000 characters, after round 17 read it here first)
        return raw
    if isinstance(raw, str) and "&" in raw:
        raw = html.unescape(raw)
    if isinstance(raw, str):  # ("Jane Hoff -Bob Hoff": the spaced dash, x50r1 F4)
        if (why := tf.led_address(raw)) is not None:  # ("Rut Roe |rl@z.io": x50r7 F4)
            raise InputError(why)
        # ("Ann Roe Büro: +49 …", "Ann Roe, +49 … Xtn 23": x51r1 F4, F7)
        # ("Agent 007 030 1234568": x51r8 F2)
        if (why := tf.word_label(raw) or tf.unknown_extension(raw)
                or tf.unsure_phone(raw)) is not None:
            raise InputError(why)
        if (date := tf.cell_date(raw)) is not None:  # ("Ann Roe, 6 de diciembre": x51r1 F5)
            raise InputError(f"the person cell {raw!r} holds a date ({date!r}): write it in "
                             "a column of its own, or leave it out")
        raw = tf.spaced_dashes(raw)
    names = tf.listed_persons(raw)
    if names and len(persons := [n for n in names if not tf.contact_alone(n)]) < 2:
        # (a contact before the name is no person: x52r11 F7, "2 persons ('ad0@y.io', …)")
        contact = next(n for n in names if tf.contact_alone(n))
        raise InputError(
            f"the person cell {raw!r} writes {contact!r} before the name"
            + (f" {persons[0]!r}" if persons else "") + ": whose is it? A deal has one "
            "person: write the name first, its address or phone after it (\"Name <address>\")")
    if names:
        verb = "names" if tf.a_full_name(names) else "may name"  # 'Procter', 'Gamble'
        raise InputError(
            f"the person cell {verb} {len(names)} persons ("
            + ", ".join(repr(n) for n in names[:3]) + (", ..." if len(names) > 3 else "")
            + "): a deal has one person: keep the one it belongs to, with only its "
              "e-mail and phone")
    return _text(raw, name=True)


@dataclass(frozen=True, slots=True)
class _StageStep:
    """The stage of a row: its source, and the resolver of (raw name, pipeline id).

    ``memo``: the stage id, or the refusal, by (text cell, pipeline id) — a pure function
    of both (as ``_Step.memo``); bounded like it. ``by_star``: the cell as read when only
    the stage map's ``"*"`` (``star``, its target) places it, else None; such rows are
    counted in ``tally`` (x49r11 F2)."""

    source: _Source
    resolve: Callable[[object, int | None], int]
    memo: dict[tuple[str, int | None], int | _Refused | Starred] = field(default_factory=dict)
    by_star: Callable[[object, int | None], str | None] | None = None
    star: str | None = None
    tally: StarTally = field(default_factory=StarTally)
    # the stage a cell names with its pipeline (``EU > Negotiation``), no entry of the
    # stage map reading it, else None: what alone moves an update's deal of another
    # pipeline when its row names none (x51r4 F1)
    own: Callable[[object], int | None] | None = None
    # the stage map's entry for a cell (its target), else None; given a pipeline id, None
    # too for an entry naming another pipeline (that pipeline's deals' only: x51r10 F4)
    entry: Callable[[object, int | None], str | None] | None = None
    # the ids of the pipelines a cell names at its head (``Sales > Won``), its stage there
    # or not, () for a cell naming none or one an entry of the stage map reads (w56r1 F3)
    heads: Callable[[object], tuple[int, ...]] | None = None

    def __call__(self, values: Values, pipeline_id: int | None, row: int | None = None) -> int:
        """The stage id, or InputError (its reason only: the caller places it); ``row``:
        the row's number, counted in ``tally`` when ``"*"`` placed it."""
        column = self.source.column
        cell = values.get(column) if column is not None else None
        if type(cell) is not str:
            got = self._id(values, pipeline_id)
        else:
            memo = self.memo
            key = (cell, pipeline_id)
            found = memo.get(key)
            if found is None:
                try:
                    found = self._id(values, pipeline_id)
                except InputError as exc:
                    found = _Refused(exc.reason, ambiguous=isinstance(exc, AmbiguousName))
                _remember(memo, key, found)
            if isinstance(found, _Refused):
                raise (AmbiguousName if found.ambiguous else InputError)(found.reason)
            got = found
        if isinstance(got, Starred):
            if row is not None:
                self.tally.add(got.name, row)
            return got.id
        return got

    def _id(self, values: Values, pipeline_id: int | None) -> int | Starred:
        raw = self.source(values)
        if raw is None:  # never a silent first stage (issue 10 section 4)
            raise InputError("the stage is empty (set deal.stage.default for blank "
                             "cells, or fix the row)")
        found = self.resolve(raw, pipeline_id)
        if self.by_star is not None and (name := self.by_star(raw, pipeline_id)) is not None:
            return Starred(found, name)
        return found

    def star_note(self) -> str | None:
        """The plan's note on the rows ``"*"`` placed (``StarTally.note``), or None."""
        return None if self.star is None else self.tally.note(self.star, self.source.where)

