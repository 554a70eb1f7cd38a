"""The pdbulk command in-process: output, exit codes, the token kept out of everything."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState
from pdbulk.cli import app, parse_faults
from tests.sandbox_helpers import ThreadedSandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A sandbox on its own loop in a thread (the CLI runs its own loop)."""
    with ThreadedSandbox(SandboxConfig(plan="ultimate", deals=40, seed=3)) as sb:
        yield sb


def test_touch_status_and_jobs(sandbox: Sandbox, tmp_path: Path) -> None:
    """A touch job runs to exit 0; status --json and jobs report it; no token on disk."""
    env = {"PIPEDRIVE_API_TOKEN": sandbox.token}
    runner = CliRunner()
    res = runner.invoke(app, ["touch", "--ids", ",".join(str(i) for i in range(1, 31)),
                              "--set", "probability=42", "--url", sandbox.url,
                              "--plan", "ultimate", "--job-dir", str(tmp_path)], env=env)
    assert res.exit_code == 0, res.output
    job_id = next(p.name for p in tmp_path.iterdir())
    assert "done 30" in res.output
    status = runner.invoke(app, ["status", job_id, "--json", "--job-dir", str(tmp_path)])
    info = orjson.loads(status.stdout)
    assert info["counts"]["done"] == 30 and info["tokens_by_operation"]["updateDeal"] == 150
    listed = runner.invoke(app, ["jobs", "--job-dir", str(tmp_path)])
    assert job_id in listed.output and "touch" in listed.output
    deals = {d["id"]: d for d in sandbox.state.deals.rows.values()}
    assert all(deals[i]["probability"] == 42 for i in range(1, 31))
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert sandbox.token.encode() not in path.read_bytes()


def test_missing_row_fails_with_exit_3_and_unknown_job_exit_1(sandbox: Sandbox, tmp_path: Path) -> None:
    """A deal that does not exist fails its row only (exit 3); an unknown job is exit 1."""
    env = {"PIPEDRIVE_API_TOKEN": sandbox.token}
    runner = CliRunner()
    res = runner.invoke(app, ["touch", "--ids", "1,2,999999", "--set", "probability=5",
                              "--url", sandbox.url, "--plan", "ultimate",
                              "--job-dir", str(tmp_path)], env=env)
    assert res.exit_code == 3, res.output
    assert "failed 1" in res.output and "done 2" in res.output
    res = runner.invoke(app, ["status", "nope", "--job-dir", str(tmp_path)])
    assert res.exit_code == 2 and "no job 'nope'" in res.output
    # a path names that place, not the job folder it is not in (x17r4 3)
    gone = tmp_path / "elsewhere" / "job-1"
    res = runner.invoke(app, ["status", str(gone)])
    assert res.exit_code == 2 and f"no job at {gone} (no such folder" in res.output, res.output
    assert "pdbulk-jobs" not in res.output
    res = runner.invoke(app, ["status", str(tmp_path)])  # a folder, but no job in it
    assert res.exit_code == 2 and "no job.sqlite there" in res.output, res.output
    (tmp_path / "a.txt").write_text("x")  # a file; an empty name (x18r4 6)
    res = runner.invoke(app, ["status", str(tmp_path / "a.txt")])
    assert res.exit_code == 2 and "a file, not a job's folder" in res.output, res.output
    res = runner.invoke(app, ["status", ""])
    assert res.exit_code == 2 and "no job named" in res.output, res.output


def test_bad_token_stops_with_exit_5_and_resume_hint(sandbox: Sandbox, tmp_path: Path) -> None:
    """401 is terminal: the job stops checkpointed with exit 5 (an authentication failure,
    not "resume it"), says how to resume once the token is fixed, never echoes the token."""
    res = CliRunner().invoke(app, ["touch", "--ids", "1,2,3", "--set", "probability=5",
                                   "--url", sandbox.url, "--job-dir", str(tmp_path)],
                             env={"PIPEDRIVE_API_TOKEN": "not-the-right-one"})
    assert res.exit_code == 5, res.output
    assert "resume with: pdbulk resume" in res.output and "not-the-right-one" not in res.output
    # the load's advice, where the 401 ends the run mid-way too (x50r2 F7)
    assert "stopped: 401 unauthorized access (updateDeal) (check the API token and --url)" \
        in res.output, res.output


