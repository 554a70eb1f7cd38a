"""``RepeatedKeys``: the source keys a file gives more than one row, and what each later
row of such a key is beside the first: the same record exported twice, or another.

A file with two rows of one key that would write the same deal (an export that wrote a
record twice) is one record: the first row is imported, the later one is reported a
duplicate of it (skipped: nothing sent, no hold, the key not contested), on every import of
the file alike (x28r2: a nightly import of such a file held the second row, then contested
the key and failed both rows, exit 3, every night). An empty cell writes nothing (it leaves
the field), so a later row that writes a part of what the first writes, the same, is its
duplicate too (f31a: ``K4,Delta,58`` / ``K4,Delta,`` were held as "other values"). Rows of
one key that write other values in a field both write are two records for one deal; rows
that clash nowhere but where the later row sets a field the first leaves (``partial``) are
one deal no single row gives whole. Either way the later row stays held (``duplicate-key``),
its reason naming the first row and the fields that differ, with their cells, saying which
of the two it is, and the key is contested as before (``bulk.contested``). The first row
decides: a later row that writes all the first does and more is held, naming itself the
row to keep, never written in the first row's place (it may come after the first row's
deal is made, or fail where that row would not).

"The same deal" is judged on what the mapping makes of the row (``written``: each field
the row would send, the currency it resolves to, the person and the organization it would
match or create), never on the raw cells (x29r3 F3: ``W1`` / ``W1 ``, ``100`` / ``100.00``,
``qualified`` / ``Qualified``, an XLSX text ``'100'`` / the number 100, two spellings of one
date were held as differing) nor on where a value came from (x40r2 F1: ``$100.00`` /
``100.00`` under a USD default, a blank currency cell / ``USD``; a blank owner cell / the
owner its default names). On a deal that exists the first row decides, as it does
anywhere: a row naming no currency would leave the deal's own, so the duplicate's
currency is the first row's, whatever the later row spells. The judgement reads the file
and the mapping only, never the account: every import of the file decides alike. A row
the mapping refuses is judged on the fields it could map, the fields it failed on left out
of both rows (``partial_writes``: the row mapped again with the failing cells emptied; x40r5
F1: ``$100.00`` / ``100.00`` beside a bad e-mail or an unknown stage were "other cells", and
the key stayed contested after the cell was fixed); when none can be told, on its cells
(the cells the mapping reads, ``Mapping.columns``): the same cells fail the same way.
A row the reader refused (``SourceRow.error``: a cell too many, a byte it could not decode)
or whose cells cannot be read unambiguously (a JSON path two keys spell) is never the same
as another.

The first row that writes: a row that fails on its own cells (the mapping refuses it, or a
check of its own after, such as a deactivated owner) lends nothing — it never chooses which
row of its key writes the deal. The key's first row that writes is the row every other row
of the key is judged beside, and the one every reason names (``RowPlanner._again``; x45r10
F2: a key's first row failed on ``31/02/2026``, the third row, equal to it, was written and
the second held "beside row 2"). A failed row is a repeat only of a row that writes: held
beside it when they differ (fixed and imported again, it would overwrite that deal), that
row's part when they do not; with no such row before it (an upsert knows the key's first
row that writes ahead: ``learn_contests``), it fails on its cells alone, never held beside
another failed row, and whatever its values, the other rows of its key come out the same.
An upsert's row equal to an earlier row of its key that writes is that first such row's
duplicate even while the key is contested (``RowPlanner._held_copy``: held with it; x46r4
F3: held or not as the failing row stood).

Memory: a pass over the keys before any row is decided (``learn``, or ``learning`` along
another pass: a ``KeySet`` of 10-13 bytes a key, freed after, and one of the keys seen
twice); then, for a repeated key only, the first row's cells and a 64-bit digest of each
field it writes, in a ``SpilledDict`` (on disk once large: a file whose every key repeats
holds no more than a few MB in memory).

Rows of one key that differ in the person alone (a joined Deals + Contacts export writes
a deal of two contacts as two rows; a Pipedrive deal takes one person) are told apart
(``Repeat.contact``): an insert takes the later row for the first row's duplicate, its
note naming its contact as not linked (``unlinked_contact``; x45r1 F4); an upsert holds
them, as rows in another order would change the deal's person on each import.

Why ~580 lines: one judgement — is a later row of a key the first row's record — with what
it reads (a mapped row's writes, a refused row's fields it could map, its cells), how it
tells the difference in a reason, and the pass that learns which keys repeat.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from bulk.errors import InputError
from bulk.manifest import SourceRow
from bulk.manifest_row import where_row

from . import transforms as tf
from .keyset import KeySet
from .learned import SpilledDict

if TYPE_CHECKING:
    from .mapping import MappedRow, PersonRef, RowMapper

T = TypeVar("T")
Cells = tuple[tuple[str, str | None], ...]  # (column, its cell's text) in a fixed order
# (field, a 64-bit digest of what the row writes there), by field name: ``written``
Written = tuple[tuple[str, int], ...]
# a differing field: its name and the cells of its columns that differ, as (column, first
# row's text, this row's text)
Differing = tuple[str, tuple[tuple[str, str | None, str | None], ...]]
_SHOWN = 40  # characters of a differing cell a reason shows


class Repeat(NamedTuple):
    """A later row of a repeated key beside the key's first row: that row's number and
    line, whether the rows write one deal (``same``: the later row writes nothing the first
    does not, and nothing otherwise: an empty cell writes nothing), and the fields that
    differ, each with the cells of its columns that differ (``Differing``; empty when
    unknown: a refused row). Rows the mapping refused are compared on their cells: a field
    is then a column. ``partial``: no field both rows write has other values, but a row
    sets fields the other leaves (``differing``: the fields one row sets alone): ``"here"``
    this row alone, ``"there"`` the other alone, ``"both"``; empty otherwise."""

    row: int
    line: int
    same: bool
    differing: tuple[Differing, ...]
    writes: bool = False  # judged on what both rows write (else on their cells)
    partial: str = ""  # which row sets fields the other leaves, none with other values
    # the rows differ in the person alone, this row writing nothing the first does not
    # (a joined Deals + Contacts export: one deal, a row a contact): the person's cells
    # that differ, (column, there, here); an insert takes such a row for the first row's
    # deal, its contact not linked (``unlinked_contact``)
    contact: tuple[tuple[str, str | None, str | None], ...] = ()

    def swapped(self, row: int, line: int) -> Repeat:
        """This comparison as the other row sees it, named ``row`` (``line``)."""
        return Repeat(row, line, self.same, tuple(
            (field, tuple((c, b, a) for c, a, b in cells)) for field, cells in self.differing),
            self.writes, {"here": "there", "there": "here"}.get(self.partial, self.partial),
            tuple((c, b, a) for c, a, b in self.contact))


def _canonical(value: object) -> object:
    """``value`` with its dicts in key order (two rows' bodies fill them in one order, but
    a digest must not depend on it)."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_canonical(v) for v in value)
    return value


