"""The import mapping file (TOML): which manifest columns become which deal fields.

``Mapping.load(path)`` validates the file (every error names its TOML key);
``mapping.compile(catalog)`` resolves every name in it — pipelines, stages,
users, custom field labels, option labels — once, against the account's
metadata, and returns a ``RowMapper``; ``RowMapper.map(row)`` turns one
manifest row into a v2 addDeal body plus the person and organization it
references, or raises ``InputError(row=, column=)``. Nothing here talks to the
network. The format is documented in docs/mapping.md.
"""

from __future__ import annotations

import codecs
import json
import re
import tomllib
from collections.abc import Callable, Sequence
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from rapidfuzz import fuzz

from bulk.errors import InputError
from bulk.manifest import SourceRow

from . import transforms as tf
from .catalog import Catalog, DealField


class MappingError(InputError):
    """The mapping file is wrong; ``problems`` lists (TOML key, reason) pairs."""

    def __init__(self, problems: Sequence[tuple[str, str]], *, source: str = "mapping") -> None:
        self.problems = list(problems)
        self.key = self.problems[0][0] if self.problems else ""
        lines = [f"{key}: {reason}" if key else reason for key, reason in self.problems]
        super().__init__(f"{source}: " + "; ".join(lines))


# ---------------------------------------------------------------- the file's schema

def read_mapping_text(path: str | Path) -> str:
    """A mapping file's text (BOM tolerated); a MappingError if it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError([("", f"cannot read {str(path)!r}: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        raise MappingError([("", f"{str(path)!r} is not valid UTF-8 (line {line}, byte "
                                 f"{exc.start}): save it as UTF-8")]) from None


class FieldSpec(BaseModel):
    """Where one target's value comes from. A bare string is a column name, or a
    template when it has ``{Column}`` placeholders."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str | None = None
    template: str | None = None
    default: str | int | float | None = None
    map: dict[str, str] | None = None
    formats: list[str] | None = None
    separator: str | None = None
    decimal: tf.Decimal_ | None = None
    currency_column: str | None = None
    when_not_lost: Literal["error", "drop"] | None = None
    join: str | None = None  # JSON: an array's items joined with this (else its first item)
    # validation rules (issue 10 section 4); documented in docs/mapping.md
    required: bool = False
    min: float | None = None
    max: float | None = None
    allowed: list[str] | None = None
    scale: float | None = None  # probability: the cell times this (HubSpot's 0-1: 100)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"template": data} if tf.Template.is_template(data) else {"column": data}
        return data

    @field_validator("formats")
    @classmethod
    def _formats(cls, value: list[str] | None) -> list[str] | None:
        for fmt in value or ():
            if fmt not in tf.DATE_TOKENS and "%" not in fmt:
                raise ValueError(f"{fmt!r} is neither a strptime pattern (with %) nor one of "
                                 f"{', '.join(tf.DATE_TOKENS)}")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        if self.column is not None and self.template is not None:
            raise ValueError("give either column or template, not both")
        if self.column is None and self.template is None and self.default is None:
            raise ValueError("needs a column, a template or a default")
        if self.template is not None:
            tf.Template(self.template)  # raises ValueError on a bad template
        if self.separator == "":
            raise ValueError("separator must not be empty")
        if self.required and self.default is not None:
            raise ValueError("required = true and a default exclude each other (a required "
                             "blank cell is a row error)")
        if self.required and self.column is None and self.template is None:
            raise ValueError("required = true needs a column or a template")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.allowed is not None and not self.allowed:
            raise ValueError("allowed must list at least one value")
        if self.scale is not None and not self.scale > 0:
            raise ValueError(f"scale must be greater than 0, got {self.scale:g}")
        return self

    def options_set(self) -> set[str]:
        return {name for name in self.model_fields_set if name not in (
            "column", "template", "default", "join", "required", "allowed")}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImportSection(_Section):
    key_column: str
    key_field: str = "Import source key"
    mode: Literal["insert", "upsert"] = "insert"


