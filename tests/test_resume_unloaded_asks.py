"""A job killed before or while its load, resumed: one that was to ask (started without
--yes) is never run by a resume, even killed while still "planned" (x44r6 F1); one whose
input file was edited since it was started is refused, naming the file (x44r6 F3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox
from bulk.store import JobStore
from jobs.api import new_store
from jobs.finished import ledger_tokens
from jobs.reload_recipe import RELOAD_ASKS
from tests.import_support import engine_config
from tests.test_plan_tokens import cli, engine, sb, spent
from tests.test_plan_tokens_load_again import _killed_while_loading, _work

__all__ = ["sb"]  # the fixture, imported


@pytest.mark.parametrize("kind", ["merge", "move-stage", "undo"])
def test_a_job_killed_while_planned_that_was_to_ask_is_never_run_by_resume(
        sb: Sandbox, tmp_path: Path, kind: str) -> None:
    """x44r6 F1: a move-stage / merge / undo started without --yes and killed right after
    its folder appeared ("planned": its load not begun) was loaded again and run by
    resume (3 of 3 deals moved, 2 of 2 merges made) though nobody said yes. Refused in
    one line, nothing sent, cancelled."""
    jobs = tmp_path / "jobs"
    work, done = _work(kind, sb, tmp_path)
    store = new_store(engine_config(sb, jobs, auth="oauth"), work)  # as `pdbulk merge` (no --yes)
    job = store.job_id
    store.close()
    if work.release is not None:
        work.release()
    before = spent(sb)
    res = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
    assert res.exit_code == 1, res.output
    assert res.output.count("\n") == 1 and "before it asked to send" in res.output, res.output
    assert spent(sb) == before and not done()
    with JobStore.open(jobs / job, lock=False) as kept:
        assert kept.status == "cancelled", kept.status


class _Killed(Exception):
    """The kill -9 of the command, right after its job folder appeared."""


@pytest.mark.parametrize("yes", [False, True])
def test_the_cli_keeps_whether_it_asks_with_the_job_itself(
        sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, yes: bool) -> None:
    """`pdbulk merge` keeps whether it asks in the transaction that makes the job: killed
    before its load, its resume refuses it without --yes and loads it again and runs it
    with --yes."""
    import jobs.api

    def killed(*_: Any, store: JobStore, **__: Any) -> Any:
        store.close()
        raise _Killed
    monkeypatch.setattr(jobs.api, "run_job", killed)
    folder = tmp_path / "jobs"
    _, done = _work("merge", sb, tmp_path)
    res = cli(sb, folder, "merge", str(tmp_path / "pairs.csv"), *engine(sb, folder),
              *(["--yes"] if yes else []))
    assert "(_Killed)" in res.output, res.output  # the command ended there
    monkeypatch.undo()
    (job,) = [p.name for p in folder.iterdir()]
    with JobStore.open(folder / job, lock=False) as store:
        assert store.status == "planned" and store.config[RELOAD_ASKS] is (not yes)
    before = spent(sb)
    res = cli(sb, folder, "resume", job, "--job-dir", str(folder))
    if yes:
        assert res.exit_code == 0 and done(), res.output
    else:
        assert res.exit_code == 1 and "before it asked to send" in res.output, res.output
        assert spent(sb) == before and not done()


def _edit(kind: str, tmp: Path, sb: Sandbox) -> Path:
    """Edit the input file of ``kind`` (as ``_work`` wrote it): one row added."""
    ids = sorted(d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"])
    if kind == "merge":
        path = tmp / "pairs.csv"
        path.write_text(path.read_text() + f"{ids[50]},{ids[51]}\n")
    elif kind == "move-stage":
        path = tmp / "ids.csv"
        path.write_text(path.read_text() + f"{ids[55]}\n")
    elif kind == "update":
        path = tmp / "u.csv"
        path.write_text(path.read_text() + f"{ids[56]},Added\n")
    else:  # the update's mapping, the same size: its content is compared
        path = tmp / "u.toml"
        text = path.read_text()
        path.write_text(text.replace("title", "TITLE", 1) if "title" in text else text + "#")
    return path


@pytest.mark.parametrize("kind", ["merge", "move-stage", "update", "mapping"])
def test_a_file_edited_after_a_kill_while_loading_is_not_read_again(
        sb: Sandbox, tmp_path: Path, kind: str) -> None:
    """x44r6 F3: a move-stage's manifest, a merge's pairs file, an update's manifest or
    mapping edited between the kill and the resume was read again with no word (a deal
    the started job never named moved, an added pair merged: final). Refused in one line
    naming the file, exit 1, nothing sent, the job left as it was (not failed); the file
    put back, it is loaded again and run."""
    jobs = tmp_path / "jobs"
    work, done = _work("update" if kind == "mapping" else kind, sb, tmp_path)
    job = _killed_while_loading(sb, jobs, work)
    path = _edit(kind, tmp_path, sb)
    kept = path.read_bytes()
    before = spent(sb)
    res = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
    assert res.exit_code == 1, res.output
    assert res.output.count("\n") == 1 and str(path) in res.output \
        and "changed since job" in res.output, res.output
    assert spent(sb) == before and not done()
    with JobStore.open(jobs / job, lock=False) as store:
        assert store.status == "loading" and ledger_tokens(store) > 0, store.status
    assert path.read_bytes() == kept


def test_a_job_killed_between_its_load_and_its_question_is_never_run_by_resume(
        sb: Sandbox, tmp_path: Path) -> None:
    """The same fault one step later: a merge started without --yes, loaded (marked so) and
    killed before its question was written (its plan printing) was run by resume: no
    question was pending, so nothing said it was never confirmed. Refused, cancelled."""
    import anyio

    from jobs.api import run_job
    from tests.test_plan_tokens import TOKEN

    jobs = tmp_path / "jobs"
    work, done = _work("merge", sb, tmp_path)

    def killed(*_: Any) -> None:
        raise _Killed

    async def start() -> None:
        await run_job(engine_config(sb, jobs, auth="oauth"), TOKEN, work,
                      confirm=lambda _: True, on_loaded=killed)
    with pytest.raises(_Killed):
        anyio.run(start)
    (job,) = [p.name for p in jobs.iterdir()]
    with JobStore.open(jobs / job, lock=False) as store:
        assert store.loaded and store.status == "loaded"
    before = spent(sb)
    res = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
    assert res.exit_code == 1 and "never confirmed" in res.output, res.output
    assert spent(sb) == before and not done()
