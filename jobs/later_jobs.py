"""What the other jobs of a job's directory wrote on its deals after it was created
(``later``): read by an undo's plan (a deal a later job wrote is a conflict: ``jobs.undo``)
and by every resume's reconcile of its rows in doubt (a row a later job wrote since the
kill is a conflict, never sent again over that job's write: x52r5 F1, where a resumed undo
put the before-image back over the same update file run again after the kill). Reads the
job directory's stores (no call); never writes. Kept apart from ``jobs.undo`` so that the
update, move-stage and import kinds read it without importing the undo kind (a cycle).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bulk.clock import in_thread
from bulk.errors import StoreError
from bulk.store import Item, ItemState, JobStore, Outcome, list_jobs

from .account import parse_time
from .deals import write_groups

RESTORED_IN_PART = "restored in part"  # an undo's action: some groups put back


def _outcome(item: Item) -> Mapping[str, Any]:
    """An undo item's result: ``items.result`` once run, its payload's ``result`` when the
    plan skipped it at load; {} when neither holds one (``jobs.undo.targets.outcome``)."""
    found = item.result or item.payload.get("result")
    return found if isinstance(found, Mapping) else {}


_WRITES = {"updated": "changed", "moved": "moved", "restored": "restored",
           RESTORED_IN_PART: "restored in part", "created": None}


def _company(store: JobStore) -> str | None:
    from bulk.engine import META_COMPANY

    company = store.meta_get(META_COMPANY)
    return company if isinstance(company, str) else None


# the account URL every company's token may use (it names no company): two jobs on it are
# told apart by their company ids alone (FACTS.md: api.pipedrive.com or the company domain)
_GENERIC_HOSTS = frozenset({"api.pipedrive.com"})


def _account_url(store: JobStore) -> str | None:
    """The host (and port) of the account URL ``store``'s job ran on, None when it names no
    company: not recorded, or Pipedrive's generic API host."""
    from urllib.parse import urlsplit

    url = (store.config.get("engine") or {}).get("base_url")
    if not isinstance(url, str) or not url:
        return None
    try:
        parts = urlsplit(url.strip().lower())
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or host in _GENERIC_HOSTS:
        return None
    return f"{host}:{port or ''}"


def other_company(source: JobStore, other: JobStore) -> bool:
    """Whether ``other`` provably worked on another company than ``source``: both record
    their company id (meta ``company``, known under a coordinator) and the ids differ; or
    either id is unknown and the two ran on different account URLs that name a company
    (another company domain, another sandbox: x41r7 F0, two accounts without a coordinator
    sharing one ``--job-dir``, their deal ids overlapping, left an undo with 50 of 50
    deals "not provably this job's create"). Deal ids are per company: a deal id another
    company's job names is another deal. Unknown on both counts (one URL, or the generic
    ``api.pipedrive.com``): the same company is assumed (the safe direction: undo leaves
    a deal alone)."""
    mine, theirs = _company(source), _company(other)
    if mine is not None and theirs is not None:
        return mine != theirs
    here, there = _account_url(source), _account_url(other)
    return here is not None and there is not None and here != there


def others_done(source: JobStore, include: Callable[[Any], bool], *,
                 own_undos: bool = True
                 ) -> Iterator[tuple[Any, Mapping[str, Any], str | None, set[str] | None]]:
    """(job, result, the job it undoes: an undo job's source job, else None, the field
    groups its write set: ``write_groups`` of its payload's ``changes``, None when it
    records none) for every done item of the other jobs in ``source``'s job directory that
    ``include`` keeps (a ``list_jobs`` entry), oldest job first — and, of an undo job, each
    deal it found already as before the job it undoes (a skipped ``unchanged`` row, its
    result's action ``unchanged``). Unreadable jobs and jobs of another company
    (``other_company``: several accounts may share one ``--job-dir``) are skipped;
    ``own_undos=False``: so are the undo jobs of ``source`` itself."""
    for job in list_jobs(source.directory.parent):
        if (job.directory.resolve() == source.directory.resolve() or job.error is not None
                or not include(job)):
            continue
        try:
            with JobStore.open(job.directory, lock=False) as other:
                undoes = other.meta_get("source_job") if other.kind == "undo" else None
                if other_company(source, other) or (
                        not own_undos and undoes == source.job_id):
                    continue
                results = [(item.result or {}, _groups(item.payload))
                           for item in other.items(ItemState.DONE)]
                if undoes is not None:  # x42r4 F2: found as before, so no longer that job's
                    results += [({**_outcome(item), "deal_id": item.payload.get(
                        "deal_id")}, None) for item in other.items(ItemState.SKIPPED)
                        if _outcome(item).get("action") == "unchanged"]
        except StoreError:
            continue
        for result, groups in results:
            yield job, result, undoes if isinstance(undoes, str) else None, groups


