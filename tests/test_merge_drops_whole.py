"""What a merge drops is said whole, one line per note (x27r3 5): a monetary field with its
currency, a date or time range with its end, a time with its time zone, an address with its
locality and other parts, a multi-line text on one line; a structured value that differs
from the survivor's in any part (the same amount in another currency, the same start with
another end) is a drop, not "the same"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.field_text import field_text, whole
from jobs.merging import prepare_merge, read_pairs
from tests.import_support import api_context
from tests.update_support import deal, load_job

FIELDS = (("Money", "monetary"), ("Period", "daterange"), ("Site", "address"),
          ("Story", "text"), ("Call at", "time"), ("Hours", "timerange"))

# field: (the survivor's value, the merged deal's value, how the drop reads; None: kept)
CASES: dict[str, tuple[Any, Any, str | None]] = {
    "Money": ({"value": 500, "currency": "EUR"}, {"value": 500, "currency": "GBP"},
              "Money 500.00 GBP"),  # grouped, its minor units, as the deal value (x45r7 F2)
    "Period": ({"value": "2026-01-01", "until": "2026-01-31"},
               {"value": "2026-01-01", "until": "2026-03-31"},
               "Period 2026-01-01 to 2026-03-31"),
    "Site": ({"value": "Main St 1", "locality": "Berlin"},
             {"value": "High St 2", "route": "High St", "locality": "London",
              "country": "United Kingdom", "postal_code": "N1 9GU"},
             "Site High St 2 (route High St, locality London, country United Kingdom, "
             "postal code N1 9GU)"),
    "Story": ("kept", "first line\nsecond line\r\nthird", "Story 'first line\\nsecond line"
              "\\r\\nthird'"),
    "Call at": ({"value": "09:00:00", "timezone_name": "Europe/Berlin"},
                {"value": "09:00:00", "timezone_name": "Europe/London"},
                "Call at 09:00:00 Europe/London"),
    "Hours": ({"value": "09:00:00", "until": "17:00:00", "timezone_name": None},
              {"value": "09:00:00", "until": "18:00:00", "timezone_name": "Europe/Paris"},
              "Hours 09:00:00 to 18:00:00 Europe/Paris"),
}


async def _fields(sb: Sandbox, tmp: Path) -> dict[str, str]:
    async with api_context(sb, tmp / "fields") as ctx:
        for name, ftype in FIELDS:
            await ctx.call("addDealField", json={"field_name": name, "field_type": ftype})
    return {f["field_name"]: code for code, f in sb.state.fields.items() if f["is_custom_field"]}


@pytest.mark.anyio
async def test_a_merges_drops_are_whole_and_one_line(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=4, seed=27)) as sb:
        codes = await _fields(sb, tmp_path)
        for deal_id, at in ((1, 0), (2, 1)):
            d = deal(sb, deal_id)
            d.update(value=0, currency="EUR", status="open", stage_id=deal(sb, 1)["stage_id"],
                     title=deal(sb, 1)["title"])
            d["custom_fields"] = {**d["custom_fields"],
                                  **{codes[name]: case[at] for name, case in CASES.items()}}
            sb.state.save("deal", d)
        pairs = tmp_path / "pairs.csv"
        pairs.write_text("merge_id,survivor_id\n2,1\n")

        async def build(s: Any) -> Any:
            return await prepare_merge(s.ctx, read_pairs(pairs))
        store, prep = await load_job(sb, tmp_path, "merge", build)
        store.close()
    notes = [n for n in prep.notes if "the merge drops" in n]
    assert len(notes) == 1, prep.notes
    assert "\n" not in notes[0] and "\r" not in notes[0], notes[0]
    listed = notes[0].split(": the merge drops ", 1)[1].split("; ")
    for name, (_, _, shown) in CASES.items():
        assert f"{shown} (deal 2)" in listed, (name, listed)


@given(st.text())
def test_a_text_is_always_one_line(text: str) -> None:
    """Whatever a text holds, its line is one line, and a text with a break is quoted."""
    shown = field_text(text)
    assert len(shown.splitlines()) <= 1 and not shown.endswith(("\n", "\r")), shown
    if len(text.splitlines()) > 1:
        assert shown == repr(text)


def test_every_part_is_said_and_compared() -> None:
    assert field_text({"value": None, "currency": "EUR"}) == "no amount EUR"
    assert field_text({"value": 500.0, "currency": "EUR"}) == "500.00 EUR"
    assert field_text({"value": 1234567.5, "currency": "JPY"}) == "1,234,567.5 JPY"
    assert field_text({"value": "2026-01-01", "until": None}) == "from 2026-01-01"
    assert field_text({"value": None, "locality": "Berlin"}) == "locality Berlin"
    assert field_text({"value": "Main St 1", "formatted_address": "Main St 1"}) == "Main St 1"
    assert field_text([3, 1]) == "3, 1"
    assert field_text({"id": 7, "name": "Ann"}) == "7"
    assert whole({"value": 500, "currency": "EUR"}) != whole({"value": 500, "currency": "GBP"})
    assert whole({"value": 500.0, "currency": "EUR"}) == whole({"value": 500, "currency": "EUR"})
    assert whole({"value": "a", "locality": None}) == whole({"value": "a"})
    assert whole({"id": 7, "name": "Ann"}) == whole({"id": 7, "active_flag": True})
    assert whole([2, 1]) == whole([1, 2])
