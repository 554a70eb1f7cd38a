"""The dedupe commands end to end through the CLI: plan writes the files, apply merges,
run --json prints a parsable summary and exits 0, plan dedupe prints the cost."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.update_support import at_terminal, cli_args, delta, requests, threaded_sandbox
from tests.update_support import deal as sb_deal


def test_cli_plan_apply_then_run_finds_nothing(tmp_path: Path) -> None:
    """`dedupe plan -o` writes the plan and merges nothing; `apply --yes` merges both
    groups; `run --json` afterwards reports 0 merges with exit 0."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=41)) as sb:
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        cost = runner.invoke(app, ["plan", "dedupe", *args], env=env)
        assert cost.exit_code == 0, cost.output
        assert "mergeDeals" in cost.output and "tokens" in cost.output
        assert "groups to merge: 2 (2 deals merged away)" in cost.output
        assert "rows:" not in cost.output and "failed.csv" not in cost.output  # not import words
        planned = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args],
                                env=env)
        assert planned.exit_code == 0, planned.output
        assert "groups: 2 (2 duplicate, 0 review)" in planned.output
        assert {p.name for p in (tmp_path / "p").iterdir()} >= {
            "groups.csv", "pairs.csv", "summary.json", "review.html"}
        assert not sb_deal(sb, ids["web_copy"])["is_deleted"]
        applied = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p"), "--yes", *args],
                                env=env)
        assert applied.exit_code == 0, applied.output
        assert sum(sb_deal(sb, ids[k])["is_deleted"]
                   for k in ("web", "web_copy", "ren", "ren_copy")) == 2
        job = next(d.name for d in (tmp_path / "j").iterdir() if "-dedupe-" in d.name)
        undo = runner.invoke(app, ["undo", job, "--yes", *args], env=env)
        assert undo.exit_code == 0, undo.output  # no PATCH to put back: no run at all
        assert "nothing to undo" in undo.output and "today 0/" not in undo.output
        assert undo.output.strip().splitlines()[-1].endswith(")"), undo.output  # no bare "job X: "
        ran = runner.invoke(app, ["dedupe", "run", "--json", "--since-last", *args], env=env)
        assert ran.exit_code == 0, ran.output
        summary = orjson.loads(ran.stdout)
        assert summary["exit_code"] == 0 and summary["plan"]["groups"] == 0
        assert summary["actions"] == {} or not summary["actions"].get("merge")


def test_cli_errors_are_one_line_with_exit_1(tmp_path: Path) -> None:
    """A bad config: exit 1; a directory that is no plan: exit 2 (usage); one clear line,
    no traceback."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=42)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        bad = tmp_path / "dedupe.toml"
        bad.write_text("duplicate_treshold = 0.9\n")
        res = runner.invoke(app, ["dedupe", "plan", "--config", str(bad), *args], env=env)
        assert res.exit_code == 1 and "duplicate_treshold" in res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)
        res = runner.invoke(app, ["dedupe", "apply", str(tmp_path), "--yes", *args], env=env)
        assert res.exit_code == 2 and "not a dedupe plan" in res.output
        (tmp_path / "p").mkdir()
        (tmp_path / "p" / "groups.csv").write_text(
            "group_id,decision,band,score,survivor_id,merged_ids\ng-1,perhaps,review,0.8,1,2\n")
        res = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p"), "--yes", *args],
                            env=env)
        assert res.exit_code == 1 and "row 2" in res.output, res.output
        assert sb.token not in res.output
        for cron in (["--config", str(bad)], ["--url", "http://127.0.0.1:9"]):
            # another URL is another account: its own job dir (x37r3 F2: the state in
            # tmp_path/j belongs to the sandbox's account, refused to another)
            own = args if "--config" in cron else cli_args(sb, tmp_path / "k")
            res = runner.invoke(app, ["dedupe", "run", "--json", *own, *cron], env=env)
            out = orjson.loads(res.stdout)  # one JSON object on stdout, whatever went wrong
            # an account that does not answer: exit 4, run again later (v9r11; was 1)
            assert res.exit_code == out["exit_code"] == (1 if "--config" in cron else 4)
            assert out["status"] == "error"
            assert ("duplicate_treshold" if "--config" in cron else "not answering") \
                in out["error"]
            assert sb.token not in res.output


def test_cli_run_auto_apply_above_and_cap(tmp_path: Path) -> None:
    """`run --auto-apply-above 0.85 --max-merges 1 --json`: one group merged, the other
    skipped over the cap, exit 0; `plan dedupe --json` counts 2 merges (``merges``) at 40
    tokens."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        cost = runner.invoke(app, ["plan", "dedupe", "--json", *args], env=env)
        assert cost.exit_code == 0, cost.output
        assert orjson.loads(cost.stdout)["tokens_by_operation"]["mergeDeals"] == 80
        assert orjson.loads(cost.stdout)["merges"] == 2  # x45r7 F7: it was null
        ran = runner.invoke(app, ["dedupe", "run", "--json", "--auto-apply-above", "0.85",
                                  "--max-merges", "1", "-o", str(tmp_path / "p"), *args],
                            env=env)
        assert ran.exit_code == 0, ran.output
        summary = orjson.loads(ran.stdout)
        assert summary["merged"] == 1 and summary["skipped"] == 1 and summary["failed"] == 0
        assert summary["skipped_for_review"] == 0  # skipped over the cap, not for review

        assert summary["tokens"] >= 40
        gone = [k for k in ("web", "web_copy", "ren", "ren_copy")
                if sb_deal(sb, ids[k])["is_deleted"]]
        assert len(gone) == 1
        assert (tmp_path / "p" / "review.html").is_file()


