"""A person / organization create a row resolved again (its contact vanished:
``jobs.importing.vanished``) had in flight at a kill -9, cut off before its answer: the
row's pending contact creates, marked before the send (``jobs.importing.creating``), keep
its tokens in the ledger and in doubt through the resume's take-back
(``bulk.ledger.take_back_unused``), and the row's reconcile looks for it and counts it
landed when found. x47r6 F1 leftover: such a create left no trace, its credit was taken
back as never used (ledger addPerson 0 where the server charged 10; 1723 ≤ 1779 ≤ 1776).
A store as the kill leaves it, made by a real ``_Ahead`` on a ``FakeClock``: no sleep."""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bulk.clock import FakeClock
from bulk.ledger import _LIVE, CREDIT_CALLS, _Ahead, tokens_in_doubt
from bulk.store import AsyncJobStore, ItemState, JobStore, NewItem, Outcome
from jobs.import_resolve import refs_of
from jobs.importing import creating
from jobs.importing.job import ImportJob
from jobs.importing.reconcile import _Reconcile
from jobs.resuming import _unused_credit_back

COST = 5  # addOrganization (v2): bulk.operations_data
DAY = "2026-12-06"
ORG = {"kind": "org", "key": "acme org 01", "body": {"name": "Acme Org 01"}}
AGAIN = {"kind": "org", "key": "acme org 02", "body": {"name": "Acme Org 02"}}


async def _killed_run(folder: Path) -> None:
    """Row 1 creates its organization (named in its payload) and is DONE; row 2 names
    organization 483 by id, which vanished: resolved again, it makes "acme org 02" (its
    pending create marked), and the kill cuts that create off before its answer. The
    second refill came within the horizon: one addOrganization more charged ahead."""
    clock = FakeClock()
    store = JobStore.create(folder, job_id="j1", kind="import", config={})
    store.add_items([
        NewItem(row=1, key="k1", op="create", payload={"deal": {"title": "d1"}, "org": ORG}),
        NewItem(row=2, key="k2", op="create",
                payload={"deal": {"title": "d2"}, "org": {"id": 483}}),
    ])
    store.set_status("running")
    astore = AsyncJobStore(store)
    ahead = _Ahead(astore, lambda: DAY, clock, most=CREDIT_CALLS)
    store.mark_sending([1], clock.wall())
    held = ahead.hold(1)
    await ahead.charge("addOrganization", COST)
    ahead.answered("addOrganization", COST)
    store.lookup_put_many("org", [("acme org 01", 501)], also=("made-org",))
    await ahead.charge("addDeal", 5)
    ahead.answered("addDeal", 5)
    ahead.unhold(1, held)
    await ahead.write([Outcome(1, ItemState.DONE, result={"deal_id": 9})], [])
    store.mark_sending([2], clock.wall())
    (item,) = [i for i in store.items(ItemState.SENDING)]
    held = ahead.hold(2)
    # refused for organization 483, resolved again: its new organization marked, then sent
    refs = creating.beyond(refs_of({"deal": {"title": "d2"}, "org": AGAIN}), item.payload)
    assert [r["key"] for r in refs] == ["acme org 02"]
    await creating.mark(astore, item, refs, int(clock.wall() * 1000))
    await ahead.charge("addOrganization", COST)  # ... and the kill, no answer
    assert store.spend_by_operation()["addOrganization"] == (3 * COST, 3)
    _LIVE.discard(ahead)  # the process is gone
    store.close()


@pytest.mark.anyio
async def test_a_marked_create_cut_off_stays_in_doubt(tmp_path: Path) -> None:
    """Take-back: only the credit never used (5) leaves; row 2's marked create stays in
    the ledger and in doubt (ledger addOrganization 5 → 10, in doubt 0 → 5: the server
    charged 10 when it landed, 5 when not, both within ledger - in doubt ≤ · ≤ ledger)."""
    await _killed_run(tmp_path / "j1")
    with JobStore.open(tmp_path / "j1") as store:
        await _unused_credit_back(store, ImportJob)
        assert store.spend_by_operation()["addOrganization"] == (2 * COST, 2)
        assert tokens_in_doubt(store).get("addOrganization", 0) == COST


