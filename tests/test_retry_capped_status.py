"""x41r4 F4: a retry stopped by its --max-tokens (exit 4) after its failed rows were put
back leaves the job "stopped" — `status` / `jobs` say so, with its rows pending to resume —
never "finished" with rows pending and its result files "out of date" as if a run had
been killed."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from tests.test_plan_tokens import cli, engine, sb  # noqa: F401 - sb is a fixture
from tests.test_retry_plan_tokens import failed_on_a_stage_then_mapped


def test_a_capped_retry_leaves_the_job_stopped(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """3 rows failed on a stage, the mapping fixed; `retry --max-tokens 60` stops on its
    cap after the rows' catalog pulls: the job is "stopped" (was: "finished", 3 pending)."""
    jobs, job = failed_on_a_stage_then_mapped(sb, tmp_path, rows=6, failing=3,
                                               other="a")
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs), "--max-tokens", "60")
    assert retried.exit_code == 4, retried.output
    with JobStore.open(job, lock=False) as store:
        status, counts = store.status, store.counts()
    shown = cli(sb, jobs, "status", job.name, "--job-dir", str(jobs))
    listed = cli(sb, jobs, "jobs", "--job-dir", str(jobs))
    assert status == "stopped", (status, counts)  # before: "finished", 3 pending
    assert shown.output.splitlines()[0].endswith(": stopped"), shown.output
    assert "--max-tokens cap" in shown.output, shown.output
    assert "out of date" not in shown.output + listed.output, shown.output + listed.output
    assert f"{job.name}  import     stopped" in listed.output, listed.output
    # the rows put back are unprocessed now, no longer failed with their old reasons
    assert "zz" not in (job / "failed.csv").read_text()
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    with JobStore.open(job, lock=False) as store:
        assert store.status == "finished" and store.counts()[ItemState.DONE] == 6
