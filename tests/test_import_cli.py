"""The import commands: plan, init-mapping, import, and a kill -9 in the middle of an import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.plans import plan_limits
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox, pdbulk_to_the_end

TOKEN = "import-cli-token"
# OAuth on Ultimate: 480 requests per 2 s, so the CLI (whose window is the real 2 s) is fast.
FAST = ["--plan", "ultimate", "--oauth"]
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A sandbox on its own loop in a thread (the CLI runs its own loop)."""
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=40,
                                       seed=3)) as sb:
        yield sb


def test_plan_import_json_writes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    """`plan import --json`: rows, bad rows, calls and tokens; the account is untouched."""
    export = write_demo_export(tmp_path, rows=80)
    failed_csv = tmp_path / "plan-failed.csv"
    res = CliRunner().invoke(app, ["plan", "import", str(export.manifest), "--mapping",
                                   str(export.mapping), "--create-key-field", "--json",
                                   "--url", sandbox.url, *FAST, "--failed-csv", str(failed_csv)],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code == 3, res.output  # like import: some rows would fail
    plan = orjson.loads(res.stdout)
    bad = export.broken + export.unknown_stage
    assert plan["rows"] == 80 and plan["bad_rows"] == bad
    assert len(plan["failed_rows"]) == bad and sum(plan["reasons"].values()) == bad
    assert plan["failed_rows_truncated"] is False
    rows = read_csv(failed_csv)
    assert sorted(int(r["row"]) for r in rows) == sorted(r["row"] for r in plan["failed_rows"])
    assert all(r["reason"] and "Record ID" in r for r in rows)
    assert plan["calls"]["addDealField"] == 1 and plan["calls"]["addDeal"] > 0
    assert plan["tokens"] == sum(plan["tokens_by_operation"].values())
    assert plan["days"] == 1 and plan["tokens_left_today"] > 0
    assert sandbox.stats()["writes_applied"] == {}
    human = CliRunner().invoke(app, ["plan", "import", str(export.manifest), "--mapping",
                                     str(export.mapping), "--create-key-field", "--url",
                                     sandbox.url, *FAST, "--failed-csv", str(failed_csv)],
                               env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert human.exit_code == 3, human.output
    assert "addDeal" in human.stdout and "of the" in human.stdout, human.output
    assert "bad rows by reason:" in human.stdout and str(failed_csv) in human.stdout


def test_a_plan_of_many_bad_rows_lists_a_thousand_and_writes_them_all(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Bad rows are spilled to disk, not kept: the JSON lists the first 1,000 (reasons
    count them all) and plan-failed.csv holds every one, in row order, with its cells."""
    manifest = tmp_path / "bad.csv"
    manifest.write_text("id,title,close\n" + "".join(
        f"k{n},Deal {n},not a date {n}\n" for n in range(1, 1251)))
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
                       'expected_close_date = "close"\n')
    failed_csv = tmp_path / "plan-failed.csv"
    res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--json", "--url", sandbox.url, *FAST,
                                   "--failed-csv", str(failed_csv)],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code == 3, res.output
    plan = orjson.loads(res.stdout)
    assert plan["bad_rows"] == 1250 and sum(plan["reasons"].values()) == 1250
    assert [r["row"] for r in plan["failed_rows"]] == list(range(2, 1002))  # their lines
    rows = read_csv(failed_csv)
    assert [r["close"] for r in rows] == [f"not a date {n}" for n in range(1, 1251)]


def test_plan_import_exit_0_when_every_row_is_valid(sandbox: Sandbox, tmp_path: Path) -> None:
    """No bad row: exit 0 and an empty plan-failed.csv (header only)."""
    manifest = tmp_path / "ok.csv"
    manifest.write_text("id,title\nk1,Deal one\nk2,Deal two\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
    failed_csv = tmp_path / "plan-failed.csv"
    res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--json", "--url", sandbox.url, *FAST,
                                   "--failed-csv", str(failed_csv)],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout)["failed_rows"] == [] and not failed_csv.exists()
    bad = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping", str(mapping),
                                   "--url", sandbox.url, *FAST, "--failed-csv",
                                   str(tmp_path / "nowhere" / "x.csv")],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert bad.exit_code == 2 and "no directory" in bad.output  # a usage error (x22r2 F1)


def test_init_mapping_then_import_exit_3_and_status(sandbox: Sandbox, tmp_path: Path) -> None:
    """init-mapping drafts a loadable mapping; import exits 3 when rows fail, prints the
    summary and the files; the token is in no file."""
    export = write_demo_export(tmp_path, rows=60)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    drafted = tmp_path / "drafted.toml"
    res = CliRunner().invoke(app, ["init-mapping", str(export.manifest), "-o", str(drafted),
                                   "--url", sandbox.url, *FAST], env=env)
    assert res.exit_code == 0, res.output
    text = drafted.read_text()
    assert 'key_column = "Record ID"' in text and '"Lead source" = "Lead Source"' in text
    jobs = tmp_path / "jobs"
    res = CliRunner().invoke(app, ["import", str(export.manifest), "--mapping",
                                   str(export.mapping), "--create-key-field", "--url",
                                   sandbox.url, "--job-dir", str(jobs), *FAST], env=env)
    assert res.exit_code == 3, res.output
    assert "succeeded: " in res.output and "persons created" in res.output
    job = next(jobs.iterdir())
    assert {"succeeded.csv", "failed.csv", "unprocessed.csv", "summary.json"} <= {
        p.name for p in job.iterdir()}
    for path in job.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes()
    res = CliRunner().invoke(app, ["status", job.name, "--json", "--job-dir", str(jobs)])
    info = orjson.loads(res.stdout)
    assert info["kind"] == "import" and info["counts"]["failed"] == (
        export.broken + export.unknown_stage)
    res = CliRunner().invoke(app, ["import", str(export.manifest), "--mapping",
                                   str(export.mapping), "--url", sandbox.url, "--mode", "merge",
                                   "--job-dir", str(jobs), *FAST], env=env)
    assert res.exit_code == 2



def test_skipped_rows_are_counted_in_the_summarys_words(sandbox: Sandbox,
                                                        tmp_path: Path) -> None:
    """The same file imported twice: the second run's outcome line and ``status`` say what
    its summary says of the skipped rows (``unchanged``), not only ``skipped``; the first
    run's done rows are named ``created``, and with --mode insert ``exists`` (v10r31)."""
    export = write_demo_export(tmp_path, rows=30)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    jobs = tmp_path / "jobs"
    argv = ["import", str(export.manifest), "--mapping", str(export.mapping),
            "--create-key-field", "--url", sandbox.url, "--job-dir", str(jobs), *FAST]
    first = CliRunner().invoke(app, argv, env=env)
    assert first.exit_code == 3, first.output
    again = CliRunner().invoke(app, argv, env=env)
    assert again.exit_code == 3, again.output
    bad = export.broken + export.unknown_stage
    good = 30 - bad
    assert f"{good} unchanged" in again.output
    assert f"done {good} (created {good}), failed {bad}" in first.output
    assert f"failed {bad}, skipped {good} (unchanged {good})" in again.output
    (second,) = {d.name for d in jobs.iterdir()} - {d.name for d in jobs.iterdir()
                                                       if d.name in first.output}
    res = CliRunner().invoke(app, ["status", second, "--job-dir", str(jobs)])
    assert f"items: failed {bad}, skipped {good} (unchanged {good}); total 30" in res.output
    res = CliRunner().invoke(app, ["status", second, "--json", "--job-dir", str(jobs)])
    assert orjson.loads(res.stdout)["actions"] == {"skipped": {"unchanged": good}}
    inserted = CliRunner().invoke(app, [*argv, "--mode", "insert"], env=env)
    assert inserted.exit_code == 3, inserted.output
    # (found at the load by the key index a re-import pulls, x15r2 2: skipped, not read)
    assert f"failed {bad}, skipped {good} (exists {good})" in inserted.output


def _delete(url: str, path: str) -> None:
    req = urllib.request.Request(url + path, method="DELETE",
                                 headers={"Authorization": f"Bearer {TOKEN}"})
    with _LOCAL.open(req, timeout=10) as resp:
        assert resp.status == 200


def test_a_re_import_after_its_deals_and_persons_were_deleted_is_planned_as_it_runs(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Imported, then a colleague deletes the deals and persons it made: a re-import reads
    each deal and person the earlier run's claims name before creating it again. The plan
    lists those reads (v10r31: the getPerson reads were missing) and prices them in its
    time with the writes (they take window slots: the plan was 0.39 of the run)."""
    export = write_demo_export(tmp_path, rows=30)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    jobs = tmp_path / "jobs"
    common = [str(export.manifest), "--mapping", str(export.mapping), "--url", sandbox.url,
              *FAST]
    first = CliRunner().invoke(app, ["import", *common, "--create-key-field", "--job-dir",
                                     str(jobs)], env=env)
    assert first.exit_code == 3, first.output
    made = read_csv(next(jobs.iterdir()) / "succeeded.csv")
    persons = {r["person_id"] for r in made if r["person_id"]}
    for row in made:
        _delete(sandbox.url, f"/api/v2/deals/{row['deal_id']}")
    for person_id in persons:
        _delete(sandbox.url, f"/api/v2/persons/{person_id}")
    planned = CliRunner().invoke(app, ["plan", "import", *common, "--json"], env=env)
    assert planned.exit_code == 3, planned.output
    plan = orjson.loads(planned.stdout)
    assert plan["calls"]["getDeal"] == len(made)
    assert plan["calls"]["getPerson"] == len(persons) > 0
    ran = CliRunner().invoke(app, ["import", *common, "--json", "--job-dir",
                                   str(tmp_path / "again")], env=env)
    assert ran.exit_code == 3, ran.output
    summary = orjson.loads(ran.stdout)
    assert plan["calls"] == summary["calls_by_operation"]
    assert plan["tokens"] == summary["tokens"]
    # the window alone: every call the rows send, less one window's worth, at its rate
    ultimate = plan_limits("ultimate", auth="oauth")
    sent = sum(n for op, n in plan["calls"].items() if op in (
        "getDeal", "getPerson", "addDeal", "addPerson", "addOrganization"))
    assert plan["seconds"] >= (sent - ultimate.burst) / (ultimate.burst / ultimate.window)

# -- the crash test ---------------------------------------------------------------------------
def _admin(url: str, path: str, body: Any = None) -> Any:
    data = None if body is None else orjson.dumps(body)
    req = urllib.request.Request(url + path, data=data, method="POST" if data else "GET",
                                 headers={"content-type": "application/json"})
    with _LOCAL.open(req, timeout=10) as resp:
        return orjson.loads(resp.read())


def _start_sandbox() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bulk.sandbox", "--port", "0", "--plan", "ultimate", "--auth",
         "oauth", "--token", TOKEN, "--deals", "30", "--seed", "11"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "listening on" in line, line
    return proc, line.split("listening on", 1)[1].strip()


@pytest.mark.slow
def test_kill_9_mid_import_then_resume_gives_each_row_exactly_once(tmp_path: Path) -> None:
    """SIGKILL an import (lost responses and 5xx on, in another process), resume: one deal per
    valid row, none missing, none doubled, one person per e-mail; succeeded.csv is right."""
    export = write_demo_export(tmp_path / "in", rows=500)
    jobs = tmp_path / "jobs"
    sandbox, url = _start_sandbox()
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN}
    try:
        _admin(url, "/_sandbox/faults", {
            "lost_response_rate": 0.1, "error_rate": 0.03, "latency_ms": 15,
            "latency_jitter_ms": 10, "only_operations": ["addDeal", "addPerson",
                                                         "addOrganization", "getDeals"]})
        cmd = [sys.executable, "-m", "pdbulk", "import", str(export.manifest), "--mapping",
               str(export.mapping), "--mode", "insert", "--create-key-field", "--url", url,
               "--job-dir", str(jobs), *FAST]
        victim = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            applied = _admin(url, "/_sandbox/stats")["writes_applied"].get("addDeal", 0)
            if applied >= 150 or victim.poll() is not None:
                break
            time.sleep(0.02)
        assert victim.poll() is None, "the import finished before it could be killed"
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        killed_at = _admin(url, "/_sandbox/stats")["writes_applied"]["addDeal"]
        assert 150 <= killed_at < 500
        job = next(jobs.iterdir())
        # the resume, no kill cutting it, in this process (issue 8: a start-up less)
        resume = pdbulk_to_the_end(["resume", job.name, "--job-dir", str(jobs)], env)
        assert resume.returncode == 3, resume.stderr + resume.stdout  # the bad rows
        _admin(url, "/_sandbox/faults?replace=1", {})
        deals = [d for d in _admin(url, "/_sandbox/deals")["data"] if not d["is_deleted"]
                 and d["title"] and "SEED" not in str(d["custom_fields"])]
        fields = {f["field_name"]: f["field_code"] for f in _field_list(url)}
        code = fields["Import source key"]
        keys = Counter(d["custom_fields"].get(code) for d in deals)
        assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
        succeeded = read_csv(job / "succeeded.csv")
        failed = read_csv(job / "failed.csv")
        assert len(failed) == export.broken + export.unknown_stage
        assert len(succeeded) + len(failed) == 500 and read_csv(job / "unprocessed.csv") == []
        by_key = {d["custom_fields"][code]: d for d in deals}
        assert set(by_key) == {line["key"] for line in succeeded}
        for line in succeeded:
            assert str(by_key[line["key"]]["id"]) == line["deal_id"]
        persons = [p for p in _admin(url, "/_sandbox/persons")["data"] if not p["is_deleted"]]
        emails = Counter(e["value"].lower() for p in persons for e in p["emails"])
        assert max(emails.values()) == 1
        summary = orjson.loads((job / "summary.json").read_bytes())
        killed, resumed = summary["runs"]  # the killed run is listed, never finished
        assert killed["ended"] == killed["outcome"] == "unknown" and "started" in killed
        assert resumed["outcome"] == "finished"
        assert resumed["in_doubt_checked"] > 0  # rows left SENDING were checked first
        # the killed run's spend (its load's pulls too) is its own entry's, settled on resume
        assert killed["tokens"] > 0 and resumed["tokens"] > 0
        assert killed["tokens"] + resumed["tokens"] == summary["tokens"]
    finally:
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(10)
        if sandbox.stdout is not None:
            sandbox.stdout.close()


def _field_list(url: str) -> list[dict[str, Any]]:
    req = urllib.request.Request(url + "/api/v2/dealFields?limit=500",
                                 headers={"authorization": f"Bearer {TOKEN}"})
    with _LOCAL.open(req, timeout=10) as resp:
        data: list[dict[str, Any]] = orjson.loads(resp.read())["data"]
        return data


def test_a_1904_workbook_with_the_1900_token_is_refused_before_anything_is_sent(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Mac Excel's 1904 date system: "excel" would import every date 4 years and 1 day
    early; plan and import stop with exit 1, naming "excel_1904", which then works."""
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    book.active.append(["id", "title", "close"])
    book.active.append(["k1", "Deal one", 45292 - 1462])  # 2024-01-01 in the 1904 system
    manifest = tmp_path / "mac.xlsx"
    book.save(manifest)
    mapping = tmp_path / "m.toml"
    text = ('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
            'expected_close_date = {{ column = "close", formats = ["{}"] }}\n')
    mapping.write_text(text.format("excel"))
    before = len(sandbox.state.deals)
    for command in (["plan", "import"], ["import"]):
        extra = (["--job-dir", str(tmp_path / "jobs")] if command == ["import"]
                 else ["--failed-csv", str(tmp_path / "plan-failed.csv")])
        res = CliRunner().invoke(app, [*command, str(manifest), "--mapping", str(mapping),
                                       "--create-key-field", "--url", sandbox.url, *FAST,
                                       *extra], env={"PIPEDRIVE_API_TOKEN": TOKEN})
        assert res.exit_code == 1 and "excel_1904" in res.output, res.output
    assert len(sandbox.state.deals) == before
    mapping.write_text(text.format("excel_1904"))
    res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--json", "--url", sandbox.url, *FAST,
                                   "--failed-csv", str(tmp_path / "plan-failed.csv")],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code == 0, res.output


def test_init_mapping_output_dash_is_stdout(sandbox: Sandbox, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """x34r5 F7: ``-o -`` wrote a file named ``-``; it means stdout, as without ``-o``."""
    export = write_demo_export(tmp_path, rows=5)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["init-mapping", str(export.manifest), "-o", "-",
                                   "--url", sandbox.url, *FAST],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code == 0, res.output
    assert 'key_column = "Record ID"' in res.stdout
    assert not (tmp_path / "-").exists()


def test_init_mapping_proposes_excel_1904_for_a_1904_workbook(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """v10r6 s5: init-mapping proposed "excel" for a Mac 1904 workbook's serials (a
    mapping the plan then refuses); it proposes "excel_1904", which plans, and a row
    error's hint shows the 1904 reading too."""
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from bulk.errors import InputError
    from jobs.transforms import parse_date

    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    book.active.append(["Deal ID", "Deal Name", "Close Date"])
    book.active.append(["k1", "Deal one", 45292 - 1462])  # 2024-01-01 in the 1904 system
    book.active.append(["k2", "Deal two", 45300 - 1462])
    manifest = tmp_path / "mac.xlsx"
    book.save(manifest)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    drafted = tmp_path / "drafted.toml"
    res = CliRunner().invoke(app, ["init-mapping", str(manifest), "-o", str(drafted),
                                   "--url", sandbox.url, *FAST], env=env)
    assert res.exit_code == 0, res.output
    text = drafted.read_text()
    assert 'formats = ["excel_1904"]' in text, text
    res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping", str(drafted),
                                   "--create-key-field", "--json", "--url", sandbox.url, *FAST,
                                   "--failed-csv", str(tmp_path / "plan-failed.csv")], env=env)
    assert res.exit_code == 0, res.output
    with pytest.raises(InputError, match='"excel_1904" in a Mac 1904 workbook: 2024-01-01'):
        parse_date(45292 - 1462)


@pytest.mark.parametrize("broken", [
    "[import\n",  # not TOML
    'stage = "No such stage"\n',  # an unknown stage (v10r6 s9)
    '[custom_fields]\n"No such field" = "title"\n',  # an unknown custom field
    'probability = "No such column"\n',  # a column the manifest does not have
])
def test_retry_with_a_broken_mapping_is_refused_and_changes_nothing(
        sandbox: Sandbox, tmp_path: Path, broken: str) -> None:
    """A failed row needs mapping again on retry: with the mapping file broken since (its
    syntax, or against the account or the manifest), the retry is exit 1 "nothing was
    changed" and the job stays finished, its row failed, failed.csv as it was (fresh
    tester v10r5 finding 6, v10r6 s9: exit 4, the job 'stopped', rows pending)."""
    manifest = tmp_path / "r.csv"
    manifest.write_text("id,title,amount\nr1,ok,5\nr2,bad,abc\n")
    mapping = tmp_path / "m.toml"
    text = ('[import]\nkey_column = "id"\n[defaults]\ncurrency = "USD"\n'
            '[deal]\ntitle = "title"\nvalue = "amount"\n')
    mapping.write_text(text)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    jobs = tmp_path / "jobs"
    ran = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, *FAST,
                                   "--job-dir", str(jobs)], env=env)
    assert ran.exit_code == 3, ran.output
    (job,) = [p.name for p in jobs.iterdir()]
    failed = (jobs / job / "failed.csv").read_text()
    mapping.write_text("[import\n" if broken.startswith("[import") else text + broken)
    again = CliRunner().invoke(app, ["retry", job, "--job-dir", str(jobs)], env=env)
    assert again.exit_code == 1, again.output
    assert "cannot be retried" in again.output and "nothing was changed" in again.output
    assert "Traceback" not in again.output
    from bulk.store import ItemState, JobStore
    with JobStore.open(jobs / job, lock=False) as store:
        assert store.status == "finished"
        assert store.counts()[ItemState.FAILED] == 1
    assert (jobs / job / "failed.csv").read_text() == failed


@pytest.mark.parametrize("spent,says", [
    ([("getDealFields", 10, 1), ("addDealField", 5, 1)],
     "only the key field 'Source key' was created (addDealField 1"),
    ([("getDealFields", 10, 1)], "nothing was sent")])
def test_resume_of_a_load_cut_short_says_what_was_sent_and_loads_it_again(
        tmp_path: Path, spent: list[tuple[str, int, int]], says: str) -> None:
    """A kill -9 while `import --create-key-field` loads, the field already created:
    resume said "nothing was sent yet" (tester v9r5). It says what the spend ledger holds
    and loads the job again (x20r3 F1: no row was sent; it refused and marked the job
    failed); a mapping it can no longer read is one line, exit 1, and the job stays
    resumable (`pdbulk jobs`: interrupted). The load run again: tests/test_resume_job.py."""
    from bulk.store import JobStore
    from jobs.import_rows import ImportSettings
    from jobs.updating import META_KEY_LABEL

    jobs = tmp_path / "jobs"
    settings = ImportSettings(manifest=str(tmp_path / "s.csv"),
                              mapping=str(tmp_path / "m.toml"), mode="insert",
                              create_key_field=True)
    store = JobStore.create(jobs / "cut", job_id="cut", kind="import",
                            config={"engine": {"base_url": "http://127.0.0.1:9"},
                                    "import": settings.to_json()})
    store.set_status("loading")
    store.meta_put(META_KEY_LABEL, "Source key")
    store.record([], [("2026-12-01", op, tokens, calls) for op, tokens, calls in spent])
    store.close()
    runner = CliRunner()
    listed = runner.invoke(app, ["jobs", "--job-dir", str(jobs)])
    assert "interrupted" in listed.output, listed.output
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    res = runner.invoke(app, ["resume", "cut", "--job-dir", str(jobs)], env=env)
    assert res.exit_code == 1 and says in res.output, res.output
    assert "loading it again" in res.output and "could not be loaded again" in res.output
    assert "m.toml" in res.output and "resume it again" in res.output
    assert "Traceback" not in res.output and "nothing was sent yet" not in res.output
    listed = runner.invoke(app, ["jobs", "--job-dir", str(jobs)])
    assert "interrupted" in listed.output and "failed" not in listed.output, listed.output
    retried = runner.invoke(app, ["retry", "cut", "--job-dir", str(jobs)], env=env)
    assert retried.exit_code == 1 and "resume it to load it again" in retried.output, \
        retried.output


def test_result_files_that_cannot_be_written_keep_the_runs_exit_code(
        sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """v9r6 medium: the disk filled up while the result files were written, after every
    row was sent: the import ended with exit 1 and a bare error. Now the run's own exit
    code (3: some rows failed) stands, stderr says the run is recorded and how to write
    the files again, and that resume writes them without sending anything."""
    import errno

    import jobs.import_load as import_load

    export = write_demo_export(tmp_path, rows=20)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    jobs = tmp_path / "jobs"
    written = import_load.write_import_results

    def full(*args: Any, **kw: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device", str(jobs / "succeeded.csv"))

    monkeypatch.setattr(import_load, "write_import_results", full)
    res = CliRunner().invoke(app, ["import", str(export.manifest), "--mapping",
                                   str(export.mapping), "--create-key-field", "--url",
                                   sandbox.url, "--job-dir", str(jobs), *FAST], env=env)
    assert res.exit_code == 3, res.output  # before: 1
    assert "the run is recorded in the job store" in res.output, res.output
    assert "No space left on device" in res.output and "pdbulk resume" in res.output
    job = next(jobs.iterdir())
    assert not (job / "succeeded.csv").exists()
    def writes() -> dict[str, int]:
        return {op: n for op, n in sandbox.stats()["requests_by_operation"].items()
                if op.startswith(("add", "update", "delete", "merge"))}

    before = writes()
    monkeypatch.setattr(import_load, "write_import_results", written)
    res = CliRunner().invoke(app, ["resume", job.name, "--job-dir", str(jobs)],
                             env={**env, "PIPEDRIVE_URL": sandbox.url})
    assert (job / "succeeded.csv").exists(), res.output
    assert writes() == before, res.output  # the resume sent nothing


_UPSERT = ('[import]\nkey_column = "id"\nmode = "upsert"\n[defaults]\ncurrency = "USD"\n'
           '[deal]\ntitle = "title"\nvalue = "amount"\npipeline = { default = "Sales" }\n'
           'stage = "stage"\n')


def _failed_upsert(sandbox: Sandbox, tmp_path: Path, rows: str) -> tuple[Path, str, Path]:
    """An upsert of ``rows`` (``id,title,amount,stage`` lines) whose "Bogus" stage fails
    its rows (exit 3), then the mapping fixed to map it: (jobs folder, job id, mapping)."""
    manifest, mapping, jobs = tmp_path / "r.csv", tmp_path / "m.toml", tmp_path / "jobs"
    manifest.write_text("id,title,amount,stage\n" + rows)
    mapping.write_text(_UPSERT)
    ran = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, *FAST,
                                   "--job-dir", str(jobs)], env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert ran.exit_code == 3, ran.output
    (job,) = [p.name for p in jobs.iterdir()]
    mapping.write_text(_UPSERT.replace(
        'stage = "stage"', 'stage = { column = "stage", map = { "Bogus" = "Contact Made" } }'))
    return jobs, job, mapping


def _colleague_deal(sandbox: Sandbox, key: str) -> dict[str, Any]:
    """A deal a colleague makes through the API with the source key ``key`` (the key
    field made first when no import made it: x36r3 F2, a load of no sendable row)."""
    if not any(f["field_name"] == "Import source key" for f in sandbox.state.custom_fields()):
        urllib.request.urlopen(urllib.request.Request(
            sandbox.url + "/api/v2/dealFields", method="POST", data=orjson.dumps({
                "field_name": "Import source key", "field_type": "varchar"}),
            headers={"content-type": "application/json",
                     "authorization": f"Bearer {TOKEN}"})).read()
    key_code = next(f["field_code"] for f in sandbox.state.custom_fields()
                    if f["field_name"] == "Import source key")
    req = urllib.request.Request(
        sandbox.url + "/api/v2/deals", method="POST", data=orjson.dumps({
            "title": "Colleague own title", "value": 999, "currency": "USD",
            "custom_fields": {key_code: key}}),
        headers={"content-type": "application/json", "authorization": f"Bearer {TOKEN}"})
    with _LOCAL.open(req, timeout=10) as resp:
        return dict(orjson.loads(resp.read())["data"])


def test_a_retry_leaves_a_deal_a_colleague_made_after_the_load(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """v9r11 severe: a row that failed its mapping (stage "Bogus") was retried after the
    mapping was fixed; meanwhile a colleague had made a deal with its key, so the retry
    updated it — with no before-image, and undo said "the job stored no before-image",
    the colleague's title and value gone for good. v9r11 kept an image so that undo could
    put the deal back; x12r5 F2 (8 of 8): a retry still wiped newer values. The row is as
    old as the job's load, the colleague's deal newer: a conflict, nothing sent, and undo
    leaves the deal as the colleague made it."""
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    jobs, job, _ = _failed_upsert(sandbox, tmp_path,
                                  "t1,Ours one,5,Bogus\nt2,Ours two,6,Qualified\n")
    theirs = _colleague_deal(sandbox, "t1")
    again = CliRunner().invoke(app, ["retry", job, "--job-dir", str(jobs)], env=env)
    assert again.exit_code == 3, again.output
    kept = sandbox.state.deals.rows[theirs["id"]]
    assert (kept["title"], kept["value"]) == ("Colleague own title", 999), kept
    with open(jobs / job / "failed.csv", encoding="utf-8") as f:
        assert "changed after this job was loaded" in f.read()
    undone = CliRunner().invoke(app, ["undo", job, "--yes", "--job-dir", str(jobs),
                                      "--url", sandbox.url, *FAST], env=env)
    assert undone.exit_code in (0, 3), undone.output
    back = sandbox.state.deals.rows[theirs["id"]]
    assert not back["is_deleted"] and back["title"] == "Colleague own title" \
        and back["value"] == 999, back


def test_a_resumed_retry_leaves_a_deal_a_colleague_edited_after_the_kill(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """v9r12 severe (4 of 4): a retry was killed with its updates handed out (their
    before-images stored), a colleague then edited those deals, and the resume mapped the
    rows again from the account as it was now: it overwrote the colleague's value, and undo
    put back the older one — the edit lost for good. The row is decided against the
    before-image its first run stored: the colleague's value is a conflict, nothing sent."""
    from bulk.store import BeforeImage, ItemState, JobStore
    from jobs.deals import before_image

    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    jobs, job, _ = _failed_upsert(sandbox, tmp_path, "u1,Ours one,5,Bogus\n")
    theirs = _colleague_deal(sandbox, "u1")
    # what the killed retry left: the row handed out, the deal's before-image stored
    with JobStore.open(jobs / job) as store:
        (item,) = list(store.items(ItemState.FAILED))
        store.failed_to_pending()
        store.mark_sending([item.id], 0.0)
        deal = dict(sandbox.state.deals.rows[theirs["id"]])
        store.put_before_images([BeforeImage("deal", theirs["id"], item.id, before_image(
            deal, {"title": None, "value": None, "stage_id": None, "pipeline_id": None}), 0.0)])
    sandbox.state.save("deal", {**sandbox.state.deals.rows[theirs["id"]], "value": 4343,
                                "update_time": "2031-01-01T00:00:00Z"})  # the colleague
    resumed = CliRunner().invoke(app, ["resume", job, "--job-dir", str(jobs)], env=env)
    assert resumed.exit_code == 3, resumed.output
    now = sandbox.state.deals.rows[theirs["id"]]
    assert now["value"] == 4343 and now["title"] == "Colleague own title", now  # before: 5
    (row,) = read_csv(jobs / job / "failed.csv")
    assert "conflict" in row["reason"], row


def test_a_retry_creates_again_a_person_a_colleague_deleted(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """v9r12 severe (3 of 3): rows that failed their checks name a person the import made
    for an earlier row; a colleague deletes that person; every `pdbulk retry` after the
    mapping was fixed sent the deal with the deleted person's id ('400 person_id: person 7
    not found') and failed the row again. The retry maps those rows first, finds the
    person gone, and creates it again."""
    manifest = tmp_path / "r.csv"
    manifest.write_text("id,title,stage,person,email\n"
                        "p1,First,Qualified,Pat Gone,pat.gone@example.com\n"
                        "p2,Second,Qualifed,Pat Gone,pat.gone@example.com\n")
    mapping = tmp_path / "m.toml"
    text = ('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
            'pipeline = { default = "Sales" }\nstage = "stage"\n'
            '[person]\nname = "person"\nemail = "email"\n')
    mapping.write_text(text)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    jobs = tmp_path / "jobs"
    ran = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, *FAST,
                                   "--job-dir", str(jobs)], env=env)
    assert ran.exit_code == 3, ran.output
    (job,) = [p.name for p in jobs.iterdir()]
    (done,) = read_csv(jobs / job / "succeeded.csv")
    gone = int(done["person_id"])
    sandbox.state.save("person", {**sandbox.state.persons.rows[gone], "is_deleted": True})
    mapping.write_text(text.replace('stage = "stage"',
                                    'stage = { column = "stage", map = { "Qualifed" = "Qualified" } }'))
    again = CliRunner().invoke(app, ["retry", job, "--job-dir", str(jobs)], env=env)
    assert again.exit_code == 0, again.output  # before: 3, "person ... not found"
    deal = next(d for d in sandbox.state.deals.rows.values() if d["title"] == "Second")
    person = sandbox.state.persons.rows[deal["person_id"]]
    assert not person["is_deleted"] and person["id"] != gone


def test_init_mapping_samples_no_row_the_reader_refuses(tmp_path: Path) -> None:
    """v10r14: a row shifted by an unquoted ``$17,300.00`` (one cell too many) was sampled,
    and init-mapping proposed its cell ``300.00`` as a source stage to map."""
    from pdbulk.cli_import import _samples

    manifest = tmp_path / "us.csv"
    manifest.write_text("id,name,amount,stage\nk1,A,100,Qualified\nk2,B,$17,300.00,Won\n")
    samples = _samples(manifest)
    assert samples["stage"] == ["Qualified"], samples  # before: ['Qualified', '300.00']


@pytest.mark.parametrize("meanwhile", ["a colleague's edit", "its own write applied"])
def test_a_retry_killed_before_it_reached_a_row_leaves_a_colleagues_edit(
        sandbox: Sandbox, tmp_path: Path, meanwhile: str) -> None:
    """v9r13 severe (3 of 3): a retry killed before it reached some of its rows mapped
    again; a colleague edited those deals; the resume mapped them from the account as it
    was then and overwrote the edits (undo only put them back). The retry keeps the
    before-image of every row it maps again when it starts, so the resume decides each
    row against it: the colleague's value is a conflict, nothing sent."""
    import anyio

    from bulk.engine import Engine
    from bulk.store import JobStore
    from jobs.importing import ImportJob
    from tests.import_support import engine_config

    manifest = tmp_path / "r.csv"
    manifest.write_text("id,title,amount,stage\nv1,One,5,Qualified\n")
    mapping = tmp_path / "m.toml"
    text = ('[import]\nkey_column = "id"\nmode = "upsert"\n[defaults]\ncurrency = "USD"\n'
            '[deal]\ntitle = "title"\nvalue = "amount"\npipeline = { default = "Sales" }\n'
            'stage = "stage"\n')
    mapping.write_text(text)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    first = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                     "--create-key-field", "--url", sandbox.url, *FAST,
                                     "--job-dir", str(tmp_path / "first")], env=env)
    assert first.exit_code == 0, first.output
    manifest.write_text("id,title,amount,stage\nv1,One,1005,Bogus\n")
    jobs = tmp_path / "jobs"
    ran = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                   "--url", sandbox.url, *FAST, "--job-dir", str(jobs)], env=env)
    assert ran.exit_code == 3, ran.output
    (job,) = [p.name for p in jobs.iterdir()]
    mapping.write_text(text.replace('stage = "stage"',
                                    'stage = { column = "stage", map = { "Bogus" = "Qualified" } }'))
    deal_id = next(d["id"] for d in sandbox.state.deals.rows.values() if d["title"] == "One")

    async def retry_started() -> None:  # what `pdbulk retry` does before it was killed
        cfg = engine_config(sandbox, tmp_path, auth="oauth")
        with JobStore.open(jobs / job) as store:
            store.failed_to_pending()
            async with Engine.open(cfg, sandbox.token, store=store) as engine:
                await ImportJob.from_store(store).before_resume(engine.ctx, store)

    anyio.run(retry_started)
    if meanwhile == "its own write applied":  # sent before the kill, its answer lost
        sandbox.state.save("deal", {**sandbox.state.deals.rows[deal_id], "value": 1005,
                                    "update_time": "2031-01-01T00:00:00Z"})
        resumed = CliRunner().invoke(app, ["resume", job, "--job-dir", str(jobs)], env=env)
        assert resumed.exit_code == 0, resumed.output
        (row,) = read_csv(jobs / job / "succeeded.csv")
        assert row["action"] == "updated", row  # before: "unchanged", which undo leaves
        undone = CliRunner().invoke(app, ["undo", job, "--yes", "--force", "--job-dir",
                                          str(jobs), "--url", sandbox.url, *FAST], env=env)
        assert undone.exit_code == 0, undone.output
        assert sandbox.state.deals.rows[deal_id]["value"] == 5
        return
    sandbox.state.save("deal", {**sandbox.state.deals.rows[deal_id], "value": 4343,
                                "update_time": "2031-01-01T00:00:00Z"})  # the colleague
    resumed = CliRunner().invoke(app, ["resume", job, "--job-dir", str(jobs)], env=env)
    assert resumed.exit_code == 3, resumed.output
    assert sandbox.state.deals.rows[deal_id]["value"] == 4343  # before: 1005
    (row,) = read_csv(jobs / job / "failed.csv")
    assert "conflict" in row["reason"], row


