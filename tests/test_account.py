"""jobs.account: the catalog, the key field and the indexes come from list pulls, never searches."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.sandbox import Faults, SandboxConfig, serve
from jobs.account import (
    added_since,
    ensure_key_field,
    index_deals_by_key,
    index_orgs,
    index_persons,
    load_catalog,
)
from jobs.transforms import org_match_key
from tests.import_support import api_context

pytestmark = pytest.mark.anyio


async def test_catalog_and_indexes_cost_only_list_pages(tmp_path: Path) -> None:
    """One page per list; the seeded deals are found by their key; no search is made."""
    async with serve(SandboxConfig(time_scale=0.02, deals=600, seed=3)) as sb, \
            api_context(sb, tmp_path) as ctx:
        catalog = await load_catalog(ctx)
        assert {p.name for p in catalog.pipelines} == {"Sales", "Partnerships"}
        assert catalog.field("Lead source").options
        code, same = await ensure_key_field(ctx, catalog, "External ID", create=False)
        assert same is catalog and len(code) == 40
        deals = await index_deals_by_key(ctx, code)
        assert len(deals) == 600 and deals["SEED-000001"]["id"] == 1
        persons = await index_persons(ctx)
        orgs, n_orgs = await index_orgs(ctx)
        assert persons.count == 200 and n_orgs == 75
        key = org_match_key("Acme Corp")  # "acme inc": Corp and Inc are one US form (x20r1 M2)
        assert orgs[key] == 1  # "Acme Corp" by its match key
        assert orgs.match(key) == (1, "name")
        stats = sb.stats()["requests_by_operation"]
        assert stats == {"getPipelines": 1, "getStages": 1, "getUsers": 1, "getDealFields": 1,
                         "getDeals": 2, "getArchivedDeals": 1, "getPersons": 1,
                         "getOrganizations": 1}


async def test_key_field_created_once_even_if_the_answer_is_lost(tmp_path: Path) -> None:
    """A lost addDealField answer is checked by re-pulling the fields, not re-sent."""
    async with serve(SandboxConfig(time_scale=0.02)) as sb, api_context(sb, tmp_path) as ctx:
        catalog = await load_catalog(ctx)
        with pytest.raises(InputError, match="create-key-field"):
            await ensure_key_field(ctx, catalog, "Import source key", create=False)
        sb.set_faults(Faults(lost_response_rate=1.0, only_operations=frozenset({"addDealField"})))
        code, catalog = await ensure_key_field(ctx, catalog, "Import source key", create=True)
        sb.set_faults(Faults())
        named = [f for f in sb.state.fields.values() if f["field_name"] == "Import source key"]
        assert len(named) == 1 and named[0]["field_code"] == code
        assert catalog.field("Import source key").code == code
        with pytest.raises(InputError, match="text field"):
            await ensure_key_field(ctx, catalog, "Lead source", create=True)


async def test_added_since_stops_at_older_records(tmp_path: Path) -> None:
    """Newest first, and the pull stops at the first record older than ``since``."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1200)) as sb, \
            api_context(sb, tmp_path) as ctx:
        since = time.time() - 5
        for n in range(3):
            await ctx.call("addDeal", json={"title": f"new {n}"})
        found = await added_since(ctx, "getDeals", since)
        assert [d["title"] for d in found] == ["new 2", "new 1", "new 0"] or \
            sorted(d["title"] for d in found) == ["new 0", "new 1", "new 2"]
        assert sb.stats()["requests_by_operation"]["getDeals"] == 1


async def test_users_are_pulled_for_a_user_field_only(tmp_path: Path) -> None:
    """x14r2 F2: an import with no owner column pulled no users, so every row of a
    user-type custom field failed ("no user named 'Tom Becker'"). Given the custom fields
    a mapping names, the users are pulled once one of them is a user field, and only then."""
    async with serve(SandboxConfig(time_scale=0.02, seed=3)) as sb, \
            api_context(sb, tmp_path) as ctx:
        code = "a" * 40
        sb.state.fields[code] = {**next(f for f in sb.state.fields.values()
                                        if f.get("is_custom_field")),
                                 "field_code": code, "field_name": "Account manager",
                                 "field_type": "user"}
        pulls = []
        for names in (("External ID",), ("External ID", "Account manager"), (code,), ()):
            before = sb.stats()["requests_by_operation"].get("getUsers", 0)
            catalog = await load_catalog(ctx, users=names)
            pulls.append(sb.stats()["requests_by_operation"].get("getUsers", 0) - before)
            assert bool(catalog.users) is bool(pulls[-1])
    assert pulls == [0, 1, 1, 0]
