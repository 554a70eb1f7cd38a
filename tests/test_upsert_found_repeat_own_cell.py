"""An upsert's repeated row whose key finds a deal and whose stage cell cannot be placed
in the pipeline its Pipeline cell names (or the deal's) fails on its own cells, whatever
its Pipeline cell: judged beside the key's row that writes on the fields it could map, the
stage and the Pipeline cell it is placed by left out of both (docs/mapping.md "Repeated
rows", x40r5 F1). x53r6 F1: of 8 such pairs (``Bogus`` / ``Won`` + ``Partnerships`` /
``Lead In`` + ``Sales`` after a row that writes) 7 were held ``duplicate-key`` and their
keys contested, only the pair whose Pipeline cells were both blank failing alone. The
model, over seeded mixes of a found key's rows: a row writes a value (its stage as placed
in its deal's pipeline or the one it names) or fails on its own cells (never held); a key
whose writing rows write two values is contested (the first row of each value held, a
later row of the same held with it, a refused row held too, as any refused row of a
contested key is: "this row also fails"), else one of them is written and the others are its
duplicates."""

from __future__ import annotations

import collections
import random
from pathlib import Path

import pytest

from bulk.reports import HOLD_DUPLICATE
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.import_support import import_once, import_stopped_before_sending
from tests.test_upsert_found_run import _account

pytestmark = pytest.mark.anyio
MAPPING = """\
version = 1
[import]
key_column = "id"
mode = "{mode}"
[defaults]
currency = "EUR"
[deal]
title = "title"
value = "amount"
pipeline = "pipeline"
status = {{ column = "stage" }}
[deal.stage]
column = "stage"
"""
HEADER = "id,title,amount,pipeline,stage"
# a row by letter: (Pipeline cell, Stage cell), and what it writes on a key's deal (open,
# in Sales: Lead, Qualified, Proposal, Won), None: it fails on its own stage cell
ROWS = {"g": ("", "Qualified"), "G": ("Sales", "Qualified"), "e": ("Enterprise", "Qualified"),
        "u": ("", "Nowhere"), "U": ("Sales", "Nowhere"), "n": ("Enterprise", "Nowhere"),
        "w": ("Enterprise", "Won"), "i": ("SMB", "Lead"), "r": ("Renewals", "Lead")}
WRITES = {"g": "Sales Qualified", "G": "Sales Qualified", "e": "Enterprise Qualified",
          "u": None, "U": None, "n": None, "w": None, "i": None, "r": None}
# x53r6 F1's shapes (a row that writes, then one failing on its stage cell)
FIXED = ["gw", "gi", "gn", "GU", "gu", "Gw", "gU", "gr", "uG", "Ug", "wg", "ngU", "gUG",
         "ge", "eU", "gUe"]


def mixes(seed: int, keys: int) -> list[str]:
    rnd = random.Random(seed)
    return FIXED + ["".join(rnd.choice(sorted(ROWS)) for _ in range(rnd.randint(2, 4)))
                    for _ in range(keys - len(FIXED))]


def expected(mix: str, writes: dict[str, str | None] | None = None) -> dict[str, int]:
    """Rows written, duplicates, failed alone (not held), held, by the model (module doc);
    ``writes``: what each letter's row writes (``WRITES``)."""
    writes = WRITES if writes is None else writes
    writers = [writes[ch] for ch in mix if writes[ch] is not None]
    alone = len(mix) - len(writers)
    values = len(set(writers))
    if values > 1:  # a refused row of a contested key is held with it ("this row also fails")
        return {"written": 0, "duplicate": len(writers) - values, "alone": 0,
                "held": values + alone}
    return {"written": values, "duplicate": len(writers) - values, "alone": alone, "held": 0}


@pytest.mark.parametrize(("seed", "spread"), [(1, False), (2, True)])
async def test_a_found_deals_row_failing_on_its_stage_cell_fails_alone(
        tmp_path: Path, seed: int, spread: bool) -> None:
    keys = mixes(seed, 40)
    base = tmp_path / "base.csv"
    base.write_text("\n".join([HEADER, *(f"K{k},T,100,Sales,Lead" for k in range(len(keys)))])
                    + "\n")
    rows = [(n, k, ROWS[ch]) for k, mix in enumerate(keys) for n, ch in enumerate(mix)]
    if spread:
        rows.sort(key=lambda r: r[0])
    manifest = tmp_path / "f.csv"
    manifest.write_text("\n".join([HEADER, *(f"K{k},T,100,{p},{s}" for _, k, (p, s) in rows)])
                        + "\n")
    (tmp_path / "i.toml").write_text(MAPPING.format(mode="insert"))
    (tmp_path / "u.toml").write_text(MAPPING.format(mode="upsert"))
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        _account(sb)
        made, _, _ = await import_once(sb, tmp_path / "jobs", base, tmp_path / "i.toml",
                                       mode="insert")
        made.close()
        store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", manifest,
                                                       tmp_path / "u.toml", mode="upsert")
        got: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        for item in store.items():
            if item.state is ItemState.FAILED:
                held = item.payload.get("hold") == HOLD_DUPLICATE
                state = "held" if held else "alone"
                if not held:  # its own refusal, never the key's contest
                    assert "contested" not in str(item.error), item.error
            else:
                state = {ItemState.PENDING: "written", ItemState.SKIPPED: "duplicate"}.get(
                    item.state, "other")
            got[str(item.key)][state] += 1
        store.close()
    differ = {}
    for k, mix in enumerate(keys):
        want = expected(mix)
        have = {state: got[f"K{k}"][state] for state in want}
        if want != have:
            differ[f"K{k} {mix}"] = (want, have)
    assert not differ, f"{len(differ)} of {len(keys)} keys differ: {differ}"
