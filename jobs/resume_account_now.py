"""A resume or a retry checks first what the stored bodies it sends again name against the
account as it is now, for every job kind that keeps prepared bodies (update, move-stage,
undo: ``payload["changes"]``; a merge's or a dedupe apply's survivor PATCH:
``payload["patch"]``); an import runs its own check on every resume and retry
(``jobs.importing.resume``, ``jobs.import_account_now``).

Before (x45r4 F1): an update naming custom fields FA and FB, both deleted mid-run, stopped
after 10 refusals (good) saying "fix the mapping, then resume"; but its resume sends the
bodies mapped at the load, with the deleted fields' codes: an edited mapping changes
nothing, a field made again has a new code, and each resume spent 10 more refused writes
(50 tokens) and stopped again (exit 4). Then (f46d) the check ran only on the resume of a
job stopped that way: the retry of the refused rows sent them again (10 more refused), and
so did the resume of a job stopped by its ``--max-tokens``, or killed, whose field or stage
was deleted meanwhile (22 refused of 22 in a test). Now every resume and retry whose rows
to send (a retry: its failed rows too) name a custom field, an option, a stage, a pipeline
or an owner reads what they name, and only that (``check_reads``: the deal fields, 10
tokens, for a custom field or an option; the stages, 5, for a stage; the pipelines, 5, for
a pipeline; the users, 20, for an owner — f46p, x46r5 F5: every check read the fields, the
stages and the pipelines, a move-stage's 10 tokens of fields for nothing; priced in its
plan, first in a line of their own naming what it reads, then as calls made before it)
and, when something is gone, refuses in one line (``InputError``, exit 1)
naming it and how many rows name it and saying what works — start a new job with the
mapping fixed; rows already done are left as they are (a new update finds them unchanged)
— before any write, the job left as it was (a retry's failed rows stay failed). Nothing
gone (a permission fixed, an option put back under its id): it runs. Whatever ended the
last run: any stop leaves time for an admin to delete a field, and 20 tokens are less
than the 50 that 10 refused writes cost. Rows that name nothing of the kind (an update of
titles, a merge without PATCH) cost no pull.

An undo is the exception (f46p, x46r5 F2): it has no other command to finish it (``undo``
of the job refuses while it is being undone), so its resume and retry refused for good and
the deals it had not reached kept the job's values. Its job kind's ``leave_gone`` hook
takes what the check found instead: the groups naming something gone are dropped from
each restore (each row says so), the rest is put back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import META_STOP, InputError
from bulk.store import ItemState, JobStore

from .account import load_catalog
from .deals import META_FIELD_LABELS, META_VALUE_LABELS
from .import_account_now import Named, check_now

REFUSED_CAUSE = "refused"  # the ``bulk.errors.STOP_CAUSES`` key of RepeatedRefusal
# what each read of the check reads, in its plan line's words
_READS = {"getDealFields": "deal fields", "getStages": "stages",
          "getPipelines": "pipelines", "getUsers": "users"}
# the stored bodies a kind sends again: an update's / move's / undo's changes, a merge's
# survivor PATCH (``jobs.dedupe.apply``)
_BODIES = ("changes", "patch")


def stopped_by_refusals(store: JobStore) -> bool:
    """Whether ``store``'s last run stopped on writes refused alike (``META_STOP``)."""
    stop = store.meta_get(META_STOP)
    return store.status == "stopped" and isinstance(stop, Mapping) \
        and stop.get("cause") == REFUSED_CAUSE


def named_to_send(store: JobStore, *, retry: bool = False) -> Named:
    """What the bodies of ``store``'s items to send (pending or in doubt; ``retry``: the
    failed ones too, which it puts back) name."""
    named = Named()
    states = (ItemState.PENDING, ItemState.SENDING) + ((ItemState.FAILED,) if retry else ())
    for state in states:
        for item in store.items(state):
            for key in _BODIES:
                if isinstance(body := item.payload.get(key), Mapping):
                    named.add(body)
    return named


def check_reads(named: Named) -> dict[str, int]:
    """The calls ``check_account`` makes for ``named``, by operation — only what it names
    (a page of each list, 500 a page): ``getDealFields`` for a custom field (its options
    are in it), ``getStages`` / ``getPipelines`` for a stage / a pipeline, ``getUsers``
    for an owner; {} for nothing named."""
    what = {w for w, _ in named.ids}
    calls = {"getDealFields": bool(named.fields), "getStages": "stage" in what,
             "getPipelines": "pipeline" in what, "getUsers": "owner" in what}
    return {op: 1 for op, read in calls.items() if read}


def account_checked(calls: Mapping[str, int]) -> str:
    """What the check of ``calls`` (``check_reads``) does, as its plan line says it: "the
    account's stages read again: what the rows to send name, checked before anything is
    sent"."""
    read = [_READS[op] for op in _READS if calls.get(op)]
    said = ", ".join(read[:-1]) + f" and {read[-1]}" if len(read) > 1 else "".join(read)
    return (f"the account's {said or 'records'} read again: what the rows to send name, "
            "checked before anything is sent")


def account_check_calls(store: JobStore, command: str = "resume") -> tuple[Named, dict[str, int]]:
    """What ``command`` ("resume" / "retry") of ``store`` sends again names
    (``named_to_send``) and the calls ``check_account`` makes for it, by operation
    (``check_reads``; none: an import, which checks on its own, or rows naming nothing)."""
    if store.kind == "import":
        return Named(), {}
    named = named_to_send(store, retry=command == "retry")
    return named, check_reads(named)