def _digest(value: object) -> int:
    """64 bits of BLAKE2b over the value's repr (typed: ``1`` and ``"1"`` differ)."""
    text = repr(_canonical(value)).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little", signed=True)


def digests(fields: Mapping[str, object]) -> Written:
    """``Written`` of what a row writes, by field name (any field names: an update's)."""
    return tuple(sorted((name, _digest(value)) for name, value in fields.items()))


def wanted_written(wanted: Mapping[str, Any], currency_open: Mapping[str, object] | None,
                   deactivated: Collection[str] | None,
                   labels: Mapping[str, str] | None = None) -> Written:
    """``Written`` of an update's row: the values it wants (``update_mapping.wanted_values``:
    the deal's fields by body key, custom fields by name, ``labels``: code -> name), how
    open each currency is (``currency_open``: the deal's own is kept where open), and the
    targets it sets to a deactivated user (``deactivated``)."""
    labels = labels or {}
    fields: dict[str, object] = {k: v for k, v in wanted.items() if k != "custom_fields"}
    for code, value in (wanted.get("custom_fields") or {}).items():
        fields[labels.get(code, code)] = value
    for code, choices in (currency_open or {}).items():
        name = labels.get(code, code)
        fields[name] = (fields.get(name), "open", choices)
    for target in deactivated or ():
        name = labels.get(target, target)
        fields[name] = (fields.get(name), "deactivated")
    return digests(fields)