@pytest.mark.anyio
async def test_the_reconcile_looks_for_a_marked_create(tmp_path: Path) -> None:
    """The row's reconcile gives the resolver the marked reference with its payload's, and
    the create it found made counts landed for the row (addOrganization 1)."""
    await _killed_run(tmp_path / "j1")
    asked: list[list[str]] = []

    async def found(_ctx: Any, refs: Any, _since: float) -> set[tuple[str, str]]:
        asked.append(sorted(str(r["key"]) for r in refs))
        return {("org", "acme org 02")}

    with JobStore.open(tmp_path / "j1") as store:
        items = list(store.items(ItemState.SENDING))
        job = SimpleNamespace(astore=AsyncJobStore(store), landed={},
                              resolver=SimpleNamespace(reconcile=found))
        job._contacts_landed = partial(_Reconcile._contacts_landed,
                                       job)  # type: ignore[arg-type]
        await _Reconcile._reconciled_contacts(job, None, items,  # type: ignore[arg-type]
                                              {2: items[0].payload}, 0.0)
        assert asked == [["acme org 02"]]
        assert job.landed == {2: {"addOrganization": 1}}, job.landed


@pytest.mark.anyio
async def test_a_mark_of_an_earlier_send_is_not_counted(tmp_path: Path) -> None:
    """A mark written before the row was marked SENDING again (a later run's send) is
    not this send's: nothing kept for it."""
    await _killed_run(tmp_path / "j1")
    with JobStore.open(tmp_path / "j1") as store:
        (item,) = list(store.items(ItemState.SENDING))
        assert list(creating.marked(store.meta_prefixed(creating.CREATING), [item])) == [2]
        item = dataclasses.replace(item, sent_at=(item.sent_at or 0.0) + 60)
        assert creating.marked(store.meta_prefixed(creating.CREATING), [item]) == {}


@pytest.mark.anyio
async def test_a_row_sent_again_marks_its_new_creates(tmp_path: Path) -> None:
    """``ImportJob._resent`` (a row resolved again after its contact vanished) marks the
    creates its new payload needs beyond its stored one, before they are sent: not one
    the run already knows, not one the stored payload names."""
    store = JobStore.create(tmp_path / "j1", job_id="j1", kind="import", config={})
    try:
        store.add_items([NewItem(row=1, key="k1", op="create",
                                 payload={"deal": {"title": "d1"}, "org": ORG,
                                          "person": {"id": 77}})])
        clock = FakeClock()
        store.mark_sending([1], clock.wall())
        (item,) = list(store.items(ItemState.SENDING))
        person = {"kind": "person", "key": "e:ann@ex1.com", "body": {"name": "Ann"},
                  "org": AGAIN}
        known = {"acme org 02": None}
        job = SimpleNamespace(astore=AsyncJobStore(store), clock=clock, _remapped={},
                              _deal_unsent=set(), resolver=SimpleNamespace(
                                  known=lambda r: known.get(str(r["key"]), 5)))
        await ImportJob._resent(job, item,  # type: ignore[arg-type]
                                {"deal": {"title": "d1"}, "org": ORG, "person": person})
        marks = creating.marked(store.meta_prefixed(creating.CREATING), [item])
        assert [r["key"] for r in marks[1]] == ["acme org 02"]  # the person known: 5
        assert job._remapped[1]["person"] == person
    finally:
        store.close()


@pytest.mark.anyio
async def test_a_second_hop_keeps_the_first_hops_mark(tmp_path: Path) -> None:
    """A row resolved again twice in one send (its new contact vanished in turn) keeps
    both marks, the item as handed out (no ``sent_at`` yet) as the job holds it."""
    store = JobStore.create(tmp_path / "j1", job_id="j1", kind="import", config={})
    try:
        store.add_items([NewItem(row=1, key="k1", op="create",
                                 payload={"deal": {"title": "d1"}, "org": {"id": 483}})])
        (handed,) = list(store.items(ItemState.PENDING))
        assert handed.sent_at is None
        store.mark_sending([1], 1000.0)
        astore = AsyncJobStore(store)
        await creating.mark(astore, handed, [AGAIN], 1_000_500)
        await creating.mark(astore, handed, [ORG], 1_000_900)
        (item,) = list(store.items(ItemState.SENDING))
        marks = creating.marked(store.meta_prefixed(creating.CREATING), [item])
        assert sorted(r["key"] for r in marks[1]) == ["acme org 01", "acme org 02"]
    finally:
        store.close()
