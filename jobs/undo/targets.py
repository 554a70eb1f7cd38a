"""What a job did that undo puts back: the targets (deals to restore or delete) read
from the source job's store, and who else wrote or created those deals since
(``jobs.undo``).

Why ~660 lines: the targets of every kind an undo takes (update, move-stage, import,
dedupe's field-policy PATCHes), the later writes of the folder's other jobs that make a
deal someone else's, and the names of an undo's actions the plan, the run and the other
modules of ``jobs.undo`` share (a restore in part among them) all read one source store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bulk.errors import InputError, StoreError, resume_command
from bulk.manifest_stamp import absolute
from bulk.store import (
    ACTIVE_STATUSES,
    Item,
    ItemState,
    JobStore,
    held_by_live_process,
)

from ..account import parse_time
from ..clock_skew import earlier
from ..deals import (
    MAY_HAVE_APPLIED,
    STATUS_LEFT,
    Deal,
    written_part,
)
from ..dedupe.merge_job import POLICY_RECORD, PUT_BACK
from ..import_resolve import made_contacts
from ..later_jobs import RESTORED_IN_PART as RESTORED_IN_PART
from ..later_jobs import later as later
from ..later_jobs import later_writes as later_writes
from ..later_jobs import other_company as other_company
from ..later_jobs import others_done
from ..provable_writes import UNPROVEN

UNDOABLE = ("update", "move-stage", "import", "dedupe")
POLICY_IMAGE = "deal-policy"  # a dedupe job's before-images of its survivor PATCHes
UNDO_COLUMNS = ("row", "key", "deal_id", "action", "fields", "note")
SNAPSHOTS = "merge-snapshots.jsonl"
META_CONTACT_PAGES = "contact_pages"  # the list pages the plan's contacts check read
# how many deals, per deal list, the plan's pull saw an ``updated_since`` of its time less
# RECONCILE_MARGIN would list (others' changes in the margin, this undo's restores): what
# each re-check batch's read of the deals changed since lists (``UndoJob.recheck_calls``)
META_CONTACT_CHANGED = "undo.contacts_changed"
# when (engine wall clock) the plan's contacts check began reading: the run's carrier
# check reads only what changed since (``jobs.undo.carriers``)
META_CONTACT_SINCE = "undo.contacts_since"
_RESTORED_ACTIONS = ("updated", "moved")
_CONTACT_OPS = {"delete-person": ("person", "deletePerson"),
                "delete-org": ("org", "deleteOrganization")}
_CARRIER_OPS = ("getDeals", "getArchivedDeals")  # the re-check of a batch of contact deletes
# persons ("person") / organizations ("org") the plan of undo --contacts kept (they carry a
# deal this undo keeps): counted in the summary, as those kept later are
META_KEPT_AT_PLAN = "undo.contacts_kept_at_plan"
_WRITE_OPS = {"restore": "updateDeal", "delete": "deleteDeal",
              **{op: operation for op, (_, operation) in _CONTACT_OPS.items()}}
# in a source job: the undo that ran on it ({"job", "directory"}); its resume and retry
# are refused from then on (x17r2 3: a resume after the undo sent the rows still pending
# over it, and the user thought the update undone)
META_UNDONE_BY = "undo.undone_by"
META_SOURCE_PENDING = "undo.source_pending"  # in an undo job: its source's pending items
# in an undo job: how many rows its source's resume found as wanted, not provably its own
# (``jobs.provable_writes.NOT_OURS``): never targets, left as they are (x52r8 F5)
META_SOURCE_NOT_OURS = "undo.source_not_ours"
# a restore that leaves the field groups someone changed since the job and puts back the
# rest (``plan._restore_held``) is one item, one row: ``IN_PART`` in the plan's counts,
# ``RESTORED_IN_PART`` in its result (x39r5: it was a restore and a conflict, two rows of
# one deal, 4,970 rows run against the plan's 4,960). ``PARTLY``: its payload's entry,
# {"groups": the groups left, "fields": each left field with the job's value and now}
PARTLY = "partly"
# a restore refused whole because someone changed every group it would put back
# (``plan._restore_held``): its payload's entry, the groups changed since (each left as it
# is now: ``jobs.undo.bases`` gives them back their base from before the job; x51r3 F1)
CHANGED_GROUPS = "changed_groups"
IN_PART = "restore in part"
UNDID = ("restored", RESTORED_IN_PART, "deleted")  # the deal results an undo undid


def in_part(payload: Mapping[str, Any]) -> bool:
    """Whether a restore's ``payload`` leaves groups someone changed (``PARTLY``)."""
    return isinstance(payload.get(PARTLY), Mapping)


