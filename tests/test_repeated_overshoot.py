"""The refusal stop with many workers (f46d: 22 refused updates at ``--plan ultimate``, the
writes already in flight when the 10th came back): once one cause counts
``SUSPECT_AFTER`` refusals of an operation with no success of it between, the run sends
that operation one at a time until a success or the stop, so at most ``REPEATS_TO_STOP``
plus the writes in flight at the ``SUSPECT_AFTER``-th are refused. Rows refused each for
their own value are not slowed. A scripted ``MockTransport`` whose answers take 50 ms on
a ``FakeClock``: many writes in flight at once, no real sleep."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.plans import Limits
from bulk.repeated import REPEATS_TO_STOP, SUSPECT_AFTER, RepeatedRefusal, Repeats
from bulk.runner import Runner, RunResult
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, ItemState, JobStore, NewItem
from bulk.transport import MockTransport, Request, Response
from tests.test_runner_repeated_refusals import FIELD, CreateJob

WORKERS = 16


async def _run(tmp: Path, rows: list[dict[str, Any]],
               refuse: Callable[[dict[str, Any]], str | None]
               ) -> tuple[JobStore, RunResult, dict[str, int], float]:
    """The rows' run through 16 workers: its store, result, the server's counts (``sent``,
    ``refused``, ``most_at_once``) and the run's time on its clock (seconds)."""
    store = JobStore.create(tmp / "job", job_id="j", kind="create", config={})
    store.add_items([NewItem(n + 1, f"k{n}", "create", {"deal": row})
                     for n, row in enumerate(rows)])
    clock = FakeClock()
    seen = {"sent": 0, "refused": 0, "at_once": 0, "most_at_once": 0}

    async def handle(req: Request) -> Response:
        seen["sent"] += 1
        seen["at_once"] += 1
        seen["most_at_once"] = max(seen["most_at_once"], seen["at_once"])
        await clock.sleep(0.05 + 0.013 * (seen["sent"] % 7))  # staggered answers
        seen["at_once"] -= 1
        body = orjson.loads(req.body or b"{}")
        if (error := refuse(body)) is not None:
            seen["refused"] += 1
            return Response(400, {"content-type": "application/json"}, orjson.dumps(
                {"success": False, "error": error, "code": "ERR_SCHEMA_VALIDATION_FAILED"}))
        return Response(201, {"content-type": "application/json"}, orjson.dumps(
            {"success": True, "data": {"id": seen["sent"]}}))

    sched = Scheduler(Limits(burst=400), clock=clock)
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(handle))
    runner = Runner(AsyncJobStore(store), CreateJob(), client, sched, clock=clock, seed=1,
                    max_workers=WORKERS)
    began = clock.now()
    async with client:
        result = await runner.run()
    return store, result, seen, clock.now() - began


def _deleted(body: dict[str, Any]) -> str | None:
    return (f"Validation failed: custom_fields: {FIELD} is not a custom field"
            if "custom_fields" in body else None)


@pytest.mark.anyio
async def test_a_deleted_field_with_many_writes_in_flight_stops_within_its_bound(
        tmp_path: Path) -> None:
    """50 good rows, then 200 naming a field deleted, 16 workers, answers staggered: the
    run stops with at most ``SUSPECT_AFTER`` + the 16 in flight then refused (before: 25,
    the 10 and the 15 in flight at the 10th; with a success of a write sent before the
    field's first refusal taken to end the suspicion, 23; now 18)."""
    rows: list[dict[str, Any]] = [{"title": f"Good {n}"} for n in range(50)]
    rows += [{"title": f"Deal {n}", "custom_fields": {FIELD: n}} for n in range(200)]
    store, result, seen, _ = await _run(tmp_path, rows, _deleted)
    assert result.stopped and isinstance(result.error, RepeatedRefusal), result
    assert seen["refused"] <= SUSPECT_AFTER + WORKERS, seen
    assert store.counts()[ItemState.FAILED] == seen["refused"]
    assert store.counts()[ItemState.DONE] == 50


@pytest.mark.anyio
async def test_a_success_ends_the_one_at_a_time(tmp_path: Path) -> None:
    """3 rows refused for one cause (a suspect after the 3rd), then 97 good rows: the
    suspicion ends with the first success of a write sent after it began, the run goes on
    at full width (under 2 s on its clock; one at a time would take 97 times 50-128 ms)."""
    rows: list[dict[str, Any]] = [{"title": f"Deal {n}", "custom_fields": {FIELD: n}}
                                  for n in range(3)]
    rows += [{"title": f"Good {n}"} for n in range(97)]
    store, result, seen, took = await _run(tmp_path, rows, _deleted)
    assert not result.stopped, result
    assert store.counts()[ItemState.DONE] == 97 and seen["refused"] == 3
    assert took < 2.0, (took, seen)


