"""The rows in doubt: the persons / organizations their sends may have created, then
their deals (found by key among those added since), then the updates in flight, each
decided against the account as it is now (``jobs.importing``).

Why ~565 lines: the creates in doubt a reconcile settles and the creates a take-back keeps
(``rows_write_calls``) read the same lookups, the same way, so they stay together."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.store import Item, ItemState, JobStore, Outcome

from .. import last_written
from ..account import keyed_added_since
from ..clock_skew import server_since
from ..deals import (
    MAY_HAVE_APPLIED,
    applied,
    held_before,
    in_flight,
    is_gone,
    not_landed,
    read_current,
)
from ..import_resolve import CREATED_AT, CREATOR, Ref, refs_of
from ..import_rows import matched_by
from ..later_jobs import later_conflicts, written_later
from ..provable_writes import doubted_conflicts, job_lead, not_ours, provable
from . import creating, linked_since
from .base import SENT_DEAL, UNPROVEN, survivor_noted
from .creates import _Ambiguous, _Creates, _not_as_sent
from .sent import sent_keys

_OPS = {"person": "addPerson", "org": "addOrganization"}


def answered_creates(creators: Mapping[str, Mapping[str, int]],
                     at: Mapping[str, Mapping[str, int]],
                     items: Sequence[Item]) -> dict[int, dict[str, set[int]]]:
    """The person / organization creates each of ``items`` (rows left SENDING) made and
    had answered after it was marked SENDING: item id -> {kind ("person" / "org"): ids}.
    ``creators`` / ``at``: by kind, the ``CREATOR`` / ``CREATED_AT`` lookups (record id as
    text -> item id / Unix ms of the answer). Answered, they were charged, and their
    answers stayed in the run's figure in doubt with the row (``bulk.ledger``), whatever
    the row's payload names: a row whose contact vanished (``jobs.importing.vanished``)
    creates one its payload never named (x47r6 F1)."""
    marked = {i.id: i.sent_at for i in items if i.sent_at is not None}
    out: dict[int, dict[str, set[int]]] = {}
    for kind, by in creators.items():
        for rid, row in by.items():
            sent = marked.get(row)
            ms = at.get(kind, {}).get(rid)
            if sent is not None and ms is not None and ms >= sent * 1000:
                out.setdefault(row, {}).setdefault(kind, set()).add(int(rid))
    return out


def rows_write_calls(store: JobStore,
                     calls_of: Callable[[Item], dict[str, int]]) -> Callable[[Item], dict[str, int]]:
    """``calls_of`` (``ImportJob.write_calls``) with, for each row left SENDING, the
    creates it had answered (``answered_creates``) that its payload's to-create references
    do not count: charged, never credit to take back (``bulk.ledger.take_back_unused``;
    x47r6 F1: a kill with such a create in flight left the ledger 5 tokens a create under
    the server's count), and those it marked before sending (``creating.marked``) that no
    lookup answers yet: cut off before their answer. Reads the store once (``JobStore``;
    raises StoreError)."""
    creators = {kind: store.lookups(CREATOR + kind) for kind in _OPS}
    at = {kind: store.lookups(CREATED_AT + kind) for kind in _OPS}
    sending = list(store.items(ItemState.SENDING))
    made = answered_creates(creators, at, sending)
    # the creates marked before they were sent (``creating``): with no lookup, cut off
    # before their answer (answered, ``made`` counts them; x47r6 F1 leftover)
    pending = creating.marked(store.meta_prefixed(creating.CREATING), sending)

    def calls(item: Item) -> dict[str, int]:
        out = calls_of(item)
        payload = item.payload
        named_keys = {(str(r["kind"]), str(r["key"])) for r in refs_of(payload)}
        for ref in pending.get(item.id, ()):
            k = (str(ref["kind"]), str(ref["key"]))
            if k not in named_keys and k[0] in _OPS and store.lookup_get(*k) is None:
                out[_OPS[k[0]]] = out.get(_OPS[k[0]], 0) + 1
        mine = made.get(item.id)
        if not mine:
            return out
        mapped = "deal" in payload or "changes" in payload
        named: dict[str, set[int]] = {kind: set() for kind in _OPS}
        if mapped:
            for ref in refs_of(payload):
                rid = store.lookup_get(str(ref["kind"]), str(ref["key"]))
                if rid is not None:
                    named[str(ref["kind"])].add(rid)
        for kind, rids in mine.items():
            op = _OPS[kind]
            if mapped:  # those its references do not count
                out[op] = out.get(op, 0) + len(rids - named[kind])
            else:  # its bound, or as many as it made
                out[op] = max(out.get(op, 0), len(rids))
        return out
    return calls


class _Reconcile(_Creates):
    """``ImportJob.reconcile``: the rows a run left in doubt (``jobs.importing``)."""

    # -- in doubt ---------------------------------------------------------------------------
    async def _reconciled_contacts(self, ctx: CallContext, items: Sequence[Item],
                                   payloads: Mapping[int, Mapping[str, Any]],
                                   since: float) -> None:
        """The resolver's reconcile (``Resolver.reconcile``, Unix ``since``) of the to-create
        references of the rows in doubt — their payloads' (``payloads``) and the creates
        each marked before sending beyond them (``creating``: a contact that vanished, made
        again, cut off before its answer) — and the creates that landed (``landed``)."""
        marks = creating.marked(await self.astore.meta_prefixed(creating.CREATING), items)
        extra = {row: creating.beyond(refs, payloads[row])
                 for row, refs in marks.items()}
        refs = [ref for item in items
                for ref in (*refs_of(payloads[item.id]), *extra.get(item.id, ()))]
        await self._contacts_landed(items, payloads,
                                    await self.resolver.reconcile(ctx, refs, since), extra)

    async def _contacts_landed(self, items: Sequence[Item],
                               payloads: Mapping[int, Mapping[str, Any]],
                               made: set[tuple[str, str]],
                               extra: Mapping[int, Sequence[Ref]] | None = None) -> None:
        """The person / organization creates of the rows in doubt that landed, so were
        charged (``landed``, read by ``ImportJob.landed_calls`` whatever the row's outcome:
        its create may have landed while its deal did not): each one the row itself sent
        and had answered after it was marked (``CREATOR`` / ``CREATED_AT``: its answer held
        in the figure in doubt with the row) by an earlier run (marked before
        ``run_began``; this run's held answers come off with the row's outcome), and each
        one ``made`` (the resolver's
        reconcile found it made by this job: its answer lost), counted once, on the first
        row in doubt naming it."""
        beyond: Mapping[int, Sequence[Ref]] = extra or {}
        # a row this run marked had its creates' answers held by this run's writer: they
        # come off the figure with the row's outcome (``bulk.ledger._Ahead.holding``), so
        # only a killed or ended run's answers are counted here (y54r3 F3: counted twice,
        # they took the dropped creates' tokens off with them, 11 addPerson calls of 71
        # counted charged where the server charged none of them)
        began: float | None = getattr(self, "run_began", None)
        earlier = {i.id for i in items
                   if began is None or i.sent_at is None or i.sent_at < began}

        def refs(row: int) -> list[Ref]:  # its payload's, and those it marked beyond them
            return [*refs_of(payloads[row]), *beyond.get(row, ())]
        wanted: dict[str, set[str]] = {"person": set(), "org": set()}
        for item in items:
            for ref in refs(item.id):
                wanted[str(ref["kind"])].add(str(ref["key"]))
        sent: dict[tuple[str, str], tuple[int, int]] = {}  # (kind, key) -> (row, ms)
        named: dict[tuple[str, str], int] = {}  # (kind, key) -> id
        for kind, keys in wanted.items():
            ids = await self.astore.lookup_get_many(kind, sorted(keys)) if keys else {}
            named.update(((kind, key), rid) for key, rid in ids.items())
            rids = sorted({str(rid) for rid in ids.values()})
            if not rids:
                continue
            by = await self.astore.lookup_get_many(CREATOR + kind, rids)
            at = await self.astore.lookup_get_many(CREATED_AT + kind, rids)
            sent.update(((kind, key), (by[str(rid)], at[str(rid)])) for key, rid in ids.items()
                        if str(rid) in by and str(rid) in at)
        for item in items:
            for ref in refs(item.id):
                k = (str(ref["kind"]), str(ref["key"]))
                row, ms = sent.get(k, (None, 0))
                if k in made:
                    made.discard(k)
                elif not (row == item.id and item.sent_at is not None
                          and ms >= item.sent_at * 1000 and item.id in earlier):
                    continue
                sent.pop(k, None)
                op = "addPerson" if k[0] == "person" else "addOrganization"
                calls = self.landed.setdefault(item.id, {})
                calls[op] = calls.get(op, 0) + 1
        # the creates a row had answered that its references do not name (a contact that
        # vanished, made again: ``jobs.importing.vanished``; x47r6 F1)
        creators = {kind: await self.astore.lookups(CREATOR + kind) for kind in _OPS}
        answered = {kind: await self.astore.lookups(CREATED_AT + kind) for kind in _OPS}
        for row, mine in answered_creates(
                creators, answered, [i for i in items if i.id in earlier]).items():
            its = {(k[0], named[k]) for ref in refs(row)
                   if (k := (str(ref["kind"]), str(ref["key"]))) in named}
            for kind, made_ids in mine.items():
                if (n := len({(kind, rid) for rid in made_ids} - its)):
                    calls = self.landed.setdefault(row, {})
                    calls[_OPS[kind]] = calls.get(_OPS[kind], 0) + n

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """Persons / orgs first, then deals: each create found is DONE, the rest goes back to
        pending; updates are decided against the deals as they are now
        (``_updates_in_flight``)."""
        if not items:
            return []
        # the job's measured lead, kept in its store for a resume or undo (x52r8 F1)
        self._lead = await in_thread(lambda: job_lead(self.store, keep=True))
        since = server_since(min(i.sent_at or 0.0 for i in items), self._lead)
        looked_at = self.clock.wall()  # the scan below begins after this
        payloads = {i.id: await self._sent_payload(ctx, i) for i in items}
        await self._reconciled_contacts(ctx, items, payloads, since)
        creates = [i for i in items if i.op == "create" and i.key]
        self._reconciled.update(str(i.key) for i in creates)
        if self._marks and creates:  # which of them some process of this job sent
            keys = sorted({str(i.key) for i in creates})
            # the store's marks, and the job folder's sent journal: a store that lost its
            # last writes (its -wal removed after a kill) lost the marks of the last creates
            # sent, whose deals were then another run's to this job and its undo (f25a)
            self._sent_keys = set(await self.astore.lookup_get_many(SENT_DEAL, keys)) | \
                await in_thread(partial(sent_keys, self.store.directory, set(keys)))
        found: dict[str, Mapping[str, Any]] = {}
        gone: dict[str, list[Mapping[str, Any]]] = {}  # the key's deleted deals, when found
        twice: dict[str, set[int]] = {}  # keys two or more deals added since carry
        if creates:
            wanted = {i.key for i in creates}
            # archived and deleted deals too: a create that landed and was archived or
            # deleted by someone before this reconcile is still this row's create — sent
            # again, it doubled the key or undid the deletion (v9r5 finding 1)
            keyed = await keyed_added_since(ctx, since, self.key_code, deleted=True)
            if any(is_gone(d) for k, deals in keyed.items() if k in wanted for d in deals):
                await self._read_merges()  # off the loop: _merged_into_standing reads it
            for key, deals in keyed.items():
                if key not in wanted:
                    continue
                standing = [d for d in deals if not is_gone(d)]
                if (away := self._merged_into_standing(deals, standing)) is not None:
                    # this row's create, merged here since into a deal with no key of its
                    # own, which took this one: the merged-away deal is the row's (x29r3
                    # F1: the survivor was "created meanwhile by another run")
                    found[key] = away
                    continue
                if len(standing) > 1:
                    twice[key] = {int(d["id"]) for d in standing}
                found[key] = (standing or deals)[0]
                if standing:
                    gone[key] = [d for d in deals if is_gone(d)]
        # The claims of these creates (ours, or a dead run's: e.g. this job's own process
        # before a kill -9) are settled too, so a later run learns the outcome for free.
        # A deal found by key is this job's create only when it can be: not when the claim
        # says another job created it, nor when it was added before the row was sent (a run
        # that started after this one died may have created the key: attributing its deal
        # to this job would make `pdbulk undo` of this job delete it).
        foreign: dict[int, str] = {}
        for i in creates:
            if not i.key:
                continue
            if i.key in twice:  # neither is taken for this row's create: the row fails
                await self._settle_claim(i, None, payloads[i.id].get("deal"))
                continue
            why = await self._settle_claim(i, found.get(i.key), payloads[i.id].get("deal"),
                                           self._loaded_body(i, payloads[i.id]))
            if why is not None:
                foreign[i.id] = why
                self.unattributed += why == UNPROVEN
                self._own_gone(i, gone.get(i.key) or (), payloads[i.id].get("deal"))
        self._sent_keys = None
        # a row mapped again (a retry) whose key's deal another row of this job wrote at the
        # load: that deal is no create of this row's (x41r4 F2: both rows `created`, one
        # deal; undo planned 155 deletes for 150 deals)
        again = {str(i.key) for i in creates if str(i.key) in found and self._needs_mapping(i)}
        written = await in_thread(partial(self._written_deals, again,
                                          {i.id for i in items})) if again else set()
        self._deal_unsent.difference_update(i.id for i in items)
        for i in items:
            self._answered_at.pop(i.id, None)
        updates = await self._updates_in_flight(
            ctx, [i for i in items if i.op == "update"
                  and isinstance(payloads[i.id].get("changes"), Mapping)], payloads)
        out = []
        for item in items:
            if item.id in updates:
                self._doubted.discard(item.id)
                out.append(updates[item.id])
                continue
            key = item.key or ""
            if item.op == "create" and key in twice:
                self._doubted.discard(item.id)
                out.append(Outcome(item.id, ItemState.FAILED, error=str(
                    _Ambiguous(key, sorted(twice[key])))))
                continue
            hit = found.get(key) if item.op == "create" else None
            if item.op == "create":
                self._looked_up[key] = (since, looked_at)
            if hit is not None and item.op == "create" and int(hit["id"]) in written:
                # back to pending, its attempt given back: mapped again, it is judged beside
                # the row that wrote the deal (its duplicate, or held), never sent blindly
                self._doubted.discard(item.id)
                out.append(Outcome(item.id, ItemState.PENDING, unsent=True))
                continue
            made = self._gone_create.get(key) if item.op == "create" else None
            if hit is not None and item.id in foreign and foreign[item.id].startswith("its ") \
                    and made is not None:
                # this job's create is the deleted one (its title and value the row's): the
                # deal carrying the key now is another's, never "maybe this job's" (undo
                # --force would delete it); left alone, nothing written (x30r2 M1, a deal
                # typed by hand just before the import, merged into by hand)
                self._doubted.discard(item.id)
                del self._gone_create[key]
                out.append(Outcome(item.id, ItemState.FAILED, result={"merged_create": made},
                                   error=(
                    f"conflict: deal {made}, which this job created for this key, is deleted "
                    f"since, and deal {hit['id']} carries the key now (a merge made outside "
                    "pdbulk leaves just that; none made here records it), but "
                    f"{foreign[item.id]}: left alone, not updated (import the row again to "
                    "write it)")))
                continue
            if hit is not None and is_gone(dict(hit)) and item.id in foreign \
                    and not foreign[item.id].startswith("its "):
                # a deleted deal that is not this job's create (the claim names it as an
                # earlier job's: a re-import right after `pdbulk undo` of the same file,
                # x31r1 F-A, 6-11 of 141 rows failed "deleted by someone else") is no trace
                # of this row's create: as found none, the row is sent again
                hit = None
            if hit is not None and item.id in foreign and foreign[item.id].startswith("its "):
                # the deal carries the row's key and came after the row was sent, but its
                # title or value is not the row's: this job's create edited since (a
                # colleague, an automation), or someone else's deal. Either way it is not
                # overwritten (v9r6: upsert resumed PATCHed a colleague's edit away, 19/23)
                self._doubted.discard(item.id)
                # recorded as maybe this job's, so that its undo lists it (a conflict: left
                # alone, --force deletes it) — else no job owned it (v9r17 M3)
                out.append(Outcome(item.id, ItemState.FAILED, result={
                    "deal_id": int(hit["id"]), "action": "conflict", "maybe_created": True},
                    error=(
                    f"conflict: deal {hit['id']} carries key {key} and was added after this "
                    f"row was sent, but {foreign[item.id]}: this job's create changed since, "
                    "or another's deal; left alone, not updated (import the row again to "
                    "overwrite it)")))
                continue
            if hit is not None and item.id in foreign:
                # another run's deal: not created here. The row goes back to pending and its
                # create path finds the deal through the claim's outcome (settled above, or by
                # the live run holding it): upsert updates it, insert reports it `exists`.
                self._doubted.discard(item.id)
                out.append(Outcome(item.id, ItemState.PENDING, unsent=True))
                continue
            if hit is None:
                # Not applied. Sent and lost in this process: an attempt (the runner stops
                # the job when the account keeps losing answers). Left in flight by a run
                # that died (kill -9, a crash) while the row waited its turn or its
                # person/org: no evidence of lost answers, and the attempt is given back —
                # or every kill would use up an attempt of every row handed out.
                out.append(Outcome(item.id, ItemState.PENDING,
                                   unsent=item.id not in self._doubted))
                self._doubted.discard(item.id)
                continue
            self._doubted.discard(item.id)
            payload = payloads[item.id]
            if is_gone(dict(hit)) and await self._merged_read(int(hit["id"])) is not None:
                # this job's create, merged away since by a merge made here (applied): the
                # row goes to the survivor as a re-import's row does, its claim naming the
                # deal (settled above) — not failed "deleted by someone else … import the
                # row again", an advice that doubled it (x29r2 F3, 3 of 3)
                out.append(Outcome(item.id, ItemState.PENDING, unsent=True))
                continue
            if is_gone(dict(hit)):
                # this job's create, proven (found, attributed) and gone since: counted
                # among the deals the job created (``deleted_create``; x31r2 3: a merge made
                # over HTTP into another keyed deal, 59 counted of 60)
                out.append(Outcome(item.id, ItemState.FAILED, status=404, result={
                    "deleted_create": int(hit["id"])}, error=(
                    f"deal {hit['id']} (key {key}), this job's create, was deleted by "
                    "someone else since it was sent; not created again (import the row "
                    "again to create it)")))
                continue
            edited: dict[str, str] = {}
            if (loaded := self._loaded_body(item, payload)) is not None \
                    and _not_as_sent(hit, payload.get("deal") or {}) is not None \
                    and _not_as_sent(hit, loaded) is None:
                # sent by a run before the mapping edit, as loaded: its values are those
                # (x46r8 F3: failed as a conflict, though the claims proved it this job's)
                payload, edited = item.payload, {"note": (
                    "created by the run before the mapping edit, with its values then")}
            gone_note = self._again_gone(key)
            if edited and "note" in gone_note:  # both said
                edited["note"] = f"{gone_note['note']}; {edited['note']}"
            if moved := linked_since.reconciled_note(linked_since.named_ids(
                    payload, self.resolver.known_key, self._vanished.followed), hit,
                    self._vanished.followed, self._vanished.gone,
                    self._vanished.found):  # x49r8 F3, x50r6 F2: the survivor said
                edited["note"] = "; ".join(filter(None, (
                    edited.get("note") or gone_note.get("note"), moved)))
            out.append(Outcome(item.id, ItemState.DONE, result={
                "deal_id": hit["id"], "action": "created", "person_id": hit.get("person_id"),
                "org_id": hit.get("org_id"), "reconciled": True,
                "update_time": hit.get("update_time"), "new": self._new(payload),
                **matched_by(payload), **gone_note, **edited}))
        # not as_sent: a row found applied was written by the run that died, with that
        # run's payload, not with the one mapped again now (x44r10 F1: a stage map edited
        # after a kill recorded 4 of 120 found rows as writing the new stage; undo called
        # them conflicts and left them)
        return out

    def _written_deals(self, keys: set[str], rows: set[int]) -> set[int]:
        """The deals of ``keys`` this job recorded for rows other than ``rows`` (settled
        rows' results: created, updated, found); one scan of the settled rows."""
        return {int(r["deal_id"]) for i in self.store.items(ItemState.DONE)
                if i.key in keys and i.id not in rows
                and isinstance((r := i.result or {}).get("deal_id"), int)}

    def _own_gone(self, item: Item, deleted: Sequence[Mapping[str, Any]],
                  body: Mapping[str, Any] | None) -> None:
        """Of ``deleted``, the deals carrying ``item``'s key that are gone since, the one
        that is this job's create by the evidence a found deal needs (``_not_ours``: sent
        by this job, added after the row was sent, its title and value the row's), while
        another deal, there before the send, carries the key now (not this job's): a merge
        made by hand (over HTTP, in Pipedrive's screens) leaves just that, and no record
        here says so. Kept in ``_gone_create`` for the row's outcome (x30r2 M1: the row
        then failed on the survivor's currency alone, and the summary missed the deal)."""
        mine = [d for d in deleted if self._not_ours(item, d, None, body) is None]
        if len(mine) == 1 and item.key:
            self._gone_create[item.key] = int(mine[0]["id"])

    def _merged_into_standing(self, deals: Sequence[Mapping[str, Any]],
                              standing: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
        """Of ``deals``, all carrying one key (a look-up of those added or changed since), a
        deleted one that a merge made here (``_merged``) took into a ``standing`` one, when
        every standing deal is such a survivor: the survivor had no key of its own and took
        the merged-away deal's, so the merged-away one is the deal the key's create made.
        None otherwise (no such merge, or another standing deal carries the key too)."""
        survivors: set[int] = set()
        away = None
        for deal in deals:
            hit = self._merged(int(deal["id"])) if is_gone(dict(deal)) else None
            if hit is not None and any(int(s["id"]) == hit.survivor for s in standing):
                survivors.add(hit.survivor)
                away = away or deal
        if away is None or any(int(s["id"]) not in survivors for s in standing):
            return None
        return away

    async def _updates_in_flight(self, ctx: CallContext, items: Sequence[Item],
                                 payloads: Mapping[int, Mapping[str, Any]]
                                 ) -> dict[int, Outcome]:
        """Upsert updates left in flight (issue 9, F2), decided against the deals as they are
        now — read 100 per call (``GET /api/v2/deals?ids=``; rows that unarchive also from
        the archived list) after the persons / organizations in doubt were settled — with
        ``jobs.deals.in_flight`` on the PATCH body as sent (the changed fields, and the
        person / organization links, whose before-values are the ``kept`` ids): applied →
        DONE ``updated`` (unless more rows read so than the ledger shows updateDeal
        calls that may have left: none is then provably this job's, each SKIPPED
        ``unchanged``, ``jobs.provable_writes``; x51r7 F1); as wanted before → SKIPPED
        ``unchanged``; gone → failed (404);
        another value → conflict, failed, nothing sent; not applied → pending (sent
        again; an attempt only when this process lost the answer). A link to a person /
        organization not created yet is never taken as applied."""
        if not items:
            return {}
        ids = [int(payloads[i.id]["deal_id"]) for i in items]
        archived = [int(payloads[i.id]["deal_id"]) for i in items
                    if payloads[i.id]["changes"].get("is_archived") is False]
        current = await read_current(ctx, ids, archived)
        wanted_ids = set(ids)
        images = {b.entity_id: b.before for b in self.store.before_images("deal")
                  if b.entity_id in wanted_ids}
        out: dict[int, Outcome] = {}
        labels = self.field_labels
        decided: list[tuple[Item, dict[str, Any], dict[str, Any], bool, str, str]] = []
        for item in items:
            payload = payloads[item.id]
            deal_id = int(payload["deal_id"])
            body = dict(payload["changes"])
            image = dict(images.get(deal_id) or {"fields": {}, "custom_fields": {}})
            fields = dict(image.get("fields") or {})
            kept = payload.get("kept") or {}
            reached = True
            for name in ("person", "org"):
                ref = payload.get(name)
                if not isinstance(ref, Mapping):
                    continue
                rid = ref.get("id") if "id" in ref else self.store.lookup_get(
                    str(ref["kind"]), str(ref["key"]))
                reached = reached and rid is not None
                body[f"{name}_id"] = rid
                fields[f"{name}_id"] = kept.get(f"{name}_id")
            image["fields"] = fields
            verdict, drift = in_flight(current.get(deal_id), image, body, reached=reached,
                                       labels=labels)
            decided.append((item, body, image, reached, verdict, drift))
        claimed = [item for item, *_, verdict, _ in decided if verdict == "applied"]
        proof = await provable(self.store, claimed, {"updateDeal"})
        for item, body, image, reached, verdict, drift in decided:
            payload = payloads[item.id]
            deal_id = int(payload["deal_id"])
            deal = current.get(deal_id)
            # a conflict: the changed fields someone's edit since holds (not those still
            # at their before-image) count as this job's write in the state folder's
            # record, so the next upsert keeps that edit (x46r10 F1); links are not
            written = {"deal_id": deal_id, "written": last_written.conflicted(
                payload["changes"], held_before(deal, image, body))}
            if verdict == "gone":
                out[item.id] = Outcome(item.id, ItemState.FAILED, status=404, error=(
                    f"deal {deal_id} (key {item.key}) no longer takes writes (deleted, merged "
                    "away or archived while the update was in flight); not updated, not "
                    "re-created"))
            elif verdict == "conflict" and reached and (
                    before := not_landed(deal, image, body, labels)):
                # it did not land (x32r1 F11): sent now, it would overwrite that change
                out[item.id] = Outcome(item.id, ItemState.FAILED, result=written, error=(
                    f"conflict: deal {deal_id} (key {item.key}) changed while the update was "
                    f"in flight ({drift}); the update did not apply ({before} still as "
                    "before it); left alone, not sent: it would overwrite that change (import "
                    "the row again to overwrite it)"))
            elif verdict == "conflict":
                out[item.id] = Outcome(item.id, ItemState.FAILED, result=written, error=(
                    f"conflict: deal {deal_id} (key {item.key}) changed while the update was "
                    f"in flight ({drift}); left alone, not sent again — the update "
                    f"{MAY_HAVE_APPLIED} (import the row again to overwrite it)"))
            elif verdict == "unsent":
                out[item.id] = Outcome(item.id, ItemState.PENDING,
                                       unsent=item.id not in self._doubted)
            else:
                assert deal is not None
                result = {"deal_id": deal_id, "person_id": deal.get("person_id"),
                          "org_id": deal.get("org_id"), **matched_by(payload),
                          **survivor_noted(payload)}
                out[item.id] = (
                    Outcome(item.id, ItemState.SKIPPED, result={**result, "action": "unchanged"})
                    if verdict == "unchanged" else
                    not_ours(item, deal_id, why, "updated", result)  # x51r7 F1
                    if (why := proof.why(item, deal)) else
                    Outcome(item.id, ItemState.DONE, result={
                        **result, "action": "updated", "reconciled": True,
                        "new": self._new(payload), **applied(deal)}))
        judged = [item for item, *_ in decided]
        out.update((o.item_id, o) for o in await later_conflicts(  # x52r5 F1's class
            self.store, [replace(i, payload=dict(payloads[i.id])) for i in judged],
            [out[i.id] for i in judged], written_later))
        deals = {item.id: current.get(int(payloads[item.id]["deal_id"])) for item in judged}
        settled = await doubted_conflicts(self.store, judged, [out[i.id] for i in judged],
                                          deals, {"updateDeal"})  # x51r13 F2
        return {**out, **{o.item_id: o for o in settled}}

    def _loaded_body(self, item: Item, payload: Mapping[str, Any]
                     ) -> Mapping[str, Any] | None:
        """The addDeal body ``item`` was loaded with when ``payload`` is the row mapped
        again after an edit of the mapping (``mapping_changed``): the body a run before
        the edit sent (``_not_ours``' ``before_edit``); None otherwise."""
        body = item.payload.get("deal")
        if not self.mapping_changed or payload is item.payload or not isinstance(body, Mapping):
            return None
        return body

    async def _sent_payload(self, ctx: CallContext, item: Item) -> Mapping[str, Any]:
        """The payload ``item`` was sent with: the one a retry mapped it to (remembered, or
        mapped again the same way after a crash), else the stored one."""
        if item.id in self._remapped:
            return self._remapped[item.id]
        if self._needs_mapping(item):
            again = await self._mapped_again(ctx, item)
            if not isinstance(again, Outcome):
                self._remapped[item.id] = again[1]
                return again[1]
        return item.payload


def as_sent(outcome: Outcome, item: Item, payload: Mapping[str, Any]) -> Outcome:
    """``outcome`` of a row a run mapped again (``payload`` is not the load's, ``item``'s)
    with what that run sent recorded as what the job wrote: its result's ``wrote`` (the
    PATCH's ``changes`` or the create's ``deal`` body; ``jobs.undo.targets._wrote`` reads
    it before the item's payload) and ``written`` (``jobs.last_written``), unless the send
    already set them (a merged survivor's body). Undo then judges the row by the values it
    sent, not by the load's (x44r4 F1: a field deleted and taken out of the mapping, 60 of
    60 resumed creates planned as conflicts "Discount: job's 8, now None"; a stage map
    changed, 31 of 90 "stage_id: job's Demo Scheduled, now Proposal Made"). Any other
    outcome, or a row sent as loaded, is returned as it is."""
    if payload is item.payload or outcome.state is not ItemState.DONE \
            or outcome.result is None:
        return outcome
    body = payload.get("changes")
    if not isinstance(body, Mapping):
        body = payload.get("deal")
    result = dict(outcome.result)
    if isinstance(body, Mapping) and "wrote" not in result:
        result["wrote"] = dict(body)
    if "written" not in result and (sent := last_written.written(
            payload, result.get("action"), result)):
        result["written"] = sent
    return Outcome(outcome.item_id, outcome.state, result=result, error=outcome.error,
                   status=outcome.status, unsent=outcome.unsent)


__all__ = ["as_sent"]  # and, internal, _Reconcile: jobs.importing.ImportJob
