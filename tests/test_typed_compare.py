"""A stored value is compared with a row's by its field's type (x20r2 F3, f18b): a phone
field's stored value as the row's phone cleaning reads it, a long text's as its layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState
from jobs.account import load_catalog
from jobs.deals import deal_changes, same
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import api_context
from tests.update_support import deal, load_job, run_job

MAPPING = """
version = 1
[update]
id_column = "id"
[custom_fields]
"Hotline" = "hot"
"Memo" = "memo"
"""


@pytest.mark.parametrize(("stored", "row", "kind", "equal"), [
    ("(030) 1234567", "0301234567", "phone", True),  # F3: a national number, no-op
    ("030 1234567", "0301234567", "phone", True),
    ("(030) 1234568", "0301234567", "phone", False),
    ("+49 (0)30 1234567", "+49301234567", "phone", True),
    ("(030) 1234567", "0301234567", None, False),  # type unknown (an old job): as before
    ("a  b", "a b", "text", False),  # f18b: a long text's run of spaces is a change
    ("a b ", "a b", "text", True), ("a\r\nb", "a\nb", "text", True),
    ("a  b", "a b", "varchar", True), ("a  b", "a b", None, True),  # one line: collapsed
])
def test_a_stored_value_is_read_as_its_fields_type(stored: str, row: str, kind: str | None,
                                                   equal: bool) -> None:
    """``same`` / ``deal_changes`` read the stored value as the field's type does."""
    assert same(stored, row, kind) is equal
    types = {"c": kind} if kind else {}
    changes = deal_changes({"custom_fields": {"c": stored}}, {"custom_fields": {"c": row}},
                           types=types)
    assert (changes == {}) is equal


async def _fields(sb: Sandbox, tmp_path: Path) -> tuple[str, str]:
    """A phone field "Hotline" and a long-text field "Memo": their codes."""
    async with api_context(sb, tmp_path / "ctx") as ctx:
        hot = await ctx.call("addDealField", json={"field_name": "Hotline",
                                                   "field_type": "phone"})
        memo = await ctx.call("addDealField", json={"field_name": "Memo", "field_type": "text"})
    return str(hot.data["field_code"]), str(memo.data["field_code"])


async def _load(sb: Sandbox, tmp_path: Path, rows: str) -> Any:
    manifest = tmp_path / "rows.csv"
    manifest.write_text("id,hot,memo\n" + rows)
    (tmp_path / "map.toml").write_text(MAPPING)
    umap = UpdateMapping.load(tmp_path / "map.toml")

    async def build(s: Any) -> Any:
        return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
    return await load_job(sb, tmp_path, "update", build)


@pytest.mark.anyio
async def test_an_update_of_a_phone_or_long_text_compares_by_the_fields_type(
        tmp_path: Path) -> None:
    """x20r2 F3: a phone field holding ``(030) 1234567``, updated by a row of that very
    number, was "updated" and rewritten ``0301234567``; f18b: a long text holding
    ``a  b`` read "unchanged" beside a row's ``a b``."""
    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=5)) as sb:
        hot, memo = await _fields(sb, tmp_path)
        sb.state.deals.rows[3]["custom_fields"].update({hot: "(030) 1234567", memo: "same"})
        sb.state.deals.rows[4]["custom_fields"].update({hot: "0301111111", memo: "a  b"})
        store, prep = await _load(sb, tmp_path, "3,(030) 1234567,same\n4,030 1111111,a b\n")
        await run_job(sb, store)
        sent = {i.payload["deal_id"]: i.payload["changes"] for i in store.items(ItemState.DONE)}
        store.close()
        assert prep.actions == {"unchanged": 1, "update": 1}, prep.actions
        assert sent == {4: {"custom_fields": {memo: "a b"}}}, sent
        assert deal(sb, 3)["custom_fields"][hot] == "(030) 1234567"
        assert deal(sb, 4)["custom_fields"][memo] == "a b"


@pytest.mark.anyio
async def test_the_recheck_before_sending_compares_a_phone_as_the_load_did(
        tmp_path: Path) -> None:
    """The job keeps its fields' types: a colleague who typed the row's very number in
    another format meanwhile makes the row ``unchanged`` at the re-check, not a conflict
    (nor a rewrite of their spelling)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=5)) as sb:
        hot, _ = await _fields(sb, tmp_path)
        sb.state.deals.rows[3]["custom_fields"][hot] = "(030) 1234567"
        store, prep = await _load(sb, tmp_path, "3,(030) 7654321,\n")
        assert prep.actions == {"update": 1}, prep.actions
        sb.state.deals.rows[3]["custom_fields"][hot] = "030 / 7654321"  # a colleague
        await run_job(sb, store)
        (item,) = store.items()
        store.close()
        assert item.state is ItemState.SKIPPED, (item.state, item.error)
        assert deal(sb, 3)["custom_fields"][hot] == "030 / 7654321"


@pytest.mark.anyio
async def test_an_upsert_of_a_national_phone_number_is_unchanged(tmp_path: Path) -> None:
    """The import's upsert compares by type too, and its job keeps the types for a resume
    (``META_FIELD_TYPES``)."""
    from jobs.deals import stored_types
    from tests.import_support import import_once, read_csv

    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=5)) as sb:
        hot, memo = await _fields(sb, tmp_path)
        ext = next(f["field_code"] for f in sb.state.fields.values()
                   if f["field_name"] == "External ID")
        sb.state.deals.rows[3]["custom_fields"].update({ext: "K1", hot: "(030) 1234567"})
        mapping, manifest = tmp_path / "m.toml", tmp_path / "in.csv"
        mapping.write_text('[import]\nkey_column = "id"\nkey_field = "External ID"\n'
                           'mode = "upsert"\n[deal]\ntitle = "title"\n'
                           '[custom_fields]\n"Hotline" = "hot"\n')
        title = deal(sb, 3)["title"]
        manifest.write_text(f"id,title,hot\nK1,{title},(030) 1234567\n")
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        types = stored_types(store)
        store.close()
        (row,) = read_csv(tmp_path / "jobs" / "import-1" / "succeeded.csv")
        assert row["action"] == "unchanged", row
        assert deal(sb, 3)["custom_fields"][hot] == "(030) 1234567"
        assert types == {hot: "phone", memo: "text"}
