"""stdout that cannot be written (a full disk, a closed pipe) ends no command and harms
no job (x23r4 F3): one line on stderr (none for a closed pipe), exit 1 for a command
that would have exited 0, and a job run meanwhile finishes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig
from bulk.store import JobStore
from tests.update_support import cli_args, deal, threaded_sandbox

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'
FULL = "/dev/full"


def _pdbulk(argv: list[str], stdout: int, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pdbulk", *argv], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120, check=False,
                          env=env)


def _full() -> int:
    if not os.path.exists(FULL):
        pytest.skip("no /dev/full on this system")
    return os.open(FULL, os.O_WRONLY)


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_a_full_stdout_is_one_line_and_exit_1(tmp_path: Path, extra: list[str]) -> None:
    """``pdbulk jobs > /dev/full``, ``status J --json > /dev/full``: "No space left on
    device" said once, no "Exception ignored", exit 1 (was 120)."""
    JobStore.create(tmp_path / "j1", job_id="j1", kind="touch", config={}, lock=False).close()
    fd = _full()
    try:
        for argv in (["jobs"], ["status", "j1", *extra]):
            res = _pdbulk([*argv, "--job-dir", str(tmp_path)], fd)
            assert res.returncode == 1, (argv, res.returncode, res.stderr)
            lines = res.stderr.splitlines()
            assert len(lines) == 1 and "stdout cannot be written (No space left on device)" \
                in lines[0], (argv, res.stderr)
    finally:
        os.close(fd)


def test_an_update_into_a_full_stdout_finishes_its_job(tmp_path: Path) -> None:
    """``pdbulk update … --yes > /dev/full``: the job left interrupted, exit 120. Now
    the update is sent and the job finished; one stderr line says stdout was lost."""
    manifest, mapping = tmp_path / "u.csv", tmp_path / "m.toml"
    manifest.write_text("Deal,Title\n1,Renamed one\n2,Renamed two\n")
    mapping.write_text(MAPPING)
    jobs = tmp_path / "jobs"
    fd = _full()
    try:
        with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=4, seed=7)) as sb:
            env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
            res = _pdbulk(["update", str(manifest), "--mapping", str(mapping), "--yes",
                           *cli_args(sb, jobs)], fd, env)
            assert res.returncode == 1, res.stderr
            assert "No space left on device" in res.stderr, res.stderr
            assert res.stderr.count("stdout cannot be written") == 1, res.stderr
            assert "Exception ignored" not in res.stderr and "Traceback" not in res.stderr
            assert deal(sb, 1)["title"] == "Renamed one" and deal(sb, 2)["title"] == "Renamed two"
        (job,) = jobs.iterdir()
        with JobStore.open(job, lock=False) as store:
            assert store.status == "finished", store.status
        assert (job / "summary.json").exists()
    finally:
        os.close(fd)
