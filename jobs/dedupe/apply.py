"""``pdbulk dedupe apply``: merge what a dedupe plan says, through the merge job's machinery.

Which groups: the duplicate band; the review band only with ``include_review``
or where the reviewer wrote ``decision = merge``; with ``auto_apply_above`` (the
nightly ``run``) the duplicate band's groups whose score is at least that (the CLI refuses
a value below the duplicate threshold). A group no person decided is merged only when
every pair of it is in pairs.csv's duplicate band: a pair a "review at most" rule of
scoring holds is review whatever its score (x21r2 F1). A person's ``merge``
overrides the band, never a guard: on every path (apply with or without
``--include-review``, ``run``, ``decision = merge``) a group is merged only when
no pair of it breaks a guard (re-read live) and every pair of it scored at least
the plan's review threshold (the chaining guard, checked pair by pair against
``pairs.csv``, so a group a reviewer edited is judged as edited: its score is the lowest
of its pairs there, not groups.csv's stale ``score``; a plan without a readable pairs.csv is
refused, ``InputError``). A chained group
is never merged; to merge part of it, the reviewer splits it into groups whose
deals are all alike. A damaged plan is refused whole (``planfiles.check_plan_files``:
pairs.csv or deals.jsonl not as summary.json recorded them; ``read_groups``: a groups.csv
row cut short);
planned groups missing from groups.csv are named in a note. ``keep-separate``
groups are recorded in the state directory (``index.remember_keep_separate``) when the
apply goes ahead (``record_separate``; a declined or dry-run apply records nothing)
and never proposed again (to forget one, take its pair out of keep-separate.json); the
merges chosen are recorded there too
(``index.remember_merges``: the next plan keeps each survivor apart from what
the deals merged into it were kept apart from): ``record_intended`` once the apply
is confirmed, right before it is sent, and ``DedupeJob.after_run`` (also after a
``pdbulk resume``) marks the merges Pipedrive made ``confirmed`` — the only proof
that a deal gone now was merged by us. ``max_merges`` caps the merges sent:
whole groups are taken in plan order, each one that still fits under the cap with
those taken before it; a group that would pass it is skipped (``over --max-merges N``,
named in a plan note) and the groups after it are still taken when they fit (more done
each night); a group refused (changed, guarded, chained, merged by an earlier apply)
uses none of it.

Right before anything is sent, every deal of the chosen groups is read again
(``GET /api/v2/deals?ids=``, 100 per call, 10 tokens) and a group is skipped,
with the reason in the job's report, when two of its deals break a guard of the
plan (a reviewer may have edited the group), when one of its deals was deleted or
merged, or changed (its ``update_time`` is not the plan's).

Field policy (config ``[field_policy]``): where the chosen values differ from the
survivor's, the survivor gets ONE ``PATCH /api/v2/deals/{id}`` (5 tokens) before
its group's first merge; the previous values are kept as a ``deal-policy``
before-image (``pdbulk undo`` of the job puts them back). Merges then keep the
survivor's non-empty values (FACTS.md, Merge). The merges are ``PUT
/v1/deals/{id}/merge`` (40 tokens), one at a time per survivor, each in doubt
until proven (``MergeJob.reconcile``: a merge whose merged-away deal is gone is
done, never sent twice). The job kind that sends them, and how a group's merges
depend on its PATCH, is ``merge_job.DedupeJob``. A snapshot of the fields of every deal of every
merged group is stored before the run, as for ``pdbulk merge`` (the deal's fields only: its
activities, notes, files, products and followers move with a merge and are not in it).

Why ~1000 lines: which groups a plan's apply takes (``ApplyOptions.wants``,
``planned_merges``) and the checks each group passes before its merges are sent (changed,
guarded, chained, held at review, already merged, merged by another job, held by what the
account or the config holds now) are one decision, read by the run, its plan lines and
``pdbulk plan dedupe`` alike; split, they would drift apart (x21r2 F1).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.manifest_stamp import absolute
from bulk.store import (
    BeforeImage,
    ItemState,
    JobStore,
    NewItem,
)

from ..deals import Deal, before_image, is_gone, read_deals
from ..load_stop import checked
from ..merging import PAIR_READS
from ..updating import Prepared, changed_names
from .apply_claims import left_to_another_run, merged_by_others
from .config import DedupeConfig
from .decisions_elsewhere import held_elsewhere
from .evidence import not_included, two_companies
from .gone_by import gone_by
from .held_now import held_now, names_now, wanted_ids
from .index import (
    CONFIG,
    KEEP_SEPARATE,
    PLAN_INDEX,
    compact_row,
    forget_merged,
    from_compact_row,
    install_plan_index,
    load_keep_separate,
    load_makers,
    load_merges,
    remember_keep_separate,
    remember_makers,
    remember_merges,
    remembered_config,
    state_lock,
)
from .merge_cap import MergeCap
from .model import DealRecord, Group
from .never_takeable import by_hand_reason, gone_reason, hand_survivor, never_takeable
from .planfiles import (
    SUMMARY,
    PlannedGroup,
    check_plan_files,
    drops_note,
    final_note,
    merge_drops,
    plan_names,
    policy_changes,
    policy_compares,
    policy_sets_title,
    read_groups,
    read_pair_bands,
    read_pair_reasons,
    read_pair_scores,
    read_records,
    read_summary,
)
from .put_back import FIELD_POLICY, POLICY_IMAGE, put_back_note
from .reason_names import ReasonNames
from .records import to_record
from .scoring import guard_reasons

KIND = "dedupe"
DEDUPE_COLUMNS = ("row", "key", "group_id", "deal_id", "merged_id", "action", "reason",
                  "fields")
# an "already merged" row: merges.json records the merge, not which plan or run made it
EARLIER = "merged by an earlier dedupe apply or run (recorded in the state directory)"
STATE_DIR = "dedupe_state_dir"  # job meta: the state directory whose merges.json records the merges
INDEX_DUE = "dedupe.index_due"  # job meta: the state's nightly index waits for the job's end
OPTIONS = "dedupe.apply_options"  # job meta: which groups the job merges (ApplyOptions)
SEPARATE_DUE = "dedupe.keep_separate_due"  # job meta: keep-separate groups, remembered on go-ahead
REFUSED = "dedupe.refused_decisions"  # job meta: reviewers' decision = merge not followed
BY_HAND = "dedupe.done_by_hand"  # job meta: reviewers' decision = merge done by hand: taken
EDITS = "dedupe.refused_edits"  # job meta: groups.csv hand edits refused (no decision = merge)
DECISIONS_DUE = "dedupe.decisions_due"  # job meta: the plan's decisions, taken on go-ahead
# job meta: groups.csv rows whose decision = merge the apply refused or put off (not a deal
# gone, not a pair kept separate): not taken on go-ahead, named every night (x52r9 F3)
LEFT = "dedupe.decisions_left"


@dataclass(frozen=True, slots=True)
class ApplyOptions:
    """Which groups of a plan to merge (see the module docstring)."""

    include_review: bool = False
    max_merges: int | None = None
    auto_apply_above: float | None = None
    record_decisions: bool = True  # False for `pdbulk plan`: nothing is written anywhere

    def wants(self, g: PlannedGroup | Group, review_threshold: float = 0.0, *,
              held: str | None = None) -> str | None:
        """None when the group is merged, else why not (a phrase for the report). No path
        takes a group scoring below ``review_threshold`` (the plan's): such a group is a
        chain of deals not all alike (see the module docstring). A group no person decided
        is merged only in the duplicate band (or with ``include_review`` a review group
        no "review at most" rule holds and something ties to one customer: ``not_included``);
        ``auto_apply_above`` narrows that band, never widens it (x21r2 F1: the review band's
        "review at most" pairs, 0.80, merged at --auto-apply-above 0.8). ``g`` may be a
        fresh plan's ``Group`` (no decision yet). ``held``: for a plan's row (which carries
        no reasons), why the plan's files say --include-review does not take it
        (``_companies``), said before "(or --include-review)" (x48r5 F2: 60 of 60 such rows
        were sent to the flag that leaves them)."""
        decision = getattr(g, "decision", "")
        if decision == "keep-separate":
            return "kept separate (decision)"
        if g.score < review_threshold:
            return (f"score {g.score:.3f} below the review threshold {review_threshold:g} "
                    "(a chain of deals not all alike): never merged, even with decision = "
                    "merge; split the group in groups.csv")
        if decision == "merge":
            return None
        if g.band != "duplicate" and (two := not_included(getattr(g, "reasons", ()))):
            # said first: "(or --include-review)" sent a reader to a flag that leaves it (x34r2 F7)
            return f"review band, {two.split(': --')[0]}: needs decision = merge ({NOT_TAKEN})"
        if g.band != "duplicate" and held is not None:
            return held
        if g.band != "duplicate" and not self.include_review:
            return "review band: needs decision = merge (or --include-review)"
        if self.auto_apply_above is not None and g.score < self.auto_apply_above:
            return f"score {g.score:.3f} below --auto-apply-above {self.auto_apply_above:g}"
        return None


def planned_merges(groups: Sequence[Group], options: ApplyOptions,
                   review_threshold: float, cap: MergeCap | None = None) -> list[Group]:
    """The groups of a fresh plan that ``options`` merge, taken as ``prepare_apply`` takes
    them before its live checks: ``wants``, then whole groups in plan order under
    ``max_merges`` (``MergeCap``, the apply's own; ``cap``, if given, is the one counted,
    so its ``note()`` names the groups left over the cap as the run does: x48r5 F1). The
    run's plan lines and ``pdbulk plan dedupe`` count these (x21r2 F1: the lines counted
    the duplicate band whatever --auto-apply-above said)."""
    cap = MergeCap(options.max_merges) if cap is None else cap
    return [g for g in decided_first(groups)
            if options.wants(g, review_threshold) is None and cap.takes(g)]


_G = TypeVar("_G", PlannedGroup, Group)


def decided_first(groups: Iterable[_G]) -> list[_G]:
    """``groups`` in plan order, a reviewer's ``decision = merge`` first: the order
    ``--max-merges`` takes them in (``MergeCap``), so a person's decision is never put off
    behind the night's undecided backlog (x53r3 F2: a decided group waited in group-id
    order through an apply and two nights, each exiting 0, named only in "… and 118
    more")."""
    groups = list(groups)
    return [g for g in groups if g.decision == "merge"] + \
        [g for g in groups if g.decision != "merge"]


