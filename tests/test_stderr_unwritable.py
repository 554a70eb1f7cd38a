"""stderr whose reader has gone (``pdbulk import … 2>&1 | head -1``) ends no command and
harms no job (x30r2 M3: the import stopped "after its load, before its first send" with a
BrokenPipeError, or its folder was removed; the update stopped, "unexpected error
(BrokenPipeError)", exit 1): the progress, notes and warnings written after the reader
left are dropped, the job runs on and writes its files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bulk.sandbox import SandboxConfig
from bulk.store import JobStore
from tests.update_support import cli_args, deal, threaded_sandbox

UPDATE = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'
IMPORT = ('version = 1\n[import]\nkey_column = "Key"\nkey_field = "Import source key"\n'
          'mode = "upsert"\n[defaults]\ncurrency = "EUR"\n[deal]\ntitle = "Title"\n'
          'value = "Amount"\n')


def _pdbulk(argv: list[str], env: dict[str, str], *, both: bool
            ) -> subprocess.CompletedProcess[str]:
    """``pdbulk argv 2>&1 | head -0`` (``both``) or ``pdbulk argv 2>closed`` (stdout kept):
    a pipe whose reader has already gone."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "pdbulk", *argv], stdin=subprocess.DEVNULL,
                              stdout=write if both else subprocess.PIPE, stderr=write,
                              text=True, timeout=120, check=False, env=env)
    finally:
        os.close(write)


def _finished(jobs: Path) -> None:
    (job,) = jobs.iterdir()
    with JobStore.open(job, lock=False) as store:
        assert store.status == "finished", store.status
    assert (job / "summary.json").exists()


def test_an_import_into_a_closed_pipe_runs_on(tmp_path: Path) -> None:
    """``pdbulk import … 2>&1 | head -1``: every deal created, the job finished; exit 1
    (stdout lost too, as README's table says for a closed stdout)."""
    manifest, mapping = tmp_path / "i.csv", tmp_path / "m.toml"
    manifest.write_text("Key,Title,Amount\n" + "".join(f"P{i},Pipe {i},{i}\n"
                                                       for i in range(1, 6)))
    mapping.write_text(IMPORT)
    jobs = tmp_path / "jobs"
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=0, seed=7)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        res = _pdbulk(["import", str(manifest), "--mapping", str(mapping),
                       "--create-key-field", *cli_args(sb, jobs)], env, both=True)
        assert res.returncode == 1
        assert sb.stats()["writes_applied"].get("addDeal", 0) == 5, sb.stats()
    _finished(jobs)


def test_an_update_with_its_stderr_closed_runs_on(tmp_path: Path) -> None:
    """``pdbulk update … --yes 2>closed``: the update sent, the job finished, its outcome
    on stdout and exit 0 (stderr alone lost changes no exit code)."""
    manifest, mapping = tmp_path / "u.csv", tmp_path / "m.toml"
    manifest.write_text("Deal,Title\n1,Renamed one\n2,Renamed two\n")
    mapping.write_text(UPDATE)
    jobs = tmp_path / "jobs"
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=4, seed=7)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        res = _pdbulk(["update", str(manifest), "--mapping", str(mapping), "--yes",
                       *cli_args(sb, jobs)], env, both=False)
        assert res.returncode == 0, res.stdout
        assert deal(sb, 1)["title"] == "Renamed one" and deal(sb, 2)["title"] == "Renamed two"
    assert "Traceback" not in res.stdout
    _finished(jobs)


def test_a_job_stopped_with_its_stderr_closed_exits_4(tmp_path: Path) -> None:
    """A job stopped (here by --max-tokens) while stderr's reader is gone: its "stopped:"
    line went nowhere and the command exits 4, as README's table says (was exit 1 and
    the job gone: the failed write of a note ended the command)."""
    manifest, mapping = tmp_path / "i.csv", tmp_path / "m.toml"
    manifest.write_text("Key,Title,Amount\n" + "".join(f"P{i},Pipe {i},{i}\n"
                                                       for i in range(1, 41)))
    mapping.write_text(IMPORT)
    jobs = tmp_path / "jobs"
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=0, seed=7)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        res = _pdbulk(["import", str(manifest), "--mapping", str(mapping), "--max-tokens",
                       "100", "--create-key-field", *cli_args(sb, jobs)], env, both=False)
        assert res.returncode == 4, res.stdout
        assert 0 < sb.stats()["writes_applied"].get("addDeal", 0) < 40
    (job,) = jobs.iterdir()
    with JobStore.open(job, lock=False) as store:
        assert store.status == "stopped", store.status
