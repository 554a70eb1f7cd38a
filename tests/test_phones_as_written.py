"""A phone is sent as its cell writes it (trimmed), as Pipedrive stores a phone as given,
and compared and matched by its normal form (x31r1 5: a new person's ``+49 30 1031676``
was stored ``+49301031676``, the source's formatting lost)."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from jobs import transforms as tf
from jobs.catalog import Catalog
from jobs.deals import deal_changes, same
from tests.test_mapping import catalog, code, mapper, row  # noqa: F401  (the fixture)


def test_a_rows_phones_are_sent_as_written(catalog: Catalog) -> None:  # noqa: F811
    """The person's phone and a phone custom field keep the cell's formatting."""
    mapped = mapper(catalog).map(row(**{"Phone": "  +49 30 1031676 ",
                                        "Hotline": "+49 (0)30 1234567 ext. 12"}))
    assert mapped.person is not None and mapped.person.phone == "+49 30 1031676"
    assert mapped.deal["custom_fields"][code("p")] == "+49 (0)30 1234567 ext. 12"


@pytest.mark.parametrize(("stored", "row_phone"), [
    ("+49301234567", "+49 30 1234567"),  # stored normalised by an earlier version
    ("+49 (0)30 1234567", "+49 30 1234567"), ("0049 30 1234567", "+49-30-1234567"),
])
def test_one_number_written_otherwise_is_no_change(stored: str, row_phone: str) -> None:
    """A phone field holding the row's number in another spelling is unchanged: an update
    never rewrites it for its formatting alone."""
    row_phone = tf.clean_phone(row_phone) or ""
    assert same(stored, row_phone, "phone")
    assert deal_changes({"custom_fields": {"c": stored}}, {"custom_fields": {"c": row_phone}},
                        types={"c": "phone"}) == {}
    assert tf.phone_key(stored) == tf.phone_key(row_phone)


def test_a_number_listed_twice_is_one_phone() -> None:
    """One number spelled two ways in a cell is one phone, as the cell first writes it."""
    assert tf.phone_numbers("+49 30 1234567; +49301234567, 030 7654321") == (
        "+49 30 1234567", "030 7654321")


@pytest.mark.parametrize(("cell", "sent"), [
    ("tel:+1-555-010-0199", "+1-555-010-0199"), ("TEL: +49 30 1234567", "+49 30 1234567"),
    ("tel:+1-555-010-0199;ext=45", "+1-555-010-0199 ext. 45"),
    ("<tel:+1-555-010-0199>", "+1-555-010-0199"), ("tel:%2B1-555-010-0199", "+1-555-010-0199"),
    ("tel://+1-555-010-0199", "+1-555-010-0199"),
    ("tel:+1-555-010-0199;isub=1234", "+1-555-010-0199"),
    ("tel:+1-555-010-0199;isub=1234;ext=45", "+1-555-010-0199 ext. 45"),
    ("tel:+4930123456;ext=45;isub=7", "+4930123456 ext. 45"),
])
def test_an_rfc_3966_uri_is_its_number(cell: str, sent: str) -> None:
    """``tel:`` (RFC 3966, as HubSpot and vCard write it) is left out: the number is sent
    and matched as written without it (x37r1 F6: 37 rows refused "not a phone number");
    an account's stored ``tel:`` phone keys as its number."""
    assert tf.clean_phone(cell) == sent
    assert tf.phone_key(cell) == tf.phone_key(sent) is not None
    assert tf.phone_numbers(f"{cell}, 030 7654321") == (sent, "030 7654321")
    with pytest.raises(InputError, match="not a phone number"):
        tf.clean_phone("tel:abc")


@pytest.mark.parametrize(("cell", "sent", "same_as"), [
    ("tel:555-010-0199;phone-context=+1", "+1 555-010-0199", "+1 555 010 0199"),
    ("<tel:%2B1-555-010-0199;ext=45>", "+1-555-010-0199 ext. 45", "+1 555 010 0199 x45"),
    ("tel:863-1234;phone-context=+1-914-555", "+1-914-555 863-1234", "+1 914 555 863 1234"),
    ("tel:7042;phone-context=example.com", None, None),
    ("tel:5550199;phone-context=example.com", "5550199", "555 0199"),
    ("tel:+1-555-010-0199;isub=1234", "+1-555-010-0199", "+1 555 010 0199"),
    ("tel:030123456;phone-context=+49", "+49 (0)30123456", "+49 30 123456"),
])
def test_an_rfc_3966_uri_in_any_of_its_spellings(cell: str, sent: str | None,
                                                  same_as: str | None) -> None:
    """The other spellings of RFC 3966 a tester's HubSpot / vCard export held (x37r3 F6):
    ``<tel:…>``, ``%2B`` for "+", a local number's global ``phone-context`` (written
    before it, so it keys with its country code; a trunk 0 after a country code alone
    written ``(0)``, x38r3 F6), ``;isub=`` and a domain's context left out (x38r3 F6:
    they were stored in the phone), ``;ext=`` written as people write an extension
    (x38r1 F5); a local
    number of a domain's context too short to be a phone is
    refused as one."""
    if sent is None:
        with pytest.raises(InputError, match="not a phone number"):
            tf.clean_phone(cell)
        return
    assert tf.clean_phone(cell) == sent
    assert tf.phone_key(cell) == tf.phone_key(sent) == tf.phone_key(same_as) is not None
    assert tf.phone_numbers(f"{cell}, 030 7654321") == (sent, "030 7654321")
