"""A run cut off (kill -9) after its writes and before its end, never resumed, then a run of
another kind on the same deals: the upsert import and `update` each catch up what the
other's killed run settled before they read the state folder's record (f47e: an upsert
after a killed update, and an update or an upsert after a killed upsert, compared with the
base the earlier night wrote — a colleague's title was overwritten, said as "changed on
both sides"). The oracle: a field a colleague changed in Pipedrive since our last write,
that the file did not change, is kept; a field we wrote that the file still says is no
conflict."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.update_support import cli_args, threaded_sandbox

IMPORT = """
version = 1
[import]
key_column = "Key"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "Title"
value = "Amount"
"""
UPDATE = '[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'
KEYS = ("K1", "K2", "K3")
COLLEAGUE = "Renamed by a colleague"


class _Cut:
    """The run's record as a kill before its first batch leaves it: nothing recorded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.recorded = 0

    def start(self) -> None:
        pass

    def settled(self, item_id: int) -> None:
        pass


@contextmanager
def _killed(kind: str) -> Iterator[None]:
    """The run of ``kind`` stopped at a controlled point, as a kill -9 there stops it: every
    write applied and settled in its job store, no record batch written, its end never run
    (nothing recorded, nothing unregistered)."""
    from jobs.importing import ImportJob
    from jobs.updating import UpdateJob

    job = ImportJob if kind == "import" else UpdateJob

    async def cut(self: Any, result: object, stats: object) -> None:
        if (close := getattr(self, "close_record", None)) is not None:
            close()  # its read handles only: a dead process holds none

    with mock.patch("jobs.last_written.Recorder", _Cut), \
            mock.patch.object(job, "run_ended", cut):
        yield


def _cli(sb: Sandbox, tmp: Path, *args: str) -> str:
    done = CliRunner().invoke(app, [*args, *cli_args(sb, tmp / "jobs")],
                              env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
    assert done.exit_code == 0 and "Traceback" not in done.output, done.output
    return " ".join(done.output.split())


def _import(sb: Sandbox, tmp: Path, name: str, title: str, *more: str) -> str:
    manifest = tmp / name
    manifest.write_text("Key,Title,Amount\n" + "".join(f"{k},{title} {k},100\n" for k in KEYS))
    plan = [m for m in more if m == "plan"]
    return _cli(sb, tmp, *plan, "import", str(manifest), "-m", str(tmp / "import.toml"),
                *(m for m in more if m != "plan"))


def _update(sb: Sandbox, tmp: Path, ids: dict[str, int], title: str, *more: str) -> str:
    manifest = tmp / "update.csv"
    manifest.write_text("Deal,Title\n" + "".join(f"{ids[k]},{title} {k}\n" for k in KEYS))
    return _cli(sb, tmp, *more, "update", str(manifest), "-m", str(tmp / "update.toml"),
                *(() if more else ("--yes",)))


def _latest(tmp: Path) -> Path:
    return max((p for p in (tmp / "jobs").iterdir() if p.is_dir()),
               key=lambda p: p.stat().st_mtime)


def _retitle(sb: Sandbox, deal_id: int) -> None:
    """A colleague's edit in Pipedrive (over HTTP: not this tool)."""
    import urllib.request

    ask = urllib.request.Request(
        f"{sb.url}/api/v2/deals/{deal_id}", method="PATCH",
        data=orjson.dumps({"title": COLLEAGUE}),
        headers={"x-api-token": sb.token, "content-type": "application/json"})
    with urllib.request.urlopen(ask, timeout=10) as answer:
        assert answer.status == 200


@pytest.mark.parametrize(("cut", "then"), [("update", "import"), ("import", "update"),
                                           ("import", "import")])
def test_a_colleagues_edit_after_a_killed_run_of_another_kind_is_kept(
        tmp_path: Path, cut: str, then: str) -> None:
    """Night 1 imports K1..K3; a ``cut`` run writes "Written Kn" on all three and is killed
    before its end; a colleague renames K1's deal; the plan and the run of ``then`` (the
    file saying "Written Kn") keep the colleague's title (1 field kept, none changed on
    both sides) and send nothing else."""
    (tmp_path / "import.toml").write_text(IMPORT)
    (tmp_path / "update.toml").write_text(UPDATE)
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        _import(sb, tmp_path, "night1.csv", "Deal", "--create-key-field")
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(_latest(tmp_path) / "succeeded.csv")}
        with _killed(cut):
            if cut == "import":
                _import(sb, tmp_path, "night2.csv", "Written")
            else:
                _update(sb, tmp_path, ids, "Written")
        assert {k: sb.state.deals.rows[ids[k]]["title"] for k in KEYS} == {
            k: f"Written {k}" for k in KEYS}
        _retitle(sb, ids["K1"])
        patches = int(sb.stats()["requests_by_operation"].get("updateDeal", 0))
        if then == "import":
            planned = _import(sb, tmp_path, "night3.csv", "Written", "plan")
            _import(sb, tmp_path, "night3.csv", "Written")
        else:
            planned = _update(sb, tmp_path, ids, "Written", "plan")
            _update(sb, tmp_path, ids, "Written")
        titles = {k: sb.state.deals.rows[ids[k]]["title"] for k in KEYS}
        sent = int(sb.stats()["requests_by_operation"].get("updateDeal", 0)) - patches
    assert titles == {"K1": COLLEAGUE, "K2": "Written K2", "K3": "Written K3"}, titles
    assert sent == 0, sent
    assert "1 field of 1 deal changed in Pipedrive" in planned, planned
    assert "both" not in planned, planned
    rows = {r["key"]: r for r in read_csv(_latest(tmp_path) / "succeeded.csv")}
    k1 = rows["K1" if then == "import" else str(ids["K1"])]
    assert "kept" in k1["note"] and "both" not in k1["note"], k1


def test_a_killed_imports_write_in_doubt_is_said_by_the_next_plan_import(tmp_path: Path) -> None:
    """A killed upsert whose K3 write was left in flight (sent, no answer stored): the next
    `plan import` records its settled writes (K1's colleague title kept), not the one in
    doubt, says so naming the job and its resume, and the job stays registered until a
    run of it ends."""
    import sqlite3

    (tmp_path / "import.toml").write_text(IMPORT)
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        _import(sb, tmp_path, "night1.csv", "Deal", "--create-key-field")
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(_latest(tmp_path) / "succeeded.csv")}
        with _killed("import"):
            _import(sb, tmp_path, "night2.csv", "Written")
        killed = _latest(tmp_path)
        with sqlite3.connect(killed / "job.sqlite") as store:  # K3's answer never stored
            assert store.execute("UPDATE items SET state = 'sending', result = NULL "
                                 "WHERE source_key = 'K3'").rowcount == 1
        store.close()
        _retitle(sb, ids["K1"])
        planned = _import(sb, tmp_path, "night3.csv", "Written", "plan")
    assert "1 field of 1 deal changed in Pipedrive" in planned, planned
    assert f"job {killed.name} was cut off with 1 write(s) in doubt" in planned, planned
    assert f"pdbulk resume {killed.name}" in planned, planned
    record = sqlite3.connect(Path(os.environ["PDBULK_STATE_DIR"]) / "last-written.sqlite3")
    try:
        runs = [job for (job,) in record.execute("SELECT job FROM runs")]
    finally:
        record.close()
    assert runs == [killed.name], runs
