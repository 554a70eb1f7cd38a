"""The plan of a resume after a kill -9 that left every row in doubt and none pending (a
file of one batch killed in flight): it is at least what the run spends, with the reads of
the run's end (x41r6 F2: 30 rows, 4 done, 26 in doubt; planned 172, spent 187:
getArchivedDeals 1 planned, 2 made; getDeals 2 planned, 3 made)."""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.coordinator import ENV_COORDINATOR
from bulk.operations import get_operation
from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from tests.redis_helpers import RedisServer, redis_server
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run
from tests.test_import import charged

__all__ = ["redis_server"]

PLAN = re.compile(r"^plan(?: after the re-read)?: .*; calls at most: (.*); tokens: ([\d,]+)$", re.M)


def _settled(sb: ThreadedSandbox) -> Counter[str]:
    """The sandbox's charged calls once those the killed process had in flight are answered
    (a second with no new charge; at most 10 s): under load a dozen addDeal calls landed after
    the kill and were counted as the resume's (plan 272 < 332 "spent")."""
    last, still = charged(sb), 0.0
    for _ in range(40):
        time.sleep(0.25)
        now = charged(sb)
        still = still + 0.25 if now == last else 0.0
        if still >= 1.0:
            break
        last = now
    return last


@pytest.mark.parametrize("shared", [False, True])
def test_a_resume_with_every_row_in_doubt_plans_at_least_what_it_spends(
        tmp_path: Path, shared: bool, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed once 4 creates were applied, every row of the one batch in flight: both plan
    lines of its resume price at least the list reads and the tokens the run spends, on
    one machine and under a shared coordinator (the tester's: 4 imports on one Redis)."""
    if shared:
        server: RedisServer = request.getfixturevalue("redis_server")
        monkeypatch.setenv(ENV_COORDINATOR, server.url)
    export = write_demo_export(tmp_path / "in", rows=30, broken=0, unknown_stage=0)
    config = SandboxConfig(plan="ultimate", seed=5, faults=Faults(
        latency_ms=400.0, only_operations=frozenset({"addDeal"})))
    jobs = tmp_path / "jobs"
    with ThreadedSandbox(config) as sb:
        kill_mid_run(sb, ["import", str(export.manifest), "-m", str(export.mapping),
                          "--url", sb.url, "--plan", "ultimate", "--job-dir", str(jobs),
                          "--create-key-field"],
                     operation="addDeal", applied=4, poll=0.005)
        (job,) = [p for p in jobs.iterdir() if p.is_dir()]
        with JobStore.open(job, lock=False) as store:
            counts = store.counts()
        assert counts[ItemState.SENDING] and not counts[ItemState.PENDING], counts
        sb.set_faults(Faults())
        before = _settled(sb)  # the killed run's calls in flight (400 ms each) are its own
        res = CliRunner().invoke(app, ["resume", job.name, "--job-dir", str(jobs)],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        spent = charged(sb) - before
    assert res.exit_code == 0, res.output
    plans = PLAN.findall(res.output)
    assert len(plans) == 2, res.output  # before and after the re-read
    for said, planned in plans:
        made = dict(re.findall(r"(\w+) (\d+)", said))
        for op in ("getDeals", "getArchivedDeals"):
            assert int(made.get(op, 0)) >= spent[op], (op, said, dict(spent), res.output)
        tokens = sum(get_operation(op).token_cost * n for op, n in spent.items())
        assert int(planned.replace(",", "")) >= tokens, (said, dict(spent))