class Defaults(_Section):
    currency: str | None = None
    decimal: tf.Decimal_ = "auto"
    date_formats: list[str] = Field(default_factory=list)
    separator: str = ";"
    encoding: str | None = None  # the manifest's text encoding; None: detected
    # cells that mean "no value" (besides blank); compared case-insensitively
    empty_values: list[str] = Field(default_factory=list)
    # the plausible years of a date (inclusive); a date outside is a row error
    date_window: tuple[int, int] = tf.DEFAULT_DATE_WINDOW

    @field_validator("date_formats")
    @classmethod
    def _formats(cls, value: list[str]) -> list[str]:
        for fmt in value:
            if fmt not in tf.DATE_TOKENS and "%" not in fmt:
                raise ValueError(f"{fmt!r} is neither a strptime pattern (with %) nor one of "
                                 f"{', '.join(tf.DATE_TOKENS)}")
        return value

    @field_validator("date_window")
    @classmethod
    def _window(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= value[0] <= value[1] <= 9999:
            raise ValueError("needs [first year, last year] within 1-9999")
        return value

    @field_validator("currency")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in tf.ISO_CURRENCIES:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return value.upper() if value else None


class DealSection(_Section):
    title: FieldSpec
    value: FieldSpec | None = None
    currency: FieldSpec | None = None
    status: FieldSpec | None = None
    probability: FieldSpec | None = None
    expected_close_date: FieldSpec | None = None
    pipeline: FieldSpec | None = None
    stage: FieldSpec | None = None
    owner: FieldSpec | None = None
    lost_reason: FieldSpec | None = None
    label: FieldSpec | None = None


class PersonSection(_Section):
    name: FieldSpec | None = None
    email: FieldSpec | None = None
    phone: FieldSpec | None = None


class OrgSection(_Section):
    name: FieldSpec | None = None
    address: FieldSpec | None = None


class MappingFile(_Section):
    version: Literal[1] = 1
    import_: ImportSection = Field(alias="import")
    defaults: Defaults = Field(default_factory=Defaults)
    deal: DealSection
    custom_fields: dict[str, FieldSpec] = Field(default_factory=dict)
    person: PersonSection | None = None
    organization: OrgSection | None = None


# Which options each target accepts, besides column / template / default.
_OPTIONS: dict[str, set[str]] = {
    "deal.title": set(), "deal.value": {"decimal", "min", "max"}, "deal.currency": {"map"},
    "deal.status": {"map"}, "deal.probability": {"decimal", "min", "max", "scale"},
    "deal.expected_close_date": {"formats"}, "deal.pipeline": {"map"}, "deal.stage": {"map"},
    "deal.owner": {"map"}, "deal.lost_reason": {"map", "when_not_lost"},
    "deal.label": {"map", "separator"},
    "person.name": set(), "person.email": set(), "person.phone": set(),
    "organization.name": set(), "organization.address": set(),
}
_CUSTOM_OPTIONS: dict[str, set[str]] = {
    "varchar": {"map"}, "varchar_auto": {"map"}, "text": {"map"}, "address": {"map"},
    "phone": set(), "double": {"decimal", "min", "max"}, "int": {"decimal", "min", "max"},
    "monetary": {"decimal", "currency_column", "min", "max"}, "enum": {"map"}, "set": {"map", "separator"},
    "date": {"formats"}, "user": {"map"},
}
_NO_TEMPLATE = {"deal.value", "deal.probability", "deal.expected_close_date", "person.email",
                "person.phone"}


def _key(*parts: str) -> str:
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else f'"{p}"' for p in parts)


