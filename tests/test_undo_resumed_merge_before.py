"""Undo of a resumed import judges a later merge by the time of the write it protects: a
merge made between the kill and the resume, before the resume wrote its survivor, is no
write "since" (x30r2 M2: "merge survivor: it absorbed deal 7 since", the survivor left)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import anyio
from typer.testing import CliRunner

from bulk.clock import SystemClock
from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.import_support import api_context, forget_killed_run, read_csv
from tests.update_support import cli_args, deal, threaded_sandbox


class _Later(SystemClock):
    """The sandbox's wall clock moved on by ``ahead`` seconds (its writes dated later)."""

    def __init__(self, ahead: float) -> None:
        self.ahead = ahead

    def wall(self) -> float:
        return super().wall() + self.ahead


def test_undo_restores_a_survivor_a_merge_made_before_the_resume_wrote_it(
        tmp_path: Path) -> None:
    """import (upsert) → k0's create in flight at a kill → `pdbulk merge` of its deal into a
    keyless deal → resume, which writes the survivor (dated after the merge) → `undo`: the
    survivor is put back as the resume found it, not refused as absorbing a deal since."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=0, seed=37)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner, jobs = CliRunner(), tmp_path / "jobs"

        async def keyless() -> int:
            async with api_context(sb, tmp_path / "ctx") as ctx:
                res = await ctx.call("addDeal", json={"title": "by hand", "value": 5,
                                                      "currency": "EUR"})
                return int(res.data["id"])
        survivor = anyio.run(keyless)
        manifest, mapping = tmp_path / "in.csv", tmp_path / "map.toml"
        manifest.write_text("id,title,value,currency\n" + "".join(
            f"k{n},Deal {n},{100 + n},EUR\n" for n in range(5)))
        mapping.write_text('version = 1\n[import]\nkey_column = "id"\nmode = "upsert"\n'
                           '[deal]\ntitle = "title"\nvalue = "value"\ncurrency = "currency"\n')
        out = runner.invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                  "--create-key-field", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (imported,) = jobs.iterdir()
        away = {r["key"]: int(r["deal_id"]) for r in read_csv(imported / "succeeded.csv")}["k0"]
        with sqlite3.connect(imported / "job.sqlite") as db:  # as a kill -9 leaves it
            db.execute("UPDATE items SET state = 'sending', result = NULL, sent_at = ? "
                       "WHERE source_key = 'k0'", (time.time() - 5,))
        db.close()
        forget_killed_run()  # ... and the state folder's record: its run never ended
        sb.state.clock = _Later(3.0)  # the merge comes later than the import's creates
        (tmp_path / "pairs.csv").write_text(f"merge_id,survivor_id\n{away},{survivor}\n")
        out = runner.invoke(app, ["merge", str(tmp_path / "pairs.csv"), "--yes",
                                  *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        absorbed = deal(sb, survivor)
        sb.state.clock = _Later(6.0)  # the resume later still (the tester's: minutes)
        out = runner.invoke(app, ["resume", imported.name, "--job-dir", str(jobs)], env=env)
        assert out.exit_code == 0, out.output
        assert deal(sb, survivor)["title"] == "Deal 0", deal(sb, survivor)
        out = runner.invoke(app, ["undo", imported.name, "--yes", *cli_args(sb, jobs)],
                            env=env)
        assert out.exit_code == 0, out.output
        after = deal(sb, survivor)
        assert not after["is_deleted"]
        assert (after["title"], after["value"]) == (absorbed["title"], absorbed["value"]), after


def _job(jobs: Path, name: str, kind: str, result: dict[str, object]) -> None:
    from bulk.store import ItemState, JobStore, NewItem, Outcome

    store = JobStore.create(jobs / name, job_id=name, kind=kind, config={})
    try:
        store.add_items([NewItem(row=1, key="k1", op="create", payload={})])
        item = next(iter(store.items(ItemState.PENDING)))
        store.mark_sending([item.id], time.time())
        store.record([Outcome(item.id, ItemState.DONE, result)])
    finally:
        store.close()


def test_a_later_record_counts_from_the_write_it_protects(tmp_path: Path) -> None:
    """A merge or an update dated before the source's own write of the deal is no write
    since; one dated after it, or in its second, or with no date, is."""
    from bulk.store import JobStore
    from jobs.undo import later_writes

    jobs = tmp_path / "jobs"
    _job(jobs, "a-import", "import", {"deal_id": 1, "action": "updated",
                                      "update_time": "2026-12-04T10:00:10Z"})
    _job(jobs, "b-merge", "merge", {"deal_id": 1, "action": "merged", "merged_id": 7,
                                    "update_time": "2026-12-04T10:00:05Z"})
    _job(jobs, "c-update", "update", {"deal_id": 1, "action": "updated",
                                      "update_time": "2026-12-04T10:00:09Z"})
    with JobStore.open(jobs / "a-import", lock=False) as source:
        assert 1 not in later_writes(source)
    _job(jobs, "d-merge", "merge", {"deal_id": 1, "action": "merged", "merged_id": 8,
                                    "update_time": "2026-12-04T10:00:10Z"})  # same second
    with JobStore.open(jobs / "a-import", lock=False) as source:
        assert "absorbed deal 8" in later_writes(source)[1]
    _job(jobs, "e-import", "import", {"deal_id": 2, "action": "created"})  # no date
    _job(jobs, "f-update", "update", {"deal_id": 2, "action": "updated",
                                      "update_time": "2026-12-04T09:00:00Z"})
    with JobStore.open(jobs / "e-import", lock=False) as source:
        assert "f-update" in later_writes(source)[2]
