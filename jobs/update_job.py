"""``UpdateJob``: the ``PatchJob`` of `pdbulk update`, whose writes are recorded in the
state folder (``jobs.last_written``) as its rows settle — the base of the next update's or
upsert's three-way comparison (``jobs.update_edits``) — and whose run is registered
(``jobs.last_written_runs``) so that what a kill left unrecorded is recorded by the next
`plan update` / `update` / `plan import` / `import`. Re-exported by ``jobs.updating``.
"""

from __future__ import annotations

import logging
import sqlite3

from bulk.calls import CallContext
from bulk.runner import RunResult
from bulk.store import Item, ItemState, JobStore, Outcome

from . import plan_seen
from .last_written_runs import RunRecord
from .patch_job import UPDATE_COLUMNS, PatchJob
from .prepared import write_job_results
from .update_edits import edited_words, settled_edits

_log = logging.getLogger("pdbulk.update")  # a library prints nothing
# seconds between an update's record batches (``last_written.Recorder``): a kill -9 leaves
# at most this much of its settled writes to the next update's ``catch_up``
RECORD_SECONDS = 2.0


class UpdateJob(PatchJob):
    """``PatchJob`` for `pdbulk update`: its writes recorded in this state folder as its
    rows settle (``last_written.Recorder``, a batch every ``RECORD_SECONDS`` or
    1,000 rows), the base of the next update's or upsert's three-way comparison
    (``jobs.update_edits``), forgotten by this job's undo as an import's is. A run killed
    before its end is registered (``jobs.last_written_runs``): the next `plan update` /
    `update` / `plan import` / `import` records what its last batch left (x46r6 F1:
    recorded only at the run's end, a kill -9 left none of its writes known, and the next
    update overwrote 10 of 10 colleague edits of deals it had written)."""

    name = "update"
    action = "updated"
    _record: RunRecord | None = None  # from ``run_started`` to ``run_ended``

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        outcome = await super().execute(ctx, item)
        if outcome.state is ItemState.DONE and self._record is not None:
            self._record.settled(item.id)  # its base recorded as the run goes
        return outcome

    async def run_started(self) -> None:
        """The run registered, the other runs a kill cut off caught up and its recorder
        started (``last_written_runs.RunRecord``, as an import's run: it first records
        what settled before it — a killed run's, rows skipped at load)."""
        if self._store is not None:
            self._record = await RunRecord.start(self._store, seconds=RECORD_SECONDS)

    async def run_ended(self, result: RunResult | None, stats: object) -> None:
        """What the run wrote and its batches left, recorded (``RunRecord.close``, off the
        loop, on every exit path: ``bulk.runner``), then the run's registration dropped. A
        record that cannot be written is logged: the next update then sends every
        differing field of those deals, as before."""
        record, self._record = self._record, None
        if record is None:
            return
        try:
            await record.close()
        except (OSError, sqlite3.Error) as exc:
            _log.warning("the state folder's record of what this update wrote could not be "
                         "written (%s): the next update sends every differing field", exc)

    def after_run(self, store: JobStore, result: RunResult | None) -> list[str]:
        """``PatchJob``'s result files and lines, with the three-way comparison's counts
        (``update_edits.settled_edits``): summary.json's ``load.edited_kept``,
        ``edited_rows``, ``edited_both``, ``edited_held``, as the upsert import's, and
        the rows line's "; 3 fields kept from Pipedrive" (x46r6 F2: neither said them).
        A job with no row left to send forgets what its plan saw of its deals
        (``plan_seen.forget``: the bridge to this run is crossed)."""
        counts = settled_edits(store.items())
        forget_seen(store)
        return write_job_results(store, result, UPDATE_COLUMNS, extra={"load": counts},
                                 rows_extra=edited_words(counts))

def forget_seen(store: JobStore) -> int:
    """The sightings (``jobs.plan_seen``) of the deals of ``store``'s update job deleted
    once no row of it is pending or in flight (a stopped job keeps them until a resume ends
    it, or ``plan_seen.AGE``); a state folder that cannot be written is logged. Returns
    those deleted."""
    base_url = (store.config.get("engine") or {}).get("base_url")
    counts = store.counts()
    if not base_url or counts.get(ItemState.PENDING) or counts.get(ItemState.SENDING):
        return 0
    deals = [i.payload["deal_id"] for i in store.items()
             if isinstance(i.payload.get("deal_id"), int)]
    try:
        return plan_seen.forget(str(base_url), deals)
    except (OSError, sqlite3.Error) as exc:
        _log.warning("the state folder's record of the values the plan saw in Pipedrive "
                     "could not be updated (%s)", exc)
        return 0


__all__ = ["RECORD_SECONDS", "UpdateJob", "forget_seen"]