def _pydantic_problems(exc: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"] if not str(p).startswith(("function-", "tagged"))]
        reason = {"extra_forbidden": "unknown key", "missing": "missing"}.get(
            err["type"], err["msg"].removeprefix("Value error, "))
        problems.append((_key(*loc), reason))
    return problems


# ---------------------------------------------------------------- results

@dataclass(frozen=True, slots=True)
class PersonRef:
    name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class OrgRef:
    name: str
    address: str | None = None

    @property
    def match_key(self) -> str:
        return tf.org_match_key(self.name) or self.name.casefold()


@dataclass(frozen=True, slots=True)
class MappedRow:
    """A row ready to send: ``deal`` is an addDeal body without person_id / org_id."""

    row: int
    key: str
    deal: dict[str, Any]
    person: PersonRef | None = None
    org: OrgRef | None = None


# ---------------------------------------------------------------- the mapping

class Mapping:
    """A loaded, validated mapping file (not yet resolved against an account)."""

    def __init__(self, spec: MappingFile, *, source: str = "mapping") -> None:
        self.spec = spec
        self.source = source

    def __repr__(self) -> str:
        return f"Mapping({self.source!r}, mode={self.mode!r}, {len(self.columns())} columns)"

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        return cls.loads(read_mapping_text(path), source=str(path))

    @classmethod
    def loads(cls, text: str, *, source: str = "mapping") -> Mapping:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MappingError([("", f"not valid TOML: {exc}")], source=source) from None
        try:
            spec = MappingFile.model_validate(data)
        except ValidationError as exc:
            raise MappingError(_pydantic_problems(exc), source=source) from None
        problems = _option_problems(spec)
        if problems:
            raise MappingError(problems, source=source)
        todos = unresolved_todos(text)
        if todos:
            raise MappingError([("", "unresolved TODO on line " + "; line ".join(
                f"{n}: {line}" for n, line in todos) + " (decide each one, then delete its TODO)")],
                source=source)
        return cls(spec, source=source)

    @property
    def key_column(self) -> str:
        return self.spec.import_.key_column

    @property
    def key_field(self) -> str:
        return self.spec.import_.key_field

    @property
    def encoding(self) -> str | None:
        """``[defaults] encoding``: the manifest's text encoding (None: detected)."""
        return self.spec.defaults.encoding

    @property
    def mode(self) -> Literal["insert", "upsert"]:
        return self.spec.import_.mode

    def targets(self) -> list[tuple[str, FieldSpec]]:
        """Every (TOML key, spec) pair in the file."""
        return _targets(self.spec)

    def columns(self) -> list[str]:
        """The manifest columns the mapping reads, in order, once each."""
        names = [self.key_column]
        for _, field_spec in self.targets():
            names += _spec_columns(field_spec)
        return list(dict.fromkeys(names))

    def compile(self, catalog: Catalog, *, header: Sequence[str] | None = None) -> RowMapper:
        """Resolve every name against the account (all problems at once, as one
        MappingError); with ``header``, also check that every column exists."""
        return _Compiler(self, catalog, header).build()


def _spec_columns(spec: FieldSpec) -> list[str]:
    names = [spec.column] if spec.column else []
    if spec.template:
        names += tf.Template(spec.template).columns
    if spec.currency_column:
        names.append(spec.currency_column)
    return names


def _targets(spec: MappingFile) -> list[tuple[str, FieldSpec]]:
    out: list[tuple[str, FieldSpec]] = []
    for section in ("deal", "person", "organization"):
        model = getattr(spec, section)
        for name in type(model).model_fields if model is not None else ():
            if getattr(model, name) is not None:
                out.append((f"{section}.{name}", getattr(model, name)))
    return out + [(_key("custom_fields", label), s) for label, s in spec.custom_fields.items()]


def _option_problems(spec: MappingFile) -> list[tuple[str, str]]:
    problems = []
    for key, field_spec in _targets(spec):
        if key in _OPTIONS:
            problems += [(f"{key}.{option}", "not used by this field")
                         for option in sorted(field_spec.options_set() - _OPTIONS[key])]
        if field_spec.template is not None and key in _NO_TEMPLATE:
            problems.append((f"{key}.template", "this field takes a column, not a template"))
    return problems


# ---------------------------------------------------------------- compiling

Values = MappingABC[str, Any]
Convert = Callable[[object, Values], Any]
Make = Callable[[FieldSpec], Convert]
_MEMO_LIMIT = 10_000


class _Source:
    """Reads one target's raw value from a row: column or template, else the default.

    Applies the field's rules on the raw cell: an ``empty_values`` marker counts as
    blank; a blank cell of a ``required`` field is an InputError (never the default);
    ``allowed`` limits the raw values (case- and space-insensitively).
    """

    __slots__ = ("_allowed", "_column", "_default", "_empty", "_join", "_many", "_required",
                 "_template", "where")

    def __init__(self, key: str, spec: FieldSpec, empty: frozenset[str] = frozenset(), *,
                 many: bool = False) -> None:
        self._column = spec.column
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

    def __call__(self, values: Values) -> object:
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
            if isinstance(raw, list) and not self._many:  # a JSON array: first item, or joined
                raw = _from_array(raw, self._join)
        if tf.is_empty(raw) or self._marker(raw):
            if self._required:
                raise InputError(f"a value is required but {self.where!r} is empty"
                                 + self.missing(values))
            return self._default
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


@dataclass(frozen=True, slots=True)
class _Step:
    name: str  # the body key or custom field code it fills
    source: _Source
    convert: Convert
    low: float | None = None
    high: float | None = None

    def __call__(self, values: Values, row: int) -> Any:
        try:
            raw = self.source(values)
            if raw is None:
                return None
            value = self.convert(raw, values)
            if self.low is not None or self.high is not None:
                self._bounds(value, raw)
            return value
        except InputError as exc:
            raise InputError(exc.reason, row=row, column=self.source.where) from None

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
            raise InputError(hit.reason)
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
             many: bool = False) -> _Step | None:
        """``many``: a multi-option target, which takes a JSON array whole (unless ``join``)."""
        if spec is None:
            return None
        convert = make(spec)
        if spec.default is not None:
            try:
                convert(spec.default, {})
            except InputError as exc:
                self.problems.append((f"{key}.default", exc.reason))
        return _Step(name, _Source(key, spec, self.empty, many=many), convert, spec.min, spec.max)

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
                      lambda s: lambda raw, values: tf.parse_probability(
                          raw, decimal=s.decimal or d.decimal, scale=s.scale or 1)),
            self.step("deal.expected_close_date", "expected_close_date",
                      deal.expected_close_date, self._date),
            self.step("deal.owner", "owner_id", deal.owner, self.named("deal.owner", self._user)),
            self._label(),
        ]
        money = self.step("deal.value", "value", deal.value, lambda s: lambda raw, values: (
            tf.parse_money(raw, decimal=s.decimal or d.decimal, prefer=d.currency)))
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
                return int(_through(vmap, name, lambda n: lookup(f"{where}\x00{n}")))
            except InputError as exc:
                mapped = vmap.get(name) or vmap.fallback
                if mapped:
                    raise InputError(f"{name!r} maps to {mapped!r}: {exc.reason}") from None
                raise InputError(f"{exc.reason}; map it in deal.stage.map") from None
        if spec.default is not None:
            try:
                resolve(spec.default, static)
            except InputError as exc:
                self.problems.append(("deal.stage.default", exc.reason))
        return _StageStep(_Source("deal.stage", spec, self.empty), resolve)

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
                         many=field.type == "set")

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
            return lambda s: lambda raw, values: tf.parse_int(raw, decimal=s.decimal or d.decimal)
        if kind == "double":
            return lambda s: lambda raw, values: _number(
                tf.parse_number(raw, decimal=s.decimal or d.decimal))
        if kind == "monetary":
            return lambda s: lambda raw, values: _monetary(raw, values, s, d, field.name)
        if kind == "address":
            return lambda s: lambda raw, values: _wrap(self._mapped_text(s)(raw, values))
        return lambda s: self._mapped_text(s, multiline=kind == "text")

    def _check_header(self) -> None:
        if self.header is None:
            return
        known = set(self.header)
        for key, spec in [("import.key_column", FieldSpec(column=self.mapping.key_column)),
                          *self.mapping.targets()]:
            self.problems += [(key, f"no column {column!r} in the manifest")
                              for column in _spec_columns(spec) if column not in known]


