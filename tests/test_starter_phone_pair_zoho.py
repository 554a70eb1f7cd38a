"""init-mapping never calls a pair of phone columns an amount and its cents (z55r1 F6:
Close's ``contact.phones.phone`` beside ``contact.phones.phone_formatted``), takes a phone
column whose cells carry a label (Copper's ``+49 30 4616337 (work)``: z55r1 F2), and reads
Zoho's ``Reason For Loss`` and ``Closing Date`` as HubSpot's columns are read (z55r1 F7)."""

from __future__ import annotations

import itertools

import pytest

from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from tests.test_mapping import catalog  # noqa: F401  (the fixture)

# (plain, shown) phone pairs as exports write them, and sampled cells that read as phones
_PHONE_PAIRS = [("contact.phones.phone", "contact.phones.phone_formatted"),
                ("phone", "phone_formatted"), ("Mobile", "Mobile (formatted)"),
                ("fax", "fax_formatted"), ("Tel", "Formatted Tel")]
_NUMBERS = [(["+15550100123", "+15550100124"], ["+1 555-010-0123", "+1 555-010-0124"]),
            (["4930123456", "4930123457"], ["+49 30 123456 (work)", "+49 30 123457"]),
            ([], [])]


@pytest.mark.parametrize(("pair", "cells", "plain_first"),
                         list(itertools.product(_PHONE_PAIRS, _NUMBERS, (True, False))))
def test_a_phone_pair_is_never_an_amount_pair(catalog: Catalog, pair: tuple[str, str],  # noqa: F811
                                               cells: tuple[list[str], list[str]],
                                               plain_first: bool) -> None:
    """No amount TODO nor cents note for a pair named phone / tel / fax / mobile, whatever
    its cells and the header's order."""
    plain, shown = pair
    header = ["id", "Deal Name", "Amount", *((plain, shown) if plain_first else (shown, plain))]
    samples = {"Amount": ["1200", "300"], plain: cells[0], shown: cells[1]}
    text = init_mapping(header, catalog, samples=samples)
    assert "is the amount as shown" not in text, text
    assert 'value = "Amount"' in text, text


@pytest.mark.parametrize("names", [("x", "x_formatted"), ("Other", "Other (formatted)")])
def test_a_pair_whose_cells_read_as_phones_is_no_amount_pair(
        catalog: Catalog, names: tuple[str, str]) -> None:  # noqa: F811
    """A pair of any name whose cells read as phone numbers (``+1 555-010-0123``) and not
    as amounts gets no amount note; an amount pair (``100050`` beside ``$1,000.50``) keeps
    its cents note (x44r4 F3)."""
    plain, shown = names
    text = init_mapping(["id", "Deal Name", "value", plain, shown], catalog, samples={
        "value": ["1200"], plain: ["+15550100123"], shown: ["+1 555-010-0123"]})
    assert f"{shown} is the amount" not in text, text
    cents = init_mapping(["id", "Deal Name", "amount", "amount_formatted"], catalog,
                         samples={"amount": ["100050"], "amount_formatted": ["$1,000.50"]})
    assert "amount_formatted is the amount as shown; amount holds it in cents" in cents


def test_a_labelled_phone_column_is_proposed(catalog: Catalog) -> None:  # noqa: F811
    """Copper's ``Contact Phones`` of labelled numbers is the person's phone (it was left
    out as "no phone numbers")."""
    text = init_mapping(["id", "Deal Name", "Contact", "Contact Phones"], catalog, samples={
        "Contact Phones": ["+49 30 4616337 (work)", "Mobile: +49 151 1000012",
                           "+1 212 555 0100 (home); +1 212 555 0101 (mobile)"]})
    assert 'phone = "Contact Phones"' in text, text
    refused = init_mapping(["id", "Deal Name", "Contact", "Contact Phones"], catalog,
                           samples={"Contact Phones": ["Ann Lee (ann@x.example)",
                                                       "call Bob after 5pm"]})
    assert 'phone = "Contact Phones"' not in refused, refused


def test_zoho_reason_for_loss_and_closing_date(catalog: Catalog) -> None:  # noqa: F811
    """Zoho's ``Reason For Loss`` is the lost reason; its ``Closing Date`` closes the won /
    lost deals (``close_time`` with ``when_open = "drop"``), as ``Close Date`` does for
    HubSpot / Salesforce / Copper."""
    header = ["Record Id", "Deal Name", "Stage", "Closing Date", "Reason For Loss"]
    samples = {"Stage": ["Qualified", "Closed Won", "Closed Lost"],
               "Closing Date": ["2026-03-01", "2026-04-02"],
               "Reason For Loss": ["Price", "Timing"]}
    text = init_mapping(header, catalog, samples=samples)
    assert '\nlost_reason = "Reason For Loss"' in text, text
    assert 'close_time = { column = "Closing Date"' in text and 'when_open = "drop"' in text
    assert "Reason For Loss" not in text.split("# Columns not mapped:")[-1].split("\n")[0] \
        or "# Columns not mapped:" not in text
