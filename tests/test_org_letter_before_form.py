"""A one-letter word (or ``und`` / ``and`` / ``og``) before a company's only legal form is a
word of its name, never the connector of ``Acme GmbH & Co. KG`` (forms, a connector,
forms) nor an "and" to drop (x52r11 F1: ``Vitamin E Oy`` was keyed ``vitamin oy``, so
``Vitamin Oy`` and ``Vitamin Y Oy`` were linked to it, ``Generation GmbH`` / ``Generation
Und GmbH`` to ``Generation Y GmbH``, silently). ``& Co.`` keeps its forms: ``Acme GmbH &
Co. KG`` = ``Acme GmbH und Co KG``, ``The Smith & Co`` = ``Smith Co``."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from bulk.store import JobStore, NewItem
from jobs.contact_keys import contact_key_v4
from jobs.person_key_version import META_PERSON_KEYS, PERSON_KEY_VERSION, keys_up_to_date
from jobs.transforms import org_key_parts, org_match_key

_NAMES = ("Vitamin", "Generation", "Lenkeorg", "Alfa", "Delta Foods", "The Epsilon")
# (``Co`` aside: ``& Co`` is how ``Company`` is written, ``Smith & Co`` is ``Smith Co``)
_FORMS = ("Oy", "GmbH", "AS", "Ltd", "S.A.", "SL", "AB", "Inc.", "KG", "Lda")
_AND = ("und", "and", "og")
_WORDS = (*string.ascii_uppercase, *_AND)


def _one_word(a: str, b: str) -> bool:
    """Two words one key reads alike: the same word, or two ways to write "and"."""
    return a.casefold() == b.casefold() or (a in _AND and b in _AND)


@pytest.mark.parametrize("form", _FORMS)
def test_a_word_before_the_only_form_is_the_names(form: str) -> None:
    for name in _NAMES:
        bare = org_match_key(f"{name} {form}")
        keys = {word: org_match_key(f"{name} {word} {form}") for word in _WORDS}
        for word, key in keys.items():
            assert key != bare, (name, word, form)
            for other, theirs in keys.items():
                if not _one_word(word, other):
                    assert key != theirs, (name, word, other, form)


@pytest.mark.parametrize(("name", "key"), [
    ("Vitamin E Oy", "vitamin e oy"), ("Vitamin Y Oy", "vitamin y oy"),
    ("Generation Y GmbH", "generation y gmbh"), ("Generation Und GmbH", "generation and gmbh"),
    ("Epsilon E S.A.", "epsilon e sa"), ("Studio Y", "studio y"),
    ("Ruiz E Hijos SL", "ruiz e hijos sl"), ("Ruiz Y Hijos SL", "ruiz y hijos sl")])
def test_the_reported_names_keep_their_letter(name: str, key: str) -> None:
    assert org_match_key(name) == key


@pytest.mark.parametrize(("one", "other"), [
    ("Müller GmbH & Co. KG", "Müller GmbH und Co. KG"), ("Müller GmbH & Co. KG", "Müller GmbH Co KG"),
    ("Müller GmbH & Co. KG", "MÜLLER GMBH AND CO KG"), ("The Smith & Co", "Smith Co"),
    ("Acme AB & Co KB", "Acme AB och Co KB"), ("Generation Und GmbH", "Generation & GmbH"),
    ("Hansen og Søn AS", "Hansen & Søn AS")])
def test_true_variants_still_match(one: str, other: str) -> None:
    assert org_match_key(one) == org_match_key(other)


def test_forms_around_a_connector_stay_forms() -> None:
    assert org_key_parts("Müller GmbH & Co. KG") == (["muller"], ["gmbh", "co", "kg"])
    assert org_key_parts("Vitamin E Oy") == (["vitamin", "e"], ["oy"])


def test_an_older_job_keys_a_made_org_by_the_name_it_sent(tmp_path: Path) -> None:
    """A job planned before stored ``vitamin oy`` for the ``Vitamin E Oy`` it made: before
    its resume or retry writes anything, that key is the name's key now."""
    assert PERSON_KEY_VERSION >= 5
    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    try:
        store.meta_put(META_PERSON_KEYS, 4)
        ref = {"kind": "org", "key": "vitamin oy", "body": {"name": "Vitamin E Oy"}}
        store.add_items([NewItem(1, "k1", "addDeal", {"org": ref})])
        store.lookup_put_many("org", [("vitamin oy", 11)], also=("made-org",))
        keys_up_to_date(store)
        assert store.lookups("org") == {"vitamin e oy": 11}
        assert store.lookups("made-org") == {"vitamin e oy": 11}
        assert [i.payload["org"]["key"] for i in store.items()] == ["vitamin e oy"]
        assert store.meta_get(META_PERSON_KEYS) == PERSON_KEY_VERSION
    finally:
        store.close()
    assert contact_key_v4("org", "vitamin e oy") == "vitamin e oy"  # idempotent