def test_no_token_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["touch", "--ids", "1", "--set", "a=1", "--job-dir",
                                   str(tmp_path)], env={"PIPEDRIVE_API_TOKEN": ""})
    assert res.exit_code == 1 and "PIPEDRIVE_API_TOKEN" in res.output


def test_parse_faults() -> None:
    assert parse_faults("error=0.05, storm=30:3,no-rate-headers,lost=0.1") == {
        "error_rate": 0.05, "storm_every": 30.0, "storm_length": 3.0, "no_rate_headers": True,
        "lost_response_rate": 0.1}
    assert parse_faults("badjson=0.2") == {"bad_json_rate": 0.2}
    with pytest.raises(ValueError, match="unknown fault"):
        parse_faults("boom=1")


def test_status_reads_a_job_that_a_run_holds_open(tmp_path: Path) -> None:
    """`pdbulk status` while the job runs (its store locked): counts and the first failures."""
    from bulk.store import JobStore, NewItem

    store = JobStore.create(tmp_path / "j1", job_id="j1", kind="touch", config={})
    try:
        store.add_items([NewItem(row=1, key="a", op="update", payload={}),
                         NewItem(row=2, key="b", op="update", payload={},
                                 state=ItemState.FAILED, error="bad amount")])
        res = CliRunner().invoke(app, ["status", "j1", "--job-dir", str(tmp_path)])
    finally:
        store.close()
    assert res.exit_code == 0, res.output
    assert "items: failed 1, pending 1; total 2" in res.output
    assert "failed: row 2 (b): bad amount" in res.output


