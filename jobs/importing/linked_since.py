"""What a row's deal names now that the row did not: a person / organization deleted,
or merged into another, by someone while the job was stopped — told, never written
(``jobs.importing``; x49r8 F2, F3).

F3: a create in flight at a kill whose deal the reconcile finds on the server, the row's
organization merged since into another (the deal followed the survivor), recorded the
survivor as its ``org_id`` without a word; its note now says ``linked to survivor
organization N (X merged into it since)`` (``reconciled_note``: from what the resume's
re-read followed, ``survivors.Followed``; no read).

F2: the persons / organizations that rows settled before a stop (their deal created or
found) named, deleted while the job was stopped.

Before, a resume read only what the pending rows name: a settled row's organization
deleted meanwhile went unsaid, succeeded.csv showing the deal linked to an id that no
longer exists (5 of 5 settled rows, no line, no note). Now the resume's re-read checks
them, but reads nothing more for it: the deals it lists anyway (those added or changed
since the load, ``account.keyed_added_since``) show which settled deals still name their
row's person / organization (a merge would have moved them: "Merge (v1)",
pipedrive/FACTS.md), and those ids are read by id in the room the pages the re-read reads
anyway (``GET /api/v2/organizations?ids=``, 100 a page, 10 tokens; "If any of the
requested entities do not exist or are not visible, they are not included":
openapi-v2.yaml) have left; one not answered is deleted. Those that find no room are
counted, not checked (``Checked.unchecked``). The deal is never re-linked: it is the
user's to fix; the rows' notes (``import_items.deleted_note``) and the run's last line
say so. Sends nothing; reads nothing by itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bulk.clock import in_thread
from bulk.store import ItemState, JobStore

from ..import_items import META_DELETED_DEALS, META_DELETED_SINCE, META_UNCHECKED
from . import survivors

# ids a page of ``getPersons`` / ``getOrganizations`` by ids reads (FACTS.md)
PAGE = 100
_FIELD = {"person": "person_id", "org": "org_id"}


@dataclass
class Checked:
    """What the re-read found of the settled rows' persons / organizations: per kind
    ("person" / "org"), the ids still named by a settled deal and deleted (``deleted``),
    and how many such ids found no room in a page read anyway (``unchecked``)."""

    deleted: dict[str, set[int]] = field(default_factory=dict)
    unchecked: dict[str, int] = field(default_factory=dict)


def still_named(store: JobStore, listed: Mapping[str, Sequence[Mapping[str, Any]]]
                ) -> dict[int, dict[str, int]]:
    """Per settled row's deal (id), the persons / organizations (kind → id) the row
    (done / skipped, a deal id in its result) named that its deal still names as
    ``listed`` now shows it (the deals added or changed since the load, by key:
    ``keyed_added_since``). A deal not listed is not looked at (its picture is not at
    hand; a deal deleted since is not listed: x50r6 F3). Reads the store (call it in a
    worker thread)."""
    deals = {int(d["id"]): d for ds in listed.values() for d in ds}
    named: dict[int, dict[str, int]] = {}
    if not deals:
        return named
    for item in (i for state in (ItemState.DONE, ItemState.SKIPPED)
                 for i in store.items(state) if i.key in listed):
        result = item.result or {}
        deal_id = result.get("deal_id")
        deal = deals.get(deal_id) if isinstance(deal_id, int) else None
        if deal is None:
            continue
        for kind, name in _FIELD.items():
            rid = result.get(name)
            if isinstance(rid, int) and _id(deal.get(name)) == rid:
                named.setdefault(int(deal["id"]), {})[kind] = rid
    return named


def by_kind(named: Mapping[int, Mapping[str, int]]) -> dict[str, set[int]]:
    """``still_named``'s ids per kind ("person" / "org")."""
    out: dict[str, set[int]] = {}
    for links in named.values():
        for kind, rid in links.items():
            out.setdefault(kind, set()).add(rid)
    return out


def naming(named: Mapping[int, Mapping[str, int]], deleted: Mapping[str, set[int]]
           ) -> set[int]:
    """The deals of ``still_named`` naming an id of ``deleted`` (kind → ids)."""
    return {deal for deal, links in named.items()
            if any(rid in deleted.get(kind, ()) for kind, rid in links.items())}


def _id(value: Any) -> int | None:
    if isinstance(value, Mapping):  # a v1 shape ({"value": id, ...})
        value = value.get("value")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def filled(ids: Sequence[int], extra: Iterable[int]) -> list[int]:
    """``ids`` (read anyway, ``PAGE`` a page) followed by as many of ``extra`` (not among
    them, lowest first) as the last page has room for: no page more."""
    more = sorted(set(extra) - set(ids))
    return [*ids, *more[:-len(ids) % PAGE]]


async def record(store: JobStore, deleted: Mapping[str, set[int]],
                 deals: Iterable[int] = ()) -> None:
    """Add ``deleted`` to the job's ``META_DELETED_SINCE`` (kind → sorted ids), and the
    deals seen still naming them (``deals``: ``naming``) to ``META_DELETED_DEALS``, which
    succeeded.csv's notes and the run's last line read (only those deals' rows are told:
    a deal deleted since names nothing; x50r6 F3)."""
    def put() -> None:
        now = dict(store.meta_get(META_DELETED_SINCE) or {})
        for kind, ids in deleted.items():
            now[kind] = sorted({*now.get(kind, ()), *ids})
        store.meta_put(META_DELETED_SINCE, now)
        store.meta_put(META_DELETED_DEALS, sorted(
            {*(store.meta_get(META_DELETED_DEALS) or ()), *deals}))

    if any(deleted.values()):
        await in_thread(put)