def _groups(payload: Mapping[str, Any]) -> set[str] | None:
    """The field groups (``jobs.deals.write_groups``) an item's write set: its payload's
    ``changes`` (an update's or move-stage's PATCH, an undo's restore); None: not known."""
    changes = payload.get("changes")
    return set(write_groups(changes)) if isinstance(changes, Mapping) and changes else None


@dataclass(frozen=True, slots=True)
class Later:
    """What jobs of ``source``'s job directory created after it did to its deals
    (``later``)."""

    writes: dict[int, str]  # deal id → what another job did to it since (its first record)
    # deal id → the update_time with which an undo of every later write to it put it back:
    # the deal is as the source job left it, as of that time (x26r2 2)
    undone: dict[int, str | None]
    # deal id → the id of the job of that first record (``writes``'s), for what names it
    by: dict[int, str] = field(default_factory=dict)
    # deal id → the field groups the later writes still on it set (``jobs.deals``
    # ``write_groups``; None: not known, or a merge: the whole deal). A restore judges a
    # later write by them: one of other groups than its own is no later write to it
    # (x42r4 F2)
    groups: dict[int, set[str] | None] = field(default_factory=dict)
    # merged-away deal id → "merged into deal N (job J)": a merge job's record of it, whatever
    # record comes first in ``writes`` (x46r3 F3: a move-stage before the merge hid it, and
    # undo said "deleted since the job, by whom unknown" of 14 of 15 such deals)
    merges: dict[int, str] = field(default_factory=dict)


def _first_writes(source: JobStore) -> dict[int, float]:
    """Deal id → when ``source`` first wrote it (Unix seconds, from the ``update_time`` its
    write's answer carried: Pipedrive's clock, as the other jobs' records are), for the
    deals whose writes say so."""
    out: dict[int, float] = {}
    for item in source.items(ItemState.DONE):
        result = item.result or {}
        deal_id, at = result.get("deal_id"), parse_time(result.get("update_time"))
        if isinstance(deal_id, int) and at is not None:
            out[deal_id] = min(at, out.get(deal_id, at))
    return out


def later_writes(source: JobStore) -> dict[int, str]:
    """Deals that other jobs in ``source``'s job directory wrote after it was created and
    that still hold those writes: deal id → what happened (``later``)."""
    return later(source).writes


