"""A categorical custom field whose values differ (an option, a set of options, a user...)
is evidence against a match: such a pair is review at most, never merged unattended, as a
conflicting currency or identifier is never merged (x18r1 3: `License purchase` twice, CRM
on one and Analytics on the other, 12 of 12 pairs scored 1.000 and merged). The plan shows
option fields by their options' labels, not their ids (``Products of interest [7]``)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.dedupe_job_support import deal, plan, seed_account


def _products(sb: Any) -> tuple[str, dict[str, int]]:
    field = next(f for f in sb.state.custom_fields() if f["field_name"] == "Products of interest")
    return field["field_code"], {o["label"]: o["id"] for o in field["options"]}


def _row(directory: Path, a: int, b: int) -> dict[str, str] | None:
    text = (directory / "groups.csv").read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(text.splitlines()) if {a, b} == {
        int(r["survivor_id"]), *map(int, r["merged_ids"].split(";"))}]
    return rows[0] if rows else None


@pytest.mark.anyio
@pytest.mark.parametrize("wanted", [("CRM", "Analytics"), ("CRM", "CRM")])
async def test_other_options_keep_a_pair_out_of_the_duplicate_band(
        tmp_path: Path, wanted: tuple[str, str]) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=40)) as sb:
        key, options = _products(sb)
        org_id = seed_account(sb)["orgs"]["initech"]
        a, b = (deal(sb, "License purchase", org_id, value=700, add=add,
                     custom_fields={key: [options[label]]})
                for add, label in zip(("2026-11-03T10:00:00Z", "2026-11-05T10:00:00Z"),
                                      wanted, strict=True))
        await plan(sb, tmp_path, tmp_path / "p1")
        row = _row(tmp_path / "p1", a, b)
        assert row is not None
        if wanted[0] == wanted[1]:
            assert row["band"] == "duplicate", row
            return
        assert row["band"] == "review", row
        assert "different Products of interest CRM≠Analytics" in row["reasons"], row
        merged = int(row["merged_ids"])
        lost = "Analytics" if merged == b else "CRM"
        assert f"Products of interest {lost} (deal {merged})" in row["drops"], row
        assert "[" not in row["drops"], row
        page = (tmp_path / "p1" / "review.html").read_text(encoding="utf-8")
        assert "<td class=\"diff\">CRM</td>" in page and "<td class=\"diff\">Analytics</td>" in page
