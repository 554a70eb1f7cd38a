"""x22r2: Ctrl-C or SIGTERM while `pdbulk import` loads a large manifest (before anything is
sent) ended three ways: exit 1 as documented; the load going on 5-7 s, "stopping —
finishing calls in flight", exit 4 and a stopped job of every row pending; or exit 130 with
nothing said (once a folder holding only job.lock). One way now, whatever the point of the
load: the load stops within about a second, one line, exit 1, no job folder left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig
from bulk.store import JobStore
from tests.sandbox_helpers import threaded_sandbox

ROWS = 30_000
MAPPING = """version = 1
[import]
key_column = "Key"
key_field = "Import source key"
mode = "insert"
[defaults]
decimal = "auto"
[deal]
title = "Title"
value = "Value"
[person]
name = "Person"
email = "Email"
[organization]
name = "Organization"
"""


def _manifest(path: Path) -> None:
    lines = ["Key,Title,Value,Person,Email,Organization"]
    lines += [f"K{i},Deal {i},{100 + i % 900},Person {i},p{i}@example.com,Org {i % 3000}"
              for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _interrupted(argv: list[str], token: str, after_pulling: float,
                 sig: int) -> tuple[int, list[str], float, bool]:
    """Run ``pdbulk argv``, send ``sig`` ``after_pulling`` s after the load's "pulling"
    line; its exit code, stderr lines, seconds from the signal to the exit, and whether
    the load had ended (its counts line) before the signal."""
    proc = subprocess.Popen([sys.executable, "-m", "pdbulk", *argv],
                            env={**os.environ, "PIPEDRIVE_API_TOKEN": token},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    pulling = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if line.startswith("pulling "):
                pulling.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert pulling.wait(60), lines
        time.sleep(after_pulling)
        loaded = any("new persons" in line for line in lines)
        proc.send_signal(sig)
        sent = time.monotonic()
        code = proc.wait(30)
        took = time.monotonic() - sent
        return code, lines, took, loaded
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        reader.join(5)
        assert proc.stderr is not None
        proc.stderr.close()


@pytest.mark.timing
def test_a_signal_at_any_point_of_an_import_load_ends_one_way(tmp_path: Path) -> None:
    """At several points of a 30,000-row load (its pulls, its passes over the rows), SIGINT
    and SIGTERM end the import within ~1 s: exit 1, one `pdbulk:` line saying it was
    interrupted, no "stopping" line, no job folder, no deal sent."""
    manifest, mapping, jobs = tmp_path / "huge.csv", tmp_path / "m.toml", tmp_path / "jobs"
    _manifest(manifest)
    mapping.write_text(MAPPING, encoding="utf-8")
    points = [(0.0, signal.SIGINT), (0.6, signal.SIGTERM), (1.5, signal.SIGINT),
              (2.5, signal.SIGINT)]
    within_load = 0
    with threaded_sandbox(SandboxConfig(time_scale=0.05, seed=3)) as sb:
        argv = ["import", str(manifest), "-m", str(mapping), "--create-key-field",
                "--url", sb.url, "--job-dir", str(jobs)]
        for after, sig in points:
            code, lines, took, loaded = _interrupted(argv, sb.token, after, sig)
            said = [line for line in lines if line.startswith("pdbulk: ")]
            folders = list(jobs.iterdir()) if jobs.exists() else []
            if loaded:  # the load was over before the signal: the run's stop (exit 4)
                for folder in folders:  # (a stopped job: resumable; out of this test)
                    JobStore.open(folder).close()
                continue
            within_load += 1
            where = f"{signal.Signals(sig).name} {after} s into the load: {lines}"
            assert code == 1, where
            assert len(said) == 1 and "interrupted" in said[0], where
            assert not any("stopping" in line or "Traceback" in line for line in lines), where
            assert took < 2.5, f"{took:.1f} s after the signal; {where}"
            assert folders == [], f"{[sorted(p.name for p in f.iterdir()) for f in folders]}"
        writes = sb.stats()["writes_applied"]
    assert within_load >= 3, "the load ended before most signals: make the manifest longer"
    assert not any(writes.get(op) for op in ("addDeal", "addPerson", "addOrganization")), writes


def test_a_signal_while_the_job_folder_is_made_leaves_no_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x22r2: a signal inside ``JobStore.create``, once job.lock was made, left a folder
    holding only job.lock (``pdbulk jobs`` did not list it, ``status`` said "no job")."""
    attach = JobStore._attach

    def cut_short(directory: Path, **kw: object) -> JobStore:
        (directory / "job.lock").touch()
        raise KeyboardInterrupt

    monkeypatch.setattr(JobStore, "_attach", staticmethod(cut_short))
    with pytest.raises(KeyboardInterrupt):
        JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    assert not (tmp_path / "j").exists()
    monkeypatch.setattr(JobStore, "_attach", attach)
    (tmp_path / "mine").mkdir()  # a folder it did not make is left as it was
    (tmp_path / "mine" / "notes.txt").write_text("x")
    monkeypatch.setattr(JobStore, "_attach", staticmethod(cut_short))
    with pytest.raises(KeyboardInterrupt):
        JobStore.create(tmp_path / "mine", job_id="m", kind="import", config={})
    assert (tmp_path / "mine" / "notes.txt").exists()


def test_a_signal_before_the_import_job_exists_is_one_line_exit_1(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x22r2: a signal while `pdbulk import` started (before its job's handler) ended in
    typer's exit 130 with nothing said: now one line, exit 1, no job folder."""
    from typer.testing import CliRunner

    import pdbulk.cli_import as cli_import
    from pdbulk.cli import app

    manifest, mapping = tmp_path / "rows.csv", tmp_path / "m.toml"
    manifest.write_text("Key,Title,Value,Person,Email,Organization\nK1,a,1,p,p@x.com,o\n")
    mapping.write_text(MAPPING, encoding="utf-8")

    def creating(*args: object, **kw: object) -> JobStore:
        raise KeyboardInterrupt  # the signal lands while the job folder is made

    monkeypatch.setattr(cli_import.JobStore, "create", creating)
    res = CliRunner().invoke(app, ["import", str(manifest), "-m", str(mapping),
                                   "--url", "http://127.0.0.1:9", "--job-dir",
                                   str(tmp_path / "jobs")],
                             env={**os.environ, "PIPEDRIVE_API_TOKEN": "tok"})
    assert res.exit_code == 1, res.output
    assert "pdbulk: interrupted before anything was sent" in res.output
    assert not (tmp_path / "jobs").exists()
