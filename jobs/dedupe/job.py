"""Making a dedupe plan: read the account (or what changed since the last run), match, write.

``make_plan`` is the library entry point of ``pdbulk dedupe plan`` and of the
planning half of ``pdbulk dedupe run``: it reads the deals with the v2 list
(``records.read_records``; with ``since_last`` only the deals updated since the
index's newest ``update_time``, compared against the index with
``find_duplicates(focus=changed ids)``; deals deleted, merged away or archived since
are dropped from the index: two more list calls, ``getDeals?status=deleted`` and
``getArchivedDeals``; persons and organizations renamed since, whose deals are compared
again: two more, ``getPersons?updated_since=`` and ``getOrganizations?updated_since=``;
and the deals of the review groups an earlier night proposed that no one decided since,
``DealIndex.review``: proposed again until decided, ``review_again_line`` says so),
calls ``find_duplicates`` with the
remembered keep-separate pairs (and those a person wrote in an earlier night's plan folder
that nothing took yet: ``earlier_decisions``, whose pending ``merge`` decisions are carried
into this plan's groups when their deals are unchanged) and what earlier applies merged into each deal
(``index.absorbed``: a survivor keeps the guards of the deals it absorbed), and
writes groups.csv, pairs.csv, summary.json, deals.jsonl and review.html into the
plan directory, private (0700 / 0600 whatever the umask, as a job folder). Nothing
is written to Pipedrive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.store import private_tree

from .. import setting_checks as checks
from .config import DedupeConfig, resolve_identifiers
from .earlier_decisions import (
    CARRIED,
    NAMED,
    Earlier,
    carried_json,
    carry,
    hold_conflicts,
    named_json,
    pending,
)
from .index import (
    DealIndex,
    absorbed,
    indexed_since,
    load_keep_separate,
    load_merges,
    wall_stamp,
)
from .matching import find_duplicates
from .model import DealRecord, Group, MatchResult
from .planfiles import write_plan
from .reason_names import ReasonNames
from .records import (
    archived_since,
    deal_fields,
    deleted_since,
    field_names,
    field_types,
    names_of,
    orders_of,
    orgs_since,
    persons_since,
    read_records,
    review_names,
    stages,
)
from .retention import run_plans
from .review import write_review


@dataclass
class PlanOutcome:
    """What ``make_plan`` found and wrote."""

    directory: Path
    result: MatchResult
    summary: dict[str, Any]
    index: DealIndex | None  # the refreshed index (since_last), not yet saved
    deals_read: int
    index_base: str | None = None  # the index's time before this plan refreshed it
    # the decisions of earlier run plans not taken yet, and what this plan did with them
    earlier: Earlier = field(default_factory=Earlier)


async def make_plan(ctx: CallContext, config: DedupeConfig, directory: Path, *,
                    state_dir: Path, since_last: bool = False, share: bool = False
                    ) -> PlanOutcome:
    """Read, match and write the plan files (see the module docstring). The account's
    stages are read first (``getStages``, the cheapest read it needs: a run refused for
    budget pays its 5 tokens), then its deal fields (one ``getDealFields`` page):
    ``[match] identifiers`` are resolved against them (``DedupeConfigError`` for a name
    no custom field has), and the plan names custom fields by their names. Raises
    ``DedupeConfigError`` (an ``InputError``), the API's errors of its reads
    (``Unauthorized``, ``RateLimited`` past its retries, ...), ``BudgetExhausted`` when
    the budget runs out, and ``OSError`` when ``directory`` or the state directory cannot
    be written. ``share``: the planning half of a ``dedupe run`` shares this folder's
    keep-separate decisions with the company's other hosts under a shared coordinator
    (``index.load_keep_separate``); a plan alone (``dedupe plan``, ``pdbulk plan dedupe``)
    reads them and writes no shared state (f39c)."""
    checks.instance("make_plan", "ctx", ctx, CallContext, "a bulk.CallContext (Engine.ctx)")
    checks.instance("make_plan", "config", config, DedupeConfig, "a jobs.DedupeConfig")
    checks.path("make_plan", "directory", directory)
    checks.path("make_plan", "state_dir", state_dir)
    start = wall_stamp(ctx.clock.wall())  # the index's time never passes it (x24r4 5)
    # the cheapest read the plan needs goes first (getStages, 5 tokens): its answer tells
    # the day's budget, so a run refused for budget spends 5 tokens, not getDealFields' 10
    # (x26r1 4: a nightly run refused by --budget-share paid 10 tokens every night)
    listed = await stages(ctx)  # read once: the stage order and the stages' names
    orders = orders_of(listed)
    fields = await deal_fields(ctx)
    config = resolve_identifiers(config, fields)
    names = field_names(fields)
    # off the loop: a shared coordinator's Redis holds every host's decisions (x38r2 F2)
    keep = await in_thread(lambda: load_keep_separate(state_dir, share=share))
    # x42r2 F1: a reviewer's decisions in an earlier night's groups.csv no apply took
    earlier = await in_thread(lambda: pending(run_plans(state_dir / "plans"), skip=directory))
    keep = keep | earlier.keep_pairs()
    index: DealIndex | None = None
    base: str | None = None
    focus: set[int] | None = None
    if since_last:
        index = DealIndex.load(state_dir)
        base = index.updated_since
        if base is not None and base > start:  # a time past the present (kept before x24r4
            index.updated_since = None         # 5's fix): what it hid is read whole again
        full = index.updated_since is None
        # persons renamed since (a rename changes no deal): their names now, for the deals
        # read and for the index's rows (f35e: the index's name stood until a full plan)
        rekeyed: dict[int, tuple[str, ...]] = {}  # ... and their e-mails / phones (x42r2 F5)
        renamed = {} if full else await persons_since(ctx, str(index.updated_since), rekeyed)
        # ... and organizations (f36e 3: an org renamed to or from a catch-all name, or to
        # another company's, kept the index's name until a full plan)
        orgs = {} if full else await orgs_since(ctx, str(index.updated_since))
        changed = await read_records(ctx, since=index.updated_since,
                                     policy=config.field_policy,
                                     known_orgs={**index.org_names(), **orgs}, orders=orders,
                                     known_persons={**index.person_names(), **renamed},
                                     known_person_keys={**index.person_keys(), **rekeyed})
        read = len(changed)
        # gone since: deleted (or merged away), and archived (never in the deals list)
        gone = [] if full else [*await deleted_since(ctx, str(index.updated_since)),
                                *await archived_since(ctx, str(index.updated_since))]
        if full:
            index.deals.clear()
        else:  # the pull is inclusive of updated_since's second: what the index has as is
            changed = [r for r in changed if not index.seen(r)]  # is no change
        index.refresh(changed, gone=gone, ceiling=start)
        moved = index.rename_persons(renamed) | index.rename_orgs(orgs) \
            | index.rekey_persons(rekeyed)
        # the deals that changed, those whose person was renamed, and those of groups an
        # earlier apply left unfinished
        # ... and those of review groups no one decided yet (proposed again until decided)
        focus = None if full else ({r.id for r in changed} | moved
                                   | ((index.pending | index.review) & index.deals.keys()))
        deals: list[DealRecord] = list(index.deals.values())
    else:
        deals = await read_records(ctx, policy=config.field_policy, orders=orders)
        read = len(deals)
        # a full read rebuilds the nightly index: kept with the plan, installed by its apply
        # (as a --since-last plan's), so a damaged or stale index heals with one full run
        base = indexed_since(state_dir)  # (a damaged index is no obstacle: it is rebuilt)
        index = DealIndex({}, None)
        index.refresh([r for r in deals if r.status != "deleted"], ceiling=start)
    merged_into = absorbed(load_merges(state_dir), {r.id for r in deals})
    result = find_duplicates(deals, config, keep_separate=keep, focus=focus,
                             absorbed=merged_into)
    records = {r.id: r for r in deals}
    if earlier.merges:  # carried where its deals are one group tonight, unchanged since
        result = replace(result, groups=tuple(carry(earlier, list(result.groups), records,
                                                    keep)))
    # x42r6 F3: decisions that disagree on the same deals: neither taken, the deals kept
    # apart tonight (review band) for a person to settle in this plan's groups.csv
    result = replace(result, groups=tuple(hold_conflicts(earlier, list(result.groups),
                                                         directory)))
    # the late copies left out of their groups: the next --since-last plan compares them
    # again whatever changed (f37d 1: only a survivor whose update_time the merge moved
    # brought one back; the index's earlier pending served this plan's focus, and its apply
    # adds the groups it leaves unfinished)
    index.pending = {i for g in result.groups for i in g.left_out}
    # the review groups a person has to decide: proposed again every --since-last night
    # until decided (merged, or kept separate); those an earlier night proposed are said
    earlier_review = index.review if since_last else set()
    index.review = {i for g in result.groups if g.band == "review" for i in g.member_ids}
    decided = earlier.deals()  # a person decided them (in an earlier plan): not "undecided"
    again = sum(1 for g in result.groups if g.band == "review"
                and set(g.member_ids) & earlier_review and not set(g.member_ids) & decided)
    members = [records[i] for g in result.groups for i in g.member_ids if i in records]
    named = {k: names[k] for k in sorted({k for r in members for k in r.fields}
                                         | set(config.field_policy)) if k in names}
    options = {k: dict(config.field_options[k]) for k in named if k in config.field_options}
    # the records the reasons name by id (owners, pipelines, user / person / org / stage
    # custom fields): groups.csv, pairs.csv and review.html name them (f27a 3)
    renamer = ReasonNames.of(field_types(fields), names)
    refs = renamer.wanted(r for p in (*result.pairs, *result.held) for r in p.reasons)
    entities = await review_names(ctx, members, refs,  # the drops name them too
                                  known_orgs={r.org_id: r.org_name for r in deals
                                              if r.org_id is not None and r.org_name},
                                  known={"stage": names_of(listed)},
                                  known_persons={r.person_id: r.person_name for r in deals
                                                 if r.person_id is not None
                                                 and r.person_name is not None})
    if wanted_deals := refs.get("deal"):  # a deal-type field's deals: their titles, read
        entities["deal"] = {i: records[i].title for i in wanted_deals  # with the plan's
                            if i in records and records[i].title}
    renamer = renamer.with_entities(entities)
    summary = write_plan(directory, result, records, config.field_policy, names=named,
                         options=options, entities=entities, say=renamer, extra={
        "deals_read": read, "deals_compared": len(deals), "incremental": focus is not None,
        "review_groups_again": again,
        "keep_separate_pairs": len(keep),
        **({CARRIED: carried_json(earlier)} if earlier.carried else {}),
        **({NAMED: named_json(earlier)} if earlier.left or earlier.conflicts else {}),
        "field_policy": dict(config.field_policy),
        "duplicate_threshold": config.duplicate_threshold,
        "review_threshold": config.review_threshold, "guards": sorted(config.guards),
        "identifier_fields": dict(config.identifier_fields), "field_names": named,
        "reference_fields": renamer.references()})
    write_review(directory, result.groups, records, names=entities,
                 fields=named, options=options, say=renamer, policy=config.field_policy)
    private_tree(directory)  # deal snapshots, person names: 0700 / 0600 like a job folder
    return PlanOutcome(directory, result, summary, index, read,
                       None if index is None else base, earlier)


def review_again_line(summary: Mapping[str, Any]) -> str | None:
    """The line a plan or run says of its review groups an earlier ``--since-last`` night
    proposed and no one decided since (``summary["review_groups_again"]``): proposed again,
    every night until a person decides them; None when there is none."""
    again = int(summary.get("review_groups_again") or 0)
    if not again:
        return None
    return (f"{again:,} review group{'' if again == 1 else 's'} proposed again, undecided "
            "since an earlier night: a review group is proposed every --since-last night "
            "until a person decides it (decision = merge or keep-separate in its "
            "plan's groups.csv: the next night takes it)")


def left_out_line(groups: Iterable[Group], most: int = 10) -> str | None:
    """The line a plan or run says of the late copies left out of their groups
    (``Group.left_out``), naming at most ``most`` of them with their group; None when
    there is none."""
    out = [(i, g.id) for g in groups for i in g.left_out]
    if not out:
        return None
    named = ", ".join(f"deal {i} ({gid})" for i, gid in out[:most])
    more = f" and {len(out) - most:,} more" if len(out) > most else ""
    return (f"{len(out):,} late cop{'y' if len(out) == 1 else 'ies'} left out of their "
            f"group{'' if len(out) == 1 else 's'}, added days apart from the group's first "
            f"copy (a late copy or a repeat?): {named}{more}; the next plan compares "
            f"{'it' if len(out) == 1 else 'them'} again with the survivor, at review "
            "(groups.csv's reasons say which)")


__all__ = ["PlanOutcome", "left_out_line", "make_plan", "review_again_line"]
