"""Two addresses are one person only when a row gives them together: a row whose address no
one has, beside another row's address with the same name and phone (a changed address, two
people of one name at a switchboard number), is another person — the one it makes imported
alone — never linked to the other address's person, which does not take its address; a row
of that name and phone alone fails naming both addresses (x40r2 F2: the row was linked to
a person with another address, ``person_matched_by`` ``email``, its own address written
nowhere, while imported alone it made a person)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from bulk.store import ItemState
from jobs.account import PersonIndex
from tests.test_person_addresses import _file_and_one_by_one
from tests.test_person_identity import KENJI_MAPPING, planner, rows_of

MARIA = {"contact": "Maria Nowak", "email": "m@x.com", "phone": "+49 30 5047199"}
MARIA_NEW = {"contact": "Maria Nowak", "email": "new@y.com", "phone": "030 / 5047199"}
JO = [{"contact": "Jo Smith", "email": "jo1@co.com", "phone": "+49 30 9990000"},
      {"contact": "Jo Smith", "email": "jo2@co.com", "phone": "+49 30 9990000"},
      {"contact": "Jo Smith", "phone": "+49 30 9990000"}]


def _decided(persons: PersonIndex | None, cells: list[dict[str, str]]) -> dict[str, Any]:
    """Row id -> (its person reference, its note) or the failed row's reason."""
    p, rows = planner(persons), rows_of(cells)
    p.learn_persons(rows)
    out: dict[str, Any] = {}
    for row in rows:
        item = p.decide(row)
        out[row.values["id"]] = item.error if item.state is ItemState.FAILED else (
            item.payload["person"], item.payload.get("note") or "")
    return out


def _account() -> PersonIndex:
    index = PersonIndex()
    index.add({"id": 17, "name": "Maria Nowak", "emails": [{"value": "m@x.com"}],
               "phones": [{"value": "+49 30 5047199"}]})
    return index


def test_a_changed_address_is_another_person_in_a_file_as_alone() -> None:
    """The account's Maria (m@x.com, the phone); the file gives her row and a row of the
    same name and number with new@y.com: that row makes a person of new@y.com (as alone),
    the first row is linked to 17 and borrows nothing, in either order."""
    alone = _decided(_account(), [MARIA_NEW])["K2"]
    assert alone[0]["key"] == "e:new@y.com" and "id" not in alone[0], alone
    for cells in ([MARIA, MARIA_NEW], [MARIA_NEW, MARIA]):
        got = _decided(_account(), cells)
        old, new = (got["K2"], got["K3"]) if cells[0] is MARIA else (got["K3"], got["K2"])
        assert old[0] == {"id": 17, "matched_by": "email"}, got
        assert "new@y.com" not in old[1] and "from other rows" not in old[1], got
        assert new[0]["key"] == "e:new@y.com" and "id" not in new[0], got
        body = new[0]["body"]
        assert [e["value"] for e in body["emails"]] == ["new@y.com"], got  # (no m@x.com)
        assert "from other rows" not in new[1], got


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_two_people_at_one_switchboard_number_and_a_row_without_e_mail(
        order: tuple[int, ...]) -> None:
    """Jo Smith jo1@, Jo Smith jo2@ at one number, and Jo Smith with the number alone: two
    new persons, each with its own address alone; the third row fails naming both
    addresses — in every order (before: one person with both addresses, every row on it)."""
    cells = [JO[i] for i in order]
    got = _decided(None, cells)
    by = {c.get("email") or "": got[f"K{n}"] for n, c in enumerate(cells, start=2)}
    assert by["jo1@co.com"][0]["key"] == "e:jo1@co.com", got
    assert by["jo2@co.com"][0]["key"] == "e:jo2@co.com", got
    for address in ("jo1@co.com", "jo2@co.com"):
        ref = by[address][0]
        if "body" in ref:  # (the first row of each person creates it)
            assert [e["value"] for e in ref["body"]["emails"]] == [address], got
    reason = by[""]
    assert isinstance(reason, str) and "jo1@co.com" in reason and "jo2@co.com" in reason, got
    assert "add the e-mail of the person to the row" in reason, reason


