"""A bare cell (addresses, no name) listing addresses the file's named rows give persons of
different names, in any row order (x45r10 F1): ``K1,J. Roe,jane@roe.com``, ``K2,Jr
New,jr@new.com``, ``K3,,jane@roe.com; jr@new.com`` made one person "J. Roe" with both
addresses, the three rows on it, in 2 of 6 orders (the bare row first) and two persons, the
bare row on J. Roe's, in the other 4. Which person is the bare row? The file names its
addresses as two: the row fails naming both, in every order, lending them nothing; the
named rows make their two persons. And the account's person of a bare cell's first address
(x45r10 F4) is linked as it is, in one file as for a named row listing both addresses."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.account import PersonIndex
from tests.test_person_addresses import _file_and_one_by_one
from tests.test_person_bare_address import _by_id, _persons
from tests.test_person_identity import KENJI_MAPPING

F1 = [{"contact": "J. Roe", "email": "jane@roe.com"},
      {"contact": "Jr New", "email": "jr@new.com"},
      {"email": "jane@roe.com; jr@new.com"}]


@pytest.mark.parametrize("phone", ["", "+1 415 555 0100"], ids=["mail", "mail+phone"])
@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_bare_cell_of_two_persons_addresses_fails_in_any_order(
        order: tuple[int, ...], phone: str) -> None:
    """F1: the two named persons, each its own address (and no phone: the bare row's phone
    goes to neither); the bare row failed naming both names and addresses."""
    cells = [*F1[:2], {**F1[2], "phone": phone}]
    got = _by_id(cells, order)
    assert _persons(got) == {
        (frozenset({"R0"}), "J. Roe", frozenset({"jane@roe.com"}), frozenset()),
        (frozenset({"R1"}), "Jr New", frozenset({"jr@new.com"}), frozenset()),
        (frozenset({"R2"}), "failed", frozenset(), frozenset())}, (order, got)
    reason = str(got["R2"])
    assert "jane@roe.com is 'J. Roe'" in reason and "jr@new.com is 'Jr New'" in reason, reason


@pytest.mark.parametrize("order", list(itertools.permutations(range(5))))
def test_bare_cells_chained_across_two_named_persons_fail_together(
        order: tuple[int, ...]) -> None:
    """Two bare cells, each of one named address and a shared unnamed one, chain the two
    persons: both rows fail (each alone would name its cell; together they are one person
    of two names); a bare cell of the group whose addresses named rows give, one name for
    all (``jane@roe.com``), stays that person's."""
    cells = [*F1[:2], {"email": "jane@roe.com; x@roe.com"}, {"email": "x@roe.com; jr@new.com"},
             {"email": "jane@roe.com"}]
    got = _by_id(cells, order)
    assert _persons(got) == {
        (frozenset({"R0", "R4"}), "J. Roe", frozenset({"jane@roe.com"}), frozenset()),
        (frozenset({"R1"}), "Jr New", frozenset({"jr@new.com"}), frozenset()),
        (frozenset({"R2"}), "failed", frozenset(), frozenset()),
        (frozenset({"R3"}), "failed", frozenset(), frozenset())}, (order, got)


def test_a_bare_cell_two_rows_of_one_name_give_is_that_person() -> None:
    """Two addresses the file gives one name (two rows "Jane Roe") are not split: the bare
    cell is her, one person with both (x45r3 F3 as before; spelled as the first row of
    the name spells it, as one by one)."""
    cells = [{"contact": "Jane Roe", "email": "jane@roe.com"},
             {"contact": "jane roe", "email": "j.roe@work.com"},
             {"email": "j.roe@work.com; jane@roe.com"}]
    for order in itertools.permutations(range(3)):
        assert {(p[0], p[1].title(), p[2]) for p in _persons(_by_id(cells, order))} == {
            (frozenset({"R0", "R1", "R2"}), "Jane Roe",
             frozenset({"jane@roe.com", "j.roe@work.com"}))}, order


def _account() -> PersonIndex:
    account = PersonIndex()
    account.add({"id": 1, "name": "Jane Roe", "emails": [{"value": "jane@roe.com"}]})
    return account


@pytest.mark.parametrize("named", [{"contact": "Jane Roe", "email": "jr@new.com"},
                                   {"email": "Jane Roe <jr@new.com>"}],
                         ids=["name-column", "name-in-cell"])
