"""The library's job builders (``jobs.move_deals``, ``jobs.undo_job``, ``DealQuery``) refuse
bad options when the job is built, naming the keyword arguments; the CLI keeps its flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.store import JobStore
from jobs import DealQuery, move_deals, undo_job
from pdbulk.cli import app


@pytest.mark.parametrize(("call", "words"), [
    (lambda: move_deals("Qualified", status_to="maybe", select=DealQuery(stage="Lead In")),
     "status_to must be one of open, won, lost, not 'maybe'"),
    (lambda: move_deals("Qualified", status_to="open", lost_reason="x",
                        select=DealQuery(stage="Lead In")),
     "lost_reason needs status_to='lost'"),
    (lambda: move_deals("Qualified", lost_reason="x", select=DealQuery(stage="Lead In")),
     "lost_reason needs status_to='lost'"),
    (lambda: move_deals("Qualified"), "select= (a DealQuery"),
    (lambda: move_deals("Qualified", select=DealQuery(stage="Lead In"), limit=0),
     "limit must be at least 1"),
    (lambda: DealQuery(status="sometimes"),
     "DealQuery(status=...) must be one of open, won, lost, not 'sometimes'"),
    (lambda: DealQuery(updated_before="soon"), "DealQuery(updated_before=...): not a date"),
])
def test_bad_options_are_refused_when_the_job_is_built(call: object, words: str) -> None:
    """x18r3 F2: each refused by the call itself, in the keywords' names (was: built
    without complaint, refused by plan_job / run_job as '--status-to must be ...')."""
    with pytest.raises(InputError) as exc:
        call()  # type: ignore[operator]
    assert words in str(exc.value) and "--" not in str(exc.value), str(exc.value)


def test_undo_of_a_merge_job_is_refused_when_built(tmp_path: Path) -> None:
    """undo_job of a job it cannot undo (a merge) refuses at once, not at plan / run."""
    store = JobStore.create(tmp_path / "m", job_id="m", kind="merge", config={})
    try:
        with pytest.raises(InputError, match="merges are final"):
            undo_job(store)
    finally:
        store.close()


def test_the_cli_keeps_its_flag_names() -> None:
    """The same refusals from `pdbulk move-stage` name the flags, one line, exit 2 (a usage
    error: x22r2 F1)."""
    env = {"PIPEDRIVE_API_TOKEN": "tok"}
    for args, words in (
            (["--stage", "Lead In", "--status-to", "open", "--lost-reason", "x"],
             "--lost-reason needs --status-to lost"),
            (["--stage", "Lead In", "--updated-before", "soon"], "'--updated-before': not a date"),
            (["--stage", "Lead In", "--limit", "0"], "'--limit'"),  # parsed: click's words
            ([], "a query (--pipeline")):
        res = CliRunner().invoke(app, ["move-stage", "--to-stage", "Qualified", *args,
                                       "--url", "http://127.0.0.1:9/"], env=env)
        assert res.exit_code == 2, res.output
        assert words in res.output and "Traceback" not in res.output, res.output
