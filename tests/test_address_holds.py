"""An address a deal already holds is never written again (x28r2 F3): a write sends an
address as its text (``{"value": ...}``), and Pipedrive (a geocoder, or a person) adds its
locality, postal code, country and formatted address beside it. A re-import or an update
of the unchanged text compared the whole object, counted the field changed, and sent a
PATCH per deal — which in the sandbox left only the text, the other parts dropped. The
write diff (``deal_changes``) now asks whether the deal holds the parts the write sets
(``holds``); whether someone changed a field since a job wrote it still compares whole
(``same``: an undo keeps a colleague's postal code)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.account import load_catalog
from jobs.deals import deal_changes, holds, same
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import api_context
from tests.test_update import write_csv
from tests.update_support import deal, load_job, requests, run_job

GEOCODED = {"value": "Main St 31, Berlin", "locality": "Berlin", "country": "Germany",
            "postal_code": "10115", "formatted_address": "Main St 31, 10115 Berlin, Germany"}


@pytest.mark.parametrize(("stored", "wanted", "held"), [
    (GEOCODED, {"value": "Main St 31, Berlin"}, True),
    ({**GEOCODED, "value": "Main  St 31,  Berlin "}, {"value": "Main St 31, Berlin"},
     True),  # stored text read as a row's cleaning reads it
    (GEOCODED, {"value": "Main St 32, Berlin"}, False),
    (GEOCODED, "Main St 31, Berlin", True),
    (GEOCODED, None, False),  # a clear is a change
    (None, {"value": "Main St 31, Berlin"}, False),
    ("Main St 31, Berlin", {"value": "Main St 31, Berlin"}, True),
    ({"value": 500, "currency": "EUR"}, {"value": 500, "currency": "EUR"}, True),
    ({"value": 500, "currency": "EUR"}, {"value": 500, "currency": "USD"}, False),
    ({"value": 500, "currency": "EUR"}, {"value": None, "currency": "EUR"}, False),
    ({"value": "2027-01-01", "until": "2027-01-31"}, {"value": "2027-01-01",
                                                      "until": "2027-02-28"}, False),
])
def test_holds_compares_the_parts_a_write_sets(stored: Any, wanted: Any, held: bool) -> None:
    assert holds(stored, wanted) is held
    assert bool(deal_changes({"custom_fields": {"c": stored}},
                             {"custom_fields": {"c": wanted}})) is not held


def test_same_still_compares_the_whole_value() -> None:
    """Changed since a job wrote ``{"value": text}``: a part added is a change (f27d 1)."""
    assert not same(GEOCODED, {"value": "Main St 31, Berlin"})


@pytest.mark.anyio
async def test_an_update_of_the_address_a_deal_holds_writes_nothing(tmp_path: Path) -> None:
    """The tester's repro: deals whose address holds the row's text and the parts Pipedrive
    added; `pdbulk update` of the same text: before, 3 updateDeal calls and every part
    but the text gone; now 3 rows unchanged, no write, the parts kept. A changed text is
    still written."""
    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=7)) as sb:
        async with api_context(sb, tmp_path / "fields") as ctx:
            await ctx.call("addDealField", json={"field_name": "Site", "field_type": "address"})
        code = next(c for c, f in sb.state.fields.items() if f.get("field_name") == "Site")
        ids = sorted(d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"])[:4]
        for n, i in enumerate(ids):
            text = f"Main St {n}, Berlin"
            sb.state.save("deal", {**deal(sb, i), "custom_fields": {
                **(deal(sb, i).get("custom_fields") or {}),
                code: {**GEOCODED, "value": text, "formatted_address": f"{text}, Germany"}}})
        rows = [{"Deal": i, "Site": f"Main St {n}, Berlin"} for n, i in enumerate(ids)]
        rows[-1]["Site"] = "Other Rd 9, Berlin"  # the one real change
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text('version = 1\n[update]\nid_column = "Deal"\n'
                                           '[deal]\n[custom_fields]\n"Site" = "Site"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        store, prep = await load_job(sb, tmp_path / "jobs", "update", build)
        assert (prep.actions["update"], prep.actions["unchanged"]) == (1, 3), prep.actions
        before = requests(sb).get("updateDeal", 0)
        await run_job(sb, store)
        store.close()
        assert requests(sb).get("updateDeal", 0) - before == 1
        for i in ids[:-1]:
            site = deal(sb, i)["custom_fields"][code]
            assert site["locality"] == "Berlin" and site["postal_code"] == "10115", site
        assert deal(sb, ids[-1])["custom_fields"][code]["value"] == "Other Rd 9, Berlin"
