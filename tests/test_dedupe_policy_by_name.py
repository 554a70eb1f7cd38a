"""``[field_policy]`` takes a custom field by its name, as ``[match] identifiers`` do (x39r1
L4: ``Discount = "max"`` was refused as "not a field a policy can set" while identifiers
took names): resolved to its key when the plan reads the deal fields; a name no custom field
has, or two have, is a clear error; a deal field no policy sets is still refused at load."""

from __future__ import annotations

import pytest

from jobs.dedupe.config import DedupeConfig, DedupeConfigError, resolve_identifiers

KEY_A = "a" * 40
KEY_B = "b" * 40
KEY_C = "c" * 40
FIELDS = [
    {"field_code": "value", "field_name": "Value", "is_custom_field": False,
     "field_type": "monetary"},
    {"field_code": KEY_A, "field_name": "Discount", "is_custom_field": True,
     "field_type": "double"},
    {"field_code": KEY_B, "field_name": "Region", "is_custom_field": True,
     "field_type": "varchar"},
    {"field_code": KEY_C, "field_name": "region", "is_custom_field": True,
     "field_type": "varchar"},
]


def _policy(table: dict[str, str]) -> dict[str, str]:
    config = DedupeConfig.from_mapping({"field_policy": table})
    return dict(resolve_identifiers(config, FIELDS).field_policy)


def test_a_custom_field_by_name_is_resolved_to_its_key() -> None:
    """``Discount`` (any case and spacing) becomes its key; keys and built-ins stay."""
    assert _policy({"Discount": "max", "value": "min"}) == {KEY_A: "max", "value": "min"}
    assert _policy({" discount ": "min"}) == {KEY_A: "min"}
    assert _policy({KEY_B: "newest-non-empty"}) == {KEY_B: "newest-non-empty"}


def test_an_unknown_or_ambiguous_name_is_a_clear_error() -> None:
    """A name no custom field has names the account's custom fields; one two fields have
    asks for the key, naming both."""
    with pytest.raises(DedupeConfigError) as caught:
        _policy({"Rabatt": "max"})
    said = str(caught.value)
    assert "'Rabatt'" in said and "no custom deal field" in said and "Discount" in said
    with pytest.raises(DedupeConfigError) as caught:
        _policy({"Region": "survivor"})
    assert "2 custom deal fields" in str(caught.value) and KEY_B in str(caught.value)


def test_a_field_no_policy_sets_is_refused_at_load() -> None:
    """``status``, ``currency``: refused when the config is read, as before."""
    for name in ("status", "currency", "won_time"):
        with pytest.raises(DedupeConfigError, match="not a field a policy can set"):
            DedupeConfig.from_mapping({"field_policy": {name: "max"}})
