"""``pdbulk init-mapping``: a starter mapping file from a manifest header, samples of
its values and the account's fields.

Why ~2600 lines: one proposal per target (stage map, owner, dates, decimal mark, names,
custom fields), each a small rule with its guard against guessing, written into one
file in one pass; the rules share the samples and the catalog (the header vocabulary,
``_GUESSES``, is data: the names the major CRMs' exports write). A stage column's won /
lost words, judged in their rows' pipelines: ``won_stages``."""

from __future__ import annotations

import calendar
import codecs
import functools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from collections.abc import Mapping as MappingABC
from datetime import date, datetime
from datetime import time as dt_time

from bulk.errors import AmbiguousName, InputError
from bulk.manifest_json import JsonNumber
from bulk.manifest_xlsx import CurrencyNumber, MergedCells

from .. import transforms as tf
from ..catalog import Catalog, DealField, Pipeline
from ..transforms.date_patterns import order_family, swapped_pattern
from ..transforms.ordinal_dates import plain_ordinals
from ..transforms.wide_forms import fold_wide
from ..transforms.zero_date import ZERO_DATE, is_zero_date_text
from .alike_todo import alike_todos
from .crm_columns import (
    CUSTOMER_TODO,
    LEAD_TITLE_TODO,
    OPEN_WORDS,
    close_lead_title,
    dynamics_columns,
    dynamics_customer,
    status_label_column,
)
from .decimal_proof import ambiguous_cells
from .digit_dates import digit_date_patterns, digit_dates_todo
from .formatted_twins import plain_twins
from .future_closes import future_close_todo, future_closes
from .impossible_dates import impossible_date
from .locale_dates import LOCALE_PATTERNS, locale_choice, locale_dates, name_formats
from .merged_todo import merged_todos
from .order_todos import DateGroup, OtherForms, opposite_todo, untold_todos
from .person_column import person_name_line
from .serial_strays import band_token, stray_kind
from .spec import _CUSTOM_OPTIONS, Mapping
from .spelled_dates import silent_dates_todo, spelled_pattern
from .unread_dates import unread_dates_todo
from .untold_orders import Untold, untold_columns
from .won_stages import (
    a_stage_in,
    apart_todo,
    as_written,
    blank_todo,
    blank_word,
    picked_lines,
    pipelines_naming,
    split_todo,
    value_pipelines,
)
from .year_first import YearFirst, real_ymd, year_first_columns, year_first_pattern

