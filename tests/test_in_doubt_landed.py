"""The ledger writer's figure in doubt against its items (``bulk.ledger._Ahead``): a write
answered for an item comes off the figure with the item's outcome, not before; a reconcile
that finds writes applied takes them off this run's figure (lost answers) or the keys of
earlier runs that held their answers, never below 0 and never a live writer's key nor
one of a run that did not hold them. Fast: a temp store, a fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.clock import FakeClock
from bulk.ledger import HELD, META_IN_DOUBT, _Ahead, earlier_item, tokens_in_doubt
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, NewItem, Outcome

DAY = "2026-01-01"


def store_with_items(tmp_path: Path, n: int) -> JobStore:
    store = JobStore.create(tmp_path / "job", job_id="j", kind="update", config={})
    store.add_items(NewItem(row=i, key=str(i), op="update", payload={}) for i in range(n))
    store.mark_sending(list(range(1, n + 1)), 0.0)  # ids from 1
    return store


@pytest.mark.anyio
async def test_an_items_answered_write_stays_in_doubt_until_its_outcome_is_written(
        tmp_path: Path) -> None:
    """Two PATCHes charged (10 tokens), both answered; the figure written by the next
    ledger write (no outcome) still holds them, the outcome's write takes them off; a
    read answered outside an item comes off at the next write, as before."""
    store = store_with_items(tmp_path, 2)
    ahead = _Ahead(AsyncJobStore.of(store), lambda: DAY, FakeClock(), most=0)

    async def patch() -> None:
        await ahead.charge("updateDeal", 5)
        ahead.answered("updateDeal", 5)

    await ahead.holding(1, patch())
    await ahead.holding(2, patch())
    await ahead.charge("getDeals", 10)
    ahead.answered("getDeals", 10)
    await ahead.write([], [])
    assert tokens_in_doubt(store) == {"updateDeal": 10}
    await ahead.write([Outcome(1, ItemState.DONE)], [])
    assert tokens_in_doubt(store) == {"updateDeal": 5}
    await ahead.write([Outcome(2, ItemState.DONE)], [])
    assert tokens_in_doubt(store) == {}


@pytest.mark.anyio
async def test_a_lost_answer_found_applied_comes_off_this_runs_figure(tmp_path: Path) -> None:
    """A PATCH whose answer was lost stays in doubt; the reconcile finds it applied:
    off, never below what stays unanswered."""
    store = store_with_items(tmp_path, 1)
    ahead = _Ahead(AsyncJobStore.of(store), lambda: DAY, FakeClock(), most=0)
    await ahead.charge("updateDeal", 5)
    ahead.unanswered("updateDeal", 5, True)  # (bulk.calls: every lost answer says so)
    await ahead.write([], [])
    assert tokens_in_doubt(store) == {"updateDeal": 5}
    await ahead.write([Outcome(1, ItemState.DONE)], [], settled={"updateDeal": 10})
    assert tokens_in_doubt(store) == {}


@pytest.mark.anyio
async def test_an_answered_write_found_applied_comes_off_once(tmp_path: Path) -> None:
    """y54r3 F3: a row's person create answered (held with the row), its deal create
    dropped (no answer, never applied), the row reconciled with the person counted as
    found applied: the person comes off with the row's outcome, and ``settled`` takes off
    only writes that got no answer — no addPerson was lost, so none more comes off (before,
    it came off twice, eating another row's create in flight), and the dropped addDeal
    stays."""
    store = store_with_items(tmp_path, 1)
    ahead = _Ahead(AsyncJobStore.of(store), lambda: DAY, FakeClock(), most=0)

    async def creates() -> None:
        await ahead.charge("addPerson", 5)
        ahead.answered("addPerson", 5)  # answered: held with the row
        await ahead.charge("addDeal", 5)
        ahead.unanswered("addDeal", 5, True)  # dropped

    await ahead.holding(1, creates())
    await ahead.charge("addPerson", 5)  # another row's create, in flight as this settles
    await ahead.write([], [])
    assert tokens_in_doubt(store) == {"addDeal": 5, "addPerson": 10}
    await ahead.write([Outcome(1, ItemState.PENDING)], [], settled={"addPerson": 5})
    assert tokens_in_doubt(store) == {"addDeal": 5, "addPerson": 5}


@pytest.mark.anyio
async def test_earlier_runs_keys_that_held_answers_are_lowered_never_below_0(tmp_path: Path) -> None:
    """A killed run that held left 15 in doubt, one that did not 20, a live writer 5:
    20 tokens of writes found applied take the 15 off the first, and nothing else."""
    store = store_with_items(tmp_path, 1)
    held_key = f"{META_IN_DOUBT}:aaaaaaaaaaaa{HELD}100.000"
    store.meta_put_many({held_key: {"updateDeal": 15},
                         f"{META_IN_DOUBT}:bbbbbbbbbbbb": {"updateDeal": 20}})
    clock = FakeClock()
    live = _Ahead(AsyncJobStore.of(store), lambda: DAY, clock, most=0)
    await live.charge("updateDeal", 5)
    ahead = _Ahead(AsyncJobStore.of(store), lambda: DAY, clock, most=0)
    await ahead.write([Outcome(1, ItemState.DONE)], [], earlier={"updateDeal": 20})
    found = store.meta_prefixed(META_IN_DOUBT)
    assert found[held_key] is None
    assert found[f"{META_IN_DOUBT}:bbbbbbbbbbbb"] == {"updateDeal": 20}
    assert tokens_in_doubt(store) == {"updateDeal": 25}  # the old run's and the live one's
    assert await ahead.held_since() == 100.0


def test_only_items_marked_after_the_first_holding_run_began_count() -> None:
    """An item marked SENDING before the first writer that holds them began may have had its
    answer counted already by an earlier version: left alone."""
    def item(sent_at: float | None) -> Item:
        return Item(id=1, row=1, key="1", op="update", payload={}, state=ItemState.SENDING,
                    attempts=1, result=None, error=None, status=None, sent_at=sent_at)

    assert earlier_item(item(101.0), 100.0)
    assert not earlier_item(item(99.0), 100.0)
    assert not earlier_item(item(101.0), None)
    assert not earlier_item(item(None), 100.0)


@pytest.mark.anyio
async def test_a_killed_runs_lost_writes_are_never_taken_back_as_credit(tmp_path: Path) -> None:
    """x39r5 F1: a run killed after its last write left 270 tokens in doubt; the resume,
    with no call, took back 80 as credit never used and ended 40 under the server's count:
    the lost answers of writes whose items the run had settled (read back, sent again)
    were counted as credit. Here a PATCH lost (5), its item's second PATCH answered, one
    call of credit left unused (5): the take-back takes the credit alone."""
    from bulk.ledger import _LIVE, take_back_unused

    store = store_with_items(tmp_path, 1)
    ahead = _Ahead(AsyncJobStore.of(store), lambda: DAY, FakeClock(), most=4)

    async def lost() -> None:
        await ahead.charge("updateDeal", 5)
        ahead.unanswered("updateDeal", 5)

    async def answered() -> None:
        await ahead.charge("updateDeal", 5)  # (charges a call ahead: never used)
        ahead.answered("updateDeal", 5)

    await ahead.holding(1, lost())
    await ahead.holding(1, answered())
    await ahead.write([Outcome(1, ItemState.DONE)], [])
    assert tokens_in_doubt(store) == {"updateDeal": 10}  # the lost PATCH and the credit
    _LIVE.discard(ahead)  # killed: its credit never taken back by its own end
    back = take_back_unused(store, {"updateDeal"}, lambda item: {"updateDeal": 1})
    assert back == {"updateDeal": 5}, back
    assert tokens_in_doubt(store) == {"updateDeal": 5}  # the lost PATCH: charged or not
