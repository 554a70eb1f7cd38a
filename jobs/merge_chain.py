"""The links of a rewritten merge chain: a merge sent into its final survivor only once the
link above it is merged.

A file's chain A→B, B→C is planned as B→C then A→C (``jobs.merging.plan_merges``:
``asked_survivor_id`` B ≠ ``survivor_id`` C). A→C is what the file asked only when B is
merged into C too: if B→C is not merged (left alone at a re-read, deleted, merged
elsewhere, failed, in doubt and then found not applied), A→C would put A — merges are final
in Pipedrive (FACTS.md, Merge) — into a deal the file never named as its survivor, and
leave B open (x42r4 F1). So A→C is held, nothing sent, its reason naming the link.

This module keeps what one process knows of the links (``ChainLinks``) and decides from it
and the job store; ``jobs.merging.MergeJob`` asks it at each place a merge is decided: the
re-read before a resume or retry, a batch's re-check, the reconcile, and the send itself
(under the survivor's lock: every link of a chain has the same final survivor). It never
reads the account and never sends anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from bulk.store import Item, ItemState, JobStore, Outcome

# the words of a link's reason → what happened to it, as the held merge says it
_CAUSES = (
    ("not sent: deal", "held itself: the link above it was not merged"),
    ("changed while the job ran", "changed while the job ran"),
    ("changed since the plan", "changed since the plan"),
    ("archived", "deleted, archived or merged elsewhere"),
    ("deleted", "deleted, archived or merged elsewhere"),
    ("no longer", "deleted, archived or merged elsewhere"),
    ("shows no merge", "deleted, archived or merged elsewhere"),
)


def asked_survivor(item: Item) -> int | None:
    """The survivor the file named for ``item``'s merged-away deal when the plan rewrote
    the pair to a chain's final survivor (None: a direct pair)."""
    asked = item.payload.get("asked_survivor_id")
    if asked is None or int(asked) == int(item.payload["survivor_id"]):
        return None
    return int(asked)


def cause(reason: str | None) -> str:
    """What became of a link, in a few words, from its own reason (``reason``)."""
    text = reason or ""
    for words, said in _CAUSES:
        if words in text:
            return said
    return f"its merge failed: {text}" if text else "its merge was not made"


def held_reason(item: Item, link_row: int | None, why: str) -> str:
    """The reason of rewritten merge ``item`` held because its link was not merged."""
    asked, survivor = asked_survivor(item), item.payload["survivor_id"]
    row = f" (row {link_row})" if link_row is not None else ""
    return (f"not sent: deal {asked}, its survivor in the file{row}, was not merged into "
            f"{survivor} ({why}); deal {item.payload['merge_id']} left alone — merges are "
            f"final: fix that pair and plan the chain again")


class ChainLinks:
    """What this process knows of the merges a chain's rewritten merges depend on.

    ``note`` takes every outcome the job decides (sends, re-checks, reconciles, re-reads);
    ``state`` says of a rewritten merge whether its link is merged, not merged (and why) or
    not decided yet, from those notes first and the job's store then (an earlier run's
    outcomes, a merge's answer recorded before the lock let the next one go: ``record``)."""

    __slots__ = ("_held", "_index", "_merged", "_record", "_store")

    def __init__(self, store: JobStore | None, record: str) -> None:
        self._store = store
        self._record = record  # the store meta prefix of a merge's recorded answer
        # merged-away deal → (its merge item's id, row), built when first needed
        self._index: dict[int, tuple[int, int | None]] | None = None
        self._merged: set[int] = set()  # merge items merged (this process's outcomes)
        self._held: dict[int, str | None] = {}  # merge items not merged → their reason

    def __repr__(self) -> str:
        return f"ChainLinks(merged={len(self._merged)}, held={len(self._held)})"

    def note(self, outcomes: Iterable[Outcome]) -> None:
        """Learn ``outcomes`` (of any merge items of the job)."""
        for o in outcomes:
            if o.state is ItemState.DONE:
                self._merged.add(o.item_id)
                self._held.pop(o.item_id, None)
            elif o.state in (ItemState.FAILED, ItemState.SKIPPED):
                self._held[o.item_id] = o.error
                self._merged.discard(o.item_id)
            else:  # back to pending (found not applied, left for later): open again
                self._held.pop(o.item_id, None)
                self._merged.discard(o.item_id)

    def _link(self, merge_id: int) -> tuple[int, int | None] | None:
        """(item id, row) of the job's merge whose merged-away deal is ``merge_id`` (an
        index of the job's merges built once, ids and rows only)."""
        if self._store is None:
            return None
        if self._index is None:
            self._index = {}
            for item in self._store.items():
                away = item.payload.get("merge_id")
                # the planned merge first: the pairs given again and the rows refused
                # come after every merge (``jobs.merging.merge_items``)
                if item.op == "merge" and isinstance(away, int):
                    self._index.setdefault(away, (item.id, item.row))
        return self._index.get(merge_id)

    def state(self, item: Item, extra: Mapping[int, Item] | None = None
              ) -> tuple[str, str | None]:
        """Whether rewritten merge ``item``'s link is ``"merged"``, ``"held"`` (with the
        reason ``item`` is held by), or ``"open"`` (not decided yet: pending, or in doubt
        and not read back). A direct pair, or a link this job does not hold: ``"merged"``
        (nothing to wait for). ``extra``: merged-away deal → item, of items just read
        from the store (their state is taken from them, not read again)."""
        asked = asked_survivor(item)
        if asked is None:
            return "merged", None
        hand = (extra or {}).get(asked)
        found = (hand.id, hand.row) if hand is not None else self._link(asked)
        if found is None:
            return "merged", None
        link_id, row = found
        if link_id in self._merged:
            return "merged", None
        if link_id in self._held:
            return "held", held_reason(item, row, cause(self._held[link_id]))
        now = hand if hand is not None else (
            self._store.item(link_id) if self._store is not None else None)
        if now is None or now.state is ItemState.DONE:
            return "merged", None
        if now.state in (ItemState.FAILED, ItemState.SKIPPED):
            return "held", held_reason(item, row, cause(now.error))
        if self._store is not None and self._store.meta_get(f"{self._record}{link_id}"):
            return "merged", None  # its answer recorded, its outcome not yet
        return "open", None

    def held(self, items: Sequence[Item], outcomes: Sequence[Outcome],
             left: Callable[[Item, str], Outcome]) -> list[Outcome]:
        """The outcomes of more of ``items`` (rewritten merges being decided together)
        held because their link is not merged: one in ``outcomes`` not DONE, or one known
        so (``state``) — followed up the chain (A→D held when B→D is, held when C→D is).
        ``left``: the kind's outcome of a merge left alone (failed; a dedupe's skipped)."""
        decided = {o.item_id: o for o in outcomes}
        by_away = {int(i.payload["merge_id"]): i for i in items
                   if isinstance(i.payload.get("merge_id"), int)}
        self.note(outcomes)
        out: list[Outcome] = []
        changed = True
        while changed:
            changed = False
            for item in items:
                if item.id in decided or asked_survivor(item) is None:
                    continue
                status, why = self.state(item, by_away)
                if status == "held" and why is not None:
                    outcome = left(item, why)
                    decided[item.id] = outcome
                    self.note([outcome])
                    out.append(outcome)
                    changed = True
        return out


__all__ = ["ChainLinks", "asked_survivor", "cause", "held_reason"]
