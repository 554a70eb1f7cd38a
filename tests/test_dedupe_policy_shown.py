"""groups.csv's ``policy_fields`` and review.html show the field-policy PATCH's new values,
not only which fields it sets (x33r1 L2)."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.dedupe.config import DedupeConfig
from tests.dedupe_job_support import plan, seed_account


@pytest.mark.anyio
async def test_the_plan_shows_the_survivors_new_values(tmp_path: Path) -> None:
    """value = max: the group of 1,000 and 1,000.01 says ``value 1,000.01 ...`` in groups.csv
    and review.html says the survivor is set to it."""
    cfg = replace(DedupeConfig.default(), field_policy={"value": "max"})
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=35)) as sb:
        ids = seed_account(sb)["ids"]
        out = await plan(sb, tmp_path, tmp_path / "p1", cfg)
    g = next(g for g in out.result.groups if ids["web"] in g.member_ids)
    with (tmp_path / "p1" / "groups.csv").open(encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["group_id"] == g.id)
    assert row["policy_fields"].startswith("value 1,000.01"), row
    assert row["policy_field_keys"] == "value"
    page = (tmp_path / "p1" / "review.html").read_text(encoding="utf-8")
    assert "the survivor is set to: value 1,000.01" in page
