"""`pdbulk status` in the CLI's words (x32r1): a budget stop names the flag alone, as the
run's own line does (F5: "(--max-tokens, BudgetPolicy.max_tokens)"), and an item left
"sending" by a run that is over shows as in doubt, not as if something still ran (F6:
"pending 14, sending 1" for a job stopped at its cap)."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.errors import CAP_SETTING
from bulk.store import ItemState, JobStore, NewItem
from pdbulk.cli import app

_STOPPED = (f"this run's cap of 300 tokens ({CAP_SETTING}) is spent (296 used; "
            "mergeDeals needs 40)")


def _stopped_job(root: Path) -> None:
    """A job as a run capped by --max-tokens leaves it: 14 pending, one whose call was
    in flight (its answer lost) still "sending", the stop's message."""
    store = JobStore.create(root / "j1", job_id="j1", kind="touch", config={})
    try:
        store.add_items([NewItem(row=i, key=str(i), op="update", payload={})
                         for i in range(1, 16)])
        store.set_status("running")
        store.mark_sending([store.pending(1)[0].id], 0.0)
        store.set_status("stopped", _STOPPED)
    finally:
        store.close()


def test_status_names_the_flag_alone(tmp_path: Path) -> None:
    _stopped_job(tmp_path)
    res = CliRunner().invoke(app, ["status", "j1", "--job-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    # labelled by the stop's cause since f32d ("why it stopped", not "last error")
    assert "why it stopped: this run's cap of 300 tokens (--max-tokens) is spent" in res.output
    assert "BudgetPolicy" not in res.output
    as_json = CliRunner().invoke(app, ["status", "j1", "--json", "--job-dir", str(tmp_path)])
    assert "BudgetPolicy" not in as_json.output
    assert orjson.loads(as_json.output)["message"].startswith(
        "this run's cap of 300 tokens (--max-tokens) is spent")


def test_status_shows_an_item_sending_after_the_run_as_in_doubt(tmp_path: Path) -> None:
    _stopped_job(tmp_path)
    res = CliRunner().invoke(app, ["status", "j1", "--job-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "items: in doubt 1, pending 14; total 15" in res.output, res.output
    assert "sending" not in res.output
    info = orjson.loads(CliRunner().invoke(
        app, ["status", "j1", "--json", "--job-dir", str(tmp_path)]).output)
    assert info["counts"][ItemState.SENDING.value] == 1  # as before
    assert info["in_doubt"] == 1


def test_jobs_and_the_runs_last_line_say_in_doubt_as_status_does(
        tmp_path: Path, capsys: object) -> None:
    """x44r3 F3: after a budget stop the run's last line and `pdbulk jobs` said "pending 81,
    sending 3" where `status` said "in doubt 3": one wording (``bulk.wording.state_word``)."""
    import pytest
    import typer

    from bulk.runner import RunResult, RunStats
    from pdbulk.options import finish

    _stopped_job(tmp_path)
    listed = CliRunner().invoke(app, ["jobs", "--job-dir", str(tmp_path)])
    assert "in doubt 1" in listed.output and "sending" not in listed.output, listed.output
    as_json = orjson.loads(CliRunner().invoke(
        app, ["jobs", "--json", "--job-dir", str(tmp_path)]).output)
    assert as_json["jobs"][0]["counts"] == {"pending": 14, "sending": 1}  # --json keeps it
    store = JobStore.open(tmp_path / "j1")
    try:
        with pytest.raises(typer.Exit):
            finish(store, RunResult(stopped=True, error=None, stats=RunStats(),
                                    counts={ItemState.PENDING: 14, ItemState.SENDING: 1}))
    finally:
        store.close()
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "job j1: in doubt 1, pending 14" in out and "sending" not in out, out
