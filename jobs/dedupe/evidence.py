"""What two deals' records (not their titles) say: guards, identifiers, dates, recurrence.

Guards (``guard_reasons`` / ``guarded``: self, a differing identifier, currency, won with
lost, won with won, pipeline, deleted, archived) keep a pair from ever merging; an equal
identifier (``identifier_value``: a PO number, the import's source key) is evidence for;
dates far apart (``date_gaps``), categorical custom fields that differ
(``category_conflicts``) and a deal recurring (``_recurring``: a renewal, a
retainer, re-opened after closing) and two deals added days apart with no sign of a copy
(``added_apart``: a weekly order, a repeat service call) cap a pair at review; ``_context`` weighs org, person,
value, add time and pipeline (``scoring``'s module docstring gives the weights). Nothing
here reads a title. Pure: no I/O.

Why ~950 lines: each rule reads two records the same way (their add times, dates,
identifiers, org names), and ``scoring`` applies them in one order; the identifier
placeholders, the gap a copy is entered within and the two-companies test of a group
joined it (f33h), the person read twice (x42r2 F5) and the one reading of "none" a field
policy shares (``no_value``, x44r5 F1), each a few dozen lines that share those readings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from types import MappingProxyType

from .amounts import amount, same_value, two_amounts, two_currencies, value_conflict, within
from .letters import SPELLED_OUT, marks_apart
from .model import DealRecord
from .normalize import NormTitle, fold, org_key, org_key_dotless, other_legal_entity, same_org_name
from .title_tokens import words

RECURRING_DAYS = 21  # added further apart than this: a renewal / retainer, review at most


COPY_GAP_DAYS = 2  # a copy is entered the same day, or within a day or two (import, retyping)


REPEAT = "a repeat?"  # reason prefix: added days apart, nothing else says one deal twice


SAME_IDENTIFIER = "same identifier"  # reason prefix


DATE_GAP_DAYS = 45  # expected close dates (or date custom fields) further apart: review at most


DATES_DIFFER = "dates differ"  # reason prefix


_CLOSED = frozenset({"won", "lost"})


_NO_FIELDS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Prepared:
    """A deal with what scoring needs precomputed (normalized title, org key):
    ``scoring.prepare`` makes it, once per deal."""

    deal: DealRecord
    title: NormTitle
    org: str  # org_key(org_name)
    idents: tuple[tuple[str, str], ...] = ()  # (identifier field key, identifier_value)
    org_plain: str = ""  # org_key_dotless(org_name): its umlauts as bare vowels ("" if none)
    # why the deal's org / person is a catch-all record many customers share (``catch_all``:
    # weak evidence, no tie to one customer), "" for a customer's own record
    weak_org: str = ""
    weak_person: str = ""
    # the account's title words: how many deals' titles use each (``matching``), or None
    vocab: Mapping[str, int] | None = None


def identifier_value(r: DealRecord, key: str) -> str | None:
    """The deal's value of identifier field ``key`` as compared: trimmed, casefolded, the
    separators inside it folded away (``PO-4711 `` = ``PO 4711`` = ``po4711``); a whole
    number written as a float, a number or a string, is the number (``4711.0`` =
    ``"4711.0"`` = ``4711``); None when empty or a placeholder (``placeholder``: ``n/a``,
    ``-``, ``0``, ``TBD``, ``unknown``...)."""
    text = identifier_text(r, key)
    return None if text is None or placeholder(text) else _compared(text)


def identifier_text(r: DealRecord, key: str) -> str | None:
    """The deal's value of identifier field ``key`` as ``identifier_value`` compares it, a
    placeholder kept, but None when the field says no value at all (``blank_identifier``:
    empty, ``n/a``, ``-``, ``0``, ``TBD``...). Two deals' texts that differ tell them apart
    even where one reads as a filler (``PO-1111``, ``12345``: x44r2 F1)."""
    v = r.fields.get(key)
    if isinstance(v, Mapping):
        v = v.get("value", v.get("id"))
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = " ".join(str(v).split()).casefold()
    if "." in text and _WHOLE_FLOAT.fullmatch(text):  # 4711.0 (a spreadsheet's float) = 4711
        text = text[:text.index(".")]
    return None if blank_identifier(text) else text


def _compared(text: str | None) -> str | None:
    """An identifier's text as compared, case folded as given: a run of separators (space,
    ``-``, ``_``, ``/``, ``.``, ``·``) between a letter run and a digit run folded away when
    the id is one letter part and one digit part, or two before or after one (``PO 4711`` =
    ``PO-4711`` = ``PO/4711`` = ``po4711``, ``4711-B`` = ``4711B``: x44r5 F3); every other
    separator run, between two digits or two letters or in a longer mix, made one ``-``:
    ``12-34`` = ``12 34`` = ``12/34``, but the digits' grouping is kept (x44r8 F1: ``12-34``
    / ``1-234``, ``V1.2`` / ``V12``, ``SO-10-1`` / ``SO-101``, ``12.5`` / ``125`` were read as
    one id and merged at 1.00). ``PO-4711`` / ``PO-4712`` stay two."""
    if text is None:
        return None
    runs = _SEPARATORS.split(text)
    if len(runs) == 1:
        return text
    fold = len(_CLASS_BOUNDARY.findall("".join(runs))) <= 2
    out = [runs[0]]
    for run in runs[1:]:
        left, right = out[-1][-1:], run[:1]
        mixed = left.isdigit() != right.isdigit()
        out.append(run if fold and mixed else "-" + run)
    return "".join(out)


def identifier_shown(r: DealRecord, key: str) -> str:
    """The deal's value of identifier field ``key`` as written (spacing collapsed, its case
    kept: ``PO-49592``), for a reason (x44r5 F5: reasons said ``po-49592``)."""
    v = r.fields.get(key)
    if isinstance(v, Mapping):
        v = v.get("value", v.get("id"))
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = " ".join(str(v).split())
    return text[:text.index(".")] if "." in text and _WHOLE_FLOAT.fullmatch(text) else text


_WHOLE_FLOAT = re.compile(r"\d+\.0+")
_SEPARATORS = re.compile(r"(?<=\w)[\s\-_/.·]+(?=\w)")
# where letters meet digits in an id (``PO4711``: one; ``A1B2``: three)
_CLASS_BOUNDARY = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")


# what people type into an identifier field they have no value for (casefolded; spacing and
# the punctuation around it aside): English, German, French, Spanish, Italian, Dutch
PLACEHOLDERS = frozenset({
    "n/a", "na", "n.a", "n.a.", "n a", "#n/a", "none", "null", "nil", "nan", "no", "nope",
    "tbd", "tba", "tbc", "todo", "unknown", "unk", "missing", "pending", "not available",
    "not applicable", "no id", "no number", "empty", "blank", "x", "xx", "xxx", "test",
    "keine", "keiner", "kein", "k.a", "k.a.", "k. a.", "ka", "unbekannt", "offen", "fehlt",
    "ohne", "n.v", "n.v.", "nv", "nicht vorhanden", "entfällt", "entfaellt",
    "inconnu", "aucun", "aucune", "néant", "neant", "sans", "nd", "n.d", "n.d.", "s.o.",
    "desconocido", "ninguno", "ninguna", "sin", "pendiente", "n/d",
    "sconosciuto", "nessuno", "nessuna", "onbekend", "geen", "nvt", "n.v.t.",
    # x33r3 F2: missed before folding, or missing words
    "keine angabe", "keine angaben", "ohne angabe", "nicht bekannt", "unbek", "n.b.", "nb",
    "n/b", "s/n", "nein", "non",
    # f41d 2: German ``o.A.`` (ohne Angabe), "empty" and "to follow" words, N.N., dummies
    "o.a.", "oa", "leer", "vide", "vacio", "vacío", "vuoto", "leeg", "n.n.", "nn", "folgt",
    "kommt noch", "wird nachgereicht", "nachreichen", "to follow", "tbf", "a definir",
    "à définir", "por definir", "da definire", "nog niet", "nog onbekend", "nicht angegeben",
    "not given", "not known", "sin datos", "s/d", "sd", "dummy", "sample", "beispiel",
    "muster", "platzhalter", "placeholder", "siehe oben", "see above", "idem", "dito", "ditto",
    # x44r5 F3: none / unknown / not given in more languages (read as real ids, true copies
    # held apart): Polish, Scandinavian, Finnish, Portuguese, Turkish, Hungarian, Czech,
    # Russian, Ukrainian, Greek, Romanian, and Dutch / Italian phrases
    "brak", "brak danych", "nieznany", "nieznana", "nie dotyczy", "ingen", "inget",
    "ingen uppgift", "okänd", "okänt", "ikke", "ikke oplyst", "ukjent", "ukendt", "ei ole",
    "ei tiedossa", "tuntematon", "nenhum", "nenhuma", "sem", "não informado",
    "nao informado", "desconhecido", "yok", "bilinmiyor", "belirtilmemiş", "nincs",
    "ismeretlen", "neznámý", "neznámá", "není", "нет", "нет данных", "неизвестно", "немає",
    "невідомо", "άγνωστο", "κανένα", "necunoscut", "niciunul", "niet bekend",
    "non disponibile", "non noto",
    # x44r8 F4: no / nothing / not given / not applicable in those languages and more; the
    # short ones (``ne``, ``nu``, ``ei``, ``nej``, ``nie``) are codes as often: ``none_ish``
    "nej", "nee", "nie", "ne", "ні", "не", "żaden", "žádný", "neuvedeno", "ei", "hay\u0131r",
    "belirtilmemis", "nem", "semmi", "nincs adat", "όχι", "δεν υπάρχει", "nu", "nimic",
    "nada", "niente", "ninguém", "sin número", "não se aplica", "nichts", "rien",
    "nicht zutreffend", "keine nummer", "ingenting", "ej angivet", "ikke angivet",
    "ikke oppgitt", "nie podano", "не указано", "не вказано",
})
# folded (``fold``: casefolded, spaces and punctuation gone): ``k. A`` = ``k.A.`` = ``ka``
_FOLDED = frozenset(re.sub(r"[\W_]+", "", w) for w in PLACEHOLDERS)
SENTINELS = frozenset({"-1"})  # a number systems write for none: no identifier either
# the bare short words for none that are codes too (``NA`` North America, ``NO`` Norway,
# ``SEM``, ``SIN``, ``NIL``, ``KA``, ``INGEN``): 1-3 letters alone, and two words
# (x44r8 F2: ``NA`` / ``EU`` read as "no value" lost the guard and merged at 1.00)
_NOT_CODES = frozenset({"tbd", "tba", "tbc", "tbf", "nan", "unk", "x", "xx", "xxx", "nvt",
                        "yok"})
_NONE_ISH = frozenset(w for w in _FOLDED if w.isalpha()
                      and (len(w) <= 2 or (w.isascii() and len(w) <= 3))
                      and w not in _NOT_CODES) | {"ingen", "inget"}


def none_ish(text: str) -> bool:
    """Whether an identifier's text is a bare short word for none that is a real code as
    often (``_NONE_ISH``: ``NA``, ``NO``, ``ND``, ``NV``, ``NB``, ``KA``, ``SEM``, ``SIN``,
    ``NIL``, ``INGEN``; written with punctuation, ``n/a`` / ``k.A.``, it is no code). It is
    a ``placeholder`` (its equality is no evidence) but not ``blank_identifier``: one that
    differs from the other deal's id keeps the pair at review at most
    (``filler_differences``, x44r8 F2), and a plan names it when a merge or policy drops it."""
    t = " ".join(text.split()).casefold()
    return t.isalpha() and t in _NONE_ISH


def placeholder(text: str) -> bool:
    """Whether an identifier's text (casefolded, spacing collapsed) is a placeholder, no
    value: empty, punctuation only (``-``, ``?``, ``/``, ``...``), zeros only (``0``,
    ``000``, ``0-0``), or a word for none (``PLACEHOLDERS``: ``n/a``, ``TBD``, ``unknown``,
    ``keine``, ``inconnu``...) compared folded: case, spaces and punctuation aside (``k. A``
    = ``k.A.`` = ``ka``, ``N / A`` = ``n/a``), or ``-1`` (``SENTINELS``). Two deals with
    ``n/a`` share no identifier (x33r1 F3: deals of three companies pulled into one review
    group; x33r3 F2: ``keine Angabe``, ``N / A``, ``S/N`` read as real). A real id that only
    looks like one keeps its letters or digits apart: ``0042``, ``A-0``, ``N/A-17``,
    ``TBD-1`` are identifiers. ``nein`` and ``non`` (no) are placeholders as ``no`` is.
    f41d 2 (``o.A.``, ``(leer)``, ``123456789`` made pairs match as if real): also a filler
    (``_filler``: ``xxxx``, ``9999``, ``12345``, ``987654321``), a label and a colon before
    a placeholder (``Kundennr.: n/a``), and a prefix of 1-3 letters before one or before
    3+ zeros or a filler (``PO-TBD``, ``DE000000000``, ``DE123456789``)."""
    core = _PUNCT.sub("", text)
    if not core or set(core) <= {"0"}:
        return True
    if core.casefold() in _FOLDED or text.strip() in SENTINELS or _filler(core.casefold()):
        return True
    if (m := _LABELLED.fullmatch(text.strip())) and placeholder(m[1]):
        return True  # Kundennr.: n/a, VAT: - (a label typed before no value: f41d 2)
    m = _PREFIXED.fullmatch(text.strip())
    body = _PUNCT.sub("", m[1]).casefold() if m else ""
    return body in _FOLDED or _ZEROS.fullmatch(body) is not None or _filler(body)


def blank_identifier(text: str) -> bool:
    """Whether an identifier's text (casefolded, spacing collapsed) says there is no value:
    a ``placeholder`` that no system hands out as an id — empty, punctuation or zeros only,
    a word for none (``n/a``, ``TBD``, ``keine Angabe``), ``-1``, a label or 1-3 letters
    before one (``Kundennr.: n/a``, ``PO-TBD``, ``DE000000000``), one letter or sign
    repeated (``xxxx``, ``????``). Not blank: the fillers made of digits (``9999``,
    ``12345``, ``PO-1111``, ``DE123456789``) — real numbers in a sequence look like them
    (x44r2 F1: orders ``PO-1111`` / ``PO-1112`` merged, the first id lost), so they lose
    the evidence their equality gives but still tell two deals apart."""
    if not placeholder(text) or none_ish(text):
        return False
    m = _LABELLED.fullmatch(text.strip())
    core = _PUNCT.sub("", m[1] if m and placeholder(m[1]) else text).casefold()
    if (p := _PREFIXED.fullmatch(core)) and core not in _FOLDED:
        core = _PUNCT.sub("", p[1]).casefold()  # PO-1111 -> 1111, PO-TBD -> tbd
    return not (core.isdigit() and set(core) != {"0"} and _filler(core))


def no_value(v: object, field: str | None = None) -> bool:
    """Whether a field's value says there is none: empty (None, ``""``, ``[]``, ``{}``);
    text that is a placeholder (``blank_identifier``: ``n/a``, ``-``, ``?``, ``geen``,
    ``N.N.``, ``0000``, ``xxxx``...) or a code read as none (``none_ish``: ``NA``); a
    sentinel date (``SENTINEL_DATES``: 1900-01-01, 1970-01-01..., a date or ISO text); a
    money amount of 0 or less (the deal ``value`` when ``field`` is ``"value"``, a monetary
    field's ``{"value": 0, "currency": "EUR"}``: Pipedrive shows a deal value of 0 as no
    value, FACTS.md); a reference id of 0 (``owner_id``, ``person_id``, ``org_id``, a user /
    person / org field's ``{"id": 0}``: Pipedrive ids start at 1). A plain number is a value,
    0 and negatives too (a custom number field's 0 is a real discount or count as often);
    so is a filler of digits (``PO-1111``). The one reading of "none" the identifier
    evidence, the field policy and a plan's ``drops`` share (x44r5 F1: the policy took
    ``-`` over ``PO-49148``; x44r8 F3: ``value = "min"`` took a copy's 0 over 700, 32 of
    32 survivors set to 0; ``earliest`` took 1900-01-01)."""
    if isinstance(v, Mapping) and v:
        if "currency" in v:
            amount = v.get("value")
            return not isinstance(amount, int | float) or isinstance(amount, bool) \
                or amount <= 0
        ref = "id" in v
        v = v.get("value", v.get("id"))
        if ref and v == 0 and not isinstance(v, bool):
            return True
    if v is None or v == "" or v == [] or v == {}:
        return True
    if isinstance(v, date):
        return (v.date() if isinstance(v, datetime) else v) in SENTINEL_DATES
    if isinstance(v, int | float) and not isinstance(v, bool):
        return (field == "value" and v <= 0) or (field in _REFERENCES and v == 0)
    if not isinstance(v, str):
        return False
    if (d := _ISO_DATE.match(v.strip())) and d[0] in _SENTINEL_ISO:
        return True
    t = " ".join(v.split()).casefold()
    return blank_identifier(t) or none_ish(t)


# dates systems write for none: Excel's and Lotus's day 0 / 1, the Unix epoch, the first
# day .NET / SQL know, the last one (x44r8 F3: ``earliest`` took 1900-01-01 over 2026-12-31)
SENTINEL_DATES = frozenset({date(1900, 1, 1), date(1899, 12, 30), date(1899, 12, 31),
                            date(1970, 1, 1), date(1, 1, 1), date(9999, 12, 31)})
_SENTINEL_ISO = frozenset(d.isoformat() for d in SENTINEL_DATES)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\d])")
# deal fields that hold a user's, person's or organization's id: 0 is none
_REFERENCES = frozenset({"owner_id", "user_id", "person_id", "org_id", "creator_user_id"})


_PUNCT = re.compile(r"[\W_]+")
# a label and a colon before the value (``Kundennr.: n/a``, ``VAT: -``)
_LABELLED = re.compile(r"[^:]{1,30}:\s*(.*)")
# a short letter prefix before a placeholder (``PO-TBD``, ``DE000000000``, ``PO-000``); one
# zero after letters is a real id (``A-0``)
# and a separator before a word (``PO-TBD``, ``PO n/a``; ``CONTEST``, ``ARENA``, ``CANNON``
# are words, not CON+test: x44r8 F2)
_PREFIXED = re.compile(r"[^\W\d_]{1,3}(?:[\s\-/#.:]+|(?=\d))(.+)")
_ZEROS = re.compile(r"0{3,}")
_RUN = 5  # a run of this many digits counting up or down is typed for none (``12345``)


def _filler(core: str) -> bool:
    """Whether ``core`` (an identifier's letters and digits, casefolded) is what a form
    is filled with for none (f41d 2): one character repeated 4+ times (``xxxx``, ``9999``,
    ``1111111``) or ``_RUN``+ digits counting up or down (``12345``, ``123456789``,
    ``1234567890``, ``987654321``). A real number in such a form (customer 12345) only
    loses the evidence its equality would give: no pair is merged on a placeholder."""
    if len(core) >= 4 and len(set(core)) == 1:
        return True
    if len(core) < _RUN or not core.isdigit():
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(core)}
    return steps in ({1}, {9})


def _identifiers(a: DealRecord, b: DealRecord, fields: Mapping[str, str]
                 ) -> tuple[list[str], list[str]]:
    """(what differs, what is equal) over the identifier fields both deals have a real
    value in (not a ``placeholder``), as reasons: ``different PO number 4711≠4712`` /
    ``same identifier: PO number 4711``."""
    differ: list[str] = []
    same: list[str] = []
    for key, name in fields.items():
        x, y = identifier_value(a, key), identifier_value(b, key)
        if x is None or y is None:
            continue
        if x == y:
            same.append(f"{SAME_IDENTIFIER}: {name} {identifier_shown(a, key)}")
        else:
            differ.append(f"different {name} {identifier_shown(a, key)}≠"
                          f"{identifier_shown(b, key)}")
    return differ, same


FILLER_DIFFERS = "different identifier, one read as a filler"  # reason prefix


def filler_differences(a: DealRecord, b: DealRecord, fields: Mapping[str, str]) -> list[str]:
    """The identifier fields (key -> name) whose texts differ on two deals where one or
    both read as a filler (``identifier_text``, ``blank_identifier``: ``PO-1111`` /
    ``PO-1112``, ``12345`` / ``12346``, ``9999`` / ``DE811234567``), as reasons:
    ``different identifier, one read as a filler: External ID PO-1111≠PO-1112`` (as
    written). Not a guard (a form's ``9999`` may be no id), but never merged unattended: review at most
    (x44r2 F1: 4 of 4 such pairs of two orders merged, one order's id lost). Two real
    differing values are a guard (``guard_reasons``); a blank one tells nothing."""
    out: list[str] = []
    for key, name in fields.items():
        x, y = _compared(identifier_text(a, key)), _compared(identifier_text(b, key))
        if x is None or y is None or x == y:
            continue
        if identifier_value(a, key) is None or identifier_value(b, key) is None:
            out.append(f"{FILLER_DIFFERS}: {name} {identifier_shown(a, key)}≠"
                       f"{identifier_shown(b, key)}")
    return out


def guard_reasons(a: DealRecord, b: DealRecord, guards: frozenset[str],
                  identifiers: Mapping[str, str] = _NO_FIELDS) -> tuple[str, ...]:
    """The guards this pair breaks (empty when it may be merged). Self is always a guard;
    so is a differing value in one of the ``identifiers`` (custom field key -> name)."""
    out: list[str] = []
    if a.id == b.id:
        out.append("guard: self")
    if identifiers:
        out.extend(f"guard: {why}" for why in _identifiers(a, b, identifiers)[0])
    if "currency" in guards and a.currency and b.currency and a.currency.upper() != b.currency.upper():
        out.append(f"guard: currency {a.currency}≠{b.currency}")
    if "won_lost" in guards and a.status in _CLOSED and b.status in _CLOSED and a.status != b.status:
        out.append("guard: won with lost")
    if "won_won" in guards and a.status == "won" and b.status == "won":
        out.append("guard: won with won (each is booked revenue)")
    if "pipeline" in guards and a.pipeline_id is not None and b.pipeline_id is not None \
            and a.pipeline_id != b.pipeline_id:
        out.append(f"guard: pipeline {a.pipeline_id}≠{b.pipeline_id}")
    if "deleted" in guards and "deleted" in (a.status, b.status):
        out.append("guard: deleted deal")
    if "archived" in guards and (a.is_archived or b.is_archived):
        out.append("guard: archived deal")
    return tuple(out)


def guarded(a: DealRecord, b: DealRecord, guards: frozenset[str],
            identifiers: Mapping[str, str] = _NO_FIELDS) -> bool:
    """True when ``guard_reasons`` would name a guard (fast: no strings built)."""
    if a.id == b.id:
        return True
    if identifiers:
        for key in identifiers:
            x, y = identifier_value(a, key), identifier_value(b, key)
            if x is not None and y is not None and x != y:
                return True
    if "currency" in guards and a.currency and b.currency and a.currency != b.currency \
            and a.currency.upper() != b.currency.upper():
        return True
    if "won_lost" in guards and a.status != b.status and a.status in _CLOSED and b.status in _CLOSED:
        return True
    if "won_won" in guards and a.status == "won" and b.status == "won":
        return True
    if "pipeline" in guards and a.pipeline_id != b.pipeline_id and a.pipeline_id is not None \
            and b.pipeline_id is not None:
        return True
    if "deleted" in guards and (a.status == "deleted" or b.status == "deleted"):
        return True
    return "archived" in guards and (a.is_archived or b.is_archived)


def date_gaps(a: DealRecord, b: DealRecord,
              date_fields: Mapping[str, str] = _NO_FIELDS) -> list[str]:
    """The dates two deals both have that lie more than ``DATE_GAP_DAYS`` (45) days apart,
    as reasons naming the field and both dates (``expected_close_date 2025-12-31≠2026-12-31``,
    ``Renewal date 2025-06-01≠2026-06-01``): the expected close date and the date-type custom
    fields ``date_fields`` (key -> name; values ``YYYY-MM-DD``; a date range
    ``{"value": d1, "until": d2}`` is its start and its end, each compared; an unreadable
    value is no evidence). Two such deals are a renewal or the next period's deal more often
    than one deal typed twice."""
    out: list[str] = []
    pairs: list[tuple[str, object, object]] = [
        ("expected_close_date", a.expected_close_date, b.expected_close_date)]
    for key, name in date_fields.items():
        x, y = a.fields.get(key), b.fields.get(key)
        if isinstance(x, Mapping) or isinstance(y, Mapping):  # a date range: start and end
            pairs.extend((f"{name} {end}", _part(x, part), _part(y, part))
                         for part, end in (("value", "start"), ("until", "end")))
        else:
            pairs.append((name, x, y))
    for name, x, y in pairs:
        dx, dy = _day(x), _day(y)
        if dx is not None and dy is not None and abs((dx - dy).days) > DATE_GAP_DAYS:
            out.append(f"{DATES_DIFFER}: {name} {min(dx, dy)}≠{max(dx, dy)}")
    return out


CATEGORIES_DIFFER = "different"  # reason prefix: a categorical custom field's values


def category_conflicts(a: DealRecord, b: DealRecord, fields: Mapping[str, str],
                       options: Mapping[str, Mapping[int, str]] = MappingProxyType({})
                       ) -> list[str]:
    """The categorical custom fields (``fields``: key -> name; an option, a set of options,
    a user, a person, an organization) both deals have a value in and whose values differ,
    as reasons naming the field and both values by their labels (``options``: key ->
    option id -> label; an unknown option by its id): ``different Products of interest
    CRM≠Analytics``. Two deals a person filed under other categories are two deals as often
    as one typed twice (x18r1 3)."""
    out: list[str] = []
    for key, name in fields.items():
        x, y = _category(a.fields.get(key)), _category(b.fields.get(key))
        if x and y and x != y:
            labels = options.get(key) or {}
            seen = Counter(label.casefold() for label in labels.values())
            shown = [", ".join(_label(v, labels, seen) for v in sorted(c, key=repr))
                     for c in (x, y)]
            out.append(f"{CATEGORIES_DIFFER} {name} {shown[0]}≠{shown[1]}")
    return out


def _label(v: object, labels: Mapping[int, str], seen: Counter[str]) -> str:
    """An option by its label, with its id in brackets when another option of the field
    has that label (``Gold [3]``); an unknown option (or another record) by its id."""
    if not isinstance(v, int) or v not in labels:
        return str(v)
    return f"{labels[v]} [{v}]" if seen[labels[v].casefold()] > 1 else labels[v]


def _part(v: object, part: str) -> object:
    """One end of a range value (``{"value": d1, "until": d2}``), else None."""
    return v.get(part) if isinstance(v, Mapping) else None


def _category(v: object) -> frozenset[object]:
    """A categorical value as a set of option ids / record ids (empty: no value)."""
    if isinstance(v, Mapping):
        v = v.get("value", v.get("id"))
    items = v if isinstance(v, list | tuple) else [v]
    out: set[object] = set()
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("value", item.get("id"))
        if item is None or item == "" or isinstance(item, bool):
            continue
        if isinstance(item, float) and item.is_integer():
            item = int(item)
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        out.add(item)
    return frozenset(out)


def _day(v: object) -> date | None:
    """A date value (a ``date`` or an ISO ``YYYY-MM-DD...`` string) as a date, else None."""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str) and len(v) >= 10:
        try:
            return date.fromisoformat(v[:10])
        except ValueError:
            return None
    return None


def _recurring(a: DealRecord, b: DealRecord) -> str | None:
    """Why two deals look like one deal recurring (a renewal, a retainer, a re-opened
    opportunity) rather than one deal twice, else None: added more than ``RECURRING_DAYS``
    (21) days apart, or one added after the other was closed (won/lost): its ``add_time``
    after the other's ``close_time`` (``won_time`` / ``lost_time``). Never ``update_time``:
    a label or a note written after the close moves it, and the repeat order then looked
    added before the close (x23r2 1: won 10 days ago, edited today, the open repeat added 5
    days ago merged unattended). A closed deal whose close time is unknown is taken as
    closed when it was added, so a deal added after it is review at most.

    Pipedrive's times have 1-s resolution, so a tie reads "could be after" (x24r4 2: a
    renewal POSTed in the second its twin was won scored 1.000 and merged): added at or
    after the close, or at least 21 days apart, is recurring."""
    if a.add_time is None or b.add_time is None:
        return None
    gap = abs(epoch(a.add_time) - epoch(b.add_time))
    if gap >= RECURRING_DAYS * 86400:
        return f"recurring: added {gap / 86400:.0f} days apart"
    for x, y in ((a, b), (b, a)):
        if x.status not in _CLOSED:
            continue
        added = epoch(y.add_time)  # type: ignore[arg-type]
        if x.close_time is None:
            if added >= epoch(x.add_time):  # type: ignore[arg-type]
                return (f"recurring: deal {y.id} added after deal {x.id}, which is {x.status} "
                        f"with no {x.status}_time (maybe after it was {x.status})")
        elif added >= (closed := epoch(x.close_time)):
            when = "after" if added > closed else "in the second"
            return f"recurring: deal {y.id} added {when} deal {x.id} was {x.status}"
    return None


def added_apart(a: DealRecord, b: DealRecord,
                date_fields: Mapping[str, str] = _NO_FIELDS) -> str | None:
    """Why two deals added more than ``COPY_GAP_DAYS`` (2) days apart look like a repeat (a
    weekly or fortnightly order, a repeat service call: same title, org, person and value)
    rather than one deal entered twice, else None. A copy is entered the same day, or within
    a day or two when an import or a person types it again; later than that only an equal
    identifier says one deal (the caller's sign: ``scoring`` skips this rule for one and
    says ``lifted``). The same expected close date or the same date custom field
    (``date_fields``: key -> name) lifts nothing: a quarter end or a renewal date is a
    default many orders share (x33r3 F4: weekly orders with the close date 2026-09-30
    merged); the reason names it. The reason states the gap in days (``a repeat? added 7
    days apart, no sign of a copy (...)``); an unknown add time is no evidence. Pairs
    ``RECURRING_DAYS`` (21) or more apart are ``_recurring``'s."""
    if a.add_time is None or b.add_time is None:
        return None
    gap = abs(epoch(a.add_time) - epoch(b.add_time))
    if gap <= COPY_GAP_DAYS * 86400 or gap >= RECURRING_DAYS * 86400:
        return None
    shared = [f"expected close date {a.expected_close_date}"] \
        if a.expected_close_date is not None and a.expected_close_date == b.expected_close_date \
        else []
    for key, name in date_fields.items():
        x, y = a.fields.get(key), b.fields.get(key)
        if x not in (None, "") and not isinstance(x, bool) and x == y:
            shared.append(f"{name} {x}")
    weak = (f"; the same {', '.join(shared)} is no sign of one: a default many orders share"
            if shared else "")
    return (f"{REPEAT} added {days_apart(gap)} days apart, no sign of a copy (no equal "
            f"identifier; a copy is entered within {COPY_GAP_DAYS} days{weak})")


def days_apart(gap: float) -> str:
    """A gap in seconds as days, one decimal, a whole number bare: ``7``, ``2.5``."""
    return f"{gap / 86400:.1f}".removesuffix(".0")


RECORD_CONFLICT = "record differs"  # reason prefix: currency / pipeline differ, no guard set


def record_conflicts(a: DealRecord, b: DealRecord, guards: frozenset[str]) -> list[str]:
    """What the two records say against one deal that no guard holds already, as reasons
    (each caps the pair at review in ``scoring``): two amounts (``value_conflict``), a
    currency or a pipeline that differs when the config dropped its guard, and two owners
    (``record differs: owner 1≠2``: never merged unattended). The other signals
    against one deal have rules of their own there: dates (``date_gaps``, ``_recurring``),
    categories and product fields (``category_conflicts``), org / person (``_context``:
    review at most for two persons or no shared customer), won / lost (guards)."""
    out: list[str] = []
    if (why := value_conflict(a, b)) is not None:
        out.append(why)
    if "currency" not in guards and a.currency and b.currency \
            and a.currency.upper() != b.currency.upper():
        out.append(f"{RECORD_CONFLICT}: currency {a.currency}≠{b.currency}")
    if "pipeline" not in guards and a.pipeline_id is not None and b.pipeline_id is not None \
            and a.pipeline_id != b.pipeline_id:
        out.append(f"{RECORD_CONFLICT}: pipeline {a.pipeline_id}≠{b.pipeline_id}")
    if a.owner_id is not None and b.owner_id is not None and a.owner_id != b.owner_id:
        # two reps entering one deal is a common copy, but which rep keeps it is a person's
        # choice, not the cron's: a merge removes one salesperson's deal (x26r1 2)
        out.append(f"{RECORD_CONFLICT}: owner {a.owner_id}≠{b.owner_id}")
    return out


def epoch(t: datetime) -> float:
    """Seconds since the epoch; a naive time is taken as UTC (Pipedrive's times are UTC)."""
    return (t.replace(tzinfo=UTC) if t.tzinfo is None else t).timestamp()


NO_CUSTOMER = "no shared org or person"


UNTIED = "nothing ties the deals to one customer"  # reason: no shared org (company) nor person


FAR_APART_DAYS = 90  # added further apart than this: evidence against


UNTIED_SIDES = "org only on one, person only on the other"  # nothing of one kind on both


NO_CONTACT = "neither deal has an org or a person"  # reason detail: leads with no customer


LEGAL_ENTITIES = "two legal entities"  # reason prefix: org names alike but for their legal forms
TWO_ORG_RECORDS = "same org name, two org records"  # one company typed twice, or two branches
# reason prefix: two org names one key reads alike, a word written in both with marks that
# differ (``Vöruhús AB`` / ``Vöruhus AB``: ``letters.marks_apart``): two names, review at most
ORG_MARKS_APART = "org names written with other marks"


def _fmt(v: float) -> str:
    """A number as a reason shows it: whole, grouped (``amounts.amount``; ``%g`` showed
    1,000,000 / 1,000,001 as ``1e+06≠1e+06``, x45r7 F2)."""
    return amount(v)


def one_company(a: Prepared, b: Prepared) -> bool:
    """The two deals' org names are one company's (``normalize.same_org_name``: spacing
    aside, an umlaut as ``oe`` or as ``o`` against a name without one)."""
    return same_org_name(a.org, a.org_plain, b.org, b.org_plain)


ONE_PERSON = "same person, two person records"  # reason prefix: one_person


def one_person(a: Prepared, b: Prepared) -> str | None:
    """How two deals' two person records are one person entered twice, or None: they share
    an e-mail (case aside) under names one of which holds the other's words (``U. Cirrus`` /
    ``Ulf Cirrus``; a shared mailbox, ``info@`` for ``Anna Weber`` and ``Ben Weber``, is two
    persons) or a name with a phone number's digits unless each has e-mails and they share
    none (``_own_emails``: a switchboard; ``records.person_keys``; ``same e-mail`` / ``same
    name and phone``), and neither is a catch-all record (x42r2 F5: two ``Ulf
    Cirrus`` records with ``ulf@cirrus.de`` each were "different person")."""
    da, db = a.deal, b.deal
    if da.person_id is None or db.person_id is None or da.person_id == db.person_id \
            or a.weak_person or b.weak_person:
        return None
    if _names_marked_apart(da.person_name, db.person_name):
        return None  # Bjørn / Björn: two names, whatever the folds share (x53r8 F3)
    shared = set(da.person_keys).intersection(db.person_keys)
    if any(k.startswith("p:") for k in shared) and not _own_emails(da, db):
        return "same name and phone"
    if any(k.startswith("e:") for k in shared) and _one_name(da.person_name, db.person_name):
        return "same e-mail"
    return None


def _words_marked_apart(x: str | None, y: str | None) -> tuple[str, str] | None:
    """The first word pair of two names written in both with marks that differ
    (``letters.marks_apart``: ``vöruhús`` / ``vöruhus``, ``thuê`` / ``thuế``), or None. Two
    org names the org key reads as one company's (its fold drops every mark) are two names
    then, as two title words and two persons' names are (f56e: ``Vöruhús AB`` / ``Vöruhus
    AB`` with one person on both merged at 1.00); a name typed without marks is still it."""
    if not x or not y or x.isascii() or y.isascii():
        return None
    return next(((a, b) for a in x.casefold().split() for b in y.casefold().split()
                 if marks_apart(a, b)), None)


def _names_marked_apart(x: str | None, y: str | None) -> bool:
    """Two persons' names with a word written in both with marks that differ (``Bjørn Lie``
    / ``Björn Lie``, ``Møller`` / ``Möller``: ``letters.marks_apart``): two names, as two
    title words are. Their folds are one, so a shared mailbox (``info@``) or switchboard
    made them one person (x53r8 F3: 10 of 10 merged); a name typed without its marks
    (``Bjorn``, ``Bjoern``) is still that name."""
    if not x or not y or (x.isascii() or y.isascii()):
        return False
    wx = x.casefold().split()
    wy = y.casefold().split()
    return any(marks_apart(a, b) for a in wx for b in wy)


def _own_emails(a: DealRecord, b: DealRecord) -> bool:
    """Whether both deals' person records have e-mails and share none: two persons at one
    phone (a switchboard), whatever their names (x44r5 F2: ``Thomas Paul`` / ``Paul
    Thomas``, each with an e-mail of their own, merged as one person)."""
    ea = {k for k in a.person_keys if k.startswith("e:")}
    eb = {k for k in b.person_keys if k.startswith("e:")}
    return bool(ea) and bool(eb) and ea.isdisjoint(eb)


def _one_name(x: str | None, y: str | None) -> bool:
    """Two persons' names that may be one person's: one name's words (folded) are all among
    the other's, an initial standing for a word it starts (``U. Cirrus`` / ``Ulf Cirrus``,
    ``Cirrus`` / ``Ulf Cirrus``); a name not read is no evidence against. A word is read
    with its umlauts (and ``ø`` / ``å`` / ``æ``) as ``ae`` / ``oe`` / ``ue`` / ``aa`` and with
    their dots dropped, every other accent folded as org names are (``Jürgen`` =
    ``Juergen``, ``Björn Öberg`` = ``Bjorn Oberg``, ``Gülşen Şahin`` = ``Gulsen Sahin``:
    x43r2 F4, read as two persons; ``Søren`` = ``Soeren``: x53r3 F7)."""
    wx, wy = _name_words(x or ""), _name_words(y or "")
    if not wx or not wy:
        return True
    short, long_ = (wx, wy) if len(wx) <= len(wy) else (wy, wx)
    return all(any(w & v or any(_initial(f, g) or _initial(g, f) for f in w for g in v)
                   for v in long_) for w in short)


def _initial(f: str, g: str) -> bool:
    """``f`` is one letter, ``g``'s first (``J.`` for ``Johan``, either name's)."""
    return len(f) == 1 and g.startswith(f)


def _name_words(name: str) -> list[frozenset[str]]:
    """Each word of a person's ``name`` as its folded readings (``title_tokens.words``
    with umlauts transliterated and with their dots dropped: ``Öberg`` -> ``{oeberg,
    oberg}``)."""
    spelled, dotless = words(name), words(name, other=True)
    nordic = words(name.casefold().translate(_SPELLED_OUT))  # ``Søren`` = ``Soeren`` (x53r3 F7)
    if len(spelled) != len(dotless):
        dotless = spelled
    if len(spelled) != len(nordic):
        nordic = spelled
    return [frozenset({fold(a), fold(b), fold(c)})
            for a, b, c in zip(spelled, dotless, nordic, strict=True)]


_SPELLED_OUT = str.maketrans(SPELLED_OUT)


def _has_org(p: Prepared) -> bool:
    return p.deal.org_id is not None or bool(p.org)


def _anonymous(p: Prepared) -> bool:
    """A deal with no customer identity at all: no org (id or name) and no person."""
    return p.deal.org_id is None and not p.org and p.deal.person_id is None


DIFFERENT_ORG_WEIGHT = -0.40  # ``_context``'s weight against two deals at two companies


def different_org(a: Prepared, b: Prepared) -> bool:
    """Whether ``_context`` reads the pair as at two companies (``different org``,
    ``DIFFERENT_ORG_WEIGHT``): two org records (or names) that are not one company's, read
    without building the rest of the context (``scoring._against_keeps_out``; f41d 4)."""
    da, db = a.deal, b.deal
    return not (da.org_id is not None and da.org_id == db.org_id) and _has_org(a) \
        and _has_org(b) and not one_company(a, b) and not _one_persons_org(a, b)


ONE_PERSONS_ORG = "org names alike, one person"  # reason: an org typed twice by its one person


def _one_persons_org(a: Prepared, b: Prepared) -> bool:
    """Two org records whose names are one company's written shorter — a legal form or a
    word dropped, a word abbreviated, accents dropped (``Bouwbedrijf v. Dijk`` / ``Bouwbedrijf
    van Dijk BV``, ``Celik Makine`` / ``Çelik Makine San. Tic. A.Ş.``) — on deals whose two
    person records are one person (``one_person``: an e-mail shared). x43r2 F4: such pairs
    were "different org" and never reached review. Every word of the shorter name (folded)
    is a word of the longer or, of 1-2 letters, starts one, and a word of 4 letters or more
    is shared; two legal forms (``_legal_entities``) are read before this."""
    if one_person(a, b) is None:
        return False
    wx, wy = _org_words(a), _org_words(b)
    if not wx or not wy:
        return False
    short, long_ = (wx, wy) if len(wx) <= len(wy) else (wy, wx)
    return any(len(w) >= 4 for w in short if w in long_) and all(
        any(w == v or _shortened(w, v) or _shortened(v, w) for v in long_) for w in short)


def _shortened(w: str, v: str) -> bool:
    """``w`` (1-2 letters) is ``v`` shortened (``v`` for ``van``, ``i`` for ``i``)."""
    return len(w) <= 2 < len(v) and v.startswith(w)


def _org_words(p: Prepared) -> list[str]:
    """The org name's words (``org_key``: no legal form, case or punctuation), folded."""
    return [fold(w) for w in org_key(p.deal.org_name or "").split()]


def _context(a: Prepared, b: Prepared, reasons: list[str]) -> tuple[float, list[tuple[float, str]]]:
    """The non-title evidence: (what speaks for the match, the pieces against it as
    (weight < 0, what)); the reasons are appended to ``reasons``."""
    da, db = a.deal, b.deal
    support = 0.0
    against: list[tuple[float, str]] = []
    same_org = False
    weak = ""  # a shared catch-all org / person: what ties nothing (catch_all)
    if da.org_id is not None and da.org_id == db.org_id:
        if weak_org := a.weak_org or b.weak_org:
            short, weak = _weak_words(weak_org, "the shared org is")
            reasons.append(f"same org ({short})")
        else:
            support += 0.05
            same_org = True
            reasons.append("same org")
    elif (entities := _legal_entities(a, b)) is not None:
        reasons.append(entities)  # not one company: no support; capped in score_pair
    elif one_company(a, b):
        if weak_org := a.weak_org or b.weak_org:
            # two records of one catch-all name (Walk-in Customers Berlin / (Berlin)): as weak
            # as one record many customers share (x36r2 F2: merged as one company)
            short, weak = _weak_words(weak_org, "the org name is")
            reasons.append(f"{TWO_ORG_RECORDS} ({short})")
        else:
            support += 0.03
            same_org = True
            reasons.append(TWO_ORG_RECORDS)
        if (apart := _words_marked_apart(da.org_name, db.org_name)) is not None:
            reasons.append(f"{ORG_MARKS_APART}: {apart[0]}≠{apart[1]}")  # capped: review
    elif _one_persons_org(a, b):
        reasons.append(ONE_PERSONS_ORG)  # neither for nor against: the person ties them
    elif (da.org_id is not None or a.org) and (db.org_id is not None or b.org):
        against.append((DIFFERENT_ORG_WEIGHT, "different org"))
        reasons.append("different org")
    same_person = False
    if da.person_id is not None and db.person_id is not None:
        if da.person_id == db.person_id and (weak_person := a.weak_person or b.weak_person):
            short, said = _weak_words(weak_person, "the shared person is")
            weak = weak or said
            reasons.append(f"same person ({short})")
        elif da.person_id == db.person_id:
            support += 0.04
            same_person = True
            reasons.append("same person")
        elif (how := one_person(a, b)) is not None:
            support += 0.04  # one person entered twice (x42r2 F5): as one record would
            same_person = True
            reasons.append(f"{ONE_PERSON} ({how})")
        elif same_org:
            against.append((-0.08, "different person"))
            reasons.append("different person")
        else:  # with no org to confirm the customer, another person is another customer
            against.append((-0.30, "different person"))
            reasons.append("different person, org not shared")
    if not same_org and not same_person:
        # nothing ties the two to one customer (no shared org, company or person): review at
        # most, whatever the title and the time gap (capped in score_pair, after all evidence)
        if weak:  # one record many customers share (x33r1 F2: Privatkunden, Walk-in customers)
            reasons.append(f"{UNTIED}: {weak}")
        elif _anonymous(a) and _anonymous(b):  # web-form leads: two enquiries as often as one
            reasons.append(f"{UNTIED}: {NO_CONTACT}")
        elif _anonymous(a) or _anonymous(b):
            reasons.append(f"{UNTIED}: no org and no person on deal {(a if _anonymous(a) else b).deal.id}")
        elif not (_has_org(a) and _has_org(b)) and (da.person_id is None or db.person_id is None):
            # an org on one deal, a person on the other: nothing says the person is at that org
            reasons.append(f"{UNTIED}: {UNTIED_SIDES}")
        else:
            reasons.append(f"{UNTIED}: {NO_CUSTOMER}")
    if da.value and db.value:
        if same_value(da, db):  # two currencies are never one value (x45r7 F6)
            support += 0.04
            # two amounts the minor unit makes one are said as two (f34e 5: "same value" for
            # 1120 / 1121 read as equal values)
            reasons.append("same value" if da.value == db.value else
                           f"same value within {within(da.currency or db.currency)}: "
                           f"{amount(da.value)} / {amount(db.value)}")
        else:
            # in two currencies no weight: the currency holds the pair (its guard, or the
            # record-differs cap), the amounts are said with their codes (x45r7 F6)
            against.append((0.0 if two_currencies(da.currency, db.currency) else -0.08,
                            "different value"))
            # the reason ``value_conflict`` holds the pair with, said at any score (x45r2 F2:
            # "value 5600 vs 5650" said nothing of why two amounts were taken for one)
            reasons.append(two_amounts(da.value, db.value, da.currency, db.currency))
            if (da.status in _CLOSED) != (db.status in _CLOSED) and "open" in (da.status, db.status):
                # an open deal beside a closed one at another value: a new opportunity
                # of the customer as often as a copy left open (x13r4 F3: open 48,700 and
                # won 8,600 scored 0.92 and merged). No weight: the second piece against
                # (with the value) that keeps the pair to review
                closed = da.status if da.status in _CLOSED else db.status
                against.append((0.0, f"one open, one {closed}"))
                reasons.append(f"one open, one {closed}")
    if da.add_time is not None and db.add_time is not None:
        gap = abs(epoch(da.add_time) - epoch(db.add_time))
        if gap < 3600:  # 1-s times: a tie may be further apart; evidence for takes no tie
            support += 0.05
            reasons.append(f"add_time {round(gap / 60)} min apart")
        elif gap < 2 * 86400:
            support += 0.02
            reasons.append(f"add_time {gap / 3600:.0f} h apart")
        elif gap >= FAR_APART_DAYS * 86400:
            against.append((-0.08, "added months apart"))
            reasons.append(f"add_time {gap / 86400:.0f} days apart")
        else:  # no weight; said always (x33r3 F4: a pair 2.0 days apart showed no gap)
            reasons.append(f"add_time {days_apart(gap)} days apart")
    if da.pipeline_id is not None and da.pipeline_id == db.pipeline_id:
        support += 0.02
        reasons.append("same pipeline")
    return support, against


# ``catch_all``'s same-title rule: one title on deals of a record added on 4+ days
_SAME_TITLE = re.compile(r"catch-all: (org|person) \S+ carries deals titled .* added on (\d+) "
                         r"different days")


def _weak_words(why: str, whose: str) -> tuple[str, str]:
    """What a shared record ``catch_all`` reads as weak is, said short (in brackets after
    ``same org``) and in full (after ``nothing ties the deals to one customer:``), ``whose``
    its subject (``the shared org is``): ``a catch-all`` / ``the shared org is a catch-all:
    ...``, but one title added on 4 or more days at one record is what it is, a recurring
    deal of a real customer as often as a bucket's (x42r2 F7b: ``Müller GmbH`` with its yearly
    ``Wartungsvertrag`` was "(a catch-all)"): ``the same title on 4 days at this org: a
    recurring deal`` / ``the same title on 4 days at this org: a recurring deal (org 1023
    carries deals titled ...)``."""
    m = _SAME_TITLE.match(why)
    if m is None:
        return "a catch-all", f"{whose} a {why}"
    where = "at this org" if m.group(1) == "org" else "for this person"
    short = f"the same title on {m.group(2)} days {where}: a recurring deal"
    return short, f"{short} ({why.removeprefix('catch-all: ')})"


TWO_COMPANIES = "two companies"  # group reason prefix: --include-review never merges it
NOT_INCLUDED = "--include-review does not merge it (decision = merge does)"  # group reason tail
# ... of a chained group: no path merges it as planned, a reviewer's decision = merge neither
# (``apply.ApplyOptions.wants``: the chaining guard); f34e 4, the tail above promised it would
NOT_AS_PLANNED = ("no path merges it as planned, not even decision = merge (a chain): split "
                  "the group in groups.csv, then decision = merge on a part")


def untied(reasons: Sequence[str]) -> str | None:
    """The first of a group's or a pair's reasons that says nothing ties its deals to one
    customer: ``two companies: ...`` (first) or ``nothing ties the deals to one customer: ...`` (a
    catch-all org or person with different persons, no shared org or person, ...); None when
    none does. ``--include-review`` leaves such a group to a person (``decision = merge``):
    x33r3 F1, eight customers' deals at a catch-all org merged into one."""
    return next((r for r in reasons if r.startswith(TWO_COMPANIES)),
                next((r for r in reasons if r.startswith(UNTIED)), None))


HELD = "review at most"  # reason prefix (``scoring.REVIEW_AT_MOST``): a rule holds the pair at review


def not_included(reasons: Sequence[str]) -> str | None:
    """The first of a group's or a pair's reasons that keeps ``--include-review`` off it:
    ``untied`` (nothing ties its deals to one customer), else a ``review at most: ...`` rule
    (the README's "never merged unattended": a repeat days apart, contradicting evidence,
    two persons, two amounts, a near word...; x34r2 F3: --include-review merged a pair whose
    own reason said "contradicting evidence", precision 0.66 / 0.20); None when none does:
    the review band's pairs in it by score alone (a typo'd title) are what it takes."""
    return untied(reasons) or next((r for r in reasons if r.startswith(HELD)), None)


def two_companies(members: Sequence[DealRecord]) -> str:
    """A reason when a group's deals sit at two companies (two org records whose names are
    not one company's, ``normalize.same_org_name``): ``two companies: Acme GmbH / Beta SA``;
    else "". ``--include-review`` leaves such a group to a person (``decision = merge``):
    x33r1 F3, deals of three companies in one review group it would have merged."""
    seen: dict[int, tuple[str, str, str]] = {}
    for d in members:
        if d.org_id is not None and d.org_id not in seen:
            name = d.org_name or f"org {d.org_id}"
            seen[d.org_id] = (name, org_key(d.org_name), org_key_dotless(d.org_name))
    orgs = list(seen.values())
    for i, (n1, k1, p1) in enumerate(orgs):
        for n2, k2, p2 in orgs[i + 1:]:
            if not (k1 and k2 and same_org_name(k1, p1, k2, p2)):
                return f"{TWO_COMPANIES}: {n1} / {n2}"
    return ""


def _legal_entities(a: Prepared, b: Prepared) -> str | None:
    """A reason when two deals sit on two org records whose names are alike but for
    different legal forms (``Tessera Group GmbH`` / ``Tessera Group Inc``): two legal
    entities of one group, not one company typed twice (``normalize.other_legal_entity``)."""
    da, db = a.deal, b.deal
    if not one_company(a, b) or not other_legal_entity(da.org_name, db.org_name):
        return None
    return f"{LEGAL_ENTITIES}: {da.org_name} / {db.org_name}"
