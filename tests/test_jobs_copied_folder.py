"""``pdbulk jobs`` names the folder of a job kept in a folder not named by its id (a copy,
a rename): two copies of one job were listed alike, with nothing to tell them apart
(x41r1)."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from bulk.store import JobStore
from pdbulk.cli import app


def test_a_copied_job_folder_is_listed_with_its_folder(tmp_path: Path) -> None:
    root = tmp_path / "jobs"
    with JobStore.create(root / "j1", job_id="j1", kind="update", config={}) as store:
        store.set_status("cancelled", "declined")
    shutil.copytree(root / "j1", root / "j1-copy")
    res = CliRunner().invoke(app, ["jobs", "--job-dir", str(root)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert any(line.startswith("j1 (folder j1-copy) ") for line in lines), res.output
    assert any(line.startswith("j1 ") and "folder" not in line for line in lines), res.output
