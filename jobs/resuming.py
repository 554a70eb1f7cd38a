"""Resuming a stopped, interrupted or crashed job: the refusals, the job kind rebuilt from
its store, the resume's plan and its run. One code path for ``pdbulk resume`` / ``retry``
(``pdbulk.cli``: it prints what ``say`` gets and turns the refusals into exit 1) and the
library's ``resume_job`` (exported from ``jobs``).

A job whose load was cut short (Ctrl-C, a cancelled task, kill -9 before the job was
marked loaded) sent no row: its resume drops what the load stored and loads it again —
an import from its manifest and mapping (``jobs.importing.load_again``), an update,
move-stage, merge or undo from the arguments it was started with
(``jobs.reloading.load_again``) — and runs it. A dedupe job, or one that was to ask before
sending, is refused in one line (``jobs.resume_verdict``), its ledger kept.

Why ~600 lines: the resume's plan and the refusals of a run that cannot reach its first
write (before the account check's reads, before a retry's pulls, after them, after the
re-read) are judged on one picture of what is left, and a retry ended between its rows
put back and its run leaves the job stopped here; split, each would rebuild that picture.

This module never prints and never reads the environment: lines go to the callbacks.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

from bulk.clock import Clock, in_thread
from bulk.engine import Engine, EngineConfig
from bulk.errors import (
    CAP_SETTING,
    META_FIRST_WRITE_CAP,
    META_STOP,
    STOP_CAUSES,
    BudgetExhausted,
    BulkError,
    NotResumable,
    stop_cause,
)
from bulk.ledger import mark_unsplit, take_back_unused
from bulk.plans import check_window_share
from bulk.runner import RunResult, RunStats
from bulk.scheduler import BudgetPolicy
from bulk.store import ItemState, JobStore, job_folder
from bulk.transport import Transport
from bulk.wording import counted

from . import reloading
from . import setting_checks as checks
from .finished import Finished, ledger_tokens, log_cut_short, log_end, tokens_of
from .kinds import kind_for
from .person_key_version import keys_up_to_date
from .prepared import sent_while_loading
from .rechecks import recheck_batches, recheck_calls
from .reloading import unloaded
from .resume_account_now import (
    account_check_calls,
    account_checked,
    check_account,
    resume_first_calls,
)
from .resume_inputs import prepared_note
from .resume_verdict import Verdict, verdict

Say = Callable[[str], None]
# the run of the loaded job on the engine: (engine, kind) -> its result (the CLI's shows
# progress and prints the result files' lines)
Execute = Callable[[Engine, Any], Awaitable[RunResult]]


def nothing_left(store: JobStore) -> bool:
    """A finished job with no item pending or in flight: a resume has nothing to send."""
    counts = store.counts()
    return store.status == "finished" and not (counts.get(ItemState.PENDING, 0)
                                               + counts.get(ItemState.SENDING, 0))


def refuse(store: JobStore, command: str = "resume") -> None:
    """Raise ``NotResumable`` when ``command`` ("resume" or "retry") of ``store`` must not
    run: the job is cancelled or failed (final: start a new job), an undo ran on it (its
    rows would land over that undo), or it asked before sending and was never confirmed
    (``jobs.confirming``: it is marked cancelled). Nothing is sent. The reasons are
    ``jobs.resume_verdict.verdict``'s, which ``pdbulk status`` says (a load cut short is
    ``kind_of``'s)."""
    said = verdict(store, command)
    if said.refusal is not None and not said.cut:
        _refused(store, said)


def _refused(store: JobStore, said: Verdict) -> NoReturn:
    """Raise ``said``'s refusal, the job marked cancelled first when it says so."""
    if said.cancels is not None:
        store.set_status("cancelled", said.cancels)
    raise NotResumable(said.refusal or f"job {store.job_id} cannot be resumed")


def reloads(store: JobStore) -> bool:
    """A job whose load was cut short (nothing of it was sent) that its resume loads again
    instead of refusing it: an import (``jobs.importing.load_again``), an update,
    move-stage, merge or undo (``jobs.reloading.reloads``)."""
    return (store.kind == "import" and unloaded(store)) or reloading.reloads(store)


