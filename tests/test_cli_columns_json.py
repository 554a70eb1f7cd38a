"""``pdbulk jobs`` keeps its columns aligned whatever the job ids' lengths, and every
``--json`` output is one line, as cron appends it to a .jsonl (x23r4 F5)."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.store import JobStore
from pdbulk.cli import app


def _jobs(root: Path) -> None:
    for job_id in ("j1", "20261203-230233-update-1f15"):
        JobStore.create(root / job_id, job_id=job_id, kind="update", config={},
                        lock=False).close()


def test_jobs_columns_do_not_shift_with_the_job_ids_length(tmp_path: Path) -> None:
    """A short id and a long one: the kind column starts at the same place on both rows."""
    _jobs(tmp_path)
    res = CliRunner().invoke(app, ["jobs", "--job-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    rows = res.output.splitlines()
    assert len(rows) == 2, rows
    assert len({row.rindex(" update ") for row in rows}) == 1, rows
    assert len({row.index("interrupted") for row in rows}) == 1, rows


def test_every_json_output_is_one_line(tmp_path: Path) -> None:
    """``jobs --json`` and ``status J --json`` printed indented JSON over many lines while
    ``dedupe run --json`` printed one: each is one line now."""
    _jobs(tmp_path)
    for argv in (["jobs", "--json"], ["status", "j1", "--json"]):
        res = CliRunner().invoke(app, [*argv, "--job-dir", str(tmp_path)])
        assert res.exit_code == 0, res.output
        assert res.stdout.count("\n") == 1, (argv, res.stdout)
        assert isinstance(orjson.loads(res.stdout), dict)


def test_the_undo_question_names_no_cli_table(tmp_path: Path) -> None:
    """A library ``confirm`` was asked "… (see 'rows by action')?", a table only the CLI
    prints."""
    from jobs import undo_job

    with JobStore.create(tmp_path / "u", job_id="u", kind="update", config={}) as store:
        store.mark_loaded()
        store.set_status("running")
        store.set_status("finished")
        work = undo_job(store)
    assert work.question is not None and "rows by action" not in work.question
    assert work.question.format(n=3, s="s") == "Undo job u: send 3 restores / deletes?"
    # x24r5 F9: "Merge 1 pairs?"; one write is said in the singular
    assert work.question.format(n=1, s="") == "Undo job u: send 1 restore / delete?"


def test_jobs_says_the_rows_by_action_its_run_said(tmp_path: Path) -> None:
    """A re-import whose 400 rows all existed was listed ``skipped 400`` while its run said
    ``400 exists`` (x29r1 F7): the actions of its result files are listed beside."""
    _jobs(tmp_path)
    (tmp_path / "j1" / "summary.json").write_bytes(orjson.dumps(
        {"actions": {"exists": 400, "merged": 14, "updated": 0}}))
    res = CliRunner().invoke(app, ["jobs", "--job-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    row = next(r for r in res.output.splitlines() if r.startswith("j1 "))
    # (j1 is a job whose load was cut short: its load_cut words follow, 4151de9)
    assert "; by action: exists 400, merged 14" in row, row
    res = CliRunner().invoke(app, ["jobs", "--job-dir", str(tmp_path), "--json"])
    listed = {j["job"]: j for j in orjson.loads(res.stdout)["jobs"]}
    assert listed["j1"]["actions"] == {"exists": 400, "merged": 14}
    assert "actions" not in listed["20261203-230233-update-1f15"]
