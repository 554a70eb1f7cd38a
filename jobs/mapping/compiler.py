"""Compiling a mapping against one account's metadata (pipelines, stages, users,
custom fields, options) into a ``RowMapper`` (``jobs.mapping.rowmapper``) made of
steps (``jobs.mapping.steps``).

Why ~770 lines: one class resolves every target of a mapping against the account, each
problem gathered in one pass (a mapping is refused naming all of them at once), and
checks every map it builds for twin keys against its resolved targets (x48r14)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol

from bulk.errors import AmbiguousName, InputError
from bulk.manifest import PathSample, check_paths

from .. import transforms as tf
from ..catalog import Catalog, DealField
from ..transforms.date_order import DateOrder
from .rowmapper import (
    KEEP_STATUS,
    OWN_STAGE,
    RowMapper,
    _monetary,
)
from .spec import (
    _CUSTOM_OPTIONS,
    CLOSE_TIMES,
    DeactivatedUser,
    FieldSpec,
    Mapping,
    MappingError,
    _key,
    _parts,
    _spec_columns,
    keys_twice,
    twice,
)
from .steps import (
    _WHAT,
    _WHAT_TYPE,
    Convert,
    Make,
    Values,
    _at_most,
    _memo,
    _org_name,
    _per_column,
    _PerColumn,
    _person_name,
    _remember,
    _Source,
    _StageStep,
    _Step,
    _text,
    _title,
)


class _Parse(Protocol):
    def __call__(self, value: object, formats: Sequence[str] = (), *,
                 window: tuple[int, int] = ..., locale: str | None = ...) -> str | None: ...


def compile_mapping(mapping: Mapping, catalog: Catalog, *,
                    header: Sequence[str] | None = None, update: bool = False,
                    upsert: bool = False) -> RowMapper:
    """Resolve every name of ``mapping`` (pipelines, stages, users, custom field labels,
    option labels) against one account's ``catalog``, once: the ``RowMapper`` that maps
    each manifest row. With ``header`` (the manifest's columns), also check that every
    column the mapping reads exists. Raises ``MappingError`` (an ``InputError``) listing
    every problem at once, each under its TOML key. ``update``: an update's mapping, whose
    status read from the stage column leaves a deal's status where the cell says none (no
    won / lost word, no entry, no ``"*"``: x51r4 F2, "*" = "open" reopened won deals).
    ``upsert``: an import upsert's, whose stage cell naming a stage of its row's pipeline
    says ``OWN_STAGE``: open for a create, the deal's own for a deal found (x51r10 F1)."""
    compiler = _Compiler(mapping, catalog, header)
    compiler.update = update
    compiler.upsert = upsert
    return compiler.build()


