"""A deal field's value is "the same" only as a person reading both would say it (f27d 1):
every part of an address, an amount with its currency, a date / time range, a time with
its zone; a set of options or labels in any order; a person, organization, user or option
whether shown as its id or as the object around it. Each verdict that decides whether a
deal still holds what a job wrote or held before (``same``, ``drifted``, ``image_holds``,
``restore_body``, undo's ``_changed_since``) reads it so, over every field type."""

from __future__ import annotations

from typing import Any

import pytest

from jobs.deals import drifted, image_holds, restore_body, same
from jobs.undo.plan import _changed_since

# (field type, the value a job wrote / held before, the value the deal holds now, same?)
TABLE: list[tuple[str, Any, Any, bool]] = [
    ("varchar", "Acme deal", "Acme deal", True),
    ("varchar", "Acme deal", "Acme deal 2", False),
    ("text", "line one\nline two", "line one\nline two", True),
    ("text", "line one", "line one\nline two", False),
    ("phone", "+4930111", "+4930111", True),
    ("phone", "+4930111", "+4930112", False),
    ("double", 12.5, 12.5, True),
    ("double", 10, 10.0, True),
    ("double", 12.5, 12.6, False),
    ("double", 0, None, False),  # 0 is a value, not an empty field
    ("int", 7, 7, True),
    ("int", 7, 8, False),
    ("date", "2027-02-01", "2027-02-01", True),
    ("date", "2027-02-01", "2027-02-02", False),
    ("monetary", {"value": 10, "currency": "USD"}, {"value": 10, "currency": "USD"}, True),
    ("monetary", {"value": 10, "currency": "USD"}, {"value": 10.0, "currency": "USD"}, True),
    ("monetary", {"value": 10, "currency": "USD"}, {"value": 10, "currency": "EUR"}, False),
    ("monetary", {"value": 10, "currency": "USD"}, {"value": 11, "currency": "USD"}, False),
    ("monetary", {"value": 10, "currency": "USD"}, {"value": 10}, False),  # currency gone
    ("monetary", {"value": 10, "currency": "USD"}, 10, False),
    ("address", {"value": "Main St 1"}, {"value": "Main St 1"}, True),
    ("address", {"value": "Main St 1"}, {"value": "Main St 1", "postal_code": None}, True),
    ("address", {"value": "Main St 1"}, {"value": "Main St 1", "postal_code": "10115"}, False),
    ("address", {"value": "Main St 1", "postal_code": "10115"},
     {"value": "Main St 1", "postal_code": "10117"}, False),
    ("address", {"value": "Main St 1", "locality": "Berlin"},
     {"value": "Main St 1", "locality": "Berlin"}, True),
    ("address", {"value": "Main St 1"}, "Main St 1", True),  # its text alone, read as text
    ("address", {"value": "Main St 1", "locality": "Berlin"}, "Main St 1", False),
    ("daterange", {"value": "2027-01-01", "until": "2027-01-31"},
     {"value": "2027-01-01", "until": "2027-01-31"}, True),
    ("daterange", {"value": "2027-01-01", "until": "2027-01-31"},
     {"value": "2027-01-01", "until": "2027-02-28"}, False),
    ("daterange", {"value": "2027-01-01", "until": "2027-01-31"},
     {"value": "2027-01-01", "until": None}, False),
    ("time", {"value": "09:00:00"}, {"value": "09:00:00"}, True),
    ("time", {"value": "09:00:00"}, {"value": "09:00:00", "timezone_name": "Europe/Berlin"},
     False),
    ("timerange", {"value": "09:00:00", "until": "10:00:00"},
     {"value": "09:00:00", "until": "11:00:00"}, False),
    ("enum", 4, 4, True),
    ("enum", 4, 5, False),
    ("enum", 4, {"id": 4, "label": "Cold call"}, True),  # an option shown with its label
    ("enum", 4, {"id": 5, "label": "Partner"}, False),
    ("set", [1, 2], [2, 1], True),  # a set's order is no change
    ("set", [1, 2], [1, 2, 3], False),
    ("set", [1, 2, 3], [1, 2], False),
    ("set", [1, 2], [1, 3], False),
    ("set", [1], None, False),
    ("label_ids", [7, 9], [9, 7], True),
    ("label_ids", [7, 9], [7], False),
    ("label_ids", [], None, True),  # no labels either way
    ("user", 3, 3, True),
    ("user", 3, {"id": 3, "name": "Ann", "email": "ann@example.com"}, True),
    ("user", 3, {"id": 2, "name": "Bob", "email": "bob@example.com"}, False),
    ("people", 12, {"value": 12, "name": "Ann Lee", "email": []}, True),  # v1's shape
    ("people", 12, {"value": 14, "name": "Max Roe", "email": []}, False),
    ("org", 4, {"value": 4, "name": "Acme", "address": None}, True),
    ("org", 4, 5, False),
    ("org", 4, None, False),
]


def _cases() -> list[Any]:
    return [pytest.param(kind, a, b, equal, id=f"{kind}-{i}")
            for i, (kind, a, b, equal) in enumerate(TABLE)]


@pytest.mark.parametrize(("kind", "then", "now", "equal"), _cases())
def test_same_reads_a_value_as_a_person_would(kind: str, then: Any, now: Any,
                                               equal: bool) -> None:
    """``same`` is exact both ways: no side's extra part, item or object passes."""
    assert same(now, then) is equal, (then, now)
    assert same(then, now) is equal, (now, then)


@pytest.mark.parametrize(("kind", "then", "now", "equal"), _cases())
def test_undo_and_the_rechecks_see_every_change_of_every_field_type(
        kind: str, then: Any, now: Any, equal: bool) -> None:
    """The same pair as a custom field and, where it is one, a deal field: a deal holding
    ``now`` where the job wrote ``then`` (undo's ``_changed_since``), or where its
    before-image holds ``then`` (``drifted``, ``image_holds``, ``restore_body``)."""
    places: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = [
        ({"custom_fields": {"c": now}}, {"custom_fields": {"c": then}},
         {"fields": {}, "custom_fields": {"c": then}})]
    standard = {"label_ids": "label_ids", "user": "owner_id", "people": "person_id",
                "org": "org_id", "varchar": "title", "double": "probability"}
    if kind in standard:
        name = standard[kind]
        places.append(({name: now, "custom_fields": {}}, {name: then},
                       {"fields": {name: then}, "custom_fields": {}}))
    for deal, wrote, image in places:
        assert (_changed_since(deal, wrote) == "") is equal, (deal, wrote)
        assert (drifted(deal, image) == "") is equal, (deal, image)
        assert image_holds(deal, image) is equal, (deal, image)
        assert (restore_body(deal, image) == {}) is equal, (deal, image)
