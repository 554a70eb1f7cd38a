"""f25a: a job whose job.sqlite was deleted while it ran kept writing to the unlinked file
and ran to its end; afterwards `resume` found nothing. The store's checkpoint now notices
that the path no longer names the file it opened, and the run stops on it (``StoreLost``):
one line that says how many rows were sent, what re-running does, no resume hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import StoreLost
from bulk.store import Item, ItemState, JobStore, NewItem, Outcome
from jobs.touch import TouchJob, touch_items
from tests.test_runner import FakePipedrive, run


def remove_store(directory: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (directory / f"job.sqlite{suffix}").unlink(missing_ok=True)


def test_a_checkpoint_finds_the_store_deleted(tmp_path: Path) -> None:
    store = JobStore.create(tmp_path / "job", job_id="j", kind="update", config={})
    try:
        store.add_items([NewItem(1, "k1", "update", {})])
        store.checkpoint()
        assert store.lost is None
        remove_store(tmp_path / "job")
        store.mark_sending([1], 0.0)
        store.record([Outcome(1, ItemState.DONE, {"deal_id": 7})])
        store.checkpoint()
        assert isinstance(store.lost, StoreLost)
        said = str(store.lost)
        assert "job/job.sqlite was deleted while the job ran; 1 row(s) were sent" in said
        assert "re-run the update" in said and "cannot be resumed" in said
        assert store.counts()[ItemState.DONE] == 1  # the open file is still read
    finally:
        store.close()


class DeletesItsStore(TouchJob):
    """A touch whose 40th write comes with its job.sqlite deleted (a person's ``rm``)."""

    directory: Path

    async def execute(self, ctx, item: Item) -> Outcome:  # type: ignore[no-untyped-def]
        if item.payload["deal_id"] == 40:
            remove_store(self.directory)
        return await super().execute(ctx, item)


@pytest.mark.anyio
async def test_a_run_stops_when_its_store_is_deleted(tmp_path: Path) -> None:
    kind = DeletesItsStore()
    kind.directory = tmp_path / "job"
    fake = FakePipedrive({})
    _, result, store = await run(tmp_path, kind, list(touch_items(range(1, 1001), {"x": 1})),
                                 fake, burst=10)
    try:
        assert result.stopped and isinstance(result.error, StoreLost), result.error
        assert "was deleted while the job ran" in str(result.error)
        assert sum(fake.applied.values()) < 400  # stopped, not run to its end (1,000)
        assert store.counts()[ItemState.DONE] == sum(fake.applied.values())
    finally:
        store.close()
