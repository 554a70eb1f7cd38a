"""A keep-separate decision on a pair merged since the plan is no "kept separate": the rows
say the decision came too late and who merged it — ``already merged by job J`` when another
host's run (the coordinator's claims) or an earlier apply (the state directory) did, "gone
since the plan (deleted or merged into another deal: Pipedrive does not say which)" when
someone else did (x40r4 F4: "came too late" where nobody had merged the pair) — and nothing
counts it kept (x40r3 F2: host B's run
merged deal 1501, host A's apply of its older plan then reported the pair ``kept separate
(decision)``). A real redis-server, the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import ItemState, JobStore
from jobs.dedupe.apply import record_separate
from jobs.dedupe.index import load_keep_separate
from tests.dedupe_job_support import keep_separate, load_apply, plan, seed_pairs
from tests.redis_helpers import RedisServer, redis_server
from tests.update_support import run_job

__all__ = ["redis_server"]

GROUPS = 2



def _results(store: JobStore) -> list[dict[str, object]]:
    return [dict(i.result or i.payload.get("result") or {}) for i in store.items()]


@pytest.mark.anyio
async def test_a_decision_on_a_pair_another_host_merged_says_already_merged(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Host B planned; host A's run merged every pair; B's keep-separate apply names A's
    job, says the decision came too late, and keeps none separate."""
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=48)) as sb:
        seed_pairs(sb, GROUPS)
        await plan(sb, tmp_path / "b", tmp_path / "p-b")
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
        await plan(sb, tmp_path / "a", tmp_path / "p-a")
        a, _ = await load_apply(sb, tmp_path / "a", tmp_path / "p-a", job_id="dedupe-a")
        await run_job(sb, a)
        assert sum(1 for _ in a.items(ItemState.DONE)) == GROUPS
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        keep_separate(tmp_path / "p-b")
        b, prep = await load_apply(sb, tmp_path / "b", tmp_path / "p-b", job_id="dedupe-b")
        results = _results(b)
        assert len(results) == GROUPS
        assert all(r.get("action") == "already merged" for r in results), results
        assert all(str(r.get("reason")).startswith("already merged by job dedupe-a")
                   and "came too late" in str(r.get("reason")) for r in results), results
        assert not prep.actions["kept separate"] and not prep.actions["merge"]
        for s in (a, b):
            s.close()


@pytest.mark.anyio
async def test_a_decision_on_a_pair_someone_else_merged_says_gone(tmp_path: Path) -> None:
    """No job recorded the merge (a colleague's, in Pipedrive): the rows say the deal is
    gone since the plan, deleted or merged away (Pipedrive does not say which), nothing to
    keep separate; a pair still there is kept."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=49)) as sb:
        seed_pairs(sb, GROUPS)
        out = await plan(sb, tmp_path, tmp_path / "p")
        first = out.result.groups[0]
        gone = first.merged_ids[0]
        sb.state.save("deal", {**sb.state.deals.rows[gone], "is_deleted": True})
        keep_separate(tmp_path / "p")
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p")
        try:
            by_group = {str(r["group_id"]): r for r in _results(store)}
            late = by_group[first.id]
            assert late["action"] == "skipped", late
            assert f"deal {gone} is gone since the plan (deleted or merged into another " \
                "deal: Pipedrive does not say which" in str(late["reason"]), late
            assert "nothing to keep separate" in str(late["reason"]), late
            assert "came too late" not in str(late["reason"]), late
            kept = [r for g, r in by_group.items() if g != first.id]
            assert kept and all(r["action"] == "kept separate" for r in kept), kept
            assert prep.actions["kept separate"] == GROUPS - 1
        finally:
            store.close()


@pytest.mark.anyio
async def test_a_decision_on_a_pair_an_earlier_apply_merged_names_that_job(
        tmp_path: Path) -> None:
    """The plan applied once (its pairs merged), then a reviewer keeps a group separate and
    applies it again: the state directory names the earlier job, the decision came too
    late."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=50)) as sb:
        seed_pairs(sb, GROUPS)
        await plan(sb, tmp_path, tmp_path / "p")
        first, _ = await load_apply(sb, tmp_path, tmp_path / "p", job_id="dedupe-first")
        await run_job(sb, first)
        assert sum(1 for _ in first.items(ItemState.DONE)) == GROUPS
        keep_separate(tmp_path / "p")
        again, prep = await load_apply(sb, tmp_path, tmp_path / "p", job_id="dedupe-again")
        try:
            results = _results(again)
            assert len(results) == GROUPS
            assert all(r.get("action") == "already merged" and str(r.get("reason"))
                       .startswith("already merged by job dedupe-first")
                       and "came too late" in str(r.get("reason")) for r in results), results
            assert not prep.actions["kept separate"]
        finally:
            for s in (first, again):
                s.close()


@pytest.mark.anyio
async def test_a_pair_with_a_deal_merged_into_a_third_deal_is_not_remembered(
        tmp_path: Path) -> None:
    """x40r4 F4: a colleague merged one deal of a kept-separate pair into a THIRD deal (a
    deal of another group) and deleted one of a second pair: neither row says the decision
    came too late (nobody merged the pair), both say Pipedrive does not tell deleted from
    merged away; the note counts only the pair still there, and keep-separate.json (shared
    to Redis from it) holds only that pair, no dead one."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=51)) as sb:
        seed_pairs(sb, 3)
        out = await plan(sb, tmp_path, tmp_path / "p")
        g1, g2, g3 = sorted(out.result.groups, key=lambda g: g.survivor_id)
        merge(sb.state, "deal", g1.merged_ids[0], {"merge_with_id": g3.survivor_id})
        sb.state.save("deal", {**sb.state.deals.rows[g2.merged_ids[0]], "is_deleted": True})
        keep_separate(tmp_path / "p")
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p")
        try:
            by_group = {str(r["group_id"]): r for r in _results(store)}
            for g in (g1, g2):
                why = str(by_group[g.id]["reason"])
                assert "Pipedrive does not say which" in why and "too late" not in why, why
            assert by_group[g3.id]["action"] == "kept separate"
            note = next(n for n in prep.notes if "to keep separate: remembered" in n)
            assert note.startswith("1 group(s) to keep separate"), note
            assert "2 more with a deal gone since the plan" in note, note
            record_separate(store)
            assert load_keep_separate(tmp_path / "state") == {frozenset(g3.member_ids)}
        finally:
            store.close()
