"""Merge explicit pairs of deals: ``PUT /v1/deals/{id}/merge {"merge_with_id": survivor}``.

Input: a manifest of pairs (``merge_id``, ``survivor_id``) or groups (one
``survivor_id``, several ``merge_ids``). Before anything is sent the pairs are
checked as a whole (``plan_merges``): both deals exist and are not deleted
(read 100 at a time), no self-merges, no deal merged into two survivors (all its rows
fail), no cycles; chains are rewritten to their final survivor (A→B, B→C becomes A→C,
B→C, and B→C is sent first, so the result is the one the chain describes). A→C is
sent only once B→C is merged: a link left alone, gone, failed or found not applied
holds every merge above it, nothing sent (``jobs.merge_chain``, x42r4 F1).
Every rejected row says why.

Merges are final in Pipedrive. A full snapshot of both deals of every pair is
stored as a before-image before the run (the audit trail), and a merge whose
outcome is unknown (lost response, 5xx, crash) is never sent again blindly:
``reconcile`` reads the merged-away deals and counts those already gone as
merged. Merges into one survivor are sent one at a time, in chain order, each only
once the answer of the one before is recorded in the job (``MERGE_RECORD``).

A pair changed since the plan is not merged (``_changed``): before a resume, a
retry or after the prompt, and for a merge found not applied in doubt, a deal of
the pair whose ``update_time`` is later than the plan's snapshot (or than the one
this job's own last write to that survivor returned: its merges' (recorded with their
answer, or found applied by the same reconcile), and a dedupe's field-policy PATCH,
recorded with the PATCH's outcome) fails its row, nothing sent.

Why ~1200 lines: reading and checking the pairs, the plan and the job kind (run,
reconcile, resume) share the pair rules above; the dedupe apply extends the kind.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import ApiError, InDoubt, InputError, NotFound
from bulk.manifest import header as manifest_header
from bulk.manifest import read_manifest
from bulk.manifest_row import at_line, where_row
from bulk.operations import get_operation
from bulk.runner import RunResult
from bulk.store import BeforeImage, Item, ItemState, JobStore, NewItem, Outcome
from bulk.wording import about_file

from .account import parse_time
from .alike_columns import refuse_alike
from .deals import (
    IDS_PER_CALL,
    Deal,
    batched_calls,
    is_gone,
    read_current,
    read_deals,
    reread_calls,
)
from .load_stop import checked as stop_checked
from .load_stop import collected
from .merge_chain import ChainLinks
from .selection import _FULL_WIDTH, parse_id
from .updating import LOAD_ERROR, Prepared, check_loaded, refused, write_job_results

OP = "merge"
MERGE_COLUMNS = ("row", "key", "deal_id", "merged_id", "action", "note")
_MERGE_COLUMNS = ("merge_id", "merged_id", "merge", "from", "other_id", "duplicate_id")
_SURVIVOR_COLUMNS = ("survivor_id", "survivor", "into", "to", "keep_id", "merge_with_id")
_GROUP_COLUMNS = ("merge_ids", "others", "duplicates", "duplicate_ids")
_SPLIT = re.compile(r"[;|,\s\uff1b\uff5c\u3001\uff0c]+")
# a number grouped by any space or comma (an ideographic, en or em space, a tab, a
# full-width comma: x46r13 F2, ``1　234`` merged deals 1 and 234), as ``GROUPED_ID`` by its
# own separators
_GROUPED_ANY = re.compile(r"\d{1,3}(?:([\s,.'\uff0c])\d{3})(?:\1\d{3})*")
# what lists ids in any merge cell (``_ids``), full-width forms too (x46r12 F6)
_LISTED = re.compile(r"[;|\uff1b\uff5c\u3001]")
# job meta, one key per merge item: the survivor and the update_time its merge's answer
# returned, written before the next merge into that survivor is sent
MERGE_RECORD = "merge.answer."
# the reads right before each merge (and before a dedupe's PATCH): both deals of the pair,
# ``GET /api/v2/deals/{id}`` each (``MergeJob._as_planned``)
PAIR_READS = 2


# -- reading the manifest ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PairRow:
    """One requested merge, as the manifest says it."""

    row: int
    merge_id: int
    survivor_id: int
    values: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)  # SourceRow.line (0: not known)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A manifest row (or one pair of a group row) that will not be sent, and why."""

    row: int
    merge_id: int | None
    survivor_id: int | None
    reason: str
    values: dict[str, Any] | None = None
    given: str | None = None  # the pair as the file gave it, when its ids did not parse
    line: int = field(default=0, compare=False, repr=False)  # SourceRow.line (0: not known)

    @property
    def key(self) -> str:
        if self.given is not None:
            return self.given
        return f"{self.merge_id or '?'}->{self.survivor_id or '?'}"


def _given(values: Mapping[str, Any] | None, merge_col: str, survivor_col: str) -> str:
    """The failed row's key as the file wrote the pair (x19r1 F9: ``?->?`` for a row whose
    ids did not parse): ``merge->survivor``, each cell as given, ``(empty)`` for none."""
    def cell(col: str) -> str:
        raw = (values or {}).get(col)
        text = " ".join(str(raw if raw is not None else "").split())
        if isinstance(raw, list):
            text = ";".join(str(x) for x in raw)
        return text or "(empty)"
    return f"{cell(merge_col)}->{cell(survivor_col)}"


def _spelt(name: str) -> str:
    """A header name as merge finds it: any case, spaces for underscores (``Survivor ID``
    is ``survivor_id``, as move-stage's ``Deal ID`` is ``deal_id``: x46r3 F6)."""
    return "_".join(name.replace("_", " ").casefold().split())


def _pick(header: Sequence[str], names: Sequence[str]) -> str | None:
    lowered = {_spelt(h): h for h in header}
    return next((lowered[n] for n in names if n in lowered), None)


def _ids(raw: object, *, group: bool = True) -> list[int]:
    """The ids of a merge_id / merge_ids cell: one id (``476,0`` is 476, as ``parse_id``
    reads it), else the ids the cell lists; a part that is no id is named with the cell as
    written (x46r3 F4: ``not a deal id: '0'`` of the cell ``476,0``).

    A pair's ``merge_id`` cell (``group`` False) lists ids by ``;`` or ``|`` only; a group's
    ``merge_ids`` cell by commas and spaces too — but never a part a spreadsheet could have
    written as one number (``_may_be_one_number``: ``1,011``, ``1 011``, ``1,234.00``,
    ``3,45,678``, ``1,05``: deal 1011, or deals 1 and 11?), judged on each ``;`` / ``|``
    part with stray marks at its ends taken off (x47r1 F1: ``"4,567;"`` and
    ``"1,234.00"`` merged deals 4 and 567, 1 and 234). x46r8 F1: ``"1,011",20`` merged
    deals 1 and 11 into 20, where update and move-stage refuse the cell as a number shown
    with thousands separators — and a merge is final. Raises InputError."""
    if isinstance(raw, list):
        return [parse_id(x) for x in raw]
    text = str(raw or "").strip()
    parts = [x for x in _SPLIT.split(text) if x] if text else []
    if len(parts) < 2:
        return [parse_id(x) for x in parts]
    try:
        return [parse_id(text)]
    except InputError as exc:
        alone = exc.reason
    listed = [x for x in (_ENDS.sub("", x) for x in _LISTED.split(text)) if x]
    if not group and len(listed) < 2:  # one id shown grouped (``1,011``): saved as Text,
        # as ``1.011`` is told — never "list several ids" (x46r12 F9)
        grouped = _GROUPED_ANY.fullmatch(text.translate(_FULL_WIDTH)) is not None
        raise InputError(alone if grouped else (
            f"{alone} (a pair's merge_id holds one deal id; list several ids separated "
            "by ';' in a merge_ids column)"))
    ids: list[int] = []
    for part in listed:
        pieces = [x for x in _SPLIT.split(part) if x]
        if len(pieces) < 2 or not group:  # one id (a pair's part is read whole)
            ids.append(_one_id(part, text))
        elif _may_be_one_number(part, pieces):
            raise InputError(f"not a deal id list: {text!r} may be one number a spreadsheet "
                             "shows grouped or as a fraction; separate ids with ';' (12;13)")
        else:
            ids.extend(_one_id(x, text) for x in pieces)
    return ids


# a grouped number's stray list marks at a part's ends (``4,567;``, ``;6 789``, ``8,901,``)
_ENDS = re.compile(r"^[\s,;|\uff0c\uff1b\uff5c\u3001]+|[\s,;|\uff0c\uff1b\uff5c\u3001]+$")
# an Indian lakh grouping (``3,45,678``: 345678)
_LAKH = re.compile(r"\d{1,2}(?:([\s,.'\uff0c])\d{2})(?:\1\d{2})*\1\d{3}")
# a grouped number with decimals after another mark (``1 234,50``: 1234.50 in French)
_GROUPED_DECIMAL = re.compile(
    r"\d{1,3}(?:([\s,.'\uff0c])\d{3})(?:\1\d{3})*[.,\uff0c]\d+")