class _Compiler:
    """Resolves a Mapping against a Catalog into a RowMapper, collecting every problem."""

    def __init__(self, mapping: Mapping, catalog: Catalog, header: Sequence[str] | None) -> None:
        self.mapping, self.catalog, self.spec = mapping, catalog, mapping.spec
        self.defaults = mapping.spec.defaults
        self.empty = frozenset(tf.norm_key(v) for v in self.defaults.empty_values)
        self.header = header
        self.problems: list[tuple[str, str]] = []
        self.key_kind: tuple[str, str] | None = None  # the key field's (type, name)
        self.stage_status: Callable[[object, int | None], str | None] | None = None
        self.update = False  # an update's: a stage cell that says no status leaves it
        self.upsert = False  # an upsert's: ... for a deal found, open for a create
        # an upsert's status of a deal found, read from the stage column as an update's
        self.found_status: Callable[[object, int | None], str | None] | None = None

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
                if isinstance(value := convert(spec.default, {}), DeactivatedUser):
                    self.problems.append((f"{key}.default", value.reason))
            except InputError as exc:
                self.problems.append((f"{key}.default", exc.reason))
        what = what or _WHAT.get(key, "text")
        # the default was read above with no evidence: an ambiguous default is a problem
        marks: tf.ColumnDecimal | DateOrder | None = make.column if isinstance(
            make, _PerColumn) and (spec.decimal or self.defaults.decimal) == "auto" else None
        if isinstance(convert, _DateConvert):  # its day/month order, from the whole file
            marks = convert.order
        return _Step(name, _Source(key, spec, self.empty, many=many, what=what), convert,
                     spec.min, spec.max, marks, None if reads_row else {})

    def named(self, key: str, resolve: Callable[[str], Any], *, hint: bool = False,
              fold: Callable[[str], str] = tf.norm_key,
              identity: Callable[[Any], object] = lambda found: found) -> Make:
        """Values that name something: through the map, then resolved (and cached).
        ``hint``: a name that resolves to nothing says to map it in ``key``'s map.
        ``fold``: how the map's keys match a value (``tf.stage_key`` for pipelines).
        ``identity``: what a resolved target is, two map targets being one thing when
        equal (a currency's code, whatever its spelling)."""
        def make(spec: FieldSpec) -> Convert:
            vmap = tf.ValueMap(spec.map, fold)
            resolved: dict[str, object] = {}  # a target's identity: what it resolves to
            for source_value, target in (spec.map or {}).items():
                try:
                    if isinstance(found := resolve(target), DeactivatedUser):
                        self.problems.append((_key(*_parts(key), "map", source_value),
                                              found.reason))
                        found = found.id
                    resolved[target] = identity(found)
                except InputError as exc:
                    self.problems.append((_key(*_parts(key), "map", source_value),
                                          exc.reason))
            # twin keys are refused only when their targets are two things (x48r14 F4:
            # "EUR" and "eur" are one currency)
            self.problems.extend(keys_twice(key, spec.map, fold, lambda target: resolved.get(
                target, ("unresolved", fold(target)))))
            lookup = _memo(lambda name: _through(vmap, name, resolve))

            def unmapped(name: str) -> bool:
                return hint and vmap.get(name) is None and vmap.fallback is None

            def convert(raw: object, values: Values) -> Any:
                name = _text(raw)
                try:
                    found = lookup(name)
                except AmbiguousName:
                    raise
                except InputError as exc:  # x10r1: "no user named 'Hanna Berg'" said no fix
                    if not unmapped(name):
                        raise
                    raise InputError(f"{exc.reason}; map it in {key}.map") from None
                if isinstance(found, DeactivatedUser) and unmapped(name):
                    return DeactivatedUser(found.id, f"{found.reason}; map it in {key}.map")
                return found
            return convert
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
            *[self.step(f"deal.{name}", name, getattr(deal, name),
                        lambda s: self._date(s, tf.parse_datetime)) for name in CLOSE_TIMES],
            self.step("deal.owner", "owner_id", deal.owner, self.named("deal.owner", self._user,
                                                                 hint=True)),
            self._label(),
        ]
        money = self.step("deal.value", "value", deal.value,
                          _per_column(lambda s, c: lambda raw, values: tf.parse_money(
                              raw, decimal=s.decimal or d.decimal, prefer=d.currency, column=c,
                              undecided=True)))
        currency = self.step("deal.currency", "currency", deal.currency, self.named(
            "deal.currency", lambda name: tf.read_currency(name, prefer=d.currency),
            identity=lambda cell: (cell.code, cell.choices)))
        pipeline = self.step("deal.pipeline", "pipeline_id", deal.pipeline, self.named(
            "deal.pipeline", lambda name: self.catalog.pipeline(name).id, fold=tf.stage_key))
        stage = self._stage(pipeline)
        lost = self.step("deal.lost_reason", "lost_reason", deal.lost_reason,
                         lambda s: self._mapped_text(s, "deal.lost_reason"))
        customs = [self._custom(label, spec) for label, spec in self.spec.custom_fields.items()]
        self._fields_twice(customs)
        person, org = self.spec.person, self.spec.organization
        # the e-mail takes a JSON array whole, and an array of objects' every address
        # (reads_row: Pipedrive's person_id.email.value): the others find the person again
        # in an export that lists them in another order (tf.email_addresses)
        email = person.email if person else None
        dotted = bool(email is not None and email.column and "." in email.column)
        people = [self.step(f"person.{n}", n, getattr(person, n) if person else None, make,
                            many=n == "email", reads_row=n == "email" and dotted)
                  for n, make in (("name", lambda s: _person_name),
                                  ("email", lambda s: _addresses(s.column)),
                                  ("phone", lambda s: lambda r, v: tf.labelled_phones(r)))]
        orgs = [self.step(f"organization.{n}", n, getattr(org, n) if org else None,
                          (lambda s: _org_name) if n == "name" else (lambda s: _text))
                for n in ("name", "address")]
        self._check_header()
        if self.problems:
            raise MappingError(self.problems, source=self.mapping.source)
        return RowMapper(
            # many: an array is handed to source_key whole, which refuses it (v10r15: the
            # first item was taken, ["q1", "q2"] imported as key q1)
            # self.empty: an empty_values marker in the key column is a blank key, never
            # the key "n/a" two unrelated rows share (v10r24: upsert merged them)
            mapping=self.mapping, key=_Source("import.key_column", FieldSpec(
                column=self.mapping.key_column), self.empty, many=True), key_code=key_code,
            steps=[s for s in steps if s], money=money, currency=currency, pipeline=pipeline,
            stage=stage, lost_reason=lost,
            when_not_lost=(deal.lost_reason.when_not_lost if deal.lost_reason else None) or "error",
            open_drops=frozenset(name for name in CLOSE_TIMES
                                 if (s := getattr(deal, name)) is not None
                                 and s.when_open == "drop"),
            customs=[c for c in customs if c], person=people, org=orgs,
            default_currency=d.currency, key_kind=self.key_kind,
            stage_status=self.stage_status, found_status=self.found_status)

    def _key_field(self) -> str:
        label = self.mapping.key_field
        try:
            found = self.catalog.field(label, custom=True)
        except InputError as exc:
            self.problems.append(("import.key_field", exc.reason + (
                "" if isinstance(exc, AmbiguousName) else "; create it first")))
            return ""
        self.key_kind = (found.type, found.name)
        if found.type not in ("varchar", "varchar_auto", "text"):
            self.problems.append(("import.key_field", f"{label!r} is a {found.type} field, "
                                                      "not a text field"))
        for name in self.spec.custom_fields:
            if name == found.code or tf.norm_key(name) == tf.norm_key(found.name):
                self.problems.append((_key("custom_fields", name), "this is the key field; it "
                                      "is filled from import.key_column"))
        return found.code

    def _status(self, spec: FieldSpec) -> Convert:
        # a target in any case and spacing: "Won" is won (x49r1 F5: refused as no status)
        targets = {source: tf.norm_key(target) for source, target in (spec.map or {}).items()}
        for source_value, target in (spec.map or {}).items():
            if targets[source_value] not in tf.STATUSES:
                self.problems.append((_key("deal", "status", "map", source_value),
                                      f"{tf.shown_key(target)} is not open, won or lost"))
        stage = self.spec.deal.stage  # a status read from the stage column: stage names
        fold = (tf.stage_key if stage and spec.column and spec.column == stage.column
                else tf.norm_key)
        vmap = tf.ValueMap(targets, fold)
        # x48r14 F1: "Closed" = won beside "CLOSED" = lost made every row lost
        self.problems.extend(keys_twice("deal.status", spec.map, fold, tf.norm_key))
        if fold is not tf.stage_key:
            return lambda raw, values: tf.parse_status(raw, vmap)
        self.stage_status = self._stage_status(vmap)
        if self.upsert:  # a deal found reads the cell as an update does (x52r2 F1)
            self.found_status = self._stage_status(vmap, found=True)

        def convert(raw: object, values: Values) -> str | None:
            try:
                return tf.parse_status(raw, vmap)
            except InputError:
                text = tf.clean_text(raw) if isinstance(raw, str) else None
                if (text is not None and self.catalog.names_a_stage(text)) or self.update:
                    # a stage's name: the row's pipeline decides (_stage_status); an
                    # update's cell of no status word leaves the deal's (x51r4 F2)
                    return None
                raise
        return convert

    def _stage_status(self, vmap: tf.ValueMap, found: bool = False
                      ) -> Callable[[object, int | None], str | None]:
        """A status read from the stage column: a cell naming a stage of the row's pipeline,
        in any spelling (``Won``, ``EU > North > Won``: ``Catalog.stage``), is that stage,
        its built-in status word aside (x48r14 F2: the stages 'Won' / 'Lost' of 'EU > North'
        made their deals won / lost; x49r1 F4: ``EU > North > Won`` was an unknown status):
        an explicit map key still decides, else the map's ``"*"``, else open. Any other
        cell reads as a status (``tf.parse_status``: a built-in word ``Won`` is won, its
        stage the stage map's ``"*"``, x49r1 F2). Returns (stage cell, the row's pipeline
        id) → that status, None for the row's own; InputError for an unknown status (a
        stage of another pipeline only, which the status step left to this). A text cell's
        answer is remembered by (cell, pipeline id), a pure function of both against the one
        catalog (issue 8: read afresh for every row, ~3 % of ``map``; bounded as a step's
        memo is, ``_remember``; an error is not remembered). ``found``: an upsert's reading
        for a deal its key finds, the update's (``RowMapper.found_status``: x52r2 F1)."""
        keeps = self.update or found  # a cell of no status word leaves the deal's
        memo: dict[tuple[str, int | None], str | None] = {}

        def status(raw: object, pipeline_id: int | None) -> str | None:
            if type(raw) is not str:
                return read(raw, pipeline_id)
            key = (raw, pipeline_id)
            found = memo.get(key, memo)
            if found is memo:
                found = read(raw, pipeline_id)
                _remember(memo, key, found)
            return found  # type: ignore[return-value]  # (the memo itself marks a miss)

        def read(raw: object, pipeline_id: int | None) -> str | None:
            text = tf.clean_text(raw) if isinstance(raw, str) else None
            if text is None or vmap.get(text) is not None:
                return None  # a map key's: read as it was
            try:
                self.catalog.stage(text, pipeline_id)
            except AmbiguousName:
                pass  # a stage of several pipelines: a stage still
            except InputError:
                try:
                    return tf.parse_status(text, vmap)  # no stage of the row's pipeline
                except InputError:
                    if keeps:  # no status word: an update leaves it (x51r4 F2)
                        return KEEP_STATUS
                    raise
            # an update's stage cell says no status: the deal keeps its own, unless "*"
            # says one (x51r4 F2: the starter's "*" = "open" reopened 3 of 3 won / lost
            # deals whose cell named their own stage)
            return vmap.fallback or (KEEP_STATUS if keeps
                                     else OWN_STAGE if self.upsert else "open")
        return status

    def _date(self, spec: FieldSpec, parse: _Parse = tf.parse_date) -> Convert:
        """A date target's converter; ``parse``: ``tf.parse_datetime`` for a date-time
        (a deal's won / lost / close time), read by the same grammar."""
        formats = spec.formats or self.defaults.date_formats
        window = self.defaults.date_window
        locale = self.defaults.date_locale  # month names of one language (x53r5 F6)
        order = DateOrder(formats)
        convert: Convert = (
            (lambda raw, values: parse(raw, formats, window=window, locale=locale))
            if not order.applies else _DateConvert(formats, window, order, parse, locale))
        if self.defaults.decimal == "," and any(f.startswith("excel") for f in formats):
            return _comma_serials(convert)
        return convert

    def _mapped_text(self, spec: FieldSpec, key: str, multiline: bool = False) -> Convert:
        """Text through ``spec``'s map (``key``: its mapping key, for a twin-keys problem)."""
        vmap = tf.ValueMap(spec.map)
        # x48r14 F1: every map; targets alike but for spacing are one text (x49r1 F6)
        self.problems.extend(keys_twice(key, spec.map, tf.norm_key, _spaced))
        clean = tf.clean_multiline if multiline else tf.clean_text

        def convert(raw: object, values: Values) -> str | None:
            tf.digits_kept(raw)
            text = clean(raw)
            return None if text is None else (vmap.get(text) or vmap.fallback or text)
        return convert

    def _user(self, name: str) -> int | DeactivatedUser:
        """A user's id; a deactivated user's as a ``DeactivatedUser`` (an error only for a
        row that would set it: ``RowMapper.map``)."""
        user = self.catalog.user(name)
        if not user.active:
            return DeactivatedUser(user.id, f"user {name!r} is deactivated in Pipedrive")
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

            # an option (or a mapped value) may hold the separator: "Chat; Phone", read
            # whole, or the cell fails when it reads two ways (x24r1 F5; x12r1 F4)
            cells = tf.OptionCells([*(o.label for o in field.options),
                                    *(k for k in spec.map or {} if k != "*")],
                                   separator, field.name)

            def ids(raw: object, values: Values) -> list[int] | None:
                found = [one(item, values) for item in cells.items(raw)]
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
        vmap = tf.ValueMap(spec.map, tf.stage_key)  # folded as the catalog (x48r8 F1)
        names = self.catalog.names_a_stage  # plain, or with its pipeline (x47r8 F1)
        resolved: dict[str, object] = {}  # a target's identity: its stage when one fits
        for source_value, target in (spec.map or {}).items():
            try:
                if static is not None or not names(target):
                    resolved[target] = self.catalog.stage(target, static).id
            except InputError as exc:
                self.problems.append((_key("deal", "stage", "map", source_value), exc.reason))
        # twin keys refused only when their targets are two stages (x48r14 F4: "Qualified"
        # and "qualified " are one)
        self.problems.extend(keys_twice("deal.stage", spec.map, tf.stage_key, lambda t: (
            resolved.get(t, ("unresolved", tf.stage_key(t))))))
        lookup = _memo(lambda key: self.catalog.stage(*_unpack(key)).id)

        def names_its_pipeline(name: str) -> bool:
            return self.catalog.with_its_pipeline(name) is not None

        def elsewhere(target: str | None, pipeline_id: int) -> bool:
            """Whether a map entry's ``target`` names its pipeline (``EU > Discovery``),
            another than ``pipeline_id``: the entry is then for the rows of no pipeline
            and of that one only."""
            if target is None:
                return False
            stage = self.catalog.with_its_pipeline(target)
            return stage is not None and stage.pipeline_id != pipeline_id

        def own_ambiguous(name: str, where: str) -> bool:
            """Whether ``name`` itself is a stage of several pipelines here."""
            try:
                lookup(f"{where}\x00{name}")
            except AmbiguousName:
                return True
            except InputError:
                return False
            return False

        by_column = bool(pipeline_spec and pipeline_spec.column)

        def both_ways(raw: object, name: str) -> None:
            """Refuses a won / lost word of a row that names no pipeline, when the status
            is read from the stage column and the word is also one pipeline's stage and no
            entry maps it (x50r9 F1: ``Won`` on a row of a blank Pipeline cell became
            EU U+203A Won, open, silently): no pipeline says which it is."""
            if self.stage_status is None or vmap.get(name) is not None \
                    or tf.DEFAULT_STATUS_MAP.get(tf.norm_key(name)) not in ("won", "lost") \
                    or names_its_pipeline(name):
                return
            try:
                stage = self.catalog.stage(name, None)
            except InputError:
                return  # no stage of that name (a status), or several (refused as such)
            pipeline = self.catalog.pipeline_by_id(stage.pipeline_id).name
            said = tf.said_cell(raw, name)
            head = "" if said == repr(name) else f"the cell {said} reads {name!r}: "
            give = "give its Pipeline cell" if by_column else "add a Pipeline column"
            raise InputError(
                f"{head}{stage.name!r} is a stage of pipeline {pipeline} and a status word; "
                f"the row names no pipeline: {give}, or map {name!r} in deal.stage.map")
        # how "name the pipeline" is done here (x48r8 F5: the default was told to add a
        # Pipeline column, a mapping with one to add one)
        cell_advice = "fill its Pipeline cell" if by_column else "add a Pipeline column"

        def resolve(raw: object, pipeline_id: int | None, advice: str = cell_advice,
                    row: bool = True) -> int:
            name = _text(raw)
            where = "" if pipeline_id is None else str(pipeline_id)
            if pipeline_id is None and row:
                both_ways(raw, name)
            if pipeline_id is not None and elsewhere(vmap.get(name), pipeline_id):
                # an entry naming another pipeline's stage ("Discovery" = "EU >
                # Discovery", for the rows of no pipeline) is not for this row: its cell
                # is read in its own pipeline (x50r4 F2: the US rows' Discovery was
                # refused), else the entry's refusal stands, below
                try:
                    return int(lookup(f"{where}\x00{name}"))
                except InputError as exc:
                    absent = exc
                if vmap.fallback is not None and not names_its_pipeline(name):
                    # ... and "*" places it as a cell no entry names (x51r4 F3: 20 Sales
                    # rows of 'Closed Won' were refused for "Closed Won" = "US > Closed Won")
                    return int(lookup(f"{where}\x00{vmap.fallback}"))
                # refused as a cell no entry names: no such stage in the row's pipeline,
                # not "maps to ... is in pipeline 'Enterprise'" (x52r2 F3)
                target = str(vmap.get(name))
                home = self.catalog.with_its_pipeline(target)
                owner = self.catalog.pipeline_by_id(home.pipeline_id).name if home else "?"
                error = AmbiguousName if isinstance(absent, AmbiguousName) else InputError
                raise error(f"{absent.reason}; the entry {name!r} = {target!r} "
                            f"(deal.stage.map) is for the deals of pipeline {owner!r} only"
                            ) from None
            try:
                # "*" catches a stage of another pipeline too (x49r1 F2: 'Won', a stage
                # of EU > North only, failed in Sales; mapping it broke EU > North's rows),
                # never one that names its pipeline (EU > North > Won in a Sales row)
                return int(_through(vmap, name, lambda n: lookup(f"{where}\x00{n}"),
                                    names_its_pipeline))
            except InputError as exc:
                explicit = vmap.get(name)
                error = AmbiguousName if isinstance(exc, AmbiguousName) else InputError
                # "*" never catches a name ambiguous on its own (x49r11 F4: it was said
                # to map to the "*" target)
                star = None if explicit is not None or names_its_pipeline(name) or (
                    error is AmbiguousName and own_ambiguous(name, where)) else vmap.fallback
                # the form that works: pipeline U+203A stage, or a column (x47r8 F1)
                reason = (exc.reason.replace("name the pipeline", advice) if advice else
                          re.sub(r" or name the pipeline|; name the pipeline", "", exc.reason))
                if explicit or star or error is AmbiguousName:
                    # the cell as it was, invisible characters shown (x49r11 F4: 'won\u200b'
                    # was quoted 'won'), and why no pipeline decides it
                    said = tf.said_cell(raw, name)
                    head = (f"{said} maps to {explicit!r} (deal.stage.map)" if explicit
                            else f"{said} is no stage here, and \"*\" maps it to {star!r}"
                            if star else "")
                    if pipeline_id is None and error is AmbiguousName and row:
                        head += ("; " if head else "") + "the row names no pipeline" + (
                            " (its Pipeline cell is blank)" if by_column
                            else ", none is mapped")
                    raise error(f"{head}: {reason}" if head else reason) from None
                # the cell as it was, where cleaning took invisible characters (x49r11 F4)
                if (said := tf.said_cell(raw, name)) != repr(name):
                    reason = f"the cell {said} reads {name!r}: {reason}"
                if names(name) and not names_its_pipeline(name):  # x49r1 F2: a key of its
                    # own would move the rows of the pipelines that have the stage too
                    raise InputError(f"{reason}; it is a stage of another pipeline: catch it "
                                     "with \"*\" in deal.stage.map") from None
                raise InputError(f"{reason}; map it in deal.stage.map") from None
        if spec.default is not None:
            try:
                resolve(spec.default, static, "" if by_column
                        else "set pipeline = { default = ... } in [deal]", row=False)
            except InputError as exc:
                self.problems.append(("deal.stage.default", exc.reason))
        star = vmap.fallback

        def by_star(raw: object, pipeline_id: int | None) -> str | None:
            """The cell as read when only "*" places it: no entry, no stage of that name
            in the row's pipeline (x49r11 F2); called for a cell ``resolve`` placed."""
            name = _text(raw)
            if vmap.get(name) is not None and not (
                    pipeline_id is not None and elsewhere(vmap.get(name), pipeline_id)):
                return None
            try:
                lookup(f"{'' if pipeline_id is None else pipeline_id}\x00{name}")
            except AmbiguousName:
                return None
            except InputError:
                return raw if isinstance(raw, str) else name  # as written (x50r9 F7)
            return None
        def own(raw: object) -> int | None:
            """The stage ``raw`` names with its pipeline (``EU > Negotiation``), no entry
            reading it (``_StageStep.own``), else None."""
            try:
                name = _text(raw)
            except InputError:
                return None
            stage = None if vmap.get(name) is not None else names_its_pipeline_stage(name)
            return None if stage is None else stage.id
        names_its_pipeline_stage = self.catalog.with_its_pipeline

        def heads(raw: object) -> tuple[int, ...]:
            """The pipelines ``raw`` names at its head, no entry reading it
            (``_StageStep.heads``)."""
            try:
                name = _text(raw)
            except InputError:
                return ()
            if vmap.get(name) is not None:
                return ()
            return tuple(p.id for p in self.catalog.pipelines_heading(name))

        def entry(raw: object, pipeline_id: int | None = None) -> str | None:
            """The stage map's entry for ``raw`` (its target), None when none is, or when
            it names another pipeline than ``pipeline_id`` (its deals' only: x51r10 F4)."""
            try:
                target = vmap.get(_text(raw))
            except InputError:
                return None
            if pipeline_id is not None and elsewhere(target, pipeline_id):
                return None
            return target
        return _StageStep(_Source("deal.stage", spec, self.empty, what="a stage name"), resolve,
                          by_star=by_star if star is not None else None, star=star, own=own,
                          entry=entry, heads=heads)

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

    def _fields_twice(self, customs: Sequence[_Step | None]) -> None:
        """Two entries resolved to one field (a label and the field's code, or labels
        differing only in case: ``spec._labels_twice``) are a problem, never last-wins."""
        first: dict[str, str] = {}
        for label, step in zip(self.spec.custom_fields, customs, strict=True):
            if step is None:
                continue
            seen = first.setdefault(step.name, label)
            if seen != label and tf.norm_key(seen) != tf.norm_key(label):  # else said at load
                self.problems.append(twice(_key("custom_fields", label), _key(
                    "custom_fields", seen), repr(self.catalog.field_by_code(step.name).name)))

    def _custom_make(self, key: str, field: DealField) -> Make:
        d, kind = self.defaults, field.type
        if kind in ("enum", "set"):
            return self._options(key, field, many=kind == "set")
        if kind == "user":
            return self.named(key, self._user, hint=True)
        if kind == "date":
            return self._date
        if kind == "phone":
            return lambda s: _at_most(lambda raw, values: tf.clean_phone(raw), kind, field.name)
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
            return lambda s: _wrapped(self._mapped_text(s, key))
        return lambda s: _at_most(self._mapped_text(s, key, multiline=kind == "text"), kind,
                                   field.name)

    def _check_header(self) -> None:
        if self.header is None:
            return
        sample = isinstance(self.header, PathSample)
        for key, spec in [("import.key_column", FieldSpec(column=self.mapping.key_column)),
                          *self.mapping.targets()]:
            self.problems += [(key, f"{column!r}: {why}" if sample
                               or why != "no such column in the manifest"
                               else f"no column {column!r} in the manifest")
                              for column, why in check_paths(self.header,
                                                             _spec_columns(spec))]


