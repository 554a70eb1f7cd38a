# ruff: noqa: RUF001  # the letters that look alike are the point here
"""The import's organization key never joins a name word to the legal form it looks like.

x52r9 F1: with only one of a look-alike pair in the account, a row linked to it "spelled X
in Pipedrive": ``Nordvik Ås`` -> ``Nordvik AS``, ``Lehto Øy`` -> ``Lehto Oy``, and back
(``Øster AS`` -> ``Øster Ås``): ``org_match_key`` folded the name word ``Ås`` to the form's
letters, so both were ``nordvik as``. A word that ``legal_forms.name_start`` reads as the
name's, where its letters folded would be a form, is keyed as written.

x52r9 F2: ``Hansen & Søn AS`` / ``Hansen and Søn AS`` never found ``Hansen og Søn AS`` (the
import read only ``und`` / ``et`` as "and"; dedupe's table of conjunctions has ``og``), and
the Nordic letters spelled out (``ø`` as ``oe``, ``å`` as ``aa``: ``Oester AS``, ``Oester
Aas``, ``Hansen og Soen AS``) never found theirs, as German spellings find theirs."""

from __future__ import annotations

import unicodedata

import pytest

from jobs.account import OrgIndex
from jobs.transforms import org_match_key
from jobs.transforms.contacts import fold_accents
from jobs.transforms.legal_forms import FORMS, name_start

# letters that look like an ASCII letter of a form, each folding back to it
_LOOKALIKES = {"a": "åäáàâã", "o": "øöóôõ", "u": "üúùû", "e": "éèêë", "i": "ıíìï",
               "s": "śšş", "g": "ğ", "c": "çč", "n": "ñń", "y": "ý", "z": "żž", "l": "ł",
               "d": "đ", "r": "ř", "t": "ţ", "k": "ķ", "b": "ƀ", "h": "ħ"}


def _variants() -> list[tuple[str, str]]:
    """(form as written, a look-alike ``name_start`` reads as a name word): every spelling
    of ``FORMS`` with one letter of one of its words replaced."""
    out = []
    for words in FORMS:
        for w, word in enumerate(words):
            for at, letter in enumerate(word):
                for other in _LOOKALIKES.get(letter, ""):
                    alike = [*words]
                    alike[w] = word[:at] + other + word[at + 1:]
                    written = ["nordvik", *alike]
                    folded = ["nordvik", *(fold_accents(x).casefold() for x in alike)]
                    if folded[1:] == list(words) and name_start(written, folded) > 1 + w:
                        out.append((" ".join(words).upper(), " ".join(alike)))
    return out


_PAIRS = _variants()


def _found(account: str, row: str) -> tuple[int, str] | None:
    index = OrgIndex()
    index.add({"id": 7, "name": account})
    key = org_match_key(row)
    assert key is not None
    return index.match(key, name=row)


def test_the_property_covers_the_forms() -> None:
    assert len(_PAIRS) > 300
    assert ("AS", "ås") in _PAIRS and ("OY", "øy") in _PAIRS and ("SIA", "sıa") in _PAIRS


# One test item per form, each of its look-alikes checked and every one that fails named
# (f56f, issue 8: 2,259 items of ~0.2 ms of work each cost pytest ~3 ms a run and ~1 ms a
# collection in each xdist worker; now 126 items, the same 2,259 cases)
_BY_FORM: dict[str, list[str]] = {}
for _form, _alike in _PAIRS:
    _BY_FORM.setdefault(_form, []).append(_alike)


def _lookalike_faults(form: str, alike: str) -> list[str]:
    """What is wrong with ``alike`` against ``form`` (nothing: [])."""
    faults = []
    if org_match_key(f"Nordvik {alike}") == org_match_key(f"Nordvik {form}"):
        faults.append("same key")
    if _found(f"Nordvik {form}", f"Nordvik {alike}") is not None:
        faults.append("the row finds the form")
    if _found(f"Nordvik {alike}", f"Nordvik {form}") is not None:
        faults.append("the form's row finds it")
    return faults


def test_every_pair_is_checked_under_its_form() -> None:
    assert sum(map(len, _BY_FORM.values())) == len(_PAIRS) == len(set(_PAIRS))


