"""A run that got 429s says why (x13r3 F4: two processes on one token got 429s, with no
word): the scheduler keeps within the account's limits on its own, so something else
spends them too."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.engine import META_COORDINATOR
from bulk.runner import RunResult, RunStats
from bulk.store import ItemState, JobStore
from pdbulk.options import finish, rate_limited_note


def _result(rate_limited: int, others_seen: int = 1) -> RunResult:
    return RunResult(stopped=False, error=None, stats=RunStats(
        rate_limited=rate_limited, others_seen=others_seen), counts={ItemState.DONE: 2})


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
    finish(store, _result(3, others_seen=0))
    err = capsys.readouterr().err
    store.close()
    assert "note: 3 call(s) were answered 429 (rate limited)" in err and "nothing lost" in err
    assert "another process" not in err and "--coordinator" not in err, err
    assert "no other client is proven" in err
