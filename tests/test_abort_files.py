"""f31o / f32d 1: a run aborted by a second Ctrl-C (more than ``ABORT_AFTER`` s after the
first signal) wrote no result files: the row-by-row record of what was done was in the job
store alone. Now every kind's abort writes succeeded / failed / unprocessed and
summary.json for the rows settled so far, says it was aborted, and names the job to
resume."""

from __future__ import annotations

import asyncio
import csv
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.progress import ProgressView
from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState, JobStore
from pdbulk import options
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "abort-files-token-0123"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=60,
                                       seed=9, time_scale=0.05, burst=5)) as box:
        yield box


@pytest.fixture
def ctrl_c_twice(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Once a run has settled its first row (its progress view's first update saying so):
    Ctrl-C, then Ctrl-C again past ``ABORT_AFTER`` (0 here): the abort. Armed per run
    (``armed.append(1)``)."""
    armed: list[int] = []
    real = ProgressView.update

    def update(self: ProgressView, stats: Any, *, final: bool = False) -> None:
        real(self, stats, final=final)
        if armed and not final and stats.done + stats.failed >= 1:
            armed.clear()
            # from the loop itself, as a signal mostly lands (the loop waiting on sockets)
            asyncio.get_running_loop().call_soon(twice)

    def twice() -> None:
        os.kill(os.getpid(), signal.SIGINT)  # the stop
        os.kill(os.getpid(), signal.SIGINT)  # the abort (its handler raises here)

    monkeypatch.setattr(ProgressView, "update", update)
    monkeypatch.setattr(options, "ABORT_AFTER", 0.0)
    return armed


def _cli(*args: str) -> Any:
    res = CliRunner().invoke(app, [*args], env={**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN})
    assert "Traceback" not in res.output, res.output
    return res


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def _aborted_with_files(output: str, directory: Path) -> None:
    """The abort's line names the job to resume; its files hold every row the store
    settled (succeeded: done and skipped; failed; unprocessed: the rest)."""
    assert "aborted" in output and "resume" in output and directory.name in output, output
    for name in ("succeeded.csv", "failed.csv", "unprocessed.csv", "summary.json"):
        assert (directory / name).is_file(), (name, output)
    store = JobStore.open(directory)
    try:
        rows = [i for i in store.items() if i.row is not None]
        settled = sum(1 for i in rows if i.state in (ItemState.DONE, ItemState.SKIPPED))
        left = sum(1 for i in rows if i.state in (ItemState.PENDING, ItemState.SENDING))
        assert settled >= 1, (settled, left, output)
        assert _rows(directory / "succeeded.csv") == settled, output
        assert _rows(directory / "unprocessed.csv") == left, output
        summary = orjson.loads((directory / "summary.json").read_bytes())
        assert summary["status"] == "stopped" == store.status
        assert summary["message"] == store.status_message == options.ABORTED
    finally:
        store.close()


def test_every_kind_s_abort_writes_the_rows_settled_so_far(
        sb: Sandbox, tmp_path: Path, ctrl_c_twice: list[int]) -> None:
    """import, update, undo, move-stage, merge, dedupe apply and a resume, each aborted
    after its first settled row: exit 4, "aborted; resume with: ...", and the result
    files of the rows settled so far (0 files for each before)."""
    from tests.dedupe_job_support import seed_account

    jobs = tmp_path / "jobs"
    common = ["--url", sb.url, "--plan", "ultimate", "--oauth", "--job-dir", str(jobs),
              "--workers", "2"]
    ids = sorted(d["id"] for d in sb.state.deals.rows.values()
                 if not d["is_deleted"] and not d["is_archived"])
    (tmp_path / "u.toml").write_text('[update]\nid_column = "deal_id"\n[deal]\ntitle = "title"\n')
    (tmp_path / "u.csv").write_text("deal_id,title\n" + "".join(
        f"{i},Aborted {i}\n" for i in ids[:30]))
    (tmp_path / "pairs.csv").write_text("merge_id,survivor_id\n" + "".join(
        f"{a},{b}\n" for a, b in zip(ids[40:52:2], ids[41:53:2], strict=True)))
    (tmp_path / "i.toml").write_text('[import]\nkey_column = "key"\nmode = "insert"\n'
                                     '[deal]\ntitle = "title"\n')
    (tmp_path / "i.csv").write_text("key,title\n" + "".join(
        f"k{i},New {i}\n" for i in range(40)))
    runs = [("import", [str(tmp_path / "i.csv"), "-m", str(tmp_path / "i.toml"),
                        "--create-key-field"]),
            ("update", [str(tmp_path / "u.csv"), "-m", str(tmp_path / "u.toml"), "--yes"]),
            ("resume", ["UPDATE"]),
            ("finish", ["UPDATE"]),  # an undo needs the update settled
            ("undo", ["UPDATE", "--yes"]),
            ("move-stage", ["--pipeline", "Sales", "--to-stage", "Contact Made", "--yes"]),
            ("merge", [str(tmp_path / "pairs.csv"), "--yes"])]
    for kind, args in runs:
        before = set(jobs.iterdir()) if jobs.exists() else set()
        update = next((p.name for p in jobs.iterdir() if "update" in p.name), "") \
            if jobs.exists() else ""
        args = [update if a == "UPDATE" else a for a in args]
        extra = [a for a in common if kind not in ("resume", "finish") or a not in (
            "--url", sb.url, "--plan", "ultimate", "--oauth", "--workers", "2")]
        if kind == "finish":
            assert _cli("resume", *args, *extra).exit_code == 0
            continue
        ctrl_c_twice.append(1)
        ran = _cli(kind, *args, *extra)
        assert ran.exit_code == 4, (kind, ran.output)
        made = (set(jobs.iterdir()) - before) or {jobs / update}
        _aborted_with_files(ran.output, made.pop())
    seed_account(sb)
    plan_dir = tmp_path / "dedupe-plan"
    made_plan = _cli("dedupe", "plan", "-o", str(plan_dir), *common)
    assert made_plan.exit_code == 0, made_plan.output
    before = set(jobs.iterdir())
    ctrl_c_twice.append(1)
    ran = _cli("dedupe", "apply", str(plan_dir), "--yes", *common)
    assert ran.exit_code == 4, ran.output
    made = {p for p in set(jobs.iterdir()) - before if "dedupe-state" not in p.name}
    _aborted_with_files(ran.output, made.pop())


def test_a_large_job_s_abort_says_how_to_get_its_files(
        sb: Sandbox, tmp_path: Path, ctrl_c_twice: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``ABORT_FILES_ITEMS`` the abort does not hold on a long pass over the store:
    one line says `pdbulk resume` writes them."""
    monkeypatch.setattr(options, "ABORT_FILES_ITEMS", 5)
    ids = sorted(d["id"] for d in sb.state.deals.rows.values()
                 if not d["is_deleted"] and not d["is_archived"])
    (tmp_path / "u.toml").write_text('[update]\nid_column = "deal_id"\n[deal]\ntitle = "title"\n')
    (tmp_path / "u.csv").write_text("deal_id,title\n" + "".join(
        f"{i},Aborted {i}\n" for i in ids[:30]))
    jobs = tmp_path / "jobs"
    ctrl_c_twice.append(1)
    ran = _cli("update", str(tmp_path / "u.csv"), "-m", str(tmp_path / "u.toml"), "--yes",
               "--url", sb.url, "--plan", "ultimate", "--oauth", "--job-dir", str(jobs),
               "--workers", "2")
    assert ran.exit_code == 4, ran.output
    assert "result files not written (30 items" in ran.output, ran.output
    assert "pdbulk resume" in ran.output and "aborted; resume with" in ran.output, ran.output
    assert not (next(jobs.iterdir()) / "succeeded.csv").exists()


def test_an_interrupt_inside_a_task_group_leaves_run_loop_as_itself() -> None:
    """A Ctrl-C whose KeyboardInterrupt a signal raised inside a worker task comes out of
    anyio as a ``BaseExceptionGroup``: ``run_loop`` raises the KeyboardInterrupt the
    commands' abort paths catch (before: the group, a traceback and no result files)."""
    import anyio

    from bulk.loop import run_loop

    async def main() -> None:
        async def worker() -> None:
            raise KeyboardInterrupt

        async with anyio.create_task_group() as tg:
            tg.start_soon(worker)
            await anyio.sleep(5)

    with pytest.raises(KeyboardInterrupt):
        run_loop(main)


def test_files_that_cannot_be_written_say_how_to_get_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A job the abort cannot open (gone, or held): one line, the resume that writes them,
    nothing raised."""
    options.files_after_abort(tmp_path / "20261205-000000-update-0000")
    err = capsys.readouterr().err
    assert err.startswith("result files not written (") and err.count("\n") == 1, err
    assert f"pdbulk resume 20261205-000000-update-0000 --job-dir {tmp_path}" in err, err
