"""A row linked to an existing person whose phone (or other address) that person lacks says
so: the import writes deals, not persons, so the phone is not added — the row's note names
it and the person, and the plan and summary.json count such rows (x47r3 F3: file A made Ann
Lee with an e-mail only; file B's phone for her was dropped, unsaid, for 3 of 40 persons)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.import_load import plan_import
from jobs.import_rows import ImportSettings
from jobs.mapping import Mapping
from tests.import_support import api_engine, engine_config, import_once, read_csv

FAST: dict[str, Any] = {"time_scale": 0.02, "seed": 7, "deals": 0}
MAPPING = """\
[import]
key_column = "Key"
mode = "insert"
[deal]
title = "Title"
[person]
name = "Name"
email = "Email"
phone = "Phone"
"""


async def _first_file(sb: Any, tmp_path: Path, rows: str) -> None:
    """The mapping written and file A (``rows`` below the header) imported: the account's
    persons the second file's rows then link to."""
    (tmp_path / "m.toml").write_text(MAPPING)
    (tmp_path / "a.csv").write_text("Key,Title,Name,Email,Phone\n" + rows)
    store, _, _ = await import_once(sb, tmp_path / "jobs", tmp_path / "a.csv",
                                    tmp_path / "m.toml", job_id="a")
    store.close()


async def _plan_and_import(sb: Any, tmp_path: Path, rows: str
                           ) -> tuple[Any, Any, dict[str, dict[str, str]], dict[str, Any]]:
    """File B (``rows`` below the header) planned, then imported: (plan, its counts,
    succeeded.csv's rows by key, summary.json)."""
    (tmp_path / "b.csv").write_text("Key,Title,Name,Email,Phone\n" + rows)
    async with api_engine(sb, tmp_path) as engine:
        plan, counts = await plan_import(
            engine.ctx, ImportSettings(str(tmp_path / "b.csv"), str(tmp_path / "m.toml"),
                                       "insert"),
            Mapping.load(tmp_path / "m.toml"), engine_config(sb, tmp_path).limits(),
            stats=engine.stats, scheduler=engine.scheduler.statistics)
    store, _, _ = await import_once(sb, tmp_path / "jobs", tmp_path / "b.csv",
                                    tmp_path / "m.toml", job_id="b")
    try:
        rows_by_key = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        summary = json.loads((store.directory / "summary.json").read_text())
    finally:
        store.close()
    return plan, counts, rows_by_key, summary


@pytest.mark.anyio
async def test_a_phone_the_existing_person_lacks_is_said_not_added(tmp_path: Path) -> None:
    async with serve(SandboxConfig(**FAST)) as sb:
        await _first_file(sb, tmp_path, "A1,Deal A1,Ann Lee,ann@lee.example,\n"
                                        "A2,Deal A2,Cy Ode,cy@ode.example,+44 20 7946 0958\n")
        ann = next(p["id"] for p in sb.state.persons.rows.values() if p["name"] == "Ann Lee")
        plan, counts, rows, summary = await _plan_and_import(
            sb, tmp_path,
            "B1,Deal B1,Ann Lee,ann@lee.example,+44 20 7946 0958\n"  # Ann has no phone
            "B2,Deal B2,Bo Ek,bo@ek.example,+46 8 123 456 78\n"  # a new person: has it
            "B3,Deal B3,Cy Ode,cy@ode.example,020 7946 0958\n")  # Cy has it (national)
        phones = next(p["phones"] for p in sb.state.persons.rows.values() if p["id"] == ann)
    assert counts.persons_not_added == 1
    assert any("1 row gives its existing person a phone or e-mail that person lacks, "
               "not added" in n for n in plan.notes), plan.notes
    assert not [p for p in phones if p.get("value")], phones  # never written to her
    assert rows["B1"]["note"] == (
        f"phone +44 20 7946 0958 not added to the existing person {ann} (matched by "
        "email): the import writes deals, not persons; add it in Pipedrive"), rows["B1"]
    assert rows["B2"]["note"] == rows["B3"]["note"] == ""
    assert summary["load"]["persons_not_added"] == 1


