"""On resume, rows that unarchive their deal are re-read like every other pending row: a deal
deleted meanwhile is not written to, a deal already as wanted costs no PATCH, a deal still
archived is unarchived and updated (import --unarchive, update --unarchive)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState, JobStore
from pdbulk.cli import app
from tests.import_support import import_once, loaded_import
from tests.sandbox_helpers import ThreadedSandbox
from tests.update_support import deal, delta, load_job, requests

MAPPING = """[import]
key_column = "key"
key_field = "Import source key"
mode = "upsert"
[deal]
title = "title"
"""


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(deals=0, seed=4)) as box:
        yield box


def _archived_keys(sb: Sandbox, tmp: Path, n: int) -> tuple[Path, dict[str, int]]:
    """``n`` deals imported with keys k0.., then archived; the mapping and key → id."""
    mapping = tmp / "m.toml"
    mapping.write_text(MAPPING)
    first = tmp / "first.csv"
    first.write_text("key,title\n" + "".join(f"k{i},Deal {i}\n" for i in range(n)))

    async def run() -> dict[str, int]:
        store, _, _ = await import_once(sb, tmp / "jobs", first, mapping, mode="insert",
                                        job_id="first")
        try:
            return {str(i.key): int((i.result or {})["deal_id"])
                    for i in store.items(ItemState.DONE)}
        finally:
            store.close()
    ids = anyio.run(run)
    for deal_id in ids.values():
        sb.state.deals.rows[deal_id]["is_archived"] = True
    return mapping, ids


def _resume(sb: Sandbox, jobs: Path, job: str) -> Any:
    res = CliRunner().invoke(app, ["resume", job, "--job-dir", str(jobs)],
                             env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
    assert "Traceback" not in res.output, res.output
    return res


def test_import_unarchive_rows_are_re_read_on_resume(sb: Sandbox, tmp_path: Path) -> None:
    """Upsert --unarchive loaded, then: k0 deleted, k1 unarchived and renamed as the row
    wants, k2 left archived. Resume: no PATCH to k0 (fails, 'no longer takes writes'),
    k1 unchanged, k2 unarchived and renamed."""
    mapping, ids = _archived_keys(sb, tmp_path, 3)
    jobs = tmp_path / "jobs"
    second = tmp_path / "second.csv"
    second.write_text("key,title\n" + "".join(f"k{i},Renamed {i}\n" for i in range(3)))
    job = loaded_import(sb, jobs, second, mapping, unarchive=True)
    sb.state.deals.rows[ids["k0"]]["is_deleted"] = True
    sb.state.deals.rows[ids["k1"]].update(is_archived=False, title="Renamed 1")
    before = requests(sb)
    res = _resume(sb, jobs, job)
    assert res.exit_code == 3, res.output
    calls = delta(before, requests(sb))
    assert calls.get("updateDeal") == 1, calls  # k2 only
    assert deal(sb, ids["k2"])["is_archived"] is False
    assert deal(sb, ids["k2"])["title"] == "Renamed 2"
    assert deal(sb, ids["k0"])["title"] == "Deal 0"  # the deleted deal was not written to
    with JobStore.open(jobs / job, lock=False) as store:
        by_key = {i.key: i for i in store.items()}
    assert by_key["k0"].state is ItemState.FAILED
    assert "no longer takes writes" in (by_key["k0"].error or "")
    assert (by_key["k1"].result or {}).get("action") == "unchanged"
    assert (by_key["k2"].result or {}).get("action") == "updated"


def test_update_unarchive_rows_are_re_read_on_resume(sb: Sandbox, tmp_path: Path) -> None:
    """Update by key --unarchive loaded, then: k0 deleted, k1 still archived. Resume: k0
    fails with nothing sent, k1 is unarchived and updated (not failed as 'gone' because
    the default list omits archived deals)."""
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update

    mapping, ids = _archived_keys(sb, tmp_path, 2)
    jobs = tmp_path / "jobs"
    manifest = tmp_path / "u.csv"
    manifest.write_text("key,title\nk0,New 0\nk1,New 1\n")

    async def load() -> None:
        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, UpdateMapping.load(mapping),
                                        await load_catalog(s.ctx), unarchive=True)
        store, prep = await load_job(sb, jobs, "update", build, job_id="upd")
        assert prep.actions["update"] == 2, prep.actions
        store.close()
    anyio.run(load)
    sb.state.deals.rows[ids["k0"]]["is_deleted"] = True
    before = requests(sb)
    res = _resume(sb, jobs, "upd")
    assert res.exit_code == 3, res.output
    calls = delta(before, requests(sb))
    assert calls.get("updateDeal") == 1, calls
    # the deals added since the load with the keys, the re-read, the re-check before the send
    assert calls.get("getArchivedDeals") == 3, calls
    assert deal(sb, ids["k1"])["is_archived"] is False
    assert deal(sb, ids["k1"])["title"] == "New 1"
    assert deal(sb, ids["k0"])["title"] == "Deal 0"
