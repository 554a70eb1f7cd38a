"""A run that got 429s says why (x13r3 F4: two processes on one token got 429s, with no
word): the scheduler keeps within the account's limits on its own, so something else
spends them too."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from bulk.engine import META_COORDINATOR
from bulk.runner import RunResult, RunStats
from bulk.store import ItemState, JobStore
from pdbulk.options import finish, rate_limited_note


def _result(rate_limited: int, others_seen: int = 1, window_share: float = 1.0,
            room: int | None = None) -> RunResult:
    return RunResult(stopped=False, error=None, stats=RunStats(
        rate_limited=rate_limited, others_seen=others_seen, window_share=window_share,
        refused_with_room=rate_limited if room is None else room),
        counts={ItemState.DONE: 2})


@pytest.mark.parametrize("coordinated", [False, True])
def test_a_run_with_429s_names_the_likely_cause(tmp_path: Path, coordinated: bool,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    store = JobStore.create(tmp_path / "job", job_id="j1", kind="touch", config={})
    if coordinated:
        store.meta_put(META_COORDINATOR, "redis://127.0.0.1:6379/0")
    finish(store, _result(0))
    assert "429" not in capsys.readouterr().err
    finish(store, _result(3))
    err = capsys.readouterr().err
    store.close()
    assert "note: 3 call(s) were answered 429 (rate limited)" in err and "nothing lost" in err
    assert ("--coordinator" in err) is not coordinated
    assert "integration" in err


def test_no_note_without_429s() -> None:
    assert rate_limited_note(0, None) is None


def test_a_lone_process_with_429s_is_not_told_of_another_process(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """x19r3 F3: one pdbulk process, no other client, a few 429s with a 0.1-s window: the
    note said "another process uses this account's API limits". Without evidence (the
    server never counted more calls in a window than this process sent) it says so."""
    store = JobStore.create(tmp_path / "job", job_id="j1", kind="touch", config={})
    finish(store, _result(3, others_seen=0, room=0))
    err = capsys.readouterr().err
    store.close()
    assert "note: 3 call(s) were answered 429 (rate limited)" in err and "nothing lost" in err
    assert "another process" not in err and "--coordinator" not in err, err
    assert "no other client is proven" in err


def test_429s_while_the_window_had_room_blame_the_server_not_the_pace() -> None:
    """x22r2: a 429 storm on the server, no other client, was told "the pace came too close
    to the limits": the 429s that came while the window had room are the server's."""
    note = rate_limited_note(31, None, room=31)
    assert note is not None
    assert "the server refused 31 call(s) while the window had room (another client on " \
           "the token, or the server's own limits)" in note
    assert "pace came too close" not in note
    some = rate_limited_note(31, None, room=29)
    assert some is not None and "the other 2 came as the pace neared the limits" in some


@pytest.mark.anyio
async def test_the_scheduler_counts_429s_while_its_window_had_room() -> None:
    """A 429 after 3 calls of a 40-call window, or whose headers say calls remain, came
    while the window had room; one after a full window of this process's own calls did
    not (the pace)."""
    from bulk.clock import FakeClock
    from bulk.headers import RateHeaders
    from bulk.operations import get_operation
    from bulk.plans import plan_limits
    from bulk.scheduler import Scheduler

    get = get_operation("getDeals")
    clock = FakeClock()
    s = Scheduler(plan_limits("growth"), clock=clock)
    for _ in range(3):
        await s.acquire(get)
    s.rate_limited(get, RateHeaders(limit=40, remaining=0, reset=1.0), None)
    assert s.refused_with_room == 1 and s.statistics().refused_with_room == 1
    await s.acquire(get)  # after the pause
    s.rate_limited(get, RateHeaders(limit=40, remaining=12, reset=1.0), None)
    assert s.refused_with_room == 2
    clock = FakeClock()
    full = Scheduler(plan_limits("growth"), clock=clock)
    for _ in range(full.statistics().window_limit):
        await full.acquire(get)
    full.rate_limited(get, RateHeaders(limit=40, remaining=0, reset=1.0), None)
    assert full.refused_with_room == 0