@pytest.mark.parametrize("bare", [True, False], ids=["bare-cell", "named-cell"])
def test_the_accounts_person_of_a_cells_first_address_takes_both_rows(
        named: dict[str, str], bare: bool) -> None:
    """F4: the account's Jane Roe (jane@roe.com); a cell of jane@roe.com; jr@new.com, bare
    or named "Jane Roe", and a row of jr@new.com named Jane Roe: both rows are the
    account's person, in either order — nothing is created for jr@new.com in this file.
    That person is linked as it is (the import writes no person it did not create), as
    for the named cell of both addresses: the rows' note names what they borrowed."""
    cell = {"email": "jane@roe.com; jr@new.com", **({} if bare else {"contact": "Jane Roe"})}
    for order in ((0, 1), (1, 0)):
        got = _by_id([cell, named], order, _account())
        assert {ref.get("id") for ref in got.values()} == {1}, (order, got)
        assert not any("body" in ref for ref in got.values()), (order, got)


@pytest.mark.anyio
async def test_the_sandbox_links_the_accounts_person_for_both_rows(tmp_path: Path) -> None:
    """F4 end to end, the account seeded with Jane Roe (jane@roe.com): the file makes no
    person and links both deals to hers, whichever row comes first. Imported one row per
    import, the named row of jr@new.com alone makes a second Jane Roe (no person has the
    address: Matching), since the account's person was not given it — the import writes
    no person of the account, as for a named cell of both."""
    rows = ['D1,D1,,"jane@roe.com; jr@new.com",,', "D2,D2,Jane Roe,jr@new.com,,"]
    jane = ("Jane Roe", "jane@roe.com")
    for n, file in enumerate((rows, rows[::-1])):
        (tmp_path / str(n)).mkdir()
        one_file, one_by_one = await _file_and_one_by_one(
            tmp_path / str(n), KENJI_MAPPING, "Key,Title,Name,Email,Phone,Org\n", file,
            seed=("S0,D0,Jane Roe,jane@roe.com,,",))
        assert one_file == ([jane], {"D0": jane, "D1": jane, "D2": jane}), one_file
        # one by one, D2 first made a second Jane Roe of jr@new.com: the bare cell's
        # addresses are then two persons' of the account, and it fails (x46r4 F1); D2
        # last, it is the account's Jane Roe as in one file
        assert ("D1" in one_by_one[1]) is (n == 0), one_by_one
        assert one_by_one[1].get("D1", jane) == jane, one_by_one


# three persons of their own names, one of two addresses; a fourth of the second's name
CONTACTS = [("J. Roe", ("jane@roe.com",), "+1 415 555 0100"),
            ("Jr New", ("jr@new.com", "jr@work.com"), "+1 415 555 0199"),
            ("Ann Lee", ("ann@lee.com",), ""),
            ("Jr New", ("junior@new.org",), "")]
ADDRESSES = [a for _, mails, _ in CONTACTS for a in mails] + ["nobody@x.com"]


@st.composite
def _rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """Named rows (a contact's address, or its name and phone, or both: then all its
    addresses), bare cells of one to three addresses of any contacts (and one no one
    names), and failing rows (no title: mapped, never learned)."""
    cells = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["named", "named", "bare", "bare", "failing"]))
        if kind == "bare":
            mails = draw(st.lists(st.sampled_from(ADDRESSES), min_size=1, max_size=3,
                                  unique=True))
            phone = draw(st.sampled_from(["", "+1 415 555 0100"]))
            cells.append({"email": "; ".join(mails), "phone": phone})
            continue
        name, own, phone = draw(st.sampled_from(CONTACTS))
        mail = draw(st.sampled_from(own))
        with_mail = not phone or draw(st.booleans())
        with_phone = bool(phone) and (not with_mail or draw(st.booleans()))
        if with_mail and with_phone:  # (all its addresses: one of them alone beside the
            mail = "; ".join(own)  # phone is x40r2 F2's two persons at one number)
        cells.append({"contact": name, "email": mail if with_mail else "",
                      "phone": phone if with_phone else "",
                      **({"title": ""} if kind == "failing" else {})})
    return cells


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_every_permutation_gives_the_same_persons_and_failed_rows(data: st.DataObject) -> None:
    """The oracle: any permutation of a small file mixing bare single addresses, bare cells
    of several, named rows, name+phone rows and a failing row gives the same persons (their
    rows, name, e-mails, phones) and the same failed rows."""
    cells = data.draw(_rows())
    order = tuple(data.draw(st.permutations(range(len(cells)))))
    assert _persons(_by_id(cells, order)) == _persons(_by_id(cells, tuple(range(len(cells)))))