def kind_of(store: JobStore, command: str = "resume") -> Any:
    """The job kind of ``store`` for a resume / retry; None for a job whose load was cut
    short that a resume loads again (``reloads``; a retry raises ``NotResumable``: resume
    it). Any other job whose load was cut short (a dedupe job, one that was to ask first)
    is refused with ``NotResumable`` (``jobs.resume_verdict``: one line naming what its
    load sent, from its ledger, which it keeps; not marked failed — x44r3 F4).
    An import planned with older person keys has them recomputed first, in one
    transaction (``jobs.person_key_version``: before this, a row mapped again or a
    person its reconcile listed missed the stored key, and was created a second time)."""
    keys_up_to_date(store)
    if reloads(store):
        if command == "resume":
            return None
        what = "its manifest was" if store.kind == "import" else "it was"
        raise NotResumable(f"job {store.job_id} was interrupted while {what} being "
                           f"loaded ({sent_while_loading(store)}): it has no failed rows; "
                           "resume it to load it again and run it")
    if unloaded(store):
        _refused(store, verdict(store, command))
    return kind_for(store)


# why a resume or retry made calls before its plan (``resume_plan``'s ``before``)
LOADED_AGAIN = "the load again of a job cut short while loading"
MAPPED_AGAIN = "the catalog and the indexes of the rows mapped again"


def resume_plan(store: JobStore, kind: Any, s: Engine, *,
                after_reread: Mapping[str, int] | None = None,
                before: Mapping[str, int] | None = None,
                before_why: str = LOADED_AGAIN) -> Any:
    """The plan of a resume (or retry) of ``store``: the calls the job kind says it makes
    now (``resume_calls``: the re-read of the pending deals, the reconcile of what is in
    doubt, the writes), priced like every plan (``jobs.planning.Plan``); None for a kind
    that cannot tell. ``after_reread``: the re-read is done and made these calls; the
    plan is then those and the writes left. ``before``: the calls this run made before
    its plan (by operation: an import cut short while loading, loaded again; a retry's
    rows mapped again: ``before_why`` says which), counted in and named in a note: the
    plan is the whole run's, as its cap (``--max-tokens``) is."""
    from jobs.planning import budget_source, estimate

    calls = getattr(kind, "resume_calls", None)
    if calls is None:
        return None
    planned = Counter(calls(store))
    # what it makes after its last write (an import's end-of-run checks: x51r5 F6)
    trailing = dict(getattr(kind, "end_of_run_calls", None) or {})
    if after_reread is not None:
        planned = planned - Counter(kind.reread_calls(store)) + Counter(after_reread)
    made = Counter(before or {})
    planned += made
    # the ask of the server's day the engine made at its opening (``Engine.asked_day``:
    # a resume or retry right after the reset, uncoordinated; x50r2 F6: plan 230, sent 232)
    planned += Counter({"getCurrentUser": getattr(s, "asked_day", 0)})
    checks = Counter(recheck_calls(store, kind, s.config.max_workers,
                                   (ItemState.PENDING, ItemState.SENDING),
                                   burst=s.scheduler.limits.burst))
    planned += checks
    counts = store.counts()
    notes = []
    if made:
        notes.append(f"counts the {counted(tokens_of(made), 'token')} this run spent before this plan "
                     f"({', '.join(f'{op} {n:,}' for op, n in sorted(made.items()))}: "
                     f"{before_why})")
    unpriced = getattr(kind, "unpriced", None)
    if unpriced is not None and (n := unpriced(store)):
        pulled = before_why.startswith(MAPPED_AGAIN) and made  # pulled before this plan: counted
        unsent = getattr(kind, "unsent", None)
        refused = unsent(store) if unsent is not None else 0
        # (x40r2 F3: every failed row was priced as a create, those the mapping still
        # refuses too)
        sent = (f"{n:,} row(s) are mapped again first: their deal writes are counted above"
                if not refused else
                f"{n:,} row(s) are mapped again first, with the mapping as it is now: "
                + (f"{n - refused:,} map, their deal writes counted above; "
                   if refused < n else "none maps; ")
                # (x45r5 F5: "change nothing or repeat an earlier row of their key (its
                # duplicate)" did not say which, nor what to do)
                + f"{refused:,} still fail or send nothing: the mapping as it is now still "
                "refuses them (fix it, then retry again), or their deal already holds what "
                "they would write, or each repeats an earlier row of the same key whose "
                "write covers it: not sent, not counted")
        decided = bool(getattr(kind, "remapped_priced", False))
        notes.append(sent + ("" if pulled else "; the catalog and the indexes are pulled "
                             "again (not counted above)")
                     + ("; the persons / organizations they create are counted above"
                        if decided else "; the persons / organizations they name may be "
                        "created (not counted above; the plan after the re-read counts them)"))
    # each later resume's first spend: its check of the account and its re-read (w56r1 F2)
    again = tokens_of(resume_first_calls(store, kind))
    sched = s.scheduler.statistics()
    # the plan is the whole run's (its re-read and the calls before this plan included):
    # what was left today when the run began, as ``loaded_plan``'s (x51r5 F6: the plan
    # after the re-read set 332 tokens, the re-read's 50 among them, against the 245 left
    # after it: "stops after about 22 of its 40 writes"; the run wrote all 40)
    today = s.tokens_left_today()
    left = None if today is None else today + sched.tokens_spent
    # the day's figures from one source, as the progress line reads them: the server's once
    # heard, else the preset's (x23r1 F2: the note took the preset's 60,000 left while the
    # server's 210,000 budget was known to the progress line)
    return estimate(f"{store.kind} (resume)", planned, s.scheduler.limits,
                    rows=counts[ItemState.PENDING] + counts[ItemState.SENDING], bad_rows=0,
                    tokens_left_today=left, notes=notes,
                    daily_tokens=sched.daily_limit, budget_source=budget_source(sched),
                    max_tokens=s.config.budget.max_tokens, resume_reread=again,
                    usable_daily=sched.usable_daily, gating=checks, trailing=trailing,
                    batches=recheck_batches(store, s.config.max_workers,
                                            (ItemState.PENDING, ItemState.SENDING),
                                            burst=s.scheduler.limits.burst))


