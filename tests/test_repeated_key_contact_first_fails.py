"""Rows of one key that differ in the contact alone are judged beside the key's first row
that WRITES the deal, never beside one that failed (x45r6 F2, F4 on a8bc2af3): an insert
whose first row fails its own cell makes the deal from the next row that writes it, the
row after that its duplicate (README: "when the key's first row fails, the first later row
that writes the deal is the one the rest are judged beside"); a key an earlier import
contested fails each of its rows, none reported a duplicate of a failed row; an upsert's
advice to import with --mode insert names what that insert needs (--release-held)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.import_support import import_once, read_csv, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = """\
[import]
key_column = "key"
mode = "{mode}"
[defaults]
date_formats = ["%d/%m/%Y"]
[deal]
title = "title"
expected_close_date = "close"
pipeline = {{ default = "Sales" }}
[person]
name = "contact"
email = "mail"
"""
SOURCE = ("key,title,close,contact,mail\n"
          "K1,Deal one,13/01/2026,Anna Berg,anna@ex.test\n"
          "K1,Deal one,13/01/2026,Bernd Kohl,bernd@ex.test\n"
          "K1,Deal one,13/01/2026,Carla Diaz,carla@ex.test\n"
          "K3,Deal three,31/02/2026,Emil Roth,emil@ex.test\n"
          "K3,Deal three,13/01/2026,Fritz Lang,fritz@ex.test\n"
          "K3,Deal three,13/01/2026,Gina Ohm,gina@ex.test\n")


def _titled(deals: list[dict[str, object]], title: str) -> list[dict[str, object]]:
    return [d for d in deals if d.get("title") == title]


async def test_a_first_row_failing_its_cell_leaves_the_deal_to_the_next(
        tmp_path: Path) -> None:
    """Insert: row 5 (K3) fails its date; row 6 makes K3's deal, row 7 is its duplicate
    naming 'Gina Ohm' not linked, beside row 6 (x45r6 F4: rows 6 and 7 were held
    "row 5 has it too, writing other values (person ...)", no deal made)."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(SOURCE)
    mapping.write_text(MAPPING.format(mode="insert"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="run", mode="insert")
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert sorted(failed) == ["5"], failed
        assert "not a date" in failed["5"]["reason"], failed
        assert done["6"]["action"] == "created", done
        assert done["7"]["action"] == "duplicate", done
        note = done["7"]["note"]
        assert "the same deal as row 6" in note and "'Gina Ohm'" in note, note
        assert "imported once, as row 6, with its contact 'Fritz Lang'" in note, note
        three = _titled(sandbox_deals(sb), "Deal three")
        assert len(three) == 1, three
        persons = {p["id"]: p["name"] for p in sb.state.persons.rows.values()}
        assert persons.get(three[0].get("person_id")) == "Fritz Lang", (three, persons)
        assert "Gina Ohm" not in persons.values() and "Emil Roth" not in persons.values()
        assert done["3"]["action"] == "duplicate" and "as row 2" in done["3"]["note"], done


async def test_the_upserts_advice_to_insert_is_an_insert_that_writes(tmp_path: Path) -> None:
    """x45r6 F2: the upsert held K1's rows advising "import with --mode insert"; that
    insert failed row 2 as contested and reported rows 3 and 4 'duplicate ... imported
    once, as row 2' (0 deals). Now the insert fails every row of the contested key, none a
    duplicate; the advice names --release-held, and that insert makes one deal."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(SOURCE[:SOURCE.index("K3")])
    mapping.write_text(MAPPING.format(mode="upsert"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="upsert", mode="upsert")
        held = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        store.close()
        assert sorted(held) == ["2", "3", "4"], held
        for row in held.values():
            assert "--mode insert --release-held" in row["reason"], row["reason"]
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="insert", mode="insert")
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = read_csv(store.directory / "succeeded.csv")
        store.close()
        assert [r for r in done if r["key"] == "K1"] == [], done
        assert sorted(failed) == ["2", "3", "4"], failed
        assert all("is contested" in r["reason"] for r in failed.values()), failed
        assert _titled(sandbox_deals(sb), "Deal one") == []
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="advised", mode="insert", release_held=True)
        advised = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert [advised[r]["action"] for r in ("2", "3", "4")] == [
            "created", "duplicate", "duplicate"], advised
        assert len(_titled(sandbox_deals(sb), "Deal one")) == 1
