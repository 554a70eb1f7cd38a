"""429s in a run paced to a PDBULK_WINDOW shorter than the server's window name
PDBULK_WINDOW as the likely cause, not another process (f33i 2: a 0.5-s PDBULK_WINDOW
against a sandbox at real speed, 2 s, was told "another process uses this account's API
limits: run every pdbulk process on the account with one --coordinator")."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.runner import RunResult
from bulk.store import ItemState, JobStore
from pdbulk.options import finish, job_window, others_note, rate_limited_note


def test_the_note_names_the_variable_over_the_headers_evidence() -> None:
    note = rate_limited_note(5, None, others=True, window=0.5)
    assert note is not None and "PDBULK_WINDOW is the likely cause" in note, note
    assert "0.5-s burst window" in note and "another process" not in note, note
    assert others_note(51, 1.0, window=0.5) is None  # the headers' "other client" too
    # Pipedrive's 2 s (no variable): as before (429s that came with room, another client
    # seen: f33e's rule blames it only for those)
    before = rate_limited_note(5, None, others=True, room=5)
    assert before is not None and "another process" in before, before
    assert "PDBULK_WINDOW" not in before
    assert others_note(51, 1.0) is not None


def test_job_window_is_the_config_s() -> None:
    assert job_window({"engine": {"window": 0.5}}) == 0.5
    assert job_window({"engine": {}}) == job_window({}) == 2.0


@pytest.mark.anyio
async def test_a_run_paced_shorter_than_the_sandbox_names_the_variable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end: a sandbox whose window is 0.5 s (the real 2 s at a quarter of the wall
    time), a touch run paced to 0.125 s, as ``PDBULK_WINDOW=0.125`` does: its 429s, and the
    run's outcome says PDBULK_WINDOW, not another process. Sandbox and engine share one
    FakeClock: on a real clock a loaded machine's stalls slowed the run below the
    sandbox's window (no 429 at all, f46l: 1 in 1 with the process stopped 0.3 s of
    every 0.6 s) or ran its 429 pauses together into "today's budget is spent" (f46f)."""
    from bulk.clock import FakeClock
    from bulk.sandbox import Faults, SandboxConfig
    from tests.sandbox_helpers import touch_through

    # 20 ms of latency (virtual): calls in flight when the window's headers are read
    result = await touch_through(SandboxConfig(time_scale=0.25, deals=150, seed=3,
                                               faults=Faults(latency_ms=20),
                                               clock=FakeClock()),
                                 tmp_path, window=0.125)
    stats = result.stats
    assert not result.stopped and stats.rate_limited > 0, stats
    store = JobStore.open(tmp_path / "job")
    assert job_window(store.config) == 0.125
    finish(store, RunResult(stopped=False, error=None, counts={ItemState.DONE: 150},
                            stats=stats))
    store.close()
    err = capsys.readouterr().err
    assert "PDBULK_WINDOW is the likely cause" in err, err
    assert "another process" not in err and "another client" not in err, err
