"""What the next `dedupe run` says of a dedupe job killed (kill -9) on an earlier night:
one killed before any merge was sent is removed and named (x23r2 4)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.engine import new_job_id
from bulk.sandbox import SandboxConfig
from bulk.store import JobStore
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.update_support import cli_args, threaded_sandbox


def _killed_while_planning(root: Path) -> Path:
    """A dedupe job as `dedupe run` leaves it when killed -9 while planning: created
    ("planned", no items), its lock gone with its process."""
    job_id = new_job_id("dedupe")
    JobStore.create(root / job_id, job_id=job_id, kind="dedupe", config={}).close()
    return root / job_id


def test_a_run_killed_while_planning_is_removed_and_named_by_the_next(tmp_path: Path) -> None:
    """The killed job (0 items) was left "interrupted (was planned)" forever and the next
    runs' ``interrupted_jobs`` were []: now the next run removes it and says so, on stderr
    and in --json ``removed_jobs``; a planned job a live process holds is left alone."""
    root = tmp_path / "j"
    killed = _killed_while_planning(root)
    live_id = new_job_id("dedupe") + "-live"
    live = JobStore.create(root / live_id, job_id=live_id, kind="dedupe", config={})
    try:
        with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=41)) as sb:
            seed_account(sb)
            env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
            ran = CliRunner().invoke(app, ["dedupe", "run", "--json", *cli_args(sb, root)],
                                     env=env)
        assert ran.exit_code == 0, ran.output
        out = orjson.loads(ran.stdout)
        assert out["removed_jobs"] == [killed.name] and out["interrupted_jobs"] == []
        assert not killed.exists() and (root / live_id).is_dir()
        (line,) = [ln for ln in ran.stderr.splitlines() if killed.name in ln]
        assert "before any merge was sent" in line and "nothing was merged" in line, line
        assert sb.token not in ran.stderr
    finally:
        live.close()
