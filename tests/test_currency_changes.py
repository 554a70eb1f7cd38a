"""A change of a deal's currency alone, its amount the same (fresh tester x9r1, finding 1):
the load decided a PATCH of ``{"currency": "USD"}``, and the run's re-check, the resume and
the in-flight verdicts read that PATCH body as a row without an amount (whose currency
never re-denominates a deal), took it for "unchanged" and never sent it: the deal kept
EUR, exit 0. Also `pdbulk update` with a currency column and no amount, always
"unchanged"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.account import load_catalog
from jobs.deals import deal_changes, in_flight, same
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import import_once, read_csv, sandbox_deals
from tests.update_support import deal, load_job, run_job

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
IMPORT_MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
value = "amount"
currency = "currency"
"""

HEAD = "id,title,amount,currency\n"


async def _upsert_twice(tmp_path: Path, mapping: str, first: str, second: str
                        ) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[Any, Any]]]:
    """Import ``first`` (CSV rows under ``HEAD``) into a fresh sandbox, then ``second`` over
    it, both under ``mapping``: (the second run's action by key, its failed reasons by key,
    the account's deals as title -> (value, currency))."""
    manifest, mapping_file = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping_file.write_text(mapping)
    manifest.write_text(HEAD + first)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping_file,
                                        job_id="v1")
        store.close()
        manifest.write_text(HEAD + second)
        store, result, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping_file,
                                             job_id="v2")
        try:
            assert not result.stopped, result.error
            done = {r["key"]: r["action"] for r in read_csv(store.directory / "succeeded.csv")}
            failed = {r["key"]: r["reason"] for r in read_csv(store.directory / "failed.csv")}
        finally:
            store.close()
        return done, failed, {d["title"]: (d["value"], d["currency"]) for d in sandbox_deals(sb)}


async def test_an_upsert_of_a_currency_alone_is_sent(tmp_path: Path) -> None:
    done, _, deals = await _upsert_twice(
        tmp_path, IMPORT_MAPPING, "C1,Cur A,4500,EUR\nC2,Cur B,100,EUR\nC3,Cur C,200,GBP\n",
        "C1,Cur A,4500,USD\nC2,Cur B,150,USD\nC3,Cur C,200,GBP\n")
    assert done == {"C1": "updated", "C2": "updated", "C3": "unchanged"}, done
    assert deals == {"Cur A": (4500, "USD"), "Cur B": (150, "USD"), "Cur C": (200, "GBP")}


async def _update(sb: Any, tmp_path: Path, rows: str, mapping: str) -> tuple[dict[str, int], int]:
    """`pdbulk update` by deal id of ``rows`` (CSV text) under ``mapping`` (its sections after
    ``[update]``), loaded and run: (the load's actions, the rows done)."""
    manifest = tmp_path / "rows.csv"
    manifest.write_text(rows)
    (tmp_path / "map.toml").write_text('version = 1\n[update]\nid_column = "Deal"\n' + mapping)
    umap = UpdateMapping.load(tmp_path / "map.toml")

    async def build(s: Any) -> Any:
        return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
    store, prep = await load_job(sb, tmp_path, "update", build)
    try:
        result = await run_job(sb, store)
    finally:
        store.close()
    return dict(prep.actions), result.counts[ItemState.DONE]


def test_a_patch_of_the_currency_alone_is_a_change_until_the_deal_holds_it() -> None:
    changes = {"currency": "USD"}
    image = {"update_time": "2026-01-01T00:00:00Z", "fields": {"currency": "EUR"},
             "custom_fields": {}}
    before = {"id": 1, "value": 4500, "currency": "EUR", "update_time": image["update_time"]}
    after = {**before, "currency": "USD", "update_time": "2026-01-02T00:00:00Z"}
    assert deal_changes(before, changes, currency_alone=True) == changes
    assert deal_changes(after, changes, currency_alone=True) == {}
    assert in_flight(before, image, changes) == ("unsent", "")
    assert in_flight(after, image, changes) == ("applied", "")
    # a row's body without an amount still never re-denominates (its currency may be only
    # the mapping's default)
    assert deal_changes(before, {"title": "x", "currency": "USD"}) == {"title": "x"}


