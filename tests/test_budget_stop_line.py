"""A job that cannot fit its budget says so in one line, the same for every kind, in its
plan and again right before its first write: what stops it (--max-tokens or the day),
about where (writes) and what to do; with --yes it runs as before and stops checkpointed
(x23r3: import, update, merge, undo and dedupe apply started, spent and stopped half-way
with no word before)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.errors import CAP_SETTING, flags_only
from bulk.plans import Limits
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.planning import estimate
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "budget-stop-token-0123"
GROWTH = Limits(burst=40, window=2.0, daily_tokens=60_000)
CAP = re.compile(r"^budget: needs ([\d,]+) tokens but --max-tokens is ([\d,]+): the run stops "
                 r"checkpointed \(exit 4\) (?:after about ([\d,]+) of its ([\d,]+) writes|"
                 r"before its first write)", re.M)


def test_the_stop_line_names_the_limit_where_and_what_to_do() -> None:
    """One note per plan: the cap (a larger --max-tokens, or resumes) or the day
    (--wait-for-reset, or resume after the reset), with the writes done by then."""
    capped = estimate("update", {"getDeals": 1, "updateDeal": 100}, GROWTH, rows=100,
                      bad_rows=0, tokens_left_today=None, max_tokens=260)
    assert capped.stop is not None and capped.stop in capped.notes
    assert [n for n in capped.notes if "--max-tokens" in n] == [capped.stop]
    assert "after about 50 of its 100 writes" in capped.stop  # (260 - 10) / 5
    # how much of the cap goes to reads (f41b 3: a retry's cap went to reads, unsaid)
    assert "writes (10 tokens of the cap go to reads)" in capped.stop, capped.stop
    # the library's words name the setting as flag and field (x48r9 F2); the CLI's, the flag
    assert f"pass a larger {CAP_SETTING} (510 or more)" in capped.stop and "resume" in capped.stop
    assert "pass a larger --max-tokens (510 or more)" in flags_only(capped.stop)
    day = estimate("update", {"getDeals": 1, "updateDeal": 100}, GROWTH, rows=100,
                   bad_rows=0, tokens_left_today=210, budget_source="by the server's headers")
    assert day.stop is not None and [n for n in day.notes if "left today" in n] == [day.stop]
    assert day.stop.startswith("needs 510 tokens but 210 are left today (by the server's "
                               "headers): the job stops checkpointed after about 40 of its "
                               "100 writes"), day.stop
    assert "--wait-for-reset" in day.stop and "resume it after the reset" in day.stop
    both = estimate("update", {"updateDeal": 100}, GROWTH, rows=100, bad_rows=0,
                    tokens_left_today=300, max_tokens=100)
    assert both.stop is not None and f"{CAP_SETTING} is 100" in both.stop
    assert "today's budget (300 left) is short too" in both.stop
    fits = estimate("update", {"updateDeal": 100}, GROWTH, rows=100, bad_rows=0,
                    tokens_left_today=None, max_tokens=500)
    assert fits.stop is None and orjson.loads(orjson.dumps(fits.to_json()))["stop"] is None


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=60,
                                       seed=9, time_scale=0.05)) as box:
        yield box


def _cli(*args: str) -> object:
    res = CliRunner().invoke(app, [*args], env={**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN})
    assert "Traceback" not in res.output, res.output
    return res


def _said_before_sending(output: str, cap: int) -> None:
    """One budget line naming the cap, before the first progress line, and the stop."""
    found = CAP.findall(output)
    assert len(found) == 1, output
    needs, named, done, writes = found[0]
    assert int(named.replace(",", "")) == cap and int(needs.replace(",", "")) > cap, output
    assert done == "" or int(done.replace(",", "")) < int(writes.replace(",", "")), output
    line = CAP.search(output)
    assert line is not None
    first_write = min((i for i in (output.find("done="), output.find("rows: ", line.end()))
                       if i >= 0), default=len(output))
    assert line.start() < first_write, output
    assert "(exit 4)" in output and "stopped:" in output and "--max-tokens" in output, output


def test_every_kind_says_before_its_first_write_where_its_cap_stops_it(
        sb: Sandbox, tmp_path: Path) -> None:
    """import, update, undo, move-stage, merge and dedupe apply, each with --yes and a
    --max-tokens below its plan: the one line before sending, then exit 4 at the cap."""
    from tests.dedupe_job_support import seed_account

    jobs = tmp_path / "jobs"
    common = ["--url", sb.url, "--plan", "ultimate", "--oauth", "--job-dir", str(jobs)]
    ids = sorted(d["id"] for d in sb.state.deals.rows.values()
                 if not d["is_deleted"] and not d["is_archived"])
    (tmp_path / "u.toml").write_text('[update]\nid_column = "deal_id"\n[deal]\ntitle = "title"\n')
    (tmp_path / "u.csv").write_text("deal_id,title\n" + "".join(
        f"{i},Capped {i}\n" for i in ids[:40]))
    (tmp_path / "pairs.csv").write_text("merge_id,survivor_id\n" + "".join(
        f"{a},{b}\n" for a, b in zip(ids[40:52:2], ids[41:53:2], strict=True)))
    (tmp_path / "i.toml").write_text('[import]\nkey_column = "key"\nmode = "insert"\n'
                                     '[deal]\ntitle = "title"\n')
    (tmp_path / "i.csv").write_text("key,title\n" + "".join(
        f"k{i},New {i}\n" for i in range(60)))
    runs = [("import", [str(tmp_path / "i.csv"), "-m", str(tmp_path / "i.toml"),
                        "--create-key-field"], 150),
            ("update", [str(tmp_path / "u.csv"), "-m", str(tmp_path / "u.toml"), "--yes"], 60),
            ("undo", ["UPDATE", "--yes"], 30),
            ("move-stage", ["--pipeline", "Sales", "--to-stage", "Contact Made", "--yes"], 60),
            ("merge", [str(tmp_path / "pairs.csv"), "--yes"], 40)]
    for kind, args, cap in runs:
        args = [next(p.name for p in jobs.iterdir() if "update" in p.name) if a == "UPDATE"
                else a for a in args]
        planned = _cli("plan", kind, *[a for a in args if a != "--yes"], "--json",
                       "--max-tokens", str(cap), *common)
        assert planned.exit_code == 0, (kind, planned.output)  # type: ignore[attr-defined]
        plan = orjson.loads(planned.stdout)  # type: ignore[attr-defined]
        assert plan["stop"] is not None and plan["stop"] in plan["notes"], (kind, plan)
        ran = _cli(kind, *args, "--max-tokens", str(cap), *common)
        assert ran.exit_code == 4, (kind, ran.output)  # type: ignore[attr-defined]
        _said_before_sending(ran.output, cap)  # type: ignore[attr-defined]
    seed_account(sb)
    plan_dir = tmp_path / "dedupe-plan"
    made = _cli("dedupe", "plan", "-o", str(plan_dir), *common)
    assert made.exit_code == 0, made.output  # type: ignore[attr-defined]
    ran = _cli("dedupe", "apply", str(plan_dir), "--yes", "--max-tokens", "40", *common)
    assert ran.exit_code == 4, ran.output  # type: ignore[attr-defined]
    _said_before_sending(ran.output, 40)  # type: ignore[attr-defined]


def test_an_import_says_before_its_first_write_where_the_day_stops_it(
        sb: Sandbox, tmp_path: Path) -> None:
    """An import needing more than today's budget (by the server's headers): the line
    names the day, about where it stops, --wait-for-reset and resuming after the reset."""
    budget = sb.runtime.limiter.budget
    sb.stats()
    budget.spent = budget.limit - 200
    (tmp_path / "i.toml").write_text('[import]\nkey_column = "key"\nmode = "insert"\n'
                                     '[deal]\ntitle = "title"\n')
    (tmp_path / "i.csv").write_text("key,title\n" + "".join(f"d{i},Day {i}\n" for i in range(80)))
    ran = _cli("import", str(tmp_path / "i.csv"), "-m", str(tmp_path / "i.toml"),
               "--create-key-field", "--url", sb.url, "--plan", "ultimate", "--oauth",
               "--job-dir", str(tmp_path / "jobs"))
    out = ran.output  # type: ignore[attr-defined]
    assert ran.exit_code == 4, out  # type: ignore[attr-defined]
    (line,) = [li for li in out.splitlines() if li.startswith("budget: ")]
    said = re.match(r"budget: needs [\d,]+ tokens but \d+ are left today \(by the server's "
                    r"headers\): the job stops checkpointed after about (\d+) of its 81 writes",
                    line)
    assert said is not None, line  # 80 creates and the key field's
    made = int(re.findall(r"(\d+) created", out)[0])
    assert abs(made - int(said.group(1))) <= 8, (made, line)
    assert "--wait-for-reset" in line and "resume it after the reset" in line, line
    assert out.index(line) < out.index("done="), out


WHERE = re.compile(r"^budget: .*?the (?:run|job) stops checkpointed (?:\(exit 4\) )?"
                   r"(?:after about ([\d,]+) of its ([\d,]+) writes|before its first write)",
                   re.M)
SLACK = 5  # writes: the spec's bound is one re-check batch (40 here); the model does better


def _writes(job: Path) -> int:
    """The writes the run made, as its summary counts the calls the sandbox answered."""
    from bulk.operations import get_operation

    calls = orjson.loads((job / "summary.json").read_bytes())["calls_by_operation"]
    return sum(n for op, n in calls.items() if get_operation(op).is_write)


def _said(output: str) -> int:
    found = WHERE.search(output)
    assert found is not None, output
    return int(found[1].replace(",", "")) if found[1] else 0


@pytest.mark.parametrize("cap", [150, 400])
def test_where_the_cap_stops_a_job_is_where_the_run_stops(tmp_path: Path, cap: int) -> None:
    """x25r1 F2: the line counted every re-check read (one a batch of 40) before the first
    write, and a merge's pair reads (2 before each merge) too; the runner spends the load's
    reads, then each batch's re-check and its writes. import, update, move-stage, merge
    and undo, each under a --max-tokens cap on an account of 40 requests a window: the
    writes the line names are those the run made, give or take a few."""
    with ThreadedSandbox(SandboxConfig(token=TOKEN, deals=400, seed=9,
                                       time_scale=0.05)) as box:
        jobs = tmp_path / "jobs"
        common = ["--url", box.url, "--job-dir", str(jobs)]
        ids = sorted(d["id"] for d in box.state.deals.rows.values()
                     if not d["is_deleted"] and not d["is_archived"])
        (tmp_path / "u.toml").write_text('[update]\nid_column = "deal_id"\n'
                                         '[deal]\ntitle = "title"\n')
        (tmp_path / "u.csv").write_text("deal_id,title\n" + "".join(
            f"{i},Capped {i}\n" for i in ids[:250]))
        (tmp_path / "pairs.csv").write_text("merge_id,survivor_id\n" + "".join(
            f"{a},{b}\n" for a, b in zip(ids[250:370:2], ids[251:371:2], strict=True)))
        (tmp_path / "i.toml").write_text('[import]\nkey_column = "key"\nmode = "insert"\n'
                                         '[deal]\ntitle = "title"\n')
        (tmp_path / "i.csv").write_text("key,title\n" + "".join(
            f"k{i},New {i}\n" for i in range(200)))
        (tmp_path / "w.csv").write_text("deal_id,title\n" + "".join(
            f"{i},Whole {i}\n" for i in ids[:250]))
        whole = _cli("update", str(tmp_path / "w.csv"), "-m", str(tmp_path / "u.toml"),
                     "--yes", *common)  # undone below, under the cap
        assert whole.exit_code == 0, whole.output  # type: ignore[attr-defined]
        done = next(p.name for p in jobs.iterdir())
        runs = [("import", [str(tmp_path / "i.csv"), "-m", str(tmp_path / "i.toml"),
                            "--create-key-field"]),
                ("update", [str(tmp_path / "u.csv"), "-m", str(tmp_path / "u.toml"), "--yes"]),
                ("move-stage", ["--pipeline", "Sales", "--to-stage", "Contact Made", "--yes"]),
                ("merge", [str(tmp_path / "pairs.csv"), "--yes"]),
                ("undo", [done, "--yes"])]
        seen = []
        for kind, args in runs:
            before = set(jobs.iterdir())
            ran = _cli(kind, *args, "--max-tokens", str(cap), *common)
            assert ran.exit_code == 4, (kind, ran.output)  # type: ignore[attr-defined]
            (job,) = set(jobs.iterdir()) - before
            seen.append((kind, _said(ran.output), _writes(job)))  # type: ignore[attr-defined]
        assert all(abs(said - made) <= SLACK for _, said, made in seen), seen


def test_where_the_day_stops_an_update_is_where_the_run_stops(tmp_path: Path) -> None:
    """x25r1 F2 as found: a daily budget of 1,500 with 140 left, an update of 250 rows;
    the line said "after about 6 of its 250 writes" and the run made 18 (its load 40
    tokens, one re-check 10, then 18 writes of 5)."""
    with ThreadedSandbox(SandboxConfig(token=TOKEN, deals=300, seed=9, daily_tokens=1500,
                                       time_scale=0.05)) as box:
        box.stats()
        box.runtime.limiter.budget.spent = 1500 - 140
        ids = sorted(d["id"] for d in box.state.deals.rows.values()
                     if not d["is_deleted"] and not d["is_archived"])
        (tmp_path / "u.toml").write_text('[update]\nid_column = "deal_id"\n'
                                         '[deal]\nvalue = "value"\n')
        (tmp_path / "u.csv").write_text("deal_id,value\n" + "".join(
            f"{i},{1000 + n}\n" for n, i in enumerate(ids[:250])))
        ran = _cli("update", str(tmp_path / "u.csv"), "-m", str(tmp_path / "u.toml"), "--yes",
                   "--url", box.url, "--job-dir", str(tmp_path / "jobs"))
        assert ran.exit_code == 4, ran.output  # type: ignore[attr-defined]
        (job,) = (tmp_path / "jobs").iterdir()
        said, made = _said(ran.output), _writes(job)  # type: ignore[attr-defined]
        assert "left today" in ran.output and abs(said - made) <= SLACK, (said, made)  # type: ignore[attr-defined]


def test_a_share_stop_names_the_share_and_the_accounts_figure() -> None:
    """x30r1 L4: with --budget-share 0.1 the line said "984 are left today (by the server's
    headers)" while the server had 54,984 left: it names the share and both figures."""
    plan = estimate("dedupe", {"getDeals": 4, "mergeDeals": 34}, GROWTH, rows=34, bad_rows=0,
                    tokens_left_today=984, usable_daily=6_000,
                    budget_source="by the server's headers")
    assert plan.stop is not None
    assert plan.stop.startswith(
        "needs 1,400 tokens but 984 are left today of this job's share (6,000 a day of the "
        "daily budget 60,000: --budget-share or the reserve keeps the rest; the account has "
        "54,984 left, by the server's headers): the job stops checkpointed"), plan.stop


def test_a_spent_share_names_no_account_figure_it_does_not_know() -> None:
    """x44r7 F3: the share spent (0 left of it) said "the account has at most 100 left"
    where the server's headers said 200 of 200 used: the kept part is named as such."""
    plan = estimate("import", {"addDeal": 10}, GROWTH, rows=10, bad_rows=0,
                    tokens_left_today=0, usable_daily=100, daily_tokens=200,
                    budget_source="by the server's headers")
    assert plan.stop is not None
    assert "the account has at most" not in plan.stop, plan.stop
    assert ("0 are left today of this job's share (100 a day of the daily budget 200: "
            "--budget-share or the reserve keeps the rest; the share is spent: the other 100 "
            "a day are kept for others, whatever of them the account has left, by the "
            "server's headers)") in plan.stop, plan.stop
