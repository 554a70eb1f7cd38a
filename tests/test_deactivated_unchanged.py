"""A deactivated user fails a row only when the row would set it (x20r2 F4): a deal that
already holds that user as owner or in a user field is unchanged by it, and the row's
other changes are made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState
from jobs.account import load_catalog
from jobs.catalog import Catalog
from jobs.mapping import Mapping, MappingError, compile_mapping
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import api_context, import_once, read_csv
from tests.test_mapping import MAPPING, ROW, catalog  # noqa: F401  (fixture)
from tests.update_support import deal, load_job, run_job

CONFIG = SandboxConfig(users=5, deactivated_users=1, deals=10, time_scale=0.02, seed=5)


async def _set_up(sb: Sandbox, tmp_path: Path) -> dict[str, Any]:
    """The deactivated user; a user field "Account manager" added; deals 3 and 4 hold
    that user as owner and account manager (Pipedrive keeps them when a user is
    deactivated)."""
    gone = next(u for u in sb.state.users.values() if not u.get("active_flag", True))
    async with api_context(sb, tmp_path / "ctx") as ctx:
        res = await ctx.call("addDealField", json={"field_name": "Account manager",
                                                   "field_type": "user"})
    code = str(res.data["field_code"])
    for deal_id in (3, 4):
        row = sb.state.deals.rows[deal_id]
        row["owner_id"] = gone["id"]
        row["custom_fields"][code] = gone["id"]
    return gone


@pytest.mark.anyio
async def test_an_update_keeping_a_deactivated_owner_changes_the_rest(tmp_path: Path) -> None:
    """Pipedrive's own export (owner and account manager the deactivated user) with the
    title renamed updates the title; a row that would make the user owner of another
    deal fails, naming the user and the owner column."""
    async with serve(CONFIG) as sb:
        gone = await _set_up(sb, tmp_path)
        name = gone["name"]
        manifest = tmp_path / "rows.csv"
        manifest.write_text(f"id,title,owner,am\n3,Renamed,{name},{name}\n"
                            f"4,{deal(sb, 4)['title']},{name},{name}\n"
                            f"5,{deal(sb, 5)['title']},{name},\n")
        (tmp_path / "map.toml").write_text(
            '[update]\nid_column = "id"\n[deal]\ntitle = "title"\nowner = "owner"\n'
            '[custom_fields]\n"Account manager" = "am"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        store, prep = await load_job(sb, tmp_path, "update", build)
        await run_job(sb, store)
        sent = {i.payload["deal_id"]: i.payload["changes"] for i in store.items(ItemState.DONE)}
        failed = {i.key: (i.error, i.payload.get("column"))
                  for i in store.items(ItemState.FAILED)}
        store.close()
        assert prep.actions == {"update": 1, "unchanged": 1, "failed": 1}, (prep.actions, failed)
        assert sent == {3: {"title": "Renamed"}}, sent
        assert deal(sb, 3)["title"] == "Renamed" and deal(sb, 3)["owner_id"] == gone["id"]
        error, column = failed["5"]
        assert error == f"user {name!r} is deactivated in Pipedrive; map it in deal.owner.map"
        assert column == "owner"


@pytest.mark.anyio
async def test_an_upsert_keeping_a_deactivated_owner_changes_the_rest(tmp_path: Path) -> None:
    """The same by upsert: a deal found by key holding the user is updated; a new deal
    the user would own fails its row (a create sets the owner)."""
    async with serve(CONFIG) as sb:
        gone = await _set_up(sb, tmp_path)
        name = gone["name"]
        mapping = tmp_path / "m.toml"
        mapping.write_text('[import]\nkey_column = "id"\nkey_field = "External ID"\n'
                           'mode = "upsert"\n'
                           '[deal]\ntitle = "title"\nowner = "owner"\n'
                           '[custom_fields]\n"Account manager" = "am"\n')
        manifest = tmp_path / "in.csv"
        manifest.write_text(f"id,title,owner,am\nK1,First,{name},{name}\n"
                            f"K2,Second,{name},{name}\n")
        ext = next(f["field_code"] for f in sb.state.fields.values()
                   if f["field_name"] == "External ID")
        sb.state.deals.rows[3]["custom_fields"][ext] = "K1"
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        mode="upsert")
        failed = {i.key: i.error for i in store.items(ItemState.FAILED)}
        store.close()
        assert deal(sb, 3)["title"] == "First" and deal(sb, 3)["owner_id"] == gone["id"]
        assert set(failed) == {"K2"} and "is deactivated in Pipedrive" in (failed["K2"] or "")
        rows = {r["key"]: r for r in read_csv(tmp_path / "jobs" / "import-1" / "succeeded.csv")}
        assert rows["K1"]["action"] == "updated", rows


def test_a_deactivated_user_is_deferred_only_when_asked(catalog: Catalog) -> None:  # noqa: F811
    """``map(defer_users=True)`` takes the user's id and keeps the row's error in
    ``deactivated`` (by target); without it the row fails as before. A ``"*"`` fallback
    still catches a deactivated user, and a map entry naming one is a mapping problem."""
    row = SourceRow(1, 2, {**ROW, "Owner": "bob@acme.test"})
    m = compile_mapping(Mapping.loads(MAPPING), catalog)
    with pytest.raises(InputError, match=r"'bob@acme\.test' is deactivated"):
        m.map(row)
    mapped = m.map(row, defer_users=True)
    assert mapped.deal["owner_id"] == 101 and mapped.deactivated is not None
    error = mapped.deactivated["owner_id"]
    assert error.column == "Owner" and error.reason.endswith("map it in deal.owner.map")
    fallback = MAPPING.replace('map = { "Ann" = "ann@acme.test" }',
                               'map = { "Ann" = "ann@acme.test", "*" = "Ann Lee" }')
    assert compile_mapping(Mapping.loads(fallback), catalog).map(row).deal["owner_id"] == 100
    with pytest.raises(MappingError, match="deactivated"):
        compile_mapping(Mapping.loads(MAPPING.replace('"Ann" = "ann@acme.test"',
                                                      '"Ann" = "Bob Old"')), catalog)
