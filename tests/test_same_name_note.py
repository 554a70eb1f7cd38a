"""A new person who has the name of a person of the account is created (no evidence links
them) and said to be a possible duplicate, in succeeded.csv's note and in the plan
(x24r1 F6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.import_load import plan_import
from jobs.import_rows import ImportSettings
from jobs.mapping import Mapping
from tests.import_support import api_engine, engine_config
from tests.test_email_cells import FAST, MAPPING, _import


@pytest.mark.anyio
async def test_a_second_person_of_a_name_the_account_has_is_noted(tmp_path: Path) -> None:
    """x24r1 F6: ``Ann Lee`` with a new e-mail (at the organization of the account's Ann
    Lee) made a second Ann Lee and said nothing. The row is still created (an e-mail no
    one has is another person), and its note and the plan say a person of that name
    exists; a row whose person is found, or whose name no one has, has no such note."""
    async with serve(SandboxConfig(**FAST)) as sb:
        await _import(sb, tmp_path, "Key,Title,Name,Email,Phone\n"
                      "S1,Seed1,Ann Lee,ann@acme.com,\n", "seed")
        csv = ("Key,Title,Name,Email,Phone\n"
               "R1,r1,Ann Lee,ann.lee@home.example,\n"   # a second Ann Lee
               "R2,r2,Ann Lee,ann.lee@home.example,\n"   # the same new one
               "R3,r3,ANN LEE,ann@acme.com,\n"           # the account's, by e-mail
               "R4,r4,Bo Day,bo@day.example,\n")         # no one of that name
        manifest, mapping = tmp_path / "f6.csv", tmp_path / "f6.toml"
        manifest.write_text(csv)
        mapping.write_text(MAPPING)
        async with api_engine(sb, tmp_path) as engine:
            plan, counts = await plan_import(
                engine.ctx, ImportSettings(str(manifest), str(mapping), "insert"),
                Mapping.load(mapping), engine_config(sb, tmp_path).limits(),
                stats=engine.stats, scheduler=engine.scheduler.statistics)
        rows = await _import(sb, tmp_path, csv, "f6")
        persons = sorted(p["id"] for p in sb.state.persons.rows.values()
                         if p["name"] == "Ann Lee")
    assert counts.persons_same_name == 1
    assert any("1 new person has the name of a person of the account" in n
               for n in plan.notes), plan.notes
    assert "listed 1 person" in plan.notes, plan.notes  # x26r3 2: "listed 1 persons"
    first = persons[0]
    assert len(persons) == 2  # created all the same
    note = (f"created a second person named 'Ann Lee' (the account's person id {first} "
            "of that name); possible duplicate")
    assert rows["R1"]["note"] == rows["R2"]["note"] == note
    assert rows["R1"]["person_matched_by"] == "created"
    assert rows["R3"]["note"] == rows["R4"]["note"] == ""
