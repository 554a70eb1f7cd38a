"""The import's mapping file (docs/mapping.md) read for updates: ``UpdateMapping``.

``[update]`` says how a row names its deal (``id_column`` or ``key_column`` +
``key_field``; an import mapping's ``[import]`` section works as is); every ``[deal]``
target becomes optional, ``title`` included. ``wanted_values`` maps one row to (its
deal id or key, the values it wants). Moved out of ``jobs.updating`` (issue 8), which
still re-exports every name. It reads no deal and sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from bulk.errors import InputError
from bulk.manifest import SourceRow
from bulk.wording import about_file

from . import transforms as tf
from .catalog import Catalog, DealField
from .import_checks import effective_header
from .mapping import Mapping as ImportMapping
from .mapping import (
    MappingError,
    RowMapper,
    read_mapping_text,
)
from .mapping.spec import FieldSpec, MappingFile, file_problems, mapping_tables
from .selection import parse_id

# Stand-ins that let the import mapping compile for updates (see UpdateMapping).
_KEEP_TITLE = "__pdbulk_keep_title__"
_ID_FIELD = "__pdbulk_deal_id__"


# -- the mapping, read for updates ------------------------------------------------------------
class UpdateMappingError(MappingError):
    """An update mapping refused as it was read, every problem of the file listed;
    ``usable``: what is left of it (None: nothing, or ``[update]`` itself refused) — only
    to check its columns and the account's names too, never to update with."""

    def __init__(self, problems: Sequence[tuple[str, str]], *, source: str = "mapping",
                 usable: UpdateMapping | None = None) -> None:
        super().__init__(problems, source=source,
                         partial=None if usable is None else usable.mapping)
        self.usable = usable


