"""Undo of an update puts back every deal field an update can write — each standard field,
the won / lost / close times, and a custom field of each type the mapping writes — and
calls a colleague's change of any of them since the job a conflict (x26r2 1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.account import load_catalog
from jobs.undo import prepare_undo
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import api_context, read_csv
from tests.test_update import write_csv
from tests.update_support import deal, load_job, run_job

MAPPING = """
version = 1
[defaults]
date_formats = ["%d.%m.%Y %H:%M", "%d.%m.%Y"]
currency = "USD"
[update]
id_column = "Deal"
[deal]
title = "Title"
value = "Amount"
currency = "Currency"
probability = "Probability"
expected_close_date = "Expected"
stage = "Stage"
pipeline = "Pipeline"
owner = "Owner"
status = "Status"
lost_reason = "Reason"
label = "Labels"
won_time = "Won"
lost_time = "Lost"
close_time = "Closed"
[custom_fields]
"External ID" = "External"
"Lead source" = "Source"
"Products of interest" = "Products"
"Contract value" = "Contract"
"Renewal date" = "Renewal"
"Discount" = "Discount"
"Notes" = "Notes"
"Hotline" = "Hotline"
"Site" = "Site"
"Account manager" = "Manager"
"""
COLUMNS = ("Title", "Amount", "Currency", "Probability", "Expected", "Stage", "Pipeline",
           "Owner", "Status", "Reason", "Labels", "Won", "Lost", "Closed", "External",
           "Source", "Products", "Contract", "Renewal", "Discount", "Notes", "Hotline",
           "Site", "Manager")
ADDED = (("Notes", "text"), ("Hotline", "phone"), ("Site", "address"),
         ("Account manager", "user"))
COMPARED = ("title", "value", "currency", "probability", "expected_close_date", "stage_id",
            "pipeline_id", "owner_id", "status", "lost_reason", "label_ids", "won_time",
            "lost_time", "close_time", "custom_fields")
LATER = "2020-02-02T02:02:02Z"
Edit = Callable[[dict[str, Any], dict[str, str]], None]


def _custom(name: str, value: Any) -> Edit:
    def edit(d: dict[str, Any], codes: dict[str, str]) -> None:
        d["custom_fields"] = {**d["custom_fields"], codes[name]: value}
    return edit


def _set(**fields: Any) -> Edit:
    def edit(d: dict[str, Any], codes: dict[str, str]) -> None:
        d.update(fields)
    return edit


# (status the deal starts in, its cells, a colleague's later edit of what the row writes)
TABLE: list[tuple[str, dict[str, str], Edit]] = [
    ("open", {"Title": "Renamed by the job"}, _set(title="Colleague's")),
    ("open", {"Amount": "12345"}, _set(value=1)),
    ("open", {"Amount": "500", "Currency": "EUR"}, _set(currency="GBP")),
    ("open", {"Probability": "42"}, _set(probability=7)),
    ("open", {"Expected": "17.07.2027"}, _set(expected_close_date="2028-01-01")),
    ("open", {"Stage": "Agreement Signed", "Pipeline": "Partnerships"}, _set(stage_id=1)),
    ("open", {"Owner": "@3"}, _set(owner_id=2)),
    ("open", {"Status": "lost", "Reason": "No budget"}, _set(lost_reason="Price")),
    ("open", {"Status": "won", "Won": "01.03.2026 10:00"}, _set(won_time=LATER)),
    ("lost", {"Reason": "Went dark"}, _set(lost_reason="Price")),
    ("lost", {"Closed": "15.01.2026 09:00"}, _set(close_time=LATER, lost_time=LATER)),
    ("won", {"Closed": "16.01.2026 10:00"}, _set(close_time=LATER)),
    ("won", {"Owner": "@3", "Won": "02.02.2026 11:00"}, _set(won_time=LATER)),
    ("lost", {"Lost": "03.03.2026 12:00"}, _set(lost_time=LATER)),
    ("lost", {"Status": "open"}, _set(status="won")),
    ("open", {"Labels": "Hot"}, lambda d, codes: d.update(label_ids=[int(codes["label Cold"])])),
    ("open", {"External": "EXT-9"}, _custom("External ID", "EXT-0")),
    ("open", {"Source": "Event"}, _custom("Lead source", None)),
    ("open", {"Products": "CRM;Support"}, _custom("Products of interest", None)),
    ("open", {"Contract": "777"}, _custom("Contract value", {"value": 1, "currency": "USD"})),
    ("open", {"Renewal": "01.02.2027"}, _custom("Renewal date", "2030-01-01")),
    ("open", {"Discount": "12.5"}, _custom("Discount", 3)),
    ("open", {"Notes": "line one"}, _custom("Notes", "theirs")),
    ("open", {"Hotline": "+49 30 1234567"}, _custom("Hotline", "+4930999")),
    ("open", {"Site": "Main St 1, Berlin"}, _custom("Site", {"value": "Elsewhere"})),
    ("open", {"Manager": "@3"}, _custom("Account manager", 1)),
]


async def _account(sb: Sandbox, tmp: Path) -> dict[str, str]:
    """The custom fields the seed lacks added (text, phone, address, user); every custom
    field's code by name, and each deal label's option id ("label Hot")."""
    async with api_context(sb, tmp / "ctx") as ctx:
        for name, ftype in ADDED:
            await ctx.call("addDealField", json={"field_name": name, "field_type": ftype})
    labels = {f"label {o['label']}": str(o["id"]) for o in sb.state.fields["label_ids"]["options"]}
    return {**labels, **{f["field_name"]: code for code, f in sb.state.fields.items()
                         if f["is_custom_field"]}}


def _before(sb: Sandbox, codes: dict[str, str], deal_id: int) -> None:
    """Values from before the job in every custom field (the job must put them back, not
    clear them), and in a lost deal's times, the job's second kept apart from theirs."""
    options = {f["field_name"]: [o["id"] for o in f.get("options") or []]
               for f in sb.state.fields.values()}
    d = deal(sb, deal_id)
    d["custom_fields"] = {
        codes["Lead source"]: options["Lead source"][0],
        codes["Products of interest"]: [options["Products of interest"][1]],
        codes["Contract value"]: {"value": 10, "currency": "USD"},
        codes["Renewal date"]: "2026-06-30", codes["Discount"]: 5,
        codes["Notes"]: "before", codes["Hotline"]: "+4930111", codes["Site"]: {"value": "Old"},
        codes["Account manager"]: 2}
    d["probability"] = 10
    sb.state.save("deal", d)


def _rows(sb: Sandbox, codes: dict[str, str]) -> list[tuple[int, dict[str, str], Edit]]:
    users = {u["id"]: u["name"] for u in sb.state.users.values()}
    free: dict[str, list[int]] = {}
    for d in sorted(sb.state.deals.rows.values(), key=lambda d: d["id"]):
        if not d["is_deleted"] and not d["is_archived"] and d["owner_id"] != 3:
            free.setdefault(d["status"], []).append(d["id"])
    out = []
    for status, cells, edit in TABLE:
        deal_id = free[status].pop(0)
        _before(sb, codes, deal_id)
        out.append((deal_id, {k: users[3] if v == "@3" else v for k, v in cells.items()}, edit))
    return out


def _state(sb: Sandbox, deal_id: int) -> dict[str, Any]:
    d = deal(sb, deal_id)
    return {k: d[k] for k in COMPARED}


@pytest.mark.anyio
@pytest.mark.parametrize("colleague", [False, True])
async def test_undo_of_an_update_puts_back_or_defends_every_field_it_wrote(
        tmp_path: Path, colleague: bool) -> None:
    """Each row writes one field (or a status with its reason and time); the undo puts the
    deal back whole ("restored", never "already as before the job"). With a colleague's
    edit of the written field in the job's own second (``update_time`` unchanged), each
    is a conflict, left as the colleague made it."""
    async with serve(SandboxConfig(time_scale=0.02, deals=150, users=4, seed=33)) as sb:
        codes = await _account(sb, tmp_path)
        rows = _rows(sb, codes)
        original = {deal_id: _state(sb, deal_id) for deal_id, _, _ in rows}
        manifest = write_csv(tmp_path / "rows.csv", [
            {"Deal": str(deal_id), **dict.fromkeys(COLUMNS, ""), **cells}
            for deal_id, cells, _ in rows])
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        source, prep = await load_job(sb, tmp_path, "update", build)
        assert prep.actions["update"] == len(rows), [(i.key, i.error) for i in prep.items if i.error]
        await run_job(sb, source)
        for deal_id, cells, _ in rows:
            assert _state(sb, deal_id) != original[deal_id], cells
        theirs = {}
        if colleague:
            for deal_id, _, edit in rows:
                d = deal(sb, deal_id)
                edit(d, codes)
                sb.state.save("deal", d)  # update_time as the job's write left it
                theirs[deal_id] = _state(sb, deal_id)

        async def undo_it(s: Any) -> Any:
            return await prepare_undo(s.ctx, source)
        undo, plan = await load_job(sb, tmp_path, "undo", undo_it)
        # the row that writes an owner and a won time (two field groups): its owner is put
        # back, its status group left as the colleague made it (test_undo_field_groups)
        both = {deal_id for deal_id, cells, _ in rows if {"Owner", "Won"} <= set(cells)}
        if colleague:
            assert plan.actions == {"conflict": len(rows) - len(both),
                                    "restore in part": len(both)}, [
                (i.key, i.payload) for i in plan.items if not i.error]
        else:
            assert plan.actions == {"restore": len(rows)}
        await run_job(sb, undo)
        done = {int(r["deal_id"]): r for r in read_csv(undo.directory / "succeeded.csv")}
        for deal_id, cells, _ in rows:
            if colleague:
                owner = {"owner_id": original[deal_id]["owner_id"]} if deal_id in both else {}
                assert _state(sb, deal_id) == {**theirs[deal_id], **owner}, cells
            else:
                assert done[deal_id]["action"] == "restored", (cells, done[deal_id])
                assert _state(sb, deal_id) == original[deal_id], cells
        undo.close()
        source.close()
