"""x41r4 F2: a retry killed while it wrote a first row of a key that failed at the load
(its key's later row created the deal then), resumed: the row in doubt is not recorded
`created` with the deal another row of this job created (succeeded.csv counted 155
created for 150 deals; the undo planned 155 deletes)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from tests.test_plan_tokens import cli, engine, sb  # noqa: F401 - sb is a fixture
from tests.test_retry_plan_tokens import MAPPING


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_a_first_row_in_doubt_is_not_created_with_its_keys_deal(
        sb: Sandbox, tmp_path: Path, mode: str) -> None:  # noqa: F811
    """k0: row 2 fails on stage "zz", row 3 is created at the load; the mapping fixed, the
    retry's row 2 left in flight by a kill (sent, no answer): the resume records one
    `created` for deal k0's, not two."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING.format(extra="").replace('"insert"', f'"{mode}"'))
    manifest.write_text("key,title,stage\nk0,Deal 0,zz\nk0,Deal 0,a\nk9,Deal 9,a\n")
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    mapping.write_text(MAPPING.format(extra='"zz" = "Contact Made"\n')
                       .replace('"insert"', f'"{mode}"'))
    with JobStore.open(job) as store:  # as a retry killed while its row 2 was in flight
        (failed,) = store.items(ItemState.FAILED)
        store.failed_to_pending()
        store.mark_sending([failed.id], time.time())
        store.set_status("running")
        store.set_status("stopped", "killed")
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs))
    assert resumed.exit_code in (0, 3), resumed.output
    with JobStore.open(job, lock=False) as store:
        done = [i for i in store.items(ItemState.DONE) if i.key == "k0"]
        row2 = next(i for i in store.items() if i.row == 2)
    created = [i for i in done if (i.result or {}).get("action") == "created"]
    # before: rows 2 and 3 both `created`, deal 61 each
    assert [i.row for i in created] == [3], [(i.row, i.result) for i in done]
    assert (row2.result or {}).get("action") != "created", row2
