"""The plan counts ``status`` only for the deals whose status changes: a new lost reason on
a deal already lost carries ``status`` in its PATCH but changes no status (x34r5: every
such deal was counted, and "dated today")."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.deals import changed_fields
from tests.import_support import UPSERT_FAST, UPSERT_MAPPING_HEAD, upserted
from tests.test_upsert_corrected_contacts import _plan

pytestmark = pytest.mark.anyio
FAST = UPSERT_FAST
MAPPING = UPSERT_MAPPING_HEAD + """status = "Status"
lost_reason = "Reason"
[person]
name = "Contact"
email = "Email"
[organization]
name = "Company"
"""
HEADER = "Key,Title,Amount,Status,Reason,Contact,Email,Company\n"


async def test_a_lost_deal_given_a_new_reason_changes_no_status(tmp_path: Path) -> None:
    """R1 and R2 lost already, R3 won: the file gives R1 and R2 new lost reasons and loses
    R3. The plan counts status once (R3; before: 3) and one deal dated today (before: 3)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        mapping = tmp_path / "m.toml"
        mapping.write_text(MAPPING)
        first = tmp_path / "first.csv"
        first.write_text(HEADER + "R1,One,1,lost,Price,,,\nR2,Two,2,lost,,,,\nR3,Three,3,won,,,,\n")
        await upserted(sb, tmp_path, first, mapping, "night-1")
        second = tmp_path / "second.csv"
        second.write_text(HEADER + "R1,One,1,lost,Budget,,,\nR2,Two,2,lost,Late,,,\n"
                          "R3,Three,3,lost,,,,\n")
        _, counts = await _plan(sb, tmp_path / "plan", second, mapping)
        assert counts.update == 3 and counts.fields["lost_reason"] == 2, counts
        assert counts.fields["status"] == 1 and counts.closed_undated == 1, counts


def test_changed_fields_leaves_out_a_status_the_deal_has() -> None:
    """``changed_fields`` with the deal: a status it has already, carried with a new lost
    reason, is not counted; without the deal, every key of the PATCH is (as before)."""
    changes = {"status": "lost", "lost_reason": "Budget"}
    assert changed_fields(changes, None, {"status": "lost"}) == ["lost_reason"]
    assert changed_fields(changes, None, {"status": "open"}) == ["status", "lost_reason"]
    assert changed_fields(changes) == ["status", "lost_reason"]
