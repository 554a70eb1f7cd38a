"""Booleans, value maps, deal status, lists and column templates."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from bulk.errors import InputError

from .text import _SPACES, _text, clean_text, is_empty, norm_key, quoted_cell, said_cell

# ---------------------------------------------------------------- booleans, maps, status

_TRUE = frozenset({"true", "t", "yes", "y", "1", "on", "x"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off"})


def parse_bool(value: object) -> bool | None:
    """true/false, yes/no, y/n, 1/0, on/off, t/f, x (case-insensitive)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = _text(value, "yes or no").strip().casefold()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"not a yes/no value: {quoted_cell(value)}")


def truth_of(text: str) -> bool | None:
    """The yes/no a word says (``parse_bool``'s words: ``TRUE``, ``yes``, ``1``, ``x`` are
    True; ``FALSE``, ``no``, ``0`` are False), None for any other text. An XLSX boolean
    cell reads as ``true`` / ``false``, so it says what the CSV words say."""
    key = norm_key(text)
    return True if key in _TRUE else False if key in _FALSE else None


def saying(truth: bool, labels: Iterable[str]) -> list[str]:
    """The labels that say ``truth``: a yes/no word (``Yes``, ``Y``, ``x``), and ``1`` / ``0``
    only among labels that are all yes/no words (options ``1``, ``2``, ``3`` are a rating,
    not a checkbox)."""
    labels = list(labels)
    words = all(truth_of(label) is not None for label in labels)
    return [label for label in labels if truth_of(label) is truth
            and (words or not norm_key(label).isdigit())]


def same_truth(text: str, labels: Iterable[str]) -> str | None:
    """The one label of ``labels`` that says the same yes/no as ``text`` (an XLSX TRUE, or
    the CSV word ``true``, for an option or a map entry ``Yes``: ``saying``), None when
    ``text`` is no yes/no word, or no label or several say it (never a guess)."""
    truth = truth_of(text)
    if truth is None:
        return None
    found = {norm_key(label): label for label in saying(truth, labels)}
    return next(iter(found.values())) if len(found) == 1 else None


# how pdbulk joins a pipeline and a stage (``Catalog.stage_names``), and the ASCII form users type
STAGE_SEPARATOR = re.compile(r"\s*(?:\u203a|>)\s*")


def stage_key(name: str) -> str:
    """A stage's or pipeline's name as matched, the one fold of every place one is compared
    (the catalog's lookups, a stage or pipeline map's keys, ``init-mapping``'s proposals):
    ``norm_key`` (case, spacing, NFC / NFD alike) with each ``>`` / U+203A and its spacing
    one separator, so ``Sales>Qualified`` and ``sales U+203A qualified`` are one key (x48r2
    F1; x48r8 F1: a map key ``EU U+203A Discovery`` missed the cell ``EU>Discovery``)."""
    return norm_key(STAGE_SEPARATOR.sub(" > ", name))


class ValueMap:
    """A case- and whitespace-insensitive map of source values.

    ``"*"`` is the fallback for values that are neither in the map nor usable
    as they are: callers try ``get`` (explicit entries), then the value itself,
    then ``fallback`` — so ``{"*" = "open"}`` never turns a "won" into "open".
    ``key``: the fold of keys and looked-up values, ``norm_key``, or ``stage_key`` for a
    map of stage or pipeline names.
    """

    __slots__ = ("_entries", "_key", "fallback")

    def __init__(self, entries: Mapping[str, str] | None = None,
                 key: Callable[[str], str] = norm_key) -> None:
        items = dict(entries or {})
        self.fallback = items.pop("*", None)
        self._key = key
        self._entries = {key(k): v for k, v in items.items()}

    def get(self, value: str) -> str | None:
        """The explicit entry for ``value`` (never the fallback); a yes/no word (an XLSX
        boolean cell reads ``true``) takes the one entry of its truth when it has none of
        its own: ``{"yes" = "won"}`` maps TRUE, ``true`` and ``1`` alike."""
        key = self._key(value)
        found = self._entries.get(key)
        truth = truth_of(key) if found is None and self._entries else None
        if truth is not None:
            targets = {self._entries[k] for k in saying(truth, self._entries)}
            found = targets.pop() if len(targets) == 1 else None
        return found

    def __repr__(self) -> str:
        return f"ValueMap({len(self._entries)} entries, fallback={self.fallback!r})"


STATUSES = ("open", "won", "lost")
DEFAULT_STATUS_MAP = {
    "open": "open", "won": "won", "lost": "lost", "closed won": "won", "closed lost": "lost",
    "closedwon": "won", "closedlost": "lost", "closed-won": "won", "closed-lost": "lost",
}


