"""x47r4 F3: a run paced to PDBULK_WINDOW, set right (the sandbox's 1-s window at
``--time-scale 0.5``), beside another uncoordinated update on the token got 429s and was
told "PDBULK_WINDOW is the likely cause ... set PDBULK_WINDOW to the sandbox's window",
though the rate headers had shown another client's calls. The note names the evidence it
has first (another client seen in N answers) and blames the window only when the headers
disagree with it: a reset longer than the window the run paced itself to."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.runner import RunResult, RunStats
from bulk.store import ItemState, JobStore
from pdbulk.options import finish, others_note, rate_limited_note


def test_a_window_set_right_is_not_blamed_over_another_client() -> None:
    note = rate_limited_note(3, None, others=7, room=3, window=1.0, reset_heard=1.0)
    assert note is not None and "PDBULK_WINDOW is the likely cause" not in note, note
    assert "another client's calls in 7 answers" in note, note
    assert note.index("7 answers") < note.index("another process uses"), note
    assert "--coordinator" in note, note
    # and the --window-share advice too, as at Pipedrive's own window
    assert others_note(7, 1.0, window=1.0, reset_heard=1.0) is not None


def test_a_window_shorter_than_the_headers_reset_is_blamed() -> None:
    """f33i 2 kept: a 0.5-s PDBULK_WINDOW against a 2-s server (a reset of 2 s heard)."""
    note = rate_limited_note(5, None, others=4, window=0.5, reset_heard=2.0)
    assert note is not None and "PDBULK_WINDOW is the likely cause" in note, note
    assert "a reset of 2 s" in note and "another process" not in note, note
    assert note.index("4 answers") < note.index("PDBULK_WINDOW is the likely cause"), note
    assert others_note(4, 1.0, window=0.5, reset_heard=2.0) is None


def test_no_reset_heard_keeps_the_window_as_the_likely_cause() -> None:
    note = rate_limited_note(5, None, others=True, window=0.5)
    assert note is not None and "PDBULK_WINDOW is the likely cause" in note, note


@pytest.mark.anyio
async def test_the_scheduler_keeps_the_longest_reset_heard() -> None:
    from bulk.clock import FakeClock
    from bulk.headers import RateHeaders
    from bulk.operations import get_operation
    from bulk.plans import plan_limits
    from bulk.scheduler import Scheduler

    get = get_operation("getDeals")
    s = Scheduler(plan_limits("growth"), clock=FakeClock())
    assert s.reset_heard == 0.0
    for reset in (0.4, 0.97, 0.2):
        await s.acquire(get)
        s.observe(get, RateHeaders(limit=40, remaining=3, reset=reset))
    assert s.reset_heard == 0.97


def test_finish_reads_the_reset_heard(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    store = JobStore.create(tmp_path / "job", job_id="j1", kind="touch",
                            config={"engine": {"window": 1.0}})
    stats = RunStats(rate_limited=2, others_seen=9, refused_with_room=2, reset_heard=1.0)
    finish(store, RunResult(stopped=False, error=None, stats=stats,
                            counts={ItemState.DONE: 2}))
    store.close()
    err = capsys.readouterr().err
    assert "another client's calls in 9 answers" in err, err
    assert "PDBULK_WINDOW is the likely cause" not in err, err
