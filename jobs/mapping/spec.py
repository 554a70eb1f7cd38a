"""The mapping file's schema and ``Mapping`` (loaded and validated, not yet
resolved against an account). Every error names its TOML key. The bottom of the
package: the steps, the row mapper, the compiler (``compile_mapping``) and the starter
build on it, and it imports none of them.

Why ~780 lines: the schema is one pydantic model tree whose validators (date formats,
rules, options, TODOs) must name the key they check; split, each part would import the
others' models."""

from __future__ import annotations

import copy
import json
import math
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bulk.errors import InputError

from .. import setting_checks as checks
from .. import transforms as tf
from ..transforms.date_patterns import date_part as _date_part
from ..transforms.date_patterns import four_digit_year as _four
from ..transforms.month_locale import locale_name


class MappingError(InputError):
    """The mapping file is wrong; ``problems`` lists (TOML key, reason) pairs.
    ``partial``: when the file was refused as it was read, the file without the entries
    refused (None: nothing usable is left) — only to check its columns and names too,
    so that every problem is said at once; never to import with."""

    def __init__(self, problems: Sequence[tuple[str, str]], *, source: str = "mapping",
                 partial: Mapping | None = None) -> None:
        self.problems = list(problems)
        self.partial = partial
        self.key = self.problems[0][0] if self.problems else ""
        lines = [f"{key}: {reason}" if key else reason for key, reason in self.problems]
        super().__init__(f"{source}: " + "; ".join(lines))


# ---------------------------------------------------------------- the file's schema

def mapping_tables(given: object, source: str = "mapping") -> tuple[dict[str, Any], str]:
    """A mapping's tables and its text (the TODOs are read from it): ``given`` is TOML
    text, or a dict of the file's tables as ``tomllib`` reads them (copied: the caller's
    dict is not changed; it has no comments, so no TODO). x25r3 F2: a dict ended in
    AttributeError ('replace', 'check_date_system'). Raises ``MappingError``."""
    if isinstance(given, dict):
        try:
            return copy.deepcopy(given), ""
        except RecursionError:
            raise MappingError([("", NESTED)], source=source) from None
    if not isinstance(given, str):
        raise MappingError([("", "a mapping is TOML text or a dict of the file's tables, "
                                 f"not {type(given).__name__}")], source=source)
    try:
        return tomllib.loads(given), given
    except tomllib.TOMLDecodeError as exc:
        raise MappingError([("", f"not valid TOML: {exc}")], source=source) from None
    except RecursionError:  # x19r1 F6: 500 nested arrays were "unexpected RecursionError"
        raise MappingError([("", NESTED)], source=source) from None


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


# dates a listed pattern writes, to find two patterns that read one text as two dates: a day
# and month both <= 12 and unequal, and years whose two digits are not a valid month/day
_PROBES = (datetime(2025, 3, 4), datetime(2004, 11, 7), datetime(2012, 1, 10))


def _first_word(fmt: str) -> str:
    """``"day"``, ``"month"`` or ``"year"``: the first of them ``fmt`` writes."""
    at = {w: i for w, d in (("day", "%d"), ("month", "%m"), ("year", "%y"), ("year", "%Y"))
          if (i := fmt.find(d)) >= 0}
    return min(at, key=at.__getitem__) if at else "day"


def _orders(fmt: str, other: str) -> str:
    """The two orders of a refused pair, as words (x50r8 F5: ``%d/%m/%y`` and
    ``%y/%m/%d`` were called "day-first and month-first dates")."""
    first, second = _first_word(fmt), _first_word(other)
    if first == second:  # the same first: day and month swapped further on
        first, second = "day", "month"
    return f"{first}-first and {second}-first dates"


