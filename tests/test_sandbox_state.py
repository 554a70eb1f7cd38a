"""The account model alone (no HTTP): deal rules, strict validation, merges, search lag."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulk.clock import FakeClock
from bulk.sandbox import SandboxConfig, contacts, deals, finders, merge
from bulk.sandbox.errors import ApiFailure
from bulk.sandbox.paging import PageQuery, keyset_page
from bulk.sandbox.state import Account


def account(**config: Any) -> Account:
    return Account(SandboxConfig(**config), FakeClock())


def codes(acct: Account) -> dict[str, str]:
    return {f["field_name"]: f["field_code"] for f in acct.custom_fields()}


def option(acct: Account, field: str, label: str) -> int:
    field_rec = acct.fields[codes(acct)[field]]
    return int(next(o["id"] for o in field_rec["options"] if o["label"] == label))


def fails(fn: Any, *args: Any) -> ApiFailure:
    with pytest.raises(ApiFailure) as info:
        fn(*args)
    return info.value


def test_only_title_is_required_and_the_deal_lands_in_the_default_first_stage() -> None:
    """POST with just a title: first stage of the first pipeline, open, owned by me."""
    acct = account()
    deal = deals.create(acct, {"title": "Just a title"})
    first = acct.first_stage(acct.default_pipeline()["id"])
    assert (deal["pipeline_id"], deal["stage_id"]) == (first["pipeline_id"], first["id"])
    assert deal["status"] == "open" and deal["owner_id"] == acct.me_id
    assert deal["add_time"] == deal["update_time"] == "2026-01-01T00:00:00Z"
    assert fails(deals.create, acct, {"value": 5}).error == "Validation failed: title: is required"


def test_stage_decides_the_pipeline_and_pipeline_alone_means_its_first_stage() -> None:
    acct = account()
    stage = next(s for s in acct.stages.values() if s["pipeline_id"] == 2 and s["order_nr"] == 3)
    by_stage = deals.create(acct, {"title": "a", "stage_id": stage["id"], "pipeline_id": 1})
    assert (by_stage["pipeline_id"], by_stage["stage_id"]) == (2, stage["id"])
    by_pipeline = deals.create(acct, {"title": "b", "pipeline_id": 2})
    assert by_pipeline["stage_id"] == acct.first_stage(2)["id"]
    moved = deals.update(acct, by_pipeline["id"], {"stage_id": acct.first_stage(1)["id"]})
    assert moved["pipeline_id"] == 1 and moved["stage_change_time"] is not None


@pytest.mark.parametrize(("body", "key"), [
    ({"title": "x", "nonsense": 1}, "nonsense"),
    ({"title": "x", "value": "100"}, "value"),
    ({"title": "x", "value": True}, "value"),
    ({"title": "x", "owner_id": "1"}, "owner_id"),
    ({"title": "x", "owner_id": 1.5}, "owner_id"),
    ({"title": "x", "is_archived": "true"}, "is_archived"),
    ({"title": "x", "visible_to": 2}, "visible_to"),
    ({"title": "x", "probability": 101}, "probability"),
    ({"title": "x", "expected_close_date": "01/02/2026"}, "expected_close_date"),
    ({"title": "x", "status": "deleted"}, "status"),
    ({"title": ""}, "title"),
    ({"title": "x", "custom_fields": {"f" * 40: "v"}}, "custom_fields." + "f" * 40),
])
def test_v2_refuses_what_it_does_not_know_and_coerces_nothing(body: dict[str, Any],
                                                             key: str) -> None:
    """400 ERR_SCHEMA_VALIDATION_FAILED naming the key: unknown keys, strings for numbers,
    numbers for booleans, out-of-range values."""
    failure = fails(deals.create, account(), body)
    assert failure.status == 400 and failure.code == "ERR_SCHEMA_VALIDATION_FAILED"
    assert failure.error.startswith(f"Validation failed: {key}: ")


def test_custom_field_keys_belong_inside_custom_fields() -> None:
    acct = account()
    code = codes(acct)["External ID"]
    failure = fails(deals.create, acct, {"title": "x", code: "abc"})
    assert failure.code == "ERR_SCHEMA_VALIDATION_FAILED" and code in failure.error
    assert "inside custom_fields" in failure.error


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("External ID", "ABC-1", True), ("External ID", 12, False),
    ("Discount", 12.5, True), ("Discount", "12.5", False),
    ("Contract value", {"value": 500, "currency": "EUR"}, True),
    ("Contract value", 500, False), ("Contract value", {"currency": "EUR"}, False),
    ("Contract value", {"value": 1, "currency": "EUR", "x": 1}, False),
    ("Lead source", "Website", False), ("Lead source", 999, False),
    ("Products of interest", [], False), ("Products of interest", "CRM", False),
    ("Renewal date", "2026-02-30", False), ("Renewal date", "2026-02-28", True),
])
def test_custom_values_are_checked_per_field_type(field: str, value: Any, ok: bool) -> None:
    acct = account()
    body = {"title": "x", "custom_fields": {codes(acct)[field]: value}}
    if ok:
        assert deals.create(acct, body)["custom_fields"][codes(acct)[field]] == value
    else:
        assert fails(deals.create, acct, body).code == "ERR_SCHEMA_VALIDATION_FAILED"


def test_options_are_ids_and_null_clears_a_value() -> None:
    acct = account()
    c = codes(acct)
    crm, support = option(acct, "Products of interest", "CRM"), option(
        acct, "Products of interest", "Support")
    deal = deals.create(acct, {"title": "x", "custom_fields": {
        c["Lead source"]: option(acct, "Lead source", "Referral"),
        c["Products of interest"]: [crm, support]}})
    shown = deals.render(acct, deal)["custom_fields"]
    assert shown[c["Products of interest"]] == [crm, support]
    assert shown[c["Discount"]] is None  # every custom field is present, null when empty
    cleared = deals.update(acct, deal["id"], {"custom_fields": {c["Lead source"]: None}})
    assert deals.render(acct, cleared)["custom_fields"][c["Lead source"]] is None


def test_status_changes_set_and_clear_the_close_times() -> None:
    acct = account()
    deal = deals.create(acct, {"title": "x"})
    failure = fails(deals.update, acct, deal["id"], {"lost_reason": "Price"})
    assert failure.status == 400 and "lost_reason" in failure.error
    acct.clock.advance(60)  # type: ignore[attr-defined]
    lost = deals.update(acct, deal["id"], {"status": "lost", "lost_reason": "Price"})
    assert lost["lost_time"] == lost["close_time"] == "2026-01-01T00:01:00Z"
    assert lost["won_time"] is None and lost["lost_reason"] == "Price"
    won = deals.update(acct, deal["id"], {"status": "won"})
    assert won["won_time"] == won["close_time"] and won["lost_time"] is None
    assert won["lost_reason"] is None
    reopened = deals.update(acct, deal["id"], {"status": "open"})
    assert reopened["won_time"] is reopened["close_time"] is None
    early_win = {"title": "y", "won_time": "2026-01-01T00:00:00Z"}  # won_time needs won
    assert fails(deals.create, acct, early_win).status == 400


@pytest.mark.parametrize("ref", ["stage_id", "pipeline_id", "person_id", "org_id", "owner_id"])
def test_unknown_referenced_ids_are_refused(ref: str) -> None:
    failure = fails(deals.create, account(), {"title": "x", ref: 9999})
    assert failure.status == 400 and ref in failure.error


def test_archived_deals_are_not_listed_and_not_editable_until_unarchived() -> None:
    acct = account()
    deal = deals.create(acct, {"title": "x"})
    deals.update(acct, deal["id"], {"is_archived": True})
    assert deals.list_deals(acct, {})[0] == []
    assert [d["id"] for d in deals.list_deals(acct, {}, archived=True)[0]] == [deal["id"]]
    assert fails(deals.update, acct, deal["id"], {"title": "y"}).status == 400
    back = deals.update(acct, deal["id"], {"is_archived": False, "title": "y"})
    assert back["title"] == "y" and back["archive_time"] is None


@pytest.mark.parametrize("lookup", ["visible", "not_found"])
def test_deleted_deals_are_listed_only_on_request_and_looked_up_per_config(lookup: str) -> None:
    acct = account(deleted_lookup=lookup)
    deal = deals.create(acct, {"title": "x"})
    assert deals.delete(acct, deal["id"]) == deal["id"]
    assert deals.list_deals(acct, {})[0] == []
    listed = deals.list_deals(acct, {"status": "deleted"})[0]
    assert [(d["id"], d["is_deleted"]) for d in listed] == [(deal["id"], True)]
    if lookup == "visible":
        assert deals.get(acct, deal["id"])["is_deleted"] is True
    else:
        assert fails(deals.get, acct, deal["id"]).status == 404
    assert fails(deals.update, acct, deal["id"], {"title": "y"}).status == 404
    assert fails(deals.delete, acct, deal["id"]).status == 404
    acct.clock.advance(31 * 86400)  # type: ignore[attr-defined]
    assert deals.list_deals(acct, {"status": "deleted"})[0] == []  # purged after 30 days


def test_the_open_deals_cap_answers_403_with_its_code() -> None:
    acct = account(open_deals_limit=2)
    deals.create(acct, {"title": "a"})
    deals.create(acct, {"title": "b"})
    deals.create(acct, {"title": "won", "status": "won"})  # closed deals do not count
    failure = fails(deals.create, acct, {"title": "c"})
    assert (failure.status, failure.code, failure.error) == (
        403, "feature_capping_deals_limit", "Open deals limit reached")


def test_merge_keeps_the_survivor_fills_its_gaps_and_deletes_the_other() -> None:
    acct = account()
    c = codes(acct)
    person = contacts.create_person(acct, {"name": "Pat"})
    other = deals.create(acct, {"title": "Other", "value": 900, "person_id": person["id"],
                                "expected_close_date": "2026-05-01",
                                "custom_fields": {c["External ID"]: "OTHER",
                                                  c["Discount"]: 7}})
    survivor = deals.create(acct, {"title": "Survivor", "value": 0,
                                   "custom_fields": {c["External ID"]: "KEEP"}})
    out = merge.merge(acct, "deal", other["id"], {"merge_with_id": survivor["id"]})
    assert out["id"] == survivor["id"] and out["merge_what_id"] == other["id"]
    kept = acct.deals.rows[survivor["id"]]
    assert kept["title"] == "Survivor" and kept["value"] == 0  # non-empty survivor values win
    assert kept["person_id"] == person["id"]  # empty survivor fields are filled
    assert kept["expected_close_date"] == "2026-05-01"
    assert kept["custom_fields"][c["External ID"]] == "KEEP"
    assert kept["custom_fields"][c["Discount"]] == 7
    assert acct.deals.rows[other["id"]]["is_deleted"] is True
    assert out[c["External ID"]] == "KEEP" and out["person_name"] == "Pat"  # v1 shape


def test_merge_refuses_itself_missing_and_deleted_deals() -> None:
    acct = account()
    a, b, gone = (deals.create(acct, {"title": t}) for t in "abc")
    deals.delete(acct, gone["id"])
    assert fails(merge.merge, acct, "deal", a["id"], {"merge_with_id": a["id"]}).status == 400
    assert fails(merge.merge, acct, "deal", a["id"], {"merge_with_id": 999}).status == 404
    assert fails(merge.merge, acct, "deal", 999, {"merge_with_id": a["id"]}).status == 404
    assert fails(merge.merge, acct, "deal", gone["id"], {"merge_with_id": a["id"]}).status == 400
    assert fails(merge.merge, acct, "deal", a["id"], {"merge_with_id": gone["id"]}).status == 400
    assert fails(merge.merge, acct, "deal", a["id"], {}).status == 400
    merge.merge(acct, "deal", a["id"], {"merge_with_id": b["id"]})
    again = fails(merge.merge, acct, "deal", a["id"], {"merge_with_id": b["id"]})
    assert again.status == 400  # a re-sent merge fails: the path deal is gone


def test_merging_persons_unites_contacts_and_moves_their_deals() -> None:
    acct = account()
    other = contacts.create_person(acct, {"name": "Dup", "emails": [
        {"value": "a@x.com"}, {"value": "B@x.com"}]})
    survivor = contacts.create_person(acct, {"name": "Keep", "emails": [{"value": "b@x.com"}]})
    deal = deals.create(acct, {"title": "x", "person_id": other["id"]})
    out = merge.merge(acct, "person", other["id"], {"merge_with_id": survivor["id"]})
    assert [e["value"] for e in out["email"]] == ["b@x.com", "a@x.com"]
    assert [e["primary"] for e in out["email"]] == [True, False]
    assert acct.deals.rows[deal["id"]]["person_id"] == survivor["id"]
    assert out["open_deals_count"] == 1 and out["merge_what_id"] == other["id"]


def test_merging_organizations_moves_deals_and_persons() -> None:
    acct = account()
    other = contacts.create_org(acct, {"name": "Dup Inc", "address": {"value": "1 Road"}})
    survivor = contacts.create_org(acct, {"name": "Keep Inc"})
    person = contacts.create_person(acct, {"name": "P", "org_id": other["id"]})
    deal = deals.create(acct, {"title": "x", "org_id": other["id"]})
    out = merge.merge(acct, "organization", other["id"], {"merge_with_id": survivor["id"]})
    assert out["address"] == "1 Road" and out["merge_what_id"] == other["id"]
    assert acct.persons.rows[person["id"]]["org_id"] == survivor["id"]
    assert acct.deals.rows[deal["id"]]["org_id"] == survivor["id"]
    assert acct.orgs.rows[other["id"]]["is_deleted"] is True


def test_search_sees_writes_only_after_the_lag() -> None:
    """With a lag, a new deal is missing and an updated one shows its old title for a while."""
    acct = account()
    clock: FakeClock = acct.clock  # type: ignore[assignment]
    deal = deals.create(acct, {"title": "Fresh Apples"})

    def titles(term: str) -> list[str]:
        items, _ = finders.search_deals(acct, {"term": term}, lag=5.0)
        return [i["item"]["title"] for i in items]

    assert titles("apples") == []
    clock.advance(5.0)
    assert titles("apples") == ["Fresh Apples"]
    deals.update(acct, deal["id"], {"title": "Ripe Pears"})
    assert titles("apples") == ["Fresh Apples"] and titles("pears") == []
    clock.advance(5.0)
    assert titles("apples") == [] and titles("pears") == ["Ripe Pears"]
    deals.delete(acct, deal["id"])
    clock.advance(5.0)
    assert titles("pears") == []


def test_search_terms_follow_pipedrive_rules() -> None:
    acct = account()
    deals.create(acct, {"title": "Ab"})
    assert fails(finders.search_deals, acct, {"term": "a"}, 0.0).status == 400
    assert finders.search_deals(acct, {"term": "a", "exact_match": "true"}, 0.0)[0] == []
    exact = finders.search_deals(acct, {"term": "AB", "exact_match": "true"}, 0.0)[0]
    assert [i["item"]["title"] for i in exact] == ["Ab"]


def test_a_seed_always_gives_the_same_account() -> None:
    one, two, other = account(deals=50, seed=7), account(deals=50, seed=7), account(seed=8)
    assert one.snapshot() == two.snapshot()
    assert codes(one) != codes(other)
    assert all(len(code) == 40 and int(code, 16) >= 0 for code in codes(one).values())
    assert len(one.users) == 3 and one.users[1]["is_admin"]
    assert all(4 <= sum(1 for s in one.stages.values() if s["pipeline_id"] == p) <= 6
               for p in one.pipelines)


def test_snapshots_restore_the_whole_account() -> None:
    acct = account(deals=20)
    deals.delete(acct, 3)
    copy = account()
    copy.restore(acct.snapshot())
    assert copy.snapshot() == acct.snapshot()
    assert copy.deals.next_id == 21
    assert finders.search_deals(copy, {"term": "corp"}, 0.0)[0]  # re-indexed


@settings(max_examples=60, deadline=None)
@given(ids=st.sets(st.integers(1, 400), max_size=120), limit=st.integers(1, 30),
       sort_by=st.sampled_from(["id", "update_time", "add_time"]), desc=st.booleans(),
       keep_mod=st.integers(1, 4))
def test_keyset_pages_serve_every_kept_row_once_in_order(
        ids: set[int], limit: int, sort_by: str, desc: bool, keep_mod: int) -> None:
    rows = {i: {"id": i, "update_time": f"2026-01-{i % 28 + 1:02d}T00:00:00Z",
                "add_time": f"2025-{i % 12 + 1:02d}-01T00:00:00Z"} for i in ids}
    ordered_ids = sorted(rows)

    def keep(row: dict[str, Any]) -> bool:
        return bool(row["id"] % keep_mod == 0)

    query = {"limit": str(limit), "sort_by": sort_by, "sort_direction": "desc" if desc else "asc"}
    served: list[int] = []
    while True:
        page, cursor = keyset_page(rows, ordered_ids, keep, PageQuery.parse(query))
        assert len(page) <= limit
        served += [r["id"] for r in page]
        if cursor is None:
            break
        query["cursor"] = cursor
    expected = sorted((r for r in rows.values() if keep(r)),
                      key=lambda r: (r[sort_by], r["id"]), reverse=desc)
    assert served == [r["id"] for r in expected]
