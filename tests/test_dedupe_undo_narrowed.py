"""Undo of a dedupe night stopped between two merges of one group: the survivor's PATCH set
fields from the deal merged away (left: putting them back would lose them) and one from a
deal whose merge never went (put back). The restore is narrowed to exactly that field,
and its row in succeeded.csv says which fields were left and why (before: an empty note);
``--force`` puts every field back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.scheduler import BudgetPolicy
from bulk.store import ItemState
from jobs.dedupe.apply import ApplyOptions, prepare_apply
from jobs.dedupe.config import DedupeConfig
from jobs.undo import prepare_undo
from tests.dedupe_job_support import deal, plan, seed_account
from tests.import_support import read_csv
from tests.update_support import deal as sb_deal
from tests.update_support import load_job, run_job

POLICY = DedupeConfig.from_mapping({"field_policy": {"value": "max",
                                                     "expected_close_date": "latest"}})
_TIMES = ("update_time", "stage_change_time")  # what any write moves


async def _stopped_night(sb: Any, tmp_path: Path) -> tuple[Any, dict[str, int]]:
    """A group of three (survivor "web", "web_copy", "late" with the only close date) and
    a dedupe apply stopped by its token cap after the group's first merge: the PATCH set
    value 1000.01 and the title from web_copy (merged away) and the close date from "late"
    (its merge still pending)."""
    seeded = seed_account(sb)
    ids = dict(seeded["ids"])
    ids["late"] = deal(sb, "ACME Corp \u2013 Website redesign", seeded["orgs"]["acme"],
                       value=1000, add="2026-11-01T10:04:00Z", expected_close_date="2027-06-30")
    out = await plan(sb, tmp_path, tmp_path / "p1", POLICY)
    group = next(g for g in out.result.groups if ids["web"] == g.survivor_id)
    assert sorted(group.merged_ids) == sorted([ids["web_copy"], ids["late"]]), group

    async def build(s: Any) -> Any:
        return await prepare_apply(s.ctx, tmp_path / "p1", ApplyOptions(),
                                   state_dir=tmp_path / "state")
    store, _ = await load_job(sb, tmp_path / "jobs", "dedupe", build, job_id="night",
                              budget=BudgetPolicy(max_tokens=80), max_workers=1)
    first = next(i for i in store.items() if i.payload.get("patch"))
    assert set(first.payload["patch"]) == {"value", "expected_close_date", "title"}, first
    assert first.payload["merge_id"] == ids["web_copy"]
    result = await run_job(sb, store)
    assert result.stopped
    states = {i.payload.get("merge_id"): i.state for i in store.items()}
    assert states[ids["web_copy"]] is ItemState.DONE
    assert states[ids["late"]] is ItemState.PENDING
    survivor = sb_deal(sb, ids["web"])
    assert (survivor["value"], survivor["expected_close_date"]) == (1000.01, "2027-06-30")
    return store, ids


@pytest.mark.anyio
@pytest.mark.parametrize("force", [False, True])
async def test_undo_of_a_stopped_dedupe_puts_back_exactly_the_fields_not_merged_in(
        tmp_path: Path, force: bool) -> None:
    """Only the close date (from the unmerged deal) comes back; the value and title that
    came from the deal merged away stay, and no other field moves. With ``--force`` the
    value, title and close date all come back."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=41)) as sb:
        store, ids = await _stopped_night(sb, tmp_path)
        before = sb_deal(sb, ids["web"])

        async def undo_it(s: Any) -> Any:
            return await prepare_undo(s.ctx, store, force=force)
        undo, prep = await load_job(sb, tmp_path / "jobs", "undo", undo_it, job_id="undo-1")
        assert prep.actions == {"restore": 1}, prep.actions
        (restore,) = [i for i in undo.items() if i.op == "restore"]
        wanted = ({"expected_close_date": None, "title": "Website redesign", "value": 1000}
                  if force else {"expected_close_date": None})
        assert restore.payload["changes"] == wanted, restore.payload
        said = " ".join(prep.notes)
        assert f"its value 1000.01 came from deal {ids['web_copy']}, merged away" in said, said
        assert f"deal {ids['late']}" not in said, said  # its close date: not merged away
        await run_job(sb, undo)
        after = sb_deal(sb, ids["web"])
        moved = {k for k in after if after[k] != before[k] and k not in _TIMES}
        assert moved == set(wanted), (moved, {k: (before[k], after[k]) for k in moved})
        assert {k: after[k] for k in wanted} == wanted
        if not force:
            assert (after["value"], after["title"]) == (1000.01, "ACME Corp \u2013 Website redesign")
        assert sb_deal(sb, ids["late"])["expected_close_date"] == "2027-06-30"  # untouched
        assert not sb_deal(sb, ids["late"])["is_deleted"]
        (row,) = read_csv(undo.directory / "succeeded.csv")
        assert int(row["deal_id"]) == ids["web"], row
        assert row["fields"] == "; ".join(sorted(wanted)), row
        if not force:  # before: the row said nothing of the fields left
            assert f"value 1000.01 came from deal {ids['web_copy']}, merged away" in row["note"] \
                and "it is left" in row["note"], row
        undo.close()
        store.close()