@dataclass(frozen=True, slots=True)
class _StageStep:
    source: _Source
    resolve: Callable[[object, int | None], int]


def _through(vmap: tf.ValueMap, name: str, resolve: Callable[[str], Any]) -> Any:
    """An explicit map entry, else the name itself, else the map's "*" fallback."""
    mapped = vmap.get(name)
    if mapped is not None:
        return resolve(mapped)
    try:
        return resolve(name)
    except InputError:
        if vmap.fallback is None:
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
              label: str) -> dict[str, Any] | None:
    money = tf.parse_money(raw, decimal=spec.decimal or d.decimal, prefer=d.currency)
    if money is None:
        return None
    currency = money.currency
    if spec.currency_column:
        cell = values.get(spec.currency_column)
        if isinstance(cell, str) and tf.norm_key(cell) in {
                tf.norm_key(v) for v in d.empty_values}:
            cell = None  # an empty_values marker is blank: the default applies
        column = tf.parse_currency(cell, prefer=d.currency)
        if column and currency and column != currency:
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

    def map(self, row: SourceRow) -> MappedRow:
        """The deal, person and organization of one row, or InputError(row=, column=)."""
        if row.error is not None:
            raise row.error
        values, n = row.values, row.row
        try:
            key = tf.clean_text(self.key(values))
        except InputError as exc:
            raise InputError(f"the source key: {exc.reason}", row=n,
                             column=self.key.where) from None
        if key is None:
            raise InputError("the source key is empty" + self.key.missing(values), row=n,
                             column=self.key.where)
        deal: dict[str, Any] = {}
        for step in self.steps:
            value = step(values, n)
            if value is not None:
                deal[step.name] = value
        if "title" not in deal:
            raise InputError("the deal title is empty" + self.steps[0].source.missing(values),
                             row=n, column=self.steps[0].source.where)
        self._money(values, n, deal)
        self._place(values, n, deal)
        self._lost_reason(values, n, deal)
        custom: dict[str, Any] = {}
        for step in self.customs:
            value = step(values, n)
            if value is not None:
                custom[step.name] = value
        custom[self.key_code] = key
        deal["custom_fields"] = custom
        return MappedRow(n, key, deal, self._person(values, n), self._org(values, n))

    def _money(self, values: Values, n: int, deal: dict[str, Any]) -> None:
        money: tf.Money | None = self.money(values, n) if self.money else None
        currency = self.currency(values, n) if self.currency else None
        if money is not None:
            if currency and money.currency and currency != money.currency:
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
                raw = self.stage.source(values)
                if raw is None:  # never a silent first stage (issue 10 section 4)
                    raise InputError("the stage is empty (set deal.stage.default for blank "
                                     "cells, or fix the row)")
                deal["stage_id"] = self.stage.resolve(raw, pipeline_id)
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
        name, email, phone = (step(values, n) if step else None for step in self.person)
        if name is None and email is None and phone is None:
            return None
        if name is None and email is None:
            where = self.person[2].source.where if self.person[2] else None
            raise InputError("the person has a phone number but no name or e-mail",
                             row=n, column=where)
        return PersonRef(str(name or email), email, phone)

    def _org(self, values: Values, n: int) -> OrgRef | None:
        name, address = (step(values, n) if step else None for step in self.org)
        return OrgRef(name, address) if name is not None else None


