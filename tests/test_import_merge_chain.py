"""An organization the run made, merged away by a colleague mid-run, and the survivor the
row was followed to merged away again before the row's send (a chain of merges): the row
follows the chain (bounded) to the last survivor, never fails on the record it was
followed to (x38r1 F8: 11 of 300 rows failed a bare ``400 org_id: organization 82 not
found (addDeal)``, naming a record the row never named; ``pdbulk retry`` fixed them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import JobStore
from tests.import_support import (
    UPSERT_FAST,
    CallsThrough,
    Execute,
    deal_links,
    read_csv,
    upsert_hooked,
)

pytestmark = pytest.mark.anyio
ROWS = [("R1", "Deal one", "100", "Ann Lee", "ann@ex1.com", "Org Zero"),
        ("R2", "Deal two", "200", "Bob Roe", "bob@ex2.com", "Org Nine"),
        ("R3", "Deal three", "300", "Cy Poe", "cy@ex3.com", "Org Five"),
        *((f"R{n}", f"Deal {n}", "400", f"Di {n}", f"di{n}@ex4.com", "Org Zero")
          for n in range(4, 7))]


def _org(sb: Sandbox, name: str) -> int:
    return next(o["id"] for o in sb.state.table("organization").rows.values()
                if o["name"] == name)


def _live(sb: Sandbox, name: str) -> list[int]:
    return [o["id"] for o in sb.state.table("organization").rows.values()
            if o["name"] == name and not o["is_deleted"]]


async def _run(sb: Sandbox, tmp: Path, hops: int) -> JobStore:
    """The upsert of ``ROWS`` at one worker: once R3 is done Org Zero is merged into Org
    Nine; then right before the first deal sent to Org Nine, Org Nine into Org Five (and,
    ``hops`` over 2, Org Five into Org Four right before the first sent there, ...)."""
    chain: list[tuple[int, int]] = []  # (merged away, into), in turn, once R3 is done

    class Ctx(CallsThrough):
        async def call(self, op: str, *a: Any, **kw: Any) -> Any:
            body = kw.get("json") or {}
            if op == "addDeal" and chain and body.get("org_id") == chain[0][0]:
                away, into = chain.pop(0)
                merge(sb.state, "organization", away, {"merge_with_id": into})
            return await self._ctx.call(op, *a, **kw)

    def hook(kind: Any, execute: Execute) -> Execute:
        async def wrapped(ctx: Any, item: Any) -> Any:
            out = await execute(Ctx(ctx), item)
            if item.key == "R3":
                zero, nine, five = (_org(sb, n) for n in ("Org Zero", "Org Nine", "Org Five"))
                merge(sb.state, "organization", zero, {"merge_with_id": nine})
                chain.append((nine, five))
                for n in range(3, hops + 1):  # Org Five into Org Four, into Org Three, ...
                    away = chain[-1][1]
                    (into,) = sb.state.load("organization", [{
                        **{k: v for k, v in sb.state.table("organization").rows[away].items()
                           if k != "id"}, "name": f"Org {7 - n}"}])
                    chain.append((away, into))
            return out
        return wrapped

    return await upsert_hooked(sb, tmp, ROWS, hook)


@pytest.mark.parametrize("hops", [2, 3, 4])
async def test_a_chain_of_merges_is_followed_to_its_end(tmp_path: Path, hops: int) -> None:
    """R4-R6 name Org Zero: merged into Org Nine, itself merged into Org Five (and Org Five
    into Org Four, ...) while R4 is sent: every row lands on the last survivor, none fails,
    no Org Zero made again (before: R4 failed ``400 org_id: organization N not found``).
    A chain longer than ``vanished.HOPS`` fails R4 alone, saying what happened and that a
    retry resolves it again; R5 and R6 follow the whole chain before their send."""
    from jobs.importing.vanished import HOPS

    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        store = await _run(sb, tmp_path, hops)
        directory = store.directory
        store.close()
        failed = read_csv(directory / "failed.csv")
        rows = {r["key"]: r for r in read_csv(directory / "succeeded.csv")}
        last = _org(sb, f"Org {7 - hops}" if hops > 2 else "Org Five")
        sent = range(4, 7) if hops <= HOPS else range(5, 7)
        assert {deal_links(sb, int(rows[f"R{n}"]["deal_id"]))[1] for n in sent} \
            == {last}, rows
        assert _live(sb, "Org Zero") == [], rows
        if hops <= HOPS:
            assert not failed, failed
        else:
            assert [r["key"] for r in failed] == ["R4"], failed
            reason = failed[0]["reason"]
            assert "merged away or deleted while it was sent" in reason, reason
            assert "pdbulk retry resolves the row again" in reason, reason