def _may_be_one_number(part: str, pieces: Sequence[str]) -> bool:
    """Whether a part of a group cell listed by commas or spaces may be one number as a
    spreadsheet shows it: thousands grouped by any space or comma (``1,011``, ``1 011``,
    ``1　234``), a lakh grouping (``3,45,678``), decimals after a grouping (``1 234,50``),
    a piece that is no plain integer
    (``1,234.00``, ``53,802.0``, ``12.0, 13.0``: each is said with ``;``), or a piece after
    the first beginning with 0 (``1,05``: a decimal comma)."""
    digits = part.translate(_FULL_WIDTH)
    return bool(_GROUPED_ANY.fullmatch(digits) or _LAKH.fullmatch(digits)
                or _GROUPED_DECIMAL.fullmatch(digits)
                or any(p.startswith("0") for p in pieces[1:])
                or not all(p.translate(_FULL_WIDTH).isascii()
                           and p.translate(_FULL_WIDTH).isdigit() for p in pieces))


def _one_id(part: str, cell: str) -> int:
    try:
        return parse_id(part)
    except InputError as exc:
        raise InputError(f"{exc.reason} (in the cell {cell!r})") from None


def pair_columns(head: Sequence[str], header_row: int | None = None,
                 path: str | Path | None = None) -> tuple[str, str]:
    """The survivor column and the merge_id / merge_ids column of a merge manifest's
    header; InputError when it has not the one layout or the other, or when it names one
    of them twice but for case and spaces (``merge_id`` beside ``Merge_ID``: x45r5 F6;
    ``header_row``: the header's row, ``path``: the manifest, for the message)."""
    survivor = _pick(head, _SURVIVOR_COLUMNS)
    merge = _pick(head, _MERGE_COLUMNS)
    group = _pick(head, _GROUP_COLUMNS)
    if survivor is None or (merge is None) == (group is None):
        # the file and the row read as its header named, as update names them (x46r12 F9)
        said = ("a merge manifest needs a survivor_id column and either a merge_id column "
                "(pairs) or a merge_ids column (groups); columns: " + ", ".join(head)
                + (f" (the header read on row {header_row}: --header-row)"
                   if header_row is not None else ""))
        raise InputError(about_file(path, said) if path is not None else said)
    source_col = merge or group
    assert source_col is not None
    # found by name in any case (``_pick``): no spelling is the one read (x45r11 F2)
    refuse_alike(head, [survivor, source_col], header_row, "merge", by_name=True, path=path)
    for col in (survivor, source_col):  # ``merge_id`` beside ``Merge ID``: one would go unused
        if len(same := [h for h in head if _spelt(h) == _spelt(col)]) > 1:
            raise InputError(f"columns {', '.join(map(repr, same))} are one name but for case, "
                             "spaces and underscores, and merge reads one of them only: the "
                             "other would go unused. Rename or delete the column not meant "
                             "in the file")
    return survivor, source_col


def read_pairs(path: str | Path, *, encoding: str | None = None, sheet: str | None = None,
               header_row: int | None = None) -> Iterator[PairRow | Rejected]:
    """The manifest's merges: pair rows (merge_id, survivor_id) or group rows (survivor_id,
    merge_ids: ids split by ``;``, ``|``, ``,`` or spaces, or a JSON list; a pair's
    merge_id by ``;`` or ``|`` only: ``_ids``). ``header_row``: the row the header is on, as
    a spreadsheet numbers it (None: found)."""
    survivor, source_col = pair_columns(manifest_header(path, encoding=encoding, sheet=sheet,
                                                        header_row=header_row), header_row,
                                      path)
    group = _spelt(source_col) in _GROUP_COLUMNS
    for source in read_manifest(path, encoding=encoding, sheet=sheet, header_row=header_row):
        given = _given(source.values, source_col, survivor)
        if source.error is not None:
            yield Rejected(source.row, None, None, str(source.error), source.values, given,
                           source.line)
            continue
        try:
            keep = parse_id(source.values.get(survivor))
        except InputError as exc:
            yield Rejected(source.row, None, None, f"column {survivor!r}: {exc.reason}",
                           source.values, given, source.line)
            continue
        try:
            others = _ids(source.values.get(source_col), group=group)
            if not others:
                raise InputError("no deal to merge")
        except InputError as exc:
            yield Rejected(source.row, None, keep, f"column {source_col!r}: {exc.reason}",
                           source.values, given, source.line)
            continue
        for other in others:
            yield PairRow(source.row, other, keep, source.values, source.line)


# -- checking the pairs as a whole -------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlannedMerge:
    """A merge to send: ``merge_id`` into its final ``survivor_id``."""

    row: int
    merge_id: int
    survivor_id: int
    asked_survivor_id: int  # what the manifest said (differs when a chain was rewritten)
    depth: int  # hops from the final survivor in the manifest's chain (1: a direct pair)
    values: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class MergePlan:
    """The merges to send, the rows refused, and ``duplicates``: rows giving a pair an
    earlier row gives (one pair written twice: skipped, its ``reason`` the note naming
    that row)."""

    merges: list[PlannedMerge]
    rejected: list[Rejected]
    duplicates: list[Rejected] = field(default_factory=list)

    @property
    def deal_ids(self) -> set[int]:
        return {i for m in self.merges for i in (m.merge_id, m.survivor_id)}


def plan_merges(pairs: Iterable[PairRow], live: Mapping[int, Deal],
                deleted: Iterable[int] = ()) -> MergePlan:
    """Check every pair against the account (``live``: the deals that exist and are not
    deleted; ``deleted``: ids known to be deleted) and against each other. A deal named to
    merge into two survivors fails every row naming it (and every merge into it), none
    merged: the file is ambiguous and merges are final."""
    gone = set(deleted)
    rejected: list[Rejected] = []
    named: dict[int, list[PairRow]] = {}  # merged-away id -> its rows, in file order
    edges: dict[int, PairRow] = {}  # merged-away id -> its pair: one survivor per deal
    twins: list[tuple[PairRow, PairRow]] = []  # (a pair given again, the row giving it first)

    def missing(deal_id: int) -> str | None:
        if deal_id in live:
            return None
        return (f"deal {deal_id} is deleted" if deal_id in gone
                else f"deal {deal_id} does not exist (or is archived)")

    def reject(p: PairRow, reason: str) -> None:
        rejected.append(Rejected(p.row, p.merge_id, p.survivor_id, reason, p.values,
                                 line=p.line))

    for pair in pairs:
        if pair.merge_id == pair.survivor_id:
            reject(pair, f"deal {pair.merge_id} cannot be merged with itself")
        elif why := missing(pair.merge_id) or missing(pair.survivor_id):
            reject(pair, why)
        else:
            named.setdefault(pair.merge_id, []).append(pair)
    # one deal named to merge into two survivors: which one the file means is unknown, and a
    # merge is final, so every row naming it fails, none merged (x46r3 F2: the first row
    # was merged, only the second refused, "will be merged" though it was)
    lead_in: dict[int, str] = {}  # deal -> why a merge into it fails (cycle, two survivors)
    for merge_id, rows in named.items():
        first = {p.survivor_id: p for p in reversed(rows)}  # each survivor's first row
        if len(first) == 1:
            edges[merge_id] = rows[0]
            twins.extend((p, rows[0]) for p in rows[1:])
            continue
        for p in rows:
            others = ", ".join(f"{s} by {where_row(o.row, o.line)}"
                               for s, o in sorted(first.items(), key=lambda x: x[1].row)
                               if s != p.survivor_id)
            reject(p, f"deal {merge_id} is named to merge into {_count(len(first))} "
                      f"survivors: {p.survivor_id} here, {others}; which survivor? fix the "
                      "file, then merge again (nothing of either merged)")
        lead_in[merge_id] = (f"leads into deal {merge_id}, named to merge into "
                             f"{_count(len(first))} survivors ("
                             + ", ".join(map(str, sorted(first))) + "); which survivor? fix "
                             "the file, then merge again")

    merges: list[PlannedMerge] = []
    verdict: dict[int, tuple[int, int] | str] = dict.fromkeys(lead_in, "two survivors")

    def resolve(start: int) -> tuple[int, int] | str:
        """Follow merged-away → survivor to the end (a deal nobody merges away)."""
        path: list[int] = []
        where: dict[int, int] = {}
        node = start
        while node not in verdict:
            if node not in edges:
                verdict[node] = (node, 0)
                break
            if node in where:  # back on the path: everything from there on is a cycle
                cycle = path[where[node]:]
                text = " → ".join(map(str, [*cycle, node]))
                for member in cycle:
                    verdict[member] = f"cycle: {text}; pick one survivor"
                    lead_in[member] = f"leads into the cycle {text}; pick one survivor"
                path = path[:where[node]]
                break
            where[node] = len(path)
            path.append(node)
            node = edges[node].survivor_id
        for member in reversed(path):
            after = verdict[edges[member].survivor_id]
            if isinstance(after, tuple):
                verdict[member] = (after[0], after[1] + 1)
            else:
                verdict[member] = lead_in[member] = lead_in[edges[member].survivor_id]
        return verdict[start]

    for merge_id, pair in edges.items():
        outcome = resolve(merge_id)
        if isinstance(outcome, str):
            reject(pair, outcome)
        else:
            merges.append(PlannedMerge(pair.row, merge_id, outcome[0], pair.survivor_id,
                                       outcome[1], pair.values))
    # a pair given again is the same merge (f29e: it was refused, "duplicate of row N",
    # exit 3 every run): skipped naming that row, or failed as that row fails
    planned = {m.merge_id for m in merges}
    refusal = {r.merge_id: r.reason for r in rejected}
    duplicates: list[Rejected] = []
    for pair, seen in twins:
        at = where_row(seen.row, seen.line)
        if pair.merge_id in planned:
            duplicates.append(Rejected(pair.row, pair.merge_id, pair.survivor_id,
                                       f"the same pair as {at}: merged once, as that row",
                                       pair.values, line=pair.line))
        else:
            rejected.append(Rejected(pair.row, pair.merge_id, pair.survivor_id,
                                     f"the same pair as {at}, which fails: "
                                     f"{refusal.get(pair.merge_id, 'refused')}", pair.values,
                                     line=pair.line))
    merges.sort(key=lambda m: (m.survivor_id, m.depth, m.row, m.merge_id))
    rejected.sort(key=lambda r: (r.row, r.merge_id or 0))
    return MergePlan(merges, rejected, duplicates)


