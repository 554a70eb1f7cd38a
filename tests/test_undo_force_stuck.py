"""`pdbulk undo J --force` takes over an undo of J left unfinished by a process that is
gone (killed with SIGKILL: its status still "running", its lock file naming a dead
process): it resumes that undo to its end, no second undo job made; an undo whose process
lives is never taken over (two undos of one job never run at once), and without --force
the refusal names both ways on. Before (f47i): `undo --force` was refused as `undo` was,
"already being undone by U", whatever --force."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run
from tests.update_support import cli_args, deal

N = 24
MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\nvalue = "Amount"\n'


def test_undo_force_resumes_a_killed_undo_and_never_a_live_one(tmp_path: Path) -> None:
    """An update of 24 deals, its undo killed after 4 restores: `undo J` is refused (naming
    `pdbulk resume U` and `undo J --force`); with U's lock held by a live process `undo J
    --force` is refused too, nothing sent; once no process holds it, `undo J --force`
    resumes U: exit 0, every deal back, U finished, no other job folder."""
    config = SandboxConfig(deals=40, seed=5, faults=Faults(
        latency_ms=25.0, latency_jitter_ms=5.0, only_operations=frozenset({"updateDeal"})))
    jobs = tmp_path / "jobs"
    (tmp_path / "m.toml").write_text(MAPPING)
    with ThreadedSandbox(config) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, jobs)
        runner = CliRunner()
        ids = sorted(i for i, d in sb.state.deals.rows.items()
                     if d["status"] == "open" and not d["is_archived"])[:N]
        was = {i: deal(sb, i)["value"] for i in ids}
        (tmp_path / "rows.csv").write_text("Deal,Amount\n" + "".join(
            f"{i},{7000 + n}\n" for n, i in enumerate(ids)))
        out = runner.invoke(app, ["update", str(tmp_path / "rows.csv"), "-m",
                                  str(tmp_path / "m.toml"), "--yes", *args], env=env)
        assert out.exit_code == 0, out.output
        (job,) = list(jobs.iterdir())
        applied = int(sb.stats()["writes_applied"]["updateDeal"])
        kill_mid_run(sb, ["undo", job.name, "--yes", *args], operation="updateDeal",
                     applied=applied + 4, poll=0.002, within=60.0)
        (undo,) = set(jobs.iterdir()) - {job}
        with JobStore.open(undo, lock=False) as look:
            assert look.status == "running", look.status  # as the kill left it
            left = look.counts()[ItemState.PENDING] + look.counts()[ItemState.SENDING]
        assert left > 0

        plain = runner.invoke(app, ["undo", job.name, "--yes", *args], env=env)
        assert plain.exit_code == 1, plain.output
        assert f"pdbulk resume {undo.name}" in plain.output, plain.output
        assert f"undo {job.name} --force" in plain.output, plain.output

        sent = int(sb.stats()["writes_applied"]["updateDeal"])
        with JobStore.open(undo):  # a live process holds U's lock: never taken over
            busy = runner.invoke(app, ["undo", job.name, "--force", "--yes", *args], env=env)
        assert busy.exit_code != 0, busy.output
        assert "live process" in busy.output, busy.output
        assert int(sb.stats()["writes_applied"]["updateDeal"]) == sent
        # a live undo holds its source's lock too: the refusal names the undo and its
        # process, not the source's lock (x47r8 F3: "job J is already open ... process N")
        with JobStore.open(undo), JobStore.open(job):
            held = runner.invoke(app, ["undo", job.name, "--force", "--yes", *args], env=env)
        assert held.exit_code == 6, held.output
        assert f"being undone by {undo.name} (process {os.getpid()})" in held.output, \
            held.output
        assert int(sb.stats()["writes_applied"]["updateDeal"]) == sent

        took = runner.invoke(app, ["undo", job.name, "--force", "--yes", *args], env=env)
        assert took.exit_code == 0, took.output
        assert f"taking over undo job {undo.name}" in took.output, took.output
        assert set(jobs.iterdir()) == {job, undo}  # no second undo job
        assert {i: deal(sb, i)["value"] for i in ids} == was
        with JobStore.open(undo, lock=False) as look:
            assert look.status == "finished", look.status
