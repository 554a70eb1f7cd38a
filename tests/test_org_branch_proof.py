"""A row with no address, naming an organization two existing branches of one name have,
takes the branch its person is at only when the row proves the person: by e-mail, or by
name and phone. A name alone proves no one (x24r5 F10: "Ann Lee" of "Nordwind GmbH" took
Ann Lee's branch by her name, then Ann Lee by that branch: a link by name only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.import_support import import_once, read_csv

pytestmark = pytest.mark.anyio
MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
[person]
name = "person"
email = "email"
phone = "phone"
[organization]
name = "org"
address = "address"
"""
ACCOUNT = ("id,title,person,email,phone,org,address\n"
           "a1,Hamburg,Ann Lee,ann@nordwind.example,+49 40 1234567,Nordwind GmbH,"
           "\"Elbchaussee 1, Hamburg\"\n"
           "a2,Berlin,,,,Nordwind GmbH,\"Unter den Linden 5, Berlin\"\n")
LATER = ("id,title,person,email,phone,org,address\n"
         "n1,By name,Ann Lee,,,Nordwind GmbH,\n"
         "n2,By phone,Ann Lee,,040 1234567,Nordwind GmbH,\n"
         "n3,By e-mail,Ann Lee,ann@nordwind.example,,Nordwind GmbH,\n"
         "n4,Other phone,Ann Lee,,+49 89 7654321,Nordwind GmbH,\n")


async def test_a_name_alone_never_picks_a_branch(tmp_path: Path) -> None:
    """n1 (name only) and n4 (another phone) fail with their row numbers, naming both
    branches' ids and that a person of the name is at one; n2 (name and phone) and n3
    (e-mail) are linked to Ann Lee and her branch, ``name+person``."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        first = tmp_path / "account.csv"
        first.write_text(ACCOUNT)
        store, _, _ = await import_once(sb, tmp_path / "jobs", first, mapping, job_id="a")
        store.close()
        orgs = {(o.get("address") or {}).get("value"): o["id"]
                for o in sb.state.orgs.rows.values() if o["name"] == "Nordwind GmbH"}
        hamburg, berlin = orgs["Elbchaussee 1, Hamburg"], orgs["Unter den Linden 5, Berlin"]
        (ann,) = [p["id"] for p in sb.state.persons.rows.values() if p["name"] == "Ann Lee"]
        persons = len(sb.state.persons.rows)
        later = tmp_path / "later.csv"
        later.write_text(LATER)
        store, _, _ = await import_once(sb, tmp_path / "jobs", later, mapping, job_id="b")
        try:
            done = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
            rows = {r["key"]: r["row"] for r in read_csv(store.directory / "failed.csv")}
            failed = {r["key"]: r["reason"] for r in read_csv(store.directory / "failed.csv")}
        finally:
            store.close()
        assert sorted(failed) == ["n1", "n4"], failed
        ids = f"(ids {min(hamburg, berlin)}, {max(hamburg, berlin)})"
        assert rows == {"n1": "2", "n4": "5"}, rows
        assert ids in failed["n1"] and "add the organization address" in failed["n1"]
        assert f"a person of that name is at id {hamburg}, but a name alone" in failed["n1"]
        assert ids in failed["n4"]
        assert {k: (r["person_id"], r["person_matched_by"], r["org_id"], r["org_matched_by"])
                for k, r in done.items()} == {
            "n2": (str(ann), "name+phone", str(hamburg), "name+person"),
            "n3": (str(ann), "email", str(hamburg), "name+person")}
        assert len(sb.state.persons.rows) == persons  # no second Ann Lee