NOT_TAKEN = "--include-review does not take it"  # a skip's tail: only decision = merge does


def _at_review(g: PlannedGroup, bands: Mapping[frozenset[int], str],
               reasons: Mapping[frozenset[int], tuple[str, ...]] | None = None,
               include_review: bool = False) -> str | None:
    """Why a group no person decided is not merged although its row says duplicate: a pair
    of it (as the row names its deals) is not in pairs.csv's duplicate band — and, with
    ``include_review``, only a pair whose ``reasons`` there keep --include-review off it
    (``evidence.not_included``; such a pair is said so without it too: x34r2 F7)."""
    for x, y in itertools.combinations(g.member_ids, 2):
        if (band := bands.get(frozenset((x, y)))) != "duplicate":
            what = f"deals {x} and {y} are {'a ' + band if band else 'no'} pair in pairs.csv"
            if (why := not_included((reasons or {}).get(frozenset((x, y)), ()))) is not None:
                return (f"review band: {what} ({why.split(': --')[0]}): needs decision = merge "
                        f"({NOT_TAKEN})")
            if not include_review:
                return f"review band: {what}; needs decision = merge (or --include-review)"
    return None


def _companies(g: PlannedGroup, planned: Mapping[int, DealRecord],
               pair_reasons: Mapping[frozenset[int], tuple[str, ...]] | None = None) -> str | None:
    """Why a group no person decided is not merged, even with ``--include-review``: its
    deals (as the plan read them) sit at two companies (``evidence.two_companies``), or a
    pair of it (as the row names its deals) says in pairs.csv that nothing ties its deals to
    one customer (a catch-all org, different persons...; x33r3 F1) or that a "review at
    most" rule holds it (a repeat days apart, contradicting evidence, two amounts...; x34r2
    F3): ``evidence.not_included``."""
    if g.band == "duplicate":
        return None
    two = two_companies([planned[i] for i in g.member_ids if i in planned])
    if not two and pair_reasons:
        for x, y in itertools.combinations(g.member_ids, 2):
            if (why := not_included(pair_reasons.get(frozenset((x, y)), ()))) is not None:
                two = f"deals {x} and {y}: {why}"
                break
    return f"review band, {two}: needs decision = merge ({NOT_TAKEN})" if two else None


def _changed(g: PlannedGroup, planned: Mapping[int, DealRecord],
             live: Mapping[int, Deal]) -> str | None:
    for deal_id in g.member_ids:  # an edited id: refused before (``_edit_refused``)
        if deal_id not in planned:
            return _unplanned(deal_id, live)
    for deal_id in g.member_ids:  # gone before changed: a merge moves its survivor too
        if is_gone(live.get(deal_id)):
            # not "since the plan": a --since-last plan's record may be the index's, read
            # on an earlier night (x33r1 M2)
            return gone_reason(deal_id)
    for deal_id in g.member_ids:
        deal = live.get(deal_id)
        assert deal is not None
        before = planned[deal_id]
        if before.update_time != to_record(deal, stage_order={}, org_names={}).update_time:
            then = before.update_time
            shown = then.strftime("%Y-%m-%dT%H:%M:%SZ") if then is not None else None
            return (f"deal {deal_id} changed since the plan (update_time "
                    f"{shown} then, {deal.get('update_time')} "
                    "now): plan again")
    return None


