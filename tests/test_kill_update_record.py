"""An update killed by a real kill -9 and never resumed: the next `plan update` / `update`
of the same file keeps a colleague's edit of a deal the dead run wrote (x46r6 F1: 10 of
10 colleague titles overwritten, 2 runs of 2). The killed run's settled writes are in the
state folder's record (``jobs.last_written.Recorder`` as rows settle, and
``jobs.last_written_runs.catch_up`` for what its last batch left); its writes in doubt
are not recorded as written, and said."""

from __future__ import annotations

import os
import sqlite3
import urllib.request
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run

N = 60


def _retitle(sb: Sandbox, deal_id: int, title: str) -> None:
    """A colleague's edit in Pipedrive (over HTTP: not this tool)."""
    ask = urllib.request.Request(
        f"{sb.url}/api/v2/deals/{deal_id}", method="PATCH",
        data=orjson.dumps({"title": title}),
        headers={"x-api-token": sb.token, "content-type": "application/json"})
    with urllib.request.urlopen(ask, timeout=10) as answer:
        assert answer.status == 200


def _cli(sb: Sandbox, *args: str) -> str:
    done = CliRunner().invoke(app, list(args), env={**os.environ,
                                                    "PIPEDRIVE_API_TOKEN": sb.token})
    assert done.exit_code == 0 and "Traceback" not in done.output, done.output
    return str(done.output)


@pytest.mark.slow
def test_a_colleagues_edit_after_a_killed_update_is_kept_by_the_next_update(
        tmp_path: Path) -> None:
    """`plan update`, `update --workers 2` killed (SIGKILL) after 20 PATCHes applied, never
    resumed; a colleague retitles 5 deals the dead run wrote (done in its store); a new
    `plan update` + `update` of the same file keeps those 5 titles and sends the rest."""
    config = SandboxConfig(plan="ultimate", deals=N, seed=7,
                           faults=Faults(latency_ms=40.0, latency_jitter_ms=10.0,
                                         only_operations=frozenset({"updateDeal"})))
    manifest = tmp_path / "f1.csv"
    manifest.write_text("deal_id,title\n" + "".join(f"{i},File title {i}\n"
                                                    for i in range(1, N + 1)))
    mapping = tmp_path / "u.toml"
    mapping.write_text('[update]\nid_column = "deal_id"\n[deal]\ntitle = "title"\n')
    jobs = tmp_path / "jobs"
    with ThreadedSandbox(config) as sb:
        where = ["--url", sb.url, "--plan", "ultimate", "--job-dir", str(jobs)]
        _cli(sb, "plan", "update", str(manifest), "-m", str(mapping), *where)
        kill_mid_run(sb, ["update", str(manifest), "-m", str(mapping), "--yes",
                          "--workers", "2", *where], operation="updateDeal", applied=20,
                     poll=0.002)
        (killed,) = [p for p in jobs.iterdir() if p.is_dir()]
        with JobStore.open(killed, lock=False) as store:
            done = sorted(int(i.payload["deal_id"]) for i in store.items(ItemState.DONE))
            doubt = sum(1 for _ in store.items(ItemState.SENDING))
        assert len(done) >= 5, (done, doubt)
        edited = done[:5]
        for deal_id in edited:
            _retitle(sb, deal_id, f"Colleague {deal_id}")
        said = _cli(sb, "plan", "update", str(manifest), "-m", str(mapping), *where)
        _cli(sb, "update", str(manifest), "-m", str(mapping), "--yes", *where)
        titles = {d["id"]: d["title"] for d in sb.state.deals.rows.values()}
    record = sqlite3.connect(Path(os.environ["PDBULK_STATE_DIR"]) / "last-written.sqlite3")
    try:  # the runs not ended: the killed one while its writes in doubt wait for a resume
        runs = [job for (job,) in record.execute("SELECT job FROM runs")]
    finally:
        record.close()
    assert runs == ([killed.name] if doubt else []), (runs, doubt)
    assert {i: titles[i] for i in edited} == {i: f"Colleague {i}" for i in edited}
    assert all(titles[i] == f"File title {i}" for i in range(1, N + 1) if i not in edited)
    assert "5 fields of 5 deals changed in Pipedrive" in said, said
    if doubt:  # the dead run's writes in doubt are not taken as written: said, with the way out
        assert f"job {killed.name}" in said and "in doubt" in said, said


class _Store:
    """As much of a job store as ``register`` and ``forget_written`` read."""

    def __init__(self, job_id: str, directory: Path, source: str | None = None) -> None:
        self.job_id, self.directory, self._source = job_id, directory, source
        self.config = {"engine": {"base_url": "http://127.0.0.1:1"}}

    def items(self, state: object = None) -> list[object]:
        return []

    def meta_get(self, key: str) -> object:
        return self._source if key == "source_job" else None


def test_an_undo_of_a_killed_update_unregisters_it(tmp_path: Path) -> None:
    """The undo of an update a kill left registered drops it: the next update's
    ``catch_up`` never records the writes the undo put back (they would read as kept
    from Pipedrive, and the file's values would not be sent again)."""
    from typing import cast

    from bulk.store import JobStore
    from jobs import last_written_runs
    from jobs.undo.job import forget_written

    last_written_runs.register(cast(JobStore, _Store("killed-1", tmp_path)),
                               "http://127.0.0.1:1")
    record = Path(os.environ["PDBULK_STATE_DIR"]) / "last-written.sqlite3"

    def runs() -> list[str]:
        conn = sqlite3.connect(record)
        try:
            return [job for (job,) in conn.execute("SELECT job FROM runs")]
        finally:
            conn.close()
    assert runs() == ["killed-1"]
    forget_written(cast(JobStore, _Store("undo-1", tmp_path, source="killed-1")))
    assert runs() == []

