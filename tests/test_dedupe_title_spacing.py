"""A survivor's title with stray spaces (leading, trailing, doubled) takes the clean form a
merged copy writes, and the plan's drops say so (x33r1 L1: the messy title was kept)."""

from __future__ import annotations

from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops, policy_changes

GROUP = Group(id="g-1", survivor_id=1, merged_ids=(2,), band="duplicate", score=1.0,
              reasons=(), survivor_reasons=(), differing=("title",))


def test_a_messy_survivor_title_takes_the_copys_clean_form_and_says_it() -> None:
    """``  Website  redesign `` survives, ``Website redesign`` is merged: PATCH the clean one."""
    records = {1: DealRecord(id=1, title="  Website  redesign ", status="open"),
               2: DealRecord(id=2, title="Website redesign", status="open")}
    changes = policy_changes(GROUP, records, {})
    assert changes == {"title": "Website redesign"}
    drops = merge_drops(GROUP, records, changes)
    assert drops == ["title '  Website  redesign ' (deal 1, the survivor: its stray spaces "
                     "cleaned to 'Website redesign')"], drops


def test_a_clean_survivor_title_is_left_alone() -> None:
    """The survivor written cleanly, the copy with stray spaces: no PATCH, nothing dropped."""
    records = {1: DealRecord(id=1, title="Website redesign", status="open"),
               2: DealRecord(id=2, title=" Website redesign  ", status="open")}
    changes = policy_changes(GROUP, records, {})
    assert changes == {} and merge_drops(GROUP, records, changes) == []
