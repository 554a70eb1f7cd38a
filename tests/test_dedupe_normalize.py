"""Title normalization: case, punctuation, dashes, org name and legal suffixes go; numbers stay."""

from __future__ import annotations

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.normalize import normalize_title, one_typo, org_key

NOISE = DedupeConfig.default().noise_words


@pytest.mark.parametrize(("a", "org_a", "b", "org_b"), [
    ("ACME Corp \u2013 Website redesign", "Acme Corp", "Website redesign - Acme", "ACME"),
    ("Website  redesign.", None, "website redesign", None),
    ("Website_redesign", None, "WEBSITE REDESIGN", None),
    ("Website \u2014 redesign", None, "Website - redesign", None),
    ("\uff37\uff45\uff42\uff53\uff49\uff54\uff45 redesign", None, "Website redesign", None),  # fullwidth (NFKC)
    ("Straße rollout", None, "STRASSE rollout", None),  # casefold
    ("Globex GmbH - CRM rollout", None, "CRM rollout", None),  # company part with a legal form
    ("CRM rollout (Globex S.A.)", None, "CRM rollout", None),
    ("Glbex - CRM rollout", "Globex SA", "CRM rollout", "Globex SA"),  # org name with a typo
    ("New deal: CRM rollout", None, "CRM rollout", None),  # noise words
    ("Website upgrade - Quapel S.A. S.A.", "Quapel S.A.", "Website upgrade", "Quapel S.A."),  # doubled form
])
def test_variants_normalize_equal(a: str, org_a: str | None, b: str, org_b: str | None) -> None:
    """Case, punctuation, dash, spacing, width, org name and legal-suffix variants compare equal."""
    x, y = normalize_title(a, org_a, NOISE), normalize_title(b, org_b, NOISE)
    assert x.sorted_text == y.sorted_text


@pytest.mark.parametrize(("a", "b"), [
    ("Renewal 2024", "Renewal 2025"),
    ("Phase 1 rollout", "Phase 2 rollout"),
    ("Q3 licences", "Q4 licences"),
    ("Rollout phase II", "Rollout phase III"),
    ("Acme 2024 - CRM", "Acme 2025 - CRM"),
])
def test_numbers_are_kept_apart(a: str, b: str) -> None:
    """A differing number survives normalization and is visible in ``numbers``."""
    x, y = normalize_title(a, "Acme", NOISE), normalize_title(b, "Acme", NOISE)
    assert x.numbers and y.numbers and x.numbers != y.numbers


def test_company_part_keeps_its_number() -> None:
    """``Q2 Acme S.A. - CRM`` drops the company but keeps Q2."""
    assert normalize_title("Q2 Acme S.A. - CRM maintenance", None, NOISE).numbers == {"q2"}


def test_title_that_is_only_the_org_is_not_emptied() -> None:
    """A deal titled just with its org name still has a title to compare."""
    assert normalize_title("Acme Corp", "Acme Corp", NOISE).text == "acme"
    assert normalize_title("", None, NOISE).text == ""


@pytest.mark.parametrize(("name", "key"), [
    ("ACME Corp.", "acme"), ("Acme, Inc", "acme"), ("Globex S.A.", "globex"), ("Initech GmbH", "initech"),
    (None, ""), ("", ""), ("Inc", "inc"),
])
def test_org_key(name: str | None, key: str) -> None:
    """Org keys drop case, punctuation and legal forms."""
    assert org_key(name) == key


@pytest.mark.parametrize(("x", "y", "same"), [
    ("redesign", "redesing", True), ("redesign", "redsign", True), ("redesign", "redesigm", True),
    ("migration", "integration", False), ("crm", "erp", False), ("rollout", "pilot", False),
])
def test_one_typo(x: str, y: str, same: bool) -> None:
    """One insert/delete/replace/swap is a typo; a different word is not."""
    assert one_typo(x, y) is same
