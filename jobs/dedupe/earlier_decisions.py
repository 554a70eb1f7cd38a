"""A reviewer's decisions written in an earlier nightly plan's groups.csv, taken by the next night.

A ``dedupe run`` plans into a new folder every night (``STATE/plans/TIME``) and a person
reviews it there: ``merge`` or ``keep-separate`` in groups.csv's ``decision`` column. Before,
only a ``dedupe apply`` of that folder read them: every later night proposed the group
again as "undecided", and after ten nights retention removed the folder, decisions and all,
without a word (x42r2 F1). Now every plan made with a state directory (a run, ``dedupe
plan``, ``pdbulk plan dedupe``) first reads the decisions of the run folders in
``STATE/plans`` that no apply or run has taken yet (``pending``):

- ``keep-separate``: the pairs are kept apart by tonight's matching at once (every plan
  alike, so ``pdbulk plan dedupe`` prices what the run sends); a run also records them in
  ``keep-separate.json`` as an apply does (``index.remember_keep_separate``: shared on a
  coordinator), except a pair one of whose deals tonight's read no longer has (deleted,
  merged away or archived: nothing to keep separate).
- ``merge``: carried into tonight's plan (the group's row reads ``decision = merge``, with the
  reviewer's survivor) when tonight proposes a group of exactly its deals and none of them
  changed since the reviewer's plan (``update_time`` as that plan's ``deals.jsonl`` has it:
  the same test ``dedupe apply`` makes); the apply of tonight's plan then judges it as any
  decision (guards, chains, names now; refused ones named). Otherwise it is left where it
  was, and every night names it with what takes it (``pdbulk dedupe apply PLAN``, or the
  newest plan's group to decide again in), in the words and order ``dedupe apply`` judges it
  (``blocked``); one that can never be taken (a deal of it gone, a pair of it kept separate
  since) is said once and settled by the run (``settle_never``; x43r2 F3). ``dedupe apply``
  reads these folders too (``decisions_elsewhere``).

A decision is *taken* once an apply or run went ahead with the plan holding it (a run's
recording of a keep-separate, an apply's go-ahead: ``apply.record_separate`` calls
``mark_plan_taken``) — its origin folder's too, for one a plan carried (``summary.json``'s
``carried_decisions``), and, in the other run folders, the same decision on the same deals
and any decision on them in an older folder (a group decided again on a later night: the
later decision replaces the earlier one, ``take_everywhere``). Each folder lists its taken
decisions in ``decisions-taken.json`` (group id, decision, survivor, merged ids: a decision
changed since is a new one).
Decisions not taken that disagree on the same deals across folders (a ``keep-separate``
against a ``merge``, or two merges naming different survivors: x42r6 F3, a keep-separate of
night 2 was merged by a merge written in night 3's folder, unmentioned) are a *conflict*:
neither is taken, nor marked taken; tonight's plan keeps the deals apart (their group, if
proposed, is put in the review band with no decision: ``hold_conflicts``), names the conflict
on stderr every night with both folders. Each plan records in its ``summary.json`` the deals
of the earlier decisions it named as not taken (``decisions_named``: merges left, conflicts);
a decision a person writes in such a plan (the newest run's groups.csv, as the lines advise)
replaces them: it settles a conflict. Else clearing the unwanted decision settles it.
Retention never removes a folder holding decisions not taken (``retention.prune_plans``).
A run folder whose groups.csv cannot be read as ``dedupe apply`` reads it (one reader:
``planfiles.read_groups``; a file saved in another encoding, a decision word it does not know,
a cut row) may hold decisions nobody can see: every group of tonight's plan holding a deal of
that folder's plan (its ``deals.jsonl``) is held like a conflict's, the folder named every
night with the reader's reason (its row) until it can be read, and kept by retention
(x43r2 F5, F6: a groups.csv saved by Excel as cp1252 was passed over without a word, one
with ``nicht mergen`` was named, and either way its keep-separate groups were merged).
Blocking (files); no API call. Raises nothing for a damaged groups.csv: the folder is named
(``Earlier.unreadable``) and kept.

Why ~650 lines: what a night reads of the earlier folders (pending, conflicts, unreadable),
what it does with them (carry, hold) and how it says so are one judgement; split, the
night's words and its holding would drift apart (x42r6 F3, x43r2 F5).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from bulk.errors import InputError
from bulk.manifest import header as manifest_header
from bulk.state import write_private

from .model import DealRecord, Group
from .never_takeable import by_hand_reason, hand_survivor, never_takeable
from .planfiles import (
    GROUPS,
    PlannedGroup,
    read_groups,
    read_pair_bands,
    read_records,
    run_plans,
)

TAKEN = "decisions-taken.json"  # in a plan folder: the decisions an apply or run took
# summary.json: [{"group_id", "from" (a folder), "origin_group", "row", "decision"}]
CARRIED = "carried_decisions"
# summary.json: [[deal ids], ...] the earlier decisions this plan named as not taken (merges
# left, conflicts): a decision written in this plan on those deals replaces them
NAMED = "decisions_named"


def _key(g: PlannedGroup) -> tuple[str, str, int, tuple[int, ...]]:
    return (g.id, g.decision, g.survivor_id, tuple(g.merged_ids))


def taken(plan: Path) -> set[tuple[str, str, int, tuple[int, ...]]]:
    """The decisions of ``plan`` an apply or run took (``decisions-taken.json``)."""
    try:
        raw = orjson.loads((plan / TAKEN).read_bytes())
        return {(str(e[0]), str(e[1]), int(e[2]), tuple(int(x) for x in e[3])) for e in raw}
    except (OSError, orjson.JSONDecodeError, TypeError, ValueError, IndexError):
        return set()


def mark_taken(plan: Path, groups: Iterable[PlannedGroup]) -> None:
    """Record ``groups``' decisions as taken in ``plan`` (no decision: nothing recorded). A
    folder that cannot be written is left: its decisions are read again, never lost."""
    new = {_key(g) for g in groups if g.decision}
    if not new or not plan.is_dir():
        return
    entries = sorted(taken(plan) | new)
    with contextlib.suppress(OSError):
        write_private(plan / TAKEN, orjson.dumps([[g, d, s, list(m)] for g, d, s, m in entries]))


def untake(plan: Path, group_ids: Iterable[str], depth: int = 0) -> None:
    """Undo ``mark_taken`` of the decisions of ``group_ids`` in ``plan`` and, for one its
    plan carried (``summary.json``'s ``carried_decisions``), in the folder it came from: a
    ``decision = merge`` the run held after the go-ahead (its re-check: a deal changed while
    the job ran) was never carried out, so every night names it again (x52r9 F3). A folder
    that cannot be written is left as it is."""
    ids = set(group_ids)
    if not ids or depth > 16 or not plan.is_dir():
        return
    done = taken(plan)
    if (left := {e for e in done if e[0] not in ids}) != done:
        with contextlib.suppress(OSError):
            write_private(plan / TAKEN,
                          orjson.dumps([[g, d, s, list(m)] for g, d, s, m in sorted(left)]))
    origins: dict[str, set[str]] = {}
    for c in _carried(plan):
        if str(c.get("group_id")) in ids and c.get("from"):
            origins.setdefault(str(c["from"]), set()).add(str(c.get("origin_group")))
    for folder, gids in origins.items():
        untake(Path(folder), gids, depth + 1)


def _summary(plan: Path, key: str) -> list[Any]:
    try:
        summary = orjson.loads((plan / "summary.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return []
    got = summary.get(key) if isinstance(summary, dict) else None
    return list(got) if isinstance(got, list) else []


def _carried(plan: Path) -> list[dict[str, Any]]:
    return [c for c in _summary(plan, CARRIED) if isinstance(c, dict)]


def _named_there(plan: Path, members: frozenset[int], group: str = "", depth: int = 0
                 ) -> bool:
    """Whether ``plan`` named an earlier decision on any of ``members`` as not taken
    (``decisions_named``): a decision written there replaces it, settles a conflict. A
    decision ``plan`` carried (its ``group``, from another folder: ``carried_decisions``)
    is judged where it was written (x43r2 F2: the apply of a night's plan, which reads its
    own folder too, took a carried settlement for a new conflict)."""
    for ids in _summary(plan, NAMED):
        with contextlib.suppress(TypeError, ValueError):
            if members & {int(i) for i in ids}:
                return True
    if not group or depth >= 50:  # a loop of folders naming each other
        return False
    return any(_named_there(Path(str(c.get("from"))), members, str(c.get("origin_group")),
                            depth + 1)
               for c in _carried(plan) if c.get("group_id") == group)


def _disagree(newer: PlannedGroup, older: PlannedGroup) -> bool:
    """A keep-separate against a merge, or two merges naming different survivors."""
    return newer.decision != older.decision or (
        newer.decision == "merge" and newer.survivor_id != older.survivor_id)


def _mark_with_origins(plan: Path, group: PlannedGroup, depth: int = 0) -> None:
    """``group``'s decision taken in ``plan``, and in the folder its plan carried it from,
    and so on (a decision carried on two nights, the first one's run stopped early)."""
    mark_taken(plan, [group])
    if depth >= 50:  # a loop of folders naming each other: never more than the plans kept
        return
    for c in _carried(plan):
        if c.get("group_id") != group.id or c.get("decision") != group.decision:
            continue
        origin = Path(str(c.get("from")))
        try:
            groups = read_groups(origin)
        except InputError:
            continue
        for o in groups:
            if (o.id == c.get("origin_group") and o.decision == group.decision
                    and set(o.member_ids) == set(group.member_ids)):
                _mark_with_origins(origin, o, depth + 1)


def take_everywhere(plans: Path, decided: Iterable[PlannedGroup],
                    made: Path | None = None) -> None:
    """Decisions on the same deals written in the other run plans of ``plans`` taken too:
    the same decision in any of them, and any decision in a run plan older than ``made``
    (the folder of ``decided``, when it is one of ``plans``: a later decision replaces an
    earlier one). A group decided again on a later night (it was proposed again, or named
    as not taken) would else come back once the newer one is taken: a merge named every
    night as not taken though its deals are merged, or kept separate since."""
    groups_in = [g for g in decided if g.decision]
    if not groups_in:
        return
    same = {(g.decision, frozenset(g.member_ids)) for g in groups_in}
    deals = {frozenset(g.member_ids) for g in groups_in}
    newest = made.name if made is not None and made.parent.resolve() == plans.resolve() else None
    for folder in run_plans(plans):
        older = newest is not None and folder.name < newest
        try:
            groups = read_groups(folder)
        except InputError:
            continue
        mark_taken(folder, [g for g in groups
                            if (g.decision, frozenset(g.member_ids)) in same
                            or (older and frozenset(g.member_ids) in deals)])


def mark_plan_taken(plan: Path, plans: Path | None = None,
                    held: Callable[[Path, list[PlannedGroup], Path], Mapping[int, str]]
                    | None = None) -> None:
    """An apply or run of ``plan`` went ahead: its decisions, those its plan carried from
    earlier folders (``summary.json``'s ``carried_decisions``, followed back) and the same
    ones written in the run plans of ``plans`` (``STATE/plans``: ``take_everywhere``) are
    taken; but not a group ``held`` (``decisions_elsewhere.held_elsewhere``: groups.csv
    row -> why) holds against another folder's untaken decision."""
    try:
        groups = [g for g in read_groups(plan) if g.decision]
    except InputError:
        return
    if plans is not None and held is not None:  # a group the apply held against another
        # folder's untaken decision took neither: both stay untaken, named every night
        # (x43r6 F1: both were marked taken, the keep-separate forgotten, the group
        # "undecided" the next night)
        rows = held(plan, groups, plans)
        groups = [g for g in groups if g.row not in rows]
    for g in groups:
        _mark_with_origins(plan, g)
    if plans is not None:
        take_everywhere(plans, groups, plan)


@dataclass(frozen=True, slots=True)
class Decided:
    """A decision written in an earlier plan's groups.csv that nothing took yet."""

    plan: Path
    group: PlannedGroup

    @property
    def members(self) -> frozenset[int]:
        return frozenset(self.group.member_ids)

    def named(self) -> str:
        return f"group {self.group.id} (row {self.group.row} of {self.plan / GROUPS})"


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two decisions not taken on the same deals that disagree (``newer``'s folder is the
    newer); ``tonight``: the group of tonight's plan holding their deals (review band, no
    decision), "" when tonight proposes none."""

    newer: Decided
    older: Decided
    tonight: str = ""

    @property
    def members(self) -> frozenset[int]:
        return self.newer.members | self.older.members


@dataclass(frozen=True, slots=True)
class Left:
    """A pending merge decision tonight's plan did not carry: ``why``; ``tonight``: the id of
    tonight's group holding its deals ("" none); ``stale``: its deals changed (or went)
    since its plan, so a ``dedupe apply`` of its folder refuses it too."""

    decided: Decided
    why: str
    tonight: str = ""
    stale: bool = False
    never: bool = False  # it can never be taken (``blocked``): said once, then settled


@dataclass
class Earlier:
    """The decisions of earlier run plans not yet taken (``pending``), and what tonight's
    plan did with them (``carry``); ``conflicts``: those taken by neither side
    (``hold_conflicts``); ``plan``: tonight's plan folder, when known."""

    decided: list[Decided] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    plan: Path | None = None
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (folder, why)
    # an unreadable folder's plan's deals (``folder_deals``), and tonight's groups holding
    # them (``hold_conflicts``): held, not merged, until the folder can be read
    unreadable_deals: dict[Path, frozenset[int]] = field(default_factory=dict)
    unreadable_held: dict[Path, list[str]] = field(default_factory=dict)
    carried: list[tuple[Decided, str]] = field(default_factory=list)  # (decision, tonight's id)
    left: list[Left] = field(default_factory=list)  # merges not carried
    # merges a person carried out by hand as decided (``done_by_hand``): taken, not left
    by_hand: list[Decided] = field(default_factory=list)
    by_hand_into: dict[Decided, int] = field(default_factory=dict)  # the deal left of each

    @property
    def keep_separate(self) -> list[Decided]:
        return [d for d in self.decided if d.group.decision == "keep-separate"]

    @property
    def merges(self) -> list[Decided]:
        return [d for d in self.decided if d.group.decision == "merge"]

    def keep_pairs(self) -> set[frozenset[int]]:
        """Every pair of every group a person kept separate."""
        ids = [sorted(d.members) for d in self.keep_separate]
        return {frozenset((a, b)) for m in ids for i, a in enumerate(m) for b in m[i + 1:]}

    def deals(self) -> set[int]:
        """The deals of every decision not taken (conflicting ones too): not "undecided"
        tonight."""
        return ({i for d in self.decided for i in d.members}
                | {i for c in self.conflicts for i in c.members}
                | {i for m in self.unreadable_deals.values() for i in m})

    def held_deals(self) -> frozenset[int]:
        """The deals tonight keeps apart for a person: a conflict's, an unreadable folder's."""
        return frozenset({i for c in self.conflicts for i in c.members}
                         | {i for m in self.unreadable_deals.values() for i in m})


def _without_decisions(folder: Path) -> bool:
    """groups.csv's header reads and has no ``decision`` column: no plan's file, nothing a
    person decided in. A header that cannot be read is no proof of that (x43r2 F5: a
    cp1252 file was passed over as if it had none)."""
    try:
        return "decision" not in {h.strip()
                                  for h in manifest_header(folder / GROUPS, format="csv")}
    except (InputError, OSError):
        return False


def folder_deals(folder: Path) -> frozenset[int]:
    """The deals of ``folder``'s plan's groups, without its groups.csv: its ``deals.jsonl``
    (the records of its groups' deals, ``planfiles.write_plan``), else (missing, damaged or
    empty) the deals of its ``pairs.csv``; empty when neither reads."""
    with contextlib.suppress(InputError, OSError):
        if deals := frozenset(read_records(folder)):
            return deals
    try:
        return frozenset(i for pair in read_pair_bands(folder) for i in pair)
    except (OSError, UnicodeDecodeError, ValueError):
        return frozenset()


def pending(folders: Iterable[Path], *, skip: Path | None = None) -> Earlier:
    """The decisions in ``folders``' groups.csv (newest first; a run's plan folders) that no
    apply or run took (``taken``), but ``skip``'s (the plan being written). A deal decided in
    two folders counts once, by the newest; when the two disagree (``_disagree``) neither
    counts: both go to ``conflicts`` (x42r6 F3), unless the newer was written in a plan
    that named a decision on those deals as not taken (``decisions_named``: a person
    decided again where the lines said to).
    A groups.csv that cannot be read (another encoding, a bad decision, a cut row), but one
    whose header has no ``decision`` column, is named in ``unreadable`` (kept: it may hold
    decisions) with its plan's deals (``folder_deals``; held tonight: ``hold_conflicts``)."""
    out = Earlier()
    seen: dict[int, Decided] = {}
    for folder in folders:
        if skip is not None and folder.resolve() == skip.resolve():
            continue
        if not (folder / GROUPS).is_file():
            continue
        try:
            groups = read_groups(folder)
        except InputError as exc:
            if not _without_decisions(folder):  # else no plan's file: nothing to decide in
                out.unreadable.append((folder, str(exc)))
                out.unreadable_deals[folder] = folder_deals(folder)
            continue
        done = taken(folder)
        for g in groups:
            if not g.decision or _key(g) in done:
                continue
            d = Decided(folder, g)
            newer = [seen[i] for i in sorted(d.members) if i in seen]
            if not newer:
                out.decided.append(d)
                seen.update(dict.fromkeys(d.members, d))
                continue
            for n in dict.fromkeys(newer):  # each newer decision once, in order
                if _disagree(n.group, g) and not _named_there(n.plan, n.members, n.group.id):
                    out.conflicts.append(Conflict(n, d))
                    if n in out.decided:
                        out.decided.remove(n)
    return out


def hold_conflicts(earlier: Earlier, groups: list[Group], plan: Path | None = None
                   ) -> list[Group]:
    """Tonight's ``groups`` with each group holding deals of a conflict (``earlier.
    conflicts``) or of an unreadable folder's plan (``earlier.unreadable_deals``) put in the
    review band with no decision: kept apart, proposed for a person to settle;
    ``earlier.conflicts`` learn that group's id, ``earlier.unreadable_held`` the groups
    held for each unreadable folder, and ``earlier.plan`` ``plan``."""
    earlier.plan = plan
    held = earlier.held_deals()
    if not held:
        return groups
    out = list(groups)
    for n, g in enumerate(out):
        if held & set(g.member_ids):
            out[n] = replace(g, band="review", decision="")
    earlier.unreadable_held = {folder: [g.id for g in out if deals & set(g.member_ids)]
                               for folder, deals in earlier.unreadable_deals.items()}
    earlier.conflicts = [replace(c, tonight=next(
        (g.id for g in out if set(g.member_ids) & c.members), "")) for c in earlier.conflicts]
    return out


def named_json(earlier: Earlier) -> list[list[int]]:
    """summary.json's ``decisions_named``: the deals of each merge left and each conflict
    (``carry``, ``hold_conflicts`` first), as ``warnings`` names them."""
    return [*(sorted(x.decided.members) for x in earlier.left),
            *(sorted(c.members) for c in earlier.conflicts)]


def done_by_hand(group: PlannedGroup, then: Mapping[int, DealRecord],
                 now: Mapping[int, DealRecord]) -> int | None:
    """The deal a ``merge`` decision was carried out into by hand (the survivor, or another
    deal of it: merged the other way, x52r9 N1), else None (``then``: its plan's records,
    ``now``: tonight's), by the rule ``dedupe apply`` judges it by
    (``never_takeable.hand_survivor``; x51r14 F4: the pair a colleague merged as decided was
    named "can never be taken" and the night exited 3)."""
    return hand_survivor(group.member_ids, lambda i: i not in now,
                         lambda i: i in then and now[i].update_time != then[i].update_time)


def blocked(members: Iterable[int], then: Mapping[int, DealRecord],
            now: Mapping[int, DealRecord], kept: Container[frozenset[int]] = frozenset()
            ) -> tuple[str, bool] | None:
    """Why a ``merge`` decision on ``members`` (survivor first; its plan's records ``then``,
    tonight's ``now``; ``kept``: the pairs kept separate) cannot be taken as it stands, in the order
    and words ``dedupe apply`` judges it (``never_takeable``, ``apply._changed``: x43r2 F3, the
    night said "changed since that plan" of a deal never in it or merged away), and whether
    it never can be (a deal gone, a pair kept separate: no plan proposes it again); None
    when nothing blocks it."""
    ids = list(dict.fromkeys(members))  # the survivor first, as apply reads a group
    for i in ids:  # first: a deal the plan never read (an edited id)
        if i not in then:
            return (f"deal {i} is in none of the plan's pairs (deals.jsonl holds the deals "
                    "of its pairs): a group may only name deals the plan compared"), False
    # gone before changed (a merge moves its survivor too), then a pair kept separate:
    # the one rule apply judges them by (``never_takeable``)
    if (why := never_takeable(ids, lambda i: i not in now, kept)) is not None:
        return why, True
    for i in ids:
        if then[i].update_time != now[i].update_time:
            return f"deal {i} changed since that plan", False
    return None


def carry(earlier: Earlier, groups: list[Group], records: Mapping[int, DealRecord],
          kept: Container[frozenset[int]] = frozenset()) -> list[Group]:
    """Tonight's ``groups`` with each pending ``merge`` decision carried into the group of
    exactly its deals, none changed since the reviewer's plan (``records``: tonight's); the
    others go to ``earlier.left`` with why, tonight's group holding its deals and whether
    they changed since that plan (then its own folder's apply refuses it too: x42r6 F4), or
    can never be taken (``blocked``; ``kept``: the state's keep-separate pairs).
    ``earlier.carried`` learns what was carried."""
    by_members = {frozenset(g.member_ids): n for n, g in enumerate(groups)}
    out = list(groups)
    then_by_plan: dict[Path, dict[int, DealRecord] | str] = {}
    for d in earlier.merges:
        if d.plan not in then_by_plan:
            try:
                then_by_plan[d.plan] = read_records(d.plan)
            except InputError as exc:
                then_by_plan[d.plan] = f"its plan cannot be read ({exc})"
        then = then_by_plan[d.plan]
        n = by_members.get(d.members)
        holds = out[n].id if n is not None else next(
            (g.id for g in out if set(g.member_ids) & d.members), "")
        if isinstance(then, str):
            earlier.left.append(Left(d, then, holds, stale=True))
            continue
        if (live := done_by_hand(d.group, then, records)) is not None:  # taken: said so,
            earlier.by_hand.append(d)                                  # no exit 3 for it
            earlier.by_hand_into[d] = live
            continue
        stale, never = blocked(d.group.member_ids, then, records, kept) or (None, False)
        if never:  # said once as such (the run settles it: ``settle_never``)
            earlier.left.append(Left(d, str(stale), holds, stale=True, never=True))
            continue
        if n is None:
            why = ("its deals are not one group tonight (merged, deleted, edited, or grouped "
                   "otherwise)" + (f": {stale}" if stale else ""))
            earlier.left.append(Left(d, why, holds, stale=stale is not None))
            continue
        if stale is not None:  # the reviewer saw other deals: tonight's group holds them now
            earlier.left.append(Left(d, f"{stale} (this plan's group {holds} holds its deals)",
                                     holds, stale=True))
            continue
        g = out[n]
        out[n] = replace(g, survivor_id=d.group.survivor_id, merged_ids=d.group.merged_ids,
                         decision="merge")
        earlier.carried.append((d, g.id))
    return out


def carried_json(earlier: Earlier) -> list[dict[str, Any]]:
    """summary.json's ``carried_decisions``: each decision carried in, and its origin."""
    return [{"group_id": gid, "from": str(d.plan), "origin_group": d.group.id,
             "row": d.group.row, "decision": d.group.decision} for d, gid in earlier.carried]


def record_kept(earlier: Earlier, state: Path, alive: Container[int]) -> tuple[int, int]:
    """A run: remember the pending keep-separate decisions in ``state``'s keep-separate.json
    (``index.remember_keep_separate``, shared on a coordinator), each group without its
    deals not ``alive`` tonight (deleted, merged away, archived), and mark them taken in
    their folders; (groups recorded, groups left with fewer than two deals: not recorded)."""
    from .index import remember_keep_separate

    kept = earlier.keep_separate
    due = [alive_ids for d in kept
           if len(alive_ids := sorted(i for i in d.members if i in alive)) >= 2]
    if due:
        remember_keep_separate(state, due)
    for d in kept:
        mark_taken(d.plan, [d.group])
    for plan in {d.plan for d in kept}:  # one pass over the folders a plan
        take_everywhere(state / "plans", [d.group for d in kept if d.plan == plan], plan)
    return len(due), len(kept) - len(due)


def apply_command(plan: Path, job_dir: Path, state: Path) -> str:
    """``pdbulk dedupe apply PLAN --job-dir J --state-dir S`` (with the coordinator flag when
    this run has one, never its password: ``bulk.coordinator_urls.coordinator_flag``)."""
    from bulk.coordinator_urls import coordinator_flag, coordinator_url

    url = coordinator_url()
    flag, note = coordinator_flag(url) if url else ("", "")
    return f"pdbulk dedupe apply {plan} --job-dir {job_dir} --state-dir {state}{flag}{note}"


def lines(earlier: Earlier, *, recorded: int | None = None, gone: int = 0) -> list[str]:
    """What a plan or run says of the earlier decisions it took: those kept separate
    (``recorded``: the pairs' groups a run recorded, None for a plan, which records nothing;
    ``gone``: groups with a deal gone, not recorded), and those carried."""
    out: list[str] = []
    kept = earlier.keep_separate
    if kept:
        how = ("kept apart tonight and recorded in keep-separate.json" if recorded is not None
               else "kept apart by this plan (the next run records them)")
        more = (f"; {gone} with a deal gone since: nothing to keep separate, not recorded"
                if gone else "")
        shown = ", ".join(d.group.id for d in kept[:5]) + (" ..." if len(kept) > 5 else "")
        out.append(f"{len(kept):,} keep-separate decision(s) written in an earlier plan's "
                   f"groups.csv ({shown}): {how}{more}")
    for d, gid in earlier.carried:
        out.append(f"{d.named()}: decision = merge carried into this plan's group {gid} (its "
                   "deals unchanged since that plan)")
    for d in earlier.by_hand:  # x51r14 F4: taken, not "can never be taken"
        out.append(f"{d.named()}: decision = merge done by hand: "
                   f"{by_hand_reason(d.group.member_ids, earlier.by_hand_into.get(d))}")
    waiting = [x.decided.group.id for x in earlier.left] + [
        c.tonight or c.newer.group.id for c in earlier.conflicts]
    if waiting:  # x42r6 F4: never counted "undecided"
        shown = ", ".join(waiting[:5]) + (" ..." if len(waiting) > 5 else "")
        out.append(f"decided, not taken: {len(waiting):,} group(s) a person decided in an "
                   f"earlier plan's groups.csv ({shown}), not taken tonight (named on stderr "
                   "with what settles each)")
    return out


def _said(g: PlannedGroup) -> str:
    return f"merge into deal {g.survivor_id}" if g.decision == "merge" else g.decision


def _newest(plan: Path | None, gid: str) -> str:
    """`` (PLAN/groups.csv, group G)`` for tonight's group in a run's plan folder, else ""
    (``pdbulk plan dedupe``'s folder is temporary; no night reads a ``-o`` folder's)."""
    if not gid or plan is None or plan not in run_plans(plan.parent):
        return ""
    return f" ({plan / GROUPS}, group {gid})"


def settle_never(earlier: Earlier) -> int:
    """A run: the merge decisions that can never be taken (``Left.never``) and those done by
    hand (``Earlier.by_hand``) marked taken in their folders, so no later night names them
    again nor keeps their folder past retention (x43r2 F3: one was named on 25 nights); how
    many."""
    never = [x.decided for x in earlier.left if x.never] + earlier.by_hand
    for d in never:
        mark_taken(d.plan, [d.group])
    return len(never)


def _left_line(x: Left, plan: Path | None, command: Callable[[Path], str]) -> str:
    head = f"{x.decided.named()}: decision = merge not taken by this plan: {x.why}"
    if x.never:
        return (f"{head}; it can never be taken (a dedupe apply of its folder refuses it "
                "too, and no plan proposes these deals as one group again): said this once, "
                "a run settles it; to merge what is left, decide in a newer plan that "
                "proposes it")
    if not x.stale:  # its deals as that plan saw them: an apply of its folder judges it
        return (f"{head}; named every night until taken: decide it again in the newest "
                "plan's groups.csv, or have it judged against the deals as they are now "
                f"with: {command(x.decided.plan)}")
    if not x.tonight:
        return (f"{head}; its own folder's apply would refuse it too, and no group of this "
                "plan holds its deals; named every night until taken: decide it again in "
                "the newest plan that proposes them, or clear the decision")
    return (f"{head}; its own folder's apply would refuse it too; "
            "named every night until taken: decide it again in the newest plan's groups.csv"
            f"{_newest(plan, x.tonight)}")


def warnings(earlier: Earlier, command: Callable[[Path], str]) -> list[str]:
    """Each pending merge decision not carried, with the command that takes it
    (``command(plan)``), each conflict (``conflicts``) and each groups.csv that cannot be
    read."""
    out = [_left_line(x, earlier.plan, command) for x in earlier.left]
    for c in earlier.conflicts:
        n, o = c.newer.group, c.older.group
        where = (f"this plan's group {c.tonight} (review band, no decision)" if c.tonight
                 else "no group of this plan holds them")
        newest = _newest(earlier.plan, c.tonight)
        out.append(
            f"{c.newer.named()}: decision = {_said(n)} and {c.older.named()}: decision = "
            f"{_said(o)} disagree on deals {', '.join(map(str, sorted(c.members)))}: "
            f"neither is taken; the deals are kept apart ({where}); named every night until "
            f"settled: decide once in the newest plan's groups.csv{newest} (that decision "
            "replaces both), or clear the decision you no longer want")
    for folder, why in earlier.unreadable:
        gids = earlier.unreadable_held.get(folder, [])
        shown = ", ".join(gids[:10]) + (" ..." if len(gids) > 10 else "")
        held = (f"this plan's group(s) holding its deals are held, not merged (review band, "
                f"no decision): {shown}" if gids else
                "no group of this plan holds its deals; any that does is held, not merged")
        out.append(f"the decisions in {folder / GROUPS} cannot be read ({why}): {held}; "
                   "named every night and the folder kept until they can be read: correct "
                   "the file as said (saved as UTF-8, CSV), then the next night takes them")
    return out


__all__ = ["CARRIED", "NAMED", "TAKEN", "Conflict", "Decided", "Earlier", "Left", "apply_command",
           "carried_json", "carry", "hold_conflicts", "lines", "named_json",
           "blocked", "mark_plan_taken", "mark_taken", "pending", "record_kept",
           "settle_never", "take_everywhere", "untake",
           "taken", "warnings"]
