"""The file's persons are a function of the SET of its rows, never of their order (x46r4
F2): ``p1 Jane Roe,,+44 20 7946 0000``, ``n2 Jane Roe,jane@roe.com,+44 20 7946 0000``,
``n3 J. Roe,jane@roe.com,`` made one person (Jane Roe, address and phone) when n2 came
first and two in 3 of 6 orders (p1 first: "J. Roe" of the address beside a phone-only
"Jane Roe"; n3 first: n2 on J. Roe, its phone dropped). Rows are one person when joined
by an address they give alone (whatever their names: one address, one person, as the
account matches it) or by a name with a phone; the person's name is the group's most
frequent, a tie to the fullest spelling, then the least — no row order in it."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jobs.transforms import name_match_key
from tests.test_person_bare_address import _by_id, _persons

PHONE = "+44 20 7946 0000"
F2 = [{"contact": "Jane Roe", "phone": PHONE},
      {"contact": "Jane Roe", "email": "jane@roe.com", "phone": PHONE},
      {"contact": "J. Roe", "email": "jane@roe.com"}]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_an_address_and_a_name_with_a_phone_make_one_person_in_any_order(
        order: tuple[int, ...]) -> None:
    got = _by_id(F2, order)
    for ref in got.values():  # (each address and phone once: not twice under two names)
        for kind in ("emails", "phones"):
            values = [e["value"] for e in ref.get("body", {}).get(kind) or ()]
            assert len(values) == len(set(values)), (order, ref)
    assert _persons(got) == {
        (frozenset({"R0", "R1", "R2"}), "Jane Roe", frozenset({"jane@roe.com"}),
         frozenset({PHONE}))}, order


# (each phone beside one address at most: a phone given beside two persons' addresses
# joins neither, and is the phone of the first of its address's rows: not fixed here)
_ROW = st.fixed_dictionaries({
    "contact": st.sampled_from(["Jane Roe", "J. Roe", "Jr New"]),
    "email": st.sampled_from(["", "jane@roe.com", "jroe@work.com"]),
    "phone": st.sampled_from(["", PHONE, "+1 415 555 0100"]),
}).filter(lambda c: bool(c["email"] or c["phone"])).filter(
    lambda c: not c["email"] or not c["phone"]
    or (c["email"], c["phone"]) in {("jane@roe.com", PHONE),
                                    ("jroe@work.com", "+1 415 555 0100")})


_JANE = {"contact": "Jane Roe", "email": "jane@roe.com", "phone": ""}


@settings(max_examples=60, deadline=None)
# (found while fixing: the group's phone given by a row of another name)
@example(([{**_JANE, "email": "", "phone": PHONE}, _JANE,
           {"contact": "J. Roe", "email": "jane@roe.com", "phone": PHONE}], [1, 0, 2]))
@given(st.lists(_ROW, min_size=2, max_size=6).flatmap(
    lambda cells: st.tuples(st.just(cells), st.permutations(range(len(cells))))))
def test_the_files_persons_are_the_same_in_any_row_order(
        drawn: tuple[list[dict[str, str]], list[int]]) -> None:
    """Named rows of one address or none: the same persons (their rows, name, addresses,
    phones) and the same failed rows in the file's order and in any other."""
    cells, order = drawn
    first = _persons(_by_id(cells, tuple(range(len(cells)))))
    assert _persons(_by_id(cells, tuple(order))) == first, (cells, order)


# f47f: the shapes the generator above leaves out — a cell of several addresses, a phone
# beside them, a phone beside two persons' addresses, bare rows, and the spellings one
# name key folds ("JANE ROE", "Roe, Jane": the person is spelled as its first row spells
# it, so names are compared by their key)
_CONTACTS = [(("Jane Roe", "JANE ROE", "Roe, Jane"), ("jane@a.com", "jane@b.com", "jr@c.com"),
              PHONE),
             (("Tom Lee",), ("tom@x.com", "tl@y.com"), "+1 415 555 0100")]


@st.composite
def _contact_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """2-5 rows of ``_CONTACTS``: named (any spelling) or bare, none, some or all of the
    contact's addresses in one cell (any order), its phone or not."""
    cells = []
    for _ in range(draw(st.integers(2, 5))):
        names, mails, phone = draw(st.sampled_from(_CONTACTS))
        name = "" if draw(st.integers(0, 3)) == 0 else draw(st.sampled_from(names))
        given_mails = draw(st.lists(st.sampled_from(mails), unique=True, max_size=len(mails)))
        with_phone = draw(st.booleans())
        if not given_mails and (not name or not with_phone):
            given_mails = [mails[0]]
        cells.append({"contact": name, "email": "; ".join(given_mails),
                      "phone": phone if with_phone else ""})
    return cells


def _folded(got: dict[str, Any]) -> set[tuple[frozenset[str], str, frozenset[str],
                                              frozenset[str]]]:
    return {(rows, name_match_key(name), mails, phones)
            for rows, name, mails, phones in _persons(got)}


_P1 = {"contact": "Jane Roe", "email": "jane@a.com", "phone": PHONE}


@settings(max_examples=150, deadline=None)
# the lead's report: a phone beside a cell of two addresses, a row of one of them without
@example(([{"contact": "Jane Roe", "email": "jane@a.com; jane@b.com", "phone": PHONE},
           {"contact": "Jane Roe", "email": "jane@b.com", "phone": ""},
           {"contact": "Jane Roe", "email": "", "phone": PHONE}], [1, 0, 2]))
# (found by it: a phone beside two persons' addresses was the phone of jane@a.com's
# person only when its first row gave it — R0 first: with it; R1 first: without)
@example(([{**_P1, "contact": ""}, {**_P1, "phone": ""}, {**_P1, "email": "jane@b.com"}],
          [1, 0, 2]))
@given(_contact_rows().flatmap(
    lambda cells: st.tuples(st.just(cells), st.permutations(range(len(cells))))))
def test_cells_of_several_addresses_and_their_phones_give_the_same_persons_in_any_order(
        drawn: tuple[list[dict[str, str]], list[int]]) -> None:
    """f47f: the same persons — rows, name (by its key), e-mails, phones — in any row
    order, for cells of several addresses with phones beside them, bare rows among them: a
    phone a row gives beside an address is that address's person's, whichever row of it
    comes first."""
    cells, order = drawn
    first = _folded(_by_id(cells, tuple(range(len(cells)))))
    assert _folded(_by_id(cells, tuple(order))) == first, (cells, order)
