"""init-mapping's proposals for a money field's currency and a default pipeline (x24r1): a
currency column named like the field is the field's, and a default pipeline chosen among
several that have the file's stages says so in a TODO."""

from __future__ import annotations

import re

import pytest

from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping, init_mapping
from tests.test_mapping import RAW_FIELDS

DEALS = ["Key", "Deal Name", "Amount", "Currency", "Stage", "Contract Value",
         "Contract Currency", "Company"]
ROW = ["K01", "Ann deal", "1,234.50", "EUR", "Qualified", "5,000.00", "usd", "Initech"]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}, {"id": 2, "name": "Partnerships"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1},
                {"id": 12, "name": "Contact Made", "pipeline_id": 1, "order_nr": 2},
                {"id": 21, "name": "Lead In", "pipeline_id": 2, "order_nr": 1},
                {"id": 22, "name": "Contact Made", "pipeline_id": 2, "order_nr": 2}],
        users=[], deal_fields=RAW_FIELDS)


def _samples(header: list[str], row: list[str]) -> dict[str, list[str]]:
    return {column: [cell] for column, cell in zip(header, row, strict=True)}


def test_a_currency_column_named_like_the_money_field_is_proposed_for_it(
        catalog: Catalog) -> None:
    """`Contract Currency` beside `Contract Value`: the field's currency_column, no TODO,
    not listed unmapped; the deal keeps `Currency` (it was paired with the deal's currency
    under a TODO, `Contract Currency` listed unmapped)."""
    text = init_mapping(DEALS, catalog, samples=_samples(DEALS, ROW))
    assert ('"Contract value" = { column = "Contract Value", currency_column = '
            '"Contract Currency" }') in text, text
    assert re.search(r'(?m)^currency = "Currency"$', text), text
    assert "TODO: no 'Contract Value currency'" not in text, text
    unmapped = [line for line in text.splitlines() if line.startswith("# Columns not mapped")]
    assert not any("Contract Currency" in line for line in unmapped), text
    compile_mapping(Mapping.loads(text), catalog)  # and it compiles


def test_a_currency_column_of_no_shared_word_is_not_taken(catalog: Catalog) -> None:
    """`Billing Currency` says nothing of `Contract value`: the deal's currency stays its
    proposal, under the TODO."""
    header = [c if c != "Contract Currency" else "Billing Currency" for c in DEALS]
    text = init_mapping(header, catalog, samples=_samples(header, ROW))
    assert 'currency_column = "Currency" }' in text, text
    assert "# TODO: no 'Contract Value currency' column" in text, text


def test_a_default_pipeline_chosen_among_several_with_the_stages_is_a_todo(
        catalog: Catalog) -> None:
    """A HubSpot-like file, no pipeline column, its stage "Contact Made" in Sales and
    Partnerships: the default pipeline comes with a TODO naming both; a file whose stages
    are one pipeline's gets none."""
    header = ["Deal ID", "Deal Name", "Deal Stage", "Amount"]
    text = init_mapping(header, catalog, samples={
        "Deal ID": ["1", "2"], "Deal Name": ["A", "B"], "Deal Stage": ["Contact Made", "Qualified"],
        "Amount": ["1", "2"]})
    lines = text.splitlines()
    at = lines.index('pipeline = { default = "Sales" }')
    assert lines[at - 1].startswith("# TODO: no pipeline column, and the stages 'Contact Made' "
                                    "exist in several pipelines ('Sales', 'Partnerships')"), text
    assert "'Sales' (the account's first) was chosen" in lines[at - 1]
    alone = init_mapping(header, catalog, samples={
        "Deal ID": ["1"], "Deal Name": ["A"], "Deal Stage": ["Qualified"], "Amount": ["1"]})
    assert 'pipeline = { default = "Sales" }' in alone
    assert "no pipeline column" not in alone, alone
