"""The runner's "no progress" stop says why and what to do (x32r1 F3: at 100 % lost answers
it said only "no progress in 5 sweeps; stopping (see pdbulk status)"). A scripted
``MockTransport`` and ``FakeClock``: no real sleep."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bulk.calls import CallContext
from bulk.store import Item, ItemState, NewItem, Outcome
from tests.test_runner_give_up import Run, Server


class UnsettledJob:
    """PATCHes a deal; its reconcile never settles an item in doubt (back to pending, its
    attempt given back): the shape of a kind that cannot yet tell what became of a write."""

    name = "unsettled"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        await ctx.call("updateDeal", path={"id": int(str(item.key))}, json={"value": 1})
        return Outcome(item.id, ItemState.DONE)

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        return [Outcome(i.id, ItemState.PENDING, unsent=True) for i in items]


@pytest.mark.anyio
async def test_a_stall_of_lost_answers_says_they_were_lost_and_what_to_do(
        tmp_path: Path) -> None:
    """Every answer lost, nothing settled: the stop names the lost answers, the writes in
    doubt and the next step (resume), not just "no progress"."""
    server = Server({n: ["lost"] * 50 for n in (1, 2)})
    items = [NewItem(row=n, key=str(n), op="patch", payload={}) for n in (1, 2)]
    _, result = await Run(tmp_path, UnsettledJob(), items, server).go(max_workers=1)
    text = str(result.error)
    assert result.stopped and text.startswith("no progress in 5 sweeps"), text
    assert "answers to the sends of 2 item(s) were lost" in text, text
    assert "in doubt" in text and "resume later" in text, text
