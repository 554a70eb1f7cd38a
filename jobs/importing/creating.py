"""The person / organization creates a row is about to send beyond what its stored payload
names: a durable mark, written before they leave (``jobs.importing``).

A row whose person / organization vanished during the run is resolved again
(``jobs.importing.vanished``) and may make a new one: a to-create reference its stored
payload never named (it named the vanished record by id). Its lookups (and ``CREATOR`` /
``CREATED_AT``) are written with the create's answer; a kill -9 between the send and that
answer left no trace of the create in the job's store, so the resume's take-back
(``bulk.ledger.take_back_unused``) gave its tokens back as credit never used, and the
ledger ended under the server's count (x47r6 F1 leftover: ledger addPerson 0 where the
server charged 10; tokens - in doubt ≤ charged ≤ tokens broken, 1723 ≤ 1779 ≤ 1776).

So the row's pending contact creates are written (``mark``: one meta key per row,
``CREATING`` + item id → {"at": Unix ms, "refs": [to-create references]}) before the send
that may make them — only on that path (the normal path's creates are its stored
payload's references: nothing written, no commit more per call). The take-back keeps
those not answered in doubt (``reconcile.rows_write_calls``), and the row's reconcile
looks for them as for its payload's own (the resolver's reconcile: found made, they are
charged and leave the figure in doubt; not found, they stay in it, as a call cut off)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bulk.store import AsyncJobStore, Item

from ..import_resolve import Ref, refs_of

# meta key prefix: + item id -> {"at": Unix ms of the mark, "refs": [to-create refs]}
CREATING = "creating-contacts:"


def _keys(refs: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    return {(str(r["kind"]), str(r["key"])) for r in refs}


def beyond(refs: Iterable[Ref], stored: Mapping[str, Any]) -> list[Ref]:
    """Of the to-create references ``refs`` (e.g. ``refs_of`` a payload sent: a person's
    organization too), those ``stored`` (a row's payload) does not name, by (kind, key)."""
    named = _keys(refs_of(stored))
    return [r for r in refs if (str(r["kind"]), str(r["key"])) not in named]


async def mark(astore: AsyncJobStore, item: Item, refs: Iterable[Ref], ms: int) -> None:
    """Write ``refs`` (creates ``item`` may send now, beyond its stored payload's) as the
    row's pending contact creates, before they are sent; those of an earlier mark that can
    be of the same send (a second hop) are kept: ``item`` is as the runner handed it out,
    its ``sent_at`` that of an earlier send or None (a mark then is this send's), so a mark
    not before it is kept (on the safe side: one of that earlier send kept in doubt if no
    lookup answers it). ``ms``: now, in Unix ms. Nothing written for no refs. Raises
    StoreError."""
    refs = list(refs)
    if not refs:
        return
    key = f"{CREATING}{item.id}"
    had = await astore.meta_get(key)
    if isinstance(had, Mapping) and isinstance(had.get("refs"), list) \
            and (item.sent_at is None or _since(had, item)):
        seen = _keys(refs)
        refs = [r for r in had["refs"] if isinstance(r, Mapping)
                and (str(r.get("kind")), str(r.get("key"))) not in seen] + refs
    await astore.meta_put(key, {"at": ms, "refs": [dict(r) for r in refs]})


def _since(value: Mapping[str, Any], item: Item) -> bool:
    at = value.get("at")
    return item.sent_at is not None and isinstance(at, int) and at >= item.sent_at * 1000


def marked(meta: Mapping[str, Any], items: Iterable[Item]) -> dict[int, list[Ref]]:
    """Of ``items`` (rows left SENDING), the contact creates each marked (``mark``) since
    it was marked SENDING: item id -> its references. ``meta``: the store's
    ``meta_prefixed(CREATING)``. A mark of an earlier send of the row is not counted."""
    out: dict[int, list[Ref]] = {}
    for item in items:
        value = meta.get(f"{CREATING}{item.id}")
        if isinstance(value, Mapping) and _since(value, item) \
                and isinstance(refs := value.get("refs"), list):
            out[item.id] = [r for r in refs if isinstance(r, Mapping)
                            and "kind" in r and "key" in r]
    return out


__all__ = ["CREATING", "beyond", "mark", "marked"]
