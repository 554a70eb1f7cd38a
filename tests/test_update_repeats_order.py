"""The rows of an update naming one deal get one verdict whatever their order (w56r1 F1:
row A setting a title and an amount, row B the same amount only — A first: A written, B
its ``duplicate``; B first: both held, and a run wrote "CONFLICTING" titles the other order
held). README: rows giving one deal other changes are held, every one; a row giving the
same changes, or a part of them with its other cells empty, is a ``duplicate`` of the row
that gives them all — a verdict on the set of the deal's rows, never their order."""

from __future__ import annotations

import csv
import itertools
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.account import load_catalog
from jobs.updating import UpdateMapping, prepare_update
from tests.update_support import load_job

MAPPING = """
version = 1
[update]
id_column = "Deal"
[defaults]
currency = "USD"
[deal]
title = "Title"
value = "Amount"
"""
TITLES = ("", "Order T1", "Order T2")
AMOUNTS = ("", "10", "20", "10.00")  # "10.00" the same change as "10", spelt otherwise
Row = tuple[str, str]


def _cases(seed: int, count: int) -> list[tuple[Row, ...]]:
    """``count`` sets of 2-4 rows for one deal (seeded): equal rows, parts, wholes, rows
    setting other fields, other values, blank cells (leave the field), a refused amount."""
    rng = random.Random(seed)
    cases: list[tuple[Row, ...]] = [
        (("Order A", "1234"), ("", "1234")),  # the tester's pair
        (("Order T1", ""), ("", "10"), ("Order T1", "10")),  # two parts, then the whole
        (("Order T1", "10"), ("Order T1", "10.00"), ("", "10.00")),
        (("", ""), ("", "20")),
        (("Order T1", ""), ("", "10")),  # neither the whole: held
        (("Order T1", "10"), ("Order T2", "")),  # other values: held
        (("", "abc"), ("", "10")),
    ]
    while len(cases) < count:
        size = rng.randint(2, 4)
        base = (rng.choice(TITLES[1:]), rng.choice(AMOUNTS[1:]))
        rows = [tuple(cell if rng.random() < 0.6 else "" for cell in base)]
        for _ in range(size - 1):
            roll = rng.random()
            rows.append(base if roll < 0.4 else (rng.choice(TITLES), rng.choice(AMOUNTS))
                        if roll < 0.85 else (rng.choice(TITLES), "abc"))
        cases.append(tuple((str(t), str(a)) for t, a in rows))
    return cases


def _same(row: Row) -> Row:
    """A row as the change it gives: ``10`` and ``10.00`` alike (either one writes)."""
    title, amount = row
    return title, amount if amount in ("", "abc") else str(float(amount))


def _verdict(item: Any) -> str:
    result = item.payload.get("result") or {}
    if item.state is ItemState.FAILED:
        return "held" if item.payload.get("hold") == "duplicate-key" else "failed"
    if result.get("action") == "duplicate":
        return "duplicate"
    return "writes"  # sent, or the deal already as the row wants


def _oracle(rows: tuple[Row, ...]) -> Counter[tuple[Row, str]] | None:
    """What README says of a deal's rows that map (None when one is refused)."""
    if any(a == "abc" for _, a in rows):
        return None
    rows = tuple(map(_same, rows))
    def changes(row: Row) -> dict[str, str]:
        t, a = row
        return {**({"title": t} if t else {}), **({"value": str(float(a))} if a else {})}
    every: dict[str, str] = {}
    for row in rows:
        for f, v in changes(row).items():
            if every.setdefault(f, v) != v:
                return Counter((r, "held") for r in rows)
    whole = [r for r in rows if changes(r) == every]
    if not whole:
        return Counter((r, "held") for r in rows)
    out: Counter[tuple[Row, str]] = Counter((r, "duplicate") for r in rows)
    out[(whole[0], "duplicate")] -= 1
    out[(whole[0], "writes")] += 1
    return +out


@pytest.mark.anyio
async def test_a_deals_rows_get_one_verdict_in_every_order(tmp_path: Path) -> None:
    """Every order of each generated set of rows (a deal an order): the same verdicts,
    row by row (by its cells); where every row maps, README's verdict."""
    cases = _cases(56, 28)
    orders = [(n, tuple(order)) for n, case in enumerate(cases)
              for order in dict.fromkeys(itertools.permutations(case))]
    lines, deal_of = [], {}
    for deal_id, (n, order) in enumerate(orders, start=1):
        deal_of[deal_id] = (n, order)
        lines += [(deal_id, title, amount) for title, amount in order]
    with (tmp_path / "rows.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["Deal", "Title", "Amount"])
        out.writerows(lines)
    (tmp_path / "map.toml").write_text(MAPPING)
    umap = UpdateMapping.load(tmp_path / "map.toml")
    async with serve(SandboxConfig(time_scale=0.01, deals=len(orders), seed=56)) as sb:
        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, tmp_path / "rows.csv", umap,
                                        await load_catalog(s.ctx))
        store, prep = await load_job(sb, tmp_path, "update", build)
        store.close()
    by_row = {item.row: item for item in prep.items}
    assert len(by_row) == len(lines), (len(by_row), len(lines))
    seen: dict[int, Counter[tuple[Row, str]]] = {}
    for row, (deal_id, title, amount) in enumerate(lines, start=2):
        seen.setdefault(deal_id, Counter())[(_same((title, amount)), _verdict(by_row[row]))] += 1
    wrong = []
    for deal_id, (n, order) in deal_of.items():
        first = next(d for d, (m, _) in deal_of.items() if m == n)
        expected = _oracle(cases[n])
        if seen[deal_id] != seen[first] or (expected is not None and seen[deal_id] != expected):
            wrong.append((order, dict(seen[deal_id]), dict(seen[first]), expected))
    assert not wrong, (f"{len(wrong)} of {len(deal_of)} orders", wrong[:3])