def in_doubt_bound(store: JobStore, kind: Any) -> str:
    """What a resume's tokens say of the writes in doubt (``kind.in_doubt_writes``: each
    counted as sent again, though the reconcile sends none for one it finds made — whether
    one applied is known only from that read of the account, the answer being lost): that
    the figure is an upper bound, and by how much at most; "" when none is in doubt."""
    writes = getattr(kind, "in_doubt_writes", None)
    doubt = writes(store) if writes is not None else {}
    if not doubt:
        return ""
    # the items in doubt (``kind.in_doubt_items``: a dedupe's first merge is two writes, its
    # field-policy PATCH and its merge), else one write each
    items = getattr(kind, "in_doubt_items", None)
    n = items(store) if items is not None else sum(doubt.values())
    ops = " / ".join(sorted(doubt))
    return (f", {n:,} of them in doubt (left in flight; each counted as its {ops} sent "
            "again, though the reconcile sends none for those it finds made: the tokens "
            f"below are at most, up to {tokens_of(doubt):,} fewer)")


def plan_lines(store: JobStore, kind: Any, s: Engine, *,
               after_reread: Mapping[str, int] | None = None,
               before: Mapping[str, int] | None = None,
               before_why: str = LOADED_AGAIN) -> list[str]:
    """``resume_plan`` as the CLI prints it: one line (before anything is sent; again after
    the re-read, which may have settled items, with the calls it made) and its notes.
    ``before``: the calls the run made before its plan (``resume_plan``)."""
    plan = resume_plan(store, kind, s, after_reread=after_reread, before=before,
                       before_why=before_why)
    if plan is None:
        return []
    ops = ", ".join(f"{op} {n:,}" for op, n in plan.calls.items()) or "none"
    head = "plan" if after_reread is None else "plan after the re-read"
    lines = [f"{head}: {plan.rows:,} item(s) to settle{in_doubt_bound(store, kind)}; "
             f"calls at most: {ops}; tokens: {plan.tokens:,}"]
    if after_reread is None:
        # the retries and in-doubt re-reads (``planning.in_doubt_note``) are among them
        lines += [f"note: {note}" for note in plan.notes]
        if plan.calls.get("getDeals") and store.kind == "import":
            lines.append("note: the re-read lists every deal added or changed since the "
                         "load, 500 a page: deals others wrote meanwhile add pages (the plan "
                         "after the re-read counts them)")
        if store.kind == "import" and (plan.calls.get("getPersons")
                                       or plan.calls.get("getOrganizations")):
            # (``_contacts_gone``: which are gone is known only once they are read; x48r3
            # F1: the ids the load matched were not read, their rows refused at the send)
            reread = getattr(kind, "contacts_reread", None)
            n = reread(store) if reread is not None else {}
            read = ", ".join(f"{counted(k, what)}: {op} {-(-k // 100):,}" for what, op, k in (
                ("person", "getPersons", n.get("person", 0)),
                ("organization", "getOrganizations", n.get("org", 0))) if k)
            read = f" ({read}; 100 a page, counted above)" if read else ""
            lines.append("note: the re-read reads by id the persons / organizations the "
                         f"pending rows name — this job's and those its load matched{read}; "
                         "one deleted or merged away since is followed (getDeal, getPerson, "
                         "a page of getPersons / getOrganizations), the rows naming it are "
                         "resolved again before they are sent (the catalog and the persons "
                         "/ organizations lists read again, those to create) and the deals "
                         "of settled rows naming it are read at the run's end: not counted "
                         "above, the plan after the re-read counts them")
    else:  # the re-read's answers told the day's budget: its note again, by the server's;
        # and this run's cap judged on this plan (x40r2 F3: judged on the first plan only,
        # the plan after the re-read 10x the cap said nothing)
        lines += [f"note: {note}" for note in plan.notes
                  if " are left today " in note or "--max-tokens" in note
                  or "mapped again first" in note]
    return lines


