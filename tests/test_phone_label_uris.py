"""A ``tel:`` URI with a label beside it reads the number as the same URI without the
label does (v56r1 F3: ``tel:+1-555-010-0199;ext=45 (work)`` was sent as
``+1-555-010-0199;ext=45`` with label work, while the unlabelled cell is ``+1-555-010-0199
ext. 45``; ``Work: tel:+1-555-010-0199`` failed "not a phone number").

The grid: every label form of test_phone_labels (5 before the number, 6 after it) x three
casings x label words of each kind (and one naming no kind, ``Tel``) x URIs with
``;ext=``, ``;phone-context=`` (global and a domain's), percent-escapes, ``<…>``,
``tel://``, ``;isub=``. The oracle is the unlabelled URI's own reading (``clean_phone``)
and the word's label."""

from __future__ import annotations

import itertools

import pytest

from bulk.errors import InputError
from jobs import transforms as tf
from tests.test_phone_labels import AFTER, BEFORE, CASES

WORDS = (("work", "work"), ("Mobile", "mobile"), ("home", "home"), ("fax", "other"),
         ("Tel", None), ("Büro", "work"), ("Work Phone", "work"), ("celular", "mobile"))
URIS = ("tel:+1-555-010-0199;ext=45", "tel:+1-555-010-0199", "TEL:+1-555-010-0199;ext=45",
        "<tel:+1-555-010-0199;ext=45>", "tel:555-0199;phone-context=+1-212",
        "tel:0301234567;phone-context=+49", "tel:%2B1%20555%20010%200199",
        "tel:+1%20555%20010%200199;ext=7", "tel://+49-30-4616337",
        "tel:+49-30-4616337;isub=1234", "tel:70423;phone-context=example.com")


def test_every_label_form_reads_the_uri_as_the_unlabelled_cell_does() -> None:
    wrong = []
    grid = list(itertools.product(WORDS, BEFORE + AFTER, CASES, URIS))
    for (word, label), form, case, uri in grid:
        cell = form.format(w=case(word), n=uri)
        try:
            got: object = tf.labelled_phones(cell)
        except InputError as exc:
            got = exc.reason
        if got != ((tf.clean_phone(uri), label),):
            wrong.append((cell, got))
    assert not wrong, (len(wrong), len(grid), wrong[:8])  # before: 2,088 of 2,904 wrong
    assert len(grid) > 2500


@pytest.mark.parametrize(("cell", "read"), [
    ("tel:+1-555-010-0199;ext=45 (work)", (("+1-555-010-0199 ext. 45", "work"),)),
    ("tel:+1-555-010-0199;ext=45", (("+1-555-010-0199 ext. 45", None),)),
    ("Work: tel:+1-555-010-0199;ext=45", (("+1-555-010-0199 ext. 45", "work"),)),
    ("<tel:+1-555-010-0199> [mobile]", (("+1-555-010-0199", "mobile"),)),
    ("tel:555-0199;phone-context=+1-212 - home", (("+1-212 555-0199", "home"),)),
    ("Tel: tel:+1-555-010-0199", (("+1-555-010-0199", None),)),
    ("tel:+1-555-010-0199 (work), Mobile: tel:+1-555-010-0198",
     (("+1-555-010-0199", "work"), ("+1-555-010-0198", "mobile"))),
])
def test_the_reported_cells(cell: str, read: tuple[tuple[str, str | None], ...]) -> None:
    assert tf.labelled_phones(cell) == read


@pytest.mark.parametrize("cell", [
    "Work: tel:+1-555-010-0199 (home)",  # two labels of two kinds
    "Ask Bob: tel:+1-555-010-0199",  # no listed label
    "tel:+1-555-010-0199 ask for Bob",
    "tel:+1-555-010-0199;ext=45 (work) Berlin",
    "Mobile 2 tel:+1-555-010-0199",
])
def test_what_is_no_labelled_uri_still_fails(cell: str) -> None:
    with pytest.raises(InputError):
        tf.labelled_phones(cell)