def outcome(item: Item) -> Mapping[str, Any]:
    """An undo item's result: ``items.result`` once run, its payload's ``result`` when the
    plan skipped it at load (a deal found already as before the job: ``unchanged``);
    {} when neither holds one."""
    found = item.result or item.payload.get("result")
    return found if isinstance(found, Mapping) else {}


def plan_action(payload: Mapping[str, Any]) -> str:
    """A pending restore's action in the plan's counts: ``restore`` or ``IN_PART``."""
    return IN_PART if in_part(payload) else "restore"


def restored(payload: Mapping[str, Any]) -> str:
    """A restore's result action once sent: ``restored`` or ``RESTORED_IN_PART``."""
    return RESTORED_IN_PART if in_part(payload) else "restored"


def partly_note(payload: Mapping[str, Any]) -> str | None:
    """What a restore in part keeps as someone changed it (``kept as changed since the job:
    the amount with its currency (value: job's 1500, now 444)``), None for another."""
    partly = payload.get(PARTLY)
    if not isinstance(partly, Mapping):
        return None
    return f"kept as changed since the job: {partly.get('groups')} ({partly.get('fields')})"



def pending_line(store: JobStore) -> str | None:
    """What is still pending in ``store`` (a stopped job), in its kind's words (None:
    nothing): the part of a job that neither ran nor is undone."""
    n = store.counts()[ItemState.PENDING]
    if not n:
        return None
    what = {"dedupe": "merge(s)", "merge": "pair(s)"}.get(store.kind, "row(s)")
    return f"{n:,} {what}"


def mark_undone(source: JobStore, undo: JobStore) -> None:
    """Record in ``source`` that ``undo`` runs on it (right before its first write): the
    latest in ``META_UNDONE_BY``, every one in ``META_UNDOS`` (x24r2 3: a second undo that
    found nothing left replaced the first, and resume named it as the one that undid)."""
    me = {"job": undo.job_id, "directory": absolute(undo.directory)}
    undos = [u for u in _undos(source) if u.get("job") != undo.job_id]
    source.meta_put(META_UNDOS, [*undos, me])
    source.meta_put(META_UNDONE_BY, me)


META_UNDOS = "undo.undos"  # in a source job: every undo that ran on it, oldest first


def _undos(store: JobStore) -> list[Mapping[str, Any]]:
    """The undos that ran on ``store``, oldest first (a job marked before ``META_UNDOS``
    existed: its one ``META_UNDONE_BY``)."""
    undos = store.meta_get(META_UNDOS)
    if isinstance(undos, list):
        return [u for u in undos if isinstance(u, Mapping)]
    one = store.meta_get(META_UNDONE_BY)
    return [one] if isinstance(one, Mapping) else []


def _undid(undo: Mapping[str, Any]) -> dict[int, str] | None:
    """The deals ``undo`` restored or deleted, deal id → ``deleted``, ``restored`` (wholly)
    or ``in part`` (``restored in part``: a colleague's change of some field groups kept),
    and those it found already as before the job (a skipped ``unchanged`` restore:
    ``_AS_BEFORE``); None: its store cannot be read."""
    try:
        with JobStore.open(Path(str(undo.get("directory"))), lock=False) as s:
            out: dict[int, str] = {}
            for i in s.items(ItemState.DONE):
                action, deal_id = (i.result or {}).get("action"), i.payload.get("deal_id")
                if i.op in ("restore", "delete") and action in UNDID \
                        and isinstance(deal_id, int):
                    did = "deleted" if i.op == "delete" else (
                        "in part" if action == RESTORED_IN_PART else "restored")
                    if out.get(deal_id) in (None, "in part"):
                        out[deal_id] = did
            for i in s.items(ItemState.SKIPPED):
                deal_id = i.payload.get("deal_id")
                if i.op == "restore" and outcome(i).get("action") == "unchanged" \
                        and isinstance(deal_id, int):
                    out.setdefault(deal_id, _AS_BEFORE)
            return out
    except (StoreError, OSError):
        return None