def _refuse_unreachable(store: JobStore, kind: Any, eng: Engine, loaded: Mapping[str, int],
                        why: str, *, after_reread: Mapping[str, int] | None = None,
                        command: str = "resume", unmade: bool = False) -> None:
    """BudgetExhausted, before the resume's re-read and reconcile read anything, when its
    plan (``resume_plan``) says the run stops before its first write: the known remaining
    share of the day (a shared coordinator's last-heard budget, ``--budget-share``) — unless
    the run waits for the reset — or this run's ``--max-tokens`` cannot reach it (x38r2 F6:
    26 tokens left, 42 of reads before the first write, and 22 spent on reads anyway).
    ``after_reread``: the re-read is done (these calls): its plan, which may have found more
    to read first (f41b 3: a retry spent its whole cap of 150 on the re-reads of its creates
    in doubt and made no write). The message says what this run spent before it (a retry's
    catalog and index pulls, a re-read), in tokens; ``command``: "resume" or "retry";
    ``unmade``: ``loaded`` are calls still to make first (the account check's), not made."""
    from .budget_stop import FIRST_WRITE

    plan = resume_plan(store, kind, eng, before=loaded, before_why=why,
                       after_reread=after_reread)
    stop = getattr(plan, "stop", None)
    if isinstance(least := getattr(plan, "first_write_cap", None), int):
        store.meta_put(META_FIRST_WRITE_CAP, least)  # a cap stop names it (x46r8 F2)
    if not isinstance(stop, str) or FIRST_WRITE not in stop:
        return
    capped = f"{CAP_SETTING} is" in stop.split(":", 1)[0]
    if not capped and eng.config.budget.wait_for_reset:
        return
    spent = Counter() if unmade else Counter(loaded) + Counter(after_reread or {})
    said = (f"nothing was read or sent by this {command}" if not spent else
            f"nothing was sent by this {command}; it read only "
            f"{', '.join(f'{op} {n:,}' for op, n in sorted(spent.items()))} "
            f"({counted(tokens_of(spent), 'token')}) before it stopped")
    raise BudgetExhausted(f"budget: {stop}; {said}",
                          cap=eng.config.budget.max_tokens if capped else None,
                          upfront="before its first write" if spent
                          else "before anything was spent")


def _refuse_unpulled(store: JobStore, kind: Any, eng: Engine, loaded: Mapping[str, int]
                     ) -> None:
    """BudgetExhausted, before a retry reads anything, when its ``--max-tokens`` cannot pay
    the fewest reads before its first write — what it read already (``loaded``), the
    re-read of what is pending (``reread_calls``), a page of each list its failed rows'
    mapping pulls (``retry_pulls``) — and one write (x41r4 F3: caps of 30 and 45 spent
    30 and 40 tokens on those pulls, no write)."""
    from bulk.operations import get_operation

    cap = eng.config.budget.max_tokens
    pulls = getattr(kind, "retry_pulls", None)
    reread = getattr(kind, "reread_calls", None)
    wanted = Counter(pulls(store)) if cap is not None and pulls is not None else Counter()
    if cap is None or not wanted:
        return
    # (at most: the re-read's pages of deals may be the ones ``retry_pulls`` counts)
    reads = Counter(loaded) + (Counter(reread(store) if reread is not None else {}) | wanted)
    write = min(get_operation(op).token_cost for op in ("addDeal", "updateDeal"))
    if (need := tokens_of(reads) + write) <= cap:
        return
    ops = ", ".join(f"{op} {n:,}" for op, n in sorted(wanted.items()))
    raise BudgetExhausted(
        f"budget: {CAP_SETTING} is {cap:,}, and this retry's first write needs at least "
        f"{need:,}: its failed rows are mapped again after the catalog and the indexes are "
        f"pulled and the deals re-read ({ops}, a page each at least: "
        f"{counted(tokens_of(wanted), 'token')}), before a write ({write:,} at least); pass a "
        f"larger {CAP_SETTING} ({need:,} or more); nothing was read or sent by this retry",
        cap=cap, upfront="before anything was spent")


