"""A retry whose --max-tokens cannot reach its first write is refused before it spends
anything it need not (f41b 3: a retry's cap of 150 went to reads, no write): refused
before its failed rows are mapped again when the reads of what is in doubt alone take the
cap; and when the refusal comes after the rows' catalog and index pulls, it says what
was read, not "nothing was read"."""

from __future__ import annotations

import os
import time
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture
from tests.test_retry_plan_tokens import failed_on_a_stage_then_mapped
from tests.update_support import requests


def _settled(box: Sandbox) -> dict[str, int]:
    """The sandbox's requests once the killed run's last ones were answered (at most 5 s)."""
    seen, deadline = requests(box), time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.3)
        if (now := requests(box)) == seen:
            break
        seen = now
    return seen


def test_a_retry_whose_in_doubt_reads_take_the_cap_reads_nothing(tmp_path: Path) -> None:
    """An import killed with creates in doubt and rows failed: `retry --max-tokens 60` (the
    reconcile's reads alone take more) exits 4 before it maps its failed rows again — no
    request at all (was: the catalog and index pulls, 90 tokens, then "nothing was read") —
    the failed rows stay failed, and a retry with a cap that reaches a write sends."""
    export = write_demo_export(tmp_path / "in", rows=120, broken=5, unknown_stage=0)
    config = SandboxConfig(plan="ultimate", seed=5, faults=Faults(
        latency_ms=150.0, lost_response_rate=0.5, only_operations=frozenset({"addDeal"})))
    jobs = tmp_path / "jobs"
    env = {**os.environ}
    with ThreadedSandbox(config) as box:
        env["PIPEDRIVE_API_TOKEN"] = box.token
        kill_mid_run(box, ["import", str(export.manifest), "-m", str(export.mapping),
                           "--url", box.url, "--plan", "ultimate", "--job-dir", str(jobs),
                           "--create-key-field"], operation="addDeal", applied=10, poll=0.01)
        (job,) = [p for p in jobs.iterdir() if p.is_dir()]
        with JobStore.open(job, lock=False) as store:
            failed = store.counts()[ItemState.FAILED]
            assert failed and store.counts()[ItemState.SENDING], store.counts()
        box.set_faults(Faults())
        before = _settled(box)
        res = CliRunner().invoke(app, ["retry", job.name, "--job-dir", str(jobs),
                                       "--max-tokens", "60"], env=env)
        assert requests(box) == before, res.output  # not a read
        assert res.exit_code == 4, res.output
        assert "before its first write" in res.output, res.output
        assert "nothing was read or sent by this retry" in res.output, res.output
        # nothing spent: not "token budget spent" (x46r2 F3)
        assert "pdbulk: refused before anything was spent: the token budget cannot reach " \
               "its first write: budget:" in res.output, res.output
        assert "token budget spent" not in res.output, res.output
        assert "back to pending" not in res.output, res.output
        with JobStore.open(job, lock=False) as store:
            assert store.counts()[ItemState.FAILED] == failed
        ok = CliRunner().invoke(app, ["retry", job.name, "--job-dir", str(jobs)], env=env)
        assert ok.exit_code in (0, 3), ok.output
        assert "failed items back to pending" in ok.output


def test_a_retry_whose_cap_reaches_its_first_write_writes(sb: Sandbox,  # noqa: F811
                                                          tmp_path: Path) -> None:
    """3 rows failed on a stage, the mapping fixed; `retry --max-tokens 60` (above the
    fewest reads it can make before a create, 55: x41r4 F3): the catalog pulls (20) and
    the re-read (30) leave room for a create, and the end-of-run check is counted after
    the last write (x51r5 F6, f51i: before, counted ahead of the first write, it made the
    retry refuse after its pulls): the run writes what its cap reaches and stops
    checkpointed (exit 4) within the cap, the rest left to a resume."""
    jobs, job = failed_on_a_stage_then_mapped(sb, tmp_path, rows=6, failing=3,
                                               other="a")
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs), "--max-tokens", "60")
    assert retried.exit_code == 4, retried.output
    assert 55 <= spent(sb) - before <= 60, (spent(sb) - before, retried.output)
    assert "refused before its first write" not in retried.output, retried.output
    with JobStore.open(job, lock=False) as store:
        assert store.counts()[ItemState.DONE] >= 1, store.counts()


def test_a_retry_cap_below_its_pulls_and_reread_reads_nothing(sb: Sandbox,  # noqa: F811
                                                               tmp_path: Path) -> None:
    """x41r4 F3: 3 rows failed on a stage, the mapping fixed; `retry --max-tokens 40`:
    mapping them again pulls the catalog (20 tokens) and the re-read of their keys reads
    a page of deals and of archived deals (30) before a create (5): exit 4 before any
    request (was: 20 tokens spent on the pulls, then refused), the rows still failed; the
    line says the least it needs."""
    jobs, job = failed_on_a_stage_then_mapped(sb, tmp_path, rows=6, failing=3,
                                               other="a")
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs), "--max-tokens", "40")
    assert retried.exit_code == 4, retried.output
    assert spent(sb) == before, retried.output  # before: 20 (the catalog pulls)
    assert "needs at least 55" in retried.output, retried.output
    assert "nothing was read or sent by this retry" in retried.output, retried.output
    assert "refused before anything was spent" in retried.output, retried.output
    with JobStore.open(job, lock=False) as store:
        assert store.counts()[ItemState.FAILED] == 3
        assert store.status == "finished"
    ok = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs), "--max-tokens", "80")
    assert ok.exit_code == 0, ok.output
