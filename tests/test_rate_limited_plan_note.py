"""429s at a pace ``--plan`` allows, with no rate headers to say the account's own limits,
name the likelier cause: an account that allows fewer calls than ``--plan`` (x32r4 t11:
a Lite account run with ``--plan ultimate`` under the sandbox's ``no_rate_headers`` was
told "another client on the token, or the server's own limits")."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.clock import FakeClock
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import plan_limits
from bulk.runner import RunResult, RunStats
from bulk.scheduler import Scheduler
from bulk.store import ItemState, JobStore
from pdbulk.options import finish, plan_flags, rate_limited_note


@pytest.mark.anyio
async def test_the_scheduler_counts_429s_with_room_before_any_window_header() -> None:
    get = get_operation("getDeals")
    s = Scheduler(plan_limits("ultimate"), clock=FakeClock())
    for _ in range(3):
        await s.acquire(get)
    s.rate_limited(get, RateHeaders(), None)  # no header at all: only the plan said room
    assert (s.refused_with_room, s.refused_unheard) == (1, 1)
    heard = Scheduler(plan_limits("ultimate"), clock=FakeClock())
    for _ in range(3):
        await heard.acquire(get)
    heard.observe(get, RateHeaders(limit=120, remaining=117, reset=2.0))
    heard.rate_limited(get, RateHeaders(), None)  # the server spoke before: not the plan's
    assert (heard.refused_with_room, heard.refused_unheard) == (1, 0)


def test_the_note_names_the_plan_when_no_header_told_the_limits() -> None:
    note = rate_limited_note(25, None, room=25, unheard=25, plan="--plan ultimate")
    assert note is not None
    assert "the account may allow fewer calls than --plan ultimate" in note, note
    assert "check --plan" in note and "another client" not in note, note
    some = rate_limited_note(25, None, room=25, unheard=20, plan="--plan ultimate")
    assert some is not None and "the other 5 came" in some, some
    # headers heard: the server's refusal, as before (x22r2)
    server = rate_limited_note(25, None, room=25, unheard=0, plan="--plan ultimate")
    assert server is not None and "another client on the token" in server
    assert "--plan" not in server


def test_plan_flags_are_the_job_s() -> None:
    assert plan_flags({"engine": {"plan": "ultimate", "auth": "api_token"}}) == "--plan ultimate"
    assert plan_flags({"engine": {"plan": "lite", "auth": "oauth"}}) == "--plan lite --oauth"
    assert plan_flags({}) == "--plan growth"


def test_a_finished_run_says_check_plan(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    store = JobStore.create(tmp_path / "job", job_id="j1", kind="touch",
                            config={"engine": {"plan": "ultimate", "auth": "api_token"}})
    finish(store, RunResult(stopped=False, error=None, counts={ItemState.DONE: 2},
                            stats=RunStats(rate_limited=25, refused_with_room=25,
                                           refused_unheard=25)))
    err = capsys.readouterr().err
    store.close()
    assert "the account may allow fewer calls than --plan ultimate" in err, err


@pytest.mark.anyio
async def test_a_lite_account_run_as_ultimate_without_headers_is_told_to_check_plan(
        tmp_path: Path) -> None:
    """End to end: the sandbox as a Lite account with no rate headers, a touch run told
    ``--plan ultimate``: its 429s came while ultimate's window had room, none heard.
    Sandbox and engine share one FakeClock: on a real clock with 40 ms windows a loaded
    machine (load ~24) paused the run past a window now and then, and three 429 pauses
    in a row with no answer between were read as the day's budget spent (stopped)."""
    from bulk.sandbox import Faults, SandboxConfig
    from tests.sandbox_helpers import touch_through

    faults = Faults(no_rate_headers=True, no_daily_headers=True)
    result = await touch_through(SandboxConfig(deals=150, seed=3, plan="lite", faults=faults,
                                               clock=FakeClock()),
                                 tmp_path, plan="ultimate")
    stats = result.stats
    assert not result.stopped and stats.rate_limited > 0, stats
    assert stats.refused_unheard > 0, stats
    note = rate_limited_note(stats.rate_limited, None, others=bool(stats.others_seen),
                             room=stats.refused_with_room, unheard=stats.refused_unheard,
                             plan="--plan ultimate")
    assert note is not None and "fewer calls than --plan ultimate" in note, note
