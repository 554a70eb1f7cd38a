"""A deal a colleague changes after the undo's plan (at its prompt, or while it runs) is
left alone, and its row says how to get the rest of it back without losing that change: a
new undo of the job once this one is done, which puts back the field groups still as the
job wrote them — never only "start the undo again with --force", which overwrites it
(f38b)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import cli, engine
from tests.test_undo_dead_links import CONFIG, _deals, _nights


def test_a_deal_changed_at_the_prompt_is_put_back_in_part_by_the_same_undo(
        tmp_path: Path) -> None:
    """K4's amount (301 → 401 and its stage moved by the upsert) set to 444 by a colleague
    while the undo's prompt waits: the undo itself keeps 444 and puts K4's stage back, one
    row ``restored in part`` naming the amount (x43r3 F3: it was left whole, a conflict,
    and a second `pdbulk undo` was needed for the stage)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, _ = _nights(sb, tmp_path)
        k4 = was["K4"]["id"]

        def answer(question: str) -> bool:  # a colleague's edit while the prompt waits
            deal = sb.state.deals.rows[k4]
            sb.state.deals.rows[k4] = {**deal, "value": 444,
                                       "update_time": sb.state.now_iso()}
            return True
        with mock.patch("pdbulk.cli_ops._confirmed", answer):
            first = cli(sb, jobs, "undo", night2, *engine(sb, jobs))
        assert first.exit_code == 0, first.output
        assert "1 restored in part" in first.output, first.output
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        assert not read_csv(undo_dir / "failed.csv")
        (row,) = [r for r in read_csv(undo_dir / "succeeded.csv") if r["key"] == "K4"]
        assert "since this undo was planned" in row["note"] and "444" in row["note"], row
        after = _deals(sb)["K4"]
        assert after["value"] == 444, after  # the colleague's change kept
        assert after["stage_id"] == was["K4"]["stage_id"], after  # the rest put back


def test_a_write_in_flight_over_a_change_names_the_new_undo_not_force_alone() -> None:
    """A restore a kill left in flight, its deal changed by a colleague before the resume:
    the conflict names `pdbulk undo <job>` (the change kept), --force only as what would
    overwrite it; a create's delete keeps its --force advice."""
    from bulk.store import Item, ItemState
    from jobs.undo.job import _in_flight

    def item(op: str) -> Item:
        return Item(id=1, row=1, key="k", op=op, payload={
            "deal_id": 7, "changes": {"stage_id": 1}, "wrote": {"stage_id": 4}},
            state=ItemState.SENDING, attempts=1, result=None, error=None, status=None,
            sent_at=1.0)
    image = {"id": 7, "update_time": "2030-01-01T00:00:00Z", "stage_id": 4}
    deal = {"id": 7, "update_time": "2031-01-01T00:00:00Z", "stage_id": 5,
            "is_archived": False}
    said = _in_flight(item("restore"), 7, deal, image, False, None, "J1").error or ""
    assert "the write may have applied before that change; once this undo is done, " \
        "`pdbulk undo J1` puts back what is still as the job wrote it and keeps this " \
        "change" in said, said
    assert "start the undo again with --force" not in said, said
    deleted = _in_flight(item("delete"), 7, deal, image, False, None, "J1").error or ""
    assert "(start the undo again with --force to delete it)" in deleted, deleted