def parse_status(value: object, value_map: ValueMap | None = None) -> str | None:
    """A deal status (open|won|lost) through the mapping's map, then the built-in one."""
    text = clean_text(value)
    if text is None:
        return None
    target = value_map.get(text) if value_map else None
    if target is None:
        target = DEFAULT_STATUS_MAP.get(norm_key(text))
    if target is None and value_map is not None:
        target = value_map.fallback
    if target is None:
        raise InputError(f"unknown status {said_cell(value, text)} (expected open, won, lost "
                         "or a mapped value)")
    if target not in STATUSES:  # pragma: no cover - the mapping validates its targets
        raise InputError(f"status must be open, won or lost, got {target!r}")
    return target


# words a CRM writes in a stage or status value for a closed deal ("Closed - Won", "Deal
# lost", HubSpot's "closedwon"; German, French, Spanish, Italian exports alike)
_CLOSED_WORDS = {"won": "won", "gewonnen": "won", "gagné": "won", "gagne": "won",
                 "ganado": "won", "ganada": "won", "vinto": "won", "vinta": "won",
                 "lost": "lost", "verloren": "lost", "perdu": "lost", "perdue": "lost",
                 "perdido": "lost", "perdida": "lost", "perso": "lost", "persa": "lost"}
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def closed_status(value: str) -> str | None:
    """``"won"`` or ``"lost"`` when a stage or status value reads as a closed deal's
    (``closedwon``, ``Closed Won``, ``Closed - Lost``, ``Won``, ``Deal lost``,
    ``Gewonnen``), else None (also when it names both). For ``init-mapping``'s status
    from a stage column and the plan's note on won / lost stages imported open (x18r2 3)."""
    key = norm_key(value)
    found = DEFAULT_STATUS_MAP.get(key) or DEFAULT_STATUS_MAP.get(key.replace("_", ""))
    if found is not None:
        return found if found != "open" else None
    said = {_CLOSED_WORDS[w] for w in _WORDS.findall(key) if w in _CLOSED_WORDS}
    return said.pop() if len(said) == 1 else None


def split_list(value: object, separator: str = ";") -> list[str]:
    """A delimited cell (or a JSON list) → its non-empty, trimmed items, in order, no repeats."""
    if is_empty(value):
        return []
    raw: Iterable[object] = value if isinstance(value, list) else (
        _text(value, "a list").split(separator))
    items: list[str] = []
    for item in raw:
        text = clean_text(item)
        if text and text not in items:
            items.append(text)
    return items


def list_reads(value: str, separator: str, known: Callable[[str], bool],
               most: int) -> list[list[str]]:
    """The ways a delimited cell reads as items that are all ``known``, when an item may
    itself hold the separator (an option ``Chat; Phone``, ``Fax, legacy``: x24r1 F5): each
    run of up to ``most`` + 1 pieces joined by the separator is one candidate item, the
    longest first. At most two reads are returned: [] none (read it with ``split_list``),
    one (its items, trimmed, no repeats), or two (the cell is ambiguous: the caller fails
    it). Empty pieces are skipped, as ``split_list`` skips them."""
    pieces = value.split(separator)
    n = len(pieces)
    # reads[i]: up to two reads of pieces[i:], each a list of items
    reads: list[list[list[str]]] = [[] for _ in range(n)] + [[[]]]
    for i in range(n - 1, -1, -1):
        found: list[list[str]] = []
        for j in range(min(n, i + most + 1), i, -1):
            text = clean_text(separator.join(pieces[i:j]))
            if text is None:
                if j == i + 1:  # an empty piece: nothing to read
                    found += reads[j][:2 - len(found)]
                continue
            if known(text):
                found += [[text, *rest] for rest in reads[j][:2 - len(found)]]
            if len(found) >= 2:
                break
        reads[i] = found
    return [list(dict.fromkeys(read)) for read in reads[0]]


def longest_items(value: str, separator: str, known: Callable[[str], bool],
                  most: int) -> list[str]:
    """A delimited cell that reads no way as ``known`` items (``list_reads``), cut where
    it would be read: at each piece the longest known run of up to ``most`` + 1 pieces,
    else the piece alone, so the unknown item is the one an error names."""
    pieces = value.split(separator)
    items: list[str] = []
    i = 0
    while i < len(pieces):
        for j in range(min(len(pieces), i + most + 1), i, -1):
            text = clean_text(separator.join(pieces[i:j]))
            if j == i + 1 or (text is not None and known(text)):
                if text is not None and text not in items:
                    items.append(text)
                i = j
                break
    return items