def _same_second(g: PlannedGroup, planned: Mapping[int, DealRecord],
                 fresh: Mapping[int, DealRecord]) -> str | None:
    """Why a group whose deals kept their update_time is still changed since the plan: a
    field differs from the plan's record. Pipedrive's times are whole seconds, so an edit
    in the second the plan read keeps update_time (x9r5: a colleague's value, written as
    the plan read the deal, was lost in the merge). Checked after the guards, whose
    reasons say more (an identifier corrected)."""
    for deal_id in g.member_ids:
        if (field := _edited(planned[deal_id], fresh[deal_id])) is not None:
            return (f"deal {deal_id} changed since the plan in the second it was read (its "
                    f"{field}; the same update_time): plan again")
    return None


def _edited(before: DealRecord, now: DealRecord) -> str | None:
    """The first field a person edits that differs between the plan's record of a deal
    and the deal read now (None: none does)."""
    for field in ("title", "status", "value", "currency", "org_id", "person_id",
                  "pipeline_id", "stage_id", "owner_id", "expected_close_date", "is_archived"):
        if getattr(before, field) != getattr(now, field):
            return field
    if dict(before.fields) != dict(now.fields):
        return "custom fields"
    if before.digest is not None and now.digest is not None and before.digest != now.digest:
        return "probability, labels, visibility or lost reason"
    return None


def _already(g: PlannedGroup, live: Mapping[int, Deal],
             merges: Mapping[int, tuple[int, DealRecord]]) -> list[int]:
    """The deals of the group an earlier apply merged into its survivor (recorded in the
    state directory's merges.json as confirmed — ``merges`` holds only those —, and gone
    now). A deal gone whose merge was never confirmed is not counted: ``_changed`` skips
    its group (gone: deleted, merged away or archived)."""
    return [m for m in g.merged_ids
            if merges.get(m, (None,))[0] == g.survivor_id and is_gone(live.get(m))]


def _merged_since(g: PlannedGroup, merges: Mapping[int, tuple[int, DealRecord]]) -> str:
    """A skipped group's deals merged since by an apply or run (``merges``: merges.json's
    confirmed ones), as its row's note: "" when none (x42r6 F4: an old plan's undecided
    group said "skipped, review band" though a later night had merged it). No call."""
    done = [(m, merges[m][0]) for m in g.member_ids if m in merges]
    if not done:
        return ""
    said = ", ".join(f"deal {m} into deal {sv}" for m, sv in done)
    return (f"; already merged: {said} (recorded in the state directory's merges.json, by "
            "an apply or run since)")


def _chained(g: PlannedGroup, scores: Mapping[frozenset[int], float],
             review_threshold: float) -> str | None:
    """Why a group (as a reviewer may have edited it) is a chain, else None: every pair of
    it must have scored at least the review threshold in the plan (pairs.csv)."""
    for x, y in itertools.combinations(g.member_ids, 2):
        s = scores.get(frozenset((x, y)))
        if s is None or s < review_threshold:
            said = "were not scored alike in the plan" if s is None else f"score {s:.3f}"
            return (f"deals {x} and {y}: {said}, below the review threshold "
                    f"{review_threshold:g} (chaining guard: never merged, even with "
                    "decision = merge; split the group in groups.csv)")
    return None


def _unplanned(deal_id: int, live: Mapping[int, Deal]) -> str:
    found = "" if deal_id in live else " (no live deal has that id either)"
    return (f"deal {deal_id} is in none of the plan's pairs (deals.jsonl holds the "
            f"deals of its pairs){found}: a group may only name deals the plan compared")


def _edit_refused(g: PlannedGroup, planned: Mapping[int, DealRecord], live: Mapping[int, Deal],
                  scores: Mapping[frozenset[int], float], review_threshold: float) -> str | None:
    """Why a group as groups.csv's row has it can only be a hand edit the apply refuses,
    else None (x42r5 F7): a deal the plan never read (not in deals.jsonl: an id typed in, or
    no deal at all), or a deal (the survivor most often) joined to none of the group's
    other deals by a pair scored at least the review threshold in pairs.csv — the plan's
    groups are built of such pairs, so such a deal was put there by hand (from outside any
    group: a deal of another group is refused by ``read_groups``)."""
    for deal_id in g.member_ids:
        if deal_id not in planned:
            return _unplanned(deal_id, live)
    reached, todo = {g.survivor_id}, [g.survivor_id]
    while todo:  # the deals joined to the survivor by the plan's pairs
        x = todo.pop()
        for y in g.member_ids:
            if y not in reached and scores.get(frozenset((x, y)), -1.0) >= review_threshold:
                reached.add(y)
                todo.append(y)
    if len(reached) == len(g.member_ids):
        return None
    alone = [i for i in g.member_ids if i not in reached]
    if len(reached) == 1:
        return (f"survivor {g.survivor_id} is not in the group as planned (no pair of it with "
                f"deal(s) {', '.join(map(str, g.merged_ids))} scored at least the review "
                f"threshold {review_threshold:g} in pairs.csv): survivor_id must be one of "
                "the group's own deals")
    return (f"deal(s) {', '.join(map(str, alone))} not in the group as planned (no pair "
            f"with survivor {g.survivor_id}'s deals scored at least the review threshold "
            f"{review_threshold:g} in pairs.csv): a group may only hold deals the plan found alike")


def _as_edited(g: PlannedGroup, scores: Mapping[frozenset[int], float]) -> PlannedGroup:
    """The group with its score taken from pairs.csv as the reviewer left the group: the
    lowest score of its pairs (groups.csv's ``score`` is the group's as planned, stale once
    a reviewer split or edited it). Unchanged when a pair is not in pairs.csv (``_chained``
    then refuses the group)."""
    pair_scores = [scores.get(frozenset(p)) for p in itertools.combinations(g.member_ids, 2)]
    if not pair_scores or any(s is None for s in pair_scores):
        return g
    return replace(g, score=min(s for s in pair_scores if s is not None))


def _review_threshold(summary: Mapping[str, Any]) -> float:
    threshold = summary.get("review_threshold")
    return (float(threshold) if isinstance(threshold, int | float)
            else DedupeConfig.default().review_threshold)


def _str_map(raw: object) -> dict[str, str]:
    """A ``{str: str}`` table of summary.json (identifier fields, field names); {} when absent."""
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def _guarded(g: PlannedGroup, fresh: Mapping[int, DealRecord],
             guards: frozenset[str], identifiers: Mapping[str, str],
             say: Callable[[str], str] = str) -> str | None:
    """Why a group (as a reviewer may have edited it) breaks a guard, else None: a guard
    (a differing identifier too: ``identifiers``, key -> name, as the plan resolved them)
    holds for every pair of the group, whatever groups.csv says. ``say``: a reason with
    the records it names by name, as the plan's files write it (``ReasonNames``)."""
    for x, y in itertools.combinations(g.member_ids, 2):
        if broken := guard_reasons(fresh[x], fresh[y], guards, identifiers):
            return f"deals {x} and {y}: {', '.join(map(say, broken))} (never merged)"
    return None


