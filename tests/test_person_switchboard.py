"""Two people at one switchboard number (f44m's note, as dedupe decides since x44r5 F2): a
name and phone whose two sides both have e-mails, none shared, are two persons. The
account's ``Thomas Paul, +49 30 1234567, t.paul@b.com`` and the file's ``Thomas Paul``
with that number and ``thomas@a.com``: a row of the name and number alone took the file's
address and was linked to its person, where imported alone it fits the account's person
too (and fails: two persons have the phone). It now fails naming both, as a row between
two of the file's addresses does; a row with its own address makes its own person."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from jobs.account import PersonIndex
from tests.test_person_addresses import _file_and_one_by_one
from tests.test_person_identity import KENJI_MAPPING
from tests.test_person_other_address import _decided

PHONE = "+49 30 1234567"
THOMAS_A = {"contact": "Thomas Paul", "email": "thomas@a.com", "phone": PHONE}
THOMAS = {"contact": "Thomas Paul", "phone": "030 1234567"}


def _account(email: str = "t.paul@b.com") -> PersonIndex:
    index = PersonIndex()
    index.add({"id": 17, "name": "Thomas Paul", "emails": [{"value": email}],
               "phones": [{"value": PHONE}]})
    return index


def test_a_row_with_its_own_address_is_not_the_accounts_namesake_at_the_number() -> None:
    """(as before) name and phone agree, the e-mails disagree: a new person, never 17."""
    got = _decided(_account(), [THOMAS_A])["K2"]
    assert got[0]["key"] == "e:thomas@a.com" and "id" not in got[0], got


@pytest.mark.parametrize("order", list(itertools.permutations(range(2))))
def test_a_row_of_the_number_alone_between_two_addresses_fails(order: tuple[int, ...]) -> None:
    """The file's thomas@a.com and the account's t.paul@b.com at one name and number: the
    row of the name and number alone fails naming both, in either order (before: linked
    to the file's new person, with its address)."""
    cells = [(THOMAS_A, THOMAS)[i] for i in order]
    got = _decided(_account(), cells)
    by = {c.get("email") or "": got[f"K{n}"] for n, c in enumerate(cells, start=2)}
    assert by["thomas@a.com"][0]["key"] == "e:thomas@a.com", got
    assert "id" not in by["thomas@a.com"][0], got
    reason = by[""]
    assert isinstance(reason, str), got
    assert "thomas@a.com" in reason and "17" in reason, reason
    assert "add the e-mail of the person to the row" in reason, reason


def test_a_shared_address_is_one_person() -> None:
    """The account's person has the file's address: one person, the row linked to it."""
    got = _decided(_account("thomas@a.com"), [THOMAS, THOMAS_A])
    assert got["K2"][0]["id"] == got["K3"][0]["id"] == 17, got


def test_a_person_without_e_mail_is_no_evidence_against() -> None:
    """An account person of the name and number with no e-mail: the file's address may be
    hers (as before: linked by name and phone)."""
    index = PersonIndex()
    index.add({"id": 18, "name": "Thomas Paul", "phones": [{"value": PHONE}]})
    got = _decided(index, [THOMAS, THOMAS_A])
    assert {(ref["id"], ref["matched_by"]) for ref, _ in got.values()} == \
        {(18, "name+phone")}, got


@pytest.mark.anyio
async def test_a_file_and_its_rows_one_by_one_agree(tmp_path: Path) -> None:
    """End to end: the account's Thomas Paul (t.paul@b.com); the file's row with
    thomas@a.com makes its own person and the row of the number alone is imported by
    neither, as one file and one row per import alike."""
    outcomes = await _file_and_one_by_one(
        tmp_path, KENJI_MAPPING, "Key,Title,Name,Email,Phone,Org\n",
        ["T1,T1,Thomas Paul,thomas@a.com,+49 30 1234567,",
         "T2,T2,Thomas Paul,,030 1234567,"],
        seed=("T0,T0,Thomas Paul,t.paul@b.com,+49 30 1234567,",))
    assert outcomes[0] == outcomes[1], outcomes
    persons, links = outcomes[0]
    assert links == {"T0": ("Thomas Paul", "+49 30 1234567", "t.paul@b.com"),
                     "T1": ("Thomas Paul", "+49 30 1234567", "thomas@a.com")}, links
    assert len(persons) == 2, persons


def test_the_rows_organization_tells_them_apart_only_when_another() -> None:
    """An account person at another organization than the row's is told apart by it (as
    ``match`` narrows by the organization, x27r1 3); one at the row's own is not."""
    from bulk.store import ItemState
    from jobs.account import OrgIndex
    from tests.test_person_identity import planner, rows_of

    for at, fails in ((5, True), (6, False)):
        persons, orgs = PersonIndex(), OrgIndex()
        orgs.add({"id": 5, "name": "Acme"})
        orgs.add({"id": 6, "name": "Globex"})
        persons.add({"id": 17, "name": "Thomas Paul", "emails": [{"value": "t.paul@b.com"}],
                     "phones": [{"value": PHONE}], "org_id": at})
        p = planner(persons, orgs)
        rows = rows_of([{**THOMAS_A, "company": "Acme"}, {**THOMAS, "company": "Acme"}])
        p.learn_persons(rows)
        items = [p.decide(row) for row in rows]
        assert items[0].payload["person"]["key"] == "e:thomas@a.com", items[0].payload
        assert (items[1].state is ItemState.FAILED) is fails, (at, items[1])


def test_a_row_at_the_accounts_persons_organization_is_that_person() -> None:
    """x45r3 F4: the account's Thomas Paul (t.paul@b.com, the phone) at Beta; the file's
    Thomas Paul with thomas@a.com at Acme, and the name and phone at Beta: the Beta row
    failed "two persons at one number", where imported alone it links the account's
    person (``match`` narrows the persons of the phone by the row's organization). Now it
    links that person, in either order; the Acme row makes its own."""
    from jobs.account import OrgIndex
    from tests.test_person_identity import decide_all, planner, rows_of

    for order in ((0, 1), (1, 0)):
        persons, orgs = PersonIndex(), OrgIndex()
        orgs.add({"id": 5, "name": "Acme"})
        orgs.add({"id": 6, "name": "Beta"})
        persons.add({"id": 17, "name": "Thomas Paul", "emails": [{"value": "t.paul@b.com"}],
                     "phones": [{"value": PHONE}], "org_id": 6})
        cells = [{**THOMAS_A, "company": "Acme"}, {**THOMAS, "company": "Beta"}]
        got = decide_all(planner(persons, orgs), rows_of([cells[i] for i in order]))
        acme, beta = (got[f"K{order.index(i) + 2}"] for i in (0, 1))
        assert isinstance(beta, dict) and beta.get("id") == 17, (order, got)
        assert acme["key"] == "e:thomas@a.com", (order, got)


def test_the_refusals_advice_is_what_the_row_lacks() -> None:
    """x45r3 F6: a row of the name and phone alone beside the file's address and the
    account's namesake is told it may give the person's organization too; two persons
    of the very phone the row writes with its country code are not told to write it."""
    import re

    from bulk.errors import InputError
    got = _decided(_account(), [THOMAS_A, THOMAS])
    assert "or give the person's organization" in str(got["K3"]), got
    index = PersonIndex()
    for pid in (3, 4):
        index.add({"id": pid, "name": "Thomas Paul", "emails": [{"value": f"t{pid}@b.com"}],
                   "phones": [{"value": PHONE}]})
    with pytest.raises(InputError) as raised:
        index.match(None, "Thomas Paul", PHONE)
    assert not re.search("country code", str(raised.value)), raised.value
    assert "add an e-mail or the organization of the person" in str(raised.value)
