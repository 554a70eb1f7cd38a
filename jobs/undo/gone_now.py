"""An undo's restores narrowed at its resume or retry to what the account still has
(f46p, x46r5 F2).

A resume or retry checks what the stored bodies name against the account first
(``jobs.resume_account_now``), and for an update or a move-stage refuses when something is
gone: a new job with a fixed mapping does the rest. An undo has no such other command
(``pdbulk undo`` of the job refuses while this undo is unfinished), so its refusal was for
good: an undo of an update setting a title and the custom field 'Discount' on 150 deals,
stopped part-way (its --max-tokens, kill -9), 'Discount' deleted since — every resume and
retry refused (20 tokens each), 125-134 deals kept the job's titles, and in the kill case
7-32 rows stayed in doubt.

Now the undo job's ``leave_gone`` (this module's ``leave_gone``) takes what the check
read: each restore still to send (pending or in doubt; a retry's failed ones too) loses
the field groups (``jobs.deals.FIELD_GROUPS``) that name something gone — a custom field,
an option (a value of several keeps the options still there), a stage with its pipeline,
an owner deactivated — as the plan and the run's refusal leave them
(``dead_links._gone`` / ``_left``, the same words), and keeps the rest; its row's note
says what could not be put back and why. The narrowed body is stored in place of the
item's own (``JobStore.replace_payloads``, one transaction; the dropped part is kept under
``GONE_AT_CHECK``) and in the restore's kept narrowings (an earlier refusal's body, a
re-check's narrowing), so the re-read, the re-check, the reconcile of what is in doubt
and the write all judge and send the same narrowed body. A pending restore left with
nothing to put back fails, its error naming what is gone; one in doubt or failed is left
to the run (``dead_links.after_refusal``). Persons and organizations gone are the run's
to find (the check does not read them). Blocks (the store): call it in a thread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from bulk.store import ItemState, JobStore, Outcome

from ..catalog import Catalog
from ..deals import stored_labels, write_groups, write_part
from .dead_links import REFUSED, _Account, _gone, _left, _what
from .since_plan import KEPT_SINCE

# an item's payload key: the part of its restore the check found gone and dropped
GONE_AT_CHECK = "gone_at_check"


def _account(catalog: Catalog) -> _Account:
    """``dead_links._Account`` of what ``catalog`` holds (a list not read is None: its
    values are not judged)."""
    fields: dict[str, Mapping[str, Any]] | None = {f.code: {"field_code": f.code, "field_type": f.type,
                       "options": [{"id": o.id} for o in f.options]}
              for f in catalog.deal_fields} if catalog.deal_fields else None
    return _Account(users={u.id: u.active for u in catalog.users} if catalog.users else None,
                    stages={s.id for s in catalog.stages} if catalog.stages else None,
                    pipelines={p.id for p in catalog.pipelines} if catalog.pipelines else None,
                    fields=fields)


def _narrow(changes: Mapping[str, Any], gone: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """``changes`` without the groups of ``gone`` (as ``_left`` leaves them)."""
    body, _ = _left(changes, gone, None)
    return body


def leave_gone(store: JobStore, catalog: Catalog, *, retry: bool = False) -> list[str]:
    """Narrow ``store``'s restores still to send (``retry``: its failed ones too) to what
    ``catalog`` (the check's reads) still has; the lines to show (one, or none when no
    restore names anything gone)."""
    now = _account(catalog)
    labels = stored_labels(store)
    command = "retry" if retry else "resume"
    states = (ItemState.PENDING, ItemState.SENDING) + ((ItemState.FAILED,) if retry else ())
    payloads: dict[int, dict[str, Any]] = {}
    metas: dict[str, Any] = {}
    failed: list[Outcome] = []
    what: Counter[str] = Counter()
    for state in states:
        for item in store.items(state):
            changes = item.payload.get("changes")
            if item.op != "restore" or not isinstance(changes, Mapping):
                continue
            gone = _gone(changes, now)
            if not gone:
                continue
            body, words = _left(changes, gone, labels)
            what.update(_what(f, v, labels) for _, f, v in gone)
            said = (f"cannot be put back: {words} (found by this undo's {command}, which read "
                    "the account again)")
            if not body and state is not ItemState.PENDING:
                continue  # in doubt or failed: the run's refusal settles it
            if not body:
                failed.append(Outcome(item.id, ItemState.FAILED, error=f"{said}; nothing "
                                      "else to put back"))
                continue
            dropped = {g for g in write_groups(changes) if g not in write_groups(body)}
            payloads[item.id] = {
                **item.payload, "changes": body,
                "wrote": write_part(item.payload.get("wrote") or {}, write_groups(body)),
                "note": "; ".join(filter(None, (item.payload.get("note"),
                                                f"{said}; the rest put back"))),
                GONE_AT_CHECK: write_part(changes, sorted(dropped))}
            for key in (f"{REFUSED}{item.id}", f"{KEPT_SINCE}{item.id}"):
                held = store.meta_get(key)
                if isinstance(held, Mapping) and isinstance(held.get("changes"), Mapping) \
                        and (lost := _gone(held["changes"], now)):
                    metas[key] = {**held, "changes": _narrow(held["changes"], lost)}
    if not payloads and not failed:
        return []
    store.replace_payloads(payloads)
    if metas:
        store.meta_put_many(metas)
    if failed:
        store.record(failed)
    named = "; ".join(f"{w} ({n:,} row(s))" for w, n in sorted(what.items()))
    return [f"{len(payloads) + len(failed):,} restore(s) name what the account no longer has "
            f"({named}): that part cannot be put back and is left as the deals have it now; "
            "the rest of each is put back"
            + (f"; {len(failed):,} with nothing else to put back fail" if failed else "")]


__all__ = ["GONE_AT_CHECK", "leave_gone"]
