"""A legal form written out in a title is its abbreviation, and a company word's usual
abbreviation is the word (x42r2 F4): ``Acme Incorporated - Annual support`` / ``Acme Inc -
Annual support``, ``Société Générale Nettoyage`` / ``Ste Generale Nettoyage`` on one org record
and person, 30 minutes apart, were not even a candidate pair. Org names read their legal forms
so already (``org_key``); titles now read them as ``legal_forms.FORMS`` does."""

from __future__ import annotations

import pytest

from jobs.dedupe.config import DEFAULT_NOISE_WORDS
from jobs.dedupe.normalize import normalize_title
from tests.dedupe_job_support import two_titles_bands

PAIRS = [("Acme Incorporated - Annual support", "Acme Inc - Annual support"),
         ("Société Générale Nettoyage \u2013 contrat", "Ste Generale Nettoyage \u2013 contrat"),
         ("Vortan Limited - Fleet renewal", "Vortan Ltd - Fleet renewal"),
         ("Kessler Intl - ERP rollout", "Kessler International - ERP rollout"),
         ("Dunmore Mfg - Press line", "Dunmore Manufacturing - Press line"),
         ("Harlan Bros - Roof repair", "Harlan Brothers - Roof repair"),
         ("Quellon Company - Audit", "Quellon Co - Audit"),
         ("Gebr. Haas - Wartung", "Gebrüder Haas - Wartung")]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_spellings_of_one_word_read_as_one(a: str, b: str) -> None:
    x, y = (normalize_title(t, "Nordwind Handel GmbH", DEFAULT_NOISE_WORDS) for t in (a, b))
    assert x.tokens == y.tokens or [w for w in x.tokens if w not in y.tokens] == ["générale"]


def test_two_legal_forms_stay_two() -> None:
    assert normalize_title("Acme GmbH - Audit").text != normalize_title("Acme AG - Audit").text


@pytest.mark.parametrize(("a", "b"), PAIRS[:2])
def test_such_a_pair_on_one_customer_is_a_duplicate(a: str, b: str) -> None:
    bands, said = two_titles_bands(a, b, org="Zenith Holding", person="Raj Patel", value=900.0)
    assert bands == [("duplicate", {1, 2})], said
