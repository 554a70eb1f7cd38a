"""What `plan dedupe` and `dedupe apply` say about the groups they leave (tester x48r5):
the plan's headline counted every duplicate group under ``--max-merges`` (F1: "groups to
merge: 44 (48 deals merged away)" over a table of 10 merges) and named none of those left
over the cap; apply's succeeded.csv told a "review at most" group "(or --include-review)",
a flag that leaves it (F2); a group held because a deal changed since the plan was said
only in succeeded.csv, its row counted in "61 skipped" with the review band's (F3)."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import anyio
from typer.testing import CliRunner

import jobs
from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import deal, org, seed_account
from tests.import_support import engine_config
from tests.update_support import cli_args, threaded_sandbox
from tests.update_support import deal as sb_deal


def test_plan_dedupe_under_max_merges_counts_and_names_what_the_cap_leaves(
        tmp_path: Path) -> None:
    """Two groups of one merge each, --max-merges 1: the headline counts the one group the
    cap lets through, and the note names the other as `dedupe run` names it, the same group
    (one choice, ``MergeCap``)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        cost = CliRunner().invoke(app, ["plan", "dedupe", "--max-merges", "1", *args],
                                  env=env)
        assert cost.exit_code == 0, cost.output
        ran = CliRunner().invoke(app, ["dedupe", "run", "--max-merges", "1", "-o",
                                       str(tmp_path / "p"), *args], env=env)
        assert ran.exit_code == 0, ran.output
    assert "groups to merge: 1 (1 deal merged away; --max-merges 1)" in cost.output, cost.output
    notes = [n for out in (cost.output, ran.output) for n in out.splitlines()
             if "skipped over --max-merges" in n]
    assert len(notes) == 2, (cost.output, ran.output)
    assert notes[0] == notes[1], notes
    assert re.search(r"1 group\(s\) \(1 merge\) skipped over --max-merges 1 .*: g-\d+ \(1 merge\)",
                     notes[0]), notes


def _rows(job_root: Path) -> list[dict[str, str]]:
    (job,) = [p for p in job_root.iterdir() if "dedupe" in p.name and p.is_dir()
              and (p / "succeeded.csv").exists()]
    with open(job / "succeeded.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_apply_says_a_review_at_most_group_as_groups_csv_does_and_a_held_group_apart(
        tmp_path: Path) -> None:
    """The plan's review group of two renewals a year apart ("review at most": recurring)
    is told "--include-review does not take it", as groups.csv says, not "(or
    --include-review)"; a group whose deal a colleague changed since the plan is counted
    and named apart on the end lines, not only in succeeded.csv."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        ids = seed_account(sb)["ids"]
        umbrella = org(sb, "Umbrella Ltd")  # one retainer, again 7 weeks later: recurring
        deal(sb, "Support retainer", umbrella, value=500, add="2026-09-01T10:00:00Z")
        deal(sb, "Support retainer", umbrella, value=500, add="2026-10-20T10:00:00Z")
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        planned = CliRunner().invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"),
                                           *args], env=env)
        assert planned.exit_code == 0, planned.output
        sb.state.save("deal", {**sb_deal(sb, ids["web"]), "value": 7777,
                               "update_time": sb.state.now_iso()})
        applied = CliRunner().invoke(app, ["dedupe", "apply", str(tmp_path / "p"), "--yes",
                                           *args], env=env)
    with open(tmp_path / "p" / "groups.csv", newline="", encoding="utf-8") as f:
        groups = {r["group_id"]: r for r in csv.DictReader(f)}
    held_rows = {r["group_id"]: r for r in groups.values()
                 if "--include-review does not merge it" in str(r)}
    assert held_rows, groups  # the plan has such a group
    rows = _rows(tmp_path / "j")
    by_group = {r["group_id"]: r for r in rows}
    for gid in held_rows:
        why = by_group[gid]["reason"]
        assert "--include-review does not take it" in why, why
        assert "or --include-review" not in why, why
    stale = [r for r in rows if "changed since the plan" in r["reason"]]
    assert len(stale) == 1, rows
    out = applied.stdout
    assert (f"1 group held: a deal changed since the plan — plan again (succeeded.csv): "
            f"{stale[0]['group_id']}") in out, out
    assert applied.exit_code == 0, applied.output


def test_a_reviewers_merge_held_as_changed_since_the_plan_exits_3(tmp_path: Path) -> None:
    """A group a reviewer set to decision = merge, whose deal a colleague changed since the
    plan, is not merged: named on the end lines, counted refused, and the apply exits 3
    (asked for, not done), not 0 as a clean night (x48r5 F3)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        planned = CliRunner().invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"),
                                           *args], env=env)
        assert planned.exit_code == 0, planned.output
        path = tmp_path / "p" / "groups.csv"
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        (web,) = [r for r in rows if str(ids["web"]) in (r["survivor_id"], r["merged_ids"])]
        web["decision"] = "merge"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        sb.state.save("deal", {**sb_deal(sb, ids["web"]), "value": 7777,
                               "update_time": sb.state.now_iso()})
        applied = CliRunner().invoke(app, ["dedupe", "apply", str(path.parent), "--yes",
                                           *args], env=env)
    assert applied.exit_code == 3, applied.output
    assert "exit 3: 1 reviewer decision = merge not followed" in applied.stderr, applied.stderr
    assert f"group {web['group_id']} (row" in applied.stderr, applied.stderr


def _decide_merge(path: Path, deal_id: int) -> str:
    """groups.csv's group holding ``deal_id`` set to decision = merge; its id."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    (row,) = [r for r in rows if str(deal_id) in (r["survivor_id"], r["merged_ids"])]
    row["decision"] = "merge"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return row["group_id"]


def test_a_reviewers_merge_the_recheck_holds_is_counted_refused(tmp_path: Path) -> None:
    """The deal changes after the load, at the prompt: the runner's re-check right before
    the batch holds the decided group. It is counted with the decisions not followed
    (``refused_decisions``, which the CLI exits 3 on) and named on the end lines."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        ids = seed_account(sb)["ids"]
        cfg = engine_config(sb, tmp_path / "j")
        made = anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "p"))
        assert made is not None
        gid = _decide_merge(tmp_path / "p" / "groups.csv", ids["web"])

        def meanwhile(question: str) -> bool:  # a colleague's edit while the prompt waits
            sb.state.save("deal", {**sb_deal(sb, ids["web"]), "value": 7777,
                                   "update_time": sb.state.now_iso()})
            return True

        run = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, tmp_path / "p",
                                                  confirm=meanwhile))
    assert run.merged == 1 and run.refused_decisions == 1, (run.to_json(), run.lines)
    held = [line for line in run.lines if line.startswith("1 group held:")]
    assert held and held[0].endswith(f": {gid}"), run.lines
