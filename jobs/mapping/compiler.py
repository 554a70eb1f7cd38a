"""Compiling a mapping against one account's metadata (pipelines, stages, users,
custom fields, options) into a ``RowMapper``, and mapping rows with it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any, Literal, cast

from bulk.errors import AmbiguousName, InputError
from bulk.manifest import PathSample, SourceRow, check_paths
from bulk.manifest_json import object_at

from .. import transforms as tf
from ..catalog import Catalog, DealField
from .spec import (
    _CUSTOM_OPTIONS,
    Defaults,
    FieldSpec,
    MappedRow,
    Mapping,
    MappingError,
    OrgRef,
    PersonRef,
    _key,
    _spec_columns,
)

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
         "a currency", "deal.expected_close_date": "a date", "deal.status": "a status",
         "deal.owner": "a user", "deal.pipeline": "a pipeline name", "deal.label": "labels",
         "person.email": "an e-mail address", "person.phone": "a phone number"}
_WHAT_TYPE = {"double": "a number", "int": "a whole number", "monetary": "an amount",
              "date": "a date", "enum": "an option", "set": "options", "user": "a user",
              "phone": "a phone number"}


class _Source:
    """Reads one target's raw value from a row: column or template, else the default.

    Applies the field's rules on the raw cell: an ``empty_values`` marker counts as
    blank; a blank cell of a ``required`` field is an InputError (never the default);
    ``allowed`` limits the raw values (case- and space-insensitively).
    """

    __slots__ = ("_allowed", "_column", "_default", "_empty", "_join", "_many", "_required",
                 "_template", "column", "columns", "what", "where")

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

    def __call__(self, values: Values, *, default: bool = True) -> object:
        """The raw value (``default``: the field's default for a blank cell, else None)."""
        raw: object = None
        if self._template is not None:
            columns = self._template.columns
            if any(isinstance(values.get(c), list) for c in columns):  # JSON arrays in a template
                values = {c: _from_array(v, self._join) if isinstance(v := values.get(c), list)
                          else v for c in columns}
            raw = self._template.render(
                {k: None if self._marker(v) else v for k, v in values.items()}
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


def _from_array(items: list[Any], join: str | None) -> object:
    """An array's first item, or with ``join`` its non-empty scalar items joined."""
    if join is None:
        return items[0] if items else None
    return join.join(str(item) for item in items if not tf.is_empty(item)
                     and not isinstance(item, dict | list))


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

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


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
    marks: tf.ColumnDecimal | None = None  # a number read under decimal = "auto"
    memo: dict[Any, Any] | None = None

    def __call__(self, values: Values, row: int) -> Any:
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
                if value is not memo and type(value) is not _Refused:  # the common case
                    return value.copy() if type(value) is list or type(value) is dict \
                        else value
                try:
                    return self._remembered(memo, cells, values)
                except InputError as exc:
                    raise InputError(exc.reason, row=row, column=self.source.where) from None
        try:
            return self._value(values)
        except InputError as exc:
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
        return cast("tuple[str, ...]", cells)

    def _remembered(self, memo: dict[Any, Any], cells: str | tuple[str, ...],
                    values: Values) -> Any:
        """The value for the text ``cells`` the source reads in ``values``, from the memo
        or computed and remembered."""
        value = memo.get(cells, memo)  # the memo itself marks a miss
        if value is memo:
            try:
                value = self._value(values)
            except InputError as exc:
                value = _Refused(exc.reason)
            _remember(memo, cells, value)
        if type(value) is _Refused:
            raise InputError(value.reason)
        if type(value) is list or type(value) is dict:
            return value.copy()
        return value

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

    def learn(self, values: Values) -> None:
        """Show the row's cell to ``marks`` (learning): a blank cell, and so the default,
        is no evidence; errors are ``map``'s to report."""
        if self.marks is not None and len(self.marks.seen) == 2:
            return  # both marks shown: nothing more can change the column's decision
        memo = self.memo  # while learning: the texts shown already (a text shows the same)
        if memo is not None and (cells := self._cells(values)) is not None:
            if cells in memo:
                return
            _remember(memo, cells, None)
        try:
            raw = self.source(values, default=False)
            if raw is not None:
                self.convert(raw, values)
        except InputError:
            pass

    def _bounds(self, value: object, raw: object) -> None:
        # the cell quoted as text, a JSON/XLSX number too: "'-200' is below ...", never a
        # reason that starts with "-" (failed.csv would guard it as a formula)
        number = _number_of(value)
        if number is None:
            return
        if self.low is not None and number < Decimal(str(self.low)):
            raise InputError(f"{str(raw)!r} is below the minimum {self.low:g}")
        if self.high is not None and number > Decimal(str(self.high)):
            raise InputError(f"{str(raw)!r} is above the maximum {self.high:g}")


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
    """Cache a name lookup, hits and misses, keyed case/whitespace-insensitively."""
    cache: dict[str, Any] = {}

    def lookup(name: str) -> Any:
        key = tf.norm_key(name)
        if key not in cache:
            try:
                cache[key] = resolve(name)
            except InputError as exc:
                cache[key] = exc
            if len(cache) > _MEMO_LIMIT:  # a column of unique junk must not grow memory
                cache.pop(next(iter(cache)))
        hit = cache[key]
        if isinstance(hit, InputError):
            raise type(hit)(hit.reason)  # an AmbiguousName stays one: "*" must not catch it
        return hit
    return lookup


def _title(raw: object, values: object = None) -> str:
    text = tf.clean_title(raw)
    if text is None:
        raise InputError("empty value")
    return text


def _text(raw: object, values: object = None) -> str:
    text = tf.clean_text(raw)
    if text is None:
        raise InputError("empty value")
    return text


class _Compiler:
    """Resolves a Mapping against a Catalog into a RowMapper, collecting every problem."""

    def __init__(self, mapping: Mapping, catalog: Catalog, header: Sequence[str] | None) -> None:
        self.mapping, self.catalog, self.spec = mapping, catalog, mapping.spec
        self.defaults = mapping.spec.defaults
        self.empty = frozenset(tf.norm_key(v) for v in self.defaults.empty_values)
        self.header = header
        self.problems: list[tuple[str, str]] = []

    def step(self, key: str, name: str, spec: FieldSpec | None, make: Make, *,
             many: bool = False, what: str | None = None,
             reads_row: bool = False) -> _Step | None:
        """``many``: a multi-option target, which takes a JSON array whole (unless ``join``);
        ``what`` it takes, for a cell of the wrong JSON type (default: by ``key``);
        ``reads_row``: the converter reads other cells of the row than its raw value (its
        results are then not remembered per raw text: ``_Step.memo``)."""
        if spec is None:
            return None
        convert = make(spec)
        if spec.default is not None:
            try:
                convert(spec.default, {})
            except InputError as exc:
                self.problems.append((f"{key}.default", exc.reason))
        what = what or _WHAT.get(key, "text")
        # the default was read above with no evidence: an ambiguous default is a problem
        marks = make.column if isinstance(make, _PerColumn) and (
            spec.decimal or self.defaults.decimal) == "auto" else None
        return _Step(name, _Source(key, spec, self.empty, many=many, what=what), convert,
                     spec.min, spec.max, marks, None if reads_row else {})

    def named(self, key: str, resolve: Callable[[str], Any]) -> Make:
        """Values that name something: through the map, then resolved (and cached)."""
        def make(spec: FieldSpec) -> Convert:
            vmap = tf.ValueMap(spec.map)
            for source_value, target in (spec.map or {}).items():
                try:
                    resolve(target)
                except InputError as exc:
                    self.problems.append((_key(*key.split("."), "map", source_value),
                                          exc.reason))
            lookup = _memo(lambda name: _through(vmap, name, resolve))
            return lambda raw, values: lookup(_text(raw))
        return make

    def build(self) -> RowMapper:
        deal, d = self.spec.deal, self.defaults
        key_code = self._key_field()
        steps = [
            self.step("deal.title", "title", deal.title, lambda s: _title),
            self.step("deal.status", "status", deal.status, self._status),
            self.step("deal.probability", "probability", deal.probability,
                      _per_column(lambda s, c: lambda raw, values: tf.parse_probability(
                          raw, decimal=s.decimal or d.decimal, scale=s.scale or 1, column=c))),
            self.step("deal.expected_close_date", "expected_close_date",
                      deal.expected_close_date, self._date),
            self.step("deal.owner", "owner_id", deal.owner, self.named("deal.owner", self._user)),
            self._label(),
        ]
        money = self.step("deal.value", "value", deal.value,
                          _per_column(lambda s, c: lambda raw, values: tf.parse_money(
                              raw, decimal=s.decimal or d.decimal, prefer=d.currency, column=c)))
        currency = self.step("deal.currency", "currency", deal.currency, self.named(
            "deal.currency", lambda name: tf.parse_currency(name, prefer=d.currency)))
        pipeline = self.step("deal.pipeline", "pipeline_id", deal.pipeline, self.named(
            "deal.pipeline", lambda name: self.catalog.pipeline(name).id))
        stage = self._stage(pipeline)
        lost = self.step("deal.lost_reason", "lost_reason", deal.lost_reason, self._mapped_text)
        customs = [self._custom(label, spec) for label, spec in self.spec.custom_fields.items()]
        person, org = self.spec.person, self.spec.organization
        people = [self.step(f"person.{n}", n, getattr(person, n) if person else None, make)
                  for n, make in (("name", lambda s: _text),
                                  ("email", lambda s: lambda r, v: tf.normalize_email(r)),
                                  ("phone", lambda s: lambda r, v: tf.clean_phone(r)))]
        orgs = [self.step(f"organization.{n}", n, getattr(org, n) if org else None,
                          lambda s: _text) for n in ("name", "address")]
        self._check_header()
        if self.problems:
            raise MappingError(self.problems, source=self.mapping.source)
        return RowMapper(
            mapping=self.mapping, key=_Source("import.key_column", FieldSpec(
                column=self.mapping.key_column)), key_code=key_code,
            steps=[s for s in steps if s], money=money, currency=currency, pipeline=pipeline,
            stage=stage, lost_reason=lost,
            when_not_lost=(deal.lost_reason.when_not_lost if deal.lost_reason else None) or "error",
            customs=[c for c in customs if c], person=people, org=orgs,
            default_currency=d.currency)

    def _key_field(self) -> str:
        label = self.mapping.key_field
        try:
            found = self.catalog.field(label, custom=True)
        except InputError as exc:
            self.problems.append(("import.key_field", exc.reason + "; create it first"))
            return ""
        if found.type not in ("varchar", "varchar_auto", "text"):
            self.problems.append(("import.key_field", f"{label!r} is a {found.type} field, "
                                                      "not a text field"))
        for name in self.spec.custom_fields:
            if name == found.code or tf.norm_key(name) == tf.norm_key(found.name):
                self.problems.append((_key("custom_fields", name), "this is the key field; it "
                                      "is filled from import.key_column"))
        return found.code

    def _status(self, spec: FieldSpec) -> Convert:
        for source_value, target in (spec.map or {}).items():
            if target not in tf.STATUSES:
                self.problems.append((_key("deal", "status", "map", source_value),
                                      f"{target!r} is not open, won or lost"))
        vmap = tf.ValueMap(spec.map)
        return lambda raw, values: tf.parse_status(raw, vmap)

    def _date(self, spec: FieldSpec) -> Convert:
        formats = spec.formats or self.defaults.date_formats
        window = self.defaults.date_window
        return lambda raw, values: tf.parse_date(raw, formats, window=window)

    def _mapped_text(self, spec: FieldSpec, multiline: bool = False) -> Convert:
        vmap = tf.ValueMap(spec.map)
        clean = tf.clean_multiline if multiline else tf.clean_text

        def convert(raw: object, values: Values) -> str | None:
            text = clean(raw)
            return None if text is None else (vmap.get(text) or vmap.fallback or text)
        return convert

    def _user(self, name: str) -> int:
        user = self.catalog.user(name)
        if not user.active:
            raise InputError(f"user {name!r} is deactivated in Pipedrive")
        return user.id

    def _label(self) -> _Step | None:
        spec = self.spec.deal.label
        if spec is None:
            return None
        try:
            field = self.catalog.label_field()
        except InputError as exc:
            self.problems.append(("deal.label", exc.reason))
            return None
        return self.step("deal.label", "label_ids", spec,
                         self._options("deal.label", field, many=True), many=True)

    def _options(self, key: str, field: DealField, many: bool = False) -> Make:
        """Option labels → ids: one id for enum fields, a list for set fields and labels."""
        def make(spec: FieldSpec) -> Convert:
            one = self.named(key, lambda name: field.option(name).id)(spec)
            if not many:
                return one
            separator = spec.separator or self.defaults.separator

            def ids(raw: object, values: Values) -> list[int] | None:
                found = [one(item, values) for item in tf.split_list(raw, separator)]
                return list(dict.fromkeys(found)) or None  # never [] (v2 rejects it)
            return ids
        return make

    def _stage(self, pipeline: _Step | None) -> _StageStep | None:
        spec = self.spec.deal.stage
        if spec is None:
            return None
        pipeline_spec = self.spec.deal.pipeline
        static = None  # the pipeline every row uses, when it is not read from a column
        if pipeline and pipeline_spec and pipeline_spec.column is None:
            try:
                static = pipeline.convert(pipeline_spec.default, {})
            except InputError:
                pass  # reported as deal.pipeline.default
        vmap = tf.ValueMap(spec.map)
        names = {tf.norm_key(s.name) for s in self.catalog.stages}
        for source_value, target in (spec.map or {}).items():
            try:
                if static is not None or tf.norm_key(target) not in names:
                    self.catalog.stage(target, static)
            except InputError as exc:
                self.problems.append((_key("deal", "stage", "map", source_value), exc.reason))
        lookup = _memo(lambda key: self.catalog.stage(*_unpack(key)).id)

        def resolve(raw: object, pipeline_id: int | None) -> int:
            name = _text(raw)
            where = "" if pipeline_id is None else str(pipeline_id)
            try:
                return int(_through(vmap, name, lambda n: lookup(f"{where}\x00{n}"),
                                    lambda n: tf.norm_key(n) in names))
            except InputError as exc:
                mapped = vmap.get(name) or (
                    vmap.fallback if tf.norm_key(name) not in names else None)
                if mapped:
                    raise InputError(f"{name!r} maps to {mapped!r}: {exc.reason}") from None
                raise InputError(f"{exc.reason}; map it in deal.stage.map") from None
        if spec.default is not None:
            try:
                resolve(spec.default, static)
            except InputError as exc:
                self.problems.append(("deal.stage.default", exc.reason))
        return _StageStep(_Source("deal.stage", spec, self.empty, what="a stage name"), resolve)

    def _custom(self, label: str, spec: FieldSpec) -> _Step | None:
        key = _key("custom_fields", label)
        try:
            field = self.catalog.field(label, custom=True)
        except InputError as exc:
            self.problems.append((key, exc.reason))
            return None
        if field.type not in _CUSTOM_OPTIONS:
            self.problems.append((key, f"{field.type} fields are not supported (supported: "
                                       f"{', '.join(sorted(_CUSTOM_OPTIONS))})"))
            return None
        for option in sorted(spec.options_set() - _CUSTOM_OPTIONS[field.type]):
            self.problems.append((f"{key}.{option}", f"not used by a {field.type} field"))
        return self.step(key, field.code, spec, self._custom_make(key, field),
                         many=field.type == "set", what=_WHAT_TYPE.get(field.type, "text"),
                         reads_row=field.type == "monetary" and bool(spec.currency_column))

    def _custom_make(self, key: str, field: DealField) -> Make:
        d, kind = self.defaults, field.type
        if kind in ("enum", "set"):
            return self._options(key, field, many=kind == "set")
        if kind == "user":
            return self.named(key, self._user)
        if kind == "date":
            return self._date
        if kind == "phone":
            return lambda s: lambda raw, values: tf.clean_phone(raw)
        if kind == "int":
            return _per_column(lambda s, c: lambda raw, values: tf.parse_int(
                raw, decimal=s.decimal or d.decimal, column=c))
        if kind == "double":
            return _per_column(lambda s, c: lambda raw, values: _number(
                tf.parse_number(raw, decimal=s.decimal or d.decimal, column=c)))
        if kind == "monetary":
            return _per_column(lambda s, c: lambda raw, values: _monetary(
                raw, values, s, d, field.name, c))
        if kind == "address":
            return lambda s: lambda raw, values: _wrap(self._mapped_text(s)(raw, values))
        return lambda s: self._mapped_text(s, multiline=kind == "text")

    def _check_header(self) -> None:
        if self.header is None:
            return
        sample = isinstance(self.header, PathSample)
        for key, spec in [("import.key_column", FieldSpec(column=self.mapping.key_column)),
                          *self.mapping.targets()]:
            self.problems += [(key, f"{column!r}: {why}" if sample
                               else f"no column {column!r} in the manifest")
                              for column, why in check_paths(self.header,
                                                             _spec_columns(spec))]


@dataclass(frozen=True, slots=True)
class _StageStep:
    """The stage of a row: its source, and the resolver of (raw name, pipeline id).

    ``memo``: the stage id, or the refusal, by (text cell, pipeline id) — a pure function
    of both (as ``_Step.memo``); bounded like it."""

    source: _Source
    resolve: Callable[[object, int | None], int]
    memo: dict[tuple[str, int | None], int | _Refused] = field(default_factory=dict)

    def __call__(self, values: Values, pipeline_id: int | None) -> int:
        """The stage id, or InputError (its reason only: the caller places it)."""
        column = self.source.column
        cell = values.get(column) if column is not None else None
        if type(cell) is not str:
            return self._id(values, pipeline_id)
        memo = self.memo
        key = (cell, pipeline_id)
        found = memo.get(key)
        if found is None:
            try:
                found = self._id(values, pipeline_id)
            except InputError as exc:
                found = _Refused(exc.reason)
            _remember(memo, key, found)
        if isinstance(found, _Refused):
            raise InputError(found.reason)
        return found

    def _id(self, values: Values, pipeline_id: int | None) -> int:
        raw = self.source(values)
        if raw is None:  # never a silent first stage (issue 10 section 4)
            raise InputError("the stage is empty (set deal.stage.default for blank "
                             "cells, or fix the row)")
        return self.resolve(raw, pipeline_id)


def _through(vmap: tf.ValueMap, name: str, resolve: Callable[[str], Any],
             known: Callable[[str], bool] | None = None) -> Any:
    """An explicit map entry, else the name itself, else the map's "*" fallback.

    The fallback catches only values that name nothing: never an ambiguous name
    (``AmbiguousName``), nor one ``known(name)`` says is a name of the kind (a stage of
    another pipeline) — those keep their own error."""
    mapped = vmap.get(name)
    if mapped is not None:
        return resolve(mapped)
    try:
        return resolve(name)
    except AmbiguousName:
        raise
    except InputError:
        if vmap.fallback is None or (known is not None and known(name)):
            raise
        return resolve(vmap.fallback)


def _unpack(key: str) -> tuple[str, int | None]:
    pipeline, _, name = key.partition("\x00")
    return name, int(pipeline) if pipeline else None


def _number(amount: Any) -> int | float | None:
    return None if amount is None else tf.json_number(amount)


def _wrap(text: str | None) -> dict[str, str] | None:
    return None if text is None else {"value": text}


def _monetary(raw: object, values: Values, spec: FieldSpec, d: Defaults,
              label: str, marks: tf.ColumnDecimal | None = None) -> dict[str, Any] | None:
    money = tf.parse_money(raw, decimal=spec.decimal or d.decimal, prefer=d.currency,
                           column=marks)
    if money is None:
        return None
    currency = money.currency
    if spec.currency_column:
        cell = values.get(spec.currency_column)
        if isinstance(cell, str) and tf.norm_key(cell) in {
                tf.norm_key(v) for v in d.empty_values}:
            cell = None  # an empty_values marker is blank: the default applies
        column = tf.parse_currency(cell, prefer=d.currency)
        if column and currency and column != currency \
                and column not in tf.currency_choices(money):  # "$" defers to the column
            raise InputError(f"{currency} in the amount but {column} in "
                             f"{spec.currency_column!r}")
        currency = column or currency
    currency = currency or d.currency
    if currency is None:
        raise InputError(f"no currency for {label!r}: none in the cell and no default currency")
    return {"value": tf.json_number(money.amount), "currency": currency}


# ---------------------------------------------------------------- mapping rows

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
    customs: list[_Step]
    person: list[_Step | None]
    org: list[_Step | None]
    default_currency: str | None

    def __repr__(self) -> str:
        return (f"RowMapper({self.mapping.source!r}, {len(self.steps)} deal fields, "
                f"{len(self.customs)} custom fields)")

    # -- decimal marks: one decision per column, from the whole file ------------------------
    def _marked(self) -> list[tuple[_Step, tf.ColumnDecimal]]:
        return [(s, s.marks) for s in (*self.steps, self.money, *self.customs)
                if s is not None and s.marks is not None]

    @property
    def learns_marks(self) -> bool:
        """Whether a numeric target reads text under ``decimal = "auto"``: its decimal mark
        is then learned from the whole file (``learn_marks``) before rows are mapped."""
        return bool(self._marked())

    def learn_marks(self, rows: Iterable[SourceRow]) -> dict[str, dict[str, str]]:
        """Read every row's ``decimal = "auto"`` numeric cells (nothing else; errors are
        ignored here, ``map`` reports them) and decide each column's decimal mark
        (``tf.ColumnDecimal``). Returns ``decimal_marks()``. Rows the reader refused
        (shifted cells) are no evidence. Reading stops once every such column has shown
        both marks (its decision, and the first cell showing each, can no longer change)."""
        marked = self._marked()
        for step, marks in marked:
            marks.start()
            step.forget()
        try:
            for row in rows:
                if row.error is not None:
                    continue
                for step, _ in marked:
                    step.learn(row.values)
                if all(len(marks.seen) == 2 for _, marks in marked):
                    break  # every column showed both marks: no later cell changes a decision
        finally:
            for step, marks in marked:
                marks.decide()
                step.forget()  # a cell read while learning was only shown to its column
        return self.decimal_marks()

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

    def map(self, row: SourceRow) -> MappedRow:
        """The deal, person and organization of one row, or InputError(row=, column=)."""
        if row.error is not None:
            raise row.error
        values, n = row.values, row.row
        try:
            key = tf.source_key(self.key(values))
        except InputError as exc:
            raise InputError(f"the source key: {exc.reason}", row=n,
                             column=self.key.where) from None
        if key is None:
            raise InputError("the source key is empty" + self.key.missing(values), row=n,
                             column=self.key.where)
        # every bad cell of the row is reported at once (a person fixes them in one round);
        # the first one leads (its column is the row's, its reason the reason class)
        errors: list[InputError] = []
        deal: dict[str, Any] = {}
        for step in self.steps:
            try:
                value = step(values, n)
            except InputError as exc:
                errors.append(exc)
                continue
            if value is not None:
                deal[step.name] = value
        if "title" not in deal and not any(e.column == self.steps[0].source.where
                                           for e in errors):
            errors.append(InputError("the deal title is empty"
                                        + self.steps[0].source.missing(values),
                                        row=n, column=self.steps[0].source.where))
        for part in (self._money, self._place, self._lost_reason):
            try:
                part(values, n, deal)
            except InputError as exc:
                errors.append(exc)
        custom: dict[str, Any] = {}
        for step in self.customs:
            try:
                value = step(values, n)
            except InputError as exc:
                errors.append(exc)
                continue
            if value is not None:
                custom[step.name] = value
        person = org = None
        try:
            person = self._person(values, n)
        except InputError as exc:
            errors.append(exc)
        try:
            org = self._org(values, n)
        except InputError as exc:
            errors.append(exc)
        if errors:
            raise _all_of(errors, n)
        custom[self.key_code] = key
        deal["custom_fields"] = custom
        return MappedRow(n, key, deal, person, org)

    def _money(self, values: Values, n: int, deal: dict[str, Any]) -> None:
        money: tf.Money | None = self.money(values, n) if self.money else None
        currency = self.currency(values, n) if self.currency else None
        if money is not None:
            if currency and money.currency and currency != money.currency \
                    and currency not in tf.currency_choices(money):  # "$" defers to USD
                raise InputError(f"the amount says {money.currency} but the currency is "
                                 f"{currency}", row=n, column=self.money.source.where
                                 if self.money else None)
            deal["value"] = tf.json_number(money.amount)
            currency = currency or money.currency
        # defaults.currency applies to every row that names none, a blank amount too: sent
        # nothing, Pipedrive would give the deal the company's currency (issue 10 finding)
        currency = currency or self.default_currency
        if currency:
            deal["currency"] = currency

    def _place(self, values: Values, n: int, deal: dict[str, Any]) -> None:
        """stage_id when the row names a stage (it decides the pipeline), else pipeline_id."""
        pipeline_id = self.pipeline(values, n) if self.pipeline else None
        if self.stage is not None:
            try:
                deal["stage_id"] = self.stage(values, pipeline_id)
            except InputError as exc:
                raise InputError(exc.reason, row=n, column=self.stage.source.where) from None
        elif pipeline_id is not None:
            deal["pipeline_id"] = pipeline_id

    def _lost_reason(self, values: Values, n: int, deal: dict[str, Any]) -> None:
        reason = self.lost_reason(values, n) if self.lost_reason else None
        if reason is None:
            return
        if deal.get("status") == "lost":
            deal["lost_reason"] = reason
        elif self.when_not_lost == "error":
            raise InputError(f"a lost reason is given but the status is "
                             f"{deal.get('status', 'open')!r}", row=n,
                             column=self.lost_reason.source.where if self.lost_reason else None)

    def _person(self, values: Values, n: int) -> PersonRef | None:
        name_step, email_step, phone_step = self.person
        name = name_step(values, n) if name_step else None
        email = email_step(values, n) if email_step else None
        phone = phone_step(values, n) if phone_step else None
        if name is None and email is None and phone is None:
            return None
        if name is None and email is None:
            where = self.person[2].source.where if self.person[2] else None
            raise InputError("the person has a phone number but no name or e-mail",
                             row=n, column=where)
        return PersonRef(str(name or email), email, phone)

    def _org(self, values: Values, n: int) -> OrgRef | None:
        name_step, address_step = self.org
        name = name_step(values, n) if name_step else None
        address = address_step(values, n) if address_step else None
        return OrgRef(name, address) if name is not None else None


def _all_of(errors: Sequence[InputError], row: int) -> InputError:
    """One row's errors as one: the first as it is, the others named by column after it
    (``not a number: 'n/a' (also: column 'Amount': ...; column 'Seats': ...)``)."""
    first = errors[0]
    if len(errors) == 1:
        return first
    more = "; ".join((f"column {e.column!r}: " if e.column else "") + e.reason
                     for e in errors[1:])
    return InputError(f"{first.reason} (also: {more})", row=row, column=first.column)


__all__ = ["RowMapper"]
