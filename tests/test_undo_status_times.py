"""Undo of a status written alone (x33r2 F2): an update sets deals won / lost with a
``Status`` column only, so Pipedrive sets the times (and keeps or clears the reason) with
it; a colleague then changes one of them over HTTP (``PATCH /api/v2/deals/{id}``,
openapi-v2 updateDeal) — a ``won_time``, a ``lost_reason``, a ``close_time``. The status
group (``jobs.deals.FIELD_GROUPS``) is theirs now: undo leaves it whole as a conflict
(before: "3 valid, 0 conflicts", and the undo set all three back to open with the
colleague's time / reason emptied). The job's write answer's status-group fields are what
it compares (``jobs.patch_job``: ``status_group`` in the item's result); a job recorded
without them is judged by the times the status write set (``jobs.deals.groups_moved``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store.files import FILENAME
from jobs.account import load_catalog
from jobs.deals import groups_moved
from jobs.undo import prepare_undo
from jobs.updating import UpdateMapping, prepare_update
from tests.test_undo_colleague_http import _colleague
from tests.test_undo_every_field import COLUMNS, MAPPING, _account
from tests.test_update import write_csv
from tests.update_support import deal, load_job, run_job

# (the status the job writes, the colleague's PATCH of the group's other field)
CASES: list[tuple[str, dict[str, Any]]] = [
    ("won", {"won_time": "2026-11-28T09:00:00Z"}),
    ("lost", {"lost_reason": "went with competitor"}),
    ("won", {"close_time": "2026-11-27T09:00:00Z"}),
    ("lost", {}),  # left as the job left it: put back to open
]


@pytest.mark.anyio
@pytest.mark.parametrize("recorded", ["with its answer", "before answers were kept"])
async def test_undo_leaves_a_status_group_whose_time_or_reason_a_colleague_changed(
        tmp_path: Path, recorded: str) -> None:
    """Three deals, each set won / lost by a status alone, then one time or the reason
    edited by a colleague, and a fourth left as the job left it: the undo plan counts
    three conflicts and one restore (the fourth back to open), and the colleague's
    status, time and reason are all still there after the run — also for a job recorded
    without its answer's status group (judged by the times its status write set)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=60, users=4, seed=33)) as sb:
        await _account(sb, tmp_path)
        free = [d["id"] for d in sorted(sb.state.deals.rows.values(), key=lambda d: d["id"])
                if not d["is_deleted"] and not d["is_archived"] and d["status"] == "open"]
        rows = list(zip(free, CASES, strict=False))
        manifest = write_csv(tmp_path / "rows.csv", [
            {"Deal": str(deal_id), **dict.fromkeys(COLUMNS, ""), "Status": status}
            for deal_id, (status, _) in rows])
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        source, prep = await load_job(sb, tmp_path, "update", build)
        assert prep.actions["update"] == len(rows), [i.error for i in prep.items if i.error]
        await run_job(sb, source)
        if recorded != "with its answer":
            with sqlite3.connect(source.directory / FILENAME) as db:
                n = db.execute("UPDATE items SET result = json_remove(result, "
                               "'$.status_group')").rowcount
            assert n == len(rows)
        theirs = {}
        async with aiohttp.ClientSession() as session:
            for deal_id, (_, body) in rows[:-1]:
                await _colleague(sb, session, deal_id, body)
                theirs[deal_id] = deal(sb, deal_id)
        mine = rows[-1][0]

        async def undo_it(s: Any) -> Any:
            return await prepare_undo(s.ctx, source)
        undo, prep = await load_job(sb, tmp_path, "undo", undo_it)
        assert prep.actions == {"conflict": 3, "restore": 1}, [(i.key, i.error)
                                                          for i in prep.items]
        await run_job(sb, undo)
        group = ("status", "won_time", "lost_time", "close_time", "lost_reason")
        wrong = [(deal_id, name, deal(sb, deal_id)[name], theirs[deal_id][name])
                 for deal_id, _ in rows[:-1] for name in group
                 if deal(sb, deal_id)[name] != theirs[deal_id][name]]
        assert not wrong, wrong
        assert {k: deal(sb, mine)[k] for k in group} == dict.fromkeys(group) | {
            "status": "open"}
        undo.close()
        source.close()


def test_a_status_written_alone_before_its_answer_was_stored_is_judged_by_its_times() -> None:
    """A job recorded before the answer's status group was stored: its status write set
    the times to its own ``update_time``; a time or reason no longer so is a colleague's."""
    wrote = {"status": "won"}
    image = {"update_time": "2026-01-01T00:00:00Z",
             "fields": {"status": "open", "won_time": None, "lost_time": None,
                        "close_time": None, "lost_reason": None}}
    as_left = {"status": "won", "won_time": "2026-02-02T10:00:00Z", "lost_time": None,
               "close_time": "2026-02-02T10:00:00Z", "lost_reason": None}
    written = "2026-02-02T10:00:00Z"
    assert groups_moved(as_left, wrote, image, written=written) == {}
    moved = groups_moved({**as_left, "won_time": "2026-11-28T09:00:00Z"}, wrote, image,
                         written=written)
    assert [n for n, *_ in moved["status"]] == ["won_time"]
    lost = {"status": "lost", "won_time": None, "lost_time": written, "close_time": written,
            "lost_reason": "went with competitor"}
    assert groups_moved(lost, {"status": "lost"}, image, written=written)["status"] == [
        ("lost_reason", None, "went with competitor")]
