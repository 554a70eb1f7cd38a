"""The sandbox's answers validate against the reduced official specs (with documented errata)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import bulk.sandbox
from bulk.operations import OPERATIONS, get_operation
from bulk.sandbox import SandboxConfig
from tests.sandbox_helpers import Api, Reply, running
from tests.sandbox_spec_errata import ERRATA, corrected

if TYPE_CHECKING:
    from openapi_core import OpenAPI

SPEC_DIR = Path(bulk.sandbox.__file__).parent / "spec"


def _spec(version: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((SPEC_DIR / f"reduced-{version}.json").read_text(
        encoding="utf-8"))
    return spec


class SpecCheck:
    """Sends requests and validates every answer with openapi-core."""

    def __init__(self, api: Api) -> None:
        # openapi_core imported where it is used: ~0.35 CPU s every xdist worker paid at
        # collection, run or not (issue 8)
        from openapi_core import OpenAPI

        self.api = api
        self.specs: dict[str, OpenAPI] = {}
        for version, base in (("v1", "/v1"), ("v2", "/api/v2")):
            spec, _ = corrected(_spec(version), version)
            # Spec servers are https://api.pipedrive.com/{v1|api/v2}: point them at the sandbox.
            spec["servers"] = [{"url": api.sb.url + base}]
            self.specs[version] = OpenAPI.from_dict(spec)
        self.seen: set[str] = set()
        self.violations: list[str] = []

    async def call(self, op_id: str, path: str, body: Any = None, expect: int = 200,
                   headers: dict[str, str] | None = None, **params: Any) -> Reply:
        from openapi_core.testing import MockRequest, MockResponse

        op = get_operation(op_id)
        reply = await self.api.call(op.method, path, json=body, headers=headers, **params)
        assert reply.status == expect, (op_id, reply.status, reply.body)
        request = MockRequest(self.api.sb.url, op.method.lower(), path,
                              args={k: str(v) for k, v in params.items()},
                              headers=headers or self.api.headers,
                              data=None if body is None else json.dumps(body).encode())
        response = MockResponse(json.dumps(reply.body).encode(), status_code=reply.status,
                                headers=reply.headers, content_type="application/json")
        try:
            self.specs[op.version].validate_response(request, response)
        except Exception as exc:  # every kind of violation is collected, none hidden
            cause = exc.__cause__ or exc
            errors = getattr(cause, "schema_errors", None) or [cause]
            self.violations += [f"{op_id} {path}: {getattr(e, 'json_path', '')} "
                                f"{str(e).splitlines()[0]}" for e in errors]
        self.seen.add(op_id)
        return reply


@pytest.mark.anyio
async def test_every_operation_answers_as_the_official_spec_says() -> None:
    """Each of the engine's operations (all of OPERATIONS) gives 0 spec violations."""
    # Ultimate (120 requests / 2 s): every operation fits in one burst window
    async with running(SandboxConfig(plan="ultimate", deals=60, seed=3)) as (_, api):
        check = SpecCheck(api)
        c = check.call
        await c("getDeals", "/api/v2/deals", limit=100, status="open,won,lost")
        await c("getDeals", "/api/v2/deals", include_fields="first_won_time,products_count")
        fields = (await c("getDealFields", "/api/v2/dealFields")).data
        await c("getDealFields", "/api/v2/dealFields", include_fields="ui_visibility", limit=5)
        custom = {f["field_name"]: f["field_code"] for f in fields if f["is_custom_field"]}
        await c("getDealField", f"/api/v2/dealFields/{custom['Lead source']}")
        await c("getDealField", "/api/v2/dealFields/value",
                include_fields="ui_visibility,important_fields,required_fields")
        tier = (await c("addDealField", "/api/v2/dealFields", body={
            "field_name": "Tier", "field_type": "enum", "options": [{"label": "Gold"}]})).data
        await c("addDealFieldOptions", f"/api/v2/dealFields/{tier['field_code']}/options",
                body=[{"label": "Silver"}, {"label": "Bronze"}])
        spare = (await c("addDealField", "/api/v2/dealFields", body={
            "field_name": "Spare", "field_type": "varchar"})).data
        renamed = (await c("updateDealField", f"/api/v2/dealFields/{spare['field_code']}",
                           body={"field_name": "Spare renamed", "description": None})).data
        assert (renamed["field_name"], renamed["field_code"]) == ("Spare renamed",
                                                                  spare["field_code"])
        await c("deleteDealField", f"/api/v2/dealFields/{spare['field_code']}")
        person = (await c("addPerson", "/api/v2/persons", body={
            "name": "Spec Person", "emails": [{"value": "spec@example.com"}]})).data
        await c("updatePerson", f"/api/v2/persons/{person['id']}", body={"name": "Spec P"})
        org = (await c("addOrganization", "/api/v2/organizations",
                       body={"name": "Spec Org"})).data
        await c("updateOrganization", f"/api/v2/organizations/{org['id']}",
                body={"address": {"value": "1 Spec Street"}})
        deal = (await c("addDeal", "/api/v2/deals", body={
            "title": "Spec deal", "value": 10.5, "person_id": person["id"], "org_id": org["id"],
            "expected_close_date": "2026-03-01",
            "custom_fields": {custom["Discount"]: 5, custom["Contract value"]: {
                "value": 100, "currency": "EUR"}}})).data
        await c("addDeal", "/api/v2/deals", body={"title": "Bare", "status": "lost",
                                                   "lost_reason": "Price"})
        await c("updateDeal", f"/api/v2/deals/{deal['id']}", body={"status": "won"})
        await c("getDeal", f"/api/v2/deals/{deal['id']}")
        await c("updateDeal", "/api/v2/deals/2", body={"is_archived": True})
        await c("getArchivedDeals", "/api/v2/deals/archived")
        await c("searchDeals", "/api/v2/deals/search", term="Spec", include_fields="deal.cc_email")
        await c("searchDeals", "/api/v2/deals/search", term="Corp", limit=5)
        await c("deleteDeal", f"/api/v2/deals/{deal['id']}")
        await c("getDeals", "/api/v2/deals", status="deleted")
        await c("getPipelines", "/api/v2/pipelines")
        await c("getPipeline", "/api/v2/pipelines/1")
        await c("getStages", "/api/v2/stages", pipeline_id=2, sort_by="order_nr")
        await c("getStage", "/api/v2/stages/1")
        await c("getPersons", "/api/v2/persons", limit=50)
        await c("getPerson", f"/api/v2/persons/{person['id']}")
        await c("searchPersons", "/api/v2/persons/search", term="Spec",
                include_fields="person.picture")
        await c("searchPersons", "/api/v2/persons/search", term="an")
        await c("getOrganizations", "/api/v2/organizations")
        await c("getOrganization", "/api/v2/organizations/1")
        await c("searchOrganization", "/api/v2/organizations/search", term="Spec")
        await c("searchOrganization", "/api/v2/organizations/search", term="Corp")
        doomed = (await c("addPerson", "/api/v2/persons", body={"name": "Doomed"})).data
        await c("deletePerson", f"/api/v2/persons/{doomed['id']}")
        gone = (await c("addOrganization", "/api/v2/organizations", body={"name": "Gone"})).data
        await c("deleteOrganization", f"/api/v2/organizations/{gone['id']}")
        await c("mergeDeals", "/v1/deals/3/merge", body={"merge_with_id": 4})
        await c("mergeDeals", "/v1/deals/5/merge", body={"merge_with_id": 6})
        await c("mergePersons", "/v1/persons/1/merge", body={"merge_with_id": person["id"]})
        await c("mergeOrganizations", "/v1/organizations/1/merge",
                body={"merge_with_id": org["id"]})
        await c("getCurrentUser", "/v1/users/me")
        await c("getCurrentUser", "/v1/users/me", expect=401, headers={"x-api-token": "nope"})
        await c("getUsers", "/v1/users")
    assert check.seen == set(OPERATIONS)
    assert check.violations == []


def test_every_erratum_still_matches_the_spec() -> None:
    """An erratum that no longer matches a property of the spec is stale and must go."""
    for version in ("v1", "v2"):
        _, stale = corrected(_spec(version), version)
        assert stale == [], f"{version}: {stale}"
    assert all(e.reason for e in ERRATA)
