"""A `dedupe run` refused for its budget share refuses before any call once a job on the
same state directory heard today's spend (x26r1 4: a cron `dedupe run --since-last
--budget-share 0.25` spent one getDealFields, 10 tokens, each time before refusing, 2 of
2). The first refusal of a day needs that one read: nothing told the spend before it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.sandbox_helpers import threaded_sandbox


def test_a_second_refused_run_sends_nothing(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(plan="ultimate", deals=1, seed=3, time_scale=0.02,
                                        daily_tokens=1000)) as sb:
        seed_account(sb)
        env = {"PIPEDRIVE_API_TOKEN": sb.token}
        run = ["dedupe", "run", "--since-last", "--budget-share", "0.25", "--url", sb.url,
               "--plan", "ultimate", "--job-dir", str(tmp_path / "jobs")]
        budget = sb.runtime.limiter.budget
        sb.stats()  # its budget rolls to the current day first
        budget.spent = 900  # others spent more than this job's quarter today
        sent = []
        for _ in range(2):
            before = sum(sb.stats()["requests_by_operation"].values())
            done = CliRunner().invoke(app, run, env=env)
            assert done.exit_code == 4, done.output
            assert "token budget spent" in done.output and "Traceback" not in done.output
            assert sb.token not in done.output
            sent.append(sum(sb.stats()["requests_by_operation"].values()) - before)
        assert sent == [1, 0], sent  # the first read told the spend; the second knew it
        budget_file = tmp_path / "jobs" / "dedupe-state" / "budget.json"
        assert sb.token not in budget_file.read_text()
