"""A resume's plan after the re-read says how many of its rows are in doubt, each priced
as its write sent again, and by how much it may be over (x51r13 F4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_inflight_conflicts import SALES_OPEN, cli, load_move
from tests.test_resume_leaving_marks import killed


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=30, seed=41)) as box:
        yield box


def test_a_resumes_plan_says_its_rows_in_doubt_are_priced_as_writes(
        sb: Sandbox, tmp_path: Path) -> None:
    """x51r13 F4: the plan after the re-read priced each row in doubt as a PATCH sent again
    (update_b: 130 planned, 60 charged) with no note, where the import's creates have
    one. Now the plan line says how many are in doubt and by how much it may be over."""
    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    killed(jobs, "mv", 15, left=3)
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    line = next(x for x in resumed.output.splitlines() if x.startswith("plan after the re-read"))
    assert "3 of them in doubt (left in flight; each counted as its updateDeal sent again" \
        in line and "up to 15 fewer" in line, line