async def _unused_credit_back(store: JobStore, kind: Any) -> None:
    """The credit the killed runs before this one charged ahead and never used, out of
    the ledger and of the tokens in doubt (``bulk.ledger.take_back_unused``), for the
    writes ``kind`` makes inside its items alone (its ``item_writes``, each item's most
    calls its ``write_calls``, and those it may have made outside them its
    ``outside_writes``); nothing for a kind without them."""
    ops, calls_of = getattr(kind, "item_writes", None), getattr(kind, "write_calls", None)
    outside = getattr(kind, "outside_writes", None)
    # a kind whose items' calls depend on what the store recorded (the import: its rows'
    # contact creates answered, ``ImportJob.write_calls_in``)
    calls_in = getattr(kind, "write_calls_in", None)
    if ops and calls_of is not None:
        await in_thread(lambda: take_back_unused(
            store, ops, calls_in(store) if calls_in is not None else calls_of,
            outside(store) if outside is not None else None))


async def resumed(store: JobStore, token: str, kind: Any,
                  first: Callable[[Engine], Awaitable[None]] | None = None,
                  max_tokens: int | None = None, *, say: Say | None = None,
                  show_plan: Say | None = None, execute: Execute | None = None,
                  clock: Clock | None = None, transport: Transport | None = None,
                  share: float | None = None, wait_for_reset: bool = False,
                  window_share: float | None = None) -> RunResult:
    """The run of a resume (or a retry: ``first`` runs on the engine before anything
    else, e.g. checks and puts the failed rows back) of ``store`` with job kind ``kind``
    (``kind_of``; None: an import whose load was cut short, loaded again first).
    ``max_tokens``: this run's cap in place of the job's; ``share`` (``--budget-share``):
    this run's share of the daily budget in place of the job's; ``wait_for_reset``: wait
    for the daily reset when the budget is spent, whether or not the job was started with
    it (f23k: the advice "pass --wait-for-reset" named an option resume did not take);
    ``window_share`` (``--window-share``): this run's share of the token's windows in place
    of the job's (``EngineConfig.window_share``).
    ``say``: the lines of the load
    and of the re-read (the deals read again before the run); ``show_plan``: the
    resume's plan lines (``plan_lines``). ``execute``: runs the loaded job (default:
    ``engine.run``)."""
    cfg = EngineConfig.from_json(store.config["engine"])
    if max_tokens is not None:  # this run's own cap, in place of the job's (x13r6 F5)
        cfg = dataclasses.replace(cfg, budget=dataclasses.replace(cfg.budget,
                                                                  max_tokens=max_tokens))
    if share is not None:
        cfg = dataclasses.replace(cfg, budget=dataclasses.replace(cfg.budget, share=share))
    if wait_for_reset:
        cfg = dataclasses.replace(cfg, budget=dataclasses.replace(cfg.budget,
                                                                  wait_for_reset=True))
    if window_share is not None:
        cfg = dataclasses.replace(cfg, window_share=window_share)
    say = say or (lambda _line: None)
    show = show_plan or (lambda _line: None)
    identity = getattr(kind, "check_identity", None)  # before any call or change (x43r4 F1)
    if identity is not None:
        await in_thread(lambda: identity(store))
    # the tokens of runs an earlier pdbulk made, which kept no record of what was in doubt:
    # said apart once this run's record is there (``bulk.ledger.tokens_unsplit``)
    await in_thread(lambda: mark_unsplit(store, store.meta_put))
    # a resume or retry asks the server for its day at once where the day kept in the
    # state folder says it is spent (x44r7 F3: refused for half an hour after the reset)
    async with Engine.open(cfg, token, store=store, clock=clock, transport=transport,
                           ask_day=True) as eng:
        loaded: Counter[str] = Counter()
        put_back = False
        release: Callable[[], None] | None = None
        if kind is None:  # cut short while loading: nothing was sent, load again
            if store.kind == "import":
                from .importing import load_again

                kind = await load_again(eng, store, say=say)
            else:
                kind, release = await reloading.load_again(eng, store, say=say)
            # its catalog and index pulls, spent before the plan (x29r2 F4: 70 tokens the
            # resume's plan lines did not count)
            loaded = Counter(eng.stats.calls_by_operation)
        why = LOADED_AGAIN
        ready = getattr(kind, "before_plan", None)  # e.g. the claims a dead run holds
        command = "resume" if first is None else "retry"
        if not loaded and kind is not None:  # (a job loaded again: mapped just now)
            loaded, why = await _account_checked(store, kind, eng, command, show)
        if first is not None:
            # a retry whose cap cannot reach its first write even before its failed rows
            # come back (the reconcile's reads of what is in doubt alone) is refused before
            # its rows are mapped again (their catalog and index pulls: f41b 3, 90 tokens
            # spent, then "nothing was read")
            if ready is not None:
                await ready(store)
            _refuse_unreachable(store, kind, eng, loaded, why, command=command)
            _refuse_unpulled(store, kind, eng, loaded)
            remap_why = getattr(kind, "remap_why", None)  # read while the rows are failed
            because = remap_why(store) if remap_why is not None else ""
            await first(eng)
            put_back = True
            if eng.stats.calls_by_operation != loaded:
                # a retry's rows mapped again: the catalog and index pulls, made before
                # its plan (x31r1 7: "tokens: 70", then 90 spent)
                loaded, why = Counter(eng.stats.calls_by_operation), MAPPED_AGAIN + because
        try:
            return await _before_run(store, kind, eng, loaded, why, command, say, show,
                                     execute)
        except BaseException as exc:
            if put_back:  # the retry's rows back to pending, its run never began
                await in_thread(partial(_stopped_before_run, store, kind, exc))
            raise
        finally:
            if release is not None:  # an undo's source job, held while the undo ran
                release()