async def prepare_apply(ctx: CallContext, plan_dir: Path, options: ApplyOptions, *,
                        state_dir: Path | None, taken_at: float | None = None,
                        job_roots: Sequence[Path] = ()) -> Prepared:
    """Read the plan, re-read its groups' deals, decide per group; the job's items.
    ``job_roots``: the job folders whose jobs (merge, dedupe, an undo's deletes) may have
    taken a deal away since the plan (``gone_by``; the state directory's folder is read
    too)."""
    groups = read_groups(plan_dir)
    planned = read_records(plan_dir)
    summary = read_summary(plan_dir)
    policy: Mapping[str, str] = summary.get("field_policy") or {}
    named = summary.get("guards")
    guards = frozenset(named) if isinstance(named, list) else DedupeConfig.default().guards
    review_threshold = _review_threshold(summary)
    identifiers = _str_map(summary.get("identifier_fields"))
    field_names = _str_map(summary.get("field_names"))
    entity_names, option_labels = plan_names(summary)  # the names groups.csv's drops use
    # a refused decision's reason names pipelines, owners, ... as groups.csv does
    say = ReasonNames.from_references(_str_map(summary.get("reference_fields")), entity_names)
    pair_scores = read_pair_scores(plan_dir)
    pair_bands = read_pair_bands(plan_dir)
    pair_reasons = read_pair_reasons(plan_dir)
    damage_notes = check_plan_files(plan_dir, summary)  # InputError for a damaged plan
    taken = ctx.clock.wall() if taken_at is None else taken_at
    prep = Prepared(KIND, meta={"plan_dir": absolute(plan_dir)})  # x23r4 F1
    prep.notes.extend(damage_notes)
    chosen: list[PlannedGroup] = []
    decided: list[PlannedGroup] = []  # kept separate: read now, one may be merged already
    made: dict[int, tuple[int, DealRecord]] | None = None  # merges.json, read when needed
    # x43r2 F2: the other night folders' untaken decisions, read as the night reads them
    elsewhere = (await in_thread(lambda: held_elsewhere(plan_dir, groups, state_dir / "plans"))
                 if state_dir is not None else {})
    async for g in checked(ctx, groups):  # a stop lands in the passes (f25b)
        g = _as_edited(g, pair_scores)
        # a group --include-review does not take is said so, as groups.csv says it
        untaken = _companies(g, planned, pair_reasons) if g.decision != "merge" else None
        if (why := options.wants(g, review_threshold, held=untaken)
                or elsewhere.get(g.row)) is not None:
            if g.decision == "keep-separate":
                decided.append(g)
                continue
            if made is None:
                made = (await in_thread(lambda: load_merges(state_dir, confirmed_only=True))
                        if state_dir is not None else {})
            _skip(prep, g, why + _merged_since(g, made))
            continue
        chosen.append(g)
    chosen = decided_first(chosen)
    read = [i for g in (*chosen, *decided) for i in g.member_ids]
    live = await read_deals(ctx, read) if read else {}
    recorded = (load_merges(state_dir, confirmed_only=True)
                if state_dir is not None and chosen else {})
    roots = [*job_roots, *([state_dir.parent] if state_dir is not None else [])]
    makers, into, deleted = await _makers(
        state_dir, [i for g in chosen for i in g.merged_ids if is_gone(live.get(i))]
        + [i for g in decided for i in g.member_ids if is_gone(live.get(i))], roots)
    for g in decided:
        _kept_separate(prep, g, live, makers, into, deleted)
    if options.record_decisions and state_dir is not None:
        _separate_due(prep, state_dir, [g for g in groups if g.decision == "keep-separate"],
                      {i for i in read if is_gone(live.get(i))})
    # what the match rests on beside the deals: their org / person names now, and the
    # keep-separate decisions recorded since the plan (``held_now``; x37r2 F2)
    org_names, person_names = await names_now(ctx, *wanted_ids(
        planned.get(i) for g in chosen for i in g.member_ids)) if chosen else ({}, {})
    kept = (await in_thread(lambda: load_keep_separate(  # Redis: x38r2 F2; a dry run
        state_dir, share=options.record_decisions))      # (a plan) writes nothing (f39c)
            if state_dir is not None and chosen else set())
    now = _config_now(state_dir, plan_dir) if chosen else None
    if now is not None and dict(now.field_policy) != dict(policy):
        prep.notes.append(_policy_note(state_dir, policy, now))
    cap = MergeCap(options.max_merges)  # the merges to send so far, the groups over it
    patched = put_back_reads = 0  # groups with a field-policy PATCH; their put-backs' reads
    async for g in checked(ctx, chosen):
        # a hand edit the checks below refuse is also said as such (x42r5 F7); a deal the
        # plan never read is refused first: no check below can judge it
        edit = _edit_refused(g, planned, live, pair_scores, review_threshold)
        if edit is not None and any(i not in planned for i in g.member_ids):
            _skip(prep, g, edit, edited=edit)
            continue
        if done := _already(g, live, recorded):
            _done(prep, g, done, makers)
            if len(done) == len(g.merged_ids):
                continue
            _skip(prep, replace(g, merged_ids=tuple(m for m in g.merged_ids if m not in done)),
                  f"group partly merged by an earlier apply or run (deal(s) {', '.join(map(str, done))} "
                  "merged into the survivor, which changed with it): plan again to merge the rest")
            continue
        if (by := _merged_elsewhere(g, live, makers)) and not is_gone(live.get(g.survivor_id)):
            _by_others(prep, g, by)
            continue
        if g.decision == "merge" and (hand := hand_survivor(  # taken, as the night takes
                g.member_ids, lambda i: is_gone(live.get(i)),  # it (x52r4 F3)
                lambda i: _changed_since(planned.get(i), live[i]))) is not None:
            _by_hand(prep, g, hand)
            continue
        # a deal gone, a pair kept separate since: never takeable, judged as the night
        # judges an earlier night's decision (one rule: ``never_takeable``)
        never = never_takeable(g.member_ids, lambda i: is_gone(live.get(i)), kept)
        if (why := never or _changed(g, planned, live)) is not None:
            held = why.startswith("held now:")  # said as held_now said it (a re-check's)
            _skip(prep, g, f"{why}; nothing sent" if held else why, edited=edit,
                  settles=never is not None)
            continue
        fresh = {i: to_record(live[i], stage_order={}, org_names={}) for i in g.member_ids}
        if (why := _guarded(g, fresh, guards, identifiers, say)) is not None or (
                why := _chained(g, pair_scores, review_threshold)) is not None or (
                g.decision != "merge" and (why := _companies(g, planned, pair_reasons)) is not None) or (
                g.decision != "merge" and (why := _at_review(
                    g, pair_bands, pair_reasons, options.include_review)) is not None) or (
                why := _same_second(g, planned, fresh)) is not None or (
                why := held_now(g.member_ids, planned, live, org_names, person_names,
                                kept)) is not None or (
                why := _stricter_now(g, now, summary, fresh, pair_scores, identifiers,
                                     say)) is not None:
            _skip(prep, g, why, edited=edit)  # a group edit: always refused here (_chained)
            continue
        if not cap.takes(g):  # whole groups in plan order, as ``planned_merges`` takes them
            _skip(prep, g, f"over --max-merges {options.max_merges}", refused=False)
            if g.decision == "merge":  # put off, not taken: the next night carries it
                prep.meta.setdefault(LEFT, []).append(g.row)
            continue
        changes = policy_changes(g, fresh, policy)
        # the plan's names (summary.json, and the organizations its snapshots hold): a
        # note never costs a call, and says what groups.csv says (x26r1 3)
        orgs = {r.org_id: r.org_name for i in g.member_ids
                if (r := planned.get(i)) is not None and r.org_id is not None and r.org_name}
        known = {**entity_names,
                 "organization": {**entity_names.get("organization", {}), **orgs}}
        if drops := merge_drops(g, fresh, changes, field_names, option_labels, entities=known,
                                policy_title=policy_sets_title(policy),
                                compared=policy_compares(policy)):  # e.g. a survivor a reviewer picked
            prep.notes.append(drops_note(f"group {g.id} (survivor {g.survivor_id})", drops))
        for position, merge_id in enumerate(g.merged_ids):
            payload: dict[str, Any] = {"merge_id": merge_id, "survivor_id": g.survivor_id,
                                       "group_id": g.id, "values": {"group_id": g.id},
                                       # a reviewer's decision = merge: one the runner's
                                       # re-check holds is counted refused (x48r5 F3)
                                       **({"decided": True} if g.decision == "merge"
                                          else {}),
                                       "record": compact_row(_with_person(
                                           fresh[merge_id], planned.get(merge_id)))}
            if changes and position == 0:
                payload["patch"] = changes
                payload["fields"] = changed_names(changes, labels=field_names)
                prep.images.append(BeforeImage(POLICY_IMAGE, g.survivor_id, None,
                                               before_image(live[g.survivor_id], changes),
                                               taken))
                prep.calls["updateDeal"] += 1
                prep.calls["getDeal"] += PAIR_READS  # both deals, read before the PATCH
                patched += 1
                put_back_reads += 1 + len(g.merged_ids)  # the survivor, each unmerged deal
            elif changes:
                payload["needs_patch"] = True
            prep.add(NewItem(row=g.row, key=f"{merge_id}->{g.survivor_id}", op="merge",
                             payload=payload), "merge")
            prep.calls["mergeDeals"] += 1
            prep.calls["getDeal"] += PAIR_READS  # both deals, read right before its merge
        for deal_id in g.member_ids:
            prep.images.append(BeforeImage("deal", deal_id, None, dict(live[deal_id]), taken))
    if (over := cap.note()) is not None:  # the plan's note too (``MergeCap``)
        prep.notes.append(over)
    if patched:  # a put-back's calls, if a merge is skipped or fails (x24r4 F6)
        prep.notes.append(put_back_note(patched, put_back_reads))
    if options.record_decisions and state_dir is not None:
        prep.meta[STATE_DIR] = absolute(state_dir)  # where the merges made are recorded (after_run)
        # the nightly index moves on once the merges have ended (``settle_index``): on the
        # job's first run, or on the resume that ends it (x15r1 F3)
        prep.meta[INDEX_DUE] = True
        prep.meta[DECISIONS_DUE] = True  # groups.csv's decisions: taken on go-ahead (x42r2 F1)
        prep.meta[OPTIONS] = {"include_review": options.include_review,
                              "max_merges": options.max_merges,
                              "auto_apply_above": options.auto_apply_above}
    prep.meta["source_columns"] = ["group_id"]
    prep.meta[FIELD_POLICY] = dict(policy)  # a put-back recomputes it (DedupeJob.settled)
    if prep.actions["merge"]:  # (x26r1 5: said with 0 merges to send, every quiet night)
        prep.notes.append(final_note(policy=True))
    return prep


