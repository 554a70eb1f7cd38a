# ruff: noqa: RUF001, RUF002  # the letters that look alike are the point here
"""A legal form is read only as it is spelled: a word at a name's end written with a letter
no spelling of the form has (``Ås``, ``Øy``, ``Åb``, ``Sıa``, ``Ağ``) is a word of the name,
never the form its letters fold to (f52b: ``Øster Ås`` was the legal form AS, so dedupe keyed
it ``oster`` as the organization ``Øster``, and the import said ``legal form differs (Ås /
AS)`` of the account's ``Øster AS``). A form's own letters stay a form (``OÜ``, ``A.Ş.``,
``Société Anonyme``)."""

from __future__ import annotations

import pytest

from jobs.account import OrgIndex
from jobs.dedupe.org_names import legal_form, org_key
from jobs.transforms import org_match_key

_WORDS = [("Øster Ås", "oster ås"), ("Bergen Ås", "bergen ås"), ("Kärnäs Øy", "karnas øy"),
          ("Sjöström Åb", "sjostrom åb"), ("Riga Sıa", "riga sıa"), ("Acme Ağ", "acme ağ"),
          ("Acme Äb", "acme äb"), ("Acme Åsa", "acme åsa"), ("Acme Åps", "acme åps"),
          ("Acme Ås", "acme ås"), ("Acme Sä", "acme sä"), ("Acme Ñv", "acme ñv"),
          ("Acme Øy", "acme øy"), ("Ås Øster Ås", "as oster ås")]


@pytest.mark.parametrize(("name", "key"), _WORDS)
def test_a_lettered_word_is_no_legal_form(name: str, key: str) -> None:
    assert legal_form(name) == (), name
    # the import keys the word as written: folded, it was the form's key (x52r9 F1)
    assert org_match_key(name) == key


@pytest.mark.parametrize("name", ["Øster Ås", "Bergen Ås", "Kärnäs Øy", "Sjöström Åb",
                                  "Riga Sıa", "Acme Ağ", "Acme Åsa"])
def test_dedupe_keeps_the_lettered_word_in_the_name(name: str) -> None:
    assert org_key(name) != org_key(name.rsplit(" ", 1)[0]), org_key(name)


@pytest.mark.parametrize(("name", "forms"), [
    ("Øster AS", ("as",)), ("Øster A/S", ("as",)), ("Øster ASA", ("asa",)),
    ("Kärnäs Oy", ("oy",)), ("Sjöström AB", ("ab",)), ("Tallinn OÜ", ("ou",)),
    ("Tallinn OU", ("ou",)), ("Acme A.Ş.", ("as",)), ("Acme Société Anonyme", ("sa",)),
    ("Müller GmbH", ("gmbh",)), ("Øster Ås AS", ("as",)), ("Ｎｏｒｄ ＡＢ", ("ab",)),
    ("Acme Gesellschaft mit beschränkter Haftung", ("gmbh",)), ("Øster as", ("as",)),
    ("Ærø Ltd", ("ltd",)), ("Hårdvare Øst AS", ("as",)), ("Misafir Otel A.Ş", ("as",)),
    ("Tallinn O. Ü.", ("ou",))])
def test_a_form_as_spelled_stays_a_form(name: str, forms: tuple[str, ...]) -> None:
    assert legal_form(name) == forms


def test_the_import_names_no_legal_form_for_a_lettered_word() -> None:
    """The account's ``Øster AS`` found by the row's ``Øster Ås`` (one key: folded alike)
    is another spelling, never another legal form; ``Øster A/S`` is."""
    index = OrgIndex()
    index.add({"id": 1, "name": "Øster AS"})
    index.add({"id": 2, "name": "Bergen Ås"})
    assert index.other_form(1, "Øster Ås") is None
    assert index.other_form(2, "Bergen AS") is None
    assert 2 not in index.formed and 1 in index.formed
    assert index.other_form(1, "Øster A/S") is None  # (A/S is AS, as written)