def _check_formats(value: list[str]) -> list[str]:
    """``value`` itself; ValueError for an entry that is neither a strptime pattern nor a
    date token, and for two patterns that read one text as two different dates
    (``%m/%d/%Y`` and ``%d/%m/%Y``, ``%y/%m/%d`` and ``%d/%m/%y``): the first listed
    that fits a cell reads it, so one column would read ``31/12/2025`` day first and
    ``01/02/2026`` month first — a cell's reading would depend on which pattern
    happened to fit, never on the file. A pattern whose texts no other listed pattern
    reads (``%m/%d/%Y`` and ``%d.%m.%Y``) is fine."""
    for fmt in value:
        if fmt not in tf.DATE_TOKENS and "%" not in fmt:
            raise ValueError(f"{fmt!r} is neither a strptime pattern (with %) nor one of "
                             f"{', '.join(tf.DATE_TOKENS)}")
    patterns = [fmt for fmt in value if fmt not in tf.DATE_TOKENS]
    for fmt in patterns:
        _check_directives(fmt)
    for fmt in patterns:
        for other in patterns:
            # also across year lengths: %d/%m/%y and %m/%d/%Y read no text alike, but one
            # column would read 01/02/26 day first and 01/02/2026 month first
            # and whatever time directives follow (v10r6 s3: "%d/%m/%Y %H:%M" and
            # "%m/%d/%Y" read no text alike, but one column would mix both orders)
            direct = _clash(fmt, other) if other != fmt else None
            # and the date parts as written (x51r2 F2: "%d/%m/%y %H:%M" beside "%y/%m/%d"
            # passed, the 4-digit forms of a year written first reading no text alike)
            clash = (direct or _clash(_four(fmt), _four(other))
                     or _clash(_four(_date_part(fmt)), _four(_date_part(other)))
                     or _clash(_date_part(fmt), _date_part(other))
                     # and y and Y alike when either has a 2-digit year (x51r11 F1:
                     # "%Y/%m/%d" beside "%m/%d/%y" passed, one column of year-first
                     # 4-digit cells read its 2-digit ones month first, 140 of 150 wrong)
                     or _clash(*_two_digit(_date_part(fmt), _date_part(other)))
                     if other != fmt else None)
            if clash is not None and direct is None:  # no text read both ways: no example
                # that one of them cannot read (x49r12 F5: '04/03/2025' "by %m/%d/%y")
                order = ("day and month in opposite orders" if _first_word(fmt) == _first_word(
                    other) or "year" not in (_first_word(fmt), _first_word(other))
                    else "the year first in one, last in the other")
                raise ValueError(f"{fmt!r} and {other!r} are both listed: they read no text "
                                 f"alike, but {order}, so one column "
                                 f"would mix two orders ({_orders(fmt, other)}); "
                                 "keep the order the source writes, or give a column written "
                                 "the other way its own formats")
            if clash is not None:
                text, mine, theirs = clash
                raise ValueError(f"{fmt!r} and {other!r} are both listed: {text!r} reads as "
                                 f"{mine} by the first and {theirs} by the other, so one "
                                 f"column would mix two orders ({_orders(fmt, other)}); "
                                 "keep the order the source writes")
    return value


# what strptime reads (%:z: Python 3.12); %x %X %c are refused: locale-dependent
# composites that hide the day/month order from the check above
_STRPTIME_DIRECTIVES = frozenset("aAbBdfHIjmMpSUwWyYzZGuV%")
_LOCALE_DIRECTIVES = {"x": "%m/%d/%y", "X": "%H:%M:%S", "c": "%a %b %d %H:%M:%S %Y"}
_ANY_DIRECTIVE = re.compile(r"%(:?.?)", re.S)


def _check_directives(fmt: str) -> None:
    """ValueError for a directive strptime does not know (``%e``, ``%D``, a lone ``%``:
    no cell would ever match) and for ``%x``/``%X``/``%c``, whose meaning is the
    process's locale (in this program's C locale ``%x`` is ``%m/%d/%y``): the pattern
    must say its order itself."""
    for found in _ANY_DIRECTIVE.finditer(fmt):
        code = found[1]
        if code in _LOCALE_DIRECTIVES:
            raise ValueError(f"{fmt!r}: %{code} depends on the locale (here it means "
                             f"{_LOCALE_DIRECTIVES[code]!r}): write the pattern out, e.g. "
                             f"{fmt.replace('%' + code, _LOCALE_DIRECTIVES[code])!r}")
        if code not in _STRPTIME_DIRECTIVES and code != ":z":
            shown = f"%{code}" if code else "a lone '%' at the end"
            raise ValueError(f"{fmt!r}: {shown} is not a directive strptime reads, so no "
                             "cell would match (directives: %Y %y %m %d %b %B %H %I %M %S "
                             "%p %f %j %z; %% for a literal %)")


