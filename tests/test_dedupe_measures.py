"""A measured custom field whose values differ (an amount and its currency, a number, a time,
a time range, a date range, a phone number, an address) is evidence against a match: such a
pair is review at most, never merged unattended (x26r1 1: `Rahmenvertrag 2` twice, custom
monetary `Contract value` 10,000 / 90,000 EUR or double `Discount` 5 / 15, 12 of 12 pairs
scored 1.000 and merged, the other value kept on no live deal). Every Pipedrive field type
is sorted into identifier, date, category, measure or no evidence (``config``)."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.fields import custom_field
from jobs.dedupe import config as dedupe_config
from jobs.dedupe.config import DedupeConfig, resolve_identifiers
from jobs.dedupe.model import DealRecord
from jobs.dedupe.scoring import prepare, score_pair
from tests.dedupe_job_support import deal, plan, seed_account

T = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# every field_type of openapi-v2 getDealFields, one custom field each ("f" + type, padded)
TYPES = ("int", "double", "boolean", "varchar", "text", "phone", "varchar_options",
         "varchar_auto", "date", "daterange", "time", "timerange", "enum", "set", "address",
         "monetary", "deal", "deals", "lead", "org", "people", "project", "stage", "user",
         "activity")
KEY = {t: f"{t:f<40}"[:40] for t in TYPES}
FIELDS = [{"field_code": KEY[t], "field_name": t.capitalize(), "field_type": t,
           "is_custom_field": True} for t in TYPES]
CFG = resolve_identifiers(DedupeConfig.default(), FIELDS)
BASE = DealRecord(id=1, title="Rahmenvertrag 2", status="open", org_id=10, org_name="Acme GmbH",
                  person_id=5, value=5000.0, currency="EUR", pipeline_id=1, stage_id=2,
                  stage_order=2, owner_id=1, add_time=T, update_time=T)

# (field type, value on one deal, value on the other, the pair is two records)
LABELLED: list[tuple[str, object, object, bool]] = [
    ("monetary", {"value": 10000, "currency": "EUR"}, {"value": 90000, "currency": "EUR"}, True),
    ("monetary", {"value": 10000, "currency": "EUR"}, {"value": 10000, "currency": "USD"}, True),
    ("monetary", {"value": 10000, "currency": "EUR"}, {"value": 10000.0, "currency": "eur"}, False),
    ("monetary", {"value": 10000, "currency": "EUR"}, None, False),
    ("double", 5, 15, True),
    ("double", 5, 5.0, False),
    ("double", 0, 15, True),
    ("int", 3, 4, True),
    ("int", 3, "3", False),
    ("time", {"value": "09:00:00", "timezone_name": "Europe/Berlin"},
     {"value": "14:00:00", "timezone_name": "Europe/Berlin"}, True),
    ("time", {"value": "09:00:00", "timezone_name": "Europe/Berlin"},
     {"value": "09:00:00"}, False),
    ("timerange", {"value": "09:00:00", "until": "10:00:00"},
     {"value": "09:00:00", "until": "12:00:00"}, True),
    ("daterange", {"value": "2026-01-01", "until": "2026-12-31"},
     {"value": "2027-01-01", "until": "2027-12-31"}, True),
    ("daterange", {"value": "2026-01-01", "until": "2026-12-31"},
     {"value": "2026-01-05", "until": "2026-12-31"}, False),
    ("phone", "+49 30 1234567", "+49 40 7654321", True),
    ("phone", "+49 30 1234567", "030 123 45 67", False),
    ("address", {"value": "Hauptstraße 5, 10115 Berlin"}, {"value": "Hauptstraße 17, 10115 Berlin"},
     True),
    ("address", {"value": "Hauptstraße 5, 10115 Berlin"}, {"value": "Hauptstr. 5, 10115 Berlin"},
     False),
    ("varchar_options", "Gold", "Silver", True),
    ("deal", 101, 102, True),
    ("stage", 2, 3, True),
    ("varchar", "call back Monday", "called, sent offer", False),
    ("text", "long notes", "other notes", False),
    ("boolean", True, False, False),
]


def _pair(ftype: str, x: object, y: object) -> tuple[str, tuple[str, ...]]:
    a = replace(BASE, fields={} if x is None else {KEY[ftype]: x})
    b = replace(BASE, id=2, add_time=T + timedelta(minutes=2),
                fields={} if y is None else {KEY[ftype]: y})
    sp = score_pair(prepare(a, CFG), prepare(b, CFG), CFG)
    return sp.band, sp.reasons


def test_every_field_type_is_sorted() -> None:
    """The plan reads every measured and categorical field type, dates and date ranges as
    dates; free text, flags and activities are no evidence."""
    measured = {"monetary", "double", "int", "time", "timerange", "phone", "address"}
    assert dedupe_config.MEASURE_FIELD_TYPES == measured
    assert set(CFG.measure_fields) == {KEY[t] for t in measured}
    assert set(CFG.category_fields) == {KEY[t] for t in dedupe_config.CATEGORY_FIELD_TYPES}
    assert set(CFG.date_fields) == {KEY["date"], KEY["daterange"]}
    assert CFG.measure_fields[KEY["monetary"]] == ("monetary", "Monetary")


@pytest.mark.parametrize(("ftype", "x", "y", "two"), LABELLED)
def test_a_differing_measure_holds_the_pair_at_review(
        ftype: str, x: object, y: object, two: bool) -> None:
    """Two records by a measured field: review with a reason naming the field; the same
    measure written otherwise, or on one side only: merged as before."""
    band, reasons = _pair(ftype, x, y)
    assert band == ("review" if two else "duplicate"), (ftype, x, y, reasons)
    if two:
        assert any(r.startswith(("different ", "dates differ")) and ftype.capitalize() in r
                   for r in reasons), reasons


def test_labelled_precision_and_recall() -> None:
    """Over the labelled pairs: no pair of two records is merged unattended (precision 1.0),
    and every pair of one record is (recall 1.0)."""
    merged = [(t, x, y) for t, x, y, two in LABELLED if _pair(t, x, y)[0] == "duplicate"]
    wrong = [m for m in merged if any(m == (t, x, y) and two for t, x, y, two in LABELLED)]
    ones = [(t, x, y) for t, x, y, two in LABELLED if not two]
    assert not wrong and len(merged) == len(ones)


def _row(directory: Path, a: int, b: int) -> dict[str, str] | None:
    text = (directory / "groups.csv").read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(text.splitlines()) if {a, b} == {
        int(r["survivor_id"]), *map(int, r["merged_ids"].split(";"))}]
    return rows[0] if rows else None


@pytest.mark.anyio
@pytest.mark.parametrize("amounts", [(10000, 90000), (10000, 10000)])
async def test_a_plan_holds_two_contract_values_at_review(
        tmp_path: Path, amounts: tuple[int, int]) -> None:
    """End to end: a monetary custom field read from dealFields keeps `Rahmenvertrag 2` at
    10,000 / 90,000 EUR in review, and at one amount the copy is still a duplicate."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=40)) as sb:
        code = "c0" * 20
        sb.state.fields[code] = custom_field(code, "Contract value", "monetary", None)
        org_id = seed_account(sb)["orgs"]["initech"]
        ids: list[Any] = [deal(sb, "Rahmenvertrag 2", org_id, value=5000, add=add,
                               custom_fields={code: {"value": v, "currency": "EUR"}})
                          for add, v in zip(("2026-11-03T10:00:00Z", "2026-11-03T10:02:00Z"),
                                            amounts, strict=True)]
        await plan(sb, tmp_path, tmp_path / "p1")
        row = _row(tmp_path / "p1", *ids)
        assert row is not None
        if amounts[0] == amounts[1]:
            assert row["band"] == "duplicate", row
            return
        assert row["band"] == "review", row
        assert "different Contract value 10,000.00 EUR≠90,000.00 EUR" in row["reasons"], row
