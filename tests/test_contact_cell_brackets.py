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
from tests.import_support import import_once, read_csv, sandbox_deals

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
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = read_csv(store.directory / "failed.csv")
        store.close()
        persons = {p["id"]: (p["name"], [e["value"] for e in p["emails"]])
                   for p in sb.state.persons.rows.values()}
        linked = {d["title"]: persons[d["person_id"]] for d in sandbox_deals(sb)}
    reasons = {r["Record ID"]: r["reason"] for r in failed}
    assert sorted(reasons) == ["H1", "H4", "H5"], failed  # before: none failed
    assert "'Ines Koch (not-an-email)' holds no valid e-mail address" in reasons["H1"]
    assert {r["column"] for r in failed} == {"Associated Contact"}, failed
    assert all("Koch (" not in name and "<" not in name for name, _ in persons.values()), \
        persons  # before: persons named 'Ines Koch (n/a)' and so on
    assert linked["six"] == ("Ines Koch", ["ines.koch@example.de"]), linked
    assert linked["two"] == linked["three"] == ("Ines Koch", []), linked
