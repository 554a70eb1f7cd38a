"""A dedupe merge answered 5xx, read back not applied and sent again in the same run is
judged again on the names the account holds at its re-send, as every batch is (f39c: it
was judged at its own batch only, so an org renamed ``Privatkunden`` — a catch-all — in
between was merged). The sandbox; the first merge answered 500 before it applies, the
org renamed as it is answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.engine import Engine, EngineConfig
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState
from bulk.transport import AiohttpTransport, Request, Response
from jobs import kind_for
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.update_support import deal as sb_deal
from tests.update_support import delta, requests

ERROR = (b'{"success": false, "error": "Internal server error", "errorCode": 500, '
         b'"error_info": "", "data": null, "additional_data": null}')


class _FirstMerge500:
    """The first merge is answered 500 without reaching the sandbox, and as it is answered
    a colleague renames organization ``renamed`` to ``to`` (``to`` None: nothing renamed);
    every other call as it is."""

    def __init__(self, sb: Sandbox, renamed: int, to: str | None) -> None:
        self.inner, self.sb, self.renamed, self.to = AiohttpTransport(), sb, renamed, to
        self.failed = 0

    async def send(self, request: Request) -> Response:
        if request.operation == "mergeDeals" and not self.failed:
            self.failed += 1
            if self.to is not None:
                row = self.sb.state.table("organization").rows[self.renamed]
                self.sb.state.save("organization", {**row, "name": self.to,
                                                    "update_time": self.sb.state.now_iso()})
            return Response(500, {"content-type": "application/json"}, ERROR)
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize(("to", "merged"), [("Privatkunden", False), (None, True),
                                            ("Radladen Nord GmbH", True)])
async def test_a_merge_sent_again_after_a_500_is_judged_on_the_names_now(
        tmp_path: Path, to: str | None, merged: bool) -> None:
    """Renamed a catch-all between the 500 and the re-send: held, not sent again (merged
    before the fix); not renamed, or renamed another real name at a shared org: merged."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=7)) as sb:
        sb.state.save("deal", {**sb_deal(sb, 1), "is_deleted": True})
        co = org(sb, "Radladen Süd GmbH")
        deal(sb, "Fahrrad Wartung", co, value=500, add="2026-11-01T10:00:00Z")
        deal(sb, "Fahrrad Wartung", co, value=500, add="2026-11-01T10:00:01Z")
        (group,) = (await plan(sb, tmp_path, tmp_path / "p1")).result.groups
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        transport = _FirstMerge500(sb, co, to)
        before = requests(sb)
        config = EngineConfig.from_json(store.config["engine"])
        kind = kind_for(store)
        async with Engine.open(config, sb.token, store=store, transport=transport) as engine:
            result = await engine.run(kind)
        assert not result.stopped, result.error
        assert transport.failed == 1
        (item,) = store.items()
        sent = delta(before, requests(sb)).get("mergeDeals", 0)
        if merged:
            assert item.state is ItemState.DONE, item
            assert sb_deal(sb, group.merged_ids[0])["is_deleted"]
            assert sent == 1
        else:
            assert item.state is ItemState.SKIPPED, item  # DONE, merged, before the fix
            assert item.result is not None
            reason = str(item.result["reason"])
            assert "Privatkunden" in reason and "catch-all" in reason, reason
            assert "not sent again" in reason, reason
            assert not sb_deal(sb, group.merged_ids[0])["is_deleted"]
            assert sent == 0
        store.close()