def _two_digit(fmt: str, other: str) -> tuple[str, str]:
    """``fmt`` and ``other`` with every 4-digit year written as a 2-digit one when either
    has a 2-digit year (their field orders compared, ``%Y/%m/%d`` as ``%y/%m/%d``);
    both as given when neither has (two 4-digit orders read no text alike)."""
    if "%y" not in fmt and "%y" not in other:
        return fmt, fmt
    return fmt.replace("%Y", "%y"), other.replace("%Y", "%y")


def _clash(fmt: str, other: str) -> tuple[str, str, str] | None:
    """A text ``fmt`` writes that ``other`` reads as another date: (text, fmt's date,
    other's date), else None."""
    for probe in _PROBES:
        try:
            text = probe.strftime(fmt)
            mine = datetime.strptime(text, fmt).date()
            theirs = datetime.strptime(text, other).date()
        except ValueError:
            continue
        if mine != theirs:
            return text, mine.isoformat(), theirs.isoformat()
    return None


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
    # close_time on an open deal: "drop" ignores it there (Salesforce's "Close Date" is the
    # expected close date of an open opportunity and the close date of a closed one: x27r1 9)
    when_open: Literal["error", "drop"] | None = None
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
        return _check_formats(value) if value is not None else None

    @field_validator("min", "max", "scale", mode="before")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        # TOML's true/nan/inf would pass as numbers: true as 1, nan making every
        # comparison fail deep inside a run (v10r9 S6) -- refused here, before anything is sent
        if isinstance(value, bool):
            raise ValueError(f"must be a number, not {str(value).lower()}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"must be a finite number, not {value}")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        if self.column is not None and self.template is not None:
            raise ValueError("give either column or template, not both")
        for name, text in (("column", self.column), ("currency_column", self.currency_column)):
            if text is not None and not text.strip():  # x10r1 M2: "" mapped nothing, silently
                raise ValueError(f"an empty {name} name: write the column's name, or delete "
                                 "the line (or comment it out) to map nothing")
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

    @field_validator("key_column", "key_field")
    @classmethod
    def _named(cls, value: str, info: ValidationInfo) -> str:
        # x41r1 L3: key_column = "" was "the mapping reads '': no such column"
        if not value.strip():
            raise ValueError("is empty: name " + (
                "the manifest's column that holds each row's source key"
                if info.field_name == "key_column" else
                "the deal field that keeps the source keys (default \"Import source key\")"))
        return value


class Defaults(_Section):
    currency: str | None = None
    decimal: tf.Decimal_ = "auto"
    date_formats: list[str] = Field(default_factory=list)
    separator: str = ";"
    encoding: str | None = None  # the manifest's text encoding; None: detected
    # CSV / XLSX: the row the header is on, as a spreadsheet numbers it (a CSV record of
    # several lines is one row); None: found (title lines skipped)
    header_row: int | None = Field(default=None, ge=1)
    # XLSX: the worksheet read (None: the first visible one); --sheet wins (x25r2 F10)
    sheet: str | None = None
    # cells that mean "no value" (besides blank); compared case-insensitively
    empty_values: list[str] = Field(default_factory=list)
    # the plausible years of a date (inclusive); a date outside is a row error
    date_window: tuple[int, int] = tf.DEFAULT_DATE_WINDOW
    # the language of the month names %B / %b read (a CLDR locale, "fr"; None: English)
    date_locale: str | None = None

    @field_validator("date_locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        return None if value is None else locale_name(value)

    @field_validator("date_formats")
    @classmethod
    def _formats(cls, value: list[str]) -> list[str]:
        return _check_formats(value)

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


# a won / lost deal's dates: each target -> the statuses a deal may have it in (FACTS:
# won_time only when won, lost_time only when lost, close_time when won or lost)
CLOSE_TIMES: dict[str, tuple[str, ...]] = {
    "won_time": ("won",), "lost_time": ("lost",), "close_time": ("won", "lost")}


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
    # when a won / lost deal was closed (x24r1 1: unmapped, every one was dated the import)
    won_time: FieldSpec | None = None
    lost_time: FieldSpec | None = None
    close_time: FieldSpec | None = None


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
    "deal.label": {"map", "separator"}, "deal.won_time": {"formats"},
    "deal.lost_time": {"formats"}, "deal.close_time": {"formats", "when_open"},
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
                "person.phone", "deal.won_time", "deal.lost_time", "deal.close_time"}


NESTED = "nested too deeply (arrays or tables within one another past Python's limit)"


def _key(*parts: str) -> str:
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else f'"{p}"' for p in parts)


