"""A read in flight when another call of its token is answered 401 is cancelled by that
error. f49l took every such read as uncharged (the server refuses a bad token before it
charges: x49r9 F2). That holds for a token refused from the start; a token revoked
mid-run is another case: a read sent before the refused call may have reached the server
while the token was still good, and was charged — the ledger must keep it (it may run
over the server's count, never under). Now a cancelled read is uncharged only when no
answer of the run had passed the token check yet, or when it left after the refused call
did. (A token refused from the start, nothing charged: test_coordinator_refused_token_said,
which sees the server's count; the engine's first call goes alone, so a mock cannot keep
two of its calls in flight before any answer.)"""

from __future__ import annotations

from pathlib import Path

import anyio
import orjson

from bulk.engine import Engine, EngineConfig
from bulk.errors import Unauthorized
from bulk.operations import get_operation
from bulk.store import JobStore
from bulk.transport import MockTransport, Request, Response

JSON = {"content-type": "application/json"}
DEAL = orjson.dumps({"success": True, "data": {"id": 1, "title": "A",
                                                "update_time": "2026-01-01 00:00:00"}})
REFUSED = orjson.dumps({"success": False, "error": "unauthorized access", "errorCode": 401})


def _spent(first_ok: bool, slow_first: bool, tmp_path: Path) -> tuple[int, int]:
    """getDeal's (tokens, calls) in the ledger: deal 1 answered 200 first (``first_ok``),
    then deal 2 (slow: never answered) and deal 3 (answered 401) at once; ``slow_first``:
    deal 2 leaves before deal 3, else after it."""
    slow_in, refused_in = anyio.Event(), anyio.Event()

    async def handler(req: Request) -> Response:
        if req.url.endswith("/deals/1"):
            return Response(200, JSON, DEAL)
        if req.url.endswith("/deals/2"):
            slow_in.set()
            await anyio.sleep_forever()
        refused_in.set()
        if not slow_first:
            await slow_in.wait()  # deal 2 left after this one, before its answer
        return Response(401, JSON, REFUSED)

    async def go() -> tuple[int, int]:
        store = JobStore.create(tmp_path / "job", job_id="job", kind="none", config={})
        try:
            config = EngineConfig(base_url="http://127.0.0.1:9", job_root=tmp_path)
            async with Engine.open(config, "tok-revoked-1", store=store,
                                   transport=MockTransport(handler)) as engine:
                if first_ok:
                    await engine.call("getDeal", path={"id": 1})

                async def slow() -> None:
                    if not slow_first:
                        await refused_in.wait()
                    await engine.call("getDeal", path={"id": 2})

                async def refused_call() -> None:
                    if slow_first:
                        await slow_in.wait()
                    await engine.call("getDeal", path={"id": 3})

                refused = False
                try:
                    with anyio.fail_after(20):
                        async with anyio.create_task_group() as tg:
                            tg.start_soon(slow)
                            tg.start_soon(refused_call)
                except* Unauthorized:
                    refused = True
                assert refused
            return store.spend_by_operation().get("getDeal", (0, 0))
        finally:
            store.close()

    return anyio.run(go)


def _cost() -> int:
    return get_operation("getDeal").token_cost


def test_a_read_sent_before_a_revoked_tokens_401_stays_charged(tmp_path: Path) -> None:
    """The token answered deal 1, then deal 2 left, then deal 3 was refused: deal 2 may
    have been charged before the revocation, so the ledger keeps its tokens (was 1 read)."""
    tokens, _calls = _spent(first_ok=True, slow_first=True, tmp_path=tmp_path)
    assert tokens == 2 * _cost()


def test_a_read_sent_after_the_refused_call_is_not_charged(tmp_path: Path) -> None:
    """Deal 2 left after deal 3, which the server refused: the token was refused by then."""
    tokens, _calls = _spent(first_ok=True, slow_first=False, tmp_path=tmp_path)
    assert tokens == _cost()
