"""An undo judges a colleague's change made after its plan group by group, as its plan judges
the changes made before it (x43r3 F3: deal 462 — the colleague changed only the owner, the
update wrote the title and the value; the undo refused the whole deal as a conflict): an
unrelated field is kept and the job's fields are put back; a group they changed is kept and
named, the rest put back; all of them changed is the conflict it was. At the resume's re-read,
at the batch's re-check right before the write, and in the reconcile after a kill."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from jobs.account import load_catalog
from jobs.undo import prepare_undo
from jobs.undo.job import UndoJob
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import api_context
from tests.update_support import deal, load_job, run_job

MAPPING = """[update]
id_column = "deal_id"
[defaults]
currency = "USD"
[deal]
value = "amount"
title = "title"
"""
LATER = "2031-01-01T00:00:00Z"  # a colleague's write, after the undo's plan


def colleague(sb: Sandbox, deal_id: int, **fields: Any) -> None:
    sb.state.save("deal", {**deal(sb, deal_id), **fields, "update_time": LATER})


async def _updated_then_planned(sb: Sandbox, tmp_path: Path, ids: list[int]
                                ) -> tuple[JobStore, JobStore]:
    """An update of ``ids`` (title and amount) run, then its undo loaded (planned)."""
    (tmp_path / "u.toml").write_text(MAPPING)
    manifest = tmp_path / "u.csv"
    manifest.write_text("deal_id,amount,title\n"
                        + "".join(f"{i},{7000 + i},Job's {i}\n" for i in ids))

    async def build(s: Any) -> Any:
        return await prepare_update(s.ctx, manifest, UpdateMapping.load(tmp_path / "u.toml"),
                                    await load_catalog(s.ctx))
    source, _ = await load_job(sb, tmp_path / "jobs", "update", build, job_id="upd")
    await run_job(sb, source)

    async def undo_build(s: Any) -> Any:
        return await prepare_undo(s.ctx, source)
    undo, plan = await load_job(sb, tmp_path / "jobs", "undo", undo_build, job_id="undo")
    assert plan.actions == {"restore": len(ids)}, plan.actions
    return source, undo


def _ids(sb: Sandbox) -> list[int]:
    return sorted(i for i, d in sb.state.deals.rows.items()
                  if d["status"] == "open" and not d["is_archived"] and not d["is_deleted"]
                  and d.get("owner_id"))[:3]


@pytest.mark.anyio
@pytest.mark.parametrize("where", ["re-read", "re-check"])
async def test_a_change_after_the_undo_plan_is_kept_and_the_rest_put_back(
        tmp_path: Path, where: str) -> None:
    """After the undo's plan a colleague changes d1's owner (a field the update never
    wrote), d2's title (one of its two groups) and d3's title and amount (all of them).
    d1: title and amount put back, the owner kept. d2: the amount put back, the title
    kept and named ("restored in part"). d3: a conflict naming both, nothing sent."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=35)) as sb:
        d1, d2, d3 = ids = _ids(sb)
        before = {i: (deal(sb, i)["title"], deal(sb, i)["value"]) for i in ids}
        source, undo = await _updated_then_planned(sb, tmp_path, ids)
        owner = next(u for u in sb.state.users if u != deal(sb, d1)["owner_id"])
        colleague(sb, d1, owner_id=owner)
        colleague(sb, d2, title="Colleague's")
        colleague(sb, d3, title="Colleague's", value=4242)
        kind = UndoJob.from_store(undo)
        lines: list[str] = []
        if where == "re-read":  # a resume, or the prompt's wait
            async with api_context(sb, tmp_path) as ctx:
                lines = await kind.before_resume(ctx, undo)
        await run_job(sb, undo, kind=kind)
        items = {int(i.payload["deal_id"]): i for i in undo.items()}
        assert items[d1].state is ItemState.DONE, (items[d1], lines)
        assert (deal(sb, d1)["title"], deal(sb, d1)["value"]) == before[d1]
        assert deal(sb, d1)["owner_id"] == owner
        assert items[d2].state is ItemState.DONE, (items[d2], lines)
        assert (items[d2].result or {}).get("action") == "restored in part", items[d2]
        assert "Colleague's" in str((items[d2].result or {}).get("note")), items[d2]
        assert deal(sb, d2)["title"] == "Colleague's"
        assert deal(sb, d2)["value"] == before[d2][1]
        assert items[d3].state is ItemState.FAILED, items[d3]
        assert "conflict" in (items[d3].error or "") and "4242" in (items[d3].error or "")
        assert (deal(sb, d3)["title"], deal(sb, d3)["value"]) == ("Colleague's", 4242)
        if lines:
            assert "1 changed since the undo was planned" in lines[0], lines
            assert "1 changed in part since" in lines[0], lines
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_a_restore_in_flight_after_an_unrelated_change_is_sent_again(
        tmp_path: Path) -> None:
    """kill -9 with d1's restore in flight, not applied; the colleague then changed only its
    owner. The reconcile sends it again (it used to leave the deal as the job wrote it:
    "changed while this undo's write was in flight")."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=35)) as sb:
        d1 = _ids(sb)[0]
        before = (deal(sb, d1)["title"], deal(sb, d1)["value"])
        source, undo = await _updated_then_planned(sb, tmp_path, [d1])
        (item,) = undo.items()
        undo.mark_sending([item.id], 0.0)
        owner = next(u for u in sb.state.users if u != deal(sb, d1)["owner_id"])
        colleague(sb, d1, owner_id=owner)
        await run_job(sb, undo, kind=UndoJob.from_store(undo))
        (item,) = undo.items()
        assert item.state is ItemState.DONE, item
        assert (deal(sb, d1)["title"], deal(sb, d1)["value"]) == before
        assert deal(sb, d1)["owner_id"] == owner
        undo.close()
        source.close()
