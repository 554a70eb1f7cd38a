"""A file that gives one key two rows with the same cells imports the first and reports the
other a duplicate of it (skipped, not held, the key not contested), on every import of the
file alike; rows of one key whose cells differ stay held, naming the first row and the
cells that differ."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bulk.manifest import SourceRow
from bulk.sandbox import SandboxConfig, serve
from jobs.repeats import RepeatedKeys
from tests.import_support import import_once, read_csv, sandbox_deals
from tests.mappings import deal_mapping

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
# row 4 repeats row 2 whole (one record written twice); row 6 gives k3 another title
SOURCE = ("id,title,stage,exported\n"
          "k1,One,Qualified,2026-01-01\n"
          "k2,Two,Qualified,2026-01-01\n"
          "k1,One,Qualified,2026-01-02\n"
          "k3,Three,Qualified,2026-01-01\n"
          "k3,Three B,Qualified,2026-01-01\n")


def _keyed(sb: object, key: str) -> int:
    return sum(1 for d in sandbox_deals(sb)  # type: ignore[arg-type]
               if key in {str(v) for v in (d.get("custom_fields") or {}).values()})


@pytest.mark.parametrize("mode", ["upsert", "insert"])
async def test_an_identical_repeat_is_a_duplicate_on_every_import(
        tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """x28r2-style nightly job: the first import made k1's deal and held row 4; every later
    import held row 4 again and contested k1 (row 2 failed too: exit 3 forever). Row 4, the
    same cells as row 2 in every column the mapping reads, is a duplicate of row 2
    (skipped) on the first import and on re-imports, from this state folder or another;
    k3's differing row stays held, its reason naming row 5 and the title cells."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(SOURCE)
    mapping.write_text(deal_mapping(mode=mode, key="id"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        runs: list[str] = []
        for n, state in enumerate(("a", "a", "b")):
            monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / f"state-{state}"))
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=f"run-{n}", mode=mode)
            failed = read_csv(store.directory / "failed.csv")
            done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
            store.close()
            assert done["4"]["action"] == "duplicate", done
            assert "the same deal as row 2" in done["4"]["note"]
            assert [r["row"] for r in failed if r["key"] == "k1"] == []  # before: 4, then 2 and 4
            held = [r for r in failed if r["row"] == "6"]
            assert len(held) == 1 and held[0]["hold"] == "duplicate-key"
            assert "row 5 has it too" in held[0]["reason"]
            assert "title: 'Three' there, 'Three B' here" in held[0]["reason"]
            # an upsert writes neither k3 row, on every import (test_upsert_contested_keys)
            assert [r["hold"] for r in failed if r["row"] == "5"] == (
                ["duplicate-key"] if mode == "upsert" else [])
            runs.append(done["2"]["action"])
        assert _keyed(sb, "k1") == _keyed(sb, "k2") == 1
        assert _keyed(sb, "k3") == (0 if mode == "upsert" else 1)
        # row 2 made k1's deal, then finds it
        assert runs == ["created", *(["unchanged"] * 2 if mode == "upsert" else ["exists"] * 2)]