def _through(vmap: tf.ValueMap, name: str, resolve: Callable[[str], Any],
             known: Callable[[str], bool] | None = None) -> Any:
    """An explicit map entry, else the name itself, else the map's "*" fallback.

    The fallback catches the values that resolve to nothing here, a stage of another
    pipeline too (x49r1 F2), never an ambiguous name (``AmbiguousName``) nor one
    ``known(name)`` says is meant as it is (a stage written with its own pipeline, in
    another pipeline's row): those keep their own error."""
    mapped = vmap.get(name)
    if mapped is not None:
        return resolve(mapped)
    try:
        found = resolve(name)
    except AmbiguousName:
        raise
    except InputError:
        if vmap.fallback is None or (known is not None and known(name)):
            raise
        return resolve(vmap.fallback)
    if isinstance(found, DeactivatedUser) and vmap.fallback is not None:
        return resolve(vmap.fallback)  # a deactivated user is for "*" as one not found
    return found


def _spaced(text: str) -> str:
    """A text target as a twin check compares it: runs of spacing one space, none at the
    ends (a text cell is written so)."""
    return " ".join(text.split())


def _unpack(key: str) -> tuple[str, int | None]:
    pipeline, _, name = key.partition("\x00")
    return name, int(pipeline) if pipeline else None