_GUESSES: dict[str, tuple[str, ...]] = {
    "import.key_column": ("id", "record id", "deal id", "external id", "source id", "key",
                          "opportunity id", "source key", "item id",
                          # HubSpot's German and French exports (x9r1)
                          "datensatz-id", "id de fiche d'informations", "id de l'enregistrement",
                          # German, French and Spanish keys (x26r3 3: "Schlüssel" was taken
                          # for being the first column, with a TODO)
                          "schlüssel", "id-nr.", "id-nr", "id nr", "kennung", "nummer", "nr.",
                          "externe id", "référence", "reference", "identifiant", "id externe",
                          "clave", "código", "codigo", "identificador", "referencia",
                          "id externo"),
    "deal.title": ("deal name", "title", "deal title", "opportunity name", "name", "deal",
                   "deal-name", "nom de la transaction", "nom de l'affaire",
                   # German, French and Spanish CRM exports (x25r2 F9)
                   "titel", "deal-titel", "titre", "nombre del negocio",
                   "título", "nombre de la oportunidad",
                   # x45r1 F3: the major CRMs' exports (a bare "Opportunity", "Item",
                   # "Topic": ``_EXACT_ONLY``)
                   "opportunity title", "item name"),
    # Close writes "value" in cents beside "value_formatted" as shown ("$1,500"): the shown
    # one is listed first, so it wins the tie (x9r1), unless the samples show the plain one
    # holds the same amounts (``formatted_twins``)
    "deal.value": ("amount", "value formatted", "value", "deal value", "deal amount", "revenue",
                   "opportunity amount", "betrag", "montant", "wert", "valeur", "importe",
                   "monto", "valor", "umsatz"),
    "deal.currency": ("currency", "currency code", "deal currency", "deal currency code",
                      "opportunity currency", "amount currency", "value currency",
                      "currency iso code", "währung", "devise", "moneda", "divisa"),
    # Close's opportunities: status_type is active, won or lost (its status_label, the
    # account's own status names, is not a deal status)
    "deal.status": ("status", "deal status", "statut", "estado", "status type"),
    "deal.pipeline": ("pipeline", "deal pipeline", "pipeline name"),
    "deal.stage": ("stage", "deal stage", "pipeline stage", "sales stage", "stage name",
                   "opportunity stage", "deal-phase", "phase de la transaction",
                   "phase", "verkaufsphase", "deal phase", "étape", "étape de la transaction",
                   "etapa", "etapa del negocio", "fase", "fase de venta"),
    "deal.probability": ("probability", "win probability", "deal probability", "probability (%)",
                         "probability %", "win %", "deal probability (%)",
                         "deal stage probability", "confidence", "wahrscheinlichkeit",
                         "probabilité", "probabilidad"),
    "deal.expected_close_date": ("close date", "expected close date", "closing date",
                                 "expected close", "estimated close date", "abschlussdatum",
                                 "date de fermeture", "date de clôture", "erwartetes abschlussdatum",
                                 "date de clôture prévue", "fecha de cierre",
                                 "fecha de cierre prevista"),
    # an owner's e-mail first: a name can be two users (the row fails), an e-mail cannot
    "deal.owner": ("owner email", "user id email", "deal owner email", "opportunity owner email",
                   "owner e-mail", "user email", "owner", "deal owner", "sales rep",
                   "user name",  # Close's opportunities name the user only (x31r1 4)
                   "assigned to", "opportunity owner", "owner name", "owner full name",
                   "opportunity owner full name", "deal owner name", "deal-inhaber",
                   "propriétaire de la transaction", "besitzer", "deal-besitzer",
                   "verantwortlich", "verantwortlicher", "zuständig", "propriétaire",
                   "propietario", "propietario del negocio", "responsable",
                   # x45r1 F3: Freshsales' "Sales owner", Copper's "Owned By", Insightly's
                   # "User Responsible", Dynamics 365's and Salesforce's record owners
                   # (monday.com's "Person": ``_CONFIRMED_ONLY``)
                   "sales owner", "owned by", "record owner", "user responsible",
                   "responsible user", "owning user", "assigned user", "salesperson",
                   "sales person"),
    # (Zoho's "Reason For Loss": z55r1 F7, left under "Columns not mapped")
    "deal.lost_reason": ("lost reason", "closed lost reason", "loss reason", "reason lost",
                         "reason for loss"),
    # a won / lost deal's own dates (x24r1 1: Pipedrive's export "Deal - Won time", ...)
    "deal.won_time": ("won time", "won date", "date won", "closed won date", "won on"),
    "deal.lost_time": ("lost time", "lost date", "date lost", "closed lost date", "lost on"),
    "deal.close_time": ("deal closed on", "closed on", "close time", "closed time",
                        "date closed", "closed date"),
    "deal.label": ("label", "labels", "tags", "tag"),
    "person.name": ("contact", "contact name", "person", "person name", "full name",
                    "contact person", "associated contact", "primary contact",
                    "primary contact name", "contact: full name", "kontakt", "kontaktperson",
                    "kontaktname", "ansprechpartner", "nom du contact", "contacto",
                    "nombre del contacto", "persona de contacto"),
    "person.email": ("email", "e-mail", "contact email", "email address", "person email",
                     "contact: email", "adresse e-mail", "email value",
                     "primary contact email", "associated contact email",
                     "contact email address", "courriel", "correo electrónico", "correo",
                     "e-mail-adresse"),
    "person.phone": ("phone", "phone number", "contact phone", "mobile", "person phone",
                     "primary contact phone", "associated contact phone", "telefonnummer",
                     "numéro de téléphone", "contact: phone", "phone value", "telefon",
                     "téléphone", "teléfono"),
    "organization.name": ("company", "company name", "organization", "organisation",
                          "account", "account name", "organization name",
                          "associated company", "organization name", "lead name",
                          "companies", "zugeordnetes unternehmen", "unternehmen",
                          "entreprise associée", "entreprise", "org name", "org",
                          "organisation name", "firma",
                          "firmenname", "société", "empresa", "nombre de la empresa"),
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


_FIRST = ("first name", "firstname", "given name", "contact first name", "person first name",
          "vorname", "prénom")
_LAST = ("last name", "lastname", "surname", "family name", "contact last name",
         "person last name", "nachname", "nom de famille")


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


def person_name_columns(header: Sequence[str], taken: Iterable[str] = ()) -> list[str]:
    """The columns of ``header`` named like a person's name (``Kontakt``, ``Contact Name``,
    ``Person - Name``: exactly one of the starter's names, no fuzzy match) that are not in
    ``taken``, or a first- and last-name pair as one template (``{First} {Last}``): what
    would name persons a mapping reads no name for (x25r2 F9)."""
    names = {tf.norm_key(n) for n in _GUESSES["person.name"]}
    found = [c for c in header if c not in taken
             and any(k in names for k in _keys(c, "person.name"))]
    pair = _name_columns(header)
    if pair is not None and not set(pair) & set(taken):
        found.append("{" + pair[0] + "} {" + pair[1] + "}")
    return found


def unnamed_persons_note(mapping: Mapping, header: Sequence[str], count: int) -> str | None:
    """The plan's note when ``count`` new persons are made by ``mapping``, which reads their
    e-mail but no name: each is named by its address (or by the name its e-mail cell
    writes before it, ``Ann Lee <ann@x.example>``), and the column of the file (``header``)
    that looks like their names, if one does (``person_name_columns``; x25r2 F9: "5,000
    new persons to create" and no word that all 5,000 would be named by their e-mail while
    a `Kontakt` column held the names). None when no such person is made."""
    person = mapping.spec.person
    if count <= 0 or person is None or person.name is not None or person.email is None:
        return None
    what = f"{count:,} new person{'s' if count != 1 else ''}"
    line = (f"persons: the mapping reads no person name ([person] name), so the {what} "
            "will be named by their e-mail address (or by the name an e-mail cell writes "
            "before it: \"Ann Lee <ann@x.example>\")")
    found = person_name_columns(header, mapping.columns())
    if found:
        shown = json.dumps(found[0], ensure_ascii=False)
        return (line + f"; column {shown} looks like their names: add name = {shown} to "
                "[person] to name them by it")
    return line + ("; no column of the file looks like a name: map the column that "
                   "holds their names to [person] name")


_STAGE_MAP_HEAD = "[deal.stage.map]  # source stage = Pipedrive stage (exact names only)"


def _stage_lines(values: Sequence[str], stages: Sequence[str],
                 groups: MappingABC[str, Sequence[str]] | None = None,
                 closed: MappingABC[str, str] | None = None,
                 shared: MappingABC[str, Sequence[str]] | None = None,
                 placed: bool = False,
                 lasts_of: MappingABC[str, set[str]] | None = None,
                 blank: Collection[str] | None = None,
                 catalog: Catalog | None = None,
                 missing: Collection[str] = (),
                 twin_free: MappingABC[str, str] | None = None,
                 update: bool = False) -> list[str]:
    """Stage map entries: a source value maps only to a stage of the same name (case and
    spaces aside); any other is a commented TODO listing the candidates — a plausible
    guess (``Contract Sent`` -> ``Contact Made``) would put deals in the wrong stage.
    ``groups`` (pipeline name -> its stage names): the TODO lists them by pipeline.
    ``closed`` (a won / lost value -> its status, mapped to the status above): such a
    value is left in the pipeline's last stage (every pipeline's, when they share its
    name), said on its line, not asked for (x18r2 3). ``shared`` (a stage's key -> the
    pipelines that have a stage of that name), when no pipeline is mapped and a stage is
    looked up in every pipeline: such a name cannot resolve, so it is a TODO naming its
    pipelines, never an entry (x22r2: "Contact Made" failed every row as ambiguous);
    ``placed``: other cells name their pipeline (``EU > Discovery``), so that TODO asks
    for that form, not a default pipeline (x48r14 F3).
    ``lasts_of`` (a closed value -> the last stages of its rows' pipelines): its one last
    stage is its entry, even where another pipeline has a stage of its name (x49r1 F3:
    ``"Won" = "Won"`` for rows all in Sales, the stage Won being EU > North's).
    ``blank`` (a Pipeline column): the values some rows hold with a blank Pipeline cell;
    only those are judged by ``shared`` (the others are looked up in their row's
    pipeline), and such a TODO asks for the Pipeline cell (x49r6 F4). ``catalog``: a
    TODO's example spelling (``"Demo" = "EU > Demo"``) is one ``Catalog.stage`` reads as
    that pipeline's stage; where none does, the TODO says so (x49r6 F3), and a cell naming
    its pipeline and a stage it holds in two cases (``Catalog.named_twins``) gets the
    case-twin TODO (x50r4 F3).
    ``missing``: the values some of whose rows' pipelines have no stage of their name: a
    TODO, never an entry naming it, which those rows' plan refuses (x50r9 F4: ``"Demo
    booked" = "Demo booked"``, an EU stage, for rows all in US: 28 of 240 refused).
    ``twin_free``: a value whose rows' pipelines hold no case twins of it -> its stage
    there: its entry, never the case-twin TODO (x50r9 F3: ``Qualified``, its rows all in
    US, got it for Sales' Qualified / qualified).
    ``update``: an update's, which reads an entry's target in each row's pipeline (a
    blank Pipeline cell: the deal's own): its TODO asked for "a stage only one pipeline
    has" (x51r10 F5).
    Values alike but for case and spacing are one entry (the map is read so,
    ``tf.ValueMap``), written as the stage spells it where a value does (x46r1 F5: 19
    entries for 5 stages: ``QUALIFIED``, ``qualified``, ``Contact  Made``...)."""
    key = _name_key
    exact = set(stages)
    alike: dict[str, str] = {}
    for value in values:
        kept = alike.setdefault(tf.stage_key(value), value)
        if value in exact and kept not in exact:
            alike[tf.stage_key(value)] = value
    values = list(alike.values())

    by_key = {key(s): s for s in stages}
    lasts = {names[-1] for names in (groups or {"": stages}).values() if names}
    last = next(iter(lasts)) if len(lasts) == 1 else None
    anywhere, shared = shared is not None and blank is None, shared or {}
    if last is not None and key(last) in shared:
        last = None
    # stages of one pipeline alike but for case (``Qualified``, ``qualified``): the map is
    # read so, and a name of either cannot say which (x49r6 F5: the other-cased one was
    # proposed)
    cased: dict[str, list[str]] = {}
    for names in (groups or {"": stages}).values():
        alike_in: dict[str, list[str]] = {}
        for name in names:
            alike_in.setdefault(key(name), []).append(name)
        for k, spelled in alike_in.items():
            if len(set(spelled)) > 1:
                cased.setdefault(k, [])
                cased[k] += [n for n in spelled if n not in cased[k]]
    lines, todo, twice, twins = [], [], [], []
    lasts_of = lasts_of or {}
    for value in values:
        same = by_key.get(key(value).replace("_", ""))
        own_lasts = lasts_of.get(value, set())
        in_one = catalog.named_twins(value) if catalog is not None else []
        if same is not None and key(same) in cased and value in (twin_free or {}):
            lines.append(f"{_toml_str(value)} = {_toml_str((twin_free or {})[value])}")
        elif same is not None and key(same) in cased:
            twins.append((value, cased[key(same)]))
        elif in_one:  # "Sales > Qualified", Sales holding "qualified" too (x50r4 F3)
            twins.append((value, [s.name for s in in_one]))
        elif closed and value in closed and len(own_lasts) == 1:
            lines.append(f"{_toml_str(value)} = {_toml_str(next(iter(own_lasts)))}  # "
                         f"{closed[value]} (see status): a closed deal is left in the last "
                         "stage")
        elif closed and value in closed and value in lasts_of:
            todo.append(value)  # no stage of its name in its rows' pipelines
        elif same is not None and key(same) in shared and (blank is None or value in blank):
            twice.append((value, same))
        elif same is not None and value in missing:
            todo.append(value)
        elif same is not None:
            lines.append(f"{_toml_str(value)} = {_toml_str(same)}")
        elif closed and value in closed and last is not None:
            lines.append(f"{_toml_str(value)} = {_toml_str(last)}  # {closed[value]} (see "
                         "status): a closed deal is left in the last stage")
        else:
            todo.append(value)
    if todo:
        if groups:
            lines.append("# TODO: map each source stage below to a stage name: the update "
                         "reads it in each row's pipeline (a blank or no Pipeline cell: the "
                         "deal's own), so every such pipeline needs a stage of that name, "
                         "or write 'Pipeline > Stage' to move the deals there; uncomment "
                         "it, then delete these lines" if update
                         else "# TODO: map each source stage below to a stage of its row's "
                         "pipeline; uncomment it, then delete these lines" if not anywhere
                         else "# TODO: map each source stage below to a stage only one "
                         "pipeline has (the file names no pipeline); uncomment it, then "
                         "delete these lines")
            lines += [f"#   {pipe}: " + ", ".join(_toml_str(s) for s in names)
                      for pipe, names in groups.items()]
        else:
            choices = ", ".join(_toml_str(s) for s in stages)
            lines.append(f"# TODO: map each source stage below to one of: {choices}; "
                         "uncomment it, then delete this line")
        lines += [f"# {_toml_str(value)} = \"\"" for value in todo]
    for value, spelled in twins:
        both = " and ".join(repr(n) for n in spelled)
        lines += [f"# TODO: {value!r} matches {both}, stages of one pipeline whose names "
                  "differ only in case: stage names are matched case-blind, so neither is "
                  "picked; rename one of them in Pipedrive, then map the cells to it; "
                  "uncomment the line below, then delete this line",
                  f"# {_toml_str(value)} = \"\""]
    if twice:
        named = "; ".join(f"{_toml_str(same)} (in pipelines {', '.join(shared[key(same)])})"
                          for _, same in twice)
        value, same = twice[0]
        spelling = _spelling(catalog, shared[key(same)], same)
        example = (f"{_toml_str(value)} = {_toml_str(spelling)}" if spelling is not None else
                   f"no spelling names {same!r} of one pipeline here: the account's "
                   "pipeline and stage names overlap ('US > East' beside a stage 'East > "
                   "...' of 'US'), so map a Pipeline column to pick it")
        lines.append(f"# TODO: these stages are in more than one pipeline: {named}, and "
                     "rows whose Pipeline cell is blank (or names no pipeline) hold them: "
                     "such a row cannot tell which. Fill those rows' Pipeline cell (each "
                     "row's stage is then looked up in its pipeline: no line is needed), "
                     "or map the name to one pipeline's stage for those rows on the line below "
                     f"({example}: rows whose Pipeline cell names another pipeline keep "
                     "their own stage of that name); then delete this line"
                     if blank is not None else
                     f"# TODO: these stages are in more than one pipeline: {named}. Map "
                     "each to its pipeline's stage as the other cells name theirs "
                     f"({example}); uncomment the lines below, then delete this line"
                     if placed else
                     f"# TODO: the file names no pipeline, and these stages are in more than "
                     f"one: {named}. Export the deals with their pipeline column and map it "
                     "(pipeline = \"Deal - Pipeline\"), or, if every row is in one pipeline, "
                     "set pipeline = { default = ... } in [deal]; uncomment the lines below, "
                     "then delete this line")
        lines += [f"# {_toml_str(value)} = \"\"" for value, _ in twice]
    return lines


def _spelling(catalog: Catalog | None, pipelines: Sequence[str], stage: str) -> str | None:
    """The first of ``pipeline > stage`` (``>``, then U+203A) over ``pipelines`` that
    ``catalog`` reads as that pipeline's stage ``stage`` (``Catalog.stage``, no pipeline:
    as the import reads such a cell); None when none does (x49r6 F3: ``US > East >
    Demo`` also reads as pipeline US's stage ``East > Demo``). No catalog: the first."""
    if catalog is None:
        return f"{pipelines[0]} > {stage}" if pipelines else None
    for pipe in pipelines:
        for sep in (" > ", " \u203a "):
            try:
                found = catalog.stage(f"{pipe}{sep}{stage}")
            except InputError:  # ambiguous (AmbiguousName is one), or no such stage
                continue
            if found.name == stage and catalog.pipeline_by_id(found.pipeline_id).name == pipe:
                return f"{pipe}{sep}{stage}"
    return None


def _placed_lines(placed: Sequence[str], first: str) -> list[str]:
    """The pipeline lines of a file with no pipeline column whose stage cells name their
    pipeline (``EU > Discovery``): no default, each row is put in its stage's pipeline, as
    the import reads such a cell (``Catalog.stage`` with no pipeline); the account's
    ``first`` pipeline is shown commented (x48r14 F3)."""
    shown = ", ".join(repr(v) for v in placed[:3]) + (", ..." if len(placed) > 3 else "")
    return [f"# the stage cells name their pipeline ({shown}): each row goes to its "
            "stage's pipeline, so no default pipeline is set (one would refuse the rows "
            "of every other); set one only if every row is in one pipeline",
            f"# pipeline = {{ default = {_toml_str(first)} }}"]


def _update_status_lines(column: str, closed: MappingABC[str, str],
                         staged: Sequence[str], catalog: Catalog | None = None,
                         piped: bool = False) -> list[str]:
    """An update's status read from its stage column when the file names no pipeline
    (x51r4 F2: the starter's ``"*"`` = ``"open"`` reopened won / lost deals whose cell
    named an open stage): the won / lost words (``closed``: value -> status; ``staged``:
    words that are a stage somewhere) close the deal where it is unless they name a stage
    of its pipeline; any other cell leaves the deal's status as it is: no ``"*"``. Only a
    word the built-in ones (``tf.DEFAULT_STATUS_MAP``) lack gets an entry (an entry would
    close the deals whose pipeline has a stage of that name too). Listed are only the
    values that do close a deal: a stage word no built-in reads (``Won Back``, a stage
    of one pipeline: it fails the others' rows) nor a cell naming its pipeline (``Sales
    > Won``: a move) is not (x51r10 F5). ``piped``: the file has a Pipeline column, a
    filled cell naming the pipeline the row is read in (x51r10 F3: this line was the
    import's, its map keys closing deals whose cell named their own stage)."""
    def closes(value: str) -> bool:
        return catalog is None or catalog.with_its_pipeline(value) is None
    folded: dict[str, tuple[str, str]] = {}
    for value, status in closed.items():
        if closes(value):
            folded.setdefault(tf.norm_key(value), (value, status))
    for value in staged:
        word = tf.DEFAULT_STATUS_MAP.get(tf.norm_key(value))
        if word in ("won", "lost") and closes(value):
            folded.setdefault(tf.norm_key(value), (value, word))
    shown = ", ".join(f"{v!r} {w}" for v, w in list(folded.values())[:6])
    entries = ", ".join(f"{_toml_str(v)} = {_toml_str(w)}" for k, (v, w) in folded.items()
                        if k not in tf.DEFAULT_STATUS_MAP and v in closed)
    where = ("each row's pipeline (a blank Pipeline cell: the deal's own)" if piped
             else "each deal's own pipeline")
    return [f"# the status, from the stage column {_toml_str(column)}, read in {where}: "
            + (f"its won / lost values ({shown}) close the deal where it is, unless they "
               "name a stage of that pipeline; any other cell" if shown else
               "a won / lost word closes the deal where it is, unless it names a stage of "
               "that pipeline; a cell of no such word")
            + " leaves the deal's status as it is",
            f"status = {{ column = {_toml_str(column)}"
            + (f", map = {{ {entries} }}" if entries else "") + " }"]


def _staged_todo(staged: Sequence[str], column: str) -> list[str]:
    """The line saying a stage column's won / lost words that are stages of the account
    (``Won``, ``North U+203A Won``) are read as those stages, the deals left open, not as a
    status (x48r8 F3) — empty when there are none."""
    if not staged:
        return []
    shown = ", ".join(repr(v) for v in staged[:6]) + (", ..." if len(staged) > 6 else "")
    return [f"# TODO: {shown} name stages of this account: read as those stages, the deals "
            "left open, not as a status; if they mean won / lost deals, map each in "
            f"status = {{ column = {_toml_str(column)}, map = {{ ... = \"won\" }} }}, then "
            "delete this line"]


def _entries(lines: Sequence[str]) -> list[tuple[str, str]]:
    """The (source, target) of the stage map entries among ``lines`` (not the TODOs)."""
    out = []
    for line in lines:
        if line.startswith('"'):
            source, _, rest = line.partition(" = ")
            out.append((json.loads(source), json.loads(rest.split("  #", 1)[0])))
    return out


def _untwinned(catalog: Catalog, value: str, where: Collection[int | None]) -> str | None:
    """The stage ``value`` names in each of ``where`` (its rows' pipelines, all known),
    one name in all and no case twin of it in any; else None (x50r9 F3)."""
    if not where or None in where:
        return None
    names: set[str] = set()
    for p in where:
        if p is None:
            return None
        found = {s.name for s in catalog.stages_in(p) if tf.stage_key(s.name) == tf.stage_key(value)}
        if len(found) != 1:
            return None
        names |= found
    return next(iter(names)) if len(names) == 1 else None


def _name_key(name: str) -> str:
    """A stage's or pipeline's name as a proposal matches it: the catalog's fold
    (``tf.stage_key``: ``>`` and U+203A alike, case, spacing) with no spaces at all."""
    return tf.stage_key(name).replace(" ", "")


def _shared(groups: MappingABC[str, Sequence[str]]) -> dict[str, list[str]]:
    """A stage's key (as ``_stage_lines`` keys it) -> its pipelines, for names in several."""
    where: dict[str, list[str]] = {}
    for pipe, names in groups.items():
        for name in names:
            where.setdefault(_name_key(name), []).append(pipe)
    return {k: pipes for k, pipes in where.items() if len(pipes) > 1}


def _default_pipeline_todo(values: Sequence[str], catalog: Catalog, chosen: str) -> list[str]:
    """A TODO above the default pipeline of a file with no pipeline column, when sampled
    stage ``values`` are stages of several pipelines: the default ``chosen`` is a guess
    (x24r1: a HubSpot file's stages were in two pipelines and "Sales" was written with no
    word of it)."""
    groups = {p.name: [s.name for s in catalog.stages_in(p.id)] for p in catalog.pipelines}
    shared = _shared(groups)
    found = {str(v): shared[k] for v in values
             if (k := _name_key(str(v)).replace("_", "")) in shared}
    if not found:
        return []
    pipes = list(dict.fromkeys(p for ps in found.values() for p in ps))
    names = ", ".join(repr(v) for v in list(found)[:5]) + (", ..." if len(found) > 5 else "")
    return [f"# TODO: no pipeline column, and the stages {names} exist in several pipelines "
            f"({', '.join(map(repr, pipes))}): the default {chosen!r} (the account's first) "
            "was chosen for every row; check it (or map a pipeline column), then delete this "
            "line"]


def _pipeline_lines(column: str, values: Sequence[str], pipelines: Sequence[str]) -> list[str]:
    """The pipeline line for a pipeline column: as is when every sampled value names a
    pipeline of the account (case and spaces aside); else a commented map with a TODO —
    proposed as is, a column of HubSpot's "default" or "Sales Pipeline" failed every row
    (v10r7 M2: "a wrong proposal is worse than none")."""
    by_key = {_name_key(p): p for p in pipelines}
    found = {v: by_key.get(_name_key(v).replace("_", "")) for v in values}
    # as is only when the catalog reads each value so (x48r8 F2: "Asia > Pacific" was a TODO)
    if all(p is not None and tf.stage_key(p) == tf.stage_key(v) for v, p in found.items()):
        return [f"pipeline = {_column_value(column)}"]
    entries = ", ".join(f"{_toml_str(v)} = {_toml_str(found[v] or '')}" for v in found)
    choices = ", ".join(_toml_str(p) for p in pipelines)
    return [f"# TODO: column {_toml_str(column)} holds values that are not pipelines of this "
            f"account; map each to one of: {choices}; uncomment the line below, then delete "
            "this line",
            f"# pipeline = {{ column = {_toml_str(column)}, map = {{ {entries} }} }}"]


# Pipedrive's own export names columns "Deal - Title", "Person - Email", "Organization - Name"
_ENTITY_PREFIX = re.compile(r"(deal|person|organi[sz]ation|org)\s+-\s+(.+)")
_ENTITY_SECTION = {"deal": "", "person": "person.", "organisation": "organization.",
                   "organization": "organization.", "org": "organization."}


# a JSON path's parents that make its leaf someone else's (Salesforce's Owner.Email is the
# deal owner's address, not the contact person's: v10r10 M1)
_NOT_THE_CONTACT = re.compile(r"owner|user|created ?by|modified ?by|assigned|sales ?rep")


# a JSON path's parent that names another record than the deal: its leaf alone is matched
# only for that record's targets (Salesforce's Account.Name and Owner.Name, HubSpot's
# properties.company.name are no deal title; the lead's fix, v10r11 follow-up)
_PARENT_ENTITY = ((re.compile(r"compan|account|organi[sz]ation|^orgs?( id)?$"), "organization."),
                  (re.compile(r"contact|person|people|^leads?$"), "person."),
                  (_NOT_THE_CONTACT, "deal.owner"))


def _keys(column: str, target: str) -> list[str]:
    """The names a column is matched by for a target: its own, and for an "Entity - Field"
    column of that target's entity (a Deal column: any target), the field alone and
    "entity field" — so "Person - Name" is the person's name, never the deal title. A
    JSON path is matched by its leaf, and by its parent and leaf (``Owner.Email``: "owner
    email"); one under an owner or a user (``Owner.Email``, ``CreatedBy.Name``) is never
    a person's or an organization's field; one under another record (``Account.Name``,
    ``Owner.Name``, ``contacts.email``) is matched by its leaf only for that record's
    targets, by its parent and leaf for the others (``_PARENT_ENTITY``)."""
    key = tf.norm_key(_leaf(column)).replace("_", " ")
    if _leaf(column) != column:
        parents = tf.norm_key(column[: len(column) - len(_leaf(column))]).replace("_", " ")
        if target.startswith(("person.", "organization.")) and _NOT_THE_CONTACT.search(parents):
            return []
        segments = [p for p in re.split(r"[.\[\]\"]+", parents.strip(' ."[]')) if p]
        parent = segments[-1:]
        if parent and parent[0]:
            # the nearest ancestor naming a record (person_id.email.label: the person's,
            # never the deal's label: x9r3)
            owner = next((t for segment in reversed(segments)
                          for pattern, t in _PARENT_ENTITY if pattern.search(segment)), None)
            if owner is not None and not target.startswith(owner):
                return [f"{parent[0]} {key}"]  # Account.Name is no deal's title
            return [key, f"{parent[0]} {key}"]
    found = _ENTITY_PREFIX.fullmatch(key)
    if found is None or not target.startswith(_ENTITY_SECTION[found[1]]):
        return [key]
    return [key, found[2], f"{found[1]} {found[2]}"]


# a column named exactly so (its normalised text): a bare "Close" is the expected close date
# of docs/mapping.md's XLSX example (x29r1 F6: listed as not mapped), but by likeness
# "Closed" (a yes / no, or the close time) matched it too
# Copper's "Opportunity", monday.com's "Item", Dynamics 365's "Topic" are a deal's title
# (x45r1 F3), but by likeness "Opportunity ID" and "Item ID" would match them too
_EXACT_ONLY: dict[str, tuple[str, ...]] = {"deal.expected_close_date": ("close",),
                                           "deal.title": ("opportunity", "item", "topic")}
# a column named exactly so is the target's only when its sampled values name users of the
# account: monday.com's board "Person" column holds its owners, another file's "Person" is
# the contact (x45r1 F3); values that look like people but name no user give a TODO
_CONFIRMED_ONLY: dict[str, tuple[str, ...]] = {"deal.owner": ("person",)}


def _guess(header: Sequence[str], candidates: dict[str, Sequence[str]]) -> dict[str, str]:
    """Target → column, best fuzzy matches first, each column and target used once.

    A JSON path is matched by its last segment (``properties.dealname``)."""
    from rapidfuzz import fuzz  # here: an import or plan never loads it (issue 8's RSS)

    scored = []
    for target, names in candidates.items():
        for column in header:
            keys = _keys(column, target)
            if not keys:
                continue
            score, rank = max((fuzz.ratio(key, tf.norm_key(name)), -rank)
                              for rank, name in enumerate(names) for key in keys)
            if score >= _GUESS_CUTOFF:
                scored.append((score, -rank, target, column))
    chosen: dict[str, str] = {}
    # the best score first; on a tie, the name listed first (an owner's e-mail over a name)
    for _, _, target, column in sorted(scored, key=lambda t: (-t[0], t[1])):
        if target not in chosen and column not in chosen.values():
            chosen[target] = column
    return chosen


def _fractions(samples: MappingABC[str, Sequence[str]] | None, column: str) -> bool:
    """Whether a column's sampled numbers are fractions of 1: nine in ten or more from 0 to
    1, one of them a fraction (0.4). A few dirty cells (a typo 1.7, an "n/a") do not hide
    it (x12r2 F2: one 1.7 among 30 fractions dropped the proposal, and 0.75 was imported
    as 0.75 %); with ``scale = 100`` such a cell fails its row (over 100)."""
    numbers = []
    for value in (samples or {}).get(column, ()):
        try:
            number = tf.parse_number(str(value).strip().removesuffix("%"))
        except InputError:
            continue
        if number is not None:
            numbers.append(number)
    within = [n for n in numbers if 0 <= n <= 1]
    return bool(numbers) and 10 * len(within) >= 9 * len(numbers) \
        and any(0 < n < 1 for n in within)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_UNIT_WORDS = {"unix": "epoch seconds", "unix_ms": "epoch milliseconds",
               "unix_us": "epoch microseconds", "excel": "Excel serial day numbers",
               "excel_1904": "Excel serial day numbers of the workbook's 1904 date system"}
# targets a column of bare numbers (ids: HubSpot's associations, hubspot_owner_id) is not
_NOT_NUMBERS = ("deal.title", "deal.owner", "person.name", "organization.name",
                "organization.address")


# a status column's word for an open deal: Close's status_type is active, won or lost
_OPEN_WORDS = OPEN_WORDS


def _not_statuses(samples: MappingABC[str, Sequence[str]] | None,
                  column: str | None) -> list[str]:
    """The sampled values of a status column that read as no deal status (open, won, lost
    and the built-in spellings: ``transforms.parse_status``; nor open in another word,
    ``_OPEN_WORDS``), distinct, in order."""
    if column is None:
        return []
    out: list[str] = []
    for value in _sampled(samples, column):
        try:
            tf.parse_status(value)
        except InputError:
            if value not in out and tf.norm_key(value) not in _OPEN_WORDS:
                out.append(value)
    return out


def _open_words(samples: MappingABC[str, Sequence[str]] | None, column: str) -> list[str]:
    """The sampled values of a status column that say open in another word
    (``_OPEN_WORDS``: Close's ``active``), distinct, in order."""
    found = list(dict.fromkeys(v for v in _sampled(samples, column)
                               if tf.norm_key(v) in _OPEN_WORDS))
    if not found and tf.norm_key(_leaf(column)).replace("_", " ") == "status type":
        return ["active"]  # Close's, unsampled: its status_type is always one of three
    return found


def _sampled(samples: MappingABC[str, Sequence[str]] | None, column: str) -> list[str]:
    # full-width digits and separators as the readers see them (``tf.fold_wide``: x53r5 F3)
    return [text for v in (samples or {}).get(column, ()) if (text := fold_wide(str(v)).strip())]


# what is left of an amount once its currency, sign, grouping and percent are taken off
_AMOUNT_NOISE = re.compile(r"[A-Z]{3}|[\s$\u20ac\u00a3\u00a5\u20b9()+\-\u2212%'\u2019]")
_AMOUNT_DIGITS = re.compile(r"\d[\d.,]*")


_ID_LIST = re.compile(r"\s*[;|]\s*")


def _numberish(value: str) -> bool:
    """A number of some kind, not a name: a typed cell (an XLSX or JSON number, a
    currency-formatted cell ``5000 $``), or text that is digits once its currency symbol
    or code, sign, parentheses, grouping and percent are taken off (``$5,000.00``,
    ``1.234,50 EUR``, ``(9,500)``, ``15 %``), or a list of those (``9000;9001``, a JSON
    array written out: ``[9000]``, ``["9000", "8000"]``: HubSpot's association ids)."""
    if isinstance(value, TypedSample):
        return True
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        parts = [p.strip().strip("\"'") for p in text[1:-1].split(",")]
    else:
        parts = _ID_LIST.split(text)
    return all(p and (_AMOUNT_DIGITS.fullmatch(_AMOUNT_NOISE.sub("", p)) or _amount(p))
               for p in parts)


def _amount(text: str) -> bool:
    """Whether ``text`` reads as an amount in any currency the money parser knows
    (``100 kr``, ``Fr. 12.500.-``, ``1 234,50 zł``: v10r19 M3, such a column was proposed
    as the person's name and imported persons named "100 kr")."""
    try:
        return tf.parse_money(text, undecided=True) is not None
    except InputError:
        return False


def _numbers_only(samples: MappingABC[str, Sequence[str]] | None, column: str) -> bool:
    """Whether every sampled value of ``column`` is a number, an amount or an id (there is
    one at least): never a name, title, owner or address."""
    raw = [v for v in (samples or {}).get(column, ()) if str(v).strip()]
    return bool(raw) and all(_numberish(v if isinstance(v, TypedSample) else str(v).strip())
                             for v in raw)


_EMAIL_INSIDE = re.compile(r"[^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+")


_DATE_TARGETS = ("deal.expected_close_date", "deal.won_time", "deal.lost_time",
                 "deal.close_time")


def _digitless(samples: MappingABC[str, Sequence[str]] | None, column: str) -> bool:
    """Whether ``column`` was sampled (a value at least) and no sampled value holds a
    digit: no date, in any format or unit."""
    values = _sampled(samples, column)
    return bool(values) and not any(ch.isdigit() for v in values for ch in str(v))


def _mostly_emails(samples: MappingABC[str, Sequence[str]] | None, column: str) -> bool:
    """Whether most sampled values of ``column`` (half or more, one at least) hold an e-mail
    address: not a name."""
    values = _sampled(samples, column)
    return bool(values) and 2 * sum(bool(_EMAIL_INSIDE.search(v)) for v in values) >= len(values)


def _any_email(samples: MappingABC[str, Sequence[str]] | None, column: str) -> bool:
    """Whether a sampled value of ``column`` holds an e-mail address."""
    return any(_EMAIL_INSIDE.search(v) for v in _sampled(samples, column))


def _named_addresses(samples: MappingABC[str, Sequence[str]] | None, column: str) -> bool:
    """Whether most sampled values of ``column`` hold an e-mail address and one at least
    writes a name beside it (``Ann Lee <ann@x>``: ``tf.display_name``): a contact column,
    its person's name and e-mail in one."""
    return _mostly_emails(samples, column) and any(
        tf.display_name(v) for v in _sampled(samples, column))


def _mostly_phones(samples: MappingABC[str, Sequence[str]] | None, column: str) -> bool:
    """Whether most sampled values of ``column`` (half or more, one at least) read as a
    phone number: 5 digits or more, no e-mail address, at most a few letters ("ext"), or
    as the phone column reads them (``tf.phone_numbers``: a label beside each number,
    ``+49 30 4616337 (work)``, as Copper writes them; z55r1 F2: the column was left
    out)."""
    values = _sampled(samples, column)
    return bool(values) and 2 * sum(map(_phone_like, values)) >= len(values)


def _phone_like(value: str) -> bool:
    if "@" in value or sum(c.isdigit() for c in value) < 5:
        return False
    if sum(c.isalpha() for c in value) <= 3:
        return True
    try:
        return bool(tf.phone_numbers(value))
    except InputError:
        return False


# a person's name as a CRM writes its users: 1 to 5 words of letters, no digit
_PERSON_NAME = re.compile(r"[^\W\d_]+(?:[ .'\-\u2019]+[^\W\d_]+){0,4}\.?")


def _people(samples: MappingABC[str, Sequence[str]] | None, column: str) -> bool:
    """Whether most sampled values of ``column`` (half or more, one at least) are a
    person's name (``_PERSON_NAME``) or hold an e-mail address: what an owner column
    holds (never ids, team codes or numbers)."""
    values = _sampled(samples, column)
    return bool(values) and 2 * sum(
        bool(_EMAIL_INSIDE.search(v) or _PERSON_NAME.fullmatch(v)) for v in values
    ) >= len(values)


def _users_named(samples: MappingABC[str, Sequence[str]] | None, column: str,
                 catalog: Catalog) -> list[str]:
    """The sampled values of ``column`` that name a user of the account, by name or by
    e-mail address (``Catalog.user``; a name two users share counts), distinct, in order."""
    found = []
    for value in _sampled(samples, column):
        try:
            catalog.user(value)
        except AmbiguousName:
            pass
        except InputError:
            continue
        found.append(value)
    return list(dict.fromkeys(found))


def _owner_lines(header: Sequence[str], guesses: dict[str, str],
                 samples: MappingABC[str, Sequence[str]] | None,
                 catalog: Catalog) -> tuple[list[str], str | None]:
    """The owner guess checked against its sampled values (x45r1 F3): (lines written in
    place of the plain ``owner = ...`` line, none for it; the column they name). A column
    named like an owner whose samples are neither names nor e-mail addresses (``Team
    A-1``) is taken out of ``guesses`` into a commented line under a TODO; a column
    named so only for a CRM that writes owners there (``_CONFIRMED_ONLY``: monday.com's
    ``Person``) is put into ``guesses`` when its samples name users of the account, a
    commented line under a TODO when they only look like people. Columns of numbers were
    left out before (``_NOT_NUMBERS``)."""
    column = guesses.get("deal.owner")
    if column is not None:
        if not _sampled(samples, column) or _people(samples, column):
            return [], None
        del guesses["deal.owner"]
        shown = ", ".join(map(repr, _sampled(samples, column)[:3]))
        return [f"# TODO: column {_toml_str(column)} is named like the deals' owner, but its "
                f"sampled values ({shown}) are neither names nor e-mail addresses: if it "
                "names each deal's owner (a user's name or e-mail address of this "
                "account), uncomment the line below, else leave it; then delete this line",
                f"# owner = {_column_value(column)}"], column
    names = _CONFIRMED_ONLY["deal.owner"]
    column = next((c for c in header if tf.norm_key(_leaf(c)) in names
                   and c not in guesses.values()), None)
    if column is None or not _people(samples, column):
        return [], None
    users = _users_named(samples, column, catalog)
    if users:
        guesses["deal.owner"] = column
        return [f"# column {_toml_str(column)} names users of this account ("
                + ", ".join(map(repr, users[:3])) + "): each deal's owner (a monday.com "
                "board's person column)", f"owner = {_column_value(column)}"], column
    shown = ", ".join(map(repr, _sampled(samples, column)[:3]))
    return [f"# TODO: column {_toml_str(column)} may name each deal's owner (a monday.com "
            f"board's person column), but no sampled value ({shown}) is a user of this "
            "account: if it names the owners, uncomment the line below (each must be a "
            "user's name or e-mail address), else leave it; then delete this line",
            f"# owner = {_column_value(column)}"], column


# a status label that reads as a closed deal's only beside the other default labels of the
# tool that writes it: monday.com's status column is "Working on it", "Stuck", "Done"
# (x45r1 F3: "Done" was asked for as a stage, its deals imported open); elsewhere a stage
# named "Done" is no status
_BOARD_CLOSED: dict[str, tuple[str, frozenset[str]]] = {
    "done": ("won", frozenset({"working on it", "stuck"})),
}


def _closed_status(value: str, values: Sequence[object]) -> str | None:
    """``"won"`` or ``"lost"`` when a stage column's ``value`` reads as a closed deal's
    (``tf.closed_status``: ``Closed Won``, ``Won``, ``Lost``...), or is a board's closed
    label beside that board's other default labels among ``values`` (``_BOARD_CLOSED``:
    monday.com's ``Done``), else None."""
    if (status := tf.closed_status(value)) is not None:
        return status
    status, beside = _BOARD_CLOSED.get(tf.norm_key(value), (None, frozenset()))
    keys = {tf.norm_key(str(v)) for v in values}
    return status if keys & beside else None


def _date_token(samples: MappingABC[str, Sequence[str]] | None, column: str,
                date_system: int | None = None) -> str | None:
    """The one date token the sampled numbers of a date column read by
    (``_numbers_token``) when the numbers are most of its sampled values, else None. A
    minority of other values (an impossible date, ``TBD``, a date of another form) does not
    throw the form of the rest away (x48r4 F1): ``_column_formats`` lists or names them."""
    values = _sampled(samples, column)
    numbers = [v for v in values if _NUMBER.fullmatch(v)]
    return _numbers_token(numbers, date_system) if 2 * len(numbers) > len(values) else None


def _numbers_token(values: Sequence[str], date_system: int | None) -> str | None:
    """The date token most of ``values`` (numbers) read by (``band_token``): an epoch unit,
    or ``"excel"`` for serials of 1970-2099 (``"excel_1904"`` when ``date_system`` is
    1904, a Mac Excel workbook); None when there are none or they disagree — a wrong unit
    would import wrong dates, so no guess. The few numbers outside the band (a year alone
    ``2026``, x53r5 F2; Excel's empty date ``0``, ``60``, ``999``, ``3289``, y55r1 F1) do not
    throw the token away: the column's TODO names them (``_unread_lines``)."""
    return band_token(values, date_system)


def _real_share(part: int, whole: int) -> bool:
    """Whether ``part`` of ``whole`` sampled cells is a form of the column's own, to be
    proposed beside its majority: 3 cells or more, or 2 that are 2 % of it or more (one
    cell alone is named in the TODO of unread cells, not proposed)."""
    return part >= 3 or (part >= 2 and 50 * part >= whole)


def _date_cells(samples: MappingABC[str, Sequence[str]] | None,
               rows: Sequence[MappingABC[str, object]], columns: Sequence[str]
               ) -> MappingABC[str, Sequence[str]] | None:
    """``samples`` with each of ``columns`` given every distinct non-blank cell of ``rows``
    after its own samples (as ``sample_text`` reads them); ``samples`` itself when no rows
    were given."""
    if not rows or samples is None:
        return samples
    out = dict(samples)
    for column in columns:
        seen = dict.fromkeys(samples.get(column, ()))
        for row in rows:
            if isinstance(cell := row.get(column), str) and cell.strip():
                seen.setdefault(cell if isinstance(cell, TypedSample) else cell.strip())
        out[column] = list(seen)
    return out


# the names of a CRM's "Close Date": Salesforce's, HubSpot's, Copper's; Zoho's "Closing
# Date" (z55r1 F7: no close_time was proposed for it), its deals' date of the same kind
_CLOSE_DATES = frozenset({"closedate", "closingdate"})


def _close_date_column(guesses: MappingABC[str, str], closes: bool,
                       won: str | None = None) -> str | None:
    """The expected close date's column when it is a CRM's "Close Date" (Salesforce,
    HubSpot, Copper; Zoho's "Closing Date": the date a closed deal was closed, the
    expected one of an open deal), the file gives statuses (a status column, or won /
    lost stages: ``closes``) and no won / lost / close time of its own; else None.
    ``won``: a won date column read so (``_won_date_as_close``)."""
    column = guesses.get("deal.expected_close_date")
    if column is None or not (closes or "deal.status" in guesses) or any(
            f"deal.{name}" in guesses for name in ("won_time", "lost_time", "close_time")):
        return None
    return column if column == won or tf.norm_key(_leaf(column)).replace(
        "_", "").replace(" ", "") in _CLOSE_DATES else None


def _won_date_as_close(guesses: MappingABC[str, str], closes: bool,
                       samples: MappingABC[str, Sequence[str]] | None) -> str | None:
    """The won time's column when it is the file's only date of a deal's close, of dates
    without a time, and the file gives statuses (a status column, or won / lost stages:
    ``closes``): read as a CRM's "Close Date" (``_close_date_column``) — Close's
    ``date_won`` is every opportunity's close date, the expected one of an active
    opportunity (x42r1 F3: as won_time, 95 of 120 rows failed "a won time is given but
    the status is lost / open"). Safe for a column of won dates alone: a won deal's close
    time is its won time (``rowmapper.close_times``), other rows leave it blank. Else None."""
    column = guesses.get("deal.won_time")
    if column is None or not (closes or "deal.status" in guesses) or any(
            f"deal.{name}" in guesses for name in ("expected_close_date", "lost_time",
                                                    "close_time")):
        return None
    return None if any(":" in v for v in _sampled(samples, column)) else column


def _column_formats(samples: MappingABC[str, Sequence[str]] | None, column: str,
                    date_system: int | None) -> list[str]:
    """A date column's own ``formats``, majority first: its token (``_numbers_token``) and
    the patterns of its text dates (``date_formats_for`` of those that are real dates),
    each when it reads a real share of the sampled values (``_real_share``: x48r12 F2, 30
    ``16/03/2027`` among 270 serials were called unreadable; F3, 150 serials beside 150
    day-first dates were left unmentioned and the plan failed them "not a date"); ``[]``
    when it has no token (the column reads by ``[defaults] date_formats``). Cells no form
    reads (``31/02/2026``, ``TBD``, ``Q3``) are counted by ``_unread_lines``."""
    values = _sampled(samples, column)
    numbers = [v for v in values if _NUMBER.fullmatch(v)]
    token = _numbers_token(numbers, date_system)
    if token is None:  # dates written in digits alone ('28102022'): their pattern (x52r6 F7)
        return digit_date_patterns(values)
    # a cell no day first nor month first reads may read year first ('32/06/20' beside
    # serials: x52r6 F6, called "an impossible date" that the plan's hint then read)
    dates = [v for v in values if not _NUMBER.fullmatch(v) and _dateish(v)
             and not ((_no_date(v) and not _reads_year_first(v)) or impossible_date(v)
                      or _no_such_day(v, ()))]
    texts: list[str] = []
    if _real_share(len(dates), len(values)):  # ISO 8601 (XLSX date cells too) reads always:
        texts = (["%Y-%m-%d"] if all(_ISO_SAMPLE.fullmatch(v) for v in dates)  # named so
                 else date_formats_for(dates) or [])  # the token is not taken as most
    if not texts and len(numbers) < len(dates) and _real_share(len(numbers), len(values)) \
            and (pair := _untold_pair(dates)) is not None:  # x50r8 F4: most cells dates
        return [*pair, token]  # of no order told, serials beside: both orders, a TODO
        # (``_pair_todo``); most cells serials: the token, the dates' TODO (x49r3 F5)
    if 2 * len(numbers) > len(values) or (  # as many serials as text dates of both
            not texts and len(numbers) >= len(dates)  # orders (x49r3 F4: half of them,
            and _real_share(len(numbers), len(values))):  # thrown away): kept
        return [token, *texts]
    return [*texts, token] if texts and _real_share(len(numbers), len(values)) else []


def _untold_pair(dates: Sequence[str]) -> tuple[str, str] | None:
    """The day-first and month-first patterns (``%d/%m/%Y``, ``%m/%d/%Y``; the time after
    them kept) of ``dates`` when every one is numeric, of one such family with a 4-digit
    year, and none tells its order (day and month 12 or less); else None. Cells of no
    such shape (``6. Dez. 2026``, a word) are left to the TODO of unread cells when most
    are of it (x51r2 F3: one made the column's serials "no date")."""
    read = [_cell_orders(v) for v in dates]
    found = [f for f in read if f is not None]
    shapes = {(f[0], f[2]) for f in found if not f[1]}
    if not found or 2 * len(found) <= len(read) or any(f[1] for f in found) \
            or len(shapes) != 1:
        return None
    ((day_first, time),) = shapes
    month_first = swapped_pattern(day_first)
    if not day_first.endswith("%Y") or month_first is None:
        return None
    return day_first + time, month_first + time


def _is_pair(formats: Sequence[str]) -> bool:
    """Whether ``formats`` are ``_untold_pair``'s both orders and a token."""
    return len(formats) == 3 and formats[2] in tf.DATE_TOKENS \
        and swapped_pattern(formats[0]) == formats[1]


def _pair_todo(column: str, formats: Sequence[str],
               samples: MappingABC[str, Sequence[str]] | None,
               rows: Sequence[MappingABC[str, object]]) -> str | None:
    """The TODO of a column whose own ``formats`` are ``_untold_pair``'s both orders and a
    token: each choice as the mapping writes it, with the token (x50r8 F4); None for other
    formats."""
    if not _is_pair(formats):
        return None
    cells = ([str(r.get(column) or "") for r in rows] if rows
             else _sampled(samples, column))
    dated = [c.strip() for c in cells if c.strip() and not _NUMBER.fullmatch(c.strip())
             and _cell_orders(c.strip()) is not None]
    token = formats[2]
    return (f"# TODO: cannot tell day first from month first in {column!r}: its "
            f"{len(dated):,} sampled dates (like {dated[0]!r}) all have day and month ≤ 12 — "
            f"keep formats = [\"{formats[0]}\", \"{token}\"] if {column} is written day "
            f"first, or formats = [\"{formats[1]}\", \"{token}\"] if month first (its numbers are "
            f"read as {token!r}; both orders are listed below until you choose, and the plan "
            "refuses both), then delete this line")


def _with_token(formats: list[str], samples: MappingABC[str, Sequence[str]] | None,
                column: str, date_system: int | None) -> list[str]:
    """A column's own both-orders ``formats`` (its TODO's) with the token its serials or
    epochs read by, when they are a real share of its sampled values (``_real_share``;
    x50r3 F5: ``excel`` was dropped and 62 serials called "no date in any form")."""
    values = _sampled(samples, column)
    numbers = [v for v in values if _NUMBER.fullmatch(v)]
    token = _numbers_token(numbers, date_system) \
        if _real_share(len(numbers), len(values)) else None
    return [*formats, token] if token is not None and token not in formats else formats


def _unread_lines(samples: MappingABC[str, Sequence[str]] | None, column: str,
                  formats: Sequence[str], rows: Sequence[MappingABC[str, object]],
                  locale: str | None = None) -> list[str]:
    """The TODO of ``unread_dates_todo`` for a column given its own ``formats``: the sampled
    rows' cells (the distinct samples when no rows were given) none of them reads (under
    the proposed ``date_locale``)."""
    if not formats:
        return []
    cells = ([str(r.get(column) or "") for r in rows] if rows
             else _sampled(samples, column))
    # a number far from the token's band is named even when the token reads it (y55r1
    # F1: '999' among serials of 2023-2028 would be written 1902-09-25)
    return unread_dates_todo(column, cells, lambda v: _reads(v, formats, locale)
                             and stray_kind(v, formats) is None,
                             lambda v: _no_date(v) or impossible_date(v)
                             or _no_such_day(v, formats),
                             "rows" if rows else "values", _cell_order,
                             lambda v: stray_kind(v, formats))


def _cell_order(value: str) -> tuple[str, str] | None:
    """A numeric date's day-first pattern (``%d/%m/%Y``) and the one order it shows
    (``"dm"``, ``"md"``; ``""`` when it cannot tell), else None (``_cell_orders``)."""
    found = _cell_orders(value)
    return None if found is None else (found[0], "".join(found[1]) if len(found[1]) == 1
                                       else "")


def _cell_orders(value: str) -> tuple[str, frozenset[str], str] | None:
    """A numeric date's day-first pattern (``%d/%m/%Y``; the year as written), the
    orders it shows (``"dm"`` when its first number is a day above 12, ``"md"`` when its
    second is; none when both are 12 or less) and the time after it (`` %H:%M``, ``""``);
    None for another cell or an impossible date."""
    found = _DMY.fullmatch(value)
    if found is None or _no_date(value):
        return None
    first, sep, second, year, between, clock, seconds, meridiem = found.groups()
    shown = frozenset(order for order, number in (("dm", first), ("md", second))
                      if int(number) > 12 and _real_date(first, second, year, order))
    return (f"%d{sep}%m{sep}{'%Y' if len(year) == 4 else '%y'}", shown,
            _time_pattern(between, clock, seconds, meridiem))


def _reads_year_first(value: str) -> bool:
    """Whether ``value``, a numeric date with a 2-digit year, reads year first too."""
    return (found := _cell_fields(value)) is not None and real_ymd(*found[1:])


def _cell_fields(value: str) -> tuple[str, int, int, int] | None:
    """A numeric date with a 2-digit year: its day-first pattern (``%d/%m/%y``, with the
    time after it) and its three numbers as written; None for another cell."""
    found = _DMY.fullmatch(value)
    if found is None or len(found[4]) != 2:
        return None
    first, sep, second, year, between, clock, seconds, meridiem = found.groups()
    return (f"%d{sep}%m{sep}%y{_time_pattern(between, clock, seconds, meridiem)}",
            int(first), int(second), int(year))


def _wide_fields(value: str) -> tuple[str, bool, str | None] | None:
    """A numeric date with a 4-digit year that is a day of the calendar: its separator,
    whether it is written year first (``2024/05/06``, ISO 8601) and, so written, the
    pattern that reads it (``%Y/%m/%d``; None for ISO 8601, read always); None for
    another cell (``year_first_columns``: x52r6 F1)."""
    if _ISO_SAMPLE.fullmatch(value):
        return None if impossible_date(value) else ("-", True, None)
    if (found := _DMY.fullmatch(value)) is not None:
        return (found[2], False, None) if len(found[4]) == 4 and not _no_date(value) else None
    if (other := _other_date_format(value)) is not None and other.startswith("%Y"):
        return other[2], True, other
    return None


def _untold(samples: MappingABC[str, Sequence[str]] | None,
            rows: Sequence[MappingABC[str, object]], columns: Sequence[str],
            defaults_samples: MappingABC[str, Sequence[str]] | None,
            tellers: Sequence[str] = ()) -> dict[str, tuple[Untold, list[str]]]:
    """``untold_columns`` of the date ``columns`` (their cells of the sampled ``rows``,
    or their distinct samples), each with the ``[defaults] date_formats`` proposed; the
    columns of ``tellers`` (own formats) are named when they tell (x50r3 F6)."""
    proposal = _proposed_dates(defaults_samples, columns, rows) if columns else None
    if proposal is None:  # no date sampled (empty defaults: tellers disagree, x49r12 F1)
        return {}
    cells = {c: ([str(r.get(c) or "") for r in rows] if rows else _sampled(samples, c))
             for c in dict.fromkeys([*columns, *tellers])}
    return {c: (u, proposal[0]) for c, u in
            untold_columns(cells, proposal[0], _cell_orders, judged=columns,
                           year_first=_reads_year_first).items()}


def _date_value(column: str, formats: Sequence[str]) -> str:
    if not formats:
        return _column_value(column)
    listed = ", ".join(_toml_str(f) for f in formats)
    if any(swapped_pattern(f) in formats or (year_first_pattern(f) in formats and f != (
            year_first_pattern(f))) for f in formats):  # an untold order (x49r3 F1, x50r3 F3)
        return (f"{{ column = {_toml_str(column)}, formats = [{listed}] }}"
                "  # both orders: keep the one the column is written in (TODO above)")
    return (f"{{ column = {_toml_str(column)}, formats = [{listed}] }}"
            f"  # the sampled values are {'mostly ' if len(formats) > 1 else ''}"
            f"{_UNIT_WORDS.get(formats[0], 'dates written ' + repr(formats[0]))}")


# a date, and the time some exports write after it (Excel re-saving "15.03.2026 00:00");
# a space between its numbers as a separator like the others (x51r11 F2: '17 01 24')
_DMY = re.compile(r"(\d{1,2})([/.\- ])(\d{1,2})\2(\d{4}|\d{2})"
                  r"(?:([ T])(\d{1,2}:\d{2}(:\d{2})?)(\s?[AaPp][Mm])?)?")
# (a time with its UTC offset after a space, '2027-08-20 18:30:00 +0100', is no ISO 8601:
# the reader's ISO grammar refuses it, a ``%z`` pattern of ``_OTHER_DATES`` reads it)
# (the reader's ISO grammar, ``transforms.dates``: an AM/PM time is no ISO 8601 either)
_ISO_SAMPLE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
                         r"(?:Z|[+-]\d{2}:?\d{2})?)?")


