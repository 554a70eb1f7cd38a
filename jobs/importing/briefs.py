"""What an import's start-up reads of its items (a resume's plan, its re-read, the plan
right before a first run's first write: ``jobs.importing.resume``): a ``Brief`` of each,
the few facts of its stored payload those readers use, read by the store in SQL
(``JobStore.item_facts``), never the payload decoded — and streamed, never held.

Issue 8: the start-up held every pending item decoded (~8 KB each) until the first
batch; a 200,000-row import peaked at ~211 MB right before its first write. It makes no
call and writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from bulk.store import ItemState, JobStore

# the payload's references to create (``import_resolve.refs_of``): for each of "org",
# "person" (in that order), its organization first (when it names one to create), then it
_REF_PATHS = ("$.org.org", "$.org", "$.person.org", "$.person")
# the payload's references by id (``survivors._id_refs``): the deal's links and the
# organization of a person it makes (``Brief.made_at``), as (kind, path)
_ID_PATHS = (("person", "$.person"), ("org", "$.org"), ("org", "$.person.org"))
_FACTS: tuple[tuple[str, str], ...] = (
    ("truthy", "$.duplicate"), ("type", "$.deal"), ("type", "$.changes"),
    ("value", "$.deal_id"), ("type", "$.changes.is_archived"),
    *((how, f"{path}.{name}") for path in _REF_PATHS
      for how, name in (("type", "key"), ("value", "kind"), ("value", "key"))),
    # the persons / organizations it names by id (matched at the load): ``_ID_PATHS``
    *(("value", f"{path}.id") for _, path in _ID_PATHS),
)


class Brief(NamedTuple):
    """One item as the start-up reads it: ``duplicate`` (its payload's, true), ``mapped``
    (it holds a mapped deal or changes: not a row to map again), ``patch`` (its
    ``changes`` is an object: an upsert update the re-reads read), ``deal_id`` (the
    payload's, as stored), ``unarchive`` (its changes set ``is_archived`` false: read
    from the archived list too) and ``refs``: its references to create as (kind, key),
    in ``refs_of``'s order; ``ids``: the persons / organizations the deal names by id
    (matched at the load, or followed to a survivor) as (kind, id); ``made_at``: the
    organization (id) its person by key is to be made with, if any — the row's only
    while that person is still to make (``Brief.named``; x50r6 F1)."""

    id: int
    row: int | None
    key: str | None
    op: str
    state: ItemState
    sent_at: float | None
    duplicate: bool
    mapped: bool
    patch: bool
    deal_id: Any
    unarchive: bool
    refs: tuple[tuple[str, str], ...]
    ids: tuple[tuple[str, int], ...] = ()
    made_at: int | None = None

    def named(self, making: Callable[[str], bool]) -> tuple[tuple[str, int], ...]:
        """``ids``, and ``made_at`` when ``making(key)`` says the row's person (its key)
        is still to make: an organization a person made earlier (by another row, with
        that row's organization) was made with is none of this row's (x50r6 F1: its
        delete was told, and counted, on every row naming the person)."""
        person = next((key for kind, key in self.refs if kind == "person"), None)
        if self.made_at is None or (person is not None and not making(person)):
            return self.ids
        return (*self.ids, ("org", self.made_at))


def briefs(store: JobStore, *states: ItemState) -> Iterator[Brief]:
    """The items in ``states`` as ``Brief`` s, by id (all states together), a page at a
    time: memory is one page, whatever the job's size."""
    for r in store.item_facts(states, _FACTS):
        refs: list[tuple[str, str]] = []
        # "org"'s own organization is never one (an organization names none): as refs_of
        at = 11
        org_org, org, person_org, person = (r[at + 3 * n: at + 3 * n + 3] for n in range(4))
        for outer, inner in ((org, org_org), (person, person_org)):
            if outer[0] is not None:  # a mapping holding "key": to create
                if inner[0] is not None:
                    refs.append((str(inner[1]), str(inner[2])))
                refs.append((str(outer[1]), str(outer[2])))
        at += 3 * len(_REF_PATHS)
        ids = tuple((kind, rid) for (kind, _), rid in zip(_ID_PATHS[:2], r[at:], strict=False)
                    if _an_id(rid))
        yield Brief(int(r[0]), r[1], r[2], str(r[3]), ItemState(r[4]), r[5], bool(r[6]),
                    r[7] is not None or r[8] is not None, r[8] == "object", r[9],
                    r[10] == "false", tuple(refs), ids,
                    r[at + 2] if _an_id(r[at + 2]) else None)


def _an_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


__all__ = ["Brief", "briefs"]