def written(mapped: MappedRow, labels: Mapping[str, str] | None = None,
            key_code: str | None = None) -> Written:
    """What a mapped row would write, field by field, as digests (``Written``): the deal's
    fields by their body key (``value``, ``stage_id``), custom fields by name (``labels``:
    code -> name; the source key's field, ``key_code``, left out: the rows share it), the
    currency as the row resolves it for a new deal (the code it names, its symbol's reading
    or ``defaults.currency``: rows that write one amount in one currency are one record
    however each spells it; an amount whose currency is undecided with its reason), a field
    set to a deactivated user marked so, and the person and the organization as the
    mapping reads them (what they match or create)."""
    labels = labels or {}
    deal = mapped.deal
    fields: dict[str, object] = {k: v for k, v in deal.items() if k != "custom_fields"}
    for code, value in (deal.get("custom_fields") or {}).items():
        if code != key_code:
            fields[labels.get(code, code)] = value
    if "value" in deal or not mapped.currency_defaulted or mapped.undecided:
        # (a default beside no amount writes nothing an existing deal keeps: as an empty
        # cell, nothing a row of the key that names its currency would clash with). The
        # currency the row resolves to, never where it came from: ``$100.00`` and
        # ``100.00`` under a USD default, a blank currency cell and ``USD``, an XLSX
        # number and the text ``$95,672.44`` write USD alike (x40r2 F1: held as "other
        # values", an upsert withheld both rows); a monetary custom field's the same
        fields["currency"] = (deal.get("currency"), tuple(e.reason for e in mapped.undecided))
    else:
        fields.pop("currency", None)
    for target in mapped.deactivated or {}:
        name = labels.get(target, target)
        fields[name] = (fields.get(name), "deactivated")
    if mapped.person is not None:
        fields["person"] = _person_identity(mapped.person)
    if mapped.org is not None:
        fields["org"] = (mapped.org.match_key, mapped.org.address)
    return digests(fields)


