"""A person a row gives by name alone (no e-mail, phone or organization) is one person
whether the rows naming it are in one file or in several files of a migration: a later
row of the name alone finds the one person of that name who has nothing else either
(x24r1 F4: one file's rows of "Jane Roe" shared one person, each later file made another).
A person with anything more (an e-mail, a phone, an organization) is never reached by a
name."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.account import PersonIndex
from tests.import_support import import_once, read_csv, sandbox_deals

pytestmark = pytest.mark.anyio
MAPPING = """\
[import]
key_column = "Key"
key_field = "Import source key"
[deal]
title = "Deal Name"
[person]
name = "Contact"
phone = "Phone"
[organization]
name = "Company"
"""
HEADER = "Key,Deal Name,Contact,Phone,Company\n"
Row = tuple[str, str, str, str, str]


def _made(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    return folder


async def _import(sb: Sandbox, tmp: Path, files: list[list[Row]]) -> dict[str, str]:
    """Import ``files`` one after the other; the reason of every failed row by key."""
    mapping = _made(tmp) / "m.toml"
    mapping.write_text(MAPPING)
    failed: dict[str, str] = {}
    for n, rows in enumerate(files):
        manifest = tmp / f"in{n}.csv"
        manifest.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows))
        store, result, _ = await import_once(sb, tmp / "jobs", manifest, mapping,
                                             job_id=f"j{n}")
        try:
            assert not result.stopped
            path = store.directory / "failed.csv"
            if path.exists():
                failed.update({r["key"]: r["reason"] for r in read_csv(path)})
        finally:
            store.close()
    return failed


Person = tuple[str, str, tuple[str, ...]]


def _persons(sb: Sandbox, rows: list[Row]) -> tuple[list[frozenset[str]], list[Person]]:
    """Which rows' deals share a person (a partition of the keys), and every person as
    (name, organization name, phones)."""
    keys = {title: key for key, title, *_ in rows}
    orgs = {o["id"]: o["name"] for o in sb.state.orgs.rows.values()}
    shared: dict[int, set[str]] = {}
    for deal in sandbox_deals(sb):
        shared.setdefault(deal["person_id"], set()).add(keys[deal["title"]])
    people = sorted((p["name"], orgs.get(p.get("org_id"), ""), tuple(sorted(
        ph["value"] for ph in p.get("phones") or ())))
        for p in sb.state.persons.rows.values() if not p.get("is_deleted"))
    return sorted(map(frozenset, shared.values()), key=sorted), people


def _random_rows(rng: random.Random) -> list[Row]:
    rows = []
    for n in range(rng.randint(3, 9)):
        rows.append((f"K{n}", f"deal {n}", rng.choice(["Jane Roe", "Jane Roe", "Jon Poe"]),
                     rng.choice(["", "", "", "+1 555 0100", "+1 555 0199"]),
                     rng.choice(["", "", "Acme"])))
    return rows


async def test_two_files_of_a_name_alone_make_one_person(tmp_path: Path) -> None:
    """The reported case: "Jane Roe" alone in two files is one person, as in one file."""
    rows: list[Row] = [("K1", "d1", "Jane Roe", "", ""), ("K2", "d2", "Jane Roe", "", "")]
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        assert await _import(sb, tmp_path / "split", [rows[:1], rows[1:]]) == {}
        shared, people = _persons(sb, rows)
    assert shared == [frozenset({"K1", "K2"})] and people == [("Jane Roe", "", ())]


@pytest.mark.parametrize("seed", range(6))
async def test_a_file_imported_whole_or_split_makes_the_same_persons(
        tmp_path: Path, seed: int) -> None:
    """Property: a random file of rows of a name, maybe a phone, maybe an organization
    (no e-mail), imported whole vs split into k files: the same rows fail, the same rows'
    deals share a person, and the account holds the same persons."""
    rng = random.Random(seed)
    rows = _random_rows(rng)
    cuts = sorted(rng.sample(range(1, len(rows)), rng.randint(1, min(3, len(rows) - 1))))
    files = [rows[a:b] for a, b in itertools.pairwise([0, *cuts, len(rows)])]
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        whole_failed = await _import(sb, tmp_path / "whole", [rows])
        whole = _persons(sb, rows)
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        split_failed = await _import(sb, tmp_path / "split", files)
        split = _persons(sb, rows)
    assert sorted(whole_failed) == sorted(split_failed), (rows, cuts)
    assert whole == split, (rows, cuts)


def test_a_name_never_reaches_a_person_with_anything_more() -> None:
    """Only a person of nothing but the name answers a row of the name alone; two such
    persons fail the row naming them; a row with a phone or an organization is not a row
    of a name alone."""
    index = PersonIndex()
    index.add({"id": 1, "name": "Jane Roe", "emails": [{"value": "jane@x.example"}]})
    index.add({"id": 2, "name": "Jane Roe", "phones": [{"value": "+1 555 0100"}]})
    index.add({"id": 3, "name": "Jane Roe", "org_id": 9})
    assert index.match(None, "Jane Roe", no_org=True) is None
    index.add({"id": 4, "name": "jane  roe"})
    assert index.match(None, "Jane Roe", no_org=True) == (4, "name")
    assert index.match(None, "Jane Roe") is None  # the row has an organization (a new one)
    assert index.match(None, "Jane Roe", "+1 555 0199", no_org=True) is None
    assert index.match("new@x.example", "Jane Roe", no_org=True) is None
    index.add({"id": 5, "name": "Jane Roe"})
    with pytest.raises(InputError, match=r"2 persons named 'Jane Roe' have no e-mail, phone "
                                         r"or organization \(ids 4, 5\)"):
        index.match(None, "Jane Roe", no_org=True)
    assert index.match(None, "Jane Roe", no_org=True, prefer=5) == (5, "name+deal")
