"""What the plan says matches what it did (f34e 5): two values a cent apart are said with the
cent and both amounts (``same value`` for 1120 / 1121 read as equal values; since x45r2 F1 a
euro apart is two amounts); a slip in a German word is a near word, as README and docs/dedupe-matching.md now
both say (``Kassensytem`` / ``Kassensystem``: review)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

CFG = DedupeConfig.default()
T = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _pair(a: str, b: str, x: float, y: float) -> list[DealRecord]:
    return [DealRecord(id=n, title=t, status="open", org_id=1, org_name="Acme GmbH", person_id=2,
                       value=v, currency="EUR", add_time=T + timedelta(hours=3 * n))
            for n, (t, v) in enumerate(((a, x), (b, y)), start=1)]


def test_a_value_within_the_tolerance_is_said_with_it() -> None:
    """1,120 / 1,120.01 merge as one value, and the reason says the cent and both amounts; an
    equal value is plain ``same value``; 1,120 / 1,121 are two amounts (review, x45r2 F1)."""
    [g] = find_duplicates(_pair("Kassensystem", "Kassensystem", 1120.0, 1120.01), CFG).groups
    assert g.band == "duplicate"
    assert "same value within a cent: 1,120 / 1,120.01" in g.reasons, g.reasons
    [g] = find_duplicates(_pair("Kassensystem", "Kassensystem", 1120.0, 1121.0), CFG).groups
    assert g.band == "review"
    assert "two amounts: 1,120≠1,121 (maybe 1,121 rounded to tens)" in g.reasons, g.reasons
    [g] = find_duplicates(_pair("Kassensystem", "Kassensystem", 1120.0, 1120.0), CFG).groups
    assert "same value" in g.reasons


def test_a_slip_in_a_german_word_is_a_near_word() -> None:
    """``Kassensytem`` / ``Kassensystem``, same org, person and value, 3 h apart: review with a
    ``near word`` reason (the typo rules read common English words only)."""
    [g] = find_duplicates(_pair("Kassensystem Einführung", "Kassensytem Einführung",
                                1120.0, 1120.0), CFG).groups
    assert g.band == "review"
    assert any(r.startswith("near word: kassensystem") for r in g.reasons), g.reasons