def _parts(key: str) -> list[str]:
    """The parts of a ``_key`` path (its quoted parts unquoted): ``_key(*_parts(k), ...)``
    extends it without quoting a part twice (x19r1 F9: ``custom_fields.""Lead source""``)."""
    return [p[1:-1] if p.startswith('"') else p for p in re.findall(r'"[^"]*"|[^.]+', key)]


_TOML_KINDS = ((bool, "true / false"), (str, "a text"), (int, "a number"), (float, "a number"),
               (list, "a list"))


def _wrong_shape(model: object, given: object) -> str:
    """What a mapping entry of the wrong TOML kind should have been, in the file's terms
    (x34r5: ``title = ["title"]`` was said "Input should be a valid dictionary or instance
    of FieldSpec")."""
    kind = next((name for t, name in _TOML_KINDS if isinstance(given, t)), "something else")
    if model == "FieldSpec":
        return ('must be a column name ("Deal name"), a template ("{First} {Last}") or a table '
                f'like {{ column = "Deal name", default = "..." }}, not {kind}')
    return f"must be a table (a [section] or {{ key = value, ... }}), not {kind}"


def _pydantic_problems(exc: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"] if not str(p).startswith(("function-", "tagged"))]
        reason = {"extra_forbidden": "unknown key", "missing": "missing"}.get(
            err["type"], err["msg"].removeprefix("Value error, "))
        if err["type"] == "model_type":  # pydantic's "a valid dictionary or instance of X"
            reason = _wrong_shape(err.get("ctx", {}).get("class_name"), err.get("input"))
        problems.append((_key(*loc), reason))
    return problems



def file_problems(data: dict[str, Any], text: str, *,
                  rename: Callable[[str], str] = lambda key: key,
                  ) -> tuple[list[tuple[str, str]], MappingFile | None]:
    """Every problem of a mapping file's parsed ``data`` (its ``text`` for the TODOs) at
    once — the schema's (each key through ``rename``), the options', the unresolved TODOs
    — as ``(key, reason)`` pairs, and the spec as far as it validates (None when nothing
    does). Shared by the import's and the update's mappings (x22r2: `[persn]` hid a stage
    typo; f23m: update said one problem a run)."""
    problems: list[tuple[str, str]] = []
    spec: MappingFile | None
    try:
        spec = MappingFile.model_validate(data)
    except ValidationError as exc:
        problems += [(rename(key), reason) for key, reason in _pydantic_problems(exc)]
        spec = _salvage(data, exc)
    if spec is not None:
        problems += _option_problems(spec)
    todos = unresolved_todos(text)
    if todos:
        problems.append(("", "unresolved TODO on line " + "; line ".join(
            f"{n}: {line}" for n, line in todos)
            + " (decide each one, then delete its '# TODO' mark or the whole comment)"))
    return problems, spec

def _salvage(data: object, exc: ValidationError) -> MappingFile | None:
    """The file with every entry the schema refused left out, when what is left is valid
    (None: a required key is missing, or leaving out is not enough): its columns and
    names can then be checked too, and every problem said at once."""
    if not isinstance(data, dict):
        return None
    kept: dict[str, Any] = copy.deepcopy(data)
    for _ in range(5):  # a left-out entry can only uncover errors around it, not loop
        errors = exc.errors()
        if any(err["type"] == "missing" for err in errors):
            return None
        if not all([_drop(kept, [p for p in err["loc"] if not str(p).startswith(
                ("function-", "tagged"))]) for err in errors]):
            return None
        try:
            return MappingFile.model_validate(kept)
        except ValidationError as again:
            exc = again
    return None


def _drop(data: dict[str, Any], loc: Sequence[object]) -> bool:
    """Leave out the entry at ``loc`` (a list's item: the whole list); False for the
    file as a whole (a ``loc`` of nothing); an entry already left out is True."""
    if not loc:
        return False
    node: Any = data
    for n, part in enumerate(loc):
        if not isinstance(node, dict) or part not in node:
            return True
        if n == len(loc) - 1 or not isinstance(node[part], dict):
            del node[part]
            return True
        node = node[part]
    return False


# ---------------------------------------------------------------- results

# NamedTuples rather than frozen dataclasses: a row builds up to three of them (a
# million-row file, three million), and a tuple is built several times faster.
class PersonRef(NamedTuple):
    """A row's person: ``email`` the address it takes, ``also`` the cell's other addresses
    (a list or an array of them: they only find the person again); ``phone`` the first of
    its phone cell, ``more_phones`` the others (a new person is created with them all);
    ``title`` the job title the name cell gives after a comma (``Jane Roe, VP Sales``:
    ``tf.name_and_title``), never in ``name`` and never sent — Pipedrive's addPerson /
    updatePerson (API v2, openapi-v2.yaml) take no job title (``job_title`` is only read,
    with contact sync on) —: the row's note says so. ``phone_labels``: the label the
    phone cell wrote beside a phone (z55r1 F2), the one a new person's phone takes."""

    name: str
    email: str | None = None
    phone: str | None = None
    also: tuple[str, ...] = ()
    more_phones: tuple[str, ...] = ()
    title: str | None = None
    # (phone, Pipedrive's label) of each phone whose cell wrote a label naming a kind
    # (``tf.labelled_phones``: ``+49 30 4616337 (mobile)``); a phone not here is ``work``
    phone_labels: tuple[tuple[str, str], ...] = ()


class OrgRef(NamedTuple):
    name: str
    address: str | None = None

    @property
    def match_key(self) -> str:
        return tf.org_match_key(self.name) or self.name.casefold()


@dataclass(frozen=True, slots=True)
class DeactivatedUser:
    """A cell naming a user who is deactivated in Pipedrive: ``id`` and the row's error
    (``reason``). Not an error yet: a deal that already holds that user is unchanged by
    it (x20r2 F4: Pipedrive's own export failed every row of such a deal, its other
    changes lost); only a row that would *set* it fails (``MappedRow.deactivated``)."""

    id: int
    reason: str


class MappedRow(NamedTuple):
    """A row ready to send: ``deal`` is an addDeal body without person_id / org_id.
    ``currency_defaulted``: its ``currency`` is ``defaults.currency`` alone (the row names
    none: no currency cell, no symbol or code in the amount) — a deal that exists keeps
    its own (``jobs.deals.defaulted_currency``). ``currency_choices``: the currencies the
    amount's symbol may mean when no currency cell says which (``$``: USD, CAD, AUD, ...)
    — a deal in one of them keeps it. ``custom_currency_open``: the same for each monetary
    custom field whose currency the row does not name, by field code: ``()`` for
    ``defaults.currency`` alone, else the symbol's choices (x9r4 F4: a monetary field of
    an existing deal was re-denominated by the default). ``undecided``: the amounts whose
    symbol nothing in the row decides (``kr`` under EUR: they carry no currency), each
    as the error a new deal's row fails with — a deal (field) that exists in one of the
    symbol's currencies decides it (x20r2 F2)."""

    row: int
    key: str
    deal: dict[str, Any]
    person: PersonRef | None = None
    org: OrgRef | None = None
    currency_defaulted: bool = False
    currency_choices: tuple[str, ...] = ()
    custom_currency_open: dict[str, tuple[str, ...]] | None = None
    undecided: tuple[InputError, ...] = ()
    # the targets (``owner_id``, a user field's code) a cell sets to a deactivated user
    # (``RowMapper.map(defer_users=True)``): the row fails only when it changes them
    deactivated: dict[str, InputError] | None = None
    # the targets whose value is their mapping ``default`` (the row gives none): body keys
    # (``stage_id``, ``owner_id``, ...) and custom field codes; a deal that exists keeps
    # its own values there (``jobs.deal_currency.without_defaults``, x41r3 F2)
    defaulted: tuple[str, ...] = ()

    @property
    def currency_open(self) -> dict[str, tuple[str, ...]]:
        """Every currency of the row that is open (``jobs.deals.defaulted_currency``):
        ``"currency"`` for the deal's amount, a field code for a monetary custom field's;
        ``()`` when it is ``defaults.currency`` alone, else the choices of its symbol.
        Empty when the row names every currency it has."""
        out = dict(self.custom_currency_open or {})
        if self.currency_defaulted or self.currency_choices:
            out["currency"] = self.currency_choices
        return out


# a monetary custom field's value carries how open its currency is under this key from
# its step to ``RowMapper.map``, which takes it out (never sent)
OPEN_CURRENCY = "_currency_open"
# ... and, when its symbol is undecided (``kr`` under EUR), why and the column to name
UNDECIDED_CURRENCY = "_currency_undecided"


# ---------------------------------------------------------------- the mapping

# the comment that says a mapping leaves close_time out on purpose (init-mapping's TODO of
# future close dates says to leave it): the plan's note on deals dated today then asks for
# no close_time again (``Mapping.undated_note``; x47r3 F8)
LEFT_OUT = "# close_time left out on purpose"
_LEFT_OUT = re.compile(r"^\s*#\s*close_time left out on purpose", re.MULTILINE)


class Mapping:
    """A loaded, validated import mapping (docs/mapping.md), not yet resolved against an
    account: made by ``Mapping.load(path)`` (the TOML file, or a dict of its tables) or
    ``Mapping.loads(text or dict)``, which raise ``MappingError`` (an ``InputError``)
    listing every problem. ``mode`` ("insert" / "upsert", the file's ``[import] mode``),
    ``key_column``, ``key_field`` and ``columns()`` say what it reads; ``import_job``
    takes it."""

    def __init__(self, spec: MappingFile, *, source: str = "mapping",
                 close_left_out: bool = False) -> None:
        self.spec = spec
        self.source = source
        # the file says it leaves close_time out on purpose (``LEFT_OUT``)
        self.close_left_out = close_left_out

    def __repr__(self) -> str:
        return f"Mapping({self.source!r}, mode={self.mode!r}, {len(self.columns())} columns)"

    @classmethod
    def load(cls, path: str | Path | dict[str, Any]) -> Mapping:
        """The mapping file at ``path`` (docs/mapping.md), or a dict of its tables (as
        ``loads`` takes one). Raises ``MappingError`` (an ``InputError``) listing every
        problem."""
        if isinstance(path, dict):
            return cls.loads(path)
        checks.path("Mapping.load", "path", path)  # x41r1 M4: None was a TypeError
        return cls.loads(read_mapping_text(path), source=str(path))

    @classmethod
    def loads(cls, text: str | dict[str, Any], *, source: str = "mapping") -> Mapping:
        """A mapping from its TOML ``text``, or from a dict of the file's tables as
        ``tomllib`` reads them (``{"version": 1, "import": {...}, "deal": {...}}``),
        checked alike. Raises ``MappingError`` listing every problem."""
        data, text = mapping_tables(text, source)
        if isinstance(data, dict) and "update" in data and "import" not in data:
            # init-mapping's file for Pipedrive's own export (x20r2 F7) names deals by id
            raise MappingError([("update", "this mapping updates deals ([update]): run it "
                                 "with `pdbulk update` (or `pdbulk plan update`); to import "
                                 "rows, give it an [import] section instead")], source=source)
        # every problem of the file at once (x22r2: `[persn]` hid a stage typo, and the
        # schema's errors hid option errors and TODOs)
        problems, spec = file_problems(data, text)
        if problems:
            raise MappingError(problems, source=source, partial=None if spec is None
                               else cls(spec, source=source))
        assert spec is not None
        return cls(spec, source=source, close_left_out=isinstance(text, str) and bool(
            _LEFT_OUT.search(text)))

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
    def header_row(self) -> int | None:
        """``[defaults] header_row``: the spreadsheet row of the header (None: found)."""
        return self.spec.defaults.header_row

    @property
    def sheet(self) -> str | None:
        """``[defaults] sheet``: an XLSX manifest's worksheet (None: the first visible)."""
        return self.spec.defaults.sheet

    @property
    def mode(self) -> Literal["insert", "upsert"]:
        return self.spec.import_.mode

    def targets(self) -> list[tuple[str, FieldSpec]]:
        """Every (TOML key, spec) pair in the file."""
        return _targets(self.spec)

    def closed_stage_note(self) -> str | None:
        """A note for the plan when ``deal.stage.map`` sends values that read as won / lost
        (``closedwon``, ``Closed - Lost``: ``transforms.closed_status``) to a stage and the
        mapping has no status at all: Pipedrive's stages are all open, so those deals are
        imported open (x18r2 3: all of a HubSpot file's closed deals became open, exit 0).
        A note, not an error: importing them open may be meant (their history re-opened)."""
        deal = self.spec.deal
        if deal.status is not None or deal.stage is None or not deal.stage.map:
            return None
        closed = [(value, status) for value in deal.stage.map
                  if (status := tf.closed_status(value)) is not None]
        if not closed:
            return None
        shown = ", ".join(f"{value!r} ({status}?)" for value, status in closed[:5])
        column = json.dumps(deal.stage.column or "...", ensure_ascii=False)
        return (f"deal.stage.map sends {shown} to a stage, and no status is mapped: those "
                "deals are imported open (a stage is never won or lost); if they are "
                f"closed, add status = {{ column = {column}, map = {{ ... = \"won\", ... = "
                '\"lost\", \"*\" = \"open\" } } to [deal]')

    def undated_note(self, count: int) -> str:
        """The plan's note for ``count`` deals made won / lost with no won / lost / close
        time: Pipedrive dates each the moment it is sent (x24r1 1: a year of closed deals
        all closed on the import day, nothing said)."""
        deal = self.spec.deal
        mapped = [n for n in CLOSE_TIMES if getattr(deal, n) is not None]
        what = f"{count:,} won / lost deal{'s' if count != 1 else ''}"
        if mapped:
            return (f"{what} will be dated today: their {' / '.join(mapped)} cells are empty "
                    "(Pipedrive dates a deal won or lost when it is sent)")
        expected = deal.expected_close_date.column if deal.expected_close_date else None
        # the line reads the cells as expected_close_date reads them: its own formats too
        # (z55r1 F3: a column of Excel serials was told no formats, and following the
        # line failed 300 of 300 rows "not a date")
        own = deal.expected_close_date.formats if deal.expected_close_date else None
        listed = (f"formats = {json.dumps(own, ensure_ascii=False)}, " if own else "")
        if self.close_left_out:  # said once, in init-mapping's TODO (x47r3 F8)
            return (f"{what} will be dated today (the mapping leaves close_time out on "
                    "purpose; Pipedrive dates a deal won or lost when it is sent)")
        if expected:
            # x27r1 9: Salesforce's "Close Date" holds the expected close date of open deals
            # and the close date of closed ones; close_time = "Close Date" alone would fail
            # every open row ("a close time is given but the status is open")
            shown = json.dumps(expected, ensure_ascii=False)
            return (f"{what} will be dated today; map won_time, lost_time or close_time in "
                    "[deal] to the source's close dates (Pipedrive dates a deal won or lost "
                    f"when it is sent); if column {shown} holds the close date of the closed "
                    f"ones, add close_time = {{ column = {shown}, {listed}"
                    "when_open = \"drop\" }: "
                    "open deals then keep it as their expected close date only")
        return (f"{what} will be dated today; map won_time, lost_time or close_time in "
                "[deal] to the source's close dates (Pipedrive dates a deal won or lost when "
                "it is sent)")

    def check_date_system(self, system: int | None) -> None:
        """MappingError when a date token does not match an XLSX workbook's date system
        (``system``: 1900, 1904, or None for other formats): ``"excel"`` on a 1904
        workbook would put every date 4 years and 1 day early, ``"excel_1904"`` on a
        1900 one as much late."""
        wrong = {1904: "excel", 1900: "excel_1904"}.get(system or 0)
        if wrong is None:
            return
        right = "excel_1904" if wrong == "excel" else "excel"
        switch, shift = ("on", "early") if system == 1904 else ("off", "late")
        reason = (f"the workbook uses the {system} date system (Mac Excel's \"1904 date "
                  f"system\" is {switch}): \"{wrong}\" would read its serial numbers 4 "
                  f"years and 1 day {shift}; use \"{right}\"")
        listed = [("defaults.date_formats", self.spec.defaults.date_formats),
                  *((f"{k}.formats", spec.formats or []) for k, spec in self.targets())]
        problems = [(key, reason) for key, formats in listed if wrong in formats]
        if problems:
            raise MappingError(problems, source=self.source)

    def columns(self) -> list[str]:
        """The manifest columns the mapping reads, in order, once each."""
        return list(dict.fromkeys(column for _, column in self.readers()))

    def readers(self) -> list[tuple[str, str]]:
        """(TOML key, column) for every column the mapping reads, the key column first."""
        return [("import.key_column", self.key_column)] + [
            (key, column) for key, field_spec in self.targets()
            for column in _spec_columns(field_spec)]


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
    return problems + _labels_twice(spec)


def _labels_twice(spec: MappingFile) -> list[tuple[str, str]]:
    """Two ``[custom_fields]`` labels that differ only in case or spacing name one field:
    the last entry would silently win (x19r1 F1: "discount" = "Amount" overwrote
    "Discount" = "Discount"). Checked before the account is read; the compiler checks
    the same by field code (a label and the field's code)."""
    first: dict[str, str] = {}
    problems = []
    for label in spec.custom_fields:
        seen = first.setdefault(tf.norm_key(label), label)
        if seen != label:
            problems.append(twice(_key("custom_fields", label), _key("custom_fields", seen),
                                  repr(seen)))
    return problems


def keys_twice(key: str, entries: dict[str, str] | None, fold: Callable[[str], str],
               same: Callable[[str], object] = str) -> list[tuple[str, str]]:
    """Map keys that are one key once folded (``fold``: case, spacing, invisible characters,
    and for a stage or pipeline map a ``>`` and a U+203A) but map to different targets: the
    last would silently win. ``same``: a target's identity, two targets being one when it
    is equal (a resolved id, or the target folded as the field reads it: ``"EUR"`` and
    ``"eur"`` are one currency, x48r14 F4); by default the text as written (a text field
    writes it as it is). Keys are quoted with ``tf.shown_key`` (invisibles escaped)."""
    first: dict[str, tuple[str, object]] = {}
    problems = []
    mapped = entries or {}
    aside = ("spacing, case, invisible characters and '>' / '\u203a' aside"
             if fold is tf.stage_key else "spacing, case and invisible characters aside")
    for source, target in mapped.items():
        seen, then = first.setdefault(fold(source), (source, same(target)))
        if seen != source and then != same(target):
            problems.append((_key(*_parts(key), "map", source),
                             f"{tf.shown_key(source)} and {tf.shown_key(seen)} are one value "
                             f"({aside}) mapped to {tf.shown_key(target)} and "
                             f"{tf.shown_key(mapped[seen])}: keep one"))
    return problems


def twice(key: str, other: str, field: str) -> tuple[str, str]:
    """The problem of a field fed by two mapping entries (``key`` and ``other``)."""
    return key, (f"the field {field} is already mapped by {other}: one field takes one "
                 "entry (delete one of them)")


_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')
_TODO = re.compile(r"#\s*TODO\b")  # the mark that opens a comment, not the word inside one


def unresolved_todos(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every comment that opens with the ``# TODO`` mark — init-mapping
    marks what a person must decide (a stage with no exact match, a missing key column) that
    way. The mark, not the word: a kept comment whose ``# TODO:`` was deleted is resolved,
    whatever its text says (x39r4 L1: "... TODO line" inside it was still refused)."""
    blanked = _STRINGS.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    return [(n, line.strip()) for n, (line, bare) in enumerate(
        zip(text.splitlines(), blanked.splitlines(), strict=True), 1) if _TODO.search(bare)]


__all__ = ["CLOSE_TIMES", "DeactivatedUser", "Defaults", "FieldSpec", "Mapping", "MappedRow",
           "MappingError", "MappingFile", "OrgRef", "PersonRef", "mapping_tables", "read_mapping_text",
           "unresolved_todos"]
