"""The ``Handed`` hook that every write of a batch-marked item passes costs no coroutine
and no await while no reset wait parked the item (issue 8: engine CPU per call); a
parked item's write still waits for its re-mark as SENDING before it leaves."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.handed import Handed
from bulk.store import AsyncJobStore, ItemState, JobStore
from jobs.touch import touch_items

pytestmark = pytest.mark.anyio


async def test_a_held_items_write_passes_without_an_await(tmp_path: Path) -> None:
    """Held (its batch marked SENDING), not parked: the hook returns None and lets the
    item go (it is leaving: no park puts it back to pending any more)."""
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    try:
        store.add_items(touch_items(range(1, 4), {}))
        store.mark_sending([1, 2, 3], 0.0)
        handed = Handed(AsyncJobStore(store), lambda: 0.0)
        handed.hold([1, 2, 3])
        assert handed.hook(1)() is None
        assert handed.hook(1)() is None  # its second write: nothing either
        assert handed.let_go(1)
        assert await handed.park() == 2  # 2 and 3 only: 1's write left
        assert store.counts()[ItemState.SENDING] == 1
    finally:
        store.close()


async def test_a_parked_items_write_waits_for_its_re_mark(tmp_path: Path) -> None:
    """Parked (pending again during a reset wait): the hook's awaitable marks it SENDING
    before its write leaves, once."""
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    try:
        store.add_items(touch_items(range(1, 3), {}))
        store.mark_sending([1, 2], 0.0)
        handed = Handed(AsyncJobStore(store), lambda: 0.0)
        handed.hold([1, 2])
        assert await handed.park() == 2
        assert store.counts()[ItemState.SENDING] == 0
        marking = handed.hook(2)()
        assert marking is not None
        await marking
        assert store.counts()[ItemState.SENDING] == 1
        assert handed.hook(2)() is None  # marked: its next write passes
        assert not handed.let_go(1)  # 1 is still parked: settle decides
    finally:
        store.close()