@pytest.mark.parametrize(("mapping", "cell", "wanted"), [
    ('[deal]\ncurrency = "Currency"\n', "USD", "USD"),
    # the row names none: a default alone never re-denominates the amount
    ('[defaults]\ncurrency = "USD"\n[deal]\ncurrency = "Currency"\n', "", "EUR"),
    ('[defaults]\ncurrency = "USD"\n[deal]\ntitle = "Title"\n', "", "EUR"),
])
async def test_an_update_of_the_currency_alone(tmp_path: Path, mapping: str, cell: str,
                                               wanted: str) -> None:
    async with serve(SandboxConfig(deals=3, **FAST)) as sb:
        for deal_id in (1, 2):
            sb.state.deals.rows[deal_id].update(currency="EUR", value=4500)
        title = deal(sb, 1)["title"]
        actions, done = await _update(sb, tmp_path, f"Deal,Currency,Title\n1,{cell},{title}\n",
                                      mapping)
        assert (deal(sb, 1)["value"], deal(sb, 1)["currency"]) == (4500, wanted)
        assert done == (wanted == "USD"), actions
        assert deal(sb, 2)["currency"] == "EUR"  # not in the file


async def test_an_updated_row_says_how_its_person_and_org_were_matched(tmp_path: Path) -> None:
    """x9r1: succeeded.csv's person_matched_by / org_matched_by were empty on updated rows
    whose links stayed, and filled on unchanged ones."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(IMPORT_MAPPING + '[person]\nname = "person"\nemail = "email"\n'
                       '[organization]\nname = "org"\n')
    head = "id,title,amount,currency,person,email,org\n"
    manifest.write_text(head + "C1,Cur A,10,EUR,Ann One,ann@x.example,Org One\n"
                        "C2,Cur B,20,EUR,Bob Two,bob@x.example,Org Two\n")
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="v1")
        first.close()
        manifest.write_text(head + "C1,Renamed,10,EUR,Ann One,ann@x.example,Org One\n"
                            "C2,Cur B,20,EUR,Bob Two,bob@x.example,Org Two\n")
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="v2")
        try:
            rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        finally:
            store.close()
    assert rows["C1"]["action"] == "updated" and rows["C2"]["action"] == "unchanged"
    for key in ("C1", "C2"):
        assert (rows[key]["person_matched_by"], rows[key]["org_matched_by"]) == (
            "email", "name"), rows[key]


@pytest.mark.parametrize(("stored", "row", "equal"), [
    ("Deal  K14", "Deal K14", True), ("Deal K15 ", "Deal K15", True),
    (" Deal\u00a0K16", "Deal K16", True), ("Deal K17", "Deal K18", False),
    ("Line one\r\nline two \n", "Line one\nline two", True),
    ("Line one\nline  two", "Line one\nline two", False),  # x18r2 1: a long text's layout
    ("Items:\n- one", "Items:\n    - one", False), ("Items:\n    - one", "Items:\n- one", False),
    ("a b", "a\tb", False), ("a\tb ", "a\tb", True), ("Col A Col B", "Col A    Col B", False),
    ("Line one\nline two", "Line one line two", False),  # a long text's line break counts
    ("+1 555 010 0123", "+15550100123", True), ("+1-555-010-0123", "+15550100123", True),
    ("+1 (555) 010-0123 ext. 7", "+15550100123 ext. 7", True),
    ("+1 555 010 0124", "+15550100123", False),
    ("12-345", "12345", False),  # national digits: maybe an identifier, never taken as a phone
    ("not a phone", "+15550100123", False), ("+15550100123", "+1 555 010 0123", False),
])
def test_stored_text_is_compared_as_the_rows_was_cleaned(stored: str, row: str,
                                                         equal: bool) -> None:
    """x9r2: a deal holding the row's very text in a form the row's cleaning rewrites
    (two spaces, a trailing space, a formatted phone number) was "updated" and
    rewritten. ``row`` is what a row sends (cleaned); ``stored`` what the deal holds."""
    assert same(stored, row) is equal
    assert (deal_changes({"title": stored}, {"title": row}) == {}) is equal
    assert same({"value": stored}, {"value": row}) is equal  # an address field's shape


async def test_an_upsert_of_a_title_the_deal_holds_with_two_spaces_sends_nothing(
        tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(IMPORT_MAPPING)
    manifest.write_text("id,title,amount,currency\nK14,Deal K14,10,EUR\n")
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="v1")
        first.close()
        (stored,) = sb.state.deals.rows.values()
        stored["title"] = "Deal  K14"  # as someone typed it in Pipedrive
        manifest.write_text('id,title,amount,currency\nK14,"Deal  K14",10,EUR\n')
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="v2")
        try:
            [row] = read_csv(store.directory / "succeeded.csv")
        finally:
            store.close()
        assert row["action"] == "unchanged", row
        assert stored["title"] == "Deal  K14"


DEFAULTED_MAPPING = IMPORT_MAPPING.replace("[deal]", '[defaults]\ncurrency = "USD"\n[deal]')


async def test_a_blank_currency_leaves_an_existing_deals_own(tmp_path: Path) -> None:
    """x9r3: with defaults.currency = USD, an upsert row whose currency cell is blank
    re-denominated a GBP deal (GBP 1,234,567.89 became USD 1,234,567.89). A blank currency
    now leaves the deal's own; an amount that would change it fails the row (which
    currency it is in is not said); a new deal, or one in the default, takes the default."""
    done, failed, deals = await _upsert_twice(
        tmp_path, DEFAULTED_MAPPING,
        "G1,Same amount,1234567.89,GBP\nG2,New amount,10,EUR\nG3,In the default,5,USD\n",
        "G1,Same amount,1234567.89,\nG2,New amount,11,\nG3,In the default,6,\nG4,New deal,7,\n")
    assert done == {"G1": "unchanged", "G3": "updated", "G4": "created"}, (done, failed)
    assert list(failed) == ["G2"] and "names no currency" in failed["G2"], failed
    assert deals == {"Same amount": (1234567.89, "GBP"), "New amount": (10, "EUR"),
                     "In the default": (6, "USD"), "New deal": (7, "USD")}, deals


@pytest.mark.parametrize(("amount", "outcome"), [("4500", "unchanged"), ("4600", "failed")])
async def test_an_update_with_a_blank_currency_leaves_the_deals_own(
        tmp_path: Path, amount: str, outcome: str) -> None:
    async with serve(SandboxConfig(deals=2, **FAST)) as sb:
        sb.state.deals.rows[1].update(currency="EUR", value=4500)
        actions, _ = await _update(sb, tmp_path, f"Deal,Amount,Currency\n1,{amount},\n",
                                   '[defaults]\ncurrency = "USD"\n'
                                   '[deal]\nvalue = "Amount"\ncurrency = "Currency"\n')
        assert actions.get(outcome) == 1, actions
        assert (deal(sb, 1)["value"], deal(sb, 1)["currency"]) == (4500, "EUR")


async def test_a_named_currency_beside_a_blank_amount_and_a_dollar_on_a_dollar_deal(
        tmp_path: Path) -> None:
    """x9r4 F1: "NOK" beside a blank amount was "unchanged" (the docs: the currency cell is
    read for a row whose amount is blank too). F2: "$150" with no currency cell moved an
    AUD deal to the default USD; a "$" amount on a deal in one of the dollars is in it."""
    done, failed, deals = await _upsert_twice(
        tmp_path, DEFAULTED_MAPPING,
        "S1,Kronor,100,SEK\nA1,Aussie,100,AUD\nC1,Canuck,400,CAD\nE1,Euro,50,EUR\n",
        "S1,Kronor,,NOK\nA1,Aussie,$150,\nC1,Canuck,$400,\nE1,Euro,$50,\n")
    assert done == {"S1": "updated", "A1": "updated", "C1": "unchanged"}, done
    assert "ambiguous currency" in failed["E1"] and "in EUR" in failed["E1"], failed
    # "$" on a EUR deal: none of its dollars, the row fails (x20r4: it became USD with no
    # word; only a code re-denominates a deal)
    assert deals == {"Kronor": (100, "NOK"), "Aussie": (150, "AUD"), "Canuck": (400, "CAD"),
                     "Euro": (50, "EUR")}, deals


async def test_an_update_of_a_named_currency_beside_a_blank_amount(tmp_path: Path) -> None:
    async with serve(SandboxConfig(deals=2, **FAST)) as sb:
        sb.state.deals.rows[1].update(currency="SEK", value=400)
        actions, _ = await _update(sb, tmp_path, "Deal,Amount,Currency\n1,,ISK\n",
                                   '[deal]\nvalue = "Amount"\ncurrency = "Currency"\n')
        assert actions.get("update") == 1, actions
        assert (deal(sb, 1)["value"], deal(sb, 1)["currency"]) == (400, "ISK")


CONTRACT_MAPPING = DEFAULTED_MAPPING + (
    '[custom_fields]\n"Contract value" = { column = "contract", '
    'currency_column = "contract_currency" }\n')
CONTRACT_HEAD = "id,title,amount,currency,contract,contract_currency\n"


async def test_a_monetary_custom_field_keeps_its_currency_as_the_deals_amount_does(
        tmp_path: Path) -> None:
    """x9r4 F4: the deal's own amount kept its currency under a blank currency cell, but a
    monetary custom field was still re-denominated by ``defaults.currency`` (GBP 900
    became USD 900). Its currency now follows the amount's rules: a blank currency leaves
    the field's own, a changed amount in it fails the row, "$" keeps a dollar field's, a
    currency the row names is set, a new deal takes the default."""
    first = ("K1,Same,1,EUR,900,GBP\nK2,Changed,1,EUR,900,GBP\nK3,Dollar,1,EUR,400,CAD\n"
             "K4,Named,1,EUR,50,GBP\nK5,Default,1,EUR,70,USD\n")
    second = ("K1,Same,1,EUR,900,\nK2,Changed,1,EUR,950,\nK3,Dollar,1,EUR,$450,\n"
              "K4,Named,1,EUR,50,NOK\nK5,Default,1,EUR,75,\nK6,New,1,EUR,5,\n")
    manifest, mapping_file = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping_file.write_text(CONTRACT_MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "Contract value")
        results = []
        for job_id, rows in (("v1", first), ("v2", second)):
            manifest.write_text(CONTRACT_HEAD + rows)
            store, result, _ = await import_once(sb, tmp_path / "jobs", manifest,
                                                 mapping_file, job_id=job_id)
            try:
                assert not result.stopped, result.error
                results.append(({r["key"]: r["action"] for r in
                                 read_csv(store.directory / "succeeded.csv")},
                                {r["key"]: (r["reason"], r["column"]) for r in
                                 read_csv(store.directory / "failed.csv")}))
            finally:
                store.close()
        contract = {d["title"]: (d["custom_fields"][code]["value"],
                                 d["custom_fields"][code]["currency"])
                    for d in sandbox_deals(sb)}
    done, failed = results[1]
    assert done == {"K1": "unchanged", "K3": "updated", "K4": "updated", "K5": "updated",
                    "K6": "created"}, (done, failed)
    assert list(failed) == ["K2"] and "names no currency" in failed["K2"][0], failed
    assert failed["K2"][1] == "contract", failed
    assert contract == {"Same": (900, "GBP"), "Changed": (900, "GBP"),
                        "Dollar": (450, "CAD"), "Named": (50, "NOK"),
                        "Default": (75, "USD"), "New": (5, "USD")}, contract


@pytest.mark.parametrize(("cell", "outcome", "stored"), [
    ("900", "unchanged", (900, "GBP")), ("950", "failed", (900, "GBP")),
    ("950 GBP", "update", (950, "GBP"))])
async def test_an_update_of_a_monetary_custom_field_with_a_blank_currency(
        tmp_path: Path, cell: str, outcome: str, stored: tuple[int, str]) -> None:
    async with serve(SandboxConfig(deals=2, **FAST)) as sb:
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "Contract value")
        sb.state.deals.rows[1]["custom_fields"] = {
            **(sb.state.deals.rows[1].get("custom_fields") or {}),
            code: {"value": 900, "currency": "GBP"}}
        actions, _ = await _update(sb, tmp_path, f"Deal,Contract\n1,{cell}\n",
                                   '[defaults]\ncurrency = "USD"\n[custom_fields]\n'
                                   '"Contract value" = "Contract"\n')
        assert actions.get(outcome) == 1, actions
        money = deal(sb, 1)["custom_fields"][code]
        assert (money["value"], money["currency"]) == stored, money


@pytest.mark.parametrize(("held", "cell", "outcome", "stored"), [
    ({"value": 900, "currency": "GBP"}, "950", "update", (950, "GBP")),
    ({"value": 900, "currency": "GBP"}, "900", "unchanged", (900, "GBP")),
    ({"value": 900, "currency": "GBP"}, "950 NOK", "update", (950, "NOK")),
    (None, "950", "failed", None)])
async def test_an_update_of_a_monetary_custom_field_with_no_currency_keeps_the_fields(
        tmp_path: Path, held: dict[str, Any] | None, cell: str, outcome: str,
        stored: tuple[int, str] | None) -> None:
    """x27r3 4: with no currency in the row and no default, an amount for a monetary custom
    field failed the row ("no currency ... and no default currency") although the deal's
    field holds one: it is now in the field's currency, as the deal's own amount keeps the
    deal's; the row fails only when neither the row nor the deal's field gives one."""
    async with serve(SandboxConfig(deals=2, **FAST)) as sb:
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "Contract value")
        sb.state.deals.rows[1]["custom_fields"] = {
            **(sb.state.deals.rows[1].get("custom_fields") or {}), code: held}
        actions, _ = await _update(sb, tmp_path, f"Deal,Contract\n1,{cell}\n",
                                   '[custom_fields]\n"Contract value" = "Contract"\n')
        assert actions.get(outcome) == 1, actions
        money = deal(sb, 1)["custom_fields"].get(code)
        assert (None if money is None else (money["value"], money["currency"])) == stored, money


async def test_the_undo_of_an_amount_in_the_fields_currency_puts_the_amount_back(
        tmp_path: Path) -> None:
    """x27r3 4, its undo: the field's amount written in its own currency (none in the row,
    no default) is put back by `pdbulk undo`, currency and all."""
    from jobs.undo import prepare_undo

    async with serve(SandboxConfig(deals=2, **FAST)) as sb:
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "Contract value")
        sb.state.deals.rows[1]["custom_fields"] = {
            **(sb.state.deals.rows[1].get("custom_fields") or {}),
            code: {"value": 900, "currency": "GBP"}}
        manifest = tmp_path / "rows.csv"
        manifest.write_text("Deal,Contract\n1,950\n")
        (tmp_path / "map.toml").write_text('version = 1\n[update]\nid_column = "Deal"\n'
                                           '[custom_fields]\n"Contract value" = "Contract"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        source, _ = await load_job(sb, tmp_path, "update", build)
        await run_job(sb, source)
        assert deal(sb, 1)["custom_fields"][code] == {"value": 950, "currency": "GBP"}

        async def undo_it(s: Any) -> Any:
            return await prepare_undo(s.ctx, source)
        undo, plan = await load_job(sb, tmp_path, "undo", undo_it)
        assert plan.actions.get("restore") == 1, plan.actions
        await run_job(sb, undo)
        undo.close()
        source.close()
        assert deal(sb, 1)["custom_fields"][code] == {"value": 900, "currency": "GBP"}


async def test_an_import_of_a_monetary_field_with_no_currency_keeps_an_existing_deals(
        tmp_path: Path) -> None:
    """x27r3 4, the import's side: no currency in the row and no default: an upsert of a
    deal that exists takes its field's currency; a new deal fails the row, as before
    (nothing in the row or the account says one), its amount's column named."""
    mapping = IMPORT_MAPPING + ('[custom_fields]\n"Contract value" = "contract"\n')
    manifest, mapping_file = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping_file.write_text(mapping)
    head = "id,title,amount,currency,contract\n"
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "Contract value")
        outcomes = []
        for job_id, rows in (("v1", "K1,Old,1,EUR,900 GBP\n"),
                             ("v2", "K1,Old,1,EUR,950\nK2,New,1,EUR,5\n")):
            manifest.write_text(head + rows)
            store, result, _ = await import_once(sb, tmp_path / "jobs", manifest,
                                                 mapping_file, job_id=job_id)
            try:
                assert not result.stopped, result.error
                outcomes.append(({r["key"]: r["action"] for r in
                                  read_csv(store.directory / "succeeded.csv")},
                                 {r["key"]: (r["reason"], r["column"]) for r in
                                  read_csv(store.directory / "failed.csv")}))
            finally:
                store.close()
        contract = {d["title"]: d["custom_fields"][code] for d in sandbox_deals(sb)}
    done, failed = outcomes[1]
    assert done == {"K1": "updated"}, outcomes
    assert list(failed) == ["K2"] and "no currency" in failed["K2"][0], failed
    assert failed["K2"][1] == "contract", failed
    assert contract == {"Old": {"value": 950, "currency": "GBP"}}, contract
