"""A native asyncio cancel (``asyncio.timeout``, ``Task.cancel``: anyio's shield does not
hold it) of the task running the claims' group commit answers every queued caller all the
same (x21r4 F2: a resume cut by ``asyncio.timeout`` hung ~400 s)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import anyio
import pytest

from bulk.claims import Claim
from bulk.claims_local import LocalClaims

pytestmark = pytest.mark.anyio


async def test_a_natively_cancelled_flusher_leaves_no_caller_waiting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    claims = LocalClaims(tmp_path / "claims.sqlite3")
    first = (await claims.acquire_many(["a"], tag="job-1"))["a"]
    assert isinstance(first, Claim)
    gate, in_batch = threading.Event(), threading.Event()
    run_batch = LocalClaims._run_batch

    def held(self: LocalClaims, batch: list) -> None:  # type: ignore[type-arg]
        in_batch.set()
        gate.wait(5)
        run_batch(self, batch)

    monkeypatch.setattr(LocalClaims, "_run_batch", held)
    flusher = asyncio.ensure_future(claims.release(first))  # runs the batch
    assert await anyio.to_thread.run_sync(in_batch.wait, 5)
    waiter = asyncio.ensure_future(claims.acquire_many(["b"], tag="job-1"))  # queued
    await asyncio.sleep(0.01)
    flusher.cancel()  # native, as asyncio.timeout's
    await asyncio.sleep(0.01)
    gate.set()
    with anyio.fail_after(5):
        got = await waiter
    assert isinstance(got["b"], Claim)
    with pytest.raises(asyncio.CancelledError):
        await flusher  # the cancel is not swallowed: it leaves once the batch is written
    claims.close()


async def test_a_native_cancel_as_the_batch_ends_still_answers_and_gives_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cancel that comes just as the batch's thread ends (its answer and the cancel
    in one turn of the loop) still answers the batch's callers and gives back the claim
    taken for the cut one: the batch's answer was dropped, so its claim stayed held by the
    live run (here), or a caller waited forever for its answer (a Task.cancel after n
    turns of the loop hung at n = 6 and n = 18 in two tries of 60 cuts)."""
    path = tmp_path / "claims.sqlite3"
    claims = LocalClaims(path)
    gate, in_batch = threading.Event(), threading.Event()
    run_batch = LocalClaims._run_batch

    def held(self: LocalClaims, batch: list) -> None:  # type: ignore[type-arg]
        in_batch.set()
        gate.wait(5)
        run_batch(self, batch)

    monkeypatch.setattr(LocalClaims, "_run_batch", held)
    caller = asyncio.ensure_future(claims.acquire_many(["a"], tag="job-1"))  # the flusher
    assert await anyio.to_thread.run_sync(in_batch.wait, 5)
    [thread] = [t for t in asyncio.all_tasks() if t is not caller and not t.done()
                and getattr(t.get_coro(), "__name__", "") == "in_thread"]
    thread.add_done_callback(lambda _: caller.cancel())  # in the turn the batch is answered
    gate.set()
    with anyio.fail_after(5), pytest.raises(asyncio.CancelledError):
        await caller
    monkeypatch.undo()
    await claims.flush()  # the cancelled caller's claim, given back
    rival = LocalClaims(path)
    assert isinstance((await rival.acquire_many(["a"], tag="job-2"))["a"], Claim)
    rival.close()
    claims.close()
