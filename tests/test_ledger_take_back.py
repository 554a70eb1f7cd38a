"""``bulk.ledger.take_back_unused`` on a store as a kill -9 leaves it, made by a real
``_Ahead`` (not a hand-written key): 4 PATCHes sent, the credit charged ahead for 2 more
never used, the 4th item left SENDING with no answer (the kill cut it off). f46q: the end-
to-end kill tests (tests/test_kill_token_figures_kinds.py) cannot see the take-back — their
exact figure at the end is ``ledger - server + cut off``, and credit never used that stays
raises the ledger and the figure in doubt alike — so this is the test that fails without it
(ledger 30 tokens and 15 in doubt where 20 and 5 are exact). No sleep: a ``FakeClock``
that never moves, so each refill comes within the horizon and doubles the credit."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.clock import FakeClock
from bulk.ledger import _LIVE, CREDIT_CALLS, _Ahead, take_back_unused, tokens_in_doubt
from bulk.store import AsyncJobStore, ItemState, JobStore, NewItem, Outcome
from pdbulk.cli import app

COST = 5  # updateDeal (v2): bulk.operations_data
DAY = "2026-12-06"


async def _killed_run(folder: Path) -> None:
    """A run that sends items 1-4's PATCH (1-3 answered and recorded DONE, 4 marked SENDING
    and cut off) and dies as a kill -9 would: no ``take_back``, no last flush."""
    store = JobStore.create(folder, job_id="j1", kind="update", config={})
    store.add_items(NewItem(row=n, key=f"k{n}", op="update", payload={}) for n in range(1, 6))
    store.set_status("running")
    ahead = _Ahead(AsyncJobStore(store), lambda: DAY, FakeClock(), most=CREDIT_CALLS)
    for item_id in (1, 2, 3, 4):
        store.mark_sending([item_id], FakeClock().wall())
        held = ahead.hold(item_id)
        await ahead.charge("updateDeal", COST)
        if item_id != 4:
            ahead.answered("updateDeal", COST)
        ahead.unhold(item_id, held)
        if item_id != 4:
            await ahead.write([Outcome(item_id, ItemState.DONE)], [])
    # charged ahead: refills of 1 (+0), 1 (+1), credit, 1 (+2): 6 calls for 4 sent
    assert store.spend_by_operation()["updateDeal"] == (6 * COST, 6)
    assert tokens_in_doubt(store) == {"updateDeal": 3 * COST}
    _LIVE.discard(ahead)  # the process is gone: its writer is no live one of this one
    store.close()


@pytest.mark.anyio
async def test_a_kill_s_credit_never_used_leaves_ledger_and_figure(tmp_path: Path) -> None:
    """The resume's take-back: ledger 30 → 20 tokens (the 4 PATCHes sent), in doubt 15 → 5
    (item 4's, cut off: charged or not, its reconcile says), and ``pdbulk status`` says so;
    a second resume takes nothing more."""
    await _killed_run(tmp_path / "j1")
    with JobStore.open(tmp_path / "j1") as store:
        back = take_back_unused(store, {"updateDeal"}, lambda item: {"updateDeal": 1})
        assert back == {"updateDeal": 2 * COST}, back
        assert store.spend_by_operation()["updateDeal"] == (4 * COST, 4)
        assert tokens_in_doubt(store) == {"updateDeal": COST}
        assert [i.id for i in store.items(ItemState.SENDING)] == [4]
        assert take_back_unused(store, {"updateDeal"}, lambda item: {"updateDeal": 1}) == {}
    ran = CliRunner().invoke(app, ["status", "j1", "--json", "--job-dir", str(tmp_path)])
    assert ran.exit_code == 0, ran.output
    info = orjson.loads(ran.stdout)
    assert info["tokens_in_doubt"] == COST, info
    assert info["tokens_by_operation"]["updateDeal"] == 4 * COST, info
