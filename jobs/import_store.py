"""What an import's load leaves for its job (``jobs.importing``) to read, below both (issue 8:
no import cycle between the load, ``jobs.import_load``, and the job):

- the job store's meta keys the load writes (``META_*``);
- ``claim_name``: the claim each row's create takes on its source key (the load reads
  those claims' outcomes to index the keys other runs created);
- ``recheck_reads``: what the runner's re-check reads for a batch of the stored items
  (``plan import`` prices it as the load decides them; ``ImportJob.recheck_calls`` too).

It makes no call and imports nothing of the import kind; at its own import, nothing but
``bulk.store`` (``pdbulk status`` reads ``META_RUNS`` here: the value parsers that
``jobs.deals`` loads are ~0.15 CPU-s of a start, issue 8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bulk.store import Item, NewItem

META_COUNTS, META_RUNS = "import.counts", "import.runs"  # the load's counts; every run
META_LOADED, META_KEY_CODE, META_SHA = "import.loaded", "import.key_code", "import.mapping_sha"
# set at load: this job writes a "sent-deal" lookup (key → item id) right before each of
# its deal creates leaves; a create in doubt without one was never sent (SENDING is marked
# a batch at a time, before hand-out). Jobs loaded before it existed have no marks.
META_SENT_MARKS = "import.sent_marks"
# the decimal mark each decimal = "auto" column showed in the whole manifest (load decides it)
META_MARKS = "import.decimal_marks"
# the manifest's size and mtime (``bulk.manifest_stamp``) as the load read it: a resume or
# retry says when the file is no longer that one (x17r3 F5)
META_MANIFEST = "import.manifest_stamp"
# lookup kind: each person the load matched (a row names it by id) → the organization it
# was linked to in the load's persons list (0: none). A resume follows an organization
# merged away by the persons that were AT it then (``jobs.importing.members``; x49r2 F1:
# a person of another organization, edited since, named the survivor). Jobs loaded before
# it existed have none: their persons are no evidence.
PERSON_ORG_AT_LOAD = "person-org-at-load"


def claim_name(key_code: str, key: str) -> str:
    """The claim a create of source key ``key`` takes: one per (account, key field, key).
    The key field's code is a random 40-char hash per company (Pipedrive docs:
    core-api-concepts-custom-fields), so it names the account as well as the field."""
    return f"deal-key\x1f{key_code}\x1f{key}"


def recheck_reads(batch: Sequence[Item | NewItem]) -> dict[str, int]:
    """What the run's re-check reads for one batch (``ImportJob.recheck``): the deals of
    its upsert updates, 100 per call (those that unarchive also from the archived list).
    ``plan import`` prices it over the items as the load decides them."""
    from .deals import reread_calls, reread_targets

    return reread_calls(*reread_targets(
        [i for i in batch if i.op == "update" and isinstance(i.payload.get("changes"), Mapping)
         and not i.payload.get("duplicate")]))


__all__ = ["META_COUNTS", "META_KEY_CODE", "META_LOADED", "META_MANIFEST", "META_MARKS",
           "META_RUNS", "META_SENT_MARKS", "META_SHA", "PERSON_ORG_AT_LOAD", "claim_name",
           "recheck_reads"]