class OptionCells:
    """How a multi-option cell (label, set field) is cut into its items: at the
    separator, unless an option or a mapped value (``written``) holds it (x24r1 F5: the
    option ``Fax, legacy`` with separator ","). Then the cell is read every way its pieces
    join into known items (``list_reads``), spacing around the separator aside (``Chat
    ;Phone``): one read is taken, each item as the option writes it; two fail the cell
    (InputError naming both and the fix); none cuts it longest-known-first
    (``longest_items``), so the error names the unknown item."""

    __slots__ = ("_field", "_joined", "_most", "_separator", "_spaced")

    def __init__(self, written: Iterable[str], separator: str, field: str) -> None:
        self._separator, self._field = separator, field
        self._spaced = re.compile(r"\s*" + re.escape(separator) + r"\s*")
        written = list(written)
        self._joined = {self._key(text): text for text in written}
        self._most = max((text.count(separator) for text in written), default=0)

    def _key(self, text: str) -> str:
        return self._spaced.sub(self._separator, norm_key(text))

    def _known(self, text: str) -> bool:
        return self._key(text) in self._joined

    def items(self, raw: object) -> list[str]:
        separator, most = self._separator, self._most
        if not most or not isinstance(raw, str):
            return split_list(raw, separator)
        reads = list_reads(raw, separator, self._known, most)
        if len(reads) > 1:
            shown = " or ".join("[" + ", ".join(map(repr, read)) + "]" for read in reads)
            raise InputError(
                f"{raw.strip()!r} reads two ways as options of {self._field!r}: {shown} "
                f"(an option holds the separator {separator!r}): set a separator no option "
                "contains (separator = \"|\" for this field)")
        if not reads:
            return longest_items(raw, separator, self._known, most)
        return [self._joined.get(self._key(text), text) for text in reads[0]]

    def __repr__(self) -> str:
        return f"OptionCells({self._field!r}, {self._separator!r}, most={self._most})"


class Template:
    """``"{Company} - {Deal Name}"``: columns in braces, ``{{``/``}}`` for literal braces.

    Empty columns render as nothing, and the separators the template itself writes
    around an empty column (spaces, dashes, ``|``, ``:``, ``/``, ``,``, ``·``) are
    trimmed: before it when nothing follows, after it otherwise. A cell's own text is
    never trimmed (``Phase 1 -``, ``: Intro`` stay as written). A template whose
    columns are all empty renders as ``None``.
    """

    __slots__ = ("_parts", "columns", "text")
    _TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]+)\}|[{}]")
    _EDGES = " \t-\u2013\u2014|:/,\u00b7\u2022"

    def __init__(self, text: str) -> None:
        self.text = text
        # literal, column, literal, ..., column, literal (literals may be "")
        self._parts: list[tuple[bool, str]] = []  # (is_column, literal or column name)
        position, literal = 0, ""
        for match in self._TOKEN.finditer(text):
            literal += text[position:match.start()]
            position = match.end()
            token = match[0]
            if token in ("{{", "}}"):
                literal += token[0]
                continue
            if match[1] is None:
                raise ValueError(f"unbalanced {token!r} in template {text!r}")
            self._parts += [(False, literal), (True, match[1].strip())]
            literal = ""
        self._parts.append((False, literal + text[position:]))
        self.columns = [name for is_column, name in self._parts if is_column]
        if not self.columns:
            raise ValueError(f"template {text!r} names no column")

    @staticmethod
    def is_template(text: str) -> bool:
        """Whether a mapping string is a template rather than a column name."""
        return bool(re.search(r"\{[^{}]+\}", text))

    def render(self, values: Mapping[str, object]) -> str | None:
        """The filled template (one line, spaces collapsed), or None when every column is
        empty."""
        out: list[str] = []
        solid: list[bool] = []  # a filled cell, or a literal with more than separators
        empty: list[int] = []  # indexes in ``out`` of the empty columns
        for is_column, name in self._parts:
            if not is_column:
                out.append(name)
                solid.append(bool(name.strip(self._EDGES)))
                continue
            cell = clean_text(values.get(name))
            if cell is None:
                empty.append(len(out))
            out.append(cell or "")
            solid.append(cell is not None)
        if len(empty) == len(self.columns):
            return None
        for i in empty:  # out[i - 1] and out[i + 1] are the template's own literals
            if any(solid[:i]) and not any(solid[i + 1:]):
                out[i - 1] = out[i - 1].rstrip(self._EDGES)
            else:
                out[i + 1] = out[i + 1].lstrip(self._EDGES)
        return clean_text(_SPACES.sub(" ", "".join(out)).strip())

    def __repr__(self) -> str:
        return f"Template({self.text!r})"
