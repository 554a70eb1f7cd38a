"""A row's source key that would create a deal though it equals a key a deal already
carries, or a key another row of the file gives, but for its spelling — the leading zeros a
spreadsheet dropped (``000417`` read as the number 417), or a Salesforce id in its other
length (the 18-character id is the 15-character one plus a 3-character checksum of its
letters' case) — is refused with the whole file before any write, never silently taken for
a new key (x34r1 F3: a spreadsheet round-trip dropped the zeros, and the nightly upsert
created 300 of 300 deals a second time, exit 0). An insert is checked as an upsert is (it
created them as silently), and ``417`` and ``000417`` on two rows of one file are two
deals of one record made at once: both rows are named.

Refused, not matched: ``417`` and ``000417`` can be two records of a source that pads
some ids and not others, and a key matched in another spelling would have its deal's key
field rewritten to the file's form by the row (or kept in two forms for one record), each
night another if the exports differ. Pipedrive offers nothing to undo a doubled create but
a delete. The person fixes the export (the key column as Text; Salesforce's 18-character
``Id`` or ``CASESAFEID()``) and runs again; rows that really are new records are imported
with ``--keys-as-given`` (``ImportSettings.keys_as_given``), which takes every key as the
record it names.

The other spellings of one key are read by ``jobs.transforms.source_key`` already: a
trailing ``.0`` (a float column) is the whole number's key, and Excel's scientific form
(``4.17E+05``) fails its row (its digits are lost). Nothing here calls the API: the
account's keys are the import's own index (``jobs.account.DealsByKey``: an upsert's, an
insert's list of the deals that carry a key). The file's own keys are held as hashes of
their forms (``jobs.keyset.KeySet``, ~12 bytes a key); the first row of a form another row
spells otherwise is found, when one is, by reading the keys again (``check``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bulk.errors import InputError
from bulk.wording import counted, noun

from .keyset import KeySet

_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
ZEROS, SALESFORCE = "zeros", "salesforce"
# ZEROS the other way round: the file's key has more leading zeros than the deal's (an
# export that pads its ids, x35r1 3: "a spreadsheet drops them" was said of 0008417 / 8417)
_ZEROS_ADDED = "zeros added"
# SALESFORCE the other way round: the file's key is the 18-character id, the other one the
# 15-character (x36r3 F3: "export Salesforce's 18-character Id" was advised for a file
# that held it, against deals carrying the 15)
_SF_LONG = "salesforce 18"
_SHOWN_ROWS = 10  # row numbers named in the refusal
_SHOWN_PAIRS = 3  # (file key, deal's key) pairs named per kind


def salesforce_suffix(id15: str) -> str:
    """The 3 characters Salesforce appends to a 15-character id to make its 18-character,
    case-safe form: per 5-character chunk, a bit per upper-case letter, read as an index
    into A-Z0-5."""
    out = []
    for start in (0, 5, 10):
        bits = sum(1 << i for i, ch in enumerate(id15[start:start + 5]) if "A" <= ch <= "Z")
        out.append(_SF_SUFFIX[bits])
    return "".join(out)


def key_form(key: str) -> tuple[str, str] | None:
    """(kind, form) two spellings of one record's key share, or None when ``key`` has no
    other spelling here: a number's digits without their leading zeros (``ZEROS``), a
    Salesforce id's 15 case-sensitive characters (``SALESFORCE``: an 18-character key whose
    last 3 are the checksum of its first 15, or a 15-character key of letters and digits)."""
    if key.isascii() and key.isdigit():
        return ZEROS, key.lstrip("0") or "0"
    if not _ALNUM.issuperset(key):
        return None
    if len(key) == 18 and salesforce_suffix(key[:15]) == key[15:]:
        return SALESFORCE, key[:15]
    if len(key) == 15:
        return SALESFORCE, key
    return None


@dataclass(slots=True)
class SimilarKeys:
    """The rows whose key would create a deal though a deal carries it in another spelling
    (``see``), or an earlier row of the file gives it so (``see_in_file``), counted, the
    first few kept to name; ``check`` refuses them all at once."""

    rows: int = 0
    named: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, key, theirs, kind
    # rows whose key an earlier row to create gives in another spelling, the first few kept
    # (row, key, kind, form): ``check`` names that earlier row too
    file_rows: int = 0
    file_named: list[tuple[int, str, str, str]] = field(default_factory=list)
    _forms: dict[tuple[str, str], str] | None = None  # (kind, form) -> a deal's key
    _of: Mapping[str, Any] | None = None  # the index ``_forms`` was read from
    _file_forms: KeySet = field(default_factory=KeySet)  # the forms of the rows to create
    _file_kinds: set[str] = field(default_factory=set)  # file_named's, by direction (_in_file)

    def see(self, row: int, key: str, deals: Mapping[str, Any],
            archived: Mapping[str, Any] | None = None) -> str | None:
        """The key a deal of ``deals`` (or ``archived``) carries that is ``key`` in another
        spelling, noted for ``row`` (None: none, or ``key`` itself is in them)."""
        found = self._theirs(key, deals, archived)
        if found is None:
            return None
        theirs, kind = found
        self.rows += 1
        if len(self.named) < _SHOWN_ROWS:
            self.named.append((row, key, theirs, kind))
        return theirs

    def spelled_otherwise(self, key: str, deals: Mapping[str, Any],
                          archived: Mapping[str, Any] | None = None) -> tuple[str, str] | None:
        """(the key, why) of a deal of ``deals`` (or ``archived``: keys -> deals) whose key
        is ``key`` in another spelling, ``why`` worded by its direction ("but for the
        leading zeros it adds (...)"), nothing noted (an update's key no deal carries,
        x35r1 3); None when ``key`` is theirs or no deal's is."""
        found = self._theirs(key, deals, archived)
        return None if found is None else (found[0], _WHY[found[1]])

    def _theirs(self, key: str, deals: Mapping[str, Any],
                archived: Mapping[str, Any] | None) -> tuple[str, str] | None:
        """(a deal's key that is ``key`` in another spelling, its kind) or None."""
        form = key_form(key)
        if form is None or key in deals or (archived is not None and key in archived):
            return None
        if self._forms is None or self._of is not deals:  # the index, read once
            self._forms, self._of = _forms((*deals, *(archived or ()))), deals
        theirs = self._forms.get(form)
        if theirs is None or theirs == key:
            return None
        return theirs, _kind(form[0], key, theirs)

    def see_in_file(self, row: int, key: str) -> bool:
        """Note ``row``, a row to create, when an earlier row to create gave ``key`` in
        another spelling (the same key again is a repeat, refused or skipped before this);
        True: noted."""
        form = key_form(key)
        if form is None or self._file_forms.add(f"{form[0]}\x00{form[1]}"):
            return False
        self.file_rows += 1
        if len(self.file_named) < _SHOWN_ROWS:
            self.file_named.append((row, key, *form))
        return True

    def check(self, keys: Callable[[], Iterable[tuple[int, str | None]]] | None = None
              ) -> None:
        """InputError naming the rows ``see`` and ``see_in_file`` noted (nothing when
        none): nothing was sent. ``keys``: the file's (row number, source key) pairs again,
        in file order, read to name the earlier row of each pair in the file (only when
        one is refused; None: the later rows alone are named)."""
        if not self.rows and not self.file_rows:
            return
        parts = []
        if self.rows:
            parts.append(self._with_deals())
        if self.file_rows:
            parts.append(self._in_file(keys))
        raise InputError("; and ".join(parts) + ". Nothing was sent. Give the keys as "
                         "earlier imports did (" + "; ".join(dict.fromkeys(
                             fix for kind, fix in _FIXES.items() if kind in self._kinds()))
                         + ") and run again; rows that really are new records: import "
                         "them with --keys-as-given")

    def _kinds(self) -> set[str]:
        return {k for *_, k in self.named} | self._file_kinds  # (by direction: _in_file)

    def _in_file(self, keys: Callable[[], Iterable[tuple[int, str | None]]] | None) -> str:
        """The part of the refusal on the rows ``see_in_file`` noted, each with the earlier
        row of its form (read from ``keys``: the first row of that form with another key)."""
        wanted = {(kind, form): key for _, key, kind, form in self.file_named}
        first: dict[tuple[str, str], tuple[int, str]] = {}
        for at, given in (keys() if keys is not None else ()):
            shape = key_form(given) if given else None
            if shape is not None and shape in wanted and shape not in first \
                    and given != wanted[shape]:
                first[shape] = (at, given or "")
                if len(first) == len(wanted):
                    break
        by_kind: dict[str, list[str]] = {}
        for row, key, kind, form in self.file_named:
            earlier = first.get((kind, form))
            # by its direction: the later row's key lacks the earlier's zeros, or adds some
            # (x35r1: "a spreadsheet drops them" was said of 417 then 000417 too)
            by_kind.setdefault(_kind(kind, key, earlier[1]) if earlier is not None else kind,
                               []).append(f"row {earlier[0]} {earlier[1]!r} / row {row} {key!r}"
                                          if earlier is not None else f"row {row} {key!r}")
        self._file_kinds = set(by_kind)
        more = f" and {counted(self.file_rows - len(self.file_named), 'more', 'more')}" \
            if self.file_rows > len(self.file_named) else ""
        # one clause a kind, its pairs after it (x36r1 L1: the kinds' reasons were run
        # together as "(but for … and in its other length … and but for …)")
        return (f"{counted(self.file_rows, 'row')} of the file would create a deal for a "
                "source key an earlier row of the file gives in another spelling — "
                + "; ".join(f"{_WHY[k]}: {', '.join(p)}" for k, p in by_kind.items())
                + more + ": one record would be created twice")

    def _with_deals(self) -> str:
        """The part of the refusal on the rows ``see`` noted."""
        rows = ", ".join(str(r) for r, _, _, _ in self.named)
        more = f" and {counted(self.rows - len(self.named), 'more', 'more')}" \
            if self.rows > len(self.named) else ""
        kinds = []
        for kind in (ZEROS, _ZEROS_ADDED, SALESFORCE, _SF_LONG):
            pairs = [f"{key!r} / {theirs!r}" for _, key, theirs, k in self.named
                     if k == kind][:_SHOWN_PAIRS]
            if pairs:
                kinds.append(f"{_WHY[kind]}: {', '.join(pairs)}")
        return (f"{counted(self.rows, 'row')} ({noun(self.rows, 'row')} {rows}{more}) would "
                "create a deal for a source key a deal already carries in another spelling — "
                + "; ".join(kinds) + " (the file's key / the deal's): each would be created a "
                "second time")


