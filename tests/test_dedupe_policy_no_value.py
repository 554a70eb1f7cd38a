"""A field policy never takes a value that says none (``evidence.no_value``): a deal value
or monetary amount of 0 or less, a reference id of 0, a sentinel date, a none-word of any
of the languages (x44r8 F3: ``value = "min"`` set 32 of 32 survivors' value to 0 in a
nightly run; ``earliest`` took 1900-01-01; ``newest-non-empty`` took ``{"value": 0}``, an
owner 0, ``nej``, ``nada``). A plain number field's 0 stays a value (a real discount).
x44r8 F4: none-words of more languages are placeholders; the short ones keep a pair at
review at most."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.evidence import no_value
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import policy_changes

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
S = DealRecord(id=1, title="Nordwind - Spare parts", status="open", org_id=100, person_id=200,
               value=700.0, currency="EUR", owner_id=1, add_time=NOW, update_time=NOW,
               expected_close_date=date(2026, 12, 31))
C = replace(S, id=2, add_time=NOW + timedelta(minutes=1), update_time=NOW + timedelta(hours=1))
G = Group(id="g-1", survivor_id=1, merged_ids=(2,), band="duplicate", score=1.0, reasons=(),
          survivor_reasons=(), differing=())


def _records(field: str, own: object, copy: object) -> dict[int, DealRecord]:
    if field in ("value", "expected_close_date", "owner_id"):
        return {1: replace(S, **{field: own}), 2: replace(C, **{field: copy})}  # type: ignore[arg-type]
    return {1: replace(S, fields={field: own}), 2: replace(C, fields={field: copy})}


@pytest.mark.parametrize(("field", "rule", "real", "none"), [
    ("value", "min", 700.0, 0.0), ("value", "min", 700.0, -1.0),
    ("value", "newest-non-empty", 700.0, 0.0),
    ("expected_close_date", "earliest", date(2026, 12, 31), date(1900, 1, 1)),
    ("expected_close_date", "min", date(2026, 12, 31), date(1970, 1, 1)),
    ("expected_close_date", "newest-non-empty", date(2026, 12, 31), date(1899, 12, 30)),
    ("k_date", "earliest", "2026-05-01", "1900-01-01"),
    ("k_date", "newest-non-empty", "2026-05-01", "0001-01-01"),
    ("k_money", "min", {"value": 500, "currency": "EUR"}, {"value": 0, "currency": "EUR"}),
    ("k_money", "newest-non-empty", {"value": 500, "currency": "EUR"},
     {"value": 0, "currency": "EUR"}),
    ("k_user", "newest-non-empty", {"id": 5, "value": 5}, {"id": 0, "value": 0}),
    ("owner_id", "newest-non-empty", 5, 0),
    ("k_txt", "newest-non-empty", "Blue", "nej"), ("k_txt", "newest-non-empty", "Blue", "nada"),
    ("k_txt", "newest-non-empty", "Blue", "nicht zutreffend")])
def test_the_policy_never_takes_a_value_that_says_none(field: str, rule: str, real: object,
                                                       none: object) -> None:
    changes = policy_changes(G, _records(field, real, none), {field: rule})
    assert field not in changes and field not in changes.get("custom_fields", {}), changes


def test_a_survivor_value_of_0_takes_the_copy_value_under_min() -> None:
    changes = policy_changes(G, _records("value", 0.0, 700.0), {"value": "min"})
    assert changes["value"] == 700


def test_a_plain_number_field_0_is_a_value() -> None:
    """The choice the README states: a custom number's 0 is a real discount or count."""
    assert not no_value(0, "k_num")
    changes = policy_changes(G, _records("k_num", 42, 0), {"k_num": "min"})
    assert changes["custom_fields"]["k_num"] == 0


@pytest.mark.parametrize("word", ["nada", "niente", "nichts", "rien", "żaden", "žádný",
                                  "neuvedeno", "hay\u0131r", "belirtilmemis", "semmi",
                                  "nincs adat",
                                  "όχι", "δεν υπάρχει", "nimic", "ninguém", "sin número",
                                  "não se aplica", "nicht zutreffend", "keine Nummer",
                                  "ingenting", "ej angivet", "ikke angivet", "ikke oppgitt",
                                  "nie podano", "не указано", "не вказано"])
def test_none_words_of_more_languages_give_way_to_the_real_id(word: str) -> None:
    cfg = replace(DedupeConfig.default(), identifier_fields={"k_ext": "Order ID"})
    base = replace(S, title="Nordwind Technik - Spare parts order", org_name="Nordwind Technik",
                   pipeline_id=1, stage_id=1, stage_order=1)
    pair = [replace(base, fields={"k_ext": "PO-4711"}),
            replace(base, id=2, fields={"k_ext": word}, add_time=NOW + timedelta(seconds=30))]
    assert [g.band for g in find_duplicates(pair, cfg).groups] == ["duplicate"]


@pytest.mark.parametrize("word", ["ne", "nu", "ei", "nej", "nie", "не"])
def test_short_none_words_keep_a_pair_at_review(word: str) -> None:
    cfg = replace(DedupeConfig.default(), identifier_fields={"k_ext": "Order ID"})
    base = replace(S, title="Nordwind Technik - Spare parts order", org_name="Nordwind Technik",
                   pipeline_id=1, stage_id=1, stage_order=1)
    pair = [replace(base, fields={"k_ext": "PO-4711"}),
            replace(base, id=2, fields={"k_ext": word}, add_time=NOW + timedelta(seconds=30))]
    assert [g.band for g in find_duplicates(pair, cfg).groups] == ["review"]