def partial_writes(mapper: RowMapper, row: SourceRow, error: InputError,
                   fields: Mapping[str, Collection[str]],
                   labels: Mapping[str, str] | None = None, key_code: str | None = None,
                   key_column: str | None = None, tries: int = 8,
                   settle: Callable[[MappedRow], MappedRow] | None = None
                   ) -> tuple[Written, tuple[str, ...], bool] | None:
    """What a row the mapping refused (``error``, naming the column it failed on) writes
    in the fields it could map, the fields it failed on, and whether every cell it failed
    on is empty (an empty cell writes nothing: the row is then a part of a row that gives
    those cells, x41r2: ``T,100,,`` after ``T,100,Qualified,Ann`` failed "the stage is
    empty"): the row mapped again with each failing column's cell emptied (at most
    ``tries`` columns; an empty cell a create needs, a title, filled with a stand-in), the
    fields that read those columns (``fields``: ``field_columns``) left out. None when it
    cannot be told (no column named, the key column's, or still refused after ``tries``).
    x40r5 F1: rows of one key spelling one amount two ways (``$100.00`` / ``100.00``) were
    compared on their raw cells when a row failed on its e-mail or stage, and the key was
    held as contested for every later import. ``settle``: the mapped row as the decide
    writes it (``RowPlanner.settled``: an upsert's stage cell read for the deal its key
    finds, or a create; InputError as the mapping's)."""
    values = dict(row.values)
    emptied: list[str] = []
    stood_in: set[str] = set()
    exc: InputError | None = error
    for _ in range(tries):
        column = exc.column if exc is not None else None
        if column and column in emptied and not mapper.blank_stage_keeps:
            # a stage no default fills fails blank too: mapped as an update's mapper
            # maps it, a blank stage writing nothing (the field is left out all the same)
            mapper = dataclasses.replace(mapper, blank_stage_keeps=True)
        elif column and column in emptied and column not in stood_in \
                and column != key_column:
            # a cell a create needs (a title): any text stands in, its fields left out
            stood_in.add(column)
            values[column] = "-"
        elif not column or column == key_column or column in emptied \
                or column not in values:
            return None
        else:
            # a cell refused with others (``Unsettled.together``: a found deal's stage and
            # the Pipeline cell it is placed by) is emptied with them (x53r6 F1)
            for cell in (column, *getattr(exc, "together", ())):
                if cell not in emptied and cell in values and cell != key_column:
                    emptied.append(cell)
                    values[cell] = None if row.values[cell] is None else ""
        try:
            mapped = mapper.map(SourceRow(row.row, row.line, values), defer_users=True)
            if settle is not None:
                mapped = settle(mapped)
        except InputError as again:
            exc = again
            continue
        failed = tuple(f for f, columns in fields.items() if any(c in columns for c in emptied))
        wrote = written(mapped, labels, key_code)
        blank = all(_blank(row.values[c]) for c in emptied)
        return tuple((f, d) for f, d in wrote if f not in failed), failed, blank
    return None


def _blank(cell: object) -> bool:
    """Whether a cell is empty (none, or text of spaces only): it writes nothing."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _person_identity(person: PersonRef) -> object:
    """The person a row finds or makes, as the import keys it (``jobs.contact_keys``): by
    its address, every case spelling one (``tf.email_key``: the name then only names a
    person made new, from the first row); else by its name as names are matched (case and
    accents aside: ``tf.name_match_key``) with its phone's key."""
    if person.email:
        return ("e", tf.email_key(person.email))
    phone = tf.phone_key(person.phone) if person.phone else None
    return ("n", tf.name_match_key(person.name), phone)


def field_columns(mapper: RowMapper, labels: Mapping[str, str] | None = None
                  ) -> dict[str, tuple[str, ...]]:
    """The columns each field of ``written`` reads, for a reason's cells (a field whose
    columns are not known is named alone), in the mapping's order (a reason's)."""
    labels = labels or {}
    out: dict[str, tuple[str, ...]] = {}

    def add(name: str, *columns: str) -> None:
        out[name] = tuple(dict.fromkeys((*out.get(name, ()), *columns)))
    for step in mapper.steps:
        add(step.name, *step.source.columns)
    money = mapper.money.source.columns if mapper.money is not None else ()
    add("value", *money)
    add("currency", *money, *(mapper.currency.source.columns if mapper.currency else ()))
    pipeline = mapper.pipeline.source.columns if mapper.pipeline is not None else ()
    add("pipeline_id", *pipeline)  # the stage is looked up in the pipeline
    add("stage_id", *(mapper.stage.source.columns if mapper.stage else ()), *pipeline)
    for other in (mapper.lost_reason, *mapper.customs):
        if other is not None:
            add(labels.get(other.name, other.name), *other.source.columns)
    for name, steps in (("person", mapper.person), ("org", mapper.org)):
        add(name, *(c for step in steps if step is not None for c in step.source.columns))
    return out