def test_a_cap_spent_while_loading_says_no_reset_frees_it_and_no_job_is_left(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """x10r4 F11: --max-tokens below what the load needs said "run again after the reset"
    and named a job that `resume` did not know (the load's job is removed). Still exit 4
    (a budget spent, README), it says to raise the cap and that nothing is left."""
    export = write_demo_export(tmp_path, rows=10)
    res = CliRunner().invoke(app, ["import", str(export.manifest), "--mapping",
                                   str(export.mapping), "--create-key-field", "--url",
                                   sandbox.url, "--job-dir", str(tmp_path / "jobs"),
                                   "--max-tokens", "20", *FAST],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code == 4, res.output
    assert "higher --max-tokens" in res.output and "after the reset" not in res.output
    assert "nothing to resume" in res.output
    # x31r3 3: a budget spent before the command began read "spent while the job was loading"
    assert "while the job was loading" not in res.output, res.output
    assert not list((tmp_path / "jobs").glob("*"))


def test_plan_import_bad_rows_by_reason_reads_as_its_first_row(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """x24r1: the count per reason showed the class with every value "…" ("ambiguous date …:
    … reads it as …"); each reason now reads as its first row's in full, with the rows it
    counts, and the JSON's ``reasons`` keep their classes."""
    manifest = tmp_path / "dates.csv"
    closes = ["04/13/2026", "03/04/2026", "05/06/2026", "07/08/2026", "25/12/2026"]
    manifest.write_text("id,title,close\n" + "".join(
        f"k{n},Deal {n},{close}\n" for n, close in enumerate(closes, 1)))
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "id"\n[defaults]\ndate_formats = ["%d/%m/%Y"]\n'
                       '[deal]\ntitle = "title"\nexpected_close_date = "close"\n')
    args = ["plan", "import", str(manifest), "--mapping", str(mapping), "--create-key-field",
            "--url", sandbox.url, *FAST, "--failed-csv", str(tmp_path / "plan-failed.csv")]
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    human = CliRunner().invoke(app, args, env=env)
    assert human.exit_code == 3, human.output
    text = " ".join(human.stdout.split())  # rich wraps long lines
    assert "close: ambiguous date '03/04/2026': '%d/%m/%Y' reads it as 2026-04-03" in text, text
    assert "'04/13/2026' (row 2), which only '%m/%d/%Y' reads" in text, text
    # each other row with its own values (x41r1 L1: listed "like" the first row's)
    assert ("(row 3; and 2 more rows of the same kind, with their own values: rows 4 "
            "('05/06/2026', 2026-06-05, 2026-05-06), 5 ('07/08/2026', 2026-08-07, "
            "2026-07-08))") in text, text
    assert "reads it as …" not in text, text
    plan = orjson.loads(CliRunner().invoke(app, [*args, "--json"], env=env).stdout)
    assert sum(plan["reasons"].values()) == 4 and len(plan["reasons"]) == 2, plan["reasons"]
    assert any("ambiguous date …" in r for r in plan["reasons"]), plan["reasons"]


def test_resume_of_a_finished_import_plans_and_makes_no_call(sandbox: Sandbox,
                                                            tmp_path: Path) -> None:
    """x34r5 F3: ``pdbulk resume`` of an import that finished (nothing to settle) planned
    "getDeals 1" and read the deals changed since its load again each time (3 pages on a
    busy account): its end-of-run check for doubles, already made over the same creates.
    Now it plans no call and makes none."""
    from tests.update_support import delta, requests

    export = write_demo_export(tmp_path, rows=30)
    jobs = tmp_path / "jobs"
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    res = CliRunner().invoke(app, ["import", str(export.manifest), "--mapping",
                                   str(export.mapping), "--create-key-field", "--url",
                                   sandbox.url, "--job-dir", str(jobs), *FAST], env=env)
    assert res.exit_code in (0, 3), res.output
    job = next(jobs.iterdir()).name
    for _ in range(2):
        before = requests(sandbox)
        again = CliRunner().invoke(app, ["resume", job, "--job-dir", str(jobs)], env=env)
        assert again.exit_code == res.exit_code, again.output
        assert "calls at most: none; tokens: 0" in again.output, again.output
        assert delta(before, requests(sandbox)) == {}
