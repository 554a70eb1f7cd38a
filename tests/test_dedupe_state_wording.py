"""What a dedupe says of its state: an older plan's merges an earlier apply made name that
job (x38r2 F7: "merged by an earlier dedupe apply or run", no job, where README promises
``already merged by job J``), an index of an empty account names no time "None"
(x38r2 F9: "index: 0 deals as of None"), and a settled job's in-doubt tokens say no row
is left (x38r2 F8)."""

from __future__ import annotations

from pathlib import Path

import anyio

import jobs
from bulk.sandbox import SandboxConfig
from jobs.dedupe.index import DealIndex, install_plan_index, save_plan_index
from tests.dedupe_job_support import seed_account
from tests.import_support import engine_config, read_csv
from tests.sandbox_helpers import threaded_sandbox


def test_an_older_plans_merges_name_the_job_that_made_them(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        cfg = engine_config(sb, tmp_path / "j")
        plan = anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "plan"))
        first = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, plan.directory))
        assert first.merged == 2 and first.job_id is not None
        again = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, plan.directory))
        assert again.directory is not None
        rows = [r for r in read_csv(again.directory / "succeeded.csv")
                if r["action"] == "already merged"]
        assert len(rows) == 2, rows
        assert all(r["reason"].startswith(f"already merged by job {first.job_id} ")
                   for r in rows), rows


def test_an_empty_accounts_index_names_no_time(tmp_path: Path) -> None:
    save_plan_index(DealIndex({}, None), tmp_path / "plan", None)
    line = install_plan_index(tmp_path / "plan", tmp_path / "state", [])
    assert line is not None and "None" not in line, line
    assert line.startswith("index: 0 deals (none seen yet"), line


def test_a_settled_jobs_in_doubt_tokens_say_nothing_is_left() -> None:
    """x38r2 F8: a resume that settled every merge said "+ up to 244 in doubt" as if work
    were left; with no row pending or in flight the figure says what it is."""
    from jobs.results import tokens_line

    data = {"tokens": 2080, "tokens_by_operation": {"mergeDeals": 2080},
            "tokens_in_doubt": 244}
    settled = tokens_line({**data, "items": {"done": 52, "skipped": 3}})
    assert "1,836 charged + up to 244 in doubt" in settled
    assert "every row is settled: nothing is left to resume" in settled, settled
    left = tokens_line({**data, "items": {"done": 50, "sending": 2}})
    assert "(no answer recorded: charged or not;" in left and "every row is settled" \
        not in left, left
    # x40r3 F6: the bound shrank at resume unexplained; it says a resume takes credit back
    assert "a resume takes that back: the charged figure stays, the doubt shrinks" in left, left