# dates written with the month's English name (Zoho's "Mar 31 2026", Salesforce's and
# Oracle's "31-Mar-2026", "March 31, 2026") or year first with a slash or dot
# ("2026/03/31"): one order each, so the pattern that reads a sample is the proposal
_OTHER_DATES = ("%d-%b-%Y", "%d-%b-%y", "%d-%B-%Y", "%d %b %Y", "%d %B %Y", "%d/%b/%Y",
                "%d.%b.%Y", "%d. %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y",
                "%b-%d-%Y", "%a, %d %b %Y", "%a %b %d %Y", "%Y/%m/%d", "%Y.%m.%d",
                "%Y %m %d", "%Y年%m月%d日", "%Y-%m-%d")
# a time of day after the date; with its UTC offset too (x53r5 F5: '2027-08-20 18:30:00
# +0100' and '2025年4月15日' had "no date pattern was found" while a pattern reads them)
_OTHER_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", " %I:%M%p",
                " %H:%M:%S %z", " %H:%M %z")
_MONTH_WORD = re.compile(r"[A-Za-z]{3}|\d{4}[/. 年]\d|\s[+-]\d{2}:?\d{2}$|"
                         r"^\d{4}-\d{2}-\d{2} \d")


@functools.lru_cache(maxsize=4096)  # (160 strptime patterns a cell: their cache holds 100)
def _other_date_format(value: str) -> str | None:
    """The pattern of ``_OTHER_DATES`` (with a time of ``_OTHER_TIMES`` after it) that
    reads ``value``, if one does: a month written by name, or year first."""
    if not _MONTH_WORD.search(value):
        return None
    plain = plain_ordinals(value)  # '25th of June 2027' as the reader reads it (x53r5 F6)
    for time in _OTHER_TIMES:
        for pattern in _OTHER_DATES:
            try:
                datetime.strptime(value if "%b" not in pattern and "%B" not in pattern
                                  else plain, pattern + time)
            except ValueError:
                continue
            return pattern + time
    return None


