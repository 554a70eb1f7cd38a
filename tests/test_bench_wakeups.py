"""``benchmarks.harness.measure`` counts wake-ups (a thread slept and was woken): every
thread's, a worker thread that ended included, and the measuring thread's apart — the
figure that tells a request's CPU at Growth's pace from Ultimate's (issue 8, f47d)."""

from __future__ import annotations

import resource
import threading
import time

import pytest

from benchmarks.harness import measure

pytestmark = pytest.mark.skipif(not hasattr(resource, "RUSAGE_THREAD"),
                                reason="per-thread counts are Linux's")


def test_sleeps_of_this_thread_and_of_another_are_counted_apart() -> None:
    """Five sleeps here and five in a thread that ends inside the block: at least 5 on the
    measuring thread, at least 10 in all, and the thread's not on the measuring one."""
    def nap() -> None:
        for _ in range(5):
            time.sleep(0.002)

    with measure() as m:
        nap()
        worker = threading.Thread(target=nap)
        worker.start()
        worker.join()  # (the join itself may wait: a wake-up of this thread, not the worker's)
    assert m.loop_wakeups >= 5
    assert m.wakeups >= m.loop_wakeups + 5


def test_a_block_that_never_sleeps_counts_no_wake_up_of_its_own() -> None:
    """Busy CPU only: a preemption is no wake-up, so the measuring thread counts next to
    none — far fewer than a block of 20 sleeps. (A stray voluntary switch — a page-in, a
    lock the kernel made it wait on — is real and happens on a loaded machine: CI's stop 60
    saw 2; the bound allows 3 and still fails a count that took preemptions.)"""
    with measure() as busy:
        deadline = time.perf_counter() + 0.02
        while time.perf_counter() < deadline:
            pass
    with measure() as sleeping:
        for _ in range(20):
            time.sleep(0.001)
    assert busy.cpu > 0.0
    assert busy.loop_wakeups <= 3
    assert sleeping.loop_wakeups >= 20 > busy.loop_wakeups
