"""Mass stage reassignment: the move-stage job beside a naive GET-then-PATCH loop.

One sandbox process (Growth, api_token: 40 requests per 2 s, 150 ± 50 ms latency)
seeded so that about N deals sit in Sales / Qualified. Measured, each after a
sandbox reset:

- move-stage: what ``pdbulk move-stage --pipeline Sales --stage Qualified
  --to-stage "Proposal Made" --yes`` does — the catalog pulled once, the deals
  selected with list pages (10 tokens per 500), one PATCH per deal, before-images
  stored — on one ``bulk.engine.Engine`` in this process;
- naive: the same list pages, then for every deal a GET (to see its stage) and a
  PATCH, through the same engine (same scheduler, same concurrency), so the
  difference is the algorithm alone.

tokens ÷ LB: tokens the sandbox charged ÷ the lower bound, list pages x 10 + 5 per
moved deal (no catalog, no reads beyond the pages). wall ÷ min: wall time of the
whole job (load and run) ÷ the burst-limit minimum for the lower bound's calls
(pages + one PATCH per deal at 40 per 2 s, the first window's burst free).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anyio

from bulk.calls import CallContext
from bulk.engine import Engine, EngineConfig
from bulk.plans import plan_limits
from bulk.store import Item, ItemState, JobStore, NewItem, Outcome
from bulk.transport import AiohttpTransport, Transport
from jobs.selection import PAGE, DealQuery, list_deals
from jobs.stages import DealSource, MoveStageJob, MoveTarget, move_catalog, prepare_move

from .harness import (
    BenchArgs,
    Check,
    Row,
    SandboxProcess,
    SendLog,
    TimedTransport,
    measure,
    progress,
    stats_delta,
    window_efficiency,
)

TITLE = "move-stage: N deals Sales/Qualified → Proposal Made, Growth 40/2 s, 150 ± 50 ms"
FOOTNOTES = (
    "tokens ÷ LB: the sandbox's charged tokens ÷ (list pages x 10 + 5 x moved deals); "
    "move-stage also pulls pipelines and stages once (10 tokens) to resolve the names, "
    "and re-reads each batch of deals right before sending it (10 tokens per 100).",
    "wall ÷ min: the job's wall time, load included ÷ the burst-limit minimum for "
    "pages + N PATCHes: (calls - 40) / (40 per 2 s), the first window's burst free.",
    "÷ allowed: achieved rate ÷ the allowed rate over the admitted sends (harness).",
    "naive: the same list pages, then GET /deals/{id} + PATCH per deal, same scheduler.",
)
PLAN, LATENCY_MS, JITTER_MS = "growth", 150.0, 50.0
STAGES = 11  # the seeded account's stages (2 pipelines): deals are spread evenly over them
LOOP_TIMEOUT = 300.0
QUERY = DealQuery(pipeline="Sales", stage="Qualified")
TARGET = MoveTarget("Proposal Made")
TO_STAGE_ID = 4  # Sales / Proposal Made in the seeded account


def run(args: BenchArgs) -> list[Row]:
    target = 60 if args.quick else 400
    limits = plan_limits(PLAN)
    progress(f"starting a sandbox with {target * STAGES} deals (~{target} to move)")
    with SandboxProcess(plan=PLAN, latency_ms=LATENCY_MS, jitter_ms=JITTER_MS,
                        deals=target * STAGES, seed=1) as sb:
        progress("move-stage job")
        ours = _measured(sb, "move-stage", limits.burst, limits.window, _move_stage)
        progress("naive GET + PATCH per deal")
        naive = _measured(sb, "naive GET+PATCH", limits.burst, limits.window, _naive)
    ours.checks += [
        Check("move-stage tokens ≤ 1.05 x lower bound", ours.extra["tokens ÷ LB"] <= 1.05,
              f"{ours.extra['tokens ÷ LB']:.3f}"),
        Check("move-stage wall ≤ 1.10 x burst-limit minimum", ours.extra["wall ÷ min"] <= 1.10,
              f"{ours.extra['wall ÷ min']:.3f}"),
        Check("move-stage receives 0 429s", ours.r429 == 0, f"{ours.r429}"),
    ]
    return [ours, naive]


def _measured(sb: SandboxProcess, name: str, burst: int, window: float, job: Any) -> Row:
    sb.reset()
    log = SendLog()
    before = sb.stats()
    with tempfile.TemporaryDirectory(prefix="pdbulk-bench-") as tmp:
        cfg = EngineConfig(base_url=sb.url, plan=PLAN, job_root=Path(tmp))
        store = JobStore.create(Path(tmp) / "job", job_id="bench", kind="move-stage",
                                config={"engine": cfg.to_json()})
        try:
            async def go() -> tuple[int, int]:
                with anyio.fail_after(LOOP_TIMEOUT):
                    def transport() -> TimedTransport:
                        return TimedTransport(AiohttpTransport(timeout=cfg.timeout), log)
                    moved, pages = await job(cfg, sb.token, store, transport)
                    return moved, pages

            with measure() as m:
                moved, pages = anyio.run(go)
        finally:
            store.close()
    delta = stats_delta(before, sb.stats())
    bound_tokens = 10 * pages + 5 * moved
    bound_calls = pages + moved
    row = Row(f"{moved} deals", name, calls=delta["requests"], wall=m.wall,
              req_s=delta["requests"] / m.wall,
              of_allowed=window_efficiency(log.admitted(), burst, window),
              r429=delta["rate_limited"], tokens=delta["tokens"])
    row.extra["tokens ÷ LB"] = delta["tokens"] / bound_tokens
    row.extra["wall ÷ min"] = m.wall / max(minimum_wall(bound_calls, burst, window), window)
    left = sum(1 for d in sb.records() if d.get("stage_id") == 1 and not d.get("is_deleted"))
    row.note = f"{left} deals left in Qualified"
    return row


def minimum_wall(calls: int, burst: int, window: float) -> float:
    """The least time ``calls`` requests take under ``burst`` per ``window`` (rolling), the
    first window's burst free: the measure ``window_efficiency`` judges rates by."""
    return max(0, calls - burst) * window / burst


