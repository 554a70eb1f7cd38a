"""A row giving an address and no name (a bare address) is one of the file's rows like any
other: it joins the person the other rows give beside its address, named by the file's
name for its cell, whatever the rows' order (x45r3 F1-F3). Before: ``K1,,thomas@a.com``,
``K2,Thomas Paul,thomas@a.com,+49 30 1234567``, ``K3,Thomas Paul,,+49 30 1234567`` made two
persons "Thomas Paul" (one with the address and no phone, one with the phone alone) in 2
of 6 orders; a bare ``j.roe@work.com`` before ``Jane Roe`` of ``jane@roe.com;
j.roe@work.com`` made two persons; a bare ``jane@roe.com; j.roe@work.com`` before ``Jane
Roe`` of ``j.roe@work.com`` a person named ``jane@roe.com``."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.account import PersonIndex
from tests.test_person_identity import decide_all, planner, rows_of

THOMAS = [{"email": "thomas@a.com"},
          {"contact": "Thomas Paul", "email": "thomas@a.com", "phone": "+49 30 1234567"},
          {"contact": "Thomas Paul", "phone": "+49 30 1234567"}]


def _persons(got: dict[str, Any]) -> set[tuple[frozenset[str], str, frozenset[str],
                                               frozenset[str]]]:
    """The file's persons: each (its rows, its name, e-mails and phones as created);
    a failed row as a person of its own named "failed"."""
    rows: dict[object, set[str]] = {}
    made: dict[object, tuple[str, frozenset[str], frozenset[str]]] = {}
    for row, ref in got.items():
        if not isinstance(ref, dict):
            rows[row] = {row}
            made[row] = ("failed", frozenset(), frozenset())
            continue
        key = ref.get("key", ref.get("id"))
        rows.setdefault(key, set()).add(row)
        body = ref.get("body") or {}
        made[key] = (body.get("name", f"id {ref.get('id')}"),
                     frozenset(e["value"] for e in body.get("emails") or ()),
                     frozenset(p["value"] for p in body.get("phones") or ()))
    return {(frozenset(rows[k]), *made[k]) for k in rows}


def _by_id(cells: list[dict[str, str]], order: tuple[int, ...],
           persons: PersonIndex | None = None) -> dict[str, Any]:
    """Each row's person reference by the row's number in ``cells`` (not its position)."""
    got = decide_all(planner(persons), rows_of([cells[i] for i in order]))
    return {f"R{order[n]}": got[f"K{n + 2}"] for n in range(len(order))}


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_bare_address_joins_its_named_rows_person_in_any_order(
        order: tuple[int, ...]) -> None:
    """F1: one person "Thomas Paul" with the address and the phone, every row linked to it
    (before: two persons when the bare row came first, 2 of 6 orders)."""
    assert _persons(_by_id(THOMAS, order)) == {
        (frozenset({"R0", "R1", "R2"}), "Thomas Paul", frozenset({"thomas@a.com"}),
         frozenset({"+49 30 1234567"}))}, order


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_name_and_phone_row_fails_in_any_order_beside_the_accounts_namesake(
        order: tuple[int, ...]) -> None:
    """F1 with the account's "Thomas Paul" (t.paul@b.com) at that phone: the name+phone
    row fails as two persons at one number whatever the order (before: linked to the
    account's person when the bare row came first, failed when it came last)."""
    account = PersonIndex()
    account.add({"id": 1, "name": "Thomas Paul", "emails": [{"value": "t.paul@b.com"}],
                 "phones": [{"value": "+49 30 1234567"}]})
    got = _by_id(THOMAS, order, account)
    assert not isinstance(got["R2"], dict), got
    assert got["R0"]["key"] == got["R1"]["key"] == "e:thomas@a.com", got


@pytest.mark.parametrize(("cells", "name"), [
    ([{"email": "j.roe@work.com"},
      {"contact": "Jane Roe", "email": "jane@roe.com; j.roe@work.com"}], "Jane Roe"),
    ([{"email": "jane@roe.com; j.roe@work.com"},
      {"contact": "Jane Roe", "email": "j.roe@work.com"}], "Jane Roe"),
], ids=["F2-bare-second-address", "F3-bare-cell-of-two"])
def test_a_bare_cell_is_one_person_with_the_name_any_of_its_addresses_has(
        cells: list[dict[str, str]], name: str) -> None:
    """F2: two persons (the bare address alone, and Jane Roe); F3: one person named
    ``jane@roe.com`` (only a name for the bare cell's first address counted)."""
    for order in ((0, 1), (1, 0)):
        persons = _persons(_by_id(cells, order))
        assert {(p[0], p[1], p[2]) for p in persons} == {
            (frozenset({"R0", "R1"}), name,
             frozenset({"jane@roe.com", "j.roe@work.com"}))}, (order, persons)


# a few contacts, one name each (two of one name), each its own addresses and phone
CONTACTS = [("Thomas Paul", ("thomas@a.com", "tp@a.com"), "+49 30 1234567"),
            ("Jane Roe", ("jane@roe.com", "j.roe@work.com"), "+1 415 555 0100"),
            ("Jane Roe", ("jr@other.org",), "+1 415 555 0199"),
            ("Ann Lee", ("ann@lee.com",), "")]


@st.composite
def _rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """Rows of CONTACTS: named or bare, some of the contact's addresses, its phone or not
    (a bare row gives an address; a named row an address or a phone)."""
    cells = []
    for _ in range(draw(st.integers(1, 6))):
        name, mails, phone = draw(st.sampled_from(CONTACTS))
        bare = draw(st.booleans())
        given = draw(st.lists(st.sampled_from(mails), unique=True, max_size=len(mails)))
        with_phone = bool(phone) and draw(st.booleans())
        if not given and (bare or not with_phone):
            given = [mails[0]]
        cells.append({"contact": "" if bare else name, "email": "; ".join(given),
                      "phone": phone if with_phone else ""})
    return cells


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_row_order_never_changes_who_is_one_person(data: st.DataObject) -> None:
    """Any permutation of a small file's rows, bare addresses among them, gives the same
    persons: the same rows each, the same name, e-mails and phones."""
    cells = data.draw(_rows())
    order = tuple(data.draw(st.permutations(range(len(cells)))))
    assert _persons(_by_id(cells, order)) == _persons(_by_id(cells, tuple(range(len(cells)))))
