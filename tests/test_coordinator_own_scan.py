"""A lone engine's ``ProcessCoordinator`` finds the entry a send or an answer is about
without looking at every call in flight: the calls that left are a prefix of its own
entries, in the order they left (issue 8: at Ultimate-OAuth ~50 calls are out, and
each send and each answer looked at all of them)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator
from typing import Any

from bulk.clock import FakeClock
from bulk.coordinator_process import ProcessCoordinator, _Entry


class _Counted(deque[tuple[float, _Entry]]):
    """A deque that counts the entries a loop over it (either way) looked at."""

    looked = 0

    def __iter__(self) -> Iterator[Any]:
        for item in super().__iter__():
            _Counted.looked += 1
            yield item

    def __reversed__(self) -> Iterator[Any]:
        for item in super().__reversed__():
            _Counted.looked += 1
            yield item


def _coordinator(out: int, waiting: int) -> tuple[ProcessCoordinator, list[_Entry]]:
    """``out`` calls sent 4 ms apart and not answered, then ``waiting`` admitted, unsent."""
    pc = ProcessCoordinator("http://127.0.0.1:9/own-scan", "tok", clock=FakeClock())
    own = _Counted()
    entries = []
    for i in range(out + waiting):
        entry = _Entry(math.inf, False, 0.1, i * 0.004)
        if i < out:
            entry.sent = i * 0.004
        own.append((i * 0.004, entry))
        entries.append(entry)
    pc._own = own
    return pc, entries


def test_a_send_and_an_answer_look_only_at_the_entries_they_are_about() -> None:
    """1,000 calls out, 2 admitted and not sent: a send marks the oldest unsent one and
    looks at 3 entries (1,001 before); the answer of the 3rd call out dates that one and
    looks at 4 entries (1,000 before)."""
    pc, entries = _coordinator(1000, 2)
    _Counted.looked = 0
    pc.leaving(10.0)
    assert entries[1000].sent == 10.0 and entries[1000].at == math.inf
    assert entries[1001].sent is None
    assert _Counted.looked <= 3
    _Counted.looked = 0
    pc.answered(2 * 0.004, 11.0)
    assert entries[2].at == 11.0  # dated, no longer held
    assert all(e.at == math.inf for i, e in enumerate(entries[:1001]) if i != 2)
    assert len(pc._own) == 1001
    assert _Counted.looked <= 4


def test_an_answer_takes_the_call_that_left_last_at_or_before_its_send() -> None:
    """Two calls left at the same time: the later one's entry is dated (as before); an
    answer sent before every call out dates the one admitted last before it."""
    pc, entries = _coordinator(3, 0)
    entries[2].sent = entries[1].sent
    pc.answered(entries[1].sent or 0.0, 5.0)
    assert entries[2].at == 5.0 and entries[1].at == math.inf
    pc.answered(-1.0, 6.0)  # (no such send: nothing admitted before it either)
    assert [e.at for e in entries[:2]] == [math.inf, math.inf]
