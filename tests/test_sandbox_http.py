"""The sandbox over HTTP: pagination, filters, validation, auth, merges, admin API, state file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bulk.clock import FakeClock
from bulk.sandbox import Faults, SandboxConfig, serve
from tests.sandbox_helpers import Api, running

pytestmark = pytest.mark.anyio


def custom_codes(api_fields: list[dict[str, Any]]) -> dict[str, str]:
    return {f["field_name"]: f["field_code"] for f in api_fields if f["is_custom_field"]}


async def test_1234_deals_come_in_three_pages_of_500_each_deal_once() -> None:
    async with running(SandboxConfig(deals=1234)) as (sb, api):
        items, pages = await api.all_pages("/api/v2/deals", limit=500)
        assert pages == 3
        ids = [d["id"] for d in items]
        assert ids == sorted(ids) and len(ids) == len(set(ids)) == 1234
        assert sb.stats()["tokens_by_operation"] == {"getDeals": 30}


async def test_pages_stay_exact_while_deals_are_created_and_deleted_meanwhile() -> None:
    async with running(SandboxConfig(deals=300)) as (_, api):
        first = await api.get("/api/v2/deals", limit=100)
        await api.delete("/api/v2/deals/50")  # already served
        await api.delete("/api/v2/deals/150")  # not yet served
        await api.post("/api/v2/deals", {"title": "late"})  # id 301, after the cursor
        rest, _ = await api.all_pages("/api/v2/deals", limit=100,
                                      cursor=first.body["additional_data"]["next_cursor"])
        ids = [d["id"] for d in first.data] + [d["id"] for d in rest]
        assert len(ids) == len(set(ids))
        assert set(ids) == (set(range(1, 302)) - {150})


async def test_limit_defaults_to_100_and_refuses_more_than_500() -> None:
    async with running(SandboxConfig(deals=150)) as (_, api):
        assert len((await api.get("/api/v2/deals")).data) == 100
        for bad in (501, 0, "ten"):
            reply = await api.get("/api/v2/deals", limit=bad)
            assert reply.status == 400 and "limit" in reply.body["error"]
        assert (await api.get("/api/v2/deals", cursor="not-a-cursor")).status == 400


async def test_list_filters_select_exactly_the_matching_deals() -> None:
    async with running(SandboxConfig(deals=400, seed=5)) as (sb, api):
        everything = list(sb.state.deals.rows.values())

        async def ids(**params: Any) -> list[int]:
            items, _ = await api.all_pages("/api/v2/deals", limit=500, **params)
            return [d["id"] for d in items]

        def expect(pred: Any) -> list[int]:
            return [d["id"] for d in everything if pred(d)]

        assert await ids(owner_id=2) == expect(lambda d: d["owner_id"] == 2)
        assert await ids(stage_id=3) == expect(lambda d: d["stage_id"] == 3)
        assert await ids(pipeline_id=2) == expect(lambda d: d["pipeline_id"] == 2)
        assert await ids(person_id=5) == expect(lambda d: d["person_id"] == 5)
        assert await ids(org_id=4) == expect(lambda d: d["org_id"] == 4)
        assert await ids(status="won,lost") == expect(lambda d: d["status"] != "open")
        assert await ids(ids="3,1,2,99999") == [1, 2, 3]
        cut = sorted(d["update_time"] for d in everything)[200]
        assert await ids(updated_since=cut) == expect(lambda d: d["update_time"] >= cut)
        assert await ids(updated_until=cut) == expect(lambda d: d["update_time"] < cut)
        newest = await ids(sort_by="update_time", sort_direction="desc")
        assert newest == [d["id"] for d in sorted(
            everything, key=lambda d: (d["update_time"], d["id"]), reverse=True)]
        many = ",".join(str(i) for i in range(1, 102))
        assert (await api.get("/api/v2/deals", ids=many)).status == 400
        assert (await api.get("/api/v2/deals", status="closed")).status == 400
        assert (await api.get("/api/v2/deals", updated_since="yesterday")).status == 400


async def test_custom_fields_and_include_fields_shape_the_list() -> None:
    async with running(SandboxConfig(deals=5)) as (_, api):
        codes = custom_codes((await api.get("/api/v2/dealFields")).data)
        reply = await api.get("/api/v2/deals", custom_fields=codes["External ID"],
                              include_fields="products_count,smart_bcc_email")
        deal = reply.data[0]
        assert deal["custom_fields"] == {codes["External ID"]: "SEED-000001"}
        assert deal["products_count"] == 0 and deal["smart_bcc_email"].endswith("mail.com")
        too_many = ",".join([codes["External ID"]] * 16)
        assert (await api.get("/api/v2/deals", custom_fields=too_many)).status == 400


@pytest.mark.parametrize(("body", "key"), [
    ({"title": "x", "colour": "red"}, "colour"),
    ({"title": "x", "value": "100"}, "value"),
    ({"title": "x", "lost_reason": "Price"}, "lost_reason"),
])
async def test_bad_deal_bodies_get_pipedrives_400(body: dict[str, Any], key: str) -> None:
    async with running() as (sb, api):
        reply = await api.post("/api/v2/deals", body)
        assert reply.status == 400 and reply.body["success"] is False
        assert reply.body["error"].startswith(f"Validation failed: {key}: ") or \
            reply.body["error"].startswith(f"{key}: ")
        assert reply.body["errorCode"] == 400 and "error_info" in reply.body
        assert sb.state.deals.rows == {}
        assert sb.stats()["tokens_spent"] == 5  # a refused write still costs its tokens


async def test_custom_fields_are_validated_inside_custom_fields_over_http() -> None:
    async with running() as (_, api):
        codes = custom_codes((await api.get("/api/v2/dealFields")).data)
        top = await api.post("/api/v2/deals", {"title": "x", codes["External ID"]: "A"})
        assert top.status == 400 and top.body["code"] == "ERR_SCHEMA_VALIDATION_FAILED"
        empty_set = await api.post("/api/v2/deals", {
            "title": "x", "custom_fields": {codes["Products of interest"]: []}})
        assert empty_set.status == 400
        assert f"custom_fields.{codes['Products of interest']}" in empty_set.body["error"]
        broken = await api.call("POST", "/api/v2/deals", headers={
            "x-api-token": api.sb.token, "content-type": "application/json"}, json="{")
        assert broken.status == 400


async def test_new_fields_and_options_are_usable_at_once() -> None:
    async with running() as (_, api):
        field = (await api.post("/api/v2/dealFields", {
            "field_name": "Tier", "field_type": "set",
            "options": [{"label": "Gold"}, {"label": "Silver"}]})).data
        assert len(field["field_code"]) == 40 and field["is_custom_field"] is True
        added = await api.post(f"/api/v2/dealFields/{field['field_code']}/options",
                               [{"label": "Bronze"}])
        bronze = added.data[0]["id"]
        deal = await api.post("/api/v2/deals", {"title": "x", "custom_fields": {
            field["field_code"]: [bronze]}})
        assert deal.data["custom_fields"][field["field_code"]] == [bronze]
        again = await api.post(f"/api/v2/dealFields/{field['field_code']}/options",
                               [{"label": "gold"}])
        assert again.status == 400
        assert (await api.get("/api/v2/dealFields/" + "0" * 40)).status == 404
        assert (await api.post("/api/v2/dealFields", {"field_name": "X",
                                                      "field_type": "blob"})).status == 400


async def test_merge_over_http_answers_the_survivor_and_refuses_a_second_time() -> None:
    async with running(SandboxConfig(deals=10)) as (_, api):
        for prefix in ("/v1", "/api/v1"):
            other, survivor = (3, 4) if prefix == "/v1" else (5, 6)
            reply = await api.put(f"{prefix}/deals/{other}/merge", {"merge_with_id": survivor})
            assert reply.status == 200
            assert (reply.data["id"], reply.data["merge_what_id"]) == (survivor, other)
            gone = await api.get(f"/api/v2/deals/{other}")
            assert gone.data["is_deleted"] is True
        self_merge = await api.put("/v1/deals/7/merge", {"merge_with_id": 7})
        assert self_merge.status == 400 and self_merge.body["success"] is False
        assert (await api.put("/v1/deals/3/merge", {"merge_with_id": 4})).status == 400
        assert (await api.put("/v1/deals/999/merge", {"merge_with_id": 4})).status == 404


async def test_persons_and_organizations_round_trip() -> None:
    async with running() as (_, api):
        org = (await api.post("/api/v2/organizations", {
            "name": "Fjord Fisheries", "address": {"value": "Strandgade 1, Copenhagen"}})).data
        person = (await api.post("/api/v2/persons", {
            "name": "Ida Holm", "org_id": org["id"],
            "emails": [{"value": "ida@fjord.example", "label": "work"}],
            "phones": [{"value": "+45 1234 5678"}]})).data
        assert (person["first_name"], person["last_name"]) == ("Ida", "Holm")
        assert person["emails"][0]["primary"] is True
        patched = await api.patch(f"/api/v2/persons/{person['id']}", {"org_id": None})
        assert patched.data["org_id"] is None
        by_email = await api.get("/api/v2/persons/search", term="ida@fjord", fields="email")
        assert [i["item"]["id"] for i in by_email.data["items"]] == [person["id"]]
        by_address = await api.get("/api/v2/organizations/search", term="Copenhagen")
        assert by_address.data["items"][0]["item"]["address"] == "Strandgade 1, Copenhagen"
        assert (await api.post("/api/v2/persons", {"emails": []})).status == 400  # name needed
        assert (await api.post("/api/v2/organizations", {"name": "x", "title": "y"})).status \
            == 400
        listed, _ = await api.all_pages("/api/v2/persons", org_id=org["id"])
        assert listed == []


async def test_users_me_and_users_speak_v1() -> None:
    async with running(SandboxConfig(users=4)) as (_, api):
        me = (await api.get("/v1/users/me")).data
        assert me["is_you"] and me["company_domain"] == "sandbox" and me["is_admin"] == 1
        users = await api.get("/api/v1/users")
        assert len(users.data) == 4 and sum(u["is_you"] for u in users.data) == 1
        assert users.body["additional_data"]["pagination"]["more_items_in_collection"] is False


async def test_missing_or_wrong_credentials_get_401_and_cost_nothing() -> None:
    config = SandboxConfig(oauth_token="oauth-secret")
    async with running(config) as (sb, api):
        cases = [{}, {"x-api-token": "wrong"}, {"authorization": "Bearer sandbox-token"},
                 {"authorization": "Basic abc"}]
        for headers in cases:
            reply = await api.call("GET", "/api/v2/deals", headers=headers)
            assert reply.status == 401
            assert reply.body == {"success": False, "error": "unauthorized access",
                                  "errorCode": 401, "error_info": reply.body["error_info"],
                                  "data": None, "additional_data": None}
            assert "x-ratelimit-limit" not in reply.headers
        legacy = await api.call("GET", "/api/v2/deals", headers={}, api_token=sb.token)
        assert legacy.status == 200
        oauth = await api.call("GET", "/api/v2/deals",
                               headers={"authorization": "Bearer oauth-secret"})
        assert oauth.status == 200 and oauth.headers["x-ratelimit-limit"] == "160"
        assert sb.stats()["tokens_spent"] == 20


async def test_unknown_paths_get_pipedrives_404() -> None:
    async with running() as (_, api):
        reply = await api.get("/api/v2/unicorns")
        assert reply.status == 404 and reply.body["success"] is False
        assert (await api.get("/api/v2/deals/abc")).status == 400
        assert (await api.get("/api/v2/deals/424242")).status == 404


async def test_admin_api_shows_everything_and_resets_to_the_seed() -> None:
    async with running(SandboxConfig(deals=3)) as (sb, api):
        await api.delete("/api/v2/deals/1")
        async with aiohttp.ClientSession() as raw:  # no token: admin needs none
            async def admin(method: str, path: str, json: Any = None) -> Any:
                async with raw.request(method, sb.url + "/_sandbox/" + path, json=json) as r:
                    assert r.status == 200, await r.text()
                    return await r.json()

            deals = (await admin("GET", "deals"))["data"]
            assert [(d["id"], d["is_deleted"]) for d in deals] == [
                (1, True), (2, False), (3, False)]
            loaded = await admin("POST", "load", {"deals": [
                {"title": "Loaded", "add_time": "2020-01-01T00:00:00Z"}],
                "persons": [{"id": 500, "name": "Loaded Person"}]})
            assert loaded["ids"] == {"deals": [4], "persons": [500], "organizations": []}
            assert (await api.get("/api/v2/persons/500")).data["name"] == "Loaded Person"
            found = await api.get("/api/v2/deals/search", term="loaded")
            assert [i["item"]["id"] for i in found.data["items"]] == [4]
            stats = await admin("GET", "stats")
            assert set(stats) == {"requests_by_operation", "tokens_spent", "tokens_by_operation",
                                  "rate_limited", "faults_injected", "writes_applied", "requests_cut",
                                  "budget"}
            assert stats["writes_applied"] == {"deleteDeal": 1}
            assert set(stats["budget"]) == {"limit", "remaining", "resets_at"}
            faults = await admin("POST", "faults", {"error_rate": 0.5,
                                                    "only_operations": ["addDeal"]})
            assert faults["only_operations"] == ["addDeal"] and sb.runtime.faults.error_rate == 0.5
            async with raw.post(sb.url + "/_sandbox/faults", json={"error_rat": 1}) as r:
                assert r.status == 400
            await admin("POST", "reset")
            assert [d["is_deleted"] for d in (await admin("GET", "deals"))["data"]] == [
                False] * 3
            assert (await admin("GET", "stats"))["tokens_spent"] == 0


async def test_a_partial_faults_post_merges_into_the_set_and_replace_sets_it_whole() -> None:
    """``POST /_sandbox/faults`` changes only the keys it gives (x44r3 F5: an error rate
    set latency 150 → 0); ``?replace=1`` sets the whole set; a bad key changes nothing."""
    config = SandboxConfig(deals=1, faults=Faults(latency_ms=150, latency_jitter_ms=20))
    async with serve(config) as sb, aiohttp.ClientSession() as raw:
        async def post(path: str, body: Any, status: int = 200) -> Any:
            async with raw.post(sb.url + "/_sandbox/" + path, json=body) as r:
                assert r.status == status, await r.text()
                return await r.json()

        now = await post("faults", {"error_rate": 0.02})
        assert (now["latency_ms"], now["latency_jitter_ms"], now["error_rate"]) == (150, 20, 0.02)
        await post("faults", {"latency_ms": 5, "error_rate": 2}, status=400)
        assert sb.runtime.faults == Faults(latency_ms=150, latency_jitter_ms=20, error_rate=0.02)
        now = await post("faults?replace=1", {"drop_rate": 0.1})
        assert now == Faults(drop_rate=0.1).to_json()
        assert await post("faults?replace=1", {}) == Faults().to_json()


async def test_the_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    config = SandboxConfig(state_file=state, daily_tokens=1000, clock=FakeClock())
    async with running(config) as (_, api):
        await api.post("/api/v2/deals", {"title": "Persisted"})
    assert state.exists()
    async with serve(config) as sb:
        assert [d["title"] for d in sb.state.deals.rows.values()] == ["Persisted"]
        assert sb.stats()["budget"]["remaining"] == 995  # today's spend survives too
        async with aiohttp.ClientSession() as session:
            api = Api(sb, session)
            assert (await api.get("/api/v2/deals/1")).data["title"] == "Persisted"
