"""The generated operation table: up to date with the official specs, and consistent."""

from pathlib import Path

import pytest

from bulk.operations import OPERATIONS, get_operation

SPECS = Path(__file__).resolve().parents[2] / "shared" / "pipedrive"


@pytest.mark.skipif(not (SPECS / "openapi-v2.yaml").exists(), reason="official specs not beside the repo")
def test_generated_files_are_up_to_date() -> None:
    """Regenerating from ../shared/pipedrive changes nothing."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, str(root / "scripts" / "gen_operations.py"), str(SPECS),
                           "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_token_costs_match_the_facts() -> None:
    """The costs FACTS.md lists come out of the table (read from the specs)."""
    expected = {"getDeals": 10, "getDeal": 1, "addDeal": 5, "updateDeal": 5, "deleteDeal": 3,
                "searchDeals": 20, "mergeDeals": 40, "getDealFields": 10, "getPipelines": 5,
                "getStages": 5, "addPerson": 5, "getCurrentUser": 2, "getUsers": 20}
    assert {k: OPERATIONS[k].token_cost for k in expected} == expected


def test_versions_paths_and_flags() -> None:
    """Merge is v1 and not idempotent; searches are flagged; paths render per version."""
    merge = get_operation("mergeDeals")
    assert (merge.version, merge.method, merge.idempotent) == ("v1", "PUT", False)
    assert merge.render_path({"id": 7}) == "/v1/deals/7/merge"
    assert get_operation("updateDeal").render_path({"id": 3}) == "/api/v2/deals/3"
    assert {o.id for o in OPERATIONS.values() if o.search} == {
        "searchDeals", "searchPersons", "searchOrganization"}
    assert not get_operation("addDeal").idempotent and get_operation("updateDeal").idempotent
    with pytest.raises(ValueError):
        get_operation("nope")
    with pytest.raises(ValueError):
        get_operation("getDeal").render_path({})
