"""A command that starts by reading, run when the day's token budget is all but spent
(x19r3 F2): one call at most, then the one-line "token budget spent" message and exit 4;
before, each 429's refund took the refused call off the server's own count, the same
read went out 30 times and the run ended "the account is not answering ... check --url"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from typer.testing import CliRunner

from bulk.errors import RateLimited
from bulk.retry import _unreachable
from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from pdbulk.options import describe
from tests.sandbox_helpers import threaded_sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with threaded_sandbox(SandboxConfig(plan="ultimate", deals=40, seed=3, time_scale=0.02,
                                        daily_tokens=150)) as sb:
        yield sb


def _spent_but(sb: Sandbox, left: int) -> None:
    """The sandbox's day spent but ``left`` tokens — set back below what the last run
    heard, which a real server's day never is: no earlier run's figure of the day is kept
    (``bulk.day_seen``), or the run is refused on it before its first call (f38k 2)."""
    import shutil

    from bulk import day_seen
    from bulk.claims import state_dir

    shutil.rmtree(state_dir() / day_seen.FOLDER, ignore_errors=True)
    budget = sb.runtime.limiter.budget
    sb.stats()  # its budget rolls to the current day first
    budget.spent = budget.limit - left


def _assert_budget_line(output: str) -> None:
    line = next(x for x in output.splitlines() if x.startswith("pdbulk: "))
    assert line.startswith("pdbulk: token budget spent: daily token budget: 147 of 150 "
                           "used"), output
    assert "(it resets at the company's midnight, in its own time zone)" in line, output
    for wrong in ("not answering", "--url", "RateLimited", "Traceback", "UTC"):
        assert wrong not in output, output


def test_resume_update_and_undo_with_the_budget_spent_send_one_call(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """The update stops on the budget; with 3 tokens left (a read needs 5 or 10) its
    resume, a new update and an undo each send at most one call and exit 4 in words."""
    sb, jobs = sandbox, tmp_path / "jobs"
    (tmp_path / "u.csv").write_text("Deal,Title\n" + "".join(f"{i},New {i}\n"
                                                             for i in range(1, 31)))
    (tmp_path / "u.toml").write_text('version = 1\n[update]\nid_column = "Deal"\n'
                                     '[deal]\ntitle = "Title"\n')
    env = {"PIPEDRIVE_API_TOKEN": sb.token}
    common = ["--url", sb.url, "--plan", "ultimate", "--job-dir", str(jobs)]
    update = ["update", str(tmp_path / "u.csv"), "--mapping", str(tmp_path / "u.toml"),
              "--yes", *common]
    first = CliRunner().invoke(app, update, env=env)
    assert first.exit_code == 4 and "stopped: daily token budget" in first.output, first.output
    # x19r3 F5: the mid-run stop names the reset as the start-up message does, no UTC guess
    assert "(it resets at the company's midnight, in its own time zone)" in first.output
    job = next(p.name for p in jobs.iterdir())
    for argv in (["resume", job, "--job-dir", str(jobs)], update,
                 ["undo", job, "--yes", *common]):
        _spent_but(sb, 3)
        before = sum(sb.stats()["requests_by_operation"].values())
        done = CliRunner().invoke(app, argv, env=env)
        sent = sum(sb.stats()["requests_by_operation"].values()) - before
        assert done.exit_code == 4, (argv[0], done.output)
        _assert_budget_line(done.output)
        assert sent <= 1, (argv[0], sent, sb.stats())


def test_a_runs_stats_count_the_429_of_its_start_up_reads(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """x19r3 F5: a resume whose start-up read got a 429 wrote "429s: 0" while the sandbox
    counted one: a run's stats (summary.json's ``rate_limited``) count every 429 the
    engine got since the last run, the start-up reads' too."""
    from bulk.engine import Engine, EngineConfig
    from bulk.errors import BudgetExhausted
    from bulk.store import JobStore
    from jobs import kind_for

    sb, jobs = sandbox, tmp_path / "jobs"
    (tmp_path / "u.csv").write_text("Deal,Title\n" + "".join(f"{i},New {i}\n"
                                                             for i in range(1, 31)))
    (tmp_path / "u.toml").write_text('version = 1\n[update]\nid_column = "Deal"\n'
                                     '[deal]\ntitle = "Title"\n')
    env = {"PIPEDRIVE_API_TOKEN": sb.token}
    first = CliRunner().invoke(app, ["update", str(tmp_path / "u.csv"), "--mapping",
                                     str(tmp_path / "u.toml"), "--yes", "--url", sb.url,
                                     "--plan", "ultimate", "--job-dir", str(jobs)], env=env)
    assert first.exit_code == 4, first.output
    store = JobStore.open(next(jobs.iterdir()))
    _spent_but(sb, 3)  # (before the engine opens: what the first run heard, forgotten)

    async def resume() -> int:
        config = EngineConfig.from_json(store.config["engine"])
        async with Engine.open(config, sb.token, store=store) as engine:
            _spent_but(sb, 3)
            with pytest.raises(BudgetExhausted):
                await engine.call("getDeals", params={"limit": 1})
            result = await engine.run(kind_for(store))  # stops on the budget, sends nothing
            return result.stats.rate_limited
    try:
        before = sb.stats()["rate_limited"]
        limited = anyio.run(resume)
    finally:
        store.close()
    assert sb.stats()["rate_limited"] - before == 1
    assert limited == 1


def test_a_429_is_never_the_account_not_answering() -> None:
    """A 429 that outlived its retries says the account refuses calls as over its rate
    limit: no "not answering", no "check --url", no class name."""
    exc = RateLimited(429, "Request over limit", operation="getDeals")
    for text in (describe(exc), str(_unreachable(exc)), describe(_unreachable(exc))):
        assert "over its rate limit" in text, text
        for wrong in ("not answering", "--url", "RateLimited"):
            assert wrong not in text, text