# -- the job, as the command runs it ----------------------------------------------------------
async def _move_stage(cfg: EngineConfig, token: str, store: JobStore,
                      transport: Callable[[], Transport]) -> tuple[int, int]:
    async with Engine.open(cfg, token, store=store, transport=transport()) as s:
        source = DealSource(query=QUERY)
        prep = await prepare_move(s.ctx, source, TARGET, await move_catalog(s.ctx, source))
        pages = s.stats.calls_by_operation.get("getDeals", 0)
        prep.save(store)
        result = await s.run(MoveStageJob(store))  # kind_for(store): with its re-check
    return result.counts.get(ItemState.DONE, 0), pages


# -- the naive baseline -----------------------------------------------------------------------
class _GetThenPatch:
    """What scripts do: read the deal, then write it."""

    name = "naive"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        deal_id = item.payload["deal_id"]
        got = await ctx.call("getDeal", path={"id": deal_id})
        if got.data.get("stage_id") != TO_STAGE_ID:
            await ctx.call("updateDeal", path={"id": deal_id}, json={"stage_id": TO_STAGE_ID})
        return Outcome(item.id, ItemState.DONE)

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        return [Outcome(i.id, ItemState.PENDING) for i in items]


async def _naive(cfg: EngineConfig, token: str, store: JobStore,
                 transport: Callable[[], Transport]) -> tuple[int, int]:
    async with Engine.open(cfg, token, store=store, transport=transport()) as s:
        listing = await list_deals(s.ctx, {"pipeline_id": 1, "stage_id": 1})
        store.add_items(NewItem(row=n, key=str(d["id"]), op="naive",
                                payload={"deal_id": d["id"]})
                        for n, d in enumerate(listing.deals, start=1))
        result = await s.run(_GetThenPatch())
    return result.counts.get(ItemState.DONE, 0), -(-max(1, len(listing.deals)) // PAGE)


__all__ = ["FOOTNOTES", "TITLE", "run"]