async def _account_checked(store: JobStore, kind: Any, eng: Engine, command: str,
                           show: Say) -> tuple[Counter[str], str]:
    """What the stored bodies ``command`` sends again name, checked against the account
    before anything else is read or sent, whatever ended the job's last run
    (``jobs.resume_account_now``; x45r4 F1, f46d: a retry, or the resume of a job stopped
    by its cap or killed, sent a deleted field's code again, 10 more refused): refused
    first when this run's cap cannot pay those reads and a write, then its calls in a
    plan line, then the pulls (``InputError`` naming what is gone). The calls it made and
    why, for the plan (``resume_plan``'s ``before``); none for rows naming nothing."""
    from bulk.operations import get_operation

    ready = getattr(kind, "before_plan", None)
    named, planned = await in_thread(lambda: account_check_calls(store, command))
    if not planned:
        return Counter(), LOADED_AGAIN
    if ready is not None:
        await ready(store)
    checked = account_checked(planned)
    _refuse_unreachable(store, kind, eng, planned, checked, command=command, unmade=True)
    ops = ", ".join(f"{op} {n:,}" for op, n in sorted(planned.items()))
    cap, reads = eng.config.budget.max_tokens, tokens_of(planned)
    # (a retry's rows are still failed here, so its plan above counts no write of them:
    # the cheapest write a kind with such bodies makes, at least)
    write = min(get_operation(op).token_cost for op in ("updateDeal", "deleteDeal"))
    if cap is not None and (need := reads + write) > cap:
        raise BudgetExhausted(
            f"budget: {CAP_SETTING} is {cap:,}, and this {command}'s first write needs at "
            f"least {need:,}: {checked} ({ops}: {counted(reads, 'token')}), before a "
            f"write; pass a larger {CAP_SETTING} ({need:,} or more); nothing was read or sent "
            f"by this {command}", cap=cap, upfront="before anything was spent")
    show(f"plan of the check first ({checked}): calls: {ops}; tokens: {reads:,}")
    for line in await check_account(eng.ctx, store, command, named, kind):
        show(line)
    return Counter(eng.stats.calls_by_operation), checked


