"""An organization the load found by id (a colleague's, not made by this job) deleted
while several workers send rows naming it: every row whose new person, or deal, Pipedrive
refuses for it is resolved again, the organization made again once from the cells, each
new person made once at it; no row fails (f38a 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.config import Faults
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
# 8 new persons, each on 4 rows, all at the colleague's Org1 Ltd
ROWS = [(f"R{n:02d}", f"Deal {n}", "100", f"Pat {n % 8}", f"pat{n % 8}@ex.com", "Org1 Ltd")
        for n in range(32)]


@pytest.mark.parametrize("how", ["deleted", "merged"])
async def test_an_org_found_by_id_vanished_mid_run_under_four_workers(
        tmp_path: Path, how: str) -> None:
    """Org1 (the colleague's, found by name at the load) deleted once 3 rows are done, 4
    workers, 150 ms latency: no row fails, the rows after it are on one Org1 made again,
    each Pat made once (8 persons, none twice), the refused writes said in the run's lines.
    Merged into Acme instead: the rows after it follow Acme, where the earlier rows' deals
    went (two deals agree), no Org1 made again (before: a copy of Org1 made, the file's
    rows split between Acme and the copy)."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5,
                                   faults=Faults(latency_ms=150))) as sb:
        async with api_context(sb, tmp_path / "colleague") as ctx:
            org = int((await ctx.call("addOrganization", json={"name": "Org1 Ltd"})).data["id"])
            other = int((await ctx.call("addOrganization", json={"name": "Acme"})).data["id"])
        manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, ROWS,
                                         upsert_contacts_mapping(), "f.csv")
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping),
                                  mode="upsert", create_key_field=True)
        config = engine_config(sb, tmp_path / "jobs", max_workers=4)
        store = JobStore.create(tmp_path / "jobs" / "job", job_id="job", kind="import",
                                config={"engine": config.to_json(),
                                        "import": settings.to_json()})
        kind = ImportJob(store, settings, "")
        execute, done = kind.execute, []

        async def deleting(ctx: Any, item: Any) -> Any:
            out = await execute(ctx, item)
            done.append(item.key)
            if len(done) == 3 and how == "merged":
                merge(sb.state, "organization", org, {"merge_with_id": other})
            elif len(done) == 3:
                row = sb.state.table("organization").rows[org]
                sb.state.save("organization", {**row, "is_deleted": True})
            return out

        kind.execute = deleting  # type: ignore[method-assign]
        lines: list[str] = []
        try:
            result = await import_job(store, kind, Mapping.load(mapping), config, sb.token,
                                      say=lines.append)
            store.set_status("finished")
            lines += kind.after_run(store, result)
            failed = read_csv(store.directory / "failed.csv")
            rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        finally:
            store.close()
        assert not failed, failed
        orgs = [o["id"] for o in sb.state.table("organization").rows.values()
                if o["name"] == "Org1 Ltd" and not o["is_deleted"]]
        live = [o["id"] for o in sb.state.table("organization").rows.values()
                if not o["is_deleted"]]
        persons = [p["name"] for p in sb.state.table("person").rows.values()
                   if not p["is_deleted"]]
        assert sorted(persons) == sorted({f"Pat {n}" for n in range(8)}), persons
        links = {deal_links(sb, int(r["deal_id"]))[1] for r in rows.values()}
        assert any("resolved again" in line for line in lines), lines
        if how == "merged":  # every deal on the survivor, no Org1 made again
            assert orgs == [] and links == {other} and sorted(live) == [other], (orgs, links)
            later = [r for r in rows.values() if r["org_matched_by"] == "kept"]
            assert later and all(f"organization {org} merged away since" in r["note"]
                                 for r in later), rows
            return
        assert len(orgs) == 1 and orgs[0] != org, orgs
        assert links <= {org, orgs[0]}, links