def date_formats_for(values: Sequence[str], told: Sequence[str] = (),
                     locale: str | None = None, *, names: bool = False) -> list[str] | None:
    """The ``[defaults] date_formats`` that read every one of ``values`` (a column's dates
    that no pattern of the mapping read) under ``locale`` (the mapping's ``date_locale``),
    as init-mapping proposes them (``_proposed_dates``); None when the values cannot tell
    the day / month order (and no pattern of ``told``, the formats that failed them, gives
    it: x49r12 F2, ``["%m/%d/%Y"]`` beside ``02/06/2027 09:30``), show both, or one of them
    reads by none of the patterns proposed (x26r2 2: a plan's 276 rows "not a date:
    '17.07.2027'" gave no hint of ``date_formats``). Dates with a month's name that pattern
    leaves unread (``5 janv. 2026`` under ``fr``, ``Monday 5 January 2026``) are read by the
    patterns init-mapping gives such a column — ``locale_dates.name_formats`` under
    ``locale``, for English too, and an English weekday-first form ``spelled_pattern`` —
    the rest by ``_proposed_dates`` (y55r1 F4: no hint was given for them) — with
    ``names`` (the plan's hint; a serial column's text dates keep ``_proposed_dates``'
    alone)."""
    cells = _sampled({"": values}, "")
    proposal = _proposed_dates({"": values}, [""], told=told)
    if proposal is not None and not proposal[1] and proposal[0] \
            and all(_reads(v, proposal[0], locale) for v in cells):
        return proposal[0]
    if not names:
        return None
    named, rest = name_formats(cells, locale)
    if not named and locale is None and (spelled := spelled_pattern(cells)) is not None:
        named, rest = [spelled], []
    if not named:
        return None
    if rest:  # dates in digits beside them (``17.07.2027``): their own proposal
        proposal = _proposed_dates({"": rest}, [""], told=told)
        if proposal is None or proposal[1] or not proposal[0]:
            return None
        named += [f for f in proposal[0] if f not in named]
    return named if all(_reads(v, named, locale) for v in cells) else None


def _numbers_of(samples: MappingABC[str, Sequence[str]] | None,
                own: MappingABC[str, Sequence[str]]) -> MappingABC[str, Sequence[str]] | None:
    """``samples`` with only the numbers of the columns that have ``own`` formats (a
    token): their other values are named beside the column, not read for [defaults]."""
    if samples is None or not own:
        return samples
    return {c: [v for v in vs if _NUMBER.fullmatch(str(v).strip())] if c in own else vs
            for c, vs in samples.items()}


def _date_format_lines(samples: MappingABC[str, Sequence[str]] | None,
                       columns: Sequence[str],
                       rows: Sequence[MappingABC[str, object]] = (),
                       own: Iterable[str] = ()) -> list[str]:
    """``[defaults] date_formats`` from the sampled dates of ``columns``
    (``_proposed_dates``), with a TODO line for what the samples cannot tell."""
    return _defaults_dates(samples, columns, rows, own)[0]