_WHY = {ZEROS: "but for its leading zeros (a spreadsheet that read the key column as "
               "numbers drops them)",
        _ZEROS_ADDED: "but for the leading zeros it adds (an export that pads the key "
                      "column to a width adds them)",
        SALESFORCE: "in its 15-character form where the other is the 18-character id (a "
                    "Salesforce id: the 18-character id is the 15-character one plus a "
                    "checksum of its letters' case, one record)",
        _SF_LONG: "in its 18-character form where the other is the 15-character id (a "
                  "Salesforce id: the 18-character id is the 15-character one plus a "
                  "checksum of its letters' case, one record)"}
_FIXES = {ZEROS: "export the key column as Text",
          _ZEROS_ADDED: "export the key column without the padding zeros",
          SALESFORCE: "export Salesforce's 18-character Id, or CASESAFEID()",
          _SF_LONG: "give the 15-character id (the 18-character id's first 15 characters)"}


def _kind(kind: str, key: str, theirs: str) -> str:
    """``kind`` of the pair (the file's ``key``, a deal's ``theirs``) by its direction:
    zeros the file's key lacks (``ZEROS``) or adds (``_ZEROS_ADDED``); a Salesforce id
    the file gives in 15 characters (``SALESFORCE``) or 18 (``_SF_LONG``)."""
    if len(key) > len(theirs):
        return {ZEROS: _ZEROS_ADDED, SALESFORCE: _SF_LONG}.get(kind, kind)
    return kind


def _forms(keys: Iterable[str]) -> dict[tuple[str, str], str]:
    """(kind, form) -> the first of ``keys`` of that form."""
    out: dict[tuple[str, str], str] = {}
    for key in keys:
        form = key_form(key)
        if form is not None:
            out.setdefault(form, key)
    return out


__all__ = ["SALESFORCE", "ZEROS", "SimilarKeys", "key_form", "salesforce_suffix"]
