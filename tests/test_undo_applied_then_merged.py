"""An undo's restore that had applied (its answer lost at a kill -9), then the person it
put back merged by a colleague into another, then the undo resumed: the resume's
reconcile finds the deal as the write wants it but for that link, which is the merge's
survivor — where Pipedrive moved the deal with the person it put back. The write had
applied (before it, the deal was on another person, which no merge of the restored one
moves), so the row is done, its note saying so; before, a conflict ("only partly as the
write wants it"). Nothing is sent again and nothing of the colleague's is overwritten."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import deals as sandbox_deals
from bulk.sandbox.merge import merge
from bulk.store import ItemState, JobStore
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_inflight_conflicts import in_flight
from tests.test_plan_tokens import cli
from tests.test_undo_dead_links import CONFIG, _deals, _nights
from tests.test_undo_killed_then_merged import _rows, _sends, load_undo
from tests.test_undo_merged_org import _later


def _k1(jobs: Path) -> object:
    with JobStore.open(jobs / "und", lock=False) as store:
        (k1,) = [i for i in store.items() if i.key == "K1"]
    return k1


def test_a_restore_applied_then_its_person_merged_is_done_on_resume(tmp_path: Path) -> None:
    """K1's restore applied before the kill (Ann Lee back on it, answer lost); Ann then
    merged into Cy Doe: the resume sends no PATCH to K1, which is done (`restored`, its
    note naming the merge), not a conflict; the rest restored, one row each."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, _night2, was, _ = _nights(sb, tmp_path)
        ann, cy = was["K1"]["person_id"], was["K3"]["person_id"]
        load_undo(sb, jobs, _night2)
        in_flight(jobs, "und")
        k1 = _k1(jobs)
        sandbox_deals.update(sb.state, int(k1.payload["deal_id"]),  # type: ignore[attr-defined]
                             k1.payload["changes"])  # type: ignore[attr-defined]
        with _later(sb, 2.0):
            merge(sb.state, "person", ann, {"merge_with_id": cy})
        patches = _sends(sb, "updateDeal")
        resumed = cli(sb, jobs, "resume", "und", "--job-dir", str(jobs))
        assert resumed.exit_code == 0, resumed.output
        assert _sends(sb, "updateDeal") - patches == 6, resumed.output  # K1's not again
        after = _deals(sb)
        assert after["K1"]["person_id"] == cy and after["K1"]["value"] == was["K1"]["value"]
        k1 = _k1(jobs)
        assert k1.state is ItemState.DONE, k1  # type: ignore[attr-defined]
        result = k1.result or {}  # type: ignore[attr-defined]
        assert result.get("action") == "restored", result
        assert f"its person {ann}, which this undo's write put back, was merged into person " \
            f"{cy} after the write applied" in str(result.get("note")), result
        done, failed, summary = _rows(jobs)
        assert not failed and sorted(r["key"] for r in done) == sorted(was), (done, failed)
        assert summary["undone"]["deals"] == 7, summary  # type: ignore[index]
        assert summary["merged_after_plan"]["rows"] == 1, summary  # type: ignore[index]


def test_a_restore_not_applied_whose_person_a_colleague_set_stays_a_conflict(
        tmp_path: Path) -> None:
    """K1's restore not applied; a colleague sets K1's person to Cy Doe and its value to
    the one before night 2 — but Ann Lee is not merged: a conflict as before, nothing
    sent (no guess)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, _ = _nights(sb, tmp_path)
        cy = was["K3"]["person_id"]
        load_undo(sb, jobs, night2)
        in_flight(jobs, "und")
        k1 = _k1(jobs)
        with _later(sb, 2.0):
            sandbox_deals.update(sb.state, int(k1.payload["deal_id"]),  # type: ignore[attr-defined]
                                 {**k1.payload["changes"], "person_id": cy})  # type: ignore[attr-defined]
        resumed = cli(sb, jobs, "resume", "und", "--job-dir", str(jobs))
        assert resumed.exit_code == 3, resumed.output
        assert _k1(jobs).state is ItemState.FAILED  # type: ignore[attr-defined]
        assert _deals(sb)["K1"]["person_id"] == cy
