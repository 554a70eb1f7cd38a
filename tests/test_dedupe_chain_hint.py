"""A chained group's reasons promise no path the chaining guard refuses (f34e 4): before,
its ``two companies`` reason ended "(decision = merge does)", and apply then refused that
very decision as a chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.dedupe.apply import ApplyOptions
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.planfiles import PlannedGroup

CFG = DedupeConfig.default()
T = datetime(2025, 3, 1, tzinfo=UTC)


def _deal(i: int, title: str = "Website redesign", **kw: object) -> DealRecord:
    base: dict[str, object] = {"org_id": 1, "org_name": "Acme", "person_id": 7, "value": 100.0,
                               "currency": "EUR", "pipeline_id": 1,
                               "add_time": T + timedelta(minutes=i)}
    base.update(kw)
    return DealRecord(id=i, title=title, status="open", **base)  # type: ignore[arg-type]


def _decided(g: object) -> PlannedGroup:
    return PlannedGroup(1, g.id, "merge", g.band, g.score, g.survivor_id,  # type: ignore[attr-defined]
                        g.merged_ids)  # type: ignore[attr-defined]


def test_a_chained_groups_hint_says_what_decision_merge_will_do() -> None:
    """Acme ~ a deal with no org ~ Globex: a chain; its reasons say decision = merge does not
    take it as planned (split it), and apply's decision = merge indeed refuses it."""
    deals = [_deal(1), _deal(2, org_id=None, org_name=None, person_id=None, value=None),
             _deal(3, org_id=2, org_name="Globex", person_id=2, value=555.0)]
    [g] = find_duplicates(deals, CFG).groups
    text = " | ".join(g.reasons)
    assert "decision = merge does" not in text, text
    assert "not even decision = merge" in text and "split the group" in text, text
    why = ApplyOptions().wants(_decided(g), CFG.review_threshold)
    assert why is not None and "a chain" in why


def test_an_unchained_review_group_still_says_decision_merge_takes_it() -> None:
    """Two ``Küchenberatung`` deals of two persons at org ``Privatkunden``: no chain, the hint
    says decision = merge merges it, and apply's decision = merge does."""
    deals = [_deal(10 + n, title="Küchenberatung", org_id=5017, org_name="Privatkunden",
                   person_id=9000 + n, value=None, add_time=T + timedelta(hours=2 * n))
             for n in range(2)]
    [g] = find_duplicates(deals, CFG).groups
    assert "decision = merge does" in " | ".join(g.reasons), g.reasons
    assert ApplyOptions().wants(_decided(g), CFG.review_threshold) is None