def _defaults_dates(samples: MappingABC[str, Sequence[str]] | None,
                    columns: Sequence[str],
                    rows: Sequence[MappingABC[str, object]] = (),
                    own: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """``_date_format_lines``' lines and the formats they propose."""
    proposal = _proposed_dates(samples, columns, rows, own)
    if proposal is None:
        return (['# date_formats = ["%d.%m.%Y"]  # strptime patterns, tried in order; '
                 "ISO YYYY-MM-DD always works"], [])
    formats, todo, named = proposal
    lines = [f"# TODO: {t}, then delete this line" for t in todo]
    listed = ", ".join(_toml_str(f) for f in formats)
    comment = "  # the order the sampled dates show" if len(formats) > len(named) else ""
    if formats and all(f in tf.DATE_TOKENS for f in formats):  # serials (x51r2 F3)
        comment = f"  # the sampled numbers read as {_UNIT_WORDS.get(formats[0], formats[0])}"
    if named and not comment:
        example = next(v for column in columns for v in _sampled(samples, column)
                       if _other_date_format(v) is not None)
        comment = f"  # the sampled dates are written so ({example!r})"
    return [*lines, f"date_formats = [{listed}]{comment}"], formats


def _strptime_reads(value: str, fmt: str) -> bool:
    """Whether the strptime pattern ``fmt`` reads ``value`` (a token never does)."""
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _proposed_dates(samples: MappingABC[str, Sequence[str]] | None, columns: Sequence[str],
                    rows: Sequence[MappingABC[str, object]] = (),
                    own: Iterable[str] = (), told: Sequence[str] = ()
                    ) -> tuple[list[str], list[str], dict[str, None]] | None:
    """The date patterns the sampled dates of ``columns`` show, the TODOs of what they
    cannot tell, and the patterns of ``_OTHER_DATES`` among them; None when no sample is a
    date. Per separator
    and year length, day first when a sample has a first number above 12, month first
    when one has a second number above 12; a date with its month's name or year first
    (``31-Mar-2026``, ``Mar 31, 2026``, ``2026/03/31``) by the pattern that reads it
    (``_OTHER_DATES``). Samples that cannot tell (every number 12 or
    less) or that show both orders give a TODO and no pattern — a guessed order imports
    01/02/2026 as the wrong day without any error. An impossible date (``31/02/2026``: no
    day either way) tells nothing of the order: left out of that judgement, named in a
    TODO of its own. Numbers among a column's text dates (``3``, ``12``; not in ``own``,
    the columns a token reads) are no date: counted in the TODO of words (x49r3 F2).
    ``told``: patterns whose order is the one of samples of their family that cannot
    tell theirs (a field's formats, read by the plan's hint: x49r12 F2)."""
    orders: dict[tuple[str, int], set[str]] = {}
    times: dict[tuple[str, int], dict[str, None]] = {}  # the time patterns after them
    examples: dict[tuple[str, int, str], str] = {}
    where: dict[tuple[str, int, str], str] = {}  # the column of each order's example
    groups: dict[str, DateGroup] = {}  # per separator: each column's orders, times, cells
    named: dict[str, None] = {}  # patterns of _OTHER_DATES the samples are written in
    seen = False
    zero: str | None = None  # Excel's empty date, sampled (x45r1 F2: no pattern reads it)
    impossible: dict[str, None] = {}  # numeric dates no day of the calendar, either order
    year_first: dict[tuple[str, int], bool] = {}  # a 2-digit year's group: all read yy/mm/dd
    only_year_first: dict[tuple[str, int], str] = {}  # its first cell read yy/mm/dd only
    not_year_first: dict[tuple[str, int], str] = {}  # its first cell yy/mm/dd cannot read
    not_year_cells: dict[tuple[str, int], list[str]] = {}  # and all of them
    odd_cells: dict[tuple[str, int], list[str]] = {}  # the cells read yy/mm/dd only
    plain: dict[tuple[str, int], str] = {}  # a 2-digit year's group: its first other cell
    sizes: dict[tuple[str, int], int] = {}  # and how many cells it has
    # the cells of each column showing an order, and how many cells each group has
    showing: dict[tuple[str, int, str, str], list[str]] = {}
    group_cells: Counter[tuple[str, int, str]] = Counter()
    # per separator: the columns of 2-digit-year cells, and of 4-digit year-first ones
    two_digit: dict[str, set[str]] = {}
    wide_first: dict[str, Counter[str]] = {}  # (how many per column)
    wide_late: dict[str, Counter[str]] = {}  # and of 4-digit ones written day / month first
    for column in columns:
        for value in (fold_wide(str(v)).strip() for v in (samples or {}).get(column, ())
                      if not isinstance(v, TypedDate) and str(v).strip()):
            if is_zero_date_text(value):
                seen, zero = True, zero or value
                continue
            if impossible_date(value):  # '2024-13-01', 'Feb 30, 2026' (x46r12 F8: an
                seen = True  # ISO one was passed over as read, and named in no TODO)
                impossible[value] = None
                continue
            if _NUMBER.fullmatch(value) or _ISO_SAMPLE.fullmatch(value):
                seen = True
                if not _NUMBER.fullmatch(value):
                    wide_first.setdefault("-", Counter())[column] += 1
                continue
            found = _DMY.fullmatch(value)
            if found is None:  # x25r2 F8: "31-Mar-2026", "Mar 31, 2026": no pattern proposed
                if (other := _other_date_format(value)) is not None:
                    seen = True
                    named[other] = None
                    if other.startswith("%Y"):  # '2026/03/31', '2026.03.31'
                        wide_first.setdefault(other[2], Counter())[column] += 1
                continue
            seen = True
            first, sep, second, year, between, clock, seconds, meridiem = found.groups()
            if _no_date(value) and not (len(year) == 2 and real_ymd(
                    int(first), int(second), int(year))):  # '31/02/2026': no day either
                impossible[value] = None  # way, evidence of no order (x46r7 F3: it was
                continue  # the "cannot tell" example)
            if len(year) == 2:
                sizes[(sep, 2)] = sizes.get((sep, 2), 0) + 1
                two_digit.setdefault(sep, set()).add(column)
            if _no_date(value):  # '30/02/06', '37-04-23': year first only (x50r8 F2, F3)
                only_year_first.setdefault((sep, 2), value)
                odd_cells.setdefault((sep, 2), []).append(value)
                where.setdefault((sep, 2, "?"), column)
                examples.setdefault((sep, 2, "?"), value)
                orders.setdefault((sep, 2), set())
                times.setdefault((sep, 2), {})[_time_pattern(
                    between, clock, seconds, meridiem)] = None
                continue
            if len(year) == 4:  # written day or month first: not year first (x52r6 F6)
                wide_late.setdefault(sep, Counter())[column] += 1
            if len(year) == 2:  # every cell read year first too? (x50r3 F3: 24/08/25)
                plain.setdefault((sep, 2), value)
                year_first[(sep, 2)] = year_first.get((sep, 2), True) and real_ymd(
                    int(first), int(second), int(year))
                if not real_ymd(int(first), int(second), int(year)):
                    not_year_first.setdefault((sep, 2), value)
                    not_year_cells.setdefault((sep, 2), []).append(value)
            group = orders.setdefault((sep, len(year)), set())
            group_cells[(sep, len(year), column)] += 1
            times.setdefault((sep, len(year)), {})[_time_pattern(
                between, clock, seconds, meridiem)] = None
            examples.setdefault((sep, len(year), "?"), value)  # one the file has
            where.setdefault((sep, len(year), "?"), column)
            tells: list[str] = []
            for order, number in (("dm", first), ("md", second)):
                # a day no month has in that order is evidence of nothing (x31r1 3:
                # "31/02/2026", no date either way, asked for a day/month order)
                if int(number) > 12 and _real_date(first, second, year, order):
                    group.add(order)
                    tells.append(order)
                    examples.setdefault((sep, len(year), order), value)
                    showing.setdefault((sep, len(year), order, column), []).append(value)
                    where.setdefault((sep, len(year), order), column)
            groups.setdefault(sep, DateGroup()).add(
                column, value, f"%d{sep}%m{sep}{'%Y' if len(year) == 4 else '%y'}",
                _time_pattern(between, clock, seconds, meridiem), tells)
    # XLSX date cells are no evidence of a pattern, but a word beside them ('TBD') fails
    # its row as among CSV dates (x48r12 F4: header on row 3, 5 % 'TBD': no TODO)
    seen = seen or (any(isinstance(v, TypedDate) for column in columns
                       for v in (samples or {}).get(column, ())) and any(
        not _dateish(v) for column in columns for v in _sampled(samples, column)))
    if not seen:
        return None
    typos: dict[str, None] = {}
    odd_count = 0
    for key, odd in odd_cells.items():  # a typo or two decide nothing (x51r2 F4: one
        if _real_share(len(odd), sizes[key]):  # '30/02/06' in 300 dd/mm/yy cells proposed
            continue  # year first, 273 of 299 written wrong): named to fix, the rest judged
        if all(_real_share(wide_first.get(key[0], Counter())[c], len(_sampled(samples, c)))
               for c in two_digit.get(key[0], ())):  # their columns' 4-digit cells are
            continue  # written year first: they agree (x52r6: '31/09/02' a "typo" beside them)
        typos.update(dict.fromkeys(odd))
        odd_count += len(odd)
        del only_year_first[key]
        if key not in plain:
            del orders[key]
        elif examples.get((*key, "?")) in odd:
            examples[(*key, "?")] = plain[key]
    formats: list[str] = []
    todo: list[str] = []
    untold: list[tuple[str, int]] = []

    def order_cell(sep: str, digits: int, order: str) -> tuple[str, str]:
        # the column and cell of a group's order, or of any of its cells when the order
        # came from ``told``, no cell showing it (x50r8 F1: KeyError ('/', 2, 'dm') in
        # the plan's hint of ``03/05/27`` told "%d/%m/%Y")
        key = (sep, digits, order) if (sep, digits, order) in where else (sep, digits, "?")
        return where[key], examples[key]

    for (sep, digits), found_orders in orders.items():
        year = "%Y" if digits == 4 else "%y"
        day_first, month_first = f"%d{sep}%m{sep}{year}", f"%m{sep}%d{sep}{year}"
        clocks = times.get((sep, digits)) or {"": None}
        if len(clocks) == 1 and "" not in clocks:  # the TODOs name the patterns with it
            day_first, month_first = (day_first + next(iter(clocks)),
                                      month_first + next(iter(clocks)))
            clocks = {"": None}
        if (sep, digits) in only_year_first and year_first.get((sep, digits), True):
            # a cell only year first reads, every other read so too: year first
            formats += [year_first_pattern(day_first) + clock for clock in clocks]
            continue
        if digits == 2 and year_first.get((sep, 2), True) and all(_real_share(
                wide_first.get(sep, Counter())[c], len(_sampled(samples, c)))
                for c in two_digit.get(sep, ())):
            # every cell reads year first, and its column's 4-digit cells are written so
            # ('2026/03/31' beside '05/06/07'; a share of it, not a stray cell: 3 or 2 %):
            # one order whatever the year's width
            # (x51r11 F1: the TODO offered day or month first, 140 of 150 written wrong)
            formats += [year_first_pattern(day_first) + clock for clock in clocks]
            continue
        if (sep, digits) in only_year_first and not _real_share(
                len(not_year_cells[(sep, digits)]), sizes[(sep, digits)]):
            # one or two cells of another order beside a year-first column: typos, as
            # the mirror case's (x51r11 F3: 150 year-first cells and one '08/10/43'
            # got date_formats = [] and 300 of 300 rows failed)
            formats += [year_first_pattern(day_first) + clock for clock in clocks]
            odd = not_year_cells[(sep, digits)]
            todo.append(f"the sampled date(s) {', '.join(repr(v) for v in odd[:3])} of "
                        f"column {where[(sep, digits, '?')]!r} do not read year first as "
                        f"its other cells do ({len(odd)} of them: a typo?): their rows fail "
                        "as \"not a date\" until they are fixed in the file")
            continue
        if (sep, digits) in only_year_first:  # beside cells year first does not read
            todo.append(f"the sampled dates of column {where[(sep, digits, '?')]!r} are "
                        f"written both year first ({only_year_first[(sep, digits)]!r} "
                        f"reads only so) and not ({not_year_first[(sep, digits)]!r}): fix "
                        "the cells written the other way")
            continue
        if not found_orders and (decided := next(  # an order given for them (a field's
                (f for f in told if "%d" in f and "%m" in f  # list: the plan's hint)
                 and order_family(f) == order_family(day_first)), None)) is not None:
            found_orders = {"dm" if decided.index("%d") < decided.index("%m") else "md"}
        if found_orders == {"dm"} and year_first.get((sep, digits)) and not (
                digits == 2 and orders.get((sep, 4), set()) <= {"dm"} and all(
                    _real_share(wide_late.get(sep, Counter())[c], len(_sampled(samples, c)))
                    for c in two_digit.get(sep, ()))):
            # its first number above 12 may be the year (24/08/25): no order taken, unless
            # its columns' 4-digit cells are a share written day first (x52r6 F6:
            # '17.01.31' beside '25.03.2024' was asked "day first or year first")
            column, example = order_cell(sep, digits, "dm")
            todo.append(f"the sampled dates of column {column!r} (like {example!r}) cannot "
                        f"tell day first from year first: list {day_first!r} or "
                        f"{year_first_pattern(day_first)!r}")
        elif found_orders == {"dm"}:
            formats += [day_first + clock for clock in clocks]
        elif found_orders == {"md"}:
            formats += [month_first + clock for clock in clocks]
        elif found_orders:
            (dm, dm_cell), (md, md_cell) = (order_cell(sep, digits, "dm"),
                                            order_cell(sep, digits, "md"))
            if dm != md:  # two columns, each in its own order (x15r2 5: one TODO mixed them)
                pass  # said below, with each column's forms
            elif (kept := _typo_order(showing, group_cells, sep, digits, dm)) is not None:
                # one or two cells of the other order beside a share of its own: typos, as
                # a year-first column's (round 9: "list the right one of '%d/%m/%y' /
                # '%m/%d/%y'" offered day first first for 99 month-first cells)
                keep, strays = kept
                formats += [(day_first if keep == "dm" else month_first) + clock
                            for clock in clocks]
                said = {"dm": "day first", "md": "month first"}
                todo.append(
                    f"the sampled date(s) {', '.join(repr(v) for v in strays[:3])} of column "
                    f"{dm!r} read only {said['md' if keep == 'dm' else 'dm']}, its other "
                    f"cells {said[keep]} ({len(strays)} of them: a typo?): their rows fail as "
                    "\"not a date\" and its cells that read both ways are refused as "
                    "ambiguous until they are fixed in the file")
            else:
                todo.append(f"the sampled dates of column {dm!r} show both orders ("
                            f"{dm_cell!r} day first, {md_cell!r} month first): list the "
                            f"right one of {day_first!r} / {month_first!r}")
        else:
            untold.append((sep, digits))
    # columns of opposite orders, whatever their years' widths ('25/03/2026' and
    # '03/25/27': the schema refuses both orders in one list): no pattern of their
    # separator under [defaults]; one order given its own formats, column by column
    opposite = {order_family(f"%d{sep}%m{sep}%Y") for sep, g in groups.items()
                if g.columns("dm") and g.columns("md")}
    formats = [f for f in formats if order_family(f) not in opposite]
    formats += list(named)

    def others(family: str) -> OtherForms:
        # a field's own formats replace [defaults] for it: the forms of other families its
        # cells are written in come along (a '31-Mar-2026' of the same column)
        return lambda column: [f for f in formats if order_family(f) != family and any(
            _strptime_reads(v, f) for v in _sampled(samples, column))]
    # each column named with every form it is written in, times too (x49r12 F2: "list
    # '%d/%m/%Y'" for cells of '03/12/2027 09:30' failed every row with a time)
    todo += [opposite_todo(g, others(family)) for sep, g in groups.items()
             if (family := order_family(f"%d{sep}%m{sep}%Y")) in opposite]
    for sep in dict.fromkeys(sep for sep, _ in untold):  # either width: one list, one order
        widths = {"%Y" if digits == 4 else "%y" for s, digits in untold if s == sep}
        family = order_family(f"%d{sep}%m{sep}%Y")
        same = next((f for f in formats if "%d" in f and "%m" in f
                     and order_family(f) == family), None)
        cells = groups[sep]
        todo += untold_todos(cells, [c for c, bases in cells.times.items()
                                     if any(b[-2:] in widths for b in bases)],
                             widths, same, others(family), family in opposite,
                             year_first.get((sep, 2), False))
    unread_all = list(dict.fromkeys(
        v for column in columns for v in _sampled(samples, column)
        if not _NUMBER.fullmatch(v) and not is_zero_date_text(v) and not _reads(v, formats)))
    # words and quarters ('TBD', 'n/a', 'Q3', 'Q3 2026'): no pattern to add; counted in
    # one TODO whatever else the samples show (x48r12 F1: 'Q3' among ISO dates had none,
    # and hid the TODO of 'TBD'; x48r4 F1: among day-first ones "add a pattern")
    own = set(own)
    serials: dict[str, list[str]] = {}  # token -> the numbers it reads, a share of columns
    for column in columns:  # numbers a minority of a column of text dates (x49r3 F2)
        values = _sampled(samples, column)
        numbers = [v for v in values if _NUMBER.fullmatch(v)]
        if column not in own and numbers and 2 * len(numbers) < len(values):
            token = _numbers_token(numbers, None) if _real_share(
                len(numbers), len(values)) else None
            serials.setdefault(token or "", []).extend(numbers)
    # Excel serials (or epochs), a share of their column, keep their token under
    # [defaults] when no other such column's numbers disagree (x51r2 F3: a column of no
    # order told fell to this list and its 40 serials were "no date ... fix them")
    if len(serials) == 1 and "" not in serials:
        formats += [t for t in serials if t not in formats]
    else:
        for numbers in serials.values():
            unread_all += [v for v in dict.fromkeys(numbers) if v not in unread_all]
    # a month's name in another language ('3 mars 2026'): no pattern reads it (%B is
    # English), counted with the words in one TODO (x49r3 F3: "add a pattern" for one cell)
    foreign = {v: None for v in unread_all if _foreign_month(v)}
    words = [v for v in unread_all if not _dateish(v) or v in foreign]
    # beside words, impossible dates are counted in their TODO: one per column (x49r3 F7)
    bad_days = [v for v in unread_all if words and _dateish(v) and v not in foreign and (
        _no_such_day(v, formats) or _no_date(v) or impossible_date(v))]
    if not todo:  # every sampled date must read by what is proposed (or ISO 8601)
        unread = next((v for v in unread_all if _dateish(v) and v not in foreign
                       and v not in bad_days and v not in typos), None)  # (x51r11 F3: a
        # typo read only year first was called impossible too, beside its own TODO)
        if unread is not None and (_no_such_day(unread, formats) or _no_date(unread)
                                   or impossible_date(unread)):
            # x23r1 F4: "2026-02-30" was told to "add a pattern": none can read it
            why = ("does not exist (no such day in its month)"
                   if _no_such_day(unread, formats)
                   else f"is an impossible date ({_no_day_words([unread])})")
            todo.append(f"the sampled date {unread!r} {why}: no pattern can read it: fix "
                        "it in the file (its row fails as \"not a date\" until then)")
            impossible.pop(unread, None)
        elif unread is not None and formats:  # v10r13 M3: '04/30/2026 09:00' failed the proposed pattern
            todo.append(f"the sampled date {unread!r} is read by none of "
                        f"{', '.join(repr(f) for f in formats)}: add a pattern that reads it "
                        "(e.g. with %H:%M for a time)")
    if words:
        todo.append(_no_date_todo([*words, *bad_days], rows, columns, foreign, bad_days))
        for v in bad_days:
            impossible.pop(v, None)
    if impossible:  # those no TODO above named (beside one of an order the samples
        # cannot tell, say): the import fails each as "not a date"
        shown = ", ".join(repr(v) for v in list(impossible)[:3]) + (
            ", …" if len(impossible) > 3 else "")
        todo.append(f"the sampled date(s) {shown} are impossible dates "
                    f"({_no_day_words(impossible)}): no pattern can read them, and the "
                    "import fails their rows as \"not a date\": fix them in the file")
    if typos:  # too few to tell the order (x51r2 F4): each fails its row until fixed
        shown = ", ".join(repr(v) for v in list(typos)[:3]) + (", …" if len(typos) > 3 else "")
        todo.append(f"the sampled date(s) {shown} read only with the year first ({odd_count} "
                    "of the column's cells: too few to tell its order; a typo?): their rows "
                    "fail as \"not a date\" and the other cells read both ways are refused "
                    "as ambiguous until they are fixed in the file")
    if zero is not None:
        todo.append(f"the sampled date {zero!r} is {ZERO_DATE} (no pattern reads it; its "
                    "row fails until then)")
    return formats, todo, named


def _typo_order(showing: MappingABC[tuple[str, int, str, str], Sequence[str]],
                group_cells: MappingABC[tuple[str, int, str], int], sep: str, digits: int,
                column: str) -> tuple[str, list[str]] | None:
    """The order (``"dm"`` / ``"md"``) a share of ``column``'s cells of ``sep`` and
    ``digits`` show (``_real_share``), and the cells that show the other order when they
    are too few to be one (a typo or two); None when both or neither are a share."""
    total = group_cells.get((sep, digits, column), 0)
    dm, md = (list(showing.get((sep, digits, o, column), ())) for o in ("dm", "md"))
    if _real_share(len(dm), total) and not _real_share(len(md), total) and md:
        return "dm", md
    if _real_share(len(md), total) and not _real_share(len(dm), total) and dm:
        return "md", dm
    return None


# a date's shape: numbers with a separator (31/02/2026, 2026-13-01; spaces too, three
# numbers alone: '26 09 33', x52r6 F5), or a month's name beside a day (30-Feb-2026, Feb
# 30); a word or a quarter ('Q3 2026') has none
_DATEISH = re.compile(r"\d[-/.]\d|^\d{1,4} \d{1,2} \d{2,4}(?:[ T]\d|$)|\d{1,2}[-/. ]+[A-Za-z]{3}"
                      r"|[A-Za-z]{3}[a-z]*\.?[- ]\d{1,2}\b")


def _dateish(value: str) -> bool:
    """Whether ``value`` is written as a date (``_DATEISH``), read or not."""
    return _DATEISH.search(value) is not None


# a weekday's name may come first (``mardi 26 janvier 2027``, ``segunda-feira, 3 de …``:
# y54r2 F6, its TODO was "add a pattern … with %H:%M for a time", 9 of 9 locales)
_FOREIGN_MONTH = re.compile(r"(?:[^\W\d_]+(?:-[^\W\d_]+)?\.?,?\s+)?(?:"
                            r"\d{1,2}\.?\s+(?:de\s+)?([^\W\d_]{3,})\.?,?\s+(?:de\s+)?\d{2,4}"
                            r"|([^\W\d_]{3,})\.?\s+\d{1,2},?\s+\d{4})")
_ENGLISH_MONTHS = {m.lower() for m in (*calendar.month_name[1:], *calendar.month_abbr[1:])}


def _locale_dates(samples: MappingABC[str, Sequence[str]] | None,
                  date_columns: Sequence[str], column_formats: dict[str, list[str]]
                  ) -> tuple[list[str], dict[str, str], str | None]:
    """The ``date_locale`` of the date columns most of whose sampled cells name a month in
    another language (``locale_dates``; y54r2 F6): its ``[defaults]`` lines, the TODO of
    each such column when it cannot be told, and the locale; each column read under it
    gets its own formats in ``column_formats``."""
    # cells a pattern of digits reads without any locale ('2026年7月2日' beside
    # '2026年七月2日'): read by it, listed beside the locale's patterns by the share each
    # reads (v56r1 F4: the column got the digit pattern alone, its other cells called
    # unreadable by any pattern)
    plain: dict[str, Counter[str]] = {}
    named: dict[str, Sequence[str]] = {}
    for column in date_columns:
        cells = _sampled(samples, column)
        if column in column_formats or not cells or not any(map(_foreign_month, cells)):
            continue
        forms = Counter(f for v in cells if (f := _digit_form(v)) is not None)
        kept = Counter({f: n for f, n in forms.items() if _real_share(n, len(cells))})
        unread = sum(1 for v in cells if _unread_name(v))
        if 2 * unread >= len(cells) or (kept and 2 * unread >= len(cells) - kept.total()
                                        and _real_share(unread, len(cells))):
            plain[column] = kept
            named[column] = [v for v in cells if _digit_form(v) not in kept]
    lines, todos, locale, formats = locale_dates(
        named, {c: _sampled(samples, c) for c in date_columns if c not in named})
    for column, own in formats.items():
        if not plain.get(column):
            continue
        read = sum(1 for v in named[column] if _reads(v, own, locale))
        shares = [(read, own), *((n, [f]) for f, n in plain[column].most_common())]
        formats[column] = [f for _, fs in sorted(shares, key=lambda s: -s[0]) for f in fs]
    column_formats.update(formats)
    return lines, todos, locale


def _digit_form(value: str) -> str | None:
    """The pattern of ``_OTHER_DATES`` that reads ``value`` with its month in digits
    (``%Y年%m月%d日``, ``%Y/%m/%d``): one no date_locale changes."""
    found = _other_date_format(value)
    return found if found is not None and not re.search(r"%[aAbBp]", found) else None


def _unread_name(value: str) -> bool:
    """Whether ``value`` is written as a date with a month's name (a weekday's before it)
    that no English pattern reads (``Montag 13. September 2027``, ``3 mars 2026``), or in
    a script of its own that no pattern reads without a locale (``2026年七月2日``,
    ``2026년7월2일``: ``_script_date``)."""
    if _script_date(value):
        return not _reads(value, LOCALE_PATTERNS) and _other_date_format(value) is None
    return _FOREIGN_MONTH.fullmatch(value) is not None and not _reads(value, LOCALE_PATTERNS)


def _script_date(value: str) -> bool:
    """Whether ``value`` may be a date whose month is named in a script other than Latin,
    its words and numbers written with or without spaces (``2026年七月2日``,
    ``2026년7월2일``, ``5 มกราคม 2026``; v56r1 F4: ``_FOREIGN_MONTH`` wants a space around
    the name, and init-mapping proposed no date_locale for them): a digit, a letter of
    such a script, no Latin letter, at most 80 characters."""
    return (len(value) <= 80 and any(c.isdigit() for c in value)
            and not any(c.isascii() and c.isalpha() for c in value)
            and any(not c.isascii() and c.isalpha() and not _latin(c) for c in value))


def _latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def _foreign_month(value: str) -> bool:
    """Whether ``value`` is a date written with a month's name that is no English one
    (``3 mars 2026``, ``März 3, 2026``): strptime's ``%B`` / ``%b`` read English only; or
    one in a script of its own (``_script_date``: ``2026年七月2日``)."""
    found = _FOREIGN_MONTH.fullmatch(value)
    if found is None:
        return _script_date(value)
    word = (found[1] or found[2]).lower()
    # an abbreviation that looks English but is written as German or French write it
    # (``1. Apr. 2027``, ``12 sept. 2027``, ``9 nov. 2025``: x51r2 F6, none counted): a dot
    # after it, or ``sept``, no English pattern proposed reads
    dotted = value[found.end(1 if found[1] else 2):].startswith(".")
    return word not in _ENGLISH_MONTHS or word == "sept" or dotted


def _no_date_todo(words: Sequence[str], rows: Sequence[MappingABC[str, object]],
                  columns: Sequence[str], foreign: Iterable[str] = (),
                  bad_days: Iterable[str] = ()) -> str:
    """The one TODO naming the sampled ``words`` (values written as no date: ``TBD``,
    ``Q3``; ``foreign``: those naming a month in another language; ``bad_days``: those
    that are no day of the calendar, ``31/02/2026``), with the sampled ``rows`` whose
    cell of ``columns`` holds one (none counted when no rows were given): the rows the plan
    fails as "not a date", of the rows with a value in the columns holding them (x49r12
    F3: "200 of the 300": the denominator was any date column's, and the foreign months
    counted as 5 distinct values, not 200 rows)."""
    shown = ", ".join(repr(v) for v in words[:4]) + (", …" if len(words) > 4 else "")
    held = set(words)
    columns = [c for c in columns if any(str(r.get(c) or "").strip() in held for r in rows)]
    cells = [[str(row.get(c) or "").strip() for c in columns] for row in rows]
    failing = sum(1 for row in cells if any(cell in held for cell in row))
    valued = sum(1 for row in cells if any(row))
    where = (f", in {failing:,} of the {valued:,} sampled rows with a value in "
             f"{' or '.join(repr(c) for c in columns)}" if failing else "")
    if named := [w for w in words if w in set(foreign)]:
        others = [w for w in words if w not in named]
        also = (f" ({', '.join(repr(v) for v in others[:4])}{', …' if len(others) > 4 else ''}"
                " are no date: a quarter, a word or a number alone is no day)" if others else "")
        if failing:  # rows, as counted above
            months = sum(1 for row in cells if any(cell in set(named) for cell in row))
            how_many = f"all {months:,}" if months == failing else f"{months:,} of them"
        else:
            how_many = f"{len(named)} of them"
        # the language and patterns that read them, when one does (v56r1 F4: '2026年七月2日'
        # was told "e.g. '%d %B %Y'" under "fr")
        choice = locale_choice({"": named[:12]})
        found = choice.formats.get("") if choice is not None and choice.locale else None
        told = (f"set date_locale = \"{choice.locale}\" under [defaults] with a pattern "
                f"that reads them ({', '.join(map(repr, found))})"
                if choice is not None and found and not choice.unread else
                "set date_locale = \"fr\" (their language's CLDR code) under [defaults] "
                "with a pattern that reads them (e.g. '%d %B %Y')")
        return (f"the sampled values {shown} are no date the proposed patterns read{where}: "
                f"{how_many} name the month in another language (strptime's %B "
                f"and %b read English names only){also}: {told}, or write them in the file "
                "as its other dates are written (their rows fail as \"not a date\" until "
                "then)")
    if len(words) == 1:
        return (f"the sampled value {shown} is no date{where}: no pattern can read it: fix "
                "it in the file (its rows fail as \"not a date\" until then)")
    kinds = ("a quarter, a word or a number alone" if any(_NUMBER.fullmatch(v) for v in words)
             else "a quarter or a word")
    if days := [w for w in words if w in set(bad_days)]:
        kinds += (f"; {', '.join(repr(v) for v in days[:3])}{', …' if len(days) > 3 else ''}"
                  " no day of the calendar")
    return (f"the sampled values {shown} are no date{where}: no pattern can read them ("
            f"{kinds} is no day): fix them in the file (their rows fail as \"not a "
            "date\" until then)")


# the count of rows a TODO says (``_no_date_todo``), with the columns named after it
_QUOTED = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_SAMPLED_ROWS = re.compile(rf" sampled rows with a value(?: in {_QUOTED}(?: or {_QUOTED})*)?")


def _real_date(first: str, second: str, year: str, order: str) -> bool:
    """Whether a sampled ``first/second/year`` is a day of the calendar read in ``order``
    (``"dm"``: day first; ``"md"``: month first); a 2-digit year as strptime reads it."""
    day, month = (first, second) if order == "dm" else (second, first)
    full = int(year) if len(year) == 4 else int(year) + (1900 if int(year) >= 69 else 2000)
    try:
        date(full, int(month), int(day))
    except ValueError:
        return False
    return True


def _no_day_words(values: Iterable[str]) -> str:
    """Why ``values`` (impossible dates) read as no day: in either order for those written
    day / month first (``31/02/2026``), else no such day or month (``2024-13-01``)."""
    return ("no such day, read day first or month first" if all(_no_date(v) for v in values)
            else "no such day or month")


def _no_date(value: str) -> bool:
    """Whether ``value`` is written as a numeric date (``31/02/2026``) that reads as no
    day of the calendar, day first or month first: no pattern can read it."""
    found = _DMY.fullmatch(value)
    return found is not None and not any(
        _real_date(found[1], found[3], found[4], order) for order in ("dm", "md"))


def _no_such_day(value: str, formats: Sequence[str]) -> bool:
    """Whether ``value`` is written as one of ``formats`` (or ISO 8601) but names a day its
    month does not have (``2026-02-30``): strptime's "out of range" for it."""
    for fmt in (*(f for f in formats if f not in tf.DATE_TOKENS), "%Y-%m-%d"):
        try:
            datetime.strptime(value, fmt)
        except ValueError as exc:
            if "out of range" in str(exc):
                return True
    return False


def _time_pattern(between: str | None, clock: str | None, seconds: str | None,
                  meridiem: str | None) -> str:
    """The strptime pattern of the time a sampled date has after it ("" for none):
    `` %H:%M``, `` %H:%M:%S``, `` %I:%M %p``..."""
    if not clock:
        return ""
    pattern = ("%I" if meridiem else "%H") + ":%M" + (":%S" if seconds else "")
    if meridiem:
        pattern += (" " if meridiem[0].isspace() else "") + "%p"
    return (between or " ") + pattern


def _reads(value: str, formats: Sequence[str], locale: str | None = None) -> bool:
    """Whether ``value`` reads as a date by ``formats`` (or as ISO 8601; under
    ``locale``, its month and weekday names)."""
    try:
        return tf.parse_date(value, formats, locale=locale) is not None
    except InputError:
        return False


class TypedSample(str):
    """A sampled cell that was a typed number (an XLSX or JSON number), as its text: read
    for fractions, serials and ids, never as evidence of a decimal mark (a typed number
    carries no mark: ``12.5`` is Python's text, not the file's)."""

    __slots__ = ()


class TypedDate(TypedSample):
    """A sampled cell that was a typed date (an XLSX date cell), as ISO text
    (``2027-11-10``, ``2027-11-10 10:30:00``): read as a CSV's date text is by every check
    of dates (future close dates, filled columns), but no evidence of a date pattern — the
    reader takes the cell as it is (x47r3 F4)."""

    __slots__ = ()


def sample_text(value: object) -> object:
    """A cell as init-mapping's checks read it: JSON / XLSX numbers as ``TypedSample``
    (probabilities as fractions, never a decimal mark), XLSX dates and times as
    ``TypedDate`` ISO text (a midnight date as its day alone, as a CSV writes it); any
    other cell as it is."""
    if isinstance(value, int | float | JsonNumber | CurrencyNumber) \
            and not isinstance(value, bool):
        return TypedSample(value)
    if isinstance(value, datetime) and value.time() == dt_time(0) and value.tzinfo is None:
        return TypedDate(value.date().isoformat())
    if isinstance(value, datetime | date | dt_time):
        return TypedDate(value.isoformat(sep=" ") if isinstance(value, datetime)
                         else value.isoformat())
    return value


def _column_marks(samples: MappingABC[str, Sequence[str]] | None,
                  column: str) -> tuple[dict[str, str], dict[str, str]]:
    """One column's text cells: ({mark it shows: example}, {separator: ambiguous
    example (``1.500``)}); typed numbers (``TypedSample``) are not looked at."""
    marks: dict[str, str] = {}
    unclear: dict[str, str] = {}
    for raw in (samples or {}).get(column, ()):
        value = str(raw).strip()
        if isinstance(raw, TypedSample) or not value:
            continue
        # full-width marks as the reader folds them (y54r2 F5: the full-width 873,787 lost its
        # comma here, so no cell was ambiguous and "auto" failed 60 of 60 rows)
        num = re.sub(r"[^\d.,]", "", fold_wide(value)).strip(".,")
        mark, ambiguous = tf.decimal_evidence(num)
        if mark is not None:
            marks.setdefault(mark, value)
        elif ambiguous:
            unclear.setdefault("." if "." in num else ",", value)
    return marks, unclear


def _contest(samples: MappingABC[str, Sequence[str]] | None, column: str) -> str | None:
    """Why the sampled text cells of ``column`` contest its decimal mark
    (``tf.ColumnDecimal.contest``), else None."""
    record = tf.ColumnDecimal()
    record.start()
    for raw in (samples or {}).get(column, ()):
        value = str(raw).strip()
        num = re.sub(r"[^\d.,]", "", fold_wide(value)).strip(".,")
        if not isinstance(raw, TypedSample) and num:
            record.see(num, value)
            record.commit()  # the digits alone: a sample is evidence as written
    record.decide()
    return record.contest()


def _decimal_line(samples: MappingABC[str, Sequence[str]] | None,
                  columns: Sequence[str]) -> list[str]:
    """``_decimal_proposal``, checked: a proposed ``decimal`` under which a sampled text
    amount of one of ``columns`` fails as an ambiguous number (``ambiguous_cells``) is
    withdrawn — a TODO naming the column, the count and a cell, ``decimal`` commented out
    (y54r2 F5: no proposal may fail the cells it was made from)."""
    lines = _decimal_proposal(samples, columns)
    found = re.match(r'decimal = "(auto|\.|,)"', lines[0]) if lines else None
    if found is None:
        return lines
    proposed = found[1]
    for column in columns:
        cells = [str(v) for v in (samples or {}).get(column, ())
                 if not isinstance(v, TypedSample) and str(v).strip()]
        if (failing := ambiguous_cells(cells, proposed)) is None:
            continue
        count, total, cell = failing
        return [f"# TODO: {count} of the {total} sampled amounts of column {column!r} "
                f"fail as an ambiguous number under decimal = {_toml_str(proposed)} (like "
                f"{cell!r}: a thousands group or a fraction, and no cell of the column "
                'shows its decimal mark): set decimal = "," or ".", then delete this line',
                f"# decimal = {_toml_str('.' if proposed == ',' else ',')}"]
    return lines


def _decimal_proposal(samples: MappingABC[str, Sequence[str]] | None,
                      columns: Sequence[str]) -> list[str]:
    """``[defaults] decimal`` from the sampled text amounts of ``columns``, each column on
    its own evidence (issue 10 F2: one column's ``12.5`` never decides another's
    ``1.500``): the one mark every column that shows one shows (when every column with
    an ambiguous cell, ``1.234``, shows it too); ``"auto"`` (decided per column) when
    columns differ but each ambiguous one shows its own mark; a TODO when a column holds
    ambiguous cells and shows no mark of its own, or shows both marks. Typed numbers
    (``TypedSample``) are never evidence."""
    per_column = {column: _column_marks(samples, column) for column in columns}
    marks: dict[str, str] = {}
    for column_marks, _ in per_column.values():
        for mark, example in column_marks.items():
            marks.setdefault(mark, example)
    for column, (column_marks, unclear) in per_column.items():
        if not unclear:
            continue
        example = next(iter(unclear.values()))
        if len(column_marks) == 2:
            return [f"# TODO: the sampled amounts write both {column_marks[',']!r} and "
                    f"{column_marks['.']!r} in {column!r}, so {example!r} cannot be read: "
                    "set decimal = \",\" or \".\" (or fix the file), then delete "
                    "this line", '# decimal = ","']
        if not column_marks:  # "auto" would fail these rows; another column cannot tell
            sep = next(iter(unclear))
            whole = "a decimal-comma file" if sep == "." else "a US file"
            return [f"# TODO: is {example!r} a whole number ({whole}) or a fraction "
                    f"(column {column!r})? no sampled amount of {column!r} shows the decimal mark: set "
                    'decimal = "," or ".", then delete this line',
                    f"# decimal = {_toml_str(',' if sep == '.' else '.')}"]
    for column in columns:
        why = _contest(samples, column)
        if why is not None:  # v10r9 S4: one "0,5" among "1,000" … "20,000"
            proposed = next(iter(per_column[column][0]))
            return [f"# TODO: the decimal mark of column {column!r} is contested: {why}; "
                    "then delete this line", f"# decimal = {_toml_str(proposed)}"]
    if len(marks) == 2:  # each ambiguous cell's column shows its own one mark
        return [f'decimal = "auto"  # the sampled amounts use both marks '
                f"({marks[',']!r}, {marks['.']!r}); \"auto\" decides per column"]
    if marks:
        mark, example = next(iter(marks.items()))
        return [f"decimal = {_toml_str(mark)}  # the sampled amounts write {mark!r} as the "
                f"decimal mark ({example!r})"]
    return ['decimal = "auto"  # or "." / ","']


def _currency_lines(samples: MappingABC[str, Sequence[str]] | None,
                    column: str | None) -> list[str]:
    """``[defaults] currency``: commented, unless the sampled amounts of the deal's value
    ``column`` (with no currency column) name a currency in some cells and none in others
    (x25r2 F1: ``1.234,56 €`` beside ``500,00``): the one currency the named ones agree on
    is proposed, for the others would be refused (``jobs.mapping.mixed_currency``); cells
    naming several currencies give a TODO. Amounts that all name one currency propose it
    too: a blank amount's deal then takes it, not the company's."""
    named: dict[str, str] = {}
    plain = None
    for value in _sampled(samples, column) if column else ():
        try:
            money = tf.parse_money(value, undecided=True)
        except InputError:
            continue
        if money is None:
            continue
        code = money.currency or "/".join(tf.currency_choices(money))
        if code:
            named.setdefault(code, value)
        else:
            plain = plain or value
    if len(named) == 1 and not plain and len(code := next(iter(named))) == 3:
        # x41r3 L7: an all-EUR file's blank amount took the company's USD, and the
        # starter proposed USD: the one currency every sampled amount names is proposed
        return [f"currency = {_toml_str(code)}  # every sampled amount of {column!r} names "
                f"{code} ({named[code]!r}): a row with a blank amount is a {code} deal "
                "too (else the company's currency); check it"]
    if not (named and plain):
        return ['# currency = "USD"  # when a cell has no currency']
    if len(named) == 1 and len(code := next(iter(named))) == 3:
        return [f"currency = {_toml_str(code)}  # some amounts of {column!r} name {code} "
                f"({named[code]!r}), others none ({plain!r}): they are taken as {code}; "
                "check it"]
    return [f"# TODO: some amounts of {column!r} name a currency ("
            + ", ".join(f"{c} {v!r}" for c, v in named.items()) + f"), others none "
            f"({plain!r}): set the currency those are in, then delete this line",
            '# currency = "USD"  # when a cell has no currency']


_MULTI_SEPARATORS = (";", ",", "|")


def _has_option(field: DealField, label: str) -> bool:
    try:
        field.option(label)
    except InputError:
        return False
    return True


def _chosen_separator(samples: MappingABC[str, Sequence[str]] | None,
                      columns: Sequence[str]) -> str | None:
    """The separator ``_separator_line`` writes: the one mark the samples show, ";" when
    they show none, None when they show several (its TODO asks which)."""
    seen = [mark for mark in _MULTI_SEPARATORS
            if any(mark in value for column in columns for value in _sampled(samples, column))]
    return seen[0] if len(seen) == 1 else None if seen else ";"


def _separator_line(samples: MappingABC[str, Sequence[str]] | None,
                    columns: Sequence[str]) -> str:
    """``[defaults] separator`` from the sampled cells of the multi-option columns (label,
    set custom fields): the one mark they split at (Pipedrive's own export joins options
    with ``, ``: x20r2 F7, where ``;`` was written for it and every row failed on an option
    ``CRM, Email``); a TODO when they show two, ``;`` when none."""
    seen = [mark for mark in _MULTI_SEPARATORS
            if any(mark in value for column in columns for value in _sampled(samples, column))]
    if len(seen) == 1:
        where = ", ".join(repr(c) for c in columns)
        return (f"separator = {_toml_str(seen[0])}  # the sampled cells of {where} "
                f"separate options by {seen[0]!r}")
    if seen:
        marks = " and ".join(repr(m) for m in seen)
        return (f"separator = \";\"  # TODO: the sampled options write {marks}: set the one "
                "that splits options (a field's own `separator` otherwise), then delete "
                "this comment")
    return ('separator = ";"  # between the options of one cell (labels, multi-option '
            "fields), not the file's columns")


_CURRENCY_WORDS = frozenset(("currency", "currencies", "curr", "währung", "devise", "ccy"))
# words a currency column shares with a money field that do not tell which field it is for
_PLAIN_WORDS = frozenset(("deal", "deals", "value", "amount", "code", "iso", "the", "of", "in"))


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^\w]+", tf.norm_key(name)) if w}