def test_cli_busy_state_and_bad_token(tmp_path: Path) -> None:
    """A second run while one holds the state directory exits 6 and leaves no job; a bad
    token exits 5 and the token is in no output."""
    from jobs.dedupe.index import state_lock
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=44)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        with state_lock(tmp_path / "j" / "dedupe-state"):
            busy = runner.invoke(app, ["dedupe", "run", "--json", *args], env=env)
        assert busy.exit_code == 6, busy.output
        assert "another pdbulk dedupe is running" in busy.output
        assert not [d for d in (tmp_path / "j").iterdir() if d.name != "dedupe-state"]
        env["PIPEDRIVE_API_TOKEN"] = "not-the-token-0123456789"
        bad = runner.invoke(app, ["dedupe", "run", *args], env=env)
        assert bad.exit_code == 5, bad.output
        assert "not-the-token-0123456789" not in bad.output


def test_cli_nightly_runs_merge_only_new_copies(tmp_path: Path) -> None:
    """Two `run --since-last --json` nights: the first reads everything and merges both
    groups; after two new copies, the second reads only changed deals (one page) and
    merges just those."""
    from tests.dedupe_job_support import deal
    from tests.update_support import delta, requests
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=45)) as sb:
        ids = seed_account(sb, fillers=600)["ids"]
        sb.state.save("deal", {**sb_deal(sb, ids["phase2"]),
                               "update_time": "2026-11-05T00:00:00Z"})  # the newest change
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        night = ["dedupe", "run", "--since-last", "--json", *args]
        first = runner.invoke(app, night, env=env)
        assert first.exit_code == 0, first.output
        one = orjson.loads(first.stdout)
        assert one["merged"] == 2 and one["plan"]["deals_read"] == 607
        now = sb.state.now_iso()
        org = sb_deal(sb, ids["phase1"])["org_id"]
        copy = deal(sb, "Phase 1 rollout", org, value=300,  # imported beside its original
                    add=sb_deal(sb, ids["phase1"])["add_time"], update=now)
        cost = runner.invoke(app, ["plan", "dedupe", "--since-last", "--json", *args],
                             env=env)
        assert cost.exit_code == 0, cost.output
        assert orjson.loads(cost.stdout)["tokens_by_operation"]["mergeDeals"] == 40
        before = requests(sb)
        second = runner.invoke(app, night, env=env)
        assert second.exit_code == 0, second.output
        two = orjson.loads(second.stdout)
        assert two["merged"] == 1 and two["plan"]["incremental"] is True
        assert two["plan"]["deals_read"] < 10  # the copy and the survivors merges touched
        # list pages: changed + deleted-since, then the re-read of the group before merging
        # and of its pair right before the merge is sent
        assert delta(before, requests(sb))["getDeals"] == 4
        assert sb_deal(sb, copy)["is_deleted"] != sb_deal(sb, ids["phase1"])["is_deleted"]


