"""What a plan saw in Pipedrive (``jobs.plan_seen``, x47r8 F2) bridges that plan and its
run, nothing more (f48c): an update that finishes forgets its deals' sightings, an undo
forgets those of the deals it put back, a stopped update keeps them, and a sighting older
than ``AGE`` is neither read nor kept (none was ever deleted before)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from typer.testing import CliRunner

from bulk.claims import state_dir
from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState, JobStore, NewItem, Outcome
from jobs import plan_seen
from jobs.update_job import forget_seen
from pdbulk.cli import app
from tests.test_update_three_way import _http
from tests.test_update_three_way_plan_saw import MAPPING
from tests.update_support import cli_args, threaded_sandbox


def _cli(sb: Sandbox, tmp_path: Path, *args: str) -> object:
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    return CliRunner().invoke(app, [*args, *cli_args(sb, tmp_path / "jobs")], env=env)


def _rows() -> list[tuple[int, str, float]]:
    path = state_dir() / plan_seen.FILE
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        return [(int(d), str(f), float(a))
                for d, f, a in conn.execute("SELECT deal, field, at FROM seen ORDER BY deal")]
    finally:
        conn.close()


def _account() -> str:
    conn = sqlite3.connect(state_dir() / plan_seen.FILE)
    try:
        return str(conn.execute("SELECT account FROM seen").fetchone()[0])
    finally:
        conn.close()


def test_a_finished_update_and_an_undo_forget_what_the_plan_saw(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        (tmp_path / "map.toml").write_text(MAPPING)
        deal = _http(sb, "GET", 3)
        pipeline = [s for s in sorted(sb.state.stages)
                    if sb.state.stages[s]["pipeline_id"] == deal["pipeline_id"]]
        wanted = next(s for s in pipeline if s != deal["stage_id"])
        stage = f'{sb.state.pipelines[deal["pipeline_id"]]["name"]} > ' \
                f'{sb.state.stages[wanted]["name"]}'
        (tmp_path / "f.csv").write_text(f'Deal ID,Title,Stage\n3,"{deal["title"]}",'
                                        f'"{stage}"\n')
        mapping = ["--mapping", str(tmp_path / "map.toml")]
        planned = _cli(sb, tmp_path, "plan", "update", str(tmp_path / "f.csv"), *mapping)
        assert planned.exit_code == 0, planned.output  # type: ignore[attr-defined]
        assert [(d, f) for d, f, _ in _rows()] == [(3, "stage_id")]  # the plan's sighting
        account = _account()  # the URL and the run's token key
        done = _cli(sb, tmp_path, "update", str(tmp_path / "f.csv"), "--yes", *mapping)
        assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
        assert _http(sb, "GET", 3)["stage_id"] == wanted
        assert _rows() == []  # finished: the bridge is crossed
        (job,) = (tmp_path / "jobs").iterdir()
        # a later plan saw deal 3 (say, of another file); the undo puts deal 3 back
        conn = sqlite3.connect(state_dir() / plan_seen.FILE)
        with conn:
            conn.executemany("INSERT INTO seen VALUES (?, ?, ?, ?, ?)",
                             [(account, 3, "stage_id", "0" * 16, time.time()),
                              (account, 5, "title", "1" * 16, time.time())])
        conn.close()
        undone = _cli(sb, tmp_path, "undo", job.name, "--yes")
        assert undone.exit_code == 0, undone.output  # type: ignore[attr-defined]
        assert _http(sb, "GET", 3)["stage_id"] == deal["stage_id"]
        assert [d for d, _, _ in _rows()] == [5]  # deal 5 was no deal of the job


def _store(tmp_path: Path, name: str, *states: ItemState) -> JobStore:
    store = JobStore.create(tmp_path / name, job_id=name, kind="update",
                            config={"engine": {"base_url": "http://x"}})
    store.add_items([NewItem(n, str(n), "update", {"deal_id": 7 + n})
                     for n in range(len(states))])
    ids = [i.id for i in store.items()]
    store.mark_sending([i for i, st in zip(ids, states, strict=True)
                        if st is not ItemState.PENDING], 1e9)
    store.record([Outcome(i, st) for i, st in zip(ids, states, strict=True)
                  if st not in (ItemState.PENDING, ItemState.SENDING)])
    return store


def test_a_job_with_rows_left_keeps_them(tmp_path: Path) -> None:
    plan_seen.keep("http://x", [(7, {"title": "a" * 16}), (8, {"title": "b" * 16})],
                   at=time.time())  # within AGE: forget_seen opens the file by the clock
    for states in ((ItemState.DONE, ItemState.PENDING), (ItemState.SENDING,)):
        store = _store(tmp_path, f"left{len(states)}", *states)
        try:
            assert forget_seen(store) == 0  # rows to send or in doubt: a resume to come
        finally:
            store.close()
    assert len(_rows()) == 2
    store = _store(tmp_path, "ended", ItemState.DONE, ItemState.FAILED)
    try:
        assert forget_seen(store) == 2
    finally:
        store.close()
    assert _rows() == []


def test_a_sighting_older_than_its_age_is_not_read_and_goes_at_the_next_keep() -> None:
    old, now = 1e9, 1e9 + plan_seen.AGE + 60
    sign = plan_seen.KEYED + "a" * 16  # as ``sealed`` keeps it (an unkeyed one is not read)
    plan_seen.keep("http://x", [(1, {"title": sign})], at=old)
    assert plan_seen.seen("http://x", [1], now=old) == {1: {"title": sign}}
    assert plan_seen.seen("http://x", [1], since=now - plan_seen.AGE, now=old) == {}
    plan_seen.keep("http://x", [(2, {"title": "b" * 16})], at=now)
    assert [(d, a) for d, _, a in _rows()] == [(2, now)]
    assert plan_seen.forget("http://x", [2, 3], now=now) == 1
    assert plan_seen.forget("http://y", [2], now=now) == 0


def test_the_state_files_open_alike(tmp_path: Path) -> None:
    """One helper opens both state-folder SQLite files: 0600 in a 0700 folder, WAL."""
    from jobs import last_written

    plan_seen.keep("http://x", [(1, {"title": "a" * 16})], at=1e9)
    last_written.observe("http://x", [(1, {"title": "a" * 16})], at=1e9)
    for name in (plan_seen.FILE, last_written.FILE):
        path = state_dir() / name
        assert path.stat().st_mode & 0o777 == 0o600, name
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal", name
        finally:
            conn.close()
    assert state_dir().stat().st_mode & 0o777 == 0o700