def _number(amount: Any) -> int | float | None:
    return None if amount is None else tf.json_number(amount)


def _wrap(text: str | None) -> dict[str, str] | None:
    return None if text is None else {"value": text}


def _wrapped(convert: Convert) -> Convert:
    """An address: ``convert``'s text as Pipedrive's ``{"value": text}``."""
    return lambda raw, values: _wrap(convert(raw, values))


# an Excel serial written with the mapping's decimal comma (45292,5; 45.292,5 grouped)
_COMMA_SERIAL = re.compile(r"\d{1,7}(?:,\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d+)?")


def _comma_serials(convert: Convert) -> Convert:
    """``convert`` for a mapping whose ``decimal`` is ``,``: a text serial written with it
    (``45292,5``, ``45.292,5``) is read as the number it writes (x23r1 F4: it failed as
    no date with ``formats = ["excel"]``); other cells as they are."""
    def read(raw: object, values: Values) -> Any:
        if type(raw) is str and ("," in raw or "." in raw) \
                and _COMMA_SERIAL.fullmatch(text := raw.strip()):
            raw = text.replace(".", "").replace(",", ".")
        return convert(raw, values)
    return read


class _DateConvert:
    """A date target's converter whose patterns have a day and a month: while its column
    is learned it only shows text cells to its ``DateOrder``; after, a cell that reads
    both ways in a column that showed the other order is refused (``DateOrder.check``)."""

    __slots__ = ("formats", "locale", "order", "parse", "window")

    def __init__(self, formats: Sequence[str], window: tuple[int, int],
                 order: DateOrder, parse: _Parse = tf.parse_date,
                 locale: str | None = None) -> None:
        self.formats, self.window, self.order = formats, window, order
        self.parse, self.locale = parse, locale

    def __call__(self, raw: object, values: Values) -> Any:
        if type(raw) is str:
            if self.order.learning:
                self.order.see(raw.strip())
                return None
            self.order.check(raw.strip())
        elif isinstance(raw, date):  # an XLSX date cell (x16r2 F6: ``swapped_cells``)
            if self.order.learning:
                self.order.see_date(raw)
                return None
            self.order.check_date(raw)
        return self.parse(raw, self.formats, window=self.window, locale=self.locale)


def _addresses(column: str | None) -> Convert:
    """The person's e-mail converter: ``tf.email_addresses`` of the cell, or when the
    column is a leaf of a JSON array of objects (``person_id.email.value`` of
    ``[{"value": ...}, {"value": ...}]``, which reads as its first item's), of every
    item's leaf."""
    if not column or "." not in column or "[" in column:  # no such leaf (_array_leaves)
        return lambda raw, values: tf.email_addresses(raw)

    def convert(raw: object, values: Values) -> Any:
        leaves = _array_leaves(values, column)
        return tf.email_addresses(leaves if leaves and leaves[0] == raw else raw)
    return convert


def _array_leaves(values: Values, column: str | None) -> list[Any] | None:
    """``column``'s leaf in every object of the JSON array at its parent path, or None
    (no dotted path, or no array of objects there)."""
    if not column or "." not in column or "[" in column:
        return None
    parent, leaf = column.rsplit(".", 1)
    items = dict.get(values, parent) if isinstance(values, dict) else None
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return None
    return [item.get(leaf) for item in items]