def test_resume_line_is_labelled_by_kind_with_the_real_done_count(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Issue 9 §9: a job stopped by --max-tokens resumes with `[touch]` lines whose done=
    counts the whole job (not 0 after the first run's work), and exit 4 only while
    something is left."""
    env = {"PIPEDRIVE_API_TOKEN": sandbox.token}
    runner = CliRunner()
    first = runner.invoke(app, ["touch", "--ids", ",".join(str(i) for i in range(1, 21)),
                                "--set", "probability=7", "--url", sandbox.url,
                                "--plan", "ultimate", "--max-tokens", "50",
                                "--job-dir", str(tmp_path)], env=env)
    assert first.exit_code == 4, (first.output, first.exception)
    job_id = next(p.name for p in tmp_path.iterdir())
    again = runner.invoke(app, ["resume", job_id, "--job-dir", str(tmp_path)], env=env)
    assert again.exit_code == 0, (again.output, again.exception)
    last = [line for line in again.output.splitlines() if line.startswith("[")][-1]
    assert last.startswith("[touch] 20/20 done=20 failed=0"), again.output
    assert "[items]" not in again.output


@pytest.mark.parametrize("status", ["planned", "loaded", "running"])
def test_status_of_a_killed_run_says_interrupted(tmp_path: Path, status: str) -> None:
    """Issue 9 §5: a job left "running" by a process that died (kill -9) is not shown as
    running: the lock tells. So is one killed before its first call, "planned" (x19r2:
    it read "planned" forever) or "loaded" (at the prompt)."""
    import os
    import signal
    import subprocess
    import sys

    steps = {"planned": "", "loaded": "s.set_status('loading'); s.mark_loaded();",
             "running": "s.set_status('running');"}[status]
    script = ("import sys, time; from pathlib import Path; from bulk.store import JobStore;"
              "s = JobStore.create(Path(sys.argv[1]), job_id='j1', kind='touch', config={});"
              f"{steps} print('up', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "j1")],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "up"
        live = CliRunner().invoke(app, ["status", "j1", "--job-dir", str(tmp_path)])
        assert f"j1 (touch): {status}" in live.output, live.output
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    dead = CliRunner().invoke(app, ["status", "j1", "--job-dir", str(tmp_path)])
    assert dead.exit_code == 0 and "interrupted" in dead.output, dead.output
    assert f": {status}" not in dead.output
    listed = CliRunner().invoke(app, ["jobs", "--job-dir", str(tmp_path)])
    assert "interrupted" in listed.output


def test_a_budget_spent_at_start_is_exit_4_in_words(sandbox: Sandbox, tmp_path: Path) -> None:
    """F7: a run whose token cap is spent before its first call says so in words (not the
    exception's class name) and exits 4, the README's code for "budget spent"."""
    manifest = tmp_path / "in.csv"
    manifest.write_text("id,title\nA-1,First\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
    done = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                    "--url", sandbox.url, "--max-tokens", "1",
                                    "--job-dir", str(tmp_path / "jobs")],
                              env={"PIPEDRIVE_API_TOKEN": sandbox.token})
    assert done.exit_code == 4, done.output
    assert "token budget spent" in done.output and "BudgetExhausted" not in done.output
    assert "Traceback" not in done.output


def test_resume_with_nothing_left_prints_no_spend_it_does_not_know(sandbox: Sandbox,
                                                                   tmp_path: Path) -> None:
    """A resume that sends nothing printed ``today 0/60000`` — a company spend it never
    read (tester v9r5): it prints what it knows, 0 tokens of its own."""
    env = {"PIPEDRIVE_API_TOKEN": sandbox.token}
    runner = CliRunner()
    res = runner.invoke(app, ["touch", "--ids", "1,2", "--set", "probability=7", "--url",
                              sandbox.url, "--plan", "ultimate", "--job-dir", str(tmp_path)],
                        env=env)
    assert res.exit_code == 0, res.output
    job_id = next(p.name for p in tmp_path.iterdir())
    again = runner.invoke(app, ["resume", job_id, "--job-dir", str(tmp_path)], env=env)
    assert again.exit_code == 0, again.output
    assert "0 tok" in again.output and "today 0/" not in again.output, again.output


def test_a_signal_after_the_run_ended_keeps_the_job_s_outcome(
        sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x20r4 2: a Ctrl-C arriving once the run had ended (every item settled, the files
    written), before the command's end, said "aborted; resume with: ..." and exit 4 for a
    finished job. Now its outcome line and exit code, as without the signal."""
    import pdbulk.cli_ops as cli_ops

    real = cli_ops.run_loop

    def run_then_interrupted(main: object) -> object:
        real(main)  # type: ignore[arg-type]
        raise KeyboardInterrupt  # the signal, after the run's own handler was put back

    monkeypatch.setattr(cli_ops, "run_loop", run_then_interrupted)
    res = CliRunner().invoke(app, ["move-stage", "--to-stage", "Qualified", "--status", "open",
                                   "--yes", "--url", sandbox.url, "--plan", "ultimate",
                                   "--job-dir", str(tmp_path)],
                             env={"PIPEDRIVE_API_TOKEN": sandbox.token})
    assert res.exit_code == 0, res.output
    assert "done " in res.output and "aborted" not in res.output, res.output


def test_status_says_when_a_finished_jobs_result_files_are_missing(sandbox: Sandbox,
                                                                    tmp_path: Path) -> None:
    """x39r5 F1: a kill between a run's last write and its result files left the job
    "finished" with none, and status said nothing of them. It says they are missing (or
    an earlier run's), and a resume writes them."""
    env = {"PIPEDRIVE_API_TOKEN": sandbox.token}
    runner = CliRunner()
    res = runner.invoke(app, ["move-stage", "--to-stage", "Qualified", "--status", "open",
                              "--yes", "--url", sandbox.url, "--plan", "ultimate",
                              "--job-dir", str(tmp_path)], env=env)
    assert res.exit_code == 0, res.output
    job_dir = next(tmp_path.iterdir())
    args = ["status", job_dir.name, "--job-dir", str(tmp_path)]
    assert "result files" not in runner.invoke(app, args).output
    summary = job_dir / "summary.json"
    kept = summary.read_bytes()
    summary.unlink()  # as a kill -9 right after the last write leaves it
    out = runner.invoke(app, args).output
    # the three CSVs written, summary.json not: said as such, not "not written" (x40r1 F5)
    assert ("result files: summary.json missing (not written, or deleted or moved since); "
            "succeeded.csv, failed.csv and unprocessed.csv on disk") in out \
        and "pdbulk resume" in out, out
    info = orjson.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert info["status"] == "finished" and info["results_missing"].startswith(
        "summary.json missing (not written, or deleted or moved since)"), info
    (job_dir / "unprocessed.csv").unlink()  # a kill while the CSVs were written
    # x41r2: a CSV a person deleted was "the run ended while writing them": missing, no why
    assert "unprocessed.csv and summary.json missing (not written, or deleted or moved " \
        "since); succeeded.csv and failed.csv on disk" in runner.invoke(app, args).output
    for name in ("succeeded.csv", "failed.csv"):
        (job_dir / name).unlink()
    out = runner.invoke(app, args).output
    assert "result files: missing: none on disk (not written, or deleted or" in out, out
    stale = orjson.loads(kept)
    stale["items"]["done"] = 1  # an earlier run's files: other counts than the store's
    summary.write_bytes(orjson.dumps(stale))
    assert "result files: out of date" in runner.invoke(app, args).output
    res = runner.invoke(app, ["resume", job_dir.name, "--job-dir", str(tmp_path)], env=env)
    assert res.exit_code == 0, res.output
    assert "result files" not in runner.invoke(app, args).output
    info = orjson.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert info["results_missing"] is None, info


def test_jobs_flags_a_finished_job_whose_result_files_are_missing(sandbox: Sandbox,
                                                                  tmp_path: Path) -> None:
    """f40a: a kill between a run's status and its result files left a "finished" job
    with none, and ``pdbulk jobs`` listed it as any finished one. Its line (and --json's
    ``results_missing``) says they are missing and that resume writes them."""
    env = {"PIPEDRIVE_API_TOKEN": sandbox.token}
    runner = CliRunner()
    res = runner.invoke(app, ["move-stage", "--to-stage", "Qualified", "--status", "open",
                              "--yes", "--url", sandbox.url, "--plan", "ultimate",
                              "--job-dir", str(tmp_path)], env=env)
    assert res.exit_code == 0, res.output
    job_dir = next(tmp_path.iterdir())
    args = ["jobs", "--job-dir", str(tmp_path)]
    assert "result files" not in runner.invoke(app, args).output
    [listed] = orjson.loads(runner.invoke(app, [*args, "--json"]).stdout)["jobs"]
    assert listed["results_missing"] is None, listed
    moved = (job_dir / "succeeded.csv").read_bytes()
    (job_dir / "succeeded.csv").unlink()  # x40r5 F6: one file moved away, summary.json kept
    out = runner.invoke(app, args).output
    assert "result files succeeded.csv is missing (deleted or moved" in out, out
    [listed] = orjson.loads(runner.invoke(app, [*args, "--json"]).stdout)["jobs"]
    assert listed["results_missing"].startswith("succeeded.csv is missing"), listed
    status = ["status", job_dir.name, "--job-dir", str(tmp_path)]
    assert "result files: succeeded.csv is missing" in runner.invoke(app, status).output
    (job_dir / "succeeded.csv").write_bytes(moved)
    assert "result files" not in runner.invoke(app, args).output
    for name in ("succeeded.csv", "failed.csv", "unprocessed.csv", "summary.json"):
        (job_dir / name).unlink(missing_ok=True)  # as a kill -9 right after the status
    out = runner.invoke(app, args).output
    assert "finished" in out and "result files missing: none on disk" in out, out
    assert "pdbulk resume writes them" in out, out
    [listed] = orjson.loads(runner.invoke(app, [*args, "--json"]).stdout)["jobs"]
    assert listed["status"] == "finished" and listed["results_missing"], listed
    res = runner.invoke(app, ["resume", job_dir.name, "--job-dir", str(tmp_path)], env=env)
    assert res.exit_code == 0, res.output
    assert "result files" not in runner.invoke(app, args).output