async def test_a_file_of_identical_repeats_alone_fails_no_row(tmp_path: Path) -> None:
    """Only identical repeats: no row fails on the first import nor on the next (exit 0)."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,stage\nk1,One,Qualified\nk1,One,Qualified\nk1,One,Qualified\n")
    mapping.write_text(deal_mapping(mode="upsert", key="id"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        for job in ("first", "again"):
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=job)
            assert read_csv(store.directory / "failed.csv") == []
            notes = [r["note"] for r in read_csv(store.directory / "succeeded.csv")
                     if r["action"] == "duplicate"]
            store.close()
            assert len(notes) == 2 and all("row 2" in n for n in notes), notes
        assert _keyed(sb, "k1") == 1


def test_repeated_keys_keep_the_first_rows_of_repeated_keys_only() -> None:
    """Memory: a file of unique keys keeps no row; a typed cell differs from its text."""
    repeats = RepeatedKeys()
    repeats.learn(f"k{i}" for i in [*range(10_000), 7])
    for i in range(10_000):
        repeats.first(f"k{i}", SourceRow(i + 2, i + 2, {"id": f"k{i}", "n": 1}), None)
    assert len(repeats) == 1 and "1 first rows kept" in repr(repeats)
    same = repeats.again("k7", SourceRow(20_000, 20_000, {"id": "k7", "n": 1}), None)
    other = repeats.again("k7", SourceRow(20_001, 20_001, {"id": "k7", "n": "1"}), None)
    assert same is not None and same.same and same.row == 9
    assert other is not None and not other.same and [c for c, *_ in other.differing] == ["n"]
    assert repeats.again("k8", SourceRow(20_002, 20_002, {"id": "k8"}), None) is None
    assert os.environ.get("PDBULK_STATE_DIR")  # (hermetic: the conftest's own folder)


async def test_a_repeat_of_a_failing_row_fails_as_it_does(tmp_path: Path) -> None:
    """Rows 3 and 4 the same, their stage unknown: row 3 failed and row 4 was reported a
    duplicate "imported once, as that row" — nothing was imported (x29r3 F5, 2 of 2). Both
    fail with the reason; the key is not contested (the rows agree)."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,stage\nk1,One,Qualified\nk2,Two,Nowhere\nk2,Two,Nowhere\n")
    mapping.write_text(deal_mapping(mode="upsert", key="id"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = [r["row"] for r in read_csv(store.directory / "succeeded.csv")]
        store.close()
        assert done == ["2"], done
        assert sorted(failed) == ["3", "4"]
        assert failed["3"]["reason"] == failed["4"]["reason"], failed
        assert "duplicate" not in failed["4"]["reason"]


MAPPED = """\
[import]
key_column = "id"
mode = "{mode}"
[defaults]
currency = "EUR"
date_formats = ["%d/%m/%Y"]
[deal]
title = "title"
value = "value"
expected_close_date = "close"
pipeline = {{ default = "Sales" }}
[deal.stage]
column = "stage"
"""
# rows 2 and 3 write the same deal in other spellings (x29r3 F3: held as differing);
# rows 4 and 5 differ in value, rows 6 and 7 in stage
SPELLED = ("id,title,value,stage,close\n"
           "w1,W1,100,qualified,2024-03-01\n"
           "w1,W1 ,100.00,Qualified,01/03/2024\n"
           "w2,W2,100,Qualified,2024-03-01\n"
           "w2,W2,200,Qualified,2024-03-01\n"
           "w3,W3,100,Qualified,2024-03-01\n"
           "w3,W3,100,Contact Made,2024-03-01\n")


@pytest.mark.parametrize("mode", ["upsert", "insert"])
async def test_rows_that_write_the_same_deal_are_one_on_every_import(
        tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """x29r3 F3: rows of one key whose cells differ only in spelling (a trailing space,
    100 / 100.00, qualified / Qualified, a date in two formats the mapping reads alike) were
    held as differing, the key contested, exit 3 every night. Judged on what the mapping
    makes of them they are one deal: the later row is a duplicate of the first, on three
    imports alike; rows writing another value or stage stay held, naming the field and its
    cells. The sandbox holds one deal per key, with the first row's values."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(SPELLED)
    mapping.write_text(MAPPED.format(mode=mode))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        for n, state in enumerate(("a", "a", "b")):
            monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / f"state-{state}"))
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=f"run-{n}", mode=mode)
            failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
            done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
            store.close()
            assert done["3"]["action"] == "duplicate", (n, done, failed)
            assert "as row 2" in done["3"]["note"]
            # the differing keys are contested: an upsert holds their first rows too, on
            # every import (x29r3 F2: neither row written); an insert's first rows made
            # their deals
            contested = mode == "upsert"
            assert sorted(failed) == (["4", "5", "6", "7"] if contested else ["5", "7"]), failed
            assert failed["5"]["hold"] == failed["7"]["hold"] == "duplicate-key"
            assert "row 4 has it too" in failed["5"]["reason"]
            assert "value: '100' there, '200' here" in failed["5"]["reason"], failed["5"]
            assert "stage_id (column 'stage': 'Qualified' there, 'Contact Made' here)" \
                in failed["7"]["reason"], failed["7"]
            assert "title" not in failed["5"]["reason"].split("(each key")[0].split(
                "other values")[1]
        deals = {d["title"]: d for d in sandbox_deals(sb)}
        if mode == "upsert":
            assert sorted(deals) == ["W1"]
            assert _keyed(sb, "w1") == 1 and _keyed(sb, "w2") == _keyed(sb, "w3") == 0
        else:
            assert sorted(deals) == ["W1", "W2", "W3"]
            assert _keyed(sb, "w1") == _keyed(sb, "w2") == _keyed(sb, "w3") == 1
        assert deals["W1"]["value"] == 100 and deals["W1"]["expected_close_date"] == "2024-03-01"


async def test_an_xlsx_text_cell_and_a_number_write_the_same_value(tmp_path: Path) -> None:
    """x29r3 F3: an XLSX text cell '100' beside the number 100 (and 'W1' / 'W1 ') write
    the same deal: the second row is a duplicate of the first, not a contest."""
    import openpyxl

    manifest, mapping = tmp_path / "in.xlsx", tmp_path / "m.toml"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in (["id", "title", "value", "stage", "close"],
                 ["x1", "X1", "100", "Qualified", "2024-03-01"],
                 ["x1", "X1 ", 100, "Qualified", "2024-03-01"]):
        sheet.append(line)
    book.save(manifest)
    mapping.write_text(MAPPED.format(mode="upsert"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = read_csv(store.directory / "failed.csv")
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert failed == [] and done["3"]["action"] == "duplicate", (failed, done)
        assert _keyed(sb, "x1") == 1


async def _import_contacts(tmp_path: Path, body: str) -> tuple[
        dict[str, dict[str, str]], dict[str, dict[str, str]], list[str], list[str],
        dict[str, int]]:
    """One upsert of ``body`` (rows of id, title, stage, contact, email, company) with the
    person and organization mapped: (failed rows, succeeded rows, by row; the account's
    persons' and organizations' names; the deals carrying keys p1 and p2)."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,stage,contact,email,company\n" + body)
    mapping.write_text(deal_mapping(mode="upsert", key="id") + '[person]\nname = "contact"\n'
                       'email = "email"\n[organization]\nname = "company"\n')
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        persons = sorted(p["name"] for p in sb.state.persons.rows.values()
                         if not p["is_deleted"])
        orgs = sorted(o["name"] for o in sb.state.orgs.rows.values() if not o["is_deleted"])
        keyed = {key: _keyed(sb, key) for key in ("p1", "p2")}
    return failed, done, persons, orgs, keyed


async def test_rows_naming_one_person_and_organization_alike_are_one(tmp_path: Path) -> None:
    """The person and organization are judged as the mapping reads them (what they match
    or create): ``Ann Lee`` / `` Ann Lee``, ``Acme`` / ``Acme `` are one; another person
    is another write, named in the held row's reason with its cells. One person and one
    organization are created."""
    failed, done, persons, orgs, _ = await _import_contacts(
        tmp_path, "p1,P1,Qualified,Ann Lee,ann@example.com,Acme\n"
                  "p1,P1,Qualified, Ann Lee,ann@example.com,Acme \n"
                  "p2,P2,Qualified,Ann Lee,ann@example.com,Acme\n"
                  "p2,P2,Qualified,Bo Ek,bo@example.com,Acme\n")
    assert done["3"]["action"] == "duplicate", (done, failed)
    assert sorted(failed) == ["4", "5"], failed  # an upsert writes neither (x29r3 F2)
    assert "person (column 'contact': 'Ann Lee' there, 'Bo Ek' here, column 'email': " \
        "'ann@example.com' there, 'bo@example.com' here)" in failed["5"]["reason"], failed
    assert "person (column 'contact': 'Bo Ek' there, 'Ann Lee' here, column 'email': " \
        "'bo@example.com' there, 'ann@example.com' here)" in failed["4"]["reason"], failed
    assert persons == ["Ann Lee"] and orgs == ["Acme"], (persons, orgs)

async def test_rows_naming_one_person_in_other_case_spellings_are_one(tmp_path: Path) -> None:
    """A person is judged as the import finds or makes it: by its address, every case
    spelling one (``Ann@Example.com`` / ``ann@example.com``: f30a left them held as
    differing), else by its name as names are matched (``Bo Ek`` / ``bo ek``); an
    organization by its match key (``Acme`` / ``ACME``). The later rows are duplicates;
    one person each is made, named by the first row."""
    failed, done, persons, _, keyed = await _import_contacts(
        tmp_path, "p1,P1,Qualified,Ann Lee,Ann@Example.com,Acme\n"
                  "p1,P1,Qualified,ANN LEE,ann@example.com,ACME\n"
                  "p2,P2,Qualified,Bo Ek,,Acme\n"
                  "p2,P2,Qualified,bo ek,,Acme\n")
    assert failed == {}, failed
    assert done["3"]["action"] == done["5"]["action"] == "duplicate", done
    assert persons == ["Ann Lee", "Bo Ek"], persons
    assert keyed == {"p1": 1, "p2": 1}, keyed


# f31a: an empty cell writes nothing. Row 3 gives e1 a part of row 2 (the value left
# empty): one deal. e2's rows set other fields (a value; a close date): neither is the
# whole record. e3's later row writes all its first row does and more.
EMPTIES = ("id,title,value,stage,close\n"
           "e1,E1,58,Qualified,\n"
           "e1,E1,,Qualified,\n"
           "e2,E2,5,Qualified,\n"
           "e2,E2,,Qualified,2024-03-01\n"
           "e3,E3,,Qualified,\n"
           "e3,E3,7,Qualified,\n")


@pytest.mark.parametrize("mode", ["upsert", "insert"])
async def test_an_empty_cell_is_no_other_value(
        tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """f31a: ``e1,E1,58`` then ``e1,E1,`` held both rows ("either row would overwrite the
    other's"), though the empty cell writes nothing. Rows of one key clash only on a field
    both write: row 3 is a duplicate of row 2 (the deal at 58); rows setting other fields
    are held saying so, never "other values" (upsert both, insert the later), and a row
    writing all the other does and more is named as the one to keep — on three imports
    alike."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(EMPTIES)
    mapping.write_text(MAPPED.format(mode=mode))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        for n, state in enumerate(("a", "a", "b")):
            monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / f"state-{state}"))
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=f"run-{n}", mode=mode)
            failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
            done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
            store.close()
            assert done["3"]["action"] == "duplicate", (n, done, failed)
            assert "the same deal as row 2 (this row gives part of its fields" \
                in done["3"]["note"], done["3"]
            assert sorted(failed) == (["4", "5", "6", "7"] if mode == "upsert"
                                      else ["5", "7"]), (n, failed)
            for row in failed.values():
                assert row["hold"] == "duplicate-key", row
                assert "writing other values" not in row["reason"], row
                assert "overwrite" not in row["reason"], row
            assert "setting other fields, none with other values (expected_close_date " \
                "(column 'close': (empty) there, '2024-03-01' here); value: '5' there, " \
                "(empty) here)" in failed["5"]["reason"], failed["5"]
            assert "writing part of what this row writes, nothing otherwise (value: " \
                "(empty) there, '7' here)" in failed["7"]["reason"], failed["7"]
            if mode == "upsert":
                assert "delete row 6 from your file and import it with --release-held " \
                    "(this row writes all of it, and more)" in failed["7"]["reason"]
                assert "delete this row from your file" in failed["6"]["reason"]
            else:
                assert "delete row 6 and import with --mode upsert" in failed["7"]["reason"]
        values = {d["title"]: d["value"] for d in sandbox_deals(sb)}
        assert values["E1"] == 58, values
        assert sorted(values) == (["E1"] if mode == "upsert" else ["E1", "E2", "E3"])