@pytest.mark.anyio
async def test_not_added_counts_each_value_the_person_lacks_once(tmp_path: Path) -> None:
    """A value another row of the file gives too, or that the person has under another
    spelling (an address in another case, a phone written without spaces), is no row's
    "not added": 2 rows give their person a phone it lacks, not 4 (x47r10 F4)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        await _first_file(sb, tmp_path, "X1,F4 1,Olga Case,Olga.Case@Zed.example,\n"
                                        "X5,F4 5,Sam Both,sam@both.example,+44 20 7946 0958\n")
        ids = {p["name"]: p["id"] for p in sb.state.persons.rows.values()}
        plan, counts, rows, summary = await _plan_and_import(
            sb, tmp_path,
            "Y1,F4 Y1,Olga Case,olga.case@zed.example,\n"  # gives nothing Olga lacks
            "Y3,F4 Y3,Sam Both,SAM@both.example,+442079460958\n"  # nothing Sam lacks
            "Y4,F4 Y4,Sam Both,sam@both.example,+44 20 7000 0958\n"  # a phone Sam lacks
            "Y5,F4 Y5,Olga Case,olga.case@zed.example,+1 212 555 0958\n"  # one Olga lacks
            "Y6,F4 Y6,Olga Case,olga.case@zed.example,+1 (212) 555-0958\n")  # Y5's again
    notes = [n for n in plan.notes if "not added" in n]
    said = {k: r["note"] for k, r in rows.items() if "not added" in r["note"]}
    assert counts.persons_not_added == 2, (notes, said)
    assert any("2 rows give their existing person a phone or e-mail that person lacks"
               in n for n in notes), notes
    assert sorted(said) == ["Y4", "Y5"], said
    assert f"phone +44 20 7000 0958 not added to the existing person {ids['Sam Both']} " \
        "(matched by email)" in said["Y4"], said
    assert said["Y5"] == f"phone +1 212 555 0958 not added to the existing person " \
        f"{ids['Olga Case']} (matched by email): the import writes deals, not persons; add " \
        "it in Pipedrive", said
    assert summary["load"]["persons_not_added"] == 2


@pytest.mark.anyio
async def test_a_row_linked_to_an_existing_person_takes_nothing_from_other_rows(
        tmp_path: Path) -> None:
    """A row linked to an account's person never says its person "takes" another row's
    phone: nothing is written to an existing person (x48r6 F3: Y1 said Olga takes Y5's
    phone, which Y5's own note said was not added; and Sam "took" a phone he had)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        await _first_file(sb, tmp_path, "X1,T 1,Olga Case,olga@zed.example,\n"
                                        "X2,T 2,Sam Both,sam@both.example,+46701234567\n")
        plan, counts, rows, _ = await _plan_and_import(
            sb, tmp_path,
            "Y1,T Y1,Olga Case,olga@zed.example,\n"  # her phone is another row's
            "Y5,T Y5,Olga Case,olga@zed.example,+1 212 555 0958\n"  # one Olga lacks
            "Y6,T Y6,Sam Both,sam@both.example,\n"
            "Y7,T Y7,Sam Both,sam@both.example,+46 70 123 45 67\n"  # Sam has it
            "Y8,T Y8,New Person,new@p.example,\n"  # a new person: takes Y9's phone
            "Y9,T Y9,New Person,new@p.example,+1 212 555 0100\n")
    takes = sorted(k for k, r in rows.items() if "takes" in r["note"])
    assert takes == ["Y8"], {k: r["note"] for k, r in rows.items()}
    assert counts.persons_borrowed == 1, plan.notes
    assert "not added" in rows["Y5"]["note"] and rows["Y1"]["note"] == ""
