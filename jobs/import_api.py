"""The library's import, as ``pdbulk import`` runs it: one call from a manifest and a
mapping file to a finished (or stopped) job with its result files, as ``jobs.api.run_job``
is for the other kinds. It only wires the pieces (``ImportSettings``, the job store,
``ImportJob``, ``import_load.import_job``, the result files); it holds no import logic.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bulk.client import Secret
from bulk.clock import Clock
from bulk.engine import EngineConfig, RunStats, new_job_id
from bulk.errors import ConfigError
from bulk.store import JobStore
from bulk.transport import Transport

from . import setting_checks as checks
from .finished import Finished, job_log, ledger_tokens, log_cut_short, log_end, sent_words


async def import_deals(cfg: EngineConfig, token: str, manifest: str | os.PathLike[str],
                       mapping: str | os.PathLike[str], *, mode: str | None = None,
                       create_key_field: bool = False, say: Callable[[str], None] | None = None,
                       on_progress: Callable[[RunStats], None] | None = None,
                       clock: Clock | None = None, transport: Transport | None = None,
                       **settings: Any) -> Finished:
    """Import the deals of ``manifest`` (CSV, JSONL, JSON, XLSX) with their persons and
    organizations, as the mapping file ``mapping`` says (docs/mapping.md): a new job under
    ``cfg.job_root`` is loaded (pulls, rows → items), run, and its result files written
    (succeeded.csv, failed.csv, unprocessed.csv, summary.json: ``Finished.lines``).

    ``mode``: "insert" or "upsert" (None: the mapping's ``[import] mode``);
    ``create_key_field``: create the source-key deal field when the account lacks it;
    ``settings``: the other ``ImportSettings`` fields (``encoding``, ``sheet``,
    ``header_row``, ``format``, ``delimiter``, ``unarchive``, ``release_held``,
    ``look_for_keys``; another: ConfigError); ``say``: the load's lines (default: logged); ``on_progress``: the
    runner's progress callback. Returns ``Finished`` (``status`` "finished" or "stopped":
    the budget spent, say — ``resume_job`` goes on; ``planned`` is None; ``tokens`` the
    call's). Raises, before anything is sent: ``MappingError`` / ``InputError`` (an
    unusable mapping or manifest, ``ConfigError`` for a setting outside its values),
    ``CoordinatorMismatch``, ``ConfigError`` for a malformed token; then the account's
    errors (``Unauthorized``, an account not answering, ...) and ``BudgetExhausted``
    (today's budget, or this job's share of it, spent before the load ended; x48r9 F3):
    a job whose load fails is removed, as the CLI removes it. A job cut short once loaded stays in its folder,
    resumable (``resume_job``). Log records name the job (``jobs.finished.JobLog``); one
    on ``pdbulk.job`` says how the call ended (``log_end`` / ``log_cut_short``)."""
    from .import_load import import_job
    from .import_rows import ImportSettings
    from .importing import ImportJob
    from .mapping import Mapping

    checks.arguments("import_deals", cfg=cfg, token=token, manifest=manifest)
    if isinstance(mapping, dict):  # a resume of a load cut short reads the file again
        raise ConfigError("import_deals(mapping=...) takes the mapping file's path (a resume "
                          "reads it again); with a dict of its tables, run the import "
                          "through import_job (docs/mapping.md)")
    checks.path("import_deals", "mapping", mapping)
    known = {f.name for f in dataclasses.fields(ImportSettings)} - {
        "manifest", "mapping", "mode", "create_key_field"}
    if unknown := sorted(set(settings) - known):  # x42r5 F11: a TypeError before
        raise ConfigError(f"import_deals() takes no argument {unknown[0]!r}; its settings "
                          f"are {', '.join(sorted(known))}")
    loaded = Mapping.load(Path(mapping))  # MappingError before a job folder exists
    options = ImportSettings(manifest=os.fspath(manifest), mapping=os.fspath(mapping),
                             mode=mode or loaded.mode,  # type: ignore[arg-type]
                             create_key_field=create_key_field, **settings)
    Secret(token)  # ConfigError (a malformed token) before a job folder exists, as the CLI
    job_id = new_job_id("import")
    store = JobStore.create(Path(cfg.job_root) / job_id, job_id=job_id, kind="import",
                            config={"engine": cfg.to_json(), "import": options.to_json()})
    try:
        spent_before = ledger_tokens(store)
        kind = ImportJob(store, options)
        say = say or job_log(job_id, "pdbulk.import").info  # the job named: two can interleave
        result = await import_job(store, kind, loaded, cfg, token, say=say, clock=clock,
                                  transport=transport, on_progress=on_progress)
        lines = kind.after_run(store, result)
        counts = {state.value: n for state, n in store.counts().items() if n}
        return log_end(Finished(store.job_id, store.directory, store.status, counts, result,
                                lines, None, ledger_tokens(store) - spent_before))
    except BaseException as exc:
        log_cut_short(job_id, exc, **_left(store, exc))
        # a load that failed or was cut short (a bad token, an account not answering, a
        # cancel) sent no write: its half-loaded job is removed, as the CLI removes it
        # (x31r3 2: a ``failed`` folder per bad token, its ledger counting tokens never
        # charged); a loaded job stays, resumable
        if not store.loaded:
            store.close()
            shutil.rmtree(store.directory, ignore_errors=True)
        raise
    finally:
        store.close()


def _left(store: JobStore, exc: BaseException | None = None) -> dict[str, Any]:
    """How an import cut short (by ``exc``) leaves its job, for ``log_cut_short``: removed
    while its load had not ended, with what it had sent (``sent_words``), else kept in its
    status (stopped: resumable; x48r9 F1, the record said "failed" of a job
    ``resume_job`` goes on with)."""
    try:
        if not store.loaded:
            return {"removed": store.directory,
                    "sent": sent_words(store.spend_by_operation(), exc)}
        return {"kept": store.status}
    except Exception:  # a store that cannot say: the record all the same
        return {}


__all__ = ["import_deals"]
