"""A dedupe state folder that cannot be made (under a file, or a file itself) is refused
before the dedupe job folder exists, naming the folder and what chose it (``--state-dir``
/ the library's ``state_dir``, or the default under the job folder root); no job is left
for ``pdbulk jobs`` to list as interrupted (x41r1 M2). Nothing listens at the URL: the
refusal comes before any call."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk import EngineConfig
from bulk.errors import InputError
from jobs.dedupe.api import run_dedupe
from pdbulk.cli import app

URL = "http://127.0.0.1:9"  # loopback, nothing listens: never reached here
TOKEN = "tok"


def _blocker(tmp_path: Path) -> Path:
    blocker = tmp_path / "deals.csv"
    blocker.write_text("a,b\n1,2\n", encoding="utf-8")
    return blocker


@pytest.mark.parametrize("under", [False, True])
def test_run_dedupe_refuses_a_state_dir_it_cannot_make_before_its_job(
        tmp_path: Path, under: bool) -> None:
    """``run_dedupe(state_dir=FILE)`` raised a bare FileExistsError and left a job folder;
    now an InputError names the state folder and ``state_dir``, and no job folder."""
    blocker = _blocker(tmp_path)
    state = blocker / "dd" if under else blocker
    root = tmp_path / "jobs"
    cfg = EngineConfig(base_url=URL, job_root=root)
    with pytest.raises(InputError) as caught:
        asyncio.run(run_dedupe(cfg, TOKEN, state_dir=state))
    said = str(caught.value)
    assert "dedupe state folder" in said and "state_dir" in said and str(state) in said
    assert not root.exists() or not any(root.iterdir()), list(root.iterdir())


def test_the_default_state_folder_unmade_names_the_job_root(tmp_path: Path) -> None:
    """A job root whose ``dedupe-state`` is a file: the refusal names the default and how
    to choose another (--state-dir)."""
    root = tmp_path / "jobs"
    root.mkdir()
    (root / "dedupe-state").write_text("x", encoding="utf-8")
    cfg = EngineConfig(base_url=URL, job_root=root)
    with pytest.raises(InputError) as caught:
        asyncio.run(run_dedupe(cfg, TOKEN))
    assert "the default" in str(caught.value) and "--state-dir" in str(caught.value)
    assert [p.name for p in root.iterdir()] == ["dedupe-state"]


def test_cli_dedupe_run_names_state_dir_and_leaves_no_job(tmp_path: Path) -> None:
    """``pdbulk dedupe run --state-dir FILE/dd`` said only "No such file or directory"
    and `pdbulk jobs` then listed an interrupted dedupe job."""
    state = _blocker(tmp_path) / "dd"
    jobs = tmp_path / "jobs"
    res = CliRunner().invoke(app, ["dedupe", "run", "--url", URL, "--job-dir", str(jobs),
                                   "--state-dir", str(state)],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN, "COLUMNS": "200"})
    assert res.exit_code == 1, res.output
    assert "--state-dir" in res.output and "Traceback" not in res.output
    listed = CliRunner().invoke(app, ["jobs", "--job-dir", str(jobs)])
    assert "no jobs in" in listed.output, listed.output


def test_a_state_dir_that_is_a_file_names_pdbulk_state_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x41r1 L5: PDBULK_STATE_DIR at a file said "cannot read the coordination marker
    ...: Not a directory" with no word of the setting that chose the folder."""
    from bulk.coordinator import CoordinatorMismatch, _read

    monkeypatch.setenv("PDBULK_STATE_DIR", str(_blocker(tmp_path)))
    with pytest.raises(CoordinatorMismatch) as caught:
        _read(_blocker(tmp_path) / "coordinated" / "account-x.json")
    assert "PDBULK_STATE_DIR is set" in str(caught.value), caught.value
