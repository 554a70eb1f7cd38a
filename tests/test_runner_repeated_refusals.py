"""The run stops checkpointed after ``REPEATS_TO_STOP`` writes refused alike with a 400 no
row's own data explains (x43r4 F3: a deleted field, every addDeal refused, no stop), but
never on rows each refused for their own values (an invalid e-mail shown back). A scripted
``MockTransport`` and ``FakeClock``: no real sleep."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.calls import CallContext
from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.plans import Limits
from bulk.repeated import REPEATS_TO_STOP, RepeatedRefusal, Repeats, cites_row
from bulk.runner import Runner, RunResult
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, NewItem, Outcome
from bulk.transport import MockTransport, Request, Response

FIELD = "9f3a" * 10


class CreateJob:
    name = "create"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        res = await ctx.call("addDeal", json=item.payload["deal"])
        return Outcome(item.id, ItemState.DONE, result={"deal_id": res.data["id"]})

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        return [Outcome(i.id, ItemState.PENDING) for i in items]


def server(refuse: Callable[[dict[str, Any]], str | None]) -> Callable[[Request], Response]:
    made: list[int] = []

    def handle(req: Request) -> Response:
        body = orjson.loads(req.body or b"{}")
        if (error := refuse(body)) is not None:
            return Response(400, {"content-type": "application/json"}, orjson.dumps(
                {"success": False, "error": error, "code": "ERR_SCHEMA_VALIDATION_FAILED"}))
        made.append(1)
        return Response(201, {"content-type": "application/json"}, orjson.dumps(
            {"success": True, "data": {"id": len(made)}}))
    return handle


async def run(tmp: Path, rows: list[dict[str, Any]],
              refuse: Callable[[dict[str, Any]], str | None]) -> tuple[JobStore, RunResult]:
    store = JobStore.create(tmp / "job", job_id="j", kind="create", config={})
    store.add_items([NewItem(n + 1, f"k{n}", "create", {"deal": row})
                     for n, row in enumerate(rows)])
    clock = FakeClock()
    sched = Scheduler(Limits(burst=40), clock=clock)
    client = PipedriveClient("http://127.0.0.1:9", "tok",
                             transport=MockTransport(server(refuse)))
    runner = Runner(AsyncJobStore(store), CreateJob(), client, sched, clock=clock, seed=1,
                    max_workers=1)
    async with client:
        return store, await runner.run()


@pytest.mark.anyio
async def test_a_deleted_field_stops_the_run_after_the_repeats(tmp_path: Path) -> None:
    """40 rows, each refused 'custom_fields: <code> is not a custom field': the run stops
    after REPEATS_TO_STOP of them, the rest pending, the error naming the reason."""
    rows = [{"title": f"Deal {n}", "custom_fields": {FIELD: n}} for n in range(40)]
    store, result = await run(tmp_path, rows, lambda body: (
        f"Validation failed: custom_fields: {FIELD} is not a custom field"))
    assert result.stopped and isinstance(result.error, RepeatedRefusal), result
    assert "the last 10 addDeal calls were refused for one cause" in str(result.error)
    counts = store.counts()
    assert counts[ItemState.FAILED] == REPEATS_TO_STOP
    assert counts[ItemState.PENDING] == 40 - REPEATS_TO_STOP


@pytest.mark.anyio
async def test_rows_each_refused_for_their_own_values_run_to_the_end(tmp_path: Path) -> None:
    """20 rows whose e-mail the server shows back as invalid, then 5 good rows: every row
    settled (20 failed, 5 done), no stop."""
    rows = [{"title": f"Deal {n}", "email": f"bad{n}@@x"} for n in range(20)]
    rows += [{"title": f"Good {n}"} for n in range(5)]
    store, result = await run(tmp_path, rows, lambda body: (
        f"Validation failed: email: {body['email']} is not a valid e-mail"
        if "email" in body else None))
    assert not result.stopped, result
    assert store.counts()[ItemState.FAILED] == 20 and store.counts()[ItemState.DONE] == 5


def test_a_success_does_not_start_the_count_again() -> None:
    """A refusal citing no row value (a deleted field) stays counted across a success (x45r4
    F3: a field only half the rows name never stopped the run): 9, one done, the 10th stops.
    One citing the same value in each row alike: the same. A row's own refusal in between
    is not counted and does not break the count."""
    repeats = Repeats(limit=10)
    same = f"400 Validation failed: custom_fields: {FIELD} is not a custom field (addDeal)"
    for _ in range(9):
        assert repeats.refused("create", 400, same, {"deal": {"title": "x"}}) is None
    repeats.succeeded()
    assert repeats.refused("create", 400, "400 title: 'Own' too long", {"t": "Own"}) is None
    assert repeats.refused("create", 404, "404 Deal not found", {}) is None
    stop = repeats.refused("create", 400, same, {})
    assert stop is not None and "addDeal" in str(stop)
    repeats = Repeats(limit=10)
    cited = "400 option 4711 does not exist (addDeal)"
    for _ in range(9):
        assert repeats.refused("create", 400, cited, {"o": 4711}) is None
    repeats.succeeded()
    assert repeats.refused("create", 400, cited, {"o": 4711}) is not None


def test_cites_row_takes_whole_words_only() -> None:
    """A row's amount 5 is no citation inside a field code; its e-mail is."""
    assert not cites_row(f"custom_fields: {FIELD}55 is not a custom field", {"value": 55})
    assert cites_row("email: bad@@x is not valid", {"person": {"email": "bad@@x"}})
    assert not cites_row("title missing", {"value": 5, "flag": True})