def _currency_column(header: Sequence[str], column: str, fallback: str | None, *,
                     field: str = "", taken: Iterable[str] = ()) -> tuple[str, bool]:
    """The currency column of a money column: ``<column> currency`` (Pipedrive's export
    writes ``Deal - Contract value`` beside ``Deal - Contract value currency``), else a
    currency column whose name shares a word with the field's or the column's name
    (``Contract Currency`` for the field ``Contract value``; x24r1: it was listed unmapped
    and the deal's ``Currency`` proposed under a TODO), the one sharing most; else
    ``fallback`` (the deal's currency column), which needs the user's word: (column, own).
    ``taken``: columns that are another target's (the deal's currency column)."""
    wanted = tf.norm_key(column) + " currency"
    own = next((c for c in header if tf.norm_key(c) == wanted), None)
    if own is not None:
        return own, True
    skip = {*taken, column, *([fallback] if fallback else [])}
    names = (_words(column) | _words(field)) - _CURRENCY_WORDS - _PLAIN_WORDS
    scored = sorted(((len((_words(c) - _CURRENCY_WORDS) & names), c) for c in header
                     if c not in skip and _words(c) & _CURRENCY_WORDS),
                    key=lambda t: -t[0])
    if scored and scored[0][0] and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][1], True
    return fallback or "", False


def _several_lines(section: str, column: str,
                   samples: MappingABC[str, Sequence[str]] | None) -> list[str]:
    """A TODO when a sampled name cell of ``column`` lists several persons or organizations
    (``Jane Roe;John Poe``: its rows fail, a deal has one; x23r1 F1), or (``section``
    ``"e-mail"``) an e-mail cell addresses under two names (``Mia Nor <mia@x>, Ole Pan
    <ole@x>``: x46r1 F1); it counts the sampled cells that do (x46r9 F6)."""
    def several(value: str) -> bool:
        if section == "person":
            return tf.listed_persons(value) is not None
        if section == "e-mail":
            return len(tf.display_names(value)) > 1
        return tf.listed_organizations(value) is not None
    sampled = _sampled(samples, column)
    found = [v for v in sampled if several(v)]
    if not found:
        return []
    what = "organizations" if section == "organization" else "persons"
    return [f"# TODO: cells of {_toml_str(column)} name several {what} ({len(found)} of "
            f"{len(sampled)} sampled, e.g. {found[0]!r}): a deal "
            f"has one, and those rows fail: keep the one each deal belongs to; then delete "
            "this line"]


def _own_export(key_column: str, header: Sequence[str]) -> bool:
    """Pipedrive's own export: ``Deal - ID`` beside other ``Deal - ...`` columns."""
    return tf.norm_key(key_column) in ("deal id", "deal - id", "deal_id") and any(
        tf.norm_key(c).startswith("deal - ") for c in header)


# no header looked like a deal's title: the line names the first column left over
_TITLE_TODO = ("  # TODO: no column looks like a deal title; this is the first column left: "
               "name the column holding each deal's title, then delete this comment")


def _own_lines(key_column: str, key_field: str) -> list[str]:
    """The head of a starter mapping for Pipedrive's own export: its ``Deal - ID`` is each
    deal's id in the account it came from, so the file updates those deals by id
    (``[update] id_column``); the import's section, for another account, is commented.
    Proposed as an import's source key, every row became a new copy of its deal (x14r2 F4)
    and an upsert found none of them (x20r2 F7)."""
    column = _toml_str(key_column)
    return ["# Pipedrive's own export: " + column + " is each deal's id in the account it "
            "came from, not a",
            "# source key. This mapping updates those deals by id: `pdbulk plan update "
            "FILE --mapping THIS`,",
            "# then `pdbulk update` (only what differs is sent; persons and organizations "
            "are not linked).",
            "# To import the file into another account instead, replace [update] with the "
            "[import]",
            "# section below and uncomment the [person] and [organization] lines that name "
            "a column",
            "# (a line naming \"\" names none: leave it commented).",
            "[update]", f"id_column = {column}", "",
            "# [import]", f"# key_column = {column}", f"# key_field = {_toml_str(key_field)}",
            '# mode = "insert"']


def _unknown_options_todo(field: DealField, column: str, values: Sequence[str],
                          separator: str | None = ";") -> list[str]:
    """A TODO above an option field's line when sampled cells of ``column`` name no option
    of ``field`` (as ``DealField.option`` reads a label: case and spaces aside; a set's
    cell cut into options as the import cuts it, ``tf.OptionCells`` at ``separator``:
    ``Web, legacy`` is one option when the field has it), or a label two options share
    (``gold`` for ``Gold`` and ``Gold ``): every such row would fail at plan time (x27r1:
    "Lead source" proposed with no word, its sampled "Web" no option; 2,503 of 10,000
    rows failed; x41r3 L1: cells the import reads were called "no option"). ``separator``
    None (the samples show several): a set's cell is cut at every ``;`` and ``,``."""
    cells = tf.OptionCells([o.label for o in field.options], separator, field.name) \
        if field.type == "set" and separator is not None else None
    unknown: list[str] = []
    twice: list[str] = []
    for value in values:
        parts = [value]
        if field.type == "set" and cells is None and not _has_option(field, value):
            parts = [p.strip() for p in re.split(r"[;,]", value) if p.strip()]
        elif cells is not None:
            try:
                parts = cells.items(value)
            except InputError:
                pass  # read two ways: the whole cell is named
        for part in parts:
            try:
                field.option(part)
            except AmbiguousName:
                twice += [part] if part not in twice else []
            except InputError:
                unknown += [part] if part not in unknown else []
    out: list[str] = []
    if twice:
        out.append(f"# TODO: sampled cells of {_toml_str(column)} name a label two options of "
                   f"{_toml_str(field.name)} share (case and spaces aside): "
                   + ", ".join(_toml_str(v) for v in twice[:5])
                   + "; rows naming it fail: rename one of those options in Pipedrive. "
                     "Then delete this line")
    if not unknown:
        return out
    shown = ", ".join(_toml_str(v) for v in unknown[:5]) + (" ..." if len(unknown) > 5 else "")
    options = ", ".join(_toml_str(o.label) for o in field.options[:8]) or "none"
    example = _toml_str(unknown[0])
    return [*out, f"# TODO: sampled cells of {_toml_str(column)} are no option of "
            f"{_toml_str(field.name)}: {shown} (its options: {options}"
            f"{' ...' if len(field.options) > 8 else ''}); map them, e.g. "
            f"{_toml_str(field.name)} = {{ column = {_toml_str(column)}, map = {{ {example} = "
            '"<option>" } }, or add the options in Pipedrive; rows naming no option fail. '
            "Then delete this line"]


_PERIODS = frozenset(("monthly", "annual", "annually", "yearly", "quarterly", "weekly"))