def test_cli_plan_since_last_index_moves_only_when_the_plan_is_applied(tmp_path: Path) -> None:
    """`dedupe plan --since-last` reads everything the first time and keeps the refreshed
    index with the plan, not in the state: a plan nobody applies hides nothing from the
    nightly run. `apply` of the plan installs it; the next plan reads only what changed.
    `apply` with no one to answer the prompt cancels the job (exit 0, nothing merged, the
    index left alone); a plan whose index a run has moved since does not install it."""
    from tests.dedupe_job_support import deal
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=46)) as sb:
        ids = seed_account(sb, fillers=20)["ids"]
        sb.state.save("deal", {**sb_deal(sb, ids["phase2"]),
                               "update_time": "2026-11-05T00:00:00Z"})  # the newest change
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        meta = tmp_path / "j" / "dedupe-state" / "index.json"

        def plan(name: str) -> Any:
            res = runner.invoke(app, ["dedupe", "plan", "--since-last", "-o",
                                      str(tmp_path / name), *args], env=env)
            assert res.exit_code == 0, res.output
            return res
        first = plan("p1")
        assert "deals read: 27;" in first.output and "kept with the plan" in first.output
        assert not meta.exists()
        applied = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p1"), "--yes",
                                      *args], env=env)
        assert applied.exit_code == 0 and "index: 25 deals" in applied.output, applied.output
        installed = meta.read_bytes()
        now = sb.state.now_iso()
        copy = deal(sb, "Phase 1 rollout", sb_deal(sb, ids["phase1"])["org_id"], value=300,
                    add=sb_deal(sb, ids["phase1"])["add_time"], update=now)
        plan("p2")
        summary = orjson.loads((tmp_path / "p2" / "summary.json").read_bytes())
        assert summary["incremental"] is True and summary["deals_read"] < 10
        assert summary["groups"] == 1 and meta.read_bytes() == installed
        declined = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p2"), *args],
                                 env=env, input="")
        assert declined.exit_code == 1, declined.output  # cancelled: not done (x12r4 F2)
        assert "cancelled; nothing was sent" in declined.output
        assert not sb_deal(sb, copy)["is_deleted"] and meta.read_bytes() == installed
        statuses = [orjson.loads(runner.invoke(app, ["status", d.name, "--json", "--job-dir",
                                                     str(tmp_path / "j")], env=env).stdout)
                    ["status"] for d in (tmp_path / "j").iterdir() if d.name != "dedupe-state"]
        assert sorted(statuses) == ["cancelled", "finished"]
        ran = runner.invoke(app, ["dedupe", "run", "--since-last", "--json", *args], env=env)
        assert orjson.loads(ran.stdout)["merged"] == 1, ran.output
        late = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p2"), "--yes", *args],
                             env=env)
        assert late.exit_code == 0 and "moved since this plan" in late.output, late.output


