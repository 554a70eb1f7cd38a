"""The plan line of a resume after a kill -9 counts the scans of the deals added since
(``getDeals`` + ``getArchivedDeals``) the resume makes, no more: the reconcile's look for
the creates in doubt settles their claims (taken over from the dead run, released), so
their sends again look nothing up; only a pending create whose claim the dead run still
holds (claimed for its batch, never sent) is taken over and looked up (f30h: the plan said
30 tokens more than the resume spent, 4 of 5 kill-and-resume runs)."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run

SCANS = ("getDeals", "getArchivedDeals", "getPersons", "getOrganizations")


def _planned(output: str) -> dict[str, int]:
    """The first plan line's calls of the scans (``calls at most: op n, ...``)."""
    line = next(s for s in output.splitlines() if s.startswith("plan: "))
    calls = dict(re.findall(r"(\w+) ([\d,]+)", line.split("calls at most: ")[1]))
    return {op: int(calls.get(op, "0").replace(",", "")) for op in SCANS}


@pytest.mark.parametrize("slow", ["addDeal", "addPerson"])
def test_a_resume_after_a_kill_plans_the_scans_it_makes(tmp_path: Path, slow: str) -> None:
    """Killed with deal creates in flight (``addDeal``), or person creates (``addPerson``:
    the reconcile settles their claims too; f30h: getPersons 12 planned, 2 made)."""
    export = write_demo_export(tmp_path / "in", rows=40, broken=0, unknown_stage=0)
    config = SandboxConfig(plan="ultimate", deals=0, seed=5,
                           faults=Faults(latency_ms=120.0,
                                         only_operations=frozenset({slow})))
    with ThreadedSandbox(config) as sb:
        jobs = tmp_path / "jobs"
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token,
               "PDBULK_STATE_DIR": str(tmp_path / "state")}
        os.environ["PDBULK_STATE_DIR"] = env["PDBULK_STATE_DIR"]
        try:
            kill_mid_run(sb, ["import", str(export.manifest), "-m", str(export.mapping),
                              "--mode", "insert", "--create-key-field", "--url",
                              sb.url, "--plan", "ultimate", "--job-dir", str(jobs)],
                         operation=slow, applied=3, poll=0.01)
            (job,) = [p for p in jobs.iterdir() if p.is_dir()]
            with JobStore.open(job, lock=False) as store:
                assert store.counts()[ItemState.SENDING] >= 1  # creates in doubt
            before = Counter(sb.stats()["requests_by_operation"])
            resumed = CliRunner().invoke(app, ["resume", job.name, "--job-dir", str(jobs)],
                                         env=env)
            spent = Counter(sb.stats()["requests_by_operation"]) - before
        finally:
            del os.environ["PDBULK_STATE_DIR"]
        assert resumed.exit_code == 0, resumed.output
        assert _planned(resumed.output) == {op: spent[op] for op in SCANS}, resumed.output