def _period_note(unused: Sequence[str], samples: MappingABC[str, Sequence[str]] | None
                 ) -> list[str]:
    """A note for an unmapped column saying per which period the amount is (Close's
    ``value_period``: ``one_time``, ``monthly``, ``annual``; x42r1 F5): Pipedrive's deal
    value has no period, and pdbulk does not multiply one into a total (a guess: for how
    many months?), so the rows' value is imported as written; the note says so and how to
    keep the period (a custom field), rather than leaving the column among the others."""
    out: list[str] = []
    for column in unused:
        if re.sub(r"[\s_\-.]+", " ", tf.norm_key(column)).strip() not in (
                "value period", "amount period", "billing period", "billing frequency"):
            continue
        sampled = {v.lower() for v in _sampled(samples, column)}
        seen = sorted(sampled & _PERIODS)
        out.append(f"# {column} is not mapped: a deal's value in Pipedrive has no period, so "
                   "every row's value is imported as written, "
                   + (f"a {' / '.join(seen)} one as the deal's whole value"
                      if seen else "a recurring one as the deal's whole value")
                   + "; to keep the period, map it to a custom field of the account under "
                   f"[custom_fields] (\"Value period\" = {_toml_str(column)}), or turn "
                   "the values into totals in the file first")
    return out


def _future_close_lines(rows: Sequence[MappingABC[str, object]], column: str,
                        samples: MappingABC[str, Sequence[str]] | None, now: float | None,
                        closed: MappingABC[str, str], stage_column: str | None,
                        status_column: str | None, own: Sequence[str] = ()) -> list[str]:
    """The TODO of ``future_closes`` for a proposed ``close_time`` from ``column``: a
    row's status read as the proposal reads it (the won / lost values of the stage
    column, ``closed``, else the status column's); its dates read by the column's ``own``
    formats when it has them (Excel serials, epochs: x48r4 F2), else by the patterns
    proposed for ``[defaults]``."""
    def status_of(row: MappingABC[str, object]) -> str | None:
        if closed and stage_column is not None:
            return closed.get(str(row.get(stage_column, "")).strip())
        cell = row.get(status_column or "")
        return tf.closed_status(cell) if isinstance(cell, str) else None

    proposal = None if own else _proposed_dates(samples, [column])
    formats = list(own) if own else proposal[0] if proposal is not None else []
    import time as _time  # the run's clock, read once; tests give ``now``

    return future_close_todo(column, *future_closes(
        rows, column, status_of, formats, _time.time() if now is None else now))


