"""A call the server refused with 429 (or answered 5xx, or that never left) is no call
charged: ``calls_by_operation`` (the run's stats, the ledger, summary.json) and the plan
lines priced from them count what the server charged (f31c: a 429 kept there made a
resume's plan after its re-read read 10 tokens over what the sandbox charged)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.engine import Engine
from bulk.operations import get_operation
from bulk.runner import RunResult
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from bulk.transport import AiohttpTransport, Request, Response
from jobs.demo_data import write_demo_export
from jobs.resuming import kind_of, resumed
from tests.import_support import import_stopped_before_sending


class _OneRefusal:
    """The real transport, but the first ``getDeals`` request is answered 429 here
    (never reaching the sandbox, so it charges nothing, as Pipedrive does)."""

    def __init__(self) -> None:
        self._real = AiohttpTransport()
        self.refused = 0

    async def send(self, request: Request) -> Response:
        if not self.refused and request.operation == "getDeals":
            self.refused += 1
            return Response(429, {"x-ratelimit-reset": "0.05"},
                            b'{"success": false, "error": "Request over limit", '
                            b'"errorCode": 429}')
        return await self._real.send(request)

    async def aclose(self) -> None:
        await self._real.aclose()


@pytest.mark.anyio
async def test_a_429_in_a_resumes_re_read_is_in_neither_its_plan_nor_its_calls(
        tmp_path: Path) -> None:
    """An upsert resumed before its first send meets one 429 on its re-read: the plan
    line after the re-read names the tokens the sandbox charged the resume (it said 10
    more), and summary.json's ``calls_by_operation`` times each operation's cost is its
    ``tokens_by_operation`` and the sandbox's charge (the 429 was one more getDeals)."""
    export = write_demo_export(tmp_path / "in", rows=20, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", export.manifest,
                                                       export.mapping, mode="upsert")
        store.set_status("stopped")
        store.close()
        before = sb.stats()
        transport = _OneRefusal()
        plans: list[str] = []
        store = JobStore.open(tmp_path / "jobs" / "B")
        try:
            kind = kind_of(store, "resume")

            async def run(eng: Engine, loaded: Any) -> RunResult:
                result = await eng.run(loaded)
                loaded.after_run(store, result)  # its result files
                return result

            result = await resumed(store, sb.token, kind, show_plan=plans.append,
                                   transport=transport, execute=run)
        finally:
            store.close()
        after = sb.stats()
    assert transport.refused == 1 and not result.stopped, plans
    charged = after["tokens_spent"] - before["tokens_spent"]
    said = [int(m.group(1).replace(",", "")) for li in plans
            if (m := re.search(r"^plan after the re-read.*tokens: ([\d,]+)$", li))]
    assert said == [charged], (charged, plans)
    summary = orjson.loads((tmp_path / "jobs" / "B" / "summary.json").read_bytes())
    calls, tokens = summary["calls_by_operation"], summary["tokens_by_operation"]
    assert {op: n * get_operation(op).token_cost for op, n in calls.items()} == tokens
    got = {op: n - before["tokens_by_operation"].get(op, 0)
           for op, n in after["tokens_by_operation"].items()}
    assert summary["tokens_by_operation_this_run"] == {op: t for op, t in got.items() if t}
    assert summary["rate_limited"] == 1