class UpdateSection(BaseModel):
    """``[update]``: how a row names its deal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id_column: str | None = None
    key_column: str | None = None
    key_field: str = "Import source key"
    # cells that clear their field (null sent); an empty cell leaves it, as empty_values do
    clear_values: list[str] = []

    @model_validator(mode="after")
    def _one(self) -> UpdateSection:
        if (self.id_column is None) == (self.key_column is None):
            raise ValueError("give either id_column or key_column")
        return self


@dataclass(frozen=True)
class UpdateMapping:
    """An import mapping file (docs/mapping.md) read for updates.

    The deal is named by ``[update] id_column`` (Pipedrive ids) or ``key_column`` +
    ``key_field`` (source keys; an import mapping's ``[import]`` section works as is).
    Every ``[deal]`` target is optional, ``title`` included; an empty cell changes nothing
    (a blank stage too, unless the row names a pipeline: that is a row error).
    """

    mapping: ImportMapping
    by: Literal["id", "key"]
    column: str
    key_field: str | None
    # ``[update] clear_values``, as ``tf.norm_key`` reads them (``wanted_values``)
    clear: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: str | Path | dict[str, Any]) -> UpdateMapping:
        """The update mapping file at ``path``, or a dict of its tables (``loads``)."""
        if isinstance(path, dict):
            return cls.loads(path)
        return cls.loads(read_mapping_text(path), source=str(path))

    @classmethod
    def loads(cls, text: str | dict[str, Any], *, source: str = "mapping") -> UpdateMapping:
        """Every problem of the file at once, as the import's ``Mapping.loads`` says them
        (f23m: ``[update]``, a person table, the schema, the options and the TODOs were
        refused one a run, three problems three runs): an ``UpdateMappingError`` whose
        ``usable`` is what is left of the file, to check its columns and names on."""
        data, text = mapping_tables(text, source)  # TOML text or a dict (x25r3 F2)
        problems: list[tuple[str, str]] = []
        section: UpdateSection | None = None
        raw = data.pop("update", None)
        if raw is not None:
            try:
                section = UpdateSection.model_validate(raw)
            except ValidationError as exc:
                problems += [(f"update.{'.'.join(map(str, e['loc']))}".rstrip("."),
                              e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
            data.pop("import", None)
        elif isinstance(data.get("import"), dict) and "key_column" in data["import"]:
            section = UpdateSection(key_column=str(data["import"]["key_column"]),
                                    key_field=str(data["import"].get("key_field",
                                                                     "Import source key")))
        else:
            problems.append(("update", "say how rows name their deal: [update] id_column "
                                       "= ... or key_column = ..."))
        # the rest of the file is checked under a stand-in when [update] is refused
        named = section or UpdateSection(id_column=_ID_FIELD)
        by: Literal["id", "key"] = "id" if named.id_column is not None else "key"
        column = named.id_column or named.key_column or ""
        data["import"] = {"key_column": column,
                          "key_field": _ID_FIELD if by == "id" else named.key_field}
        deal = data.setdefault("deal", {})
        if isinstance(deal, dict):
            deal["title"] = _optional_title(deal.get("title"))
        # an empty table (init-mapping writes them with every line commented out) maps
        # nothing (v10r17 C: refused "updates do not link persons or organizations")
        for name in ("person", "organization"):
            if data.get(name):
                problems.append((name, "updates do not link persons or organizations"))
            data.pop(name, None)
        found, spec = file_problems(data, text, rename=lambda key: _renamed(key, named))
        problems += found
        if spec is not None:
            problems += _clearing_defaults(spec, _clear(named))
        if problems:
            raise UpdateMappingError(problems, source=source, usable=None if spec is None
                                     or section is None else cls(
                ImportMapping(spec, source=source), by, column,
                section.key_field if by == "key" else None, _clear(section)))
        assert spec is not None
        return cls(ImportMapping(spec, source=source), by, column,
                   named.key_field if by == "key" else None, _clear(named))

    def catalog_needs(self) -> dict[str, Any]:
        """Which pulls of ``account.load_catalog`` this mapping's names need: users for an
        owner column or a user-type custom field (the custom fields' names: pulled after
        the fields, when one is: x14r2 F2), deal fields for source keys, custom fields and
        labels (their options);
        pipelines and stages are pulled always (x13r3 F3: a probability update pulled users
        and fields too, 30 tokens for nothing). ``{"users": ..., "deal_fields": ...}``."""
        deal = self.mapping.spec.deal
        return {"users": deal.owner is not None or tuple(self.mapping.spec.custom_fields),
                "deal_fields": self.by == "key" or bool(self.mapping.spec.custom_fields)
                or deal.label is not None}

    def compile(self, catalog: Catalog, *, header: Sequence[str] | None = None) -> RowMapper:
        """Resolve every name against the account (MappingError lists every problem)."""
        from .mapping.compiler import compile_mapping  # loaded when used (the CLI's start-up)

        if self.by == "id":
            catalog = replace(catalog, deal_fields=(*catalog.deal_fields, DealField(
                _ID_FIELD, _ID_FIELD, "varchar", is_custom=True, listed=False)))
        try:
            mapper = compile_mapping(self.mapping, catalog, header=None if header is None else
                                     effective_header(self.mapping, header), update=True)
            return replace(mapper, blank_stage_keeps=True, checks_currency_mix=False,
                           key_label="the deal id" if self.by == "id" else "the source key",
                           key_check=parse_id if self.by == "id" else None)
        except MappingError as exc:
            section = UpdateSection(id_column=self.column) if self.by == "id" else UpdateSection(
                key_column=self.column, key_field=self.key_field or "")
            raise MappingError([(_renamed(k, section), r) for k, r in exc.problems],
                               source=self.mapping.source) from None

    def custom_codes(self, mapper: RowMapper) -> list[str]:
        return [step.name for step in mapper.customs]


class UpdateRefused(InputError):
    """An update refused before any call: the file's ``problems`` (TOML key, reason), the
    manifest's missing ``columns`` (its InputError, None: none), and what is left to check
    the account's names on (``usable``, its manifest ``header``). Its message says what
    the files say, before any call: the account's names are checked once these are fixed
    (x25r1 F3)."""

    def __init__(self, problems: Sequence[tuple[str, str]], columns: InputError | None, *,
                 source: str, manifest: str, usable: UpdateMapping | None,
                 header: Sequence[str] | None) -> None:
        self.problems, self.columns, self.source = list(problems), columns, source
        self.manifest, self.usable, self.header = manifest, usable, header
        said = str(MappingError(self.problems, source=source)) if self.problems else ""
        if columns is not None:
            said += ("; " if said else "") + about_file(manifest, columns)
        super().__init__(said)


def _optional_title(spec: object) -> object:
    """``title`` made optional: a stand-in default that ``wanted_values`` drops again —
    unless the mapping says ``required = true``, which an update keeps as it is."""
    if spec is None:
        return {"default": _KEEP_TITLE}
    if isinstance(spec, str):
        kind = "template" if tf.Template.is_template(spec) else "column"
        return {kind: spec, "default": _KEEP_TITLE}
    if isinstance(spec, dict) and "default" not in spec and spec.get("required") is not True:
        return {**spec, "default": _KEEP_TITLE}
    return spec  # required = true: a blank title fails its row (v10r30 M1: refused as
    # "required and a default exclude each other" for the stand-in default)


def _clear(section: UpdateSection) -> frozenset[str]:
    return frozenset(tf.norm_key(v) for v in section.clear_values if v.strip())


def _clearing_defaults(spec: MappingFile, clear: frozenset[str]) -> list[tuple[str, str]]:
    """A target's ``default`` that is a clear value, as (key, reason): ambiguous (is the
    default a clear, or the text to write?), so the mapping is refused. A clear value in a
    template's own text is not: a template whose columns are all empty renders nothing,
    and a cell's text is never trimmed, so the template's text alone never renders a clear
    value (a row that renders one fails: ``_templated_clear``)."""
    if not clear:
        return []
    targets = [(f"deal.{name}", getattr(spec.deal, name)) for name in type(spec.deal).model_fields]
    targets += [(f"custom_fields.{name}", field) for name, field in spec.custom_fields.items()]
    return [(f"{key}.default", f"{field.default!r} is one of [update] clear_values: a "
             "default is written as the field's value, never a clear; to clear the field, "
             "write the clear value in the row's own cell (a column of its own)")
            for key, field in targets
            if isinstance(field, FieldSpec) and isinstance(field.default, str)
            and tf.norm_key(field.default) in clear] + _clearing_maps(targets, clear)


def _clearing_maps(targets: Sequence[tuple[str, object]],
                   clear: frozenset[str]) -> list[tuple[str, str]]:
    """A target's ``map`` entry whose value or key is a clear value, as (key, reason): its
    value is written as the field's value (or looked up as a name), never a clear (f29h 3:
    ``'Dead' = '#CLEAR'`` sent the marker on); its key is never read, since a cell holding
    a clear value clears (or fails) before any map. Refused at load, naming the entry."""
    found: list[tuple[str, str]] = []
    for key, field in targets:
        if not isinstance(field, FieldSpec) or not field.map:
            continue
        for source, target in field.map.items():
            entry = f"{source!r} = {target!r}"
            if tf.norm_key(target) in clear:
                found.append((f"{key}.map", f"{entry}: {target!r} is one of [update] "
                              "clear_values: a map's value is written as the field's value, "
                              "never a clear; to clear the field, write the clear value in "
                              "the row's own cell"))
            elif tf.norm_key(source) in clear:
                found.append((f"{key}.map", f"{entry}: {source!r} is one of [update] "
                              "clear_values: a cell holding it clears the field (or fails "
                              "its row) before any map is read, so this entry is never "
                              "used; delete it"))
    return found


# what an update may clear, and how (updateDeal's body, openapi-v2): probability and
# lost_reason are nullable (close_time too, not a mapping target), and custom_fields says
# "to clear a custom field value, set it to null" — multi-option (set) fields too, where
# "sending an empty array [] is not supported"; label_ids is an array, not nullable: the
# labels are cleared by the empty array. expected_close_date is not marked nullable, so it
# is not sent null (nothing unsure reaches the API); any other target's clear cell fails
# its row
CLEARABLE = frozenset({"probability", "lost_reason", "label_ids"})
EMPTIED: dict[str, object] = {"label_ids": []}  # what clears a target, where it is not null


def _cleared(mapper: RowMapper, row: SourceRow, clear: frozenset[str]) -> dict[str, str]:
    """Target (a deal field's key or a custom field's code) -> the column whose cell is a
    ``clear_values`` marker: InputError naming the column when the target cannot be
    cleared, or when the marker is a cell of a template (f27b: ``title = "{Name} {Tag}"``
    with a clear cell under Tag sent the marker as text, and a template of several
    columns cannot say which field the cell meant to clear) or what one renders."""
    customs = {step.name for step in mapper.customs}
    steps = [*mapper.steps, *mapper.customs, mapper.money, mapper.currency, mapper.pipeline,
             mapper.stage, mapper.lost_reason]
    out: dict[str, str] = {}
    for step in steps:
        if step is None:
            continue
        name = getattr(step, "name", "stage_id")
        column = step.source.column
        if column is None:
            _templated_clear(step.source, row, clear)
            continue
        cell = row.values.get(column)
        if isinstance(cell, list):  # a JSON manifest's array of options
            _clear_among_options(mapper, step, cell, clear)
        if not isinstance(cell, str):
            continue
        if tf.norm_key(cell) not in clear:
            _clear_among_options(mapper, step, cell, clear)
            continue
        if name not in CLEARABLE and name not in customs:
            raise InputError(f"{cell.strip()!r} clears a field, and {_shown(name)} cannot be "
                             "cleared (only custom fields, labels, probability and "
                             "lost_reason can: openapi-v2's updateDeal); leave the cell "
                             "empty to keep it", column=column)
        out[name] = column
    return out


_MULTI = ("labels", "options")  # ``_Source.what`` of the labels and of a set field


def _clear_among_options(mapper: RowMapper, step: Any, cell: str | list[Any],
                         clear: frozenset[str]) -> None:
    """InputError when a labels or multi-option (set) cell holds a clear value among
    options (``VIP;#CLEAR``): the field is either cleared or set, never both (before: "no
    option '#CLEAR'"). The cell is cut at its field's separator (the mapping's, else
    ``[defaults] separator``); a JSON array (``cell`` a list) by its items."""
    if step.source.what not in _MULTI:
        return
    spec = mapper.mapping.spec
    column = step.source.column
    field = spec.deal.label if step.name == "label_ids" else next(
        (f for f in spec.custom_fields.values() if f.column == column), None)
    separator = (field.separator if field is not None else None) or spec.defaults.separator
    parts = cell.split(separator) if isinstance(cell, str) else cell
    items = [item.strip() for item in parts if isinstance(item, str) and item.strip()]
    marker = next((item for item in items if tf.norm_key(item) in clear), None)
    if marker is not None and len(items) > 1:
        shown = cell.strip() if isinstance(cell, str) else separator.join(items)
        raise InputError(f"{marker!r} clears a field and cannot be combined with options "
                         f"({shown!r}): write {marker!r} alone to clear "
                         f"{_shown(step.name) if step.name == 'label_ids' else 'the field'}, "
                         "or the options alone to set them", column=column)


def _templated_clear(source: Any, row: SourceRow, clear: frozenset[str]) -> None:
    """InputError when a template target (``source``: its ``_Source``) reads a clear cell,
    or renders one: a template's cells are text in its value, never a clear."""
    for column in source.columns:
        cell = row.values.get(column)
        if isinstance(cell, str) and tf.norm_key(cell) in clear:
            raise InputError(f"{cell.strip()!r} clears a field, but column {column!r} is "
                             f"read by the template {source.template!r}, which would write "
                             "it as text: a clear cell must be the whole source of its field "
                             "(a column of its own); leave the cell empty to keep the field",
                             column=column)
    if not source.columns:
        return
    try:
        rendered = source(row.values, default=False)
    except InputError:
        return  # the mapping says it, naming its cell
    if isinstance(rendered, str) and tf.norm_key(rendered) in clear:
        raise InputError(f"the template {source.template!r} renders {rendered.strip()!r}, "
                         "a clear cell, which it would write as text: a template never "
                         "clears its field", column=source.where)


