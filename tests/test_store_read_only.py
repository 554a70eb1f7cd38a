"""An intact job folder that cannot be written (a read-only mount, ``chattr +i``, another
user's) is refused as such — "cannot be written (read-only or not yours) ... make it
writable" — by ``JobStore.open`` (locked or looking) and ``resume_job``, never as a damaged
or foreign store (x25r3 F3: "job store is empty or not a pdbulk job store ... may create
those rows again (... insert mode ...)")."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.errors import StoreError
from bulk.store import JobStore


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """``folder`` made unwritable: mode 0500, or (root ignores modes) ``chattr +i``;
    skipped where neither holds."""
    folder.chmod(0o500)
    immutable = False
    try:
        if os.access(folder, os.W_OK) and shutil.which("chattr"):
            immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True,
                                       check=False, timeout=10).returncode == 0
        if os.access(folder, os.W_OK):
            pytest.skip("cannot make a folder unwritable here")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=False, timeout=10)
        folder.chmod(0o700)


def _update_job(tmp_path: Path) -> Path:
    """A closed update job's folder, with a file that shows it ran (summary.json)."""
    folder = tmp_path / "jobs" / "update-1"
    store = JobStore.create(folder, job_id="update-1", kind="update", config={})
    for status in ("loading", "loaded", "running", "stopped"):
        store.set_status(status)
    store.close()
    (folder / "summary.json").write_text('{"status": "stopped"}')
    return folder


@pytest.mark.parametrize("lock", [True, False])
def test_open_says_the_folder_cannot_be_written(tmp_path: Path, lock: bool) -> None:
    """Locked (resume, run) or looking (status), the line is the creation's."""
    folder = _update_job(tmp_path)
    with unwritable(folder), pytest.raises(StoreError) as info:
        JobStore.open(folder, lock=lock)
    text = str(info.value)
    assert "cannot be written (read-only or not yours)" in text, text
    assert "make it writable" in text
    for wrong in ("not a pdbulk job store", "insert mode", "create", "damaged"):
        assert wrong not in text, text
    with JobStore.open(folder) as store:  # writable again: intact
        assert store.status == "stopped"


@pytest.mark.anyio
async def test_resume_job_says_the_folder_cannot_be_written(tmp_path: Path) -> None:
    """resume_job of an intact update in a folder it cannot write."""
    from jobs import resume_job

    folder = _update_job(tmp_path)
    with unwritable(folder), pytest.raises(StoreError) as info:
        await resume_job(folder, "0" * 40)
    text = str(info.value)
    assert "cannot be written (read-only or not yours)" in text, text
    assert "insert mode" not in text and "not a pdbulk job store" not in text, text
