"""Organizations of one name at different addresses in one file are different organizations,
as two existing ones are (docs/mapping.md, Matching; fresh tester x9r5: a company's branches
in Hamburg and München became one organization, the second row "created"). A row with no
address, of a name the file names at two, fails naming them (x24r1 F2: it took the file's
first organization silently, and failed as ambiguous in a later file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.import_support import import_once, read_csv, sandbox_deals

pytestmark = pytest.mark.anyio
MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
[organization]
name = "org"
address = "address"
"""
ROWS = ("id,title,org,address\n"
        "b1,Catering Hamburg,Brandt Catering GmbH,\"Elbchaussee 1, Hamburg\"\n"
        "b2,Catering München,Brandt Catering GmbH,\"Leopoldstr. 5, München\"\n"
        "b3,Catering Hamburg 2,BRANDT CATERING GMBH,\"Elbchaussee  1, Hamburg\"\n"
        "b4,Catering somewhere,Brandt Catering GmbH,\n"
        "b5,Catering München 2,Brandt Catering GmbH,\"Leopoldstr. 5, München\"\n")


async def test_one_name_at_two_addresses_in_one_file_is_two_organizations(
        tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(ROWS)
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        store, result, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                             job_id="v1")
        try:
            failed = read_csv(store.directory / "failed.csv")
        finally:
            store.close()
        assert not result.stopped
        assert [(r["key"], "at different addresses" in r["reason"]) for r in failed] \
            == [("b4", True)], failed
        orgs = {o["id"]: (o.get("address") or {}).get("value") for o in sb.state.orgs.rows.values()
                if o["name"].casefold().startswith("brandt")}
        linked = {d["title"]: d["org_id"] for d in sandbox_deals(sb)}
        assert sorted(orgs.values()) == ["Elbchaussee 1, Hamburg", "Leopoldstr. 5, München"]
        at = {address: oid for oid, address in orgs.items()}
        hamburg, munich = at["Elbchaussee 1, Hamburg"], at["Leopoldstr. 5, München"]
        assert linked == {"Catering Hamburg": hamburg, "Catering München": munich,
                          "Catering Hamburg 2": hamburg, "Catering München 2": munich}, linked
        # the same file again: every row finds its organization, nothing new; the row
        # without an address fails again, now naming the two organizations' ids
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="v2")
        try:
            rows = read_csv(store.directory / "succeeded.csv")
            failed = read_csv(store.directory / "failed.csv")
        finally:
            store.close()
        assert {r["action"] for r in rows} == {"unchanged"}, rows
        assert [r["key"] for r in failed] == ["b4"]
        assert f"(ids {min(hamburg, munich)}, {max(hamburg, munich)})" in failed[0]["reason"]
        assert len([o for o in sb.state.orgs.rows.values()
                    if o["name"].casefold().startswith("brandt")]) == 2
