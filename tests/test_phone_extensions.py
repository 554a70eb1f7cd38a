"""A phone's extension, however it is written, is read by one parse on both sides: the
account's stored text and the row's cell (x20r1 S3: identical cells made a second Tom
and Eva); two different extensions of one number are two people (x20r1 S2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.sandbox.contacts import create_person
from bulk.store import ItemState
from jobs import transforms as tf
from jobs.account import PersonIndex
from jobs.import_resolve import person_keys
from tests.each_case import check_each
from tests.import_support import import_once, read_csv
from tests.test_row_planner import decide, planner

FAST = {"time_scale": 0.02, "seed": 7, "deals": 0}

# every spelling of extension 45 of +1 555 222 3333 people write
SPELLINGS = ["+1 555 222 3333 x45", "+1 555 222 3333 X45", "+1 555 222 3333 x 45",
             "+1 555 222 3333 ext45", "+1 555 222 3333 ext 45", "+1 555 222 3333 ext. 45",
             "+1 555 222 3333 Ext. 45", "+1 555 222 3333 EXT 45", "+1 555 222 3333 Ext: 45",
             "+1 555 222 3333 extn 45", "+1 555 222 3333 extension 45",
             "+1 555 222 3333 #45", "+1 555 222 3333 # 45", "+1 555 222 3333 (ext. 45)",
             "+1 555 222 3333, ext. 45", "+1-555-222-3333;ext=45", "+15552223333 ext. 45",
             "001 555 222 3333 x45"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_extension_spelling_parses_to_the_same_phone(spelling: str) -> None:
    """Each spelling is the number with extension 45, as a cell and as a stored phone."""
    assert tf.normal_phone(spelling) == "+15552223333 ext. 45"
    assert tf.clean_phone(spelling) == " ".join(spelling.split())  # sent as written
    assert tf.phone_key(spelling) == tf.PhoneKey("552223333", "+15552223333", "45")


def _matches(stored: str, cell: str) -> None:
    index = PersonIndex()
    index.add({"id": 9, "name": "Tom Berg", "phones": [{"value": stored}]})
    assert index.match(None, "Tom Berg", tf.clean_phone(cell)) == (9, "name+phone")


# one item per stored spelling, each row's spelling looped and every one that fails named
# (issue 8: 324 items of ~0.1 ms of work each)
@pytest.mark.parametrize("stored", SPELLINGS)
def test_a_stored_spelling_matches_a_rows_spelling(stored: str) -> None:
    """Spellings by sides: the account's phone as written, the row's as cleaned."""
    assert check_each({f"cell {cell!r}": (stored, cell) for cell in SPELLINGS},
                      _matches) == len(SPELLINGS)


@pytest.mark.parametrize(("stored", "cell", "expected"), [
    ("+49 30 1234567 ext. 12", "+49 30 1234567 ext. 34", None),  # two lines
    ("+49 30 1234567 ext. 12", "+49 30 1234567 x12", "name+phone"),
    ("+49 30 1234567 ext. 12", "+49 30 1234567", "name+phone"),  # the switchboard
    ("+49 30 1234567", "+49 30 1234567 ext. 34", "name+phone"),
    ("030 1234567 #12", "+49 30 1234567 ext. 34", None),
    ("+44 30 1234567 ext. 12", "+49 30 1234567 ext. 12", None),  # another country
])
def test_another_extension_is_another_person(stored: str, cell: str,
                                             expected: str | None) -> None:
    """x20r1 S2: a different extension is another line; none on one side still matches."""
    index = PersonIndex()
    index.add({"id": 9, "name": "Maria Schmidt", "phones": [{"value": stored}]})
    found = index.match(None, "Maria Schmidt", tf.clean_phone(cell))
    assert (found[1] if found else None) == expected


def test_a_files_rows_of_two_extensions_make_two_persons() -> None:
    """In one file too, as the account would hold them row by row; a row without an
    extension fits both, and says which it cannot tell."""
    p = planner()
    keys = [decide(p, n, contact="Maria Schmidt", phone=phone, company="")["key"]
            for n, phone in enumerate(("+49 30 1234567 ext. 12", "+49 30 1234567 x34",
                                       "+49 30 1234567 Ext. 12"), 2)]
    assert keys == ["n:maria schmidt|p:+49301234567 x12",
                    "n:maria schmidt|p:+49301234567 x34",
                    "n:maria schmidt|p:+49301234567 x12"]
    item = p.decide(SourceRow(5, 5, {"id": "K-5", "title": "Deal", "contact": "Maria Schmidt",
                                     "email": "", "phone": "+49 30 1234567", "company": ""}))
    assert item.state is ItemState.FAILED and "have the row's phone" in str(item.error)
    assert "country code and extension" in str(item.error)


def test_a_row_without_the_extension_of_two_persons_says_which_it_cannot_tell() -> None:
    """Two existing Marias at two extensions: a row of the bare number fails, naming them."""
    index = PersonIndex()
    for pid, phone in ((3, "+49 30 1234567 ext. 12"), (4, "+49 30 1234567 ext. 34")):
        index.add({"id": pid, "name": "Maria Schmidt", "phones": [{"value": phone}]})
    with pytest.raises(InputError, match=r"\(ids 3, 4\).*country code and extension"):
        index.match(None, "Maria Schmidt", "+49301234567")
    assert index.match(None, "Maria Schmidt", "+49301234567 ext. 34") == (4, "name+phone")


@pytest.mark.parametrize("stored", SPELLINGS)
def test_a_listed_persons_keys_hold_the_key_a_row_of_its_phone_makes(stored: str) -> None:
    """A create in doubt (or another run's) is found again by the key a row gives it."""
    p = planner()
    made = decide(p, 2, contact="Tom Berg", phone="+1 555 222 3333 x45", company="")
    assert made["key"] in person_keys({"name": "Tom Berg", "phones": [{"value": stored}]})


def test_a_listed_persons_keys_tell_its_extension() -> None:
    """A create in doubt of Maria at extension 34 is not answered by the one at 12."""
    p = planner()
    made = decide(p, 2, contact="Maria Schmidt", phone="+49 30 1234567 ext. 34", company="")
    other = person_keys({"name": "Maria Schmidt", "phones": [{"value": "+49 30 1234567 x12"}]})
    same = person_keys({"name": "Maria Schmidt", "phones": [{"value": "+49 30 1234567 x34"}]})
    assert made["key"] not in other and made["key"] in same


MAPPING = """\
[import]
key_column = "Key"
mode = "{mode}"
[deal]
title = "{{Title}}"
[person]
name = "Name"
email = "Email"
phone = "Phone"
"""
SEEDED = [("Tom Berg", "+1 555 222 3333 x45"), ("Eva Roth", "+49 40 555 6666 Ext. 7"),
          ("Maria Schmidt", "+49 30 1234567 ext. 12")]
ROWS = [("k1", "Tom Berg", "+1 555 222 3333 x45"), ("k2", "Eva Roth", "+49 40 555 6666 Ext. 7"),
        ("k3", "Tom Berg", "+1 555 222 3333 (ext. 45)"),
        ("k4", "Eva Roth", "+49-40-555-6666;ext=7"),
        ("k5", "Maria Schmidt", "+49 30 1234567 ext. 34")]


def _files(tmp_path: Path, mode: str) -> tuple[Path, Path]:
    manifest, mapping = tmp_path / "in.csv", tmp_path / f"{mode}.toml"
    mapping.write_text(MAPPING.format(mode=mode))
    manifest.write_text("Key,Title,Name,Email,Phone\n" + "".join(
        f'{key},Deal {key},{name},,"{phone}"\n' for key, name, phone in ROWS))
    return manifest, mapping


async def _import(sb: Sandbox, tmp_path: Path, mode: str, job_id: str) -> dict[str, Any]:
    manifest, mapping = _files(tmp_path, mode)
    store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id=job_id)
    try:
        assert not read_csv(store.directory / "failed.csv")
        return {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
    finally:
        store.close()


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["insert", "upsert"])
async def test_an_import_of_the_stored_phones_finds_their_persons(tmp_path: Path,
                                                                  mode: str) -> None:
    """x20r1: identical cells (and other spellings) link the seeded Tom and Eva; Maria's
    other extension is a new Maria (S2); an upsert run twice changes nothing more."""
    async with serve(SandboxConfig(**FAST)) as sb:
        seeded = {name: create_person(sb.state, {"name": name, "phones": [{"value": p}]})["id"]
                  for name, p in SEEDED}
        runs = [await _import(sb, tmp_path, mode, f"run-{n}")
                for n in range(2 if mode == "upsert" else 1)]
        persons = [p for p in sb.state.persons.rows.values() if not p.get("is_deleted")]
    for rows in runs:
        for key in ("k1", "k3"):
            assert rows[key]["person_id"] == str(seeded["Tom Berg"]), rows[key]
        for key in ("k2", "k4"):
            assert rows[key]["person_id"] == str(seeded["Eva Roth"]), rows[key]
        assert rows["k5"]["person_id"] != str(seeded["Maria Schmidt"])
    assert sorted(p["name"] for p in persons) == [
        "Eva Roth", "Maria Schmidt", "Maria Schmidt", "Tom Berg"], persons
    if mode == "upsert":
        assert {r["action"] for r in runs[1].values()} == {"unchanged"}, runs[1]