@pytest.mark.anyio
async def test_rows_refused_each_for_their_own_value_are_not_slowed(tmp_path: Path) -> None:
    """100 rows each refused for its own invalid e-mail: no cause repeats, all 16 writes in
    flight at once, every row settled, as quick on the run's clock as 100 good rows."""
    rows = [{"title": f"Deal {n}", "email": f"bad{n}@@x"} for n in range(100)]
    store, result, seen, took = await _run(tmp_path, rows, lambda body: (
        f"Validation failed: email: {body['email']} is not a valid e-mail"))
    assert not result.stopped, result
    assert store.counts()[ItemState.FAILED] == 100
    assert seen["most_at_once"] == WORKERS, seen
    (tmp_path / "good").mkdir()
    _, _, _, good = await _run(tmp_path / "good", [{"title": f"Good {n}"} for n in range(100)],
                               lambda body: None)
    assert took <= good + 0.1, (took, good)


def test_suspects_are_one_cause_s_streak_since_a_write_sent_after_it() -> None:
    """A cause's 3rd refusal with no success between makes its operation a suspect; a row's
    own refusals never do; a success of a write sent before the cause's first refusal ends
    nothing, one sent after it ends the suspicion. The stop's count is untouched."""
    deleted = f"Validation failed: custom_fields: {FIELD} is not a custom field (addDeal)"
    repeats = Repeats()
    for n in range(30):  # each its own e-mail: no streak
        repeats.refused("create", 400, f"email: bad{n}@@x is not valid", {"email": f"bad{n}@@x"})
    assert not repeats.suspects
    began = repeats.refusals  # a write leaves now
    for _ in range(SUSPECT_AFTER - 1):
        repeats.refused("create", 400, deleted, {})
    assert not repeats.suspects
    repeats.refused("create", 400, deleted, {})
    assert repeats.suspects == {"create"}
    repeats.succeeded("create", began)  # sent before the field's first refusal
    assert repeats.suspects == {"create"}
    repeats.succeeded("update", repeats.refusals)  # another operation's
    assert repeats.suspects == {"create"}
    repeats.succeeded("create", repeats.refusals)
    assert not repeats.suspects
    stop = None
    for _ in range(REPEATS_TO_STOP - SUSPECT_AFTER):  # the stop still counts all 10
        stop = repeats.refused("create", 400, deleted, {})
    assert isinstance(stop, RepeatedRefusal), repeats


@pytest.mark.anyio
async def test_the_stop_line_says_how_many_writes_were_refused(tmp_path: Path) -> None:
    """The writes in flight when the stop came, refused alike, are counted in the stop's
    line: its figures add up to every refused write (x46r11 F3: "the last 10 ... were
    refused" where 19 were)."""
    rows: list[dict[str, Any]] = [{"title": f"Good {n}"} for n in range(50)]
    rows += [{"title": f"Deal {n}", "custom_fields": {FIELD: n}} for n in range(200)]
    store, result, seen, _ = await _run(tmp_path, rows, _deleted)
    assert isinstance(result.error, RepeatedRefusal), result
    refused = seen["refused"]
    assert refused > REPEATS_TO_STOP, seen  # writes were in flight at the stop
    said = str(result.error)
    assert said.startswith(f"the last {REPEATS_TO_STOP} addDeal calls were refused for one "
                           f"cause no row's data explains, and {refused - REPEATS_TO_STOP} "
                           f"more sent before the stop came back refused alike ({refused} "
                           "in all): "), said
    assert store.counts()[ItemState.FAILED] == refused
    assert store.status_message == said


def test_a_stop_with_nothing_in_flight_says_its_count_alone() -> None:
    """The stop's own refusal the last: no "more" in its line; a refusal of another cause
    after it is not counted as its."""
    deleted = f"Validation failed: custom_fields: {FIELD} is not a custom field (addDeal)"
    repeats = Repeats()
    stop = None
    for _ in range(REPEATS_TO_STOP):
        stop = repeats.refused("create", 400, deleted, {})
    assert isinstance(stop, RepeatedRefusal)
    repeats.refused("create", 400, "email: bad@@x is not valid", {"email": "bad@@x"})
    assert str(stop).startswith(f"the last {REPEATS_TO_STOP} addDeal calls were refused for "
                                "one cause no row's data explains: "), str(stop)
    repeats.refused("create", 400, deleted, {})
    assert f"and 1 more sent before the stop came back refused alike ({REPEATS_TO_STOP + 1} " \
        "in all)" in str(stop), str(stop)
