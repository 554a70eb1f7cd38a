"""The plan's count of the new persons / organizations a send-time merge survivor keeps.

A create row of an upsert whose key's deal a merge made here took into a survivor (its
key's claim names the merged deal: ``jobs.importing.creates`` ``kept_at_send``) does not
make a new person / organization whose cells are those this state folder last wrote
beside that deal's link (``last_written.merged_base`` and ``CELLS``): the survivor's link
stays, and the contact is made only if the row makes its deal after all (its survivor
deleted). The plan decided the row as a create and counted the contact to create: 81
tokens planned, 71 spent in f36a's run. ``SurvivorContacts`` follows the plan's pass
(``see`` each row to send, ``counted`` after each ``_ClaimedKeys.count`` of its creates'
keys) and names the contacts no other row makes (``unmade``): the plan counts them
neither as creates nor as reads of their claims. It holds the contact keys of the file's
new contacts only while this state folder recorded a merge (``tracking``); it never
reads the account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from bulk.store import NewItem

from .last_written import CELLS, LastWritten

KINDS = ("person", "org")


class _Merge(Protocol):
    @property
    def survivor(self) -> int: ...
    @property
    def at(self) -> float: ...


def _new(ref: object) -> str | None:
    """The match key of a new person / organization reference (None: none, or found)."""
    if isinstance(ref, Mapping) and "id" not in ref and isinstance(ref.get("key"), str):
        return str(ref["key"])
    return None


class SurvivorContacts:
    """One plan's new contacts: those rows make (``named``) and those only rows standing
    for a merge survivor name, with the survivor (``deferred``)."""

    def __init__(self) -> None:
        self.named: dict[str, set[str]] = {kind: set() for kind in KINDS}
        self.deferred: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
        # the rows since the last ``counted``: (key, {kind: contact key}, nested org, cells)
        self._chunk: list[tuple[str, dict[str, str], str | None, Mapping[str, Any]]] = []

    def see(self, item: NewItem) -> None:
        """A row the plan sends (PENDING): its new contacts, made by it unless it is a
        create that may stand for a survivor (decided at ``counted``)."""
        payload = item.payload
        person = payload.get("person")
        new = {kind: key for kind in KINDS if (key := _new(payload.get(kind))) is not None}
        nested = _new(person.get("org")) if isinstance(person, Mapping) and "person" in new \
            else None
        cells = payload.get("cells")
        if item.op == "create" and item.key and isinstance(cells, Mapping) and any(
                isinstance(cells.get(f"{kind}_id"), str) for kind in new):
            self._chunk.append((str(item.key), new, nested, cells))
            return
        self._made(new, nested, ())

    def _made(self, new: Mapping[str, str], nested: str | None, later: set[str] | tuple[()]
              ) -> None:
        for kind, key in new.items():
            if kind not in later:
                self.named[kind].add(key)
        if nested is not None and "person" not in later:  # made with its person
            self.named["org"].add(nested)

    def counted(self, merged: Mapping[str, tuple[int, _Merge]],
                record: LastWritten | None) -> None:
        """The rows seen since the last call, their keys' claims read (``merged``: key ->
        (the merged deal its claim names, that merge), ``_ClaimedKeys.merged_of``):
        the contacts a survivor keeps are deferred (``kept_at_send``'s rule), the rest
        made."""
        for key, new, nested, cells in self._chunk:
            hit = merged.get(key)
            later: set[str] = set()
            if hit is not None and record is not None:
                deal_id, merge = hit
                base = record.merged_base(merge.survivor, deal_id, merge.at)
                later = {kind for kind in new if f"{kind}_id" in base
                         and base.get(f"{kind}_id{CELLS}") == cells.get(f"{kind}_id")}
                for kind in later:
                    self.deferred[kind].setdefault(new[kind], merge.survivor)
            self._made(new, nested, later)
        self._chunk = []

    def unmade(self, deals: Mapping[str, Mapping[str, Any]] | None) -> dict[str, set[str]]:
        """The new contacts no row makes, by kind: named only by rows standing for a
        survivor the deals index (``deals``, the load's: archived ones too) still holds —
        a survivor deleted since leaves the row making its deal, and its contacts."""
        held = {int(d["id"]) for d in (deals or {}).values()}
        held |= {int(d["id"]) for d in getattr(deals, "archived", {}).values()}
        return {kind: {key for key, survivor in self.deferred[kind].items()
                       if survivor in held and key not in self.named[kind]} for kind in KINDS}


__all__ = ["SurvivorContacts"]