_AS_BEFORE = "as before"  # ``_undid``: a deal an undo found already as before the job


# deal ids a further undo of the job found already as before it (its plan's read; such an
# undo may make no job, so its store cannot say it): ``_undone`` counts an earlier undo's
# restore in part of one as put back (x45r9 F2)
META_FOUND_AS_BEFORE = "undo.found_as_before"


def record_found_as_before(source: JobStore, deal_ids: Iterable[int]) -> None:
    """Add ``deal_ids`` (found already as before ``source`` by a further undo's read) to
    ``source``'s ``META_FOUND_AS_BEFORE``; nothing written when none is new."""
    held = source.meta_get(META_FOUND_AS_BEFORE)
    known = {int(d) for d in held if isinstance(d, int)} if isinstance(held, list) else set()
    if (new := set(deal_ids) - known):
        source.meta_put(META_FOUND_AS_BEFORE, sorted(known | new))


def contacts_deleted_by_undos(store: JobStore) -> dict[tuple[str, int], str]:
    """The persons / organizations the undos of ``store`` deleted (``--contacts``),
    ("person" / "org", id) → the id of the undo job that deleted it (the first); an undo
    whose store cannot be read adds none. Reads the undos' stores without locking them."""
    out: dict[tuple[str, int], str] = {}
    for undo in _undos(store):
        try:
            with JobStore.open(Path(str(undo.get("directory"))), lock=False) as s:
                for name in ("person", "org"):
                    for i in s.items(ItemState.DONE):
                        rid = i.payload.get(f"{name}_id")
                        if i.op == f"delete-{name}" and isinstance(rid, int) \
                                and (i.result or {}).get("action") != "already deleted":
                            out.setdefault((name, rid), str(undo.get("job")))
        except (StoreError, OSError):
            continue
    return out


def _sent_nothing(undo: Mapping[str, Any]) -> bool:
    """``undo`` ended with no item done or in doubt: it changed nothing in Pipedrive (every
    row a conflict, failed or left alone). False when its store cannot be read."""
    try:
        with JobStore.open(Path(str(undo.get("directory"))), lock=False) as s:
            counts = s.counts()
            return s.status in ("finished", "failed", "cancelled") \
                and not counts[ItemState.DONE] and not counts[ItemState.SENDING]
    except (StoreError, OSError):
        return False


def _undone_by(store: JobStore) -> str:
    """The undo(s) that undid ``store`` and how many deals they did, each deal counted once
    (x45r4 F4c: "U1 (6 deal(s) put back) and U2 (1 deal(s) put back)" of 6 deals), those
    no undo put back wholly said apart: ``job U1 and job U2 (6 deal(s) put back, 1 of them
    in part)``; the later ones that found nothing left said as such."""
    return _undone(store, with_left=False)[0]


def undone_phrase(store: JobStore) -> str:
    """``undone by job U (221 deal(s) deleted)``, or, when rows of its undos failed and no
    undo put their deals back since, ``undone in part by job U (221 deal(s) deleted, 74
    left as conflicts: `pdbulk undo J --force` puts back over them)`` (x45r8 F4: "was
    undone by …: nothing of it is left to resume, and what it did was undone" of an import
    74 of whose deals its undo left). Reads the undos' stores without locking them."""
    by, in_part = _undone(store, with_left=True)
    return f"undone {'in part ' if in_part else ''}by {by}"


