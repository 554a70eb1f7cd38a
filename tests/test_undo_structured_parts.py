"""Undo puts back a structured custom field (monetary, address, date range, time, time
range) whose before-image holds empty parts exactly as it was — or clears it when it was
empty as a whole — in a PATCH the sandbox takes; a value no write takes (a range with no
end) is said at the plan, never a "valid" row that fails at its write (x27r3 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import BeforeImage, NewItem
from jobs.account import load_catalog
from jobs.deals import before_image, read_deals, restorable, same
from jobs.undo import prepare_undo
from jobs.updating import Prepared, UpdateMapping, prepare_update
from tests.import_support import api_context, read_csv
from tests.test_update import write_csv
from tests.update_support import deal, load_job, run_job

FIELDS = (("Money", "monetary"), ("Site", "address"), ("Period", "daterange"),
          ("Call at", "time"), ("Hours", "timerange"))
RANGE = {"value": "2027-01-01", "until": "2027-01-31"}
HOURS = {"value": "09:00:00", "until": "17:00:00"}
CLEAR = "clear"  # the field is empty after the undo
REFUSED = "refused"  # the plan says it cannot be put back; the deal stays as the job left it

# (field, the value before the job, what the job writes, what the deal holds after the undo)
TABLE: list[tuple[str, Any, Any, Any]] = [
    ("Money", {"value": None, "currency": "EUR"}, {"value": 5, "currency": "GBP"},
     {"value": None, "currency": "EUR"}),
    ("Money", {"value": 0, "currency": "EUR"}, {"value": 5, "currency": "GBP"},
     {"value": 0, "currency": "EUR"}),
    ("Money", {"value": None, "currency": None}, {"value": 5, "currency": "GBP"}, CLEAR),
    ("Site", {"value": "Main St 1", "locality": "Berlin", "postal_code": None},
     {"value": "Elsewhere", "postal_code": "10115"}, {"value": "Main St 1", "locality": "Berlin"}),
    ("Site", {"value": None, "locality": "Berlin", "country": None}, {"value": "Elsewhere"},
     {"locality": "Berlin"}),
    ("Site", {"value": None, "locality": None, "postal_code": None}, {"value": "Elsewhere"},
     CLEAR),
    ("Period", {"value": None, "until": None}, RANGE, CLEAR),
    ("Period", {"value": "2026-01-01", "until": None}, RANGE, REFUSED),
    ("Period", {"value": None, "until": "2026-01-31"}, RANGE, REFUSED),
    ("Call at", {"value": "08:30:00", "timezone_name": None},
     {"value": "10:00:00", "timezone_name": "Europe/Berlin"}, {"value": "08:30:00"}),
    ("Call at", {"value": None, "timezone_name": None}, {"value": "10:00:00"}, CLEAR),
    ("Call at", {"value": None, "timezone_name": "Europe/Berlin"}, {"value": "10:00:00"},
     REFUSED),
    ("Hours", {"value": "08:00:00", "until": "12:00:00", "timezone_name": None}, HOURS,
     {"value": "08:00:00", "until": "12:00:00"}),
    ("Hours", {"value": None, "until": None, "timezone_name": None}, HOURS, CLEAR),
]


async def _fields(sb: Sandbox, tmp: Path) -> dict[str, str]:
    async with api_context(sb, tmp / "fields") as ctx:
        for name, ftype in FIELDS:
            await ctx.call("addDealField", json={"field_name": name, "field_type": ftype})
    return {f["field_name"]: code for code, f in sb.state.fields.items() if f["is_custom_field"]}


def _open_deals(sb: Sandbox) -> list[int]:
    return sorted(d["id"] for d in sb.state.deals.rows.values()
                  if not d["is_deleted"] and not d["is_archived"] and d["status"] == "open")


@pytest.mark.anyio
async def test_undo_restores_every_structured_field_with_empty_parts(tmp_path: Path) -> None:
    """Each row: a deal holding the value with empty parts (as an account may read it),
    an update run that writes another value, an undo: restored exactly (or cleared when
    empty as a whole), or refused at the plan with its reason where no write takes it."""
    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=27)) as sb:
        codes = await _fields(sb, tmp_path)
        ids = _open_deals(sb)[:len(TABLE)]
        for deal_id, (name, before, _, _) in zip(ids, TABLE, strict=True):
            d = deal(sb, deal_id)  # as an account may hold it: each part as read
            d["custom_fields"] = {**d["custom_fields"], codes[name]: before}
            sb.state.save("deal", d)
        left = {}

        async def update(s: Any) -> Prepared:
            prep = Prepared("update")
            current = await read_deals(s.ctx, ids)
            for deal_id, (name, _, wrote, _) in zip(ids, TABLE, strict=True):
                changes = {"custom_fields": {codes[name]: wrote}}
                prep.add(NewItem(row=deal_id, key=str(deal_id), op="update", payload={
                    "deal_id": deal_id, "changes": changes, "fields": [name]}), "update")
                prep.images.append(BeforeImage("deal", deal_id, None,
                                               before_image(current[deal_id], changes), 0.0))
            return prep
        source, _ = await load_job(sb, tmp_path, "update", update)
        await run_job(sb, source)
        for deal_id, (name, _, wrote, _) in zip(ids, TABLE, strict=True):
            left[deal_id] = deal(sb, deal_id)["custom_fields"].get(codes[name])
            assert same(left[deal_id], wrote), (name, wrote, left[deal_id])

        async def undo_it(s: Any) -> Any:
            return await prepare_undo(s.ctx, source)
        undo, plan = await load_job(sb, tmp_path, "undo", undo_it)
        refused = sum(1 for *_, after in TABLE if after == REFUSED)
        assert plan.actions == {"restore": len(TABLE) - refused, "cannot restore": refused}, [
            (i.key, i.error) for i in plan.items]
        assert plan.bad_rows == refused
        result = await run_job(sb, undo)
        failed = {int(r["key"]): r for r in read_csv(undo.directory / "failed.csv")}
        done = {int(r["deal_id"]): r for r in read_csv(undo.directory / "succeeded.csv")}
        for deal_id, (name, before, _, after) in zip(ids, TABLE, strict=True):
            now = deal(sb, deal_id)["custom_fields"].get(codes[name])
            if after == REFUSED:
                assert now == left[deal_id], (name, before, now)
                assert "cannot be put back" in failed[deal_id]["reason"], failed[deal_id]
                assert name in failed[deal_id]["reason"], failed[deal_id]
                continue
            assert done[deal_id]["action"] == "restored", (name, before, failed.get(deal_id))
            assert now == (None if after == CLEAR else after), (name, before, now)
            assert same(now, before), (name, before, now)
        assert not result.stopped and result.error is None, result.error
        assert len(failed) == refused, failed
        undo.close()
        source.close()


MAPPING = """
version = 1
[update]
id_column = "Deal ID"
[custom_fields]
"Money" = { column = "Money", currency_column = "MoneyCur" }
"""


@pytest.mark.anyio
async def test_undo_of_an_update_puts_back_a_currency_with_no_amount(tmp_path: Path) -> None:
    """The tester's case: a monetary field holding a currency and no amount (set through
    the API), an update `5 GBP` from a manifest, its undo: the deal holds
    ``{"value": null, "currency": "EUR"}`` again (it was refused "value: is required")."""
    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=5)) as sb:
        codes = await _fields(sb, tmp_path)
        deal_id = _open_deals(sb)[0]
        async with api_context(sb, tmp_path / "set") as ctx:
            await ctx.call("updateDeal", path={"id": deal_id}, json={
                "custom_fields": {codes["Money"]: {"value": None, "currency": "EUR"}}})
        assert deal(sb, deal_id)["custom_fields"][codes["Money"]] == {"value": None,
                                                                       "currency": "EUR"}
        manifest = write_csv(tmp_path / "rows.csv",
                             [{"Deal ID": str(deal_id), "Money": "5", "MoneyCur": "GBP"}])
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        source, prep = await load_job(sb, tmp_path, "update", build)
        assert prep.actions == {"update": 1}
        await run_job(sb, source)
        assert deal(sb, deal_id)["custom_fields"][codes["Money"]] == {"value": 5,
                                                                       "currency": "GBP"}

        async def undo_it(s: Any) -> Any:
            return await prepare_undo(s.ctx, source)
        undo, plan = await load_job(sb, tmp_path, "undo", undo_it)
        assert plan.actions == {"restore": 1}
        await run_job(sb, undo)
        assert deal(sb, deal_id)["custom_fields"][codes["Money"]] == {"value": None,
                                                                       "currency": "EUR"}
        undo.close()
        source.close()


@pytest.mark.parametrize(("before", "sent"), [
    ({"value": None, "currency": "EUR"}, {"value": None, "currency": "EUR"}),
    ({"value": 7, "currency": None}, {"value": 7}),
    ({"value": None, "currency": None}, None),
    ({"value": None, "postal_code": None}, None),
    ({"value": "Main St 1", "postal_code": None}, {"value": "Main St 1", "postal_code": None}),
    ({"value": "09:00:00", "timezone_name": None}, {"value": "09:00:00"}),
    ({"value": None, "until": None}, None),
    ({"id": 4, "label": "Cold call"}, 4),
])
def test_restorable_keeps_each_part_a_write_takes(before: Any, sent: Any) -> None:
    """The PATCH value of a before-image: empty as a whole → null; else every part,
    an empty one too, but a time zone or currency that holds nothing."""
    from jobs.deals import unrestorable
    assert restorable(before) == sent
    assert unrestorable({"custom_fields": {"c": sent}}) is None