def _text(value: object) -> str | None:
    """A cell as text that tells its type too: a text cell as is, ``None`` for none, any
    other typed cell (a number, a date, an array of an XLSX / JSON source) tagged with its
    type, so that ``"1"`` and ``1`` differ."""
    if value is None or type(value) is str:
        return value  # (a str subclass, JSON's number text, is tagged: marshal takes str only)
    # the repr tells the values apart; the cell as shown is what a reason says (x31r1 1)
    return f"\0{type(value).__name__}\0{value!r}\0{tf.shown_cell(value)}"


def shown(text: str | None) -> str:
    """How a reason shows a cell's text (``_text``): quoted, cut at ``_SHOWN`` characters."""
    if not text:
        return "(empty)"
    text = repr(text.split("\0", 3)[3] if text.startswith("\0") else text)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


def cells(row: SourceRow, columns: Collection[str] | None) -> Cells | None:
    """The cells of ``row`` in ``columns`` (None: every column), the row's own column order
    first; None when the row cannot be compared (the reader refused it, or a JSON path
    reads two keys)."""
    if row.error is not None:
        return None
    values: Mapping[str, Any] = row.values
    wanted = list(values) if columns is None else (
        [c for c in values if c in columns] + sorted(c for c in columns if c not in values))
    try:
        return tuple((str(c), _text(values.get(c))) for c in wanted)
    except InputError:  # AmbiguousPath: two keys of the record spell the path
        return None


