"""What an undo gives back to the state folder's record of what this folder wrote
(``jobs.last_written``): for each field the undone job wrote there, the base it held
before that job — the job's before-image — not the undone write.

x50r5 F1: import (Tier = Gold), ``update`` (Tier = Silver), a colleague sets Bronze, the
undo of the update keeps Bronze (a conflict); the same, unchanged import file then wrote
Gold over Bronze, "changed both in Pipedrive and in the file": the record still held the
undone update's Silver (121 of 121 colleague edits overwritten). A field the undo put back
was forgotten instead (no base): a colleague's later edit was overwritten by the same file.

Per deal the undo judged (a restore done, in part, already as before, or left as a
conflict), by field group (``jobs.deals.FIELD_GROUPS``):

- the groups it put back (or found already as before the job): each field's base is the
  digest of its before-image value (every job kind that writes bases: ``update``,
  ``import``);
- the groups it left as a colleague changed them: an update's take its before-image too
  (the value the import wrote: the same file reads as unchanged, the colleague's value is
  kept); an import's keep the import's own write (the file's value: the colleague's is
  kept while the file does not change it — a before-image from before the import would
  read the file's value as a change and write it over the colleague's);
- a field the job wrote that its before-image does not hold: ``last_written.UNKNOWN``
  (the next upsert keeps Pipedrive's value, never "changed on both sides").

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


def bases_before(undo: JobStore, source: JobStore) -> dict[int, dict[str, str | None]]:
    """Deal id -> {field (record name): digest of its value before ``source``'s job, None
    when its before-image does not hold it} for the fields ``undo`` gives back their base
    (see the module docstring); {} for a job kind that writes no base. Memory: the undone
    job's targets and the deals judged."""
    if source.kind not in REBASED_KINDS:
        return {}
    wanted = {t.deal_id: t for t in targets(source) if t.op == "restore" and t.wrote}
    narrowing = {int(k[len(KEPT_SINCE):]): v for k, v in undo.meta_prefixed(KEPT_SINCE).items()
                 if isinstance(v, Mapping) and v}
    out: dict[int, dict[str, str | None]] = {}
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
        groups = set(back) | (set(left) if source.kind == "update" else set())
        values = _image_values(t.before)
        names = {name for name, _ in fields_of(t.wrote)} | set(values)
        out.setdefault(deal_id, {}).update(
            (name, digest(values[name]) if name in values else None)
            for name in names if group_of(name) in groups)
    return out


def _narrowed(item: Any, kept: Mapping[str, Any]) -> Any:
    """``item`` as the run narrowed it at its re-check (``KEPT_SINCE``)."""
    return replace(item, payload=with_kept(item.payload, kept))


__all__ = ["REBASED_KINDS", "bases_before"]
