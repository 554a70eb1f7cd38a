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


@pytest.mark.anyio
async def test_an_upsert_moving_a_deal_to_a_new_person_of_its_name_and_phone_says_so(
        tmp_path: Path) -> None:
    """x40r5 F4: an upsert row whose e-mail changed makes a new person (persons are told
    by e-mail) with the name and phone of the deal's person, and moves the deal to it —
    unchanged behaviour, but the plan said only ``person_id``. The plan now says how many
    deals move so, and the row's note names the person they leave; a row whose deal's
    person has another phone says it too (x41r2), one that keeps its person nothing."""
    upsert = MAPPING.replace('mode = "insert"', 'mode = "upsert"')
    async with serve(SandboxConfig(**FAST)) as sb:
        await _import(sb, tmp_path, "Key,Title,Name,Email,Phone\n"
                      "M1,m1,Ann Lee,ann@old.example,+49 30 1234567\n"
                      "M2,m2,Bo Day,bo@old.example,+49 30 7654321\n"
                      "M3,m3,Cy Vo,cy@old.example,+49 30 1111111\n", "seed", upsert)
        old = {p["name"]: p["id"] for p in sb.state.persons.rows.values()}
        csv = ("Key,Title,Name,Email,Phone\n"
               "M1,m1,Ann Lee,ann@new.example,+49 (30) 123-4567\n"  # same name and phone
               "M2,m2,Bo Day,bo@new.example,+49 30 9999999\n"      # another phone
               "M3,m3,Cy Vo,cy@old.example,+49 30 1111111\n")      # its own person
        manifest, mapping = tmp_path / "f4.csv", tmp_path / "f4.toml"
        manifest.write_text(csv)
        mapping.write_text(upsert)
        async with api_engine(sb, tmp_path) as engine:
            plan, counts = await plan_import(
                engine.ctx, ImportSettings(str(manifest), str(mapping), "upsert"),
                Mapping.load(mapping), engine_config(sb, tmp_path).limits(),
                stats=engine.stats, scheduler=engine.scheduler.statistics)
        rows = await _import(sb, tmp_path, csv, "f4", upsert)
        deals = {d["title"]: d["person_id"] for d in sb.state.deals.rows.values()}
    assert (counts.persons_moved, counts.persons_moved_alike) == (2, 1)
    # x41r2: every move is said (M2's, another phone too, was not), the likely address
    # change apart
    assert any("2 deals move to a new person, their person left as it is" in n
               and "(1 deal: the row's e-mail matches no person; the deal's person (same "
               "name and phone) has another address" in n for n in plan.notes), plan.notes
    assert rows["M1"]["note"].startswith(
        f"the deal moves to a new person from person {old['Ann Lee']} (same name and "
        "phone, another address)"), rows["M1"]
    assert rows["M2"]["note"].startswith(
        f"the deal moves to a new person from person {old['Bo Day']}, left as it is"), rows
    assert "moves to a new person" not in rows["M3"]["note"], rows
    deal_m1 = deals["m1"]["value"] if isinstance(deals["m1"], dict) else deals["m1"]
    assert deal_m1 != old["Ann Lee"]  # the behaviour is as before: a new person
