"""Undo a finished (or stopped) run, as a new job: ``pdbulk undo JOB``.

What can be undone, and how:
- ``update`` and ``move-stage``: every deal the job changed gets its before-image
  back (only the fields that differ now), the stage with its pipeline, a status
  with its lost reason and close times;
- ``import``: the deals it created are deleted (and deals an upsert updated get
  their before-images back, when the import stored them).
A deal that changed since the job wrote it (a restore: a field the job wrote no
longer as it wrote it — a change of another field alone is no conflict; a delete:
its ``update_time`` is no longer the one the job's write returned) is a *conflict*:
it is reported as a failed row and left alone — unless ``--force``. A restore is judged
per field group (``jobs.deals.FIELD_GROUPS``: an amount with its currency, a status with
its reason and times, a stage with its pipeline, every other field and each custom field
alone): the groups someone changed are kept as they are, the others are put back — one
row, ``restored in part``, its note naming what it kept (``plan._restore_held``). The
current deals are read 100 per call (10 tokens) to decide this before the plan is shown.
A deal found deleted that was merged into another (a merge job's record, or the one
deal changed in the second of the deletion that holds the job's values — values that
identify, never an empty one or one every deal holds: ``plan._merged_into``,
``plan._identifying``; where several hold them, none is named) is said so, with the
fields the job wrote the survivor holds; the survivor is never written.
A write the source's resume failed as a conflict that may have applied (in flight at a
kill, changed since: ``targets.in_flight_targets``) is put back in the field groups the
deal still holds as it wanted, the others kept even with --force; none held: a conflict.

Merges are final in Pipedrive: undo refuses, and points at the snapshots the
merge job stored (exported to ``merge-snapshots.jsonl`` in its directory).
A ``dedupe`` job's merges are final too; undo puts back what its field-policy
PATCHes changed on the survivors (their ``deal-policy`` before-images; the
merges changed the survivors' ``update_time``, so a conflict is a field the
PATCH set whose value is no longer the one it set) and exports the snapshots
the same way. Every PATCH the job sent or may have sent is in the plan, whatever
became of its group's merge (``_policy_targets``): a PATCH in doubt whose survivor
holds the values from before it is ``unchanged``, never skipped unsaid.
"""

from .job import UndoJob, contact_counts
from .plan import prepare_undo
from .targets import (
    SNAPSHOTS,
    UNDO_COLUMNS,
    UNDOABLE,
    check_source,
    created_contacts,
    export_snapshots,
    later_writes,
    mark_undone,
    not_created_here,
    other_company,
    other_creators,
    refuse_after_undo,
    targets,
    undone_words,
)

__all__ = ["SNAPSHOTS", "UNDOABLE", "UNDO_COLUMNS", "UndoJob", "check_source",
           "contact_counts", "created_contacts", "export_snapshots", "later_writes",
           "mark_undone", "not_created_here", "other_company", "other_creators", "prepare_undo",
           "refuse_after_undo", "targets", "undone_words"]

