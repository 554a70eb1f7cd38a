"""x50r2 F6: an uncoordinated resume right after the server's reset asks the server's day
first (one GET /users/me, 2 tokens: ``bulk.engine._ask_first``, at once for a resume) —
and its plan left that call out: plan 230, sandbox 232. The ask is in its plan (README:
"in its plan"): the plan's tokens equal what the sandbox counted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import MAPPING, cli, engine, resume_tokens, spent, write_rows

TOKEN = "plan-tokens-token-0123"  # (test_plan_tokens's: its ``cli`` sends it)


@pytest.fixture
def small() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=10,
                                       seed=9, daily_tokens=300)) as box:
        yield box


def test_a_resume_after_the_reset_prices_its_ask_of_the_day(small: Sandbox,
                                                            tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    rows = write_rows(tmp_path / "a.csv", [(f"k{i}", f"Deal {i}", 100 + i, "Pat")
                                          for i in range(50)])
    ran = cli(small, jobs, "import", str(rows), "-m", str(mapping), "--create-key-field",
              *engine(small, jobs))
    assert ran.exit_code == 4, ran.output  # the day's 300 spent
    small.runtime.limiter.budget.end_day(time.time())
    (job,) = [p.name for p in jobs.iterdir()]
    before = spent(small)
    resumed = cli(small, jobs, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "getCurrentUser 1" in resumed.output, resumed.output
    assert spent(small) - before == resume_tokens(resumed.output), resumed.output