MAPPING = """version = 1
[import]
key_column = "key"
[deal]
title = "{title}"
[person]
name = "name"
[custom_fields]
"Discount" = "disc"
"""


class _FieldDeletedAtFirstDeal:
    """The sandbox's transport, which deletes the custom field ``name`` right before the
    first deal create leaves (an admin deleting it while the import runs)."""

    def __init__(self, sb: Any, name: str) -> None:
        from bulk.transport import AiohttpTransport

        self.sb, self.name, self.inner = sb, name, AiohttpTransport()

    async def send(self, request: Any) -> Any:
        if request.method == "POST" and request.url.split("?")[0].endswith("/api/v2/deals"):
            fields = self.sb.state.fields
            for code in [c for c, f in fields.items() if f["field_name"] == self.name]:
                del fields[code]
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.anyio
async def test_an_import_whose_field_is_deleted_mid_run_stops(tmp_path: Path) -> None:
    """The mapped field deleted as the import runs: it stops checkpointed after
    REPEATS_TO_STOP refused deal creates (one worker), the rest pending, with no person
    made for them; before, all 60 rows made their person and failed."""
    from bulk.sandbox import SandboxConfig, serve
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping
    from jobs.results import failed_row
    from tests.import_support import engine_config

    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("key,title,name,disc\n" + "".join(
        f"k{i},Deal {i},P {i},{i}\n" for i in range(60)))
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=5)) as sb:
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping),
                                  mode="insert", create_key_field=True)
        cfg = engine_config(sb, tmp_path / "jobs", max_workers=1)
        store = JobStore.create(tmp_path / "jobs" / "a", job_id="a", kind="import",
                                config={"engine": cfg.to_json(), "import": settings.to_json()})
        persons_before = len(sb.state.persons)
        result = await import_job(store, ImportJob(store, settings, ""), Mapping.load(mapping),
                                  cfg, sb.token, say=lambda line: None,
                                  transport=_FieldDeletedAtFirstDeal(sb, "Discount"))
        assert result.stopped and isinstance(result.error, RepeatedRefusal), result
        counts = store.counts()
        assert counts[ItemState.FAILED] == REPEATS_TO_STOP, counts
        assert counts[ItemState.PENDING] == 60 - REPEATS_TO_STOP, counts
        assert len(sb.state.persons) - persons_before <= REPEATS_TO_STOP + 1
        # each failed row names the person made for it (its deal refused): to clean up
        reasons = [failed_row(i)["reason"] for i in store.items(ItemState.FAILED)]
        ids = {int(m.group(1)) for r in reasons
               if (m := re.search(r"left in Pipedrive: person (\d+)", r))}
        assert len(ids) == REPEATS_TO_STOP and ids <= set(sb.state.persons.rows), reasons
        store.close()


@pytest.mark.anyio
@pytest.mark.parametrize("option", [3, 13, 1042])
async def test_an_option_deleted_mid_run_stops_whatever_its_id(tmp_path: Path,
                                                                option: int) -> None:
    """x44r4 F4: every row names option ``option``, deleted since the load; the refusal
    'option 13 does not exist' quotes each row's own option id, and only one-digit ids
    stopped the run (13 and 1042: 30 of 30 refused, no stop). The same value in every row
    refused alike is no row's own: a stop after REPEATS_TO_STOP."""
    rows = [{"title": f"Deal {n}", "value": 1000 + n, "custom_fields": {FIELD: option}}
            for n in range(30)]
    store, result = await run(tmp_path, rows, lambda body: (
        f"Validation failed: custom_fields.{FIELD}: option {option} does not exist"))
    assert result.stopped and isinstance(result.error, RepeatedRefusal), result
    counts = store.counts()
    assert counts[ItemState.FAILED] == REPEATS_TO_STOP
    assert counts[ItemState.PENDING] == 30 - REPEATS_TO_STOP


@pytest.mark.anyio
async def test_rows_refused_for_their_own_option_ids_run_to_the_end(tmp_path: Path) -> None:
    """The same reason citing a different value in each row ('option 11 …', 'option 12 …'):
    each row's own, no stop, whichever comes first."""
    rows = [{"title": f"Deal {n}", "custom_fields": {FIELD: 10 + n % 7}} for n in range(30)]
    store, result = await run(tmp_path, rows, lambda body: (
        f"Validation failed: option {body['custom_fields'][FIELD]} does not exist"))
    assert not result.stopped, result
    assert store.counts()[ItemState.FAILED] == 30


def test_an_alike_reason_citing_the_same_value_counts_from_its_first_row() -> None:
    """The same value twice opens the streak (both counted); a row citing another value
    then marks the reason the rows' own: it never counts again, and an uncited streak in
    between is not broken by it."""
    repeats = Repeats(limit=10)
    text = "400 option 13 does not exist (addDeal)"
    for _ in range(9):
        assert repeats.refused("create", 400, text, {"o": 13}) is None
    stop = repeats.refused("create", 400, text, {"o": 13})
    assert stop is not None and "10 addDeal calls" in str(stop)
    repeats.succeeded()
    mails = [f"400 email: bad{n}@@x is not valid (addDeal)" for n in range(40)]
    same = f"400 custom_fields: {FIELD} is not a custom field (addDeal)"
    for n in range(9):
        assert repeats.refused("create", 400, same, {}) is None
        assert repeats.refused("create", 400, mails[n], {"e": f"bad{n}@@x"}) is None
    assert repeats.refused("create", 400, same, {}) is not None
    repeats.succeeded()
    for n in range(9, 40):
        assert repeats.refused("create", 400, mails[n], {"e": f"bad{n}@@x"}) is None