def _count(n: int) -> str:
    return "two" if n == 2 else str(n)


async def check_pairs(ctx: CallContext, pairs: Sequence[PairRow]
                      ) -> tuple[MergePlan, dict[int, Deal]]:
    """Read every deal the pairs name (100 per call) and plan; the deals are the snapshots.
    A pair naming one deal twice is refused unread (``plan_merges``): a file of nothing
    else reads nothing (f31c: 10 tokens for a merge refused anyway)."""
    ids = sorted({i for p in pairs if p.merge_id != p.survivor_id
                  for i in (p.merge_id, p.survivor_id)})
    live = {i: d for i, d in (await read_deals(ctx, ids)).items() if not is_gone(d)}
    absent = [i for i in ids if i not in live]
    deleted = set(await read_deals(ctx, absent, deleted=True)) if absent else set()
    return plan_merges(pairs, live, deleted), live


# -- the store ---------------------------------------------------------------------------------
def merge_items(plan: MergePlan, rejected: Iterable[Rejected] = ()) -> Iterator[NewItem]:
    """Items in sending order (by survivor, nearest first); rejected rows as failed items,
    pairs given again as skipped ones (``duplicate``, naming the row giving them first)."""
    for m in plan.merges:
        note = {} if m.survivor_id == m.asked_survivor_id else {
            "asked_survivor_id": m.asked_survivor_id}
        yield NewItem(row=m.row, key=f"{m.merge_id}->{m.survivor_id}", op=OP,
                      payload={"merge_id": m.merge_id, "survivor_id": m.survivor_id,
                               "depth": m.depth, **note, "values": m.values})
    for d in plan.duplicates:
        yield NewItem(row=d.row, key=d.key, op=OP, state=ItemState.SKIPPED,
                      payload={"merge_id": d.merge_id, "survivor_id": d.survivor_id,
                               "values": d.values or {}, "result": {
                                   "deal_id": d.survivor_id, "merged_id": d.merge_id,
                                   "action": "duplicate", "note": d.reason}})
    for r in [*rejected, *plan.rejected]:
        reason = at_line(r.reason, r.row, r.line)  # the file's line where it differs
        yield NewItem(row=r.row, key=r.key, op=OP, state=ItemState.FAILED, error=reason,
                      payload={"merge_id": r.merge_id, "survivor_id": r.survivor_id,
                               LOAD_ERROR: reason, "values": r.values or {}})


def snapshots(plan: MergePlan, deals: Mapping[int, Deal], taken_at: float
              ) -> Iterator[BeforeImage]:
    """The full state of both deals of every merge, before the run (first image wins)."""
    for deal_id in sorted(plan.deal_ids):
        yield BeforeImage("deal", deal_id, None, dict(deals[deal_id]), taken_at)


async def prepare_merge(ctx: CallContext, rows: Iterable[PairRow | Rejected], *,
                        source_columns: Sequence[str] = ()) -> Prepared:
    """Check the pairs against the account and each other; the job's items and snapshots.
    ``rows`` are read here (``read_pairs``: a stop or a cancel lands while they are)."""
    rows = await collected(ctx, rows)
    good = [r for r in rows if isinstance(r, PairRow)]
    checked, deals = await check_pairs(ctx, good)
    prep = Prepared("merge", meta={"source_columns": list(source_columns)})
    # the planning's passes check for a stop too (f25b: 20,000 pairs were planned whatever
    # was asked once their reads had answered)
    async for item in stop_checked(ctx, merge_items(checked, [r for r in rows
                                                           if isinstance(r, Rejected)])):
        prep.add(item, "failed" if item.state is ItemState.FAILED else
                 "duplicate" if item.state is ItemState.SKIPPED else "merge")
    prep.images.extend(await collected(ctx, snapshots(checked, deals, ctx.clock.wall())))
    prep.calls["mergeDeals"] += len(checked.merges)
    prep.calls["getDeal"] += PAIR_READS * len(checked.merges)  # both deals, right before
    rewritten = sum(1 for m in checked.merges if m.survivor_id != m.asked_survivor_id)
    if rewritten:
        prep.notes.append(f"{rewritten} chained merge(s) rewritten to their final survivor "
                          "(each sent only once its survivor in the file is merged there; "
                          "held, nothing sent, if that merge is not made)")
    prep.notes.extend(await _drops(ctx, checked, deals))
    if checked.merges:  # said as a dedupe says it, and only with merges to send
        from .dedupe.planfiles import final_note

        prep.notes.append(final_note(policy=False))
    return prep


async def load_pairs(ctx: CallContext, path: Path, *, encoding: str | None,
                     sheet: str | None, columns: Sequence[str],
                     header_row: int | None = None) -> Prepared:
    """``prepare_merge`` of the pairs in ``path``, read in the load, where a stop or a cancel
    lands (f24o: read by ``jobs.api.merge_deals`` before the engine opened, 20,000 rows were
    read whatever was asked)."""
    from bulk.manifest import without_mapping_hint

    try:
        return await prepare_merge(ctx, read_pairs(path, encoding=encoding, sheet=sheet,
                                                   header_row=header_row),
                                   source_columns=columns)
    except InputError as exc:
        raise without_mapping_hint(exc) from None


DROPS_SHOWN = 20  # survivors whose losses a plan names one by one


@dataclass(frozen=True, slots=True)
class _Pairs:
    """The merges into one survivor, in sending order (``merge_drops``' group)."""

    survivor_id: int
    merged_ids: tuple[int, ...]


async def _drops(ctx: CallContext, plan: MergePlan, deals: Mapping[int, Deal]) -> list[str]:
    """Plan notes naming what each survivor's merges lose (x12r1 F2: a merged deal's value,
    currency, set options and status went without a word): Pipedrive keeps the survivor's
    non-empty values and fills its empty ones from the merged deals in merge order (FACTS.md,
    Merge), as ``jobs.dedupe.planfiles.merge_drops`` computes for a dedupe; a merged deal's
    other currency is named too. Custom fields are named by their names (one
    ``getDealFields`` read, only when one is lost). The first ``DROPS_SHOWN`` survivors
    one by one, then a count."""
    from .dedupe.config import option_labels
    from .dedupe.planfiles import drops_note, merge_drops
    from .dedupe.records import deal_fields, field_names, to_record

    order: dict[int, list[int]] = {}
    for m in plan.merges:
        order.setdefault(m.survivor_id, []).append(m.merge_id)
    groups = [_Pairs(s, tuple(ms)) for s, ms in order.items()]
    records = dict(await collected(ctx, ((i, to_record(d, stage_order={}, org_names={}))
                                        for i, d in deals.items())))

    async def lost(labels: Mapping[str, str] | None,
                   options: Mapping[str, Mapping[int, str]] | None = None
                   ) -> list[tuple[int, list[str]]]:
        out = []
        async for g in stop_checked(ctx, groups):  # a stop lands in the pass (f25b)
            drops = merge_drops(g, records, {}, labels, options)  # type: ignore[arg-type]
            mine = deals[g.survivor_id].get("currency")
            drops += [f"currency {c} (deal {i})" for i in g.merged_ids
                      if (c := deals[i].get("currency")) and mine and c != mine]
            if drops:
                out.append((g.survivor_id, drops))
        return out

    found = await lost(None)
    custom = {k for r in records.values() for k in r.fields}
    if any(d.split(" ", 1)[0] in custom for _, drops in found for d in drops):
        fields = await deal_fields(ctx)
        found = await lost(field_names(fields), option_labels(fields))
    notes = [drops_note(f"survivor {s}", drops) for s, drops in found[:DROPS_SHOWN]]
    if len(found) > DROPS_SHOWN:
        notes.append(f"... and {len(found) - DROPS_SHOWN:,} more survivors whose merges drop "
                     "values")
    return notes


