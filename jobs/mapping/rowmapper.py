"""``RowMapper``: a mapping compiled against one account, mapping rows into deals,
persons and organizations (``jobs.mapping.compiler`` builds it).

Why ~1430 lines: the whole-file pass (decimal marks, date order, a currency named in some
rows only: ``mixed_currency``; ``MarksLearning``, shown rows by another pass) reads the
same steps ``map`` does, and is kept beside it."""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from typing import Any, Literal

from bulk.errors import AmbiguousName, InputError
from bulk.manifest import SourceRow
from bulk.manifest_xlsx import ExcelError, UncachedFormula
from bulk.table_paths import TableRow
from bulk.wording import counted

from .. import transforms as tf
from ..transforms.date_order import DateOrder
from . import person_cells as pc
from .mixed_currency import CurrencyMix
from .spec import (
    CLOSE_TIMES,
    OPEN_CURRENCY,
    UNDECIDED_CURRENCY,
    DeactivatedUser,
    Defaults,
    FieldSpec,
    MappedRow,
    Mapping,
    OrgRef,
    PersonRef,
)
from .steps import (
    Values,
    _Refused,
    _Source,
    _StageStep,
    _Step,
    too_long,
)

# a pipeline quoted in a refusal: ``pipeline 'Sales'`` (``repr`` of its name)
_QUOTED_PIPELINE = re.compile(r"""pipeline ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def _str_literal(text: str) -> str | None:
    """The string ``text`` (a Python ``repr`` of one) stands for; None when it is not one."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


_CHECKED = "\0key_check"  # marks the refusal of ``RowMapper.key_check``


# the longest person cell read (characters): twice a title's most, a name with its
# e-mail, phone and job title (x49r7 F4: a 20,000-character cell took 14 s of CPU)
MAX_PERSON_CELL = tf.MAX_PERSON_CELL


class DecimalContested(InputError):
    """The decimal mark of one or more ``decimal = "auto"`` columns is contested
    (``tf.ColumnDecimal.contest``): nothing may be sent until the mapping sets ``decimal``
    for them. ``columns`` lists (column, reason) pairs."""

    def __init__(self, columns: Sequence[tuple[str | None, str]]) -> None:
        self.columns = list(columns)
        super().__init__("; ".join(
            f"the decimal mark of column {column!r} is contested: {why}"
            for column, why in columns))


def _monetary(raw: object, values: Values, spec: FieldSpec, d: Defaults,
              label: str, marks: tf.ColumnDecimal | None = None) -> dict[str, Any] | None:
    money = tf.parse_money(raw, decimal=spec.decimal or d.decimal, prefer=d.currency,
                           column=marks, undecided=True)
    if money is None:
        return None
    cell = None
    if spec.currency_column:
        raw_cell = values.get(spec.currency_column)
        if isinstance(raw_cell, str) and tf.norm_key(raw_cell) in {
                tf.norm_key(v) for v in d.empty_values}:
            raw_cell = None  # an empty_values marker is blank: the default applies
        try:
            cell = tf.read_currency(raw_cell, prefer=d.currency)
        except InputError as exc:  # its own column, not the amount's (x12r1 F5)
            raise InputError(exc.reason, column=spec.currency_column) from None
    try:  # the amount's symbol and the currency cell, read as the deal's are (x20r2 F1)
        currency, open_to, why = tf.row_currency(money, cell, d.currency,
                                                 column=repr(spec.currency_column)
                                                 if spec.currency_column else None)
    except InputError as exc:
        if cell is None or _names_currency(money):
            raise
        raise InputError(exc.reason, column=spec.currency_column) from None
    if currency is None and why is None:  # the deal's field decides; a new deal fails
        why, open_to = (f"no currency for {label!r}: none in the cell and no default "
                        "currency"), ()  # (x27r3 4: an update failed on a field in GBP)
    tf.check_minor_units(money, currency, open_to)  # the step names the amount's column
    out: dict[str, Any] = {"value": tf.json_number(money.amount), "currency": currency}
    if open_to is not None:  # taken out by RowMapper.map into MappedRow.custom_currency_open
        out[OPEN_CURRENCY] = open_to
    if why is not None:  # ... and into MappedRow.undecided, with its column
        out[UNDECIDED_CURRENCY] = (why, spec.currency_column if cell is not None
                                   and not _names_currency(money) else None)
    return out


def _names_currency(money: tf.Money | None) -> bool:
    """Whether an amount names a currency (a code or a symbol, one of several too)."""
    return money is not None and (money.currency is not None
                                  or bool(tf.currency_choices(money)))


# ---------------------------------------------------------------- mapping rows

# what an update's status read from the stage column gives for a cell that says no status
# (no won / lost word, no entry, no "*"): the deal keeps its own (x51r4 F2)
KEEP_STATUS = "keep"
# ... and an upsert's for a cell naming a stage of its row's pipeline: open for a create
# (the import's), the deal's own for a deal found (the update's: x51r10 F1)
OWN_STAGE = "own stage"


@dataclass(frozen=True)
class InDealPipeline:
    """An update's stage cell on a row that names no pipeline which no pipeline-less
    reading decides (a won / lost word that is one pipeline's stage, x50r9 F1: deal 78, US
    and won, was moved to EU U+203A Won and reopened by ``won\u200b``; a stage of several
    pipelines): read in the deal's own pipeline once the deal is read; an upsert's stage
    cell on every row (``RowMapper.found_place``: a deal found reads it as the update
    does, whatever the Pipeline cell holds; x52r2 F1, F2). ``place``: the deal's pipeline
    id -> ``stage_id`` and, where the stage column says it, ``status`` (None: the deal's
    own kept; InputError naming the row and the column). Compared, and shown, by
    ``cell``."""

    cell: str
    place: Callable[[int], dict[str, Any]] = field(compare=False, repr=False)
    # an upsert's (``RowMapper.defers_stage``): why a row that creates its deal fails, and
    # the column named (it has no deal to ask)
    reason: str = field(default="", compare=False, repr=False)
    column: str | None = field(default=None, compare=False, repr=False)
    # ... and a create's ``stage_id`` as the import reads the cell (no deal: in every
    # pipeline), None when that reading fails (``reason``)
    create: int | None = field(default=None, compare=False, repr=False)
    # a row that names a pipeline (an update's whose won / lost word no stage of it reads;
    # every upsert's): read in that pipeline, a won / lost word of no stage of it closed
    # where it is when that is the deal's own, else the reading's error (x51r10 F3, x52r2
    # F2); its error is said as it is, not as a row of no pipeline's
    named: bool = field(default=False, compare=False, repr=False)
    # an upsert's: counts the create's reading in the stage's tally of rows "*" placed,
    # called once the row is known to create its deal (``RowPlanner.settled``; x53r6 F3:
    # found deals' rows failed or closed where they are were counted as placed)
    count_create: Callable[[], object] | None = field(default=None, compare=False,
                                                      repr=False)


class CellNamesPipeline(InputError):
    """A found deal's stage cell that names its own pipeline (``Sales > Won``) on a row of
    no Pipeline cell, refused: its reason is the cell's reading in that pipeline, never
    said as a row's that names none (w56r1 F3: "the row names no pipeline, so its stage is
    read in deal 1001's: no stage named 'Won' in pipeline 'Sales'")."""


def placed_reason(marker: InDealPipeline, error: InputError, deal_id: object) -> str:
    """Why ``marker`` (a found deal's stage cell) failed to place deal ``deal_id``, as the
    update and the upsert both say it: ``error``'s reason, led by "the row names no
    pipeline, so its stage is read in deal N's" only where neither the row's Pipeline cell
    (``marker.named``) nor the stage cell itself (``CellNamesPipeline``) names one."""
    if marker.named or isinstance(error, CellNamesPipeline):
        return error.reason
    return f"the row names no pipeline, so its stage is read in deal {deal_id}'s: {error.reason}"


def _closed_in(named: int, status: str, error: InputError, pipeline_id: int
               ) -> dict[str, Any]:
    """``InDealPipeline.place`` of a found deal's row naming pipeline ``named`` whose won /
    lost word (``status``) no stage of it reads: closed where it is in a deal of that
    pipeline; in a deal of another (a move to a stage none names), ``error``."""
    if pipeline_id != named:
        raise error
    return {"stage_id": None, "status": status}


@dataclass(frozen=True, kw_only=True)
class RowMapper:
    """A mapping resolved against one account: ``map(row)`` per manifest row."""

    mapping: Mapping
    key: _Source
    key_code: str
    steps: list[_Step]
    money: _Step | None
    currency: _Step | None
    pipeline: _Step | None
    stage: _StageStep | None
    lost_reason: _Step | None
    when_not_lost: Literal["error", "drop"]
    # close times an open deal's row drops rather than fails for (``when_open = "drop"``)
    open_drops: frozenset[str]
    customs: list[_Step]
    person: list[_Step | None]
    org: list[_Step | None]
    default_currency: str | None
    # an update's mapper: a blank stage cell (no default) changes nothing, as any blank
    # cell of an update does (v10r16 M3: every such row failed "the stage is empty")
    blank_stage_keeps: bool = False
    # an import upsert's mapper: every row's stage cell is read, for the deal its key finds,
    # as the update reads it, whatever the Pipeline cell holds (``InDealPipeline``,
    # ``found_place``: f51c, x51r10, x52r2); a create reads it as the import does
    defers_stage: bool = False
    # what the key column's cell is called in a row's error: an update by deal id reads
    # its id column as the key (x10r2: "the source key: ..." for a bad deal id)
    key_label: str = "the source key"
    # an update by deal id: the id reader of every command (``jobs.selection.parse_id``),
    # whose refusal is the row's (x46r3 F5: `1.011` had its own message here alone)
    key_check: Callable[[Any], object] | None = None
    checks_currency_mix: bool = True  # not an update's: its rows keep their deal's currency
    # the latest won / lost / close time a row may give (RFC 3339, UTC: the run's clock
    # plus a day of time zones; set by whoever holds the clock); None: not judged
    latest: str | None = None
    # the key field's (type, name): a key longer than it keeps fails (``steps.MAX_CHARS``:
    # a varchar keeps 255 characters, and a cut key would find no deal again)
    key_kind: tuple[str, str] | None = None
    # a status read from the stage column: (stage cell, row's pipeline id) → the status of a
    # cell naming a stage of the row's pipeline (open, whatever its built-in word), None to
    # keep the row's (x48r14 F2: the stage 'Won' closed its deals won; x49r1 F2, F4)
    stage_status: Callable[[object, int | None], str | None] | None = None
    # an upsert's ``stage_status`` for a deal its key finds: the update's reading (a cell
    # of no status word keeps the deal's own), where ``stage_status`` is the import's for a
    # create; None: ``stage_status`` reads both (x52r2 F1)
    found_status: Callable[[object, int | None], str | None] | None = None
    # rows whose amount reads one way only with more decimals than its currency has: row ->
    # (amount, currency, its decimals), written as given and said in ``mark_notes`` (x49r5
    # F3: '$1,234,567.891' went unsaid where '$1.234', two readings, is refused)
    beyond_minor: dict[int, tuple[str, str]] = field(default_factory=dict, compare=False,
                                                      repr=False)
    # rows whose person / organization cell is a placeholder (``n/a``, ``NULL``, ``-``),
    # read as a blank cell and said once in ``mark_notes`` (x50r1 F10: each made a person
    # or organization so named, and later rows linked to it): what -> (rows counted, the
    # last row counted, the first three (row, cell)); bounded, and a row a second pass
    # maps again (a learn pass, then the decisions) is counted once
    placeholders: dict[str, tuple[int, int, tuple[tuple[int, str], ...]]] = field(
        default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def currency_columns(self) -> dict[str, str]:
        """The column each open currency of ``MappedRow.currency_open`` is read from:
        ``"currency"`` → the amount's, a monetary custom field's code → its own."""
        out = {step.name: step.source.where for step in self.customs}
        if self.money is not None:
            out["currency"] = self.money.source.where
        return out

    @property
    def person_column(self) -> str | None:
        """The column the person's name is read from (None: the mapping reads none)."""
        step = self.person[0]
        return step.source.where if step is not None else None

    @property
    def org_column(self) -> str | None:
        """The column the organization's name is read from (None: the mapping reads none)."""
        step = self.org[0]
        return step.source.where if step is not None else None

    @property
    def reads_org_address(self) -> bool:
        """Whether the mapping reads an organization's name and address: the file's new
        organizations of one name are then told apart by address (``org_of``)."""
        return self.org[0] is not None and self.org[1] is not None

    def org_of(self, row: SourceRow) -> OrgRef | None:
        """The row's organization alone (None: none, or its cells do not read), for a pass
        that learns which addresses the file names each organization at, before any row is
        decided (``RowPlanner.learn_places``)."""
        try:
            return self._org(row.values, row.row)
        except InputError:
            return None

    @property
    def reads_contact_names(self) -> bool:
        """Whether the mapping reads an organization's or a person's name: a new one is
        then named by the spelling most of the file's rows write (``RowPlanner.
        learn_contacts``, f57f)."""
        return self.org[0] is not None or self.person[0] is not None

    @property
    def reads_person_email_or_phone(self) -> bool:
        """Whether the mapping reads a person's e-mail or phone: rows of one person then
        tell it by either, or by its name at its organization
        (``RowPlanner.learn_persons``)."""
        return self.person[1] is not None or self.person[2] is not None

    def person_of(self, row: SourceRow) -> PersonRef | None:
        """The row's person alone (None: none, or its cells do not read), for a pass that
        learns which e-mail and phone the file gives each person, before any row is
        decided (``RowPlanner.learn_persons``)."""
        try:
            return self._person(row.values, row.row)
        except InputError:
            return None

    @functools.cached_property
    def _custom_labels(self) -> dict[str, str]:
        """A custom field's code → its label as the mapping writes it (for a reason that
        names the fields one cell is read for)."""
        labels = list(self.mapping.spec.custom_fields)
        if len(labels) != len(self.customs):
            return {}
        return {step.name: repr(label) for step, label in zip(self.customs, labels,
                                                             strict=True)}

    def __repr__(self) -> str:
        return (f"RowMapper({self.mapping.source!r}, {len(self.steps)} deal fields, "
                f"{len(self.customs)} custom fields)")

    # -- decimal marks: one decision per column, from the whole file ------------------------
    def _marked(self) -> list[tuple[_Step, tf.ColumnDecimal | DateOrder]]:
        return [(s, s.marks) for s in (*self.steps, self.money, *self.customs)
                if s is not None and s.marks is not None]

    @property
    def learns_marks(self) -> bool:
        """Whether a numeric target reads text under ``decimal = "auto"``: its decimal mark
        is then learned from the whole file (``learn_marks``) before rows are mapped."""
        return bool(self._marked()) or self._currency_mix() is not None

    def _currency_mix(self) -> CurrencyMix | None:  # no defaults.currency: CurrencyMix
        return CurrencyMix(self.money, self.currency) if self.money is not None and \
            self.default_currency is None and self.checks_currency_mix else None

    def learn_marks(self, rows: Iterable[SourceRow]) -> dict[str, dict[str, str]]:
        """Read every row's ``decimal = "auto"`` numeric cells (nothing else; errors are
        ignored here, ``map`` reports them) and decide each column's decimal mark
        (``tf.ColumnDecimal``). Returns ``decimal_marks()``; DecimalContested when a
        column's mark is contested (``ColumnDecimal.contest``). Rows the reader refused
        (shifted cells) are no evidence. Reading stops once every such column has shown
        both marks (its decision, and the first cell showing each, can no longer change).
        MixedCurrency: the amount column names a currency in some rows only (CurrencyMix).
        ``marks_learning``: the same, shown the rows one by one by a pass of another's."""
        learning = self.marks_learning()
        try:
            for row in rows:
                if not learning.see(row):
                    break  # every column showed both marks: no later cell changes one
        finally:
            learning.stop()
        return learning.done()

    def fails_by_key(self, values: Values) -> bool:
        """Whether a row of ``values`` fails for its source key alone — empty, or not
        readable as one (``map`` says why, with its row) — so a whole-file check (the
        decimal marks, the currency mix: ``MarksLearning``) takes no evidence from it
        (x43r1 F3: a deals export's ``Total`` row, no key and no currency, refused the
        whole file for a ``defaults.currency`` only that row needed)."""
        try:
            return tf.source_key(self.key(values)) is None
        except InputError:
            return True

    def marks_learning(self) -> MarksLearning:
        """``learn_marks`` as an object shown each row (``MarksLearning.see``), for a pass
        over the file that learns other things on its way (``jobs.import_load.learn_file``:
        issue 8, the marks' pass was a read of the whole file of its own)."""
        return MarksLearning(self)

    def mark_notes(self) -> list[str]:
        """After ``learn_marks``: one line per column whose decimal mark a tie decided
        (``ColumnDecimal.tie``), for the plan and the load's notes."""
        out = [f"column {step.source.where!r}: {why}" for step, marks in self._marked()
               if isinstance(marks, tf.ColumnDecimal) and (why := marks.tie(
                   money=step.source.what == "an amount")) is not None]
        if self.beyond_minor and self.money is not None:
            out.append(self._beyond_minor_note())
        for what, none in (("person", "no person"), ("organization", "no organization")):
            if (seen := self.placeholders.get(what)) is not None:
                count, _, first = seen
                shown = ", ".join(f"{cell!r} (row {n})" for n, cell in first)
                out.append(f"{count:,} {'row' if count == 1 else 'rows'} with a "
                           f"placeholder {what} cell ({shown}"
                           f"{', ...' if count > 3 else ''}): {none}, as a blank cell")
        return out

    def star_note(self) -> str | None:
        """After the rows are mapped: the plan's note on the rows whose stage the stage
        map's ``"*"`` placed, each cell value with its rows (x49r11 F2), or None."""
        return self.stage.star_note() if self.stage is not None else None

    def _placeholder(self, what: str, n: int, cell: str) -> None:
        """Count row ``n``'s placeholder ``what`` cell for ``mark_notes`` (once a row)."""
        count, last, first = self.placeholders.get(what, (0, 0, ()))
        if n > last:
            self.placeholders[what] = (count + 1, n, first if len(first) >= 3
                                       else (*first, (n, cell)))

    def _beyond_minor_note(self) -> str:
        """The note on ``beyond_minor``: the amounts read one way only with more decimals
        than their currency has (ISO 4217's minor unit), written as given (docs/mapping.md,
        "More decimals than the currency has": only an amount that also reads with its mark
        grouping thousands is refused)."""
        assert self.money is not None
        n = len(self.beyond_minor)
        row, (amount, currency) = min(self.beyond_minor.items())
        decimals = len(amount.partition(".")[2])
        return (f"column {self.money.source.where!r}: {n:,} "
                f"{'amount has' if n == 1 else 'amounts have'} more decimals than "
                f"{'its' if n == 1 else 'their'} currency has, reading one way only: written "
                f"as given (row {row}: {amount} {currency}, {counted(decimals, 'decimal')}, "
                f"{currency} has {tf.minor_units(currency)}); check those cells if the "
                "amounts should not have them — an amount that could also read with its "
                "mark grouping thousands ('$1.234': 1.234 or 1234) is refused as "
                "ambiguous instead")

    def listed_only_dates(self) -> dict[str, list[str]]:
        """Per date column (as its rows' reasons name it), the first cells the learning
        pass saw that only the column's listed order reads (``DateOrder.listed_only``):
        what a plan's date hint must read too (x52r6 F4)."""
        return {step.source.where: [cell for cell, _ in marks.listed_only]
                for step, marks in self._marked()
                if isinstance(marks, DateOrder) and marks.listed_only}

    def decimal_marks(self) -> dict[str, dict[str, str]]:
        """What each ``decimal = "auto"`` target's column showed, by the target's body key or
        custom field code: decimal mark → the first cell showing it (JSON-safe: a job
        stores it so that a retry reads its rows the same way)."""
        return {step.name: marks.evidence() for step, marks in self._marked()}

    def use_decimal_marks(self, marks: MappingABC[str, Any]) -> None:
        """Judge ambiguous cells by ``marks`` (``decimal_marks()`` of an earlier pass over
        the same file); a target it does not name has no evidence."""
        for step, column in self._marked():
            shown = marks.get(step.name)
            column.restore(shown if isinstance(shown, MappingABC) else {})
            step.forget()

    def map(self, row: SourceRow, *, defer_users: bool = False) -> MappedRow:
        """The deal, person and organization of one row, or InputError(row=, column=).
        A cell naming a deactivated user (``DeactivatedUser``) is such an error, unless
        ``defer_users`` (an update, an upsert): its id is taken and the error kept in
        ``MappedRow.deactivated``, for the caller to fail the row only if it changes that
        target (x20r2 F4)."""
        values, n = row.values, row.row
        deactivated: dict[str, InputError] = {}

        def user(step: _Step, value: DeactivatedUser) -> int:
            exc = InputError(value.reason, row=n, column=step.source.where)
            if not defer_users:
                raise exc
            deactivated[step.name] = exc
            return value.id
        # every bad cell of the row is reported at once (a person fixes them in one round),
        # the key's too (v10r17 E: a bad key hid the row's bad date until the next round);
        # the first one leads (its column is the row's, its reason the reason class)
        errors: list[InputError] = []
        fed: dict[int, str] = {}  # id(error) -> the field its cell was read for
        broken: str | None = None  # an XLSX cell the reader refused: the others are read
        if row.error is not None:
            broken = row.error.column
            if broken is None or not isinstance(values.get(broken),
                                                ExcelError | UncachedFormula):
                raise row.error  # the record itself (width, bytes): its cells mean nothing
            errors.append(row.error)  # v10r18 F2: it hid every other bad cell of the row
            blank = ((k, None if k == broken else v) for k, v in values.items())
            values = TableRow(blank, values.index) if isinstance(values, TableRow) \
                else dict(blank)
        key: str | None = None
        try:
            raw_key = self.key(values)
            if self.key_check is not None and str(raw_key or "").strip():
                try:
                    self.key_check(raw_key)
                except InputError as exc:
                    raise InputError(exc.reason, column=_CHECKED) from None
            key = tf.source_key(raw_key)
        except InputError as exc:
            errors.append(InputError(exc.reason if exc.column == _CHECKED
                                     else f"{self.key_label}: {exc.reason}", row=n,
                                     column=self.key.where))
        else:
            if key is None:
                errors.append(InputError(f"{self.key_label} is empty" + self.key.missing(values)
                                         + section_title(values), row=n,
                                         column=self.key.where))
            elif self.key_kind is not None \
                    and (long := too_long(key, *self.key_kind)) is not None:
                errors.append(InputError(f"{self.key_label}: {long.reason}", row=n,
                                         column=self.key.where))
            elif key.casefold() == self.key.where.casefold():
                # v10r25 F1: another export's header line, joined below the first, became
                # the deal keyed "Record ID" (its other columns renamed: no repeat of ours)
                errors.append(InputError(f"{self.key_label} is {key!r}, the key column's own "
                                         "name: a header line (files joined into one?); "
                                         "remove that line", row=n, column=self.key.where))
        deal: dict[str, Any] = {}
        unread: InputError | None = None  # the status step's refusal
        # a plain dict (a CSV row) reads a cell in place; another row (JSON paths, XLSX)
        # through ``_cell``, whose read may raise (issue 8: a call a step a row)
        plain = type(values) is dict
        for step, memo, column in self._deal_plan:
            # a text cell the step remembers, read here (issue 8: a call a step a row was a
            # tenth of the mapping; ``_Step.__call__``'s own first branch, inlined)
            if column is not None \
                    and type(cell := values.get(column) if plain else _cell(values, column)) \
                    is str and (value := memo.get(cell, memo)) is not memo \
                    and type(value) is not _Refused and type(value) is not DeactivatedUser:
                if value is not None:
                    deal[step.name] = value.copy() if type(value) is list \
                        or type(value) is dict else value
                continue
            try:
                value = step(values, n)
                if type(value) is DeactivatedUser:
                    value = user(step, value)
            except InputError as exc:
                errors.append(exc)
                fed[id(exc)] = _KEYS.get(step.name, step.name)
                if step.name == "status":
                    unread = exc
                continue
            if value is not None:
                deal[step.name] = value
        if "title" not in deal and not any(e.column == self.steps[0].source.where
                                           for e in errors):
            errors.append(InputError("the deal title is empty"
                                        + self.steps[0].source.missing(values),
                                        row=n, column=self.steps[0].source.where))
        chosen: tuple[str, ...] | None = None  # how the row named its currency (_money)
        undecided: list[InputError] = []  # "kr" under EUR: the deal decides (x20r2 F2)
        try:
            chosen = self._money(values, n, deal, undecided)
        except InputError as exc:
            errors.append(exc)
        for part in (self._place, self._lost_reason, self._close_times):
            try:
                part(values, n, deal)
            except InputError as exc:
                errors.append(exc)
        if unread is not None and self.found_status is not None:
            self._status_of_create(deal, unread, errors)
        custom: dict[str, Any] = {}
        opened: dict[str, tuple[str, ...]] = {}
        for step, memo, column in self._custom_plan:
            if column is not None \
                    and type(cell := values.get(column) if plain else _cell(values, column)) \
                    is str and (value := memo.get(cell, memo)) is not memo \
                    and type(value) is not _Refused and type(value) is not DeactivatedUser \
                    and type(value) is not dict:  # (a monetary field's: read below)
                if value is not None:
                    custom[step.name] = value.copy() if type(value) is list else value
                continue
            try:
                value = step(values, n)
                if type(value) is DeactivatedUser:
                    value = user(step, value)
            except InputError as exc:
                errors.append(exc)
                fed[id(exc)] = self._custom_labels.get(step.name, step.name)
                continue
            if value is not None:
                custom[step.name] = value
                if type(value) is dict and OPEN_CURRENCY in value:  # a monetary field's
                    opened[step.name] = value.pop(OPEN_CURRENCY)
                    why = value.pop(UNDECIDED_CURRENCY, None)
                    if why is not None:
                        undecided.append(InputError(why[0], row=n,
                                                    column=why[1] or step.source.where))
        person = org = None
        try:
            person = self._person(values, n)
        except InputError as exc:
            errors.append(exc)
            fed[id(exc)] = "the person"
        try:
            org = self._org(values, n)
        except InputError as exc:
            errors.append(exc)
            fed[id(exc)] = "the organization"
        if errors or key is None:
            raise _all_of(_one_per_cell([e for e in errors if e is errors[0] or broken is None
                                         or e.column != broken], fed), n)
        custom[self.key_code] = key
        deal["custom_fields"] = custom
        return MappedRow(n, key, deal, person, org, chosen == (), chosen or (), opened,
                         tuple(undecided), deactivated or None,
                         self._defaulted(values, deal, custom)
                         if self._defaulting or self._stage_defaults else ())

    def _status_of_create(self, deal: dict[str, Any], unread: InputError,
                          errors: list[InputError]) -> None:
        """An upsert's status read from the stage column, refused by the status step (the
        import's reading: ``unknown status 'Done'``): a create's refusal only, kept in the
        row's ``InDealPipeline`` (leading, as in an import); a deal found reads the cell
        as an update does (``found_status``: x52r2 F1, 'Done' of "Done" = "Sales > Won"
        failed 40 found rows the update placed)."""
        marker = deal.get("stage_id")
        if not isinstance(marker, InDealPipeline) or self.stage is None \
                or unread.column != self.stage.source.where:
            return
        errors.remove(unread)
        deal["stage_id"] = dataclasses.replace(marker, reason=unread.reason,
                                               column=unread.column, create=None)

    @functools.cached_property
    def _deal_plan(self) -> tuple[tuple[_Step, dict[Any, Any], str | None], ...]:
        """``map``'s deal steps, each with its memo and the column its memo is read by
        (None: no memo, or a template's: the step reads it), taken once (issue 8)."""
        return _plan(self.steps)

    @functools.cached_property
    def _custom_plan(self) -> tuple[tuple[_Step, dict[Any, Any], str | None], ...]:
        """``_deal_plan`` of the custom fields' steps."""
        return _plan(self.customs)

    @functools.cached_property
    def _defaulting(self) -> tuple[_Step, ...]:
        """The deal's and custom fields' steps that have a ``default`` (the stage's is
        ``_stage_defaults``; the currency's is read with the amount, in ``_money``)."""
        steps = [*self.steps, self.money, self.pipeline, self.lost_reason, *self.customs]
        return tuple(s for s in steps if s is not None and s.source.default is not None)

    @functools.cached_property
    def _gives_close_times(self) -> bool:
        """Whether a deal step fills a won / lost / close time (``CLOSE_TIMES``): only those
        put one in a row's deal, so a mapping with none has no times to judge."""
        return any(step.name in CLOSE_TIMES for step in self.steps)

    @functools.cached_property
    def _stage_defaults(self) -> bool:
        return self.stage is not None and self.stage.source.default is not None

    def _defaulted(self, values: Values, deal: dict[str, Any],
                   custom: dict[str, Any]) -> tuple[str, ...]:
        """The targets of the row that hold their ``default`` (``MappedRow.defaulted``): a
        stage is the default's when its cell is blank and the pipeline's is too (a row
        that names a pipeline needs its stage there)."""
        out = [step.name for step in self._defaulting
               if (step.name in deal or step.name in custom) and step.source.blank(values)]
        stage = self.stage
        if stage is not None and "stage_id" in deal and stage.source.default is not None \
                and stage.source.blank(values) \
                and (self.pipeline is None or self.pipeline.source.blank(values)):
            out.append("stage_id")
        return tuple(out)

    def _money(self, values: Values, n: int, deal: dict[str, Any],
               undecided: list[InputError]) -> tuple[str, ...] | None:
        """The amount and currency into ``deal``. Returns how open the currency is: ``()``
        when it is ``defaults.currency`` alone (the row names none); the currencies the
        amount's symbol may mean (``$``: USD, CAD, AUD, ...) when no currency cell says
        which; None when the row names it (a currency cell, a code, a symbol of one
        currency). A symbol nothing decides (``kr`` under EUR) sends no currency and adds
        its reason to ``undecided``: the deal it updates decides it, a new deal fails."""
        money: tf.Money | None = self.money(values, n) if self.money else None
        cell: tf.CurrencyCell | None = self.currency(values, n) if self.currency else None
        # the cell's own fault names its column (x12r1 F5)
        where = self.currency.source.where if self.currency and (
            cell is not None and not _names_currency(money)) else self.money.source.where \
            if self.money else None
        try:  # one reading of the amount's symbol and the currency cell (x20r2 F1)
            currency, open_to, why = tf.row_currency(money, cell, self.default_currency)
        except InputError as exc:
            raise InputError(exc.reason, row=n, column=where) from None
        if why is not None:
            undecided.append(InputError(why, row=n, column=where))
        if cell is not None and open_to is None and not _names_currency(money) \
                and self.currency is not None and self.currency.source.default is not None \
                and self.currency.source.blank(values):
            open_to = ()  # deal.currency's default alone: as defaults.currency (x41r3 F2)
        if money is not None:
            try:  # 5,000 under the decimal mark ",": 5 or 5000 (x21r3 F1)
                tf.check_minor_units(money, currency, open_to)
            except InputError as exc:
                raise InputError(exc.reason, row=n, column=self.money.source.where
                                 if self.money else None) from None
            if currency is not None and money.amount.is_finite() \
                    and -int(money.amount.as_tuple().exponent) > tf.minor_units(currency):
                self.beyond_minor[n] = (format(money.amount, "f"), currency)
            deal["value"] = tf.json_number(money.amount)
        # defaults.currency applies to every row that names none, a blank amount too: sent
        # nothing, Pipedrive would give the deal the company's currency (issue 10 finding)
        if currency:
            deal["currency"] = currency
        return open_to  # "$" without a currency cell: a dollar deal keeps its own

    def _place(self, values: Values, n: int, deal: dict[str, Any]) -> None:
        """stage_id when the row names a stage (it decides the pipeline), else pipeline_id."""
        pipeline_id = self.pipeline(values, n) if self.pipeline else None
        if self.stage is not None and self.blank_stage_keeps \
                and self.stage.source(values) is None:
            self._left_in(values, n)
            return
        if self.stage is not None:
            if self.blank_stage_keeps and pipeline_id is None:
                # an update's row of no pipeline: every stage cell is read in the deal's
                # own pipeline first, once the deal is read (x50r9 F1; x51r4 F1: a map
                # entry or "*" read in every pipeline moved 160 of 320 deals unsaid)
                deal["stage_id"] = InDealPipeline(
                    str(self.stage.source(values)),
                    functools.partial(self._placed_in, values, n))
                return
            if self.defers_stage:
                # an upsert's row: a deal its key finds reads the cell as an update does,
                # whatever its Pipeline cell holds (``found_place``: x51r10 F1, F2, an entry
                # naming a pipeline or a stage of one other pipeline by its name alone
                # moved 7 of 7 deals unsaid; x52r2 F2, a won / lost word of no stage of the
                # deal's own pipeline named failed where the update closed it), a blank
                # cell leaving the deal's stage (x52r12 F1: it failed "the stage is empty");
                # a create reads it as the import does, here (its status, close times and
                # lost reason checked against it). A pipeline's default names none for a
                # deal found: a default fills new deals only (x41r3 F2)
                cell = self.stage.source(values)
                named = pipeline_id if self.pipeline is not None and \
                    self.pipeline.source(values, default=False) is not None else None
                place = functools.partial(self._left_in, values, n) if cell is None \
                    else self.found_place(values, n, named)
                try:  # (counted as placed by "*" once the row creates: ``count_create``)
                    self._staged(values, n, pipeline_id, deal, tally=False)
                except InputError as exc:
                    deal["stage_id"] = InDealPipeline(
                        "" if cell is None else str(cell), place, exc.reason, exc.column,
                        named=named is not None or cell is None)
                else:
                    deal["stage_id"] = InDealPipeline(
                        str(cell), place, create=int(deal["stage_id"]),
                        named=named is not None,
                        count_create=functools.partial(self.stage, values, pipeline_id, n))
                return
            try:
                self._staged(values, n, pipeline_id, deal)
            except InputError:
                # an update's row naming its deal's own pipeline reads a won / lost word of
                # no stage of it as a row of no pipeline does: closed where it is (x51r10
                # F3: the starter's "Closed Lost" = "Closing" moved SMB deals to Closing)
                status = self._closes(values, n, pipeline_id) \
                    if self.blank_stage_keeps and pipeline_id is not None else None
                if status is None or pipeline_id is None:
                    raise
                deal["stage_id"] = InDealPipeline(  # (an upsert's found rows' reading too)
                    str(self.stage.source(values)),
                    self.found_place(values, n, pipeline_id), named=True)
        elif pipeline_id is not None:
            deal["pipeline_id"] = pipeline_id

    def _as_row_spells(self, values: Values, pipeline_id: int | None, reason: str) -> str:
        """``reason`` (a stage refusal in pipeline ``pipeline_id``) quoting the row's
        pipeline as its Pipeline cell spells it, as the stage is quoted (y54r3 F4: `Bogus,
        sales` was refused "no stage named 'Bogus' in pipeline 'Sales'", 26 of 26 rows): a
        quoted pipeline whose name folds as the cell does (``tf.stage_key``: case, spacing,
        separators) is the row's; another pipeline named (a stage's own) is left."""
        if pipeline_id is None or self.pipeline is None:
            return reason
        cell = self.pipeline.source(values, default=False)
        if not isinstance(cell, str) or not cell.strip():
            return reason
        spelling = cell.strip()
        wanted = tf.stage_key(spelling)

        def spelled(match: re.Match[str]) -> str:
            name = _str_literal(match.group(1))
            if name is None or name == spelling or tf.stage_key(name) != wanted:
                return match.group(0)
            return f"pipeline {spelling!r}"
        return _QUOTED_PIPELINE.sub(spelled, reason)

    def _left_in(self, values: Values, n: int, pipeline_id: int | None = None
                 ) -> dict[str, Any]:
        """A blank stage cell (no default) of a deal found, an update's row or an upsert's
        (``InDealPipeline.place``, ``pipeline_id`` the deal's, unread): the deal left in its
        stage (``stage_id`` None: kept), as any blank cell of an update leaves its field
        (v10r16 M3; x52r12 F1: the upsert's found row failed "the stage is empty");
        refused when the row names a pipeline (a PATCH of ``pipeline_id`` alone moves the
        deal to that pipeline's first stage): InputError naming row ``n`` and the column."""
        assert self.stage is not None
        if self.pipeline is not None and self.pipeline.source(values, default=False) \
                is not None:
            raise InputError("the stage is empty but the row names a pipeline: name the "
                             "stage in it too, or empty the pipeline cell to leave the deal "
                             "where it is", row=n, column=self.stage.source.where)
        return {"stage_id": None}

    def found_place(self, values: Values, n: int, named: int | None
                    ) -> Callable[[int], dict[str, Any]]:
        """How the stage cell of a row of a deal found (an update's, an upsert's) is read
        once the deal's pipeline id is known, the one decision for both whatever the row's
        Pipeline cell holds: ``named`` None (blank) → ``_placed_in``; a pipeline →
        ``_named_in``. The function returns ``stage_id`` / ``status`` (None: the deal's
        own kept) or raises InputError naming the row and the column."""
        if named is None:
            return functools.partial(self._placed_in, values, n)
        return functools.partial(self._named_in, values, n, named)

    def _named_in(self, values: Values, n: int, named: int, pipeline_id: int
                  ) -> dict[str, Any]:
        """A found deal's stage cell of a row naming pipeline ``named``, the deal in
        ``pipeline_id``: read in ``named`` (the update's status reading); a won / lost word
        no stage of it reads closes a deal of that pipeline where it is (``_closed_in``:
        x51r10 F3, x52r2 F2), else the reading's InputError stands."""
        out: dict[str, Any] = {}
        try:
            self._staged(values, n, named, out, kept=None)
        except InputError as first:
            if (status := self._closes(values, n, named)) is None:
                raise
            return _closed_in(named, status, first, pipeline_id)
        return out

    def _closes(self, values: Values, n: int, pipeline_id: int) -> str | None:
        """The status (won / lost) the stage cell says in pipeline ``pipeline_id`` when
        its stage reading failed there and no entry of the stage map for that pipeline
        reads it (a stage-only export's won word: x51r4 F2), else None."""
        assert self.stage is not None
        cell = self.stage.source(values)
        status = None
        read = self.found_status or self.stage_status  # (a deal found's reading)
        if read is not None:  # (a status map key's: the status step's)
            step = next((s for s in self.steps if s.name == "status"), None)
            with contextlib.suppress(InputError):
                status = read(cell, pipeline_id) or (
                    step(values, n) if step is not None else None)
        if status in ("won", "lost") and (
                self.stage.entry is None or self.stage.entry(cell, pipeline_id) is None):
            # an entry naming another pipeline is that one's deals' only, read as absent
            # here (x51r10 F4: "Won" = "Sales > Won" failed 40 of 40 Enterprise rows)
            return str(status)
        return None

    def _placed_in(self, values: Values, n: int, pipeline_id: int) -> dict[str, Any]:
        """A found deal's stage cell (an update's row, an upsert's) of a row of no
        pipeline read in the deal's pipeline ``pipeline_id``: its entries, its own name,
        "*" (``_staged``). Only a cell that names another pipeline with its stage (``EU >
        Won``), no entry reading it, moves the deal there, the plan counting it (x51r4
        F1); a won / lost word the deal's pipeline places not (no stage of it, no entry,
        no "*") closes the deal where it is (``stage_id`` None: kept); else the deal's
        pipeline's InputError stands."""
        assert self.stage is not None
        out: dict[str, Any] = {}
        try:
            self._staged(values, n, pipeline_id, out, kept=None)
        except InputError as first:
            cell = self.stage.source(values)
            if (status := self._closes(values, n, pipeline_id)) is not None:
                return {"stage_id": None, "status": status}  # closed where it is
            own = self.stage.own(cell) if self.stage.own else None
            moved: dict[str, Any] = {}
            if own is not None:
                try:
                    self._staged(values, n, None, moved, tally=False, kept=None)
                except InputError:
                    own = None
            if own is None or moved.get("stage_id") != own:
                raise self._in_named(values, n, first) from None
            return moved
        return out

    def _in_named(self, values: Values, n: int, first: InputError) -> InputError:
        """``first`` (a found deal's stage cell refused in the deal's pipeline), or, when
        the cell names one pipeline at its head (``Sales > Won``), the cell's refusal read
        in that one as ``CellNamesPipeline`` (w56r1 F3)."""
        assert self.stage is not None
        heads = self.stage.heads(self.stage.source(values)) if self.stage.heads else ()
        if len(heads) != 1:
            return first
        try:
            self._staged(values, n, heads[0], {}, tally=False, kept=None)
        except InputError as exc:
            cell = self.stage.source(values, default=False)
            return CellNamesPipeline(f"the stage cell {cell!r} names its pipeline: "
                                     f"{exc.reason}", row=n, column=exc.column)
        return first

    def _staged(self, values: Values, n: int, pipeline_id: int | None,
                deal: dict[str, Any], tally: bool = True, kept: object = KEEP_STATUS) -> None:
        """The row's ``stage_id`` in ``pipeline_id`` (None: any), and the status its stage
        cell says (``stage_status``), into ``deal``; InputError naming the row, column.
        ``tally``: a cell "*" placed is counted (``_StageStep.tally``). A cell that says
        no status in an update (``KEEP_STATUS``) takes the status out of ``deal``, or, with
        ``kept`` None, sets it None (``InDealPipeline.place``: the status step's word
        dropped from the row's changes, ``jobs.updating``), read as a deal found's
        (``found_status``: an upsert's, x52r2 F1)."""
        assert self.stage is not None
        try:
            deal["stage_id"] = self.stage(values, pipeline_id, n if tally else None)
        except InputError as exc:
            error = AmbiguousName if isinstance(exc, AmbiguousName) else InputError
            raise error(self._as_row_spells(values, pipeline_id, exc.reason), row=n,
                        column=self.stage.source.where) from None
        read = (self.found_status if kept is None else None) or self.stage_status
        if read is not None:
            try:
                status = read(self.stage.source(values, default=False), pipeline_id)
            except InputError as exc:
                raise InputError(exc.reason, row=n,
                                 column=self.stage.source.where) from None
            if status == OWN_STAGE:  # (an upsert's: ``kept`` None reads a found deal)
                status = "open" if kept is not None else KEEP_STATUS
            if status == KEEP_STATUS:
                if kept is None:
                    deal["status"] = None
                else:
                    deal.pop("status", None)
            elif status is not None:
                deal["status"] = status

    def _lost_reason(self, values: Values, n: int, deal: dict[str, Any]) -> None:
        reason = self.lost_reason(values, n) if self.lost_reason else None
        if reason is None:
            return
        if deal.get("status") == "lost" or (self.blank_stage_keeps and (
                "status" not in deal or isinstance(deal.get("stage_id"), InDealPipeline))):
            # (an update whose row leaves the status, or whose stage cell the deal's
            # pipeline places: judged by the status placed, else the deal's own, in
            # jobs.updating, ``judge_found``; x14r1 F3: a new reason for a lost deal failed
            # as "open"; f52n: ``Closed Won`` + a reason on a lost Enterprise deal failed
            # as "won" with a blank Pipeline cell, the status step's word, where the deal
            # stays lost in its stage Closed Won)
            deal["lost_reason"] = reason
        elif isinstance(marker := deal.get("stage_id"), InDealPipeline) and (
                "status" not in deal or self.found_status is not None):
            # an upsert's row whose status a deal found decides once placed (its own, or
            # the found reading of the stage column): judged by ``jobs.import_rows``
            # against the status placed, as the update judges a row leaving it (x14r1 F3;
            # a lost deal's new reason failed "the status is open", the create's reading);
            # a create's refusal is kept in the marker
            deal["lost_reason"] = reason
            if self.when_not_lost == "error" and marker.create is not None:
                deal["stage_id"] = dataclasses.replace(
                    marker, create=None, reason="a lost reason is given but the status is "
                    f"{deal.get('status', 'open')}", column=self.lost_reason.source.where
                    if self.lost_reason else None)
        elif self.defers_stage and "status" not in deal:
            # an upsert's row that says no status (no stage column, a blank status cell):
            # a deal found judges it by its own status, a create as open, in
            # ``jobs.import_rows`` (``judge_found``; f52n: a found lost deal's new reason
            # failed "the status is open", a new deal's status)
            deal["lost_reason"] = reason
        elif self.when_not_lost == "error":
            # the status unquoted: a plan counts each status apart (x42r1 F4)
            raise InputError(f"a lost reason is given but the status is "
                             f"{deal.get('status', 'open')}", row=n,
                             column=self.lost_reason.source.where if self.lost_reason else None)

    def _close_times(self, values: Values, n: int, deal: dict[str, Any]) -> None:
        """A won / lost / close time only for a deal of a status that has it (FACTS:
        won_time only when won, ...); a won or lost deal given one of its status time and
        close time takes it as the other (unsent, Pipedrive dates it the moment it is sent:
        x24r1 1). An update's row that leaves the status, or whose stage cell the deal's
        pipeline places: the status placed, else the deal's own, decides (``judge_found``,
        in ``jobs.updating``)."""
        if not self._gives_close_times or (self.blank_stage_keeps and (
                "status" not in deal or isinstance(deal.get("stage_id"), InDealPipeline))):
            return  # (no step fills a time: nothing to judge, issue 8: ~4 % of ``map``)
        if isinstance(marker := deal.get("stage_id"), InDealPipeline) and (
                "status" not in deal or self.found_status is not None):
            # an upsert's row whose status a deal found decides once placed: judged by
            # ``jobs.import_rows`` against the status placed (``judge_times``), as the
            # update judges a row leaving it (x52r2 grid: a won deal's new won time failed
            # "the status is open", the create's reading); a create's refusal is kept
            if marker.create is not None:
                try:
                    self.judge_times(n, dict(deal))
                except InputError as exc:
                    deal["stage_id"] = dataclasses.replace(marker, create=None,
                                                           reason=exc.reason, column=exc.column)
            return
        if self.defers_stage and "status" not in deal:
            return  # (an upsert's row of no status: ``judge_found``, as the lost reason)
        self.judge_times(n, deal)

    def judge_times(self, n: int, deal: dict[str, Any], status: str | None = None) -> None:
        """``deal``'s won / lost / close times judged for a deal of ``status`` (None: the
        deal's own key, else open): a time of another status taken out, a status time
        and the close time each given as the other (``close_times``), a time past
        ``latest`` or out of order refused (InputError naming row ``n`` and the column)."""
        status = status or deal.get("status", "open")
        given = {name for name in CLOSE_TIMES if deal.get(name) is not None}
        wrong = close_times(status, deal, self.open_drops)
        reason = close_time_reason(wrong, status) if wrong is not None else None
        if wrong is None and (odd := close_time_conflict(status, deal, self.latest)):
            wrong, reason = odd
        if wrong is not None:
            # a time the row gives through the other (a lost time taken from the close
            # time) is named by the column it came from (x36r1 F1: a StopIteration
            # stopped the whole plan; x36r3 F4: the blank lost time column was named)
            other = "close_time" if wrong != "close_time" else f"{status}_time"
            if wrong not in given and other in given:
                reason = str(reason).replace(wrong.replace("_", " "), other.replace("_", " "), 1)
                wrong = other
            step = next((s for s in self.steps if s.name == wrong), None) \
                or next((s for s in self.steps if s.name == other), None)
            raise InputError(str(reason), row=n,
                             column=step.source.where if step is not None else None)

    def judge_found(self, n: int, deal: MappingABC[str, Any], found: MappingABC[str, Any]
                    ) -> dict[str, Any]:
        """``deal`` (row ``n``'s values for the deal ``found``, its stage cell placed;
        ``found`` empty: a create) with its lost reason and won / lost / close times judged
        by the status it places, else ``found``'s own (open for a create): the one rule of
        ``pdbulk update``'s rows and an upsert's found rows, whatever the Pipeline cell
        holds (f52n: the update's blank-Pipeline row judged the status step's word before
        placing, and a row placing won sent its lost reason). A lost reason with a status
        that is not lost fails (or, ``when_not_lost = "drop"``, is left out: Pipedrive
        takes it only when lost, FACTS "Deals (v2)"); a time of another status fails
        (``judge_times``). Returns a new dict; InputError naming row ``n`` and the column,
        the deal named when the row leaves its status."""
        placed = deal.get("status")
        status = str(placed or found.get("status") or "open")
        leaves = not placed and "id" in found
        if deal.get("lost_reason") is not None and status != "lost":
            if self.when_not_lost == "error":
                raise InputError(
                    f"a lost reason is given but deal {found['id']} is {status!r} and the "
                    "row leaves its status: set the status to lost in the row, or leave the "
                    "reason out" if leaves else
                    f"a lost reason is given but the status is {status}", row=n,
                    column=self.lost_reason.source.where if self.lost_reason else None)
            deal = {k: v for k, v in deal.items() if k != "lost_reason"}
        judged = dict(deal)
        if not any(name in deal for name in CLOSE_TIMES):
            return judged
        try:
            self.judge_times(n, judged, status)
        except InputError as exc:
            if not leaves:
                raise
            tail = (f": deal {found['id']} is so and the row leaves its status"
                    if close_times(status, dict(deal), self.open_drops) is not None else
                    f" (deal {found['id']} is {status} and the row leaves its status)")
            raise InputError(exc.reason + tail, row=n, column=exc.column) from None
        return judged

    def _person(self, values: Values, n: int) -> PersonRef | None:
        # the name cell's readings that depend on its text alone are remembered per text
        # (``person_cells``, issue 8); what depends on the row (its e-mail and phone cells,
        # its placeholder count, its number in every error) is done here, per row, in the
        # order it always was
        name_step, email_step, phone_step = self.person
        name_column = name_step.source.where if name_step is not None else None
        name = name_step(values, n) if name_step else None
        if isinstance(name, str):
            opened = pc.opening(name, MAX_PERSON_CELL)
            if opened.placeholder:  # ("n/a", "NULL", "-": a blank cell, x50r1 F10)
                self._placeholder("person", n, name)
                name = None
            elif opened.error is not None:  # ("nan": x50r7 F3; x49r7 F4: too long)
                raise InputError(opened.error, row=n, column=name_column)
        elif (why := tf.name_or_blank(name)) is not None:  # (not text: none of those)
            raise InputError(f"the person cell {why}", row=n, column=name_column)
        shared = (name_step is not None and email_step is not None
                  and name_step.source.column is not None
                  and name_step.source.column == email_step.source.column)
        if shared and isinstance(name, str) and "@" not in name:
            # one column read as both (HubSpot's "Associated Contact": "Ann Lee (ann@x)"):
            # a cell with no address names the person alone (x34r1: "Carl Dee" was refused
            # as "not an e-mail address"), never with a bracket that holds none (x44r1 F2:
            # "Ines Koch (n/a)" was a person's name): a placeholder is left out, anything
            # else fails the row
            try:
                name = tf.contact_name(name)
            except InputError as exc:
                raise InputError(exc.reason, row=n, column=name_column) from None
            email_step = None
        addresses: tuple[str, ...] | None = email_step(values, n) if email_step else None
        own_phones: tuple[str, ...] = ()
        webs: tuple[str, ...] = ()
        cut = False  # a contact was cut from the name cell (its marks go too: strip_marks)
        cell = name
        spelling: str | None = None
        if not shared and isinstance(name, str):
            # "Jane Roe, jane@x", "Jane Roe / +49 30 1234567": the person's own address or
            # phone, as "Jane Roe <jane@x>"'s (x48r11 F1: cut into the note as a "job
            # title", and four such contacts made one person), and those after a space, in
            # brackets, web addresses anywhere (x49r4 F4, F6)
            cells = pc.cut_cell(name)
            if cells.error is not None:
                raise InputError(cells.error, row=n, column=name_column)
            name, own_phones, webs, cut = cells.name, cells.phones, cells.webs, cells.cut
            if cells.emails:
                addresses = self._bracket_address(str(cell), addresses, n, cells.emails[0])
            # a name column's "Ann Lee <ann@x>": the name beside the address, never the
            # address's bracket (x44r1 F2); the address is the e-mail column's to give,
            # the person's own when the mapping reads none (x44r9 F3), and one the row's
            # e-mail cell contradicts fails the row; else the name before its bracket or
            # in its quotes, a spelling kept for the note (``person_cells.bracketed``)
            read = pc.bracketed(name, cut)
            if read.bracket is not None:
                addresses = self._bracket_address(name, addresses, n)
                name, cut = read.bracket, True
            else:
                name, spelling = read.name, read.spelling
        if shared and addresses and isinstance(name, str):
            # ... and a cell with one is the address and the name beside it, never the
            # whole cell as the name (x34r1: a person named "Ann Lee (ann@x)")
            name = tf.display_name(name)
        email = addresses[0] if addresses else None
        # each phone with the label its cell writes beside it (``tf.labelled_phones``)
        numbers: tuple[tuple[str, str | None], ...] | None = \
            phone_step(values, n) if phone_step else None
        phones: tuple[str, ...] | None = tuple(p for p, _ in numbers) if numbers else None
        labels = tuple((p, label) for p, label in numbers or () if label is not None)
        if own_phones:
            phones = self._own_phone(str(cell), own_phones[0], phones, n)
        phone = phones[0] if phones else None
        if isinstance(name, str) and not name.strip():
            name = None  # all the cell held was its contacts (x49r7: a person named 'None')
        if name is None and email is None and phone is None:
            return None
        if name is None and email is None:
            where = self.person[2].source.where if self.person[2] else None
            raise InputError("the person has a phone number but no name or e-mail",
                             row=n, column=where)
        if email_step is not None:  # the cell's own: "Ann Lee" <ann@x>
            cell = email_step.source(values, default=False)
            if isinstance(cell, str) and cell.count("@") > 1 \
                    and len(named := tf.display_names(cell)) > 1:
                # x23r1 F1: never one of two; x46r1 F1: whatever the name cell says
                # ("Mia Nor" beside "Mia Nor <mia@x>, Ole Pan <ole@x>": Ole's deal)
                raise InputError(
                    f"the e-mail cell names {len(named)} persons ("
                    + ", ".join(repr(p) for p in named[:3]) + (", ..." if len(named) > 3
                                                               else "")
                    + "): a deal has one person: keep the one it belongs to",
                    row=n, column=email_step.source.where)
            if name is None:
                name = tf.display_name(cell)
        title = None
        if isinstance(name, str):
            # its title, address form, web address and spelling for the note; a contact,
            # date or web address left in it, or a placeholder (``person_cells.titled``)
            named_as = pc.titled(name, shared, cut, webs, spelling)
            if named_as.error is not None:
                raise InputError(named_as.error, row=n, column=name_column)
            name, title = named_as.name, named_as.title
            if named_as.placeholder:  # ("N/A, CEO": a blank name cell, x51r1 F8)
                self._placeholder("person", n, name)
                if phone is None and email is None:
                    return None
                name = ""
        if not name and email is None:  # ("+ +49 30 1234567": the joiner was all its name)
            raise InputError("the person has a phone number but no name or e-mail", row=n,
                             column=name_column)
        return PersonRef(str(name or email), email, phone, addresses[1:] if addresses else (),
                         phones[1:] if phones else (), title, labels)

    def _name_column(self) -> str | None:
        """Where the person's name is read from, for a reason (None without a name column)."""
        name_step = self.person[0]
        return name_step.source.where if name_step is not None else None

    def _bracket_address(self, cell: str, addresses: tuple[str, ...] | None,
                         n: int, written: str | None = None) -> tuple[str, ...] | None:
        """The addresses of a row whose name column writes one beside the name (``cell``;
        ``written`` the address when cut from it at a comma, ``tf.name_contacts``): the
        e-mail column's (``addresses``) when the mapping reads one and the row's e-mail
        cell gives one — InputError when it gives another address —, else the
        bracket's (``tf.email_addresses``: its InputError when invalid; x48r11 F1: an
        empty e-mail cell dropped it)."""
        name_step, email_step, _ = self.person
        where = name_step.source.where if name_step is not None else None
        try:
            own = tf.email_addresses(cell if written is None else written)
        except InputError as exc:
            if email_step is not None and addresses:
                return addresses
            # (the name cell's address, said so: x48r15 F3, with the e-mail column empty
            # "not an e-mail address" read as the e-mail cell's fault)
            raise InputError(f"the person cell {cell!r} writes an invalid address: "
                             f"{exc.reason}", row=n, column=where) from None
        if email_step is None or not addresses:
            return own
        if addresses and own and tf.email_key(own[0]) not in map(tf.email_key, addresses):
            raise InputError(
                f"the person cell {cell!r} writes the address {own[0]!r}, the e-mail cell "
                f"{addresses[0]!r}: keep the person's one", row=n, column=where)
        return addresses

    def _own_phone(self, cell: str, written: str, phones: tuple[str, ...] | None,
                   n: int) -> tuple[str, ...] | None:
        """The phones of a row whose name cell (``cell``) writes one after a comma
        (``written``: ``tf.name_contacts``): the phone column's when the row's phone cell
        gives one — InputError when it gives another number (as ``_bracket_address``
        for an address) —, else the cell's own (``tf.clean_phone``: its InputError when
        invalid)."""
        name_step = self.person[0]
        where = name_step.source.where if name_step is not None else None
        try:
            own = tf.clean_phone(written)
        except InputError as exc:
            raise InputError(exc.reason, row=n, column=where) from None
        if not phones:
            return (own,) if own else phones
        digits = [re.sub(r"\D", "", p) for p in phones]
        if own and re.sub(r"\D", "", own) not in digits:
            raise InputError(
                f"the person cell {cell!r} writes the phone {written!r}, the phone cell "
                f"{phones[0]!r}: keep the person's one", row=n, column=where)
        return phones

    def _org(self, values: Values, n: int) -> OrgRef | None:
        name_step, address_step = self.org
        name = name_step(values, n) if name_step else None
        if tf.placeholder_cell(name):  # (an organization named "N/A": x50r1 F10)
            self._placeholder("organization", n, str(name))
            name = None
        elif (why := tf.name_or_blank(name)) is not None:  # ("nan": x50r7 F3)
            raise InputError(f"the organization cell {why}", row=n,
                             column=name_step.source.where if name_step else None)
        address = address_step(values, n) if address_step else None
        return OrgRef(name, address) if name is not None else None


class MarksLearning:
    """``RowMapper.learn_marks`` shown the rows one by one: ``see(row)`` each (False once
    nothing a later row shows can change a decision: the caller may stop showing them),
    then ``stop()`` (always, in a ``finally``: the memos the learning filled are emptied)
    and ``done()`` (the decision: ``RowMapper.decimal_marks()``, DecimalContested or
    MixedCurrency as ``learn_marks`` raises them)."""

    __slots__ = ("_deciding", "_mapper", "_marked", "_mix", "_stopped")

    def __init__(self, mapper: RowMapper) -> None:
        self._mapper = mapper
        self._marked = mapper._marked()
        self._mix = mapper._currency_mix()
        for step, marks in self._marked:
            marks.start()
            step.forget()
        # the columns still deciding: one that showed both marks is read no more (its
        # decision, and the first cell showing each, can no longer change: ``_Step.learn``)
        self._deciding = list(self._marked)
        self._stopped = False

    def see(self, row: SourceRow) -> bool:
        """Show ``row`` (a row the reader refused, or whose source key is empty or does not
        read — it fails anyway: ``RowMapper.fails_by_key`` — is no evidence). False when
        every column
        showed both marks and no currency mix is checked: no later row changes a thing."""
        deciding, mix = self._deciding, self._mix
        if not deciding and mix is None:
            return False
        if row.error is not None:
            return True
        values, at = row.values, row.row
        if self._mapper.fails_by_key(values):
            return True  # x43r1 F3: an export's "Total" row, no key: fails anyway
        decided = False
        for step, marks in deciding:
            marks.at = at
            decided = step.learn(values) or decided
        if mix is not None:
            mix.see(values, at)
        if decided:
            self._deciding = deciding = [(s, m) for s, m in deciding if len(m.seen) != 2]
        return bool(deciding) or mix is not None

    def stop(self) -> None:
        """Decide each column from what it was shown; its memo forgets the texts shown (a
        cell read while learning was only shown to its column). Once; again: nothing."""
        if self._stopped:
            return
        self._stopped = True
        for step, marks in self._marked:
            marks.decide()
            step.forget()

    def done(self) -> dict[str, dict[str, str]]:
        """After ``stop``: ``RowMapper.decimal_marks()``, or DecimalContested /
        MixedCurrency."""
        self.stop()
        contested = [(step.source.where, why) for step, marks in self._marked
                     if (why := marks.contest()) is not None]
        if contested:
            raise DecimalContested(contested)
        if self._mix is not None:
            self._mix.check()
        return self._mapper.decimal_marks()


def _plan(steps: Iterable[_Step]) -> tuple[tuple[_Step, dict[Any, Any], str | None], ...]:
    """(step, memo, column) of each step for ``RowMapper.map``'s loops: the column is None
    where no memo reads it (the memo is then an empty dict, never read)."""
    return tuple((s, s.memo if s.memo is not None else {},
                  s.source.column if s.memo is not None else None) for s in steps)


def _cell(values: Values, column: str) -> object:
    """``values[column]`` for ``RowMapper.map``'s in-place read, None where reading it
    raises: a JSON path reading two values in this record (``AmbiguousPath``) is the
    step's to name, with its column (the in-place read let it escape the row's errors,
    and the failed row named no column)."""
    try:
        return values.get(column)
    except InputError:
        return None


def close_times(status: str, deal: dict[str, Any],
                open_drops: frozenset[str] = frozenset()) -> str | None:
    """The first won / lost / close time in ``deal`` that a deal of ``status`` cannot have
    (taken out of ``deal``), else None, and ``deal`` given its status time as its close
    time or its close time as its status time when it names one of them alone.
    ``open_drops``: the times an open deal drops without a word (``when_open = "drop"``)."""
    for name in CLOSE_TIMES:
        if name in deal and status not in CLOSE_TIMES[name]:
            del deal[name]
            if status == "open" and name in open_drops:
                continue
            return name
    own = f"{status}_time"
    if own in deal:
        deal.setdefault("close_time", deal[own])
    elif "close_time" in deal:
        deal[own] = deal["close_time"]
    return None


# seconds past the run's clock a time may be: a time without an offset is read as UTC, so
# one written at the run's moment in the farthest zone ahead (UTC+14, Line Islands) reads
# 14 h ahead; a day (before x37r1 F5) let 23:59 of today's UTC pass 9 h early
LATEST_MARGIN = 14 * 3600.0


def latest_time(wall: float) -> str:
    """``RowMapper.latest`` for a run whose clock reads ``wall`` (Unix seconds): RFC 3339,
    UTC, ``LATEST_MARGIN`` (14 h) later — the run's moment in the farthest time zone ahead
    of UTC, so a time written there without its offset is not refused."""
    import time as _time

    return _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(wall + LATEST_MARGIN))


def _shown_time(when: str, seconds: bool = False) -> str:
    """An RFC 3339 UTC time as a reason shows it: ``2030-03-01`` at midnight (a date
    alone), else ``2030-03-01 10:00 UTC`` (``seconds``: ``10:00:07``)."""
    day, _, rest = when.partition("T")
    clock = rest[:8] if seconds else rest[:5]
    return day if clock.strip(":0") == "" else f"{day} {clock} UTC"


def close_time_conflict(status: str, deal: MappingABC[str, Any],
                        latest: str | None = None) -> tuple[str, str] | None:
    """(field, reason) when the times of a ``status`` deal (after ``close_times``) cannot
    all be true, else None: a won / lost time and a close time on different days
    (Pipedrive closes a deal when it is won or lost: both are one moment, FACTS "Deals
    (v2)"; x35r1: won 03-01 with close 03-05 was sent as given), or a time after
    ``latest`` (RFC 3339: a won time in 2030 is no deal's history). The reason names
    both cells' days."""
    if status not in ("won", "lost"):
        return None
    own = f"{status}_time"
    mine, closed = deal.get(own), deal.get("close_time")
    if isinstance(mine, str) and isinstance(closed, str) and mine[:10] != closed[:10]:
        return ("close_time", f"the {status} time {mine[:10]} and the close time "
                              f"{closed[:10]} differ: a {status} deal is closed the moment it "
                              f"is {status} (give one of them, or both the same day)")
    if latest is not None:
        for name in (own, "close_time"):
            if isinstance(when := deal.get(name), str) and when > latest:
                what = name.replace("_", " ")
                # to the second when the minute is the bound's (x37r3 F7: "05:39 UTC is in
                # the future (after 05:39 UTC")
                exact = when[:16] == latest[:16]
                shown = _shown_time(latest, exact)
                return (name, f"the {what} {_shown_time(when, exact)} is in the future (after "
                              f"{shown if ' ' in shown else shown + ' 00:00 UTC'}, this "
                              f"run's time in the farthest time zone, UTC+14): a deal is "
                              f"{status} when it happens: fix the date, or, if the "
                              f"column holds planned dates, map it as "
                              f"expected_close_date only, not as a won / lost / close "
                              f"time (delete that line of the mapping)")
    return None


def close_time_reason(name: str, status: str) -> str:
    """The reason of a ``name`` time on a ``status`` deal; the status unquoted, part of the
    plan's reason class: open and lost rows are two lines, each saying its own (x42r1 F4:
    one line "the status is 'lost'" listed the open rows too)."""
    what = name.replace("_", " ")
    return (f"a {what} is given but the status is {status} (a deal has a {what} only "
            f"when {' or '.join(CLOSE_TIMES[name])})")


# a deal step's body key -> its key in the mapping file, where they differ
_KEYS = {"owner_id": "owner", "label_ids": "label", "pipeline_id": "pipeline"}


def _one_per_cell(errors: Sequence[InputError], fed: MappingABC[int, str]
                  ) -> list[InputError]:
    """``errors`` with one per cell and reason: a column read for two fields that fails
    alike in both (``Close Date`` for expected_close_date and close_time) is said once,
    naming the fields (``fed``: id(error) -> field), not repeated under ``also``."""
    fields: dict[tuple[str | None, str], list[str]] = {}
    once: list[InputError] = []
    for e in errors:
        key = (e.column, e.reason)
        if key not in fields:
            fields[key] = []
            once.append(e)
        if id(e) in fed and fed[id(e)] not in fields[key]:
            fields[key].append(fed[id(e)])
    return [e if len(names := fields[(e.column, e.reason)]) < 2 else InputError(
        f"{e.reason}; the cell is read for {', '.join(names[:-1])} and {names[-1]}",
        row=e.row, column=e.column) for e in once]


def _all_of(errors: Sequence[InputError], row: int) -> InputError:
    """One row's errors as one: the first as it is, the others named by column after it
    (``not a number: 'n/a' (also: column 'Amount': ...; column 'Seats': ...)``)."""
    first = errors[0]
    if len(errors) == 1:
        return first
    more = "; ".join((f"column {e.column!r}: " if e.column else "") + e.reason
                     for e in errors[1:])
    return InputError(f"{first.reason} (also: {more})", row=row, column=first.column)



def section_title(values: MappingABC[str, Any]) -> str:
    """`` (its one cell, 'Won', may be a group's title line: ...)`` for a row with one
    filled cell, else ``""`` (x13r5 F3: monday.com's group rows, "Won" and "Lost", above
    the deals of each group; what they say is not given to the rows under them)."""
    filled = [v for v in values.values() if v is not None and str(v).strip()]
    if len(filled) != 1:
        return ""
    text = str(filled[0]).strip()
    return (f" (its one cell, {text[:40]!r}, may be a group or section title line: what it "
            "says is not given to the rows under it; map that to a column of each row)")

__all__ = ["LATEST_MARGIN", "MarksLearning", "RowMapper", "close_time_conflict",
           "close_time_reason", "close_times", "latest_time", "section_title"]