async def record_unchecked(store: JobStore, unchecked: Mapping[str, int]) -> None:
    """Keep this re-read's ``Checked.unchecked`` as the job's ``META_UNCHECKED`` (kind →
    count, zeros left out; it replaces an earlier resume's: each re-read checks anew),
    which summary.json (``deleted_unchecked``), ``pdbulk status --json`` and the run's
    last lines read (x50r6 L1)."""
    now = {k: n for k, n in unchecked.items() if n}

    def put() -> None:
        if now or store.meta_get(META_UNCHECKED):
            store.meta_put(META_UNCHECKED, now)

    await in_thread(put)


def line(checked: Checked) -> list[str]:
    """The resume's line for ``checked`` (none when nothing was found or left)."""
    out = []
    deleted = {k: sorted(v) for k, v in checked.deleted.items() if v}
    if deleted:
        named = "; ".join(f"{_LABEL[k]} {', '.join(map(str, ids))}"
                          for k, ids in sorted(deleted.items()))
        out.append(f"deleted by someone since rows settled before the stop were linked to "
                   f"them: {named} — their deals still name them; nothing written (re-link "
                   "them by hand: succeeded.csv's notes name the rows)")
    if unchecked := {k: n for k, n in checked.unchecked.items() if n}:
        out.append("not checked for a delete since the stop (no room in a page the re-read "
                   "reads anyway): " + ", ".join(
                       f"{n:,} {_LABEL[k]}(s)" for k, n in sorted(unchecked.items()))
                   + " settled rows' deals name")
    return out


_LABEL = {"person": "person", "org": "organization"}


def named_ids(payload: Mapping[str, Any], known: Callable[[str, str], int | None],
              followed: survivors.Followed) -> dict[str, int]:
    """Per name ("person" / "org"), the id of the record the row's ``payload`` names: by
    id (matched at the load), or by key — the record the key named before a merge the
    re-read followed (``Followed.moved``), else what ``known`` (kind, key) resolves it to."""
    out: dict[str, int] = {}
    for name in ("person", "org"):
        ref = payload.get(name)
        if not isinstance(ref, Mapping):
            continue
        rid = ref.get("id")
        if "key" in ref:
            went = followed.moved.get((str(ref["kind"]), str(ref["key"])))
            rid = went.rid if went is not None else known(str(ref["kind"]), str(ref["key"]))
        if isinstance(rid, int) and not isinstance(rid, bool):
            out[name] = rid
    return out


def reconciled_note(named: Mapping[str, int], deal: Mapping[str, Any],
                    followed: survivors.Followed,
                    gone: Mapping[str, set[int]] | None = None,
                    found: Mapping[tuple[str, int], tuple[int, str]] | None = None
                    ) -> str | None:
    """The note of a row whose create the reconcile found applied (``deal``, as the server
    holds it now) when the deal names another person / organization than the one the
    row named (``named``: ``named_ids``): ``linked to survivor organization N (X merged
    into it since)`` when the re-read followed X to N (``followed``). X found gone by the
    re-read with no survivor followed (``gone``: kind → ids; no other deal of the job
    named it) — x50r6 F2: a person matched by e-mail at the load, merged into another
    while the job was stopped, said nothing —: ``linked to person N (X merged away since:
    N found again by its e-mail, the deal followed it there)`` when the rows' cells found
    X again at N (``found``: (kind, X) → (N, "email" / "name")), else ``linked to person
    N (X merged away or deleted since; the deal names N now)``. None: as the row named
    them, or nothing the re-read found says why not (a row the killed run resolved again
    after its record vanished was sent with another link than its stored payload's)."""
    said = []
    for name, field_ in (("person", "person_id"), ("org", "org_id")):
        was, now = named.get(name), _id(deal.get(field_))
        if was is None or now is None or was == now:
            continue
        went = followed.went.get((name, was)) or followed.ids.get((name, was))
        if went is not None and went.survivor == now:
            said.append(f"linked to survivor {_LABEL[name]} {now} ({was} merged into it "
                        "since)")
        elif was in (gone or {}).get(name, ()):
            hit = (found or {}).get((name, was))
            if hit is not None and hit[0] == now:
                how = _HOW.get(hit[1], hit[1] or "its cells")
                said.append(f"linked to {_LABEL[name]} {now} ({was} merged away since: "
                            f"{now} found again by {how}, the deal followed it there)")
            else:
                said.append(f"linked to {_LABEL[name]} {now} ({was} merged away or deleted "
                            f"since; the deal names {now} now)")
    return "; ".join(said) or None


_HOW = {"email": "its e-mail", "name": "its name"}

__all__ = ["PAGE", "Checked", "by_kind", "filled", "line", "named_ids", "naming",
           "reconciled_note", "record", "record_unchecked", "still_named"]