# -- the job kind ------------------------------------------------------------------------------
class MergeJob:
    """Sends one merge per item; serialises merges into the same survivor."""

    name = "merge"
    # each merge SENDING only as it is sent (``bulk.runner.JobKind``): a resume's reconcile
    # cannot tell this job's merge from another run's, so only what was in flight may be
    # taken for this job's (x11r1 M1)
    final_writes = True
    # the writes it makes inside its items alone (``bulk.ledger.take_back_unused``; a
    # dedupe adds its field-policy updateDeal, its put-back PATCHes bounded apart)
    item_writes = frozenset({"mergeDeals"})

    @staticmethod
    def write_calls(item: Item) -> dict[str, int]:
        """The most calls of each write an item left SENDING may have charged: its merge
        (and a dedupe's first merge its PATCH)."""
        return {"mergeDeals": 1, **({"updateDeal": 1} if item.payload.get("patch") else {})}

    @staticmethod
    def landed_calls(item: Item, outcome: Outcome) -> dict[str, int]:
        """The merge a reconcile found applied (DONE: the merged-away deal gone into the
        survivor, or its answer recorded before the stop): charged, no longer in doubt
        (``bulk.runner.JobKind``'s hook, ``bulk.ledger``). Not a dedupe's PATCH: its
        answer, when one came, comes off with the outcome already."""
        return {"mergeDeals": 1} if outcome.state is ItemState.DONE else {}

    def __init__(self, store: JobStore | None = None) -> None:
        self._locks: dict[int, anyio.Lock] = {}
        self._doubted: set[int] = set()  # items whose merge this process sent and lost
        # ... and that a reconcile then read as not applied: sent again, the first send may
        # still land (a slow server), so their deal found gone is this job's merge
        self._resent: set[int] = set()
        self._store = store  # its snapshots and results date the deals (``_changed``)
        # survivor → the update_time this process's latest merge into it returned (the
        # store may not hold that outcome yet when the next batch is re-checked)
        self._merge_times: dict[int, str | None] = {}
        # survivor → the items re-checked for it and not yet ended: while one is, this
        # job's own write may be changing it (``recheck`` judges its pairs by the other deal)
        self._writing: dict[int, set[int]] = {}
        self._stored: dict[int, str | None] | None = None  # ``_expected_now``'s store part
        # survivor → its merges this process sent and lost, not yet reconciled: its time
        # now may be this job's own merge, so no later merge into it judges it until the
        # reconcile read the merge back (x35r2 F2: a group's other merges were skipped as
        # "survivor changed while the job ran" by the job's own first merge)
        self._unsettled: dict[int, set[int]] = {}
        # the links of rewritten chains: A→C waits for B→C and is held when it is not merged
        self._chain = ChainLinks(store, MERGE_RECORD)

    @classmethod
    def from_store(cls, store: JobStore) -> MergeJob:
        check_loaded(store)
        return cls(store)

    def __repr__(self) -> str:
        busy = sum(1 for lock in self._locks.values() if lock.locked())
        return f"MergeJob(survivors={len(self._locks)}, merging={busy})"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        try:
            outcome = await self._merge(ctx, item)
            self._chain.note([outcome])
            return outcome
        finally:
            self._ended(item)

    def _ended(self, item: Item) -> None:
        """``item`` is no longer being written (``_writing``)."""
        writing = self._writing.get(int(item.payload["survivor_id"]))
        if writing is not None:
            writing.discard(item.id)

    async def _as_planned(self, ctx: CallContext, item: Item,
                          seen: dict[int, Deal] | None = None) -> Outcome | None:
        """Read both deals of the pair right before a write to them (its merge; a dedupe's
        field-policy PATCH of the survivor), under the survivor's lock: gone, archived, or
        changed since the plan or since this job's own last write to it (``_changed``
        against ``_expected_now``) → the pair is left alone (None: as planned). The
        batch's re-check is one batch of sends older than the write, and merges are final
        (x11r4 F1: a copy edited while its group was merging was merged away with the
        edit; x19r2 F1: a survivor edited after its batch's re-check had its colleague's
        value overwritten by the PATCH, as only the merged-away deal was read here). Two
        ``GET /api/v2/deals/{id}`` (1 token each, ``PAIR_READS``): fewer tokens than one
        ``GET /api/v2/deals?ids=`` (10, FACTS); the survivor is read last, nearest the write.
        ``seen``: given, each deal read live goes into it by id (a dedupe's PATCH step judges
        the survivor by it: ``DedupeJob._patch``)."""
        merge_id, survivor_id = int(item.payload["merge_id"]), int(item.payload["survivor_id"])
        deal = await _read_one(ctx, merge_id)
        if (deal is None or is_gone(deal)) and item.id in self._resent:
            return self._applied_late(item)
        if deal is None or is_gone(deal) or deal.get("is_archived"):
            return self._left(item, (
                f"not merged: merged-away deal {merge_id} is no longer a live deal (deleted, "
                "archived or merged while the job ran); nothing sent"))
        survivor = await _read_one(ctx, survivor_id)
        if survivor is None or is_gone(survivor) or survivor.get("is_archived"):
            return self._left(item, (
                f"not merged: survivor deal {survivor_id} is no longer a live deal (deleted, "
                "archived or merged while the job ran); nothing sent"))
        live = {merge_id: deal, survivor_id: survivor}
        if seen is not None:
            seen.update(live)
        if (why := _changed(item, live, self._expected_now(), self._explained)) is not None:
            return self._left(item, why.replace("since the plan", "while the job ran", 1))
        return None

    def _in_doubt(self, survivor: int, item_id: int | None = None) -> bool:
        """Whether a merge into ``survivor`` other than ``item_id`` was sent by this process
        and lost, and no reconcile has read it back yet: the survivor's time now may be that
        merge's, this job's own write, so it is not judged against the plan until then."""
        return bool(self._unsettled.get(survivor, set()) - {item_id})

    def _expected_now(self) -> dict[int, str | None]:
        """``_expected`` for a read right before a write: the store's part taken once (a
        full scan of the job), this process's own writes (``_own_writes``,
        ``_merge_times``, the reconcile's finds) laid over it on every call."""
        if self._stored is None:
            self._stored = self._expected()
        latest = dict(self._stored)
        for survivor, then in [*self._own_writes().items(), *self._merge_times.items()]:
            _fold(latest, survivor, then)
        return latest

    async def _remember(self, merge_id: int, survivor_id: int) -> None:
        """Record the merge about to be sent in the state directory (``jobs.merged_deals``):
        an import whose key's deal it takes away then knows the row merged, not deleted
        (x12r1 F1). Written off the loop (a thread: the local file, and the shared
        coordinator's Redis round trips), awaited before the merge is sent: the other
        merges of the run go on meanwhile. Best effort: a state directory that cannot be
        written stops nothing; CoordinatorLost (that Redis does not answer) is raised."""
        if self._store is None:
            return
        from .merged_deals import record

        store = self._store
        try:
            await in_thread(functools.partial(
                record, str((store.config.get("engine") or {}).get("base_url") or ""),
                [(merge_id, survivor_id)], store.job_id, at=store.wall()))
        except OSError:
            pass

    def _applied_late(self, item: Item) -> Outcome:
        """A merge sent again after its answer was lost (the reconcile read it as not
        applied) whose merged-away deal is gone now: the first send applied late (a slow
        server). Done — never "deleted since the plan", never a failure."""
        self._resent.discard(item.id)
        return Outcome(item.id, ItemState.DONE, result={
            **_merged(item), "reconciled": True,
            "note": "the send whose answer was lost applied after the reconcile read"})

    async def _merge(self, ctx: CallContext, item: Item) -> Outcome:
        if (again := refused(item)) is not None:
            return again
        merge_id, survivor_id = item.payload["merge_id"], item.payload["survivor_id"]
        lock = self._locks.setdefault(survivor_id, anyio.Lock())
        async with lock:  # read under the lock: the merges before it may have taken long
            if self._in_doubt(int(survivor_id), item.id):  # the reconcile reads it first
                return Outcome(item.id, ItemState.PENDING, unsent=True)
            # a rewritten A→C only once B→C is merged (x42r4 F1): every link of a chain has
            # this survivor, so its send ended under this lock before this one got it
            link, why = self._chain.state(item)
            if link == "open":  # not sent yet (a worker that got here first): later
                return Outcome(item.id, ItemState.PENDING, unsent=True)
            if why is not None:
                return self._left(item, why)
            if (left := await self._as_planned(ctx, item)) is not None:
                return left
            await self._remember(int(merge_id), int(survivor_id))
            try:
                res = await ctx.call("mergeDeals", path={"id": merge_id},
                                     json={"merge_with_id": survivor_id})
            except InDoubt:
                self._doubted.add(item.id)
                self._unsettled.setdefault(int(survivor_id), set()).add(item.id)
                raise
            except ApiError as exc:
                gone = exc.status in (404, 410) or (exc.status == 400
                                                    and bool(_GONE.search(exc.message)))
                if gone and item.id in self._resent:
                    return self._applied_late(item)
                if gone:
                    # a deal of the pair deleted or merged since the re-check (x11r1 M5:
                    # failed with the API's text, exit 3, where a change seen before the
                    # run is left alone)
                    return self._left(item, (
                        f"not merged: a deal of the pair was deleted or merged since the "
                        f"plan (Pipedrive: {exc.message}); nothing merged"),
                        status=exc.status)
                raise
            data = res.data if isinstance(res.data, Mapping) else {}
            then = as_rfc3339(data.get("update_time"))  # v1's answer: one format (F8)
            self._merge_times[int(survivor_id)] = then
            # the survivor's update_time after this merge (what a later re-read expects of
            # it) is in the job before the lock lets the next merge into it go (x18r1 1: a
            # kill with it still in the runner's buffer left the next one's reconcile
            # taking this job's own merge for a colleague's change)
            if self._store is not None:
                await in_thread(functools.partial(
                    self._store.meta_put, f"{MERGE_RECORD}{item.id}",
                    {"survivor": int(survivor_id), "update_time": then}))
        return Outcome(item.id, ItemState.DONE,
                       result={**_merged(item), "update_time": then})

    async def recheck(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """The runner's re-check of a batch right before it is sent (``bulk.runner``): both
        deals of each pair read now (``GET /api/v2/deals?ids=``, 100 ids per call, 10
        tokens), each merge decided as ``before_resume`` decides it — a deal of the pair
        gone (deleted, archived, merged) → left alone (404); changed since the plan, or
        since this job's own last write to it → left alone: merges are final, and a
        colleague's edit made while the job runs is not merged away (x11r1 S1: a deal
        edited during the apply was merged 8 s later, exit 0). A survivor an earlier batch
        of this run is still writing is judged by its merged-away deal only (this job's
        own merge or PATCH may be moving it). A kind's ``_held_now`` then judges the batch on
        what the account holds now beside the deals (``DedupeJob``: its org and person
        names, read at the batch). Outcomes of the merges not to send."""
        checked = [i for i in items if refused(i) is None and not i.payload.get("already")]
        if not checked:
            return []
        # a merge sent again after a 5xx is judged by ``_merge``'s own reads, not these
        # (x34r2 F6: a batch of that merge alone cost a list read, 10 tokens, a send)
        judged = [i for i in checked if i.id not in self._resent]
        live = await read_deals(ctx, [d for i in judged for d in (i.payload["merge_id"],
                                                                  i.payload["survivor_id"])]
                                ) if judged else {}
        expected = self._expected()
        busy = {survivor for survivor, ids in self._writing.items() if ids} | {
            survivor for survivor in self._unsettled if self._in_doubt(survivor)}
        outcomes: list[Outcome] = []
        for item in checked:
            if item.id in self._resent:  # its lost send may land yet: ``_merge`` reads it
                continue
            survivor_id = int(item.payload["survivor_id"])
            for role, deal_id in (("merged-away", item.payload["merge_id"]),
                                  ("survivor", survivor_id)):
                if is_gone(live.get(deal_id)) and not (role == "survivor"
                                                       and survivor_id in busy):
                    outcomes.append(self._left(item, (  # nothing sent: no HTTP status
                        f"not merged: {role} deal {deal_id} is no longer a live deal "
                        "(deleted, archived or merged while the job ran); nothing sent")))
                    break
            else:
                if (why := _changed(item, live, expected, self._explained,
                                    survivor=survivor_id not in busy)) is not None:
                    outcomes.append(self._left(item, why.replace(
                        "since the plan", "while the job ran", 1)))
        # ... and on the names beside the deals, read for the merges still to send; a merge
        # sent again after a 5xx or a lost answer too (f39c: judged at its own batch only,
        # the names may have changed since), on the names alone (``_merge`` reads its deals)
        left = {o.item_id for o in outcomes}
        sending = [i for i in judged if i.id not in left]
        sending += [i for i in checked if i.id in self._resent]
        outcomes += await self._held_now(ctx, sending, sending, live)
        outcomes += self._alongside(checked, outcomes)
        outcomes += self._chain.held(checked, outcomes, self._left)  # x42r4 F1
        self._settled(checked, outcomes)
        settled = {o.item_id for o in outcomes}
        for item in checked:
            if item.id not in settled:
                self._writing.setdefault(int(item.payload["survivor_id"]), set()).add(item.id)
        return outcomes

    def _alongside(self, items: Sequence[Item], left: Sequence[Outcome]) -> list[Outcome]:
        """The outcomes of more of ``items`` (a re-checked batch) that go with those
        ``left`` alone (``DedupeJob``: the rest of a group none of whose merges was sent
        yet). None for plain merges: each pair was asked for on its own."""
        return []

    def recheck_calls(self, store: JobStore, size: int,
                      states: Sequence[ItemState] = (ItemState.PENDING,)) -> dict[str, int]:
        """The calls ``recheck`` makes over the items now in ``states`` (in id order,
        ``size`` per batch: ``bulk.runner.recheck_batch``), by operation (for plans)."""
        items = sorted((i for state in states for i in store.items(state)),
                       key=lambda i: i.id)
        return batched_calls(items, size, lambda batch: reread_calls(
            [d for i in batch if refused(i) is None and not i.payload.get("already")
             for d in (i.payload["merge_id"], i.payload["survivor_id"])]))

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """A merge in doubt, decided from both deals of its pair as they are now (the
        default list and the archived one, 100 ids per call: ``GET /api/v2/deals?ids=``
        and ``/deals/archived?ids=``):

        - merged-away deal gone and the survivor changed since this job last knew it
          (later ``update_time`` than ``_expected``: a merge writes the survivor) → done,
          ``merged``, reconciled;
        - merged-away deal gone and the survivor not changed → someone else deleted it:
          failed, nothing merged (v9r8: reported `merged` although no merge was sent);
        - merged-away deal archived, or the survivor gone or archived, since the plan →
          failed, left alone (v9r8: a resume merged into a survivor a colleague had
          archived after the kill);
        - else not applied: checked like a pending one (``_changed``: a deal of the pair
          changed since the plan is a conflict, failed, nothing sent) and sent again."""
        live, unread = await self._read_pairs(ctx, items)
        await self._read_back(items, live)
        # both deals of a pair gone: when they went tells whether this job's merge applied
        # before someone merged (or deleted) the survivor too (v9r16 M3: reported "not
        # merged", and a dedupe's memory of the merge was never confirmed); a deal read by
        # id as deleted already says when
        both = [d for i in items if is_gone(live.get(i.payload["merge_id"]))
                and i.payload["survivor_id"] not in unread
                and is_gone(live.get(i.payload["survivor_id"]))
                for d in (i.payload["merge_id"], i.payload["survivor_id"])]
        deleted = {d: live[d] for d in both if live.get(d) is not None}
        if missing := [d for d in both if d not in deleted]:
            deleted |= await read_deals(ctx, missing, deleted=True)
        expected = self._expected()
        answered = self._answered()
        # the merges found applied first: the survivor's time they leave is this job's own
        # when a later merge of the same survivor is judged (x18r1 1: two merges of one
        # group in flight, the second skipped as "changed" by the first)
        ordered = sorted(items, key=lambda i: not is_gone(live.get(i.payload["merge_id"])))
        out = []
        for item in ordered:
            away_id, survivor_id = item.payload["merge_id"], item.payload["survivor_id"]
            away, survivor = live.get(away_id), live.get(survivor_id)
            if item.id in answered:  # its answer was recorded before the stop: applied
                out.append(Outcome(item.id, ItemState.DONE, result={
                    **_merged(item), "update_time": answered[item.id]}))
            elif is_gone(away):
                if survivor is not None and _shows_merge(item, survivor,
                                                         expected.get(survivor_id)):
                    now = survivor.get("update_time")
                    out.append(Outcome(item.id, ItemState.DONE, result={
                        **_merged(item), "reconciled": True, "update_time": now,
                        # a dedupe's succeeded.csv says it as the row's reason
                        "note": (whose := whose_merge(item, now)), "reason": whose}))
                    if isinstance(now, str) and expected.get(survivor_id) is not None \
                            and _later(now, expected[survivor_id]):
                        expected[survivor_id] = now
                elif is_gone(survivor) and _merged_before(item, deleted.get(away_id),
                                                          deleted.get(survivor_id)):
                    out.append(Outcome(item.id, ItemState.DONE, result={
                        **_merged(item), "reconciled": True,
                        "note": f"survivor {survivor_id} was merged away or deleted by "
                                "someone after this merge applied"}))
                else:
                    out.append(self._left(item, (
                        f"not merged: merged-away deal {away_id} is gone and survivor "
                        f"{survivor_id} shows no merge (it was deleted, or merged elsewhere, "
                        "by someone since the plan); nothing more sent"), status=404))
            elif away is not None and away.get("is_archived"):
                out.append(self._left(item, (
                    f"not merged: merged-away deal {away_id} was archived since the plan; "
                    "left alone — merges are final: plan it again")))
            elif survivor_id not in unread and (is_gone(survivor)
                                                or (survivor or {}).get("is_archived")):
                out.append(self._left(item, (
                    f"not merged: survivor deal {survivor_id} was deleted or archived since "
                    "the plan; nothing sent"), status=404))
            elif (why := _changed(item, live, expected, self._explained,
                                  survivor=survivor_id not in unread)) is not None:
                out.append(self._left(item, why))
            else:
                # not applied; an item only left in flight by a run that died (waiting for
                # its survivor's lock, say) gets its attempt back: kills are not lost answers
                if item.id in self._doubted:
                    self._resent.add(item.id)
                out.append(Outcome(item.id, ItemState.PENDING,
                                   unsent=item.id not in self._doubted))
            self._doubted.discard(item.id)
            self._unsettled.get(int(survivor_id), set()).discard(item.id)
        for outcome in out:  # merges found applied: the survivor's time this job expects
            result = outcome.result or {}
            if outcome.state is ItemState.DONE and "update_time" in result:
                _fold(self._merge_times, int(result["deal_id"]), result["update_time"])
        out = self._chain_reconciled(items, out)
        self._settled(items, out)
        return out

    def _chain_reconciled(self, items: Sequence[Item], out: list[Outcome]) -> list[Outcome]:
        """``reconcile``'s outcomes with a rewritten merge found not applied held when its
        link in the chain is not merged (x42r4 F1): it is not sent again."""
        again = {o.item_id for o in out if o.state is ItemState.PENDING}
        held = {o.item_id: o for o in self._chain.held(
            [i for i in items if i.id in again], [o for o in out if o.item_id not in again],
            self._left)}
        for item_id in held:
            self._resent.discard(item_id)
        return [held.get(o.item_id, o) for o in out]

    async def _read_pairs(self, ctx: CallContext, items: Sequence[Item]
                          ) -> tuple[dict[int, Deal], set[int]]:
        """The deals ``reconcile`` decides the in-doubt ``items`` by, read the cheapest way
        that decides them, and the survivors it left unread. Few items (``by_id_cheaper``:
        a merge answered 5xx, the sends a kill cut off): each merged-away deal by id
        (``GET /api/v2/deals/{id}``, 1 token; a deleted or merged-away deal reads as
        deleted, or 404), and its survivor (1 more) unless the merge is one this run sent
        and lost (``_doubted``) whose merged-away deal is live and not archived: then the
        merge did not land and is sent again, and its survivor is read right before that
        send (``_as_planned``), unless the kind needs it now (``_needs_survivor``). Else
        both deals from the default and the archived lists, 100 ids per call (10 + 20
        tokens): a merged-away deal read as archived is left alone either way. x34r2 F6:
        the lists and the run's re-check cost ~40 tokens of reads a send answered 5xx
        (737 for 15 sends of a 92-token plan)."""
        if not by_id_cheaper(len(items)):
            ids = [d for i in items for d in (i.payload["merge_id"], i.payload["survivor_id"])]
            return await read_current(ctx, ids, ids), set()
        read: dict[int, Deal | None] = {}

        async def one(deal_id: int) -> Deal | None:
            if deal_id not in read:
                read[deal_id] = await _read_one(ctx, deal_id)
            return read[deal_id]

        unread: set[int] = set()
        for item in items:
            away = await one(int(item.payload["merge_id"]))
            survivor_id = int(item.payload["survivor_id"])
            if is_gone(away) or item.id not in self._doubted or self._needs_survivor(item):
                await one(survivor_id)
            else:
                unread.add(survivor_id)
        unread -= set(read)  # another item's merge read it
        return {d: deal for d, deal in read.items() if deal is not None}, unread

    def _needs_survivor(self, item: Item) -> bool:
        """Whether ``reconcile`` must read the survivor of in-doubt ``item`` even though its
        merged-away deal is live (``DedupeJob``: a field-policy PATCH sent before the merge
        and not recorded as applied). Never for plain merges."""
        return False

    async def _read_back(self, items: Sequence[Item], live: Mapping[int, Deal]) -> None:
        """What ``reconcile`` learns from the deals of the in-doubt ``items`` as read now
        (``live``), before it decides their merges (and ``before_resume`` of the pending
        ones, so that the plan after its re-read counts no write found applied): a kind
        whose items send another write before the merge records here the ones found
        applied, so they are not sent again (``DedupeJob``: its field-policy PATCH).
        Nothing for plain merges."""

    def _left(self, item: Item, why: str, status: int | None = None) -> Outcome:
        """The outcome of a merge left alone because a deal of its pair changed, went or
        was archived since the plan (a resume's re-read, a reconcile): failed, nothing
        sent — the pair was asked for explicitly. ``DedupeJob``: skipped, as its apply
        skips such a group before it starts."""
        return Outcome(item.id, ItemState.FAILED, status=status, error=why)

    def _settled(self, items: Sequence[Item], outcomes: list[Outcome]) -> None:
        """Outcomes this kind decided outside ``execute`` (reconcile, the re-read before a
        resume), before they are recorded: a kind whose items wait on each other learns
        them here, and may decide more of ``items`` with them (``DedupeJob``: a group
        skipped whole). Nothing for plain merges."""

    def _explained(self, item: Item, survivor: Deal) -> bool:
        """Whether a survivor newer than expected is explained by a write of this job whose
        answer it never recorded (``DedupeJob``: its field-policy PATCH). Never for plain
        merges."""
        return False

    @staticmethod
    def _rereading(store: JobStore) -> tuple[list[Item], list[int]]:
        """The pending merges a resume re-checks and the deal ids it reads for them: not a
        rewritten merge whose link in the chain the store holds not merged (held unread,
        ``chain_held``)."""
        waiting = [i for i in store.items(ItemState.PENDING) if refused(i) is None
                   and not i.payload.get("already")]  # dedupe: merged by an earlier apply
        held = {o.item_id for o in chain_held(store, waiting)}
        pending = [i for i in waiting if i.id not in held]
        return pending, [d for i in pending
                         for d in (i.payload["merge_id"], i.payload["survivor_id"])]

    def reread_calls(self, store: JobStore) -> dict[str, int]:
        """The calls ``before_resume`` makes now, by operation (for the plan)."""
        return reread_calls(self._rereading(store)[1])

    def resume_calls(self, store: JobStore) -> dict[str, int]:
        """The calls a resume makes now, by operation: the re-read, the reconcile read of
        the merges in doubt (100 per call), then at most one merge per pending or in-doubt
        item (not one its chain's link holds already: ``_rereading``)."""
        calls = Counter(self.reread_calls(store))
        doubt = sum(1 for _ in store.items(ItemState.SENDING))
        if by_id_cheaper(doubt):  # ``_read_pairs``: at most both deals of each pair by id
            calls["getDeal"] += 2 * doubt
        else:
            calls["getDeals"] += -(-(2 * doubt) // IDS_PER_CALL)  # both deals of each pair
            calls["getArchivedDeals"] += -(-(2 * doubt) // IDS_PER_CALL)  # ... archived too
        # ... and, at most, the deleted list (a pair both of whose deals are gone)
        calls["getDeals"] += -(-(2 * doubt) // IDS_PER_CALL)
        calls["mergeDeals"] += doubt + len(self._rereading(store)[0])
        calls["getDeal"] += PAIR_READS * calls["mergeDeals"]  # both deals, right before
        return {op: n for op, n in calls.items() if n}

    def in_doubt_writes(self, store: JobStore) -> dict[str, int]:
        """Of ``resume_calls``' writes, those of the merges in doubt (left in flight by a
        kill): one ``mergeDeals`` each, counted as sent again; the reconcile's read of the
        pair, before any send, sends none for one it finds merged (a plan says so:
        ``jobs.resuming.in_doubt_bound``)."""
        n = self.in_doubt_items(store)
        return {"mergeDeals": n} if n else {}

    @staticmethod
    def in_doubt_items(store: JobStore) -> int:
        """The items in doubt (in flight at a kill)."""
        return store.counts()[ItemState.SENDING]

    async def before_resume(self, ctx: CallContext, store: JobStore) -> list[str]:
        """Re-check pending merges against the deals as they are now (issue 9 §4 and F2): a
        resumed job, one that waited at its prompt, or a retry must not merge a pair that
        changed since the plan. A pair fails, nothing sent (merges are final), when its
        merged-away deal or survivor is gone since (deleted, archived, merged elsewhere),
        or changed since the plan (``_changed``: its ``update_time`` is newer than the one
        the plan recorded, or than this job's own last merge into it left); a rewritten
        merge of a chain (A→C for A→B, B→C) when its link B→C is not merged, so (x42r4 F1;
        ``jobs.merge_chain``). A survivor with a merge of this job still in doubt
        (``_settling``) is judged at its batch's re-check, after the run's reconcile has
        settled that merge, not here. Reads 100 deals per call (``GET /api/v2/deals?ids=``).
        Returns the lines to print."""
        waiting = [i for i in store.items(ItemState.PENDING) if refused(i) is None
                   and not i.payload.get("already")]
        chained = self._chain.held(waiting, [], self._left)  # held unread: the store says
        pending, ids = self._rereading(store)
        if not waiting:
            return []
        live = await read_deals(ctx, ids) if ids else {}
        await self._read_back(pending, live)  # (a dedupe's PATCH applied before a kill)
        expected = self._expected(store)
        settling = self._settling(store)
        outcomes = []
        gone = 0
        for item in pending:
            for role, deal_id in (("merged-away", item.payload["merge_id"]),
                                  ("survivor", item.payload["survivor_id"])):
                if is_gone(live.get(deal_id)):
                    gone += 1
                    outcomes.append(self._left(item, (
                        f"{role} deal {deal_id} no longer exists (deleted, archived or "
                        "merged since the job was planned); nothing sent"), status=404))
                    break
            else:
                if (why := _changed(item, live, expected, self._explained, survivor=int(
                        item.payload["survivor_id"]) not in settling)) is not None:
                    outcomes.append(self._left(item, why))
        left = {o.item_id for o in outcomes}
        held = await self._held_now(ctx, pending, [i for i in pending if i.id not in left],
                                    live)
        outcomes += held
        chained += self._chain.held(pending, outcomes, self._left)
        outcomes += chained
        self._settled(waiting, outcomes)
        store.record(outcomes)
        changed = len(outcomes) - gone - len(held) - len(chained)
        extra = f", {changed:,} changed since the plan (left alone)" if changed else ""
        extra += f", {len(held):,} no longer a match (held now)" if held else ""
        extra += (f", {len(chained):,} held: a deal above it in its chain was not merged"
                  if chained else "")
        return [f"re-read {len(waiting):,} pending merge(s): {gone:,} no longer possible"
                f"{extra}, {len(waiting) - len(outcomes):,} to send"]

    def _settling(self, store: JobStore) -> set[int]:
        """The survivors of this job's merges left in flight (SENDING) with no answer
        recorded: the run's reconcile settles them before any batch is re-checked, so
        until then a survivor's time now may be this job's own merge. The re-read judges
        their pending merges by the merged-away deal (and its survivor being live) only;
        the batch's re-check judges the survivor once the reconcile told which time is
        this job's (x43r3 F1: a group's next merge failed "survivor changed since the
        plan" by the group's own applied, unanswered first merge)."""
        answered = self._answered() if self._store is store else {}
        return {int(i.payload["survivor_id"]) for i in store.items(ItemState.SENDING)
                if i.id not in answered}

    async def _held_now(self, ctx: CallContext, pending: Sequence[Item],
                        items: Sequence[Item], live: Mapping[int, Deal]) -> list[Outcome]:
        """The outcomes of ``items`` (of the ``pending`` merges a resume re-read, or of a
        re-checked batch's merges still to send, their deals ``live``) that are no longer a
        match by what the account holds now beside the deals (``DedupeJob``: names,
        keep-separate decisions). None for plain merges: each pair was asked for."""
        return []

    def _expected(self, store: JobStore | None = None) -> dict[int, str | None]:
        """Deal id → the ``update_time`` it has if nobody but this job wrote it since the
        plan: the plan's snapshot, or for a survivor this job already wrote, the latest one
        its own writes returned — its merges' (item results) and any other write the kind
        recorded with its outcome (``_own_writes``: dedupe's field-policy PATCH). None: a
        merge of it recorded none — unknown, not checked. Without a store: the kind's own
        records only."""
        store = store or self._store
        out: dict[int, str | None] = {}
        latest: dict[int, str | None] = dict(self._own_writes())

        def merged(survivor: int, then: object) -> None:
            _fold(latest, survivor, then)

        if store is not None:
            for image in store.before_images("deal"):
                out.setdefault(image.entity_id, image.before.get("update_time"))
            for item in store.items(ItemState.DONE):
                result = item.result or {}
                survivor = result.get("deal_id")
                if result.get("action") == "merged" and isinstance(survivor, int):
                    merged(survivor, result.get("update_time"))
            for record in store.meta_prefixed(MERGE_RECORD).values():  # answers recorded
                if isinstance(record, Mapping) and isinstance(record.get("survivor"), int):
                    merged(record["survivor"], record.get("update_time"))
        for survivor, then in self._merge_times.items():  # outcomes not yet in the store
            merged(survivor, then)
        out.update(latest)
        return out

    def _answered(self) -> dict[int, str | None]:
        """Merge item id → the survivor's update_time its answer returned, for the merges
        whose answer this job recorded (``MERGE_RECORD``): applied, whatever the item's
        state says (a kill before its outcome was written)."""
        if self._store is None:
            return {}
        out: dict[int, str | None] = {}
        for key, record in self._store.meta_prefixed(MERGE_RECORD).items():
            then = record.get("update_time") if isinstance(record, Mapping) else None
            out[int(key[len(MERGE_RECORD):])] = then if isinstance(then, str) else None
        return out

    def _own_writes(self) -> Mapping[int, str]:
        """Deal id → the ``update_time`` the latest write of this job other than a merge
        returned (recorded with that write's outcome). None for plain merges."""
        return {}

    def after_run(self, store: JobStore, result: RunResult | None) -> list[str]:
        confirm_merges(store)
        rows, merges = merge_counts(store)
        lines = write_job_results(store, result, MERGE_COLUMNS,
                                  extra={"file_rows": rows, "merges": merges})
        return [rows_as_rows(lines[0], rows, merges), *lines[1:]]


def merge_counts(store: JobStore) -> tuple[int, int]:
    """(the file's rows, the merges they ask for) of merge job ``store``: a group row asks
    for several merges, each its own item and its own line in the result files."""
    rows: set[int] = set()
    merges = 0
    for item in store.items():
        if item.op == OP and item.row is not None:
            rows.add(item.row)
            merges += 1
    return len(rows), merges


def rows_as_rows(line: str, rows: int, merges: int, *, unit: str = "rows") -> str:
    """The run's ``rows: N — …`` line (``write_job_results``, N counting merges: one line
    of the result files each) said as the plan says it (``jobs.planning``): ``rows: 4;
    merges: 8 — 6 merged; 2 failed; 0 unprocessed`` (x42r4 L1: ``rows: 8 — …`` for a
    4-row groups file whose plan said ``rows: 4; merges: 8``). ``unit``: what a row of
    the file is (a dedupe plan's are its groups: ``groups: 4; merges: 8 — …``, x43r5 F4)."""
    head, sep, tail = line.partition(" — ")
    if not sep or not head.startswith("rows: "):
        return line
    return f"{unit}: {rows:,}; merges: {merges:,} — {tail}"


def chain_held(store: JobStore, items: Sequence[Item]) -> list[Outcome]:
    """The rewritten merges of ``items`` whose link in the chain the store already holds
    not merged (failed, skipped, or held so itself: ``jobs.merge_chain``), as the
    failures a resume records for them unread (x42r4 F1)."""
    return ChainLinks(store, MERGE_RECORD).held(
        items, [], lambda item, why: Outcome(item.id, ItemState.FAILED, error=why))


def by_id_cheaper(pairs: int) -> bool:
    """Whether reading the deals of ``pairs`` merges in doubt by id (at most two
    ``GET /api/v2/deals/{id}`` each) costs no more tokens than the default and archived
    lists of their ids (``read_current``): up to 15 pairs at Pipedrive's costs (2 x 15 x 1
    against 10 + 20)."""
    by_id = 2 * pairs * get_operation("getDeal").token_cost
    lists = -(-(2 * pairs) // IDS_PER_CALL) * (get_operation("getDeals").token_cost
                                               + get_operation("getArchivedDeals").token_cost)
    return pairs > 0 and by_id <= lists


def _fold(latest: dict[int, str | None], survivor: int, then: object) -> None:
    """Lay a write of this job that returned ``then`` over ``latest`` (survivor → the
    update_time expected of it): the later time wins; a write that returned none makes it
    unknown (None) for good."""
    if survivor in latest and latest[survivor] is None:
        return
    if not isinstance(then, str):
        latest[survivor] = None
    elif survivor not in latest or _later(then, latest[survivor]):
        latest[survivor] = then


async def _read_one(ctx: CallContext, deal_id: int) -> Deal | None:
    """The deal as it is now (``GET /api/v2/deals/{id}``, 1 token); None: not found."""
    try:
        res = await ctx.call("getDeal", path={"id": deal_id})
    except NotFound:
        return None
    return dict(res.data) if isinstance(res.data, Mapping) else None


def as_rfc3339(value: object) -> str | None:
    """A Pipedrive timestamp as the v2 API and the result files give it, RFC 3339 in UTC
    (``2026-12-06T07:12:54Z``): v1's merge answer says ``2026-12-06 07:12:54`` (UTC, openapi-v1
    ``update_time``), which a row's reason showed beside a v2 time read now (x43r3 F8).
    None for no text; text that is no timestamp is kept as it is."""
    if not isinstance(value, str) or not value:
        return None
    moment = parse_time(value)
    if moment is None:
        return value
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _later(a: str, b: str | None) -> bool:
    """Whether Pipedrive timestamp ``a`` is later than ``b`` (v1 ``2024-01-02 03:04:05`` and
    v2 ``2024-01-02T03:04:05Z`` alike; unreadable ones compare as text)."""
    ta, tb = parse_time(a), parse_time(b)
    if ta is None or tb is None:
        return b is None or a > b
    return ta > tb


def _changed(item: Item, live: Mapping[int, Deal], expected: Mapping[int, str | None],
             explained: Callable[[Item, Deal], bool] | None = None, *,
             survivor: bool = True) -> str | None:
    """Why a merge must be left alone because a deal of its pair changed since the plan
    (None: neither did, or it cannot be told). The rule (strict and simple): a deal whose
    ``update_time`` now is later than the one expected (``MergeJob._expected``: the plan's
    snapshot, or the one this job's own last write to it returned) was changed by someone
    else; merges are final, so the pair is not merged — plan it again. ``explained``: a
    survivor newer than expected is not counted when it says so (``MergeJob._explained``:
    a write of this job whose answer was never recorded). ``survivor=False``: the
    merged-away deal alone is judged. A gone deal is not judged here."""
    for role, deal_id in (("merged-away", item.payload["merge_id"]),
                          *((("survivor", item.payload["survivor_id"]),) if survivor else ())):
        deal = live.get(deal_id)
        then = expected.get(deal_id)
        if deal is None or then is None:
            continue
        now = deal.get("update_time")
        if not isinstance(now, str) or not _later(now, then):
            continue
        if role == "survivor" and explained is not None and explained(item, deal):
            continue
        return (f"not merged: {role} deal {deal_id} changed since the plan (update_time "
                f"{as_rfc3339(then)} then, {as_rfc3339(now)} now); left alone — merges are "
                "final: plan it again")
    return None


# Pipedrive's answer to a merge of a deal deleted or merged meanwhile (400 "Deal 3079 is
# deleted and cannot be merged", sandbox and API alike)
_GONE = re.compile(r"\b(?:is deleted|was deleted|not found|is merged|was merged)\b", re.I)

# seconds: a survivor still at the update_time this job expected shows no merge only when
# that time is this long before the merge was sent (Pipedrive's times are whole seconds, and
# the clocks of this machine and the server differ a little)
SAME_SECOND_MARGIN = 2.0


# a merge that shows this long after this job's send cannot be its answer-lost send: twice
# the transport's default timeout, past which no answer (and no late apply) is waited for
LATE_APPLY = 60.0


def whose_merge(item: Item, merged_at: object) -> str:
    """The note of an in-doubt merge ``item`` the reconcile found made (merged-away deal
    gone, the survivor written since this job knew it): Pipedrive records no merger (no
    merged-by in a deal, openapi-v1/v2), so it cannot tell this job's lost answer from
    another client's merge of the same pair (x38r2 F5: a colleague merged the pair by hand
    after the kill; the resume said ``merged``) — unless the survivor's ``update_time``
    (``merged_at``, RFC 3339) is over ``LATE_APPLY`` s after the send (``sent_at``)."""
    when, sent = parse_time(merged_at), item.sent_at
    if when is not None and sent is not None and when > sent + LATE_APPLY:
        return (f"merged, most likely by another client: the survivor shows the merge at "
                f"{merged_at}, {when - sent:,.0f} s after this job's send, whose answer was "
                "lost")
    return ("merged (by this job or another client: this job's answer was lost, and "
            "Pipedrive records no merger)")


def _shows_merge(item: Item, survivor: Deal, then: str | None) -> bool:
    """Whether ``survivor`` (read now) shows the merge of in-doubt ``item``: a merge writes
    the survivor, so its ``update_time`` is later than ``then`` (what this job expected:
    the plan's snapshot or its own last write; None: unknown, taken as shown). Equal to it
    and ``then`` well before the send (``SAME_SECOND_MARGIN``): no merge reached it — the
    merged-away deal went another way (deleted by someone, merged elsewhere). Equal and
    within that margin: the same second, taken as shown."""
    now = survivor.get("update_time")
    if then is None or not isinstance(now, str):
        return True
    if _later(now, then):
        return True
    at, sent = parse_time(then), item.sent_at
    return at is None or sent is None or at >= sent - SAME_SECOND_MARGIN


def _merged_before(item: Item, away: Deal | None, survivor: Deal | None) -> bool:
    """Whether this job's in-doubt merge ``item`` applied before its survivor went too
    (both read from the deleted list): the merged-away deal went no earlier than the
    merge was sent (``SAME_SECOND_MARGIN``), and no later than the survivor did. A
    deal missing from the deleted list (gone over 30 days ago, FACTS) proves nothing."""
    went, then = (parse_time((away or {}).get("update_time")),
                  parse_time((survivor or {}).get("update_time")))
    sent = item.sent_at
    if went is None or then is None or sent is None:
        return False
    return went >= sent - SAME_SECOND_MARGIN and went <= then


def confirm_merges(store: JobStore) -> None:
    """Write the merges job ``store`` saw done (merged, or found merged already) to the
    state directory as applied (``jobs.merged_deals.confirm``): an import then believes
    them without reading the merged-away deal. A merge recorded before it was sent and
    never confirmed here is read first (x15r3 F1)."""
    from .merged_deals import confirm, survivors

    base_url = str((store.config.get("engine") or {}).get("base_url") or "")
    done = [(int(i.payload["merge_id"]), int(i.payload["survivor_id"]))
            for i in store.items(ItemState.DONE)
            if i.op == OP and (i.result or {}).get("action") in ("merged", "already merged")]
    if done:
        known = survivors(base_url)
        fresh = [(m, s) for m, s in done if not (m in known and known[m].applied)]
        if fresh:  # a resume confirms only what its earlier runs did not
            confirm(base_url, fresh, store.job_id, at=store.wall())


def _merged(item: Item) -> dict[str, Any]:
    """A done merge's report cells, from what the item stored at load (never from the
    run that made it: a merge reconciled after a kill has the same row). A dedupe item
    also names its group (``payload["group_id"]``)."""
    out = {"deal_id": item.payload["survivor_id"], "merged_id": item.payload["merge_id"],
           "action": "merged"}
    if (group := item.payload.get("group_id")) is not None:
        out["group_id"] = group
    return out


__all__ = ["MERGE_COLUMNS", "MergeJob", "confirm_merges", "MergePlan", "PairRow", "PlannedMerge", "Rejected",
           "check_pairs", "load_pairs", "merge_items", "plan_merges", "prepare_merge", "read_pairs",
           "snapshots"]