async def _before_run(store: JobStore, kind: Any, eng: Engine, loaded: Counter[str],
                      why: str, command: str, say: Say, show: Say,
                      execute: Execute | None) -> RunResult:
    """``resumed`` from its plan on: the plan lines, the refusals of a cap that cannot
    reach a write, the re-read, and the run (``execute``, default ``engine.run``)."""
    ready = getattr(kind, "before_plan", None)
    noted = getattr(kind, "manifest_note", None)  # the file changed since the load
    if noted is not None and (note := noted(store)) is not None:
        say(f"note: {note}")
    if (note := prepared_note(store)) is not None:  # an edit it ignores (x46r2 F2)
        say(f"note: {note}")
    if ready is not None:
        await ready(store)
    await _unused_credit_back(store, kind)
    for line in plan_lines(store, kind, eng, before=loaded, before_why=why):
        show(line)
    _refuse_unreachable(store, kind, eng, loaded, why, command=command)
    before = getattr(kind, "before_resume", None)  # e.g. re-decide from fresh reads
    if before is not None:
        made = Counter(eng.stats.calls_by_operation)
        for line in await before(eng.ctx, store):
            say(line)
        if ready is not None:  # the re-read may have settled some of those claims
            await ready(store)
        # the calls the re-read made, not those planned (x17r3 F2: the deals others
        # wrote since the load are read too, and the line repeated the planned 2 pages)
        reread = dict(Counter(eng.stats.calls_by_operation) - made)
        for line in plan_lines(store, kind, eng, before=loaded, before_why=why,
                               after_reread=reread):
            show(line)
        # the re-read found more to read before the first write than the cap leaves:
        # stopped now, not after the rest of the cap went to reads and no write
        _refuse_unreachable(store, kind, eng, loaded, why, after_reread=reread,
                            command=command)
    if execute is not None:
        return await execute(eng, kind)
    return await eng.run(kind)


def _stopped_before_run(store: JobStore, kind: Any, exc: BaseException) -> None:
    """A retry that put its failed rows back to pending and ended before its run began
    (its ``--max-tokens`` cannot reach a write, a signal, the account's refusal): the
    job "stopped" — resumable, why in its message and ``META_STOP`` — with its result
    files written from the store (x41r4 F4: "finished" with 15 rows pending, the files
    "out of date ... the last one ended before writing them", failed.csv's old reasons).
    A job whose run began says its own status (``bulk.runner``); a store that cannot be
    written keeps its status (the first error is the one raised)."""
    if store.status != "finished" or not store.counts()[ItemState.PENDING]:
        return
    error = exc if isinstance(exc, BulkError) else None
    message = str(error) if error is not None else (
        "interrupted after its failed rows were put back, before its run began (nothing "
        "sent): pdbulk resume sends them")
    try:
        store.set_status("running")  # "finished" becomes "stopped" through a run
        store.set_status("stopped", message)
        store.meta_put(META_STOP, {"cause": (cause := stop_cause(exc)),
                                   "error": STOP_CAUSES[cause][1]})
        after_run = getattr(kind, "after_run", None)
        if after_run is not None:
            after_run(store, RunResult(stopped=True, error=error, stats=RunStats(),
                                       counts=store.counts()))
    except (BulkError, OSError, ValueError):
        pass  # said by the status / result-file lines of `pdbulk status`


