"""Merges into one survivor go one after another, each answer recorded in the job before the
next merge into that survivor is sent, and a survivor's ``update_time`` that one of this
job's own merges returned is the job's own (x18r1 1: a kill -9 with two merges of one
3-deal group in flight left the group half-merged, the second merge skipped "survivor
changed since the plan" — by the first merge of its own group)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.calls import CallContext
from bulk.clock import SystemClock
from bulk.engine import Engine, EngineConfig
from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import Item, ItemState, JobStore, Outcome
from jobs.dedupe.apply import ApplyOptions
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.merge_job import DedupeJob
from jobs.merging import _later
from tests.dedupe_job_support import deal, load_apply, plan, seed_account
from tests.update_support import deal as sb_deal
from tests.update_support import run_job

MAX_VALUE = DedupeConfig.from_mapping({"field_policy": {"value": "max"}})
MERGED_AT = "2030-06-01T10:00:00Z"  # the survivor's time after the first merge (a later second)


async def _group(sb: Any, tmp_path: Path, config: DedupeConfig | None = None
                 ) -> tuple[JobStore, Item, Item]:
    """A loaded apply whose group web holds three deals: its two merges, in sending order."""
    acc = seed_account(sb)
    deal(sb, "Website Redesign", acc["orgs"]["acme"], value=1000, add="2026-11-01T10:05:00Z")
    await plan(sb, tmp_path, tmp_path / "p1", config)
    store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
    survivors = Counter(i.payload["survivor_id"] for i in store.items())
    first, second = (i for i in store.items()
                     if survivors[i.payload["survivor_id"]] == 2)
    return store, first, second


@pytest.mark.anyio
async def test_two_merges_of_one_group_in_flight_both_end_merged(tmp_path: Path) -> None:
    """The run died with both merges of a group in flight (no field policy: no PATCH):
    the first applied (its answer never recorded), the second not sent. The resume's
    reconcile takes the first as done and the survivor's time it then finds as this
    job's own: the second is sent, the group ends whole (it used to be skipped
    "survivor changed since the plan")."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        store, first, second = await _group(sb, tmp_path)
        store.mark_sending([first.id, second.id], 1.0)
        survivor = int(first.payload["survivor_id"])
        merge(sb.state, "deal", int(first.payload["merge_id"]), {"merge_with_id": survivor})
        sb.state.save("deal", {**sb_deal(sb, survivor), "update_time": MERGED_AT})
        result = await run_job(sb, store, kind=DedupeJob.from_store(store))
        assert not result.stopped, result.error
        states = {i.key: (i.state, i.error or (i.result or {}).get("reason"))
                  for i in store.items()}
        assert states[first.key][0] is ItemState.DONE, states[first.key]
        assert states[second.key][0] is ItemState.DONE, states[second.key]
        assert sb_deal(sb, int(second.payload["merge_id"]))["is_deleted"]
        store.close()


class _Shifted(SystemClock):
    """The sandbox's clock, moved on by hand (its times are whole seconds)."""

    shift = 0.0

    def wall(self) -> float:
        return super().wall() + self.shift


class _Watched:
    """``ctx`` as a merge job sees it; before each ``mergeDeals`` it notes whether a job
    opened fresh on the store (a resume after a kill -9 right now) would take the
    survivor as it is for this job's own."""

    def __init__(self, ctx: CallContext, sb: Any, store: JobStore, seen: list[str]) -> None:
        self._ctx, self._sb, self._store, self._seen = ctx, sb, store, seen

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)

    async def call(self, operation: str, **kw: Any) -> Any:
        self._sb.config.clock.shift += 2.0  # every write of the job in a second of its own
        if operation == "mergeDeals":
            survivor = int(kw["json"]["merge_with_id"])
            expected = DedupeJob.from_store(self._store)._expected().get(survivor)
            now = sb_deal(self._sb, survivor)["update_time"]
            self._seen.append("own" if expected is None or not _later(now, expected)
                              else f"{now} newer than {expected}")
        return await self._ctx.call(operation, **kw)


