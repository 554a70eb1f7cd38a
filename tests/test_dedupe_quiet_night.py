"""A `dedupe run` with nothing to merge keeps no job folder (before: ~40-60 KB a night, a
job.sqlite and four result files saying nothing): its plan says it all, the nightly index
still moves on, and the run says so ("nothing to merge: no job folder is kept")."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import deal, org
from tests.update_support import cli_args, threaded_sandbox

CONFIG = SandboxConfig(time_scale=0.05, deals=1, seed=61)


def _run(sb: Sandbox, jobs: Path, *extra: str) -> tuple[int, str, str]:
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    r = CliRunner().invoke(app, ["dedupe", "run", "--since-last", *extra,
                                 *cli_args(sb, jobs)], env=env)
    return r.exit_code, r.stdout, r.stderr


def _outside_plans(jobs: Path) -> dict[str, int]:
    """Every file under the job root but the run's plan folders, with its size."""
    plans = jobs / "dedupe-state" / "plans"
    return {str(p.relative_to(jobs)): p.stat().st_size for p in jobs.rglob("*")
            if p.is_file() and plans not in p.parents}


def test_a_night_with_nothing_to_merge_leaves_its_plan_only(tmp_path: Path) -> None:
    """Two distinct deals, two nights: exit 0, no job folder, the state's index (a few
    hundred bytes) beside the plan, the second night reading only what changed."""
    jobs = tmp_path / "jobs"
    with threaded_sandbox(CONFIG) as sb:
        acme = org(sb, "Acme Corp")
        deal(sb, "Website redesign", acme)
        deal(sb, "Phase 2 rollout", acme)
        first = _run(sb, jobs)
        second = _run(sb, jobs)
    for code, out, _ in (first, second):
        assert code == 0, out
        assert "nothing to merge: no job folder is kept" in out, out
        assert "tokens: " in out, out
    assert "deals read: 1;" in second[1], second[1]  # the index moved on
    assert not [p for p in jobs.iterdir() if p.name != "dedupe-state"], list(jobs.iterdir())
    left = _outside_plans(jobs)
    assert sum(left.values()) < 1_000, left
    assert not any("job" in name for name in left), left


def test_a_night_with_review_groups_only_keeps_no_job_either(tmp_path: Path) -> None:
    """A review-band pair (`Rollout Linz` / `Rollout Lienz`) is the plan's, for a person:
    `--json` says `job` null, the group left for review counted, no job folder."""
    jobs = tmp_path / "jobs"
    with threaded_sandbox(CONFIG) as sb:
        pelican = org(sb, "Pelican GmbH")
        for title in ("Pelican - Rollout Linz", "Pelican - Rollout Lienz"):
            deal(sb, title, pelican, add="2026-11-01T10:00:00Z")
        code, out, _ = _run(sb, jobs, "--json")
    assert code == 0, out
    summary = orjson.loads(out)
    assert summary["job"] is None and summary["job_dir"] is None, summary
    assert summary["status"] == "finished" and summary["skipped_for_review"] == 1, summary
    assert summary["plan"]["review_groups"] == 1, summary["plan"]
    assert (Path(summary["plan_dir"]) / "groups.csv").is_file()
    assert [p.name for p in jobs.iterdir()] == ["dedupe-state"], list(jobs.iterdir())


def test_a_night_with_merges_keeps_its_job(tmp_path: Path) -> None:
    """The duplicate pair is merged: the job folder (its reports, for undo) stays."""
    jobs = tmp_path / "jobs"
    with threaded_sandbox(CONFIG) as sb:
        acme = org(sb, "Acme Corp")
        deal(sb, "Website redesign", acme, add="2026-11-01T10:00:00Z")
        deal(sb, "ACME Corp \u2013 Website redesign", acme, add="2026-11-01T10:03:00Z")
        code, out, _ = _run(sb, jobs, "--json")
    assert code == 0, out
    summary = orjson.loads(out)
    assert summary["merged"] == 1 and summary["job"], summary
    assert (Path(summary["job_dir"]) / "summary.json").is_file()


def _cli(sb: Sandbox, jobs: Path, *args: str) -> tuple[int, str]:
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    r = CliRunner().invoke(app, [*args, *cli_args(sb, jobs)], env=env)
    return r.exit_code, r.stdout + r.stderr


@pytest.mark.parametrize("decision", ["", "keep-separate"])
def test_an_apply_with_nothing_to_merge_keeps_no_job_folder(tmp_path: Path,
                                                            decision: str) -> None:
    """`dedupe apply` of a plan whose only group is left for review (no decision) or kept
    separate: exit 0, 'nothing to merge', no job folder beside the state directory (the
    rule `run` follows; before, a ~40 KB folder saying nothing)."""
    jobs, plan = tmp_path / "jobs", tmp_path / "plan"
    with threaded_sandbox(CONFIG) as sb:
        pelican = org(sb, "Pelican GmbH")
        for title in ("Pelican - Rollout Linz", "Pelican - Rollout Lienz"):
            deal(sb, title, pelican, add="2026-11-01T10:00:00Z")
        made = _cli(sb, jobs, "dedupe", "plan", "-o", str(plan))
        assert made[0] == 0, made[1]
        with (plan / "groups.csv").open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 1, rows
        rows[0]["decision"] = decision
        with (plan / "groups.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        code, out = _cli(sb, jobs, "dedupe", "apply", str(plan), "--yes")
    assert code == 0, out
    assert "nothing to merge: no job folder is kept" in out, out
    assert [p.name for p in jobs.iterdir() if p.name != "dedupe-state"] == [], \
        list(jobs.iterdir())