def _done(prep: Prepared, g: PlannedGroup, done: list[int],
          makers: Mapping[int, str]) -> None:
    """Merges an earlier apply made: items the run settles as done (counted merged) without
    sending anything (``DedupeJob.execute``); the reason names the job that made each where
    ``makers`` (``_makers``) records it (x38r2 F7: README promises ``already merged by job
    J``)."""
    for merge_id in done:
        why = EARLIER if (job := makers.get(merge_id)) is None else (
            f"already merged by job {job} (an earlier dedupe apply or run, recorded in the "
            "state directory)")
        prep.add(NewItem(row=g.row, key=f"{merge_id}->{g.survivor_id}", op="merge",
                         payload={"already": True,
                                  "merge_id": merge_id, "survivor_id": g.survivor_id,
                                  "group_id": g.id, "values": {"group_id": g.id},
                                  "result": {"group_id": g.id, "deal_id": g.survivor_id,
                                             "merged_id": merge_id, "action": "already merged",
                                             "reason": why}}),
                 "already merged")


def _config_now(state_dir: Path | None, plan_dir: Path) -> DedupeConfig | None:
    """The matching config in force now when it changed since the plan was written: the
    one the state directory keeps from the last run or plan given one
    (``remembered_config``), written after the plan's summary.json; else None (a library
    caller's plan made with a config of its own is not judged by an older file)."""
    kept = remembered_config(state_dir) if state_dir is not None else None
    if kept is None:
        return None
    try:
        if kept[0].stat().st_mtime <= (plan_dir / SUMMARY).stat().st_mtime:
            return None
    except OSError:
        return None
    return DedupeConfig.load(kept[0])


def _policy_note(state_dir: Path | None, planned: Mapping[str, str],
                 now: DedupeConfig) -> str:
    """The note of an apply whose plan's field policy differs from the config in force now
    (``_config_now``: a new ``--config``, or another host's shared on the coordinator since
    the plan; x40r3 F3: the apply kept the plan's without a word): the plan's is kept."""
    def shown(p: Mapping[str, str]) -> str:
        return ", ".join(f"{k} = {v}" for k, v in sorted(p.items())) or "none"
    where = f"{state_dir / CONFIG}" if state_dir is not None else CONFIG
    return (f"the dedupe config in force changed since the plan ({where}: another host's "
            f"shared on the coordinator, or a new --config): its field policy is "
            f"{shown(now.field_policy)}; this apply keeps the plan's, {shown(planned)} "
            "(plan again to merge under the new one)")