def test_cli_nightly_runs_finish_what_max_merges_left(tmp_path: Path) -> None:
    """`run --since-last --max-merges 1` on two duplicate groups merges one; the next night,
    with nothing changed in the other group, merges it (the index keeps it pending); the
    third night has nothing left."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=47)) as sb:
        ids = seed_account(sb, fillers=30)["ids"]
        sb.state.save("deal", {**sb_deal(sb, ids["phase2"]),
                               "update_time": "2026-11-05T00:00:00Z"})  # the newest change
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        night = ["dedupe", "run", "--since-last", "--json", "--max-merges", "1",
                 *cli_args(sb, tmp_path / "j")]
        merged = []
        for _ in range(3):
            res = runner.invoke(app, night, env=env)
            assert res.exit_code == 0, res.output
            assert res.stdout.count("\n") == 1  # one JSON line a night (dedupe.jsonl)
            merged.append(orjson.loads(res.stdout)["merged"])
        assert merged == [1, 1, 0]
        assert sum(sb_deal(sb, ids[k])["is_deleted"]
                   for k in ("web", "web_copy", "ren", "ren_copy")) == 2


def test_json_usage_errors_print_one_json_object_and_exit_2() -> None:
    """With --json a usage error (bad value, unknown option, --auto-apply-above below the
    duplicate threshold) still prints exactly one JSON object on stdout, and keeps click's
    exit code 2."""
    runner = CliRunner()
    for args in (["--max-merges", "-1"], ["--auto-apply-above", "3"], ["--bogus"],
                 ["--auto-apply-above", "0"], ["--auto-apply-above", "0.5"]):
        res = runner.invoke(app, ["dedupe", "run", "--json", *args], env={"PDBULK_TOKEN": "x"})
        assert res.exit_code == 2, res.output
        (line,) = res.stdout.strip().splitlines()
        out = orjson.loads(line)
        assert out["status"] == "error" and out["exit_code"] == 2 and out["error"]
    res = CliRunner().invoke(app, ["plan", "dedupe", "--json", "--bogus"])
    assert res.exit_code == 2 and orjson.loads(res.stdout)["exit_code"] == 2


def test_cli_apply_refuses_a_plan_without_pairs_csv(tmp_path: Path) -> None:
    """`dedupe apply` of a plan whose pairs.csv was deleted: exit 1, a clear message, no
    traceback, nothing merged."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=47)) as sb:
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        made = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args], env=env)
        assert made.exit_code == 0, made.output
        (tmp_path / "p" / "pairs.csv").unlink()
        res = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p"), "--yes", *args], env=env)
        assert res.exit_code == 1, res.output
        assert "pairs.csv is missing" in res.output and "Traceback" not in res.output
        assert not sb_deal(sb, ids["web_copy"])["is_deleted"]


def test_cli_index_learns_the_merges_of_a_plain_apply(tmp_path: Path) -> None:
    """A nightly index exists; a plain `dedupe plan` + `apply` (no --since-last) merges the
    groups; the next `run --since-last` proposes none of them again (the apply dropped the
    merged-away deals from the state's index)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=48)) as sb:
        from jobs.dedupe.index import DealIndex
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        night = ["dedupe", "run", "--since-last", "--json", *args]
        first = runner.invoke(app, [*night, "--max-merges", "0"], env=env)
        assert first.exit_code == 0, first.output
        assert orjson.loads(first.stdout)["merged"] == 0
        made = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args], env=env)
        assert made.exit_code == 0, made.output
        applied = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p"), "--yes", *args],
                                env=env)
        assert applied.exit_code == 0, applied.output
        gone = [ids[k] for k in ("web", "web_copy", "ren", "ren_copy")
                if sb_deal(sb, ids[k])["is_deleted"]]
        assert len(gone) == 2
        index = DealIndex.load(tmp_path / "j" / "dedupe-state")
        assert not set(gone) & index.deals.keys()  # learnt without a re-read
        second = runner.invoke(app, night, env=env)
        assert second.exit_code == 0, second.output
        two = orjson.loads(second.stdout)
        assert two["plan"]["groups"] == 0, two


def test_plan_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    """`-o afile` names the problem (a file, not a directory), exit 2, no traceback."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    for cmd in (["dedupe", "plan"], ["dedupe", "run"]):
        res = CliRunner().invoke(app, [*cmd, "-o", str(afile)], env={"PDBULK_TOKEN": "x"})
        assert res.exit_code == 2, res.output
        assert "is a file; give a directory" in res.output and "File exists" not in res.output