class RepeatedKeys:
    """The keys a file repeats (``learn``) and the first row of each (``first``); ``again``
    compares a later row with it. Not learned, every key is taken for unrepeated: a later
    row of one is then never found the same (it is held, as before this class)."""

    __slots__ = ("_every", "_firsts", "_repeated")

    def __init__(self, *, every: bool = False) -> None:
        """``every``: keep the first row of every key, learned or not (a job that reads its
        file once: an update keeps what each row's deal is given first)."""
        self._every = every
        self._repeated: KeySet | None = None
        # key -> (row, line, cells or None) of its first row, for repeated keys only
        self._firsts = SpilledDict()

    def __repr__(self) -> str:
        learned = "not learned" if self._repeated is None else f"{len(self._repeated):,} repeated"
        return f"RepeatedKeys({learned}, {len(self._firsts):,} first rows kept)"

    def __len__(self) -> int:
        """How many keys the file repeats (0 when not learned)."""
        return 0 if self._repeated is None else len(self._repeated)

    def __contains__(self, key: object) -> bool:
        """Whether the file repeats ``key`` (False when not learned)."""
        return self._every or (self._repeated is not None and key in self._repeated)

    @property
    def learned(self) -> bool:
        """Whether every row's key was read (``learn`` or a whole ``learning`` pass)."""
        return self._repeated is not None

    def learn(self, keys: Iterable[str | None]) -> None:
        """Read every row's key (None: a row without one), in file order."""
        for _ in self.learning(keys, lambda key: key):
            pass

    def learning(self, rows: Iterable[T], key: Callable[[T], str | None]) -> Iterator[T]:
        """``rows`` as they are, each one's ``key`` read on the way (another pass over the
        file learns the keys too: no pass of its own). Learned once the last row has
        passed; a pass cut short learns nothing."""
        seen, repeated = KeySet(), KeySet()
        for row in rows:
            k = key(row)
            if k and not seen.add(k):
                repeated.add(k)
            yield row
        self._repeated = repeated

    def learning_firsts(self, rows: Iterable[T], key: Callable[[T], str | None],
                        named: Callable[[T], str | None]) -> Iterator[T]:
        """``learning(rows, key)`` filtered as ``results.first_of_each`` filters it: the rows
        naming no ``named`` key or one no earlier row named, every row's ``key`` read on
        the way. While each row's two keys are one (a key column read as it is: most
        files), one ``KeySet`` serves both — a whole-file pass held two sets of the file's
        keys at once (~12 bytes a key each: ~12 MB of a 1,000,000-row plan's peak, issue
        8); from the first row whose two differ (or are empty text), each keeps its own."""
        seen, repeated = KeySet(), KeySet()
        names: KeySet | None = None  # first_of_each's own set, once the two keys differ
        for row in rows:
            k, n = key(row), named(row)
            if names is None:
                if k == n and k != "":
                    if k is None:
                        yield row
                    elif seen.add(k):
                        yield row
                    else:
                        repeated.add(k)
                    continue
                names = seen.copy()  # (every key so far was both: the same set)
            if k and not seen.add(k):
                repeated.add(k)
            if n is None or names.add(n):
                yield row
        self._repeated = repeated

    def first(self, key: str, row: SourceRow, columns: Collection[str] | None,
              writes: Written | None = None, failed: Collection[str] = ()) -> None:
        """``row`` is the first of ``key``: keep its cells and what it writes (``writes``,
        None: the mapping refused it and no field could be told apart; ``failed``: the
        fields a refused row's mapping failed on, left out of ``writes``: ``partial_writes``)
        when the key repeats."""
        if key in self:
            self._firsts[key] = (int(row.row), int(row.line), cells(row, columns), writes,
                                 tuple(sorted(failed)))

    def first_row(self, key: str) -> tuple[int, int] | None:
        """(row, line) of ``key``'s first row, when kept (``first``)."""
        if key not in self._firsts:
            return None
        at, line, *_ = self._firsts[key]
        return int(at), int(line)

    def again(self, key: str, row: SourceRow, columns: Collection[str] | None,
              writes: Written | None = None,
              fields: Mapping[str, Collection[str]] | None = None,
              failed: Collection[str] = ()) -> Repeat | None:
        """``row``, a later row of ``key``, beside the key's first row (None: that row is
        not known, the key not learned as repeated). Two rows whose fields the mapping read
        are judged on what they write (``writes``), leaving out the fields either row's
        mapping failed on (``failed``, and the first row's: a row refused for a bad e-mail
        or an unknown stage is still judged on the amount it resolves to, x40r5 F1), their
        differing fields shown with the cells of their columns (``fields``:
        ``field_columns``); two whose fields it could not read, on their cells; one of each
        differ."""
        if key not in self._firsts:
            return None
        at, line, before, wrote, failed_there = self._firsts[key]
        now = cells(row, columns)
        if before is None or now is None:
            return Repeat(at, line, False, ())
        old, new = dict(before), dict(now)
        differing_cells = {c: (c, old.get(c), new.get(c)) for c in dict.fromkeys([*old, *new])
                           if old.get(c) != new.get(c)}
        if wrote is None and writes is None:  # both refused: the same cells fail alike
            if before == now:
                return Repeat(at, line, True, ())
            return Repeat(at, line, False, tuple((c, (d,)) for c, d in differing_cells.items()))
        if wrote is not None and writes is not None:
            left_out = {*failed_there, *failed}  # (what a row fails on, no claim on the key)
            there = {f: d for f, d in wrote if f not in left_out}
            here = {f: d for f, d in writes if f not in left_out}
            # an empty cell writes nothing: rows clash only on a field both write (f31a)
            clash = [f for f in there if f in here and there[f] != here[f]]
            if not clash and all(f in there for f in here):  # all of it the first row's
                return Repeat(at, line, True, (), True,
                              "there" if any(f not in here for f in there) else "")
            order = {f: n for n, f in enumerate(fields or {})}  # the mapping's order
            names = sorted(clash or [f for f in dict.fromkeys([*there, *here])
                                     if (f in there) != (f in here)],
                           key=lambda f: order.get(f, len(order)))
            shown_cells = {f: tuple(differing_cells[c] for c in (fields or {}).get(f, ())
                                    if c in differing_cells) for f in names}
            if not clash and "value" in shown_cells and set(
                    shown_cells.get("currency", ("?",))) <= set(shown_cells["value"]):
                del shown_cells["currency"]  # (the amount's own currency, set with it)
            partial = "" if clash else "both" if any(f not in here for f in there) else "here"
            # x45r1 F4: a joined Deals + Contacts export writes a deal of two contacts as
            # two rows, the same but for the person; a Pipedrive deal takes one person
            contact = (shown_cells.get("person") or (("person", None, None),)) \
                if clash == ["person"] and all(f in there for f in here) else ()
            return Repeat(at, line, False, tuple(shown_cells.items()), True, partial,
                          contact)
        # one row writes, the other was refused: they differ where their cells do
        return Repeat(at, line, False, tuple((c, (d,)) for c, d in differing_cells.items()))