def _stricter_now(g: PlannedGroup, now: DedupeConfig | None, summary: Mapping[str, Any],
                  fresh: Mapping[int, DealRecord], scores: Mapping[frozenset[int], float],
                  identifiers: Mapping[str, str], say: Callable[[str], str]) -> str | None:
    """Why a group the plan's config merges is held by the config in force now (``now``,
    ``_config_now``; x37r2 F2: a config change since the plan), else None: a guard added
    since that two of its deals break, a review threshold raised above a pair of it, or
    a duplicate threshold raised above its score (a group no person decided). A config
    made laxer since never takes more than the plan's."""
    if now is None:
        return None
    where = f"the state directory's {CONFIG}"
    named = summary.get("guards")
    guards = frozenset(named) if isinstance(named, list) else DedupeConfig.default().guards
    if (added := now.guards - guards) and (
            why := _guarded(g, fresh, frozenset(added), identifiers, say)) is not None:
        return f"held now: a guard added to the config since the plan ({where}): {why}"
    review = _review_threshold(summary)
    if now.review_threshold > review and (
            why := _chained(g, scores, now.review_threshold)) is not None:
        return (f"held now: the review threshold is {now.review_threshold:g} ({where}; "
                f"{review:g} in the plan): {why}")
    planned = summary.get("duplicate_threshold")
    duplicate = float(planned) if isinstance(planned, int | float) \
        else DedupeConfig.default().duplicate_threshold
    if g.decision != "merge" and now.duplicate_threshold > duplicate \
            and g.score < now.duplicate_threshold:
        return (f"held now: the duplicate threshold is {now.duplicate_threshold:g} ({where}; "
                f"{duplicate:g} in the plan) and the group scored {g.score:.3f}: needs "
                "decision = merge; nothing sent")
    return None


async def _makers(state_dir: Path | None, gone: Sequence[int], roots: Sequence[Path] = ()
                  ) -> tuple[dict[int, str], dict[int, int], dict[int, str]]:
    """(deal id -> the job that merged it away, deal id -> the deal it was merged into where
    known, deal id -> the undo job that deleted it) for the ``gone`` deals another job took
    away since the plan read them: the state directory's record (``load_makers``,
    ``load_merges``: this machine's dedupe jobs), on a shared coordinator the claims
    (another host's run; x37r2 F4; ``into``: f41d 5), and the job stores of the folders
    ``roots`` (``gone_by``: a ``pdbulk merge`` job, a dedupe job, an undo deleting the deals
    its import created; f41k 1, x41r5 F3)."""
    if not gone:
        return {}, {}, {}
    recorded = load_makers(state_dir) if state_dir is not None else {}
    out = {m: recorded[m] for m in gone if m in recorded}
    merges = load_merges(state_dir, confirmed_only=True) if out and state_dir else {}
    into = {m: merges[m][0] for m in out if m in merges}
    theirs, their_into = await merged_by_others([m for m in gone if m not in out])
    makers, into = {**theirs, **out}, {**their_into, **into}
    rest = [m for m in gone if m not in makers]
    found = await in_thread(lambda: gone_by(roots, rest)) if rest and roots else {}
    deleted = {m: by.job for m, by in found.items() if by.into is None}
    for m, by in found.items():
        if by.into is not None:
            makers[m], into[m] = by.job, by.into
    return makers, into, deleted


def _merged_elsewhere(g: PlannedGroup, live: Mapping[int, Deal],
                      makers: Mapping[int, str]) -> dict[int, str]:
    """The group's merged-away deals gone now that another job merged (``_makers``)."""
    return {m: makers[m] for m in g.merged_ids if m in makers and is_gone(live.get(m))}


def _by_others(prep: Prepared, g: PlannedGroup, by: Mapping[int, str]) -> None:
    """The merges of a group another job merged (some of) since the plan: those it made
    ``already merged by job J`` (skipped, nothing sent; the other job reports them
    merged), the rest skipped naming it — the survivor changed with that merge, plan again
    (x37r2 F4: "deal N changed since the plan: plan again" for pairs done)."""
    jobs = ", ".join(sorted(set(by.values())))
    for merge_id in g.merged_ids:
        if (job := by.get(merge_id)) is not None:
            result = {"action": "already merged",
                      "reason": f"already merged by job {job}; this job did not send it"}
        else:
            result = {"action": "skipped", "reason": (
                f"group partly merged by job {jobs} (deal(s) {', '.join(map(str, sorted(by)))}) "
                "since the plan: plan again to merge the rest")}
        prep.add(NewItem(row=g.row, key=f"{merge_id}->{g.survivor_id}", op="merge",
                         state=ItemState.SKIPPED, payload={
                             "group_id": g.id, "values": {"group_id": g.id}, "result": {
                                 "group_id": g.id, "deal_id": g.survivor_id,
                                 "merged_id": merge_id, **result}}),
                 "merged by another job" if merge_id in by else "skipped")


def _changed_since(before: DealRecord | None, deal: Deal) -> bool:
    """The live ``deal``'s update_time is not the plan's record's (``before``)."""
    return before is not None and \
        before.update_time != to_record(deal, stage_order={}, org_names={}).update_time


def _by_hand(prep: Prepared, g: PlannedGroup, into: int) -> None:
    """A reviewer's ``decision = merge`` a colleague carried out by hand
    (``never_takeable.done_by_hand``): taken, nothing sent, not refused (no exit 3), said
    in a note and counted in ``prep.meta[BY_HAND]``, as the night says and counts it;
    ``into``: the deal left (the survivor, or another deal: merged the other way)."""
    why = by_hand_reason(g.member_ids, into)
    prep.meta.setdefault(BY_HAND, []).append({"group_id": g.id, "row": g.row})
    prep.notes.append(f"group {g.id} (row {g.row} of groups.csv): decision = merge done by "
                      f"hand: {why}")
    for merge_id in g.merged_ids:
        prep.skip(g.row, f"{merge_id}->{g.survivor_id}",
                  {"group_id": g.id, "deal_id": g.survivor_id, "merged_id": merge_id,
                   "action": "done by hand", "reason": why},
                  op="merge", values={"group_id": g.id}, group_id=g.id)


