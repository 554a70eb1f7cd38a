# ruff: noqa: RUF001, RUF002  # fullwidth forms are the point here
"""Person cells, round 13 (x50r1's re-test of round 12): each cell names one person with
the e-mail / phone it writes, or the row fails (a str: the reason).

- F1: an address's whole RFC 5322 local part (``ann.o'neil@x.ie`` was cut at the ``'``:
  the person named ``Ann Abe ann.o'``, the e-mail ``neil@x.ie``);
- F6: a fullwidth ``＠`` is refused as the E-mail column refuses it, ``＜ ＞`` ``．`` folded,
  a trailing ``.`` after an address no part of the name;
"""

from __future__ import annotations

import pytest

from tests.test_person_cells_round12 import _one, _person


# F1: the whole local part, bare, in brackets, after a label, ``mailto:``, a comma
@pytest.mark.parametrize(("cell", "name", "email"), [
    ("Ann Abe ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Dee d'arcy@x.ie", "Ann Dee", "d'arcy@x.ie"),
    ("Ann Abe (ann.o'neil@x.ie)", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe [ann.o'neil@x.ie]", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe <ann.o'neil@x.ie>", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe E-Mail: ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe: ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe mailto:ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe, ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe / ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe ann+tag@x.ie", "Ann Abe", "ann+tag@x.ie"),
    ("Ann Abe a!b#c$d%e&f*g=h?i^j_k`l{m}n~o-p@x.ie", "Ann Abe",
     "a!b#c$d%e&f*g=h?i^j_k`l{m}n~o-p@x.ie"),
    ("Ann Abe a/b|c@x.ie", "Ann Abe", "a/b|c@x.ie"),
    ("山田太郎 o'neil@x.jp", "山田太郎", "o'neil@x.jp"),
    ("Ann Abe 'ann@x.ie'", "Ann Abe", "ann@x.ie"),
])
def test_an_address_keeps_its_whole_local_part(cell: str, name: str, email: str) -> None:
    _one(cell, name, email)


# F6: fullwidth forms and a trailing full stop
@pytest.mark.parametrize(("cell", "name", "email"), [
    ("Ann Gobe ann@gobe.com.", "Ann Gobe", "ann@gobe.com"),
    ("Ann Gobe, ann@gobe.com.", "Ann Gobe", "ann@gobe.com"),
    ("Jane Roe ＜jane@roe.com＞", "Jane Roe", "jane@roe.com"),
    ("Jane Roe jane@roe．com", "Jane Roe", "jane@roe.com"),
])
def test_a_name_keeps_no_address_leftovers(cell: str, name: str, email: str) -> None:
    _one(cell, name, email)


@pytest.mark.parametrize("cell", ["Jane Fitch jane＠fitch.com", "Jane Fitch, jane＠fitch.com",
                                  "Jane Fitch ＜jane＠fitch.com＞", "Jane Fitch＠"])
def test_a_fullwidth_at_sign_fails_the_row_as_in_the_email_column(cell: str) -> None:
    ref = _person(cell)
    assert isinstance(ref, str) and "＠" in ref, ref
