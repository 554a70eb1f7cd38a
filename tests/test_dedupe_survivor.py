"""Survivor rules: applied in the configured order, the deciding rule recorded, ties to the smallest id."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.model import DealRecord
from jobs.dedupe.survivor import RULES, rank

T = datetime(2025, 1, 1, tzinfo=UTC)
A = DealRecord(id=1, title="x", status="open", value=100.0, stage_order=2, owner_id=1,
               add_time=T, update_time=T)


@pytest.mark.parametrize(("rule", "b_changes", "winner", "why"), [
    ("open_first", {"status": "won"}, 1, "open before won"),
    ("open_first", {"status": "open"}, 1, "tie"),
    ("most_advanced_stage", {"stage_order": 3}, 2, "most advanced stage"),
    ("most_advanced_stage", {"stage_order": None}, 1, "most advanced stage"),
    ("most_recently_updated", {"update_time": T + timedelta(days=1)}, 2, "most recently updated"),
    ("least_recently_updated", {"update_time": T + timedelta(days=1)}, 1, "least recently updated"),
    ("oldest", {"add_time": T - timedelta(minutes=5)}, 2, "oldest"),
    ("newest", {"add_time": T - timedelta(minutes=5)}, 1, "newest"),
    ("highest_value", {"value": 0.0}, 1, "highest value"),
    ("highest_value", {"value": 500.0}, 2, "highest value"),
    ("lowest_value", {"value": 50.0}, 2, "lowest value"),
    ("lowest_value", {"value": 0.0}, 1, "lowest value"),  # 0 means "no value", not the lowest
    ("has_owner", {"owner_id": None}, 1, "has an owner"),
])
def test_each_rule(rule: str, b_changes: dict[str, object], winner: int, why: str) -> None:
    """Each rule picks the expected deal and says so (or falls back to the smallest id)."""
    b = replace(A, id=2, **b_changes)  # type: ignore[arg-type]
    for deals in ([A, b], [b, A]):
        ordered, reasons = rank(deals, (rule,))
        assert ordered[0].id == winner
        assert why in reasons[0]


def test_order_of_rules_matters() -> None:
    """The first rule that separates the deals decides; reordering the rules changes the survivor."""
    won_big = replace(A, id=2, status="won", value=900.0)
    assert rank([A, won_big], ("open_first", "highest_value"))[0][0].id == 1
    ordered, why = rank([A, won_big], ("highest_value", "open_first"))
    assert ordered[0].id == 2 and why == ("highest_value: highest value",)


def test_merge_order_follows_the_rules() -> None:
    """The others come best first: the merge order."""
    deals = [replace(A, id=i, value=v) for i, v in ((5, 10.0), (3, 30.0), (9, 20.0))]
    assert [d.id for d in rank(deals, ("highest_value",))[0]] == [3, 9, 5]


def test_all_rules_known() -> None:
    """The config's known rules all exist here."""
    from jobs.dedupe.config import KNOWN_SURVIVOR_RULES
    assert set(RULES) == KNOWN_SURVIVOR_RULES


def test_default_rules_keep_won_status_and_a_real_value() -> None:
    """By default a won deal survives its open copy (the merge keeps the won status), and a
    0 value never beats a real one."""
    from jobs.dedupe.config import DedupeConfig
    rules = DedupeConfig.default().survivor_rules
    won = replace(A, id=2, status="won", stage_order=1)
    assert rank([A, won], rules)[0][0].id == 2
    zero = replace(A, id=2, value=0.0)
    assert rank([zero, replace(A, id=3, value=None)], ("highest_value",))[1] == ("tie: smallest id",)
    assert rank([zero, replace(A, id=3, value=5000.0)], ("highest_value",))[0][0].id == 3


def test_nothing_is_lost_without_the_plan_saying_so() -> None:
    """A survivor with value 0 (Pipedrive keeps a 0) gets the other deal's value by a PATCH;
    what the merge still loses (a reviewer's open survivor over a won copy, another owner)
    is named by merge_drops; a survivor with everything loses nothing."""
    from jobs.dedupe.model import Group
    from jobs.dedupe.planfiles import merge_drops, policy_changes

    def group(survivor: int, *merged: int) -> Group:
        return Group("g-1", survivor, merged, "duplicate", 0.9, (), (), ())
    zero = replace(A, id=1, value=0.0)
    full = replace(A, id=2, value=5000.0)
    recs = {1: zero, 2: full}
    changes = policy_changes(group(1, 2), recs, {})
    assert changes == {"value": 5000.0}
    assert merge_drops(group(1, 2), recs, changes) == []
    # the user's policy rules, but a value of 0 is none to it too (x44r8 F3: min took 0)
    assert policy_changes(group(1, 2), recs, {"value": "min"}) == {"value": 5000}
    assert policy_changes(group(2, 1), recs, {}) == {}  # a real value is kept as it is
    won = replace(A, id=3, status="won", owner_id=9)
    recs = {1: A, 3: won}
    drops = merge_drops(group(1, 3), recs, policy_changes(group(1, 3), recs, {}))
    assert drops == ["owner 9 (deal 3)", "status won (deal 3)"]
    # a won survivor swallows the open deal: the plan says so
    assert merge_drops(group(3, 1), recs, {}) == ["owner 1 (deal 1)", "status open (deal 1)"]
    assert merge_drops(group(1, 3), {1: A, 3: replace(won, owner_id=1, status="open")}, {}) == []


