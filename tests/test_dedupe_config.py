"""Dedupe config: sensible defaults without a file; clear errors for bad TOML, keys and values."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import InputError
from jobs.dedupe.config import GUARDS, DedupeConfig, DedupeConfigError


def test_defaults() -> None:
    """No file: every guard on, review below duplicate, the documented survivor order."""
    c = DedupeConfig.load(None)
    assert c == DedupeConfig.default()
    assert c.guards == GUARDS
    assert 0 < c.review_threshold < c.duplicate_threshold <= 1
    assert c.survivor_rules[0] == "won_first"


def test_load_file(tmp_path: Path) -> None:
    """A TOML file sets thresholds, guards, rules, noise words and field policy."""
    p = tmp_path / "dedupe.toml"
    p.write_text('duplicate_threshold = 0.9\nreview_threshold = 0.6\nguards = ["currency"]\n'
                 'survivor_rules = ["oldest", "has_owner"]\nextra_noise_words = ["Project"]\n'
                 '[field_policy]\nvalue = "max"\nexpected_close_date = "latest"\n', encoding="utf-8")
    c = DedupeConfig.load(p)
    assert (c.duplicate_threshold, c.review_threshold) == (0.9, 0.6)
    assert c.guards == {"currency"}
    assert c.survivor_rules == ("oldest", "has_owner")
    assert "project" in c.noise_words and "deal" in c.noise_words
    assert dict(c.field_policy) == {"value": "max", "expected_close_date": "latest"}


@pytest.mark.parametrize(("text", "words"), [
    ("duplicate_threshold = ", "not valid TOML"),
    ("treshold = 0.9", "unknown key(s) treshold"),
    ("duplicate_threshold = 1.5", "duplicate_threshold must be in [0, 1]"),
    ('duplicate_threshold = "high"', "must be a number"),
    ("duplicate_threshold = 0.5\nreview_threshold = 0.8", "above duplicate_threshold"),
    ('guards = ["currency", "colour"]', "unknown guard(s) colour"),
    ('survivor_rules = ["oldest", "prettiest"]', "unknown survivor rule(s) prettiest"),
    ('survivor_rules = ["oldest", "oldest"]', "twice"),
    ('[field_policy]\nvalue = "biggest"', "field_policy value = 'biggest'"),
    ('[field_policy]\nstatus = "max"', "field_policy status: not a field a policy can set"),
    ('[field_policy]\ncurrency = "newest-non-empty"', "currency: not a field a policy can set"),
    ('[field_policy]\nvalue = "latest"', "value = 'latest' does not fit the field"),
    ('[field_policy]\nowner = "max"', "owner = 'max' does not fit the field"),
    ("guards = 3", "guards must be a list of strings"),
    ("max_block_size = 1", "max_block_size must be at least 2"),
])
def test_bad_config_is_a_clear_input_error(tmp_path: Path, text: str, words: str) -> None:
    """Each mistake is one InputError naming the file and the key; no traceback-only errors."""
    p = tmp_path / "d.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DedupeConfigError) as e:
        DedupeConfig.load(p)
    assert isinstance(e.value, InputError)
    assert words in str(e.value) and str(p) in str(e.value)


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is an input error, not an OSError."""
    with pytest.raises(DedupeConfigError, match="cannot read"):
        DedupeConfig.load(tmp_path / "nope.toml")


def test_field_policy_names_standard_fields_or_custom_keys() -> None:
    """A custom field's 40-character key takes any policy; ``org``/``person``/``owner`` are
    deal fields, never read as custom field keys."""
    from jobs.dedupe.records import custom_keys
    key = "a" * 40
    c = DedupeConfig.from_mapping({"field_policy": {key: "max", "org": "newest-non-empty",
                                                    "person": "survivor", "owner_id": "survivor",
                                                    "expected_close_date": "earliest"}})
    assert custom_keys(c.field_policy) == [key]