# ---------------------------------------------------------------- a starter mapping

_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')
_TODO = re.compile(r"#.*\bTODO\b")


def unresolved_todos(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every comment that says ``TODO`` — init-mapping marks what a
    person must decide (a stage with no exact match, a missing key column) that way."""
    blanked = _STRINGS.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    return [(n, line.strip()) for n, (line, bare) in enumerate(
        zip(text.splitlines(), blanked.splitlines(), strict=True), 1) if _TODO.search(bare)]


_GUESSES: dict[str, tuple[str, ...]] = {
    "import.key_column": ("id", "record id", "deal id", "external id", "source id", "key",
                          "opportunity id", "source key"),
    "deal.title": ("deal name", "title", "deal title", "opportunity name", "name", "deal"),
    "deal.value": ("amount", "value", "deal value", "deal amount", "revenue",
                   "opportunity amount"),
    "deal.currency": ("currency", "currency code", "deal currency", "deal currency code",
                      "opportunity currency", "amount currency", "value currency",
                      "currency iso code"),
    "deal.status": ("status", "deal status"),
    "deal.pipeline": ("pipeline", "deal pipeline", "pipeline name"),
    "deal.stage": ("stage", "deal stage", "pipeline stage", "sales stage", "stage name",
                   "opportunity stage"),
    "deal.probability": ("probability", "win probability", "deal probability", "probability (%)",
                         "probability %", "win %", "deal probability (%)",
                         "deal stage probability", "confidence"),
    "deal.expected_close_date": ("close date", "expected close date", "closing date",
                                 "expected close", "estimated close date"),
    # an owner's e-mail first: a name can be two users (the row fails), an e-mail cannot
    "deal.owner": ("owner email", "deal owner email", "opportunity owner email",
                   "owner e-mail", "user email", "owner", "deal owner", "sales rep",
                   "assigned to", "opportunity owner", "owner name"),
    "deal.lost_reason": ("lost reason", "closed lost reason", "loss reason", "reason lost"),
    "deal.label": ("label", "labels", "tags", "tag"),
    "person.name": ("contact", "contact name", "person", "person name", "full name",
                    "contact person", "associated contact", "primary contact",
                    "primary contact name"),
    "person.email": ("email", "e-mail", "contact email", "email address", "person email",
                     "primary contact email", "associated contact email",
                     "contact email address"),
    "person.phone": ("phone", "phone number", "contact phone", "mobile", "person phone",
                     "primary contact phone", "associated contact phone"),
    "organization.name": ("company", "company name", "organization", "organisation",
                          "account", "account name", "organization name",
                          "associated company", "organization name", "lead name"),
    "organization.address": ("address", "company address", "organization address",
                             "billing address"),
}
_GUESS_CUTOFF = 85.0


def _toml_str(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes (DEL aside)
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else _toml_str(text)


def _column_value(column: str) -> str:
    if tf.Template.is_template(column):  # a column name with braces must not read as a template
        return "{ column = " + _toml_str(column) + " }"
    return _toml_str(column)


_FIRST = ("first name", "firstname", "given name", "contact first name", "person first name")
_LAST = ("last name", "lastname", "surname", "family name", "contact last name",
         "person last name")


def _leaf(column: str) -> str:
    """The last segment of a JSON path (``properties.dealname`` -> ``dealname``)."""
    if "." not in column and "[" not in column:
        return column
    tail = re.split(r'\.|\[', column)[-1]
    return tail.strip('"]') or column


def _name_columns(header: Sequence[str]) -> tuple[str, str] | None:
    """The first-name and last-name columns, when the header has both."""
    keys = {tf.norm_key(_leaf(c)).replace("_", " "): c for c in header}
    first = next((keys[k] for k in _FIRST if k in keys), None)
    last = next((keys[k] for k in _LAST if k in keys), None)
    return (first, last) if first and last else None


def _stage_lines(values: Sequence[str], stages: Sequence[str]) -> list[str]:
    """Stage map entries: a source value maps only to a stage of the same name (case and
    spaces aside); any other is a commented TODO listing the candidates — a plausible
    guess (``Contract Sent`` -> ``Contact Made``) would put deals in the wrong stage."""
    by_key = {tf.norm_key(s).replace(" ", ""): s for s in stages}
    lines, todo = [], []
    for value in values:
        same = by_key.get(tf.norm_key(value).replace(" ", "").replace("_", ""))
        if same is not None:
            lines.append(f"{_toml_str(value)} = {_toml_str(same)}")
        else:
            todo.append(value)
    if todo:
        choices = ", ".join(_toml_str(s) for s in stages)
        lines.append(f"# TODO: map each source stage below to one of: {choices}; "
                     "uncomment it, then delete this TODO line")
        lines += [f"# {_toml_str(value)} = \"\"" for value in todo]
    return lines


# Pipedrive's own export names columns "Deal - Title", "Person - Email", "Organization - Name"
_ENTITY_PREFIX = re.compile(r"(deal|person|organi[sz]ation|org)\s+-\s+(.+)")
_ENTITY_SECTION = {"deal": "", "person": "person.", "organisation": "organization.",
                   "organization": "organization.", "org": "organization."}


def _keys(column: str, target: str) -> list[str]:
    """The names a column is matched by for a target: its own, and for an "Entity - Field"
    column of that target's entity (a Deal column: any target), the field alone and
    "entity field" — so "Person - Name" is the person's name, never the deal title."""
    key = tf.norm_key(_leaf(column)).replace("_", " ")
    found = _ENTITY_PREFIX.fullmatch(key)
    if found is None or not target.startswith(_ENTITY_SECTION[found[1]]):
        return [key]
    return [key, found[2], f"{found[1]} {found[2]}"]


def _guess(header: Sequence[str], candidates: dict[str, Sequence[str]]) -> dict[str, str]:
    """Target → column, best fuzzy matches first, each column and target used once.

    A JSON path is matched by its last segment (``properties.dealname``)."""
    scored = []
    for target, names in candidates.items():
        for column in header:
            score, rank = max((fuzz.ratio(key, tf.norm_key(name)), -rank)
                              for rank, name in enumerate(names)
                              for key in _keys(column, target))
            if score >= _GUESS_CUTOFF:
                scored.append((score, -rank, target, column))
    chosen: dict[str, str] = {}
    # the best score first; on a tie, the name listed first (an owner's e-mail over a name)
    for _, _, target, column in sorted(scored, key=lambda t: (-t[0], t[1])):
        if target not in chosen and column not in chosen.values():
            chosen[target] = column
    return chosen


def _fractions(samples: MappingABC[str, Sequence[str]] | None, column: str) -> bool:
    """Whether a column's sampled values are numbers from 0 to 1, one a fraction (0.4)."""
    numbers = []
    for value in (samples or {}).get(column, ()):
        try:
            number = tf.parse_number(str(value).strip().removesuffix("%"))
        except InputError:
            return False
        if number is not None:
            numbers.append(number)
    return bool(numbers) and all(0 <= n <= 1 for n in numbers) and any(0 < n < 1 for n in numbers)


_EXCEL_SPAN = (25569, 73050)  # Excel serials of 1970-01-01 .. 2099-12-31
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_UNIT_WORDS = {"unix": "epoch seconds", "unix_ms": "epoch milliseconds",
               "unix_us": "epoch microseconds", "excel": "Excel serial day numbers"}
# targets a column of bare numbers (ids: HubSpot's associations, hubspot_owner_id) is not
_NOT_NUMBERS = ("deal.title", "deal.owner", "person.name", "organization.name",
                "organization.address")


def _sampled(samples: MappingABC[str, Sequence[str]] | None, column: str) -> list[str]:
    return [str(v).strip() for v in (samples or {}).get(column, ()) if str(v).strip()]


def _numbers_only(samples: MappingABC[str, Sequence[str]] | None, column: str) -> bool:
    """Whether every sampled value of ``column`` is a bare number (there is one at least)."""
    values = _sampled(samples, column)
    return bool(values) and all(_NUMBER.fullmatch(v) for v in values)


def _date_token(samples: MappingABC[str, Sequence[str]] | None, column: str) -> str | None:
    """The one date token every sampled value of a date column reads by: an epoch unit
    when all are integers of one magnitude band, ``"excel"`` when all are serials of
    1970-2099 (and none is an epoch); None when the samples are not all numbers or
    disagree — a wrong unit would import wrong dates, so no guess then."""
    values = _sampled(samples, column)
    if not values or not all(_NUMBER.fullmatch(v) for v in values):
        return None
    units = {tf.epoch_unit(v) for v in values}
    if len(units) == 1 and None not in units:
        return units.pop()
    if all(_EXCEL_SPAN[0] <= float(v) <= _EXCEL_SPAN[1] for v in values):
        return "excel"
    return None


def _date_value(column: str, token: str | None) -> str:
    if token is None:
        return _column_value(column)
    return (f"{{ column = {_toml_str(column)}, formats = [{_toml_str(token)}] }}"
            f"  # the sampled values are {_UNIT_WORDS[token]}")


def init_mapping(header: Sequence[str], catalog: Catalog, *,
                 key_field: str = "Import source key",
                 samples: MappingABC[str, Sequence[str]] | None = None,
                 encoding: str | None = None) -> str:
    """A starter mapping (TOML text, ending in a newline) from a manifest header and the
    account's fields.

    Columns are matched to deal fields by fuzzy name; targets nothing matched are
    written as comments. ``samples`` (a few distinct values per column, as text) fill
    in a stage map (exact names only), propose the date token (``unix``, ``unix_ms``,
    ``unix_us``, ``excel``) of a date column whose every sample is a number of that
    unit, and keep a column of bare numbers (ids) off the name, title, owner and
    address targets. ``encoding`` (the one the file was read with, when it is not
    UTF-8/UTF-16) is written to ``[defaults]``.
    """
    customs = [f for f in catalog.deal_fields if f.is_custom and f.type in _CUSTOM_OPTIONS
               and tf.norm_key(f.name) != tf.norm_key(key_field)]
    guesses = _guess(header, {**_GUESSES, **{f"custom.{f.name}": (f.name,) for f in customs}})
    numeric = [guesses.pop(t) for t in _NOT_NUMBERS
               if t in guesses and _numbers_only(samples, guesses[t])]
    key_column = guesses.get("import.key_column", header[0] if header else "id")
    title = guesses.get("deal.title") or next((c for c in header if c != key_column), key_column)
    used = {key_column, title, *guesses.values()}
    out = ["# pdbulk import mapping: generated by `pdbulk init-mapping`. Check every line;",
           "# commented lines are fields no column matched. Reference: docs/mapping.md", "",
           "version = 1", "", "[import]",
           f"key_column = {_toml_str(key_column)}"
           + ("" if "import.key_column" in guesses else "  # TODO: no id-like column found"),
           f"key_field = {_toml_str(key_field)}", 'mode = "insert"  # or "upsert"', "",
           "[defaults]", "# currency = \"USD\"  # when a cell has no currency",
           *([f"encoding = {_toml_str(encoding)}  # the file is not UTF-8"]
             if encoding and not codecs.lookup(encoding).name.startswith("utf") else []),
           'decimal = "auto"  # or "." / ","', 'date_formats = ["%m/%d/%Y", "%d.%m.%Y"]',
           'separator = ";"', "", "[deal]",
           f"title = {_column_value(title)}" + ("" if "deal.title" in guesses else "  # TODO")]
    pipeline = catalog.pipelines[0] if catalog.pipelines else None
    stage_column = guesses.get("deal.stage")
    for target in _GUESSES:
        name = target.removeprefix("deal.")
        if not target.startswith("deal.") or name in ("title", "stage"):
            continue
        if name == "pipeline" and target not in guesses and pipeline is not None:
            out.append(f"pipeline = {{ default = {_toml_str(pipeline.name)} }}")
            continue
        column = guesses.get(target)
        if name == "expected_close_date" and column:
            out.append(f"{name} = {_date_value(column, _date_token(samples, column))}")
            continue
        if name == "probability" and column and _fractions(samples, column):
            out += ["# TODO: the probabilities look like fractions of 1 (0.4 for 40 %); "
                    "scale = 100 reads them so. Remove scale if 0.4 means 0.4 %, then "
                    "delete this TODO line",
                    f"probability = {{ column = {_toml_str(column)}, scale = 100 }}"]
            continue
        out.append(f"{name} = {_column_value(column)}" if column else f'# {name} = ""')
    if stage_column is None:
        out.append('# stage = ""')
    else:
        out += ["", "[deal.stage]", f"column = {_toml_str(stage_column)}"]
        values = list(dict.fromkeys((samples or {}).get(stage_column, ())))[:50]
        stages = [s.name for s in (catalog.stages_in(pipeline.id) if pipeline else ())]
        if values and stages:
            out += ["", "[deal.stage.map]  # source stage = Pipedrive stage (exact names only)"]
            out += _stage_lines(values, stages)
    out += ["", "[custom_fields]  # Pipedrive field label = column"]
    for f in customs:
        column = guesses.get(f"custom.{f.name}")
        if column and f.type == "date":
            out.append(f"{_toml_str(f.name)} = {_date_value(column, _date_token(samples, column))}")
            continue
        line = f"{_toml_str(f.name)} = {_column_value(column or '')}"
        out.append(line if column else f"# {line}  # {f.type}")
    for section, fields in (("person", ("name", "email", "phone")),
                            ("organization", ("name", "address"))):
        out += ["", f"[{section}]"]
        for name in fields:
            column = guesses.get(f"{section}.{name}")
            names = _name_columns(header) if (section, name) == ("person", "name") else None
            if column is None and names is not None:
                out.append(f"name = {_toml_str('{' + names[0] + '} {' + names[1] + '}')}")
                used.update(names)
                continue
            out.append(f"{name} = {_column_value(column)}" if column else f'# {name} = ""')
    unused = [c for c in header if c not in used and c not in numeric]
    if unused:
        out += ["", "# Columns not mapped: " + ", ".join(unused)]
    if numeric:
        out.append("# Left out, their sampled values are bare numbers (ids?): "
                   + ", ".join(numeric))
    return "\n".join(out) + "\n"


__all__ = [
    "Defaults", "FieldSpec", "Mapping", "MappedRow", "MappingError", "MappingFile", "OrgRef",
    "PersonRef", "RowMapper", "init_mapping",
]