def _shown(name: str) -> str:
    return {"value": "the deal value", "title": "the deal title", "stage_id": "the stage",
            "label_ids": "the labels"}.get(name, name.removesuffix("_id"))


def _renamed(key: str, section: UpdateSection) -> str:
    """Problems with the stand-in [import] section, named after [update]."""
    if key.startswith("import.key_column"):
        return "update.id_column" if section.id_column else "update.key_column"
    if key.startswith("import.key_field"):
        return "update.key_field"
    return key.replace("import_", "update")


def wanted_values(mapper: RowMapper, row: SourceRow, *,
                  deactivated: dict[str, InputError] | None = None,
                  clear: frozenset[str] = frozenset()
                  ) -> tuple[str, dict[str, Any], dict[str, tuple[str, ...]] | None]:
    """(the row's deal id or key, the values it wants, how open their currencies are —
    ``MappedRow.currency_open``, None when the row names every one): InputError for a bad
    row. ``deactivated``: filled with the targets the row sets to a deactivated user
    (``MappedRow.deactivated``), which then fail the row only if they change the deal;
    None: such a cell is the row's error. ``clear``: ``UpdateMapping.clear``; a cell
    equal to one of them wants its field empty (None: null in the PATCH)."""
    cleared = _cleared(mapper, row, clear) if clear else {}
    if cleared:  # mapped as blank cells, then wanted empty
        gone = set(cleared.values())
        row = row._replace(values={c: None if c in gone else v for c, v in row.values.items()})
    mapped = mapper.map(row, defer_users=deactivated is not None)
    if deactivated is not None:
        deactivated.update(mapped.deactivated or {})
    deal = dict(mapped.deal)
    if deal.get("title") == _KEEP_TITLE:
        del deal["title"]
    custom = dict(deal.pop("custom_fields", {}))
    custom.pop(mapper.key_code, None)  # the id stand-in, or the key the deal already has
    customs = {step.name for step in mapper.customs}
    for name in cleared:
        (custom if name in customs else deal)[name] = EMPTIED.get(name)
    if custom:
        deal["custom_fields"] = custom
    return mapped.key, deal, mapped.currency_open or None
