"""x41r4 F6: a retry's re-check of its pending creates does not call the job's own deals
— written at the load for another row of the key — deals "added or changed since the
load (updated instead / not created again)": it says they are this job's, the rows judged
beside the row that wrote them. Since x45r5 F5 such rows, which send nothing once mapped
again, are not re-checked at all (no deal is read for them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox
from tests.test_plan_tokens import cli, engine, sb  # noqa: F401 - sb is a fixture
from tests.test_retry_plan_tokens import MAPPING


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_a_retry_says_its_own_deals_apart(sb: Sandbox, tmp_path: Path,  # noqa: F811
                                          mode: str) -> None:
    """Keys k0-k2: a first row failing on stage "zz", a later row created at the load;
    the mapping fixed, `retry`: those rows send nothing (none maps), are not re-checked,
    and no key is said "now on a deal added or changed since the load" (was: 3); no deal
    is written twice."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING.format(extra="").replace('"insert"', f'"{mode}"'))
    manifest.write_text("key,title,stage\n" + "".join(
        f"k{i},Deal {i},zz\nk{i},Deal {i},a\n" for i in range(3)) + "k9,Deal 9,a\n")
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    mapping.write_text(MAPPING.format(extra='"zz" = "Contact Made"\n')
                       .replace('"insert"', f'"{mode}"'))
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    # the 3 rows repeat the rows of their keys the load wrote: mapped again, none sends
    # ("none maps"), so none is re-checked against the deals (x45r5 F5: 30 tokens read for
    # them), and none is said to be on a deal "added or changed since the load"
    assert "none maps; 3 still fail" in retried.output, retried.output
    assert re.search(r"re-checked \d+ pending create", retried.output) is None, retried.output
    assert "now on a deal added or changed" not in retried.output, retried.output
    assert "done 4 (created 4), failed 3" in retried.output, retried.output