async def resume_job(job: JobStore | Path | str, token: str, *, max_tokens: int | None = None,
                     share: float | None = None, wait_for_reset: bool = False,
                     window_share: float | None = None,
                     on_progress: Callable[[RunStats], None] | None = None,
                     on_line: Say | None = None, clock: Clock | None = None,
                     transport: Transport | None = None,
                     job_root: Path | str | None = None) -> Finished:
    """Finish a stopped, interrupted or crashed job, as ``pdbulk resume`` does; its outcome.

    ``job``: the job's open ``JobStore`` (left open), its folder, or its id under
    ``job_root`` (default ``pdbulk-jobs``, ``EngineConfig``'s; a folder or an id is
    opened here, closed at the end: ``bulk.store.job_folder``). ``token``: the API token of the account
    the job ran on (never stored). ``max_tokens``: this run's cap on tokens, in place of
    the one the job was started with; ``share`` and ``wait_for_reset``: this run's
    ``--budget-share`` and ``--wait-for-reset`` likewise, and ``window_share`` this run's
    ``--window-share`` (``EngineConfig.window_share``); otherwise the job runs with the limits it was
    started with (its stored ``EngineConfig``). Items a crash or a cancellation left in
    flight are reconciled first (never sent blindly again); an import re-reads the deals
    of its pending rows before it sends; an import cut short while loading (nothing was
    sent) is loaded again from its manifest and mapping (an update, move-stage, merge or
    undo from the arguments it was started with), then run. The result files
    are written again (succeeded.csv, failed.csv, summary.json, ...: ``Finished.lines``
    says where, after the lines of the load and re-read, unless ``on_line`` takes those
    as they come). ``on_progress(stats)``: the runner's progress callback.

    Returns ``Finished`` (``status`` "finished" or "stopped": stopped again, e.g. the
    budget spent — resume again; ``counts`` by item state; ``result.counts`` this run's;
    ``planned`` is None). A job with nothing left sends nothing: its files are written
    again. Raises, before anything is sent: ``ConfigError`` (a ``max_tokens``, ``share`` or
    ``window_share`` out of range), ``NotResumable`` (cancelled or failed job,
    or one an undo ran on; a dedupe job, or one that was to ask first, whose load was cut
    short: ``jobs.resume_verdict``), ``InputError`` (a job cut short while loading whose
    manifest, mapping or source job is no longer usable: it stays resumable once fixed),
    ``StoreError`` (no job there; ``JobBusy``: another live process holds it),
    ``CoordinatorMismatch`` (a coordinated job resumed without its coordinator), and
    the account's errors (``Unauthorized``, ...). Cancelling the task leaves the job
    resumable again. One log record on ``pdbulk.job`` says how the call ended
    (``jobs.finished.log_end`` / ``log_cut_short``)."""
    if not isinstance(job, JobStore):  # x41r1 M4: None / 17 were a bare TypeError
        checks.path("resume_job", "job", job)
    checks.arguments("resume_job", token=token)
    checks.path("resume_job", "job_root", job_root, optional=True)
    # this run's limits refused before the job is opened (x25r3 F1), as BudgetPolicy does
    BudgetPolicy(max_tokens=max_tokens, share=share, wait_for_reset=wait_for_reset)
    if window_share is not None:
        check_window_share(window_share)
    store = job if isinstance(job, JobStore) else JobStore.open(
        job_folder(os.fspath(job), job_root))
    as_it_was: tuple[str, Any] | None = None
    try:
        as_it_was = (store.status, store.counts())  # a resume refused leaves it so
        refuse(store, "resume")
        kind = kind_of(store, "resume")
        spent_before = ledger_tokens(store)
        lines: list[str] = []
        say = on_line or lines.append

        async def run(eng: Engine, loaded: Any) -> RunResult:
            result = await eng.run(loaded, on_progress=on_progress)
            after_run = getattr(loaded, "after_run", None)
            if after_run is not None:  # off the loop (store writes, the merge record's Redis)
                lines.extend(await in_thread(lambda: after_run(store, result)))
            return result

        result = await resumed(store, token, kind, None, max_tokens, say=say, execute=run,
                               clock=clock, transport=transport, share=share,
                               wait_for_reset=wait_for_reset, window_share=window_share)
        counts = {state.value: n for state, n in store.counts().items() if n}
        return log_end(Finished(store.job_id, store.directory, store.status, counts, result,
                                lines, None, ledger_tokens(store) - spent_before),
                       "resumed, ended")
    except BaseException as exc:
        log_cut_short(store.job_id, exc, "resumed, ended", **_left(store, as_it_was))
        raise
    finally:
        if not isinstance(job, JobStore):
            store.close()


def _left(store: JobStore, as_it_was: tuple[str, Any] | None) -> dict[str, Any]:
    """How a resume cut short left its job, for ``log_cut_short``: ``kept``, the job's
    status now (a resume keeps its job: "stopped", resumable, is no "failed"; x48r9 F1)
    and ``refused``, its status and items as the resume found them (refused before it
    wrote anything: its cap, a wrong token, a job it does not resume). Nothing when the
    store cannot say (lost, damaged): the record says "failed", as before."""
    if as_it_was is None:
        return {}
    try:
        now = (store.status, store.counts())
    except Exception:  # the record is written all the same, as before
        return {}
    return {"kept": now[0], "refused": now == as_it_was}


def resume_hint(job_id: str, job_dir: Path | str) -> str:
    """The command that resumes job ``job_id``: with the coordinator when this run has one
    (a coordinated job is not resumed without it) — never its password, nor a masked one
    that fails when pasted (``bulk.coordinator.coordinator_flag``)."""
    from bulk.errors import resume_command

    return resume_command(job_id, job_dir)


__all__ = ["in_doubt_bound", "kind_of", "nothing_left", "plan_lines", "refuse", "reloads", "resume_hint",
           "resume_job", "resume_plan", "resumed"]
