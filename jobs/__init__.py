"""The job kinds: each a small module on top of the engine (bulk/), and the library's
surface for them.

A job kind turns its input into store items, executes one item through
``CallContext.call`` and reconciles items a crash left in doubt. It never
builds a URL and never sleeps.

The library (names in ``__all__``, imported on first use): ``update_deals``,
``move_deals``, ``merge_deals`` and ``undo_job`` describe a job (``jobs.api.Work``);
``plan_job`` plans it, ``run_job`` runs it as ``pdbulk`` does (``jobs.api``). An import
runs as ``pdbulk import`` runs it through ``import_deals`` (a manifest and a mapping file:
``jobs.import_api``), or piece by piece through ``import_job`` with ``ImportJob``,
``ImportSettings`` and ``Mapping`` (``jobs.import_load``).
Dedupe, as ``pdbulk dedupe plan | apply | run`` (``jobs.dedupe.api``):
``plan_dedupe`` writes a plan (``DedupePlan``), ``apply_dedupe`` merges one and
``run_dedupe`` is the nightly run (each a ``DedupeRun``); ``DedupeConfig`` its matching
config.
``resume_job`` finishes a stopped, interrupted or crashed job of any kind, as ``pdbulk
resume`` does (``jobs.resuming``: the CLI's resume runs on it). The error tree's classes
``bulk`` exports (``BulkError``, ``InputError``, ``BudgetExhausted``, ``Unauthorized``,
...: ``bulk.errors``) are exported here too; ``dir(jobs)`` lists every name of ``__all__``.

Imports go one way (issue 8): this package imports its modules, never the reverse; the
doors (``jobs.api``, ``jobs.resuming``, ``jobs.dedupe.api``) and the job registry
(``jobs.kinds``: ``KINDS``, ``kind_for``) sit above the kinds they dispatch to, and what
several of them share (``jobs.finished``, ``jobs.planning``, ``jobs.rechecks``) below
every kind.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from bulk.engine import declare_no_creates
from bulk.store.advice import advise

from .kinds import KINDS, kind_for

if TYPE_CHECKING:
    from bulk.errors import (  # the error tree, as ``bulk`` exports it (x48r9 F5)
        AnswerLost,
        ApiError,
        Blocked,
        BudgetExhausted,
        BulkError,
        ConfigError,
        CoordinatorLost,
        CoordinatorMismatch,
        DiskFull,
        Forbidden,
        Gone,
        InDoubt,
        InputError,
        JobBusy,
        MalformedResponse,
        NotFound,
        NotResumable,
        PaymentRequired,
        PlanLimit,
        RateLimited,
        RequestNotSent,
        ServerError,
        StoreError,
        TransportError,
        Unauthorized,
        ValidationRejected,
    )

    from .api import (  # the library's names, typed (imported on first use at run time)
        Finished,
        Planned,
        Work,
        merge_deals,
        move_deals,
        plan_job,
        run_job,
        undo_job,
        update_deals,
    )
    from .dedupe.api import DedupePlan, DedupeRun, apply_dedupe, plan_dedupe, run_dedupe
    from .dedupe.config import DedupeConfig
    from .dedupe.job import make_plan
    from .import_api import import_deals
    from .import_load import import_job
    from .import_rows import ImportSettings
    from .importing import ImportJob
    from .mapping import Mapping
    from .resuming import resume_job
    from .selection import DealQuery

# what starting a job of each kind again does, for the advice on a job folder whose store
# is damaged or gone (``bulk.store.advice``: the store says it, the kinds word it)
_AGAIN: dict[str, str] = {
    "import": ("starting {again} again may create those rows again (in upsert mode, with a "
               "key, a new import finds them; in insert mode it would double them)"),
    "update": ("re-run the update: it re-reads each deal and skips those already changed "
               "(nothing is doubled; the before-images this store held are lost, so its "
               "changes can no longer be undone)"),
    "move-stage": ("re-run the move-stage: it selects the deals again and skips those "
                   "already in the target stage (nothing is moved twice; the before-images "
                   "this store held are lost, so its moves can no longer be undone)"),
    "merge": ("merges are final in Pipedrive: re-run the merge and each pair is read "
              "again, a pair whose deal was already merged away fails as gone (nothing is "
              "merged twice); the before-images this store held, the merges' audit trail, "
              "are lost"),
    "undo": ("run `pdbulk undo` of the same job again: it re-reads each deal and leaves "
             "those already put back or deleted (nothing is undone twice)"),
    "dedupe": ("run `pdbulk dedupe apply` of the same plan again: merges are final, so a "
               "cluster already merged fails as gone (nothing is merged twice); the "
               "before-images this store held, the merges' audit trail, are lost"),
    "touch": ("re-run the touch: it sets the same values again, which leaves a deal "
              "already set as it is"),
}
for _kind, _words in _AGAIN.items():
    advise(_kind, _words)
# the kinds that cannot create a record: a job of one stored before the config's
# ``creates`` flag is not held for one that may (``bulk.engine.declare_no_creates``)
for _kind in ("update", "move-stage", "merge", "undo", "dedupe", "touch"):
    declare_no_creates(_kind)


_ERRORS = ("AnswerLost", "ApiError", "Blocked", "BudgetExhausted",
            "BulkError", "ConfigError", "CoordinatorLost",
            "CoordinatorMismatch", "DiskFull", "Forbidden", "Gone", "InDoubt",
            "InputError", "JobBusy", "MalformedResponse", "NotFound",
            "NotResumable", "PaymentRequired", "PlanLimit", "RateLimited",
            "RequestNotSent", "ServerError", "StoreError", "TransportError",
            "Unauthorized", "ValidationRejected")

# the library's names -> their module (PEP 562: imported on first use, so that
# ``kind_for`` and the CLI do not load every kind)
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("Finished", "Planned", "Work", "merge_deals", "move_deals", "plan_job",
                     "run_job", "undo_job", "update_deals"), "jobs.api"),
    "import_deals": "jobs.import_api",
    "import_job": "jobs.import_load", "ImportSettings": "jobs.import_rows",
    "ImportJob": "jobs.importing", "Mapping": "jobs.mapping",
    "DealQuery": "jobs.selection", "DedupeConfig": "jobs.dedupe.config",
    "make_plan": "jobs.dedupe.job", "resume_job": "jobs.resuming",
    **dict.fromkeys(("DedupePlan", "DedupeRun", "apply_dedupe", "plan_dedupe", "run_dedupe"),
                    "jobs.dedupe.api"),
    # the errors the functions above raise, the whole tree ``bulk`` exports (x23r4 F4:
    # JobBusy, CoordinatorMismatch; x48r9 F5: BulkError, BudgetExhausted, Unauthorized,
    # ConfigError, RequestNotSent were not, though the README says "from jobs and bulk")
    **dict.fromkeys(_ERRORS, "bulk.errors"),
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jobs' has no attribute {name!r}")
    return getattr(_loaded(module), name)


def __dir__() -> list[str]:
    """The module's names with the library's, loaded on first use (x48r9 F6: ``dir(jobs)``
    listed none of them)."""
    return sorted({*globals(), *__all__})


def _loaded(module: str) -> ModuleType:
    """``module`` of ``_EXPORTS``, imported by name (no string import: the import graph
    test, tests/test_import_cycles.py, sees every edge)."""
    match module:
        case "jobs.api":
            from . import api
            return api
        case "jobs.import_api":
            from . import import_api
            return import_api
        case "jobs.import_load":
            from . import import_load
            return import_load
        case "jobs.import_rows":
            from . import import_rows
            return import_rows
        case "jobs.importing":
            from . import importing
            return importing
        case "jobs.mapping":
            from . import mapping
            return mapping
        case "jobs.selection":
            from . import selection
            return selection
        case "jobs.dedupe.config":
            from .dedupe import config
            return config
        case "jobs.dedupe.job":
            from .dedupe import job
            return job
        case "jobs.dedupe.api":
            from .dedupe import api as dedupe_api
            return dedupe_api
        case "jobs.resuming":
            from . import resuming
            return resuming
        case _:
            from bulk import errors
            return errors


__all__ = ["AnswerLost", "ApiError", "Blocked", "BudgetExhausted", "BulkError", "ConfigError",
           "CoordinatorLost", "CoordinatorMismatch", "DealQuery", "DedupeConfig", "DedupePlan",
           "DedupeRun", "DiskFull", "Finished", "Forbidden", "Gone", "ImportJob",
           "ImportSettings", "InDoubt", "InputError", "JobBusy", "KINDS", "MalformedResponse",
           "Mapping", "NotFound", "NotResumable", "PaymentRequired", "PlanLimit", "Planned",
           "RateLimited", "RequestNotSent", "ServerError", "StoreError", "TransportError",
           "Unauthorized", "ValidationRejected", "Work", "apply_dedupe", "import_deals",
           "import_job", "kind_for", "make_plan", "merge_deals", "move_deals", "plan_dedupe",
           "plan_job", "resume_job", "run_dedupe", "run_job", "undo_job", "update_deals"]
