"""The opening's GET /users/me (``bulk.engine._company_id``) puts in the job's ledger the
tokens of every try the server may have charged, however it ends: a try whose answer was
lost before a 429 refused the day was counted by no ledger (f49a F2), and the tries it
sent are told (``_Opening``: sent, answered 429, charged) for the refusal's words."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.engine import _company_id, _Opening
from bulk.errors import AnswerLost, BudgetExhausted
from bulk.scheduler import Limits, Scheduler
from bulk.store import JobStore
from bulk.transport import MockTransport, Request, Response

pytestmark = pytest.mark.anyio


async def test_a_lost_try_before_a_spent_day_is_in_the_ledger(tmp_path: Path) -> None:
    clock = FakeClock()
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    tries: list[str] = []

    async def answer(request: Request) -> Response:
        tries.append(request.operation)
        if len(tries) == 1:
            raise AnswerLost("connection reset after the request left", operation="getCurrentUser")
        return Response(429, {"content-type": "application/json",
                              "x-daily-ratelimit-token-limit": "100",
                              "x-daily-ratelimit-token-remaining": "0"},
                        orjson.dumps({"success": False, "error": "Request over limit",
                                      "errorCode": 429}))

    opening = _Opening()
    scheduler = Scheduler(Limits(burst=40), clock=clock)
    async with PipedriveClient("http://127.0.0.1:9", "tok",
                               transport=MockTransport(answer)) as client:
        with pytest.raises(BudgetExhausted):
            await _company_id(client, scheduler, clock, store, opening)
    assert tries == ["getCurrentUser", "getCurrentUser"]
    assert (opening.sent, opening.limited, opening.charged) == (2, 1, 2)
    assert store.spend_by_operation() == {"getCurrentUser": (2, 1)}  # the lost try's
    store.close()
