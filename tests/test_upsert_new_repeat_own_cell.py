"""An upsert's repeated row whose key is new to the account (its deal is created) and
whose stage cell a create cannot read fails on its own cells, whatever its Pipeline cell:
the stage cell is read in the pipeline that cell names, so the row fails on both cells,
both left out of the judgement beside the key's row that writes (docs/mapping.md "Repeated
rows", as a found deal's row: ``test_upsert_found_repeat_own_cell``). x54r3 F1: with its
Pipeline cell filled (``Bogus`` + ``Sales``, or ``sales``, after ``Contact Made`` +
``Sales``) 5 of 5 failing cells were held ``duplicate-key`` "with other cells" and the key
contested; with a blank Pipeline cell the row failed alone. Cells naming one pipeline in
another case are one pipeline. The model over seeded mixes of a new key's rows by Pipeline
cell blank / same / other case / other pipeline by order, as the found-deal test's."""

from __future__ import annotations

import collections
import random
from pathlib import Path

import pytest

from bulk.reports import HOLD_DUPLICATE
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.import_support import import_stopped_before_sending
from tests.test_upsert_found_repeat_own_cell import HEADER, MAPPING, expected
from tests.test_upsert_found_run import _account

pytestmark = pytest.mark.anyio
# a row by letter: (Pipeline cell, Stage cell), and what a create of it writes; None: it
# fails on its own stage cell (a stage of no pipeline it names, a status no map reads)
ROWS = {"G": ("Sales", "Qualified"), "s": ("sales", "Qualified"), "S": ("SALES", "Qualified"),
        "u": ("", "Nowhere"), "U": ("Sales", "Nowhere"), "l": ("sales", "Nowhere"),
        "n": ("Enterprise", "Nowhere"), "p": ("Sales", "Enterprise > Nowhere"),
        "q": ("Sales", "Qualifed")}
WRITES = {"G": "Sales Qualified", "s": "Sales Qualified", "S": "Sales Qualified",
          "u": None, "U": None, "l": None, "n": None, "p": None, "q": None}
# x54r3 F1's shapes: the writing row first, after, a case, a third row
FIXED = ["GU", "Gl", "sU", "Gn", "Gp", "Gq", "UG", "lG", "GUG", "Gu", "uG", "UGs", "nSl"]


def mixes(seed: int, keys: int) -> list[str]:
    rnd = random.Random(seed)
    return FIXED + ["".join(rnd.choice(sorted(ROWS)) for _ in range(rnd.randint(2, 4)))
                    for _ in range(keys - len(FIXED))]


@pytest.mark.parametrize(("seed", "spread"), [(3, False), (4, True)])
async def test_a_new_keys_row_failing_on_its_stage_cell_fails_alone(
        tmp_path: Path, seed: int, spread: bool) -> None:
    keys = mixes(seed, 40)
    for mix in keys:  # the model's own: every row fails, or its writers write one value
        assert len({WRITES[ch] for ch in mix} - {None}) <= 1
    rows = [(n, k, ROWS[ch]) for k, mix in enumerate(keys) for n, ch in enumerate(mix)]
    if spread:
        rows.sort(key=lambda r: r[0])
    manifest = tmp_path / "f.csv"
    manifest.write_text("\n".join([HEADER, *(f"N{k},T,100,{p},{s}" for _, k, (p, s) in rows)])
                        + "\n")
    (tmp_path / "u.toml").write_text(MAPPING.format(mode="upsert"))
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        _account(sb)
        store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", manifest,
                                                       tmp_path / "u.toml", mode="upsert")
        got: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        for item in store.items():
            if item.state is ItemState.FAILED:
                held = item.payload.get("hold") == HOLD_DUPLICATE
                if not held:  # its own refusal, never the key's contest
                    assert "contested" not in str(item.error), item.error
                state = "held" if held else "alone"
            else:
                state = {ItemState.PENDING: "written", ItemState.SKIPPED: "duplicate"}.get(
                    item.state, "other")
            got[str(item.key)][state] += 1
        store.close()
    differ = {}
    for k, mix in enumerate(keys):
        want = expected(mix, WRITES)
        have = {state: got[f"N{k}"][state] for state in want}
        if want != have:
            differ[f"N{k} {mix}"] = (want, have)
    assert not differ, f"{len(differ)} of {len(keys)} keys differ: {differ}"
