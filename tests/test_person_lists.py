"""A contact cell naming several persons (HubSpot's ``Jane Roe;John Poe``) fails its row,
as an organization cell naming several does: a deal has one person (x23r1 F1: one person
named ``Jane Roe;John Poe`` holding both addresses was made, and a later file's John Poe
linked to it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs import transforms as tf
from jobs.catalog import Catalog
from jobs.mapping.starter import init_mapping
from tests.import_support import import_once, read_csv, sandbox_deals
from tests.test_mapping import catalog  # noqa: F401  (fixture)

FAST = {"time_scale": 0.02, "seed": 7, "deals": 0}
MAPPING = """\
[import]
key_column = "id"
[deal]
title = "title"
[person]
name = "contact"
email = "email"
phone = "phone"
[organization]
name = "company"
"""
NO_NAME = MAPPING.replace('name = "contact"\n', "", 1)


@pytest.mark.parametrize(("cell", "names"), [
    ("Jane Roe;John Poe", ["Jane Roe", "John Poe"]),
    ("Jane Roe | John Poe", ["Jane Roe", "John Poe"]),
    ("Jane Roe / John Poe", ["Jane Roe", "John Poe"]),
    ("Jane Roe/John Poe", ["Jane Roe", "John Poe"]), ("KENJI n/a", None),
    ("Jane Roe/Smith", None), ("n/a Larsen", None),
    ("Jane Roe\nJohn Poe", ["Jane Roe", "John Poe"]),
    ("Jane and John Poe", ["Jane", "John Poe"]),
    ("Jane Roe & John Poe", ["Jane Roe", "John Poe"]),
    ("Roe, Jane; Poe, John", ["Roe, Jane", "Poe, John"]),
    ("Roe, Jane", None), ("Roe, Jane, Jr.", None), ("Jane Roe", None),
    ("Jane Roe;", None), ("Alexander Anders", None), ("Jane Roe (CEO/CTO)", None),
])
def test_the_persons_a_name_cell_lists(cell: str, names: list[str] | None) -> None:
    """; | a line break, a spaced /, "and" and "&" separate persons, an unspaced / only
    names of two words (``n/a``, ``Roe/Smith``: one); a comma only between two full names
    (``Roe, Jane`` is one name written last-first: test_person_lists_joiners), nor a
    separator inside brackets."""
    assert tf.listed_persons(cell) == names


def test_the_names_an_email_cell_writes() -> None:
    assert tf.display_names("Jane Roe <jane@roe.com>; John Poe <john@poe.com>") == [
        "Jane Roe", "John Poe"]
    assert tf.display_names("Ann Lee (a@x.com); ANN  LEE <b@x.com>") == ["Ann Lee"]
    assert tf.display_names("bob.q@x.com, Carl Q <carl.q@x.com>") == ["Carl Q"]


@pytest.mark.anyio
async def test_a_cell_naming_two_persons_fails_its_row_and_makes_no_one(
        tmp_path: Path) -> None:
    """The tester's rows: the contact cell (or, without a name column, the e-mail cell, or
    a phone cell that labels its numbers) naming two persons fails its row naming them;
    ``Roe, Jane`` is one person; a later file's John Poe is a new person, not Jane's."""
    manifest, mapping = tmp_path / "cf.csv", tmp_path / "cf.toml"
    mapping.write_text(MAPPING)
    manifest.write_text(
        "id,title,contact,email,phone,company\n"
        'C1,multi contact,"Jane Roe;John Poe","jane@roe.com;john@poe.com",,Roe Inc\n'
        "C2,and,Jane and John Poe,jane@roe.com,,Roe Inc\n"
        'C3,lines,"Jane Roe\nJohn Poe",jane@roe.com,,Roe Inc\n'
        'C4,phones,Jane Roe,,"+1 555 0001 (Jane); +1 555 0002 (John)",Roe Inc\n'
        "C5,last first,\"Roe, Jane\",jane@roe.com,,Roe Inc\n")
    async with serve(SandboxConfig(**FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = {r["key"]: r for r in read_csv(store.directory / "failed.csv")}
        store.close()
        assert set(failed) == {"C1", "C2", "C3", "C4"}, failed
        assert "the person cell names 2 persons ('Jane Roe', 'John Poe')" in \
            failed["C1"]["reason"] and failed["C1"]["column"] == "contact"
        assert "names 2 persons ('Jane', 'John Poe')" in failed["C2"]["reason"]
        mapping.write_text(NO_NAME)
        manifest.write_text("id,title,email,phone,company\n"
                            'N1,named two,"Jane Roe <jane@roe.com>; John Poe <john@poe.com>",,\n')
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="no-name")
        failed = {r["key"]: r for r in read_csv(store.directory / "failed.csv")}
        store.close()
        assert "the e-mail cell names 2 persons ('Jane Roe', 'John Poe')" in \
            failed["N1"]["reason"], failed
        mapping.write_text(MAPPING)
        manifest.write_text("id,title,contact,email,phone,company\n"
                            "L1,later,John Poe,john@poe.com,,\n")
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="later")
        store.close()
        persons = {p["id"]: (p["name"], [e["value"] for e in p["emails"]])
                   for p in sb.state.persons.rows.values()}
        linked = {d["title"]: persons[d["person_id"]] for d in sandbox_deals(sb)}
    assert linked == {"last first": ("Roe, Jane", ["jane@roe.com"]),
                      "later": ("John Poe", ["john@poe.com"])}, linked
    assert not any(";" in name or "\n" in name for name, _ in persons.values()), persons


def test_init_mapping_says_a_contact_column_lists_several(catalog: Catalog) -> None:  # noqa: F811
    """init-mapping proposes the column and says its listing cells fail their rows."""
    text = init_mapping(["Record ID", "Deal Name", "Contact Name", "Company"], catalog,
                        samples={"Contact Name": ["Ann Lee", "Jane Roe;John Poe"],
                                 "Company": ["Acme", "Acme Corp;Globex Corp"]})
    assert "# TODO: cells of \"Contact Name\" name several persons (1 of 2 sampled, e.g. " \
        "'Jane Roe;John Poe')" in text, text
    assert "name several organizations (1 of 2 sampled, e.g. 'Acme Corp;Globex Corp')" \
        in text, text
    plain = init_mapping(["Record ID", "Deal Name", "Contact Name"], catalog,
                         samples={"Contact Name": ["Ann Lee", "Roe, Jane"]})
    assert "several" not in plain
