"""Where the job store's writer thread spends its CPU in a run (``profile_engine
--store-times``): per store method, per kind of transaction, the checkpoints, the lane's
hand-off around the calls, and what each ledger write carried.

Why the split (f44k, issue 8): "a commit costs 200-270 µs of thread CPU in a run against
~30 µs alone" divided the whole thread by the commits. At Ultimate-OAuth (960 calls) the
thread's ~60 ms were: spend-only transactions (the ledger's refills) ~12 ms, ~100 µs each
(BEGIN IMMEDIATE ~35 µs, COMMIT ~60, the upsert ~20, the in-doubt figure ~7); outcome
transactions ~15 ms (~450 µs, ~30 items each); ``mark_sending``'s fsync'd ones ~9 ms
(~600 µs); the store's Python outside transactions (the pending reads, ``record``'s
checks) ~14 ms; the lane's hand-off ~11 ms (~60 µs a call); checkpoints ~2.5 ms. The
same spend-only ``record`` costs ~45 µs in a tight loop, ~145 µs after the thread slept
4 ms and ~265 µs after 8 MB of other work (cold CPU caches), ~60 µs beside a thread
holding the GIL: a run's thread wakes cold for each call, its SQLite settings are not
the cause.

A tool: it patches ``AsyncJobStore._run``, ``JobStore._tx``, ``JobStore._checkpoint``
and ``_Ahead.write`` in this process until ``undo()``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bulk.clock import in_thread
from bulk.ledger import _Ahead
from bulk.store import AsyncJobStore, JobStore

STORE_THREAD = "pdbulk-store"  # ``bulk.clock.Lane``'s thread


@dataclass
class StoreTimes:
    """What the store's thread did, in seconds of its CPU (``time.thread_time``).

    ``calls``: per JobStore method, [calls, CPU]; ``transactions``: per ``_tx`` name
    (on the store's thread only), [commits, CPU]; ``checkpoint``: [count, CPU];
    ``threads``: per store thread, [its CPU at its first call's start, at its last call's
    end, CPU inside the calls]; ``ledger``: the ledger's writes by what they carried."""

    calls: dict[str, list[float]] = field(default_factory=dict)
    transactions: dict[str, list[float]] = field(default_factory=dict)
    checkpoint: list[float] = field(default_factory=lambda: [0, 0.0])
    threads: dict[int, list[float]] = field(default_factory=dict)
    ledger: dict[str, int] = field(default_factory=dict)
    undo: Callable[[], None] = lambda: None

    def handoff(self) -> float:
        """The store thread's CPU outside the store's calls: the lane's queue, its
        wake-ups and its answers to the loop (``call_soon_threadsafe``)."""
        return sum(end - start - inside for start, end, inside in self.threads.values())

    def lines(self, sends: int) -> list[str]:
        """The figures as printed, per request of ``sends``."""
        n = max(1, sends)
        inside = sum(row[2] for row in self.threads.values())
        tx = sum(cpu for _count, cpu in self.transactions.values())
        whole = inside + self.handoff()
        out = [f"  store.{name}: {calls:.0f} calls, {1000 * cpu:.1f} ms thread CPU"
               for name, (calls, cpu) in sorted(self.calls.items(), key=lambda kv: -kv[1][1])]
        out.append(f"store thread: {1000 * whole:.1f} ms CPU = {1000 * whole / n:.3f} ms/req: "
                   f"its calls {1000 * inside:.1f} (transactions {1000 * tx:.1f}, checkpoints "
                   f"{1000 * self.checkpoint[1]:.1f} of them in {self.checkpoint[0]:.0f}), "
                   f"the lane's hand-off {1000 * self.handoff():.1f}")
        commits = sum(count for count, _cpu in self.transactions.values())
        kinds = ", ".join(f"{what} {count:.0f} ({1e6 * cpu / max(1, count):.0f} µs)"
                          for what, (count, cpu) in sorted(self.transactions.items(),
                                                           key=lambda kv: -kv[1][1]))
        out.append(f"store commits: {commits:.0f} = {commits / n:.3f}/req: {kinds}")
        out.append("ledger writes: " + ", ".join(
            f"{what} {count}" for what, count in sorted(self.ledger.items(), key=lambda kv: -kv[1])))
        return out


def time_store() -> StoreTimes:
    """Patch the store's thread hop, its transactions and checkpoints and the ledger's
    writes (this process) to add up what ``StoreTimes`` holds; ``undo()`` puts them back."""
    times = StoreTimes()
    run, tx, checkpoint, write = (AsyncJobStore._run, JobStore._tx, JobStore._checkpoint,
                                  _Ahead.write)

    async def timed_run(self: AsyncJobStore, fn: Any) -> Any:
        name = getattr(getattr(fn, "func", fn), "__name__", "?")

        def timed() -> Any:
            t0 = time.thread_time()
            try:
                return fn()
            finally:
                t1 = time.thread_time()
                row = times.calls.setdefault(name, [0, 0.0])
                row[0] += 1
                row[1] += t1 - t0
                thread = times.threads.setdefault(threading.get_ident(), [t0, t1, 0.0])
                thread[1], thread[2] = t1, thread[2] + t1 - t0

        return await in_thread(timed, lane=self._lane)  # the store's one writer thread

    @contextlib.contextmanager
    def timed_tx(self: JobStore, what: str, **kwargs: Any) -> Iterator[Any]:
        t0 = time.thread_time()
        with tx(self, what, **kwargs) as conn:
            yield conn
        if threading.current_thread().name == STORE_THREAD:
            row = times.transactions.setdefault(what, [0, 0.0])
            row[0] += 1
            row[1] += time.thread_time() - t0

    def timed_checkpoint(self: JobStore, conn: Any) -> None:
        t0 = time.thread_time()
        try:
            checkpoint(self, conn)
        finally:
            times.checkpoint[0] += 1
            times.checkpoint[1] += time.thread_time() - t0

    async def counted_write(self: _Ahead, outcomes: Sequence[Any], rows: Sequence[Any],
                            **kwargs: Any) -> None:
        what = ("charge" if any(tokens > 0 for _d, _op, tokens, _c in rows)
                else "refund or credit back" if rows else "figure only")
        what += " + outcomes" if outcomes else ""
        times.ledger[what] = times.ledger.get(what, 0) + 1
        await write(self, outcomes, rows, **kwargs)

    def undo() -> None:
        AsyncJobStore._run = run  # type: ignore[method-assign]
        JobStore._tx = tx  # type: ignore[method-assign]
        JobStore._checkpoint = checkpoint  # type: ignore[method-assign]
        _Ahead.write = write  # type: ignore[method-assign]

    AsyncJobStore._run = timed_run  # type: ignore[method-assign]
    JobStore._tx = timed_tx  # type: ignore[method-assign]
    JobStore._checkpoint = timed_checkpoint  # type: ignore[method-assign]
    _Ahead.write = counted_write  # type: ignore[method-assign]
    times.undo = undo
    return times