def test_a_cell_giving_both_addresses_still_makes_one_person() -> None:
    """The rule's limit: a row listing both addresses says they are one person; then the
    name and phone alone join it (as before)."""
    cells = [JO[0], JO[1], {**JO[0], "email": "jo1@co.com; jo2@co.com"}, JO[2]]
    got = _decided(None, cells)
    assert len({ref[0]["key"] for ref in got.values()}) == 1, got


@pytest.mark.anyio
async def test_a_file_and_its_rows_one_by_one_give_the_same_persons(tmp_path: Path) -> None:
    """x40r2 F2 end to end (rep/chain*.csv): the account's Maria Nowak (m@x.com), then C2
    (her row) and C3 (new@y.com, the same number nationally written), and two Jo Smiths at
    a switchboard with a row of the number alone last: as one file and one row per import
    alike, C3 is a person of its own with new@y.com, Maria keeps m@x.com alone, the Jo
    Smiths are two, the number alone is imported by neither."""
    outcomes = await _file_and_one_by_one(
        tmp_path, KENJI_MAPPING, "Key,Title,Name,Email,Phone,Org\n",
        ["C2,D2,Maria Nowak,m@x.com,+49 30 5047199,",
         "C3,D3,Maria Nowak,new@y.com,030 / 5047199,",
         "S1,S1,Jo Smith,jo1@co.com,+49 30 9990000,",
         "S2,S2,Jo Smith,jo2@co.com,+49 30 9990000,",
         "S3,S3,Jo Smith,,+49 30 9990000,"],
        seed=("C1,D1,Maria Nowak,m@x.com,+49 30 5047199,",))
    assert outcomes[0] == outcomes[1], outcomes
    persons, links = outcomes[0]
    assert links == {"D1": ("Maria Nowak", "+49 30 5047199", "m@x.com"),
                     "D2": ("Maria Nowak", "+49 30 5047199", "m@x.com"),
                     "D3": ("Maria Nowak", "030 / 5047199", "new@y.com"),
                     "S1": ("Jo Smith", "+49 30 9990000", "jo1@co.com"),
                     "S2": ("Jo Smith", "+49 30 9990000", "jo2@co.com")}, links
    assert len(persons) == 4, persons


UPSERT_MAPPING = KENJI_MAPPING.replace('key_column = "Key"', 'key_column = "Key"\nmode = "upsert"')


@pytest.mark.anyio
async def test_an_upsert_row_whose_address_changed_is_another_person(tmp_path: Path) -> None:
    """x40r2 F2 at scale (sf2.csv: 131 deals of rows whose e-mail changed stayed on the
    person of the old address): the deal's person fits the row by name and phone but has
    another address; the row's new address is another person — made, the deal linked to
    it — in an upsert of the file and one row per import alike; the deal of a row whose
    person has no e-mail at all stays on it (x27r1 2)."""
    outcomes = await _file_and_one_by_one(
        tmp_path, UPSERT_MAPPING, "Key,Title,Name,Email,Phone,Org\n",
        ["C1,D1,Maria Nowak,new@y.com,+49 30 5047199,",
         "K1,E1,Kenji Nowak,kenji@x.com,+1 378 759 3681,"],
        seed=("C1,D1,Maria Nowak,m@x.com,+49 30 5047199,",
              "K1,E1,Kenji Nowak,,+1 378 759 3681,"))
    assert outcomes[0] == outcomes[1], outcomes
    persons, links = outcomes[0]
    assert links["D1"] == ("Maria Nowak", "+49 30 5047199", "new@y.com"), links
    assert links["E1"] == ("Kenji Nowak", "+1 378 759 3681"), links  # (kept, no e-mail)
    assert ("Maria Nowak", "+49 30 5047199", "m@x.com") in persons, persons
