"""x51r5 F6: a resume right after the server's reset whose writes fit the new day but whose
end-of-run check for doubles does not: its plan said "needs 332 tokens but 295 are left
today: the job stops checkpointed after about 32 of its 40 writes" — the check's reads
counted before the first write — and the run wrote all 40 (292 tokens) and skipped the
check ("could not be made"). The plan counts the check after the last write: no stop
line, a note that the check may be skipped, and the job finishes today, as the run does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.plans import Limits
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.planning import estimate
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import MAPPING, cli, engine, write_rows

TOKEN = "plan-tokens-token-0123"  # (test_plan_tokens's: its ``cli`` sends it)


def test_the_plan_counts_the_end_of_run_check_after_the_last_write() -> None:
    """The report's figures: 40 creates (200), reads before them (92), the check (40)."""
    calls = {"addDeal": 40, "getDeals": 4, "getArchivedDeals": 3, "getDealFields": 2,
             "getPipelines": 1, "getStages": 1, "getCurrentUser": 1}
    plan = estimate("import (resume)", calls, Limits(burst=40, daily_tokens=297), rows=40,
                    bad_rows=0, tokens_left_today=295, daily_tokens=297,
                    trailing={"getDeals": 2, "getArchivedDeals": 1})
    assert plan.tokens == 332
    assert plan.stop is None, plan.stop  # (before: "after about 32 of its 40 writes")
    assert plan.days == 1
    assert any("could not be made" in note and "finishes today" in note
               for note in plan.notes), plan.notes
    # the writes do not fit: the stop counts the check after them, not before
    short = estimate("import (resume)", calls, Limits(burst=40, daily_tokens=297), rows=40,
                     bad_rows=0, tokens_left_today=200, daily_tokens=297,
                     trailing={"getDeals": 2, "getArchivedDeals": 1})
    assert short.stop is not None and "after about 21 of its 40 writes" in short.stop, \
        short.stop


@pytest.fixture
def small() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=10,
                                       seed=9, daily_tokens=297)) as box:
        yield box


def test_a_resume_whose_writes_fit_but_not_its_check_plans_no_stop(small: Sandbox,
                                                                   tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    rows = write_rows(tmp_path / "a.csv", [(f"k{i}", f"Deal {i}", 100 + i, "Pat")
                                          for i in range(88)])
    ran = cli(small, jobs, "import", str(rows), "-m", str(mapping), "--create-key-field",
              *engine(small, jobs))
    assert ran.exit_code == 4, ran.output  # the day's 297 spent
    small.runtime.limiter.budget.end_day(time.time())
    (job,) = [p.name for p in jobs.iterdir()]
    resumed = cli(small, jobs, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "could not be made" in resumed.output, resumed.output
    assert "stops checkpointed" not in resumed.output, resumed.output