def _undone(store: JobStore, *, with_left: bool) -> tuple[str, bool]:
    """``_undone_by``'s words, with (``with_left``) the deals whose undo row failed and
    that no undo put back since, counted in its parentheses; whether there are any."""
    undos = _undos(store)
    done = [(u, _undid(u)) for u in undos]
    worked = [(u, deals) for u, deals in done
              if deals and any(did != _AS_BEFORE for did in deals.values())]
    deals: dict[int, str] = {}
    held = store.meta_get(META_FOUND_AS_BEFORE)
    as_before = {d for d in held if isinstance(d, int)} if isinstance(held, list) else set()
    for _, some in done:  # oldest first
        for deal_id, did in (some or {}).items():
            if did == _AS_BEFORE:
                # a later undo found it as before the job: the groups an earlier one left
                # are back too, so it is put back (x45r9 F2: "1 of them in part" stayed)
                as_before.add(deal_id)
                if deals.get(deal_id) == "in part":
                    deals[deal_id] = "restored"
            elif deals.get(deal_id) in (None, "in part"):
                deals[deal_id] = did
    for deal_id in as_before:  # (a further undo that made no job found it so)
        if deals.get(deal_id) == "in part":
            deals[deal_id] = "restored"
    left: dict[int, bool] = {}  # deal id -> its row was a conflict
    for u in undos if with_left else ():
        for deal_id, conflict in (_failed(u) or {}).items():
            if deal_id not in deals and deal_id not in as_before:
                left[deal_id] = left.get(deal_id, False) or conflict
    conflicts = sum(left.values())
    said = " and ".join(p for p in (
        f"{conflicts:,} left as conflicts" if conflicts else "",
        f"{len(left) - conflicts:,} left failed" if len(left) > conflicts else "") if p)
    force = said + (f": `pdbulk undo {store.job_id} --force` puts back over " + (
        "them" if conflicts == len(left) else "the conflicts") if conflicts else "")
    if not worked:
        return (f"job {done[-1][0].get('job')}" if done else "an undo") + (
            f" ({force})" if force else ""), bool(left)
    # each deal as the undos left it: deleted (an import's creates), put back, or put back
    # in part (x45r9 F1: an upsert's undo restores the deals it updated and deletes the
    # ones it made; all were said "deleted", by the job's kind)
    gone = sum(1 for did in deals.values() if did == "deleted")
    back = len(deals) - gone
    part = sum(1 for did in deals.values() if did == "in part")
    told = ([f"{gone:,} deal(s) deleted"] if gone else []) + (
        [f"{back:,} deal(s) put back" + (f", {part:,} of them in part" if part else "")]
        if back else [])
    named = (" and ".join(f"job {u.get('job')}" for u, _ in worked)
             + f" ({'; '.join(told)}" + (f", {force}" if force else "") + ")")
    idle = [u.get("job") for u, _ in done if all(u is not w for w, _ in worked)]
    return named + (f"; undo job(s) {', '.join(map(str, idle))} found nothing more to undo"
                    if idle else ""), bool(left)


def _failed(undo: Mapping[str, Any]) -> dict[int, bool] | None:
    """The deals of ``undo``'s failed rows, deal id → the row was a conflict (a change
    made since the job, which ``--force`` puts back over); None: its store cannot be
    read."""
    try:
        with JobStore.open(Path(str(undo.get("directory"))), lock=False) as s:
            out: dict[int, bool] = {}
            for i in s.items(ItemState.FAILED):
                deal_id = i.payload.get("deal_id")
                if i.op in ("restore", "delete") and isinstance(deal_id, int):
                    out[deal_id] = out.get(deal_id, False) or \
                        (i.error or "").startswith("conflict")
            return out
    except (StoreError, OSError):
        return None


