"""A phone's extension, however it is written, is read by one parse on both sides: the
account's stored text and the row's cell (x20r1 S3: identical cells made a second Tom
and Eva)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.sandbox.contacts import create_person
from jobs import transforms as tf
from jobs.account import PersonIndex
from jobs.import_resolve import person_keys
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
    assert tf.clean_phone(spelling) == "+15552223333 ext. 45"
    assert tf.phone_key(spelling) == tf.PhoneKey("552223333", "+15552223333", "45")


@pytest.mark.parametrize("stored", SPELLINGS)
@pytest.mark.parametrize("cell", SPELLINGS)
def test_a_stored_spelling_matches_a_rows_spelling(stored: str, cell: str) -> None:
    """Spellings by sides: the account's phone as written, the row's as cleaned."""
    index = PersonIndex()
    index.add({"id": 9, "name": "Tom Berg", "phones": [{"value": stored}]})
    assert index.match(None, "Tom Berg", tf.clean_phone(cell)) == (9, "name+phone")


@pytest.mark.parametrize("stored", SPELLINGS)
def test_a_listed_persons_keys_hold_the_key_a_row_of_its_phone_makes(stored: str) -> None:
    """A create in doubt (or another run's) is found again by the key a row gives it."""
    p = planner()
    made = decide(p, 2, contact="Tom Berg", phone="+1 555 222 3333 x45", company="")
    assert made["key"] in person_keys({"name": "Tom Berg", "phones": [{"value": stored}]})


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
SEEDED = [("Tom Berg", "+1 555 222 3333 x45"), ("Eva Roth", "+49 40 555 6666 Ext. 7")]
ROWS = [("k1", "Tom Berg", "+1 555 222 3333 x45"), ("k2", "Eva Roth", "+49 40 555 6666 Ext. 7"),
        ("k3", "Tom Berg", "+1 555 222 3333 (ext. 45)"),
        ("k4", "Eva Roth", "+49-40-555-6666;ext=7")]


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
    """x20r1: identical cells (and other spellings) link the seeded Tom and Eva; an upsert
    run twice changes nothing more."""
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
    assert sorted(p["name"] for p in persons) == ["Eva Roth", "Tom Berg"], persons
    if mode == "upsert":
        assert {r["action"] for r in runs[1].values()} == {"unchanged"}, runs[1]