def init_mapping(header: Sequence[str], catalog: Catalog, *,
                 key_field: str = "Import source key",
                 samples: MappingABC[str, Sequence[str]] | None = None,
                 encoding: str | None = None, header_row: int | None = None,
                 date_system: int | None = None, sheet: str | None = None,
                 other_sheets: Sequence[str] = (),
                 rows: Sequence[MappingABC[str, object]] = (),
                 merged: MappingABC[str, MergedCells] | None = None,
                 now: float | None = None, more_rows: bool = False) -> str:
    """A starter mapping (TOML text, ending in a newline) from a manifest header and the
    account's fields.

    Columns are matched to deal fields by fuzzy name; targets nothing matched are
    written as comments. ``samples`` (a few distinct values per column, as text) fill
    in a stage map (exact names only), propose the date token (``unix``, ``unix_ms``,
    ``unix_us``, ``excel``) of a date column whose every sample is a number of that
    unit, and keep a column of bare numbers (ids) off the name, title, owner and
    address targets. ``decimal`` and ``date_formats`` are proposed only as the samples
    show them (the one decimal mark the amounts write; day or month first by a number
    above 12); samples that cannot tell or disagree give a TODO, never a guess.
    ``encoding`` (the one the file was read with, when it is not
    UTF-8/UTF-16) is written to ``[defaults]``, and so is ``header_row`` (the row, as a
    spreadsheet numbers it, the header was read from, when it was named). ``date_system``: an XLSX
    workbook's (1900 or 1904; ``bulk.manifest.date_system``): serials of a 1904 workbook
    are proposed as ``"excel_1904"``. ``sheet``: the XLSX worksheet the header was read
    from, written to ``[defaults]`` (with ``other_sheets``, the workbook's others, in its
    comment) so that a plan reads it without ``--sheet`` (x25r2 F10). ``rows``: the
    sampled rows themselves (column -> cell), read for what one row's cells say together:
    a TODO beside a proposed ``close_time`` when won / lost rows are dated after ``now``
    (Unix seconds; the machine's clock when None: ``future_closes``). ``more_rows``: the
    file has rows past ``rows``: the TODOs counting sampled rows say the rest was not
    checked. ``merged``: an XLSX
    sheet's merged ranges in data rows per column (``bulk.manifest_xlsx.merged_data_cells``):
    a TODO at the top for each column the mapping reads (``merged_todo``; x49r5 F2).
    """
    customs = [f for f in catalog.deal_fields if f.is_custom and f.type in _CUSTOM_OPTIONS
               and tf.norm_key(f.name) != tf.norm_key(key_field)]
    # a column sampled empty in every record carries nothing to import: a filled one that
    # matches the same target is proposed instead (v10r11: "properties.email", null
    # everywhere, was proposed as the person's e-mail and "contact.email" left out)
    candidates: dict[str, Sequence[str]] = {
        **_GUESSES, **{f"custom.{f.name}": (f.name,) for f in customs}}
    # the key field's own column (a Pipedrive export's "Deal - Import source key") holds
    # the keys the deals carry (x41r3 L3: "Deal - Title" was taken, with a TODO); after
    # "id", "record id" and "deal id", so that Pipedrive's "Deal - ID" still makes the
    # export an update by id (``_own_export``)
    keys = _GUESSES["import.key_column"]
    candidates["import.key_column"] = (*keys[:3], key_field, *keys[3:])
    # Dynamics 365's "(Do Not Modify)" columns: its deal's GUID is the key, the others its
    # bookkeeping, matched to nothing (x45r6 F6); Close's status_label of Active / Won /
    # Lost is the status where no column is (``crm_columns``)
    record_key, bookkeeping = dynamics_columns(header)
    header = [c for c in header if c not in bookkeeping]
    guesses = _guess([c for c in header if c != record_key], candidates)
    if record_key is not None:
        guesses = {t: c for t, c in guesses.items() if t != "import.key_column"}
        guesses["import.key_column"] = record_key
    if "deal.status" not in guesses and (
            label := status_label_column(header, samples)) not in (None, *guesses.values()):
        guesses["deal.status"] = str(label)
    for target, exact in _EXACT_ONLY.items():  # too short to match by likeness
        column = next((c for c in header if tf.norm_key(_leaf(c)) in exact
                       and c not in guesses.values()), None)
        if column is not None and target not in guesses:
            guesses[target] = column
    empty = {c for c in header if samples is not None and c in samples
             and not _sampled(samples, c)}
    if empty & set(guesses.values()):  # a filled column that matches too is taken instead
        filled = _guess([c for c in header if c not in empty], candidates)
        for wanted, found in list(guesses.items()):
            if found in empty and filled.get(wanted) not in (None, *guesses.values()):
                guesses[wanted] = filled[wanted]
    # a plain column over its formatted twin when the samples show the same amounts
    # (x43r5 F5: Close's "$1,200/mo" failed rows beside its plain "value")
    swaps, twin_notes = plain_twins(header, guesses, samples)
    guesses.update(swaps)
    numeric = [guesses.pop(t) for t in _NOT_NUMBERS
               if t in guesses and _numbers_only(samples, guesses[t])]
    # a "name" column whose values carry e-mail addresses ("Ann Lee (ann@x.example)", a
    # HubSpot association) would name persons after their addresses: left out too
    mailed = [guesses.pop(t) for t in ("person.name", "organization.name", "deal.title")
              if t in guesses and _mostly_emails(samples, guesses[t])]
    # a date column whose samples hold no digit at all ("yes" / "no": a "Close" or "Close
    # Date" flag) is no date: every row would fail (x29r3 F6, 2 of 2 headers)
    undated = [guesses.pop(t) for t in _DATE_TARGETS
               if t in guesses and _digitless(samples, guesses[t])]
    # and an e-mail column whose samples hold no address ("Associated Contact IDs": bare
    # numbers) is not the person's e-mail (v10r10 M3)
    if "person.email" in guesses and _sampled(samples, guesses["person.email"]) \
            and not _mostly_emails(samples, guesses["person.email"]):
        unmailed = [guesses.pop("person.email")]
    else:
        unmailed = []
    # and a phone column whose samples are no phone numbers (HubSpot's "Associated
    # Contact", "Ann Lee (ann@x)", taken by likeness to "associated contact phone": x34r1,
    # 127 of 150 rows "not a phone number")
    # (or one that holds an e-mail address: a contact column, its row would fail: x35r1 4)
    if "person.phone" in guesses and _sampled(samples, guesses["person.phone"]) \
            and (not _mostly_phones(samples, guesses["person.phone"])
                 or _any_email(samples, guesses["person.phone"])):
        unphoned = [guesses.pop("person.phone")]
    else:
        unphoned = []
    # a contact column of "Ann Lee <ann@x>" cells, and no other name or e-mail column: it is
    # both (the name beside each address; a cell with no address, the name alone: x35r1 4,
    # "Primary Contact" was left out and the persons made of a phone column alone)
    if "person.name" not in guesses and "person.email" not in guesses:
        taken = set(guesses.values())
        contact = next((c for c in (*mailed, *unphoned, *header) if c not in taken
                        and _named_addresses(samples, c)), None)
        if contact is not None:
            guesses["person.name"] = guesses["person.email"] = contact
            mailed = [c for c in mailed if c != contact]
            unphoned = [c for c in unphoned if c != contact]
    owner_lines, owner_column = _owner_lines(header, guesses, samples, catalog)
    key_column = guesses.get("import.key_column", header[0] if header else "id")
    # (x46r4 F5) a CRM export's columns known by its conventions: Dynamics' customer, the
    # organization; a Close opportunity's lead name, its title (it has none)
    crm_todos: dict[str, str] = {}
    if "organization.name" not in guesses and (
            customer := dynamics_customer(header)) is not None \
            and customer not in guesses.values():
        guesses["organization.name"], crm_todos["organization.name"] = customer, CUSTOMER_TODO
    if "deal.title" not in guesses and (lead := close_lead_title(header)) is not None:
        guesses["deal.title"], crm_todos["deal.title"] = lead, LEAD_TITLE_TODO
    # an update's title: the first column left that no other line maps (x51r4 F6: "Deal -
    # Pipeline", mapped as the pipeline, was proposed as the title too)
    taken = set(guesses.values())
    free = next((c for c in header if c != key_column and c not in taken), None)
    title = guesses.get("deal.title") or (free if _own_export(key_column, header) else None) \
        or next((c for c in header if c != key_column), key_column)
    used = {key_column, title, *guesses.values(), *([owner_column] if owner_column else [])}
    # Pipedrive's own export ("Deal - ID", "Deal - Title"): its ids are deals of the account
    # it came from; imported there they are all made again (x14r2 F4: 60 copies, no word)
    own = _own_export(key_column, header)
    # an update by id of no column left keeps each deal's title: no line to fix
    untitled = own and "deal.title" not in guesses and free is None
    if "deal.currency" not in guesses and "deal.value" in guesses:  # "Deal - Value currency"
        found, paired = _currency_column(header, guesses["deal.value"], None)
        if paired and found not in used:
            guesses["deal.currency"] = found
            used.add(found)
    money = {f.name: _currency_column(header, guesses[f"custom.{f.name}"],
                                      guesses.get("deal.currency"), field=f.name,
                                      taken=guesses.values())
             for f in customs if f.type == "monetary" and f"custom.{f.name}" in guesses}
    used.update(c for c, paired in money.values() if paired)
    multi = [guesses[t] for t in ("deal.label", *(f"custom.{f.name}" for f in customs
                                                  if f.type == "set")) if t in guesses]
    date_columns = [guesses[t] for t in ("deal.expected_close_date", "deal.won_time",
                                          "deal.lost_time", "deal.close_time") if t in guesses] \
        + [guesses[f"custom.{f.name}"] for f in customs
           if f.type == "date" and f"custom.{f.name}" in guesses]
    # a column of serials / epochs reads by its own formats; its few other cells are named
    # beside it (``_unread_lines``), not in [defaults] (x48r4 F1)
    # a date column's every distinct cell of the sampled rows, not its first 50 (x48r12
    # F1: a 'TBD' or 'Q3' past them had no TODO, and its rows failed the plan)
    samples = _date_cells(samples, rows, date_columns)
    column_formats = {c: token_formats for c in date_columns
                      if (token_formats := _column_formats(samples, c, date_system))}
    # both orders and a token (x50r8 F4): left to ``untold`` when another column tells
    both_orders = {c: column_formats.pop(c) for c in list(column_formats)
              if _is_pair(column_formats[c])}
    told: set[str] = set()  # the columns whose unread cells a TODO named already
    # a 2-digit year written first (24/08/25) reads as a day too: both listed (x50r3 F3);
    # such a column tells no day / month order to another
    years: dict[str, YearFirst] = year_first_columns(
        {c: ([str(r.get(c) or "") for r in rows] if rows else _sampled(samples, c))
         for c in date_columns if c not in column_formats}, _cell_fields, _wide_fields)
    tellers = [c for c in column_formats if c not in years]
    column_formats.update({c: _with_token(y.formats(), samples, c, date_system)
                           for c, y in years.items()})
    # a column whose cells never show the day / month order does not take another
    # column's through [defaults]: both orders listed, refused until one is kept (x49r3 F1)
    untold = _untold(samples, rows, [c for c in date_columns if c not in column_formats],
                     _numbers_of(samples, column_formats), tellers)
    column_formats.update({c: _with_token(u.formats(u_defaults), samples, c, date_system)
                           for c, (u, u_defaults) in untold.items()})
    column_formats.update({c: f for c, f in both_orders.items() if c not in untold})
    # a column whose every cell one spelled form writes (a weekday before the date, spaces
    # around its separators, a trailing dot): that form's pattern (x52r12 F3)
    column_formats.update({c: [spelled] for c in date_columns if c not in column_formats
                           and (spelled := spelled_pattern(_sampled(samples, c)))})
    # month names of another language: the date_locale that reads them (y54r2 F6)
    locale_lines, locale_todos, locale = _locale_dates(samples, date_columns, column_formats)
    default_lines, default_formats = _defaults_dates(
        _numbers_of(samples, column_formats),
        [c for c in date_columns if c not in locale_todos],
        [{c: r.get(c) for c in date_columns if c not in column_formats
          and c not in locale_todos} for r in rows],
        column_formats)

    def dated(column: str) -> list[str]:
        formats = column_formats.get(column, [])
        if column in locale_todos and column not in told:
            told.add(column)
            return [f"# TODO: {locale_todos[column]}, then delete this line"]
        lines = [] if column in told else _unread_lines(samples, column, formats, rows,
                                                        locale)
        tokens = [f for f in formats if f in tf.DATE_TOKENS]
        if column not in told and column in untold:
            lines.insert(0, untold[column][0].todo(formats))
        elif column not in told and (line := _pair_todo(column, formats, samples,
                                                        rows)) is not None:
            lines.insert(0, line)
        elif column not in told and (line := digit_dates_todo(
                column, formats, next(iter(_sampled(samples, column)), ""))) is not None:
            lines.insert(0, line)
        elif column not in told and column in years and (
                line := years[column].todo(tokens)) is not None:
            lines.insert(0, line)
        if column not in told and not lines and not formats:
            # no TODO, no pattern reads a cell of it: say so (x52r12 F3, 60 of 60 rows
            # failed the plan "not a date" with no hint)
            cells = [v for v in _sampled(samples, column) if not is_zero_date_text(v)]
            if cells and not any(_reads(v, default_formats) or _DMY.fullmatch(v)
                                 or _other_date_format(v) is not None for v in cells) \
                    and not any(repr(v) in line for line in default_lines for v in cells):
                # (a form the [defaults] proposal reads, its order untold, has its TODO)
                count = sum(1 for r in rows if str(r.get(column) or "").strip()) or len(cells)
                todo = silent_dates_todo(column, cells, count,
                                         all(_foreign_month(v) for v in cells))
                lines.append(f"# TODO: {todo}, then delete this line")
        told.add(column)
        return lines

    out = ["# pdbulk import mapping: generated by `pdbulk init-mapping`. Check every line;",
           "# commented lines are fields no column matched. Reference: docs/mapping.md", "",
           "version = 1", "", *(_own_lines(key_column, key_field) if own else [
               "[import]", f"key_column = {_toml_str(key_column)}"
               + ("" if "import.key_column" in guesses else "  # TODO: no id-like column found"),
               f"key_field = {_toml_str(key_field)}", 'mode = "insert"  # or "upsert"']), "",
           "[defaults]", *_currency_lines(samples, None if "deal.currency" in guesses
                                          else guesses.get("deal.value")),
           *([f"encoding = {_toml_str(encoding)}  # the file is not UTF-8"]
             if encoding and not codecs.lookup(encoding.removesuffix("!")).name.startswith("utf") else []),
           *([f"header_row = {header_row}  # the row of the header, as a spreadsheet numbers it"]
             if header_row is not None else []),
           *([f"sheet = {_toml_str(sheet)}  # the worksheet read"
              + (f"; the workbook's others: {', '.join(_toml_str(o) for o in other_sheets)}"
                 if other_sheets else "")] if sheet is not None else []),
           *_decimal_line(samples, [guesses[t] for t in ("deal.value", "deal.probability")
                                    if t in guesses]
                          + [guesses[f"custom.{f.name}"] for f in customs
                             if f.type in ("monetary", "double", "int")
                             and f"custom.{f.name}" in guesses]),
           *locale_lines, *default_lines,
           _separator_line(samples, multi), "", "[deal]",
           '# title = ""  # no column left: the update keeps each deal\'s title' if untitled
           else f"title = {_column_value(title)}" + (crm_todos.get("deal.title", "")
                                                      if "deal.title" in guesses
                                                      else _TITLE_TODO)]
    pipeline = catalog.pipelines[0] if catalog.pipelines else None
    not_statuses = _not_statuses(samples, guesses.get("deal.status"))
    if not_statuses and "deal.stage" not in guesses:
        # a "Status" column of stage names (monday.com's): the stage, not the status
        # (x13r5 F2: status = "Status" failed all 880 rows "unknown status")
        guesses["deal.stage"] = guesses.pop("deal.status")
        not_statuses = []
    stage_column = guesses.get("deal.stage")
    stage_values = list(dict.fromkeys((samples or {}).get(stage_column or "", ())))[:50]
    # no pipeline column: the pipeline whose stages the cells name, not the account's
    # first (x49r11 F3: a file of Retail's stages got Sales, its Won / Lost as statuses)
    picked_note: list[str] | None = None
    if pipeline is not None and not own and stage_column and not guesses.get("deal.pipeline"):
        picked = pipelines_naming(catalog, [str(v) for v in stage_values])
        picked_note = picked_lines(picked, pipeline)
        pipeline = picked[0] if picked else pipeline
    # a stage column of won / lost values (HubSpot's closedwon, "Closed - Lost"): the
    # deal's status is read from it, else those deals are imported open (x18r2 3) — but a
    # value naming a stage of the account is that stage, never a status (x48r8 F3: open
    # stages named Won / Lost / North U+203A Won were proposed won / lost: 8 deals closed)
    closed: dict[str, str] = {}
    staged: list[str] = []  # won / lost words that are stages of their rows' pipelines
    closed_in: dict[str, set[int | None]] = {}  # a closed value -> its rows' pipelines
    # a built-in won / lost word that is a stage in some of its rows' pipelines only:
    # (pipelines with it, pipelines without) — read per row, caught by the stage "*"
    split: dict[str, tuple[list[Pipeline], list[Pipeline]]] = {}
    split_rows: dict[str, list[Pipeline]] = {}  # ... the pipelines without, of its own rows
    # a won / lost word that is one pipeline's stage, on rows of a blank Pipeline cell: the
    # mapping refuses those rows (x50r9 F1) -> the stage's pipeline, for their TODO
    blank_words: dict[str, tuple[Pipeline, str]] = {}
    # stage cells that name their pipeline: no default pipeline is written (below), so the
    # rows of no pipeline are judged in none (x51r4 F5: 'Won' = 'Negotiation', the picked
    # Sales' last stage, was proposed, a stage of Sales and EU: 80 of 80 rows refused)
    undefaulted = any(catalog.with_its_pipeline(str(v)) is not None for v in stage_values)
    if "deal.status" not in guesses:
        # a blank Pipeline cell is no pipeline, as the mapping (no default) reads it (x50r9
        # F1: those rows were judged in the account's first pipeline)
        pipes = value_pipelines(rows, samples, stage_column, guesses.get("deal.pipeline"),
                                 None if own or pipeline is None or undefaulted or guesses.get(
                                     "deal.pipeline") else pipeline.id, catalog)
        # each spelling's own rows' pipelines, for its TODO's words only: the maps fold
        # the spellings, so they are judged together (x50r9 F3: won\u200b, all in US,
        # was said to be in rows of US and Sales, as Won)
        pipes_spelled = value_pipelines(
            rows, samples, stage_column, guesses.get("deal.pipeline"),
            None if own or pipeline is None or undefaulted or guesses.get("deal.pipeline")
            else pipeline.id, catalog, exact=True)
        for value in stage_values:
            if (status := _closed_status(str(value), stage_values)) is None:
                continue
            # judged in its rows' pipelines, as the mapping reads it (x49r1 F3: 'Won',
            # a stage of EU > North only, was a stage for rows all in Sales)
            where = pipes.get(tf.stage_key(str(value)), {None})
            if guesses.get("deal.pipeline") and None in where \
                    and (home := blank_word(catalog, str(value))) is not None:
                blank_words[str(value)] = home  # its other rows judged in their pipelines
                if not (where := where - {None}):
                    closed[str(value)] = status  # the status is read from the column
                    closed_in[str(value)] = where
                    continue
            has = [p for p in where if a_stage_in(catalog, str(value), p)]
            if has and len(has) < len(where) and None not in where \
                    and tf.DEFAULT_STATUS_MAP.get(tf.norm_key(str(value))) is not None:
                lacks = [p for p in catalog.pipelines if p.id in where and p.id not in has]
                own_rows = pipes_spelled.get(as_written(str(value)), where)
                split[str(value)] = ([p for p in catalog.pipelines if p.id in has], lacks)
                split_rows[str(value)] = [p for p in lacks if p.id in own_rows] or lacks
            elif has:
                staged.append(str(value))
            else:
                closed[str(value)] = status
                closed_in[str(value)] = where
    # stage cells that name their pipeline (``EU > Discovery``) put their row in it: a
    # default pipeline would refuse each of another (x48r14 F3: "Sales" was written)
    placed = [str(v) for v in stage_values if catalog.with_its_pipeline(str(v)) is not None]
    # an update (``own``) reads each stage cell in its deal's own pipeline, or in the one
    # its row names (x51r4 F1: an entry, or a TODO's example, pinning one pipeline's stage
    # moved the deals of the others; x51r10 F3: with a Pipeline column too): a stage's
    # name needs no entry, a won / lost word closes its deal where it is
    won_as_close = _won_date_as_close(guesses, bool(closed), samples)
    if won_as_close is not None:
        guesses["deal.expected_close_date"] = guesses.pop("deal.won_time")
    for target in _GUESSES:
        name = target.removeprefix("deal.")
        if not target.startswith("deal.") or name in ("title", "stage"):
            continue
        if name == "expected_close_date" and won_as_close is not None:
            out.append(f"# column {_toml_str(won_as_close)} is read as a close date (Close's "
                       "date_won is every opportunity's: the expected one of an open deal), "
                       "not as won_time, which open and lost deals cannot have; if it only "
                       "ever holds the day a deal was won, map it as won_time instead")
        if name == "pipeline" and target not in guesses and pipeline is not None:
            if placed and not own:  # the cells' own pipelines: a default contradicts them
                out += _placed_lines(placed, pipeline.name)
                continue
            if not own:
                out += (picked_note if picked_note is not None
                        else _default_pipeline_todo(stage_values, catalog, pipeline.name))
            # an update keeps each deal's pipeline (a default would move them all)
            out.append(("# " if own else "")
                       + f"pipeline = {{ default = {_toml_str(pipeline.name)} }}")
            continue
        column = guesses.get(target)
        if name == "pipeline" and column:
            values = list(dict.fromkeys((samples or {}).get(column, ())))[:20]
            out += _pipeline_lines(column, [str(v) for v in values if str(v).strip()],
                                   [p.name for p in catalog.pipelines])
            continue
        if name == "close_time" and column is None and (
                expected := _close_date_column(guesses, bool(closed),
                                               won_as_close)) is not None:
            # x27r1 9: Salesforce's and HubSpot's "Close Date" is a closed deal's close date
            # and an open one's expected close date: closed deals were dated the import day
            formats = column_formats.get(expected, [])
            out += dated(expected)
            out += _future_close_lines(rows, expected, samples, now, closed,
                                       stage_column, guesses.get("deal.status"), formats)
            listed = ", ".join(_toml_str(f) for f in formats)
            out += [f"# column {_toml_str(expected)} closes the won / lost deals on their "
                    "date; open deals keep it as their expected close date only (delete "
                    "this line if it never holds the date a deal was closed)",
                    f"close_time = {{ column = {_toml_str(expected)}, "
                    + (f"formats = [{listed}], " if formats else "")
                    + 'when_open = "drop" }']
            continue
        if name in ("expected_close_date", "won_time", "lost_time", "close_time") and column:
            out += dated(column)
            out.append(f"{name} = {_date_value(column, column_formats.get(column, []))}")
            continue
        if name == "status" and column and not not_statuses and (
                opens := _open_words(samples, column)):
            entries = ", ".join(f"{_toml_str(v)} = \"open\"" for v in opens)
            out += [f"# column {_toml_str(column)} writes an open deal's status as "
                    + " / ".join(map(repr, opens)) + " (Close's status types: active, won, "
                    "lost)",
                    f"status = {{ column = {_toml_str(column)}, map = {{ {entries} }} }}"]
            continue
        if name == "status" and column and not_statuses:
            out += [f"# TODO: column {_toml_str(column)} holds values that are not deal "
                    f"statuses ({', '.join(map(repr, not_statuses[:5]))}): map each to open, "
                    "won or lost (status = { column = ..., map = { ... } }), or leave the "
                    "column out; then delete this line",
                    f"# status = {_column_value(column)}"]
            continue
        if name == "status" and column is None and stage_column and own and (
                closed or split or staged):  # (a Pipeline column too: x51r10 F3)
            out += _update_status_lines(stage_column, closed, [*split, *staged], catalog,
                                        piped=bool(guesses.get("deal.pipeline")))
            continue
        if name == "status" and column is None and closed and stage_column:
            # values alike but for case and spacing are one entry, as in the stage map
            # (the map is read so, ``tf.ValueMap``; x47r3 F8: "Closed Won" and "closed won")
            folded: dict[str, tuple[str, str]] = {}
            for value, status in closed.items():
                folded.setdefault(tf.norm_key(value), (value, status))
            shown = ", ".join(f"{v!r} {w}" for v, w in list(folded.values())[:6])
            entries = ", ".join(f"{_toml_str(v)} = {_toml_str(w)}"
                                for v, w in folded.values())
            out += _staged_todo(staged, stage_column)
            # an update's other cells say no status: "*" = "open" reopened the won / lost
            # deals whose cell named an open stage (x51r4 F2: 3 of 3), so they keep theirs
            others = ("the others leave each deal's status as it is (a stage-only export "
                      "says no other)" if own else "the others leave it open")
            out += [f"# the status, from the stage column {_toml_str(stage_column)}: its "
                    f"won / lost values ({shown}) close the deal, {others}",
                    f"status = {{ column = {_toml_str(stage_column)}, map = {{ {entries}"
                    + ("" if own else ', "*" = "open"') + " } }"]
            continue
        if name == "status" and column is None and split and stage_column:
            out += _staged_todo(staged, stage_column)
            out += [f"# the status, from the stage column {_toml_str(stage_column)}: "
                    f"{', '.join(map(repr, split))} close the deal where the row's pipeline "
                    "has no stage of that name, "
                    + ("the others leave each deal's status as it is" if own
                       else "the others leave it open"),
                    f"status = {{ column = {_toml_str(stage_column)}"
                    + ("" if own else ', map = { "*" = "open" }') + " }"]
            continue
        if name == "status" and column is None and staged and stage_column:
            out += _staged_todo(staged, stage_column)
        if name == "owner" and owner_lines:
            out += owner_lines
            continue
        if name == "probability" and column and _fractions(samples, column):
            out += ["# TODO: the probabilities look like fractions of 1 (0.4 for 40 %); "
                    "scale = 100 reads them so. Remove scale if 0.4 means 0.4 %, then "
                    "delete this line",
                    f"probability = {{ column = {_toml_str(column)}, scale = 100 }}"]
            continue
        out.append(f"{name} = {_column_value(column)}" if column else f'# {name} = ""')
    if stage_column is None:
        out.append('# stage = ""')
    else:
        out += ["", "[deal.stage]", f"column = {_toml_str(stage_column)}"]
        values = stage_values
        # a pipeline column: the rows' stages are of any pipeline, so every pipeline's
        # stages are candidates, grouped (v10r9 M5: only the first pipeline's were listed)
        # Pipedrive's own export with no pipeline column (the pipeline line commented: an
        # update keeps each deal's): a stage is looked up in every pipeline, where a name
        # two pipelines have cannot resolve (x22r2)
        anywhere = bool(own or placed) and not guesses.get("deal.pipeline")
        if placed:  # read as they are: no entry, no TODO (a Pipeline column too: x49r6 F4)
            values = [v for v in values if str(v) not in placed]
        if own:  # read in each deal's pipeline as they are (x51r4 F1), or in the one
            # its row names (x51r10 F3: "Closed Lost" = "Closing" moved SMB deals there)
            values = [v for v in values if not catalog.names_a_stage(str(v))
                      and str(v) not in closed and str(v) not in split]
        # a Pipeline column: a row whose cell is blank looks its stage up in every
        # pipeline, where a name several have cannot resolve (x49r6 F4: "Discovery" =
        # "Discovery" was written and those rows failed as ambiguous)
        blank: set[str] = set()
        missing: set[str] = set()  # values some of whose rows' pipelines lack the stage
        twin_free: dict[str, str] = {}  # values of no case twins in their rows' pipelines
        if not anywhere and guesses.get("deal.pipeline"):
            rows_in = value_pipelines(rows, samples, stage_column, guesses["deal.pipeline"],
                                      None, catalog)
            blank = {str(v) for v in values
                     if None in rows_in.get(tf.stage_key(str(v)), {None})}
            missing = {str(v) for v in values if any(
                p is not None and not a_stage_in(catalog, str(v), p)
                for p in rows_in.get(tf.stage_key(str(v)), ()))}
            twin_free = {str(v): one for v in values
                         if (one := _untwinned(catalog, str(v), rows_in.get(
                             tf.stage_key(str(v)), {None}))) is not None}
        groups = {p.name: [s.name for s in catalog.stages_in(p.id)]
                  for p in (catalog.pipelines if guesses.get("deal.pipeline") or anywhere
                            else [pipeline] if pipeline else [])}
        stages = list(dict.fromkeys(s for names in groups.values() for s in names))
        if values and stages:
            out += ["", _STAGE_MAP_HEAD]
            lasts = {v: {s[-1].name for p in catalog.pipelines if p.id in where
                         for s in [list(catalog.stages_in(p.id))] if s}
                     for v, where in closed_in.items() if None not in where}
            # a closed value in pipelines of several last stages: one entry is looked up
            # in each row's pipeline, so it can only name a stage they all have (x49r11 F1)
            spread = {tf.stage_key(v): v for v, names in lasts.items()
                      if len(names) > 1 and not own}
            apart = {tf.stage_key(v) for v in split} | set(spread)
            out += _stage_lines([v for v in values if tf.stage_key(str(v)) not in apart],
                                stages, groups if len(groups) > 1 else None, closed,
                                _shared(groups) if anywhere or blank else None,
                                placed=bool(placed) and anywhere, lasts_of=lasts,
                                blank=blank if blank else None, catalog=catalog,
                                missing=missing, twin_free=twin_free, update=own)
            proposed = _entries(out[len(out) - out[::-1].index(_STAGE_MAP_HEAD):])
            for value in spread.values():
                out += apart_todo(value, closed[value], [
                    p for p in catalog.pipelines if p.id in closed_in[value]], catalog,
                    proposed)
            # the values "*" would place too: no entry of their own was written (x49r11 F2)
            # (the entries as the map reads them: folded, ``tf.ValueMap``)
            stage_entries = out[len(out) - out[::-1].index(_STAGE_MAP_HEAD):]
            mapped = {tf.stage_key(json.loads(line.partition(" = ")[0])) for line in stage_entries
                      if line.startswith('"')}
            # only the cells "*" would catch: no stage of their name in some of their rows'
            # pipelines (x50r9 F3: 'Qualified', a stage of its rows' US, was listed)
            out += split_todo(split, catalog, [
                str(v) for v in values if tf.stage_key(str(v)) not in apart | mapped
                and str(v) not in placed and any(
                    not a_stage_in(catalog, str(v), p)
                    for p in pipes.get(tf.stage_key(str(v)), {None}))] if split else [],
                rows_of=split_rows, entries=proposed) if not own else []
            if (closed or split) and not own:  # the status read from the column: those
                # rows refused (an update reads them in the deal's pipeline: x51r4 F6)
                out += blank_todo(blank_words)
    out += ["", "[custom_fields]  # Pipedrive field label = column"]
    for f in customs:
        column = guesses.get(f"custom.{f.name}")
        if column and f.type == "date":
            out += dated(column)
            out.append(f"{_toml_str(f.name)} = "
                       f"{_date_value(column, column_formats.get(column, []))}")
            continue
        if f.name in money:
            currency, paired = money[f.name]
            if paired or currency:
                out += [] if paired else [
                    f"# TODO: no {str(column) + ' currency'!r} column: {currency!r} is the deal's "
                    "currency, which this field may not share; check it, then delete this "
                    "line"]
                out.append(f"{_toml_str(f.name)} = {{ column = {_toml_str(column or '')}, "
                           f"currency_column = {_toml_str(currency)} }}")
                continue
        line = f"{_toml_str(f.name)} = {_column_value(column or '')}"
        if column and f.type in ("enum", "set"):
            out += _unknown_options_todo(f, column, _sampled(samples, column),
                                         _chosen_separator(samples, multi))
        out.append(line if column else f"# {line}  # {f.type}")
    for section, fields in (("person", ("name", "email", "phone")),
                            ("organization", ("name", "address"))):
        out += ["", f"[{section}]"]
        if own:  # an update links no person or organization: the import's lines, commented
            out.append("# (import into another account only: `pdbulk update` links none)")
        for name in fields:
            column = guesses.get(f"{section}.{name}")
            names = _name_columns(header) if (section, name) == ("person", "name") else None
            if names is not None and (column is None or column in names):
                # first and last name columns: both, never the one a fuzzy match took
                # (v10r11: contact.firstname / contact.lastname gave name = lastname)
                out.append(("# " if own else "")
                           + f"name = {_toml_str('{' + names[0] + '} {' + names[1] + '}')}")
                used.update(names)
                continue
            if (section, name) == ("person", "name") and column is None and not own \
                    and (bare := person_name_line(header, used, samples, emailed=bool(
                        guesses.get("person.email")))) is not None:
                # a bare "Name" the deal title did not take (x50r1 F11: said "no column
                # looks like a name" beside it): proposed, or at least named
                out.append(bare[1])
                if not bare[1].startswith("#"):
                    used.add(bare[0])
                continue
            if (section, name) == ("person", "name") and column is None \
                    and guesses.get("person.email") and not own:
                out.append('# name = ""  # no column looks like a name: new persons are named '
                           "by their e-mail address; map the column of their names here")
                continue
            if column and (section, name) == ("person", "email") \
                    and column == guesses.get("person.name"):
                out.append("# the same column as the name: the name beside each address "
                           "(a cell with no address is the name alone)")
            out.append(("# " if own else "") + f"{name} = {_column_value(column)}"
                       + crm_todos.get(f"{section}.{name}", "") if column else f'# {name} = ""')
            if column and name == "name" and not own:  # (own: commented out)
                out += _several_lines(section, column, samples)
            elif column and (section, name) == ("person", "email") and not own \
                    and column != guesses.get("person.name"):
                out += _several_lines("e-mail", column, samples)
    if alike := alike_todos(header, used):  # at the top: `plan import` refuses (x45r8 F2)
        out[3:3] = [*alike, ""]
    if merged and (todos := merged_todos(merged, used)):  # likewise (x49r5 F2)
        out[3:3] = [*todos, ""]
    unused = [c for c in header if c not in used and c not in numeric and c not in undated]
    # a column of a custom field whose type pdbulk does not import (daterange, time, org,
    # people, ...) is said so, not left among the others (x41r3 L3: as if no field matched)
    unsupported = {column: f for target, column in _guess(unused, {
        f"custom.{f.name}": (f.name,) for f in catalog.deal_fields
        if f.is_custom and f.type not in _CUSTOM_OPTIONS}).items()
        for f in catalog.deal_fields if f"custom.{f.name}" == target}
    unused = [c for c in unused if c not in unsupported]
    if unused:
        out += ["", "# Columns not mapped: " + ", ".join(unused)]
    if bookkeeping:
        out.append("# Left out, Dynamics 365's bookkeeping for importing its sheet back "
                   "(no field of a deal): " + ", ".join(bookkeeping))
    out += _period_note(unused, samples)
    out += twin_notes
    if unsupported:
        out += ["", "# Columns of custom fields pdbulk cannot import (their type is not "
                    "supported; supported: " + ", ".join(sorted(_CUSTOM_OPTIONS)) + "): "
                + ", ".join(f"{c} ({f.type} field {f.name!r})" for c, f in unsupported.items())]
    if numeric:
        out.append("# Left out, their sampled values are bare numbers (ids?): "
                   + ", ".join(numeric))
    if mailed:
        out.append("# Left out, their sampled values hold e-mail addresses (a name with its "
                   "address?): " + ", ".join(mailed))
    if unmailed:
        out.append("# Left out, its sampled values hold no e-mail address (ids?): "
                   + ", ".join(unmailed))
    if unphoned:
        out.append("# Left out, its sampled values are no phone numbers (or hold an e-mail address): "
                   + ", ".join(unphoned))
    if undated:
        out.append("# Left out, their sampled values hold no date (yes / no?): "
                   + ", ".join(undated))
    if more_rows and rows:  # the file goes on past the sample (x49r3 F8)
        past = f" (rows past the sampled {len(rows):,} were not checked)"
        out = [_SAMPLED_ROWS.sub(lambda m: m[0] + past, line, 1)
               if line.lstrip().startswith("# TODO") else line for line in out]
    return "\n".join(out) + "\n"


__all__ = ["TypedDate", "TypedSample", "sample_text", "date_formats_for", "init_mapping", "person_name_columns",
           "unnamed_persons_note"]
