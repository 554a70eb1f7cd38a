"""x31r3 3: `pdbulk update` asks nothing (it has no question), yet its `--help` offered
`--yes  Do not ask before sending` and README's engine-options table listed update among
the kinds that "ask as always". Its help and README now say it asks nothing. And the
other wording of x31r3 3: `status` of a job with no item, a job folder not made."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobs.api import update_deals
from pdbulk.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def test_update_asks_nothing_and_says_so(tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "u.csv", tmp_path / "u.toml"
    manifest.write_text("id,Title\n1,A\n", encoding="utf-8")
    mapping.write_text('version = 1\n[update]\nid_column = "id"\n[deal]\ntitle = "Title"\n',
                       encoding="utf-8")
    assert update_deals(manifest, mapping).question is None  # no prompt, whatever --yes
    res = CliRunner().invoke(app, ["update", "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    yes = next(line for line in res.output.splitlines() if "--yes" in line)
    assert "Do not ask" not in yes and "asks nothing" in yes, yes
    text = README.read_text(encoding="utf-8")
    assert "(update, move-stage, merge, undo, dedupe apply) asks as always" not in text


def test_status_of_a_job_with_no_item_says_none(tmp_path: Path) -> None:
    """x31r3 3: `pdbulk status` of a failed load (no item) printed `items: ; total 0`."""
    from bulk.store import JobStore

    store = JobStore.create(tmp_path / "J", job_id="J", kind="import", config={})
    store.set_status("loading")
    store.set_status("failed", "the load phase failed; nothing was sent")
    store.close()
    res = CliRunner().invoke(app, ["status", "J", "--job-dir", str(tmp_path)])
    assert "items: none; total 0" in res.output and "items: ;" not in res.output, res.output


def test_a_job_folder_that_cannot_be_made_is_named_plainly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x31r3 3: a job folder that could not be made read "job folder create /tmp/… cannot
    be written"; it names the folder alone."""
    import errno

    from bulk.errors import StoreError
    from bulk.store import JobStore

    def read_only(self: Path, *args: object, **kw: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(StoreError) as info:
        JobStore.create(tmp_path / "J", job_id="J", kind="import", config={})
    said = str(info.value)
    assert f"job folder {tmp_path / 'J'} cannot be written" in said and "create" not in said, said


@pytest.mark.skipif(sys.platform == "win32", reason="no job lock on Windows")
def test_a_busy_job_names_the_process_holding_it(tmp_path: Path) -> None:
    """x31r3 3: exit 6 ("already open") named no process; it names the lock's holder."""
    from bulk.errors import JobBusy
    from bulk.store import JobStore

    store = JobStore.create(tmp_path / "J", job_id="J", kind="import", config={})
    try:
        with pytest.raises(JobBusy) as info:
            JobStore.open(tmp_path / "J")
    finally:
        store.close()
    assert f"held by process {os.getpid()}" in str(info.value), str(info.value)
