"""A merged group keeps its clean title, whichever deal survives: not a "(copy)", not a
misspelling, not a lower-case re-entry (x23r2 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.dedupe.apply import ApplyOptions
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops, policy_changes
from jobs.dedupe.titles import copy_form, group_title
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.update_support import deal as sb_deal
from tests.update_support import run_job

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
RECENT = DedupeConfig.from_mapping({"survivor_rules": ["most_recently_updated", "oldest"]})


def _deal(i: int, title: str, minutes: int = 0) -> DealRecord:
    at = T + timedelta(minutes=minutes)
    return DealRecord(id=i, title=title, status="open", org_id=7, person_id=3, value=900.0,
                      add_time=at, update_time=at)


def _group(survivor: DealRecord, *merged: DealRecord) -> Group:
    return Group(id=f"g-{min(r.id for r in (survivor, *merged))}", survivor_id=survivor.id,
                 merged_ids=tuple(r.id for r in merged), band="duplicate", score=0.95,
                 reasons=(), survivor_reasons=(), differing=("title",))


@pytest.mark.parametrize(("survivor_title", "others", "kept"), [
    ("conference room av upgrade (copy)", ["Conference Room AV Upgrade",
                                           "Conference Room AV Upgrade"],
     "Conference Room AV Upgrade"),
    ("Copy of Fleet leasing", ["Fleet leasing"], "Fleet leasing"),
    ("Helpdesk Implementaton", ["Helpdesk Implementation"], "Helpdesk Implementation"),
    ("website redesign", ["Website redesign"], "Website redesign"),
    ("WEBSITE REDESIGN", ["Website redesign"], "Website redesign"),
])
def test_the_group_keeps_its_clean_title(survivor_title: str, others: list[str],
                                         kept: str) -> None:
    """The survivor (the newest copy) gets the group's clean title by its PATCH; the plan
    no longer says it drops that title, and says the survivor's was written over."""
    survivor = _deal(9, survivor_title, 60)
    merged = [_deal(i + 1, t, i) for i, t in enumerate(others)]
    records = {r.id: r for r in (survivor, *merged)}
    group = _group(survivor, *merged)
    changes = policy_changes(group, records, {})
    assert changes.get("title") == kept
    # the clean title is not dropped; the survivor's own is said written over (x51r14 F1)
    # (a change of case only is the same title: not said)
    assert [d for d in merge_drops(group, records, changes) if d.startswith("title")] == [
        f"title {survivor_title!r} (deal 9, the survivor: the group's cleaner title written "
        f"over it, {kept!r})"][:survivor_title.casefold() != kept.casefold()]


@pytest.mark.parametrize(("survivor_title", "other"), [
    ("Website redesign", "website redesign (copy)"),   # the survivor's is the clean one
    ("Acme - Website redesign", "Website redesign"),   # another wording, not a defect
    ("Website redesign", "Website redesing"),
])
def test_a_clean_survivor_title_stays(survivor_title: str, other: str) -> None:
    """No PATCH when the survivor's title is as clean as any other of the group."""
    survivor, copy = _deal(9, survivor_title, 60), _deal(1, other)
    assert group_title([survivor, copy], survivor) is None
    assert "title" not in policy_changes(_group(survivor, copy),
                                         {9: survivor, 1: copy}, {})


def test_a_title_policy_wins_and_copy_forms_are_named() -> None:
    """A configured ``title`` policy is the user's choice: no other title is put in."""
    survivor, copy = _deal(9, "Fleet leasing (copy)", 60), _deal(1, "Fleet leasing")
    assert "title" not in policy_changes(_group(survivor, copy), {9: survivor, 1: copy},
                                         {"title": "survivor"})
    assert copy_form("Fleet leasing (Copy 2)") and copy_form("copy of X") \
        and copy_form("X - copy") and not copy_form("Copywriting retainer")


@pytest.mark.anyio
async def test_apply_leaves_the_survivor_with_the_clean_title(tmp_path: Path) -> None:
    """x23r2's triple, survivor rule most_recently_updated: after apply the one live deal
    is titled ``Conference Room AV Upgrade``."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        acme = org(sb, "Acme Corp")
        ids = [deal(sb, title, acme, value=900, add=add, update=add) for title, add in (
            ("Conference Room AV Upgrade", "2026-11-02T09:00:00Z"),
            ("Conference Room AV Upgrade", "2026-11-02T09:05:00Z"),
            ("conference room av upgrade (copy)", "2026-11-02T09:10:00Z"))]
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        out = await plan(sb, tmp_path, tmp_path / "p", RECENT)
        (g,) = out.result.groups
        assert g.survivor_id == ids[2]
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p", ApplyOptions())
        await run_job(sb, store)
        store.close()
        live = [i for i in ids if not sb_deal(sb, i)["is_deleted"]]
        assert live == [ids[2]]
        assert sb_deal(sb, ids[2])["title"] == "Conference Room AV Upgrade"


@pytest.mark.parametrize(("survivor_title", "other", "kept"), [
    ("Cafe Cloud migration Aarhus", "Café Cloud migration Aarhus", "Café Cloud migration Aarhus"),
    ("Café Cloud migration Aarhus", "Cafe Cloud migration Aarhus", None),
    ("Umzug Mueller", "Umzug Müller", "Umzug Müller"),
    ("Umzug Muller", "Umzug Müller", "Umzug Müller"),
    ("Hauptstrasse Umbau", "Hauptstraße Umbau", "Hauptstraße Umbau"),
    ("Region Nord", "Région Sud", None),  # another title, not the same one with accents
])
def test_the_group_keeps_the_accented_title(survivor_title: str, other: str,
                                            kept: str | None) -> None:
    """x26r1 7: `Café Cloud migration Aarhus` / `Cafe Cloud migration Aarhus`, the plain
    later copy survived and the accented title was kept on no live deal (45 of 45): the
    title written with its accents, umlauts or ß is the richer form, whichever survives."""
    survivor, copy = _deal(9, survivor_title, 60), _deal(1, other)
    chosen = group_title([survivor, copy], survivor)
    assert (None if chosen is None else chosen[0]) == kept
