"""A resume after the writes refused alike (``bulk.repeated.RepeatedRefusal``) checks first
what its pending rows name against the account as it is now, for every job kind that keeps
prepared bodies (update, move-stage, undo: ``payload["changes"]``); an import runs its own
check on every resume (``jobs.importing.resume``, ``jobs.import_account_now``).

Before (x45r4 F1): an update naming custom fields FA and FB, both deleted mid-run, stopped
after 10 refusals (good) saying "fix the mapping, then resume"; but its resume sends the
bodies mapped at the load, with the deleted fields' codes: an edited mapping changes
nothing, a field made again has a new code, and each resume spent 10 more refused writes
(50 tokens) and stopped again (exit 4). Now the resume pulls the fields, stages and
pipelines (``check_calls``: 3 reads, 4 with users; priced in its plan as calls made before
it) and, when something the rows to send name is gone, refuses in one line (``InputError``,
exit 1) naming it and how many rows name it and saying what works — start a new job with
the mapping fixed; rows already done are left as they are (a new update finds them
unchanged) — before any write, the job left as it was. Nothing gone (a permission fixed, an
option put back under its id): the resume runs. A merge or a dedupe's items name no field:
no check, no pull. Only after a stop of that cause (``META_STOP``): any other resume
costs nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import META_STOP, InputError
from bulk.store import ItemState, JobStore

from .deals import META_FIELD_LABELS, META_VALUE_LABELS
from .import_account_now import Named, check_now, needs_users

REFUSED_CAUSE = "refused"  # the ``bulk.errors.STOP_CAUSES`` key of RepeatedRefusal
ACCOUNT_CHECKED = ("the account's fields, stages and pipelines read again after the writes "
                   "refused alike")


def stopped_by_refusals(store: JobStore) -> bool:
    """Whether ``store``'s last run stopped on writes refused alike (``META_STOP``)."""
    stop = store.meta_get(META_STOP)
    return store.status == "stopped" and isinstance(stop, Mapping) \
        and stop.get("cause") == REFUSED_CAUSE


def named_to_send(store: JobStore) -> Named:
    """What the bodies of ``store``'s items to send (pending or in doubt) name."""
    named = Named()
    for state in (ItemState.PENDING, ItemState.SENDING):
        for item in store.items(state):
            body = item.payload.get("changes")
            if isinstance(body, Mapping):
                named.add(body)
    return named


def new_job_advice(kind: str) -> str:
    """What works for a job of ``kind`` whose rows to send name something deleted (one
    phrase; ``check_account`` says why the resume cannot)."""
    if kind == "undo":
        return ("what is left names a field or a stage no longer there and cannot be put "
                "back by this undo; the rows already put back stay so")
    fixed = "naming a stage that exists" if kind == "move-stage" else "with the mapping fixed"
    return (f"start a new {kind} job {fixed}; rows already done are left as they are (the "
            "new job finds them unchanged)")


def stop_advice(kind: str) -> str:
    """What the stop after writes refused alike says works for a job of ``kind`` (the job
    kinds' ``after_refusals``, which ``bulk.repeated.RepeatedRefusal`` says): the advice
    ``check_account`` (and the import's own check) can follow."""
    head = ("A field, an option or a stage deleted: `pdbulk resume` checks the account first "
            "and refuses, nothing sent, while the rows to send name it (it says which)")
    if kind == "import":
        return (f"{head}; with the mapping fixed (or what was deleted put back) it maps those "
                "rows again. Anything else fixed (a permission): resume")
    why = "" if kind == "undo" else ", as it would send them as prepared at the load"
    return f"{head}{why}: {new_job_advice(kind)}. Anything else fixed (a permission): resume"


async def check_account(ctx: CallContext, store: JobStore) -> bool:
    """For a job stopped by writes refused alike (``stopped_by_refusals``) whose rows to
    send name fields, options, stages, pipelines or owners: pull them and raise
    ``InputError`` naming what is gone, nothing sent. Whether it pulled anything."""
    if store.kind == "import" or not stopped_by_refusals(store):
        return False
    named = await in_thread(lambda: named_to_send(store))  # off the loop
    if not named:
        return False
    labels = store.meta_get(META_FIELD_LABELS)
    values = store.meta_get(META_VALUE_LABELS)
    try:
        await check_now(ctx, named, None, path="", users=needs_users(named, None),
                        labels=_strs(labels), values=_values(values))
    except InputError as exc:
        said = exc.reason.split(". Nothing was sent.")[0]
        why = ("" if store.kind == "undo" else "a resume sends the rows as they were mapped at "
               "the load, so an edited mapping or a field made again (a new code) changes "
               "nothing: ")
        raise InputError(f"{said}. Nothing was sent; {why}{new_job_advice(store.kind)}") \
            from None
    return True


def _strs(held: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in held.items()} if isinstance(held, Mapping) else {}


def _values(held: Any) -> dict[str, dict[str, str]]:
    if not isinstance(held, Mapping):
        return {}
    return {str(k): _strs(v) for k, v in held.items() if isinstance(v, Mapping)}


__all__ = ["ACCOUNT_CHECKED", "REFUSED_CAUSE", "check_account", "named_to_send",
           "new_job_advice", "stop_advice", "stopped_by_refusals"]
