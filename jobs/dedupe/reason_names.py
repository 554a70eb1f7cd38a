"""A pair's reasons as the plan files write them: the records they name, by name.

``scoring`` is pure and its reasons carry ids (``record differs: owner 1≠2``, ``guard:
pipeline 1≠2``, ``different Account manager 7≠9`` for a user-type custom field). The
plan names everything else (drops, review.html) by the account's names, so its
``groups.csv``, ``pairs.csv`` and review.html name these too (f27a 3): users, pipelines,
stages, persons, organizations and deals (a deal-type field: by title) by name, with the
id in brackets where a name does not tell them apart (two stages ``Qualified`` of two
pipelines, two users of one name, a name not known: ``owner Anna Berg≠[2]``).
``ReasonNames.wanted`` says which ids the reasons need (``records.review_names`` reads
them); nothing here makes a call. An apply names its refused decisions' reasons the same
way, from the plan's summary.json (``references``, ``from_references``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .evidence import CATEGORIES_DIFFER

# a custom field whose value is another record's id -> the names table (``review_names``'
# kinds, and ``deal``: the titles of the deals the plan read) that names it. Leads and
# projects have no names here: the engine reads neither (their ids stay)
REFERENCE_TYPES = {"user": "owner", "people": "person", "org": "organization",
                   "stage": "stage", "deal": "deal", "deals": "deal"}
# ``guard: pipeline 1≠2`` / ``record differs: owner 1≠2`` (``evidence``)
_RECORD = re.compile(r"(?P<head>(?:guard|record differs): (?P<kind>owner|pipeline) )"
                     r"(?P<x>\d+)≠(?P<y>\d+)")
_IDS = re.compile(r"\d+(?:, \d+)*")


class ReasonNames:
    """Renames reasons: ``names(reason)``. ``fields``: the reference-type custom fields
    (key -> (field_type, name)); ``entities``: kind -> id -> name."""

    __slots__ = ("_entities", "_fields")

    def __init__(self, fields: Mapping[str, tuple[str, str]],
                 entities: Mapping[str, Mapping[int, str]] | None = None) -> None:
        self._fields = {name: REFERENCE_TYPES[t] for t, name in fields.values()
                        if t in REFERENCE_TYPES}
        self._entities = entities or {}

    @classmethod
    def of(cls, types: Mapping[str, str], names: Mapping[str, str]) -> ReasonNames:
        """From the account's custom fields: key -> field_type, key -> name."""
        return cls({k: (t, names[k]) for k, t in types.items()
                    if t in REFERENCE_TYPES and k in names})

    def references(self) -> dict[str, str]:
        """The reference-type custom fields it names, field name -> kind (summary.json keeps
        them, so an apply names its reasons as the plan did: ``from_references``)."""
        return dict(self._fields)

    @classmethod
    def from_references(cls, references: Mapping[str, str],
                        entities: Mapping[str, Mapping[int, str]]) -> ReasonNames:
        """From ``references()`` as summary.json kept them, and the plan's names."""
        out = cls({})
        out._fields = {str(n): str(k) for n, k in references.items()
                       if str(k) in REFERENCE_TYPES.values()}
        out._entities = entities
        return out

    def with_entities(self, entities: Mapping[str, Mapping[int, str]]) -> ReasonNames:
        out = ReasonNames({})
        out._fields, out._entities = self._fields, entities
        return out

    def _parse(self, reason: str) -> tuple[str, str, list[list[int]]] | None:
        """(the reason up to its values, the kind, the two sides' ids) or None."""
        if m := _RECORD.fullmatch(reason):
            return m["head"], m["kind"], [[int(m["x"])], [int(m["y"])]]
        for name, kind in self._fields.items():
            head = f"{CATEGORIES_DIFFER} {name} "
            if not reason.startswith(head):
                continue
            sides = reason[len(head):].split("≠")
            if len(sides) == 2 and all(_IDS.fullmatch(s) for s in sides):
                return head, kind, [[int(i) for i in s.split(", ")] for s in sides]
        return None

    def wanted(self, reasons: Iterable[str]) -> dict[str, set[int]]:
        """The ids, by kind, the reasons name (what ``review_names`` should read)."""
        out: dict[str, set[int]] = {}
        for reason in reasons:
            if (parsed := self._parse(reason)) is not None:
                _, kind, sides = parsed
                out.setdefault(kind, set()).update(i for side in sides for i in side)
        return out

    def __call__(self, reason: str) -> str:
        """``reason`` with its ids named; as it is when it names none or no name is known."""
        parsed = self._parse(reason)
        if parsed is None:
            return reason
        head, kind, sides = parsed
        table = self._entities.get(kind) or {}
        ids = [i for side in sides for i in side]
        if not any(table.get(i) for i in ids):
            return reason
        shown = {i: table.get(i) or "" for i in ids}
        folded = [n.casefold() for n in table.values() if n]
        return head + "≠".join(", ".join(self._one(i, shown, folded) for i in side)
                               for side in sides)

    @staticmethod
    def _one(i: int, shown: Mapping[int, str], folded: list[str]) -> str:
        name = shown[i]
        if not name:
            return f"[{i}]"
        alike = sum(n.casefold() == name.casefold() for n in shown.values()) > 1 \
            or folded.count(name.casefold()) > 1
        return f"{name} [{i}]" if alike else name


__all__ = ["REFERENCE_TYPES", "ReasonNames"]
