"""Rows an import holds up behind another live run's claim, counted as they are told
(``jobs.importing.base._ImportBase._held_up``), so a test's "other run" acts once this
run's rows wait for it — not after a guess of real time (``anyio.sleep(1.0)``), which a
loaded machine outlasts: the other run then acted before this run's load had listed the
account, and the test saw a path it did not mean to (f39e: ``test_claims_held_back``'s
redis case, ``test_upsert_found_meanwhile_links``)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from jobs.importing.base import _ImportBase


class HeldUp:
    """Counts the rows held up by another run's claim in this process's import jobs from
    its making on; ``await wait(n)``: until ``n`` of them were (at most ``limit_s`` s,
    then TimeoutError)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self._waiters: list[tuple[int, anyio.Event]] = []
        told = _ImportBase._held_up

        def held_up(job: _ImportBase, held: Any, within_s: float) -> None:
            told(job, held, within_s)
            self.count += 1
            for n, event in self._waiters:
                if self.count >= n:
                    event.set()

        monkeypatch.setattr(_ImportBase, "_held_up", held_up)

    async def wait(self, n: int = 1, limit_s: float = 60.0) -> None:
        """Return once ``n`` rows in all were held up."""
        if self.count >= n:
            return
        event = anyio.Event()
        self._waiters.append((n, event))
        with anyio.fail_after(limit_s):
            await event.wait()