def test_match_identifiers_by_name_or_key_default_import_source_key(tmp_path: Path) -> None:
    """``[match] identifiers`` names custom fields by name (case/spacing aside) or key; without
    it the import's source key field is the identifier when the account has one; an unknown
    or ambiguous name is a clear DedupeConfigError."""
    from jobs.dedupe.config import resolve_identifiers
    po, src, ext = "1" * 40, "2" * 40, "3" * 40
    fields = [{"field_code": po, "field_name": "PO number", "is_custom_field": True},
              {"field_code": src, "field_name": "Import source key", "is_custom_field": True},
              {"field_code": ext, "field_name": "Contract id", "is_custom_field": True},
              {"field_code": "title", "field_name": "Title", "is_custom_field": False}]
    p = tmp_path / "dedupe.toml"
    p.write_text(f'[match]\nidentifiers = ["po  NUMBER", "{ext}"]\n', encoding="utf-8")
    c = DedupeConfig.load(p)
    assert c.identifiers == ("po  NUMBER", ext)
    assert dict(resolve_identifiers(c, fields).identifier_fields) == {
        po: "PO number", ext: "Contract id"}
    assert dict(resolve_identifiers(DedupeConfig.default(), fields).identifier_fields) == {
        src: "Import source key"}
    assert dict(resolve_identifiers(DedupeConfig.default(), fields[:1]).identifier_fields) == {}
    off = DedupeConfig.from_mapping({"match": {"identifiers": []}})
    assert dict(resolve_identifiers(off, fields).identifier_fields) == {}
    with pytest.raises(DedupeConfigError, match="no custom deal field 'Order no'"):
        resolve_identifiers(DedupeConfig.from_mapping({"match": {"identifiers": ["Order no"]}}),
                            fields)
    with pytest.raises(DedupeConfigError, match="no custom deal field 'Title'"):
        resolve_identifiers(DedupeConfig.from_mapping({"match": {"identifiers": ["Title"]}}),
                            fields)
    twice = [*fields, {"field_code": "4" * 40, "field_name": "PO Number", "is_custom_field": True}]
    with pytest.raises(DedupeConfigError, match="2 custom deal fields are named"):
        resolve_identifiers(DedupeConfig.from_mapping({"match": {"identifiers": ["PO number"]}}),
                            twice)
    for bad in ({"match": {"identifier": ["x"]}}, {"match": ["x"]},
                {"match": {"identifiers": "PO number"}}):
        with pytest.raises(DedupeConfigError):
            DedupeConfig.from_mapping(bad)


def test_date_custom_fields_are_resolved_for_matching() -> None:
    """#11 v11r4 F3: the plan compares every date-type custom field (key -> name, from
    ``dealFields``) like the expected close date; other types and standard fields are not."""
    from jobs.dedupe.config import resolve_identifiers
    rd, po = "4" * 40, "5" * 40
    fields = [{"field_code": rd, "field_name": "Renewal date", "field_type": "date",
               "is_custom_field": True},
              {"field_code": po, "field_name": "PO number", "field_type": "varchar",
               "is_custom_field": True},
              {"field_code": "expected_close_date", "field_name": "Expected close date",
               "field_type": "date", "is_custom_field": False}]
    assert dict(resolve_identifiers(DedupeConfig.default(), fields).date_fields) == {
        rd: "Renewal date"}


@pytest.mark.parametrize(("name", "ftype", "is_id"), [
    ("External ID", "varchar", True), ("Kundennummer", "varchar", True),
    ("Customer number", "double", True), ("Order ID", "varchar", True), ("SKU", "varchar", True),
    ("Vertragsnummer", "varchar_auto", True), ("Kunden-Nr.", "varchar", True),
    ("Customer #", "varchar", True),
    ("Order ID", "text", False),            # a long-text field is free text, never a guard
    ("Customer number", "enum", False),
    ("Notes", "varchar", False), ("Phone number", "varchar", False),
    ("Number of seats", "double", False), ("Discount code", "varchar", False),
    ("Lead source", "varchar", False),
])
def test_a_field_named_like_an_identifier_is_one_by_default(name: str, ftype: str, is_id: bool) -> None:
    """#11 v11r7 C6: without ``[match] identifiers``, a short-text or number custom field whose
    name says identifier is an identifier (before: only ``Import source key``);
    ``identifiers = []`` switches it off."""
    from jobs.dedupe.config import resolve_identifiers
    key = "4" * 40
    fields = [{"field_code": key, "field_name": name, "field_type": ftype, "is_custom_field": True}]
    found = dict(resolve_identifiers(DedupeConfig.default(), fields).identifier_fields)
    assert found == ({key: name} if is_id else {}), found
    off = DedupeConfig.from_mapping({"match": {"identifiers": []}})
    assert dict(resolve_identifiers(off, fields).identifier_fields) == {}