def resume_first_calls(store: JobStore, kind: Any) -> dict[str, int]:
    """The calls a later ``pdbulk resume`` of ``store`` makes before it writes again, by
    operation: the check of what its rows to send name against the account
    (``account_check_calls``: ``check_account``'s pulls) and the job kind's re-read of what
    is left (``kind.reread_calls``) — or the kind's own ``resume_first_calls(store)`` where
    it checks on its own (an import: ``jobs.importing.resume``). The per-resume figure of a
    plan under ``--max-tokens`` (``budget_stop``'s ``resume_reread``), from the same
    functions the resume spends by (w56r1 F2: an update's plan said "about 30 tokens" of
    each resume's cap; each spent 35 more on the check: getDealFields 10, getStages 5,
    getUsers 20)."""
    own = getattr(kind, "resume_first_calls", None)
    if own is not None:
        return dict(own(store))
    _, calls = account_check_calls(store, "resume")
    reread = getattr(kind, "reread_calls", None)
    spent = dict(calls)
    for op, n in (reread(store) if reread is not None else {}).items():
        spent[op] = spent.get(op, 0) + n
    return spent


def new_job_advice(kind: str) -> str:
    """What works for a job of ``kind`` whose rows to send name something deleted (one
    phrase; ``check_account`` says why the resume cannot)."""
    if kind == "undo":  # (x46r5 F2: it refused for good, with no other command)
        return ("it puts back what names nothing gone and leaves the groups that do as the "
                "deals have them, each row saying what cannot be put back")
    fixed = "naming a stage that exists" if kind == "move-stage" else "with the mapping fixed"
    return (f"start a new {kind} job {fixed}; rows already done are left as they are (the "
            "new job finds them unchanged)")


def stop_advice(kind: str) -> str:
    """What the stop after writes refused alike says works for a job of ``kind`` (the job
    kinds' ``after_refusals``, which ``bulk.repeated.RepeatedRefusal`` says): the advice
    ``check_account`` (and the import's own check) can follow."""
    head = ("A field, an option or a stage deleted: `pdbulk resume` checks the account first "
            "and refuses, nothing sent, while the rows to send name it (it says which)")
    if kind == "undo":
        return ("A field, an option or a stage deleted: `pdbulk resume` checks the account "
                f"first; {new_job_advice(kind)}. Anything else fixed (a permission): resume")
    if kind == "import":
        return (f"{head}; with the mapping fixed (or what was deleted put back) it maps those "
                "rows again. Anything else fixed (a permission): resume")
    why = ", as it would send them as prepared at the load"
    return f"{head}{why}: {new_job_advice(kind)}. Anything else fixed (a permission): resume"


async def check_account(ctx: CallContext, store: JobStore, command: str = "resume",
                        named: Named | None = None, kind: Any = None) -> list[str]:
    """Before ``command`` ("resume" / "retry") of ``store`` sends its stored bodies again,
    whatever ended its last run: when they name fields, options, stages, pipelines or
    owners (``named``, else ``named_to_send`` read here), read those
    (``check_reads``: only what they name) and raise ``InputError`` naming what is gone,
    nothing sent — unless the job kind (``kind``) has a ``leave_gone(store, catalog,
    retry=)`` hook (an undo: ``jobs.undo.gone_now``), which narrows the bodies to what
    the account still has instead. The lines to show (the hook's; [] for none)."""
    if store.kind == "import":
        return []
    if named is None:
        named = await in_thread(lambda: named_to_send(store, retry=command == "retry"))
    reads = check_reads(named)
    if not reads:
        return []
    labels = store.meta_get(META_FIELD_LABELS)
    values = store.meta_get(META_VALUE_LABELS)
    catalog = await load_catalog(ctx, users=bool(reads.get("getUsers")),
                                 deal_fields=bool(reads.get("getDealFields")),
                                 stages=bool(reads.get("getStages")),
                                 pipelines=bool(reads.get("getPipelines")))
    try:
        await check_now(ctx, named, None, path="", users=False, labels=_strs(labels),
                        values=_values(values), catalog=catalog)
    except InputError as exc:
        leave = getattr(kind, "leave_gone", None)
        if leave is not None:
            return list(await in_thread(lambda: leave(store, catalog,
                                                      retry=command == "retry")))
        said = exc.reason.split(". Nothing was sent.")[0]
        again = ("a stage made again (a new id)" if store.kind == "move-stage" else
                 "an edited mapping or a field made again (a new code)")
        why = ("" if store.kind == "undo" else f"a {command} sends the rows as they were "
               f"prepared at the load, so {again} changes nothing: ")
        # (x46r5 F6: said of a retry with no failed rows too)
        failed = command == "retry" and store.counts().get(ItemState.FAILED, 0)
        kept = "; its failed rows stay failed" if failed else ""
        raise InputError(f"{said}. Nothing was sent{kept}; {why}"
                         f"{new_job_advice(store.kind)}") from None
    return []


def _strs(held: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in held.items()} if isinstance(held, Mapping) else {}


def _values(held: Any) -> dict[str, dict[str, str]]:
    if not isinstance(held, Mapping):
        return {}
    return {str(k): _strs(v) for k, v in held.items() if isinstance(v, Mapping)}


__all__ = ["REFUSED_CAUSE", "account_check_calls", "account_checked", "check_account",
           "check_reads", "named_to_send", "resume_first_calls",
           "new_job_advice", "stop_advice", "stopped_by_refusals"]