@pytest.mark.anyio
async def test_a_429_storm_on_the_server_is_said_to_be_the_servers(tmp_path: Path) -> None:
    """A lone touch run through the sandbox's 429 storms: its 429s came while its window
    had room, and the note says the server refused them (not the pace). Sandbox and
    engine share one FakeClock (windows and storms virtual): on a real clock a loaded
    machine's stalls passed for the server's window (f32f, f32g) or ran the run's 429
    pauses together into "today's budget is spent" (f46f)."""
    from bulk.clock import FakeClock
    from bulk.sandbox import Faults, SandboxConfig
    from tests.sandbox_helpers import touch_through

    faults = Faults(storm_every=1.25, storm_length=0.75)
    result = await touch_through(SandboxConfig(time_scale=0.1, deals=150, seed=3,
                                               faults=faults, clock=FakeClock()),
                                 tmp_path, plan="growth", window=0.2)
    stats = result.stats
    assert not result.stopped and stats.rate_limited > 0 and stats.others_seen == 0
    assert stats.refused_with_room == stats.rate_limited, stats  # every 429 the storm's
    note = rate_limited_note(stats.rate_limited, None, others=False,
                             room=stats.refused_with_room)
    assert note is not None and "while the window had room" in note, note


@pytest.mark.parametrize("share,said", [(1.0, True), (0.8, False)])
def test_another_client_seen_is_told_of_window_share(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], share: float, said: bool) -> None:
    """x31r2 F6: a run beside another client on the token (its calls counted in the window
    headers) took all the room that client left, and a client that does not read the
    headers met a full window: the run names ``--window-share``, with or without 429s of
    its own; not when the run already left a share (its own or a resume's --window-share:
    ``RunStats.window_share``), nor without another client seen."""
    store = JobStore.create(tmp_path / "job", job_id="j1", kind="touch", config={})
    finish(store, _result(0, others_seen=4, window_share=share))
    err = capsys.readouterr().err
    finish(store, _result(0, others_seen=0))
    alone = capsys.readouterr().err
    store.close()
    assert ("another client's calls on this token in 4 answers" in err) is said, err
    assert ("--window-share 0.8" in err) is said, err
    assert "--window-share" not in alone and "429" not in err


def test_a_budget_stop_does_not_say_every_429_was_sent_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """x32r3 4: a run stopped by the spent budget with items left said its 429s were "sent
    again after the pause, nothing lost": the last refused call may be left for the resume."""
    from bulk.errors import BudgetExhausted

    store = JobStore.create(tmp_path / "job", job_id="j1", kind="touch", config={})
    stopped = RunResult(stopped=True, error=BudgetExhausted("daily token budget spent"),
                        stats=RunStats(rate_limited=2, others_seen=1),
                        counts={ItemState.DONE: 2, ItemState.PENDING: 5})
    with pytest.raises(typer.Exit):
        finish(store, stopped)
    err = capsys.readouterr().err
    store.close()
    assert "note: 2 call(s) were answered 429 (rate limited); none lost" in err, err
    assert "sent again after the pause or is left for the resume" in err
    assert "and sent again after the pause, nothing lost" not in err


def test_another_client_seen_is_blamed_only_for_the_429s_that_had_room() -> None:
    """x32r4 F4: a run whose answers showed another client at some time had all its 429s
    blamed on it, those of its own pace too: only the 429s that came while the window had
    room for this run's own calls are, and the others are said to be the pace's."""
    mixed = rate_limited_note(10, None, others=True, room=4)
    assert mixed is not None and "another process uses this token's burst window" in mixed
    assert "4 came while the other client's calls filled the window, the other 6 as the pace neared the " \
           "limits" in mixed, mixed
    pace = rate_limited_note(10, None, others=True, room=0)
    assert pace is not None and "another process" not in pace, pace
    assert "none of these came while the window had room for this process's own: the " \
           "pace came too close to the limits" in pace, pace
