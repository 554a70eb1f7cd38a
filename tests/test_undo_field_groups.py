"""Undo restores per field group (``jobs.deals.FIELD_GROUPS``): an update job, then a
colleague's edit over HTTP (a plain ``PATCH /api/v2/deals/{id}``, openapi-v2 updateDeal) of
one group the job wrote; the undo puts back every other group the job wrote and leaves the
colleague's group whole — an amount with its currency, a status with its times, a stage
with its pipeline, a structured custom field with its parts — never a combination nobody
made (f32k: the whole deal was left for one changed field; the per-field restore tried
before it wrote a colleague's amount beside the old currency). The deal is one row,
``restored in part`` in succeeded.csv, its note naming the changed fields it kept with the
job's values and the colleague's (x39r5: it was also a conflict row in failed.csv)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.account import load_catalog
from jobs.dedupe.config import DedupeConfig
from jobs.selection import DealQuery
from jobs.stages import DealSource, MoveTarget, prepare_move
from jobs.undo import prepare_undo
from jobs.updating import UpdateMapping, prepare_update
from tests.dedupe_job_support import load_apply, plan, seed_account
from tests.import_support import read_csv
from tests.test_undo_colleague_http import _colleague
from tests.test_undo_every_field import COLUMNS, MAPPING, _account
from tests.test_update import write_csv
from tests.update_support import deal, load_job, run_job

Body = Callable[[Sandbox, dict[str, Any], dict[str, str]], dict[str, Any]]
# (case, cells the job writes, the colleague's PATCH body, fields back as before the job,
# fields left as the colleague left them)
CASES: list[tuple[str, dict[str, str], Body, tuple[str, ...], tuple[str, ...]]] = [
    ("amount", {"Title": "Job A", "Amount": "1500", "Currency": "EUR"},
     lambda sb, d, c: {"value": 444}, ("title",), ("value", "currency")),
    ("currency it did not write", {"Title": "Job B", "Amount": "1500"},
     lambda sb, d, c: {"currency": "GBP"}, ("title",), ("value", "currency")),
    ("status", {"Owner": "@3", "Status": "won", "Won": "01.03.2026 10:00"},
     lambda sb, d, c: {"won_time": "2026-03-05T10:00:00Z"}, ("owner_id",),
     ("status", "won_time")),
    ("stage", {"Title": "Job D", "Stage": "Agreement Signed", "Pipeline": "Partnerships"},
     lambda sb, d, c: {"stage_id": next(s["id"] for s in sb.state.stages.values()
                                        if s["pipeline_id"] == d["pipeline_id"]
                                        and s["id"] != d["stage_id"])},
     ("title",), ("stage_id", "pipeline_id")),
    ("monetary custom field", {"Notes": "job notes", "Contract": "777"},
     lambda sb, d, c: {"custom_fields": {c["Contract value"]: {
         **d["custom_fields"][c["Contract value"]], "currency": "EUR"}}},
     ("Notes",), ("Contract value",)),
    ("address", {"Title": "Job F", "Site": "Main St 1, Berlin"},
     lambda sb, d, c: {"custom_fields": {c["Site"]: {
         **d["custom_fields"][c["Site"]], "postal_code": "10115"}}},
     ("title",), ("Site",)),
    ("title alone", {"Title": "Job G", "Amount": "1500", "Currency": "EUR"},
     lambda sb, d, c: {"title": "Theirs"}, ("value", "currency"), ("title",)),
]


def _get(d: dict[str, Any], name: str, codes: dict[str, str]) -> Any:
    return d["custom_fields"].get(codes[name]) if name in codes else d[name]


@pytest.mark.anyio
async def test_undo_restores_the_groups_a_colleague_left_and_leaves_the_ones_they_changed(
        tmp_path: Path) -> None:
    """Seven deals, one group changed by a colleague each (a field the job wrote, or the
    currency beside an amount it wrote alone): every other group is back as before the
    job, the changed group exactly as the colleague left it, and the deal is named in both
    result files (before: the whole deal left, the job's title on it)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=150, users=4, seed=33)) as sb:
        codes = await _account(sb, tmp_path)
        users = {u["id"]: u["name"] for u in sb.state.users.values()}
        free = [d["id"] for d in sorted(sb.state.deals.rows.values(), key=lambda d: d["id"])
                if not d["is_deleted"] and not d["is_archived"] and d["owner_id"] != 3
                and d["status"] == "open"]
        rows = []
        for (case, cells, body, back, kept), deal_id in zip(CASES, free, strict=False):
            d = deal(sb, deal_id)
            d.update(value=10, currency="USD", stage_id=1, pipeline_id=1)  # Sales > Qualified
            d["custom_fields"] = {**d["custom_fields"], codes["Notes"]: "before",
                                  codes["Contract value"]: {"value": 10, "currency": "USD"},
                                  codes["Site"]: {"value": "Old"}}
            sb.state.save("deal", d)
            rows.append((deal_id, case, {k: users[3] if v == "@3" else v
                                         for k, v in cells.items()}, body, back, kept))
        original = {deal_id: deal(sb, deal_id) for deal_id, *_ in rows}
        manifest = write_csv(tmp_path / "rows.csv", [
            {"Deal": str(deal_id), **dict.fromkeys(COLUMNS, ""), **cells}
            for deal_id, _, cells, *_ in rows])
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        source, prep = await load_job(sb, tmp_path, "update", build)
        assert prep.actions["update"] == len(rows), [i.error for i in prep.items if i.error]
        await run_job(sb, source)
        theirs = {}
        async with aiohttp.ClientSession() as session:
            for deal_id, _, _, body, _, _ in rows:
                await _colleague(sb, session, deal_id, body(sb, deal(sb, deal_id), codes))
                theirs[deal_id] = deal(sb, deal_id)

        async def undo_it(s: Any) -> Any:
            return await prepare_undo(s.ctx, source)
        undo, prep = await load_job(sb, tmp_path, "undo", undo_it)
        assert prep.actions == {"restore in part": len(rows)}, [
            (i.key, i.error) for i in prep.items]
        assert any(n.startswith(f"{len(rows)} deal(s) to restore in part") for n in prep.notes)
        await run_job(sb, undo)
        done = {int(r["deal_id"]): r for r in read_csv(undo.directory / "succeeded.csv")}
        assert read_csv(undo.directory / "failed.csv") == []
        wrong = []
        for deal_id, case, _, _, back, kept in rows:
            now = deal(sb, deal_id)
            for name in back:
                if _get(now, name, codes) != _get(original[deal_id], name, codes):
                    wrong.append((case, name, "not restored", _get(now, name, codes)))
            for name in kept:
                if _get(now, name, codes) != _get(theirs[deal_id], name, codes):
                    wrong.append((case, name, "colleague's overwritten", _get(now, name, codes)))
            row = done.get(deal_id, {})
            if row.get("action") != "restored in part" \
                    or "kept as changed since the job: " not in row.get("note", ""):
                wrong.append((case, "succeeded.csv", row))
        assert not wrong, wrong
        amount = done[rows[0][0]]["note"]
        assert "kept as changed since the job: the amount with its currency (value: job's " \
            "1500, now 444)" in amount, amount
        assert "currency: 'USD' at the job's write, now 'GBP'" in done[rows[1][0]]["note"]
        undo.close()
        source.close()


def test_groups_moved_keeps_fields_that_go_together() -> None:
    """The groups of a write, and those a deal no longer holds: an amount with its
    currency, a status with its times, a stage with its pipeline, the person and the
    organization each alone, each custom field alone (its parts inside its one value)."""
    from jobs.deals import groups_moved, write_groups

    wrote = {"value": 5, "status": "won", "stage_id": 3, "person_id": 7, "org_id": 8,
             "custom_fields": {"a" * 40: {"value": 1, "currency": "EUR"}, "b" * 40: "x"}}
    assert write_groups(wrote) == ["value", "status", "stage_id", "person_id", "org_id",
                                   "custom_fields." + "a" * 40, "custom_fields." + "b" * 40]
    image = {"fields": {"value": 1, "currency": "USD", "status": "open", "won_time": None,
                        "stage_id": 2, "pipeline_id": 1, "person_id": 6, "org_id": 9}}
    deal = {"value": 5, "currency": "GBP", "status": "won", "won_time": "2026-01-01",
            "stage_id": 3, "pipeline_id": 1, "person_id": 7, "org_id": 10,
            "custom_fields": {"a" * 40: {"value": 1, "currency": "USD"}, "b" * 40: "x"}}
    moved = groups_moved(deal, wrote, image)
    assert sorted(moved) == sorted(["value", "org_id", "custom_fields." + "a" * 40]), moved
    assert moved["value"] == [("currency", "USD", "GBP")]


@pytest.mark.anyio
async def test_undo_of_a_move_leaves_the_group_a_colleague_changed(tmp_path: Path) -> None:
    """A move to Partnerships > Agreement Signed closing the deals as lost; a colleague then
    gives one deal another lost reason and moves another to another stage, over HTTP: the
    first gets its stage back and keeps the colleague's lost status with its reason, the
    second gets its open status back and keeps the colleague's stage (before: both left
    whole, nothing of the move put back)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=200, seed=32)) as sb:
        moved = sorted(d["id"] for d in sb.state.deals.rows.values()
                       if d["stage_id"] == 2 and d["status"] == "open")
        reason, stage = moved[0], moved[1]

        async def build(s: Any) -> Any:
            return await prepare_move(
                s.ctx, DealSource(query=DealQuery(pipeline="Sales", stage="Contact Made",
                                                  status="open")),
                MoveTarget("Agreement Signed", pipeline="Partnerships", status="lost",
                           lost_reason="Went dark"), await load_catalog(s.ctx))
        source, _ = await load_job(sb, tmp_path, "move-stage", build)
        await run_job(sb, source)
        async with aiohttp.ClientSession() as session:
            await _colleague(sb, session, reason, {"lost_reason": "Budget"})
            await _colleague(sb, session, stage, {"stage_id": 9})  # Partnerships > Proposal Made

        async def undo_it(s: Any) -> Any:
            return await prepare_undo(s.ctx, source)
        undo, prep = await load_job(sb, tmp_path, "undo", undo_it)
        assert prep.actions == {"restore": len(moved) - 2, "restore in part": 2}, prep.actions
        await run_job(sb, undo)
        assert read_csv(undo.directory / "failed.csv") == []
        notes = {int(str(r["deal_id"])): r["note"]
                 for r in read_csv(undo.directory / "succeeded.csv")}
        one, two = deal(sb, reason), deal(sb, stage)
        assert (one["stage_id"], one["pipeline_id"], one["status"], one["lost_reason"]) == (
            2, 1, "lost", "Budget"), one
        assert (two["stage_id"], two["pipeline_id"], two["status"]) == (9, 2, "open"), two
        assert "kept as changed since the job: the status with its reason and times" \
            in notes[reason]
        assert "kept as changed since the job: the stage with its pipeline" in notes[stage]
        for other in moved[2:]:
            assert (deal(sb, other)["stage_id"], deal(sb, other)["status"]) == (2, "open")
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_of_a_dedupe_leaves_the_amount_a_colleague_changed(tmp_path: Path) -> None:
    """A dedupe job whose field policy set the survivor's amount and expected close date; a
    colleague then changes the amount over HTTP: the undo puts the expected close date back
    and leaves the amount with its currency as the colleague made it (before: the survivor
    left whole). Its merges stay (final in Pipedrive)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=41)) as sb:
        ids = seed_account(sb)["ids"]
        for deal_id, d in list(sb.state.deals.rows.items()):
            if deal_id != ids["web"]:  # a later close date than the survivor's (none)
                sb.state.save("deal", {**d, "expected_close_date": "2027-05-05"})
        config = DedupeConfig.from_mapping(
            {"field_policy": {"value": "max", "expected_close_date": "max"}})
        await plan(sb, tmp_path, tmp_path / "p1", config)
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        await run_job(sb, store)
        survivor = deal(sb, ids["web"])
        assert (survivor["value"], survivor["expected_close_date"]) == (1000.01, "2027-05-05")
        async with aiohttp.ClientSession() as session:
            await _colleague(sb, session, ids["web"], {"value": 5000})

        async def undo_it(s: Any) -> Any:
            return await prepare_undo(s.ctx, store)
        undo, prep = await load_job(sb, tmp_path / "jobs", "undo", undo_it, job_id="undo-1")
        # the close date came from a deal merged away: left (x34r2 F5), said in a note; the
        # amount the colleague changed is said in the same row (one row: x39r5)
        assert prep.actions == {"kept merged value": 1}, prep.actions
        assert any("expected close date 2027-05-05 came from deal" in n for n in prep.notes) \
            or any("2027-05-05 came from deal" in n for n in prep.notes), prep.notes
        await run_job(sb, undo)
        now = deal(sb, ids["web"])
        assert (now["value"], now["currency"], now["expected_close_date"]) == (
            5000, "USD", "2027-05-05")
        assert read_csv(undo.directory / "failed.csv") == []
        (row,) = read_csv(undo.directory / "succeeded.csv")
        assert row["action"] == "kept merged value", row
        assert "value: job's 1000.01" in row["note"] and "now 5000" in row["note"], row
        undo.close()
        store.close()
