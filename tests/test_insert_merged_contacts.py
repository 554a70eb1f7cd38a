"""An insert follows a person / organization an earlier import linked from the same cells,
merged away since, to the survivor its deal is linked to now: never made again, and its
plan is what it spends (x40r5 F3: an insert made both organizations a colleague had merged
into others again; an upsert of the same file followed them)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from bulk.sandbox import Sandbox
from tests.import_support import (
    UPSERT_CONTACTS_HEADER,
    read_csv,
    upsert_contacts_mapping,
    upsert_files,
)
from tests.test_plan_tokens import TOKEN, cli, engine, sb, spent  # noqa: F401 - sb is a fixture


def _orgs(sb: Sandbox) -> dict[str, int]:  # noqa: F811
    return {o["name"]: o["id"] for o in sb.state.table("organization").rows.values()
            if not o["is_deleted"]}


def _merge(sb: Sandbox, away: int, survivor: int) -> None:  # noqa: F811
    """The colleague's merge, through the sandbox's API (PUT /v1/organizations/{id}/merge)."""
    import urllib.request

    req = urllib.request.Request(f"{sb.url}/v1/organizations/{away}/merge", method="PUT",
                                 data=orjson.dumps({"merge_with_id": survivor}),
                                 headers={"Content-Type": "application/json",
                                          "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req) as resp:
        assert orjson.loads(resp.read())["success"]


@pytest.mark.parametrize("email", [True, False])
@pytest.mark.parametrize("merged", ["before the plan", "between the plan and the run"])
def test_an_insert_follows_organizations_merged_away_since_an_earlier_import(
        sb: Sandbox, tmp_path: Path, email: bool, merged: str) -> None:  # noqa: F811
    """Job 1 (insert) makes Org Alpha and Org Beta; a colleague merges them into Acme Corp
    and Globex Corp; job 2 (insert, new keys, new persons at Org Alpha / Org Beta) links its
    deals and persons to Acme Corp and Globex Corp, no Org Alpha / Org Beta made again
    (before: 2 made again, each after a getOrganization of the claimed one and a page of
    getOrganizations), and `plan import` prices what the run spends."""
    jobs = tmp_path / "jobs"
    mapping_text = upsert_contacts_mapping(email).replace('mode = "upsert"', 'mode = "insert"')
    manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, [
        ("A1", "Deal a1", "100", "Ann Lee", "ann@ex1.com", "Org Alpha"),
        ("A2", "Deal a2", "100", "Bob Roe", "bob@ex1.com", "Org Beta")], mapping_text, "a.csv")
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 0, first.output
    orgs = _orgs(sb)
    second, _ = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, [
        ("B1", "Deal b1", "100", "Cy Doe", "cy@ex2.com", "Org Alpha"),
        ("B2", "Deal b2", "100", "Dee Doe", "dee@ex2.com", "Org Beta")], mapping_text, "b.csv")

    def colleague() -> None:
        _merge(sb, orgs["Org Alpha"], orgs["Acme Corp"])
        _merge(sb, orgs["Org Beta"], orgs["Globex Corp"])

    if merged == "before the plan":
        colleague()
    planned = cli(sb, jobs, "plan", "import", str(second), "-m", str(mapping), "--json",
                  *engine(sb, jobs)[:5])
    assert planned.exit_code == 0, planned.output
    if merged != "before the plan":
        colleague()
    before = spent(sb)
    ran = cli(sb, jobs, "import", str(second), "--mapping", str(mapping), *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    assert "organizations created: 0" in ran.output, ran.output
    now = _orgs(sb)
    assert "Org Alpha" not in now and "Org Beta" not in now, now
    (rows,) = [by_key for p in jobs.iterdir()
               if "B1" in (by_key := {r["key"]: r for r in read_csv(p / "succeeded.csv")})]
    assert rows["B1"]["org_id"] == str(orgs["Acme Corp"]), rows
    assert rows["B2"]["org_id"] == str(orgs["Globex Corp"]), rows
    persons = sb.state.table("person").rows
    assert persons[int(rows["B1"]["person_id"])]["org_id"] == orgs["Acme Corp"]
    assert spent(sb) - before == orjson.loads(planned.stdout)["tokens"], ran.output