def test_a_missing_or_wrong_path_argument_is_a_usage_error(tmp_path: Path) -> None:
    """A plan folder that does not exist, is a file or holds no plan, a --config that does
    not exist, a job that is not there: exit 2 (usage), one line, before the token is
    asked for (x19r1 F9: `dedupe apply` of a missing folder exited 1)."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    no_token = {"PIPEDRIVE_API_TOKEN": ""}
    runner = CliRunner()
    for plan_dir, why in ((tmp_path / "gone", "no such folder"),
                          (afile, "a file, not a folder"), (tmp_path, "no groups.csv in it")):
        res = runner.invoke(app, ["dedupe", "apply", str(plan_dir), "--yes"], env=no_token)
        assert res.exit_code == 2, res.output
        assert res.output.count("\n") == 1 and f"not a dedupe plan ({why})" in res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)
    for cmd in (["dedupe", "plan"], ["dedupe", "run"], ["plan", "dedupe"]):
        res = runner.invoke(app, [*cmd, "--config", str(tmp_path / "gone.toml")], env=no_token)
        assert res.exit_code == 2 and "--config" in res.output, res.output
    for cmd in ("status", "resume", "retry", "undo"):
        res = runner.invoke(app, [cmd, str(tmp_path / "gone")], env=no_token)
        assert res.exit_code == 2 and "no job at" in res.output, res.output


def test_cli_a_run_without_config_matches_as_the_last_run_did(tmp_path: Path) -> None:
    """Issue 11 (v11r6 3): the state directory keeps the config the last `dedupe run` /
    `dedupe plan` was given; a later one without --config uses it and says so (a nightly
    run never forgets an identifier guard or a field policy); --config replaces it."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=47)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        toml = tmp_path / "dedupe.toml"
        toml.write_text('[field_policy]\nvalue = "max"\n')

        def policy(plan_dir: Path) -> Any:
            return orjson.loads((plan_dir / "summary.json").read_bytes())["field_policy"]
        first = runner.invoke(app, ["dedupe", "plan", "--config", str(toml), "-o",
                                    str(tmp_path / "p1"), *args], env=env)
        assert first.exit_code == 0, first.output
        toml.unlink()  # the file is gone; its copy in the state directory is not
        again = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p2"), *args],
                              env=env)
        assert again.exit_code == 0, again.output
        assert policy(tmp_path / "p2") == policy(tmp_path / "p1") == {"value": "max"}
        assert "using the dedupe config the last run was given" in again.stderr
        ran = runner.invoke(app, ["dedupe", "run", "--json", "-o", str(tmp_path / "p3"),
                                  *args], env=env)
        assert ran.exit_code == 0, ran.output
        assert orjson.loads(ran.stdout)["plan"]["field_policy"] == {"value": "max"}
        other = tmp_path / "other.toml"
        other.write_text('[field_policy]\nvalue = "min"\n')
        res = runner.invoke(app, ["dedupe", "plan", "--config", str(other), "-o",
                                  str(tmp_path / "p4"), *args], env=env)
        assert res.exit_code == 0 and policy(tmp_path / "p4") == {"value": "min"}
        res = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p5"), *args],
                            env=env)
        assert res.exit_code == 0 and policy(tmp_path / "p5") == {"value": "min"}


def test_cli_prompt_and_time_say_what_they_count(tmp_path: Path) -> None:
    """Issue 11 (v11r6 4): the prompt for one merge says "Merge 1 deal away?" (not
    "deals"); declined, nothing is merged; `plan dedupe` prints a time from the rate."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=48)) as sb:
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        cost = runner.invoke(app, ["plan", "dedupe", *args], env=env)
        assert cost.exit_code == 0, cost.output
        assert "time: about 0 s" not in cost.output and "time: " in cost.output
        planned = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args],
                                env=env)
        assert planned.exit_code == 0, planned.output
        with at_terminal():
            res = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p"), "--max-merges", "1",
                                      *args], env=env, input="n\n")
        assert res.exit_code == 1, res.output  # declined: cancelled, not done
        assert "Merge 1 deal away?" in res.output, res.output
        assert not any(sb_deal(sb, ids[k])["is_deleted"] for k in ("web_copy", "ren_copy"))


def test_cli_run_counts_the_groups_left_for_a_person(tmp_path: Path) -> None:
    """x11r1: the JSON's "skipped" lumped the groups left for a person (every night) with
    those skipped as changed; "skipped_for_review" counts the first apart."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        copy = seed_account(sb)["ids"]["web_copy"]
        # the web pair's copy typo'd, no value, 10 h later: a pair below 1.0 (it scored 0.92
        # for its two values before x45r2 F1; two amounts are review now)
        sb.state.save("deal", {**sb_deal(sb, copy), "title": "ACME Corp - Website redesing",
                               "value": 0, "add_time": "2026-11-01T20:03:00Z"})
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        high = CliRunner().invoke(app, ["dedupe", "run", "--json", "--auto-apply-above",
                                        "1.0", "-o", str(tmp_path / "p"),
                                        *cli_args(sb, tmp_path / "j")], env=env)
        assert high.exit_code == 0, high.output
    left = orjson.loads(high.stdout)  # the web group's late typo'd copy: below 1.0
    assert left["skipped"] >= 1 and left["skipped_for_review"] == left["skipped"], left