class _Watching(DedupeJob):
    def __init__(self, store: JobStore, sb: Any, seen: list[str]) -> None:
        super().__init__(store)
        self._sb, self._seen = sb, seen

    async def _merge(self, ctx: CallContext, item: Item) -> Outcome:
        assert self._store is not None
        return await super()._merge(
            _Watched(ctx, self._sb, self._store, self._seen), item)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_a_merge_into_a_survivor_is_sent_once_the_last_answer_is_recorded(
        tmp_path: Path) -> None:
    """At every merge sent, the job's store already holds the update_time the survivor's
    last merge (or PATCH) returned: a kill -9 at any moment leaves no write into that
    survivor unrecorded but the one in flight (the outcome used to wait up to 0.25 s in
    the runner's buffer while the next merge into the same survivor went out)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31,
                                   clock=_Shifted())) as sb:
        store, first, second = await _group(sb, tmp_path, MAX_VALUE)
        assert first.payload.get("patch") and second.payload.get("needs_patch")
        seen: list[str] = []
        config = EngineConfig.from_json(store.config["engine"])
        with anyio.fail_after(60):
            async with Engine.open(config, sb.token, store=store) as eng:
                result = await eng.run(_Watching(store, sb, seen))
        assert not result.stopped, result.error
        assert len(seen) == 3, seen  # the group's two merges and the pair's
        assert seen == ["own"] * 3, seen
        store.close()


@pytest.mark.anyio
async def test_a_group_over_max_merges_is_named_and_a_later_one_that_fits_is_taken(
        tmp_path: Path) -> None:
    """x18r1 5: `--max-merges 1` skips the 3-deal group (2 merges) and still takes the pair
    that fits after (or before) it; the skipped group is named in the plan notes, not only
    in a row of succeeded.csv."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        acc = seed_account(sb)
        deal(sb, "Website Redesign", acc["orgs"]["acme"], value=1000,
             add="2026-11-01T10:05:00Z")
        await plan(sb, tmp_path, tmp_path / "p1")
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1",
                                       ApplyOptions(max_merges=1))
        sent = [i for i in store.items() if i.state is ItemState.PENDING]
        over = [i for i in store.items() if "over --max-merges 1" in str(
            (i.result or i.payload.get("result") or {}).get("reason"))]
        assert len(sent) == 1 and len(over) == 2, list(store.items())
        group = over[0].payload.get("group_id") or (over[0].result or {}).get("group_id")
        assert any("1 group(s) (2 merges) skipped over --max-merges 1" in n and f"{group} (2 merges)" in n
                   for n in prep.notes), prep.notes
        store.close()


@pytest.mark.anyio
@pytest.mark.parametrize("cap", [0, 1, 3])
async def test_the_max_merges_note_says_smaller_groups_were_taken_only_when_true(
        tmp_path: Path, cap: int) -> None:
    """x18r4 4: the note always said "smaller groups after them were taken", with
    `--max-merges 0` too; it says so only when a group after the first skipped one was
    taken, else that none fit (and no note when nothing is over the cap)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        acc = seed_account(sb)
        deal(sb, "Website Redesign", acc["orgs"]["acme"], value=1000,
             add="2026-11-01T10:05:00Z")
        await plan(sb, tmp_path, tmp_path / "p1")
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1",
                                       ApplyOptions(max_merges=cap))
        rows = [(i.row, i.state is ItemState.PENDING) for i in store.items()]
        first_over = min((r for r, sent in rows if not sent), default=None)
        after = sum(1 for r in {r for r, sent in rows if sent}
                    if first_over is not None and r > first_over)
        notes = [n for n in prep.notes if "over --max-merges" in n]
        store.close()
    if first_over is None:
        assert cap == 3 and notes == [], notes
        return
    (note,) = notes
    if after:
        assert f"{after} smaller group(s) after them were taken" in note, note
    else:
        assert "no group after them fit" in note and "were taken" not in note, note
    assert cap != 0 or "no group after them fit" in note, note


@pytest.mark.anyio
async def test_the_max_merges_note_counts_merges_in_words_that_agree(tmp_path: Path) -> None:
    """x19r2 4c: the note said "(1 merges)", and "1 group(s) skipped" where --json's
    `skipped` counts merges: it names the merges too, singular when one."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        seed_account(sb)
        await plan(sb, tmp_path, tmp_path / "p1")
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1",
                                       ApplyOptions(max_merges=1))
        store.close()
    (note,) = [n for n in prep.notes if "over --max-merges 1" in n]
    assert note.startswith("1 group(s) (1 merge) skipped over --max-merges 1"), note
    assert "(1 merge)" in note.split(":", 1)[1] and "merges)" not in note, note