def _separate_due(prep: Prepared, state_dir: Path, separate: list[PlannedGroup],
                  gone: set[int]) -> None:
    """The keep-separate groups to remember when the apply goes ahead (``record_separate``),
    never by one declined or dry-run (x33r1 L5: stored at load, a declined apply kept the
    decision for ever), each without its deals ``gone`` since the plan (deleted or merged
    away, read now): a pair one of whose deals is gone is nothing to keep separate, and is
    neither stored in keep-separate.json nor shared, nor counted in the note (x40r4 F4)."""
    due = [alive for g in separate
           if len(alive := [i for i in g.member_ids if i not in gone]) >= 2]
    if not separate:
        return
    if due:
        prep.meta[SEPARATE_DUE] = due
    dead = len(separate) - len(due)
    prep.notes.append(
        f"{len(due)} group(s) to keep separate: remembered in {state_dir / KEEP_SEPARATE} "
        "when the apply goes ahead (to forget one, take its pair out of that file)"
        + (f"; {dead} more with a deal gone since the plan: nothing to keep separate, "
           "not remembered" if dead else ""))


def _kept_separate(prep: Prepared, g: PlannedGroup, live: Mapping[int, Deal],
                   makers: Mapping[int, str], into: Mapping[int, int],
                   deleted: Mapping[int, str] | None = None) -> None:
    """A group a person decided to keep separate: skipped as ``kept separate (decision)``
    while its deals are all there; when one is gone since the plan (read now with the
    groups to merge: ``read_deals``) the decision came too late, and the rows say so, not
    "kept separate" (x40r3 F2: another host's run had merged deal 1501 into 1500, and the
    apply counted the pair kept): ``already merged by job J`` where the state directory or
    the coordinator's claims name the job that merged it (its folder keeps the deals'
    snapshots; a merge is final in Pipedrive, FACTS), else "is gone since the plan (deleted
    or merged into another deal: Pipedrive does not say which)", nothing to keep separate —
    not "too late": a colleague may have deleted it or merged it into a third deal, nobody
    merged the pair (x40r4 F4; a merged-away deal reads as deleted, FACTS "Merge"). A deal
    a job merged into a deal outside the pair (``into``: a THIRD deal) says so, ``deal 12
    was merged into deal 40 by job J``, not "too late" (f41d 5). The job may be any of the
    job folders' (``_makers``: a ``pdbulk merge`` job too), and a deal an undo job deleted
    says ``deal 12 was deleted by job J since the plan`` (f41k 1, x41r5 F3)."""
    gone = [i for i in g.member_ids if is_gone(live.get(i))]
    if not gone:
        _skip(prep, g, "kept separate (decision)")
        return
    third = {i: into[i] for i in gone if i in makers and into.get(i) not in (None, *g.member_ids)}
    dropped = {i: job for i in gone if i not in makers and (job := (deleted or {}).get(i))}
    if third or dropped:
        why = "; ".join([*(f"deal {i} was merged into deal {c} by job {makers[i]} since the plan"
                           for i, c in sorted(third.items())),
                         *(f"deal {i} was deleted by job {job} since the plan"
                           for i, job in sorted(dropped.items()))]) + (
            ", not into its pair" if not dropped else "") + (
            ": nothing to keep separate, nothing sent")
        for merge_id in g.merged_ids:
            prep.skip(g.row, f"{merge_id}->{g.survivor_id}", {
                "group_id": g.id, "deal_id": g.survivor_id, "merged_id": merge_id,
                "action": "skipped", "reason": why}, op="merge", values={"group_id": g.id},
                group_id=g.id)
        return
    jobs = sorted({makers[i] for i in gone if i in makers})
    deals = ", ".join(map(str, gone))
    late = "the keep-separate decision came too late; nothing sent"
    if jobs:
        action = "already merged"
        why = (f"already merged by job {', '.join(jobs)} since the plan (deal(s) {deals}): "
               f"{late}; the deals' snapshots are in that job's folder (a merge is final)")
    else:
        action = "skipped"  # merged into the pair's other deal, a third one, or deleted
        why = (f"deal {deals} is gone" if len(gone) == 1 else f"deals {deals} are gone") + (
            " since the plan (deleted or merged into another deal: Pipedrive does not say "
            "which, FACTS; no job recorded here merged or deleted it); nothing to keep separate, "
            "nothing sent")
    for merge_id in g.merged_ids:  # counted as _by_others counts them: nothing to send
        prep.add(NewItem(row=g.row, key=f"{merge_id}->{g.survivor_id}", op="merge",
                         state=ItemState.SKIPPED, payload={
                             "group_id": g.id, "values": {"group_id": g.id}, "result": {
                                 "group_id": g.id, "deal_id": g.survivor_id,
                                 "merged_id": merge_id, "action": action, "reason": why}}),
                 "merged by another job" if jobs else "skipped")


def _skip(prep: Prepared, g: PlannedGroup, why: str, *, refused: bool = True,
          edited: str | None = None, settles: bool = False) -> None:
    """The group's merges skipped, ``why`` in the report. A reviewer's ``decision = merge``
    refused (``refused``; not a group put off by --max-merges) is also named in
    ``prep.meta[REFUSED]``, which the CLI says on stderr and counts (x21r2 F4: only
    ``skipped`` rows in succeeded.csv said so); a hand edit refused (``edited``: what the
    edit is, ``_edit_refused``) without that decision in ``prep.meta[EDITS]``, likewise,
    with ``why`` (x42r5 F7): one line per group. A refused decision stays untaken (its
    row in ``prep.meta[LEFT]``: every night names it, x52r9 F3) unless it ``settles``: one
    that can never be taken (``never_takeable``: a deal gone, a pair kept separate)."""
    if refused and g.decision == "merge":
        prep.meta.setdefault(REFUSED, []).append({"group_id": g.id, "row": g.row,
                                                  "reason": why})
        if not settles:
            prep.meta.setdefault(LEFT, []).append(g.row)
    elif edited is not None:
        prep.meta.setdefault(EDITS, []).append({
            "group_id": g.id, "row": g.row,
            "reason": why if edited == why else f"{edited}; so: {why}"})
    action = "kept separate" if g.decision == "keep-separate" else "skipped"
    for merge_id in g.merged_ids:
        prep.skip(g.row, f"{merge_id}->{g.survivor_id}",
                  {"group_id": g.id, "deal_id": g.survivor_id, "merged_id": merge_id,
                   "action": action, "reason": why},
                  op="merge", values={"group_id": g.id}, group_id=g.id)


def _with_person(record: DealRecord, planned: DealRecord | None) -> DealRecord:
    """A merged deal's live ``record`` with its person's name and ``person_keys`` as the plan
    read them (the live deal holds the person's id only) while it is that person: the next
    night reads the survivor's absorbed copy as the person it was tied to (x44r5 F4: no keys
    in merges.json, a third record of that person was "two persons with deal 2")."""
    if planned is None or planned.person_id != record.person_id:
        return record
    return replace(record, person_name=planned.person_name,
                   person_keys=tuple(planned.person_keys))


def _merges(store: JobStore, state: ItemState) -> list[tuple[int, int, DealRecord]]:
    return [(int(i.payload["merge_id"]), int(i.payload["survivor_id"]),
             from_compact_row(i.payload["record"])) for i in store.items(state)
            if i.op == "merge" and i.payload.get("record") and not i.payload.get("already")]