def later(source: JobStore) -> Later:
    """Deals that other jobs in ``source``'s job directory wrote after it was created:
    deal id → what happened (the first such record). Merge jobs name their survivors
    (a deal that absorbed another) and the deals they merged away; update, move-stage,
    import and undo jobs the deals they changed (``others_done``). An undo of ``source``
    itself is no one else's write: a deal it put back is as before, or changed since, as
    the deal itself shows (x10r2: a second undo listed them as "changed since ...
    (--force overwrites them)"). Nor is a later job's write that an undo of that job put
    back, nor that undo's restore: undoing stacked jobs newest first leaves the deal as
    ``source`` left it (x26r2 2: `undo B` then `undo A` failed B's deals "changed by job
    B since"); such deals are in ``undone`` with the update_time of that last restore. A
    merge is final: never undone.

    "Since" is since the source's own first write to the deal (``_first_writes``: the
    update_time its answer carried), not since the source job was created: a record whose
    answer is dated before that write was made before it, and the source's write (its
    before-image) already holds it — a resume writes long after the load (x30r2 M2: undo
    of a resumed import refused the survivor a merge made between the kill and the resume,
    "merge survivor: it absorbed deal 7 since"). A record or a write with no time, or both
    in one second, counts as later (the safe direction: the deal is left alone)."""
    # deal → [job id, what, the groups of its write still on the deal (None: all)], oldest
    # first
    writes: dict[int, list[tuple[str, str, set[str] | None]]] = {}
    undone: dict[int, str | None] = {}
    merging: dict[int, str] = {}  # deal → the merge job its "" entries stand for
    merges: dict[int, str] = {}  # merged-away deal → "merged into deal N (job J)"
    first = _first_writes(source)

    def before_ours(deal_id: int, record: Mapping[str, Any]) -> bool:
        ours, theirs = first.get(deal_id), parse_time(record.get("update_time"))
        return ours is not None and theirs is not None and int(theirs) < int(ours)

    for job, result, undoes, groups in others_done(
            source, lambda job: (job.created_at or 0.0) >= source.created_at,
            own_undos=False):
        deal_id, action = result.get("deal_id"), result.get("action")
        if not isinstance(deal_id, int):
            continue
        if action == "merged":
            if not before_ours(deal_id, result):
                writes.setdefault(deal_id, []).append(
                    # x42r4 L2: "was a merge survivor", not "was merge survivor"
                    ("", f"a merge survivor: it absorbed deal {result.get('merged_id')} "
                         f"(job {job.job_id})", None))
                merging[deal_id] = job.job_id
            merged = result.get("merged_id")
            if isinstance(merged, int) and not before_ours(merged, result):
                merges[merged] = f"merged into deal {deal_id} (job {job.job_id})"
                writes.setdefault(merged, []).append(("", merges[merged], None))
                merging[merged] = job.job_id
            continue
        held = writes.setdefault(deal_id, [])
        if action in ("restored", RESTORED_IN_PART, "unchanged") and undoes is not None \
                and undoes in {j for j, _, _ in held}:
            # an undo of a later job put its write back (a restore in part: the groups it
            # put back), or found it as before ("unchanged"): those groups are no longer
            # that job's, and the undo's own restore is no one's write (x42r4 F2: a stage
            # whose later status write was found as before, or put back in part, was
            # "moved by job B since")
            back = groups if action == RESTORED_IN_PART else None  # else all of it
            kept = [(j, what, had if j != undoes else _less(had, back)) for j, what, had in held]
            writes[deal_id] = [(j, what, left) for j, what, left in kept if left != set()]
            if not writes[deal_id]:
                stamp = result.get("update_time")
                undone[deal_id] = stamp if isinstance(stamp, str) else None
            continue
        if action not in _WRITES or _WRITES[action] is None or before_ours(deal_id, result):
            continue
        held.append((job.job_id, f"{_WRITES[action]} by job {job.job_id} ({job.kind})",
                     groups))
        undone.pop(deal_id, None)
    return Later({d: held[0][1] for d, held in writes.items() if held},
                 {d: stamp for d, stamp in undone.items() if not writes.get(d)},
                 {d: held[0][0] or merging.get(d, "") for d, held in writes.items() if held},
                 {d: _union([g for _, _, g in held]) for d, held in writes.items() if held},
                 merges)


def _less(had: set[str] | None, back: set[str] | None) -> set[str] | None:
    """The groups of a later write ``had`` (None: all) left once an undo put ``back`` (None:
    all of them, or not known which: as before x42r4, the whole write) back: an empty set
    when none is left; None: all, not known which."""
    if back is None or had is None:
        return set()
    return had - back


def _union(groups: Iterable[set[str] | None]) -> set[str] | None:
    """Every group of ``groups`` (None when one of them is None: the whole deal)."""
    out: set[str] = set()
    for g in groups:
        if g is None:
            return None
        out |= g
    return out


@dataclass(frozen=True, slots=True)
class Step:
    """One write of a job of a job directory on a deal (``later_steps``): when its answer
    dated the deal (``at``, Unix seconds of Pipedrive's ``update_time``), what the deal's
    ``update_time`` was before it (``before``: the job's before-image of the deal; None
    when it keeps none), the job's id and kind, and the field groups the write set
    (``jobs.deals.write_groups``; None: not known, or a merge: the whole deal)."""

    at: float | None
    before: float | None
    job_id: str
    kind: str
    groups: frozenset[str] | None


def later_steps(source: JobStore, deal_ids: Collection[int]) -> dict[int, list[Step]]:
    """deal id -> the writes (``Step``) of the jobs of ``source``'s job directory created
    after it on the deals of ``deal_ids``, each job's done items (a merge's too: its whole
    deal), oldest job first. Unreadable jobs and jobs of another company
    (``other_company``) are skipped. Blocking (reads the stores, no call); raises
    nothing else."""
    wanted = {int(d) for d in deal_ids}
    out: dict[int, list[Step]] = {}
    if not wanted:
        return out
    for job in list_jobs(source.directory.parent):
        if (job.directory.resolve() == source.directory.resolve() or job.error is not None
                or (job.created_at or 0.0) < source.created_at):
            continue
        try:
            with JobStore.open(job.directory, lock=False) as other:
                if other_company(source, other):
                    continue
                done = [(item.result or {}, item.payload) for item in other.items(
                    ItemState.DONE)]
                mine = {int(r["deal_id"]) for r, _ in done
                        if isinstance(r.get("deal_id"), int) and r["deal_id"] in wanted}
                images = other.before_images_of("deal", mine) if mine else {}
        except StoreError:
            continue
        for result, payload in done:
            deal_id = result.get("deal_id")
            if not isinstance(deal_id, int) or deal_id not in mine:
                continue
            groups = None if result.get("action") == "merged" else _groups(payload)
            image = images.get(deal_id)
            out.setdefault(deal_id, []).append(Step(
                parse_time(result.get("update_time")),
                parse_time((image.before or {}).get("update_time")) if image else None,
                job.job_id, job.kind, frozenset(groups) if groups is not None else None))
    return out


