"""A dedupe run's claims on a pair live as long as the run: renewed while it runs, free
within a lease (30 s) once it is killed (f36e 4: a killed run's two-host claims blocked the
other host's run from those pairs for the claims' 300-s lease). A real redis-server; the
kill is a real SIGKILL of a run in another process posing as another host."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulk.claims import Held
from bulk.clock import FakeClock, SystemClock
from bulk.coordinator import ENV_COORDINATOR, bind_company
from bulk.store import Item, ItemState
from jobs.dedupe.apply_claims import LEASE, GroupClaims
from tests.redis_helpers import RedisServer, born_long_ago, redis_server

__all__ = ["redis_server"]

COMPANY = "42"
ROOT = Path(__file__).resolve().parents[1]


def _item(merge_id: int = 7, survivor_id: int = 3) -> Item:
    return Item(1, 1, "g1", "mergeDeals", {"merge_id": merge_id, "survivor_id": survivor_id},
                ItemState.PENDING, 0, None, None, None, None)


class _Later(SystemClock):
    """The system's clock, ``ahead`` seconds in the future: a run that starts that much later."""

    __slots__ = ("ahead",)

    def __init__(self, ahead: float) -> None:
        self.ahead = ahead

    def wall(self) -> float:
        return super().wall() + self.ahead


def _setup(monkeypatch: pytest.MonkeyPatch, server: RedisServer, state: Path) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, server.url)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(state))
    born_long_ago(server, COMPANY)
    bind_company(COMPANY)


@pytest.mark.anyio
async def test_a_live_run_keeps_its_pairs_and_a_stopped_one_frees_them_within_a_lease(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run A holds a pair for 10 leases (renewing): run B is refused it all along; once A
    stops renewing (as a run frozen or killed), B has it one lease later, not 300 s later."""
    _setup(monkeypatch, redis_server, tmp_path / "state")
    clock = FakeClock(epoch=time.time())
    a, b = GroupClaims("job-a", clock), GroupClaims("job-b", clock)
    try:
        assert await a.take(_item()) is None
        for _ in range(10):
            await clock.sleep(LEASE)
            assert isinstance(await b.take(_item()), Held)
        renewer = a._renewer
        assert renewer is not None
        # A stops renewing: its claims stay, unreleased. Cancelled until it has ended: a
        # cancel landing as its renewal's own time-out (``anyio.move_on_after``) expires is
        # taken for that time-out and swallowed, and it renewed a lease later (the CI, 2
        # of 18 runs: ``left=29.0`` a lease after the stop)
        while not renewer.done():
            renewer.cancel()
            await asyncio.sleep(0)
        await clock.sleep(LEASE / 2)
        assert isinstance(await b.take(_item()), Held)
        await clock.sleep(LEASE / 2 + 1)
        assert await b.take(_item()) is None
    finally:
        await b.close()
        await a.close()


_RUN_A = """
import socket, sys, anyio
socket.gethostname = lambda: "host-a"          # another host: its lease decides, not its pid
from bulk.coordinator import bind_company
from bulk.store import Item, ItemState
from jobs.dedupe.apply_claims import GroupClaims

async def main() -> None:
    bind_company("42")
    claims = GroupClaims("job-a")
    item = Item(1, 1, "g1", "mergeDeals", {"merge_id": 7, "survivor_id": 3},
                ItemState.PENDING, 0, None, None, None, None)
    assert await claims.take(item) is None
    print("taken", flush=True)
    await anyio.sleep(120)   # killed long before

anyio.run(main)
"""


def _claim_and_kill(env: dict[str, str]) -> None:
    """Run A in a child process until it holds the pair, then SIGKILL it (nothing released)."""
    proc = subprocess.Popen([sys.executable, "-c", _RUN_A], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # bounded: the child claims at once or dies
        assert line.strip() == "taken", (line, proc.poll())
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)  # reaped, its pipes closed


@pytest.mark.anyio
async def test_a_killed_runs_pairs_are_free_for_another_host_within_a_lease(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Host A's run claims a pair and is killed (SIGKILL, no release): host B's run is
    refused the pair right after, and has it once the lease (30 s) has run out — seen by a
    run whose clock is 32 s ahead; before, A's 300-s lease still held it then."""
    _setup(monkeypatch, redis_server, tmp_path / "b")
    _claim_and_kill({**os.environ, ENV_COORDINATOR: redis_server.url,
                     "PDBULK_STATE_DIR": str(tmp_path / "a"), "PYTHONPATH": str(ROOT)})
    now = GroupClaims("job-b", SystemClock())
    try:
        held = await now.take(_item())
        assert isinstance(held, Held) and "host-a" in held.who(), held
    finally:
        await now.close()
    later = GroupClaims("job-b2", _Later(LEASE + 2))
    try:
        assert await later.take(_item()) is None
    finally:
        await later.close()
