"""A nightly `dedupe run` with nothing to merge leaves little, and the run plans do not
grow for ever (x26r1 5: each quiet run left a ~320 KB plan folder, mostly the plan's copy
of the index, and said "merges are final ... pdbulk undo JOB" with 0 merges; a full run
left ~2.4 MB of plan, none ever removed). The plan's index copy is removed once installed,
the note is said only with merges to send, and only the newest ``PLANS_KEPT`` run plans are
kept, with those an unfinished job still needs."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import orjson
from typer.testing import CliRunner

import jobs
from bulk.clock import SystemClock
from bulk.sandbox import SandboxConfig
from bulk.store import JobStore
from jobs.dedupe import planfiles, retention
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.import_support import engine_config
from tests.update_support import cli_args, threaded_sandbox


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_a_quiet_night_leaves_a_small_plan_and_no_undo_note(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=41)) as sb:
        seed_account(sb, fillers=300)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        first = runner.invoke(app, ["dedupe", "run", "--since-last", *args], env=env)
        assert first.exit_code == 0, first.output
        quiet = runner.invoke(app, ["dedupe", "run", "--json", "--since-last", *args], env=env)
        assert quiet.exit_code == 0, quiet.output
        summary = orjson.loads(quiet.stdout)
        assert summary["merged"] == 0, summary
        assert "merges are final" not in quiet.output, quiet.output
        plan = Path(summary["plan_dir"])
        assert not (plan / "index").exists(), sorted(p.name for p in plan.iterdir())
        assert _size(plan) < 64_000, _size(plan)
        plans = plan.parent
        assert all(not (p / "index").exists() for p in plans.iterdir())


def test_only_the_newest_run_plans_and_those_unfinished_jobs_need_are_kept(
        tmp_path: Path) -> None:
    plans, jobs = tmp_path / "state" / "plans", tmp_path / "jobs"
    names = [f"202612{d:02d}T020000Z" for d in range(1, 16)]
    for name in names:
        (plans / name).mkdir(parents=True)
        (plans / name / "groups.csv").write_text("x\n")
    (plans / "mine").mkdir()  # a folder not named as a run names it: never touched
    store = JobStore.create(jobs / "20261202-020000-dedupe-aaaa", job_id="20261202-020000-dedupe-aaaa",
                            kind="dedupe", config={})
    store.meta_put("plan_dir", str(plans / names[1]))
    store.set_status("running")
    store.set_status("stopped", "budget")
    store.close()
    gone = retention.prune_plans(plans, jobs, keep=10)
    left = sorted(p.name for p in plans.iterdir())
    assert left == sorted([*names[-10:], names[1], "mine"]), left
    assert len(gone) == 4


class _OneInstant(SystemClock):
    """The system's clock, its wall time held at one instant: two runs "in one second"."""

    __slots__ = ()

    def wall(self) -> float:
        return 1_796_176_800.25  # 2026-12-02T02:00:00.250Z


def test_two_runs_started_in_one_second_plan_into_two_folders(tmp_path: Path) -> None:
    """Two `dedupe run`s at the same wall time (before: one `plans/20261202T020000Z`, the
    second's plan written over the first's) get two folders, named as they ran, sorted in
    that order, both kept by the pruning's name rule."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=41)) as sb:
        seed_account(sb)
        cfg = engine_config(sb, tmp_path / "j")
        runs = [anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, clock=_OneInstant()))
                for _ in range(2)]
    first, second = (Path(r.plan_dir) for r in runs if r.plan_dir is not None)
    assert first != second, first
    assert [first.name, second.name] == ["20261202T020000.250Z", "20261202T020000.251Z"]
    assert sorted(p.name for p in first.parent.iterdir()) == [first.name, second.name]
    assert all(planfiles._RUN_PLAN.fullmatch(p.name) for p in (first, second))
    assert (first / "groups.csv").is_file() and (second / "groups.csv").is_file()