def unfinished_undo(store: JobStore) -> str | None:
    """The undo of ``store`` that began its writes and has not finished (killed, stopped),
    named with its state, its counts and the command that resumes it; None when there is
    none (or its folder cannot be read: then nothing more is known of it)."""
    undone = store.meta_get(META_UNDONE_BY)
    if not isinstance(undone, Mapping) or not isinstance(undone.get("directory"), str):
        return None
    folder = Path(undone["directory"])
    try:
        with JobStore.open(folder, lock=False) as undo:
            if undo.status not in (*ACTIVE_STATUSES, "stopped"):
                return None
            state, counts = undo.liveness(), undo.counts()
    except StoreError:
        return None
    done = counts[ItemState.DONE] + counts[ItemState.SKIPPED]
    left = counts[ItemState.PENDING] + counts[ItemState.SENDING]
    return (f"job {undone.get('job')} ({state}; {done:,} of its {done + left:,} row(s) done, "
            f"{left:,} left): resume it with `{resume_command(str(undone.get('job')), folder.parent)}`")


def undone_words(store: JobStore) -> str | None:
    """What ``pdbulk status`` / ``jobs`` say of a job an undo ran on, or None when none
    did (x41r7 F1: an undone import listed ``finished; done 400`` with no word of its
    undo). Shapes: ``being undone by job U (stopped; …): resume it with …``; ``undone by
    job U (400 deal(s) deleted)``; ``undo job(s) U found nothing to undo`` when every
    undo sent nothing. Reads the undos' stores without locking them; raises nothing
    for an undo folder that cannot be read (it is named alone then)."""
    undos = _undos(store)
    if not undos:
        return None
    if (running := unfinished_undo(store)) is not None:
        return f"being undone by {running}"
    if all(_sent_nothing(u) for u in undos):
        names = ", ".join(str(u.get("job")) for u in undos)
        return f"undo job(s) {names} found nothing to undo"
    return undone_phrase(store)


def refuse_after_undo(store: JobStore, command: str) -> str | None:
    """Why ``pdbulk resume`` / ``retry`` (``command``) of ``store`` is refused (None: it is
    not): an undo ran on it, and the rows it would send (pending; a retry: failed ones
    too) would land over that undo. An undo that has not finished is named as such, with
    how to resume it (x24r3 3: "was undone", though the undo was killed)."""
    undos = _undos(store)
    if not undos:
        return None
    if unfinished_undo(store) is None and all(_sent_nothing(u) for u in undos):
        # x41r1 L7: an undo whose every row was a conflict put nothing back; "what it did
        # was undone" refused a resume / retry that lands over nothing
        return None
    by = undone_phrase(store)
    failed = store.counts()[ItemState.FAILED] if command == "retry" else 0
    left = " and ".join(part for part in (pending_line(store), failed
                                          and f"its {failed:,} failed row(s) again") if part)
    if (running := unfinished_undo(store)) is not None:
        return (f"job {store.job_id} is being undone by {running}; " + (
            f"{command} would send {left} over that undo" if left else
            f"nothing of job {store.job_id} is left to {command}") + "; refused")
    if not left:  # nothing it would send; still refused, as README says (x19r1 F7: a resume
        # re-printed "1 updated; 10 failed", exit 3, with no word of the undo)
        return (f"job {store.job_id} was {by}: nothing of it is left to {command}, and "
                f"what it did was {by.split(' by ', 1)[0]}; refused — start a new job "
                "with the rows you still want")
    return (f"job {store.job_id} was {by}: {command} would "
            f"send {left} over that undo; refused — start a new job with the rows you "
            "still want")


def export_snapshots(store: JobStore) -> Path:
    """A merge job's before-images as JSON lines (deal id, when taken, the whole deal)."""
    path = store.directory / SNAPSHOTS
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        for image in store.before_images("deal"):
            f.write(orjson.dumps({"deal_id": image.entity_id, "taken_at": image.taken_at,
                                  "deal": image.before}) + b"\n")
    tmp.chmod(0o600)  # the deals' data: private to the user
    tmp.replace(path)
    return path


