"""The job store: one SQLite file per job; its items are an explicit state machine.

It holds what a job must not forget: its config, its items and their states,
the lookups cache (name → id), before-images for undo and audit, the ledger of
tokens spent per day and per operation, and job-kind key/values. It must never
store an API token, let an item move outside ``LEGAL``, or block the event loop
(the runner uses ``AsyncJobStore``). sqlite3 errors become ``StoreError`` in
``_translated`` and nowhere else.

Durability. WAL with ``synchronous=NORMAL``: a commit is written to the WAL (in
the OS page cache) before COMMIT returns, so a killed process loses nothing it
committed; only an OS crash or power loss can roll back the last commits, and
never corrupts the file. For outcomes that is harmless: an item whose DONE is
lost reverts to SENDING, is found in doubt and reconciled, never blindly
re-sent. It is not harmless for ``mark_sending``, the write-ahead intent: if
that were lost, a create already sent would come back PENDING and be sent
twice. So ``mark_sending`` alone commits with ``synchronous=FULL``: one fsync
per batch, not one per row. A run's commits are checkpointed into job.sqlite every
``JobStore.checkpoint_commits`` commits or ``checkpoint_seconds`` (PASSIVE, in the store's
thread), so a killed run's job is in job.sqlite itself, not only in its -wal; a job.sqlite
that is no SQLite file beside a -wal with content is never opened (SQLite would delete the
-wal), and a folder is said to have sent nothing only while its ``job.creating`` marker
(made before the store, removed once the schema is checkpointed) is there.
"""

from __future__ import annotations

from .aio import AsyncJobStore
from .files import FILENAME, LOCKNAME, held_by_live_process, make_private, private_tree
from .listing import job_folder, list_jobs
from .model import (
    ACTIVE_STATUSES,
    JOB_LEGAL,
    JOB_STATUSES,
    LEGAL,
    LOADED_KEY,
    RESET_WAIT_META,
    BeforeImage,
    Item,
    ItemState,
    JobSummary,
    NewItem,
    Outcome,
)
from .sqlite import SCHEMA_VERSION, JobStore

__all__ = [
    "ACTIVE_STATUSES",
    "AsyncJobStore",
    "BeforeImage",
    "FILENAME",
    "LOCKNAME",
    "Item",
    "ItemState",
    "JOB_LEGAL",
    "JOB_STATUSES",
    "JobStore",
    "JobSummary",
    "LEGAL",
    "LOADED_KEY",
    "NewItem",
    "Outcome",
    "RESET_WAIT_META",
    "SCHEMA_VERSION",
    "held_by_live_process",
    "job_folder",
    "list_jobs",
    "make_private",
    "private_tree",
]
