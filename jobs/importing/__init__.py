"""The import job kind: create (insert) or update (upsert) deals with their persons and orgs.

One item per manifest row, loaded by ``load`` (in ``import_load``): ``create``
items carry the addDeal body, ``update`` items the PATCH of the fields that
differ, unchanged rows are SKIPPED and bad rows FAILED at load time (never
sent). ``execute`` resolves the row's organization and person (created once
each: ``import_resolve``), then sends the deal.

Exactly once. addDeal has no idempotency key: a create whose answer is lost
(timeout, reset, 5xx, a crash) is in doubt, and ``reconcile`` settles it before
it is ever sent again — first the persons / organizations those rows may have
created, then the deals, by listing the deals added since the rows were sent
(newest first, with the key field) and matching their source keys. Found: DONE
with that deal's id. Not found: back to pending, sent again. Updates (PATCHes) in
doubt are decided against the deal as it is now (``_updates_in_flight``): applied,
unchanged, a conflict (never overwritten), gone, or sent again.

Retry (``pdbulk retry``): failed rows go back to pending; a row that failed at
load time, or any pending row when the mapping file changed since the load, is
mapped again — with the mapping file as it is now and the account as it is now
(one catalog pull per run). Rows refused for a duplicate source key stay
refused.

The package, one concept per module; ``ImportJob`` is built from one class per part
(``_ImportBase`` ← ``_Creates`` ← ``_Reconcile``; ``_ImportBase`` ← ``_Resume``;
``ImportJob(_Reconcile, _Resume)``):

    base.py       the job's state (``__init__``), its claims, rows mapped again (retry)
    creates.py    creating under a claim, and whose create a deal found by key is
    reconcile.py  the rows in doubt: persons / orgs, then deals, then updates in flight
    resume.py     re-reading before a resume, the runner's re-check, their prices
    job.py        ``ImportJob``: execute, prepare / finish, after_run; ``load_again``
"""

from .base import (
    CLAIM_WAIT,
    META_KEY_CODE,
    META_LOADED,
    META_MANIFEST,
    META_MARKS,
    META_SENT_MARKS,
    META_SHA,
    RECONCILE_MARGIN,
    MappingUnusable,
    claim_name,
)
from .job import ImportJob, load_again
from .resume import recheck_reads

__all__ = ["CLAIM_WAIT", "META_KEY_CODE", "META_MANIFEST", "META_SENT_MARKS", "META_LOADED",
           "META_MARKS", "META_SHA",
           "RECONCILE_MARGIN", "ImportJob", "MappingUnusable", "claim_name", "load_again",
           "recheck_reads"]
