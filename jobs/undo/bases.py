"""Which fields an undo gives back their base in the state folder's record of what this
folder wrote (``jobs.last_written``): each field the undone job wrote there, on a deal
the undo judged, takes back the base the record held before that job wrote
(``last_written.rebase``: the prior kept beside each write) — not the undone write, and
not the job's before-image (Pipedrive's value before the job: maybe a colleague's edit
this folder never wrote).

x50r5 F1: import (Tier = Gold), ``update`` (Silver), a colleague sets Bronze, the undo
keeps Bronze (a conflict); the same, unchanged import file then wrote Gold over Bronze,
"changed both in Pipedrive and in the file": the base was still the update's Silver (121
of 121). x50r10 F1: import (Gold), a colleague (Bronze), update (Silver over Bronze),
undo (Bronze back): the before-image Bronze as the base read the file's Gold as changed
in the file only, written over Bronze (14 of 14; the undo of a second import: 7 of 7);
the import's Gold as the base reads it as unchanged, Bronze kept.

Per deal the undo judged — a restore done, in part, already as before the job (a skip
at the plan: its result in its payload, ``targets.outcome``; x50r10 F2: read from
``items.result`` alone it was missed, and the same update file re-run was "kept") or
left as a conflict because someone changed every group it was to put back (at the plan:
``targets.CHANGED_GROUPS``; at the run) — by field group (``jobs.deals.FIELD_GROUPS``),
every group the job wrote (put back, as before, or left as a colleague changed it;
``update`` and ``import`` alike); a field the job wrote first (no base before it) takes
``last_written.LEFT_THEIRS`` where the undo left a colleague's value (the file's value
then is "changed both": x51r3 F2, the same update file kept the colleague's there and
wrote over it where the import had written first), and has no base again where the undo
put it back. A deal refused without its groups judged (a later job of this folder wrote
it since, archived, in doubt) is left as it is: the undone job's writes it still holds
stay their base, the later job's are that job's (x51r3 F1: they were given back too, and
the same import file kept the undone update's values, "changed in Pipedrive", 0 of 70).
Each field is named with the digest of its before-image value (None:
the before-image does not hold it): ``rebase``'s fallback for a base recorded before
priors were kept.

``settle_row`` gives the record one deal's share as the undo settles it (before its outcome
is stored: kill-safe; x51r3 F3), ``settle_written`` all of it at the run's start (what the
plan settled: conflicts, deals found as before) and at its end (again: idempotent).

Move-stage, merge and dedupe jobs write no base (``jobs.last_written_runs``): their undo
leaves the record as the import left it. Blocking (reads the undone job's store).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from bulk.errors import StoreError
from bulk.store import ItemState, JobStore

from .. import last_written, last_written_runs, plan_seen
from ..deals import write_groups
from ..last_written import CUSTOM, digest, fields_of, group_of
from .later_since import in_doubt_left
from .since_plan import KEPT_SINCE, with_kept
from .targets import CHANGED_GROUPS, PARTLY, Target, outcome, targets

_log = logging.getLogger("pdbulk.undo")

# the job kinds whose writes the record holds (``jobs.last_written_runs``)
REBASED_KINDS = ("update", "import")


def _judged(item: Any, groups: list[str]) -> tuple[list[str], list[str]] | None:
    """(groups put back, groups left) of the undo's restore ``item`` of a deal the job
    wrote ``groups`` on; None: not judged (failed otherwise, not run yet)."""
    if item.state is ItemState.DONE:
        partly = item.payload.get(PARTLY)
        kept = set(partly.get("kept") or ()) if isinstance(partly, Mapping) else set()
        return [g for g in groups if g not in kept], [g for g in groups if g in kept]
    if item.state is ItemState.FAILED and (item.error or "").startswith("conflict:"):
        if in_doubt_left(item.error or ""):
            # a restore in doubt its resume left alone because the deal reads as not put
            # back — it still holds the undone job's values, or a later job of this
            # folder's — (``later_since``): nothing put back, nothing judged, the record
            # as it is, so the next file's note names the job that last wrote each field
            # (f54g, y54r4: "changed in Pipedrive since" of the undone update's own title)
            return [], []
        if "changes" in item.payload:
            # a restore the run refused: someone changed what it was to put back since
            # the plan (the groups it kept at the plan were changed before): left, all
            return [], groups
        changed = item.payload.get(CHANGED_GROUPS)
        if not isinstance(changed, list):
            # refused at the plan for another reason (a later job of this folder wrote
            # the deal since, archived, ...): nothing put back, nothing judged — the
            # deal's record stays as it is (x51r3 F1)
            return [], []
        # every group it was to put back changed since (a colleague's: left); a group
        # already as before the job (not in its ``wrote``) is as put back
        wrote = set(write_groups(item.payload.get("wrote") or {}))
        return [g for g in groups if g not in wrote], [g for g in groups if g in changed]
    if item.state is ItemState.SKIPPED and outcome(item).get("action") == "unchanged":
        return groups, []
    return None


def _image_values(before: Mapping[str, Any] | None) -> dict[str, Any]:
    """{record field name: value} of a before-image (``jobs.deals.before_image``'s shape)."""
    if before is None:
        return {}
    out = dict((before.get("fields") or {}).items())
    out.update((CUSTOM + code, value)
               for code, value in (before.get("custom_fields") or {}).items())
    return out


def restore_targets(source: JobStore) -> dict[int, Target]:
    """Deal id -> what the undone job ``source`` wrote there that an undo puts back (its
    restore targets with a write); {} for a job kind that writes no base. Memory: the
    undone job's targets."""
    if source.kind not in REBASED_KINDS:
        return {}
    return {t.deal_id: t for t in targets(source) if t.op == "restore" and t.wrote}


def bases_before(undo: JobStore, source: JobStore
                 ) -> tuple[dict[int, dict[str, str | None]], dict[int, set[str]]]:
    """Deal id -> {field (record name): digest of its before-image value, None when the
    before-image does not hold it} for the fields ``undo`` gives back their base (see the
    module docstring; ``last_written.rebase`` gives back the prior base, the digest is its
    fallback); and deal id -> the fields of those in groups the undo left as a colleague
    changed them (``rebase``'s ``left``). ({}, {}) for a job kind that writes no base.
    Memory: the undone job's targets and the deals judged."""
    wanted = restore_targets(source)
    narrowing = {int(k[len(KEPT_SINCE):]): v for k, v in undo.meta_prefixed(KEPT_SINCE).items()
                 if isinstance(v, Mapping) and v}
    out: dict[int, dict[str, str | None]] = {}
    kept: dict[int, set[str]] = {}
    for item in undo.items():
        found = _item_bases(item, wanted, narrowing.get(item.id))
        if found is not None:
            deal_id, bases, left = found
            out.setdefault(deal_id, {}).update(bases)
            if left:
                kept.setdefault(deal_id, set()).update(left)
    return out, kept


def _item_bases(item: Any, wanted: Mapping[int, Target], narrowing: Mapping[str, Any] | None
                ) -> tuple[int, dict[str, str | None], set[str]] | None:
    """(deal id, ``bases_before``'s fields of it, those left) of one undo ``item`` (as the
    run narrowed it: ``narrowing``, ``KEPT_SINCE``); None: not a restore the undo judged."""
    deal_id = item.payload.get("deal_id")
    if item.op != "restore" or not isinstance(deal_id, int) \
            or (t := wanted.get(deal_id)) is None or t.wrote is None:
        return None
    item = item if not narrowing else _narrowed(item, narrowing)
    judged = _judged(item, write_groups(t.wrote))
    if judged is None or not (judged[0] or judged[1]):
        return None
    back, left = judged
    groups = set(back) | set(left)
    values = _image_values(t.before)
    names = {name for name, _ in fields_of(t.wrote)} | set(values)
    return (deal_id, {name: digest(values[name]) if name in values else None
                      for name in names if group_of(name) in groups},
            {name for name in names if group_of(name) in set(left)})


def settle_row(store: JobStore, item: Any, wanted: Mapping[int, Target],
               narrowing: Mapping[str, Any] | None, *,
               at: tuple[str, str] | None = None) -> None:
    """One restore / delete of the undo ``store`` settled (``item``: its state and result
    as its outcome sets them, before the run stores that outcome) given to the record as
    ``settle_written`` gives the whole undo at its end: a delete's deal forgotten, a
    restore's fields rebased and those put back forgotten, what a plan saw of it dropped
    — right away, so that a kill (-9) of the undo before its end, never resumed, leaves
    no deal it put back with the undone job's write as its base (x51r3 F3: the next import
    wrote over the colleague's values it kept on 10, 16, 14 deals). A kill between this
    and the outcome's storing leaves the write in doubt: its resume finds it applied and
    settles it again to the same record. ``wanted``: ``restore_targets``. ``at``: (the
    account's base URL, the undone job's id) as ``settled_at`` reads them once a run (the
    store is not read per row: f23i's bound on a resumed undo's store reads); None: read
    here. Best effort: logged."""
    url, source = at if at is not None else settled_at(store) or ("", "")
    deal_id = item.payload.get("deal_id")
    if not url or not source or not isinstance(deal_id, int):
        return
    try:
        if item.state is ItemState.DONE:
            plan_seen.forget(url, [deal_id])
        if item.op == "delete" and item.state is ItemState.DONE:
            last_written.forget(url, [deal_id])
            return
        found = _item_bases(item, wanted, narrowing)
        if found is not None:
            last_written.rebase(url, {deal_id: found[1]}, undone=str(source),
                                job=store.job_id, at=store.wall(), left={deal_id: found[2]})
        changes = item.payload.get("changes")
        if item.state is ItemState.DONE and isinstance(changes, Mapping):
            last_written.forget(url, [deal_id], job=str(source), only={deal_id: {
                name for name, _ in last_written.fields_of(changes)}})
    except (OSError, sqlite3.Error) as exc:
        _log.warning("the state folder's record of what deal %s holds could not be "
                     "updated (%s): this undo's end updates it", deal_id, exc)


def settled_at(store: JobStore) -> tuple[str, str] | None:
    """(the account's base URL, the undone job's id) a per-row settle (``settle_row``)
    writes the record for; None: the store names none (nothing to settle)."""
    base_url = (store.config.get("engine") or {}).get("base_url")
    source = store.meta_get("source_job")
    return (str(base_url), str(source)) if base_url and source is not None else None


def _narrowed(item: Any, kept: Mapping[str, Any]) -> Any:
    """``item`` as the run narrowed it at its re-check (``KEPT_SINCE``)."""
    return replace(item, payload=with_kept(item.payload, kept))


def settle_written(store: JobStore) -> None:
    """The deals this undo deleted, and the fields the undone job recorded on those it
    restored, leave the state folder's record of what its imports wrote
    (``jobs.last_written``): what they hold now is no import's write, so the next upsert
    writes them as a first import would (not "kept from Pipedrive"); a restored deal's
    other fields keep the base earlier imports set (f32c 4: the whole deal was forgotten,
    and a colleague's later edit of a field the undone job never wrote was put back). A
    deal put back in part forgets only the fields put back: a group left as a colleague
    changed it keeps its base, so the next upsert keeps the colleague's value there. First,
    the fields the undo put back or left get back the base from before the undone job
    (``jobs.undo.bases``, ``last_written.rebase``; x50r5 F1): the forget leaves those —
    on every deal the undo judged, whatever the others' outcome (x51r3 F1: only when the
    undo restored or deleted some deal). What a plan saw of the deals put back or deleted
    (``jobs.plan_seen``) is forgotten. Idempotent: what it settled before (a load's
    ``catch_up`` of this undo cut off by a kill, then its resume) is settled again to the
    same record — the undone job's bases are given back once (``rebase`` and ``forget``
    touch only fields whose base is still the undone job's). The undone job is not noted
    undone here (``settle_done``). Best effort: logged."""
    base_url = (store.config.get("engine") or {}).get("base_url")
    if not base_url:
        return
    ids: dict[str, list[int]] = {"restore": [], "delete": []}
    restored: dict[int, set[str]] = {}  # the fields each restore put back (f33d: in part)
    for i in store.items(ItemState.DONE):
        if i.op in ids and isinstance(i.payload.get("deal_id"), int):
            ids[i.op].append(i.payload["deal_id"])
            if i.op == "restore" and isinstance(changes := i.payload.get("changes"), Mapping):
                restored.setdefault(i.payload["deal_id"], set()).update(
                    name for name, _ in last_written.fields_of(changes))
    source = store.meta_get("source_job")
    if source is not None:
        # the undone job's run a kill left registered: its writes, put back now, are never
        # to be recorded by the next update's ``catch_up`` (f46r: kept as Pipedrive's)
        with contextlib.suppress(OSError, sqlite3.Error):
            last_written_runs.unregister(str(source))
    if ids["restore"] or ids["delete"]:
        try:  # what a plan saw of them is moot too (``jobs.plan_seen``, f48c)
            plan_seen.forget(str(base_url), [*ids["restore"], *ids["delete"]])
        except (OSError, sqlite3.Error) as exc:
            _log.warning("the state folder's record of the values the plan saw in "
                         "Pipedrive could not be updated (%s)", exc)
    try:
        last_written.forget(str(base_url), ids["delete"])
        if source is not None:  # first: the fields given back their base stay
            _rebase(store, str(base_url), str(source))
        last_written.forget(str(base_url), ids["restore"],
                            job=str(source) if source is not None else None,
                            only=restored)
    except (OSError, sqlite3.Error) as exc:
        _log.warning("the state folder's record of what the imports wrote could not be "
                     "updated (%s)", exc)


def settle_done(store: JobStore, counts: Mapping[ItemState, int] | None,
                source: str | None = None) -> bool:
    """At the end of a run of the undo ``store``: once no row of it is left to send or in
    doubt (``counts``: the run's item counts by state, ``RunResult.counts``; None: read
    from the store), the job it undid is noted undone in the state folder's record
    (``last_written.undone``): what that job still holds where nothing wrote since (the
    deals the undo refused) is the next import's base, its value written over as the undo
    would have (x51r3 F1). Not before: an undo stopped at its ``--max-tokens`` cap, killed
    or with rows in doubt leaves the deals it has not settled as the job wrote them, a
    change made since the import — kept and named by the next import (x53r1 F1-F3: the
    first settled row noted the job undone for every deal, and the unchanged file wrote
    over a later update's and a colleague's values on the deals not reached, "changed
    both", 54 of 80, and over the job's own, unsaid). ``source``: the undone job's id
    as the run read it (``settled_at``; None: read here). A job the record holds no write
    of (a kind that writes no base) is left. Returns whether it noted it. Best effort:
    logged."""
    try:
        if (bool(store.open_ops()) if counts is None
                else bool(counts.get(ItemState.PENDING) or counts.get(ItemState.SENDING))):
            return False
        if source is None and (source := store.meta_get("source_job")) is None:
            return False
        return last_written.undone(str(source))
    except (OSError, sqlite3.Error, StoreError) as exc:
        _log.warning("the state folder's record could not note job %s undone (%s)",
                     source, exc)
        return False


def _rebase(store: JobStore, base_url: str, source: str) -> None:
    """The fields this undo put back or left get back the base they held before the undone
    job (``jobs.undo.bases``; x50r5 F1). The undone job's store unreadable: logged, the
    forget alone as before. Raises sqlite3.Error / OSError (the record)."""
    folder = store.meta_get("source_dir")
    if not isinstance(folder, str):
        return
    try:
        with JobStore.open(Path(folder), lock=False) as undone:
            bases, left = bases_before(store, undone)
    except (OSError, StoreError, sqlite3.Error) as exc:
        _log.warning("job %s could not be read to give the state folder's record the values "
                     "from before it (%s): the fields this undo put back are forgotten", source,
                     exc)
        return
    if bases:
        last_written.rebase(base_url, bases, undone=source, job=store.job_id, at=store.wall(),
                            left=left)


__all__ = ["REBASED_KINDS", "bases_before", "restore_targets", "settle_done", "settle_row",
           "settle_written"]