def walked_back(update_time: object, steps: Sequence[Step], groups: Collection[str]
                ) -> tuple[float | None, list[Step]]:
    """When a deal last changed other than by the later jobs' writes of field groups
    other than ``groups`` (a restore's, a row's), and those writes: from the deal's
    ``update_time`` read now, each step back takes a ``Step`` whose answer dated the
    deal at that very second and that wrote none of ``groups``, to the time its
    before-image held — a later job's write of other groups is no later write to
    ``groups`` (x42r4 F2), so it explains the deal's change since, not a change of
    theirs (y54r4 F1). Stops at a second no such write explains (a colleague's, another
    client's, a write of ``groups``, one with no before-image). (None, []) for a time not
    read."""
    at = parse_time(update_time)
    passed: list[Step] = []
    mine = set(groups)
    while at is not None:
        step = next((s for s in steps if s not in passed and s.at is not None
                     and int(s.at) == int(at) and s.groups is not None
                     and not s.groups & mine and s.before is not None
                     and s.before < at), None)
        if step is None:
            break
        passed.append(step)
        at = step.before
    return at, passed


async def written_since(store: JobStore | None, items: Sequence[Item],
                        out: Sequence[Outcome]) -> dict[int, tuple[int, str, str]]:
    """Of ``items`` (rows a resume's reconcile found in doubt, a deal id and ``changes`` in
    their payload), those ``out`` sends again (PENDING) whose deal a job of the job
    directory created after ``store``'s wrote since, in a field group the row writes (a
    later write of other groups is none to it, as an undo's plan judges: x42r4 F2), not
    since put back by an undo of that job: item id -> (deal id, that job's id — "" not
    known —, what it did: ``Later.writes``' words). Such a row is a conflict, never sent
    again over that job's write (x52r5 F1). Reads the job directory's stores in a thread;
    an unreadable job is skipped. Raises nothing else."""
    again = {o.item_id for o in out if o.state is ItemState.PENDING}
    rows = [i for i in items if i.id in again and isinstance(i.payload.get("changes"), Mapping)
            and isinstance(i.payload.get("deal_id"), int)]
    if store is None or not rows:
        return {}
    since = await in_thread(lambda: later(store))
    found: dict[int, tuple[int, str, str]] = {}
    for item in rows:
        deal_id = int(item.payload["deal_id"])
        what = since.writes.get(deal_id)
        theirs = since.groups.get(deal_id)
        if what is None or (theirs is not None
                            and not theirs & set(write_groups(item.payload["changes"]))):
            continue
        found[item.id] = (deal_id, since.by.get(deal_id, ""), what)
    return found


def later_words(by: str) -> str:
    """How a conflict names the later job: ``job J``, or ``a later job``."""
    return f"job {by}" if by else "a later job"


def written_later(deal_id: int, by: str, what: str) -> str:
    """The conflict of an update's, a move-stage's or an upsert's row in doubt that a later
    job wrote since (``written_since``)."""
    return (f"conflict: deal {deal_id} was {what} after this job's write to it was in "
            f"flight; left alone, not sent again over {later_words(by)}'s write (start a "
            "new job to overwrite it)")


async def later_conflicts(store: JobStore | None, items: Sequence[Item],
                          out: Sequence[Outcome],
                          error: Callable[[int, str, str], str]) -> list[Outcome]:
    """``out`` with each row of ``items`` that ``written_since`` finds a later job wrote
    since failed as a conflict, its reason ``error(deal id, the job's id, what it did)``:
    nothing sent. Raises nothing (an unreadable job is skipped)."""
    found = await written_since(store, items, out)
    return [Outcome(o.item_id, ItemState.FAILED, error=error(*found[o.item_id]))
            if o.item_id in found else o for o in out]


__all__ = ["RESTORED_IN_PART", "Later", "Step", "later", "later_conflicts", "later_steps",
           "later_words", "later_writes", "other_company", "others_done", "walked_back",
           "written_later", "written_since"]