def test_drops_name_a_merged_deals_stage_pipeline_and_status() -> None:
    """F8: the merged deal's earlier stage (and another pipeline, when the pipeline guard is
    off), and a lost status the survivor does not have, are in ``drops``: they were never
    listed (``stage_id`` was read from the custom fields)."""
    from jobs.dedupe.model import Group
    from jobs.dedupe.planfiles import merge_drops
    survivor = replace(A, id=1, stage_id=3, stage_order=3, pipeline_id=1)
    earlier = replace(A, id=2, stage_id=2, stage_order=2, pipeline_id=1)
    other = replace(A, id=3, stage_id=7, stage_order=1, pipeline_id=2, status="lost")
    recs = {1: survivor, 2: earlier, 3: other}
    drops = merge_drops(Group("g-1", 1, (2, 3), "duplicate", 0.9, (), (), ()), recs, {})
    assert drops == ["stage 2 (deal 2)", "stage 7 (deal 3)", "pipeline 2 (deal 3)",
                     "status lost (deal 3)"]


def test_drops_name_stages_pipelines_and_money_as_people_read_them() -> None:
    """x19r2: drops said ``stage_id 3`` and ``value 31000.0``; with the account's names
    (``entities``, as review.html has them) a stage is named (its pipeline too when two
    pipelines have a stage of that name), a pipeline and an owner by name, the value as
    money in its currency; an id whose name is not known is named by its kind (x24r4 2)."""
    from jobs.dedupe.model import Group
    from jobs.dedupe.planfiles import merge_drops
    survivor = replace(A, id=1, stage_id=3, pipeline_id=1, value=0.0, currency="EUR")
    other = replace(A, id=2, stage_id=7, pipeline_id=2, value=31000.0, currency="EUR",
                    owner_id=5)
    third = replace(A, id=3, stage_id=9, pipeline_id=1, value=None)
    entities = {"stage": {3: "Qualified", 7: "Won", 8: "Won", 9: "Demo"},
                "pipeline": {1: "Sales", 2: "Renewals"}, "owner": {1: "Ann", 5: "Bob"}}
    group = Group("g-1", 1, (2, 3), "duplicate", 0.9, (), (), ())
    drops = merge_drops(group, {1: survivor, 2: other, 3: third}, {}, entities=entities)
    assert drops == ["value 31,000.00 EUR (deal 2)", "owner Bob (deal 2)",
                     "stage Won in pipeline Renewals (deal 2)", "stage Demo (deal 3)",
                     "pipeline Renewals (deal 2)"], drops
    bare = merge_drops(group, {1: survivor, 2: other, 3: third}, {})
    assert "stage 7 (deal 2)" in bare and "value 31,000.00 EUR (deal 2)" in bare


def test_the_reasons_name_every_rule_that_decided_in_true_words() -> None:
    """Open over lost by won_first says "open before lost", not "won before open"; in a group
    where won_first beat the open deal and another rule the second won deal, both are named."""
    lost = replace(A, id=2, status="lost")
    assert rank([A, lost], ("won_first",))[1] == ("won_first: open before lost",)
    won_old = replace(A, id=1, status="won", update_time=T)
    won_new = replace(A, id=2, status="won", update_time=T + timedelta(days=30))
    open_now = replace(A, id=3, status="open", update_time=T + timedelta(days=60))
    ordered, reasons = rank([won_old, won_new, open_now], ("won_first", "most_recently_updated"))
    assert [d.id for d in ordered] == [2, 1, 3]
    assert reasons == ("most_recently_updated: most recently updated",
                       "won_first: won before open")


def test_default_rules_keep_the_original_over_a_copy_typed_later() -> None:
    """x30r1 M1: of an original and an identical copy made seconds later (so updated later),
    the default rules keep the original (its id and add_time); the plan names an older deal
    merged away, whatever the rules chose."""
    from jobs.dedupe.config import DedupeConfig
    from jobs.dedupe.model import Group
    from jobs.dedupe.planfiles import merge_drops
    original = replace(A, id=301, update_time=T + timedelta(seconds=1))
    copy = replace(A, id=302, add_time=T + timedelta(seconds=3),
                   update_time=T + timedelta(seconds=3))
    ordered, why = rank([original, copy], DedupeConfig.default().survivor_rules)
    assert ordered[0].id == 301 and why == ("oldest: oldest",)
    recs = {301: original, 302: copy}
    assert merge_drops(Group("g-301", 301, (302,), "duplicate", 1.0, (), (), ()), recs, {}) == []
    newer_kept = merge_drops(Group("g-301", 302, (301,), "duplicate", 1.0, (), (), ()), recs, {})
    assert newer_kept == ["id and add time 2025-01-01 00:00:00 UTC of the older deal (deal 301)"]
    from jobs.dedupe.review import render_review
    page = render_review([Group("g-301", 302, (301,), "duplicate", 1.0, (), (), ())], recs)
    assert "the merge drops id and add time 2025-01-01 00:00:00 UTC of the older deal" in page


def test_a_policy_writes_a_whole_value_as_an_int() -> None:
    """f38k 5: a deal's value is read as a float, so a field policy (and the 0-value
    fill) wrote 3000.0, and an undo's conflict said "job's 3000.0": a whole number is
    written as Pipedrive shows it (3000), a fraction as it is."""
    import orjson

    from jobs.dedupe.model import Group
    from jobs.dedupe.planfiles import policy_changes

    recs = {1: replace(A, id=1, value=1000.0), 2: replace(A, id=2, value=3000.0),
            3: replace(A, id=3, value=0.0), 4: replace(A, id=4, value=99.5)}
    for survivor, merged, policy, want in ((1, 2, {"value": "max"}, b'{"value":3000}'),
                                           (3, 2, {}, b'{"value":3000}'),
                                           (1, 4, {"value": "min"}, b'{"value":99.5}')):
        changes = policy_changes(Group("g-1", survivor, (merged,), "duplicate", 0.9, (), (),
                                       ()), recs, policy)
        assert orjson.dumps(changes) == want, changes
