"""An organization merged into one merged again since (A into B, then B into C) cannot be
followed: the second merge moves again everything the first moved, so nothing changed in
A's second is left to name B, and no answer names B (``bulk.sandbox.merge``; FACTS.md: a
merge names no survivor). The undo leaves such a link — never a guess — and says exactly
why, in the row and in the plan's line (f39b left it as a bare "deleted since" or an
unexplained conflict)."""

from __future__ import annotations

from pathlib import Path

import orjson

from bulk.sandbox.merge import merge
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import cli, engine
from tests.test_undo_dead_links import CONFIG, _deals, _nights
from tests.test_undo_link_merged import _night1
from tests.test_undo_merged_org import _later, _undo

CHAIN = "merged into a record merged again since"


def test_a_restore_of_an_organization_merged_twice_says_why_it_is_left(tmp_path: Path) -> None:
    """K2's organization before the upsert merged into Org3, then Org3 into K1's: the undo
    leaves K2's link (the rest put back), its row and the plan's line naming the chain."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, now = _nights(sb, tmp_path)
        a, b, c = was["K2"]["org_id"], was["K3"]["org_id"], was["K1"]["org_id"]
        with _later(sb, 2.0):
            merge(sb.state, "organization", a, {"merge_with_id": b})
        with _later(sb, 4.0):
            merge(sb.state, "organization", b, {"merge_with_id": c})
        plan, _, rows = _undo(sb, jobs, night2)
        after = _deals(sb)
        assert after["K2"]["org_id"] == now["K2"]["org_id"], after["K2"]
        assert after["K2"]["value"] == 200, after["K2"]
        assert f"its organization {a} before the job was deleted since (or {CHAIN}" \
            in rows["K2"]["note"], rows["K2"]
        assert any(CHAIN in n and "(A into B, then B into C)" in n for n in plan["notes"]), \
            plan["notes"]


def test_an_import_undo_of_a_deal_whose_organization_was_merged_twice_says_why(
        tmp_path: Path) -> None:
    """The import's K2 organization merged into K3's, then that into K1's: K2 (now on K1's
    organization) is left, a conflict whose reason says the link is not followed and why."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        a, b, c = was["K2"]["org_id"], was["K3"]["org_id"], was["K1"]["org_id"]
        with _later(sb, 2.0):
            merge(sb.state, "organization", a, {"merge_with_id": b})
        with _later(sb, 4.0):
            merge(sb.state, "organization", b, {"merge_with_id": c})
        planned = cli(sb, jobs, "plan", "undo", night1, "--json", *engine(sb, jobs))
        plan = orjson.loads(planned.stdout)
        undone = cli(sb, jobs, "undo", night1, "--yes", *engine(sb, jobs))
        assert undone.exit_code == 3, undone.output
        assert sorted(_deals(sb)) == ["K2"], _deals(sb)
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        (row,) = read_csv(undo_dir / "failed.csv")
        assert row["key"] == "K2" and row["reason"].startswith("conflict:"), row
        assert f"its organization {a} (the job's) is gone since and nothing ties it to " \
            f"organization {c}" in row["reason"], row
        assert f"{CHAIN} (A into B, then B into C)" in row["reason"], row
        assert any(CHAIN in str(r) for r in plan.get("failed_rows", [])) or CHAIN in \
            planned.stdout, planned.stdout[-2000:]
