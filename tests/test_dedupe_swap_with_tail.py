"""A topic and a short qualifier swapped around a separator are one deal (README: "a topic and
a place ... swapped is one deal") also when both titles go on, or begin, with the same words
(y54r1 F4 MEDIUM: ``Catering rollout - Lyon 2026`` / ``Lyon - Catering rollout 2026`` was never
paired, 2 of 2 and 1 of 1 seeded: the year, written after the place in one title and after the
topic in the other, read as a number moved to another word, capped at 0.40). Those words stand
where they stood in both titles, so they are read apart from the swap; every other move is
still a different order (routes, two topics, two places, a number moved inside the swap)."""

from __future__ import annotations

import itertools

import pytest

from tests.dedupe_job_support import two_titles_bands
from tests.each_case import check_each

TOPICS = ["Catering rollout", "Support contract", "Wartung Heizung"]
PLACES = ["Lyon", "New York", "Q3"]
ENDS = [("", " 2026"), ("", " Nord"), ("", " 2026 Phase 2"), ("2026 ", ""), ("Angebot ", " 2026"),
        ("", "")]
SEPS = [" - ", " \u2013 ", " | "]


def _band(a: str, b: str) -> tuple[str | None, object]:
    bands, said = two_titles_bands(a, b, org="Globex Unit", person="Anna Weber", value=4200.0)
    dup = [band for band, ids in bands if ids == {1, 2}]
    return (dup[0] if dup else None), said


def _one_deal(topic: str, place: str, ends: tuple[str, str], sep: str) -> None:
    head, tail = ends
    a, b = f"{head}{topic}{sep}{place}{tail}", f"{head}{place}{sep}{topic}{tail}"
    for x, y in ((a, b), (b, a), (a.upper(), b)):
        band, said = _band(x, y)
        assert band == "duplicate", (x, y, said)


# one item per topic and place, its ends x separators looped and each failing one named
# (issue 8, f57c: 162 items before)
@pytest.mark.parametrize(("topic", "place"), list(itertools.product(TOPICS, PLACES)))
def test_a_topic_and_a_place_swapped_with_shared_ends_is_one_deal(topic: str, place: str
                                                                  ) -> None:
    assert check_each({f"ends={ends!r} sep={sep!r}": (topic, place, ends, sep)
                       for ends, sep in itertools.product(ENDS, SEPS)},
                      _one_deal) == len(ENDS) * len(SEPS)


# every other move stays a different order with the same ends: two places (a route), two
# topics, a direction word, numbers moved inside the swap, a third part moved
APART = [("Hamburg - Shanghai 2026", "Shanghai - Hamburg 2026"),
         ("Long Beach - Shanghai Nord", "Shanghai - Long Beach Nord"),
         ("EUR - USD 2026", "USD - EUR 2026"),
         ("Import - Export 2026", "Export - Import 2026"),
         ("Staff training - Security audit 2026", "Security audit - Staff training 2026"),
         ("Catering rollout - Lyon nach Paris 2026", "Lyon nach Paris - Catering rollout 2026"),
         ("SAP - Oracle migration 2026", "Oracle migration - SAP 2026"),
         ("Phase 2 - Los 3 2026", "Phase 3 - Los 2 2026"),
         ("Catering rollout 2 - Lyon 3 2026", "Lyon 2 - Catering rollout 3 2026"),
         ("2026 Hamburg - Shanghai", "2026 Shanghai - Hamburg"),
         ("Angebot Berlin - Hamburg Umzug", "Angebot Hamburg - Berlin Umzug"),
         ("Catering rollout - Lyon - Paris 2026", "Paris - Catering rollout - Lyon 2026"),
         ("Catering rollout - Lyon 2026", "Lyon - Catering rollout 2025"),
         ("Catering rollout - Lyon 2026", "Lyon - Catering rollout")]


@pytest.mark.parametrize(("a", "b"), APART)
def test_any_other_move_with_shared_ends_is_not_merged(a: str, b: str) -> None:
    for x, y in ((a, b), (b, a)):
        band, said = _band(x, y)
        assert band != "duplicate", (x, y, said)