def how_differs(repeat: Repeat, values: str = "writing other values") -> str:
    """``, writing other values (title: ...)`` (``values``: the words for a clash), or,
    when the rows set other fields and none with other values (``Repeat.partial``),
    ``, setting other fields, none with other values (value: ...)``; empty when which
    fields differ is not known."""
    if not repeat.differing:
        return ""
    what = {"both": "setting other fields, none with other values",
            "here": "writing part of what this row writes, nothing otherwise",
            "there": "writing all this row writes and more, nothing otherwise"}.get(
        repeat.partial) or (values if repeat.writes else "with other cells")
    return f", {what} ({differing_note(repeat)})"


def unlinked_contact(repeat: Repeat) -> str:
    """The note of a later row of a key that names another person than the first row and
    writes nothing else otherwise (``Repeat.contact``): ``a Pipedrive deal takes one
    person: this row's contact 'Kari Nord' ('kari@x.example') was not linked (...)``. A
    deal has one ``person_id`` (openapi-v2 ``Deal``); other persons are its participants
    (``POST /v1/deals/{id}/participants``), which pdbulk does not write."""
    here = [b for _, _, b in repeat.contact if b]
    there = [a for _, a, _ in repeat.contact if a]
    named = " ".join(shown(v) if n == 0 else f"({shown(v)})" for n, v in enumerate(here[:2]))
    first = " ".join(shown(v) if n == 0 else f"({shown(v)})" for n, v in enumerate(there[:2]))
    at = where_row(repeat.row, repeat.line)
    return (f"the same deal as {at}, with another contact: a Pipedrive deal takes one "
            f"person: this row's contact {named or '(none)'} was not linked (add it to the "
            "deal as a participant by hand in Pipedrive, or give it a row of its own with "
            f"another key); imported once, as {at}"
            + (f", with its contact {first}" if first else ""))


def rows_named(rows: Sequence[int], total: int | None = None, shown_at_most: int = 5) -> str:
    """``row 3``, ``rows 3 and 5``, ``rows 3, 5 and 7``, ``rows 3, 5, 7, 9, 11 and 4
    more`` (row numbers, in file order; ``total``: how many rows there are, when ``rows``
    holds the first of them only)."""
    total = max(len(rows), total or 0)
    if total == 1:
        return f"row {rows[0]}"
    named = [str(r) for r in rows[:shown_at_most]]
    rest = total - len(named)
    if rest:
        return f"rows {', '.join(named)} and {rest} more"
    return f"rows {', '.join(named[:-1])} and {named[-1]}"


def differing_note(repeat: Repeat, there: str = "there", here: str = "here") -> str:
    """``title: 'Three' there, 'Three B' here; stage_id (column 'Stage'): ...`` (a few
    fields at most; a field is named alone when no cell of its columns differs; ``there``
    / ``here``: the words for the other row's cell and this one's)."""
    shown_fields = []
    for name, changed in repeat.differing[:3]:
        if not changed:
            shown_fields.append(name)
        elif len(changed) == 1 and changed[0][0] == name:
            shown_fields.append(f"{name}: {shown(changed[0][1])} {there}, "
                                f"{shown(changed[0][2])} {here}")
        else:
            shown_fields.append(f"{name} (" + ", ".join(
                f"column {c!r}: {shown(a)} {there}, {shown(b)} {here}"
                for c, a, b in changed) + ")")
    more = len(repeat.differing) - len(shown_fields)
    return "; ".join(shown_fields) + (f"; and {more} more" if more > 0 else "")