class _Killed(BaseException):
    """Stands for a kill -9 right after the load: nothing after it runs."""


def test_a_killed_first_nightly_run_resumed_leaves_the_index(
        tmp_path: Path, monkeypatch: Any) -> None:
    """x15r1 F3: the first `dedupe run --since-last`, killed after its load and then
    resumed, left no nightly index (the run kept it in memory): the next night read every
    deal again and showed its groups once more. The plan's index is kept with the plan
    before the merges are sent; the resume that ends the job installs it."""
    import pdbulk.cli_dedupe as cli_dedupe
    from tests.update_support import delta, requests

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=47)) as sb:
        ids = seed_account(sb, fillers=30)["ids"]
        sb.state.save("deal", {**sb_deal(sb, ids["phase2"]),
                               "update_time": "2026-11-05T00:00:00Z"})  # the newest change
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        night = ["dedupe", "run", "--since-last", "--json", *args]

        async def killed(store: Any, *_: Any) -> Any:
            store.close()  # as the OS lets go of a killed process's locks
            raise _Killed
        with monkeypatch.context() as m, pytest.raises(_Killed):
            m.setattr(cli_dedupe, "_send", killed)
            runner.invoke(app, night, env=env)
        job = next(d.name for d in (tmp_path / "j").iterdir() if "-dedupe-" in d.name)
        assert not (tmp_path / "j" / "dedupe-state" / "index.json").exists()
        resumed = runner.invoke(app, ["resume", job, "--job-dir", str(tmp_path / "j")],
                                env=env)
        assert resumed.exit_code == 0, resumed.output
        assert sum(sb_deal(sb, ids[k])["is_deleted"]
                   for k in ("web", "web_copy", "ren", "ren_copy")) == 2
        assert "index: " in resumed.output, resumed.output
        before = requests(sb)
        second = runner.invoke(app, night, env=env)
        assert second.exit_code == 0, second.output
        two = orjson.loads(second.stdout)
        assert two["plan"]["incremental"] is True and two["plan"]["groups"] == 0, two
        assert two["plan"]["deals_read"] < 5, two["plan"]
        assert delta(before, requests(sb)).get("getDeals", 0) <= 2  # changed + deleted since


def _apply_one_merge_then_leave(sb: Any, tmp_path: Path, status: str
                                ) -> tuple[dict[str, str], CliRunner, list[str], Path, Path]:
    """Plan the seeded account, apply one merge of it, and leave that job in ``status``
    ("stopped", or "running" with no live process: as a kill -9 mid-run leaves it):
    (env, runner, CLI args, the plan folder, the job folder)."""
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    runner = CliRunner()
    args = cli_args(sb, tmp_path / "j")
    plan_dir = tmp_path / "p"
    planned = runner.invoke(app, ["dedupe", "plan", "-o", str(plan_dir), *args], env=env)
    assert planned.exit_code == 0, planned.output
    first = runner.invoke(app, ["dedupe", "apply", str(plan_dir), "--yes", "--max-merges",
                                "1", *args], env=env)
    assert first.exit_code == 0, first.output
    (job,) = [d for d in (tmp_path / "j").iterdir() if "-dedupe-" in d.name]
    with sqlite3.connect(job / "job.sqlite") as db:
        db.execute("UPDATE job SET status = ?", (status,))
    db.close()
    return env, runner, args, plan_dir, job


