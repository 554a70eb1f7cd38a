"""A pending move whose deal someone else already put exactly where it goes is already as
wanted (unchanged), not a conflict: the fields Pipedrive sets with the change (a stage's
pipeline, a status's times) go with the written ones (x51r13 F3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_inflight_conflicts import SALES_OPEN, by_key, cli, load_move

NEGOTIATIONS = 5  # Sales' "Negotiations Started", seed 41


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=30, seed=41)) as box:
        yield box
def test_a_pending_close_someone_made_exactly_is_already_as_wanted(
        sb: Sandbox, tmp_path: Path) -> None:
    """x51r13 F3 (close_b): a pending move to "Negotiations Started" won; someone else
    closed the deals won at that stage (Pipedrive set their won and close times). The
    resume failed each as a conflict ("won_time: None then, … now", exit 3); now each is
    "already as wanted (unchanged)", nothing sent, as same-stage moves and updates are."""
    from tests.test_inflight_conflicts import patch

    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "won")
    for deal_id in SALES_OPEN:
        patch(sb, deal_id, {"stage_id": NEGOTIATIONS, "status": "won"})
    before = sb.stats()["writes_applied"].get("updateDeal", 0)
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "3 already as wanted (unchanged)" in resumed.output, resumed.output
    assert {r["action"] for _, _, r in by_key(jobs, "mv").values()} == {"unchanged"}
    assert sb.stats()["writes_applied"].get("updateDeal", 0) == before
