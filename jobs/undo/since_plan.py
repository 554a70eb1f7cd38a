"""A restore's field groups someone changed after the undo was planned: judged group by group,
as the plan judges the changes made between the job and the undo (x43r3 F3).

The plan puts back the groups (``jobs.deals.FIELD_GROUPS``: an amount with its currency, a
status with its reason and times, a stage with its pipeline, any other field alone) that
still hold what the job wrote, and keeps the ones someone changed since the job
(``plan._restore_held``). The re-reads after the plan (a resume, the prompt's wait, the
batch's re-check right before the write) used to take any later ``update_time`` as a
conflict of the whole deal: a colleague's new owner left the job's title, value and
custom field in place. Now a change since the plan in a field the restore does not put
back is nobody's value it overwrites (sent whole); a change in some of its groups keeps
those and puts back the rest (``KEPT_SINCE``, one PATCH as planned); in all of them it is
the conflict it was. A delete takes the whole deal and is not judged here. Never reads,
never writes: the callers hold the deal and the store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..deals import (
    Deal,
    drifted,
    held_fields,
    image_part,
    in_flight,
    write_groups,
    write_part,
)
from .plan import _group_words
from .targets import PARTLY

# job meta prefix (+ the item's id): the narrowed restore a re-read decided, kept before it
# is sent, so a run killed with it in flight reconciles the write it sent
KEPT_SINCE = "undo.kept_since_plan:"


def moved_since_plan(item_payload: Mapping[str, Any], deal: Deal,
                     image: Mapping[str, Any], labels: Mapping[str, str] | None = None
                     ) -> dict[str, str]:
    """The groups of a restore's body (``item_payload["changes"]``) that ``deal`` (read now)
    no longer holds as this undo's before-image (``image``: the deal at the undo's plan,
    ``before_image``'s shape) recorded them, group -> what changed (``value: 299 then,
    7777 now``, as ``drifted`` says it). A field someone set to the value the restore puts
    back is not counted. {}: none did — a change since is in other fields."""
    changes: Mapping[str, Any] = item_payload.get("changes") or {}
    out: dict[str, str] = {}
    for group in write_groups(changes):
        said = drifted(deal, image_part(image, [group]), write_part(changes, [group]), labels)
        if said:
            out[group] = said
    return out


def narrowed_since(item_payload: Mapping[str, Any], moved: Mapping[str, str],
                   labels: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The restore ``item_payload`` left with only its groups not in ``moved``
    (``moved_since_plan``): its ``changes``, the job's writes it judges (``wrote``) and
    ``PARTLY`` naming what is kept (its row says ``restored in part``), or None when every
    group moved (a conflict: nothing left to put back)."""
    changes: Mapping[str, Any] = item_payload.get("changes") or {}
    held = [g for g in write_groups(changes) if g not in moved]
    if not held:
        return None
    partly = item_payload.get(PARTLY)
    earlier: Mapping[str, Any] = partly if isinstance(partly, Mapping) else {}
    words = ", ".join(_group_words(g, labels) for g in moved)
    said = "; ".join(moved.values())
    partly_now: dict[str, Any] = {
        "groups": ", ".join(filter(None, (earlier.get("groups"), words))),
        "fields": "; ".join(filter(None, (earlier.get("fields"),
                                          f"{said} since this undo was planned")))}
    kept = earlier.get("kept", []) if isinstance(partly, Mapping) else []
    if isinstance(kept, list):  # (a plan stored before "kept" was: the groups put back tell)
        partly_now["kept"] = [*kept, *(g for g in moved if g not in kept)]
    return {"changes": write_part(changes, held),
            "wrote": write_part(item_payload.get("wrote") or {}, held), PARTLY: partly_now}


def held_in_flight(item_payload: Mapping[str, Any], deal: Deal, image: Mapping[str, Any],
                   labels: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """A restore left in flight at a kill (``UndoJob.reconcile``) whose deal (read now)
    someone changed since in some of the groups it puts back, judged group by group as a
    settled restore is (x54r1 F1: a later import's new amount left the job's title in
    place, the whole deal a conflict): ``narrowed_since``'s narrowing (the groups changed
    since kept, the rest put back, ``restored in part``) when the write provably did not
    apply — the groups left still hold this undo's before-image (``image``), and no field
    of the restore reads as it puts it back. None: no group changed (the whole restore is
    judged as before), every group changed (a conflict), or some field reads as the
    restore wants it (only partly as the write wants it: nothing proves whether it
    applied, x10r2 / x22r1 — a conflict as before, left to a new undo of the job, and a
    merge since is traced as before). Whether a later job of the job directory wrote a
    group left is the caller's to judge (``later_since``). Never reads, never writes."""
    changes: Mapping[str, Any] = item_payload.get("changes") or {}
    if held_fields(deal, image, changes)[0]:
        return None
    moved = moved_since_plan(item_payload, deal, image, labels)
    if not moved:
        return None
    kept = narrowed_since(item_payload, moved, labels)
    if kept is None:
        return None
    left = kept["changes"]
    verdict, _ = in_flight(deal, image_part(image, write_groups(left)), left, labels=labels)
    return kept if verdict == "unsent" else None


def with_kept(payload: Mapping[str, Any], kept: Mapping[str, Any] | None) -> dict[str, Any]:
    """A restore's payload with a narrowing ``narrowed_since`` decided (None: as planned)."""
    return {**payload, **kept} if kept else dict(payload)


__all__ = ["KEPT_SINCE", "held_in_flight", "moved_since_plan", "narrowed_since", "with_kept"]