@pytest.mark.parametrize("status", ["stopped", "running"])
def test_a_second_apply_of_a_plan_whose_apply_did_not_finish_refuses(
        tmp_path: Path, status: str) -> None:
    """x18r4 2: an apply of a plan stopped or killed (``kill -9``: "running", no live
    process) and the same plan applied again — the second apply took the first one's merges
    for changes since the plan and left groups half-merged. It refuses before anything is
    sent (no job, no call), exit 1, naming the earlier job and its `pdbulk resume`; `dedupe
    run -o` into that plan's folder too."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=41)) as sb:
        seed_account(sb)
        env, runner, args, plan_dir, job = _apply_one_merge_then_leave(sb, tmp_path, status)
        before = requests(sb)
        again = runner.invoke(app, ["dedupe", "apply", str(plan_dir), "--yes", *args],
                              env=env)
        assert again.exit_code == 1, again.output
        how = "stopped" if status == "stopped" else "interrupted"
        (line,) = [ln for ln in again.output.splitlines() if ln.startswith("pdbulk:")]
        assert f"job {job.name} applied this plan and did not finish ({how})" in line, line
        assert f"pdbulk resume {job.name} --job-dir" in line and sb.token not in line
        assert again.exception is None or isinstance(again.exception, SystemExit)
        assert [d.name for d in (tmp_path / "j").iterdir() if "-dedupe-" in d.name] == [
            job.name]
        assert delta(before, requests(sb)) == {}  # nothing sent, not even a read
        ran = runner.invoke(app, ["dedupe", "run", "--json", "-o", str(plan_dir), *args],
                            env=env)
        assert ran.exit_code == 1 and job.name in orjson.loads(ran.stdout)["error"], ran.output


@pytest.mark.parametrize("status", ["running", "stopped"])
def test_the_next_run_names_a_dedupe_job_left_unfinished(tmp_path: Path, status: str) -> None:
    """x19r2 F3: after a ``kill -9`` (the job left "running", no live process) or a stop,
    the next cron `dedupe run` said nothing of that job (exit 0; neither its log nor --json
    named it), whose merges were then in no finished job's report. It says it: a line on
    stderr naming the job, its merges done and unsettled and its `pdbulk resume`, and
    ``interrupted_jobs`` in --json; the run itself goes on, and exits 3 (x47r3 F6: it
    exited 0, and cron's `|| mail` never fired)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=41)) as sb:
        seed_account(sb)
        env, runner, args, _, job = _apply_one_merge_then_leave(sb, tmp_path, status)
        ran = runner.invoke(app, ["dedupe", "run", "--json", *args], env=env)
    assert ran.exit_code == 3, ran.output
    assert orjson.loads(ran.stdout)["status"] == "finished"
    how = "interrupted" if status == "running" else "stopped"
    (line,) = [ln for ln in ran.stderr.splitlines() if f"job {job.name}" in ln]
    assert line.startswith(f"pdbulk: job {job.name} was {how} (1 merge done, 0 unsettled): "
                           "its merges are not in this report; run `pdbulk resume "
                           f"{job.name} --job-dir"), line
    assert sb.token not in ran.stderr
    assert orjson.loads(ran.stdout)["interrupted_jobs"] == [
        {"job": job.name, "state": how, "merged": 1, "unsettled": 0, "in_doubt": 0}]


def test_the_next_run_names_a_dedupe_job_folder_it_cannot_read(tmp_path: Path) -> None:
    """x19r4 F6: a dedupe job folder whose job.sqlite was emptied (listed "unreadable" by
    `pdbulk jobs`) was left out of the next run's ``interrupted_jobs`` and its note."""
    from jobs.dedupe.interrupted import unfinished_jobs

    job = tmp_path / "j" / "20261203-112442-dedupe-4029"
    job.mkdir(parents=True)
    (job / "job.sqlite").write_bytes(b"")
    (job / "summary.json").write_text('{"counts": {"done": 3}}', encoding="utf-8")
    (other := tmp_path / "j" / "20261203-112442-import-4029").mkdir()
    (other / "job.sqlite").write_bytes(b"")
    (found,) = unfinished_jobs(tmp_path / "j")
    assert (found.job_id, found.state) == (job.name, "unreadable") and found.error
    assert "cannot be read" in found.line("pdbulk resume x")
    assert found.to_json()["state"] == "unreadable"