@pytest.mark.parametrize("form", sorted(_BY_FORM))
def test_a_lookalike_word_never_matches_the_form(form: str) -> None:
    wrong = {alike: faults for alike in _BY_FORM[form]
             if (faults := _lookalike_faults(form, alike))}
    assert not wrong, f"{len(wrong)} of {len(_BY_FORM[form])} look-alikes of {form}: {wrong}"


@pytest.mark.parametrize(("account", "row"), [
    ("Nordvik AS", "Nordvik Ås"), ("Lehto Oy", "Lehto Øy"), ("Holm AB", "Holm Åb"),
    ("Berzins SIA", "Berzins Sıa"), ("Brandt AG", "Brandt Ağ"), ("Øster Ås", "Øster AS"),
    ("Kärnäs Øy", "Kärnäs Oy"), ("Sjöström Åb", "Sjöström AB"), ("Riga Sıa", "Riga SIA"),
    ("Acme Ağ", "Acme AG"), ("Banco Sá", "Banco SA"), ("Nordvik Ås AS", "Nordvik AS AS"),
    ("Nordvik Å/S", "Nordvik A/S"), ("Kärnäs Øy", "Kaernaes Oy"), ("Øster Ås", "Oester AS"),
    ("Øster AS", "Oester Aas"), ("Acme Ås & Co", "Acme AS & Co")])
def test_x52r9_f1_lookalikes_are_two_organizations(account: str, row: str) -> None:
    assert _found(account, row) is None


@pytest.mark.parametrize(("account", "row"), [
    ("Café Noir", "CAFE NOIR"), ("Müller GmbH", "Mueller GmbH"), ("Müller GmbH", "Muller GmbH"),
    ("Øster Ås", "ØSTER ÅS"), ("Øster Ås", "Øster Ås"), ("Banco Sá", "BANCO SÁ"),
    ("Nordvik AS", "Nordvik A/S"), ("Lehto Oy", "Lehto Osakeyhtiö"), ("Kärnäs Øy", "KÄRNÄS ØY"),
    ("Sá Costa Lda", "Sa Costa Lda"), ("Ås Øster AS", "As Oster AS"),
    ("Øster Ås", unicodedata.normalize("NFD", "Øster Ås")), ("Tallinn OÜ", "Tallinn OU")])
def test_true_spelling_variants_still_match(account: str, row: str) -> None:
    assert _found(account, row) is not None


@pytest.mark.parametrize(("account", "row"), [
    ("Hansen og Søn AS", "Hansen & Søn AS"), ("Hansen og Søn AS", "Hansen and Søn AS"),
    ("Hansen & Søn AS", "Hansen og Søn AS"), ("Berg och Söner AB", "Berg & Söner AB"),
    ("Yilmaz ve Ortaklari AS", "Yilmaz & Ortaklari AS"), ("Jansen en Zonen BV", "Jansen & Zonen BV"),
    ("Kovács és Társa Kft", "Kovács & Társa Kft"),
    ("Hansen og Søn AS", "Hansen og Soen AS"), ("Hansen og Søn AS", "Hansen & Soen AS"),
    ("Øster AS", "Oester AS"), ("Øster Ås", "Oester Aas"), ("Øster AS", "Oster AS"),
    ("Hansen og Søn AS", "Hansen og Son AS"), ("Kärnäs Oy", "Kaernaes Oy"),
    ("Åkerlund Bygg AB", "Aakerlund Bygg AB"), ("Sjöström Åkeri AB", "Sjoestroem Aakeri AB")])
def test_x52r9_f2_connectors_and_nordic_spellings_match(account: str, row: str) -> None:
    assert _found(account, row) is not None


@pytest.mark.parametrize(("account", "row"), [
    ("Hansen i Bergen AS", "Hansen & Bergen AS"),  # a single letter is never read as "and"
    ("Block E Holding", "Block & Holding"), ("Og Media", "And Media"),
    ("Blue Sky AS", "Blü Sky AS"), ("Aaen AS", "Åen AS")])
def test_what_is_no_connector_or_nordic_spelling_stays_apart(account: str, row: str) -> None:
    assert _found(account, row) is None
