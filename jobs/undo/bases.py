"""Which fields an undo gives back their base in the state folder's record of what this
folder wrote (``jobs.last_written``): each field the undone job wrote there, on a deal
the undo judged, takes back the base the record held before that job wrote
(``last_written.rebase``: the prior kept beside each write) — not the undone write, and
not the job's before-image (Pipedrive's value before the job: maybe a colleague's edit
this folder never wrote).

x50r5 F1: import (Tier = Gold), ``update`` (Silver), a colleague sets Bronze, the undo
keeps Bronze (a conflict); the same, unchanged import file then wrote Gold over Bronze,
"changed both in Pipedrive and in the file": the base was still the update's Silver (121
of 121). x50r10 F1: import (Gold), a colleague (Bronze), update (Silver over Bronze),
undo (Bronze back): the before-image Bronze as the base read the file's Gold as changed
in the file only, written over Bronze (14 of 14; the undo of a second import: 7 of 7);
the import's Gold as the base reads it as unchanged, Bronze kept.

Per deal the undo judged — a restore done, in part, already as before the job (a skip
at the plan: its result in its payload, ``targets.outcome``; x50r10 F2: read from
``items.result`` alone it was missed, and the same update file re-run was "kept") or
left as a conflict — by field group (``jobs.deals.FIELD_GROUPS``), every group the job
wrote (put back, as before, or left as a colleague changed it; ``update`` and
``import`` alike); a field the job wrote first (no base before it) keeps the job's own
write where the undo left a colleague's value (the same file then keeps it), and has no
base again where the undo put it back. Each field is named with the digest of its before-image value (None:
the before-image does not hold it): ``rebase``'s fallback for a base recorded before
priors were kept.

Move-stage, merge and dedupe jobs write no base (``jobs.last_written_runs``): their undo
leaves the record as the import left it. Blocking (reads the undone job's store).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bulk.store import ItemState, JobStore

from ..deals import write_groups
from ..last_written import CUSTOM, digest, fields_of, group_of
from .since_plan import KEPT_SINCE, with_kept
from .targets import PARTLY, outcome, targets

# the job kinds whose writes the record holds (``jobs.last_written_runs``)
REBASED_KINDS = ("update", "import")


def _judged(item: Any, groups: list[str]) -> tuple[list[str], list[str]] | None:
    """(groups put back, groups left) of the undo's restore ``item`` of a deal the job
    wrote ``groups`` on; None: not judged (failed otherwise, not run yet)."""
    if item.state is ItemState.DONE:
        partly = item.payload.get(PARTLY)
        kept = set(partly.get("kept") or ()) if isinstance(partly, Mapping) else set()
        return [g for g in groups if g not in kept], [g for g in groups if g in kept]
    if item.state is ItemState.FAILED and (item.error or "").startswith("conflict:"):
        return [], groups
    if item.state is ItemState.SKIPPED and outcome(item).get("action") == "unchanged":
        return groups, []
    return None


def _image_values(before: Mapping[str, Any] | None) -> dict[str, Any]:
    """{record field name: value} of a before-image (``jobs.deals.before_image``'s shape)."""
    if before is None:
        return {}
    out = dict((before.get("fields") or {}).items())
    out.update((CUSTOM + code, value)
               for code, value in (before.get("custom_fields") or {}).items())
    return out


def bases_before(undo: JobStore, source: JobStore
                 ) -> tuple[dict[int, dict[str, str | None]], dict[int, set[str]]]:
    """Deal id -> {field (record name): digest of its before-image value, None when the
    before-image does not hold it} for the fields ``undo`` gives back their base (see the
    module docstring; ``last_written.rebase`` gives back the prior base, the digest is its
    fallback); and deal id -> the fields of those in groups the undo left as a colleague
    changed them (``rebase``'s ``left``). ({}, {}) for a job kind that writes no base.
    Memory: the undone job's targets and the deals judged."""
    if source.kind not in REBASED_KINDS:
        return {}, {}
    wanted = {t.deal_id: t for t in targets(source) if t.op == "restore" and t.wrote}
    narrowing = {int(k[len(KEPT_SINCE):]): v for k, v in undo.meta_prefixed(KEPT_SINCE).items()
                 if isinstance(v, Mapping) and v}
    out: dict[int, dict[str, str | None]] = {}
    kept: dict[int, set[str]] = {}
    for item in undo.items():
        deal_id = item.payload.get("deal_id")
        if item.op != "restore" or not isinstance(deal_id, int) \
                or (t := wanted.get(deal_id)) is None or t.wrote is None:
            continue
        item = item if item.id not in narrowing else _narrowed(item, narrowing[item.id])
        judged = _judged(item, write_groups(t.wrote))
        if judged is None:
            continue
        back, left = judged
        groups = set(back) | set(left)
        values = _image_values(t.before)
        names = {name for name, _ in fields_of(t.wrote)} | set(values)
        out.setdefault(deal_id, {}).update(
            (name, digest(values[name]) if name in values else None)
            for name in names if group_of(name) in groups)
        if left:
            kept.setdefault(deal_id, set()).update(
                name for name in names if group_of(name) in set(left))
    return out, kept


def _narrowed(item: Any, kept: Mapping[str, Any]) -> Any:
    """``item`` as the run narrowed it at its re-check (``KEPT_SINCE``)."""
    return replace(item, payload=with_kept(item.payload, kept))


__all__ = ["REBASED_KINDS", "bases_before"]
