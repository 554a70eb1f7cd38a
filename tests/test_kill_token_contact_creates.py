"""A person / organization create a row made beyond what its payload names (a contact that
vanished, made again: ``jobs.importing.vanished``), answered before a kill -9 left the row
SENDING: charged, so the resume's take-back (``bulk.ledger.take_back_unused``) keeps it in
the ledger and in doubt, and the row's reconcile counts it landed (off the figure). x47r6
F1: 3 of 3 kills with such a create in flight left the ledger 5 tokens a create under the
server's count (ledger addOrganization 0 where the server charged 5). A store as the kill
leaves it, made by a real ``_Ahead`` on a ``FakeClock``: no sleep, no server."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bulk.clock import FakeClock
from bulk.ledger import _LIVE, CREDIT_CALLS, _Ahead, tokens_in_doubt
from bulk.store import AsyncJobStore, ItemState, JobStore, NewItem, Outcome
from jobs.import_resolve import CREATED_AT, CREATOR
from jobs.importing.job import ImportJob
from jobs.importing.reconcile import _Reconcile
from jobs.resuming import _unused_credit_back

COST = 5  # addOrganization (v2): bulk.operations_data
DAY = "2026-12-06"
ORG = {"kind": "org", "key": "acme org 01", "body": {"name": "Acme Org 01"}}


async def _killed_run(folder: Path) -> None:
    """Row 1 creates its organization (named in its payload) and is DONE; row 2 names an
    organization by id that vanished, makes organization 502 again (answered, its lookups
    written) and is cut off before its deal's answer: left SENDING. The second refill came
    within the horizon, so one addOrganization more was charged ahead (never used)."""
    clock = FakeClock()
    store = JobStore.create(folder, job_id="j1", kind="import", config={})
    store.add_items([
        NewItem(row=1, key="k1", op="create", payload={"deal": {"title": "d1"}, "org": ORG}),
        NewItem(row=2, key="k2", op="create", payload={"deal": {"title": "d2", "org_id": 483}}),
    ])
    store.set_status("running")
    ahead = _Ahead(AsyncJobStore(store), lambda: DAY, clock, most=CREDIT_CALLS)
    for item_id, rid in ((1, 501), (2, 502)):
        store.mark_sending([item_id], clock.wall())
        held = ahead.hold(item_id)
        await ahead.charge("addOrganization", COST)
        ahead.answered("addOrganization", COST)
        key = "acme org 01" if item_id == 1 else "acme org 01b"
        store.lookup_put_many("org", [(key, rid)], also=("made-org",),
                              extra=((CREATOR + "org", str(rid), item_id),
                                     (CREATED_AT + "org", str(rid), int(clock.wall() * 1000))))
        await ahead.charge("addDeal", 5)
        if item_id == 1:
            ahead.answered("addDeal", 5)
        ahead.unhold(item_id, held)
        if item_id == 1:
            await ahead.write([Outcome(1, ItemState.DONE, result={"deal_id": 9})], [])
    assert store.spend_by_operation()["addOrganization"] == (3 * COST, 3)
    assert tokens_in_doubt(store)["addOrganization"] == 2 * COST  # row 2's, and the credit
    _LIVE.discard(ahead)  # the process is gone
    store.close()


@pytest.mark.anyio
async def test_a_create_answered_for_a_row_left_sending_stays_charged(tmp_path: Path) -> None:
    """Take-back: the credit never used (5) leaves the ledger, row 2's answered create
    stays (ledger 15 → 10, not 5; in doubt 10 → 5); the row's reconcile counts it landed
    (``landed``: addOrganization 1, row 1's create not counted again)."""
    await _killed_run(tmp_path / "j1")
    with JobStore.open(tmp_path / "j1") as store:
        await _unused_credit_back(store, ImportJob)
        # before: 0 tokens left for addOrganization, the server charged 10
        assert store.spend_by_operation()["addOrganization"] == (2 * COST, 2)
        assert tokens_in_doubt(store)["addOrganization"] == COST
        items = list(store.items(ItemState.SENDING))
        assert [i.id for i in items] == [2]
        job = SimpleNamespace(astore=AsyncJobStore(store), landed={})
        await _Reconcile._contacts_landed(job, items,  # type: ignore[arg-type]
                                          {2: items[0].payload}, set())
        assert job.landed == {2: {"addOrganization": 1}}, job.landed
