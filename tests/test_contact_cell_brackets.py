"""A contact cell's bracket that holds no address (x44r1 F2): ``Ines Koch (n/a)``,
``Ines Koch (not-an-email)``, ``Ines Koch <ines.koch.example.de>`` in a column read as the
person's name and e-mail made persons named with the whole cell, no e-mail, and the rows
did not fail. A placeholder bracket (``()``, ``(n/a)``, ``<>``) is now the name alone; any
other bracket without a valid address fails the row, naming the cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.sandbox import SandboxConfig, serve
from jobs.transforms import contact_name
from tests.import_support import failed_rows, persons_named, sandbox_deals

SHARED = """\
[import]
key_column = "Record ID"
[deal]
title = "Deal Name"
[person]
name = "Associated Contact"
email = "Associated Contact"
"""


@pytest.mark.parametrize("cell", ["Ines Koch (n/a)", "Ines Koch ()", "Ines Koch <>",
                                  "Ines Koch (N/A)", "Ines Koch (none)", "Ines Koch (-)",
                                  "Ines Koch", "  Ines   Koch ( ) "])
def test_a_placeholder_bracket_is_the_name_alone(cell: str) -> None:
    assert contact_name(cell) == "Ines Koch"


@pytest.mark.parametrize("cell", ["Ines Koch (not-an-email)", "Ines Koch (ines.koch at example.de)",
                                  "Ines Koch <ines.koch.example.de>", "Ines Koch (work)"])
def test_a_bracket_of_no_address_is_refused(cell: str) -> None:
    with pytest.raises(InputError, match="holds no valid e-mail address in its brackets"):
        contact_name(cell)


@pytest.mark.anyio
async def test_junk_brackets_fail_their_rows_and_make_no_person(tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "hs.csv", tmp_path / "hs.toml"
    mapping.write_text(SHARED)
    manifest.write_text("Record ID,Deal Name,Associated Contact\n"
                        "H1,one,Ines Koch (not-an-email)\n"
                        "H2,two,Ines Koch (n/a)\n"
                        "H3,three,Ines Koch ()\n"
                        "H4,four,Ines Koch (ines.koch at example.de)\n"
                        "H5,five,Ines Koch <ines.koch.example.de>\n"
                        "H6,six,Ines Koch (ines.koch@example.de)\n")
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        failed = await failed_rows(sb, tmp_path / "jobs", manifest, mapping)
        persons = persons_named(sb)
        linked = {d["title"]: persons[d["person_id"]] for d in sandbox_deals(sb)}
    reasons = {r["Record ID"]: r["reason"] for r in failed}
    assert sorted(reasons) == ["H1", "H4", "H5"], failed  # before: none failed
    assert "'Ines Koch (not-an-email)' holds no valid e-mail address" in reasons["H1"]
    assert {r["column"] for r in failed} == {"Associated Contact"}, failed
    assert all("Koch (" not in name and "<" not in name for name, _ in persons.values()), \
        persons  # before: persons named 'Ines Koch (n/a)' and so on
    assert linked["six"] == ("Ines Koch", ["ines.koch@example.de"]), linked
    assert linked["two"] == linked["three"] == ("Ines Koch", []), linked


@pytest.mark.parametrize("cell", ["Tor Berg", "Tor Berg (n/a)", "Tor Berg ()", "Tor Berg <>",
                                  "Tor Berg (keine)", "Tor Berg (CEO)", "Tor Berg [n/a]",
                                  "Tor Berg (not-an-email)", " Tor  Berg [] "])
def test_a_name_column_drops_its_bracket(cell: str) -> None:
    from jobs.transforms import name_cell_name
    assert name_cell_name(cell) == "Tor Berg"


def test_a_slash_or_placeholder_in_a_bracket_is_no_second_person() -> None:
    """x44r9 F4: a ``/`` in a bracket split the cell in two persons; F7: a comma between
    two bracketed contacts dropped the second silently (``;`` failed the row)."""
    from jobs.transforms import listed_persons
    for one in ("Jane Roe (CEO/CTO) <jane@roe.com>", "Ines Koch (n/a) <ines@koch.de>",
                "Jane Roe (n/a) (jane@roe.com)", "Jane Roe (CEO/CTO)", "Roe, Jane",
                "Roe, Jane, Jr.", "Jane Roe/Smith"):
        assert listed_persons(one) is None, one
    assert listed_persons("Ines Koch (ines@koch.de), Bob Roe (bob@roe.de)") == [
        "Ines Koch (ines@koch.de)", "Bob Roe (bob@roe.de)"]
    assert listed_persons("Jane Roe/John Poe") == ["Jane Roe", "John Poe"]


NAME_COLUMN = """\
[import]
key_column = "Deal Id"
[deal]
title = "Deal Name"
[person]
name = "Contact Name"
email = "Email"
[organization]
name = "Account Name"
"""


@pytest.mark.anyio
async def test_bracketed_names_in_both_kinds_of_column(tmp_path: Path) -> None:
    """x44r9 F3: a name column of its own (Zoho's ``Contact Name`` beside ``Email``) made
    one person for each of seven spellings of ``Tor Berg`` at one company; F3/F4/F7 in the
    combined column: ``Ines Koch [n/a]`` was a person so named, ``Jane Roe (CEO/CTO)
    <jane@roe.com>`` failed as two persons, ``Ann Lee (ann@x.de), Bob Roe (bob@roe.de)``
    dropped Bob."""
    cells = ["Tor Berg", "Tor Berg (n/a)", "Tor Berg ()", "Tor Berg <>", "Tor Berg (keine)",
             "Tor Berg (CEO)", "Tor Berg (not-an-email)", "Tor Berg [n/a]"]
    manifest, mapping = tmp_path / "z.csv", tmp_path / "z.toml"
    mapping.write_text(NAME_COLUMN)
    manifest.write_text("Deal Id,Deal Name,Account Name,Contact Name,Email\n"
                        + "".join(f"z{n},t{n},Bracket AS,{c},\n" for n, c in enumerate(cells))
                        + "i1,i1,Koch KG,Ines Koch,\ni2,i2,Koch KG,Ines Koch (n/a),\n"
                        "d1,d1,Lee KG,Ann Lee <ann@lee.de>,bob@roe.de\n"
                        "d2,d2,Lee KG,Ann Lee <ann@lee.de>,ANN@lee.de\n")
    bare_manifest, bare_mapping = tmp_path / "b.csv", tmp_path / "b.toml"
    bare_mapping.write_text(NAME_COLUMN.replace('email = "Email"\n', ""))
    bare_manifest.write_text("Deal Id,Deal Name,Account Name,Contact Name\n"
                             "b1,b1,Lee KG,Cem Lee <cem@lee.de>\n")
    hs_manifest, hs_mapping = tmp_path / "hs.csv", tmp_path / "hs.toml"
    hs_mapping.write_text(SHARED)
    hs_manifest.write_text("Record ID,Deal Name,Associated Contact\n"
                           "H1,one,Ines Koch [n/a]\n"
                           "H2,two,Jane Roe (CEO/CTO) <jane@roe.com>\n"
                           "H3,three,Ines Koch (n/a) <ines@koch.de>\n"
                           "H4,four,Jane Roe (n/a) (jane@roe.com)\n"
                           '"H5","five","Ann Lee (ann@x.de), Bob Roe (bob@roe.de)"\n')
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        failed = await failed_rows(sb, tmp_path / "jobs", manifest, mapping)
        hs_failed = await failed_rows(sb, tmp_path / "jobs2", hs_manifest, hs_mapping)
        await failed_rows(sb, tmp_path / "jobs3", bare_manifest, bare_mapping)
        persons = persons_named(sb)
        linked = {d["title"]: d["person_id"] for d in sandbox_deals(sb)}
    assert [r["Deal Id"] for r in failed] == ["d1"], failed  # the two addresses disagree
    assert "writes the address 'ann@lee.de', the e-mail cell 'bob@roe.de'" in failed[0]["reason"]
    assert persons[linked["d2"]] == ("Ann Lee", ["ANN@lee.de"]), persons
    assert persons[linked["b1"]] == ("Cem Lee", ["cem@lee.de"]), persons  # before: no e-mail
    assert len({linked[f"t{n}"] for n in range(len(cells))}) == 1, linked  # before: 7
    assert persons[linked["t0"]][0] == "Tor Berg", persons
    assert linked["i1"] == linked["i2"], linked  # before: 'Ines Koch (n/a)' a person
    assert [r["Record ID"] for r in hs_failed] == ["H5"], hs_failed  # before: H2-H4 failed
    assert "names 2 persons" in hs_failed[0]["reason"], hs_failed  # before: Bob dropped
    assert persons[linked["one"]] == ("Ines Koch", []), persons
    assert persons[linked["two"]] == persons[linked["four"]] == ("Jane Roe", ["jane@roe.com"])
    assert persons[linked["three"]] == ("Ines Koch", ["ines@koch.de"]), persons
