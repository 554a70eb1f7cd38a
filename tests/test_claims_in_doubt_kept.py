"""The in-doubt evidence of a job's create survives a plain release of its name by the
same holder (f21i F1: after a cancel and a resume, an import recorded deals its cut run
created as `unchanged`, and its undo left them behind)."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest

from bulk.claims import Claim, acquire, in_doubt_outcome
from bulk.claims_local import LocalClaims

pytestmark = pytest.mark.anyio
NAME = "deal-key\x1fcode\x1fK-1"


async def _acquire(claims: LocalClaims, tag: str) -> Claim:
    got = (await claims.acquire_many([NAME], tag=tag))[NAME]
    assert isinstance(got, Claim)
    return got


async def test_an_in_doubt_release_after_a_plain_one_of_the_same_name_is_kept(
        tmp_path: Path) -> None:
    path = tmp_path / "claims.sqlite3"
    run = LocalClaims(path)
    sending = await _acquire(run, "job-1")  # the create sent under it
    other = await _acquire(run, "job-1")  # the same name, again, for another caller
    await run.release(other)  # given back plainly (that caller was cancelled)
    await run.release(sending, in_doubt_outcome(time.time(), "job-1"))  # its answer lost
    run.close()
    later = LocalClaims(path)
    got = await _acquire(later, "job-1")
    later.close()
    assert got.reconcile and got.prev_tag == "job-1"  # looked up, and the deal is job-1's


async def test_a_cancelled_acquire_gives_back_no_name_another_caller_holds(
        tmp_path: Path) -> None:
    path = tmp_path / "claims.sqlite3"
    run = LocalClaims(path)
    sending = await _acquire(run, "job-1")
    with anyio.CancelScope() as scope:
        scope.cancel()  # cancelled once queued: its batch still runs
        await run.acquire_many([NAME], tag="job-1")
    await run.flush()
    rival = LocalClaims(path)
    held = (await rival.acquire_many([NAME], tag="job-2"))[NAME]
    assert not isinstance(held, Claim)  # still the sender's: no other run creates it
    await run.release(sending, in_doubt_outcome(time.time(), "job-1"))
    run.close()
    rival.close()


async def test_an_in_doubt_release_never_overwrites_another_run_s_outcome(
        tmp_path: Path) -> None:
    """The in-doubt outcome is written on a free name only when no other run's outcome
    is there: a run that took the freed name and created the thing owns it (attributed to
    this job, this job's undo would delete another's deal)."""

    mine = LocalClaims(tmp_path / "c.db")
    other = LocalClaims(tmp_path / "c.db")
    sent = await acquire(mine, "deal:K9")
    again = await acquire(mine, "deal:K9")  # a second caller of this run on the name
    assert isinstance(sent, Claim) and isinstance(again, Claim)
    await mine.release(again)  # given back plainly: the name is free
    took = await acquire(other, "deal:K9")
    assert isinstance(took, Claim)
    await other.release(took, {"deal_id": 7, "job": "J-other"})
    await mine.release(sent, in_doubt_outcome(1.0, "J-mine"))  # late: must not overwrite
    got = await acquire(other, "deal:K9")
    assert isinstance(got, Claim) and got.previous == {"deal_id": 7, "job": "J-other"}
    await mine.aclose()
    await other.aclose()