def record_intended(store: JobStore) -> int:
    """Record the job's merges still to send in the state directory's merges.json as
    intended (call it once the apply is confirmed, right before sending: a killed run
    leaves them; a cancelled apply never calls it), and its keep-separate decisions
    (``record_separate``). How many merge entries changed."""
    state = store.meta_get(STATE_DIR)
    if state is None:
        return 0
    record_separate(store)
    return remember_merges(Path(state), _merges(store, ItemState.PENDING))


def record_separate(store: JobStore) -> int:
    """Remember the job's keep-separate decisions in the state directory's
    keep-separate.json, once: when the apply goes ahead (``record_intended``, or the job's
    run settling: ``merge_job.DedupeJob.settle``), never at its load. How many pairs were new.
    The plan's decisions (and those it carried from earlier plans) are then taken
    (``earlier_decisions.mark_plan_taken``): no later run reads them again, and retention
    may remove their folders; but not a decision = merge this apply refused or put off
    (``LEFT``: a deal changed, a guard, --max-merges): left untaken, every night names it
    until a deal of it is gone, its pair kept separate or the merge done (x52r9 F3)."""
    if store.meta_get(DECISIONS_DUE) and (plan := store.meta_get("plan_dir")) is not None:
        from .earlier_decisions import mark_plan_taken

        state_dir = store.meta_get(STATE_DIR)
        left = {int(r) for r in store.meta_get(LEFT) or [] if isinstance(r, int)}

        def held(folder: Path, groups: list[PlannedGroup], plans: Path) -> dict[int, str]:
            # held against another folder, or refused / put off here: not taken (x52r9 F3:
            # a refused decision was taken, and no later night named it)
            return {**held_elsewhere(folder, groups, plans),
                    **dict.fromkeys(left, "not carried out by this apply")}

        mark_plan_taken(Path(str(plan)),
                        Path(str(state_dir)) / "plans" if state_dir is not None else None,
                        held=held)
        store.meta_put(DECISIONS_DUE, None)
    groups = store.meta_get(SEPARATE_DUE)
    state = store.meta_get(STATE_DIR)
    if not groups or state is None:
        return 0
    with state_lock(Path(state), again=True):
        added = remember_keep_separate(Path(state), groups)
        store.meta_put(SEPARATE_DUE, None)
    return added


def release_held(store: JobStore) -> int:
    """Leave untaken again the reviewers' ``decision = merge`` groups the run held after the
    go-ahead (a skipped item of a decided group, its re-check: a deal changed or gone while
    the job ran; not one left to another live run, which merges it): ``record_separate``
    took them at the go-ahead, and no later night named them (x52r9 F3). How many groups."""
    plan = store.meta_get("plan_dir")
    if plan is None or store.meta_get(STATE_DIR) is None:
        return 0
    held = {str(i.payload.get("group_id")) for i in store.items(ItemState.SKIPPED)
            if i.payload.get("decided") and left_to_another_run(i) is None}
    if held:
        from .earlier_decisions import untake

        untake(Path(str(plan)), held)
    return len(held)


def record_confirmed(store: JobStore) -> int:
    """Mark the job's merges Pipedrive made (items done) confirmed in merges.json; how
    many entries changed. Nothing for a job loaded without a state directory."""
    state = store.meta_get(STATE_DIR)
    if state is None:
        return 0
    # every merge this job settled is its own: answered, or found applied by a reconcile
    # (x19r2 F2: only the answered ones were, and a later resume of a killed job took the
    # reconciled ones for its own); an answered one wins over another job's reconciled one
    done = [i for i in store.items(ItemState.DONE)
            if i.op == "merge" and not i.payload.get("already")]
    remember_makers(Path(state), {
        int(i.payload["merge_id"]): store.job_id for i in done
        if not (i.result or {}).get("reconciled")}, {
        int(i.payload["merge_id"]): store.job_id for i in done
        if (i.result or {}).get("reconciled")})
    return remember_merges(Path(state), _merges(store, ItemState.DONE), confirmed=True)


def settle_index(store: JobStore) -> str | None:
    """Once job ``store``'s merges have all ended (never for a stopped run): make its plan's
    index the state's nightly index (``install_plan_index``: a ``dedupe plan --since-last``
    or ``dedupe run --since-last`` plan keeps one), without the deals merged away and with
    the groups left unfinished pending; when the plan has none, or the state's index moved
    since, the state's index drops the merged-away deals (``forget_merged``). Done once a
    job: on its first run, or on the ``pdbulk resume`` that ends it (x15r1 F3: a killed
    first ``dedupe run --since-last``, resumed, left no index, and the next night read every
    deal again). A line saying what changed, or None. ``StateBusy`` when another process
    holds the state directory (the index then moves on at this job's next resume)."""
    if not store.meta_get(INDEX_DUE):
        return None
    plan_dir, state = Path(str(store.meta_get("plan_dir"))), Path(str(store.meta_get(STATE_DIR)))
    options = ApplyOptions(**(store.meta_get(OPTIONS) or {}))
    with state_lock(state, again=True):
        gone = merged_away(store)
        moved = install_plan_index(plan_dir, state, gone, unfinished(plan_dir, options, store))
        if moved is None or "moved since" in moved:  # the state's index as it was:
            forget_merged(state, gone)  # it learns the merges made
        store.meta_put(INDEX_DUE, False)
    # installed (or refused: the state's moved on): the plan's copy serves nothing more, and
    # it is most of a plan folder (x26r1 5: ~320 KB a night kept for ever)
    shutil.rmtree(plan_dir / PLAN_INDEX, ignore_errors=True)
    return moved


def unfinished(plan_dir: Path, options: ApplyOptions, store: JobStore) -> set[int]:
    """Deals of the plan's groups that ``options`` wanted merged but that are not all
    merged (over --max-merges, failed, stopped, skipped as stale): the next incremental
    plan compares them again even if they do not change."""
    review_threshold = _review_threshold(read_summary(plan_dir))
    done = set(merged_away(store))
    scores = read_pair_scores(plan_dir)  # as prepare_apply judges them (x21r2 F2)
    return {i for g in map(lambda g: _as_edited(g, scores), read_groups(plan_dir))
            if options.wants(g, review_threshold) is None and not set(g.merged_ids) <= done
            for i in g.member_ids if i not in done}


def merged_away(store: JobStore) -> list[int]:
    """The deals a dedupe (or merge) job merged away."""
    return [int(i.payload["merge_id"]) for i in store.items(ItemState.DONE)]


__all__ = ["DEDUPE_COLUMNS", "EDITS", "KIND", "REFUSED", "ApplyOptions", "merged_away", "planned_merges",
           "prepare_apply",
           "record_confirmed", "record_intended", "record_separate", "release_held",
           "settle_index", "unfinished"]