@dataclass(frozen=True, slots=True)
class Target:
    """One deal of the source job to put back: restore its before-image, or delete it."""

    op: str  # "restore" | "delete"
    item: Item
    deal_id: int
    written: str | None  # the update_time the source job's write returned
    before: Mapping[str, Any] | None
    wrote: Mapping[str, Any] | None = None  # the body the job sent (dedupe: field by field)
    digest: str | None = None  # an import's create: its editable fields as created
    doubt: bool = False  # dedupe: a PATCH that may have applied (sent, its answer unrecorded)
    # update / move-stage: a PATCH in flight at a stop that its reconcile failed as a
    # conflict that may have applied (``in_flight_targets``): the job's where the deal holds it
    in_flight: bool = False
    # of those, one not provably the job's (``jobs.provable_writes.UNPROVEN``: its why):
    # no field group of it is put back, not even those as it wrote (x51r13 F2)
    unproven: str = ""


def _a(word: str) -> str:
    """The indefinite article before ``word`` ("an import", "a move-stage")."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def snapshots_words(path: Path) -> str:
    """The one way undo says where a job's merge snapshots are, for a ``pdbulk merge`` job
    and a dedupe job alike (x30r1 L5: a dedupe's undo did not name the file)."""
    return f"the full snapshot of both deals of every merge is in {path}"


def check_source(store: JobStore) -> None:
    """InputError unless ``store`` is a job that can be undone now."""
    if store.kind == "merge":
        path = export_snapshots(store)
        left = pending_line(store)
        raise InputError(f"merges are final in Pipedrive and cannot be undone; "
                         f"{snapshots_words(path)}"
                         + (f"; {left} of job {store.job_id} are still pending: `pdbulk "
                            "resume` would merge them" if left else ""))
    if store.status == "cancelled" and not store.counts()[ItemState.DONE]:
        # x41r1 L4: its undo made a job "nothing to send" whose plan said the job "stopped
        # with 32 row(s) still pending"; a job is cancelled only at its prompt
        raise InputError(f"job {store.job_id} was cancelled before it sent anything "
                         f"({store.status_message or 'cancelled'}): nothing to undo")
    if store.kind not in UNDOABLE:
        raise InputError(f"{_a(store.kind)} {store.kind} job cannot be undone (undo handles "
                         f"{', '.join(UNDOABLE)})")
    if (running := unfinished_undo(store)) is not None:  # x24r3 3: a second undo beside it
        # counted 183 "undone" for 150 writes
        undone = store.meta_get(META_UNDONE_BY)
        live = isinstance(undone, Mapping) and held_by_live_process(
            Path(str(undone.get("directory"))))
        raise InputError(f"job {store.job_id} is already being undone by {running}; a "
                         "second undo of it is refused while that one is unfinished" + (
                             " (a live process runs it: not even --force takes it over)"
                             if live else f" (`pdbulk undo {store.job_id} --force` takes it "
                                          "over: resumes it, as that resume would)"))
    in_doubt = store.counts()[ItemState.SENDING]
    if in_doubt:
        from bulk.coordinator import coordinator_flag, coordinator_id, coordinator_url
        from bulk.engine import META_COORDINATOR

        ran_on = store.meta_get(META_COORDINATOR)  # coordinator_id: never a password
        flag, note = "", ""
        if isinstance(ran_on, str):
            url = coordinator_url()
            if url and coordinator_id(url) == ran_on:  # the URL in force: its password known
                flag, note = coordinator_flag(url)
            else:
                flag, note = f" --coordinator {ran_on}", " (with its password, if it has one)"
        raise InputError(f"job {store.job_id} has {in_doubt} item(s) in doubt: run "
                         f"`pdbulk resume {store.job_id} --job-dir {store.directory.parent}"
                         f"{flag}`{note} first, so that what it sent is known")


def other_creators(source: JobStore) -> dict[int, str]:
    """Deals that other import jobs in ``source``'s job directory record as created by
    them (whenever they ran): deal id → that job's id (``others_done``)."""
    out: dict[int, str] = {}
    for job, result, _, _ in others_done(source, lambda job: job.kind == "import"):
        deal_id = result.get("deal_id")
        if isinstance(deal_id, int) and result.get("action") == "created":
            out.setdefault(deal_id, job.job_id)
    return out


def not_created_here(target: Target, deal: Deal | None, creators: Mapping[int, str],
                     lead: float | None = None) -> str | None:
    """Why the deal of an import's ``created`` record is provably not that job's create
    (None: nothing says so): another job records it as created too, or Pipedrive's
    ``add_time`` of it, converted to our clock by ``lead`` (the source job's measured
    lead, seconds: ``jobs.provable_writes.job_lead``; None: unknown), is earlier than the
    row's send (by more than the clock margin, RECONCILE_MARGIN s; x52r8 F2: Pipedrive
    150-200 s behind, unconverted, refused 80 of 80 creates)."""

    other = creators.get(target.deal_id)
    if other is not None:
        return f"job {other} records it as created by that job"
    added = parse_time((deal or {}).get("add_time"))
    sent = target.item.sent_at
    if added is not None and sent is not None and earlier(added, sent, lead):
        return "it was added before this job sent its row"
    return None


def targets(store: JobStore) -> list[Target]:
    """What the source job did that undo puts back (its done items, newest state first;
    a dedupe job: every field-policy PATCH it sent or may have sent, ``_policy_targets``)."""
    if store.kind == "dedupe":
        export_snapshots(store)
        return _policy_targets(store)
    images = {b.entity_id: b.before for b in store.before_images("deal")}
    out = []
    for item in store.items(ItemState.DONE):
        result = item.result or {}
        deal_id, action = result.get("deal_id"), result.get("action")
        if not isinstance(deal_id, int):
            continue
        written = result.get("update_time")
        wrote = _wrote(item, result)
        if store.kind == "import" and action == "created":
            digest = result.get("digest")
            out.append(Target("delete", item, deal_id, written, None, wrote,
                              digest if isinstance(digest, str) else None))
        elif action in _RESTORED_ACTIONS or (store.kind == "import" and action == "updated"):
            before = images.get(deal_id)
            if before is not None and wrote is not None:  # what the job wrote, nothing else
                before = written_part(before, wrote)
            out.append(Target("restore", item, deal_id, written, before, wrote))
    if store.kind in (*_PATCH_KINDS, "import"):
        out.extend(in_flight_targets(store, images))
    if store.kind == "import":
        # a create in doubt whose deal was found edited since (``maybe_created``): maybe
        # this job's, maybe another's; listed so that no one's deal is owned by no job
        # (v9r17 M3). Its fields are not the row's, so it is a conflict unless --force
        for item in store.items(ItemState.FAILED):
            result = item.result or {}
            if result.get("maybe_created") and isinstance(result.get("deal_id"), int):
                out.append(Target("delete", item, int(result["deal_id"]), None, None,
                                  _wrote(item, result)))
    return out


# the job kinds whose rows are one PATCH each (``jobs.patch_job``)
_PATCH_KINDS = ("update", "move-stage")


def in_flight_targets(store: JobStore, images: Mapping[int, Mapping[str, Any]]
                      ) -> list[Target]:
    """The PATCHes of an update / move-stage job (``store``), or an import's upsert
    updates, in flight at a stop that its reconcile failed as a conflict that may have
    applied (``jobs.deals.MAY_HAVE_APPLIED``: some written fields as the PATCH wanted, or
    someone's values in them since): a write undo owns where the deal still holds it,
    marked ``in_flight`` (``plan._decide`` puts back the field groups holding what it
    wrote and keeps the rest, even with --force). x44r3 F1: such deals kept the job's
    value and were named nowhere by its undo. ``images``: deal id -> before-image
    (``before_image``'s shape). Never a write that provably did not apply (its reason
    says so) nor one never sent."""
    out = []
    for item in store.items(ItemState.FAILED):
        error, changes = item.error or "", item.payload.get("changes")
        deal_id = item.payload.get("deal_id")
        if not (error.startswith("conflict:") and MAY_HAVE_APPLIED in error) \
                or not isinstance(changes, Mapping) or not isinstance(deal_id, int) \
                or item.sent_at is None:
            continue
        wrote = dict(changes)
        for name in ("person", "org"):  # an upsert's links, as its reconcile judged them
            ref = item.payload.get(name)
            if isinstance(ref, Mapping):
                rid = ref.get("id") if "id" in ref else store.lookup_get(
                    str(ref.get("kind")), str(ref.get("key")))
                if isinstance(rid, int):
                    wrote[f"{name}_id"] = rid
        before = images.get(deal_id)
        why = (item.result or {}).get(UNPROVEN)
        out.append(Target("restore", item, deal_id, None,
                          None if before is None else written_part(before, wrote),
                          wrote, in_flight=True, unproven=why if isinstance(why, str) else ""))
    return out


def _policy_targets(store: JobStore) -> list[Target]:
    """A dedupe job's field-policy PATCHes to put back: each first merge (``payload["patch"]``)
    whose PATCH applied — its merge done, or the PATCH's answer recorded (meta
    ``dedupe.policy.<survivor>``), whatever became of the merge after it (failed as changed
    since the plan, left pending by a stop) — and, marked ``doubt``, each one handed out
    at least once (``sent_at``) without that proof: a run killed between the PATCH and its
    record may have applied it. Never an item whose PATCH was provably never sent."""
    recorded = {int(k.rsplit(".", 1)[1]) for k in store.meta_prefixed(POLICY_RECORD)}
    put_backs = {int(k.rsplit(".", 1)[1]): v for k, v in store.meta_prefixed(PUT_BACK).items()}
    policy = {b.entity_id: b.before for b in store.before_images(POLICY_IMAGE)}
    out = []
    for item in store.items():
        if not item.payload.get("patch") or item.payload.get("already"):
            continue
        survivor = int(item.payload["survivor_id"])
        proven = item.state is ItemState.DONE or survivor in recorded
        if not proven and item.sent_at is None:
            continue
        out.append(Target("restore", item, survivor, None, policy.get(survivor),
                          _with_put_back(item.payload["patch"], put_backs.get(survivor)),
                          doubt=not proven))
    return out


def _with_put_back(patch: Mapping[str, Any], put_back: Any) -> dict[str, Any]:
    """A survivor's field-policy PATCH with its put-back (``DedupeJob.settled``) laid over
    it: what the job last wrote there, field by field."""
    body = (put_back.get("body") if isinstance(put_back, Mapping) else None) or {}
    out = {**patch, **{k: v for k, v in body.items() if k != "custom_fields"}}
    if body.get("custom_fields"):
        out["custom_fields"] = {**(patch.get("custom_fields") or {}), **body["custom_fields"]}
    return out


def _wrote(item: Item, result: Mapping[str, Any]) -> dict[str, Any] | None:
    """What the source job's write set on the deal, field by field: an update's PATCH
    (``payload["changes"]``), an import's create / upsert body (``payload["deal"]``) with
    the person / organization its result links. Undo compares the deal's current values
    with it: ``update_time`` has 1-second resolution, so an edit in the same second as the
    write is seen only this way (issue 9, F1). A status written alone comes with the
    reason and times its answer held (``jobs.deals.status_left``): Pipedrive set them, so
    a colleague's change of them since is a change of the job's status group (x33r2 F2).
    None: nothing recorded."""
    body = result.get("wrote")  # what a row sent in place of its payload (a merged survivor)
    if not isinstance(body, Mapping):
        body = item.payload.get("changes")
    if not isinstance(body, Mapping):
        body = item.payload.get("deal")
    if not isinstance(body, Mapping):
        return None
    wrote = dict(body)
    left = result.get(STATUS_LEFT)  # the status group as the write's answer left it
    if isinstance(left, Mapping):
        wrote.update({k: v for k, v in left.items() if k not in wrote})
    for name in ("person_id", "org_id"):
        if isinstance(result.get(name), int) and item.payload.get(name[:-3]) is not None:
            wrote[name] = result[name]
    return wrote


def created_contacts(source: JobStore) -> dict[str, set[int]]:
    """Persons ("person") and organizations ("org") an import job created
    (``jobs.import_resolve.made_contacts``: its made- lookups, whatever became of the rows
    that needed them, and its done rows' own records)."""
    return made_contacts(source)
