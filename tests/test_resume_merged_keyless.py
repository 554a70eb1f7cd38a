"""A create in flight at a kill, its deal merged since (a merge made here) into a deal with no
key of its own, which takes the key: the resume reports the row's deal merged into that
survivor, never "created meanwhile by another run", and creates nothing again (x29r3 F1)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.merged_deals import record
from tests.import_support import api_context, import_once, resume_job, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = """\
[import]
key_column = "id"
[deal]
title = "title"
value = "value"
pipeline = { default = "Sales" }
[deal.stage]
column = "stage"
"""


def _created(store: Any) -> dict[str, int]:
    return {str(i.key): int(i.result["deal_id"]) for i in store.items()
            if i.op == "create" and i.result and i.result.get("action") == "created"}


@pytest.mark.parametrize(("mode", "made"), [("insert", "before"), ("upsert", "before"),
                                           ("insert", "after")])
async def test_a_create_in_flight_merged_into_a_keyless_deal_resumes_as_merged(
        tmp_path: Path, mode: str, made: str) -> None:
    """Three creates left in flight (as a kill -9 leaves them), each deal merged into a
    keyless deal made by hand (``made`` before the import, or after its kill): before,
    each row said `exists` "created meanwhile by another run" (insert; upsert took the
    survivor for another run's deal), or, the survivor added after the send, failed as a
    conflict. Each now names the merge, as a re-import's row does; every key is on one
    live deal."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value,stage\n" + "".join(
        f"k{i:02},Deal {i},{100 + i},Qualified\n" for i in range(30)))
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        by_hand: list[int] = []

        async def keyless(n: int) -> None:
            async with api_context(sb, tmp_path / f"ctx-{n}") as ctx:
                for i in range(n):
                    res = await ctx.call("addDeal", json={"title": f"by hand {i}"})
                    by_hand.append(int(res.data["id"]))
        if made == "before":  # (made long before: added before the rows were sent)
            await keyless(3)
            for deal_id in by_hand:
                sb.state.deals.rows[deal_id]["add_time"] = "2026-01-05T10:00:00Z"
        first, result, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                             mode=mode, job_id="killed")
        created = _created(first)
        directory = first.directory
        assert len(created) == 30
        first.close()
        flight = sorted(created)[:3]
        with sqlite3.connect(directory / "job.sqlite") as db:  # as a kill -9 leaves them
            db.executemany("UPDATE items SET state = 'sending', result = NULL, sent_at = ? "
                           "WHERE source_key = ?", [(time.time() - 5, k) for k in flight])
        if made == "after":
            await keyless(3)
        pairs = [(created[key], b) for key, b in zip(flight, by_hand, strict=True)]
        async with api_context(sb, tmp_path / "ctx") as ctx:  # as `pdbulk merge` does
            for away, survivor in pairs:
                await ctx.call("mergeDeals", path={"id": away},
                               json={"merge_with_id": survivor})
        record(sb.url, pairs, "merge-1", applied=True)
        for _ in range(20):
            resumed, result = await resume_job(sb, directory, reread=True)
            rows = {str(i.key): i for i in resumed.items()}
            resumed.close()
            if not result.stopped:
                break
        for (away, survivor), key in zip(pairs, flight, strict=True):
            done = rows[key].result or {}
            assert done.get("deal_id") == survivor, (key, done, rows[key].error)
            assert f"deal {away}, which this job created for this key, was merged away (job " \
                   f"merge-1) into what is deal {survivor} now" in str(done.get("note")), done
            assert "another run" not in str(done.get("note")), done
        keyed = [str(v) for d in sandbox_deals(sb) for v in (d.get("custom_fields") or {}
                                                             ).values()]
        assert all(keyed.count(k) == 1 for k in flight), keyed
