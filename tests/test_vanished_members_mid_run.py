"""An organization the load matched (a colleague's) merged away while the run sends, before
any deal of the job links it: the rows refused for it follow the survivor by the persons
they name that were at it at the load and moved with the merge, never make it again from
their cells (x49r2 F2: 5 rows on a new 'Org079 Ltd', their persons at survivor 83); a
person elsewhere at the load, edited since, is no witness (x49r2 F1's rule)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import JobStore
from tests.import_support import (
    UPSERT_CONTACTS_HEADER,
    api_context,
    deal_links,
    engine_config,
    read_csv,
    upsert_contacts_mapping,
    upsert_files,
)

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("how", ["merged", "deleted"])
async def test_an_org_merged_mid_run_before_its_first_deal_follows_its_members(
        tmp_path: Path, how: str) -> None:
    """Rows 0-9 at Alder, rows 10-19 at Alpha (Ann and Otto: at Alpha at the load, or
    Wolf's Bob, edited later); Alpha merged into Zed after 3 rows: rows 10-19 on Zed, no
    organization made. Deleted instead (Bob, at Wolf all along, given a phone): rows 10-19
    on one new 'Alpha Ltd', none on Wolf."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        async with api_context(sb, tmp_path / "colleague") as ctx:
            org = {n: int((await ctx.call("addOrganization", json={"name": n})).data["id"])
                   for n in ("Alder Ltd", "Alpha Ltd", "Wolf Ltd", "Zed Ltd")}
            people = {}
            for name, at in (("Al Roe", "Alder Ltd"), ("Ann Roe", "Alpha Ltd"),
                             ("Otto Roe", "Alpha Ltd"), ("Bob Roe", "Wolf Ltd")):
                people[name] = int((await ctx.call("addPerson", json={
                    "name": name, "org_id": org[at], "emails": [
                        {"value": f"{name.split()[0].lower()}@roe.com", "primary": True}]}
                )).data["id"])
        who = ["Ann Roe", "Otto Roe"] if how == "merged" else ["Bob Roe"]
        rows = [(f"K{i:02d}", f"Deal {i}", "100", "Al Roe", "al@roe.com", "Alder Ltd")
                for i in range(10)]
        rows += [(f"K{i:02d}", f"Deal {i}", "100", (n := who[i % len(who)]),
                  f"{n.split()[0].lower()}@roe.com", "Alpha Ltd") for i in range(10, 20)]
        manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, rows,
                                         upsert_contacts_mapping(), "f.csv")
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping),
                                  mode="upsert", create_key_field=True)
        config = engine_config(sb, tmp_path / "jobs", max_workers=1)
        store = JobStore.create(tmp_path / "jobs" / "job", job_id="job", kind="import",
                                config={"engine": config.to_json(),
                                        "import": settings.to_json()})
        kind = ImportJob(store, settings, "")
        execute, done = kind.execute, []

        async def colleague(ctx: Any, item: Any) -> Any:
            out = await execute(ctx, item)
            done.append(item.key)
            if len(done) == 3 and how == "merged":
                merge(sb.state, "organization", org["Alpha Ltd"],
                      {"merge_with_id": org["Zed Ltd"]})
            elif len(done) == 3:
                row = sb.state.table("organization").rows[org["Alpha Ltd"]]
                sb.state.save("organization", {**row, "is_deleted": True})
                bob = sb.state.table("person").rows[people["Bob Roe"]]
                sb.state.save("person", {**bob, "phones": [
                    {"value": "+4930123456", "primary": True, "label": "work"}],
                    "update_time": sb.state.now_iso()})
            return out

        kind.execute = colleague  # type: ignore[method-assign]
        try:
            result = await import_job(store, kind, Mapping.load(mapping), config, sb.token,
                                      say=lambda _: None)
            store.set_status("finished")
            kind.after_run(store, result)
            failed = read_csv(store.directory / "failed.csv")
            rows_done = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        finally:
            store.close()
        assert not failed, failed
        links = {k: deal_links(sb, int(r["deal_id"]))[1] for k, r in rows_done.items()
                 if int(k[1:]) >= 10}
        alphas = [o["id"] for o in sb.state.table("organization").rows.values()
                  if o["name"] == "Alpha Ltd" and not o["is_deleted"]]
        if how == "merged":
            assert set(links.values()) == {org["Zed Ltd"]}, (links, rows_done)
            assert alphas == [], alphas
            return
        assert len(alphas) == 1 and set(links.values()) == set(alphas), (links, alphas)