def named_twice(by: str, ref: str | None, first: tuple[int, int],
                 repeat: Repeat | None = None, *, others: str | None = None,
                 between: tuple[int, int] | None = None) -> str:
    """Why an update's row naming a deal (by ``by``: "id" / "key", ``ref``) another row of
    its file names is held (``jobs.updating``). ``first``: (row, line) of the other row
    naming the deal; ``repeat``: this row beside it (the fields they set differently, named
    with their cells). ``others``: every
    other row naming the deal (``rows 2, 5 and 7``), when more than one. ``between``: this
    row gives what ``first`` does, and the rows that differ are ``between`` and ``first``
    (``repeat``: ``between`` as ``first`` sees it)."""
    what = "key" if by == "key" else "id"
    many = others is not None
    head = f"deal {what} {ref!r} is also named by {others or where_row(*first)}"
    if between is not None and repeat is not None:
        verb = {"both": "sets other fields than", "there": "sets more than",
                "here": "sets part of what"}.get(repeat.partial, "gives other changes than")
        head += f"; {where_row(*between)} {verb} {where_row(*first)}" + (
            " sets" if repeat.partial == "here" else "") + (
            f" ({differing_note(repeat, f'in row {between[0]}', f'in row {first[0]}')})"
            if repeat.differing else "")
        return (f"{head}: no row is sent until you decide — check which row is right and "
                "keep only it in your file (in failed.csv every row of the deal is held: "
                "empty the hold cell of the right one only, then `pdbulk update failed.csv "
                "-m <your mapping>`)")
    other = how_differs(repeat, "with other changes") if repeat is not None else ""
    if many:
        head += f"; beside {where_row(*first)}{other}"
    else:
        head += other
    none, held_rows = (("no row", "every row of the deal is held") if many
                       else ("neither", "both rows are held"))
    if repeat is not None and repeat.partial in ("here", "there"):  # one row has it all
        there = where_row(*first)
        whole, part = ("this row", there) if repeat.partial == "here" else (there, "this row")
        return (f"{head}: {whole} sets all {part} sets, and more, so {none} is sent until "
                f"only {whole} is left — delete {part} from your file (in failed.csv "
                f"{held_rows}: empty the hold cell of {whole} only, then `pdbulk update "
                "failed.csv -m <your mapping>`)")
    if repeat is not None and repeat.partial:
        return (f"{head}: {'none' if many else 'neither'} of the rows is the whole update, "
                f"so {none} is sent until "
                "one is — put the fields on one row and keep only it in your file (in "
                f"failed.csv {held_rows}: fix one, empty its hold cell only, then `pdbulk "
                "update failed.csv -m <your mapping>`)")
    if repeat is None or repeat.same:
        return (f"{head} (each deal is updated once a run: fixed and run alone, this row "
                "would overwrite that row's update; check which row is right and keep only "
                "it in your file — in failed.csv this row is held: empty its hold cell there "
                "to send it with `pdbulk update failed.csv -m <your mapping>`)")
    theirs = "the others'" if many else "the other's"
    return (f"{head}: {'any' if many else 'either'} row would overwrite {theirs} update, "
            f"so {none} is sent until you decide — "
            "check which row is right and keep only it in your file (in failed.csv "
            f"{held_rows}: empty the hold cell of the right one only, then "
            "`pdbulk update failed.csv -m <your mapping>`)")


__all__ = ["Repeat", "RepeatedKeys", "Written", "cells", "differing_note", "digests",
           "field_columns", "how_differs", "named_twice", "rows_named", "shown",
           "unlinked_contact", "wanted_written", "written"]
