"""What a merge answered 5xx costs to read back (x34r2 F6): the reconcile decides whether
the merge landed from the merged-away deal read by id (``GET /api/v2/deals/{id}``, 1 token:
gone → read the survivor too, 1 more), not from the default and archived lists (10 + 20
tokens, and the run's re-check of a batch holding only that merge, 10 more): plan 92,
server 737 for 15 sends of one merge, ~40 tokens of reads a send. A merge answered 500
after it applied is found applied, by those two reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.engine import Engine, EngineConfig
from bulk.runner import RunResult
from bulk.sandbox import Faults, Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from bulk.transport import AiohttpTransport, Request, Response
from jobs import kind_for
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.test_merge import merger
from tests.update_support import deal as sb_deal
from tests.update_support import delta, load_job, requests, run_job

# tokens of reads a send answered 5xx may cost: the merged-away deal (1) and, when the
# merge may have landed, the survivor (1), plus the two reads right before the send (2),
# and the re-send judged again on its org's name, by id (1; f39c: a person's would be 1 more)
READS_PER_SEND = 5


def _tokens(sb: Sandbox) -> dict[str, int]:
    return dict(sb.stats()["tokens_by_operation"])


def _pair(sb: Sandbox) -> None:
    """A same-day copy at one organization: one group of two, no field-policy PATCH."""
    sb.state.save("deal", {**sb_deal(sb, 1), "is_deleted": True})
    co = org(sb, "Read Back Co")
    deal(sb, "Read back boiler", co, value=500, add="2026-11-01T10:00:00Z")
    deal(sb, "Read back boiler", co, value=500, add="2026-11-01T10:00:01Z")


class _AnsweredAfterApply:
    """A transport whose merges reach the sandbox (and apply) but are answered 500, as a
    server failing after its write; every other call as it is."""

    def __init__(self) -> None:
        self.inner = AiohttpTransport()
        self.merges = 0

    async def send(self, request: Request) -> Response:
        answer = await self.inner.send(request)
        if request.operation == "mergeDeals" and answer.status == 200:
            self.merges += 1
            return Response(500, {"content-type": "application/json"},
                            b'{"success": false, "error": "Internal server error", '
                            b'"errorCode": 500, "error_info": "", "data": null, '
                            b'"additional_data": null}')
        return answer

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _run(sb: Sandbox, store: JobStore, transport: Any) -> RunResult:
    config = EngineConfig.from_json(store.config["engine"])
    kind = kind_for(store)
    async with Engine.open(config, sb.token, store=store, transport=transport) as engine:
        result = await engine.run(kind)
    store.set_status("stopped" if result.stopped else "finished")
    kind.after_run(store, result)  # type: ignore[attr-defined]
    return result


@pytest.mark.anyio
async def test_a_dedupe_merge_always_answered_500_costs_a_few_tokens_of_reads_a_send(
        tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=7)) as sb:
        _pair(sb)
        (group,) = (await plan(sb, tmp_path, tmp_path / "p1")).result.groups
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        sb.set_faults(Faults(error_rate=1.0, only_operations=frozenset({"mergeDeals"})))
        before, spent = requests(sb), _tokens(sb)
        result = await run_job(sb, store)
        assert result.stopped, result
        sends = delta(before, requests(sb))["mergeDeals"]
        reads = sum(delta(spent, _tokens(sb)).values())  # 5xx answers are not charged
        assert sends >= 5, sends
        assert reads <= READS_PER_SEND * sends, (reads, sends, delta(spent, _tokens(sb)))
        assert not sb_deal(sb, group.merged_ids[0])["is_deleted"]
        store.close()


@pytest.mark.anyio
async def test_a_dedupe_merge_answered_500_after_it_applied_is_read_back_as_merged(
        tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=7)) as sb:
        _pair(sb)
        (group,) = (await plan(sb, tmp_path, tmp_path / "p1")).result.groups
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        transport = _AnsweredAfterApply()
        before, spent = requests(sb), _tokens(sb)
        result = await _run(sb, store, transport)
        assert not result.stopped, result.error
        assert transport.merges == 1
        (item,) = store.items()
        assert item.state is ItemState.DONE and item.result is not None
        assert item.result["action"] == "merged" and item.result.get("reconciled"), item
        assert sb_deal(sb, group.merged_ids[0])["is_deleted"]
        made = delta(before, requests(sb))
        assert made["mergeDeals"] == 1, made  # never sent again
        reads = {op: n for op, n in delta(spent, _tokens(sb)).items() if op != "mergeDeals"}
        # the re-check (10, and its org's name by id: 1) and the reads right before the send
        # (2), then the read-back: 2
        assert sum(reads.values()) <= 10 + 1 + 2 + 2, reads
        assert "getArchivedDeals" not in reads, reads
        store.close()


@pytest.mark.anyio
async def test_a_merge_always_answered_500_costs_a_few_tokens_of_reads_a_send(
        tmp_path: Path) -> None:
    """The same read for `pdbulk merge` (the reconcile dedupe's job inherits)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=6, seed=23)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        sb.set_faults(Faults(error_rate=1.0, only_operations=frozenset({"mergeDeals"})))
        before, spent = requests(sb), _tokens(sb)
        result = await run_job(sb, store)
        assert result.stopped
        sends = delta(before, requests(sb))["mergeDeals"]
        reads = sum(delta(spent, _tokens(sb)).values())
        assert reads <= READS_PER_SEND * sends + 10, (reads, sends, delta(spent, _tokens(sb)))
        store.close()


def test_the_plans_note_names_the_read_by_id_for_merges() -> None:
    """The plan says what a merge in doubt costs to read back: by id, not the lists."""
    from jobs.planning import in_doubt_note

    note = in_doubt_note("dedupe", {"mergeDeals": 3, "updateDeal": 1}) or ""
    assert "merged-away deal by id, getDeal (1 token each)" in note, note
